package pipeline_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/plan"
)

func launchFiles(t *testing.T) pipeline.MapFiles {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "internal", "cli", "testdata", "plan", "launch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return pipeline.MapFiles{"sys/launch.yaml": data}
}

// A plan meets the SLO where today's configuration does not, with the
// files to write: the recommended System file first, then manifests.
func TestPlan(t *testing.T) {
	cfg := pipeline.PlanConfig{System: pipeline.SystemConfig{File: "sys/launch.yaml"}, PerMonth: map[string]float64{"launch": 2},
		Options: plan.Options{NoPareto: true}, OutDir: "sys/out"}
	res, err := pipeline.Plan(context.Background(), launchFiles(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Current.SLOMet || res.Recommended == nil || !res.Recommended.SLOMet {
		t.Fatalf("plan: today met %v, recommended %+v; want a recommendation that meets the SLO where today misses it", res.Current.SLOMet, res.Recommended)
	}
	if got := res.Recommended.Scenarios[0].PerMonth; got != 2 {
		t.Errorf("launch happens %g times a month; want 2", got)
	}
	if len(res.Outputs) != 1+len(res.Manifests) || res.Outputs[0].Name != "launch.recommended.yaml" {
		t.Fatalf("outputs %d (first %q), manifests %d; want the System file, then every manifest", len(res.Outputs), res.Outputs[0].Name, len(res.Manifests))
	}
	if notes := strings.Join(res.Notes, "\n"); !strings.Contains(notes, "prices from the catalog") {
		t.Errorf("notes = %q; want where the prices came from", notes)
	}
	doc := res.Document("headroom plan -f sys/launch.yaml --per-month launch=2", []string{"sys/out/launch.recommended.yaml"})
	if !strings.Contains(doc.Subtitle, "headroom plan -f sys/launch.yaml --per-month launch=2") || len(doc.Sections) != 2 {
		t.Errorf("document subtitle %q, %d sections; want the command and the files written", doc.Subtitle, len(doc.Sections))
	}
}

func TestPlanBadInput(t *testing.T) {
	cases := []struct {
		name string
		cfg  pipeline.PlanConfig
		want string
	}{
		{"an unknown scenario", pipeline.PlanConfig{Scenarios: []string{"nope"}}, `no scenario "nope"`},
		{"a frequency for nothing", pipeline.PlanConfig{PerMonth: map[string]float64{"nope": 1}}, `per month: no scenario "nope"`},
		{"a negative frequency", pipeline.PlanConfig{PerMonth: map[string]float64{"": -1}}, "want a number ≥ 0"},
		{"an unannounced nothing", pipeline.PlanConfig{Unannounced: []string{"nope"}}, `unannounced: no scenario "nope"`},
		{"events filling the month", pipeline.PlanConfig{PerMonth: map[string]float64{"": 10000}}, "more than a month"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.System.File = "sys/launch.yaml"
			tc.cfg.Options.NoPareto = true
			_, err := pipeline.Plan(context.Background(), launchFiles(t), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !pipeline.IsInputError(err) {
				t.Errorf("Plan = %v; want an input error saying %q", err, tc.want)
			}
		})
	}
}

// surgeSystem is a fast-starting web service on a Standard pool of
// n2-standard-4 nodes, hit by a surprise surge that new nodes come too
// late for, with a standby CapacityBuffer of one pod today.
const surgeSystem = `apiVersion: headroom/v1
kind: System
metadata:
  name: surge
spec:
  entry: web
  components:
    - name: web
      capacity: {perReplicaRPS: 100, cpuPerRequest: 5ms}
      resources:
        requests: {cpu: 500m, memory: 512Mi}
        limits: {cpu: "1"}
      startup: {schedule: 1s, imagePull: 4s, init: 5s, readiness: 5s}
      timeout: 5s
      hpa:
        minReplicas: 2
        maxReplicas: 40
        metrics:
          - type: Resource
            resource:
              name: cpu
              target: {type: Utilization, averageUtilization: 60}
  nodes:
    mode: standard
    machineType: n2-standard-4
    minNodes: 1
    maxNodes: 20
    capacityBuffer:
      provisioningStrategy: standby
      replicas: 1
      podTemplate: {cpu: 500m, memory: 512Mi}
  slo:
    availability: 99.9%
  scenarios:
    - name: surge
      event: surprise
      traffic: spike:base=100,peak=800,at=2m,rise=30s,hold=10m,decay=5m,for=20m
`

// standbyPrices is a team's price file with the standby figures the
// shipped catalog lacks.
const standbyPrices = `standby:
  memory_state: {usd: 0.0001, source: "team rate sheet", date: "2026-11-01"}
  boot_disk: {usd: 0.0055, source: "team rate sheet", date: "2026-11-01"}
regions: {}
`

func TestPlanPricesStandbyBuffersOnlyWhenKnown(t *testing.T) {
	files := pipeline.MapFiles{"surge.yaml": []byte(surgeSystem), "prices.yaml": []byte(standbyPrices)}
	cfg := pipeline.PlanConfig{System: pipeline.SystemConfig{File: "surge.yaml"}, Options: plan.Options{NoPareto: true}}

	unknown, err := pipeline.Plan(context.Background(), files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(unknown.Notes, "\n")
	for _, want := range []string{"standby CapacityBuffers were not searched", "today's cost leaves out its standby CapacityBuffer"} {
		if !strings.Contains(notes, want) {
			t.Errorf("plan without a standby price: notes %q; want %q", notes, want)
		}
	}
	if rec := unknown.Recommended; rec != nil && rec.Config.Buffer.Kind == "standby" {
		t.Errorf("a standby buffer of unknown price was recommended: %s", rec.Config.Buffer)
	}

	cfg.System.Prices.Catalog = "prices.yaml"
	cfg.OutDir = "out"
	known, err := pipeline.Plan(context.Background(), files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	notes = strings.Join(known.Notes, "\n")
	if !strings.Contains(notes, "a suspended n2-standard-4 node of a standby CapacityBuffer at") || !strings.Contains(notes, "team rate sheet") {
		t.Errorf("plan with a standby price: notes %q; want the price with its source", notes)
	}
	if strings.Contains(notes, "not searched") {
		t.Errorf("plan with a standby price: notes %q; want standby buffers searched", notes)
	}
	rec := known.Recommended
	if rec == nil || !rec.SLOMet {
		t.Fatalf("no recommendation that meets the SLO: %+v", rec)
	}
	if b := rec.Config.Buffer; b.Kind == "standby" {
		var found bool
		for _, m := range known.Manifests {
			found = found || (m.File == "capacitybuffer.yaml" && strings.Contains(m.YAML, "buffer.gke.io/standby-capacity"))
		}
		if !found {
			t.Errorf("a standby recommendation without its CapacityBuffer manifest: %+v", known.Manifests)
		}
	}
	// The recommended System file holds the recommended buffer, as the
	// simulator reads it.
	back, err := pipeline.ReadSystem(pipeline.MapFiles{"out/surge.recommended.yaml": known.Outputs[0].Data},
		pipeline.SystemConfig{File: "out/surge.recommended.yaml"})
	if err != nil {
		t.Fatalf("the recommended System file does not read back: %v\n%s", err, known.Outputs[0].Data)
	}
	cb, b := back.File.System.Nodes.CapacityBuffer, rec.Config.Buffer
	switch {
	case b.CapacityBuffer() && (cb.Strategy.String() != b.Kind || cb.Replicas != b.Count || cb.CPU != b.CPU || cb.Memory != b.Memory):
		t.Errorf("recommended %s; the file reads back %s", b, cb)
	case !b.CapacityBuffer() && !cb.IsZero():
		t.Errorf("recommended %s; the file still holds %s", b, cb)
	}
	// Today's standby buffer is priced too: today's bill grows by its
	// suspended node, never shrinks.
	if known.Current.MonthlyCost < unknown.Current.MonthlyCost {
		t.Errorf("today's monthly cost with the standby price %v < %v without", known.Current.MonthlyCost, unknown.Current.MonthlyCost)
	}
}

// A simulation prices the standby buffer's suspended nodes when a price
// file gives their rate, in the display currency; without one their cost
// is unknown and said so; and the Autopilot mode drops the buffer, saying
// why.
func TestSimulatePricesStandbyBuffersFromTheCatalog(t *testing.T) {
	files := pipeline.MapFiles{"surge.yaml": []byte(surgeSystem), "prices.yaml": []byte(standbyPrices)}
	read := func(prices pipeline.PriceConfig) *pipeline.System {
		t.Helper()
		sys, err := pipeline.ReadSystem(files, pipeline.SystemConfig{File: "surge.yaml", Prices: prices})
		if err != nil {
			t.Fatal(err)
		}
		return sys
	}
	unknown := read(pipeline.PriceConfig{Region: "us-central1"})
	if h := unknown.File.System.Nodes.CapacityBuffer.StandbyNodeHour; h != 0 || !strings.Contains(strings.Join(unknown.PriceNotes, "\n"), "standby buffer not priced") {
		t.Errorf("no standby price: %g an hour, notes %q; want 0 (unknown) and a note", h, unknown.PriceNotes)
	}
	usd := read(pipeline.PriceConfig{Catalog: "prices.yaml"})
	// n2-standard-4 has 16 GiB: 16 × 0.0001 + 0.0055 an hour.
	if h := usd.File.System.Nodes.CapacityBuffer.StandbyNodeHour; math.Abs(h-0.0071) > 1e-9 || !strings.Contains(strings.Join(usd.PriceNotes, "\n"), "team rate sheet") {
		t.Errorf("standby price %g an hour, notes %q; want 0.0071 with its source", h, usd.PriceNotes)
	}
	jpy := read(pipeline.PriceConfig{Catalog: "prices.yaml", Currency: "JPY", Rate: 150})
	if h := jpy.File.System.Nodes.CapacityBuffer.StandbyNodeHour; math.Abs(h-0.0071*150) > 1e-9 {
		t.Errorf("standby price in JPY %g, want %g", h, 0.0071*150)
	}
	ap := read(pipeline.PriceConfig{Mode: "autopilot"})
	if !ap.File.System.Nodes.CapacityBuffer.IsZero() || !strings.Contains(strings.Join(ap.PriceNotes, "\n"), "capacity buffer is dropped") {
		t.Errorf("mode autopilot kept the buffer (%+v) or did not say so: %q", ap.File.System.Nodes.CapacityBuffer, ap.PriceNotes)
	}
}
