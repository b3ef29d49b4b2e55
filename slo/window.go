package slo

import (
	"errors"
	"fmt"
	"time"
)

// Window is the span of time an SLO's target holds over: rolling (the
// trailing Length, at every instant) or calendar (fixed periods such as
// calendar months, starting at a given instant in a time zone).
type Window struct {
	// Length is the rolling window's length, or a calendar period's
	// nominal length (a month counts as 30 days, a quarter 90, a year
	// 365). Prometheus rules, which need one fixed range, use it.
	Length time.Duration
	// Calendar is set for calendar windows.
	Calendar *Calendar
}

// Calendar describes calendar-aligned periods: Count Units each, one of
// which starts at Start (in Start's location, which sets the time zone).
type Calendar struct {
	Count int
	Unit  Unit
	Start time.Time
}

// Unit is a calendar unit.
type Unit string

// Calendar units.
const (
	Minute  Unit = "minute"
	Hour    Unit = "hour"
	Day     Unit = "day"
	Week    Unit = "week"
	Month   Unit = "month"
	Quarter Unit = "quarter"
	Year    Unit = "year"
)

// Nominal is the unit's length for fixed-length uses (a month is 30 days).
func (u Unit) Nominal() time.Duration {
	switch u {
	case Minute:
		return time.Minute
	case Hour:
		return time.Hour
	case Day:
		return 24 * time.Hour
	case Week:
		return 7 * 24 * time.Hour
	case Month:
		return 30 * 24 * time.Hour
	case Quarter:
		return 90 * 24 * time.Hour
	case Year:
		return 365 * 24 * time.Hour
	}
	return 0
}

// Rolling is a rolling window of length d.
func Rolling(d time.Duration) Window { return Window{Length: d} }

// CalendarWindow is a calendar window of count units, aligned to start.
func CalendarWindow(count int, unit Unit, start time.Time) (Window, error) {
	if count <= 0 {
		return Window{}, fmt.Errorf("a calendar window needs a positive count, got %d", count)
	}
	if unit.Nominal() == 0 {
		return Window{}, fmt.Errorf("unknown calendar unit %q", unit)
	}
	return Window{Length: time.Duration(count) * unit.Nominal(), Calendar: &Calendar{Count: count, Unit: unit, Start: start}}, nil
}

// IsRolling reports whether w is a rolling window.
func (w Window) IsRolling() bool { return w.Calendar == nil }

// Validate reports what is wrong with w.
func (w Window) Validate() error {
	if w.Length <= 0 {
		return errors.New("the window has no length")
	}
	if w.Calendar != nil && (w.Calendar.Count <= 0 || w.Calendar.Unit.Nominal() == 0) {
		return errors.New("the calendar window needs a count and a unit")
	}
	return nil
}

// Period returns the period that holds at: for a rolling window the
// trailing Length up to at; for a calendar window the calendar period at
// falls in, which may end after at.
func (w Window) Period(at time.Time) (start, end time.Time) {
	if w.Calendar == nil {
		return at.Add(-w.Length), at
	}
	c := w.Calendar
	anchor := c.Start
	at = at.In(anchor.Location())
	// Estimate the period index from the nominal length, then correct it.
	k := int(at.Sub(anchor) / w.Length)
	if at.Before(anchor) {
		k--
	}
	for c.step(anchor, k).After(at) {
		k--
	}
	for !c.step(anchor, k+1).After(at) {
		k++
	}
	return c.step(anchor, k), c.step(anchor, k+1)
}

// step returns the start of the k-th period after anchor.
func (c *Calendar) step(anchor time.Time, k int) time.Time {
	n := k * c.Count
	switch c.Unit {
	case Minute:
		return anchor.Add(time.Duration(n) * time.Minute)
	case Hour:
		return anchor.Add(time.Duration(n) * time.Hour)
	case Day:
		return anchor.AddDate(0, 0, n)
	case Week:
		return anchor.AddDate(0, 0, 7*n)
	case Month:
		return anchor.AddDate(0, n, 0)
	case Quarter:
		return anchor.AddDate(0, 3*n, 0)
	}
	return anchor.AddDate(n, 0, 0)
}

// String describes the window: "30d rolling", "1 month calendar from
// 2024-01-01 00:00 UTC".
func (w Window) String() string {
	if w.Calendar == nil {
		return PromDuration(w.Length) + " rolling"
	}
	c := w.Calendar
	unit := string(c.Unit)
	if c.Count != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s calendar from %s", c.Count, unit, c.Start.Format("2006-01-02 15:04 MST"))
}
