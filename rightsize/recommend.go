package rightsize

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Class sorts cuts by how much change they ask for.
type Class string

// The classes of cut.
const (
	// Easy cuts change no behaviour that matters: idle workloads,
	// requests that usage never approaches, HPA minimums larger than the
	// load needs outside known events.
	Easy Class = "easy"
	// Big cuts change how the system scales or what it runs on: HPA
	// targets, node families, Spot, commitments.
	Big Class = "big"
)

// Risk says how far a recommendation has been checked.
type Risk string

// The risks.
const (
	// RiskNone: the change cannot alter scaling or capacity (a request cut
	// that stays above the usage percentile, on a workload no HPA scales
	// on that resource).
	RiskNone Risk = "none"
	// RiskSLOChecked: the simulator replayed the system's scenarios with
	// the change and the SLO held.
	RiskSLOChecked Risk = "slo-checked"
	// RiskUnverified: the change alters scaling or capacity and nothing
	// has checked it against the SLO.
	RiskUnverified Risk = "unverified"
)

// Action is what a recommendation changes.
type Action string

// The actions.
const (
	ActionRequests   Action = "requests"    // a container's CPU and memory requests
	ActionHPAMin     Action = "hpa-min"     // an HPA's minReplicas
	ActionIdle       Action = "idle"        // scale an unused workload to zero
	ActionNodeFamily Action = "node-family" // move a node pool to a cheaper machine family
	ActionSpot       Action = "spot"        // run a node pool on Spot VMs
	ActionCommitment Action = "commitment"  // buy a node pool's capacity under a commitment
)

// Policy parameters, with their defaults.
const (
	DefaultCPUPercentile  = 0.95     // of each pod's CPU use over the window
	DefaultCPUFloor       = 0.010    // cores
	DefaultMemoryMargin   = 0.15     // added to the peak working set
	DefaultMemoryFloor    = 20 * MiB // bytes
	DefaultOOMPeakFactor  = 1.2      // after an OOM kill: at least peak × 1.2…
	DefaultOOMLimitFactor = 1.25     // …and the limit at the kill × 1.25
	DefaultMaxHPATarget   = 0.85     // the highest CPU target a recommendation sets
	DefaultIdleCPU        = 0.001    // cores: a percentile below this in every container is idle
	DefaultMinSamples     = 100      // memory samples across a workload's pods
	DefaultMinChange      = 0.10     // changes smaller than 10 % are left alone
	DefaultWindow         = 14 * 24 * time.Hour
)

// Policy is how recommendations are made. The zero value means the
// defaults above.
type Policy struct {
	CPUPercentile  float64 // the percentile the usage was taken at (for the description)
	CPUFloor       float64 // cores
	MemoryMargin   float64 // fraction
	MemoryFloor    float64 // bytes
	OOMPeakFactor  float64
	OOMLimitFactor float64
	MaxHPATarget   float64 // fraction
	IdleCPU        float64 // cores
	MinSamples     int
	MinChange      float64       // fraction
	Window         time.Duration // the usage window (for the description)
	// RateWindow and Step are how the CPU percentile was sampled: rates
	// over RateWindow every Step (for the description; zero leaves them out).
	RateWindow, Step time.Duration
}

func (p Policy) withDefaults() Policy {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&p.CPUPercentile, DefaultCPUPercentile)
	def(&p.CPUFloor, DefaultCPUFloor)
	def(&p.MemoryMargin, DefaultMemoryMargin)
	def(&p.MemoryFloor, DefaultMemoryFloor)
	def(&p.OOMPeakFactor, DefaultOOMPeakFactor)
	def(&p.OOMLimitFactor, DefaultOOMLimitFactor)
	def(&p.MaxHPATarget, DefaultMaxHPATarget)
	def(&p.IdleCPU, DefaultIdleCPU)
	def(&p.MinChange, DefaultMinChange)
	if p.MinSamples == 0 {
		p.MinSamples = DefaultMinSamples
	}
	if p.Window == 0 {
		p.Window = DefaultWindow
	}
	return p
}

// Describe returns the algorithm and its parameters, one line each, for
// printing alongside the recommendations.
func (p Policy) Describe() []string {
	p = p.withDefaults()
	pct := fmt.Sprintf("p%g", p.CPUPercentile*100)
	sampled := ""
	if p.RateWindow > 0 && p.Step > 0 {
		sampled = fmt.Sprintf(" (%s rates every %s)", FormatDuration(p.RateWindow), FormatDuration(p.Step))
	}
	return []string{
		fmt.Sprintf("CPU request = %s of each pod's CPU use%s over %s, the highest across pods; floor %s; rounded up to 1m",
			pct, sampled, FormatDuration(p.Window), FormatCPU(p.CPUFloor)),
		fmt.Sprintf("memory request = peak working set × %g; after an OOM kill at least max(peak × %g, limit at the kill × %g); floor %s; rounded up to 1Mi",
			1+p.MemoryMargin, p.OOMPeakFactor, p.OOMLimitFactor, FormatMemory(p.MemoryFloor)),
		fmt.Sprintf("changes under %g%% are left alone; a workload needs %d memory samples across its pods", p.MinChange*100, p.MinSamples),
		fmt.Sprintf("HPA on CPU: the target moves with the request so that target × pod request (the CPU per pod at which it scales) stays the same; targets are capped at %g%% by raising the request", p.MaxHPATarget*100),
		fmt.Sprintf("HPA minimum: lowered to what the %s load needs at the target (at least 2 when it was 2 or more)", pct),
		fmt.Sprintf("idle: a Deployment or StatefulSet whose every container's %s CPU is under %s", pct, FormatCPU(p.IdleCPU)),
	}
}

// RecommendOptions configure [Recommend].
type RecommendOptions struct {
	Policy Policy
	// Cost prices the savings: the billing mode, region and catalog.
	Cost CostOptions
}

// HPAChange is what a recommendation changes in an HPA.
type HPAChange struct {
	Name           string  `json:"name"`
	MinReplicas    int     `json:"min_replicas"`
	NewMinReplicas int     `json:"recommended_min_replicas"`
	CPUTarget      float64 `json:"cpu_target"`             // fraction
	NewCPUTarget   float64 `json:"recommended_cpu_target"` // fraction
	CPUMetric      int     `json:"-"`                      // index in spec.metrics
}

// NodeChange is what a recommendation changes in a node pool.
type NodeChange struct {
	Pool           string `json:"pool,omitempty"`
	Nodes          int    `json:"nodes"`
	MachineType    string `json:"machine_type"`
	NewMachineType string `json:"recommended_machine_type"`
	Tier           string `json:"tier"`
	NewTier        string `json:"recommended_tier"`
}

// Recommendation is one cut (or, with a negative saving, one raise).
type Recommendation struct {
	Action    Action `json:"action"`
	Namespace string `json:"namespace"`
	Workload  string `json:"workload"`
	Kind      string `json:"kind"`
	Container string `json:"container"`
	// CPURequest and MemoryRequest are the recommended requests (cores,
	// bytes); for actions other than requests, the current ones.
	CPURequest           float64 `json:"cpu_request"`
	MemoryRequest        float64 `json:"memory_request"`
	CurrentCPURequest    float64 `json:"current_cpu_request"`
	CurrentMemoryRequest float64 `json:"current_memory_request"`
	// CPULimit and MemoryLimit are new limits where the current ones are
	// below the new requests; 0 leaves the limit alone.
	CPULimit    float64 `json:"cpu_limit,omitempty"`
	MemoryLimit float64 `json:"memory_limit,omitempty"`
	Replicas    int     `json:"replicas"`
	// RecommendedReplicas is set for idle workloads (0).
	RecommendedReplicas *int            `json:"recommended_replicas,omitempty"`
	HPA                 *HPAChange      `json:"hpa,omitempty"`
	Nodes               *NodeChange     `json:"nodes,omitempty"`
	Usage               *ContainerStats `json:"usage,omitempty"`
	MonthlySaving       float64         `json:"monthly_saving"`
	Risk                Risk            `json:"risk"`
	Class               Class           `json:"class"`
	Reason              string          `json:"reason"`
}

// Skipped is a workload no recommendation was made for, and why.
type Skipped struct {
	Namespace string `json:"namespace"`
	Workload  string `json:"workload"`
	Kind      string `json:"kind"`
	Reason    string `json:"reason"`
}

// Report is the result of [Recommend]. Money is in Currency.
type Report struct {
	Mode               Mode             `json:"mode"`
	Region             string           `json:"region"`
	Currency           string           `json:"currency"`
	Algorithm          []string         `json:"algorithm"`
	Recommendations    []Recommendation `json:"recommendations"`
	TotalMonthlySaving float64          `json:"total_monthly_saving"`
	EasyMonthlySaving  float64          `json:"easy_monthly_saving"`
	BigMonthlySaving   float64          `json:"big_monthly_saving"`
	Skipped            []Skipped        `json:"skipped,omitempty"`
	Notes              []string         `json:"notes,omitempty"`
}

// In returns the report with its money converted by k per US dollar
// (pass pricing.Currency.FromUSD(1)) and named code.
func (r *Report) In(code string, k float64) *Report {
	out := *r
	out.Currency = code
	out.Recommendations = slices.Clone(r.Recommendations)
	for i := range out.Recommendations {
		out.Recommendations[i].MonthlySaving *= k
	}
	out.TotalMonthlySaving *= k
	out.EasyMonthlySaving *= k
	out.BigMonthlySaving *= k
	return &out
}

// Recommend computes the recommendations for c from its usage, ranked by
// monthly saving (largest first).
func Recommend(c *Cluster, use WorkloadUsage, opts RecommendOptions) (*Report, error) {
	pol := opts.Policy.withDefaults()
	co := opts.Cost.withDefaults()
	p, err := newPricer(c, co)
	if err != nil {
		return nil, err
	}
	r := &Report{Mode: co.Mode, Region: co.Region, Currency: "USD", Algorithm: pol.Describe()}
	rec := recommender{pol: pol, p: p}
	var podSavings float64
	for i := range c.Workloads {
		w := &c.Workloads[i]
		recs, skip := rec.workload(w, use[w.WorkloadRef])
		if skip != "" {
			r.Skipped = append(r.Skipped, Skipped{Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind, Reason: skip})
		}
		for _, x := range recs {
			podSavings += x.MonthlySaving
		}
		r.Recommendations = append(r.Recommendations, recs...)
	}
	if co.Mode == Standard {
		nodeRecs, note := rec.nodes(c, podSavings)
		r.Recommendations = append(r.Recommendations, nodeRecs...)
		if note != "" {
			r.Notes = append(r.Notes, note)
		}
		r.Notes = append(r.Notes, "Standard mode: request cuts save money once the cluster autoscaler removes the nodes they free; priced at the nodes' mean price per core and GiB")
	}
	sort.SliceStable(r.Recommendations, func(i, j int) bool {
		a, b := r.Recommendations[i], r.Recommendations[j]
		if a.MonthlySaving != b.MonthlySaving {
			return a.MonthlySaving > b.MonthlySaving
		}
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Workload, b.Workload), cmp.Compare(a.Container, b.Container)) < 0
	})
	r.total()
	return r, nil
}

type recommender struct {
	pol Policy
	p   *pricer
}

// podMonthly is what one pod with these containers costs a month, on requests.
func (rc recommender) podMonthly(ns string, cs []Container) float64 {
	cpu, mem := rc.p.charge(ns, "", cs, nil)
	return (cpu + mem) * 730
}

func (rc recommender) workload(w *Workload, u map[string]*ContainerStats) ([]Recommendation, string) {
	switch {
	case w.Kind == KindJob:
		return nil, "jobs run to completion; size them from their own runs"
	case u == nil:
		return nil, "no usage history in the window"
	case w.Replicas == 0:
		return nil, "scaled to zero"
	}
	samples := 0
	for _, s := range u {
		samples += s.Samples
	}
	if samples < rc.pol.MinSamples {
		return nil, fmt.Sprintf("only %d memory samples (want %d)", samples, rc.pol.MinSamples)
	}
	reps := float64(w.Replicas)
	if idle := rc.idle(w, u); idle != nil {
		return []Recommendation{*idle}, ""
	}
	now := w.Containers
	next := make([]Container, len(now))
	for i, c := range now {
		next[i] = rc.size(c, u[c.Name])
	}
	var hpa *HPAChange
	if h := w.HPA; h != nil && h.CPUTarget > 0 && sumRequests(now).CPU > 0 {
		hpa = rc.keepScalingPoint(h, now, next)
	}
	if h := w.HPA; h != nil && h.MemoryTarget > 0 {
		for i := range next { // an HPA on memory: leave memory requests alone
			next[i].Requests.Memory, next[i].Limits.Memory = now[i].Requests.Memory, now[i].Limits.Memory
		}
	}
	var out []Recommendation
	before := rc.podMonthly(w.Namespace, now)
	cur := slices.Clone(now)
	for i, c := range now {
		n := next[i]
		if n.Requests == c.Requests && n.Limits == c.Limits {
			continue
		}
		cur[i] = n
		after := rc.podMonthly(w.Namespace, cur)
		x := Recommendation{Action: ActionRequests, Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind, Container: c.Name,
			CPURequest: n.Requests.CPU, MemoryRequest: n.Requests.Memory,
			CurrentCPURequest: c.Requests.CPU, CurrentMemoryRequest: c.Requests.Memory,
			Replicas: w.Replicas, Usage: u[c.Name], MonthlySaving: (before - after) * reps,
			Class: Easy, Risk: RiskNone, Reason: sizeReason(c, n, u[c.Name], rc.pol)}
		if n.Limits.CPU != c.Limits.CPU {
			x.CPULimit = n.Limits.CPU
		}
		if n.Limits.Memory != c.Limits.Memory {
			x.MemoryLimit = n.Limits.Memory
		}
		if hpa != nil {
			x.HPA, x.Class, x.Risk = hpa, Big, RiskUnverified
			x.Reason += fmt.Sprintf("; HPA %s target %s → %s keeps its scaling point at %s per pod",
				hpa.Name, pctString(hpa.CPUTarget), pctString(hpa.NewCPUTarget), FormatCPU(hpa.CPUTarget*sumRequests(now).CPU))
		}
		before = after
		out = append(out, x)
	}
	if m := rc.hpaMin(w, u, cur); m != nil {
		out = append(out, *m)
	}
	return out, ""
}

// size recommends requests for one container from its usage.
func (rc recommender) size(c Container, s *ContainerStats) Container {
	if s == nil {
		return c
	}
	pol := rc.pol
	cpu := math.Max(pol.CPUFloor, roundUp(s.CPU, 0.001))
	mem := s.MemoryPeak * (1 + pol.MemoryMargin)
	if s.OOMKills > 0 {
		limit := s.MemoryLimitAtOOM
		if limit == 0 {
			limit = c.Limits.Memory
		}
		mem = math.Max(mem, math.Max(s.MemoryPeak*pol.OOMPeakFactor, limit*pol.OOMLimitFactor))
	}
	mem = math.Max(pol.MemoryFloor, roundUp(mem, MiB))
	n := c
	if !small(c.Requests.CPU, cpu, pol.MinChange) {
		n.Requests.CPU = cpu
	}
	if !small(c.Requests.Memory, mem, pol.MinChange) || (s.OOMKills > 0 && mem > c.Requests.Memory) {
		n.Requests.Memory = mem
	}
	if n.Limits.CPU > 0 && n.Limits.CPU < n.Requests.CPU {
		n.Limits.CPU = n.Requests.CPU
	}
	if n.Limits.Memory > 0 && n.Limits.Memory < n.Requests.Memory {
		n.Limits.Memory = n.Requests.Memory
	}
	return n
}

// small reports whether moving from cur to next is a change under frac
// (and cur is set).
func small(cur, next, frac float64) bool {
	return cur > 0 && math.Abs(next-cur) < frac*cur
}

// keepScalingPoint moves an HPA's CPU target with the pod's CPU request so
// that the HPA scales at the same CPU per pod; where that would push the
// target above the cap, the requests in next are raised instead. It
// returns nil when the target need not move.
func (rc recommender) keepScalingPoint(h *HPA, now, next []Container) *HPAChange {
	reqNow, reqNext := sumRequests(now).CPU, sumRequests(next).CPU
	point := h.CPUTarget * reqNow // cores per pod at which the HPA scales
	if reqNext <= 0 {
		return nil
	}
	target := point / reqNext
	if target > rc.pol.MaxHPATarget {
		k := target / rc.pol.MaxHPATarget
		for i := range next {
			if next[i].Requests.CPU != now[i].Requests.CPU {
				next[i].Requests.CPU = roundUp(next[i].Requests.CPU*k, 0.001)
			}
		}
		reqNext = sumRequests(next).CPU
		target = point / reqNext
	}
	target = math.Round(target*100) / 100 // HPAs take whole percents
	if math.Abs(target-h.CPUTarget) < 0.005 {
		return nil
	}
	return &HPAChange{Name: h.Name, MinReplicas: h.MinReplicas, NewMinReplicas: h.MinReplicas,
		CPUTarget: h.CPUTarget, NewCPUTarget: target, CPUMetric: h.CPUMetric}
}

// hpaMin lowers an HPA's minimum when even the window's CPU percentile
// needs fewer pods at the target than the minimum keeps.
func (rc recommender) hpaMin(w *Workload, u map[string]*ContainerStats, cs []Container) *Recommendation {
	h := w.HPA
	if h == nil || h.CPUTarget <= 0 || h.MinReplicas <= 1 || w.Replicas > h.MinReplicas {
		return nil
	}
	req := sumRequests(w.Containers).CPU
	if req <= 0 {
		return nil
	}
	var use float64
	for _, c := range w.Containers {
		if s := u[c.Name]; s != nil {
			use += s.CPU
		}
	}
	util := use / req
	need := int(math.Ceil(float64(w.Replicas)*util/h.CPUTarget - 1e-9))
	floor := 1
	if h.MinReplicas >= 2 {
		floor = 2
	}
	newMin := max(need, floor)
	if newMin >= h.MinReplicas {
		return nil
	}
	change := &HPAChange{Name: h.Name, MinReplicas: h.MinReplicas, NewMinReplicas: newMin,
		CPUTarget: h.CPUTarget, NewCPUTarget: h.CPUTarget, CPUMetric: h.CPUMetric}
	pod := sumRequests(cs)
	return &Recommendation{Action: ActionHPAMin, Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind,
		CPURequest: pod.CPU, MemoryRequest: pod.Memory, CurrentCPURequest: req, CurrentMemoryRequest: sumRequests(w.Containers).Memory,
		Replicas: w.Replicas, HPA: change,
		MonthlySaving: float64(h.MinReplicas-newMin) * rc.podMonthly(w.Namespace, cs),
		Class:         Easy, Risk: RiskUnverified,
		Reason: fmt.Sprintf("at its %s CPU the workload runs at %s of its request on %d pods, so the HPA (target %s) would keep %d; minReplicas %d → %d. The minimum is what absorbs a spike before the HPA reacts: check known events with headroom sim",
			pctName(rc.pol), pctString(util), w.Replicas, pctString(h.CPUTarget), need, h.MinReplicas, newMin)}
}

// idle recommends scaling a workload to zero when no container uses CPU.
func (rc recommender) idle(w *Workload, u map[string]*ContainerStats) *Recommendation {
	if w.Kind != KindDeployment && w.Kind != KindStatefulSet {
		return nil
	}
	var top float64
	for _, c := range w.Containers {
		s := u[c.Name]
		if s == nil {
			return nil
		}
		top = math.Max(top, s.CPU)
	}
	if top >= rc.pol.IdleCPU {
		return nil
	}
	zero := 0
	pod := sumRequests(w.Containers)
	return &Recommendation{Action: ActionIdle, Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind,
		CPURequest: pod.CPU, MemoryRequest: pod.Memory, CurrentCPURequest: pod.CPU, CurrentMemoryRequest: pod.Memory,
		Replicas: w.Replicas, RecommendedReplicas: &zero,
		MonthlySaving: float64(w.Replicas) * rc.podMonthly(w.Namespace, w.Containers),
		Class:         Easy, Risk: RiskUnverified,
		Reason: fmt.Sprintf("no container used %s CPU or more at its %s over the window: unused? scale it to zero or delete it",
			FormatCPU(rc.pol.IdleCPU), pctName(rc.pol))}
}

func sizeReason(c, n Container, s *ContainerStats, pol Policy) string {
	if s == nil {
		return "no usage"
	}
	parts := []string{
		fmt.Sprintf("CPU %s %s of %s requested", pctName(pol), FormatCPU(s.CPU), orUnset(c.Requests.CPU, FormatCPU)),
		fmt.Sprintf("memory peak %s of %s requested", FormatMemory(s.MemoryPeak), orUnset(c.Requests.Memory, FormatMemory)),
	}
	if s.OOMKills > 0 {
		parts = append(parts, fmt.Sprintf("%d OOM kill(s) at a %s limit", s.OOMKills, orUnset(max(s.MemoryLimitAtOOM, c.Limits.Memory), FormatMemory)))
	}
	if n.Limits.Memory != c.Limits.Memory {
		parts = append(parts, "memory limit raised to the request")
	}
	if n.Limits.CPU != c.Limits.CPU {
		parts = append(parts, "CPU limit raised to the request")
	}
	return strings.Join(parts, "; ")
}

func orUnset(v float64, f func(float64) string) string {
	if v <= 0 {
		return "none"
	}
	return f(v)
}

func pctName(p Policy) string { return fmt.Sprintf("p%g", p.CPUPercentile*100) }

func pctString(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

func roundUp(x, step float64) float64 { return math.Ceil(x/step-1e-9) * step }
