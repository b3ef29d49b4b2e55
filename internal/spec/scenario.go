package spec

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/stats"
)

// ScenarioAPIVersion and ScenarioKind identify a scenario file.
const (
	ScenarioAPIVersion = "headroom/v1"
	ScenarioKind       = "Scenario"
)

// Scenario is a load-test scenario file:
//
//	apiVersion: headroom/v1
//	kind: Scenario
//	metadata:
//	  name: checkout
//	spec:
//	  shape: spike:base=50,peak=1500,at=1m,rise=2m,hold=5m,decay=20m
//	  arrivals: poisson
//	  timeout: 5s
//	  maxInFlight: 2000
//	  thresholds: ["p99<300ms", "errors<1%"]
//	  headers: {Authorization: Bearer t0k3n}
//	  targets:
//	    - name: quote
//	      url: http://127.0.0.1:8080/quote?account={{csv.account_id}}
//	      weight: 3
//	      data: accounts.csv
//	    - name: pay
//	      method: POST
//	      url: http://127.0.0.1:8080/pay
//	      headers: {Content-Type: application/json}
//	      bodyFile: pay.json
//	      weight: 1
//
// Files (bodyFile, data, a replay shape's CSV) are read through the
// document's Load, relative to the scenario file.
type Scenario struct {
	APIVersion string           `yaml:"apiVersion" spec:"required"`
	Kind       string           `yaml:"kind" spec:"required"`
	Metadata   ScenarioMetadata `yaml:"metadata"`
	Spec       ScenarioSpec     `yaml:"spec" spec:"required"`
}

// ScenarioMetadata names a scenario.
type ScenarioMetadata struct {
	Name string `yaml:"name"`
}

// ScenarioSpec is what a scenario sends.
type ScenarioSpec struct {
	// Shape is the arrival rate over time; without one, headroom load
	// uses its --shape (and headroom capacity needs none).
	Shape Shape `yaml:"shape"`
	// Arrivals is uniform (default) or poisson.
	Arrivals string `yaml:"arrivals"`
	// Seed seeds Poisson arrivals and {{rand}} templates.
	Seed uint64 `yaml:"seed"`
	// Timeout bounds each request (0: the load engine's default).
	Timeout time.Duration `yaml:"timeout"`
	// MaxInFlight caps requests in flight (0: no cap).
	MaxInFlight int `yaml:"maxInFlight"`
	// Thresholds fail the run (exit 3) when broken.
	Thresholds []stats.Threshold `yaml:"thresholds"`
	// Headers are sent with every target's requests.
	Headers map[string]string `yaml:"headers"`
	// Targets share the arrivals by weight.
	Targets []ScenarioTarget `yaml:"targets" spec:"required"`
}

// ScenarioTarget is one endpoint of a scenario.
type ScenarioTarget struct {
	Name     string            `yaml:"name"`
	Method   string            `yaml:"method"`
	URL      string            `yaml:"url" spec:"required"`
	Headers  map[string]string `yaml:"headers"`
	Body     string            `yaml:"body"`
	BodyFile string            `yaml:"bodyFile"`
	Weight   float64           `yaml:"weight"`
	// Data is a CSV file with a header row, for {{csv.COLUMN}} templates.
	Data string `yaml:"data"`

	// Filled by DecodeScenario from BodyFile and Data.
	BodyBytes []byte     `yaml:"-"`
	Columns   []string   `yaml:"-"`
	Rows      [][]string `yaml:"-"`
}

// TemplateCheck validates a templated string given the data's columns; the
// CLI passes the load engine's checker so template mistakes are positioned.
type TemplateCheck func(s string, columns []string) error

// DecodeScenario decodes and checks a scenario document, reading the files
// it names. check, when not nil, validates templates in URLs, headers and
// bodies. All problems are reported at once, positioned.
func DecodeScenario(d *Document, check TemplateCheck) (*Scenario, error) {
	var s Scenario
	d.Decode(&s)
	if s.APIVersion != "" && s.APIVersion != ScenarioAPIVersion {
		d.Errorf("apiVersion", "want %s, got %q", ScenarioAPIVersion, s.APIVersion)
	}
	if s.Kind != "" && s.Kind != ScenarioKind {
		d.Errorf("kind", "want %s, got %q", ScenarioKind, s.Kind)
	}
	sp := &s.Spec
	switch strings.ToLower(sp.Arrivals) {
	case "", "uniform", "poisson":
	default:
		d.Errorf("spec.arrivals", "want uniform or poisson, got %q", sp.Arrivals)
	}
	if sp.Timeout < 0 {
		d.Errorf("spec.timeout", "must be positive")
	}
	if sp.MaxInFlight < 0 {
		d.Errorf("spec.maxInFlight", "must be 0 (no cap) or more")
	}
	if d.Field("spec") != nil && mapValue(d.Field("spec"), "targets") != nil && len(sp.Targets) == 0 {
		d.Errorf("spec.targets", "needs at least one target")
	}
	names := map[string]bool{}
	for i := range sp.Targets {
		t := &sp.Targets[i]
		path := fmt.Sprintf("spec.targets[%d]", i)
		if t.Name != "" {
			if names[t.Name] {
				d.Errorf(path+".name", "target name %q is used twice", t.Name)
			}
			names[t.Name] = true
		}
		if t.Weight < 0 {
			d.Errorf(path+".weight", "must be positive")
		}
		if t.Body != "" && t.BodyFile != "" {
			d.Errorf(path+".bodyFile", "give body or bodyFile, not both")
		}
		if t.BodyFile != "" {
			if data, err := d.read(t.BodyFile); err != nil {
				d.Errorf(path+".bodyFile", "%v", err)
			} else {
				t.BodyBytes = data
			}
		} else {
			t.BodyBytes = []byte(t.Body)
		}
		if t.Data != "" {
			if data, err := d.read(t.Data); err != nil {
				d.Errorf(path+".data", "%v", err)
			} else if cols, rows, err := ParseCSVTable(t.Data, data); err != nil {
				d.Errorf(path+".data", "%v", err)
			} else {
				t.Columns, t.Rows = cols, rows
			}
		}
		if check == nil {
			continue
		}
		if err := check(t.URL, t.Columns); err != nil {
			d.Errorf(path+".url", "%v", err)
		}
		if err := check(string(t.BodyBytes), t.Columns); err != nil {
			d.Errorf(path+".body", "%v", err)
		}
		for k, v := range t.Headers {
			if err := check(v, t.Columns); err != nil {
				d.Errorf(path+".headers."+k, "%v", err)
			}
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return &s, nil
}

// read reads a file the document names.
func (d *Document) read(name string) ([]byte, error) {
	if d.Load == nil {
		return nil, fmt.Errorf("cannot read %q here", name)
	}
	return d.Load(name)
}

// ParseCSVTable reads a CSV file whose first row names the columns. name is
// used in messages.
func ParseCSVTable(name string, data []byte) (columns []string, rows [][]string, err error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 0
	r.TrimLeadingSpace = true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", name, err)
		}
		if columns == nil {
			columns = rec
			continue
		}
		rows = append(rows, rec)
	}
	if len(columns) == 0 {
		return nil, nil, fmt.Errorf("%s: empty; want a header row naming the columns, then rows", name)
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("%s: no rows after the header", name)
	}
	return columns, rows, nil
}
