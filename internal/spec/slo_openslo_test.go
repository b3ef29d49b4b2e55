package spec_test

import (
	"strings"
	"testing"
)

// The OpenSLO Go SDK writes a file as one YAML list of objects; problems
// in it are positioned on the item's lines.
func TestSLOListOfObjects(t *testing.T) {
	set, err := readSLOs(t, "openslo-sdk-list.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.SLOs) != 1 || set.SLOs[0].Name != "catalog-availability" || len(set.Services) != 1 {
		t.Fatalf("SLOs = %v, Services = %v; want catalog-availability of catalog", set.SLOs, set.Services)
	}
	ds := set.DataSources["thanos-eu"]
	if ds.URL != "http://thanos-query.monitoring.svc:9090" || ds.Connection["timeout"] != "30s" {
		t.Errorf("DataSource = %+v; want the URL and timeout of its connectionDetails list", ds)
	}

	src := "- apiVersion: openslo/v1\n  kind: Service\n  metadata: {name: a}\n  spec: {}\n" +
		"- apiVersion: openslo/v1\n  kind: Service\n  metadata: {name: B}\n  spec: {}\n"
	_, err = parseSLOs(t, src)
	if err == nil || !strings.Contains(err.Error(), `slo.yaml:7:14: metadata.name: "B" is not a valid name`) {
		t.Errorf("SLOs(list with a bad name) = %v; want it positioned on line 7", err)
	}
}

func TestSLOOpenSLOLeniency(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, src string)
	}{
		{"op gte on a ratio objective", strings.Replace(openSLO("", ""), "{target: 0.999}", "{target: 0.999, op: gte}", 1), nil},
		{"op gt and value equal to the target on a ratio objective", strings.Replace(openSLO("", ""), "{target: 0.999}", "{target: 0.999, op: gt, value: 0.999}", 1), nil},
		{"an empty alertPolicies key", openSLO("", "  alertPolicies:\n"), nil},
		{"an unquoted calendar start time", strings.Replace(openSLO("", ""), "{duration: 30d, isRolling: true}",
			"{duration: 1M, isRolling: false, calendar: {startTime: 2022-01-01 12:00:00, timeZone: America/New_York}}", 1), nil},
		{"connectionDetails as a list", "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: p}\nspec:\n  type: Prometheus\n  connectionDetails:\n    - url: http://p:9090\n---\n" + openSLO("", ""),
			func(t *testing.T, src string) {
				if u := mustSLOs(t, src).DataSources["p"].URL; u != "http://p:9090" {
					t.Errorf("URL = %q; want http://p:9090", u)
				}
			}},
		{"a DataSource named but not given, with a type", strings.Replace(openSLO("", ""), "{type: Prometheus, spec: {query: x_total}}", "{metricSourceRef: elsewhere, type: Prometheus, spec: {query: x_total}}", 1),
			func(t *testing.T, src string) {
				set := mustSLOs(t, src)
				if len(set.Notes) != 1 || !strings.Contains(set.Notes[0], `DataSource "elsewhere" is not in the files read`) {
					t.Errorf("Notes = %q; want a note on the missing DataSource", set.Notes)
				}
			}},
		{"labels with list values", openSLO("  labels: {team: [a, b], env: prod}\n", ""),
			func(t *testing.T, src string) {
				l := mustSLOs(t, src).SLOs[0].Labels
				if l["team"] != "a,b" || l["env"] != "prod" {
					t.Errorf("Labels = %v; want team=a,b env=prod", l)
				}
			}},
		{"label keys made label names", openSLO("  labels: {app.kubernetes.io/name: shop, 1st: x}\n", ""),
			func(t *testing.T, src string) {
				set := mustSLOs(t, src)
				l := set.SLOs[0].Labels
				if l["app_kubernetes_io_name"] != "shop" || l["_1st"] != "x" || len(set.Notes) != 2 {
					t.Errorf("Labels = %v, Notes = %q; want app_kubernetes_io_name and _1st, and a note for each", l, set.Notes)
				}
			}},
		{"headroom annotations", openSLO("  annotations: {headroom/absent-alert: \"true\", headroom/budget-alert: \"false\", headroom/runbook: https://r}\n", ""),
			func(t *testing.T, src string) {
				a := mustSLOs(t, src).SLOs[0].Alerting
				if !a.Absent || !a.NoBudgetAlert || a.Runbook != "https://r" {
					t.Errorf("Alerting = %+v; want absent, no budget alert and the runbook", a)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.check == nil {
				mustSLOs(t, tt.src)
				return
			}
			tt.check(t, tt.src)
		})
	}
}

func TestSLOOpenSLOProblems(t *testing.T) {
	objective := func(o string) string {
		return strings.Replace(openSLO("", ""), "{target: 0.999}", "{target: 0.999, "+o+"}", 1)
	}
	runProblems(t, []problemCase{
		{"op lt on a ratio objective", objective("op: lt"),
			"slo.yaml:16:32: spec.objectives[0].op: op lt would ask the good fraction to stay below the target; a ratio objective is met when good/total reaches its target: write op: gte (or leave op out)"},
		{"an unknown op on a ratio objective", objective("op: between"),
			`spec.objectives[0].op: want gte or gt for a ratio objective (or leave op out), got "between"`},
		{"a value other than the target on a ratio objective", objective("op: gt, value: 1"),
			"spec.objectives[0].value: a ratio objective is its target (0.999); value 1 would be a second, different threshold: remove value, or use a thresholdMetric"},
		{"a reserved label", openSLO("  labels: {service: x}\n", ""),
			"slo.yaml:5:12: metadata.labels.service: service is a label headroom sets itself (slo, service, objective, severity, long, short); rename it"},
		{"another reserved label", openSLO("  labels: {severity: x}\n", ""),
			"metadata.labels.severity: severity is a label headroom sets itself"},
		{"a label key with no letter or digit", openSLO("  labels: {\"--\": x}\n", ""),
			`metadata.labels.--: "--" can't be made a Prometheus label name (it needs a letter or digit); rename it`},
		{"a label key that becomes a name Prometheus reserves", openSLO("  labels: {\"--x\": y}\n", ""),
			`metadata.labels.--x: "--x" would be the label __x, and names starting with __ are Prometheus's own`},
		{"two label keys that become the same name", openSLO("  labels: {a.b: x, a-b: y}\n", ""),
			`"a-b" and "a.b" would both be the label a_b; rename one`},
		{"a label value that is a mapping", openSLO("  labels: {team: {a: b}}\n", ""),
			"metadata.labels.team: a label value is a string or a list of strings"},
		{"an unknown headroom annotation", openSLO("  annotations: {headroom/absent: \"true\"}\n", ""),
			`slo.yaml:5:17: metadata.annotations.headroom/absent: unknown headroom annotation`},
		{"a budget-alert annotation that is not a boolean", openSLO("  annotations: {headroom/budget-alert: \"off\"}\n", ""),
			`metadata.annotations.headroom/budget-alert: want "true" or "false", got "off"`},
		{"connectionDetails as a list of scalars", "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: p}\nspec:\n  type: Prometheus\n  connectionDetails: [url]\n",
			"slo.yaml:6:3: spec.connectionDetails[0]: want a mapping such as {url: http://prometheus:9090}"},
		{"connectionDetails as a scalar", "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: p}\nspec:\n  type: Prometheus\n  connectionDetails: http://p\n",
			"spec.connectionDetails: want a mapping (url: …) or a list of mappings"},
		{"a key given twice in a connectionDetails list", "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: p}\nspec:\n  type: Prometheus\n  connectionDetails: [{url: a}, {url: b}]\n",
			"spec.connectionDetails[1]: url is given twice"},
		{"a DataSource named but not given, without a type", strings.Replace(openSLO("", ""), "{type: Prometheus, spec: {query: x_total}}", "{metricSourceRef: elsewhere, spec: {query: x_total}}", 1),
			`metricSourceRef: no DataSource named "elsewhere" in the files read (with no type either, headroom can't tell how to read the query)`},
		{"an empty list", "[]\n", "slo.yaml:1:1: the list holds no object"},
		{"a list in a list", "- - apiVersion: openslo/v1\n", "slo.yaml:1:3: want an object (apiVersion, kind, …) here, got a list"},
	})
}
