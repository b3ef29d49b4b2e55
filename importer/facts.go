package importer

import (
	"time"
)

// Cluster is what was read from Kubernetes, as plain values: the
// workloads to model and the nodes they run on.
type Cluster struct {
	// Source says where the cluster was read from ("snapshot
	// cluster.yaml", "context prod").
	Source string
	// Nodes is the node pool.
	Nodes Nodes
	// Workloads are the Deployments and StatefulSets to model.
	Workloads []Workload
	// Notes are what the reader of the cluster said (kinds it could not
	// list…).
	Notes []string
}

// Nodes describes where the workloads run.
type Nodes struct {
	// Autopilot is true when the cluster shows a sign of GKE Autopilot;
	// AutopilotSignal names it.
	Autopilot       bool
	AutopilotSignal string
	// MachineType is the most common machine type among the nodes (a
	// Standard cluster), Pool its node pool and Count the nodes of that
	// machine type.
	MachineType string
	Pool        string
	Count       int
	// Total is the number of nodes read.
	Total int
	// Version is the oldest kubelet version among the nodes ("" when
	// none is known).
	Version string
}

// Workload is one Deployment or StatefulSet.
type Workload struct {
	// Kind is Deployment or StatefulSet.
	Kind      string
	Namespace string
	Name      string
	// Replicas is spec.replicas (1 when the field is unset, as the API
	// server defaults it).
	Replicas int
	// Containers are the pod template's containers (native sidecars
	// included).
	Containers []Container
	// HPA is the HorizontalPodAutoscaler that scales it, or nil.
	HPA *HPA
	// PDBs are the PodDisruptionBudgets that select its pods.
	PDBs []PDB
	// Startups are its pods' start-ups, read from their conditions (pods
	// without the four conditions true are left out).
	Startups []PodStartup
	// StartupsSkipped counts pods whose conditions could not be read as a
	// start-up (not ready, a condition missing, out of order).
	StartupsSkipped int
	// ImagePulls are image pull durations read from its pods' "Pulled"
	// events ("Successfully pulled image … in 3.2s").
	ImagePulls []time.Duration
	// Priority is the lowest priority its pods run at (spec.priority, as
	// resolved from their PriorityClass); a negative one makes it
	// placeholder ("balloon") pods that hold spare capacity.
	Priority int
	// ReadinessGates are the readiness gates' condition types its pods
	// carry (GKE container-native load balancing injects
	// cloud.google.com/load-balancer-neg-ready), sorted.
	ReadinessGates []string
	// CachedPulls counts "Pulled" events that say the image was already
	// present on the node.
	CachedPulls int
}

// Ref names the workload: "Deployment shop/web".
func (w Workload) Ref() string { return w.Kind + " " + w.Namespace + "/" + w.Name }

// Container is one container's requests and limits: CPU in cores, memory
// in bytes; 0 is not set.
type Container struct {
	Name          string
	CPURequest    float64
	CPULimit      float64
	MemoryRequest float64
	MemoryLimit   float64
}

// HPA is an autoscaling/v2 HorizontalPodAutoscaler's spec.
type HPA struct {
	Name string
	// MinReplicas is 0 when unset (the API server's default is 1).
	MinReplicas int
	MaxReplicas int
	Metrics     []Metric
	Behavior    *Behavior
}

// Metric is one entry of an HPA's metrics, as in autoscaling/v2
// MetricSpec.
type Metric struct {
	// Type is Resource, ContainerResource, Pods, Object or External.
	Type string
	// Name is the resource (cpu, memory) or the metric's name.
	Name string
	// Container is a ContainerResource metric's container.
	Container string
	// Selector is the metric's label selector (matchLabels only).
	Selector map[string]string
	// Object is an Object metric's described object.
	Object ObjectRef
	// Target is what the HPA aims for.
	Target Target
}

// ObjectRef names an object: apiVersion, kind and name.
type ObjectRef struct {
	APIVersion, Kind, Name string
}

// Target is a metric target: Utilization (AverageUtilization percent of
// the request), AverageValue or Value (quantities as the API writes them,
// "500m", "50").
type Target struct {
	Type               string
	AverageUtilization int
	AverageValue       string
	Value              string
}

// Behavior is an HPA's spec.behavior.
type Behavior struct {
	ScaleUp, ScaleDown *Rules
}

// Rules are HPAScalingRules.
type Rules struct {
	// StabilizationWindowSeconds is nil when unset.
	StabilizationWindowSeconds *int
	// SelectPolicy is "" when unset.
	SelectPolicy string
	Policies     []Policy
	// Tolerance is "" when unset (a quantity, "0.05").
	Tolerance string
}

// Policy is an HPAScalingPolicy.
type Policy struct {
	Type          string
	Value         int
	PeriodSeconds int
}

// PDB is a PodDisruptionBudget: MinAvailable or MaxUnavailable, as
// written ("2", "50%"; "" when unset).
type PDB struct {
	Name           string
	MinAvailable   string
	MaxUnavailable string
}

// PodStartup is one pod's start-up, from its creation and the times its
// conditions turned true (PodScheduled → Initialized → ContainersReady →
// Ready).
type PodStartup struct {
	Pod string
	// Schedule is creation to PodScheduled; Init is PodScheduled to
	// Initialized (init containers); Start is Initialized to
	// ContainersReady (image pull, application start and readiness
	// probe); Gates is ContainersReady to Ready (readiness gates, such as
	// GKE's container-native load balancing).
	Schedule, Init, Start, Gates time.Duration
}

// Total is the whole start-up.
func (p PodStartup) Total() time.Duration { return p.Schedule + p.Init + p.Start + p.Gates }

// History is what was read from Prometheus about the workloads.
type History struct {
	// Source names the server ("Prometheus http://127.0.0.1:9090").
	Source string
	// End, Window and Step are the history read.
	End    time.Time
	Window time.Duration
	Step   time.Duration
	// Components holds each workload's history, by workload ("shop/web").
	Components map[string]ComponentHistory
	// Workloads are the workloads with history, and RequestMetrics the
	// request counter each was read from, in the same order.
	Workloads, RequestMetrics []string
	// Calls are request rates between workloads, when a metric with
	// source and destination labels was found (CallsMetric); CallsLookedFor
	// names the metrics looked for.
	Calls          []CallRate
	CallsMetric    string
	CallsLookedFor []string
	// Traffic is the entry's request rate over the window, and
	// TrafficQuery the PromQL that read it.
	Traffic      []Sample
	TrafficQuery string
	// Notes are what the reader should know (series not found…).
	Notes []string
}

// ComponentHistory is one workload's history: per-pod request rate,
// latency and CPU at each step.
type ComponentHistory struct {
	Samples []LoadSample
	// MeanRPS is the mean request rate into the workload over the
	// history (all its pods), per second: call ratios divide by it.
	MeanRPS float64
	// RateQuery, LatencyQuery and CPUQuery are the PromQL sent: the
	// evidence behind the estimates.
	RateQuery, LatencyQuery, CPUQuery string
	// LatencyQuantile is the quantile LatencyQuery reads (0.99).
	LatencyQuantile float64
}

// LoadSample is one step of a workload's history. A value that could not
// be read is NaN.
type LoadSample struct {
	T time.Time
	// PerPodRPS is the mean request rate per ready pod, per second.
	PerPodRPS float64
	// Latency is the latency quantile over the step, in seconds.
	Latency float64
	// CPUPerPod is the mean CPU use per pod, in cores.
	CPUPerPod float64
}

// CallRate is the request rate from one workload to another.
type CallRate struct {
	From, To string // workload keys, "namespace/name"
	Rate     float64
}

// Sample is one point of a time series.
type Sample struct {
	T time.Time
	V float64
}
