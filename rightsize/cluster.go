package rightsize

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Resources are amounts of CPU and memory.
type Resources struct {
	CPU    float64 `json:"cpu"`    // cores
	Memory float64 `json:"memory"` // bytes
}

// Add returns r + o.
func (r Resources) Add(o Resources) Resources { return Resources{r.CPU + o.CPU, r.Memory + o.Memory} }

// Scale returns r × k.
func (r Resources) Scale(k float64) Resources { return Resources{r.CPU * k, r.Memory * k} }

// GiB is 2^30 bytes.
const GiB = 1 << 30

// MiB is 2^20 bytes.
const MiB = 1 << 20

// Container is one container of a pod template or pod. A zero request or
// limit means it is not set.
type Container struct {
	Name     string    `json:"name"`
	Requests Resources `json:"requests"`
	Limits   Resources `json:"limits"`
}

// Workload kinds.
const (
	KindDeployment  = "Deployment"
	KindStatefulSet = "StatefulSet"
	KindDaemonSet   = "DaemonSet"
	KindJob         = "Job"
	KindCronJob     = "CronJob" // the runs of a CronJob are one workload
	KindPod         = "Pod"     // a bare pod, owned by nothing we know
)

// WorkloadRef names a workload.
type WorkloadRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// String is "Kind namespace/name".
func (w WorkloadRef) String() string { return fmt.Sprintf("%s %s/%s", w.Kind, w.Namespace, w.Name) }

// Workload is a Deployment, StatefulSet or other owner of pods.
type Workload struct {
	WorkloadRef
	// Labels are the workload's labels with its pod template's labels laid
	// over them (the component is read from them).
	Labels map[string]string `json:"labels,omitempty"`
	// Replicas is the number of pods wanted now (spec.replicas, which an
	// HPA sets).
	Replicas int `json:"replicas"`
	// Containers are the pod template's containers (init containers are
	// not billed beyond their run and are left out).
	Containers []Container `json:"containers"`
	// HPA is the autoscaler that scales this workload, if any.
	HPA *HPA `json:"hpa,omitempty"`
	// PDBs names the PodDisruptionBudgets whose selector matches the
	// workload's pods (only meaningful when Cluster.PDBsListed).
	PDBs []string `json:"pdbs,omitempty"`
}

// PodRequests is the sum of the containers' requests: what one pod asks for.
func (w *Workload) PodRequests() Resources { return sumRequests(w.Containers) }

func sumRequests(cs []Container) Resources {
	var r Resources
	for _, c := range cs {
		r = r.Add(c.Requests)
	}
	return r
}

// Container returns the container named name, or nil.
func (w *Workload) Container(name string) *Container {
	for i := range w.Containers {
		if w.Containers[i].Name == name {
			return &w.Containers[i]
		}
	}
	return nil
}

// HPA is a HorizontalPodAutoscaler, reduced to what sizing needs.
type HPA struct {
	Name            string `json:"name"`
	MinReplicas     int    `json:"min_replicas"`
	MaxReplicas     int    `json:"max_replicas"`
	CurrentReplicas int    `json:"current_replicas"`
	// CPUTarget is the average CPU utilisation aimed at, as a fraction of
	// the pods' CPU requests (0.6 for 60 %); 0 when the HPA does not scale
	// on CPU utilisation.
	CPUTarget float64 `json:"cpu_target,omitempty"`
	// CPUContainer is the container whose request the CPU target is a
	// fraction of, for a ContainerResource metric; "" means the whole pod
	// (a Resource metric).
	CPUContainer string `json:"cpu_container,omitempty"`
	// CPUMetric is the index of the CPU utilisation metric in the HPA's
	// autoscaling/v2 spec.metrics (for a JSON patch); -1 when none.
	CPUMetric int `json:"cpu_metric"`
	// MemoryTarget is the same for memory utilisation; 0 when none.
	MemoryTarget float64 `json:"memory_target,omitempty"`
	// MemoryContainer is CPUContainer's counterpart for memory.
	MemoryContainer string `json:"memory_container,omitempty"`
	// OtherMetrics counts the metrics that are not CPU or memory
	// utilisation (requests per second, queue length…).
	OtherMetrics int `json:"other_metrics,omitempty"`
}

// Pod is one running (or pending) pod.
type Pod struct {
	Namespace string      `json:"namespace"`
	Name      string      `json:"name"`
	Owner     WorkloadRef `json:"owner"` // the workload it belongs to
	// Job is the Job a pod of a CronJob run belongs to ("" otherwise).
	Job  string `json:"job,omitempty"`
	Node string `json:"node,omitempty"`
	// Phase is the pod's status.phase (Running, Pending…); "" when unknown.
	Phase      string      `json:"phase,omitempty"`
	Containers []Container `json:"containers"`
}

// Billed reports whether the pod occupies capacity: it is scheduled on a
// node (Autopilot bills neither Pending pods nor finished ones).
func (p *Pod) Billed() bool {
	switch p.Phase {
	case "Succeeded", "Failed":
		return false
	case "Pending":
		return p.Node != ""
	}
	return true
}

// Node is a cluster node.
type Node struct {
	Name        string    `json:"name"`
	MachineType string    `json:"machine_type"` // node.kubernetes.io/instance-type
	Spot        bool      `json:"spot"`         // cloud.google.com/gke-spot or gke-preemptible
	Pool        string    `json:"pool,omitempty"`
	Region      string    `json:"region,omitempty"`
	Capacity    Resources `json:"capacity"`
	Allocatable Resources `json:"allocatable"`
	// Autopilot is set when the node is an Autopilot node (named gk3-…,
	// an ek-… machine type, or labelled by Autopilot); AutopilotSignal
	// says which sign was seen.
	Autopilot       bool   `json:"autopilot,omitempty"`
	AutopilotSignal string `json:"autopilot_signal,omitempty"`
	// KubeletVersion is the node's kubelet version ("v1.30.5-gke.1014001").
	KubeletVersion string `json:"kubelet_version,omitempty"`
}

// Cluster is what a cluster runs: its workloads, their pods and its nodes.
type Cluster struct {
	Workloads []Workload `json:"workloads"`
	Pods      []Pod      `json:"pods,omitempty"`
	Nodes     []Node     `json:"nodes,omitempty"`
	// PodsListed says that Pods lists every pod of the cluster (the source
	// read pods); without them, what runs on which node is unknown.
	PodsListed bool `json:"pods_listed"`
	// PDBsListed says that the workloads' PDBs are known (the source read
	// PodDisruptionBudgets); without them, no workload can be called
	// unprotected.
	PDBsListed bool `json:"pdbs_listed"`
	// AutopilotSignal is set by an adapter that saw an Autopilot sign
	// beyond the nodes (a pod annotated autopilot.gke.io/…).
	AutopilotSignal string `json:"autopilot_signal,omitempty"`
}

// Autopilot reports whether the cluster is a GKE Autopilot cluster, and
// the sign that says so.
func (c *Cluster) Autopilot() (bool, string) {
	for _, n := range c.Nodes {
		if n.Autopilot {
			return true, fmt.Sprintf("node %s: %s", n.Name, n.AutopilotSignal)
		}
	}
	if c.AutopilotSignal != "" {
		return true, c.AutopilotSignal
	}
	return false, ""
}

// AutopilotNodeSignal says why a node is an Autopilot node ("" when
// nothing says so): its name (gk3-…), its machine type (ek-…), or a label
// Autopilot puts on its nodes.
func AutopilotNodeSignal(name, machineType string, labels map[string]string) string {
	switch {
	case strings.HasPrefix(name, "gk3-"):
		return "named gk3-…"
	case strings.HasPrefix(machineType, "ek-"):
		return "machine type " + machineType
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if strings.HasPrefix(k, "cloud.google.com/gke-autopilot") || strings.HasPrefix(k, "autopilot.gke.io/") {
			return "label " + k
		}
	}
	return ""
}

// Version is the oldest kubelet version among the nodes (the one that
// decides which rules a cluster still follows), or "" when none is known.
func (c *Cluster) Version() string {
	best := ""
	for _, n := range c.Nodes {
		if n.KubeletVersion == "" {
			continue
		}
		if best == "" || olderVersion(n.KubeletVersion, best) {
			best = n.KubeletVersion
		}
	}
	return best
}

// olderVersion compares "v1.30.5-gke.1" style versions by their numbers.
func olderVersion(a, b string) bool {
	num := func(v string) []int {
		v = strings.TrimPrefix(v, "v")
		v, _, _ = strings.Cut(v, "-")
		var out []int
		for _, p := range strings.Split(v, ".") {
			n, _ := strconv.Atoi(p)
			out = append(out, n)
		}
		return out
	}
	return slices.Compare(num(a), num(b)) < 0
}

// Workload returns the workload ref names, or nil. It searches the list:
// index the workloads for many lookups.
func (c *Cluster) Workload(ref WorkloadRef) *Workload {
	for i := range c.Workloads {
		if c.Workloads[i].WorkloadRef == ref {
			return &c.Workloads[i]
		}
	}
	return nil
}

// AddOrphanOwners adds a workload for every pod owner the cluster does not
// list (DaemonSets, Jobs and bare pods are often not in a snapshot), with
// the pod's containers as its template and the number of its pods as its
// replicas; then sorts the workloads by namespace, name and kind.
func (c *Cluster) AddOrphanOwners() {
	known := map[WorkloadRef]bool{}
	for _, w := range c.Workloads {
		known[w.WorkloadRef] = true
	}
	added := map[WorkloadRef]int{}
	for _, p := range c.Pods {
		if p.Owner.Name == "" || known[p.Owner] {
			continue
		}
		if i, ok := added[p.Owner]; ok {
			c.Workloads[i].Replicas++
			continue
		}
		added[p.Owner] = len(c.Workloads)
		c.Workloads = append(c.Workloads, Workload{WorkloadRef: p.Owner, Replicas: 1, Containers: append([]Container(nil), p.Containers...)})
	}
	c.sortWorkloads()
}

// sortWorkloads sorts the workloads by namespace, name and kind.
func (c *Cluster) sortWorkloads() {
	sort.SliceStable(c.Workloads, func(i, j int) bool {
		a, b := c.Workloads[i].WorkloadRef, c.Workloads[j].WorkloadRef
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Kind < b.Kind
	})
}

// OwnerOf returns the workload that owns a pod, from the pod's controller
// reference, following the controllers' naming conventions: a ReplicaSet
// is named after its Deployment plus "-" and the pod template hash, and a
// Job a CronJob created after the CronJob plus "-" and its scheduled time
// in minutes (see [CronJobOf]; its runs are one workload).
// podTemplateHash is the pod's pod-template-hash label ("" when unknown,
// in which case the last dash-separated part is dropped). A pod with no
// owner is its own workload, of kind Pod.
func OwnerOf(namespace, pod, ownerKind, ownerName, podTemplateHash string) WorkloadRef {
	switch ownerKind {
	case "ReplicaSet":
		name := ownerName
		if podTemplateHash != "" && len(name) > len(podTemplateHash)+1 && name[len(name)-len(podTemplateHash)-1:] == "-"+podTemplateHash {
			name = name[:len(name)-len(podTemplateHash)-1]
		} else if i := lastDash(name); i > 0 {
			name = name[:i]
		}
		return WorkloadRef{Kind: KindDeployment, Namespace: namespace, Name: name}
	case "Job":
		if cj, ok := CronJobOf(ownerName); ok {
			return WorkloadRef{Kind: KindCronJob, Namespace: namespace, Name: cj}
		}
		return WorkloadRef{Kind: KindJob, Namespace: namespace, Name: ownerName}
	case "StatefulSet", "DaemonSet", "CronJob":
		return WorkloadRef{Kind: ownerKind, Namespace: namespace, Name: ownerName}
	case "":
		return WorkloadRef{Kind: KindPod, Namespace: namespace, Name: pod}
	}
	return WorkloadRef{Kind: ownerKind, Namespace: namespace, Name: ownerName}
}

func lastDash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '-' {
			return i
		}
	}
	return -1
}
