package kube

import (
	"maps"
	"slices"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/headroom-sre/headroom/rightsize"
)

// This file maps one kind of object each to its rightsize value.

func deployment(d appsv1.Deployment, pdbs pdbIndex) rightsize.Workload {
	w := workload(rightsize.KindDeployment, d.ObjectMeta, d.Spec.Template)
	w.Replicas = replicas(d.Spec.Replicas)
	w.PDBs = pdbs.matching(d.Namespace, d.Spec.Template.Labels)
	return w
}

func statefulSet(s appsv1.StatefulSet, pdbs pdbIndex) rightsize.Workload {
	w := workload(rightsize.KindStatefulSet, s.ObjectMeta, s.Spec.Template)
	w.Replicas = replicas(s.Spec.Replicas)
	w.PDBs = pdbs.matching(s.Namespace, s.Spec.Template.Labels)
	return w
}

// daemonSet's replicas are the pods it wants (status.desiredNumberScheduled),
// or, when its status is empty, the number of its pods listed.
func daemonSet(d appsv1.DaemonSet, pdbs pdbIndex, running map[rightsize.WorkloadRef]int) rightsize.Workload {
	w := workload(rightsize.KindDaemonSet, d.ObjectMeta, d.Spec.Template)
	w.Replicas = int(d.Status.DesiredNumberScheduled)
	if w.Replicas == 0 {
		w.Replicas = running[w.WorkloadRef]
	}
	w.PDBs = pdbs.matching(d.Namespace, d.Spec.Template.Labels)
	return w
}

// cronJob is the workload of all of a CronJob's runs: its job template's
// pods, as many as are running now.
func cronJob(cj batchv1.CronJob, running map[rightsize.WorkloadRef]int) rightsize.Workload {
	w := workload(rightsize.KindCronJob, cj.ObjectMeta, cj.Spec.JobTemplate.Spec.Template)
	w.Replicas = running[w.WorkloadRef]
	return w
}

// job is a Job no CronJob owns, with as many replicas as it has pods
// running now.
func job(j batchv1.Job, running map[rightsize.WorkloadRef]int) rightsize.Workload {
	w := workload(rightsize.KindJob, j.ObjectMeta, j.Spec.Template)
	w.Replicas = running[w.WorkloadRef]
	return w
}

// workload is what all workload kinds share: the name, the labels (the
// object's, with its pod template's laid over them) and the template's
// containers.
func workload(kind string, m metav1.ObjectMeta, tpl corev1.PodTemplateSpec) rightsize.Workload {
	w := rightsize.Workload{WorkloadRef: rightsize.WorkloadRef{Kind: kind, Namespace: m.Namespace, Name: m.Name},
		Labels: map[string]string{}, Containers: containers(tpl.Spec)}
	maps.Copy(w.Labels, m.Labels)
	maps.Copy(w.Labels, tpl.Labels)
	return w
}

// replicas is spec.replicas, which defaults to 1.
func replicas(n *int32) int {
	if n == nil {
		return 1
	}
	return int(*n)
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

// container maps a container's resources. A request that is not set is
// its limit, as the API server defaults a pod's (pod templates are not
// defaulted).
func container(c corev1.Container) rightsize.Container {
	out := rightsize.Container{Name: c.Name, Requests: resources(c.Resources.Requests), Limits: resources(c.Resources.Limits)}
	if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
		out.Requests.CPU = out.Limits.CPU
	}
	if _, ok := c.Resources.Requests[corev1.ResourceMemory]; !ok {
		out.Requests.Memory = out.Limits.Memory
	}
	return out
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

// hpa keeps the first CPU and the first memory utilisation metric, of the
// whole pod (Resource) or of one container (ContainerResource); any other
// metric, a second CPU or memory one included, counts as other.
func hpa(h autoscalingv2.HorizontalPodAutoscaler) *rightsize.HPA {
	out := &rightsize.HPA{Name: h.Name, MinReplicas: 1, MaxReplicas: int(h.Spec.MaxReplicas), CurrentReplicas: int(h.Status.CurrentReplicas), CPUMetric: -1}
	if h.Spec.MinReplicas != nil {
		out.MinReplicas = int(*h.Spec.MinReplicas)
	}
	memory := false
	for i, m := range h.Spec.Metrics {
		res, ctr, target, ok := utilisation(m)
		switch {
		case ok && res == corev1.ResourceCPU && out.CPUMetric < 0:
			out.CPUTarget, out.CPUMetric, out.CPUContainer = target, i, ctr
		case ok && res == corev1.ResourceMemory && !memory:
			out.MemoryTarget, out.MemoryContainer, memory = target, ctr, true
		default:
			out.OtherMetrics++
		}
	}
	return out
}

// utilisation reads a Resource or ContainerResource metric with a
// Utilization target: the resource, the container ("" for the whole pod)
// and the target as a fraction; ok is false for any other metric.
func utilisation(m autoscalingv2.MetricSpec) (res corev1.ResourceName, container string, target float64, ok bool) {
	var t autoscalingv2.MetricTarget
	switch {
	case m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil:
		res, t = m.Resource.Name, m.Resource.Target
	case m.Type == autoscalingv2.ContainerResourceMetricSourceType && m.ContainerResource != nil:
		res, container, t = m.ContainerResource.Name, m.ContainerResource.Container, m.ContainerResource.Target
	default:
		return "", "", 0, false
	}
	if t.Type != autoscalingv2.UtilizationMetricType || t.AverageUtilization == nil {
		return "", "", 0, false
	}
	return res, container, float64(*t.AverageUtilization) / 100, true
}

// jobKey names a Job in its namespace.
type jobKey struct{ namespace, name string }

// jobOwners maps each Job read to the workload its pods belong to: the
// CronJob that controls it, or the Job itself.
func jobOwners(jobs []batchv1.Job) map[jobKey]rightsize.WorkloadRef {
	out := make(map[jobKey]rightsize.WorkloadRef, len(jobs))
	for _, j := range jobs {
		ref := rightsize.WorkloadRef{Kind: rightsize.KindJob, Namespace: j.Namespace, Name: j.Name}
		if c := controllerOf(j.OwnerReferences); c != nil && c.Kind == rightsize.KindCronJob {
			ref = rightsize.WorkloadRef{Kind: rightsize.KindCronJob, Namespace: j.Namespace, Name: c.Name}
		}
		out[jobKey{j.Namespace, j.Name}] = ref
	}
	return out
}

// pod maps a pod. Its owner is its controller (else its first owner); a
// Job is looked up in jobs (the Jobs read), else mapped by name
// (rightsize.OwnerOf). A pod of a CronJob's run names its Job.
func pod(p corev1.Pod, jobs map[jobKey]rightsize.WorkloadRef) rightsize.Pod {
	var kind, name string
	if c := controllerOf(p.OwnerReferences); c != nil {
		kind, name = c.Kind, c.Name
	} else if len(p.OwnerReferences) > 0 {
		kind, name = p.OwnerReferences[0].Kind, p.OwnerReferences[0].Name
	}
	owner, known := jobs[jobKey{p.Namespace, name}]
	if kind != rightsize.KindJob || !known {
		owner = rightsize.OwnerOf(p.Namespace, p.Name, kind, name, p.Labels[appsv1.DefaultDeploymentUniqueLabelKey])
	}
	out := rightsize.Pod{
		Namespace:  p.Namespace,
		Name:       p.Name,
		Owner:      owner,
		Node:       p.Spec.NodeName,
		Phase:      string(p.Status.Phase),
		Containers: containers(p.Spec),
	}
	if kind == rightsize.KindJob && owner.Kind == rightsize.KindCronJob {
		out.Job = name
	}
	return out
}

// autopilotPodSignal finds the first pod, by namespace and name, with an
// annotation GKE Autopilot puts on pods, and names it and its first such
// annotation; "" when no pod has one.
func autopilotPodSignal(pods []corev1.Pod) string {
	var best *corev1.Pod
	key := ""
	for i := range pods {
		p := &pods[i]
		if best != nil && (p.Namespace > best.Namespace || (p.Namespace == best.Namespace && p.Name >= best.Name)) {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(p.Annotations)) {
			if strings.HasPrefix(k, AnnotationAutopilotPrefix) {
				best, key = p, k
				break
			}
		}
	}
	if best == nil {
		return ""
	}
	return "pod " + best.Namespace + "/" + best.Name + " annotated " + key
}

func node(n corev1.Node) rightsize.Node {
	mt := n.Labels[LabelInstanceType]
	if mt == "" {
		mt = n.Labels[LabelInstanceTypeBeta]
	}
	signal := rightsize.AutopilotNodeSignal(n.Name, mt, n.Labels)
	return rightsize.Node{
		Name:            n.Name,
		MachineType:     mt,
		Spot:            n.Labels[LabelSpot] == "true" || n.Labels[LabelPreemptible] == "true",
		Pool:            n.Labels[LabelNodePool],
		Region:          n.Labels[LabelRegion],
		Capacity:        resources(n.Status.Capacity),
		Allocatable:     resources(n.Status.Allocatable),
		Autopilot:       signal != "",
		AutopilotSignal: signal,
		KubeletVersion:  n.Status.NodeInfo.KubeletVersion,
	}
}

// pdbIndex holds the PodDisruptionBudgets' selectors by namespace.
type pdbIndex map[string][]namedSelector

type namedSelector struct {
	name     string
	selector labels.Selector
}

// newPDBIndex indexes the PDBs' selectors. A nil selector selects no pod
// and an empty one every pod of the namespace (policy/v1); a selector
// that does not parse (only a snapshot can hold one) selects none.
func newPDBIndex(pdbs []policyv1.PodDisruptionBudget) pdbIndex {
	out := pdbIndex{}
	for _, p := range pdbs {
		sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
		if err != nil {
			continue
		}
		out[p.Namespace] = append(out[p.Namespace], namedSelector{p.Name, sel})
	}
	return out
}

// matching returns the sorted names of namespace's PDBs that select pods
// with these labels, or nil.
func (x pdbIndex) matching(namespace string, podLabels map[string]string) []string {
	var out []string
	for _, s := range x[namespace] {
		if s.selector.Matches(labels.Set(podLabels)) {
			out = append(out, s.name)
		}
	}
	sort.Strings(out)
	return out
}
