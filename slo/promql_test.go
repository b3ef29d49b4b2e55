package slo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

func TestParseQueryAcceptsWhatCanBeReWindowed(t *testing.T) {
	tests := []struct {
		name    string
		expr    string
		use     slo.Use
		counter bool
		kind    slo.QueryKind
		at1h    string // the query with its window set to 1h
	}{
		{"a counter selector is summed and rated over the window", `http_requests_total{job="app",code=~"5.."}`, slo.Events, true, slo.PerSecond,
			`sum(rate(http_requests_total{job="app",code=~"5.."}[1h]))`},
		{"a selector by __name__ reads as its metric", `{__name__="http_requests_total", job='app'}`, slo.Events, true, slo.PerSecond,
			`sum(rate(http_requests_total{job="app"}[1h]))`},
		{"a placeholder query is used as written", `sum(rate(http_requests_total{job="app"}[{{.window}}]))`, slo.Events, true, slo.PerSecond,
			`sum(rate(http_requests_total{job="app"}[1h]))`},
		{"a placeholder may have spaces", `sum(increase(x_total[{{ .window }}]))`, slo.Events, true, slo.Count,
			`sum(increase(x_total[1h]))`},
		{"a fixed rate range is re-windowed, its grouping kept", `sum by (code) (rate(http_requests_total{job="app"}[5m]))`, slo.Events, true, slo.PerSecond,
			`sum by (code)(rate(http_requests_total{job="app"}[1h]))`},
		{"sums and differences of rates are counts", `sum(rate(a_total[5m])) - sum(rate(b_total{x="]"}[5m]))`, slo.Events, false, slo.PerSecond,
			`sum(sum(rate(a_total[1h])) - sum(rate(b_total{x="]"}[1h])))`},
		{"a raw ratio divides events by events", `sum(rate(ok_total[{{.window}}])) / sum(rate(all_total[{{.window}}]))`, slo.RawRatio, true, slo.Fraction,
			`(sum(rate(ok_total[1h])) / sum(rate(all_total[1h])))`},
		{"a threshold metric may hold fixed ranges", `histogram_quantile(0.99, sum by (le) (rate(d_bucket[5m])))`, slo.Threshold, false, slo.Gauge,
			`(histogram_quantile(0.99, sum by (le) (rate(d_bucket[5m]))))`},
		{"a threshold metric may be a gauge selector", `probe_duration_seconds{job="x"}`, slo.Threshold, false, slo.Gauge,
			`(probe_duration_seconds{job="x"})`},
		{"comments are ignored", "sum(rate(x_total[5m])) # all requests", slo.Events, true, slo.PerSecond,
			"sum(rate(x_total[1h]))"},
		{"lines are joined", "sum(\n  rate(x_total[5m])\n)", slo.Events, true, slo.PerSecond,
			"sum( rate(x_total[1h]) )"},
		{"a trailing grouping is a grouping too", `sum(rate(x_total[5m])) by (code)`, slo.Events, true, slo.PerSecond,
			"sum by (code)(rate(x_total[1h]))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := slo.ParseQuery(tt.expr, tt.use, tt.counter)
			if err != nil {
				t.Fatalf("ParseQuery(%q) = %v; want no error", tt.expr, err)
			}
			if q.Kind != tt.kind {
				t.Errorf("ParseQuery(%q).Kind = %v; want %v", tt.expr, q.Kind, tt.kind)
			}
			if got := q.At(time.Hour); got != tt.at1h {
				t.Errorf("ParseQuery(%q).At(1h) =\n%s\nwant\n%s", tt.expr, got, tt.at1h)
			}
		})
	}
}

func TestParseQueryRejectsWhatCannotAndSaysWhy(t *testing.T) {
	tests := []struct {
		name    string
		expr    string
		use     slo.Use
		counter bool
		why     string
	}{
		{"a recorded 5m rate can't become 30d", `job:http_requests:rate5m{job="app"}`, slo.Events, true, "recorded rule"},
		{"a recorded rate inside sum has no range", `sum(job:http_requests:rate5m)`, slo.Events, true, "without a range"},
		{"a gauge selector is not events", `queue_length`, slo.Events, false, "not a counter"},
		{"a ratio of averages is not a ratio of events", `avg(rate(x_total[5m]))`, slo.Events, true, "ratio of averages"},
		{"irate can't be widened", `sum(irate(x_total[5m]))`, slo.Events, true, "last two samples"},
		{"a subquery can't be re-windowed", `sum(rate(x_total[1h:1m]))`, slo.Events, true, "subquery"},
		{"max over time keeps one value", `sum(max_over_time(rate(x_total[5m])[1h:1m]))`, slo.Events, true, "can't be re-windowed"},
		{"fixed ranges and placeholders don't mix", `sum(rate(a_total[5m])) + sum(rate(b_total[{{.window}}]))`, slo.Events, true, "mixes fixed ranges"},
		{"rate and increase don't mix", `sum(rate(a_total[5m])) + sum(increase(b_total[5m]))`, slo.Events, true, "mixes rate() and increase()"},
		{"a division is a ratio, not a count", `sum(rate(a_total[5m])) / sum(rate(b_total[5m]))`, slo.Events, true, "ratio rather than a count"},
		{"offset shifts the window", `sum(rate(a_total[5m] offset 1h))`, slo.Events, true, "offset"},
		{"a comparison filters events", `sum(rate(a_total[5m])) > 0`, slo.Events, true, "filters series"},
		{"a placeholder outside a range", `sum(rate(a_total[5m])) * {{.window}}`, slo.Events, true, "only stand for a range"},
		{"an unknown placeholder", `sum(rate(a_total[{{.range}}]))`, slo.Events, true, "unknown placeholder"},
		{"a raw ratio must divide", `sum(rate(a_total[{{.window}}]))`, slo.RawRatio, true, "must divide"},
		{"a raw ratio of averages", `avg(rate(a_total[5m])) / avg(rate(b_total[5m]))`, slo.RawRatio, true, "ratio of averages"},
		{"a threshold has no window", `rate(x_total[{{.window}}])`, slo.Threshold, true, "has no window"},
		{"an unclosed parenthesis", `sum(rate(a_total[5m])`, slo.Events, true, "unclosed"},
		{"an unclosed string", `a_total{job="x}`, slo.Events, true, "unclosed string"},
		{"a range that is not a duration", `sum(rate(a_total[five]))`, slo.Events, true, "not a duration"},
		{"a stray character", `sum(rate(a_total[5m])) $`, slo.Events, true, "unexpected"},
		{"nothing at all", `  `, slo.Events, true, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := slo.ParseQuery(tt.expr, tt.use, tt.counter)
			if err == nil || !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("ParseQuery(%q) = %v; want an error about %q", tt.expr, err, tt.why)
			}
		})
	}
}

func TestParseSelector(t *testing.T) {
	tests := []struct {
		in, want string
		optional bool
	}{
		{`http_requests_total`, `http_requests_total`, false},
		{`x{a="1", b!~"2|3"}`, `x{a="1",b!~"2|3"}`, false},
		{`{job="app"}`, `{job="app"}`, true},
	}
	for _, tt := range tests {
		s, err := slo.ParseSelector(tt.in, tt.optional)
		if err != nil || s.String() != tt.want {
			t.Errorf("ParseSelector(%q) = %q, %v; want %q", tt.in, s, err, tt.want)
		}
	}
	for _, bad := range []string{`{job="app"}`, `rate(x[5m])`, `x{a=1}`, `x{a="1"`} {
		if s, err := slo.ParseSelector(bad, false); err == nil {
			t.Errorf("ParseSelector(%q) = %q; want an error", bad, s)
		}
	}
}

func TestPromDurationRoundTrips(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute: "5m", time.Hour: "1h", 30 * 24 * time.Hour: "30d", 36 * time.Hour: "1d12h", 90 * time.Second: "1m30s", 0: "0s",
	} {
		if got := slo.PromDuration(d); got != want {
			t.Errorf("PromDuration(%v) = %q; want %q", d, got, want)
		}
	}
}

// FuzzParseQuery: no input panics, and an accepted query's template
// always has the placeholder where the window goes.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		`http_requests_total{job="app",code=~"5.."}`,
		`sum(rate(x_total[{{.window}}]))`,
		`sum by (le) (rate(d_bucket{le="0.3"}[5m]))`,
		`sum(rate(a[5m])) / sum(rate(b[5m]))`,
		`histogram_quantile(0.99, sum by (le) (rate(d_bucket[5m])))`,
		`{__name__="x", a='b\'c'}`, `x[1h:5m]`, `a{{`, "`raw`", `1e3 * 2`, `sum(rate(x[5m] offset 1h))`,
	} {
		for use := slo.Events; use <= slo.Threshold; use++ {
			f.Add(s, int(use), true)
		}
	}
	f.Fuzz(func(t *testing.T, expr string, use int, counter bool) {
		q, err := slo.ParseQuery(expr, slo.Use(((use%3)+3)%3), counter)
		if err != nil {
			return
		}
		if q.IsZero() {
			t.Fatalf("ParseQuery(%q) accepted an empty query", expr)
		}
		if (q.Kind == slo.PerSecond || q.Kind == slo.Count) && !strings.Contains(q.Template(), slo.WindowPlaceholder) {
			t.Fatalf("ParseQuery(%q) = %q; an event query must have a window", expr, q.Template())
		}
	})
}
