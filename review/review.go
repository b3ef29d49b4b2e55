package review

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/traffic"
	"github.com/headroom-sre/headroom/units"
)

// Config says what to review the system against. Its zero value reviews
// the system alone, with a day's notice for announced events.
type Config struct {
	// Scenarios are the System file's scenarios, each simulated as
	// written; a missed SLO blocks.
	Scenarios []sim.Scenario
	// Notice is how long ahead an announced event is known; 0 means
	// [DefaultNotice].
	Notice time.Duration
	// SLOs are the objectives of an SLO file, with their alerting, when
	// one was given (SLOGiven); SLOSource names it, for the evidence.
	// Without one the alerts cannot be checked, and the review cannot be
	// a go. When the System has no objectives of its own, the SLO file's
	// judge the simulations.
	SLOs      []slo.SLO
	SLOGiven  bool
	SLOSource string
	// MaxMultiple bounds the spike search; 0 means [DefaultMaxMultiple].
	MaxMultiple float64
}

// Defaults and judgements of the review. Each is a choice the review
// makes, named so that every figure it gives traces to one.
const (
	// DefaultNotice is how long ahead an announced event is known: a day,
	// as a broadcast's schedule or a marketing launch usually is.
	DefaultNotice = 24 * time.Hour
	// DefaultMaxMultiple bounds the spike search: a system that survives
	// a thousand times its normal rate is reported as "at least ×1000".
	DefaultMaxMultiple = 1000.0
	// SearchPrecision is the ratio at which the search stops: the largest
	// multiple survived and the smallest not survived are within 5%.
	SearchPrecision = 1.05
	// ScaleFactor is the multiple of replicas the scale-up check times.
	ScaleFactor = 10
	// LateFire is the fraction of a replica's capacity above which an HPA
	// that fires is late: in a spike faster than a pod's start-up, the
	// replicas it adds arrive after the saturation.
	LateFire = 0.9
	// BaseRun is how long the system is simulated at its normal rate to
	// find the replicas it runs there.
	BaseRun = 15 * time.Minute
)

// The spike the search probes with: the normal rate, then a rise within a
// minute (a broadcast's audience arrives within a minute of the mention),
// a quarter of an hour at the peak, and an exponential fall back.
const (
	ProbeAt    = 10 * time.Minute
	ProbeRise  = time.Minute
	ProbeHold  = 15 * time.Minute
	ProbeDecay = 5 * time.Minute
	ProbeFor   = 45 * time.Minute
)

// Review reviews a system. It returns an error for a system that does not
// compile (a *sim.ModelError) or when ctx ends; what the review finds,
// however bad, is the result.
func Review(ctx context.Context, sys sim.System, cfg Config) (*Result, error) {
	if cfg.Notice < 0 {
		return nil, fmt.Errorf("notice %v: must not be negative", cfg.Notice)
	}
	if cfg.Notice == 0 {
		cfg.Notice = DefaultNotice
	}
	if cfg.MaxMultiple == 0 {
		cfg.MaxMultiple = DefaultMaxMultiple
	}
	if !(cfg.MaxMultiple > 1) || math.IsInf(cfg.MaxMultiple, 0) {
		return nil, fmt.Errorf("max multiple %v: want a finite number above 1", cfg.MaxMultiple)
	}
	rv := &reviewer{sys: sys.Clone(), cfg: cfg, out: &Result{Notice: cfg.Notice, NoticeS: cfg.Notice.Seconds(), Findings: []Finding{}, ScaleUp: []ScaleUp{}, Scenarios: []ScenarioCheck{}}}
	if err := rv.run(ctx); err != nil {
		return nil, err
	}
	return rv.out, nil
}

type reviewer struct {
	sys   sim.System
	cfg   Config
	out   *Result
	model *sim.Model
	// judged tells that the system has objectives to judge runs by.
	judged bool
	// floor is each component's replica floor; from its ready replicas at
	// the normal rate (or its floor, when the rate is unknown).
	floor, from []int
	// unmeasured names the components whose capacity is not a measured
	// knee: every simulated figure rests on it.
	unmeasured []string
}

func (rv *reviewer) add(f Finding) { rv.out.Findings = append(rv.out.Findings, f) }

// caveat qualifies a simulated verdict that rests on capacities that are
// not measured knees: a no-go is the safe direction, and says why it may
// be wrong.
func (rv *reviewer) caveat() string {
	if len(rv.unmeasured) == 0 {
		return ""
	}
	return " (simulated with capacities that are not measured knees: " + strings.Join(rv.unmeasured, ", ") + ")"
}

func (rv *reviewer) run(ctx context.Context) error {
	o := rv.sys.Objectives
	rv.judged = o.Availability > 0 || o.LatencyThreshold > 0
	if !rv.judged && rv.cfg.SLOGiven {
		if from, ok := sim.ObjectivesFromSLOs(rv.cfg.SLOs); ok {
			rv.sys.Objectives, rv.judged = from, true
			rv.out.Notes = append(rv.out.Notes, "the System has no objectives: the simulations are judged by those of "+rv.cfg.SLOSource)
		}
	}
	m, err := sim.Compile(rv.sys)
	if err != nil {
		return err
	}
	rv.model = m
	rv.out.Notes = append(rv.out.Notes, m.Notes()...)
	rv.floor = make([]int, len(rv.sys.Components))
	for i, c := range rv.sys.Components {
		rv.floor[i] = floorOf(c)
	}
	rv.from = append([]int(nil), rv.floor...)

	rv.objectives()
	rv.alerts()
	for i := range rv.sys.Components {
		rv.capacity(i)
		rv.replicas(i)
		rv.pdb(i)
		rv.hpa(i)
	}
	rv.baseRate()
	if err := rv.base(ctx); err != nil {
		return err
	}
	if err := rv.scenarios(ctx); err != nil {
		return err
	}
	if err := rv.spikes(ctx); err != nil {
		return err
	}
	rv.scaleUp()
	rv.out.Unmeasured = append([]string{}, rv.unmeasured...)
	rv.verdict()
	return nil
}

// floorOf is the fewest replicas a component runs: its HPA's minimum, or
// its replica count (1 when not given).
func floorOf(c sim.Component) int {
	if c.HPA != nil {
		return max(c.HPA.MinReplicas, 1)
	}
	return max(c.Replicas, 1)
}

// verdict sorts the findings and settles the verdict.
func (rv *reviewer) verdict() {
	order := map[string]int{CheckScenario: 0, CheckSpike: 1, CheckHPA: 2, CheckScaleUp: 3, CheckCapacity: 4, CheckObjectives: 5,
		CheckAlerts: 6, CheckReplicas: 7, CheckPDB: 8}
	sort.SliceStable(rv.out.Findings, func(a, b int) bool {
		fa, fb := rv.out.Findings[a], rv.out.Findings[b]
		if fa.Severity.rank() != fb.Severity.rank() {
			return fa.Severity.rank() < fb.Severity.rank()
		}
		return order[fa.Check] < order[fb.Check]
	})
	rv.out.Verdict = Go
	rv.out.Reasons = []string{}
	for _, want := range []Severity{Blocker, Unknowable} {
		for _, f := range rv.out.Findings {
			if f.Severity == want {
				rv.out.Reasons = append(rv.out.Reasons, f.Summary)
			}
		}
		if len(rv.out.Reasons) > 0 {
			rv.out.Verdict = map[Severity]Verdict{Blocker: NoGo, Unknowable: Unknown}[want]
			return
		}
	}
}

// objectives: without objectives nothing can be judged.
func (rv *reviewer) objectives() {
	if rv.judged {
		return
	}
	why := "the System has no objectives"
	if rv.cfg.SLOGiven {
		why += " and " + rv.cfg.SLOSource + " has none the simulator can judge"
	}
	rv.add(Finding{Check: CheckObjectives, Severity: Unknowable,
		Summary:  why + ": whether any spike is survived cannot be judged",
		Evidence: []Evidence{},
		Fix:      "give the System availability and latency objectives (spec.slo), or the SLO file they come from"})
}

// alerts: an SLO nobody is paged for is found out by customers.
func (rv *reviewer) alerts() {
	if !rv.cfg.SLOGiven {
		rv.add(Finding{Check: CheckAlerts, Severity: Unknowable,
			Summary:  "no SLO file was given: whether anyone is paged when the error budget burns is not checked",
			Evidence: []Evidence{},
			Fix:      "review with the SLO file whose alerts are deployed"})
		return
	}
	if len(rv.cfg.SLOs) == 0 {
		rv.add(Finding{Check: CheckAlerts, Severity: Blocker,
			Summary:  rv.cfg.SLOSource + " holds no SLO: nothing alerts when customers get errors",
			Evidence: []Evidence{},
			Fix:      "write the objectives agreed with the business and deploy their burn-rate alerts"})
		return
	}
	for _, s := range rv.cfg.SLOs {
		name := s.Name
		if s.Objective != "" {
			name += "/" + s.Objective
		}
		tiers, _ := s.Tiers()
		pages := 0
		for _, t := range tiers {
			if t.Severity == slo.Page {
				pages++
			}
		}
		ev := []Evidence{{What: "burn-rate alerts", Value: float64(len(tiers)), Unit: "alerts", Text: fmt.Sprint(len(tiers)), Source: rv.cfg.SLOSource + ": " + name + " alerting"},
			{What: "of which page", Value: float64(pages), Unit: "alerts", Text: fmt.Sprint(pages), Source: rv.cfg.SLOSource + ": " + name + " alerting"}}
		switch {
		case len(tiers) == 0:
			rv.add(Finding{Check: CheckAlerts, Severity: Blocker, Summary: "SLO " + name + " has no burn-rate alert: nobody is told when its budget burns",
				Evidence: ev, Fix: "enable its burn-rate tiers (the default tiers page on 2% of the budget in an hour) and deploy the rules"})
		case pages == 0:
			rv.add(Finding{Check: CheckAlerts, Severity: Warning, Summary: "SLO " + name + " only opens tickets: a fast burn waits for working hours",
				Evidence: ev, Fix: "add a page tier (2% of the budget in an hour, as the SRE Workbook's first tier)"})
		}
	}
}

// capacity: a capacity that was not measured makes every figure a guess.
func (rv *reviewer) capacity(i int) {
	c := rv.sys.Components[i]
	capa := c.Capacity
	ev := []Evidence{{What: "capacity per replica", Value: capa.PerReplicaRPS, Unit: "req/s", Text: units.Rate(capa.PerReplicaRPS), Source: capacitySource(i, capa)}}
	what := "written by hand"
	switch {
	case strings.HasPrefix(capa.Evidence, "placeholder"):
		what = "a placeholder"
	case capa.Source == sim.CapacityEstimated:
		what = "estimated from history"
	}
	switch {
	case capa.Source != sim.CapacityMeasured:
		rv.unmeasured = append(rv.unmeasured, c.Name)
		rv.add(Finding{Check: CheckCapacity, Severity: Unknowable, Component: c.Name,
			Summary:  c.Name + "'s capacity is " + what + ", not measured: every survival figure rests on it",
			Evidence: ev, Fix: "measure one replica's capacity (headroom capacity) and give the profile"})
	case capa.LowerBound:
		rv.unmeasured = append(rv.unmeasured, c.Name)
		rv.add(Finding{Check: CheckCapacity, Severity: Warning, Component: c.Name,
			Summary:  c.Name + "'s capacity is only a lower bound: the figures are pessimistic, and its HPA check may flag a metric that does fire",
			Evidence: ev, Fix: "measure again with a load generator that can reach the knee"})
	}
}

func capacitySource(i int, c sim.Capacity) string {
	src := fmt.Sprintf("components[%d].capacity (%s)", i, c.Source)
	if c.Evidence != "" {
		src += ": " + c.Evidence
	}
	return src
}

// replicas: one replica is an outage at every restart, eviction or node
// upgrade.
func (rv *reviewer) replicas(i int) {
	c := rv.sys.Components[i]
	if rv.floor[i] > 1 {
		return
	}
	src := fmt.Sprintf("components[%d].replicas", i)
	if c.HPA != nil {
		src = fmt.Sprintf("components[%d].hpa.minReplicas", i)
	}
	rv.add(Finding{Check: CheckReplicas, Severity: Warning, Component: c.Name,
		Summary:  c.Name + " may run a single replica: a restart, an eviction or a node upgrade takes it down",
		Evidence: []Evidence{{What: "replica floor", Value: 1, Unit: "replicas", Text: "1", Source: src}},
		Fix:      "run at least 2 replicas (minReplicas: 2), spread over zones, with a PodDisruptionBudget"})
}

// pdb: without a PodDisruptionBudget a node drain may evict every replica
// at once; one that allows no disruption stalls node drains, and GKE's
// automatic node upgrades respect a PodDisruptionBudget for an hour only,
// then evict anyway.
func (rv *reviewer) pdb(i int) {
	c := rv.sys.Components[i]
	n := rv.floor[i]
	if c.PDB == nil {
		rv.add(Finding{Check: CheckPDB, Severity: Warning, Component: c.Name,
			Summary:  c.Name + " has no PodDisruptionBudget: a node drain or upgrade may evict all its replicas at once",
			Evidence: []Evidence{{What: "replica floor", Value: float64(n), Unit: "replicas", Text: fmt.Sprint(n), Source: floorSource(i, c)}},
			Fix:      "add a PodDisruptionBudget with maxUnavailable: 1"})
		return
	}
	allowed := AllowedDisruptions(*c.PDB, n)
	ev := []Evidence{{What: "replica floor", Value: float64(n), Unit: "replicas", Text: fmt.Sprint(n), Source: floorSource(i, c)},
		{What: "disruptions allowed at the floor", Value: float64(allowed), Unit: "replicas", Text: fmt.Sprint(allowed),
			Source: fmt.Sprintf("components[%d].pdb, as the disruption controller computes it", i)}}
	switch {
	case allowed == 0:
		rv.add(Finding{Check: CheckPDB, Severity: Warning, Component: c.Name,
			Summary:  c.Name + "'s PodDisruptionBudget allows no eviction at its floor: node drains stall, and GKE upgrades evict anyway after an hour",
			Evidence: ev, Fix: "allow one disruption (maxUnavailable: 1) and run one replica more than the budget keeps"})
	case allowed >= n:
		rv.add(Finding{Check: CheckPDB, Severity: Warning, Component: c.Name,
			Summary:  c.Name + "'s PodDisruptionBudget allows every replica to be evicted at once: it protects nothing",
			Evidence: ev, Fix: "use maxUnavailable: 1"})
	}
}

// AllowedDisruptions is how many of pods healthy pods a
// PodDisruptionBudget lets be evicted, as the disruption controller
// computes status.disruptionsAllowed: currentHealthy − desiredHealthy,
// with desiredHealthy from getExpectedPodCount (k8s.io/kubernetes
// pkg/controller/disruption/disruption.go, Kubernetes v1.37), where a
// percentage is of the expected pods rounded up
// (intstr.GetScaledValueFromIntOrPercent with roundUp), for minAvailable
// and maxUnavailable alike.
func AllowedDisruptions(p sim.PDB, pods int) int {
	scaled := func(c sim.PodCount) int {
		if c.Percent {
			return int(math.Ceil(float64(c.Value) * float64(pods) / 100))
		}
		return c.Value
	}
	desired := 0
	switch {
	case p.MaxUnavailable.Set:
		desired = pods - scaled(p.MaxUnavailable)
	case p.MinAvailable.Set:
		desired = scaled(p.MinAvailable)
	}
	return max(pods-max(desired, 0), 0)
}

func floorSource(i int, c sim.Component) string {
	if c.HPA != nil {
		return fmt.Sprintf("components[%d].hpa.minReplicas", i)
	}
	return fmt.Sprintf("components[%d].replicas", i)
}

// baseRate is the system's normal rate: the SLO's window rate, else the
// first scenario's starting rate.
func (rv *reviewer) baseRate() {
	if r := rv.sys.Objectives.WindowRate; r > 0 {
		rv.out.BaseRate, rv.out.BaseSource = r, "slo.windowRate"
		return
	}
	for _, sc := range rv.cfg.Scenarios {
		if r := sc.Traffic.Rate(0); r > 0 && !math.IsInf(r, 0) {
			rv.out.BaseRate, rv.out.BaseSource = r, "scenario "+sc.Name+"'s starting rate"
			return
		}
	}
	rv.out.BaseSource = "unknown: no slo.windowRate and no scenario starts above zero"
}

// base simulates the normal rate: the replicas each component runs there,
// and whether it is met at all.
func (rv *reviewer) base(ctx context.Context) error {
	rate := rv.out.BaseRate
	if rate <= 0 {
		return nil
	}
	tr, err := traffic.Constant(rate, BaseRun)
	if err != nil {
		return fmt.Errorf("base traffic: %w", err)
	}
	res, err := rv.model.Run(ctx, sim.Scenario{Name: "review-base", Traffic: tr, Event: sim.EventSurprise}, sim.Options{})
	if err != nil {
		return fmt.Errorf("simulate the normal rate: %w", err)
	}
	for i, c := range res.Components {
		rv.from[i] = max(c.ReadyStart, 1)
	}
	if rv.judged && !res.SLOMet {
		rv.add(Finding{Check: CheckSpike, Severity: Blocker, Summary: "the system misses its SLO at its normal rate, before any spike" + rv.caveat(),
			Evidence: []Evidence{rateEvidence("normal rate", rate, rv.out.BaseSource),
				{What: "error budget burned in " + units.Duration(BaseRun), Value: res.BudgetBurned, Unit: "fraction", Text: units.Percent(res.BudgetBurned), Source: "simulation at the normal rate"}},
			Fix: "give the bottleneck (" + res.Bottleneck + ") more replicas or capacity"})
	}
	return nil
}

func rateEvidence(what string, r float64, src string) Evidence {
	return Evidence{What: what, Value: r, Unit: "req/s", Text: units.Rate(r), Source: src}
}

// scenarios runs the file's scenarios as written.
func (rv *reviewer) scenarios(ctx context.Context) error {
	rv.out.Scenarios = []ScenarioCheck{}
	if !rv.judged {
		return nil
	}
	for _, sc := range rv.cfg.Scenarios {
		// Run whole, as headroom sim runs it, so the figures agree.
		res, err := rv.model.Run(ctx, sc, sim.Options{})
		if err != nil {
			var me *sim.ModelError
			if errors.As(err, &me) {
				return err
			}
			return fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
		mult := rv.multiple(sc)
		chk := ScenarioCheck{Name: sc.Name, Event: res.Event, Multiple: mult, SLOMet: res.SLOMet, BudgetBurned: res.BudgetBurned}
		if !res.SLOMet {
			chk.Bottleneck = res.Bottleneck
			rv.add(Finding{Check: CheckScenario, Severity: Blocker, Component: res.Bottleneck,
				Summary: fmt.Sprintf("scenario %s (%s) misses the SLO: %s", sc.Name, res.Event, res.BottleneckReason) + rv.caveat(),
				Evidence: []Evidence{{What: "error budget burned", Value: res.BudgetBurned, Unit: "fraction", Text: units.Percent(res.BudgetBurned), Source: "simulation of scenario " + sc.Name},
					{What: "peak over the normal rate", Value: mult, Unit: "×", Text: times(mult), Source: "scenario " + sc.Name + "'s traffic"}},
				Fix: "see headroom plan for the cheapest configuration that survives it"})
		}
		rv.out.Scenarios = append(rv.out.Scenarios, chk)
	}
	return nil
}

// multiple is a scenario's peak rate over the base rate, read every ten
// seconds (0 when the base rate is unknown).
func (rv *reviewer) multiple(sc sim.Scenario) float64 {
	if rv.out.BaseRate <= 0 {
		return 0
	}
	d := sc.Duration
	if d == 0 {
		d = sc.Traffic.Duration()
	}
	step := max(10*time.Second, d/10000)
	peak := 0.0
	for t := time.Duration(0); t <= d; t += step {
		peak = max(peak, sc.Traffic.Rate(t))
	}
	return peak / rv.out.BaseRate
}

func times(x float64) string { return "×" + units.Number(x) }
