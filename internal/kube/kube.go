package kube

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/headroom-sre/headroom/rightsize"
)

// SnapshotCommand is the command that writes a snapshot [ReadSnapshot]
// reads: every kind [Read] lists, in all namespaces.
const SnapshotCommand = "kubectl get deploy,sts,ds,cronjob,job,hpa,pdb,pod,node -A -o yaml"

// Node labels read on GKE.
const (
	LabelInstanceType     = "node.kubernetes.io/instance-type"
	LabelInstanceTypeBeta = "beta.kubernetes.io/instance-type"
	LabelSpot             = "cloud.google.com/gke-spot"
	LabelPreemptible      = "cloud.google.com/gke-preemptible"
	LabelNodePool         = "cloud.google.com/gke-nodepool"
	LabelRegion           = "topology.kubernetes.io/region"
)

// AnnotationAutopilotPrefix starts the annotations GKE Autopilot puts on
// the pods it admits (autopilot.gke.io/resource-adjustment…).
const AnnotationAutopilotPrefix = "autopilot.gke.io/"

// Objects collects typed Kubernetes objects and maps them to a
// rightsize.Cluster. The zero value is ready to use.
type Objects struct {
	Deployments  []appsv1.Deployment
	StatefulSets []appsv1.StatefulSet
	DaemonSets   []appsv1.DaemonSet
	CronJobs     []batchv1.CronJob
	Jobs         []batchv1.Job
	HPAs         []autoscalingv2.HorizontalPodAutoscaler
	PDBs         []policyv1.PodDisruptionBudget
	Pods         []corev1.Pod
	Nodes        []corev1.Node
	// Events are core/v1 Events (read for `headroom import`: image
	// pulls), kept apart from the cluster [Objects.Cluster] maps.
	Events []corev1.Event
	// PodsListed says that the pods were read: a list of them (even an
	// empty one) or at least one Pod was added.
	PodsListed bool
	// PDBsListed is the same for PodDisruptionBudgets.
	PDBsListed bool
	// Ignored counts objects of other kinds, by kind.
	Ignored map[string]int
	// Notes say what could not be read and what that costs (a kind the
	// credentials may not list), for the caller to print; they are not
	// errors.
	Notes []string
}

// Add files one decoded object under its kind: autoscaling/v1 HPAs are
// converted to v2 and policy/v1beta1 PDBs to v1. A list (a PodList, a
// DeploymentList…) adds its items, and a PodList or
// PodDisruptionBudgetList, even an empty one, records that its kind was
// listed. Other kinds, a generic List (whose items are not decoded)
// among them, are counted in Ignored.
func (o *Objects) Add(obj runtime.Object) {
	if _, generic := obj.(*corev1.List); !generic && meta.IsListType(obj) {
		o.addList(obj)
		return
	}
	switch x := obj.(type) {
	case *appsv1.Deployment:
		o.Deployments = append(o.Deployments, *x)
	case *appsv1.StatefulSet:
		o.StatefulSets = append(o.StatefulSets, *x)
	case *appsv1.DaemonSet:
		o.DaemonSets = append(o.DaemonSets, *x)
	case *batchv1.CronJob:
		o.CronJobs = append(o.CronJobs, *x)
	case *batchv1.Job:
		o.Jobs = append(o.Jobs, *x)
	case *autoscalingv2.HorizontalPodAutoscaler:
		o.HPAs = append(o.HPAs, *x)
	case *autoscalingv1.HorizontalPodAutoscaler:
		o.HPAs = append(o.HPAs, hpaV1ToV2(x))
	case *policyv1.PodDisruptionBudget:
		o.PDBs = append(o.PDBs, *x)
		o.PDBsListed = true
	case *policyv1beta1.PodDisruptionBudget:
		o.PDBs = append(o.PDBs, pdbV1beta1ToV1(x))
		o.PDBsListed = true
	case *corev1.Pod:
		o.Pods = append(o.Pods, *x)
		o.PodsListed = true
	case *corev1.Node:
		o.Nodes = append(o.Nodes, *x)
	case *corev1.Event:
		o.Events = append(o.Events, *x)
	default:
		if o.Ignored == nil {
			o.Ignored = map[string]int{}
		}
		o.Ignored[obj.GetObjectKind().GroupVersionKind().Kind]++
	}
}

// addList adds a list's items, and records that pods or PDBs were listed.
func (o *Objects) addList(list runtime.Object) {
	switch list.(type) {
	case *corev1.PodList:
		o.PodsListed = true
	case *policyv1.PodDisruptionBudgetList, *policyv1beta1.PodDisruptionBudgetList:
		o.PDBsListed = true
	}
	_ = meta.EachListItem(list, func(item runtime.Object) error {
		o.Add(item)
		return nil
	})
}

// hpaV1ToV2 converts the v1 form (one CPU utilisation target) to v2, the
// way the API server does: the CPU target becomes metrics[0].
func hpaV1ToV2(h *autoscalingv1.HorizontalPodAutoscaler) autoscalingv2.HorizontalPodAutoscaler {
	out := autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: h.ObjectMeta,
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: h.Spec.ScaleTargetRef.Kind, Name: h.Spec.ScaleTargetRef.Name, APIVersion: h.Spec.ScaleTargetRef.APIVersion},
			MinReplicas:    h.Spec.MinReplicas,
			MaxReplicas:    h.Spec.MaxReplicas,
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: h.Status.CurrentReplicas, DesiredReplicas: h.Status.DesiredReplicas},
	}
	if t := h.Spec.TargetCPUUtilizationPercentage; t != nil {
		out.Spec.Metrics = []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
			Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: t},
		}}}
	}
	return out
}

// pdbV1beta1ToV1 converts a policy/v1beta1 PDB to v1, keeping what its
// selector selects: in v1beta1 an empty selector selects no pod (in v1
// every pod of the namespace), so it becomes a nil one.
func pdbV1beta1ToV1(p *policyv1beta1.PodDisruptionBudget) policyv1.PodDisruptionBudget {
	sel := p.Spec.Selector
	if sel != nil && len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0 {
		sel = nil
	}
	return policyv1.PodDisruptionBudget{
		ObjectMeta: p.ObjectMeta,
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable:               p.Spec.MinAvailable,
			MaxUnavailable:             p.Spec.MaxUnavailable,
			Selector:                   sel,
			UnhealthyPodEvictionPolicy: (*policyv1.UnhealthyPodEvictionPolicyType)(p.Spec.UnhealthyPodEvictionPolicy),
		},
	}
}

// Cluster maps the objects to a rightsize.Cluster. When namespace is not
// empty, only that namespace's workloads, HPAs, PDBs and pods are kept
// (nodes, and the Autopilot sign read from pod annotations, are
// cluster-wide). Pods that have finished (Succeeded, Failed) are left
// out; pending ones are kept, with their phase.
func (o *Objects) Cluster(namespace string) *rightsize.Cluster {
	in := func(ns string) bool { return namespace == "" || ns == namespace }
	c := &rightsize.Cluster{PodsListed: o.PodsListed, PDBsListed: o.PDBsListed, AutopilotSignal: autopilotPodSignal(o.Pods)}

	jobs := jobOwners(o.Jobs)
	for _, p := range o.Pods {
		if in(p.Namespace) && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			c.Pods = append(c.Pods, pod(p, jobs))
		}
	}
	sort.Slice(c.Pods, func(i, j int) bool {
		a, b := c.Pods[i], c.Pods[j]
		return a.Namespace < b.Namespace || (a.Namespace == b.Namespace && a.Name < b.Name)
	})
	running := map[rightsize.WorkloadRef]int{}
	for _, p := range c.Pods {
		running[p.Owner]++
	}

	pdbs := newPDBIndex(o.PDBs)
	for _, d := range o.Deployments {
		if in(d.Namespace) {
			c.Workloads = append(c.Workloads, deployment(d, pdbs))
		}
	}
	for _, s := range o.StatefulSets {
		if in(s.Namespace) {
			c.Workloads = append(c.Workloads, statefulSet(s, pdbs))
		}
	}
	for _, d := range o.DaemonSets {
		if in(d.Namespace) {
			c.Workloads = append(c.Workloads, daemonSet(d, pdbs, running))
		}
	}
	for _, cj := range o.CronJobs {
		if in(cj.Namespace) {
			c.Workloads = append(c.Workloads, cronJob(cj, running))
		}
	}
	for _, j := range o.Jobs {
		if in(j.Namespace) && jobs[jobKey{j.Namespace, j.Name}].Kind == rightsize.KindJob {
			c.Workloads = append(c.Workloads, job(j, running))
		}
	}

	byRef := make(map[rightsize.WorkloadRef]int, len(c.Workloads))
	for i, w := range c.Workloads {
		byRef[w.WorkloadRef] = i
	}
	for _, h := range o.HPAs {
		if !in(h.Namespace) {
			continue
		}
		ref := rightsize.WorkloadRef{Kind: h.Spec.ScaleTargetRef.Kind, Namespace: h.Namespace, Name: h.Spec.ScaleTargetRef.Name}
		if i, ok := byRef[ref]; ok {
			c.Workloads[i].HPA = hpa(h)
		}
	}

	for _, n := range o.Nodes {
		c.Nodes = append(c.Nodes, node(n))
	}
	sort.Slice(c.Nodes, func(i, j int) bool { return c.Nodes[i].Name < c.Nodes[j].Name })
	c.AddOrphanOwners()
	return c
}

// Region returns the region most of the cluster's nodes are labelled
// with, or "" when none is.
func Region(c *rightsize.Cluster) string {
	count := map[string]int{}
	best := ""
	for _, n := range c.Nodes {
		if n.Region == "" {
			continue
		}
		count[n.Region]++
		if count[n.Region] > count[best] || (count[n.Region] == count[best] && n.Region < best) {
			best = n.Region
		}
	}
	return best
}

// Summary describes what was read, e.g. "12 workloads, 30 pods, 3 nodes".
func Summary(c *rightsize.Cluster) string {
	return fmt.Sprintf("%d workloads, %d pods, %d nodes", len(c.Workloads), len(c.Pods), len(c.Nodes))
}

// controllerOf returns the owner reference that is the object's
// controller, or nil.
func controllerOf(refs []metav1.OwnerReference) *metav1.OwnerReference {
	for i := range refs {
		if refs[i].Controller != nil && *refs[i].Controller {
			return &refs[i]
		}
	}
	return nil
}
