package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/pipeline"
)

// quietSystem saturates before its CPU reaches the HPA's target.
const quietSystem = `apiVersion: headroom/v1
kind: System
metadata: {name: quiet}
spec:
  entry: money
  components:
    - name: money
      capacity:
        perReplicaRPS: 50
        cpuPerRequest: 2ms
        latency: [{rate: 10, p50: 10ms, p90: 20ms, p99: 40ms}, {rate: 50, p50: 20ms, p90: 50ms, p99: 120ms}]
      resources: {requests: {cpu: 250m, memory: 256Mi}}
      startup: 30s
      timeout: 5s
      hpa:
        minReplicas: 3
        maxReplicas: 20
        metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
  nodes: {mode: autopilot}
%PRICING%
  slo: {availability: 99.9%, window: 30d}
  scenarios:
    - {name: calm, traffic: "constant:rate=60,for=10m", duration: 10m}
    - {name: spike, traffic: "spike:base=60,peak=300,at=5m,rise=1m,hold=10m,decay=5m", duration: 30m}
`

func quietFiles(pricing string) pipeline.MapFiles {
	return pipeline.MapFiles{"sys/quiet.yaml": []byte(strings.Replace(quietSystem, "%PRICING%", pricing, 1))}
}

const ownPrices = "  pricing: {currency: EUR, vcpuHour: 0.04, gibHour: 0.004, clusterFeeHour: 0.1}"

func TestSimulate(t *testing.T) {
	cases := []struct {
		name      string
		files     pipeline.MapFiles
		cfg       pipeline.SimulateConfig
		scenarios []string
		met       bool
		currency  string
		note      string
	}{
		{"every scenario, own prices", quietFiles(ownPrices), pipeline.SimulateConfig{}, []string{"calm", "spike"}, false, "EUR", ""},
		{"one scenario, catalog prices", quietFiles(""), pipeline.SimulateConfig{Scenarios: []string{"calm"}}, []string{"calm"}, true, "USD",
			"prices from the catalog: Autopilot"},
		{"a region overrides own prices", quietFiles(ownPrices), pipeline.SimulateConfig{Scenarios: []string{"all"},
			System: pipeline.SystemConfig{Prices: pipeline.PriceConfig{Region: "us-central1"}}}, []string{"calm", "spike"}, false, "USD",
			"spec.pricing is ignored"},
		{"yen", quietFiles(""), pipeline.SimulateConfig{Scenarios: []string{"calm"},
			System: pipeline.SystemConfig{Prices: pipeline.PriceConfig{Currency: "JPY", Rate: 150}}}, []string{"calm"}, true, "JPY", "amounts in JPY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.System.File = "sys/quiet.yaml"
			res, err := pipeline.Simulate(context.Background(), tc.files, tc.cfg)
			if err != nil {
				t.Fatalf("Simulate: %v", err)
			}
			var got []string
			for _, r := range res.Scenarios {
				got = append(got, r.Scenario)
				if r.Cost.Currency != tc.currency {
					t.Errorf("scenario %s costs in %q; want %q", r.Scenario, r.Cost.Currency, tc.currency)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.scenarios, ",") || res.SLOMet != tc.met {
				t.Errorf("Simulate = %v, slo met %v; want %v, %v", got, res.SLOMet, tc.scenarios, tc.met)
			}
			if notes := strings.Join(res.Notes(), "\n"); !strings.Contains(notes, tc.note) {
				t.Errorf("notes = %q; want %q", notes, tc.note)
			}
			if len(res.Missed()) == 0 == !tc.met {
				t.Errorf("Missed() = %v with slo met %v", res.Missed(), tc.met)
			}
		})
	}
}

func TestSimulateBadInput(t *testing.T) {
	cases := []struct {
		name  string
		files pipeline.MapFiles
		cfg   pipeline.SimulateConfig
		want  string
	}{
		{"no such file", pipeline.MapFiles{}, pipeline.SimulateConfig{}, "sys/quiet.yaml"},
		{"not a system", pipeline.MapFiles{"sys/quiet.yaml": []byte("kind: Other\n")}, pipeline.SimulateConfig{}, "no document with kind: System"},
		{"an unknown scenario", quietFiles(""), pipeline.SimulateConfig{Scenarios: []string{"nope"}}, `no scenario "nope"`},
		{"a standard mode without a pool", quietFiles(""), pipeline.SimulateConfig{System: pipeline.SystemConfig{Prices: pipeline.PriceConfig{Mode: "standard"}}},
			"needs a node pool"},
		{"an unknown mode", quietFiles(""), pipeline.SimulateConfig{System: pipeline.SystemConfig{Prices: pipeline.PriceConfig{Mode: "serverless"}}}, "serverless"},
		{"yen without a rate", quietFiles(""), pipeline.SimulateConfig{System: pipeline.SystemConfig{Prices: pipeline.PriceConfig{Currency: "JPY"}}}, "JPY"},
		{"own euros in yen", quietFiles(ownPrices), pipeline.SimulateConfig{System: pipeline.SystemConfig{Prices: pipeline.PriceConfig{Currency: "JPY", Rate: 150}}},
			"converts from USD only"},
		{"a missing price file", quietFiles(""), pipeline.SimulateConfig{System: pipeline.SystemConfig{Prices: pipeline.PriceConfig{Catalog: "prices.yaml"}}}, "prices.yaml"},
		{"a bad price file", pipeline.MapFiles{"sys/quiet.yaml": quietFiles("")["sys/quiet.yaml"], "prices.yaml": []byte("regions: 3\n")},
			pipeline.SimulateConfig{System: pipeline.SystemConfig{Prices: pipeline.PriceConfig{Catalog: "prices.yaml"}}}, "prices.yaml:1"},
		{"a negative resolution", quietFiles(""), pipeline.SimulateConfig{Resolution: -1}, "resolution"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.System.File = "sys/quiet.yaml"
			_, err := pipeline.Simulate(context.Background(), tc.files, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !pipeline.IsInputError(err) {
				t.Errorf("Simulate = %v; want an input error saying %q", err, tc.want)
			}
		})
	}
}

// The document of a simulation shows the diagnosis, with goodput green
// and failures red.
func TestSimulateDocument(t *testing.T) {
	res, err := pipeline.Simulate(context.Background(), quietFiles(""), pipeline.SimulateConfig{Scenarios: []string{"spike"}, TimelineStep: 60e9,
		System: pipeline.SystemConfig{File: "sys/quiet.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	doc := res.Document("headroom sim -f sys/quiet.yaml --scenario spike", false)
	if len(doc.Sections) != 2 || !strings.Contains(doc.Subtitle, "headroom sim -f sys/quiet.yaml") {
		t.Fatalf("document has %d sections, subtitle %q; want the scenario and the notes, and the command", len(doc.Sections), doc.Subtitle)
	}
	sec := doc.Sections[0]
	if notes := strings.Join(sec.Notes, "\n"); !strings.Contains(notes, "money was saturated for") || !strings.Contains(notes, "never asked for more replicas") {
		t.Errorf("section notes = %q; want the diagnosis", notes)
	}
	colours := map[string]string{}
	for _, c := range sec.Charts {
		for _, s := range c.Series {
			colours[s.Name] = s.Color
		}
	}
	if colours["goodput"] != "#16a34a" || colours["failed"] != "#dc2626" {
		t.Errorf("goodput %q, failed %q; want green and red", colours["goodput"], colours["failed"])
	}
}

// The files a System file names are read relative to it, through the
// same Files.
func TestReadSystemReadsNamedFilesBesideIt(t *testing.T) {
	files := pipeline.MapFiles{}
	for _, name := range []string{"shop.yaml", "app.capacity.json", "evening.csv"} {
		data, err := os.ReadFile(filepath.Join("..", "internal", "spec", "testdata", "system", name))
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Join("deep", "dir", name)] = data
	}
	sys, err := pipeline.ReadSystem(files, pipeline.SystemConfig{File: filepath.Join("deep", "dir", "shop.yaml")})
	if err != nil {
		t.Fatalf("ReadSystem: %v", err)
	}
	if got := strings.Join(sys.File.ScenarioNames(), ","); got != "step,tv-spike,black-friday" || sys.Name() != "shop" {
		t.Errorf("ReadSystem = %s with %s; want shop with step,tv-spike,black-friday", sys.Name(), got)
	}
	delete(files, filepath.Join("deep", "dir", "app.capacity.json"))
	if _, err := pipeline.ReadSystem(files, pipeline.SystemConfig{File: filepath.Join("deep", "dir", "shop.yaml")}); err == nil ||
		!strings.Contains(err.Error(), "app.capacity.json") || !pipeline.IsInputError(err) {
		t.Errorf("ReadSystem without the profile = %v; want an input error naming it", err)
	}
}
