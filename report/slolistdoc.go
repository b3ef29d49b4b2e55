package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

// SLOListDocument lists the objectives of checked SLO files: for each, its
// id, objective, window, budgeting method, what it measures (and by which
// labels it is grouped) and, for a latency SLI, its threshold with the
// histogram bucket its query reads.
func SLOListDocument(slos []slo.SLO, files []string) Document {
	t := Table{Columns: []string{"SLO", "Objective", "Window", "Budgeting", "Indicator", "Latency"}}
	for _, s := range slos {
		t.Rows = append(t.Rows, []string{s.ID(), slo.FormatPercent(s.Target), s.Window.String(), string(s.BudgetingMethod()),
			indicatorKind(s.Indicator) + groupingSuffix(s.Grouping), latencyColumn(s.Indicator)})
	}
	sec := Section{Title: "Objectives",
		Verdict: &Verdict{Status: OK, Text: fmt.Sprintf("ok: %d objective(s) in %s", len(slos), strings.Join(files, ", "))},
		Tables:  []Table{t}}
	return Document{Title: "headroom SLOs", Sections: []Section{sec}}
}

// indicatorKind says what an SLI counts.
func indicatorKind(in slo.Indicator) string {
	switch {
	case in.IsThreshold():
		return fmt.Sprintf("threshold %s %s %v", in.Metric.Expr, in.Op.PromQL(), in.Value)
	case !in.Raw.IsZero():
		return "raw ratio"
	case !in.Good.IsZero():
		return "good/total"
	}
	return "bad/total"
}

// groupingSuffix says what a grouped SLO is broken down by: " by route,
// tenant".
func groupingSuffix(grouping []string) string {
	if len(grouping) == 0 {
		return ""
	}
	return " by " + strings.Join(grouping, ", ")
}

// latencyColumn is the latency threshold of a latency SLI with the bucket
// it reads: 300ms (le="0.3"); "-" for any other SLI.
func latencyColumn(in slo.Indicator) string {
	d, le, ok := latencyBucket(in)
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%s (%s)", exactLatency(d), le)
}

// exactLatency writes a latency bound exactly, like 300ms, 1s or 2.5s.
func exactLatency(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

// leInQuery finds the le matcher of a good-events query that is not a
// plain selector.
var leInQuery = regexp.MustCompile(`\ble\s*=~?\s*"[^"]+"`)

// latencyBucket is the threshold of a latency SLI (Indicator.LatencyBound)
// and how its query reads it, for people: le="0.3", le=~"1|1\.0" or
// "native histogram".
func latencyBucket(in slo.Indicator) (time.Duration, string, bool) {
	d, ok := in.LatencyBound()
	if !ok {
		return 0, "", false
	}
	if in.Good.IsNative() {
		return d, "native histogram", true
	}
	if sel, ok := in.Good.Series(); ok {
		for _, m := range sel.Matchers {
			if m.Label == "le" {
				return d, m.Label + m.Op + strconv.Quote(m.Value), true
			}
		}
	}
	if m := leInQuery.FindString(in.Good.Expr); m != "" {
		return d, strings.ReplaceAll(m, " ", ""), true
	}
	return d, fmt.Sprintf("le=%q", slo.LeValue(d)), true
}
