package report_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/sim"
)

// legendEntry matches one entry of a chart's legend: its swatch's colour
// and the series' name.
var legendEntry = regexp.MustCompile(`<rect x="[0-9.]+" y="10" width="12" height="4" fill="(#[0-9a-f]{6})"/><text class="legend" x="[0-9.]+" y="16">([^<]*)</text>`)

// seriesPaint matches a drawn series (line or points) with its class and
// colour.
var seriesPaint = regexp.MustCompile(`class="series (s[0-9]+)"[^>]*(?:stroke|fill)="(#[0-9a-f]{6})"`)

// legendColours reads the colour of each series of a rendered chart by its
// name, from the legend, and checks the drawn series wear the same one.
func legendColours(t *testing.T, ch report.Chart) map[string]string {
	t.Helper()
	svg := ch.SVG()
	out := map[string]string{}
	var order []string
	for _, m := range legendEntry.FindAllStringSubmatch(svg, -1) {
		out[m[2]] = m[1]
		order = append(order, m[1])
	}
	if len(out) != len(ch.Series) {
		t.Fatalf("chart %q: legend has %d entries; want %d\n%s", ch.Title, len(out), len(ch.Series), svg)
	}
	for _, m := range seriesPaint.FindAllStringSubmatch(svg, -1) {
		var i int
		fmt.Sscanf(m[1], "s%d", &i)
		if i >= len(order) || order[i] != m[2] {
			t.Errorf("chart %q: series %s is drawn in %s; its legend says otherwise", ch.Title, m[1], m[2])
		}
	}
	return out
}

// meaning is what a series' name says about its colour: successes green,
// failures red, and anything else neither.
func meaning(name string) string {
	switch n := strings.ToLower(name); {
	case n == "goodput" || n == "succeeded" || strings.Contains(n, "success"):
		return report.Good
	case n == "failed" || strings.Contains(n, "error") || strings.Contains(n, "failure"):
		return report.Bad
	}
	return ""
}

// Charts are coloured by meaning, whatever the order of their series:
// goodput and successes green, failures red everywhere, and no other
// series in either colour.
func TestChartColoursFollowMeaning(t *testing.T) {
	var tl []sim.Point
	for i := range 20 {
		arr := 50.0 + float64(i*i*10)
		fail := max(0, arr-900)
		tl = append(tl, sim.Point{T: float64(i * 60), ArrivalRate: arr, Goodput: arr - fail, Failed: fail, P99: 0.1 + fail/1000,
			Components: map[string]sim.ComponentPoint{"app": {Ready: 2, Desired: 2 + i/4}, "money": {Ready: 2, Desired: 2}}})
	}
	breach := 600.0
	res := &sim.Result{Scenario: "tv-spike", Duration: 1200, Requests: 1e5, Failed: 1e4, FirstBreach: &breach, Timeline: tl,
		Components: []sim.ComponentResult{{Name: "app"}, {Name: "money"}}}
	var many []report.Series
	for _, n := range []string{"p50", "p90", "p99", "p99.9", "max", "mean", "asked", "ready"} {
		many = append(many, report.Series{Name: n, X: []float64{0, 1}, Y: []float64{1, 2}})
	}
	tests := []struct {
		name   string
		charts []report.Chart
	}{
		{"a simulation's charts", report.SimSection("simulated", res).Charts},
		{"failures listed before successes", []report.Chart{{Title: "reversed", Series: []report.Series{
			{Name: "failed", X: []float64{0, 1}, Y: []float64{1, 0}, Color: report.Bad},
			{Name: "arrivals", X: []float64{0, 1}, Y: []float64{2, 2}},
			{Name: "goodput", X: []float64{0, 1}, Y: []float64{1, 2}, Kind: report.Area, Color: report.Good}}}}},
		{"eight series without a meaning", []report.Chart{{Title: "latencies", Series: many}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.charts) == 0 {
				t.Fatal("no charts")
			}
			seen := map[string]bool{}
			for _, ch := range tt.charts {
				for name, colour := range legendColours(t, ch) {
					want := meaning(name)
					seen[want] = true
					switch {
					case want != "" && colour != want:
						t.Errorf("chart %q: %s is drawn in %s; want %s", ch.Title, name, colour, want)
					case want == "" && (colour == report.Good || colour == report.Bad):
						t.Errorf("chart %q: %s, which means neither success nor failure, is drawn in %s", ch.Title, name, colour)
					}
				}
			}
			if tt.name == "a simulation's charts" && (!seen[report.Good] || !seen[report.Bad]) {
				t.Errorf("the simulation's charts show no goodput or no failures: %v", seen)
			}
		})
	}
}
