package promrule_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/slo"
)

// The scenarios below are the ways SLO rules go wrong in production —
// alerting on a healthy service, or never alerting on a broken one — each
// replayed through promtool on the generated rules. They assert on the
// ALERTS series (every firing alert with all its labels), so a missing
// alert, an extra one or a lost label fails them.

// run is a stretch of minutes during which a counter grows by perMinute
// each minute; perMinute < 0 means the series has no samples (not scraped:
// the process is gone, or the series is not born yet).
type run struct{ minutes, perMinute int }

// counter returns promtool values for a counter: one sample a minute from
// minute 0, where it is 0 (or missing when the first run is missing). A
// counter that reappears after a gap starts again from 0, as after a
// restart.
func counter(runs ...run) string {
	var parts []string
	v := 0
	started := false
	for i, r := range runs {
		n := r.minutes
		if i == 0 {
			n++ // minute 0
		}
		switch {
		case r.perMinute < 0:
			parts = append(parts, fmt.Sprintf("_x%d", n))
			started, v = false, 0
		case !started:
			parts = append(parts, fmt.Sprintf("0+%dx%d", r.perMinute, n-1))
			started, v = true, r.perMinute*(n-1)
		default:
			parts = append(parts, fmt.Sprintf("%d+%dx%d", v+r.perMinute, r.perMinute, n-1))
			v += r.perMinute * n
		}
	}
	return strings.Join(parts, " ")
}

// sample is one expected sample of a promql_expr_test.
type sample struct {
	Labels string  `yaml:"labels"`
	Value  float64 `yaml:"value"`
}

// series writes a metric with labels the way promtool reads them.
func series(metric string, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%q", k, labels[k]))
	}
	return metric + "{" + strings.Join(parts, ",") + "}"
}

// firing expects exactly the given alerts named name to fire at minute m
// (none when sets is empty); each set is the alert's labels, to which
// alertname and alertstate are added. filter narrows the ALERTS query
// (e.g. `severity="page"`).
func firing(m int, name, filter string, sets ...map[string]string) exprTest {
	q := fmt.Sprintf(`ALERTS{alertname=%q,alertstate="firing"`, name)
	if filter != "" {
		q += "," + filter
	}
	t := exprTest{Expr: q + "}", EvalTime: fmt.Sprintf("%dm", m), ExpSamples: []any{}}
	for _, set := range sets {
		l := map[string]string{"alertname": name, "alertstate": "firing"}
		for k, v := range set {
			l[k] = v
		}
		t.ExpSamples = append(t.ExpSamples, sample{Labels: series("ALERTS", l), Value: 1})
	}
	return t
}

// tier is the label set of one burn-rate alert.
func tier(s slo.SLO, severity, long, short string, extra ...string) map[string]string {
	l := map[string]string{"slo": s.Name, "service": s.Service, "severity": severity, "long": long, "short": short}
	if s.Objective != "" {
		l["objective"] = s.Objective
	}
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	return l
}

// value expects query to return one sample of value v (to 1e-6: ratios of
// rates carry float rounding) with labels at minute m.
func value(m int, query, labels string, v float64) exprTest {
	return exprTest{
		Expr: fmt.Sprintf("round(%s * 1e6) / 1e6", query), EvalTime: fmt.Sprintf("%dm", m),
		ExpSamples: []any{sample{Labels: labels[strings.Index(labels, "{"):], Value: v}},
	}
}

func generate(t *testing.T, slos ...slo.SLO) *promrule.File {
	t.Helper()
	f, err := promrule.Generate(slos, promrule.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func requests(job string, extra map[string]string, code string) string {
	l := map[string]string{"job": job, "code": code}
	for k, v := range extra {
		l[k] = v
	}
	return series("http_requests_total", l)
}

func availability(name, service string, target float64, window time.Duration) slo.SLO {
	return slo.SLO{
		Name: name, Service: service, Target: target, Window: slo.Rolling(window),
		Indicator: slo.Availability(slo.LabelSelector("http_requests_total", map[string]string{"job": service}), "", ""),
	}
}

type scenario struct {
	name  string
	slos  []slo.SLO
	input []inputSeries
	tests []exprTest
}

func (sc scenario) run(t *testing.T) {
	t.Run(sc.name, func(t *testing.T) {
		t.Parallel()
		f := generate(t, sc.slos...)
		out, err := runPromtool(t, f, []unitTest{{Name: sc.name, Interval: "1m", Input: sc.input, PromQLExpr: sc.tests}})
		if err != nil {
			t.Fatalf("promtool test rules: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "SUCCESS") {
			t.Fatalf("promtool printed no SUCCESS:\n%s", out)
		}
	})
}

// Windows other than 30 days: the alert windows shrink with the period, so
// a service burning its budget no faster than allowed never alerts, and one
// burning faster alerts on the tier meant for that speed. A 7-day SLO's
// tiers are 14m/2m (14.4x), 1h24m/7m (6x), 5h36m/28m (3x) and 16h48m/1h24m
// (1x); a 1-day SLO's are 5m/2m (5.76x), 12m/2m (6x), 48m/4m (3x) and
// 2h24m/12m (1x).
func TestPromtoolWindowsOtherThan30Days(t *testing.T) {
	t.Parallel()
	week := availability("checkout-availability", "checkout", 0.999, 7*day)
	oneDay := availability("login-availability", "login", 0.99, day)
	// 10,000 requests a minute; budget 0.1%: burn 0.8 is 8 errors a minute.
	weekAt := func(bad int, minutes int) []inputSeries {
		return []inputSeries{
			{Series: requests("checkout", nil, "200"), Values: counter(run{minutes, 10000 - bad})},
			{Series: requests("checkout", nil, "500"), Values: counter(run{minutes, bad})},
		}
	}
	scenarios := []scenario{
		{
			// Two days at burn 0.8 (the budget would last 8.75 days),
			// past the longest alert window (16h48m): a 7-day SLO with the
			// 30-day windows ticketed here.
			name: "7d at burn 0.8 stays silent", slos: []slo.SLO{week}, input: weekAt(8, 2880),
			tests: []exprTest{
				firing(60, "ErrorBudgetBurn", ""), firing(1440, "ErrorBudgetBurn", ""), firing(2880, "ErrorBudgetBurn", ""),
				firing(2880, "ErrorBudgetExhausted", ""),
				value(2880, `slo:period_burn_rate:ratio`, `slo:period_burn_rate:ratio{slo="checkout-availability",service="checkout"}`, 0.8),
			},
		},
		{
			// Burn 1.2 from the start: after the 1x tier's long window
			// (16h48m) has filled above 1, it tickets, and only it (3x and
			// up stay quiet). 1.2 over the data so far also overspends the
			// period's budget.
			name: "7d at burn 1.2 tickets on the slow tier", slos: []slo.SLO{week}, input: weekAt(12, 1100),
			tests: []exprTest{
				firing(1100, "ErrorBudgetBurn", "", tier(week, "ticket", "16h48m", "1h24m")),
				firing(1100, "ErrorBudgetExhausted", "", map[string]string{"slo": week.Name, "service": "checkout", "severity": "ticket"}),
				value(1100, `slo:current_burn_rate:ratio`, `slo:current_burn_rate:ratio{slo="checkout-availability",service="checkout"}`, 1.2),
			},
		},
		{
			// A 99% daily SLO at burn 0.48 for a day: silent (the 30-day
			// windows paged at this rate).
			name: "1d at burn 0.48 stays silent", slos: []slo.SLO{oneDay},
			input: []inputSeries{
				{Series: requests("login", nil, "200"), Values: counter(run{1440, 10000 - 48})},
				{Series: requests("login", nil, "500"), Values: counter(run{1440, 48})},
			},
			tests: []exprTest{
				firing(30, "ErrorBudgetBurn", ""), firing(720, "ErrorBudgetBurn", ""), firing(1440, "ErrorBudgetBurn", ""),
				firing(1440, "ErrorBudgetExhausted", ""),
			},
		},
		{
			// An hour clean, then 7% errors (burn 7) for 40 minutes: both
			// page tiers fire at 100m (5m/2m above 5.76x, 12m/2m above
			// 6x); 20 minutes after the errors stop, no page is left.
			name: "1d at burn 7 pages", slos: []slo.SLO{oneDay},
			input: []inputSeries{
				{Series: requests("login", nil, "200"), Values: counter(run{60, 10000}, run{40, 9300}, run{30, 10000})},
				{Series: requests("login", nil, "500"), Values: counter(run{60, 0}, run{40, 700}, run{30, 0})},
			},
			tests: []exprTest{
				firing(60, "ErrorBudgetBurn", `severity="page"`),
				firing(100, "ErrorBudgetBurn", `severity="page"`, tier(oneDay, "page", "5m", "2m"), tier(oneDay, "page", "12m", "2m")),
				firing(120, "ErrorBudgetBurn", `severity="page"`),
			},
		},
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// Latency thresholds on whole seconds: Prometheus 3 and protobuf scrapes
// store the bucket as le="1.0", the text format of Prometheus 2 as le="1".
// Both spellings count as good; 20% of requests slower than 1s (burn 20
// against a 99% objective) page on both tiers.
func TestPromtoolWholeSecondLatencyBuckets(t *testing.T) {
	t.Parallel()
	lat := slo.SLO{
		Name: "api-latency", Service: "api", Target: 0.99, Window: slo.Rolling(30 * day),
		Indicator: slo.Latency(slo.LabelSelector("http_request_duration_seconds", map[string]string{"job": "api"}), time.Second),
	}
	for _, le := range []string{"1", "1.0"} {
		bucket := func(le string) string {
			return series("http_request_duration_seconds_bucket", map[string]string{"job": "api", "le": le})
		}
		scenario{
			name: "le=" + le, slos: []slo.SLO{lat},
			input: []inputSeries{
				{Series: bucket("0.5"), Values: counter(run{60, 500})},
				{Series: bucket(le), Values: counter(run{60, 800})},
				{Series: bucket("+Inf"), Values: counter(run{60, 1000})},
				{Series: series("http_request_duration_seconds_count", map[string]string{"job": "api"}), Values: counter(run{60, 1000})},
			},
			tests: []exprTest{
				value(60, `slo:sli_error:ratio_rate5m`, `slo:sli_error:ratio_rate5m{slo="api-latency",service="api"}`, 0.2),
				firing(60, "ErrorBudgetBurn", `severity="page"`, tier(lat, "page", "1h", "5m"), tier(lat, "page", "6h", "30m")),
				firing(60, "SLIGoodEventsMissing", ""),
			},
		}.run(t)
	}
}

// A good-events query that matches nothing while requests arrive (here a
// 300ms threshold on a histogram whose buckets are 0.25 and 0.5) is no
// data, not 100% errors: nothing is recorded, nothing pages, and
// SLIGoodEventsMissing says why after 15 minutes.
func TestPromtoolGoodEventsMissingIsNoData(t *testing.T) {
	t.Parallel()
	lat := slo.SLO{
		Name: "api-latency", Service: "api", Target: 0.999, Window: slo.Rolling(30 * day),
		Indicator: slo.Latency(slo.LabelSelector("http_request_duration_seconds", map[string]string{"job": "api"}), 300*time.Millisecond),
	}
	bucket := func(le string) string {
		return series("http_request_duration_seconds_bucket", map[string]string{"job": "api", "le": le})
	}
	missing := map[string]string{"slo": "api-latency", "service": "api", "severity": "ticket"}
	scenario{
		name: "threshold between buckets", slos: []slo.SLO{lat},
		input: []inputSeries{
			{Series: bucket("0.25"), Values: counter(run{90, 990})},
			{Series: bucket("0.5"), Values: counter(run{90, 1000})},
			{Series: bucket("+Inf"), Values: counter(run{90, 1000})},
			{Series: series("http_request_duration_seconds_count", map[string]string{"job": "api"}), Values: counter(run{90, 1000})},
		},
		tests: []exprTest{
			{Expr: "slo:sli_error:ratio_rate5m", EvalTime: "60m", ExpSamples: []any{}},
			{Expr: "slo:error_budget_remaining:ratio", EvalTime: "60m", ExpSamples: []any{}},
			firing(60, "ErrorBudgetBurn", ""),
			firing(10, "SLIGoodEventsMissing", ""),
			firing(60, "SLIGoodEventsMissing", "", missing),
		},
	}.run(t)
}

// A restart during a total outage: the success counter's series ends with
// the old process and only the new process' failures are scraped. The
// good series existed within the window, so its absence now means zero
// good events (the SLI is 0%), and both page tiers fire. Without the
// good-seen fallback, the short windows would have no ratio and nothing
// would page during the outage.
func TestPromtoolGoodSeriesGoneAfterRestartStillPages(t *testing.T) {
	t.Parallel()
	s := slo.SLO{
		Name: "pay-success", Service: "pay", Target: 0.999, Window: slo.Rolling(30 * day),
		Indicator: slo.Indicator{
			Good:  mustQuery(t, `http_requests_total{job="pay",code=~"2.."}`, slo.Events),
			Total: mustQuery(t, `http_requests_total{job="pay"}`, slo.Events),
		},
	}
	scenario{
		name: "restart into an outage", slos: []slo.SLO{s},
		input: []inputSeries{
			{Series: requests("pay", nil, "200"), Values: counter(run{60, 1000}, run{40, -1})},
			{Series: requests("pay", nil, "500"), Values: counter(run{60, -1}, run{40, 1000})},
		},
		tests: []exprTest{
			firing(60, "ErrorBudgetBurn", ""),
			value(95, `slo:sli_error:ratio_rate5m`, `slo:sli_error:ratio_rate5m{slo="pay-success",service="pay"}`, 1),
			firing(95, "ErrorBudgetBurn", `severity="page"`, tier(s, "page", "1h", "5m"), tier(s, "page", "6h", "30m")),
			firing(95, "SLIGoodEventsMissing", ""),
		},
	}.run(t)
}

// Grouped SLOs: one route failing every request on 0.5% of the traffic.
// Grouped by route, route a burns at 1000x and pages with route="a", and
// route b is quiet; the same traffic ungrouped burns at 5x overall, which
// only tickets — the failing route would never page.
func TestPromtoolGroupedSLOPagesPerGroup(t *testing.T) {
	t.Parallel()
	grouped := availability("shop-availability", "shop", 0.999, 30*day)
	grouped.Grouping = []string{"route"}
	flat := availability("shop-availability", "shop", 0.999, 30*day)
	input := []inputSeries{
		{Series: requests("shop", map[string]string{"route": "b"}, "200"), Values: counter(run{60, 995})},
		{Series: requests("shop", map[string]string{"route": "a"}, "500"), Values: counter(run{60, 5})},
	}
	scenario{
		name: "grouped", slos: []slo.SLO{grouped}, input: input,
		tests: []exprTest{
			firing(60, "ErrorBudgetBurn", `severity="page"`,
				tier(grouped, "page", "1h", "5m", "route", "a"), tier(grouped, "page", "6h", "30m", "route", "a")),
			firing(60, "ErrorBudgetBurn", `route="b"`),
			value(60, `slo:sli_error:ratio_rate1h{route="b"}`, `slo:sli_error:ratio_rate1h{slo="shop-availability",service="shop",route="b"}`, 0),
			value(60, `slo:current_burn_rate:ratio{route="a"}`, `slo:current_burn_rate:ratio{slo="shop-availability",service="shop",route="a"}`, 1000),
		},
	}.run(t)
	scenario{
		name: "ungrouped", slos: []slo.SLO{flat}, input: input,
		tests: []exprTest{
			firing(60, "ErrorBudgetBurn", `severity="page"`),
			firing(60, "ErrorBudgetBurn", `severity="ticket"`, tier(flat, "ticket", "1d", "2h"), tier(flat, "ticket", "3d", "6h")),
		},
	}.run(t)
}

// Two services with an SLO of the same name write distinct series (the
// service label), each with its own numbers.
func TestPromtoolSameNameInTwoServices(t *testing.T) {
	t.Parallel()
	shop := availability("availability", "shop", 0.999, 30*day)
	admin := availability("availability", "admin", 0.999, 30*day)
	scenario{
		name: "two services", slos: []slo.SLO{shop, admin},
		input: []inputSeries{
			{Series: requests("shop", nil, "200"), Values: counter(run{60, 990})},
			{Series: requests("shop", nil, "500"), Values: counter(run{60, 10})},
			{Series: requests("admin", nil, "200"), Values: counter(run{60, 1000})},
		},
		tests: []exprTest{{
			Expr: "slo:sli_error:ratio_rate5m", EvalTime: "60m",
			ExpSamples: []any{
				sample{Labels: `slo:sli_error:ratio_rate5m{slo="availability",service="shop"}`, Value: 0.01},
				sample{Labels: `slo:sli_error:ratio_rate5m{slo="availability",service="admin"}`, Value: 0},
			},
		}},
	}.run(t)
}

// The minimum-traffic guard: after an idle day, one failed request is
// the whole of every window's traffic (100% errors), and must not page.
// A quiet service that is down (4 requests a minute, all failing) pages
// once 10 bad requests are in the window.
func TestPromtoolMinimumTrafficGuard(t *testing.T) {
	t.Parallel()
	s := availability("admin-availability", "admin", 0.999, 30*day)
	idle := 1440
	scenario{
		name: "one failure after idle days", slos: []slo.SLO{s},
		input: []inputSeries{
			{Series: requests("admin", nil, "200"), Values: counter(run{idle, 0}, run{60, 0})},
			{Series: requests("admin", nil, "500"), Values: counter(run{idle, 0}, run{1, 1}, run{59, 0})},
		},
		tests: []exprTest{
			value(idle+5, `slo:sli_error:ratio_rate5m`, `slo:sli_error:ratio_rate5m{slo="admin-availability",service="admin"}`, 1),
			firing(idle+5, "ErrorBudgetBurn", ""),
			firing(idle+30, "ErrorBudgetBurn", ""),
		},
	}.run(t)
	scenario{
		name: "quiet service down", slos: []slo.SLO{s},
		input: []inputSeries{
			{Series: requests("admin", nil, "200"), Values: counter(run{idle, 0}, run{30, 0})},
			{Series: requests("admin", nil, "500"), Values: counter(run{idle, 0}, run{30, 4})},
		},
		tests: []exprTest{
			firing(idle, "ErrorBudgetBurn", ""),
			firing(idle+15, "ErrorBudgetBurn", `severity="page"`, tier(s, "page", "1h", "5m"), tier(s, "page", "6h", "30m")),
		},
	}.run(t)
}

// The budget: a day at 0.2% errors against 99.9% has spent twice the
// budget (remaining −1, period burn 2) and ErrorBudgetExhausted fires
// once that has held for 15 minutes; at 0.05% errors half is left and it
// stays quiet.
func TestPromtoolBudgetExhausted(t *testing.T) {
	t.Parallel()
	s := availability("app-availability", "app", 0.999, 30*day)
	sel := `{slo="app-availability",service="app"}`
	for _, c := range []struct {
		bad             int
		remaining, burn float64
		fires           bool
	}{{20, -1, 2, true}, {5, 0.5, 0.5, false}} {
		exhausted := firing(1440, "ErrorBudgetExhausted", "")
		if c.fires {
			exhausted = firing(1440, "ErrorBudgetExhausted", "", map[string]string{"slo": s.Name, "service": "app", "severity": "ticket"})
		}
		scenario{
			name: fmt.Sprintf("%d errors in 10000", c.bad), slos: []slo.SLO{s},
			input: []inputSeries{
				{Series: requests("app", nil, "200"), Values: counter(run{1440, 10000 - c.bad})},
				{Series: requests("app", nil, "500"), Values: counter(run{1440, c.bad})},
			},
			tests: []exprTest{
				value(1440, "slo:error_budget_remaining:ratio", "slo:error_budget_remaining:ratio"+sel, c.remaining),
				value(1440, "slo:period_burn_rate:ratio", "slo:period_burn_rate:ratio"+sel, c.burn),
				value(1440, "slo:current_burn_rate:ratio", "slo:current_burn_rate:ratio"+sel, c.burn),
				exhausted,
			},
		}.run(t)
	}
}

// Per-SLO and per-tier overrides: the alert name, labels and annotations
// set on the SLO and on a tier reach the firing alert, a tier's for delays
// it; a disabled tier
// never fires even when its condition holds; the budget alert can be
// turned off.
func TestPromtoolTierOverrides(t *testing.T) {
	t.Parallel()
	s := availability("checkout-availability", "checkout", 0.999, 30*day)
	s.Alerting = slo.Alerting{
		Name: "CheckoutBurn", Labels: map[string]string{"team": "pay"}, NoBudgetAlert: true,
		Tiers: []slo.BurnAlert{
			{Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02, Name: "CheckoutFastBurn", Labels: map[string]string{"pager": "primary"}},
			{Severity: slo.Page, Long: 6 * time.Hour, Short: 30 * time.Minute, Consumed: 0.05, Disabled: true},
			{Severity: slo.Ticket, Long: 24 * time.Hour, Short: 2 * time.Hour, Consumed: 0.1, For: 30 * time.Minute, Labels: map[string]string{"team": "pay-oncall"}},
		},
	}
	// 2% errors (burn 20) for 2 hours: every enabled tier's condition holds.
	scenario{
		name: "overrides", slos: []slo.SLO{s},
		input: []inputSeries{
			{Series: requests("checkout", nil, "200"), Values: counter(run{120, 980})},
			{Series: requests("checkout", nil, "500"), Values: counter(run{120, 20})},
		},
		tests: []exprTest{
			// The ticket tier holds for 30 minutes before it fires.
			firing(20, "CheckoutFastBurn", "", tier(s, "page", "1h", "5m", "team", "pay", "pager", "primary")),
			firing(20, "CheckoutBurn", ""),
			firing(120, "CheckoutFastBurn", "", tier(s, "page", "1h", "5m", "team", "pay", "pager", "primary")),
			firing(120, "CheckoutBurn", "", tier(s, "ticket", "1d", "2h", "team", "pay-oncall")),
			firing(120, "ErrorBudgetBurn", ""),
			firing(120, "ErrorBudgetExhausted", ""),
			{Expr: `ALERTS{long="6h"}`, EvalTime: "120m", ExpSamples: []any{}},
		},
	}.run(t)
	f := generate(t, s)
	r := alertRule(t, f, "CheckoutFastBurn")
	if r.Annotations["runbook_url"] == "" || !strings.Contains(r.Annotations["summary"], "checkout/checkout-availability") {
		t.Errorf("overridden tier lost the default annotations: %v", r.Annotations)
	}
}
