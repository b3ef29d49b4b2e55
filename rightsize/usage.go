package rightsize

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Stat names one statistic of usage. A value whose Stat is not in a
// Has set is unknown: missing data is never read as zero.
type Stat uint32

// The statistics.
const (
	// Per container of a pod.
	StatCPUHigh    Stat = 1 << iota // the CPU percentile of short-window usage
	StatCPUPeak                     // the highest short-window CPU usage
	StatCPUAvg                      // mean CPU usage
	StatMemoryPeak                  // the highest working set
	StatMemoryAvg                   // mean working set
	StatHistory                     // first and last sample times, sample count
	StatThrottling                  // share of CFS periods throttled
	StatOOM                         // OOM kills (known to be zero or more)
	StatRestarts                    // container restarts
	// Per pod.
	StatNetwork  // receive bytes: peak and typical 5-minute rates
	StatRequests // app or mesh request counters
	// Per workload (kube-state-metrics history).
	StatReplicas // mean replicas (or running pods) over the window
	StatHPAAtMax // share of the window the HPA sat at maxReplicas
)

// Of reports whether every stat of s is in h.
func (h Stat) Of(s Stat) bool { return h&s == s }

var statNames = []struct {
	s    Stat
	name string
}{
	{StatCPUHigh, "CPU percentile"}, {StatCPUPeak, "CPU peak"}, {StatCPUAvg, "CPU mean"},
	{StatMemoryPeak, "memory peak"}, {StatMemoryAvg, "memory mean"}, {StatHistory, "history"},
	{StatThrottling, "CPU throttling"}, {StatOOM, "OOM kills"}, {StatRestarts, "restarts"}, {StatNetwork, "network receive"},
	{StatRequests, "request counters"}, {StatReplicas, "replicas over time"}, {StatHPAAtMax, "HPA at max"},
}

// String lists the stats by name.
func (h Stat) String() string {
	var out []string
	for _, n := range statNames {
		if h.Of(n.s) {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, ", ")
}

// MarshalJSON writes the set as a list of names, so that JSON readers see
// which statistics are known.
func (h Stat) MarshalJSON() ([]byte, error) {
	names := []string{}
	for _, n := range statNames {
		if h.Of(n.s) {
			names = append(names, n.name)
		}
	}
	return json.Marshal(names)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (h *Stat) UnmarshalJSON(data []byte) error {
	var names []string
	if err := json.Unmarshal(data, &names); err != nil {
		return fmt.Errorf("stat set: %w", err)
	}
	*h = 0
	for _, name := range names {
		i := slices.IndexFunc(statNames, func(n struct {
			s    Stat
			name string
		}) bool {
			return n.name == name
		})
		if i < 0 {
			return fmt.Errorf("stat set: unknown statistic %q", name)
		}
		*h |= statNames[i].s
	}
	return nil
}

// ContainerUsage is the usage of one container of one pod over a window.
// Only the statistics in Has are known.
type ContainerUsage struct {
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
	Container string `json:"container"`
	Has       Stat   `json:"has"`
	// CPUHigh is the Usage.CPUPercentile (p99 by default) of the
	// container's short-window CPU usage, in cores; CPUPeak the highest.
	// Short windows are Usage.PeakResolution long.
	CPUHigh float64 `json:"cpu_high"`
	CPUPeak float64 `json:"cpu_peak"`
	// CPUAvg is the mean CPU use over the window, in cores.
	CPUAvg float64 `json:"cpu_avg"`
	// MemoryPeak is the highest working set seen, MemoryAvg the mean, in bytes.
	MemoryPeak float64 `json:"memory_peak"`
	MemoryAvg  float64 `json:"memory_avg"`
	// Samples is how many memory samples the window holds, and Observed
	// how long they cover (samples × the scrape interval): gaps in the data
	// are not counted as history.
	Samples  int           `json:"samples"`
	Observed time.Duration `json:"observed"`
	// Throttled is the share of CFS periods in which the container was
	// throttled, in [0, 1].
	Throttled float64 `json:"throttled,omitempty"`
	// OOMKills is how many times the container was OOM-killed in the window.
	OOMKills int `json:"oom_kills,omitempty"`
	// MemoryLimitAtOOM is the container's memory limit when it was
	// OOM-killed, in bytes; 0 when unknown or never killed.
	MemoryLimitAtOOM float64 `json:"memory_limit_at_oom,omitempty"`
	// Restarts is how many times the container restarted in the window,
	// for any reason (OOM kills included).
	Restarts int `json:"restarts,omitempty"`
}

// PodKey names a pod.
type PodKey struct{ Namespace, Pod string }

// PodActivity is what a pod received over the window. Only the
// statistics in Has (StatNetwork, StatRequests) are known.
type PodActivity struct {
	Has Stat `json:"has"`
	// RxPeak and RxTypical are the highest and the median of the pod's
	// 5-minute network receive rates, in bytes per second. Health checks
	// and scrapes arrive at a steady rate; traffic shows as bursts above it.
	RxPeak    float64 `json:"rx_peak"`
	RxTypical float64 `json:"rx_typical"`
	// Requests is how many requests the pod's request counters counted in
	// the window.
	Requests float64 `json:"requests"`
}

// WorkloadHistory is what kube-state-metrics recorded about a workload
// over the window. Only the statistics in Has are known.
type WorkloadHistory struct {
	Has Stat `json:"has"`
	// AvgReplicas is the mean number of pods over the window: the mean of
	// the replica count for Deployments and StatefulSets, running pod-time
	// over the window for Jobs and CronJobs.
	AvgReplicas float64 `json:"avg_replicas"`
	// HPAAtMax is the share of the window the workload's HPA had as many
	// replicas as its maxReplicas, in [0, 1].
	HPAAtMax float64 `json:"hpa_at_max"`
}

// Usage is the usage history of a cluster's containers over a window.
type Usage struct {
	End    time.Time     `json:"end"`
	Window time.Duration `json:"window"`
	// Step is how often the short-window CPU usage was sampled, and
	// PeakResolution how long each short window is (the rate between
	// consecutive scrapes, at least a minute).
	Step           time.Duration `json:"step"`
	PeakResolution time.Duration `json:"peak_resolution"`
	CPUPercentile  float64       `json:"cpu_percentile"` // e.g. 0.99
	Containers     []ContainerUsage
	// Pods holds what pods received, where network or request metrics exist.
	Pods map[PodKey]PodActivity `json:"-"`
	// Workloads holds kube-state-metrics history per workload.
	Workloads map[WorkloadRef]WorkloadHistory `json:"-"`
	// Owners maps pods, including those gone by now, to the workload that
	// owned them (from kube-state-metrics); it may be empty.
	Owners map[PodKey]WorkloadRef `json:"-"`
	// RequestMetrics are the request counters looked for (for the
	// description of what "no traffic" was checked against).
	RequestMetrics []string `json:"request_metrics,omitempty"`
	// Warnings are what Prometheus warned about (partial responses…).
	Warnings []string `json:"warnings,omitempty"`
}

// ContainerStats is the usage of one container of a workload, across its
// pods. A statistic is in Has when at least one pod reported it.
type ContainerStats struct {
	Container  string  `json:"container"`
	Has        Stat    `json:"has"`
	CPUHigh    float64 `json:"cpu_high"`    // cores: the highest per-pod CPU percentile
	CPUPeak    float64 `json:"cpu_peak"`    // cores: the highest short-window usage of any pod
	CPUAvg     float64 `json:"cpu_avg"`     // cores: the mean over pods of their mean
	MemoryPeak float64 `json:"memory_peak"` // bytes: the highest working set of any pod
	MemoryAvg  float64 `json:"memory_avg"`  // bytes: the mean over pods of their mean
	Samples    int     `json:"samples"`     // summed over pods
	Pods       int     `json:"pods"`
	// Throttled is the highest share of throttled CFS periods of any pod.
	Throttled        float64 `json:"throttled,omitempty"`
	OOMKills         int     `json:"oom_kills,omitempty"`
	MemoryLimitAtOOM float64 `json:"memory_limit_at_oom,omitempty"`
	// Restarts is summed over pods, OOM kills included.
	Restarts int `json:"restarts,omitempty"`

	cpuAvgN, memAvgN int
}

// Traffic is what a workload's pods received over the window.
type Traffic struct {
	// Has holds StatNetwork and StatRequests when some pod reported them.
	Has Stat `json:"has"`
	// Requests counted by request counters, summed over pods.
	Requests float64 `json:"requests"`
	// RxPeak is the highest 5-minute receive rate of any pod, and
	// RxTypical the highest of the pods' median rates, in bytes per second.
	RxPeak    float64 `json:"rx_peak"`
	RxTypical float64 `json:"rx_typical"`
	// Bursts is set when some pod received more than its steady background
	// (health checks and scrapes): a peak above the median × 1.1 + 2 B/s.
	Bursts bool `json:"bursts"`
}

// WorkloadStats is the usage of one workload over the window.
type WorkloadStats struct {
	// Containers maps container names to their stats.
	Containers map[string]*ContainerStats `json:"containers"`
	// Pods is how many pods reported usage.
	Pods int `json:"pods"`
	// History is how long the workload was observed in the window: its
	// pods' observed time over its mean replicas (kube-state-metrics
	// history), at least its longest-observed pod's; without replica
	// history, its longest-observed pod's. Measured short, never long.
	History time.Duration `json:"history"`
	Traffic Traffic       `json:"traffic"`
	// WorkloadHistory holds kube-state-metrics history (replicas, HPA).
	WorkloadHistory
	// Problems are bad values found in the workload's data (non-finite or
	// negative): a workload with problems is not sized.
	Problems []string `json:"problems,omitempty"`
}

// WorkloadUsage maps a workload to its usage.
type WorkloadUsage map[WorkloadRef]*WorkloadStats

// Steady-background test of network receive rates: a pod whose peak
// 5-minute rate is above its median × (1 + BurstFraction) + BurstFloor
// bytes per second received something beyond health checks and scrapes.
const (
	BurstFraction = 0.10
	BurstFloor    = 2.0 // bytes per second
)

// ByWorkload groups u's containers by the workload of c that owns their
// pod. The owner is found from c's pods, then u.Owners, then the pod's
// name (a Deployment's pods are named NAME-HASH-SUFFIX, a StatefulSet's
// NAME-ORDINAL).
//
// Every container seen in the usage is inventoried: a container that c's
// workload does not list (it set no requests, so kube-state-metrics had no
// request series for it) is added to the workload with no requests, and a
// workload known only from u.Owners is added to c with the pods seen. It
// returns how many container series matched no workload (other clusters'
// series in the same Prometheus, usually).
func (u *Usage) ByWorkload(c *Cluster) (WorkloadUsage, int) {
	owners := map[PodKey]WorkloadRef{}
	for _, p := range c.Pods {
		owners[PodKey{p.Namespace, p.Name}] = p.Owner
	}
	known := map[WorkloadRef]bool{}
	for _, w := range c.Workloads {
		known[w.WorkloadRef] = true
	}
	out := WorkloadUsage{}
	unmatched := 0
	podsOf := map[WorkloadRef]map[string]bool{}
	added := map[WorkloadRef]bool{}
	observed := map[PodKey]time.Duration{} // the longest-observed container of each pod
	for _, cu := range u.Containers {
		key := PodKey{cu.Namespace, cu.Pod}
		ref, ok := owners[key]
		if !ok || !known[ref] {
			ref, ok = u.Owners[key]
		}
		if !ok || !known[ref] {
			if r, found := guessOwner(key, known); found {
				ref, ok = r, true
			}
		}
		if !ok {
			unmatched++
			continue
		}
		if !known[ref] {
			// Known to kube-state-metrics in this Prometheus, not to the
			// cluster's listing: inventory it.
			c.Workloads = append(c.Workloads, Workload{WorkloadRef: ref})
			known[ref], added[ref] = true, true
		}
		ws := out[ref]
		if ws == nil {
			ws = &WorkloadStats{Containers: map[string]*ContainerStats{}}
			out[ref] = ws
		}
		if podsOf[ref] == nil {
			podsOf[ref] = map[string]bool{}
		}
		podsOf[ref][cu.Pod] = true
		s := ws.Containers[cu.Container]
		if s == nil {
			s = &ContainerStats{Container: cu.Container}
			ws.Containers[cu.Container] = s
		}
		s.add(cu)
		ws.Problems = append(ws.Problems, cu.problems()...)
		if cu.Has.Of(StatHistory) {
			k := PodKey{cu.Namespace, cu.Pod}
			observed[k] = max(observed[k], cu.Observed)
		}
	}
	index := make(map[WorkloadRef]int, len(c.Workloads))
	for i, w := range c.Workloads {
		index[w.WorkloadRef] = i
	}
	for ref, ws := range out {
		w := &c.Workloads[index[ref]]
		for _, name := range sortedKeys(ws.Containers) {
			if w.Container(name) == nil {
				w.Containers = append(w.Containers, Container{Name: name})
			}
		}
		if added[ref] {
			w.Replicas = len(podsOf[ref])
		}
		ws.Pods = len(podsOf[ref])
		var longest, sum time.Duration
		for pod := range podsOf[ref] {
			o := observed[PodKey{ref.Namespace, pod}]
			longest, sum = max(longest, o), sum+o
		}
		ws.History = longest
		for pod := range podsOf[ref] {
			a, ok := u.Pods[PodKey{ref.Namespace, pod}]
			if !ok {
				continue
			}
			ws.Traffic.add(a)
			ws.Problems = append(ws.Problems, a.problems(pod)...)
		}
		if h, ok := u.Workloads[ref]; ok {
			ws.WorkloadHistory = h
			ws.Problems = append(ws.Problems, h.problems()...)
			if h.Has.Of(StatReplicas) && h.AvgReplicas > 0 && !bad(h.AvgReplicas) {
				// Pods' time over the mean replica count is the workload's
				// lifetime: 3 replicas for 14 days are 42 pod-days.
				life := time.Duration(float64(sum) / max(h.AvgReplicas, 1))
				ws.History = max(ws.History, min(life, u.Window))
			}
		}
		slices.Sort(ws.Problems)
		ws.Problems = slices.Compact(ws.Problems)
	}
	if len(added) > 0 {
		c.sortWorkloads()
	}
	return out, unmatched
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (s *ContainerStats) add(cu ContainerUsage) {
	s.Pods++
	h := cu.Has
	if h.Of(StatCPUHigh) {
		s.CPUHigh = max(s.CPUHigh, cu.CPUHigh)
	}
	if h.Of(StatCPUPeak) {
		s.CPUPeak = max(s.CPUPeak, cu.CPUPeak)
	}
	if h.Of(StatCPUAvg) {
		n := float64(s.cpuAvgN)
		s.CPUAvg = (s.CPUAvg*n + cu.CPUAvg) / (n + 1)
		s.cpuAvgN++
	}
	if h.Of(StatMemoryPeak) {
		s.MemoryPeak = max(s.MemoryPeak, cu.MemoryPeak)
	}
	if h.Of(StatMemoryAvg) {
		n := float64(s.memAvgN)
		s.MemoryAvg = (s.MemoryAvg*n + cu.MemoryAvg) / (n + 1)
		s.memAvgN++
	}
	if h.Of(StatThrottling) {
		s.Throttled = max(s.Throttled, cu.Throttled)
	}
	if h.Of(StatHistory) {
		s.Samples += cu.Samples
	}
	s.OOMKills += cu.OOMKills
	s.Restarts += cu.Restarts
	s.MemoryLimitAtOOM = max(s.MemoryLimitAtOOM, cu.MemoryLimitAtOOM)
	s.Has |= h
}

func (t *Traffic) add(a PodActivity) {
	if a.Has.Of(StatRequests) {
		t.Has |= StatRequests
		t.Requests += a.Requests
	}
	if a.Has.Of(StatNetwork) {
		t.Has |= StatNetwork
		t.RxPeak = max(t.RxPeak, a.RxPeak)
		t.RxTypical = max(t.RxTypical, a.RxTypical)
		if a.RxPeak > a.RxTypical*(1+BurstFraction)+BurstFloor {
			t.Bursts = true
		}
	}
}

// bad reports whether v cannot be a usage figure: not finite, or negative.
func bad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }

func (cu ContainerUsage) problems() []string {
	var out []string
	for _, f := range []struct {
		s    Stat
		name string
		v    float64
	}{
		{StatCPUHigh, "CPU percentile", cu.CPUHigh}, {StatCPUPeak, "CPU peak", cu.CPUPeak}, {StatCPUAvg, "CPU mean", cu.CPUAvg},
		{StatMemoryPeak, "memory peak", cu.MemoryPeak}, {StatMemoryAvg, "memory mean", cu.MemoryAvg},
		{StatThrottling, "throttling", cu.Throttled}, {StatOOM, "memory limit at OOM", cu.MemoryLimitAtOOM},
	} {
		if cu.Has.Of(f.s) && bad(f.v) {
			out = append(out, fmt.Sprintf("%s of %s/%s is %g", f.name, cu.Pod, cu.Container, f.v))
		}
	}
	if cu.Samples < 0 || cu.OOMKills < 0 || cu.Restarts < 0 {
		out = append(out, fmt.Sprintf("negative counts for %s/%s", cu.Pod, cu.Container))
	}
	return out
}

func (a PodActivity) problems(pod string) []string {
	var out []string
	if a.Has.Of(StatNetwork) && (bad(a.RxPeak) || bad(a.RxTypical)) {
		out = append(out, fmt.Sprintf("network receive rate of %s is %g (median %g)", pod, a.RxPeak, a.RxTypical))
	}
	if a.Has.Of(StatRequests) && bad(a.Requests) {
		out = append(out, fmt.Sprintf("request count of %s is %g", pod, a.Requests))
	}
	return out
}

func (h WorkloadHistory) problems() []string {
	var out []string
	if h.Has.Of(StatReplicas) && bad(h.AvgReplicas) {
		out = append(out, fmt.Sprintf("mean replicas is %g", h.AvgReplicas))
	}
	if h.Has.Of(StatHPAAtMax) && (bad(h.HPAAtMax) || h.HPAAtMax > 1) {
		out = append(out, fmt.Sprintf("share of time at maxReplicas is %g", h.HPAAtMax))
	}
	return out
}

func guessOwner(k PodKey, known map[WorkloadRef]bool) (WorkloadRef, bool) {
	parts := strings.Split(k.Pod, "-")
	if n := len(parts); n >= 2 && isDigits(parts[n-1]) {
		ref := WorkloadRef{Kind: KindStatefulSet, Namespace: k.Namespace, Name: strings.Join(parts[:n-1], "-")}
		if known[ref] {
			return ref, true
		}
	}
	if n := len(parts); n >= 3 {
		ref := WorkloadRef{Kind: KindDeployment, Namespace: k.Namespace, Name: strings.Join(parts[:n-2], "-")}
		if known[ref] {
			return ref, true
		}
		// A CronJob's pods are named NAME-SCHEDULEDMINUTES-SUFFIX.
		if isDigits(parts[n-2]) && len(parts[n-2]) >= 8 {
			ref := WorkloadRef{Kind: KindCronJob, Namespace: k.Namespace, Name: strings.Join(parts[:n-2], "-")}
			if known[ref] {
				return ref, true
			}
		}
	}
	if n := len(parts); n >= 2 {
		ref := WorkloadRef{Kind: KindDaemonSet, Namespace: k.Namespace, Name: strings.Join(parts[:n-1], "-")}
		if known[ref] {
			return ref, true
		}
	}
	return WorkloadRef{}, false
}

// CronJobOf returns the CronJob a Job was created by, from the CronJob
// controller's naming (NAME-SCHEDULEDMINUTES: the scheduled time in
// minutes since the Unix epoch, eight digits or more); ok is false for
// other names.
func CronJobOf(job string) (string, bool) {
	i := strings.LastIndexByte(job, '-')
	if i <= 0 || len(job)-i-1 < 8 || !isDigits(job[i+1:]) {
		return "", false
	}
	return job[:i], true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
