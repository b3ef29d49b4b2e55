package slo

import (
	"time"
)

// Series is a stream of event counts in equal steps: per second from a
// load test, per simulated step from a spike simulation. It is how
// headroom evaluates an SLO against something other than Prometheus.
type Series struct {
	Start  time.Time     // start of the first step
	Step   time.Duration // length of each step
	Counts []Counts      // one per step
}

// End is the end of the last step.
func (sr Series) End() time.Time { return sr.Start.Add(time.Duration(len(sr.Counts)) * sr.Step) }

// Observe turns the series into an observation of s at its end. The series
// is the span evaluated (a load test is its own window, so coverage is
// complete), budgets refer to the SLO's period, and the recent windows are
// the alert windows that fit in the series. Under Timeslices budgeting the
// steps are grouped into slices first.
func (sr Series) Observe(s SLO) Observation {
	obs := Observation{Start: sr.Start, At: sr.End(), Period: s.Window.Length, Coverage: 1, Recent: map[time.Duration]Sample{}}
	units, unit := sr.units(s)
	var all Counts
	for _, c := range units {
		all = all.Add(c)
	}
	obs.Window = Sample{Counts: all}
	span := obs.At.Sub(obs.Start)
	for _, w := range s.AlertWindows() {
		if w > span || unit <= 0 {
			break
		}
		n := min(int((w+unit-1)/unit), len(units))
		var c Counts
		for _, u := range units[len(units)-n:] {
			c = c.Add(u)
		}
		obs.Recent[w] = Sample{Counts: c}
	}
	return obs
}

// units returns the series as the SLO counts it: the steps themselves
// under Occurrences; under Timeslices one count per slice (good 1 when the
// slice reached the slice target, total 1 when it had traffic), with the
// slice length.
func (sr Series) units(s SLO) ([]Counts, time.Duration) {
	if s.BudgetingMethod() != Timeslices || sr.Step <= 0 {
		return sr.Counts, sr.Step
	}
	per := max(int(s.TimeSlice.Window/sr.Step), 1)
	target := s.sliceTarget()
	var out []Counts
	for i := 0; i < len(sr.Counts); i += per {
		var c Counts
		for _, x := range sr.Counts[i:min(i+per, len(sr.Counts))] {
			c = c.Add(x)
		}
		g, ok := c.GoodRatio()
		switch {
		case !ok:
			out = append(out, Counts{})
		case g >= target:
			out = append(out, Counts{Good: 1, Total: 1})
		default:
			out = append(out, Counts{Total: 1})
		}
	}
	return out, time.Duration(per) * sr.Step
}

// Spend is how much of an SLO window's error budget a stretch of events
// used.
type Spend struct {
	Bad      float64 // bad events (Timeslices: bad slices)
	Allowed  float64 // bad events (slices) the whole window allows
	Fraction float64 // Bad / Allowed: 1 means the whole window's budget
}

// Spend returns the share of s's window error budget that the bad events of
// the series used: what a spike cost. windowEvents is how many events the
// whole window holds (say, the usual rate times the window's length); when
// it is ≤ 0 the series' own average rate is taken to last the window.
// Under Timeslices the window holds its length over the slice length.
func (sr Series) Spend(s SLO, windowEvents float64) Spend {
	units, unit := sr.units(s)
	var c Counts
	for _, u := range units {
		c = c.Add(u)
	}
	sp := Spend{Bad: c.Bad()}
	switch {
	case s.BudgetingMethod() == Timeslices && unit > 0:
		windowEvents = float64(s.Window.Length / unit)
	case windowEvents <= 0:
		if span := sr.End().Sub(sr.Start); span > 0 {
			windowEvents = c.Total / span.Seconds() * s.Window.Length.Seconds()
		}
	}
	sp.Allowed = s.ErrorBudget() * windowEvents
	if sp.Allowed > 0 {
		sp.Fraction = sp.Bad / sp.Allowed
	}
	return sp
}
