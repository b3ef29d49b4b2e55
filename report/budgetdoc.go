package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/units"
)

// SLOCheck is one objective judged over its window (or over a load test):
// as a whole and, when it is grouped, per group. It is what slo check
// found, as BudgetDocument shows it.
type SLOCheck struct {
	slo.Status
	// GoodMissing says the good events' query matched no series while the
	// total counted events: no data, never 100% errors.
	GoodMissing bool
	// Groups are a grouped SLO's groups, worst first.
	Groups []SLOGroup
	// GroupsMissed and GroupsGoodMissing count the groups that missed the
	// objective and those with traffic but no good events.
	GroupsMissed, GroupsGoodMissing int
}

// SLOGroup is one group of a grouped SLO, judged.
type SLOGroup struct {
	Labels []slo.Label
	slo.Status
	GoodMissing bool
}

// HasData reports whether a status's window had events, so that its SLI
// and budget mean something.
func HasData(st slo.Status) bool {
	_, ok := st.Window.GoodRatio()
	return ok
}

// NoDataReason says, for people, why an objective has no data.
func (c SLOCheck) NoDataReason() string {
	switch {
	case c.GoodMissing:
		return "no series of good events while there was traffic"
	case c.GroupsGoodMissing > 0:
		return fmt.Sprintf("%d group(s) with traffic but no series of good events", c.GroupsGoodMissing)
	case c.Window.Missing:
		return "no series matched"
	}
	return "no events in the window"
}

// NoDataCode is NoDataReason as a code for JSON: no_traffic, no_series,
// good_events_missing or groups_good_events_missing; "" when the
// verdict is not no_data.
func (c SLOCheck) NoDataCode() string {
	switch {
	case c.Verdict != slo.NoData:
		return ""
	case c.GoodMissing:
		return "good_events_missing"
	case c.GroupsGoodMissing > 0:
		return "groups_good_events_missing"
	case c.Window.Missing:
		return "no_series"
	}
	return "no_traffic"
}

// GroupName writes a group's labels: route="/pay", tenant="acme".
func GroupName(ls []slo.Label) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = fmt.Sprintf("%s=%q", l.Name, l.Value)
	}
	return strings.Join(parts, ", ")
}

// BudgetDocument is the report of an SLO check: a section per objective
// with its verdict, SLI, error budget left (as a fraction, in events and
// as time of full outage), burn rate over each alert window, how long the
// budget lasts, its notes and, for a grouped SLO, a row per group, worst
// first. run says the events are a load test's (the SLO's window is the
// run) rather than Prometheus's at at.
func BudgetDocument(checks []SLOCheck, at time.Time, run bool, warnings []string) Document {
	doc := Document{Title: "SLO check", Subtitle: "Evaluated against Prometheus at " + at.UTC().Format(time.RFC3339)}
	if run {
		doc.Subtitle = "Evaluated against a load-test result ending " + at.UTC().Format(time.RFC3339)
	}
	for _, c := range checks {
		doc.Sections = append(doc.Sections, budgetSection(c, run))
	}
	if len(warnings) > 0 {
		sec := Section{Title: "Prometheus warnings", Verdict: &Verdict{Status: Warn, Text: "Prometheus answered with warnings: the data may be partial."}}
		sec.Notes = append(sec.Notes, warnings...)
		doc.Sections = append(doc.Sections, sec)
	}
	return doc
}

// budgetUnit is what an SLO's budget counts: events, or slices.
func budgetUnit(s slo.SLO) string {
	if s.BudgetingMethod() == slo.Timeslices {
		return "slices"
	}
	return "events"
}

// budgetVerdictWord writes a verdict as it stands out in text: MET, MISSED, NO DATA.
func budgetVerdictWord(v slo.Verdict) string {
	return strings.ToUpper(strings.ReplaceAll(string(v), "_", " "))
}

func budgetSection(c SLOCheck, run bool) Section {
	st := c.Status
	s := st.SLO
	sec := Section{Title: s.ID()}
	if run {
		sec.Intro = fmt.Sprintf("%s objective, over the %s load test ending %s.", slo.FormatPercent(s.Target), units.Duration(st.Span), st.At.UTC().Format(time.RFC3339))
	} else {
		sec.Intro = fmt.Sprintf("%s objective, %s, at %s.", slo.FormatPercent(s.Target), s.Window, st.At.UTC().Format(time.RFC3339))
	}
	unit := budgetUnit(s)
	verdict := budgetVerdictWord(st.Verdict)
	switch {
	case c.GroupsMissed > 0:
		verdict += fmt.Sprintf(" (%d of %d groups)", c.GroupsMissed, len(c.Groups))
	case c.GroupsGoodMissing > 0:
		verdict += fmt.Sprintf(" (%d of %d groups without good events)", c.GroupsGoodMissing, len(c.Groups))
	}
	switch st.Verdict {
	case slo.Met:
		sec.Verdict = &Verdict{Status: OK, Text: verdict + ": the objective is met."}
	case slo.Missed:
		sec.Verdict = &Verdict{Status: Fail, Text: verdict + ": the objective is missed."}
	default:
		sec.Verdict = &Verdict{Status: Warn, Text: verdict + ": " + c.NoDataReason() + "."}
	}
	switch {
	case !HasData(st):
		sec.Tiles = append(sec.Tiles, Tile{Label: "SLI", Value: "no data", Detail: c.NoDataReason(), Status: Warn})
	case st.RatioOnly:
		sec.Tiles = append(sec.Tiles, Tile{Label: "SLI", Value: units.Percent(st.SLI), Detail: verdict, Status: budgetVerdictStatus(st.Verdict)})
	default:
		sec.Tiles = append(sec.Tiles, Tile{Label: "SLI", Value: units.Percent(st.SLI),
			Detail: fmt.Sprintf("of %s %s, %s", units.Count(st.Window.Total), unit, verdict), Status: budgetVerdictStatus(st.Verdict)})
	}
	if HasData(st) {
		b := st.Budget
		detail := fmt.Sprintf("%s of full outage", units.Duration(b.RemainingTime))
		if !st.RatioOnly {
			detail = fmt.Sprintf("%s of %s bad %s allowed; %s", units.Count(b.RemainingEvents), units.Count(b.Allowed), unit, detail)
		}
		sec.Tiles = append(sec.Tiles, Tile{Label: "Budget left", Value: units.Percent(b.Remaining), Detail: detail, Status: statusIf(b.Remaining < 0)})
	}
	if st.CurrentBurnOK {
		sec.Tiles = append(sec.Tiles, Tile{Label: "Burn rate", Value: budgetBurnText(st.CurrentBurn), Detail: "over the last " + slo.PromDuration(st.CurrentBurnWindow), Status: statusIf(st.CurrentBurn > 1)})
	}
	switch {
	case st.ExhaustionOK && st.Exhaustion == 0:
		sec.Tiles = append(sec.Tiles, Tile{Label: "Budget lasts", Value: "already spent", Status: Fail})
	case st.ExhaustionOK:
		sec.Tiles = append(sec.Tiles, Tile{Label: "Budget lasts", Value: units.Duration(st.Exhaustion), Detail: fmt.Sprintf("at the last %s's burn rate", slo.PromDuration(st.CurrentBurnWindow))})
	case HasData(st) && st.CurrentBurnOK:
		sec.Tiles = append(sec.Tiles, Tile{Label: "Budget lasts", Value: "not burning"})
	}
	if len(st.Burn) > 0 {
		t := Table{Title: "Burn rate by window", Columns: []string{"Window", "Good", "Total", "Error ratio", "Burn rate"}}
		for _, wb := range st.Burn {
			row := []string{slo.PromDuration(wb.Window), units.Count(wb.Good), units.Count(wb.Total)}
			switch {
			case wb.OK:
				row = append(row, units.Percent(wb.ErrorRatio), budgetBurnText(wb.BurnRate))
			case wb.Missing:
				row = append(row, "—", "no data")
			default:
				row = append(row, "—", "no traffic")
			}
			t.Rows = append(t.Rows, row)
		}
		sec.Tables = append(sec.Tables, t)
	}
	if len(c.Groups) > 0 {
		sec.Tables = append(sec.Tables, budgetGroupTable(s, c.Groups, unit))
	}
	sec.Notes = append(sec.Notes, st.Notes...)
	return sec
}

// budgetGroupTable is a row per group: its labels, SLI, events, budget left,
// current burn rate and verdict.
func budgetGroupTable(s slo.SLO, groups []SLOGroup, unit string) Table {
	t := Table{Title: "Groups by " + strings.Join(s.Grouping, ", ") + ", worst first"}
	t.Columns = append(t.Columns, s.Grouping...)
	t.Columns = append(t.Columns, "SLI", strings.ToUpper(unit[:1])+unit[1:], "Budget left", "Burn "+slo.PromDuration(s.CurrentBurnWindow()), "Verdict")
	for _, g := range groups {
		var row []string
		for _, l := range g.Labels {
			v := l.Value
			if v == "" {
				v = `""`
			}
			row = append(row, v)
		}
		sli, events, left, burn := "—", "—", "—", "—"
		verdict := budgetVerdictWord(g.Verdict)
		switch {
		case g.GoodMissing:
			verdict = "NO DATA (no good events)"
		case HasData(g.Status):
			sli, events, left = units.Percent(g.SLI), units.Count(g.Window.Total), units.Percent(g.Budget.Remaining)
		case g.Window.Missing:
			verdict = "NO DATA"
		default:
			events, verdict = "0", "NO TRAFFIC"
		}
		if g.CurrentBurnOK {
			burn = budgetBurnText(g.CurrentBurn)
		}
		t.Rows = append(t.Rows, append(row, sli, events, left, burn, verdict))
	}
	return t
}

// budgetBurnText writes a burn rate: 0.83x, 14.4x.
func budgetBurnText(b float64) string { return units.Number(b) + "x" }

func budgetVerdictStatus(v slo.Verdict) Status {
	switch v {
	case slo.Met:
		return OK
	case slo.Missed:
		return Fail
	}
	return Warn
}
