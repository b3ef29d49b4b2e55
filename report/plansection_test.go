package report_test

import (
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/report"
)

// announcedPlan is a plan for an announced broadcast and a surprise step,
// with, when asked, the same problem planned with every event a surprise.
func announcedPlan(withSurprise bool) *plan.Result {
	tables := func(assumption string, costs ...float64) plan.Pareto {
		p := plan.Pareto{Assumption: assumption}
		for i, c := range costs {
			p.Spike = append(p.Spike, plan.SpikePoint{PlannedFor: 1 + float64(i)/2, Survives: 1 + float64(i)/2, MonthlyCost: c})
			p.SLO = append(p.SLO, plan.SLOPoint{Target: []float64{0.99, 0.999, 0.9999}[i], Found: true, MonthlyCost: c, Current: i == 1})
		}
		return p
	}
	outcomes := []plan.ScenarioOutcome{
		{Name: "broadcast", SLOMet: true, Prescaled: true, Event: "announced", Assumption: "assuming you know the date"},
		{Name: "step", SLOMet: true, Event: "surprise", Assumption: "for a surprise"},
	}
	res := &plan.Result{Currency: "USD",
		Current:     plan.Evaluation{MonthlyCost: 217.69, SLOMet: false, Scenarios: outcomes},
		Recommended: &plan.Evaluation{MonthlyCost: 145.61, SLOMet: true, Scenarios: outcomes},
		Saving:      72.08,
		Assumption:  "assuming you know the date of broadcast; for a surprise: step",
		Pareto:      tables("assuming you know the date of broadcast; for a surprise: step", 145.61, 145.61, 145.78),
	}
	if withSurprise {
		sur := []plan.ScenarioOutcome{
			{Name: "broadcast", SLOMet: true, Event: "surprise", Assumption: "for a surprise"},
			{Name: "step", SLOMet: true, Event: "surprise", Assumption: "for a surprise"},
		}
		res.Surprise = &plan.Result{Currency: "USD", Assumption: "for a surprise",
			Current:     plan.Evaluation{MonthlyCost: 217.69, Scenarios: sur},
			Recommended: &plan.Evaluation{MonthlyCost: 542.30, SLOMet: true, Scenarios: sur},
			Changes:     []plan.Change{{Component: "api", Setting: "minReplicas", From: "4", To: "13"}},
			Pareto:      tables("for a surprise", 362.02, 542.30, 1011.11),
		}
		res.SurpriseExtra = 396.69
	}
	return res
}

// The plan section says what the plan assumes about each event, titles
// each Pareto table with it, and, with a surprise plan, shows its price.
func TestPlanSectionSaysWhatItAssumes(t *testing.T) {
	cases := []struct {
		name     string
		surprise bool
		noPlan   bool
		want     []string
		not      []string
	}{
		{"announced only", false, false, []string{
			"Planned assuming you know the date of broadcast; for a surprise: step.",
			"meets the SLO in every scenario, assuming you know the date of broadcast; for a surprise: step",
			"What the plan assumes about each event",
			"Cost against the largest spike survived, assuming you know the date of broadcast; for a surprise: step",
			"What each extra nine costs, assuming you know the date of broadcast; for a surprise: step",
		}, []string{"For a surprise", "What changes, for a surprise"}},
		{"nothing meets the SLO", false, true, []string{
			"No configuration within the search bounds meets the SLO in every scenario, assuming you know the date of broadcast; for a surprise: step.",
		}, []string{"What the plan assumes about each event"}},
		{"with the surprise priced", true, false, []string{
			"For a surprise",
			"$542.30/month",
			"$396.69 more a month if nobody knows the dates",
			"What changes, for a surprise",
			"What each extra nine costs, for a surprise",
			"Cost against the largest spike survived, for a surprise",
			"$1,011.11",
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := announcedPlan(tc.surprise)
			if tc.noPlan {
				res.Recommended, res.Saving = nil, 0
			}
			sec := report.PlanSection("Plan", res)
			var b strings.Builder
			if err := report.WriteText(&b, report.Document{Title: "t", Sections: []report.Section{sec}}, report.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			text := b.String()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the section lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(text, w) {
					t.Errorf("the section says %q without a surprise plan:\n%s", w, text)
				}
			}
			// Each event's row says how it was planned.
			var rows [][]string
			for _, tb := range sec.Tables {
				if tb.Title == "What the plan assumes about each event" {
					rows = tb.Rows
				}
			}
			want := [][]string{{"broadcast", "assuming you know the date", "yes"}, {"step", "for a surprise", "no"}}
			if tc.noPlan {
				want = nil
			}
			if len(rows) != len(want) {
				t.Fatalf("event rows = %q; want %q", rows, want)
			}
			for i := range want {
				if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
					t.Errorf("event row %d = %q; want %q", i, rows[i], want[i])
				}
			}
		})
	}
}
