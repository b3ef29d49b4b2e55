package pipeline_test

import (
	"context"
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
