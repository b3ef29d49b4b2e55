package clustergen

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Mode is how the generated cluster is run and billed.
type Mode string

// The modes.
const (
	// Standard has two node pools: "default" (n2-standard-4) and
	// "stateless" (e2-standard-4).
	Standard Mode = "standard"
	// Autopilot has nodes named gk3-CLUSTER-pool-2-… of machine type
	// ek-standard-8, which have no Compute Engine price: the pods are
	// billed, not the nodes.
	Autopilot Mode = "autopilot"
)

// Defaults of Options.
const (
	DefaultHistory = 14 * 24 * time.Hour
	// DefaultStandardCluster and DefaultAutopilotCluster name the cluster
	// in node names.
	DefaultStandardCluster  = "shop-prod"
	DefaultAutopilotCluster = "shop-autopilot"
)

// DefaultEnd is the end of the window when Options.End is zero: a
// Wednesday, 04:05 in US Central time (10:05 UTC), so that the
// short-history Deployment was created at night and the hourly CronJob is
// five minutes into a run.
var DefaultEnd = time.Date(2026, 3, 4, 10, 5, 0, 0, time.UTC)

// The cluster's fixed facts.
const (
	Region         = "us-central1"
	KubeletVersion = "v1.31.4-gke.1000000"
	// PoolDefault runs StatefulSets, PDB-protected and single-replica
	// workloads, the CronJob's pods and the DaemonSet.
	PoolDefault = "default"
	// PoolStateless runs only replicated, unprotected Deployments (and
	// the DaemonSet).
	PoolStateless = "stateless"
	// PoolAutopilot is the pool label of every Autopilot node.
	PoolAutopilot = "pool-2"
)

// Local is the time zone the cluster's users live in: daily cycles,
// business hours and the 15:00 flash sale follow it (UTC−6, US Central
// standard time, all year for simplicity).
var Local = time.FixedZone("CST", -6*3600)

// Options configure Generate. The zero value is a Standard cluster with
// seed 0 ending at DefaultEnd.
type Options struct {
	// Seed selects the noise, names and hashes; the same seed gives the
	// same output.
	Seed uint64
	// End is the end of the history and the time of the snapshot,
	// truncated to the minute (default DefaultEnd).
	End time.Time
	// Mode is Standard (default) or Autopilot.
	Mode Mode
	// Cluster names the cluster in node names (default
	// DefaultStandardCluster or DefaultAutopilotCluster).
	Cluster string
	// History is how much history to generate (default DefaultHistory,
	// at least 26 hours).
	History time.Duration
}

func (o Options) withDefaults() Options {
	if o.End.IsZero() {
		o.End = DefaultEnd
	}
	o.End = o.End.UTC().Truncate(time.Minute)
	if o.Mode == "" {
		o.Mode = Standard
	}
	if o.Cluster == "" {
		o.Cluster = DefaultStandardCluster
		if o.Mode == Autopilot {
			o.Cluster = DefaultAutopilotCluster
		}
	}
	if o.History <= 0 {
		o.History = DefaultHistory
	}
	o.History = max(o.History.Truncate(time.Minute), 26*time.Hour)
	return o
}

// Cluster is a generated cluster.
type Cluster struct {
	// Options are the options used, defaults filled in.
	Options Options
	// Snapshot is a Kubernetes List in YAML of the objects at Options.End:
	// Deployments, StatefulSets, DaemonSets, CronJobs, Jobs, HPAs
	// (autoscaling/v2), PodDisruptionBudgets (policy/v1), Pods and Nodes.
	Snapshot []byte
	// OpenMetrics is the history, ending with "# EOF", for
	// `promtool tsdb create-blocks-from openmetrics`.
	OpenMetrics string
	// Truth is what a careful SRE knows about the cluster.
	Truth *Truth
	// Series and Samples count the OpenMetrics text's series and samples.
	Series, Samples int
}

// Key names a workload.
type Key struct {
	Kind      string // Deployment, StatefulSet, DaemonSet or CronJob
	Namespace string
	Name      string
}

// String is "Kind namespace/name".
func (k Key) String() string { return fmt.Sprintf("%s %s/%s", k.Kind, k.Namespace, k.Name) }

// Role is a behaviour a workload was built to show. A workload can have
// several.
type Role string

// The roles.
const (
	RoleFlat          Role = "flat"           // steady load
	RoleDiurnal       Role = "diurnal"        // a daily cycle, quieter weekends
	RoleBusinessHours Role = "business-hours" // busy on weekday office hours
	// RoleSpiky peaks at 1.81 cores for 20 minutes every day at 15:00
	// while its five-minute averages stay near 80m.
	RoleSpiky Role = "spiky"
	// RoleOOMKilled leaks memory to its 512Mi limit and is killed twice.
	RoleOOMKilled Role = "oom-killed"
	// RoleHPAPinned sits at its HPA's maxReplicas most of the window, its
	// pods at about 150% of their CPU request.
	RoleHPAPinned Role = "hpa-pinned"
	// RoleHPAChurn scales between 2 and 8 replicas every day.
	RoleHPAChurn Role = "hpa-churn"
	// RoleContainerResourceHPA scales on a ContainerResource metric of
	// its app container.
	RoleContainerResourceHPA Role = "container-resource-hpa"
	RoleCronJob              Role = "cronjob"   // a 10-minute run every hour
	RoleDaemonSet            Role = "daemonset" // a pod on every node
	// RoleNoRequests has an app container without requests beside a
	// sidecar with requests.
	RoleNoRequests Role = "no-requests"
	// RoleCrashLoop has a pod restarting every few minutes since a few
	// hours before the end.
	RoleCrashLoop Role = "crash-loop"
	// RoleShortHistory was created three hours before the end.
	RoleShortHistory Role = "short-history"
	// RoleQuiet is live but quiet: a webhook called a few times an hour, a
	// static site without a request counter, an admin tool used 45
	// minutes a day. Never idle.
	RoleQuiet Role = "quiet"
	// RoleIdle serves nothing: only probes reach it.
	RoleIdle          Role = "idle"
	RoleStatefulSet   Role = "statefulset"
	RolePDB           Role = "pdb-protected"
	RoleSingleReplica Role = "single-replica"
	// RolePending has one pod Pending, unscheduled.
	RolePending Role = "pending"
	// RoleThrottled has a CPU limit its load exceeds at peaks.
	RoleThrottled Role = "throttled"
	// RoleController is a controller: no requests served, steady work.
	RoleController Role = "controller"
	// RolePauseSeries has cAdvisor series for its pause container
	// (container="POD") besides its own.
	RolePauseSeries Role = "pause-series"
)

// Truth is what a careful SRE knows about the generated cluster.
type Truth struct {
	Mode       Mode
	Start, End time.Time // the window: samples are in (Start, End]
	Workloads  map[Key]*Workload
	// Pods are the pods of the snapshot, by "namespace/name".
	Pods  map[string]*Pod
	Nodes []Node
}

// Workload is what is known about one workload.
type Workload struct {
	Key
	Roles       []Role
	Description string
	// HasTraffic says the workload served requests or did work beyond
	// answering probes in the window: scaling it to zero breaks something.
	HasTraffic bool
	// HTTPMetric says its pods export http_requests_total.
	HTTPMetric bool
	// Requests is the number of requests its pods' http_requests_total
	// counted between their first and last samples in the window.
	Requests float64
	Created  time.Time
	// History is how long the workload has existed at the end.
	History     time.Duration
	StatefulSet bool
	PDB         bool
	// Replicas is spec.replicas at the end (0 for DaemonSets and CronJobs).
	Replicas int
	// HPA is its HorizontalPodAutoscaler, nil without one.
	HPA *HPA
	// HPAPinned says the HPA sat at maxReplicas most of the window.
	HPAPinned bool
	// RunningPods and PendingPods count its pods at the end.
	RunningPods, PendingPods int
	// Pools are the node pools its running pods are on at the end.
	Pools []string
	// PodPattern is an RE2 expression matching the names of all its pods,
	// past and present (for pod=~ in PromQL).
	PodPattern string
	// PodNames are the pods that had samples in the window.
	PodNames []string
	// Containers are its containers by name.
	Containers map[string]*Container
	// CronRuns and CronPodHours: for a CronJob, the runs in the window and
	// the hours their pods ran in it.
	CronRuns     int
	CronPodHours float64
}

// Container is what is known about one container of a workload, over all
// its pods.
type Container struct {
	Name string
	// Requests and limits in the snapshot: cores and bytes, 0 when unset.
	CPURequest, MemoryRequest, CPULimit, MemoryLimit float64
	// CPUP99 is the highest, over the workload's pods, of the 99th
	// percentile of the pod's per-minute CPU use ((v[i]-v[i-1])/60 for
	// consecutive samples a minute apart, v[i]/60 after a counter reset),
	// interpolated as Prometheus' quantile_over_time does. Cores.
	CPUP99 float64
	// CPUPeak is the highest per-minute CPU use of any pod. Cores.
	CPUPeak float64
	// CPUP95Of5m is the highest, over pods, of the 95th percentile of
	// five-minute mean CPU use: what a coarse tool sees. Cores.
	CPUP95Of5m float64
	// KrrCPU is what krr's simple strategy recommends on the same data:
	// the highest, over pods, of the 95th percentile of per-minute use
	// (krr samples every 1.25 minutes), no margin. Cores.
	KrrCPU float64
	// VPACPU approximates the VPA recommender's target: the 90th
	// percentile of the last 8 days of per-minute use, weighted with a
	// 24-hour half-life, + 15%, the highest over pods. Cores.
	VPACPU float64
	// MemoryPeak is the highest working-set sample of any pod. Bytes.
	MemoryPeak float64
	// Throttled is the share of CFS periods throttled over the window (0
	// without a CPU limit).
	Throttled float64
	// Restarts and OOMKills count container restarts in the window, over
	// all pods.
	Restarts, OOMKills int
}

// HPA is a workload's HorizontalPodAutoscaler.
type HPA struct {
	Name     string
	Min, Max int
	// CPUTarget is the CPU utilisation target, a fraction.
	CPUTarget float64
	// Container is the container of a ContainerResource metric ("" for a
	// Resource metric).
	Container string
	// Current is status.currentReplicas at the end.
	Current int
	// AtMaxShare is the share of the window's minutes at Max.
	AtMaxShare float64
	// Lowest and Highest are the replica counts seen in the window.
	Lowest, Highest int
}

// Pod is one pod of the snapshot.
type Pod struct {
	Namespace, Name string
	Workload        Key
	Node, Pool      string // "" when not scheduled
	Phase           string // Running, Pending or Succeeded
}

// Node is one node of the snapshot.
type Node struct {
	Name, Pool, MachineType, Zone string
	CPU, Memory                   float64 // capacity: cores, bytes
	AllocatableCPU                float64
	AllocatableMemory             float64
}

// Workload returns the workload named namespace/name (any kind), or nil.
func (t *Truth) Workload(namespace, name string) *Workload {
	for k, w := range t.Workloads {
		if k.Namespace == namespace && k.Name == name {
			return w
		}
	}
	return nil
}

// ByRole lists the workloads with role r, sorted by key.
func (t *Truth) ByRole(r Role) []*Workload {
	var out []*Workload
	for _, w := range t.Workloads {
		if w.Has(r) {
			out = append(out, w)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key.String() < out[j].Key.String() })
	return out
}

// Keys lists the workloads' keys, sorted.
func (t *Truth) Keys() []Key {
	out := make([]Key, 0, len(t.Workloads))
	for k := range t.Workloads {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Has reports whether the workload has role r.
func (w *Workload) Has(r Role) bool { return slices.Contains(w.Roles, r) }

// Generate builds the cluster opts describes.
func Generate(opts Options) *Cluster {
	opts = opts.withDefaults()
	g := newGen(opts)
	g.run()
	c := &Cluster{Options: opts, Truth: g.truth}
	c.Snapshot = g.snapshot()
	c.Series, c.Samples = g.store.counts()
	c.OpenMetrics = g.store.render()
	return c
}
