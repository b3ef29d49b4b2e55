package slo_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/stats"
)

// loadRun writes a two-minute run through the stats writer and reads it
// back, as slo check --run does. Each second: 90 fast 200s (20ms), 5 slow
// 200s (500ms), 3 fast 404s, 1 fast 503 and 1 timeout (1s).
func loadRun(t *testing.T) *stats.Run {
	t.Helper()
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	run := &stats.Run{Header: stats.Header{Started: start, Mode: stats.ModeOpen}, Duration: 2 * time.Minute}
	for i := 0; i < 120; i++ {
		iv := &stats.Interval{Index: i, Start: time.Duration(i) * time.Second, Duration: time.Second}
		b := iv.Target("api")
		for range 90 {
			b.Response(200, 20*time.Millisecond, 20*time.Millisecond, 0, 0)
		}
		for range 5 {
			b.Response(200, 500*time.Millisecond, 500*time.Millisecond, 0, 0)
		}
		for range 3 {
			b.Response(404, 20*time.Millisecond, 20*time.Millisecond, 0, 0)
		}
		b.Response(503, 20*time.Millisecond, 20*time.Millisecond, 0, 0)
		b.Failure(stats.ErrTimeout, time.Second, time.Second, 0)
		iv.Total.Add(b)
		run.Add(iv)
	}
	var buf bytes.Buffer
	if err := stats.NewWriter(&buf).WriteRun(run); err != nil {
		t.Fatal(err)
	}
	back, err := stats.ReadRun(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestFromRun(t *testing.T) {
	run := loadRun(t)
	sel := slo.LabelSelector("http_requests_total", map[string]string{"job": "api"})
	goodOnly, err := slo.ParseQuery(`sum(rate(http_requests_total{job="api",code!~"5.."}[{{.window}}]))`, slo.Events, true)
	if err != nil {
		t.Fatal(err)
	}
	total, _ := slo.ParseQuery(`http_requests_total{job="api"}`, slo.Events, true)
	tests := []struct {
		name      string
		in        slo.Indicator
		target    string
		good, all float64 // per second
	}{
		{"availability by 5xx counts 404s as good and timeouts as bad", slo.Availability(sel, "", ""), "", 98, 100},
		{"a good-side matcher in a query says the same", slo.Indicator{Good: goodOnly, Total: total}, "", 98, 100},
		{"without a code matcher, responses below 400 are good", slo.Indicator{Bad: total, Total: total}, "", 95, 100},
		{"latency counts the requests within the bound", slo.Latency(sel, 300*time.Millisecond), "", 94, 100},
		{"one target's counts", slo.Availability(sel, "", ""), "api", 98, 100},
		{"an unknown target has no events", slo.Availability(sel, "", ""), "web", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := slo.SLO{Name: "api", Target: 0.99, Window: slo.Rolling(30 * day), Indicator: tt.in}
			sr, err := slo.FromRun(s, run, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			if len(sr.Counts) != 120 || sr.Step != time.Second || !sr.Start.Equal(run.Header.Started) {
				t.Fatalf("FromRun: %d steps of %v from %v; want 120 of 1s from %v", len(sr.Counts), sr.Step, sr.Start, run.Header.Started)
			}
			for i, c := range sr.Counts {
				if c.Good != tt.good || c.Total != tt.all {
					t.Fatalf("FromRun: second %d = %+v; want %v good of %v", i, c, tt.good, tt.all)
				}
			}
		})
	}
	thr := slo.SLO{Name: "x", Target: 0.9, Window: slo.Rolling(day)}
	thr.Indicator.Metric, _ = slo.ParseQuery("probe_duration_seconds", slo.Threshold, false)
	thr.Indicator.Op = slo.LT
	if _, err := slo.FromRun(thr, run, ""); err == nil {
		t.Error("FromRun(threshold SLI) = nil error; want one")
	}
}

// The latency bound is found in every form the indicator is written in:
// a whole number of seconds matches both of its le spellings
// (le=~"1|1\.0"), and a native histogram's bound is histogram_fraction's.
func TestLatencyBound(t *testing.T) {
	sel := slo.LabelSelector("http_request_duration_seconds", map[string]string{"job": "api"})
	query := func(expr string) slo.Query {
		q, err := slo.ParseQuery(expr, slo.Events, true)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	total := query(`http_request_duration_seconds_count{job="api"}`)
	tests := []struct {
		name string
		in   slo.Indicator
		want time.Duration
		ok   bool
	}{
		{"a fraction of a second", slo.Latency(sel, 300*time.Millisecond), 300 * time.Millisecond, true},
		{"a whole second, both spellings", slo.Latency(sel, time.Second), time.Second, true},
		{"two whole seconds", slo.Latency(sel, 2*time.Second), 2 * time.Second, true},
		{"a native histogram", slo.NativeLatency(sel, 250*time.Millisecond), 250 * time.Millisecond, true},
		{"a query with le=~ in both spellings", slo.Indicator{Good: query(`sum(rate(http_request_duration_seconds_bucket{job="api",le=~"1|1\\.0"}[{{.window}}]))`), Total: total}, time.Second, true},
		{"a query with le=", slo.Indicator{Good: query(`sum(rate(http_request_duration_seconds_bucket{job="api",le="0.5"}[{{.window}}]))`), Total: total}, 500 * time.Millisecond, true},
		{"two different bounds are not one", slo.Indicator{Good: query(`http_request_duration_seconds_bucket{job="api",le=~"0.3|0.5"}`), Total: total}, 0, false},
		{"availability has none", slo.Availability(sel, "", ""), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.in.LatencyBound()
			if got != tt.want || ok != tt.ok {
				t.Fatalf("LatencyBound() = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// A whole-second latency SLO gates a load test on latency, not on status
// codes: 95 of each second's 100 requests complete within 1s.
func TestFromRunWholeSecondLatency(t *testing.T) {
	run := loadRun(t)
	s := slo.SLO{Name: "api", Target: 0.9, Window: slo.Rolling(30 * day),
		Indicator: slo.Latency(slo.LabelSelector("http_request_duration_seconds", nil), time.Second)}
	sr, err := slo.FromRun(s, run, "")
	if err != nil {
		t.Fatal(err)
	}
	// Every response, 404s, 503 and 500ms ones included, is within 1s
	// (the availability count would be 98).
	for i, c := range sr.Counts {
		if c.Total != 100 || c.Good < 99 {
			t.Fatalf("second %d: %+v; want at least 99 of 100 within 1s", i, c)
		}
	}
}
