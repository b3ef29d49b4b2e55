package rightsize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// UsageFormat is the format tag of a usage file: the usage history of a
// cluster's containers, pods and workloads as [ParseUsage] reads it and
// [Usage.File] writes it. It lets recommendations be reproduced without
// the Prometheus they were read from.
const UsageFormat = "headroom-usage/v1"

// MaxUsageProblems is how many problems of a usage file are listed; the
// rest are counted.
const MaxUsageProblems = 20

// usageFile is a usage file. Durations are Go duration strings ("336h"),
// so that the file is readable and exact.
type usageFile struct {
	Format         string           `json:"format"`
	End            time.Time        `json:"end"`
	Window         string           `json:"window"`
	Step           string           `json:"step"`
	PeakResolution string           `json:"peak_resolution"`
	CPUPercentile  float64          `json:"cpu_percentile"`
	RequestMetrics []string         `json:"request_metrics,omitempty"`
	Containers     []containerEntry `json:"containers"`
	Pods           []podEntry       `json:"pods,omitempty"`
	Workloads      []workloadEntry  `json:"workloads,omitempty"`
	Owners         []ownerEntry     `json:"owners,omitempty"`
}

// containerEntry is a ContainerUsage with its observed time as a
// duration string.
type containerEntry struct {
	ContainerUsage
	Observed string `json:"observed"`
}

type podEntry struct {
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
	PodActivity
}

type workloadEntry struct {
	WorkloadRef
	WorkloadHistory
}

type ownerEntry struct {
	Namespace string      `json:"namespace"`
	Pod       string      `json:"pod"`
	Owner     WorkloadRef `json:"owner"`
}

// File writes u as a usage file (JSON), its entries in a stable order.
func (u *Usage) File() ([]byte, error) {
	f := usageFile{Format: UsageFormat, End: u.End.UTC(), Window: u.Window.String(), Step: u.Step.String(),
		PeakResolution: u.PeakResolution.String(), CPUPercentile: u.CPUPercentile, RequestMetrics: u.RequestMetrics}
	for _, c := range u.Containers {
		f.Containers = append(f.Containers, containerEntry{ContainerUsage: c, Observed: c.Observed.String()})
	}
	for k, p := range u.Pods {
		f.Pods = append(f.Pods, podEntry{Namespace: k.Namespace, Pod: k.Pod, PodActivity: p})
	}
	slices.SortFunc(f.Pods, func(a, b podEntry) int {
		return strings.Compare(a.Namespace+"/"+a.Pod, b.Namespace+"/"+b.Pod)
	})
	for ref, h := range u.Workloads {
		f.Workloads = append(f.Workloads, workloadEntry{WorkloadRef: ref, WorkloadHistory: h})
	}
	slices.SortFunc(f.Workloads, func(a, b workloadEntry) int { return strings.Compare(a.String(), b.String()) })
	for k, ref := range u.Owners {
		f.Owners = append(f.Owners, ownerEntry{Namespace: k.Namespace, Pod: k.Pod, Owner: ref})
	}
	slices.SortFunc(f.Owners, func(a, b ownerEntry) int {
		return strings.Compare(a.Namespace+"/"+a.Pod, b.Namespace+"/"+b.Pod)
	})
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("usage file: %w", err)
	}
	return append(b, '\n'), nil
}

// ParseUsage reads a usage file. Every value is checked: durations
// positive, the CPU percentile in (0, 1], every figure finite and not
// negative, shares in [0, 1], names given, no pod, container or workload
// twice. Problems name their field ("containers[3].cpu_peak") and are
// listed together, the first MaxUsageProblems of them.
func ParseUsage(data []byte) (*Usage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f usageFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a usage file: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not a usage file: more than one JSON value")
	}
	if f.Format != UsageFormat {
		return nil, fmt.Errorf("format %q: want %q", f.Format, UsageFormat)
	}
	var ps problems
	u := &Usage{End: f.End, CPUPercentile: f.CPUPercentile, RequestMetrics: f.RequestMetrics,
		Pods: map[PodKey]PodActivity{}, Workloads: map[WorkloadRef]WorkloadHistory{}, Owners: map[PodKey]WorkloadRef{}}
	u.Window = ps.duration("window", f.Window)
	u.Step = ps.duration("step", f.Step)
	u.PeakResolution = ps.duration("peak_resolution", f.PeakResolution)
	if f.End.IsZero() {
		ps.add("end", "give the end of the window (RFC 3339)")
	}
	if !(f.CPUPercentile > 0 && f.CPUPercentile <= 1) {
		ps.add("cpu_percentile", "want a fraction in (0, 1], such as 0.99")
	}
	seen := map[string]bool{}
	for i, c := range f.Containers {
		at := fmt.Sprintf("containers[%d]", i)
		ps.names(at, "namespace", c.Namespace, "pod", c.Pod, "container", c.Container)
		if key := c.Namespace + "/" + c.Pod + "/" + c.Container; seen[key] {
			ps.add(at, "container "+key+" given twice")
		} else {
			seen[key] = true
		}
		for _, v := range []struct {
			name string
			v    float64
		}{{"cpu_high", c.CPUHigh}, {"cpu_peak", c.CPUPeak}, {"cpu_avg", c.CPUAvg},
			{"memory_peak", c.MemoryPeak}, {"memory_avg", c.MemoryAvg}, {"memory_limit_at_oom", c.MemoryLimitAtOOM}} {
			ps.amount(at+"."+v.name, v.v)
		}
		ps.share(at+".throttled", c.Throttled)
		if c.Samples < 0 || c.OOMKills < 0 || c.Restarts < 0 {
			ps.add(at, "samples, oom_kills and restarts are counts: not negative")
		}
		if c.CPUHigh > c.CPUPeak && c.Has.Of(StatCPUHigh|StatCPUPeak) {
			ps.add(at+".cpu_high", "above cpu_peak: a percentile is never above the highest value")
		}
		cu := c.ContainerUsage
		cu.Observed = ps.durationOrZero(at+".observed", c.Observed)
		u.Containers = append(u.Containers, cu)
	}
	for i, p := range f.Pods {
		at := fmt.Sprintf("pods[%d]", i)
		ps.names(at, "namespace", p.Namespace, "pod", p.Pod)
		key := PodKey{p.Namespace, p.Pod}
		if _, dup := u.Pods[key]; dup {
			ps.add(at, "pod "+p.Namespace+"/"+p.Pod+" given twice")
		}
		ps.amount(at+".rx_peak", p.RxPeak)
		ps.amount(at+".rx_typical", p.RxTypical)
		ps.amount(at+".requests", p.Requests)
		u.Pods[key] = p.PodActivity
	}
	for i, w := range f.Workloads {
		at := fmt.Sprintf("workloads[%d]", i)
		ps.names(at, "kind", w.Kind, "namespace", w.Namespace, "name", w.Name)
		if _, dup := u.Workloads[w.WorkloadRef]; dup {
			ps.add(at, w.WorkloadRef.String()+" given twice")
		}
		ps.amount(at+".avg_replicas", w.AvgReplicas)
		ps.share(at+".hpa_at_max", w.HPAAtMax)
		u.Workloads[w.WorkloadRef] = w.WorkloadHistory
	}
	for i, o := range f.Owners {
		at := fmt.Sprintf("owners[%d]", i)
		ps.names(at, "namespace", o.Namespace, "pod", o.Pod, "owner.kind", o.Owner.Kind, "owner.name", o.Owner.Name)
		u.Owners[PodKey{o.Namespace, o.Pod}] = o.Owner
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return u, nil
}

// problems collects what is wrong with a usage file, by field.
type problems struct {
	list []string
	more int
}

func (p *problems) add(at, msg string) {
	if len(p.list) >= MaxUsageProblems {
		p.more++
		return
	}
	p.list = append(p.list, at+": "+msg)
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	msg := strings.Join(p.list, "\n")
	if p.more > 0 {
		msg += fmt.Sprintf("\n… and %d more", p.more)
	}
	return errors.New(msg)
}

// duration reads a positive duration.
func (p *problems) duration(at, s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		p.add(at, fmt.Sprintf("%q: want a positive duration, such as 336h or 1m", shorten(s)))
		return 0
	}
	return d
}

// durationOrZero reads a duration that may be zero or absent.
func (p *problems) durationOrZero(at, s string) time.Duration {
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		p.add(at, fmt.Sprintf("%q: want a duration, such as 336h", shorten(s)))
		return 0
	}
	return d
}

// amount checks a figure that is finite and not negative.
func (p *problems) amount(at string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		p.add(at, "want a finite number, not negative")
	}
}

// share checks a fraction in [0, 1].
func (p *problems) share(at string, v float64) {
	if !(v >= 0 && v <= 1) {
		p.add(at, "want a fraction in [0, 1]")
	}
}

// names checks that every name is given: pairs of field and value.
func (p *problems) names(at string, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			p.add(at+"."+pairs[i], "missing")
		}
	}
}

// shorten keeps a value quoted in a message short.
func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
