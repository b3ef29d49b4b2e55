package rightsize

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// Class sorts recommendations by what they ask for.
type Class string

// The classes.
const (
	// Easy cuts change no behaviour that matters: requests that usage,
	// peaks included, never approaches.
	Easy Class = "easy"
	// Big cuts change how the system scales, what it runs on or whether
	// it runs: HPA targets and minimums, idle workloads, node families,
	// Spot, commitments.
	Big Class = "big"
	// Raise is the safe direction: the workload is under-provisioned
	// (usage above its requests, OOM kills, an HPA pinned at its maximum)
	// and the recommendation adds capacity, at a cost.
	Raise Class = "raise"
)

// Risk says how far a recommendation has been checked, and what could go
// wrong.
type Risk string

// The risks.
const (
	// RiskLow: a request cut that still covers the highest short-window
	// usage seen (peaks included) with the margin, on at least a week of
	// history, on a workload no HPA scales on that resource; or a raise.
	RiskLow Risk = "low"
	// RiskMedium: a request cut that covers the CPU percentile with the
	// margin but not every peak (the rest borrows spare node CPU and slows
	// under contention), or that rests on less than a week of history.
	RiskMedium Risk = "medium"
	// RiskUnverified: the change alters scaling or capacity and nothing
	// has checked it against the SLO.
	RiskUnverified Risk = "unverified"
	// RiskHigh: the change can stop a live service or slow its response
	// to a spike (scaling to zero; an HPA that reacts more slowly), and
	// nothing has checked it against the SLO.
	RiskHigh Risk = "high"
	// RiskSLOChecked: the simulator replayed the system's scenarios with
	// the change and the SLO held.
	RiskSLOChecked Risk = "slo-checked"
)

// Action is what a recommendation changes.
type Action string

// The actions.
const (
	ActionRequests   Action = "requests"    // a container's CPU and memory requests (and limits below them)
	ActionHPAMin     Action = "hpa-min"     // an HPA's minReplicas
	ActionHPAMax     Action = "hpa-max"     // an HPA's maxReplicas, raised (under-provisioned)
	ActionIdle       Action = "idle"        // scale an unused workload to zero
	ActionNodeFamily Action = "node-family" // move a node pool to a cheaper machine family
	ActionSpot       Action = "spot"        // run a node pool on Spot VMs
	ActionCommitment Action = "commitment"  // buy a node pool's capacity under a commitment
)

// Policy parameters, with their defaults.
const (
	// DefaultCPUPercentile of each pod's short-window CPU usage: the load
	// the request must hold.
	DefaultCPUPercentile = 0.99
	DefaultCPUMargin     = 0.15  // added to the CPU percentile (and to the peak where a limit caps it)
	DefaultCPUFloor      = 0.010 // cores
	DefaultMemoryMargin  = 0.15  // added to the peak working set
	DefaultMemoryFloor   = 20 * MiB
	// DefaultOOMPeakFactor and DefaultOOMLimitFactor: after an OOM kill,
	// at least peak × 1.2 and the limit at the kill × 1.25.
	DefaultOOMPeakFactor  = 1.2
	DefaultOOMLimitFactor = 1.25
	DefaultMaxHPATarget   = 0.85 // the highest CPU target a recommendation sets
	// DefaultIdleCPU is the most CPU an idle workload's busiest short
	// window may use, in cores.
	DefaultIdleCPU = 0.005
	// DefaultIdleNetwork is the most an idle pod may receive, in bytes per
	// second at its peak: health checks (a few hundred bytes each, every
	// few seconds) and scrapes. A pod receiving more steadily is being
	// sent something — a controller's watches and polls, a queue's messages.
	DefaultIdleNetwork = 512.0
	// DefaultMinHistory is the least history a workload needs to be
	// sized: a full daily cycle.
	DefaultMinHistory = 24 * time.Hour
	// DefaultSettledHistory is the history below which a cut is at least
	// medium risk: a week, so that weekly patterns have been seen.
	DefaultSettledHistory = 7 * 24 * time.Hour
	// DefaultIdleHistory is the share of the window an idle workload must
	// have been observed for.
	DefaultIdleHistory = 0.9
	DefaultMinChange   = 0.10 // changes smaller than 10 % are left alone
	// DefaultMinSaving is the smallest monthly saving, in US dollars, a
	// cut must bring to be proposed: below it, a change is risk for nothing.
	DefaultMinSaving = 1.0
	// DefaultMaxThrottled is the share of CFS periods throttled above
	// which a container's CPU limit is called too low.
	DefaultMaxThrottled = 0.05
	// DefaultMaxRestarts is the most restarts (other than OOM kills) a
	// container may have in the window and still have its requests cut:
	// a container that keeps crashing does not show its real load.
	DefaultMaxRestarts = 10
	// DefaultPinnedShare is the share of the window at maxReplicas above
	// which an HPA is called pinned.
	DefaultPinnedShare = 0.05
	DefaultWindow      = 14 * 24 * time.Hour
)

// Policy is how recommendations are made. The zero value means the
// defaults above.
type Policy struct {
	CPUPercentile  float64 // the percentile the usage was taken at (for the description)
	CPUMargin      float64 // fraction
	CPUFloor       float64 // cores
	MemoryMargin   float64 // fraction
	MemoryFloor    float64 // bytes
	OOMPeakFactor  float64
	OOMLimitFactor float64
	MaxHPATarget   float64 // fraction
	IdleCPU        float64 // cores
	IdleNetwork    float64 // bytes per second
	MinHistory     time.Duration
	SettledHistory time.Duration
	MinChange      float64       // fraction
	MinSaving      float64       // US dollars a month
	MaxThrottled   float64       // fraction
	Window         time.Duration // the usage window (for the description)
	// PeakResolution and Step are how short-window CPU usage was sampled
	// (for the description; zero leaves them out).
	PeakResolution, Step time.Duration
}

func (p Policy) withDefaults() Policy {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&p.CPUPercentile, DefaultCPUPercentile)
	def(&p.CPUMargin, DefaultCPUMargin)
	def(&p.CPUFloor, DefaultCPUFloor)
	def(&p.MemoryMargin, DefaultMemoryMargin)
	def(&p.MemoryFloor, DefaultMemoryFloor)
	def(&p.OOMPeakFactor, DefaultOOMPeakFactor)
	def(&p.OOMLimitFactor, DefaultOOMLimitFactor)
	def(&p.MaxHPATarget, DefaultMaxHPATarget)
	def(&p.IdleCPU, DefaultIdleCPU)
	def(&p.IdleNetwork, DefaultIdleNetwork)
	def(&p.MinChange, DefaultMinChange)
	def(&p.MinSaving, DefaultMinSaving)
	def(&p.MaxThrottled, DefaultMaxThrottled)
	if p.MinHistory == 0 {
		p.MinHistory = DefaultMinHistory
	}
	if p.SettledHistory == 0 {
		p.SettledHistory = DefaultSettledHistory
	}
	if p.Window == 0 {
		p.Window = DefaultWindow
	}
	return p
}

// Check reports a policy that cannot work, naming the field.
func (p Policy) Check() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"CPUMargin", p.CPUMargin}, {"MemoryMargin", p.MemoryMargin}, {"MaxHPATarget", p.MaxHPATarget}, {"MinChange", p.MinChange},
		{"MaxThrottled", p.MaxThrottled}, {"CPUPercentile", p.CPUPercentile}} {
		if f.v < 0 || f.v > 1 || f.v != f.v {
			return fmt.Errorf("policy %s %g: want a fraction in [0, 1]", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"CPUFloor", p.CPUFloor}, {"MemoryFloor", p.MemoryFloor}, {"IdleCPU", p.IdleCPU}, {"IdleNetwork", p.IdleNetwork}, {"MinSaving", p.MinSaving}} {
		if f.v < 0 || f.v != f.v || f.v > 1e12 {
			return fmt.Errorf("policy %s %g: want a number ≥ 0", f.name, f.v)
		}
	}
	if p.MinHistory < 0 || p.SettledHistory < 0 {
		return fmt.Errorf("policy history %v / %v: want durations ≥ 0", p.MinHistory, p.SettledHistory)
	}
	return nil
}

// Describe returns the algorithm and its parameters, one line each, for
// printing alongside the recommendations.
func (p Policy) Describe() []string {
	p = p.withDefaults()
	pct := pctName(p)
	res := ""
	if p.PeakResolution > 0 {
		res = units.Duration(p.PeakResolution) + " "
	}
	sampled := ""
	if p.Step > 0 {
		sampled = " every " + units.Duration(p.Step)
	}
	return []string{
		fmt.Sprintf("CPU request = %s of each pod's %sCPU usage%s over %s, the highest across pods, + %s; where a limit equal to the request caps the container (Autopilot without bursting, Guaranteed pods), the highest %susage + %s instead; floor %s",
			pct, res, sampled, units.Duration(p.Window), units.Percent(p.CPUMargin), res, units.Percent(p.CPUMargin), units.CPU(p.CPUFloor)),
		fmt.Sprintf("CPU limits below the highest usage + %s, or throttling more than %s of periods, are raised", units.Percent(p.CPUMargin), units.Percent(p.MaxThrottled)),
		fmt.Sprintf("memory request = peak working set × %g, never below the peak; after an OOM kill at least max(peak × %g, limit at the kill × %g); floor %s",
			1+p.MemoryMargin, p.OOMPeakFactor, p.OOMLimitFactor, units.Bytes(p.MemoryFloor)),
		fmt.Sprintf("a workload needs %s of history (a full daily cycle) to be sized; cuts on less than %s are medium risk; bounds widen with less history as the VPA's do (upper × (1 + 1/days))",
			units.Duration(p.MinHistory), units.Duration(p.SettledHistory)),
		fmt.Sprintf("changes under %s are left alone; cuts saving under %s a month are not proposed", units.Percent(p.MinChange), units.Money(p.MinSaving, "USD")),
		fmt.Sprintf("HPA on CPU (Resource or ContainerResource): the target moves with the request so that target × request (the CPU at which it scales) stays the same; targets are capped at %s by raising the request; an HPA pinned at maxReplicas above its target gets a higher maximum, never a lower target", units.Percent(p.MaxHPATarget)),
		fmt.Sprintf("HPA minimum: lowered only when the HPA sat at its minimum all window, to what the %s load needs at the target (at least 2 when it was 2 or more)", pct),
		fmt.Sprintf("idle: a Deployment or StatefulSet observed for %s of the window that received no requests (request counters) and no network traffic beyond health checks (a steady rate, never above %s), and whose busiest %sCPU stayed under %s; never proposed without traffic metrics",
			units.Percent(DefaultIdleHistory), rateText(p.IdleNetwork), res, units.CPU(p.IdleCPU)),
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
	MaxReplicas    int     `json:"max_replicas"`
	NewMaxReplicas int     `json:"recommended_max_replicas"`
	CPUTarget      float64 `json:"cpu_target"`             // fraction
	NewCPUTarget   float64 `json:"recommended_cpu_target"` // fraction
	// CPUContainer is the container of a ContainerResource CPU metric ("" for Resource).
	CPUContainer string `json:"cpu_container,omitempty"`
	CPUMetric    int    `json:"-"` // index in spec.metrics
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

// Confidence is how much history backs a recommendation, with bounds that
// widen as history shrinks, the way the VPA recommender's do: the upper
// bound is the target × (1 + 1/days) (×2 at one day, ×1.14 at a week), the
// lower bound the target × (1 + 0.001/days)^-2.
type Confidence struct {
	HistoryDays float64 `json:"history_days"`
	CPULower    float64 `json:"cpu_lower"` // cores
	CPUUpper    float64 `json:"cpu_upper"`
	MemoryLower float64 `json:"memory_lower"` // bytes
	MemoryUpper float64 `json:"memory_upper"`
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
	// too low; 0 leaves the limit alone.
	CPULimit    float64 `json:"cpu_limit,omitempty"`
	MemoryLimit float64 `json:"memory_limit,omitempty"`
	Replicas    int     `json:"replicas"`
	// RecommendedReplicas is set for idle workloads (0).
	RecommendedReplicas *int            `json:"recommended_replicas,omitempty"`
	HPA                 *HPAChange      `json:"hpa,omitempty"`
	Nodes               *NodeChange     `json:"nodes,omitempty"`
	Usage               *ContainerStats `json:"usage,omitempty"`
	Confidence          *Confidence     `json:"confidence,omitempty"`
	// MonthlySaving is in the report's currency; negative for a raise.
	MonthlySaving float64 `json:"monthly_saving"`
	// SavingUnknown is set when a price the saving needs is unknown; then
	// MonthlySaving is 0.
	SavingUnknown bool   `json:"saving_unknown,omitempty"`
	Risk          Risk   `json:"risk"`
	Class         Class  `json:"class"`
	Reason        string `json:"reason"`
}

// Skipped is a workload (or one change) no recommendation was made for,
// and why.
type Skipped struct {
	Namespace string `json:"namespace"`
	Workload  string `json:"workload"`
	Kind      string `json:"kind"`
	Reason    string `json:"reason"`
}

// Report is the result of [Recommend]. Money is in Currency.
type Report struct {
	Mode            Mode             `json:"mode"`
	Region          string           `json:"region"`
	Currency        string           `json:"currency"`
	Algorithm       []string         `json:"algorithm"`
	Recommendations []Recommendation `json:"recommendations"`
	// TotalMonthlySaving is what the cuts save less what the raises cost.
	TotalMonthlySaving float64 `json:"total_monthly_saving"`
	EasyMonthlySaving  float64 `json:"easy_monthly_saving"`
	BigMonthlySaving   float64 `json:"big_monthly_saving"`
	// RaiseMonthlyCost is what the raises (class raise) cost, as a
	// positive amount.
	RaiseMonthlyCost float64   `json:"raise_monthly_cost"`
	Skipped          []Skipped `json:"skipped,omitempty"`
	Notes            []string  `json:"notes,omitempty"`
	// Warnings are what the data sources warned about.
	Warnings []string `json:"warnings,omitempty"`
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
	out.RaiseMonthlyCost *= k
	return &out
}

// Recommend computes the recommendations for c from its usage, ranked by
// monthly saving (largest first; raises last). Workloads that cannot be
// judged — too little history, missing or bad data, no usage — are listed
// in Skipped with the reason.
func Recommend(c *Cluster, use WorkloadUsage, opts RecommendOptions) (*Report, error) {
	if err := opts.Policy.Check(); err != nil {
		return nil, err
	}
	pol := opts.Policy.withDefaults()
	co := opts.Cost.withDefaults()
	p, err := newPricer(c, co)
	if err != nil {
		return nil, err
	}
	r := &Report{Mode: co.Mode, Region: co.Region, Currency: "USD", Algorithm: pol.Describe()}
	rec := recommender{pol: pol, p: p, autopilot: co.Mode == Autopilot, capped: co.Mode == Autopilot && co.NoBursting}
	var podSavings float64
	for i := range c.Workloads {
		w := &c.Workloads[i]
		recs, skipped := rec.workload(w, use[w.WorkloadRef])
		r.Skipped = append(r.Skipped, skipped...)
		for _, x := range recs {
			podSavings += x.MonthlySaving
		}
		r.Recommendations = append(r.Recommendations, recs...)
	}
	if co.Mode == Standard {
		nodeRecs, notes := rec.nodes(c, podSavings)
		r.Recommendations = append(r.Recommendations, nodeRecs...)
		r.Notes = append(r.Notes, notes...)
		r.Notes = append(r.Notes, "Standard mode: request cuts save money once the cluster autoscaler removes the nodes they free; priced at the nodes' mean price per core and GiB")
	}
	if p.unknown != nil {
		r.Notes = append(r.Notes, "savings unknown: "+p.unknown.Error()+"; "+unknownHint(p.unknown))
	}
	if co.Mode == Autopilot {
		r.Notes = append(r.Notes, p.rules.Describe())
	}
	sortRecommendations(r.Recommendations)
	r.total()
	return r, nil
}

// sortRecommendations ranks cuts by saving, largest first, then raises.
func sortRecommendations(rs []Recommendation) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if (a.Class == Raise) != (b.Class == Raise) {
			return b.Class == Raise
		}
		if a.MonthlySaving != b.MonthlySaving {
			return a.MonthlySaving > b.MonthlySaving
		}
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Workload, b.Workload),
			cmp.Compare(a.Container, b.Container), cmp.Compare(a.Action, b.Action)) < 0
	})
}

// total recomputes the report's totals.
func (r *Report) total() {
	r.TotalMonthlySaving, r.EasyMonthlySaving, r.BigMonthlySaving, r.RaiseMonthlyCost = 0, 0, 0, 0
	for _, x := range r.Recommendations {
		r.TotalMonthlySaving += x.MonthlySaving
		switch x.Class {
		case Easy:
			r.EasyMonthlySaving += x.MonthlySaving
		case Big:
			r.BigMonthlySaving += x.MonthlySaving
		case Raise:
			r.RaiseMonthlyCost -= x.MonthlySaving
		}
	}
}
