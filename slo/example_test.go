package slo_test

import (
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/units"
)

// An availability SLO of 99.9% over 30 days, evaluated on a month in which
// 10 million requests came in and 4,000 failed, 30 of them in the last
// hour out of 12,000.
func ExampleEvaluate() {
	s := slo.SLO{
		Name:      "checkout-availability",
		Target:    0.999,
		Window:    slo.Rolling(30 * 24 * time.Hour),
		Indicator: slo.Availability(slo.LabelSelector("http_requests_total", map[string]string{"job": "checkout"}), "", ""),
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	st := slo.Evaluate(s, slo.Observation{
		Start: at.Add(-s.Window.Length), At: at, Period: s.Window.Length, Coverage: 1,
		Window: slo.Sample{Counts: slo.Counts{Good: 10_000_000 - 4_000, Total: 10_000_000}},
		Recent: map[time.Duration]slo.Sample{time.Hour: {Counts: slo.Counts{Good: 12_000 - 30, Total: 12_000}}},
	})
	fmt.Printf("SLI %.4f: %s\n", st.SLI, st.Verdict)
	fmt.Printf("budget left %s (%s requests, %s of full outage)\n", units.Percent(st.Budget.Remaining), units.Count(st.Budget.RemainingEvents), units.Duration(st.Budget.RemainingTime))
	fmt.Printf("burning %.1fx over the last hour: the rest lasts %s\n", st.CurrentBurn, units.Duration(st.Exhaustion))
	fmt.Println(s.ErrorRatio(time.Hour))
	// Output:
	// SLI 0.9996: met
	// budget left 60% (6,000 requests, 25m55s of full outage)
	// burning 2.5x over the last hour: the rest lasts 7d05h
	// ((sum(rate(http_requests_total{job="checkout",code=~"5.."}[1h])) or 0 * sum(rate(http_requests_total{job="checkout"}[1h]))) / (sum(rate(http_requests_total{job="checkout"}[1h])) > 0))
}

// The four burn-rate alert pairs and their factors for a 30-day and a
// 7-day window.
func ExampleBurnAlert_Factor() {
	for _, b := range slo.BurnAlerts {
		fmt.Printf("%-6s %3s & %-3s  30d: %4.1fx  7d: %4.2fx\n", b.Severity, slo.PromDuration(b.Long), slo.PromDuration(b.Short),
			b.Factor(30*24*time.Hour), b.Factor(7*24*time.Hour))
	}
	// Output:
	// page    1h & 5m   30d: 14.4x  7d: 3.36x
	// page    6h & 30m  30d:  6.0x  7d: 1.40x
	// ticket  1d & 2h   30d:  3.0x  7d: 0.70x
	// ticket  3d & 6h   30d:  1.0x  7d: 0.23x
}

// What a spike cost: ten minutes at 1,000 req/s with 5% failing, against a
// 99.9% monthly objective for a service that usually serves 100 req/s.
func ExampleSeries_Spend() {
	s := slo.SLO{
		Name:      "checkout-availability",
		Target:    0.999,
		Window:    slo.Rolling(30 * 24 * time.Hour),
		Indicator: slo.Availability(slo.LabelSelector("http_requests_total", nil), "", ""),
	}
	spike := slo.Series{Step: time.Second}
	for range 600 {
		spike.Counts = append(spike.Counts, slo.Counts{Good: 950, Total: 1000})
	}
	usual := 100.0 * s.Window.Length.Seconds() // requests in a month
	sp := spike.Spend(s, usual)
	fmt.Printf("%.0f failed of %.0f allowed: %.1f%% of the month's error budget\n", sp.Bad, sp.Allowed, sp.Fraction*100)
	// Output:
	// 30000 failed of 259200 allowed: 11.6% of the month's error budget
}
