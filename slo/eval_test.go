package slo_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

const day = 24 * time.Hour

func availability(target float64, window time.Duration) slo.SLO {
	return slo.SLO{
		Name: "app", Target: target, Window: slo.Rolling(window),
		Indicator: slo.Availability(slo.LabelSelector("http_requests_total", map[string]string{"job": "app"}), "", ""),
	}
}

func TestBurnAlertFactorsFollowTheBudgetConsumed(t *testing.T) {
	tests := []struct {
		name   string
		period time.Duration
		want   []float64
	}{
		{"a 30-day window gives the workbook's factors", 30 * day, []float64{14.4, 6, 3, 1}},
		{"a 28-day window scales them down", 28 * day, []float64{13.44, 5.6, 2.8, 0.9333}},
		{"a 7-day window scales them further", 7 * day, []float64{3.36, 1.4, 0.7, 0.2333}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, b := range slo.BurnAlerts {
				if got := b.Factor(tt.period); math.Abs(got-tt.want[i]) > 1e-3 {
					t.Errorf("BurnAlerts[%d].Factor(%v) = %v; want %v", i, tt.period, got, tt.want[i])
				}
			}
		})
	}
}

func TestTimeToExhaustion(t *testing.T) {
	tests := []struct {
		name            string
		remaining, burn float64
		want            time.Duration
		ok              bool
	}{
		{"a full budget at burn 1 lasts the period", 1, 1, 30 * day, true},
		{"half a budget at burn 14.4 lasts a day", 0.5, 15, day, true},
		{"an overspent budget is gone now", -0.3, 2, 0, true},
		{"a budget that is not burning lasts", 0.5, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := slo.TimeToExhaustion(tt.remaining, tt.burn, 30*day)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("TimeToExhaustion(%v, %v, 30d) = %v, %v; want %v, %v", tt.remaining, tt.burn, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	at := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	s := availability(0.99, 30*day)
	base := slo.Observation{Start: at.Add(-30 * day), At: at, Period: 30 * day, Coverage: 1}
	tests := []struct {
		name      string
		window    slo.Sample
		recent    map[time.Duration]slo.Sample
		coverage  float64
		verdict   slo.Verdict
		sli       float64
		remaining float64
		burn1h    float64
		burnOK    bool
		notes     []string
	}{
		{
			name:    "a healthy month meets the objective with budget left",
			window:  slo.Sample{Counts: slo.Counts{Good: 99_500, Total: 100_000}},
			recent:  map[time.Duration]slo.Sample{time.Hour: {Counts: slo.Counts{Good: 198, Total: 200}}},
			verdict: slo.Met, sli: 0.995, remaining: 0.5, burn1h: 1, burnOK: true,
		},
		{
			name:    "a bad month misses it and overspends",
			window:  slo.Sample{Counts: slo.Counts{Good: 97_000, Total: 100_000}},
			recent:  map[time.Duration]slo.Sample{time.Hour: {Counts: slo.Counts{Good: 100, Total: 200}}},
			verdict: slo.Missed, sli: 0.97, remaining: -2, burn1h: 50, burnOK: true,
			notes: []string{"the error budget is exhausted"},
		},
		{
			name:    "zero traffic is no data, not a perfect score",
			window:  slo.Sample{},
			verdict: slo.NoData, notes: []string{"no traffic over the window (30d): zero events"},
		},
		{
			name:    "missing series are no data too, said differently",
			window:  slo.Sample{Missing: true},
			verdict: slo.NoData, notes: []string{"no data over the window (30d): no series matched"},
		},
		{
			name:   "a quiet last hour has no burn rate and says so",
			window: slo.Sample{Counts: slo.Counts{Good: 99_000, Total: 100_000}},
			recent: map[time.Duration]slo.Sample{
				5 * time.Minute: {Missing: true}, time.Hour: {}, 6 * time.Hour: {Counts: slo.Counts{Good: 10, Total: 10}},
			},
			verdict: slo.Met, sli: 0.99, remaining: 0,
			notes: []string{"the error budget is exhausted", "no data in the last 5m", "no traffic in the last 1h"},
		},
		{
			name:     "a gap in the data is reported",
			window:   slo.Sample{Counts: slo.Counts{Good: 1000, Total: 1000}},
			coverage: 0.7, verdict: slo.Met, sli: 1, remaining: 1,
			notes: []string{"data covers only 70% of the window (21d of 30d)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := base
			obs.Window, obs.Recent = tt.window, tt.recent
			if tt.coverage > 0 {
				obs.Coverage = tt.coverage
			}
			st := slo.Evaluate(s, obs)
			if st.Verdict != tt.verdict || !near(st.SLI, tt.sli) || !near(st.Budget.Remaining, tt.remaining) {
				t.Errorf("Evaluate = %s, SLI %v, remaining %v; want %s, %v, %v", st.Verdict, st.SLI, st.Budget.Remaining, tt.verdict, tt.sli, tt.remaining)
			}
			if st.CurrentBurnOK != tt.burnOK || !near(st.CurrentBurn, tt.burn1h) {
				t.Errorf("CurrentBurn = %v, %v; want %v, %v", st.CurrentBurn, st.CurrentBurnOK, tt.burn1h, tt.burnOK)
			}
			if strings.Join(st.Notes, "|") != strings.Join(tt.notes, "|") {
				t.Errorf("Notes = %q; want %q", st.Notes, tt.notes)
			}
			for _, f := range []float64{st.SLI, st.Budget.Remaining, st.Budget.RemainingEvents, st.CurrentBurn} {
				if math.IsNaN(f) || math.IsInf(f, 0) {
					t.Errorf("Evaluate returned %v", f)
				}
			}
		})
	}
}

// With half the budget left and burning at 1, it lasts half the period.
func TestEvaluateTimeToExhaustion(t *testing.T) {
	at := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	s := availability(0.99, 30*day)
	st := slo.Evaluate(s, slo.Observation{
		Start: at.Add(-30 * day), At: at, Period: 30 * day, Coverage: 1,
		Window: slo.Sample{Counts: slo.Counts{Good: 99_500, Total: 100_000}},
		Recent: map[time.Duration]slo.Sample{time.Hour: {Counts: slo.Counts{Good: 99, Total: 100}}},
	})
	if !st.ExhaustionOK || st.Exhaustion != 15*day {
		t.Fatalf("Exhaustion = %v, %v; want 15d", st.Exhaustion, st.ExhaustionOK)
	}
	// 500 events allowed to fail are left, 1% of 30d = 7h12m of outage, half of it.
	if !near(st.Budget.RemainingEvents, 500) || st.Budget.RemainingTime != 3*time.Hour+36*time.Minute {
		t.Fatalf("Budget = %+v; want 500 events and 3h36m", st.Budget)
	}
}

// The time of full outage the budget absorbs is at the traffic of the
// data observed: a service whose data covers only a week of a 30-day
// window (a young service, a short retention) served its events in that
// week, and an outage would burn them four times as fast as the 30 days'
// average says.
func TestRemainingTimeUsesTheObservedTraffic(t *testing.T) {
	at := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	s := availability(0.99, 30*day)
	tests := []struct {
		name     string
		coverage float64
		want     time.Duration
	}{
		// 500 of 1,000 allowed bad events left; 100,000 events over 30 days
		// is 1 event every 25.92 s: 500 events are 3h36m of outage.
		{"complete data: the whole window's traffic", 1, 3*time.Hour + 36*time.Minute},
		// The same events over 7.5 days: 1 event every 6.48 s, 500 are 54m.
		{"a quarter of the window: its traffic is four times as dense", 0.25, 54 * time.Minute},
		{"unknown coverage: the whole window", 0, 3*time.Hour + 36*time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := slo.Evaluate(s, slo.Observation{
				Start: at.Add(-30 * day), At: at, Period: 30 * day, Coverage: tt.coverage,
				Window: slo.Sample{Counts: slo.Counts{Good: 99_500, Total: 100_000}},
			})
			if !near(st.Budget.RemainingEvents, 500) || st.Budget.RemainingTime != tt.want {
				t.Errorf("Budget at coverage %v = %v events, %v; want 500 events, %v", tt.coverage, st.Budget.RemainingEvents, st.Budget.RemainingTime, tt.want)
			}
		})
	}
}

func TestCalendarPeriods(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	anchor := time.Date(2024, 1, 1, 0, 0, 0, 0, berlin)
	month, _ := slo.CalendarWindow(1, slo.Month, anchor)
	quarter, _ := slo.CalendarWindow(1, slo.Quarter, anchor)
	week, _ := slo.CalendarWindow(1, slo.Week, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) // a Monday
	tests := []struct {
		name       string
		w          slo.Window
		at         time.Time
		start, end time.Time
	}{
		{"mid-March is in March", month, time.Date(2026, 3, 15, 12, 0, 0, 0, berlin),
			time.Date(2026, 3, 1, 0, 0, 0, 0, berlin), time.Date(2026, 4, 1, 0, 0, 0, 0, berlin)},
		{"the first instant of a month starts it", month, time.Date(2026, 4, 1, 0, 0, 0, 0, berlin),
			time.Date(2026, 4, 1, 0, 0, 0, 0, berlin), time.Date(2026, 5, 1, 0, 0, 0, 0, berlin)},
		{"a time before the anchor still finds its month", month, time.Date(2023, 12, 31, 23, 0, 0, 0, berlin),
			time.Date(2023, 12, 1, 0, 0, 0, 0, berlin), time.Date(2024, 1, 1, 0, 0, 0, 0, berlin)},
		{"a UTC instant is placed in the anchor's zone", month, time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC),
			time.Date(2026, 3, 1, 0, 0, 0, 0, berlin), time.Date(2026, 4, 1, 0, 0, 0, 0, berlin)},
		{"quarters", quarter, time.Date(2026, 8, 10, 0, 0, 0, 0, berlin),
			time.Date(2026, 7, 1, 0, 0, 0, 0, berlin), time.Date(2026, 10, 1, 0, 0, 0, 0, berlin)},
		{"weeks start on the anchor's weekday", week, time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC), // a Thursday
			time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := tt.w.Period(tt.at)
			if !start.Equal(tt.start) || !end.Equal(tt.end) {
				t.Fatalf("Period(%v) = %v, %v; want %v, %v", tt.at, start, end, tt.start, tt.end)
			}
		})
	}
	at := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	if start, end := slo.Rolling(30 * day).Period(at); !end.Equal(at) || end.Sub(start) != 30*day {
		t.Fatalf("Rolling(30d).Period = %v, %v; want the 30 days before %v", start, end, at)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	s := slo.SLO{Target: 1, Budgeting: "RatioTimeslices", Labels: map[string]string{"severity": "x"}}
	err := s.Validate()
	if err == nil {
		t.Fatal("Validate() = nil; want errors")
	}
	for _, want := range []string{"no name", "no error budget", "no length", "RatioTimeslices", "no queries", `label "severity"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to mention %q", err, want)
		}
	}
	if err := availability(0.999, 30*day).Validate(); err != nil {
		t.Errorf("Validate() of a good SLO = %v", err)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// A source that knows where its data begins (Prometheus) says so with
// DataStart: the traffic of a young service is its events over the time
// since then, while a scrape gap after it takes nothing away (counters
// count the traffic of the gap).
func TestRemainingTimeFromDataStart(t *testing.T) {
	at := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	s := availability(0.99, 30*day)
	tests := []struct {
		name      string
		dataStart time.Time
		coverage  float64
		want      time.Duration
	}{
		// 500 allowed bad events left of 100,000 events in 7.5 days: 54m.
		{"data from 7.5 days before", at.Add(-7*day - 12*time.Hour), 0.25, 54 * time.Minute},
		{"data from the start, with a gap", at.Add(-30 * day), 0.7, 3*time.Hour + 36*time.Minute},
		{"data from before the start counts from the start", at.Add(-40 * day), 1, 3*time.Hour + 36*time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := slo.Observation{
				Start: at.Add(-30 * day), At: at, DataStart: tt.dataStart, Period: 30 * day, Coverage: tt.coverage,
				Window: slo.Sample{Counts: slo.Counts{Good: 99_500, Total: 100_000}},
			}
			st := slo.Evaluate(s, obs)
			if st.Budget.RemainingTime != tt.want {
				t.Errorf("RemainingTime = %v; want %v (traffic span %v)", st.Budget.RemainingTime, tt.want, obs.TrafficSpan())
			}
		})
	}
}

// Counts that are not numbers are no data, never a verdict.
func TestEvaluateNonFiniteCounts(t *testing.T) {
	at := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	s := availability(0.99, 30*day)
	for _, c := range []slo.Counts{{Good: math.NaN(), Total: 100}, {Good: math.Inf(1), Total: math.Inf(1)}, {Good: 1, Total: math.NaN()}} {
		st := slo.Evaluate(s, slo.Observation{
			Start: at.Add(-30 * day), At: at, Period: 30 * day, Coverage: 1, Window: slo.Sample{Counts: c},
			Recent: map[time.Duration]slo.Sample{time.Hour: {Counts: c}},
		})
		if st.Verdict != slo.NoData || st.CurrentBurnOK || len(st.Burn) != 1 || st.Burn[0].OK || !st.Burn[0].Missing {
			t.Errorf("Evaluate(%+v) = %s, current burn %v, burns %+v; want no data and no burn rate", c, st.Verdict, st.CurrentBurnOK, st.Burn)
		}
		for _, f := range []float64{st.SLI, st.Budget.Remaining, st.Budget.RemainingEvents, st.CurrentBurn, st.Window.Good, st.Window.Total} {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				t.Errorf("Evaluate(%+v) holds %v", c, f)
			}
		}
	}
}

func TestFormatGroup(t *testing.T) {
	tests := []struct {
		in   []slo.Label
		want string
	}{
		{nil, ""},
		{[]slo.Label{{Name: "route", Value: "/pay"}}, `{route="/pay"}`},
		{[]slo.Label{{Name: "route", Value: `a"b`}, {Name: "tenant", Value: ""}}, `{route="a\"b", tenant=""}`},
	}
	for _, tt := range tests {
		if got := slo.FormatGroup(tt.in); got != tt.want {
			t.Errorf("FormatGroup(%v) = %s; want %s", tt.in, got, tt.want)
		}
	}
	st := slo.Status{SLO: slo.SLO{Name: "availability", Service: "checkout"}}
	st.Group = []slo.Label{{Name: "route", Value: "/pay"}}
	if got := st.ID(); got != `checkout/availability{route="/pay"}` {
		t.Errorf("Status.ID() = %s", got)
	}
}
