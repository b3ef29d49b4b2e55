package slo

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Severity is how urgently a burn-rate alert needs a person.
type Severity string

// Severities of burn-rate alerts.
const (
	Page   Severity = "page"   // wake someone up
	Ticket Severity = "ticket" // handle in working hours
)

// BurnAlert is one tier of multiwindow, multi-burn-rate alerting (Google
// SRE Workbook, "Alerting on SLOs"): it fires when the burn rate over both
// the Long and the Short window exceeds the rate at which Consumed of the
// period's error budget is spent within Long. The short window (about a
// twelfth of the long one) makes the alert stop soon after the burning
// does.
type BurnAlert struct {
	Severity Severity
	Long     time.Duration
	Short    time.Duration
	// Consumed is the fraction of the period's error budget spent within
	// Long when the burn rate is exactly the factor.
	Consumed float64
	// Name overrides the alert's name for this tier.
	Name string
	// Disabled leaves the tier out.
	Disabled bool
	// MinEvents is the least number of events the long window must hold for
	// the tier to fire (a guard against one failure after a quiet spell); 0
	// means the default, the events below which one bad event alone would
	// cross the threshold; negative turns the guard off.
	MinEvents float64
	// For is how long the condition must hold before the alert fires
	// (Prometheus' for, OpenSLO's alertAfter); 0 fires at the first
	// evaluation that sees it.
	For time.Duration
	// Labels and Annotations are added to (and override) the tier's alert's.
	Labels, Annotations map[string]string
}

// Factor is the burn rate the tier alerts above for an SLO period:
// Consumed × period / Long. For a 30-day period the four default tiers give
// 14.4, 6, 3 and 1.
func (b BurnAlert) Factor(period time.Duration) float64 {
	return b.Consumed * float64(period) / float64(b.Long)
}

// GuardEvents is the least number of events the long window must hold for
// the tier to fire, for an SLO with error budget budget (1 − target): the
// tier's MinEvents, or by default the count below which a single bad event
// would exceed the threshold on its own (1 / (factor × budget)); 0 when the
// guard is off.
func (b BurnAlert) GuardEvents(period time.Duration, budget float64) float64 {
	switch {
	case b.MinEvents < 0:
		return 0
	case b.MinEvents > 0:
		return b.MinEvents
	}
	f := b.Factor(period) * budget
	if f <= 0 || f >= 1 {
		return 0
	}
	return math.Ceil(1/f - 1e-9)
}

// GuardBadEvents is how many bad events within a tier's long window fire
// the tier even when the window holds fewer events than its guard asks
// (GuardEvents): the guard keeps one failed request after a quiet spell
// from paging, and this keeps a low-traffic service that is down from
// going unnoticed.
const GuardBadEvents = 10

// ReferencePeriod is the SLO period the Workbook's tiers are written for.
const ReferencePeriod = 30 * 24 * time.Hour

// Shortest alert windows: a rate needs a few scrapes to mean anything.
const (
	MinShortWindow = 2 * time.Minute
	MinLongWindow  = 5 * time.Minute
)

// BurnAlerts are the Workbook's four tiers for a 30-day SLO: page when 2%
// of the budget burns in 1h (5m confirms) or 5% in 6h (30m); ticket when
// 10% burns in 1d (2h) or 10% in 3d (6h).
var BurnAlerts = []BurnAlert{
	{Severity: Page, Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02},
	{Severity: Page, Long: 6 * time.Hour, Short: 30 * time.Minute, Consumed: 0.05},
	{Severity: Ticket, Long: 24 * time.Hour, Short: 2 * time.Hour, Consumed: 0.10},
	{Severity: Ticket, Long: 3 * 24 * time.Hour, Short: 6 * time.Hour, Consumed: 0.10},
}

// TiersFor returns the burn-rate tiers of an SLO whose period is period:
// the Workbook's tiers with every window scaled by period / 30 days, so
// that each tier spends the same fraction of the budget in the same
// fraction of the period and keeps its burn-rate factor (14.4, 6, 3, 1).
// Windows are rounded to the minute, and kept at least MinLongWindow and
// MinShortWindow long; where that raises a long window, the factor is
// recomputed from it (the same budget fraction over a longer window is a
// lower rate). A tier whose factor would fall below 1 — it would alert on
// a service spending its budget no faster than allowed — is left out, and
// the reason returned.
func TiersFor(period time.Duration) ([]BurnAlert, []string) {
	var out []BurnAlert
	var why []string
	k := float64(period) / float64(ReferencePeriod)
	for _, b := range BurnAlerts {
		t := b
		t.Long = max(roundMinute(time.Duration(float64(b.Long)*k)), MinLongWindow)
		t.Short = max(roundMinute(time.Duration(float64(b.Short)*k)), MinShortWindow)
		if t.Short >= t.Long {
			t.Short = max(t.Long/4, MinShortWindow)
		}
		if t.Factor(period) < 1-1e-9 {
			why = append(why, fmt.Sprintf("the %s tier (%s of the budget in %s) is left out: over a %s period it would alert at a burn rate of %.2g, below 1",
				t.Severity, FormatPercent(t.Consumed), PromDuration(t.Long), PromDuration(period), t.Factor(period)))
			continue
		}
		out = append(out, t)
	}
	return out, why
}

func roundMinute(d time.Duration) time.Duration {
	return max(d.Round(time.Minute), time.Minute)
}

// Tiers returns the SLO's burn-rate tiers: Alerting.Tiers when given, else
// those of its window (TiersFor), without the disabled ones; and why tiers
// were left out.
func (s SLO) Tiers() ([]BurnAlert, []string) {
	var tiers []BurnAlert
	var why []string
	if len(s.Alerting.Tiers) > 0 {
		tiers = s.Alerting.Tiers
	} else {
		tiers, why = TiersFor(s.Window.Length)
	}
	out := slices.DeleteFunc(slices.Clone(tiers), func(b BurnAlert) bool { return b.Disabled })
	return out, why
}

// AlertWindows are the windows an SLO's rules record: its tiers' long and
// short windows, shortest first, and the current-burn window.
func (s SLO) AlertWindows() []time.Duration {
	tiers, _ := s.Tiers()
	set := map[time.Duration]bool{s.CurrentBurnWindow(): true}
	for _, b := range tiers {
		set[b.Long], set[b.Short] = true, true
	}
	out := make([]time.Duration, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

// CurrentBurnWindow is the window of the SLO's "current" burn rate, the
// one how long the budget lasts is estimated from and the rules record as
// slo:current_burn_rate:ratio: the long window of its fastest tier, 1h for
// a 30-day SLO (14m for 7 days, 5m for one). Long enough that one bad
// minute does not swing it, short enough to be "now".
func (s SLO) CurrentBurnWindow() time.Duration {
	tiers, _ := s.Tiers()
	if len(tiers) == 0 {
		tiers, _ = TiersFor(s.Window.Length)
	}
	var w time.Duration
	for _, b := range tiers {
		if w == 0 || b.Long < w {
			w = b.Long
		}
	}
	if w == 0 {
		w = time.Hour
	}
	return w
}

// AlertWindows are the windows of the default burn-rate alerts for a
// 30-day SLO, shortest first: 5m, 30m, 1h, 2h, 6h, 1d, 3d.
var AlertWindows = []time.Duration{
	5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour,
}

// BurnRate is how fast errors spend the budget: the error ratio over the
// error budget (1 − target). A burn rate of 1 spends exactly the whole
// budget over the period; 0 when errorRatio is 0.
func BurnRate(errorRatio, target float64) float64 {
	budget := SLO{Target: target}.ErrorBudget()
	if budget <= 0 || errorRatio <= 0 {
		return 0
	}
	return errorRatio / budget
}

// TimeToExhaustion is how long the remaining fraction of a period's budget
// lasts at a burn rate: remaining × period / burn, to the second. ok is false when the
// budget is not burning (burn ≤ 0); the result is 0 when nothing is left.
func TimeToExhaustion(remaining, burn float64, period time.Duration) (time.Duration, bool) {
	if burn <= 0 || math.IsNaN(burn) {
		return 0, false
	}
	if remaining <= 0 {
		return 0, true
	}
	d := remaining * float64(period) / burn
	if d > math.MaxInt64 {
		return time.Duration(math.MaxInt64), true
	}
	return time.Duration(d).Round(time.Second), true
}
