// Package kube is headroom's adapter to Kubernetes: it reads Deployments,
// StatefulSets, HorizontalPodAutoscalers, Pods and Nodes, from a cluster
// through client-go ([Read]) or from a snapshot file ([ReadSnapshot]: the
// output of `kubectl get deploy,sts,hpa,pod,node -A -o yaml`), and maps
// them to plain [rightsize.Cluster] values.
//
// Mapping: a pod's owner is its controller reference, a ReplicaSet being
// mapped to its Deployment by name (the ReplicaSet is the Deployment's
// name plus the pod-template-hash); owners that were not read (DaemonSets,
// Jobs) become workloads of their own. Native sidecars (init containers
// that always restart) count as containers. Nodes carry their machine type
// (node.kubernetes.io/instance-type), Spot (cloud.google.com/gke-spot or
// gke-preemptible), node pool and region labels. CPU is in cores and
// memory in bytes.
package kube

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/headroom-sre/headroom/rightsize"
)

// Node labels read on GKE.
const (
	LabelInstanceType     = "node.kubernetes.io/instance-type"
	LabelInstanceTypeBeta = "beta.kubernetes.io/instance-type"
	LabelSpot             = "cloud.google.com/gke-spot"
	LabelPreemptible      = "cloud.google.com/gke-preemptible"
	LabelNodePool         = "cloud.google.com/gke-nodepool"
	LabelRegion           = "topology.kubernetes.io/region"
)

// Objects collects typed Kubernetes objects and maps them to a
// rightsize.Cluster. The zero value is ready to use.
type Objects struct {
	Deployments  []appsv1.Deployment
	StatefulSets []appsv1.StatefulSet
	HPAs         []autoscalingv2.HorizontalPodAutoscaler
	Pods         []corev1.Pod
	Nodes        []corev1.Node
	// Ignored counts objects of other kinds, by kind.
	Ignored map[string]int
}

// Add files one decoded object under its kind; autoscaling/v1 HPAs are
// converted to v2. Other kinds are counted in Ignored.
func (o *Objects) Add(obj runtime.Object) {
	switch x := obj.(type) {
	case *appsv1.Deployment:
		o.Deployments = append(o.Deployments, *x)
	case *appsv1.StatefulSet:
		o.StatefulSets = append(o.StatefulSets, *x)
	case *autoscalingv2.HorizontalPodAutoscaler:
		o.HPAs = append(o.HPAs, *x)
	case *autoscalingv1.HorizontalPodAutoscaler:
		o.HPAs = append(o.HPAs, hpaV1ToV2(x))
	case *corev1.Pod:
		o.Pods = append(o.Pods, *x)
	case *corev1.Node:
		o.Nodes = append(o.Nodes, *x)
	default:
		if o.Ignored == nil {
			o.Ignored = map[string]int{}
		}
		o.Ignored[obj.GetObjectKind().GroupVersionKind().Kind]++
	}
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

// Cluster maps the objects to a rightsize.Cluster. When namespace is not
// empty, only that namespace's workloads, HPAs and pods are kept (nodes
// are cluster-wide). Pods that have finished (Succeeded, Failed) are left
// out.
func (o *Objects) Cluster(namespace string) *rightsize.Cluster {
	in := func(ns string) bool { return namespace == "" || ns == namespace }
	c := &rightsize.Cluster{}
	for _, d := range o.Deployments {
		if in(d.Namespace) {
			c.Workloads = append(c.Workloads, workload(rightsize.KindDeployment, d.ObjectMeta.Namespace, d.Name, d.Labels, d.Spec.Replicas, d.Spec.Template))
		}
	}
	for _, s := range o.StatefulSets {
		if in(s.Namespace) {
			c.Workloads = append(c.Workloads, workload(rightsize.KindStatefulSet, s.Namespace, s.Name, s.Labels, s.Spec.Replicas, s.Spec.Template))
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
	for _, p := range o.Pods {
		if !in(p.Namespace) || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		c.Pods = append(c.Pods, pod(p))
	}
	sort.Slice(c.Pods, func(i, j int) bool {
		a, b := c.Pods[i], c.Pods[j]
		return a.Namespace < b.Namespace || (a.Namespace == b.Namespace && a.Name < b.Name)
	})
	for _, n := range o.Nodes {
		c.Nodes = append(c.Nodes, node(n))
	}
	sort.Slice(c.Nodes, func(i, j int) bool { return c.Nodes[i].Name < c.Nodes[j].Name })
	c.AddOrphanOwners()
	return c
}

func workload(kind, ns, name string, labels map[string]string, replicas *int32, tpl corev1.PodTemplateSpec) rightsize.Workload {
	w := rightsize.Workload{WorkloadRef: rightsize.WorkloadRef{Kind: kind, Namespace: ns, Name: name}, Replicas: 1,
		Labels: map[string]string{}, Containers: containers(tpl.Spec)}
	if replicas != nil {
		w.Replicas = int(*replicas)
	}
	for k, v := range labels {
		w.Labels[k] = v
	}
	for k, v := range tpl.Labels {
		w.Labels[k] = v
	}
	return w
}

// containers lists a pod's long-running containers: its containers and
// its native sidecars.
func containers(spec corev1.PodSpec) []rightsize.Container {
	var out []rightsize.Container
	for _, c := range spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			out = append(out, container(c))
		}
	}
	for _, c := range spec.Containers {
		out = append(out, container(c))
	}
	return out
}

func container(c corev1.Container) rightsize.Container {
	return rightsize.Container{Name: c.Name, Requests: resources(c.Resources.Requests), Limits: resources(c.Resources.Limits)}
}

func resources(l corev1.ResourceList) rightsize.Resources {
	var r rightsize.Resources
	if q, ok := l[corev1.ResourceCPU]; ok {
		r.CPU = q.AsApproximateFloat64()
	}
	if q, ok := l[corev1.ResourceMemory]; ok {
		r.Memory = q.AsApproximateFloat64()
	}
	return r
}

func hpa(h autoscalingv2.HorizontalPodAutoscaler) *rightsize.HPA {
	out := &rightsize.HPA{Name: h.Name, MinReplicas: 1, MaxReplicas: int(h.Spec.MaxReplicas), CurrentReplicas: int(h.Status.CurrentReplicas), CPUMetric: -1}
	if h.Spec.MinReplicas != nil {
		out.MinReplicas = int(*h.Spec.MinReplicas)
	}
	for i, m := range h.Spec.Metrics {
		if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource == nil ||
			m.Resource.Target.Type != autoscalingv2.UtilizationMetricType || m.Resource.Target.AverageUtilization == nil {
			out.OtherMetrics++
			continue
		}
		u := float64(*m.Resource.Target.AverageUtilization) / 100
		switch m.Resource.Name {
		case corev1.ResourceCPU:
			out.CPUTarget, out.CPUMetric = u, i
		case corev1.ResourceMemory:
			out.MemoryTarget = u
		default:
			out.OtherMetrics++
		}
	}
	return out
}

func pod(p corev1.Pod) rightsize.Pod {
	var kind, name string
	for _, ref := range p.OwnerReferences {
		if ref.Controller != nil && *ref.Controller {
			kind, name = ref.Kind, ref.Name
		}
	}
	if kind == "" && len(p.OwnerReferences) > 0 {
		kind, name = p.OwnerReferences[0].Kind, p.OwnerReferences[0].Name
	}
	return rightsize.Pod{
		Namespace:  p.Namespace,
		Name:       p.Name,
		Owner:      rightsize.OwnerOf(p.Namespace, p.Name, kind, name, p.Labels[appsv1.DefaultDeploymentUniqueLabelKey]),
		Node:       p.Spec.NodeName,
		Containers: containers(p.Spec),
	}
}

func node(n corev1.Node) rightsize.Node {
	mt := n.Labels[LabelInstanceType]
	if mt == "" {
		mt = n.Labels[LabelInstanceTypeBeta]
	}
	return rightsize.Node{
		Name:        n.Name,
		MachineType: mt,
		Spot:        n.Labels[LabelSpot] == "true" || n.Labels[LabelPreemptible] == "true",
		Pool:        n.Labels[LabelNodePool],
		Region:      n.Labels[LabelRegion],
		Capacity:    resources(n.Status.Capacity),
		Allocatable: resources(n.Status.Allocatable),
	}
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
