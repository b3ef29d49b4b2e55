package dashboard_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/headroom-sre/headroom/dashboard"
	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/internal/promtest"
	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/slo"
)

// The synthetic history: three hours, one sample every 15 seconds, ending
// when the test starts.
const (
	historyStep = 15 * time.Second
	historySpan = 3 * time.Hour
)

// counterSeries is a request counter and how much it grows each step.
type counterSeries struct {
	labels string
	inc    float64
}

// Checkout fails 1 request in 201; the shop's /cart route 1 in 61 and its
// /pay route never (it has no 5xx series at all); the API answers 99 of
// 100 requests within 300ms.
var requestCounters = []counterSeries{
	{`job="checkout",code="200"`, 200},
	{`job="checkout",code="500"`, 1},
	{`job="shop",route="/cart",code="200"`, 60},
	{`job="shop",route="/cart",code="500"`, 1},
	{`job="shop",route="/pay",code="200"`, 30},
}

// latencyBuckets are the API's cumulative bucket increments per step.
var latencyBuckets = []struct {
	le  string
	inc float64
}{{"0.1", 70}, {"0.3", 99}, {"1", 100}, {"+Inf", 100}}

// history writes the OpenMetrics the test backfills: the request counters
// and a latency histogram, up to end.
func history(end time.Time) string {
	var b strings.Builder
	start := end.Add(-historySpan)
	b.WriteString("# TYPE http_requests counter\n")
	for _, c := range requestCounters {
		v := 0.0
		for ts := start; !ts.After(end); ts = ts.Add(historyStep) {
			fmt.Fprintf(&b, "http_requests_total{%s} %g %d\n", c.labels, v, ts.Unix())
			v += c.inc
		}
	}
	b.WriteString("# TYPE http_request_duration_seconds histogram\n")
	n := 0.0
	for ts := start; !ts.After(end); ts = ts.Add(historyStep) {
		for _, bk := range latencyBuckets {
			fmt.Fprintf(&b, "http_request_duration_seconds_bucket{job=\"api\",le=%q} %g %d\n", bk.le, n*bk.inc, ts.Unix())
		}
		fmt.Fprintf(&b, "http_request_duration_seconds_count{job=\"api\"} %g %d\n", n*100, ts.Unix())
		fmt.Fprintf(&b, "http_request_duration_seconds_sum{job=\"api\"} %g %d\n", n*12, ts.Unix())
		n++
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// writeRules writes promrule's rules for slos. The groups over the SLO
// window are evaluated every 5 minutes, and Prometheus evaluates a group
// first one interval slot after it starts (not at once): up to 5 minutes
// for those. The test evaluates every group at the global 15s instead; the
// queries, and so the series, are the same.
func writeRules(t *testing.T, slos []slo.SLO) string {
	t.Helper()
	f, err := promrule.Generate(slos, promrule.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Groups {
		f.Groups[i].Interval = ""
	}
	data, err := f.YAML()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// query is one query of the dashboard, as Prometheus will run it.
type query struct {
	panel, ref, expr string
	mayBeEmpty       bool // the alerts table: nothing may be firing
}

var labelValues = regexp.MustCompile(`^label_values\((.+), (\w+)\)$`)

// variableValues runs each grouping variable's label_values query as
// Prometheus' equivalent and returns a value of each (the first, sorted),
// or ok false while one has none yet.
func variableValues(ctx context.Context, t *testing.T, c *prom.Client, d grafanaDashboard) (map[string]string, bool) {
	t.Helper()
	out := map[string]string{}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		m := labelValues.FindStringSubmatch(v.Query)
		if m == nil {
			t.Fatalf("variable %s: query %q is not label_values(series, label)", v.Name, v.Query)
		}
		vec, err := c.Vector(ctx, fmt.Sprintf("group by (%s) (%s)", m[2], m[1]), time.Now())
		if err != nil {
			t.Fatalf("variable %s: %v", v.Name, err)
		}
		var values []string
		for _, s := range vec {
			values = append(values, string(s.Metric[model.LabelName(m[2])]))
		}
		if len(values) == 0 {
			return nil, false
		}
		slices.Sort(values)
		out[v.Name] = values[0]
	}
	return out, true
}

// queries are the dashboard's queries with the variables set: grouping
// variables to a real value (there are no $__ macros, nor $datasource in
// an expression).
func queries(t *testing.T, d grafanaDashboard, values map[string]string) []query {
	t.Helper()
	var out []query
	for _, p := range panelsOf(d) {
		for _, tg := range p.Targets {
			expr := tg.Expr
			for name, v := range values {
				expr = strings.ReplaceAll(expr, `"$`+name+`"`, fmt.Sprintf("%q", regexp.QuoteMeta(v)))
			}
			if strings.Contains(expr, "$") {
				t.Fatalf("panel %q query %s: a variable is left in %s", p.Title, tg.RefID, expr)
			}
			out = append(out, query{panel: p.Title, ref: tg.RefID, expr: expr, mayBeEmpty: p.Title == "Alerts firing"})
		}
	}
	return out
}

// Every query of every panel runs on a real Prometheus that evaluates
// promrule's rules over three hours of synthetic traffic, and returns data
// (the alerts table may be empty, but must parse).
func TestDashboardQueriesRunOnPrometheus(t *testing.T) {
	slos := []slo.SLO{availabilitySLO(), latencySLO(), groupedSLO()}
	rules := writeRules(t, slos)
	end := time.Now().Truncate(historyStep)
	srv := promtest.Start(t, promtest.Options{OpenMetrics: history(end), RuleFiles: []string{rules}})
	c, err := prom.New(prom.Config{URL: srv.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	d := decode(t, generate(t, slos, dashboard.Options{}))

	// The recording rules run within 15s of the start; poll for their
	// first results, a second apart, for at most a minute.
	started := time.Now()
	poll := func(limit time.Duration, ready func() bool) bool {
		deadline := time.Now().Add(limit)
		for !ready() {
			if time.Now().After(deadline) {
				return false
			}
			select {
			case <-ctx.Done():
				t.Fatal(ctx.Err())
			case <-time.After(time.Second):
			}
		}
		return true
	}
	if !poll(60*time.Second, func() bool {
		v, err := c.Vector(ctx, "count by (slo) (slo:sli_error:ratio_rate5m)", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return len(v) == len(slos)
	}) {
		t.Fatalf("after %s the rules have not recorded slo:sli_error:ratio_rate5m for every SLO", time.Since(started).Round(time.Second))
	}
	t.Logf("ratio_rate5m recorded %s after Prometheus started", time.Since(started).Round(time.Second))

	// Groups are evaluated each on its own 15s slot: give the others two
	// more rounds to record.
	var empty []query
	ran := 0
	if !poll(35*time.Second, func() bool {
		values, ok := variableValues(ctx, t, c, d)
		if !ok {
			return false
		}
		empty, ran = empty[:0], 0
		for _, q := range queries(t, d, values) {
			v, err := c.Vector(ctx, q.expr, time.Now())
			if err != nil {
				t.Fatalf("panel %q query %s does not run: %v", q.panel, q.ref, err)
			}
			ran++
			if len(v) == 0 && !q.mayBeEmpty {
				empty = append(empty, q)
			}
		}
		return len(empty) == 0
	}) {
		if empty == nil {
			t.Fatalf("after %s a grouping variable still has no values", time.Since(started).Round(time.Second))
		}
		for _, q := range empty {
			t.Errorf("panel %q query %s returns nothing: %s", q.panel, q.ref, q.expr)
		}
	}
	t.Logf("%d queries ran, %s after Prometheus started", ran, time.Since(started).Round(time.Second))

	// A sanity check of the numbers: checkout fails 1 request in 201.
	v, err := c.Vector(ctx, `1 - slo:sli_error:ratio_rate5m{slo="checkout-availability",service="checkout"}`, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 1 || math.Abs(float64(v[0].Value)-200.0/201) > 1e-9 {
		t.Errorf("checkout SLI over 5m = %v; want 200/201", v)
	}
}
