package promrule_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/internal/promtest"
	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/slo"
)

const day = 24 * time.Hour

// appSLO is the SLO the promtool scenarios run against: 99.9% of the
// requests of job "app" succeed over 30 days, so the budget is 0.1% and
// the alert thresholds are error ratios of 1.44% (page, 1h & 5m), 0.6%
// (page, 6h & 30m), 0.3% (ticket, 1d & 2h) and 0.1% (ticket, 3d & 6h).
func appSLO() slo.SLO {
	return slo.SLO{
		Name: "app-availability", Service: "app", Target: 0.999, Window: slo.Rolling(30 * day),
		Indicator: slo.Availability(slo.LabelSelector("http_requests_total", map[string]string{"job": "app"}), "", ""),
		Alerting:  slo.Alerting{Absent: true, Runbook: "https://runbooks.example.com/app"},
	}
}

// segment is a stretch of minutes with so many good and bad requests per
// minute.
type segment struct {
	minutes   int
	good, bad int
}

// counters returns promtool series values for the good and bad request
// counters: one sample a minute, starting at 0 at minute 0.
func counters(segs ...segment) (good, bad string) {
	series := func(perMinute func(segment) int) string {
		parts := []string{"0"}
		v := 0
		for _, s := range segs {
			r := perMinute(s)
			parts = append(parts, fmt.Sprintf("%d+%dx%d", v+r, r, s.minutes-1))
			v += r * s.minutes
		}
		return strings.Join(parts, " ")
	}
	return series(func(s segment) int { return s.good }), series(func(s segment) int { return s.bad })
}

type inputSeries struct {
	Series string `yaml:"series"`
	Values string `yaml:"values"`
}

type expAlert struct {
	ExpLabels      map[string]string `yaml:"exp_labels"`
	ExpAnnotations map[string]string `yaml:"exp_annotations"`
}

type alertTest struct {
	EvalTime  string     `yaml:"eval_time"`
	Alertname string     `yaml:"alertname"`
	ExpAlerts []expAlert `yaml:"exp_alerts"`
}

type exprTest struct {
	Expr       string `yaml:"expr"`
	EvalTime   string `yaml:"eval_time"`
	ExpSamples []any  `yaml:"exp_samples"`
}

type unitTest struct {
	Name       string        `yaml:"name"`
	Interval   string        `yaml:"interval"`
	Input      []inputSeries `yaml:"input_series"`
	Alerts     []alertTest   `yaml:"alert_rule_test,omitempty"`
	PromQLExpr []exprTest    `yaml:"promql_expr_test,omitempty"`
}

// appTraffic is the input of job app's good (200) and bad (500) counters.
func appTraffic(segs ...segment) []inputSeries {
	good, bad := counters(segs...)
	return []inputSeries{
		{Series: `http_requests_total{job="app",code="200"}`, Values: good},
		{Series: `http_requests_total{job="app",code="500"}`, Values: bad},
	}
}

// burn is an alert expected to fire: which pair, and the numbers its
// annotations must show (the burn rate over the long window, the share of
// the budget that window used, the share left), as Prometheus prints them.
type burn struct {
	severity, long, short string
	rate, used, left      string
}

// pairs maps an alert pair to its position in the generated alert group.
var pairs = map[string]int{"1h": 0, "6h": 1, "1d": 2, "3d": 3}

// actions are the template actions of the annotations, in order.
var actions = regexp.MustCompile(`\{\{ printf "%\.1f" \$value \}\}|\{\{ with query .*?\{\{ end \}\}`)

// rendered fills the annotation templates of the generated alert with the
// values a burn must show: the test's hand-computed numbers stand where
// Prometheus renders $value and the queries.
func rendered(t *testing.T, f *promrule.File, b burn) map[string]string {
	t.Helper()
	rule := f.Groups[2].Rules[pairs[b.long]]
	out := map[string]string{}
	for k, tmpl := range rule.Annotations {
		values := []string{b.rate, b.used, b.left}
		i := 0
		out[k] = actions.ReplaceAllStringFunc(tmpl, func(a string) string {
			if strings.Contains(a, "$value") {
				return b.rate
			}
			i++
			return values[i]
		})
	}
	return out
}

func (b burn) labels() map[string]string {
	return map[string]string{"slo": "app-availability", "service": "app", "severity": b.severity, "long": b.long, "short": b.short, "team": "shop"}
}

// alertRule finds a generated alert by name.
func alertRule(t *testing.T, f *promrule.File, name string) promrule.Rule {
	t.Helper()
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert == name {
				return r
			}
		}
	}
	t.Fatalf("no alert %s", name)
	return promrule.Rule{}
}

// burnTest is an alert_rule_test for ErrorBudgetBurn expecting exactly the
// given burns at minute m.
func burnTest(t *testing.T, f *promrule.File, m int, burns ...burn) alertTest {
	at := alertTest{EvalTime: fmt.Sprintf("%dm", m), Alertname: promrule.BurnAlert, ExpAlerts: []expAlert{}}
	for _, b := range burns {
		at.ExpAlerts = append(at.ExpAlerts, expAlert{ExpLabels: b.labels(), ExpAnnotations: rendered(t, f, b)})
	}
	return at
}

// runPromtool writes the rules and the unit tests into a directory and
// runs promtool test rules on them, returning its output and error.
func runPromtool(t *testing.T, f *promrule.File, tests []unitTest) ([]byte, error) {
	t.Helper()
	promtool := promtest.Promtool(t)
	dir := t.TempDir()
	rules, err := f.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yaml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	// Rules are evaluated every 5 minutes (every eval_time is a multiple
	// of 5m), groups in the order a server converges to: recordings,
	// window, alerts. promtool would otherwise pick an order, and alerts
	// evaluated before the recordings see the previous evaluation's ratios.
	var order []string
	for _, g := range f.Groups {
		order = append(order, g.Name)
	}
	file := struct {
		RuleFiles          []string   `yaml:"rule_files"`
		EvaluationInterval string     `yaml:"evaluation_interval"`
		GroupEvalOrder     []string   `yaml:"group_eval_order"`
		Tests              []unitTest `yaml:"tests"`
	}{[]string{"rules.yaml"}, "5m", order, tests}
	data, err := yaml.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tests.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return exec.Command(promtool, "test", "rules", filepath.Join(dir, "tests.yaml")).CombinedOutput()
}

func generateApp(t *testing.T) *promrule.File {
	t.Helper()
	f, err := promrule.Generate([]slo.SLO{appSLO()}, promrule.Options{Labels: map[string]string{"team": "shop"}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Each alert pair fires on synthetic traffic built to cross its thresholds
// and no other, and resolves once the errors stop; zero and missing
// traffic never page. All traffic is 1000 requests a minute. The numbers
// in the comments are computed by hand from the counters; Prometheus'
// rate() is exact here because counters start at 0 (no extrapolation
// before the first sample) and every window ends on a sample.
func TestPromtoolAlertsFireAndResolve(t *testing.T) {
	t.Parallel()
	f := generateApp(t)
	tests := []unitTest{
		{
			// 20h clean, then 10 minutes at 10% errors (1000 bad), then clean.
			// At 1210m: 5m 10% (burn 100); 1h 1000/60000 = 1.667% (burn 16.7 >
			// 14.4): the fast page fires. 6h 1000/360000 = 0.28% (2.8 < 6),
			// 1d = 3d = 1000/1210000 = 0.083% (0.83 < 3 and < 1): nothing else.
			// The 1h used 16.67 × 1h/30d = 2.315% of the budget; 1 − 0.826 =
			// 17.36% is left. At 1220m the 5m window is clean: resolved.
			Name: "page fast", Interval: "1m",
			Input: appTraffic(segment{1200, 1000, 0}, segment{10, 900, 100}, segment{60, 1000, 0}),
			Alerts: []alertTest{
				burnTest(t, f, 1200),
				burnTest(t, f, 1210, burn{"page", "1h", "5m", "16.7", "2.315%", "17.36%"}),
				burnTest(t, f, 1220),
			},
		},
		{
			// 40h clean, then 5h at 0.8% errors (2400 bad). At 2700m: 30m 0.8%
			// (burn 8 > 6); 6h 2400/360000 = 0.667% (6.67 > 6): the slow page
			// fires. 1h 0.8% (8 < 14.4); 1d 2400/1440000 (1.67 < 3); 3d
			// 2400/2700000 (0.89 < 1). The 6h used 6.67 × 6h/30d = 5.556%;
			// 1 − 0.889 = 11.11% is left. At 2735m the 30m window is clean.
			Name: "page slow", Interval: "1m",
			Input: appTraffic(segment{2400, 1000, 0}, segment{300, 992, 8}, segment{60, 1000, 0}),
			Alerts: []alertTest{
				burnTest(t, f, 2700, burn{"page", "6h", "30m", "6.7", "5.556%", "11.11%"}),
				burnTest(t, f, 2735),
			},
		},
		{
			// 3h at 0.4% errors from the start, then clean. At 180m every
			// window holds 0.4% (burn 4): both tickets fire (4 > 3, 4 > 1), no
			// page (4 < 14.4, 4 < 6). The 1d used 4 × 1/30 = 13.33%, the 3d 4 ×
			// 3/30 = 40%; the 30d window is 4x over: −300% left. At 300m the
			// 2h window is clean (the fast ticket resolves) while 6h and 3d
			// hold 720/300000 = 0.24% (burn 2.4, 24% used, −140% left). At 480m
			// 6h holds 240/360000 = 0.067% (< 0.1%): resolved.
			Name: "tickets", Interval: "1m",
			Input: appTraffic(segment{180, 996, 4}, segment{300, 1000, 0}),
			Alerts: []alertTest{
				burnTest(t, f, 180, burn{"ticket", "1d", "2h", "4.0", "13.33%", "-300%"}, burn{"ticket", "3d", "6h", "4.0", "40%", "-300%"}),
				burnTest(t, f, 300, burn{"ticket", "3d", "6h", "2.4", "24%", "-140%"}),
				burnTest(t, f, 480),
			},
		},
		{
			// 6h at 0.2% errors: burn 2 fires only the slow ticket (2 > 1,
			// 2 < 3). At 560m 6h holds 320/360000 = 0.089%: resolved.
			Name: "slow ticket alone", Interval: "1m",
			Input: appTraffic(segment{360, 998, 2}, segment{240, 1000, 0}),
			Alerts: []alertTest{
				burnTest(t, f, 360, burn{"ticket", "3d", "6h", "2.0", "20%", "-100%"}),
				burnTest(t, f, 560),
			},
		},
		{
			// Counters that exist but do not move: no ratio is recorded (no
			// NaN), nothing pages, and the metrics are not absent.
			Name: "zero traffic", Interval: "1m",
			Input: appTraffic(segment{120, 0, 0}),
			Alerts: []alertTest{
				burnTest(t, f, 60),
				{EvalTime: "60m", Alertname: promrule.AbsentAlert, ExpAlerts: []expAlert{}},
			},
			PromQLExpr: []exprTest{
				{Expr: "slo:sli_error:ratio_rate5m", EvalTime: "60m", ExpSamples: []any{}},
				{Expr: "slo:sli_error:ratio_rate30d", EvalTime: "60m", ExpSamples: []any{}},
			},
		},
		{
			// No series at all: no burn alert, and after 10 minutes the
			// absent alert fires.
			Name: "missing metrics", Interval: "1m",
			Input: []inputSeries{{Series: `up{job="other"}`, Values: "1+0x60"}},
			Alerts: []alertTest{
				burnTest(t, f, 30),
				{EvalTime: "5m", Alertname: promrule.AbsentAlert, ExpAlerts: []expAlert{}},
				{EvalTime: "30m", Alertname: promrule.AbsentAlert, ExpAlerts: []expAlert{{
					ExpLabels:      map[string]string{"slo": "app-availability", "service": "app", "severity": "ticket", "team": "shop"},
					ExpAnnotations: alertRule(t, f, promrule.AbsentAlert).Annotations,
				}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			out, err := runPromtool(t, f, []unitTest{tt})
			if err != nil {
				t.Fatalf("promtool test rules: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "SUCCESS") {
				t.Fatalf("promtool test rules printed no SUCCESS:\n%s", out)
			}
		})
	}
}

// A control: the harness must be able to fail. Expecting the fast page
// on clean traffic is wrong, and promtool must say so.
func TestPromtoolCatchesAWrongExpectation(t *testing.T) {
	t.Parallel()
	f := generateApp(t)
	out, err := runPromtool(t, f, []unitTest{{
		Name: "wrong", Interval: "1m",
		Input:  appTraffic(segment{20, 1000, 0}),
		Alerts: []alertTest{burnTest(t, f, 10, burn{"page", "1h", "5m", "16.7", "2.315%", "17.36%"})},
	}})
	if err == nil || !strings.Contains(string(out), "FAILED") {
		t.Fatalf("promtool test rules = %v; want a failure\n%s", err, out)
	}
}
