package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/report"
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

// spikySystem is a web service scaled on CPU meeting a 10× spike in two
// minutes; its pods start in 30 s, 90 s at the 90th percentile.
const spikySystem = `apiVersion: headroom/v1
kind: System
metadata: {name: spiky}
spec:
  entry: web
  components:
    - name: web
      capacity: {perReplicaRPS: 100, cpuPerRequest: 5ms}
      resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 500m}}
      startup: {init: 30s, p90: 90s}
      timeout: 5s
      hpa:
        minReplicas: 2
        maxReplicas: 100
        metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]
        behavior: {scaleUp: {stabilizationWindowSeconds: 0}}
  nodes: {mode: autopilot, buffer: {cpu: 100, memory: 1Ti}}
  pricing: {currency: EUR, vcpuHour: 0.04, gibHour: 0.004, clusterFeeHour: 0.1}
  slo: {availability: 99.9%, window: 30d, maxBudgetBurn: 100%}
  scenarios:
    - {name: tv, traffic: "spike:base=100,peak=%PEAK%,at=2m,rise=2m,hold=10m,decay=5m,for=20m", event: surprise}
`

// The verdict comes as a band: a spike the system survives on average
// but not in the worst timing is called borderline in the result, its
// JSON, and the document as text and HTML.
func TestSimulateShowsTheBandAndSaysBorderline(t *testing.T) {
	var res *pipeline.SimulateResult
	for peak := 300; peak <= 2000 && res == nil; peak += 50 {
		files := pipeline.MapFiles{"spiky.yaml": []byte(strings.Replace(spikySystem, "%PEAK%", strconv.Itoa(peak), 1))}
		r, err := pipeline.Simulate(context.Background(), files, pipeline.SimulateConfig{System: pipeline.SystemConfig{File: "spiky.yaml"}})
		if err != nil {
			t.Fatal(err)
		}
		sc := r.Scenarios[0]
		if sc.Band == nil {
			t.Fatalf("peak %d: no band by default", peak)
		}
		if sc.SLOMet && !sc.Band.Worst.SLOMet {
			res = r
		}
	}
	if res == nil {
		t.Fatal("no spike survives on average and fails in the worst timing")
	}
	sc := res.Scenarios[0]
	if !res.SLOMet || len(res.Borderline()) != 1 || !strings.Contains(res.Borderline()[0], "worst timing") {
		t.Errorf("SLO met %v, borderline %q; want met, and tv borderline for the worst timing", res.SLOMet, res.Borderline())
	}

	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Scenarios []struct {
			SLOMet     bool   `json:"slo_met"`
			Borderline bool   `json:"borderline"`
			Reason     string `json:"borderline_reason"`
			Band       struct {
				Best struct {
					SLOMet       bool    `json:"slo_met"`
					BudgetBurned float64 `json:"budget_burned"`
				} `json:"best"`
				Worst struct {
					SLOMet       bool    `json:"slo_met"`
					BudgetBurned float64 `json:"budget_burned"`
				} `json:"worst"`
			} `json:"band"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(js, &decoded); err != nil {
		t.Fatal(err)
	}
	d := decoded.Scenarios[0]
	if !d.SLOMet || !d.Borderline || d.Reason == "" || !d.Band.Best.SLOMet || d.Band.Worst.SLOMet || d.Band.Worst.BudgetBurned != sc.Band.Worst.BudgetBurned {
		t.Errorf("JSON scenario %+v; want met, borderline with a reason, the best end met and the worst not", d)
	}

	doc := res.Document("headroom sim -f spiky.yaml", false)
	sec := doc.Sections[0]
	if sec.Verdict == nil || sec.Verdict.Status != report.Warn || !strings.HasPrefix(sec.Verdict.Text, "Borderline: survives, but in the worst timing") {
		t.Errorf("verdict %+v; want a warning that says borderline and why", sec.Verdict)
	}
	var band *report.Table
	for i := range sec.Tables {
		if strings.HasPrefix(sec.Tables[i].Title, "Timing band") {
			band = &sec.Tables[i]
		}
	}
	if band == nil || len(band.Rows) != 3 || band.Rows[0][1] != "survives" || band.Rows[2][1] != "does not survive" {
		t.Fatalf("band table %+v; want best, average and worst, the worst not surviving", band)
	}
	if band.Rows[1][2] != report.Percent(sc.BudgetBurned) {
		t.Errorf("the band's average row says %s burned; the result %s: figures must agree", band.Rows[1][2], report.Percent(sc.BudgetBurned))
	}
	var text, html bytes.Buffer
	if err := report.WriteText(&text, doc, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(&html, doc, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "HTML": html.String()} {
		for _, want := range []string{"Borderline: survives", "Timing band", "does not survive", report.Percent(sc.Band.Worst.BudgetBurned)} {
			if !strings.Contains(out, want) {
				t.Errorf("%s output lacks %q", name, want)
			}
		}
	}

	// One run per scenario when asked: no band, the same average case.
	files := pipeline.MapFiles{"spiky.yaml": []byte(strings.Replace(spikySystem, "%PEAK%", strconv.Itoa(peakOf(sc.Traffic)), 1))}
	single, err := pipeline.Simulate(context.Background(), files, pipeline.SimulateConfig{System: pipeline.SystemConfig{File: "spiky.yaml"}, NoBand: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := single.Scenarios[0]; s.Band != nil || s.BudgetBurned != sc.BudgetBurned || s.Failed != sc.Failed {
		t.Errorf("without a band: band %v, burned %v, failed %v; want none, and %v, %v as with one", s.Band, s.BudgetBurned, s.Failed, sc.BudgetBurned, sc.Failed)
	}
}

// peakOf reads the peak of a spike shape's one-line form.
func peakOf(shape string) int {
	_, rest, _ := strings.Cut(shape, "peak=")
	n, _ := strconv.Atoi(strings.SplitN(rest, ",", 2)[0])
	return n
}
