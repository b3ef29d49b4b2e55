package slo_test

import (
	"testing"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

// steady returns n one-second steps of rate requests each, bad of them
// failing.
func steady(n int, rate, bad float64) []slo.Counts {
	out := make([]slo.Counts, n)
	for i := range out {
		out[i] = slo.Counts{Good: rate - bad, Total: rate}
	}
	return out
}

func TestSeriesObserve(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Ten minutes at 100 req/s: five clean, then five with 2% errors.
	counts := append(steady(300, 100, 0), steady(300, 100, 2)...)
	sr := slo.Series{Start: start, Step: time.Second, Counts: counts}
	s := availability(0.999, 30*day)
	obs := sr.Observe(s)
	if !obs.At.Equal(start.Add(10*time.Minute)) || obs.Window.Total != 60_000 || obs.Window.Bad() != 600 {
		t.Fatalf("Observe: at %v, window %+v; want 10m, 60000 requests, 600 bad", obs.At, obs.Window)
	}
	if len(obs.Recent) != 1 {
		t.Fatalf("Recent = %v; want only the 5m window to fit in 10m", obs.Recent)
	}
	st := slo.Evaluate(s, obs)
	// 1% errors overall against a 0.1% budget: missed, budget 10x overspent.
	if st.Verdict != slo.Missed || !near(st.SLI, 0.99) || !near(st.Budget.Remaining, -9) {
		t.Fatalf("Evaluate = %s, SLI %v, remaining %v; want missed, 0.99, -9", st.Verdict, st.SLI, st.Budget.Remaining)
	}
	if b := st.Burn[0]; b.Window != 5*time.Minute || !near(b.BurnRate, 20) {
		t.Fatalf("Burn[0] = %+v; want 5m at 20x", b)
	}
}

func TestSeriesTimeslices(t *testing.T) {
	s := availability(0.9, 30*day)
	s.Budgeting = slo.Timeslices
	s.TimeSlice = slo.TimeSlice{Window: time.Minute, Target: 0.95}
	// Four minutes: clean, 10% errors, no traffic, 4% errors.
	var counts []slo.Counts
	counts = append(counts, steady(60, 10, 0)...)
	counts = append(counts, steady(60, 10, 1)...)
	counts = append(counts, make([]slo.Counts, 60)...)
	counts = append(counts, steady(60, 10, 0.4)...)
	sr := slo.Series{Step: time.Second, Counts: counts}
	obs := sr.Observe(s)
	// Three slices had traffic; the 10% minute is the only bad one.
	if obs.Window.Total != 3 || obs.Window.Good != 2 {
		t.Fatalf("Observe under Timeslices = %+v; want 2 good slices of 3", obs.Window)
	}
	st := slo.Evaluate(s, obs)
	// One bad slice of the 0.3 allowed: overspent; remaining time counts slices.
	if !near(st.Budget.Allowed, 0.3) || st.Budget.RemainingTime != -42*time.Second {
		t.Fatalf("Budget = %+v; want 0.3 slices allowed, -42s left", st.Budget)
	}
}

func TestSeriesSpend(t *testing.T) {
	s := availability(0.999, 30*day)
	tests := []struct {
		name         string
		counts       []slo.Counts
		windowEvents float64
		want         float64
	}{
		// 30d at 100 req/s holds 259.2M requests; 0.1% is 259,200 allowed.
		{"a spike's failures against the window's usual traffic", steady(600, 1000, 100), 100 * 30 * 86400, 60_000.0 / 259_200},
		// Without the window's traffic, the spike's own rate is assumed: 1000 req/s × 30d.
		{"the series' own rate stands in for the window's", steady(600, 1000, 100), 0, 60_000.0 / 2_592_000},
		{"no failures spend nothing", steady(600, 1000, 0), 0, 0},
		{"no traffic spends nothing", make([]slo.Counts, 10), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := slo.Series{Step: time.Second, Counts: tt.counts}.Spend(s, tt.windowEvents)
			if !near(sp.Fraction, tt.want) {
				t.Fatalf("Spend = %+v; want fraction %v", sp, tt.want)
			}
		})
	}
	ts := s
	ts.Budgeting, ts.TimeSlice = slo.Timeslices, slo.TimeSlice{Window: time.Minute, Target: 0.99}
	// Ten bad minutes of the 43.2 a 99.9% month allows.
	if sp := (slo.Series{Step: time.Second, Counts: steady(600, 1000, 100)}).Spend(ts, 0); !near(sp.Fraction, 10/43.2) {
		t.Fatalf("Spend under Timeslices = %+v; want %v", sp, 10/43.2)
	}
}

func TestEventsPromQL(t *testing.T) {
	lat := slo.SLO{Name: "lat", Target: 0.99, Window: slo.Rolling(28 * day),
		Indicator: slo.Latency(slo.LabelSelector("http_request_duration_seconds", map[string]string{"job": "app"}), 300*time.Millisecond)}
	thr := slo.SLO{Name: "thr", Target: 0.99, Window: slo.Rolling(28 * day)}
	thr.Indicator.Metric, _ = slo.ParseQuery(`probe_duration_seconds{job="x"}`, slo.Threshold, false)
	thr.Indicator.Op, thr.Indicator.Value = slo.LTE, 0.5
	ts := lat
	ts.Budgeting, ts.TimeSlice = slo.Timeslices, slo.TimeSlice{Window: time.Minute, Target: 0.95}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"latency counts the bucket against the count; a missing bucket is no data, not 100% errors", lat.ErrorRatio(time.Hour),
			`clamp_min(1 - (sum(rate(http_request_duration_seconds_bucket{job="app",le="0.3"}[1h])) / (sum(rate(http_request_duration_seconds_count{job="app"}[1h])) > 0)), 0)`},
		{"where the good series were seen, their absence is zero good events", lat.ErrorRatioSeen(time.Hour, "seen"),
			`clamp_min(1 - ((sum(rate(http_request_duration_seconds_bucket{job="app",le="0.3"}[1h])) or (0 * sum(rate(http_request_duration_seconds_count{job="app"}[1h])) and on() seen)) / (sum(rate(http_request_duration_seconds_count{job="app"}[1h])) > 0)), 0)`},
		{"latency events are counted with increase", lat.Events(time.Hour, false).Good,
			`sum(rate(http_request_duration_seconds_bucket{job="app",le="0.3"}[1h])) * 3600`},
		{"a threshold samples the metric every minute", thr.Events(time.Hour, true).Good,
			`sum(count_over_time(((probe_duration_seconds{job="x"}) <= 0.5)[1h:1m]))`},
		{"time slices count good minutes", ts.Events(time.Hour, true).Good,
			`sum(count_over_time(((sum(rate(http_request_duration_seconds_bucket{job="app",le="0.3"}[1m])) / (sum(rate(http_request_duration_seconds_count{job="app"}[1m])) > 0)) >= 0.95)[1h:1m]))`},
		{"absent looks for the total", lat.Absent(), `absent(sum(rate(http_request_duration_seconds_count{job="app"}[5m])))`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
}
