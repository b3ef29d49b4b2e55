package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/importer"
	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/report"
)

func importFiles(t *testing.T) pipeline.MapFiles {
	t.Helper()
	snap, err := os.ReadFile(filepath.Join("..", "internal", "kube", "testdata", "import.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	profile, err := os.ReadFile(filepath.Join("..", "internal", "spec", "testdata", "system", "app.capacity.json"))
	if err != nil {
		t.Fatal(err)
	}
	return pipeline.MapFiles{"cluster.yaml": snap, "profiles/web.capacity.json": profile}
}

// An import from a snapshot, with a capacity profile for web, simulates
// as written: headroom sim reads it back (relative paths and all), and
// every scenario runs.
func TestImportSimulates(t *testing.T) {
	files := importFiles(t)
	res, err := pipeline.Import(context.Background(), files, pipeline.ImportConfig{Snapshot: "cluster.yaml", Namespace: "shop", CapacityDir: "profiles", Out: "out/system.yaml",
		Options: importer.Options{Entry: "web"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != "shop" || len(res.Scenarios) != 1 || res.ReplayPath != "" {
		t.Errorf("name %q, scenarios %v, replay %q; want shop, one synthetic spike and no replay without history", res.Name, res.Scenarios, res.ReplayPath)
	}
	if !strings.Contains(string(res.YAML), "profile: ../profiles/web.capacity.json # from the capacity profile") {
		t.Errorf("web's capacity is not the profile, relative to the System file:\n%s", res.YAML)
	}
	files["out/system.yaml"] = res.YAML
	sim, err := pipeline.Simulate(context.Background(), files, pipeline.SimulateConfig{System: pipeline.SystemConfig{File: "out/system.yaml"}})
	if err != nil {
		t.Fatalf("headroom sim on the imported file: %v", err)
	}
	if len(sim.Scenarios) != 1 {
		t.Fatalf("%d scenarios simulated; want 1", len(sim.Scenarios))
	}
	for _, c := range sim.File.File.System.Components {
		if c.Replicas < 1 {
			t.Errorf("%s starts at %d replicas; nothing live is scaled to zero", c.Name, c.Replicas)
		}
	}
	// The summary agrees with the file: every unknown value is listed.
	doc := res.Document("headroom import")
	var rows int
	for _, tb := range doc.Sections[0].Tables {
		if tb.Title == "Values to check" {
			for _, r := range tb.Rows {
				if r[0] == string(importer.Unknown) {
					rows++
				}
			}
		}
	}
	if rows != res.Count(importer.Unknown) || rows != strings.Count(string(res.YAML), "# unknown:") {
		t.Errorf("%d unknown rows in the summary, %d unknown items, %d unknown comments in the file; want them equal", rows, res.Count(importer.Unknown), strings.Count(string(res.YAML), "# unknown:"))
	}
	if doc.Sections[0].Verdict == nil || doc.Sections[0].Verdict.Status != report.Warn {
		t.Errorf("verdict %+v; want a warning: values are unknown", doc.Sections[0].Verdict)
	}
}

func TestImportInputErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files pipeline.MapFiles
		cfg   pipeline.ImportConfig
		want  string
	}{
		{"no cluster", nil, pipeline.ImportConfig{Out: "system.yaml"}, "no cluster"},
		{"a missing snapshot", pipeline.MapFiles{}, pipeline.ImportConfig{Snapshot: "cluster.yaml", Out: "system.yaml"}, "cluster.yaml"},
		{"not a snapshot", pipeline.MapFiles{"cluster.yaml": []byte("a: [")}, pipeline.ImportConfig{Snapshot: "cluster.yaml", Out: "system.yaml"}, "invalid YAML"},
		{"a namespace without workloads", importFiles(t), pipeline.ImportConfig{Snapshot: "cluster.yaml", Namespace: "empty", Out: "system.yaml"}, "no Deployment or StatefulSet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pipeline.Import(context.Background(), tc.files, tc.cfg)
			if !pipeline.IsInputError(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Import = %v; want an input error saying %q", err, tc.want)
			}
		})
	}
}

func TestTrafficInputErrors(t *testing.T) {
	at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		cfg  pipeline.TrafficConfig
		want string
	}{
		{"no Prometheus", pipeline.TrafficConfig{Query: "up", From: at, To: at.Add(time.Hour)}, "no Prometheus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pipeline.Traffic(context.Background(), tc.cfg)
			if !pipeline.IsInputError(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Traffic = %v; want an input error saying %q", err, tc.want)
			}
		})
	}
}

// The cluster read through the API (kube.Read and kube.ReadEvents, tested
// against client-go's fake clientset in internal/kube) gives the same
// System as its snapshot; only the source named differs.
func TestImportFromTheAPIMatchesTheSnapshot(t *testing.T) {
	files := importFiles(t)
	fromSnap, err := pipeline.Import(context.Background(), files, pipeline.ImportConfig{Snapshot: "cluster.yaml", Namespace: "shop", Out: "system.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kube.ReadSnapshot("cluster.yaml", files["cluster.yaml"])
	if err != nil {
		t.Fatal(err)
	}
	var asked string
	fromAPI, err := pipeline.Import(context.Background(), files, pipeline.ImportConfig{Context: "prod", Namespace: "shop", Out: "system.yaml",
		API: func(_ context.Context, ns string) (*kube.Objects, error) { asked = ns; return objs, nil }})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Replace(string(fromAPI.YAML), "context prod", "snapshot cluster.yaml", 1)
	if asked != "shop" || got != string(fromSnap.YAML) {
		t.Errorf("namespace asked %q; the API's System differs from the snapshot's:\n%s\n---\n%s", asked, fromAPI.YAML, fromSnap.YAML)
	}
	if _, err := pipeline.Import(context.Background(), files, pipeline.ImportConfig{Context: "prod", Out: "system.yaml",
		API: func(context.Context, string) (*kube.Objects, error) { return nil, errors.New("forbidden") }}); err == nil || pipeline.IsInputError(err) || !strings.Contains(err.Error(), "context prod") {
		t.Errorf("an API that fails: %v; want a runtime error naming the context", err)
	}
}

func TestImportCapacityProfiles(t *testing.T) {
	base := importFiles(t)
	measured := base["profiles/web.capacity.json"]
	lower := []byte(strings.Replace(string(measured), `"limited_by": "latency"`, `"limited_by": "generator"`, 1))
	for _, tc := range []struct {
		name    string
		profile []byte
		file    string
		want    string // in the System file; "" for an input error
	}{
		{"a measured profile", measured, "profiles/web.capacity.json", "profile: ../profiles/web.capacity.json"},
		{"a profile named like the workload, in YAML", []byte("max_rate: 80\nlimited_by: latency\nslo: p99<=300ms\npoints:\n- {rate: 80, achieved_rate: 80, p50: 0.02, p90: 0.05, p99: 0.1, ok: true}\n"),
			"profiles/web.capacity.yaml", "profile: ../profiles/web.capacity.yaml"},
		{"a lower bound, taken and said to be one", lower, "profiles/web.capacity.json", "acceptLowerBound: true # the profile's max_rate is only a lower bound (limited_by: generator)"},
		{"not a profile", []byte(`{"max_rate": -3}`), "profiles/web.capacity.json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := pipeline.MapFiles{"cluster.yaml": base["cluster.yaml"], tc.file: tc.profile}
			res, err := pipeline.Import(context.Background(), files, pipeline.ImportConfig{Snapshot: "cluster.yaml", Namespace: "shop", CapacityDir: "profiles", Out: "out/system.yaml"})
			if tc.want == "" {
				if !pipeline.IsInputError(err) || !strings.Contains(err.Error(), "web.capacity.json") {
					t.Errorf("Import = %v; want an input error naming the profile", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(res.YAML), tc.want) {
				t.Errorf("the System file lacks %q:\n%s", tc.want, res.YAML)
			}
		})
	}
}
