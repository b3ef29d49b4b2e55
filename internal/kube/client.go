package kube

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Config is how to reach a cluster: the usual kubeconfig and context.
type Config struct {
	Kubeconfig string // a kubeconfig file; "" uses $KUBECONFIG or ~/.kube/config
	Context    string // a context of it; "" uses its current context
}

// Connect returns a clientset for cfg and the name of the context used.
func Connect(cfg Config) (kubernetes.Interface, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if cfg.Kubeconfig != "" {
		rules.ExplicitPath = cfg.Kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: cfg.Context})
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig: %w", err)
	}
	name := cfg.Context
	if name == "" {
		name = raw.CurrentContext
	}
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig context %q: %w", name, err)
	}
	rc.UserAgent = "headroom"
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, "", fmt.Errorf("kubernetes client for context %q: %w", name, err)
	}
	return cs, name, nil
}

// pageSize bounds each list call, so a large cluster is read in pages.
const pageSize = 500

// listPage is one page of a list: a DeploymentList, a PodList…
type listPage interface {
	runtime.Object
	GetContinue() string
}

// listing is one kind Read lists: its resource, how to list one page of
// it, and, for a kind headroom can do without, what is lost when the
// cluster does not let it be listed ("" when the kind is needed).
type listing struct {
	resource string
	page     func(metav1.ListOptions) (listPage, error)
	lost     string
}

// Read lists the kinds of [SnapshotCommand] — Deployments, StatefulSets,
// DaemonSets, CronJobs, Jobs, HPAs (autoscaling/v2), PDBs (policy/v1) and
// Pods of namespace ("" for all), and every Node — in pages of 500, and
// adds them to Objects as lists (so PodsListed and PDBsListed are set).
// DaemonSets, CronJobs, Jobs and PDBs are optional: when listing them is
// forbidden (or the API does not serve them) Read goes on and says so in
// Objects.Notes. Any other failure is an error.
func Read(ctx context.Context, cs kubernetes.Interface, namespace string) (*Objects, error) {
	listings := []listing{
		{"deployments", func(o metav1.ListOptions) (listPage, error) {
			return cs.AppsV1().Deployments(namespace).List(ctx, o)
		}, ""},
		{"statefulsets", func(o metav1.ListOptions) (listPage, error) {
			return cs.AppsV1().StatefulSets(namespace).List(ctx, o)
		}, ""},
		{"daemonsets", func(o metav1.ListOptions) (listPage, error) {
			return cs.AppsV1().DaemonSets(namespace).List(ctx, o)
		}, "DaemonSets are sized from their pods"},
		{"cronjobs", func(o metav1.ListOptions) (listPage, error) {
			return cs.BatchV1().CronJobs(namespace).List(ctx, o)
		}, "CronJobs are sized from their running pods, found by their Jobs' names"},
		{"jobs", func(o metav1.ListOptions) (listPage, error) {
			return cs.BatchV1().Jobs(namespace).List(ctx, o)
		}, "a Job's CronJob is guessed from the Job's name"},
		{"horizontalpodautoscalers", func(o metav1.ListOptions) (listPage, error) {
			return cs.AutoscalingV2().HorizontalPodAutoscalers(namespace).List(ctx, o)
		}, ""},
		{"poddisruptionbudgets", func(o metav1.ListOptions) (listPage, error) {
			return cs.PolicyV1().PodDisruptionBudgets(namespace).List(ctx, o)
		}, "no workload's disruption budgets are known"},
		{"pods", func(o metav1.ListOptions) (listPage, error) {
			return cs.CoreV1().Pods(namespace).List(ctx, o)
		}, ""},
		{"nodes", func(o metav1.ListOptions) (listPage, error) {
			return cs.CoreV1().Nodes().List(ctx, o)
		}, ""},
	}
	objs := &Objects{}
	for _, l := range listings {
		pages, err := listAll(ctx, l)
		switch {
		case err != nil && l.lost != "" && apierrors.IsForbidden(err):
			objs.Notes = append(objs.Notes, fmt.Sprintf("%s not read (listing them is forbidden): %s", l.resource, l.lost))
		case err != nil && l.lost != "" && apierrors.IsNotFound(err):
			objs.Notes = append(objs.Notes, fmt.Sprintf("%s not read (the cluster does not serve them): %s", l.resource, l.lost))
		case err != nil:
			return nil, err
		}
		for _, p := range pages {
			objs.Add(p)
		}
	}
	return objs, nil
}

// listAll pages through one resource and returns its pages; it returns
// nothing unless every page was read.
func listAll(ctx context.Context, l listing) ([]runtime.Object, error) {
	opts := metav1.ListOptions{Limit: pageSize}
	var pages []runtime.Object
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := l.page(opts)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", l.resource, err)
		}
		pages = append(pages, p)
		if opts.Continue = p.GetContinue(); opts.Continue == "" {
			return pages, nil
		}
	}
}

// unknownObject stands for an object of a kind the scheme does not know
// (a custom resource in a snapshot), so that it can be counted.
type unknownObject struct{ kind string }

func (u *unknownObject) GetObjectKind() schema.ObjectKind            { return u }
func (u *unknownObject) DeepCopyObject() runtime.Object              { c := *u; return &c }
func (u *unknownObject) SetGroupVersionKind(schema.GroupVersionKind) {}
func (u *unknownObject) GroupVersionKind() schema.GroupVersionKind {
	return schema.GroupVersionKind{Kind: u.kind}
}
