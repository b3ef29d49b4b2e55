package report_test

import (
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/sim"
)

func simResult(met bool) *sim.Result {
	r := &sim.Result{Scenario: "spike", Traffic: "spike:base=10,peak=100", Duration: 600, Requests: 1000, Failed: 20, SLOMet: met,
		BudgetBurned: 0.4, Availability: &sim.SLI{BudgetBurned: 0.4}, Cost: sim.Cost{Currency: "USD", Scenario: 0.5, Monthly: 120, Mode: "standard", NodesAtEnd: 3},
		Components: []sim.ComponentResult{{Name: "web", ReadyStart: 2, PeakReady: 2, PeakDesired: 2, SaturatedS: 120, PeakUtilization: 0.5, MaxPending: 2, PendingS: 90}},
		Notes:      []string{"an assumption"}}
	for t := 60.0; t <= 600; t += 60 {
		r.Timeline = append(r.Timeline, sim.Point{T: t, ArrivalRate: 10, Goodput: 9, Failed: 1,
			Components: map[string]sim.ComponentPoint{"web": {Ready: 2, Desired: 2, Utilization: 0.5}}})
	}
	return r
}

func TestSimDocument(t *testing.T) {
	cases := []struct {
		name       string
		objectives sim.Objectives
		timeline   bool
		verdict    report.Status
		tables     int
		want       []string
	}{
		{"judged, no timeline table", sim.Objectives{Availability: 0.999}, false, report.OK, 1,
			[]string{"web was saturated for 2m", "web: up to 2 pods waited 1m30s for a node", "availability 40%", "3 nodes"}},
		{"no SLO, a timeline table", sim.Objectives{}, true, report.Neutral, 2, []string{"No SLO to judge by"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := report.SimDocument(report.SimReport{System: "shop", Objectives: tc.objectives, Components: []string{"web"},
				Results: []*sim.Result{simResult(true)}, Notes: []string{"an assumption"}, Command: "headroom sim -f shop.yaml", Timeline: tc.timeline})
			if len(doc.Sections) != 2 || doc.Sections[1].Title != "Notes" {
				t.Fatalf("SimDocument has %d sections; want the scenario and the notes", len(doc.Sections))
			}
			sec := doc.Sections[0]
			if sec.Verdict.Status != tc.verdict || len(sec.Tables) != tc.tables {
				t.Errorf("verdict %q, %d tables; want %q, %d", sec.Verdict.Status, len(sec.Tables), tc.verdict, len(sec.Tables))
			}
			var b strings.Builder
			if err := report.WriteText(&b, doc, report.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			text := b.String()
			for _, w := range append(tc.want, "headroom sim -f shop.yaml") {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			if n := strings.Count(text, "an assumption"); n != 1 {
				t.Errorf("the run's note shows %d times; want once, in the notes", n)
			}
		})
	}
}

func TestPlanDocument(t *testing.T) {
	today := plan.Evaluation{MonthlyCost: 200, SteadyMonthly: 190, EventsMonthly: 10,
		Scenarios: []plan.ScenarioOutcome{{Name: "spike", BottleneckReason: "web timed out."}}}
	rec := &plan.Evaluation{MonthlyCost: 150, SteadyMonthly: 140, EventsMonthly: 10, SLOMet: true,
		Scenarios: []plan.ScenarioOutcome{{Name: "spike", SLOMet: true, EventCost: 5, PerMonth: 2, Prescaled: true}}}
	cases := []struct {
		name    string
		rec     *plan.Evaluation
		written []string
		want    []string
	}{
		{"a recommendation, written", rec, []string{"out/shop.recommended.yaml"},
			[]string{"$150.00", "no: spike", "yes, in every scenario", "spike $5.00 × 2 (pre-scaled)", "out/shop.recommended.yaml"}},
		{"nothing meets the SLO", nil, nil, []string{"Today, spike: web timed out.", "—"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := &plan.Result{Currency: "USD", BaselineRate: 10, Current: today, Recommended: tc.rec}
			if tc.rec != nil {
				res.Saving = today.MonthlyCost - tc.rec.MonthlyCost
			}
			doc := report.PlanDocument(report.PlanReport{System: "shop", Result: res, Command: "headroom plan -f shop.yaml", Written: tc.written})
			if want := 1 + len(tc.written[:min(1, len(tc.written))]); len(doc.Sections) != want {
				t.Errorf("PlanDocument has %d sections; want %d", len(doc.Sections), want)
			}
			var b strings.Builder
			if err := report.WriteText(&b, doc, report.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, w := range append(tc.want, "headroom plan -f shop.yaml") {
				if !strings.Contains(b.String(), w) {
					t.Errorf("text lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}
