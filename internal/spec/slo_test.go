package spec_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/slo"
)

var update = flag.Bool("update", false, "rewrite golden files")

// readSLOs parses files (relative to testdata/slo) as one set.
func readSLOs(t testing.TB, files ...string) (*spec.SLOSet, error) {
	t.Helper()
	var docs []*spec.Document
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join("testdata", "slo", f))
		if err != nil {
			t.Fatal(err)
		}
		ds, err := spec.Parse(f, data)
		if err != nil {
			return nil, err
		}
		docs = append(docs, ds...)
	}
	return spec.SLOs(docs)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "slo", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// describeSLO writes what a test needs to see of an SLO.
func describeSLO(s slo.SLO) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s objective=%q service=%s target=%v window=%q budgeting=%s",
		s.Name, s.Objective, s.Service, s.Target, s.Window, s.BudgetingMethod())
	if s.BudgetingMethod() == slo.Timeslices {
		fmt.Fprintf(&b, " slice=%v/%v", s.TimeSlice.Window, s.TimeSlice.Target)
	}
	if len(s.Labels) > 0 {
		keys := make([]string, 0, len(s.Labels))
		for k := range s.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " label:%s=%s", k, s.Labels[k])
		}
	}
	if len(s.Grouping) > 0 {
		fmt.Fprintf(&b, " grouping=%s", strings.Join(s.Grouping, ","))
	}
	a := s.Alerting
	if a.Absent || a.Runbook != "" {
		fmt.Fprintf(&b, " absent=%v runbook=%q", a.Absent, a.Runbook)
	}
	if a.Name != "" {
		fmt.Fprintf(&b, " alert=%s", a.Name)
	}
	if a.NoBudgetAlert {
		b.WriteString(" no-budget-alert")
	}
	b.WriteString(sortedMap(" alert-label:", a.Labels))
	b.WriteString(sortedMap(" alert-annotation:", a.Annotations))
	if src := s.Indicator.Source; src != "" {
		fmt.Fprintf(&b, " source=%s", src)
	}
	for _, t := range a.Tiers {
		fmt.Fprintf(&b, "\n  tier %s %s/%s consumed=%s factor=%.4g", t.Severity, slo.PromDuration(t.Long), slo.PromDuration(t.Short),
			slo.FormatPercent(t.Consumed), t.Factor(s.Window.Length))
		if t.Name != "" {
			fmt.Fprintf(&b, " name=%s", t.Name)
		}
		if t.For > 0 {
			fmt.Fprintf(&b, " for=%s", slo.PromDuration(t.For))
		}
		if t.Disabled {
			b.WriteString(" disabled")
		}
		if t.MinEvents != 0 {
			fmt.Fprintf(&b, " minEvents=%v", t.MinEvents)
		}
		b.WriteString(sortedMap(" label:", t.Labels))
		b.WriteString(sortedMap(" annotation:", t.Annotations))
	}
	fmt.Fprintf(&b, "\n  error ratio 1h: %s\n", s.ErrorRatio(time.Hour))
	return b.String()
}

// sortedMap writes m as prefix+key=value for each key, sorted.
func sortedMap(prefix string, m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s%s=%s", prefix, k, m[k])
	}
	return b.String()
}

func TestSLOExamplesParse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "slo", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, f := range files {
		name := filepath.Base(f)
		if name == "invalid.yaml" {
			continue
		}
		set, err := readSLOs(t, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(set.SLOs) == 0 {
			t.Errorf("%s: no SLOs", name)
		}
		fmt.Fprintf(&out, "# %s\n", name)
		for _, s := range set.SLOs {
			if err := s.Validate(); err != nil {
				t.Errorf("%s: %s: %v", name, s.ID(), err)
			}
			out.WriteString(describeSLO(s))
		}
		for _, n := range set.Notes {
			fmt.Fprintf(&out, "note: %s\n", n)
		}
	}
	golden(t, "examples.golden", out.String())
}

func TestSLODataSourcesAndServicesAreCarried(t *testing.T) {
	set, err := readSLOs(t, "openslo-availability.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ds, ok := set.DataSources["prometheus-prod"]
	if !ok || ds.Type != "Prometheus" || ds.URL != "http://prometheus.monitoring.svc:9090" {
		t.Errorf("DataSources = %+v; want prometheus-prod with its URL", set.DataSources)
	}
	if len(set.Services) != 1 || set.Services[0] != "checkout" {
		t.Errorf("Services = %v; want [checkout]", set.Services)
	}
}

// An SLI may live in another file of the set than the SLO naming it.
func TestSLOIndicatorRefAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	_ = dir
	sli := `apiVersion: openslo/v1
kind: SLI
metadata: {name: shared}
spec:
  ratioMetric:
    counter: true
    bad: {metricSource: {type: Prometheus, spec: {query: 'x_total{code="500"}'}}}
    total: {metricSource: {type: Prometheus, spec: {query: x_total}}}
`
	sloDoc := `apiVersion: openslo/v1
kind: SLO
metadata: {name: uses-shared}
spec:
  service: s
  indicatorRef: shared
  budgetingMethod: Occurrences
  timeWindow: [{duration: 7d, isRolling: true}]
  objectives: [{target: 0.99}]
`
	a, err := spec.Parse("slo.yaml", []byte(sloDoc))
	if err != nil {
		t.Fatal(err)
	}
	b, err := spec.Parse("sli.yaml", []byte(sli))
	if err != nil {
		t.Fatal(err)
	}
	set, err := spec.SLOs(append(a, b...))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.SLOs) != 1 || set.SLOs[0].Indicator.Name != "shared" || set.SLOs[0].Window.Length != 7*24*time.Hour {
		t.Fatalf("SLOs = %+v; want uses-shared with the shared SLI over 7d", set.SLOs)
	}
}

// Every problem of every document is reported at once, each with its
// file, line, column and field path.
func TestSLOInvalidReportsEveryProblemPositioned(t *testing.T) {
	_, err := readSLOs(t, "invalid.yaml")
	var ps spec.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("SLOs(invalid.yaml) = %v; want Problems", err)
	}
	for _, p := range ps {
		if p.Line == 0 {
			t.Errorf("problem without a line: %v", p)
		}
	}
	golden(t, "invalid.golden", err.Error()+"\n")
}

func TestSLOProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"a duplicate SLO name", "apiVersion: headroom/v1\nkind: SLO\nname: a\navailability: {metric: x_total}\nobjective: 99%\n---\n" +
			"apiVersion: headroom/v1\nkind: SLO\nname: a\nlatency: {histogram: d, threshold: 1s}\nobjective: 99%\n",
			`slo.yaml:9:1: name: SLO "a" is defined twice (first at slo.yaml:3)`},
		{"both indicators in the compact form", "apiVersion: headroom/v1\nkind: SLO\nname: a\navailability: {metric: x_total}\nlatency: {histogram: d, threshold: 1s}\nobjective: 99%\n",
			"slo.yaml:5:1: latency: give availability or latency, not both"},
		{"a compact objective of 100%", "apiVersion: headroom/v1\nkind: SLO\nname: a\navailability: {metric: x_total}\nobjective: 100%\n",
			"slo.yaml:5:1: objective: 100%: want more than 0% and less than 100%"},
		{"a selector with a metric", "apiVersion: headroom/v1\nkind: SLO\nname: a\navailability: {metric: x_total, selector: 'y{a=\"b\"}'}\nobjective: 99%\n",
			"slo.yaml:4:33: availability.selector: give only label matchers"},
		{"a headroom kind that is not an SLO", "apiVersion: headroom/v1\nkind: System\n",
			`slo.yaml:2:7: kind: headroom/v1 SLO files hold kind: SLO, got "System"`},
		{"a rolling window with a calendar", "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec:\n  service: s\n  budgetingMethod: Occurrences\n" +
			"  timeWindow: [{duration: 1M, isRolling: true, calendar: {startTime: '2024-01-01 00:00:00', timeZone: UTC}}]\n" +
			"  indicator: {metadata: {name: i}, spec: {ratioMetric: {counter: true, good: {metricSource: {type: Prometheus, spec: {query: a_total}}}, total: {metricSource: {type: Prometheus, spec: {query: b_total}}}}}}\n" +
			"  objectives: [{target: 0.9}]\n",
			"spec.timeWindow[0].calendar: a rolling window has no calendar"},
		{"raw with good", "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: a}\nspec:\n  ratioMetric:\n    raw: {metricSource: {type: Prometheus, spec: {query: 'a/b'}}}\n    good: {metricSource: {type: Prometheus, spec: {query: a}}}\n",
			"spec.ratioMetric.raw: raw excludes good, bad and total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := spec.Parse("slo.yaml", []byte(tt.src))
			if err == nil {
				_, err = spec.SLOs(docs)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SLOs() = %v; want %q", err, tt.want)
			}
		})
	}
}

// FuzzSLOs: no input panics, and whatever is accepted is a valid SLO.
func FuzzSLOs(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "slo", "*.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec: []\n"))
	f.Add([]byte("apiVersion: headroom/v1\nkind: SLO\nname: a\nlatency: {histogram: d, threshold: 1s, selector: '{'}\nobjective: 1e-300%\n"))
	f.Add([]byte("- apiVersion: headroom/v1\n  kind: SLO\n  name: a\n  availability: {metric: x}\n  objective: 99%\n- []\n"))
	f.Add([]byte("apiVersion: headroom/v1\nkind: SLO\nname: a\nwindow: 1h\navailability: {metric: x}\nobjective: 99%\n" +
		"grouping: [a]\nalerting: {tiers: [{severity: p, long: 5m, factor: 12}], disable: [5m, p]}\n"))
	f.Add([]byte("apiVersion: headroom/v1\nkind: SLO\nname: a\nwindow: 2h\nlatency: {histogram: d, native: true, threshold: 90m}\nobjective: 99%\n"))
	f.Add([]byte("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a, labels: {a.b: [x]}, annotations: {headroom/grouping: b}}\nspec:\n  service: s\n" +
		"  budgetingMethod: Occurrences\n  timeWindow: [{duration: 1h, isRolling: true}]\n" +
		"  indicator: {metadata: {name: i}, spec: {ratioMetric: {counter: true, good: {metricSource: {type: Prometheus, spec: {query: 'sum by (b) (x_total)'}}}, total: {metricSource: {type: Prometheus, spec: {query: x_total}}}}}}\n" +
		"  objectives: [{target: 0.9, op: gt}]\n" +
		"  alertPolicies: [{kind: AlertPolicy, spec: {alertWhenBreaching: true, conditions: [{kind: AlertCondition, spec: {severity: x, condition: {op: gt, threshold: 1, lookbackWindow: 5m, alertAfter: 4m}}}]}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := spec.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		set, err := spec.SLOs(docs)
		if err != nil {
			var ps spec.Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("SLOs() = %v; want Problems", err)
			}
			return
		}
		for _, s := range set.SLOs {
			if err := s.Validate(); err != nil {
				t.Fatalf("accepted an invalid SLO %s: %v", s.ID(), err)
			}
			_ = s.ErrorRatio(time.Hour)
		}
	})
}
