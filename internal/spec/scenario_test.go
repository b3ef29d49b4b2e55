package spec_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/internal/spec"
)

// scenarioFiles serves the files a scenario names, from memory.
func scenarioFiles(files map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("open %s: no such file", name)
	}
}

func decodeScenario(src string, files map[string]string, check spec.TemplateCheck) (*spec.Scenario, error) {
	docs, err := spec.Parse("scenario.yaml", []byte(src))
	if err != nil {
		return nil, err
	}
	docs[0].Load = scenarioFiles(files)
	return spec.DecodeScenario(docs[0], check)
}

func TestScenarioDecodes(t *testing.T) {
	src := `apiVersion: headroom/v1
kind: Scenario
metadata: {name: checkout}
spec:
  shape: constant:rate=100,for=1m
  arrivals: poisson
  seed: 9
  timeout: 5s
  maxInFlight: 500
  thresholds: ["p99<300ms", "errors<1%"]
  headers: {Authorization: Bearer x}
  targets:
    - name: quote
      url: http://127.0.0.1:8080/quote?id={{csv.id}}
      weight: 3
      data: ids.csv
    - name: pay
      method: POST
      url: http://127.0.0.1:8080/pay
      bodyFile: pay.json
`
	sc, err := decodeScenario(src, map[string]string{"ids.csv": "id,name\n1,a\n2,b\n", "pay.json": `{"x":1}`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Spec
	if sc.Metadata.Name != "checkout" || s.Shape.String() != "constant:rate=100,for=1m" || s.Arrivals != "poisson" ||
		s.Seed != 9 || s.Timeout.Seconds() != 5 || s.MaxInFlight != 500 || len(s.Thresholds) != 2 || s.Thresholds[1].String() != "errors<1%" {
		t.Errorf("spec = %+v", s)
	}
	q, p := s.Targets[0], s.Targets[1]
	if q.Weight != 3 || len(q.Rows) != 2 || q.Columns[1] != "name" || string(p.BodyBytes) != `{"x":1}` || p.Method != "POST" {
		t.Errorf("targets = %+v, %+v", q, p)
	}
}

func TestScenarioProblemsArePositioned(t *testing.T) {
	src := `apiVersion: headroom/v2
kind: Scenario
spec:
  shape: constant:rate=-5,for=1m
  arrivals: bursty
  thresholds: ["p99<300"]
  maxInFlight: -1
  targets:
    - name: a
      url: http://h/{{nope}}
      body: x
      bodyFile: b.json
    - name: a
      url: http://h/
      data: missing.csv
      wieght: 2
`
	check := func(s string, cols []string) error {
		if strings.Contains(s, "{{nope}}") {
			return fmt.Errorf("unknown template")
		}
		return nil
	}
	_, err := decodeScenario(src, map[string]string{"b.json": "{}"}, check)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"scenario.yaml:1:1: apiVersion: want headroom/v1",
		"scenario.yaml:4:3: spec.shape: constant: rate",
		"scenario.yaml:5:3: spec.arrivals: want uniform or poisson",
		"scenario.yaml:6:16: spec.thresholds[0]: threshold \"p99<300\": latency \"300\" has no unit",
		"scenario.yaml:7:3: spec.maxInFlight: must be 0",
		"scenario.yaml:10:7: spec.targets[0].url: unknown template",
		"scenario.yaml:12:7: spec.targets[0].bodyFile: give body or bodyFile",
		"scenario.yaml:13:7: spec.targets[1].name: target name \"a\" is used twice",
		"scenario.yaml:15:7: spec.targets[1].data: open missing.csv",
		"scenario.yaml:16:7: spec.targets[1].wieght: unknown field",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

func TestParseCSVTable(t *testing.T) {
	cols, rows, err := spec.ParseCSVTable("d.csv", []byte("id, name\n1, \"a, b\"\n2,c\n"))
	if err != nil || len(cols) != 2 || cols[1] != "name" || len(rows) != 2 || rows[0][1] != "a, b" {
		t.Errorf("ParseCSVTable = %v, %v, %v", cols, rows, err)
	}
	for _, bad := range []string{"", "id\n", "a,b\n1\n"} {
		if _, _, err := spec.ParseCSVTable("d.csv", []byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "d.csv") {
			t.Errorf("ParseCSVTable(%q) error = %v; want one naming d.csv", bad, err)
		}
	}
}

// FuzzScenario checks that no input makes the scenario decoder panic.
func FuzzScenario(f *testing.F) {
	f.Add("apiVersion: headroom/v1\nkind: Scenario\nspec:\n  shape: constant:rate=1,for=1s\n  targets:\n    - url: http://h/\n      data: d.csv\n")
	f.Add("spec: {targets: [{url: 1, weight: -1, bodyFile: x}], thresholds: [p99<1s, 3]}")
	f.Add("spec:\n  shape: {kind: spike, base: 1}\n  targets: []\n")
	f.Fuzz(func(t *testing.T, src string) {
		docs, err := spec.Parse("f.yaml", []byte(src))
		if err != nil {
			return
		}
		docs[0].Load = scenarioFiles(map[string]string{"d.csv": "a\n1\n", "x": "body"})
		_, _ = spec.DecodeScenario(docs[0], nil)
	})
}
