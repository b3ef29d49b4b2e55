package rightsize

import (
	"fmt"
	"sort"
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
	KindPod         = "Pod" // a bare pod, owned by nothing we know
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
	// CPUMetric is the index of the CPU utilisation metric in the HPA's
	// autoscaling/v2 spec.metrics (for a JSON patch); -1 when none.
	CPUMetric int `json:"cpu_metric"`
	// MemoryTarget is the same for memory utilisation; 0 when none.
	MemoryTarget float64 `json:"memory_target,omitempty"`
	// OtherMetrics counts the metrics that are not CPU or memory
	// utilisation (requests per second, queue length…).
	OtherMetrics int `json:"other_metrics,omitempty"`
}

// Pod is one running (or pending) pod.
type Pod struct {
	Namespace  string      `json:"namespace"`
	Name       string      `json:"name"`
	Owner      WorkloadRef `json:"owner"` // the workload it belongs to
	Node       string      `json:"node,omitempty"`
	Containers []Container `json:"containers"`
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
}

// Cluster is what a cluster runs: its workloads, their pods and its nodes.
type Cluster struct {
	Workloads []Workload `json:"workloads"`
	Pods      []Pod      `json:"pods,omitempty"`
	Nodes     []Node     `json:"nodes,omitempty"`
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
// is named after its Deployment plus "-" and the pod template hash.
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
	case "StatefulSet", "DaemonSet", "Job":
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
