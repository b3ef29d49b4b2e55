package plan

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/units"
)

// Problem is what the planner is asked: today's system and the traffic it
// must survive.
type Problem struct {
	// System is today's configuration, as the System file gives it.
	System sim.System
	// Scenarios are the traffic patterns every recommended configuration
	// must survive within the SLO.
	Scenarios []Scenario
	// Sizing bounds each component's CPU request, by component name; a
	// component without an entry gets the default bounds (see [Sizing]).
	Sizing map[string]Sizing
	// StandbyNodeHour is the price of one suspended node of a standby
	// CapacityBuffer per hour, in the System's currency
	// (pricing.Catalog.StandbyNode); 0 means unknown: standby buffers are
	// then not searched (a buffer of unknown price cannot be called the
	// cheapest), unless today's buffer carries its own price.
	StandbyNodeHour float64
}

// Scenario is one traffic pattern and how often it happens.
//
// Its Event (sim.EventNotice) says whether the plan may pre-scale for it:
// an announced event (its date and time known ahead) may get a pre-scale
// floor raised a lead time before it; a surprise may not, so minReplicas,
// maxReplicas, the HPA's target and behavior, the requests and the spare
// node capacity alone must absorb it. A scenario that does not say is
// announced ([sim.DefaultEventNotice]), as before scenarios could say;
// every output then says "assuming you know the date", and
// [Options.PriceSurprise] prices not knowing it.
type Scenario struct {
	sim.Scenario
	// PerMonth is how many times a month the event happens; 0 means
	// [DefaultPerMonth]. The monthly cost counts the event's own cost this
	// many times.
	PerMonth float64
	// Unannounced plans the scenario as a surprise whatever its Event
	// says: the plan may not pre-scale for it, so the autoscaler alone
	// must cope.
	Unannounced bool
}

// DefaultPerMonth is how often a scenario's event happens when nobody
// says: once a month.
const DefaultPerMonth = 1.0

// Sizing bounds the CPU request the planner may give a component's pods,
// in cores. A replica's capacity is taken to scale with its CPU request:
// with a fraction f of today's request it serves f times the rate at the
// same latency. The planner does not extrapolate: by default it never
// goes above today's request (nothing was measured there) nor below the
// lowest load the capacity curve measured (or today's request when the
// capacity has no curve).
type Sizing struct {
	// MinCPU and MaxCPU bound the CPU request; 0 means the default bound.
	// Equal values fix the request.
	MinCPU, MaxCPU float64
}

// Options tune the search. The zero Options are the defaults.
type Options struct {
	// Resolution is the simulation's time step; 0 means
	// sim.DefaultResolution, the step `headroom sim` uses.
	Resolution time.Duration
	// MinReplicas is the lowest minReplicas the plan recommends; 0 means
	// [DefaultMinReplicas], or today's minReplicas when that is lower.
	MinReplicas int
	// BaselineRate is the everyday request rate, per second, at which the
	// steady-state monthly bill is computed; 0 means the SLO's window rate
	// when given, else the lowest starting rate of the scenarios.
	BaselineRate float64
	// Lead is how long before an event pre-scaling starts; 0 means each
	// component's start-up plus node provisioning plus a minute, rounded
	// up to a minute.
	Lead time.Duration
	// Tolerance is how close to the cheapest the search must get, as a
	// fraction of the monthly cost: it stops when no option left can be
	// cheaper by more than this. 0 means [DefaultTolerance]; a negative
	// value means exact.
	Tolerance float64
	// Multiples are the spike multiples the Pareto table plans for (the
	// scenarios' traffic × k); nil means [DefaultMultiples].
	Multiples []float64
	// Targets are the SLO targets (availability) the Pareto table plans
	// for; nil means [DefaultTargets] and the SLO's own.
	Targets []float64
	// NoPareto skips the Pareto table (several more searches).
	NoPareto bool
	// AsSurprise plans every scenario as a surprise, whatever its Event
	// says: no pre-scaling anywhere.
	AsSurprise bool
	// PriceSurprise, when some scenario is announced, plans the problem a
	// second time with every event a surprise, into [Result.Surprise]: the
	// price of not knowing the dates, and Pareto tables where every nine
	// and every bigger spike is paid for all month. It takes more than
	// twice as long: a surprise holds higher floors, which take more
	// simulations to settle.
	PriceSurprise bool
	// Workers is how many simulations run at once; 0 means GOMAXPROCS.
	// The result does not depend on it.
	Workers int
	// Progress, when set, is called as the search advances, from the
	// goroutine that called Plan.
	Progress func(Progress)
}

// Defaults of the search.
const (
	// DefaultMinReplicas is the lowest minReplicas recommended: one
	// replica is a single point of failure (a node drain or a crash takes
	// the service down) that the simulator does not model.
	DefaultMinReplicas = 2
	// DefaultTolerance: the search settles for a configuration within 2%
	// of the cheapest its grid holds. On Standard nodes many options share
	// a node count, and so a steady bill, and differ only by what events
	// cost (typically around 1% of the month); telling them apart takes
	// thousands of simulations for a few cents.
	DefaultTolerance = 0.02
)

// DefaultMultiples are the spike multiples of the Pareto table.
var DefaultMultiples = []float64{1.5, 2, 3}

// DefaultTargets are the availability targets of the Pareto table.
var DefaultTargets = []float64{0.99, 0.995, 0.999, 0.9995, 0.9999}

// Progress reports how far the search is.
type Progress struct {
	// Phase names what is being planned: "today", "search", "pareto ×2"…
	Phase string
	// Done and Total count the options of the phase looked at so far.
	Done, Total int
	// Simulations counts the simulations run since the plan started.
	Simulations int64
	// Best is the cheapest monthly cost found in the phase (NaN if none).
	Best float64
}

// Result is the plan.
type Result struct {
	// Currency names the currency of every amount.
	Currency string `json:"currency"`
	// BaselineRate is the everyday rate the steady state is priced at,
	// per second.
	BaselineRate float64 `json:"baseline_rate"`
	// Current is today's configuration, simulated.
	Current Evaluation `json:"current"`
	// Recommended is the cheapest configuration found that meets the SLO
	// in every scenario, or nil when none does within the search bounds.
	Recommended *Evaluation `json:"recommended"`
	// Saving is Current.MonthlyCost − Recommended.MonthlyCost (0 without
	// a recommendation); negative when meeting the SLO costs more.
	Saving float64 `json:"saving"`
	// Changes list what differs from today, per component.
	Changes []Change `json:"changes"`
	// Why explains what binds: the cheaper step of each setting that
	// fails, and why it fails.
	Why []Reason `json:"why"`
	// Pareto is what more safety costs.
	Pareto Pareto `json:"pareto"`
	// Search counts the work done.
	Search Stats `json:"search"`
	// Notes are assumptions the plan made.
	Notes []string `json:"notes,omitempty"`
	// Assumption says what the plan assumes about the events' dates:
	// "assuming you know the date" when every scenario is announced, "for
	// a surprise" when none is, else both, naming the scenarios
	// ("assuming you know the date of tv-spike; for a surprise: step").
	Assumption string `json:"assumption"`
	// Surprise is the same problem planned with every event a surprise
	// (no pre-scaling anywhere): what the configuration must be, and
	// cost, when nobody knows the dates. It is set when some scenario is
	// announced and [Options.PriceSurprise] asks; its own Surprise is nil.
	Surprise *Result `json:"surprise,omitempty"`
	// SurpriseExtra is Surprise's recommended monthly cost minus this
	// plan's: the price of not knowing the dates (0 unless both have a
	// recommendation).
	SurpriseExtra float64 `json:"surprise_extra,omitempty"`
}

// Evaluation is one configuration with its cost and verdicts.
type Evaluation struct {
	// MonthlyCost is SteadyMonthly plus, for each scenario, its event's
	// own cost times how often it happens a month.
	MonthlyCost float64 `json:"monthly_cost"`
	// SteadyMonthly is the bill of a month at the baseline rate: the
	// steady state's hourly cost × 730.
	SteadyMonthly float64 `json:"steady_monthly"`
	// EventsMonthly is MonthlyCost − SteadyMonthly.
	EventsMonthly float64 `json:"events_monthly"`
	// SLOMet tells whether every scenario met its SLO.
	SLOMet bool `json:"slo_met"`
	// Scenarios are the verdicts, in the problem's order.
	Scenarios []ScenarioOutcome `json:"scenarios"`
	// Config is the configuration.
	Config Config `json:"config"`
	// System is the configuration as a system to simulate, without
	// pre-scaling (see [Evaluation.ScenarioSystem]).
	System sim.System `json:"-"`

	windows []window // per scenario: the pre-scale window, if any
}

// ScenarioSystem returns the system to simulate the i-th scenario with:
// System with the pre-scaling planned before that scenario's event. Run
// the scenario with the Event its outcome says it was planned for: a
// surprise gets no pre-scaling, whatever the system holds.
func (e *Evaluation) ScenarioSystem(i int) sim.System {
	sys := e.System.Clone()
	for c := range e.Config.Components {
		cc := &e.Config.Components[c]
		for _, p := range cc.Prescale {
			if i < len(e.windows) && p.Scenario == e.windows[i].scenario {
				sys.Components[c].Prescale = prescaleSteps(p.Start, p.End, p.Replicas, cc.floor())
			}
		}
	}
	return sys
}

// ScenarioOutcome is one scenario's verdict and cost.
type ScenarioOutcome struct {
	Name string `json:"name"`
	// SLOMet and BudgetBurned are the simulator's verdict.
	SLOMet       bool    `json:"slo_met"`
	BudgetBurned float64 `json:"budget_burned"`
	// Cost is what the scenario costs; EventCost what it costs beyond the
	// steady state over the same time (never below 0).
	Cost      float64 `json:"cost"`
	EventCost float64 `json:"event_cost"`
	// PerMonth is how often it happens a month.
	PerMonth float64 `json:"per_month"`
	// Prescaled tells whether the configuration pre-scales before it.
	Prescaled bool `json:"prescaled"`
	// Event is "announced" (the plan may pre-scale before it) or
	// "surprise" (it may not), as planned.
	Event string `json:"event"`
	// Assumption says it for a reader: "assuming you know the date" or
	// "for a surprise".
	Assumption string `json:"assumption"`
	// Bottleneck and BottleneckReason are the simulator's.
	Bottleneck       string `json:"bottleneck"`
	BottleneckReason string `json:"bottleneck_reason"`
}

// Config is a configuration: what the plan decides.
type Config struct {
	Components []ComponentConfig `json:"components"`
	// Buffer is the spare node capacity held by placeholder pods or a
	// CapacityBuffer.
	Buffer Buffer `json:"buffer"`
}

// Buffer is spare capacity: Count units of CPU cores and Memory bytes
// each, held by placeholder pods, or by a GKE CapacityBuffer of Count
// replicas (Kind says which).
type Buffer struct {
	// Kind is "" for placeholder pods, "active" or "standby" for a
	// CapacityBuffer of that provisioning strategy.
	Kind   string  `json:"kind,omitempty"`
	Count  int     `json:"count"`
	CPU    float64 `json:"cpu"`
	Memory float64 `json:"memory"`
}

// CapacityBuffer tells whether the buffer is a GKE CapacityBuffer.
func (b Buffer) CapacityBuffer() bool {
	return b.Count > 0 && (b.Kind == "active" || b.Kind == "standby")
}

// ComponentConfig is one component's settings.
type ComponentConfig struct {
	Name string `json:"name"`
	// CPURequest, CPULimit (0: none), MemoryRequest and MemoryLimit are
	// one pod's resources, in cores and bytes.
	CPURequest    float64 `json:"cpu_request"`
	CPULimit      float64 `json:"cpu_limit,omitempty"`
	MemoryRequest float64 `json:"memory_request"`
	MemoryLimit   float64 `json:"memory_limit,omitempty"`
	// PerReplicaRPS is one replica's capacity at that CPU request, and
	// CapacityScale its ratio to the measured capacity (1: as measured).
	PerReplicaRPS float64 `json:"per_replica_rps"`
	CapacityScale float64 `json:"capacity_scale"`
	// Replicas is the fixed replica count of a component without an HPA.
	Replicas int `json:"replicas,omitempty"`
	// HPA is the autoscaler, nil without one.
	HPA *HPAConfig `json:"hpa,omitempty"`
	// Prescale lists the pre-scaling before each scenario's event.
	Prescale []PrescaleStep `json:"prescale,omitempty"`
}

func (c *ComponentConfig) floor() int {
	if c.HPA != nil {
		return c.HPA.MinReplicas
	}
	return c.Replicas
}

// HPAConfig is a HorizontalPodAutoscaler's settings.
type HPAConfig struct {
	MinReplicas int `json:"min_replicas"`
	MaxReplicas int `json:"max_replicas"`
	// Target is the first metric's target.
	Target Target `json:"target"`
	// ScaleUp names the scale-up behavior: "as today" or "fast" (see
	// [FastScaleUp]).
	ScaleUp string `json:"scale_up"`
	// Behavior is the HPA's behavior (nil: the legacy defaults).
	Behavior *sim.Behavior `json:"-"`
	metric   sim.Metric
}

// Target is an HPA metric's target.
type Target struct {
	// Metric is "cpu" or the metric's name; Source its autoscaling/v2
	// source (Resource, Pods, Object, External).
	Metric string `json:"metric"`
	Source string `json:"source"`
	// Type is Utilization, AverageValue or Value.
	Type string `json:"type"`
	// Value is the target: percent of the CPU request for Utilization,
	// else the value in the metric's unit (cores, requests per second).
	Value float64 `json:"value"`
	// Load is the target as a fraction of one replica's capacity; nil
	// when it has no such meaning (a Value target).
	Load *float64 `json:"load,omitempty"`
}

// PrescaleStep raises a component's replica floor before one scenario's
// event: from Start to End (offsets from the scenario's start) it runs at
// least Replicas replicas. Lead is how long before the event the floor
// should rise (the component's start-up, node provisioning and a
// minute); Start is Event − Lead, or the scenario's start when the event
// comes sooner, as simulated.
type PrescaleStep struct {
	Scenario string        `json:"scenario"`
	Replicas int           `json:"replicas"`
	Start    time.Duration `json:"-"`
	End      time.Duration `json:"-"` // −1: until the scenario ends (today's pre-scaling)
	Lead     time.Duration `json:"-"`
	// StartS, EndS and LeadS are Start, End and Lead in seconds.
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
	LeadS  float64 `json:"lead_s"`
	// Event is when the event starts, from the scenario's start.
	Event  time.Duration `json:"-"`
	EventS float64       `json:"event_s"`
}

// Change is one setting that differs from today.
type Change struct {
	// Component is the component's name, or "nodes" for the buffer.
	Component string `json:"component"`
	Setting   string `json:"setting"`
	From      string `json:"from"`
	To        string `json:"to"`
}

// Reason is one binding constraint: a setting whose cheaper step fails.
type Reason struct {
	Component string `json:"component"`
	Setting   string `json:"setting"`
	// Value is the recommended value, Cheaper the step that fails.
	Value   string `json:"value"`
	Cheaper string `json:"cheaper"`
	// Scenario is the scenario that fails with the cheaper step.
	Scenario string `json:"scenario"`
	// Constraint is what binds: "start-up time", "node provisioning",
	// "max replicas", "downstream component", "capacity", "scale-up rate".
	Constraint string `json:"constraint"`
	// Detail says it in a sentence.
	Detail string `json:"detail"`
}

// Pareto is what more safety costs.
type Pareto struct {
	// Spike is the frontier of monthly cost against the largest multiple
	// of the scenarios' traffic survived: more cost never survives less.
	Spike []SpikePoint `json:"spike"`
	// SLO is the cheapest monthly cost for each availability target.
	SLO []SLOPoint `json:"slo"`
	// Notes say what was skipped.
	Notes []string `json:"notes,omitempty"`
	// Assumption is the plan's (see [Result.Assumption]): the tables read
	// "assuming you know the date" or "for a surprise".
	Assumption string `json:"assumption,omitempty"`
}

// SpikePoint is one configuration of the spike frontier.
type SpikePoint struct {
	// PlannedFor is the multiple it was planned for (1 for the
	// recommendation).
	PlannedFor float64 `json:"planned_for"`
	// Survives is the largest multiple of every scenario's traffic it
	// survives (within 0.05).
	Survives    float64 `json:"survives"`
	MonthlyCost float64 `json:"monthly_cost"`
	Config      Config  `json:"config"`
}

// SLOPoint is the cheapest configuration for one availability target.
type SLOPoint struct {
	Target float64 `json:"target"`
	// Found is false when nothing within the search bounds meets it.
	Found       bool    `json:"found"`
	MonthlyCost float64 `json:"monthly_cost"`
	// Extra is the cost over the previous (lower) target's.
	Extra float64 `json:"extra"`
	// Current marks the SLO's own target.
	Current bool `json:"current"`
}

// Stats count the search's work. The counts do not depend on Workers.
type Stats struct {
	// Space is the size of the grid searched: every combination of every
	// setting, in every search (the main one and the Pareto ones).
	Space float64 `json:"space"`
	// Candidates is how many configurations the searches decided on: by
	// simulating them, by monotonicity (a bisection over n values decides
	// n of them with about log2 n simulations) or by a bound or dominance
	// (an option pruned whole counts once).
	Candidates int64 `json:"candidates"`
	// Evaluated is how many configurations were simulated, Simulations
	// how many scenario runs that took (each cached), and SteadyRuns how
	// many one-step runs priced steady states (for bounds).
	Evaluated   int64 `json:"evaluated"`
	Simulations int64 `json:"simulations"`
	SteadyRuns  int64 `json:"steady_runs"`
	// Pruned counts option sets ruled out by a bound or by dominance.
	Pruned int64 `json:"pruned"`
	// Elapsed is the wall time, in seconds.
	Elapsed float64 `json:"elapsed_s"`
}

// ErrNoScenarios is returned for a problem without scenarios.
var ErrNoScenarios = &ProblemError{Msg: "no scenarios to plan for"}

// ProblemError is a problem that cannot be planned as given (a bad
// scenario, sizing or frequency). An invalid system is a
// *sim.ModelError instead.
type ProblemError struct{ Msg string }

func (e *ProblemError) Error() string { return "plan: " + e.Msg }

func badProblem(format string, args ...any) error {
	return &ProblemError{Msg: fmt.Sprintf(format, args...)}
}

// Plan finds the cheapest configuration of p.System that meets the SLO
// in every scenario, compares it with today's, and prices more safety.
// It is deterministic: the same problem and options give the same result,
// whatever Workers is.
func Plan(ctx context.Context, p Problem, opt Options) (*Result, error) {
	start := time.Now()
	if len(p.Scenarios) == 0 {
		return nil, ErrNoScenarios
	}
	if _, err := sim.Compile(p.System); err != nil {
		return nil, err
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Tolerance == 0 {
		opt.Tolerance = DefaultTolerance
	}
	opt.Tolerance = math.Max(opt.Tolerance, 0)
	sp, err := newSpace(p, opt)
	if err != nil {
		return nil, err
	}
	ev := newEvaluator(sp, opt)
	pl := &planner{sp: sp, ev: ev, opt: opt}
	res, err := pl.run(ctx)
	if err != nil {
		return nil, err
	}
	res.Search.Elapsed = math.Round(time.Since(start).Seconds()*1000) / 1000
	if sp.announced() && !opt.AsSurprise && opt.PriceSurprise {
		// The price of not knowing the dates: the same problem, every
		// event a surprise.
		so := opt
		so.AsSurprise, so.PriceSurprise = true, false
		if opt.Progress != nil {
			so.Progress = func(pr Progress) {
				pr.Phase = "surprise: " + pr.Phase
				opt.Progress(pr)
			}
		}
		sur, err := Plan(ctx, p, so)
		if err != nil {
			return nil, err
		}
		res.Surprise = sur
		if res.Recommended != nil && sur.Recommended != nil {
			res.SurpriseExtra = round2(sur.Recommended.MonthlyCost - res.Recommended.MonthlyCost)
		}
	}
	return res, nil
}

// planner runs the searches of one plan.
type planner struct {
	sp      *space
	ev      *evaluator
	opt     Options
	phase   string
	stats   Stats
	decided atomic.Int64
}

func (pl *planner) progress(done, total int, best float64) {
	if pl.opt.Progress != nil {
		pl.opt.Progress(Progress{Phase: pl.phase, Done: done, Total: total, Simulations: pl.ev.sims.Load() + pl.ev.steadyRuns.Load(), Best: best})
	}
}

func (pl *planner) run(ctx context.Context) (*Result, error) {
	sp := pl.sp
	res := &Result{Currency: sp.base.Prices.Currency, BaselineRate: sp.baseline, Notes: append([]string(nil), sp.notes...), Assumption: sp.assumption()}
	if !pl.opt.NoPareto {
		res.Pareto.Assumption = res.Assumption
	}
	pl.phase = "today"
	pl.progress(0, 1, math.NaN())
	cur, err := pl.ev.current(ctx)
	if err != nil {
		return nil, err
	}
	res.Current = *cur
	pl.progress(1, 1, cur.MonthlyCost)

	main := sp.variant(1, sp.base.Objectives)
	pl.phase = "search"
	best, err := pl.search(ctx, main, nil)
	if err != nil {
		return nil, err
	}
	// Every configuration any search finds joins a pool: the
	// recommendation is the cheapest of them that meets the SLO (a search
	// for a bigger spike may land on a cheaper one than the search for the
	// spike itself, within the tolerance), and the Pareto tables read
	// from the same pool, so they agree with it.
	pool := &pool{}
	if best != nil {
		pl.phase = "refine"
		if best, err = pl.refine(ctx, main, best); err != nil {
			return nil, err
		}
		pool.add(best, 1)
	}
	if !pl.opt.NoPareto {
		if err := pl.explore(ctx, res, pool); err != nil {
			return nil, err
		}
	}
	rec, err := pl.cheapest(ctx, main, pool)
	if err != nil {
		return nil, err
	}
	if rec != nil {
		ev, err := pl.ev.evaluation(ctx, main, rec)
		if err != nil {
			return nil, err
		}
		res.Recommended = ev
		res.Saving = round2(cur.MonthlyCost - ev.MonthlyCost)
		res.Changes = changes(&cur.Config, &ev.Config)
		if b := ev.Config.Buffer; b.CapacityBuffer() {
			res.Notes = append(res.Notes, bufferNote(b, sp.standbyHour, res.Currency))
		}
		if b := ev.Config.Buffer; b.Count > 0 && sp.base.Nodes.Profile() == sim.OptimizeUtilization {
			res.Notes = append(res.Notes, fmt.Sprintf("the recommendation counts on warm room (%s) and the cluster autoscaler runs optimize-utilization, which removes spare nodes faster than balanced and which GKE does not recommend for serving: the buffer itself is restored, but nodes freed after one wave are gone sooner before the next", b))
		}
		pl.phase = "why"
		pl.progress(0, 1, ev.MonthlyCost)
		if res.Why, err = pl.why(ctx, main, rec); err != nil {
			return nil, err
		}
		pl.progress(1, 1, ev.MonthlyCost)
	}
	if !pl.opt.NoPareto {
		if err := pl.tables(ctx, res, pool); err != nil {
			return nil, err
		}
	}
	res.Search = pl.stats
	res.Search.Candidates = pl.decided.Load()
	res.Search.Evaluated = pl.ev.evaluated.Load()
	res.Search.Simulations = pl.ev.sims.Load()
	res.Search.SteadyRuns = pl.ev.steadyRuns.Load()
	return res, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// bufferNote says what a recommended CapacityBuffer needs and how it is
// billed.
func bufferNote(b Buffer, standbyHour float64, currency string) string {
	if b.Kind == "standby" {
		return fmt.Sprintf("the %s needs GKE %s or later with node auto-provisioning; its suspended nodes are billed for storage only (priced at %s an hour each), and its pods wait about %s for a node to resume",
			b, sim.StandbyBufferMinGKE, units.Money(standbyHour, currency), units.Duration(sim.DefaultStandbyResume))
	}
	return fmt.Sprintf("the %s needs GKE %s or later (placeholder pods of the same size hold the same room on older clusters); its room is billed as running nodes",
		b, sim.ActiveBufferMinGKE)
}

// errf formats a planner error.
func errf(format string, args ...any) error { return fmt.Errorf("plan: "+format, args...) }
