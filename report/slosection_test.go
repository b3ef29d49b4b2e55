package report_test

import (
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/report"
)

// A stretch judged as slo check judges it takes its verdict from the
// objectives, whatever share of a 30-day budget it would burn: a load
// test that missed its objectives is never green because it was short.
func TestSLOSectionJudgesByTheVerdictWhenThereIsOne(t *testing.T) {
	tests := []struct {
		name       string
		rows       []report.BudgetRow
		status     report.Status
		verdict    string
		tileValues []string
	}{
		{"a missed objective fails the section, though it burned little of the month",
			[]report.BudgetRow{
				{Name: "availability", Objective: "99.9%", Good: 630, Total: 1000, Verdict: "missed", SLI: 0.63, Remaining: -369, Burned: 0.0033, Allowed: 0.1},
				{Name: "latency", Objective: "99%", Good: 995, Total: 1000, Verdict: "met", SLI: 0.995, Remaining: 0.5, Burned: 0.0001, Allowed: 0.1}},
			report.Fail, "MISSED: availability", []string{"MISSED", "MET"}},
		{"every objective met",
			[]report.BudgetRow{{Name: "availability", Objective: "99.9%", Good: 1000, Total: 1000, Verdict: "met", SLI: 1, Remaining: 1, Burned: 0, Allowed: 0.1}},
			report.OK, "Every objective was met", []string{"MET"}},
		{"no data is neither met nor missed",
			[]report.BudgetRow{{Name: "availability", Objective: "99.9%", Verdict: "no_data"}},
			report.Warn, "No data: availability", []string{"NO DATA"}},
		{"without a verdict, the share of the month's budget decides",
			[]report.BudgetRow{{Name: "availability", Objective: "99.9%", Good: 900, Total: 1000, Burned: 0.2, Allowed: 0.1}},
			report.Fail, "more error budget than one event may", []string{"20%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := report.SLOSection("SLOs", "", tt.rows, nil)
			if sec.Verdict == nil || sec.Verdict.Status != tt.status || !strings.Contains(sec.Verdict.Text, tt.verdict) {
				t.Fatalf("SLOSection(%+v).Verdict = %+v; want %q containing %q", tt.rows, sec.Verdict, tt.status, tt.verdict)
			}
			if len(sec.Tiles) != len(tt.tileValues) {
				t.Fatalf("%d tiles; want %d", len(sec.Tiles), len(tt.tileValues))
			}
			for i, want := range tt.tileValues {
				if sec.Tiles[i].Value != want {
					t.Errorf("tile %s = %q; want %q", sec.Tiles[i].Label, sec.Tiles[i].Value, want)
				}
			}
		})
	}
}
