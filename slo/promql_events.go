package slo

import (
	"fmt"
	"strings"
	"time"
)

// EventQueries are PromQL expressions that count an SLO's events over one
// window. Each returns at most one series, without labels; an empty result
// means no data. Exactly one of Good and Bad is set, or only Ratio (for a
// raw SLI, whose events can't be counted).
type EventQueries struct {
	Total string // all events (Timeslices: slices with data)
	Good  string // good events
	Bad   string // bad events
	// Ratio is a raw SLI's ratio: of good events, or of bad ones when
	// RatioFailure.
	Ratio        string
	RatioFailure bool
	// Grouping are the labels each query is summed by (the SLO's).
	Grouping []string
	// GoodSeen, when set, is PromQL that returns a series (per group) when
	// the good events' series existed recently: a group with traffic whose
	// good series is missing then counts zero good events (every request
	// failed). Without it, missing good events give no result — no data,
	// never 100% errors: a good query that matches nothing (a misspelled
	// le) must not page.
	GoodSeen string
}

// Events returns the queries that count s's events over the trailing w:
// as events per second when perSecond (cheaper to read, same ratios) or as
// events in w. Timeslices and threshold SLIs always count (slices or
// sampled points).
func (s SLO) Events(w time.Duration, perSecond bool) EventQueries {
	in := s.Indicator
	g := s.Grouping
	sum := "sum" + ByClause(g)
	if s.BudgetingMethod() == Timeslices {
		l := s.TimeSlice.Window
		slice := s.sliceGoodFraction(l)
		return EventQueries{Grouping: g,
			Good:  fmt.Sprintf("%s(count_over_time((%s >= %s)[%s:%s]))", sum, slice, PromNumber(s.sliceTarget()), PromDuration(w), PromDuration(l)),
			Total: fmt.Sprintf("%s(count_over_time((%s)[%s:%s]))", sum, slice, PromDuration(w), PromDuration(l)),
		}
	}
	switch {
	case in.IsThreshold():
		step := DefaultSampleStep
		return EventQueries{Grouping: g,
			Good:  fmt.Sprintf("%s(count_over_time((%s %s %s)[%s:%s]))", sum, in.Metric.Template(), in.Op.PromQL(), PromNumber(in.Value), PromDuration(w), PromDuration(step)),
			Total: fmt.Sprintf("%s(count_over_time(%s[%s:%s]))", sum, in.Metric.Template(), PromDuration(w), PromDuration(step)),
		}
	case !in.Raw.IsZero():
		return EventQueries{Ratio: in.Raw.At(w), RatioFailure: in.RawFailure}
	}
	count := func(q Query) string {
		if q.IsZero() {
			return ""
		}
		q = q.Grouped(g)
		if perSecond {
			return q.Rate(w)
		}
		return q.Increase(w)
	}
	return EventQueries{Total: count(in.Total), Good: count(in.Good), Bad: count(in.Bad), Grouping: g}
}

// GoodFraction is PromQL for the fraction of good events, guarded so that
// zero traffic and missing data give no result rather than NaN or Inf.
func (q EventQueries) GoodFraction() string {
	f, good := q.direct()
	if good {
		return f
	}
	return complement(f)
}

// ErrorFraction is PromQL for the fraction of bad events, guarded like
// GoodFraction.
func (q EventQueries) ErrorFraction() string {
	f, good := q.direct()
	if !good {
		return f
	}
	return complement(f)
}

// direct is the fraction the queries give without a complement, and
// whether it is the fraction of good events. A missing count of bad events
// counts as zero; a missing count of good events counts as zero only where
// GoodSeen says the good series exist (else no result); a zero or missing
// denominator gives no result.
func (q EventQueries) direct() (expr string, good bool) {
	on := "on(" + strings.Join(q.Grouping, ", ") + ")"
	switch {
	case q.Ratio != "":
		return fmt.Sprintf("(%s >= 0)", q.Ratio), !q.RatioFailure
	case q.Good != "" && q.GoodSeen != "":
		return fmt.Sprintf("((%s or (0 * %s and %s %s)) / (%s > 0))", q.Good, q.Total, on, q.GoodSeen, q.Total), true
	case q.Good != "":
		return fmt.Sprintf("(%s / (%s > 0))", q.Good, q.Total), true
	}
	return fmt.Sprintf("((%s or 0 * %s) / (%s > 0))", q.Bad, q.Total, q.Total), false
}

// complement is 1 − f, kept at or above 0.
func complement(f string) string { return fmt.Sprintf("clamp_min(1 - %s, 0)", f) }

// ErrorRatio is PromQL for s's error ratio over the trailing w (per group):
// bad events over all events, weighted by traffic; no result when there
// were no events, or when the good events' series are missing.
func (s SLO) ErrorRatio(w time.Duration) string { return s.Events(w, true).ErrorFraction() }

// ErrorRatioSeen is ErrorRatio where goodSeen (see EventQueries.GoodSeen)
// says which groups' good series exist, so that their absence counts as
// zero good events there.
func (s SLO) ErrorRatioSeen(w time.Duration, goodSeen string) string {
	q := s.Events(w, true)
	q.GoodSeen = goodSeen
	return q.ErrorFraction()
}

// Absent is PromQL that returns 1 when the indicator's metrics are missing.
func (s SLO) Absent() string {
	in := s.Indicator
	switch {
	case in.IsThreshold():
		return "absent(" + in.Metric.Template() + ")"
	case !in.Raw.IsZero():
		return "absent(" + in.Raw.At(5*time.Minute) + ")"
	}
	return "absent(" + in.Total.Rate(5*time.Minute) + ")"
}

// sliceGoodFraction is PromQL for the good fraction within one slice of
// length l.
func (s SLO) sliceGoodFraction(l time.Duration) string {
	in := s.Indicator
	if in.IsThreshold() {
		step := min(DefaultSampleStep, l)
		return fmt.Sprintf("avg_over_time((%s %s bool %s)[%s:%s])", in.Metric.Template(), in.Op.PromQL(), PromNumber(in.Value), PromDuration(l), PromDuration(step))
	}
	sub := s
	sub.Budgeting = Occurrences
	return sub.Events(l, true).GoodFraction()
}

// sliceTarget is the good fraction a slice needs; a threshold SLI without
// one needs every point good.
func (s SLO) sliceTarget() float64 {
	if s.TimeSlice.Target <= 0 {
		return 1
	}
	return s.TimeSlice.Target
}
