package rightsize

import (
	"strings"
	"time"
)

// ContainerUsage is the usage of one container of one pod over a window.
type ContainerUsage struct {
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
	Container string `json:"container"`
	// CPU is the Usage.CPUPercentile of the container's CPU use over the
	// window, in cores.
	CPU float64 `json:"cpu"`
	// CPUAvg is the container's mean CPU use over the window, in cores.
	CPUAvg float64 `json:"cpu_avg"`
	// MemoryPeak is the highest working set seen, in bytes.
	MemoryPeak float64 `json:"memory_peak"`
	// MemoryAvg is the mean working set, in bytes.
	MemoryAvg float64 `json:"memory_avg"`
	// Samples is how many memory samples the window holds: a measure of
	// how much history backs the numbers.
	Samples int `json:"samples"`
	// OOMKills is how many times the container was OOM-killed in the window.
	OOMKills int `json:"oom_kills,omitempty"`
	// MemoryLimitAtOOM is the container's memory limit when it was
	// OOM-killed, in bytes; 0 when unknown or never killed.
	MemoryLimitAtOOM float64 `json:"memory_limit_at_oom,omitempty"`
}

// PodKey names a pod.
type PodKey struct{ Namespace, Pod string }

// Usage is the usage history of a cluster's containers over a window.
type Usage struct {
	End           time.Time     `json:"end"`
	Window        time.Duration `json:"window"`
	Step          time.Duration `json:"step"`
	CPUPercentile float64       `json:"cpu_percentile"` // e.g. 0.95
	Containers    []ContainerUsage
	// Owners maps pods, including those gone by now, to the workload that
	// owned them (from kube-state-metrics); it may be empty.
	Owners map[PodKey]WorkloadRef `json:"-"`
}

// ContainerStats is the usage of one container of a workload, across its pods.
type ContainerStats struct {
	Container        string  `json:"container"`
	CPU              float64 `json:"cpu"`         // cores: the highest per-pod CPU percentile
	CPUAvg           float64 `json:"cpu_avg"`     // cores: the mean over pods of their mean
	MemoryPeak       float64 `json:"memory_peak"` // bytes: the highest working set of any pod
	MemoryAvg        float64 `json:"memory_avg"`  // bytes: the mean over pods of their mean
	Samples          int     `json:"samples"`     // summed over pods
	Pods             int     `json:"pods"`
	OOMKills         int     `json:"oom_kills,omitempty"`
	MemoryLimitAtOOM float64 `json:"memory_limit_at_oom,omitempty"`
}

// WorkloadUsage maps a workload to its containers' stats, by container name.
type WorkloadUsage map[WorkloadRef]map[string]*ContainerStats

// ByWorkload groups u's containers by the workload of c that owns their
// pod. The owner is found from c's pods, then u.Owners, then the pod's
// name (a Deployment's pods are named NAME-HASH-SUFFIX, a StatefulSet's
// NAME-ORDINAL). It also returns how many container series matched no
// workload of c.
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
	for _, cu := range u.Containers {
		key := PodKey{cu.Namespace, cu.Pod}
		ref, ok := owners[key]
		if !ok || !known[ref] {
			ref, ok = u.Owners[key]
		}
		if !ok || !known[ref] {
			ref, ok = guessOwner(key, known)
		}
		if !ok {
			unmatched++
			continue
		}
		m := out[ref]
		if m == nil {
			m = map[string]*ContainerStats{}
			out[ref] = m
		}
		s := m[cu.Container]
		if s == nil {
			s = &ContainerStats{Container: cu.Container}
			m[cu.Container] = s
		}
		s.add(cu)
	}
	return out, unmatched
}

func (s *ContainerStats) add(cu ContainerUsage) {
	n := float64(s.Pods)
	s.CPU = max(s.CPU, cu.CPU)
	s.CPUAvg = (s.CPUAvg*n + cu.CPUAvg) / (n + 1)
	s.MemoryPeak = max(s.MemoryPeak, cu.MemoryPeak)
	s.MemoryAvg = (s.MemoryAvg*n + cu.MemoryAvg) / (n + 1)
	s.Samples += cu.Samples
	s.Pods++
	s.OOMKills += cu.OOMKills
	s.MemoryLimitAtOOM = max(s.MemoryLimitAtOOM, cu.MemoryLimitAtOOM)
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
	}
	if n := len(parts); n >= 2 {
		ref := WorkloadRef{Kind: KindDaemonSet, Namespace: k.Namespace, Name: strings.Join(parts[:n-1], "-")}
		if known[ref] {
			return ref, true
		}
	}
	return WorkloadRef{}, false
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
