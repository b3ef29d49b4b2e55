package spec_test

import (
	"slices"
	"strings"
	"testing"
)

// withQueries is an OpenSLO SLO whose good and total queries are given.
func withQueries(annotations, good, total string) string {
	return "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: a\n" + annotations +
		"spec:\n  service: s\n  budgetingMethod: Occurrences\n  timeWindow: [{duration: 30d, isRolling: true}]\n" +
		"  indicator:\n    metadata: {name: i}\n    spec:\n      ratioMetric:\n        counter: true\n" +
		"        good: {metricSource: {type: Prometheus, spec: {query: '" + good + "'}}}\n" +
		"        total: {metricSource: {type: Prometheus, spec: {query: '" + total + "'}}}\n" +
		"  objectives: [{target: 0.99}]\n"
}

func TestSLOGrouping(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"the compact form's grouping list", compact("grouping: [route, tenant]\n"), []string{"route", "tenant"}},
		{"an OpenSLO grouping annotation", openSLO("  annotations: {headroom/grouping: \"route, tenant\"}\n", ""), []string{"route", "tenant"}},
		{"an empty grouping annotation groups nothing", openSLO("  annotations: {headroom/grouping: \"\"}\n", ""), nil},
		{"a grouping the queries write is adopted",
			withQueries("", `sum by (route) (rate(x_total{code="200"}[5m]))`, `sum by (route) (rate(x_total[5m]))`), []string{"route"}},
		{"a grouping written after the sum is adopted too",
			withQueries("", `sum(rate(x_total{code="200"}[5m])) by (route)`, `sum(rate(x_total[5m])) by (route)`), []string{"route"}},
		{"an annotation that agrees with the queries in another order",
			withQueries("  annotations: {headroom/grouping: \"tenant,route\"}\n", `sum by (route, tenant) (rate(x_total{code="200"}[5m]))`, `sum by (route, tenant) (rate(x_total[5m]))`),
			[]string{"tenant", "route"}},
		{"queries without a by clause grouped by the annotation",
			withQueries("  annotations: {headroom/grouping: route}\n", `x_total{code="200"}`, `x_total`), []string{"route"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := mustSLOs(t, tt.src)
			if got := set.SLOs[0].Grouping; !slices.Equal(got, tt.want) {
				t.Fatalf("Grouping = %v; want %v", got, tt.want)
			}
		})
	}
}

// A grouping is applied to every query of the SLI, so that each group has
// its own error ratio.
func TestSLOGroupingReachesTheQueries(t *testing.T) {
	set := mustSLOs(t, openSLO("  annotations: {headroom/grouping: route}\n", ""))
	got := set.SLOs[0].ErrorRatio(3600e9)
	if strings.Count(got, "sum by (route)") != 3 {
		t.Fatalf("ErrorRatio(1h) = %s; want every query summed by (route)", got)
	}
}

func TestSLOGroupingProblems(t *testing.T) {
	runProblems(t, []problemCase{
		{"grouping by le", compact("grouping: [le]\n"),
			"slo.yaml:7:12: grouping[0]: can't group by le"},
		{"grouping by a label headroom sets", compact("grouping: [service]\n"),
			"slo.yaml:7:12: grouping[0]: can't group by service"},
		{"a grouping label given twice", compact("grouping: [route, route]\n"),
			"slo.yaml:7:19: grouping[1]: route is given twice"},
		{"a grouping label that is not a label name", compact("grouping: [\"route-name\"]\n"),
			`slo.yaml:7:12: grouping[0]: "route-name" is not a label name`},
		{"a grouping label also fixed", compact("labels: {route: /cart}\ngrouping: [route]\n"),
			"slo.yaml:8:12: grouping[0]: route is also a fixed label of the SLO"},
		{"a grouping that is not a list", compact("grouping: route\n"),
			"slo.yaml:7:1: grouping: want a list"},
		{"an annotation that disagrees with the queries",
			withQueries("  annotations: {headroom/grouping: \"route,tenant\"}\n", `sum by (route) (rate(x_total{code="200"}[5m]))`, `sum by (route) (rate(x_total[5m]))`),
			`slo.yaml:5:17: metadata.annotations.headroom/grouping: the SLI's queries sum by (route), not by (route, tenant): write headroom/grouping: "route", or group the queries by (route, tenant)`},
		{"queries that group differently",
			withQueries("", `sum by (route) (rate(x_total{code="200"}[5m]))`, `sum by (tenant) (rate(x_total[5m]))`),
			"slo.yaml:11:5: spec.indicator.spec: the SLI's queries group differently, by (route) and by (tenant)"},
		{"an annotation naming a reserved label", openSLO("  annotations: {headroom/grouping: \"route,slo\"}\n", ""),
			"metadata.annotations.headroom/grouping: can't group by slo"},
		{"a grouped raw ratio",
			"apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: a\n  annotations: {headroom/grouping: route}\nspec:\n  service: s\n  budgetingMethod: Occurrences\n" +
				"  timeWindow: [{duration: 30d, isRolling: true}]\n" +
				"  indicator: {metadata: {name: i}, spec: {ratioMetric: {rawType: failure, raw: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(e_total[{{.window}}])) / sum(rate(r_total[{{.window}}]))'}}}}}}\n" +
				"  objectives: [{target: 0.99}]\n",
			"slo.yaml:5:17: metadata.annotations.headroom/grouping: a raw ratio SLI can't be grouped"},
	})
}

// SLO names are unique per service, not across services.
func TestSLOIdentityIsServiceAndName(t *testing.T) {
	set := mustSLOs(t, compact("")+"---\n"+strings.Replace(compact(""), "service: s", "service: other", 1))
	if len(set.SLOs) != 2 || set.SLOs[0].ID() == set.SLOs[1].ID() {
		t.Fatalf("SLOs = %v; want two SLOs named a in services s and other", set.SLOs)
	}
	runProblems(t, []problemCase{
		{"the same name twice in one service", compact("") + "---\n" + compact(""),
			`slo.yaml:10:1: name: SLO "a" of service "s" is defined twice (first at slo.yaml:3); names are unique per service`},
		{"the same name in one service, once in each form", compact("") + "---\n" + openSLO("", ""),
			`slo.yaml:11:3: metadata.name: SLO "a" of service "s" is defined twice (first at slo.yaml:3)`},
	})
}
