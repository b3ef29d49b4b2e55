package slo

import (
	"math"
	"time"
)

// Severity is how urgently a burn-rate alert needs a person.
type Severity string

// Severities of burn-rate alerts.
const (
	Page   Severity = "page"   // wake someone up
	Ticket Severity = "ticket" // handle in working hours
)

// BurnAlert is one pair of a multiwindow, multi-burn-rate alert (Google SRE
// Workbook, "Alerting on SLOs"): it fires when the burn rate over both the
// Long and the Short window exceeds the factor at which Consumed of the
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
}

// Factor is the burn rate the pair alerts above for an SLO period:
// Consumed × period / Long. For a 30-day period the four default pairs give
// 14.4, 6, 3 and 1.
func (b BurnAlert) Factor(period time.Duration) float64 {
	return b.Consumed * float64(period) / float64(b.Long)
}

// BurnAlerts are the four default pairs: page when 2% of the budget burns
// in 1h (5m confirms) or 5% in 6h (30m); ticket when 10% burns in 1d (2h)
// or 10% in 3d (6h).
var BurnAlerts = []BurnAlert{
	{Severity: Page, Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02},
	{Severity: Page, Long: 6 * time.Hour, Short: 30 * time.Minute, Consumed: 0.05},
	{Severity: Ticket, Long: 24 * time.Hour, Short: 2 * time.Hour, Consumed: 0.10},
	{Severity: Ticket, Long: 3 * 24 * time.Hour, Short: 6 * time.Hour, Consumed: 0.10},
}

// AlertWindows are the windows of the default burn-rate alerts, shortest
// first: 5m, 30m, 1h, 2h, 6h, 1d, 3d.
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
