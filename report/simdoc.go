package report

import (
	"fmt"
	"strings"

	"github.com/headroom-sre/headroom/sim"
)

// SimReport is what `headroom sim` found: a system's scenarios simulated.
type SimReport struct {
	// System is the system's name.
	System string
	// Objectives are the SLOs the scenarios were judged by.
	Objectives sim.Objectives
	// Components are the system's components, in file order (the
	// timeline's columns).
	Components []string
	// Results are the scenarios' results.
	Results []*sim.Result
	// Notes are what the reader should know: defaults the System file
	// relied on, where its prices came from, the simulations' assumptions.
	Notes []string
	// Command is the command line that reproduces the report.
	Command string
	// Timeline adds each result's timeline as a table.
	Timeline bool
}

// SimDocument is a simulation as a document: one section per scenario
// (its verdict, the simulator's diagnosis, charts when the results have a
// timeline), then the notes.
func SimDocument(r SimReport) Document {
	doc := Document{Title: r.System + " — simulated"}
	var names []string
	for _, res := range r.Results {
		names = append(names, res.Scenario)
	}
	doc.Subtitle = reproducible("Scenarios: "+strings.Join(names, ", "), " · ", r.Command)
	for _, res := range r.Results {
		doc.Sections = append(doc.Sections, simScenarioSection(r, res))
	}
	if len(r.Notes) > 0 {
		doc.Sections = append(doc.Sections, Section{Title: "Notes", Notes: r.Notes})
	}
	return doc
}

// simScenarioSection is SimSection for the sim command: the budget split
// per objective, the scenario's cost and pending pods added, the colours
// set by meaning, the run's own notes left to the document's Notes.
func simScenarioSection(r SimReport, res *sim.Result) Section {
	own := *res
	own.Notes = nil
	sec := SimSection(fmt.Sprintf("Scenario %s (%s, %s)", res.Scenario, Duration(res.Duration), res.Traffic), &own)
	sec.Intro = "Simulated second by second: the HPA v2 algorithm, metric lag, pod start-up, node provisioning, queues, time-outs and retries."
	o := r.Objectives
	if o.Availability == 0 && o.LatencyThreshold == 0 {
		sec.Verdict = &Verdict{Status: Neutral, Text: "No SLO to judge by: the System file sets no objective."}
	}
	breach := "none"
	if res.FirstBreach != nil {
		breach = "T+" + Duration(*res.FirstBreach)
	}
	window := o.Window
	if window == 0 {
		window = sim.DefaultSLOWindow
	}
	budget := "of the " + Duration(window.Seconds()) + " error budget"
	var parts []string
	if res.Availability != nil {
		parts = append(parts, "availability "+Percent(res.Availability.BudgetBurned))
	}
	if res.Latency != nil {
		parts = append(parts, "latency "+Percent(res.Latency.BudgetBurned))
	}
	if len(parts) > 0 {
		budget += ": " + strings.Join(parts, ", ")
	}
	for i := range sec.Tiles {
		switch sec.Tiles[i].Label {
		case "Budget burned":
			sec.Tiles[i].Detail = budget
		case "Cost at the end state":
			if res.Cost.Mode == "standard" {
				sec.Tiles[i].Detail = fmt.Sprintf("%d nodes", res.Cost.NodesAtEnd)
			}
		case "Failed":
			if o.LatencyThreshold > 0 {
				sec.Tiles[i].Detail += fmt.Sprintf("; %s slower than %s", Count(res.Slow), Seconds(o.LatencyThreshold.Seconds()))
			}
		}
	}
	simBand(&sec, res)
	cost := Tile{Label: "Cost of the scenario", Value: Money(res.Cost.Scenario, res.Cost.Currency)}
	sec.Tiles = append([]Tile{{Label: "First SLO breach", Value: breach, Status: statusIf(res.FirstBreach != nil)}}, sec.Tiles...)
	sec.Tiles = append(sec.Tiles, cost)
	for _, c := range res.Components {
		if c.MaxPending > 0 {
			sec.Notes = append(sec.Notes, fmt.Sprintf("%s: up to %d pods waited %s for a node.", c.Name, c.MaxPending, Duration(c.PendingS)))
		}
	}
	for i := range sec.Charts {
		for j := range sec.Charts[i].Series {
			s := &sec.Charts[i].Series[j]
			switch s.Name {
			case "goodput":
				s.Color = Good
			case "failed":
				s.Color = Bad
			}
		}
	}
	if r.Timeline && len(res.Timeline) > 0 {
		sec.Tables = append(sec.Tables, simTimeline(r.Components, res))
	}
	return sec
}

// simTimeline is a result's timeline as a table.
func simTimeline(names []string, res *sim.Result) Table {
	t := Table{Title: "Timeline", Columns: []string{"T", "Arrivals/s", "Goodput/s", "Failed/s", "p99"}}
	for _, n := range names {
		t.Columns = append(t.Columns, n+" ready/desired", n+" CPU", n+" queue")
	}
	for _, p := range res.Timeline {
		row := []string{Duration(p.T), formatNumber(p.ArrivalRate), formatNumber(p.Goodput), formatNumber(p.Failed), Seconds(p.P99)}
		for _, n := range names {
			c := p.Components[n]
			row = append(row, fmt.Sprintf("%d/%d", c.Ready, c.Desired), Percent(c.Utilization), Count(c.Queue))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// simBand words a borderline survival in the verdict, and adds the band
// of verdicts over timing (sim.Result.Band) as a tile and a table.
func simBand(sec *Section, res *sim.Result) {
	if res.SLOMet && res.Borderline && sec.Verdict != nil && sec.Verdict.Status == OK {
		sec.Verdict = &Verdict{Status: Warn, Text: fmt.Sprintf("Borderline: survives, but %s.", res.BorderlineReason)}
	}
	b := res.Band
	if b == nil {
		return
	}
	verdict := func(met bool) string {
		if met {
			return sim.Survives
		}
		return sim.DoesNotSurvive
	}
	breach := func(at *float64) string {
		if at == nil {
			return "none"
		}
		return "T+" + Duration(*at)
	}
	status := Neutral
	switch {
	case !b.Best.SLOMet:
		status = Fail
	case !b.Worst.SLOMet:
		status = Warn
	case res.SLOMet:
		status = OK
	}
	if lo, hi := Percent(b.Best.BudgetBurned), Percent(b.Worst.BudgetBurned); lo == hi && b.Best.SLOMet == b.Worst.SLOMet {
		// The verdict does not depend on timing: one tile says so.
		sec.Tiles = append(sec.Tiles, Tile{Label: "Timing band (budget burned)", Value: lo + " in every timing",
			Detail: "the same whether metrics are fresh or stale and pods start fast or slow", Status: status})
		return
	}
	sec.Tiles = append(sec.Tiles, Tile{Label: "Timing band (budget burned)", Value: Percent(b.Best.BudgetBurned) + " to " + Percent(b.Worst.BudgetBurned),
		Detail: fmt.Sprintf("best case %s, worst case %s", verdict(b.Best.SLOMet), verdict(b.Worst.SLOMet)), Status: status})
	if !res.SLOMet && b.Best.SLOMet {
		sec.Notes = append(sec.Notes, fmt.Sprintf("It survives only in the best timing (%s): do not count on it.", b.Best.Assumes))
	}
	t := Table{Title: "Timing band: the verdict when metrics and start-up are faster or slower than on average",
		Columns: []string{"Case", "Verdict", "Budget burned", "Failed", "First SLO breach", "Worst p99", "Assumes"}}
	row := func(name string, met bool, burned, failed float64, first *float64, p99 float64, assumes string) {
		t.Rows = append(t.Rows, []string{name, verdict(met), Percent(burned), Count(failed), breach(first), Seconds(p99), assumes})
	}
	row("best", b.Best.SLOMet, b.Best.BudgetBurned, b.Best.Failed, b.Best.FirstBreach, b.Best.WorstP99, b.Best.Assumes)
	row("average", res.SLOMet, res.BudgetBurned, res.Failed, res.FirstBreach, res.WorstP99, "samples as old as on average, the median start-up")
	row("worst", b.Worst.SLOMet, b.Worst.BudgetBurned, b.Worst.Failed, b.Worst.FirstBreach, b.Worst.WorstP99, b.Worst.Assumes)
	t.Highlight = []int{1}
	sec.Tables = append(sec.Tables, t)
}
