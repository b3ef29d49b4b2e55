package promrule_test

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/internal/promtest"
	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/slo"
)

var update = flag.Bool("update", false, "rewrite golden files")

func mustQuery(t *testing.T, expr string, use slo.Use) slo.Query {
	t.Helper()
	q, err := slo.ParseQuery(expr, use, true)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// ruleSets are the SLOs of the golden files, one file each, chosen to
// cover every kind of indicator, budgeting and window.
func ruleSets(t *testing.T) map[string][]slo.SLO {
	month, err := slo.CalendarWindow(1, slo.Month, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	api := slo.LabelSelector("http_request_duration_seconds", map[string]string{"job": "api"})
	probe := slo.SLO{Name: "probe", Service: "shop", Target: 0.995, Window: month, Budgeting: slo.Timeslices,
		TimeSlice: slo.TimeSlice{Window: 5 * time.Minute, Target: 0.8}}
	probe.Indicator.Metric = mustQuery(t, `max(probe_duration_seconds{job="blackbox"})`, slo.Threshold)
	probe.Indicator.Op, probe.Indicator.Value = slo.LTE, 0.5
	raw := slo.SLO{Name: "ledger", Objective: "writes", Target: 0.999, Window: slo.Rolling(7 * day)}
	raw.Indicator.Raw = mustQuery(t, `sum(rate(ledger_failures_total[{{.window}}])) / sum(rate(ledger_writes_total[{{.window}}]))`, slo.RawRatio)
	raw.Indicator.RawFailure = true
	raw2 := raw
	raw2.Objective, raw2.Target = "writes-stretch", 0.9999
	return map[string][]slo.SLO{
		"availability": {appSLO()},
		"latency": {{Name: "api-latency", Service: "api", Target: 0.99, Window: slo.Rolling(28 * day),
			Indicator: slo.Latency(api, 300*time.Millisecond), Labels: map[string]string{"team": "api"}}},
		"threshold-timeslices": {probe},
		"raw-objectives":       {raw, raw2},
		"loose-short": {{Name: "batch", Target: 0.9, Window: slo.Rolling(day),
			Indicator: slo.Availability(slo.LabelSelector("jobs_total", nil), "status", "failed")}},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (check, then run go test ./promrule -update):\n%s", name, got)
	}
}

// checkRules runs promtool check rules on data and fails the test when it
// does not pass.
func checkRules(t *testing.T, data []byte) {
	t.Helper()
	promtool := promtest.Promtool(t)
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(promtool, "check", "rules", "--lint=all", "--lint-fatal", path).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

func TestGenerateGoldenAndPromtoolClean(t *testing.T) {
	for name, slos := range ruleSets(t) {
		t.Run(name, func(t *testing.T) {
			f, err := promrule.Generate(slos, promrule.Options{Absent: name == "latency"})
			if err != nil {
				t.Fatal(err)
			}
			data, err := f.YAML()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".yaml", data)
			golden(t, name+".warnings", []byte(strings.Join(f.Warnings, "\n")+"\n"))
			checkRules(t, data)
		})
	}
}

// Every SLO window gets tiers that spend the same budget fractions as the
// Workbook's 30-day ones, and none alerts below a burn rate of 1; an
// objective so loose that a tier can never fire is warned about.
func TestGenerateScalesTiersAndWarnsAboutAlertsThatCannotWork(t *testing.T) {
	factor := regexp.MustCompile(`> ([0-9.]+)\n`)
	for _, w := range []time.Duration{time.Hour, day, 7 * day, 28 * day, 30 * day, 90 * day} {
		s := appSLO()
		s.Window = slo.Rolling(w)
		f, err := promrule.Generate([]slo.SLO{s}, promrule.Options{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range f.Groups[2].Rules {
			if r.Alert != promrule.BurnAlert {
				continue
			}
			n++
			m := factor.FindStringSubmatch(r.Expr)
			if m == nil {
				t.Fatalf("%s: no factor in %q", slo.PromDuration(w), r.Expr)
			}
			if v, _ := strconv.ParseFloat(m[1], 64); v < 1 {
				t.Errorf("%s window: the %s/%s alert fires at a burn rate of %g, below 1", slo.PromDuration(w), r.Labels["long"], r.Labels["short"], v)
			}
		}
		want := 4
		if w == time.Hour {
			want = 2 // the ticket tiers: 10% of the budget in 5m and 6m (burn 1.2 and 1); the pages would go below 1
		}
		if n != want {
			t.Errorf("%s window: %d burn alerts; want %d (warnings %q)", slo.PromDuration(w), n, want, f.Warnings)
		}
	}
	loose := appSLO()
	loose.Target = 0.9
	f, err := promrule.Generate([]slo.SLO{loose}, promrule.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if all := strings.Join(f.Warnings, "\n"); !strings.Contains(all, "page 1h/5m alert can never fire: it needs an error ratio above 144%") {
		t.Errorf("Warnings = %q; want the 90%% objective's fast page called impossible", f.Warnings)
	}
}

func TestGenerateRejectsBadInput(t *testing.T) {
	dup := []slo.SLO{appSLO(), appSLO()}
	if _, err := promrule.Generate(dup, promrule.Options{}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("Generate(same SLO twice) = %v; want an error", err)
	}
	if _, err := promrule.Generate([]slo.SLO{appSLO()}, promrule.Options{Labels: map[string]string{"severity": "x", "0bad": "y"}}); err == nil {
		t.Error("Generate with reserved and invalid labels = nil; want an error")
	}
	if _, err := promrule.Generate([]slo.SLO{{Name: "x"}}, promrule.Options{}); err == nil {
		t.Error("Generate(invalid SLO) = nil; want an error")
	}
}

// The PrometheusRule object is what the prometheus-operator reads: its
// spec is a valid rule file.
func TestPrometheusRule(t *testing.T) {
	f, err := promrule.Generate([]slo.SLO{appSLO()}, promrule.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := f.PrometheusRule("app-slos", "shop", map[string]string{"release": "prometheus"})
	if err != nil {
		t.Fatal(err)
	}
	var obj struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name, Namespace string
			Labels          map[string]string
		} `yaml:"metadata"`
		Spec yaml.Node `yaml:"spec"`
	}
	if err := yaml.Unmarshal(data, &obj); err != nil {
		t.Fatal(err)
	}
	if obj.APIVersion != "monitoring.coreos.com/v1" || obj.Kind != "PrometheusRule" || obj.Metadata.Name != "app-slos" ||
		obj.Metadata.Namespace != "shop" || obj.Metadata.Labels["release"] != "prometheus" {
		t.Fatalf("PrometheusRule header = %+v", obj)
	}
	var spec promrule.File
	if err := obj.Spec.Decode(&spec); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(spec.Groups, f.Groups) {
		t.Errorf("PrometheusRule spec.groups = %+v; want the rule file's groups", spec.Groups)
	}
	plain, err := spec.YAML()
	if err != nil {
		t.Fatal(err)
	}
	checkRules(t, plain)
	golden(t, "prometheusrule.yaml", data)
}
