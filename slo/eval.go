package slo

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// Counts are the events of one span of time: how many were good out of
// how many in all (for Timeslices budgeting, slices). Counts need not be
// whole numbers: Prometheus extrapolates.
type Counts struct {
	Good  float64
	Total float64
}

// Bad is the number of bad events.
func (c Counts) Bad() float64 { return math.Max(c.Total-c.Good, 0) }

// Add returns the sum of c and d.
func (c Counts) Add(d Counts) Counts { return Counts{Good: c.Good + d.Good, Total: c.Total + d.Total} }

// GoodRatio is the fraction of good events. ok is false when there were no
// events: zero traffic is "no data", neither good nor bad.
func (c Counts) GoodRatio() (ratio float64, ok bool) {
	if !(c.Total > 0) {
		return 0, false
	}
	return math.Min(math.Max(c.Good/c.Total, 0), 1), true
}

// ErrorRatio is the fraction of bad events; ok as for GoodRatio.
func (c Counts) ErrorRatio() (ratio float64, ok bool) {
	g, ok := c.GoodRatio()
	if !ok {
		return 0, false
	}
	return 1 - g, true
}

// Sample is what was observed over one span: its counts and whether any
// data was there at all (Missing: no series, as opposed to zero traffic).
type Sample struct {
	Counts
	Missing bool
	// GoodMissing says why a sample is Missing: the good events' query
	// matched no series while the total counted events — a good query that
	// matches nothing (a misspelled le), no data, never 100% errors.
	GoodMissing bool
}

// Observation is what a source (Prometheus, a load-test result, a
// simulation) saw of an SLO's events at one instant: over the SLO's window
// and over each burn-rate window before At.
type Observation struct {
	// At is the instant evaluated; Start is where the evaluated span began
	// (At − window for rolling windows, the period's start for calendar
	// windows, the first event for a load test).
	Start, At time.Time
	// DataStart, when set, is when the data in [Start, At] begins
	// (Start when it reaches back to Start; later for a young service or
	// a retention shorter than the window). Gaps after it are not
	// subtracted: counters count the traffic of a scrape gap.
	DataStart time.Time
	// Period is the SLO period budgets refer to: the rolling window's
	// length or the calendar period's full length.
	Period time.Duration
	// Group is the group's labels, in the SLO's Grouping order, when the
	// SLO is grouped: the observation is of that group's events only.
	Group []Label
	// Window is the events in [Start, At].
	Window Sample
	// Coverage is the fraction of [Start, At] that has data, in [0, 1].
	Coverage float64
	// Recent holds the events of trailing windows before At (5m, 1h…).
	Recent map[time.Duration]Sample
	// RatioOnly says the counts are a ratio scaled to one event (a raw SLI
	// whose events can't be counted): fractions hold, event counts don't.
	RatioOnly bool
	// Notes are what the source noticed, for people ("no series for the
	// good events").
	Notes []string
}

// Verdict is the outcome of evaluating an SLO.
type Verdict string

// Verdicts.
const (
	Met    Verdict = "met"
	Missed Verdict = "missed"
	NoData Verdict = "no_data" // no events in the window: neither met nor missed
)

// Status is the state of an SLO at one instant.
type Status struct {
	SLO  SLO
	Span time.Duration // length of [Start, At]
	Observation
	Verdict Verdict
	// SLI is the good fraction over the span (0 when there is no data).
	SLI float64
	// Budget is the error budget over the span.
	Budget Budget
	// Burn is the burn rate over each window of Recent, shortest first.
	Burn []WindowBurn
	// CurrentBurn is the burn rate over CurrentBurnWindow (the SLO's
	// SLO.CurrentBurnWindow); ok false when
	// that window had no events.
	CurrentBurn       float64
	CurrentBurnOK     bool
	CurrentBurnWindow time.Duration
	// Exhaustion is how long the remaining budget lasts at CurrentBurn;
	// ExhaustionOK is false when the budget is not burning (or unknown).
	Exhaustion   time.Duration
	ExhaustionOK bool
	// Notes explain gaps, zero traffic and other things a person should
	// know about the numbers.
	Notes []string
}

// Budget is an error budget over a span.
type Budget struct {
	// Allowed is how many events (slices) may be bad: (1 − target) × total.
	Allowed float64
	// Used is how many were bad.
	Used float64
	// Remaining is the fraction of the budget left: 1 − Used/Allowed. It
	// is negative when the budget is overspent.
	Remaining float64
	// RemainingEvents is Allowed − Used (negative when overspent).
	RemainingEvents float64
	// RemainingTime is the remaining budget as time: for Timeslices the
	// bad slices still allowed times their length; for Occurrences the
	// length of a complete outage, at the average traffic of the span
	// while it had data, that the remaining budget would absorb. When
	// data covers only part of the span (Coverage < 1: a young service, a
	// retention shorter than the window), the events were counted over
	// that part, and so is the traffic.
	RemainingTime time.Duration
}

// WindowBurn is the burn rate over one trailing window.
type WindowBurn struct {
	Window time.Duration
	Sample
	ErrorRatio float64 // 0 when there were no events
	BurnRate   float64 // ErrorRatio / (1 − target)
	OK         bool    // false when there were no events (no data or no traffic)
}

// Evaluate judges an observation against an SLO: the SLI, whether the
// objective is met, the budget left and how fast it burns. It never
// returns NaN: windows without events are reported as such.
func Evaluate(s SLO, obs Observation) Status {
	st := Status{SLO: s, Observation: obs, Span: obs.At.Sub(obs.Start)}
	st.Notes = append(st.Notes, obs.Notes...)
	budget := s.ErrorBudget()
	unit := "events"
	if s.BudgetingMethod() == Timeslices {
		unit = "slices"
	}
	if !finite(obs.Window.Good) || !finite(obs.Window.Total) {
		st.Window = Sample{Missing: true}
		st.Notes = append(st.Notes, "the counts over the window are not finite numbers: no data")
	}
	good, ok := st.Window.GoodRatio()
	switch {
	case !ok && st.Window.Missing:
		st.Verdict = NoData
		st.Notes = append(st.Notes, fmt.Sprintf("no data over the window (%s): no series matched", PromDuration(st.Span)))
	case !ok:
		st.Verdict = NoData
		st.Notes = append(st.Notes, fmt.Sprintf("no traffic over the window (%s): zero %s", PromDuration(st.Span), unit))
	default:
		st.SLI = good
		st.Verdict = Met
		if good < s.Target {
			st.Verdict = Missed
		}
		b := &st.Budget
		b.Allowed = budget * obs.Window.Total
		b.Used = obs.Window.Bad()
		b.RemainingEvents = b.Allowed - b.Used
		b.Remaining = 1 - (1-good)/budget
		if s.BudgetingMethod() == Timeslices {
			b.RemainingTime = time.Duration(b.RemainingEvents * float64(s.TimeSlice.Window))
		} else {
			b.RemainingTime = time.Duration(b.Remaining * budget * float64(obs.TrafficSpan()))
		}
		b.RemainingTime = b.RemainingTime.Round(time.Second)
		if obs.RatioOnly {
			b.Allowed, b.Used, b.RemainingEvents = 0, 0, 0
		}
		if b.Remaining <= 0 {
			st.Notes = append(st.Notes, "the error budget is exhausted")
		}
	}
	if obs.Coverage < MinCoverage && st.Span > 0 && st.Verdict != NoData {
		st.Notes = append(st.Notes, fmt.Sprintf("data covers only %s of the window (%s of %s)",
			units.Percent(obs.Coverage), units.Duration(time.Duration(obs.Coverage*float64(st.Span))), units.Duration(st.Span)))
	}
	st.Burn, st.Notes = burns(s, obs, st.Notes)
	st.CurrentBurnWindow = s.CurrentBurnWindow()
	for _, wb := range st.Burn {
		if wb.Window == st.CurrentBurnWindow && wb.OK {
			st.CurrentBurn, st.CurrentBurnOK = wb.BurnRate, true
		}
	}
	if st.CurrentBurnOK && st.Verdict != NoData {
		st.Exhaustion, st.ExhaustionOK = TimeToExhaustion(st.Budget.Remaining, st.CurrentBurn, obs.Period)
	}
	return st
}

// TrafficSpan is the part of [Start, At] in which the events observed
// were served: from DataStart to At when the source says where its data
// begins; else the span times Coverage when coverage is known and
// partial; else the whole span.
func (o Observation) TrafficSpan() time.Duration {
	span := o.At.Sub(o.Start)
	switch {
	case !o.DataStart.IsZero():
		from := o.DataStart
		if from.Before(o.Start) {
			from = o.Start
		}
		return max(o.At.Sub(from), 0)
	case o.Coverage > 0 && o.Coverage < 1:
		return time.Duration(o.Coverage * float64(span))
	}
	return span
}

// ID names the SLO and, for a grouped SLO, the group:
// checkout/availability{route="/pay"}.
func (st Status) ID() string { return st.SLO.ID() + FormatGroup(st.Group) }

// FormatGroup writes a group's labels as PromQL does, {route="/pay"}, or
// "" for no group.
func FormatGroup(labels []Label) string {
	if len(labels) == 0 {
		return ""
	}
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = fmt.Sprintf("%s=%q", l.Name, l.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// burns computes the burn rate per recent window and notes the longest
// windows without data or without traffic.
func burns(s SLO, obs Observation, notes []string) ([]WindowBurn, []string) {
	var out []WindowBurn
	var noData, noTraffic time.Duration
	for _, w := range sortedWindows(obs.Recent) {
		smp := obs.Recent[w]
		if !finite(smp.Good) || !finite(smp.Total) {
			smp = Sample{Missing: true}
		}
		wb := WindowBurn{Window: w, Sample: smp}
		if r, ok := smp.ErrorRatio(); ok {
			wb.ErrorRatio, wb.BurnRate, wb.OK = r, BurnRate(r, s.Target), true
		} else if smp.Missing {
			noData = w
		} else {
			noTraffic = w
		}
		out = append(out, wb)
	}
	if noData > 0 {
		notes = append(notes, fmt.Sprintf("no data in the last %s", PromDuration(noData)))
	}
	if noTraffic > 0 {
		notes = append(notes, fmt.Sprintf("no traffic in the last %s", PromDuration(noTraffic)))
	}
	return out, notes
}

func sortedWindows(m map[time.Duration]Sample) []time.Duration {
	out := make([]time.Duration, 0, len(m))
	for w := range m {
		out = append(out, w)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// MinCoverage is the share of a window that must have data before
// Evaluate stops noting the gap.
const MinCoverage = 0.95

// HumanDuration writes d for people: units.Duration ("2d03h", "3h20m",
// "45s"), kept for callers outside slo.
func HumanDuration(d time.Duration) string { return units.Duration(d) }
