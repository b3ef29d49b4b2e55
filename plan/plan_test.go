package plan

import (
	"context"
	"encoding/json"
	"flag"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/traffic"
)

var update = flag.Bool("update", false, "rewrite golden files")

// autopilotPrices are the shipped catalog's Autopilot general-purpose
// prices in us-central1 and the cluster fee.
func autopilotPrices() sim.Prices {
	cat := pricing.GCP()
	rate, err := cat.Autopilot("us-central1", pricing.GeneralPurpose)
	if err != nil {
		panic(err)
	}
	return sim.Prices{Currency: "USD", VCPUHour: rate.VCPU.USD, GiBHour: rate.GiB.USD, ClusterFeeHour: cat.ClusterFee.USD}
}

func curve(t testing.TB, s string) *traffic.Curve {
	t.Helper()
	c, err := traffic.Parse(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// stepSystem is a system whose plan is known by hand. One component
// serves up to 100 req/s per replica, but its latency stays within the
// objective only up to 50 req/s per replica: at 51 and beyond every
// request takes 2 s, far over the 500 ms threshold. A request costs 10 ms
// of CPU on a one-core request, so a replica at 50 req/s sits at 50% CPU,
// which is the HPA's target. New pods take 3 minutes to become ready.
//
// The scenario steps from 100 to 1000 req/s at 10m and stays there for 10
// minutes. The SLO (99.9% of requests within 500 ms over 30 days, a
// scenario burning at most 10% of the budget) allows about 25,900 slow
// requests: 0.1% of the window's 259 million, a tenth of that. At 1000
// req/s that is 26 seconds of slow traffic.
//
// So when the step arrives, 1000/50 = 20 replicas must already be ready:
//   - with 20, each takes 50 req/s: within the latency knee;
//   - with 19, each takes 52.6 req/s: every request is slow, and the HPA
//     does not even react (52.6% against a 50% target is within its 10%
//     tolerance); had it reacted, new pods would take 3 minutes (plus
//     node provisioning), 180,000 slow requests, seven times the budget.
//
// The step cannot be met by the HPA alone, so the answer is a pre-scale
// to exactly 20 replicas before the step; or, when the step is
// unannounced, a floor of exactly 20 replicas (no target in the grid
// holds 20 replicas at 100 req/s: that would take a 5% target).
func stepSystem() sim.System {
	return sim.System{
		Entry: "web",
		Components: []sim.Component{{
			Name: "web",
			Capacity: sim.Capacity{PerReplicaRPS: 100, CPUPerRequest: 0.01, Latency: []sim.LatencyPoint{
				{Rate: 10, P50: .01, P90: .02, P99: .05}, {Rate: 50, P50: .02, P90: .05, P99: .1},
				{Rate: 51, P50: 2, P90: 2, P99: 2}, {Rate: 100, P50: 2, P90: 2, P99: 2}}},
			Resources: sim.Resources{CPURequest: 1, MemoryRequest: 2 << 30},
			Startup:   sim.Startup{ImagePull: 10 * time.Second, Init: 170 * time.Second},
			HPA: &sim.HPA{MinReplicas: 2, MaxReplicas: 40, Metrics: []sim.Metric{
				{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 50}}},
		}},
		Nodes:      sim.Nodes{Mode: sim.Autopilot},
		Objectives: sim.Objectives{LatencyThreshold: 500 * time.Millisecond, LatencyTarget: 0.999},
		Prices:     autopilotPrices(),
	}
}

// stepProblem is the step as an announced event, or, unannounced, with
// Unannounced overriding what the scenario says.
func stepProblem(t testing.TB, unannounced bool) Problem {
	return Problem{
		System: stepSystem(),
		Scenarios: []Scenario{{Scenario: sim.Scenario{Name: "step", Traffic: curve(t, "steps:rates=100/1000,every=10m"), Event: sim.EventAnnounced},
			Unannounced: unannounced}},
		// The capacity stays as measured, so that the answer is about
		// replicas only.
		Sizing: map[string]Sizing{"web": {MinCPU: 1, MaxCPU: 1}},
	}
}

func mustPlan(t testing.TB, p Problem, opt Options) *Result {
	t.Helper()
	res, err := Plan(context.Background(), p, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// planStep plans the step system and returns the plan and its web
// component.
func planStep(t *testing.T, unannounced bool) (*Result, ComponentConfig) {
	t.Helper()
	res := mustPlan(t, stepProblem(t, unannounced), Options{NoPareto: true})
	if res.Current.SLOMet {
		t.Fatal("today's configuration meets the SLO; the test system should not")
	}
	if res.Recommended == nil {
		t.Fatal("no recommendation")
	}
	return res, res.Recommended.Config.Components[0]
}

func TestAStepNeedsTwentyReadyReplicasBeforeIt(t *testing.T) {
	res, web := planStep(t, false)
	if len(web.Prescale) != 1 {
		t.Fatalf("pre-scale = %+v; want one step before the event", web.Prescale)
	}
	p := web.Prescale[0]
	if p.Replicas != 20 {
		t.Errorf("pre-scale floor = %d; want 20 (1000 req/s at 50 per replica)", p.Replicas)
	}
	// Ready before the step: the lead covers start-up (3m) and Autopilot's
	// node provisioning (100s).
	if p.Event != 10*time.Minute || p.Start > p.Event-3*time.Minute-sim.DefaultAutopilotProvisioning {
		t.Errorf("pre-scale from %v for an event at %v; want it to start at least 3m + 100s before", p.Start, p.Event)
	}
	if web.HPA.MinReplicas != 2 {
		t.Errorf("minReplicas = %d; want today's 2 (the pre-scale covers the step)", web.HPA.MinReplicas)
	}
	// Why: one replica fewer and the replicas run past the knee.
	var found bool
	for _, r := range res.Why {
		if r.Setting == "pre-scale before step" && r.Value == "20" && r.Cheaper == "19" {
			found = true
			if r.Constraint != ConstraintCapacity {
				t.Errorf("why pre-scale 20: constraint %q; want %q (%s)", r.Constraint, ConstraintCapacity, r.Detail)
			}
		}
	}
	if !found {
		t.Errorf("why = %+v; want the pre-scale to 20 explained", res.Why)
	}
}

func TestAnUnannouncedStepNeedsAFloorOfTwenty(t *testing.T) {
	res, web := planStep(t, true)
	rec := res.Recommended
	if len(web.Prescale) != 0 {
		t.Errorf("pre-scale = %+v for an unannounced step; want none", web.Prescale)
	}
	if web.HPA.MinReplicas != 20 {
		t.Errorf("minReplicas = %d; want 20", web.HPA.MinReplicas)
	}
	// Twenty one-core pods with 2 GiB all month, and the cluster fee.
	pr := autopilotPrices()
	want := (20*(pr.VCPUHour+2*pr.GiBHour) + pr.ClusterFeeHour) * 730
	if d := rec.SteadyMonthly - want; d < -0.01 || d > 0.01 {
		t.Errorf("steady monthly cost = %.2f; want %.2f", rec.SteadyMonthly, want)
	}
}

// twoComponents is a shop: the app calls money for 60% of its requests;
// both scale on CPU; Autopilot.
func twoComponents() sim.System {
	cpu60 := []sim.Metric{{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 60}}
	return sim.System{
		Entry: "app",
		Components: []sim.Component{
			{Name: "app", Capacity: sim.Capacity{PerReplicaRPS: 100, Latency: []sim.LatencyPoint{{Rate: 20, P50: .02, P90: .04, P99: .08}, {Rate: 100, P50: .04, P90: .09, P99: .2}}},
				Resources: sim.Resources{CPURequest: 0.5, CPULimit: 1, MemoryRequest: 512 << 20}, Timeout: 10 * time.Second, Retries: 1,
				Startup: sim.Startup{ImagePull: 8 * time.Second, Init: 20 * time.Second, Readiness: 10 * time.Second},
				Calls:   []sim.Call{{To: "money", PerRequest: 0.6}},
				HPA:     &sim.HPA{MinReplicas: 3, MaxReplicas: 50, Metrics: cpu60}},
			{Name: "money", Capacity: sim.Capacity{PerReplicaRPS: 80, Latency: []sim.LatencyPoint{{Rate: 10, P50: .01, P90: .02, P99: .05}, {Rate: 80, P50: .03, P90: .06, P99: .15}}},
				Resources: sim.Resources{CPURequest: 0.25, MemoryRequest: 256 << 20}, Timeout: 5 * time.Second,
				Startup: sim.Startup{ImagePull: 5 * time.Second, Init: 25 * time.Second},
				HPA:     &sim.HPA{MinReplicas: 2, MaxReplicas: 40, Metrics: cpu60}},
		},
		Nodes:      sim.Nodes{Mode: sim.Autopilot},
		Objectives: sim.Objectives{Availability: 0.999, LatencyThreshold: 300 * time.Millisecond, LatencyTarget: 0.99},
		Prices:     autopilotPrices(),
	}
}

func shopProblem(t testing.TB) Problem {
	return Problem{System: twoComponents(), Scenarios: []Scenario{
		{Scenario: sim.Scenario{Name: "step", Traffic: curve(t, "steps:rates=100/400,every=10m")}, Unannounced: true},
		{Scenario: sim.Scenario{Name: "tv-spike", Traffic: curve(t, "spike:base=80,peak=1600,at=10m,rise=2m,hold=10m,decay=10m"), Duration: time.Hour, Event: sim.EventAnnounced}},
		{Scenario: sim.Scenario{Name: "evening", Traffic: curve(t, "ramp:from=80,to=300,for=1h"), Event: sim.EventAnnounced}, PerMonth: 30},
	}}
}

func TestTheRecommendationMeetsTheSLOWhenSimulatedAgain(t *testing.T) {
	p := shopProblem(t)
	res := mustPlan(t, p, Options{NoPareto: true})
	rec := res.Recommended
	if rec == nil || !rec.SLOMet {
		t.Fatalf("recommended = %+v; want one meeting the SLO", rec)
	}
	for i, sc := range p.Scenarios {
		m, err := sim.Compile(rec.ScenarioSystem(i))
		if err != nil {
			t.Fatal(err)
		}
		r, err := m.Run(context.Background(), sc.Scenario, sim.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !r.SLOMet {
			t.Errorf("%s: the recommendation, simulated again, misses the SLO (%.1f%% of the budget): %s", sc.Name, 100*r.BudgetBurned, r.BottleneckReason)
		}
		if got := rec.Scenarios[i]; got.Cost != r.Cost.Scenario {
			t.Errorf("%s: plan says the scenario costs %v, the simulator %v", sc.Name, got.Cost, r.Cost.Scenario)
		}
	}
	for _, c := range rec.Config.Components {
		for _, pre := range c.Prescale {
			if pre.Scenario == "step" {
				t.Errorf("%s pre-scales before the unannounced step", c.Name)
			}
		}
	}
	if rec.MonthlyCost > res.Current.MonthlyCost && res.Current.SLOMet {
		t.Errorf("recommended %.2f a month, today %.2f and meeting the SLO; want no dearer", rec.MonthlyCost, res.Current.MonthlyCost)
	}
}

func TestTheParetoTablesAreMonotone(t *testing.T) {
	res := mustPlan(t, shopProblem(t), Options{})
	spike := res.Pareto.Spike
	if len(spike) == 0 {
		t.Fatal("no spike frontier")
	}
	if spike[0].MonthlyCost != res.Recommended.MonthlyCost {
		t.Errorf("the frontier starts at %.2f; want the recommendation's %.2f", spike[0].MonthlyCost, res.Recommended.MonthlyCost)
	}
	for j := 1; j < len(spike); j++ {
		a, b := spike[j-1], spike[j]
		if b.MonthlyCost < a.MonthlyCost || b.Survives <= a.Survives {
			t.Errorf("frontier[%d] = %.2f for ×%.2f after %.2f for ×%.2f; want more cost to survive more", j, b.MonthlyCost, b.Survives, a.MonthlyCost, a.Survives)
		}
	}
	if len(res.Pareto.SLO) != len(DefaultTargets) {
		t.Fatalf("SLO table has %d rows; want %d", len(res.Pareto.SLO), len(DefaultTargets))
	}
	prev := 0.0
	for _, row := range res.Pareto.SLO {
		if !row.Found {
			continue
		}
		if row.MonthlyCost < prev {
			t.Errorf("target %v costs %.2f, less than a looser target's %.2f", row.Target, row.MonthlyCost, prev)
		}
		prev = row.MonthlyCost
		if row.Current && row.MonthlyCost != res.Recommended.MonthlyCost {
			t.Errorf("the SLO's own target costs %.2f in the table, the recommendation %.2f", row.MonthlyCost, res.Recommended.MonthlyCost)
		}
	}
}

func TestThePlanDoesNotDependOnTheWorkers(t *testing.T) {
	p := shopProblem(t)
	run := func(workers int) string {
		res := mustPlan(t, p, Options{Workers: workers, NoPareto: true})
		res.Search.Elapsed = 0
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	one, four := run(1), run(4)
	if diff := cmp.Diff(one, four); diff != "" {
		t.Errorf("plans with 1 and 4 workers differ (-1 +4):\n%s", diff)
	}
}

// On Autopilot the CPU requests searched follow the request rules of the
// system's nodes: ¼-vCPU steps without bursting (the billing step), and
// the same search step with it (any size is billed as requested; finer
// steps multiply the search for little);
// memory raised to what is billed anyway (the minimums per pod and per
// vCPU); CPU requests too small for the memory (over 6.5 GiB per vCPU)
// left out; an unset memory request kept unset, as Autopilot's default.
func TestAutopilotCandidatesFollowTheNodesRules(t *testing.T) {
	const mib = 1 << 20
	type opt struct{ CPU, MemMiB float64 }
	cases := []struct {
		name       string
		noBursting bool
		memMiB     float64
		want       []opt
	}{
		{"bursting, 2 GiB", false, 2048, []opt{{0.5, 2048}, {0.75, 2048}, {1, 2048}}},
		{"no bursting, 2 GiB", true, 2048, []opt{{0.5, 2048}, {0.75, 2048}, {1, 2048}}},
		{"bursting, 256 MiB", false, 256, []opt{{0.25, 256}, {0.5, 512}, {0.75, 768}, {1, 1024}}},
		{"no bursting, 256 MiB", true, 256, []opt{{0.25, 512}, {0.5, 512}, {0.75, 768}, {1, 1024}}},
		{"bursting, no memory request", false, 0, []opt{{0.5, 0}, {0.75, 0}, {1, 0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sys := stepSystem()
			sys.Nodes.NoBursting = tc.noBursting
			c := sys.Components[0]
			c.Resources.MemoryRequest = tc.memMiB * mib
			sp := &space{base: sys}
			opts, file, err := sp.cpuOptions(c, Sizing{MinCPU: 0.1, MaxCPU: 1})
			if err != nil {
				t.Fatal(err)
			}
			var got []opt
			for _, o := range opts {
				got = append(got, opt{o.res.CPURequest, math.Round(o.res.MemoryRequest/mib*100) / 100})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CPU options of a 1-CPU pod, %s (-want +got):\n%s", sys.Nodes.AutopilotRules().Name, diff)
			}
			if opts[file].factor != 1 {
				t.Errorf("today's option is %v CPU; want 1", opts[file].res.CPURequest)
			}
			// What is requested is what Autopilot bills.
			rules := sys.Nodes.AutopilotRules()
			for _, o := range opts {
				vcpu, gib := rules.BillPod([]pricing.Request{{VCPU: o.res.CPURequest, GiB: o.res.MemoryRequest / (1 << 30)}})
				if math.Abs(vcpu-o.res.CPURequest) > 1e-9 || (o.res.MemoryRequest > 0 && math.Abs(gib*(1<<30)-o.res.MemoryRequest) > 1) {
					t.Errorf("option %v CPU, %v MiB is billed %v vCPU, %v GiB; want it billed as requested", o.res.CPURequest, o.res.MemoryRequest/mib, vcpu, gib)
				}
			}
		})
	}
}

func TestNothingMeetsAnSLOTheNodesCannotHold(t *testing.T) {
	sys := stepSystem()
	m, err := pricing.ParseMachineType("e2-standard-4")
	if err != nil {
		t.Fatal(err)
	}
	sys.Nodes = sim.Nodes{Mode: sim.Standard, MachineType: m.Name, NodeCPU: m.VCPU, NodeMemory: m.MemoryGiB * (1 << 30), MinNodes: 1, MaxNodes: 3}
	p := stepProblem(t, false)
	p.System = sys
	res := mustPlan(t, p, Options{NoPareto: true})
	if res.Recommended != nil {
		t.Fatalf("recommended %+v; want none: 20 one-core pods do not fit on 3 four-core nodes", res.Recommended.Config)
	}
	if res.Current.SLOMet || res.Saving != 0 || len(res.Changes) != 0 {
		t.Errorf("current SLO met %v, saving %v, changes %v; want a failing today and no plan", res.Current.SLOMet, res.Saving, res.Changes)
	}
}

func TestBadProblems(t *testing.T) {
	good := stepProblem(t, false)
	cases := []struct {
		name string
		edit func(p *Problem)
	}{
		{"no scenarios", func(p *Problem) { p.Scenarios = nil }},
		{"a scenario without traffic", func(p *Problem) { p.Scenarios[0].Traffic = nil }},
		{"a negative frequency", func(p *Problem) { p.Scenarios[0].PerMonth = -1 }},
		{"events longer than a month", func(p *Problem) { p.Scenarios[0].PerMonth = 10000 }},
		{"sizing an unknown component", func(p *Problem) { p.Sizing = map[string]Sizing{"nope": {}} }},
		{"a sizing upside down", func(p *Problem) { p.Sizing = map[string]Sizing{"web": {MinCPU: 2, MaxCPU: 1}} }},
		{"an invalid system", func(p *Problem) { p.System.Entry = "nope" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := good
			p.Scenarios = append([]Scenario(nil), good.Scenarios...)
			p.System = good.System.Clone()
			tc.edit(&p)
			if _, err := Plan(context.Background(), p, Options{NoPareto: true}); err == nil {
				t.Error("Plan succeeded; want an error")
			}
		})
	}
}

func TestEventWindows(t *testing.T) {
	cases := []struct {
		name       string
		traffic    string
		dur        time.Duration
		ok         bool
		event, end time.Duration
	}{
		{"a step that stays", "steps:rates=100/1000,every=10m", 20 * time.Minute, true, 10 * time.Minute, 20 * time.Minute},
		{"a spike that comes back", "spike:base=100,peak=1100,at=5m,rise=1m,hold=5m", time.Hour, true, 5*time.Minute + 6*time.Second, 11 * time.Minute},
		{"a flat line", "constant:rate=100,for=1h", time.Hour, false, 0, 0},
		{"a 10% swell", "ramp:from=100,to=110,for=1h", time.Hour, false, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := eventWindow("x", curve(t, tc.traffic), tc.dur)
			if w.ok != tc.ok || w.event != tc.event || w.end != tc.end {
				t.Errorf("eventWindow(%s) = %v from %v to %v; want %v from %v to %v", tc.traffic, w.ok, w.event, w.end, tc.ok, tc.event, tc.end)
			}
		})
	}
}
