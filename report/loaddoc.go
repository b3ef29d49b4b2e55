package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/units"
)

// LoadDocument is the report of a load test (or of several merged): the
// load section (verdict on the thresholds, headline numbers, charts when
// the run kept its intervals) and everything else the summary holds —
// how the run was driven, late, dropped (by cause) and unfinished
// requests, status codes and errors, the latency distribution from the
// due time and from the send, each target, the generator's own health and
// every threshold with what was observed. source says where the run came
// from (a scenario's name, "3 files merged"), if anything.
func LoadDocument(run *stats.Run, source string) Document {
	sum := run.Summary()
	sec := LoadSection("Load test", run)
	sec.Intro = loadIntro(&sum, source)
	if sum.Partial {
		sec.Notes = append([]string{"PARTIAL: the run did not finish; these are the results measured until it stopped."},
			slices.DeleteFunc(sec.Notes, func(n string) bool { return strings.HasPrefix(n, "The run was interrupted") })...)
	}
	if sum.Unfinished > 0 {
		sec.Notes = append(sec.Notes, fmt.Sprintf("%s requests UNFINISHED: still in flight when the run ended, with no outcome recorded.", units.Count(float64(sum.Unfinished))))
	}
	sec.Tiles = append(sec.Tiles, loadTiles(&sum)...)
	sec.Tables = append(sec.Tables, loadLatencyTable(&sum))
	if len(sum.PerTarget) > 1 {
		sec.Tables = append(sec.Tables, loadTargetTable(sum.PerTarget))
	}
	if len(sum.Thresholds) > 0 {
		sec.Tables = append(sec.Tables, loadThresholdTable(sum.Thresholds))
	}
	sec.Tables = append(sec.Tables, loadGeneratorTable(&sum))
	return Document{Title: "headroom load test", Generated: sum.Started, Sections: []Section{sec}}
}

// loadIntro says how the run was driven, when and for how long.
func loadIntro(s *stats.Summary, source string) string {
	var b strings.Builder
	if s.Mode == stats.ModeClosed {
		fmt.Fprintf(&b, "Closed loop (max throughput), %d connections", s.Concurrency)
	} else {
		b.WriteString("Open model")
		if s.Shape != "" {
			b.WriteString(", " + s.Shape)
		}
		if s.Arrivals != "" {
			b.WriteString(", " + s.Arrivals + " arrivals")
		}
	}
	if source != "" {
		b.WriteString(" (" + source + ")")
	}
	fmt.Fprintf(&b, "; started %s, ran %s.", s.Started.UTC().Format(time.RFC3339), units.Seconds(s.DurationS))
	if s.Mode != stats.ModeClosed {
		b.WriteString(" Requests are sent on the schedule whatever the target's speed, and latency is measured from each request's due time.")
	}
	return b.String()
}

// loadTiles are the figures the load section's tiles leave out.
func loadTiles(s *stats.Summary) []Tile {
	var tiles []Tile
	if s.Mode != stats.ModeClosed {
		tiles = append(tiles, Tile{Label: "Completed", Value: units.Count(float64(s.Requests)), Detail: "of " + units.Count(float64(s.Scheduled)) + " due"})
	}
	tiles = append(tiles,
		Tile{Label: "Success", Value: units.Percent(s.SuccessRatio), Detail: "throughput " + units.Rate(s.Throughput)},
		Tile{Label: "Status codes", Value: loadStatusCodes(s.StatusCodes)},
		Tile{Label: "Errors by class", Value: loadErrorClasses(s.Errors)},
	)
	if s.Mode != stats.ModeClosed || s.Late > 0 {
		tiles = append(tiles, Tile{Label: "Late", Value: units.Count(float64(s.Late)), Detail: "sent behind their due time", Status: statusIf(s.Late > 0 && s.LateRatio > stats.WarnLateRatio)})
	}
	if s.Mode != stats.ModeClosed || s.Dropped > 0 {
		drop := Tile{Label: "Dropped", Value: units.Count(float64(s.Dropped)), Detail: "arrivals never sent"}
		if causes := loadDropCauses(&s.Stats); causes != "" {
			drop.Detail += ": " + causes
			drop.Status = Warn
		}
		tiles = append(tiles, drop)
	}
	if s.Unfinished > 0 {
		tiles = append(tiles, Tile{Label: "Unfinished", Value: units.Count(float64(s.Unfinished)), Detail: "still in flight at the end", Status: Warn})
	}
	return tiles
}

// loadDropCauses says why arrivals were dropped, when they were.
func loadDropCauses(s *stats.Stats) string {
	var parts []string
	if s.DroppedCap > 0 {
		parts = append(parts, units.Count(float64(s.DroppedCap))+" by the in-flight cap")
	}
	if s.DroppedAtEnd > 0 {
		parts = append(parts, units.Count(float64(s.DroppedAtEnd))+" not sent by the end")
	}
	if s.DroppedGenerator > 0 {
		parts = append(parts, units.Count(float64(s.DroppedGenerator))+" by the generator (out of files or ports)")
	}
	return strings.Join(parts, ", ")
}

func loadStatusCodes(m map[int]int64) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d × %s", c, units.Count(float64(m[c]))))
	}
	return strings.Join(parts, ", ")
}

func loadErrorClasses(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, c := range stats.ErrorClasses {
		if n := m[c]; n > 0 {
			parts = append(parts, c+" × "+units.Count(float64(n)))
		}
	}
	for _, c := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(stats.ErrorClasses, c) {
			parts = append(parts, c+" × "+units.Count(float64(m[c])))
		}
	}
	return strings.Join(parts, ", ")
}

// loadLatencyTable is the latency distribution: from the due time and from
// the send for an open run, per request for a closed one.
func loadLatencyTable(s *stats.Summary) Table {
	t := Table{Title: "Latency", Columns: []string{"Measured", "p50", "p90", "p95", "p99", "p99.9", "max", "mean"}}
	row := func(name string, l stats.Latency) {
		t.Rows = append(t.Rows, []string{name, units.Seconds(l.P50), units.Seconds(l.P90), units.Seconds(l.P95), units.Seconds(l.P99),
			units.Seconds(l.P999), units.Seconds(l.Max), units.Seconds(l.Mean)})
	}
	if s.Mode == stats.ModeClosed {
		row("per request", s.Latency)
	} else {
		row("from due time", s.Latency)
		row("from send", s.LatencyUncorrected)
	}
	return t
}

func loadTargetTable(per map[string]stats.Stats) Table {
	t := Table{Title: "Per target", Columns: []string{"Target", "Requests", "Rate", "Success", "p50", "p99", "max"}}
	for _, name := range slices.Sorted(maps.Keys(per)) {
		ps := per[name]
		t.Rows = append(t.Rows, []string{name, units.Count(float64(ps.Requests)), units.Rate(ps.AchievedRate), units.Percent(ps.SuccessRatio),
			units.Seconds(ps.Latency.P50), units.Seconds(ps.Latency.P99), units.Seconds(ps.Latency.Max)})
	}
	return t
}

func loadThresholdTable(rs []stats.ThresholdResult) Table {
	t := Table{Title: "Thresholds", Columns: []string{"Threshold", "Observed", "Verdict"}}
	for _, r := range rs {
		verdict := "pass"
		if !r.Pass {
			verdict = "FAIL"
		}
		observed := "no data"
		if !r.NoData {
			observed = r.Threshold.Format(r.Observed)
		}
		t.Rows = append(t.Rows, []string{r.Threshold.String(), observed, verdict})
	}
	return t
}

// loadGeneratorTable is the load generator's own health: its CPU, the most
// requests in flight, and how late it sent.
func loadGeneratorTable(s *stats.Summary) Table {
	g := &s.Generator
	t := Table{Title: "Load generator", Columns: []string{"Measure", "Value"}}
	t.Rows = [][]string{
		{"CPU", fmt.Sprintf("%s cores, %s ms per 1,000 requests", units.Number(g.CPUCores), units.Number(g.CPUMsPer1kRequests))},
		{"most in flight", units.Count(float64(g.MaxInFlightSeen))},
	}
	if s.Mode != stats.ModeClosed {
		t.Rows = append(t.Rows, []string{"send lag", fmt.Sprintf("p50 %s, p99 %s, max %s", units.Seconds(g.SchedLag.P50), units.Seconds(g.SchedLag.P99), units.Seconds(g.SchedLag.Max))})
	}
	return t
}
