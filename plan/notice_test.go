package plan

import (
	"testing"
	"time"

	"github.com/headroom-sre/headroom/sim"
)

// broadcastProblem is an API on Autopilot whose pods take two minutes to
// start, and a broadcast twenty times its evening traffic, announced.
// Its CPU request is fixed, so the plans differ by replicas only.
func broadcastProblem(t testing.TB) Problem {
	return Problem{
		System: sim.System{
			Entry: "api",
			Components: []sim.Component{{
				Name:      "api",
				Capacity:  sim.Capacity{PerReplicaRPS: 200},
				Resources: sim.Resources{CPURequest: 1, CPULimit: 1, MemoryRequest: 1 << 30},
				Startup:   sim.Startup{ImagePull: 20 * time.Second, Init: 100 * time.Second},
				HPA: &sim.HPA{MinReplicas: 4, MaxReplicas: 30, Metrics: []sim.Metric{
					{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 50}}},
			}},
			Nodes:      sim.Nodes{Mode: sim.Autopilot},
			Objectives: sim.Objectives{Availability: 0.999},
			Prices:     autopilotPrices(),
		},
		Sizing: map[string]Sizing{"api": {MinCPU: 1, MaxCPU: 1}},
		Scenarios: []Scenario{{Scenario: sim.Scenario{Name: "broadcast", Duration: time.Hour, Event: sim.EventAnnounced,
			Traffic: curve(t, "spike:base=150,multiple=20,at=20m,rise=1m,hold=15m,decay=5m")}}},
	}
}

// Knowing the date lets the plan raise the floor just before the
// broadcast; for a surprise the floor must be there all month, so the
// surprise costs more, and every extra nine and every bigger spike is paid
// for all month: its Pareto tables rise where the announced ones barely
// move.
func TestThePriceOfASurprise(t *testing.T) {
	res := mustPlan(t, broadcastProblem(t), Options{PriceSurprise: true, Multiples: []float64{1.5, 2}, Targets: []float64{0.99, 0.999, 0.9999}})
	sur := res.Surprise
	if res.Recommended == nil || sur == nil || sur.Recommended == nil {
		t.Fatalf("recommended %v, surprise %v; want both planned", res.Recommended != nil, sur)
	}
	if sur.Surprise != nil {
		t.Error("the surprise plan has a surprise plan of its own")
	}
	// What each plan says it assumes, and does.
	for _, tc := range []struct {
		name       string
		r          *Result
		assumption string
		event      string
		prescaled  bool
	}{
		{"announced", res, sim.AssumingTheDate, "announced", true},
		{"surprise", sur, sim.ForASurprise, "surprise", false},
	} {
		o := tc.r.Recommended.Scenarios[0]
		if tc.r.Assumption != tc.assumption || tc.r.Pareto.Assumption != tc.assumption || o.Assumption != tc.assumption || o.Event != tc.event {
			t.Errorf("%s plan: assumption %q, tables %q, broadcast %q (%s); want %q (%s)", tc.name, tc.r.Assumption, tc.r.Pareto.Assumption, o.Assumption, o.Event, tc.assumption, tc.event)
		}
		if got := len(tc.r.Recommended.Config.Components[0].Prescale) > 0; got != tc.prescaled || o.Prescaled != tc.prescaled {
			t.Errorf("%s plan: pre-scales %v (outcome %v); want %v", tc.name, got, o.Prescaled, tc.prescaled)
		}
	}
	a, s := res.Recommended.MonthlyCost, sur.Recommended.MonthlyCost
	if !(s > a) || res.SurpriseExtra != round2(s-a) {
		t.Errorf("surprise %.2f, announced %.2f, extra %.2f; want the surprise dearer and the extra their difference", s, a, res.SurpriseExtra)
	}
	// The tables: costs in order of safety, for both plans.
	tables := func(r *Result) map[string][]float64 {
		out := map[string][]float64{}
		for _, p := range r.Pareto.Spike {
			out["spike"] = append(out["spike"], p.MonthlyCost)
		}
		for _, p := range r.Pareto.SLO {
			if !p.Found {
				t.Errorf("%s: target %v not met", r.Assumption, p.Target)
				continue
			}
			out["nines"] = append(out["nines"], p.MonthlyCost)
		}
		return out
	}
	known, surprise := tables(res), tables(sur)
	for _, name := range []string{"spike", "nines"} {
		t.Run(name, func(t *testing.T) {
			k, c := known[name], surprise[name]
			if len(c) < 3 || len(k) < 2 {
				t.Fatalf("%d rows for a surprise, %d announced; want at least 3 and 2", len(c), len(k))
			}
			for j := 1; j < len(c); j++ {
				if c[j] < c[j-1] {
					t.Errorf("for a surprise, row %d costs %.2f after %.2f; want more safety never cheaper", j, c[j], c[j-1])
				}
			}
			riseSurprise, riseKnown := c[len(c)-1]-c[0], k[len(k)-1]-k[0]
			if !(riseSurprise > 0) || !(riseSurprise > 10*riseKnown) {
				t.Errorf("the %s table rises by %.2f for a surprise (%v), %.2f assuming the date (%v); want a real trade-off for the surprise, far above the announced one's",
					name, riseSurprise, c, riseKnown, k)
			}
		})
	}
	// Each nine costs at least as much for a surprise as with the date.
	for j := range res.Pareto.SLO {
		if kn, su := res.Pareto.SLO[j], sur.Pareto.SLO[j]; su.Found && kn.Found && su.MonthlyCost < kn.MonthlyCost {
			t.Errorf("target %v: %.2f for a surprise, %.2f with the date; want the surprise no cheaper", kn.Target, su.MonthlyCost, kn.MonthlyCost)
		}
	}
}

// The plan pre-scales for an announced event only, and says which it
// assumed: the scenario's own word, Unannounced and AsSurprise overriding
// it; a scenario that does not say is announced.
func TestOnlyAnnouncedEventsArePrescaled(t *testing.T) {
	cases := []struct {
		name        string
		event       sim.EventNotice
		unannounced bool
		asSurprise  bool
		want        string
	}{
		{"announced", sim.EventAnnounced, false, false, "announced"},
		{"unsaid", sim.EventUnsaid, false, false, "announced"},
		{"a surprise", sim.EventSurprise, false, false, "surprise"},
		{"announced, planned unannounced", sim.EventAnnounced, true, false, "surprise"},
		{"announced, planned as a surprise", sim.EventAnnounced, false, true, "surprise"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := broadcastProblem(t)
			p.Scenarios[0].Event, p.Scenarios[0].Unannounced = tc.event, tc.unannounced
			res := mustPlan(t, p, Options{NoPareto: true, AsSurprise: tc.asSurprise})
			rec := res.Recommended
			if rec == nil {
				t.Fatal("no recommendation")
			}
			announced := tc.want == "announced"
			pre := len(rec.Config.Components[0].Prescale) > 0
			if pre != announced {
				t.Errorf("pre-scaling %+v; want some: %v", rec.Config.Components[0].Prescale, announced)
			}
			wantAssumption := map[bool]string{true: sim.AssumingTheDate, false: sim.ForASurprise}[announced]
			for _, e := range []*Evaluation{&res.Current, rec} {
				if o := e.Scenarios[0]; o.Event != tc.want || o.Assumption != wantAssumption {
					t.Errorf("outcome says %q, %q; want %q, %q", o.Event, o.Assumption, tc.want, wantAssumption)
				}
			}
			if res.Assumption != wantAssumption || res.Surprise != nil {
				t.Errorf("plan assumes %q, surprise plan %v; want %q and none (not asked)", res.Assumption, res.Surprise != nil, wantAssumption)
			}
			// Simulated again as planned, the recommendation meets the SLO:
			// the scenario as the plan read it, on the system with its
			// pre-scaling.
			sc := p.Scenarios[0].Scenario
			sc.Event = sim.EventSurprise
			if announced {
				sc.Event = sim.EventAnnounced
			}
			m, err := sim.Compile(rec.ScenarioSystem(0))
			if err != nil {
				t.Fatal(err)
			}
			r, err := m.Run(t.Context(), sc, sim.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !r.SLOMet || r.Cost.Scenario != rec.Scenarios[0].Cost {
				t.Errorf("simulated again: SLO met %v, cost %v; want met at the plan's %v", r.SLOMet, r.Cost.Scenario, rec.Scenarios[0].Cost)
			}
		})
	}
}

// A plan with announced and surprise events says which is which.
func TestAMixedPlanNamesItsAssumptions(t *testing.T) {
	p := broadcastProblem(t)
	step := Scenario{Scenario: sim.Scenario{Name: "step", Traffic: curve(t, "steps:rates=150/450,every=10m"), Event: sim.EventSurprise}}
	p.Scenarios = append(p.Scenarios, step)
	res := mustPlan(t, p, Options{NoPareto: true})
	want := "assuming you know the date of broadcast; for a surprise: step"
	if res.Assumption != want || res.Pareto.Assumption != "" {
		t.Errorf("assumption %q, tables %q; want %q, and none without tables", res.Assumption, res.Pareto.Assumption, want)
	}
	for _, c := range res.Recommended.Config.Components {
		for _, pre := range c.Prescale {
			if pre.Scenario == "step" {
				t.Errorf("%s pre-scales before the surprise step", c.Name)
			}
		}
	}
}
