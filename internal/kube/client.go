package kube

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
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

// Read lists Deployments, StatefulSets, HPAs (autoscaling/v2) and Pods of
// namespace ("" for all) and every Node, in pages of 500.
func Read(ctx context.Context, cs kubernetes.Interface, namespace string) (*Objects, error) {
	objs := &Objects{}
	var err error
	if objs.Deployments, err = listAll(ctx, "deployments", func(o metav1.ListOptions) ([]appsv1.Deployment, string, error) {
		l, err := cs.AppsV1().Deployments(namespace).List(ctx, o)
		return items(l, err, func(l *appsv1.DeploymentList) ([]appsv1.Deployment, string) { return l.Items, l.Continue })
	}); err != nil {
		return nil, err
	}
	if objs.StatefulSets, err = listAll(ctx, "statefulsets", func(o metav1.ListOptions) ([]appsv1.StatefulSet, string, error) {
		l, err := cs.AppsV1().StatefulSets(namespace).List(ctx, o)
		return items(l, err, func(l *appsv1.StatefulSetList) ([]appsv1.StatefulSet, string) { return l.Items, l.Continue })
	}); err != nil {
		return nil, err
	}
	if objs.HPAs, err = listAll(ctx, "horizontalpodautoscalers", func(o metav1.ListOptions) ([]autoscalingv2.HorizontalPodAutoscaler, string, error) {
		l, err := cs.AutoscalingV2().HorizontalPodAutoscalers(namespace).List(ctx, o)
		return items(l, err, func(l *autoscalingv2.HorizontalPodAutoscalerList) ([]autoscalingv2.HorizontalPodAutoscaler, string) {
			return l.Items, l.Continue
		})
	}); err != nil {
		return nil, err
	}
	if objs.Pods, err = listAll(ctx, "pods", func(o metav1.ListOptions) ([]corev1.Pod, string, error) {
		l, err := cs.CoreV1().Pods(namespace).List(ctx, o)
		return items(l, err, func(l *corev1.PodList) ([]corev1.Pod, string) { return l.Items, l.Continue })
	}); err != nil {
		return nil, err
	}
	if objs.Nodes, err = listAll(ctx, "nodes", func(o metav1.ListOptions) ([]corev1.Node, string, error) {
		l, err := cs.CoreV1().Nodes().List(ctx, o)
		return items(l, err, func(l *corev1.NodeList) ([]corev1.Node, string) { return l.Items, l.Continue })
	}); err != nil {
		return nil, err
	}
	return objs, nil
}

func items[L any, T any](l *L, err error, get func(*L) ([]T, string)) ([]T, string, error) {
	if err != nil {
		return nil, "", err
	}
	xs, next := get(l)
	return xs, next, nil
}

// listAll pages through one resource: page lists one page with the given
// options and returns its items and the continue token of the next.
func listAll[T any](ctx context.Context, resource string, page func(metav1.ListOptions) ([]T, string, error)) ([]T, error) {
	opts := metav1.ListOptions{Limit: pageSize}
	var out []T
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		xs, next, err := page(opts)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", resource, err)
		}
		out = append(out, xs...)
		if next == "" {
			return out, nil
		}
		opts.Continue = next
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
