package spec_test

import (
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/internal/spec"
)

// parseSLOs reads src as the file slo.yaml.
func parseSLOs(t *testing.T, src string) (*spec.SLOSet, error) {
	t.Helper()
	docs, err := spec.Parse("slo.yaml", []byte(src))
	if err != nil {
		return nil, err
	}
	return spec.SLOs(docs)
}

// mustSLOs reads src and fails the test on any problem.
func mustSLOs(t *testing.T, src string) *spec.SLOSet {
	t.Helper()
	set, err := parseSLOs(t, src)
	if err != nil {
		t.Fatalf("SLOs() = %v; want no problem", err)
	}
	return set
}

// problemCase is a spec that must be refused with a message containing
// want (file:line:col: path: message, or a part of it).
type problemCase struct {
	name string
	src  string
	want string
}

func runProblems(t *testing.T, tests []problemCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSLOs(t, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SLOs() = %v; want %q", err, tt.want)
			}
		})
	}
}

// compact is a compact availability SLO with extra lines appended.
func compact(extra string) string {
	return "apiVersion: headroom/v1\nkind: SLO\nname: a\nservice: s\navailability: {metric: x_total}\nobjective: 99.9%\n" + extra
}

// openSLO is an OpenSLO availability SLO over 30 days; meta is added to
// metadata (indented by four spaces), spec to spec (by two).
func openSLO(meta, spec string) string {
	return "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: a\n" + meta +
		"spec:\n  service: s\n  budgetingMethod: Occurrences\n  timeWindow: [{duration: 30d, isRolling: true}]\n" +
		"  indicator:\n    metadata: {name: i}\n    spec:\n      ratioMetric:\n        counter: true\n" +
		"        bad: {metricSource: {type: Prometheus, spec: {query: 'x_total{code=\"500\"}'}}}\n" +
		"        total: {metricSource: {type: Prometheus, spec: {query: x_total}}}\n" +
		"  objectives: [{target: 0.999}]\n" + spec
}
