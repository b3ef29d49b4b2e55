package spec_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/sim"
)

// The -update flag (rewrite golden files) is declared in slo_test.go.

func loader(dir string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
}

func readSystem(t *testing.T, name string) (*spec.SystemFile, error) {
	t.Helper()
	dir := filepath.Join("testdata", "system")
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return spec.ParseSystem(name, data, loader(dir))
}

func TestParseSystemShop(t *testing.T) {
	f, err := readSystem(t, "shop.yaml")
	if err != nil {
		t.Fatalf("ParseSystem(shop.yaml): %v", err)
	}
	if f.Name != "shop" || f.System.Entry != "app" || len(f.System.Components) != 2 {
		t.Fatalf("got name %q, entry %q, %d components; want shop, app, 2", f.Name, f.System.Entry, len(f.System.Components))
	}
	app, money := f.System.Components[0], f.System.Components[1]

	// The app's capacity comes from its profile.
	if app.Capacity.PerReplicaRPS != 100 || app.Capacity.CPUPerRequest != 0.006 || len(app.Capacity.Latency) != 5 {
		t.Errorf("app capacity = %+v; want the profile's max_rate 100, 6ms per request and 5 points", app.Capacity)
	}
	if idle := app.Capacity.IdleCPU; idle < 0.005 || idle > 0.02 {
		t.Errorf("app idle CPU = %v; want the intercept of CPU against rate, about 0.01", idle)
	}
	wantRes := sim.Resources{CPURequest: 0.5, CPULimit: 1, MemoryRequest: 512 << 20, MemoryLimit: 1 << 30}
	if app.Resources != wantRes {
		t.Errorf("app resources = %+v; want %+v", app.Resources, wantRes)
	}
	wantStartup := sim.Startup{Schedule: 2 * time.Second, ImagePull: 8 * time.Second, Init: 20 * time.Second, Readiness: 10 * time.Second}
	if app.Startup != wantStartup || money.Startup != (sim.Startup{Init: 30 * time.Second}) {
		t.Errorf("startups = %+v and %+v; want the parts, and a single duration as the application's start", app.Startup, money.Startup)
	}
	if diff := cmp.Diff([]sim.Call{{To: "money", PerRequest: 0.6}}, app.Calls); diff != "" {
		t.Errorf("app calls (-want +got):\n%s", diff)
	}
	wantHPA := &sim.HPA{MinReplicas: 3, MaxReplicas: 40,
		Metrics: []sim.Metric{{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 60}},
		Behavior: &sim.Behavior{ScaleDown: &sim.ScalingRules{StabilizationWindow: ptr(5 * time.Minute),
			Policies: []sim.Policy{{Type: sim.PercentPolicy, Value: 50, Period: time.Minute}}}}}
	if diff := cmp.Diff(wantHPA, app.HPA); diff != "" {
		t.Errorf("app HPA (-want +got):\n%s", diff)
	}
	if m := money.HPA.Metrics[0]; m.Source != sim.PodsMetric || m.Target != sim.AverageValueTarget || m.Value != 50000 {
		t.Errorf("money metric = %+v; want a Pods metric with an average value of 50 (50000 milli)", m)
	}
	if c := money.Capacity; c.CPUPerRequest != 0.0025 || c.IdleCPU != 0.02 || c.Latency[2].ErrorRatio != 0.001 {
		t.Errorf("money capacity = %+v; want 2.5ms per request, 20m idle and a 0.1%% error ratio at 80 req/s", c)
	}

	n := f.System.Nodes
	if n.Mode != sim.Standard || n.NodeCPU != 4 || n.NodeMemory != 16<<30 || n.MaxNodes != 12 || n.BufferCPU != 1 || n.BufferMemory != 1<<30 {
		t.Errorf("nodes = %+v; want standard e2-standard-4 (4 CPU, 16Gi), up to 12, and two 500m/512Mi placeholders", n)
	}
	o := f.System.Objectives
	if o.Availability != 0.999 || o.LatencyThreshold != 300*time.Millisecond || o.LatencyTarget != 0.99 || o.Window != 30*24*time.Hour {
		t.Errorf("objectives = %+v; want 99.9%%, 99%% within 300ms, over 30d", o)
	}
	if got := f.ScenarioNames(); !cmp.Equal(got, []string{"step", "tv-spike", "black-friday"}) {
		t.Errorf("scenarios = %v", got)
	}
	replay, _ := f.Scenario("black-friday")
	if d := replay.Traffic.Duration(); d != 3*time.Hour {
		t.Errorf("the replayed evening lasts %v; want 3h (the CSV's span)", d)
	}
	if r := replay.Traffic.Rate(90 * time.Minute); r < 590 || r > 610 {
		t.Errorf("the replay ×6 at its middle = %v req/s; want 6 × 100", r)
	}
}

func TestParseSystemAutopilotWithSLOFile(t *testing.T) {
	f, err := readSystem(t, "autopilot.yaml")
	if err != nil {
		t.Fatalf("ParseSystem(autopilot.yaml): %v", err)
	}
	o := f.System.Objectives
	want := sim.Objectives{Availability: 0.995, LatencyThreshold: 500 * time.Millisecond, LatencyTarget: 0.95, Window: 28 * 24 * time.Hour, MaxBudgetBurn: 0.5}
	if o != want {
		t.Errorf("objectives from web.slo.yaml = %+v; want %+v", o, want)
	}
	web := f.System.Components[0]
	if m := web.HPA.Metrics[0]; m.Source != sim.ObjectMetric || m.Target != sim.AverageValueTarget || m.Value != 150000 {
		t.Errorf("web metric = %+v; want an Object metric with an average value of 150", m)
	}
	if diff := cmp.Diff([]sim.Prescale{{At: 50 * time.Minute, MinReplicas: 20}, {At: 2 * time.Hour, MinReplicas: 2}}, web.Prescale); diff != "" {
		t.Errorf("prescale (-want +got):\n%s", diff)
	}
	if p := f.System.Prices; p.VCPUHour != 0.0445 || p.ClusterFeeHour != 0.10 {
		t.Errorf("default prices = %+v; want Autopilot us-central1", p)
	}
	if len(f.Notes) == 0 || !strings.Contains(f.Notes[0], "pricing") {
		t.Errorf("notes = %q; want a note that default prices were used", f.Notes)
	}
	// The decoded system compiles and runs.
	m, err := sim.Compile(f.System)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(context.Background(), f.Scenarios[0], sim.Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestParseSystemReportsEveryProblemPositioned(t *testing.T) {
	_, err := readSystem(t, "bad.yaml")
	if err == nil {
		t.Fatal("ParseSystem(bad.yaml) succeeded; want problems")
	}
	got := err.Error() + "\n"
	golden := filepath.Join("testdata", "system", "bad.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
		if !strings.HasPrefix(line, "bad.yaml:") || strings.Count(line, ":") < 4 {
			t.Errorf("problem %q is not positioned as file:line:col: path: message", line)
		}
	}
}

func TestParseSystemProblems(t *testing.T) {
	const head = "apiVersion: headroom/v1\nkind: System\nspec:\n  entry: a\n"
	const comp = "  components:\n    - name: a\n      capacity: {perReplicaRPS: 10}\n      resources: {requests: {cpu: 100m}}\n"
	const scen = "  scenarios:\n    - {name: s, traffic: 'constant:rate=1,for=1m'}\n"
	cases := []struct {
		name, src, want string
	}{
		{"a minimal file is valid", head + comp + scen, ""},
		{"a wrong kind", strings.Replace(head, "System", "Sys", 1) + comp + scen, "no document with kind: System"},
		{"a wrong apiVersion", strings.Replace(head, "headroom/v1", "headroom/v2", 1) + comp + scen, `apiVersion: want headroom/v1, got "headroom/v2"`},
		{"a call cycle", head + "  components:\n    - {name: a, capacity: {perReplicaRPS: 1}, resources: {requests: {cpu: 1}}, calls: {b: 1}}\n    - {name: b, capacity: {perReplicaRPS: 1}, resources: {requests: {cpu: 1}}, calls: {a: 1}}\n" + scen, "calls form a cycle: a → b → a"},
		{"a self call", head + "  components:\n    - {name: a, capacity: {perReplicaRPS: 1}, resources: {requests: {cpu: 1}}, calls: {a: 1}}\n" + scen, "cannot call itself"},
		{"no scenarios", head + comp + "  scenarios: []\n", "add at least one scenario"},
		{"a reserved scenario name", head + comp + "  scenarios:\n    - {name: all, traffic: 'constant:rate=1,for=1m'}\n", `"all" is reserved`},
		{"a pod larger than a node", head + "  components:\n    - {name: a, capacity: {perReplicaRPS: 1}, resources: {requests: {cpu: 8}}}\n  nodes: {mode: standard, machineType: e2-standard-4, maxNodes: 3}\n" + scen, "does not fit on one node"},
		{"autopilot with a machine type", head + comp + "  nodes: {mode: autopilot, machineType: e2-standard-4}\n" + scen, "only a standard node pool has machineType"},
		{"a percentage over 100", head + comp + "  slo: {availability: 101%}\n" + scen, "less than 100%"},
		{"a fraction written as a percentage", head + comp + "  slo: {availability: 99.9}\n" + scen, "write 99.9% for a percentage"},
		{"a missing SLO file", head + comp + "  slo: {ref: nowhere.yaml}\n" + scen, "read SLO file"},
		{"a missing profile", head + "  components:\n    - {name: a, capacity: {profile: none.json}, resources: {requests: {cpu: 1}}}\n" + scen, "read capacity profile"},
		{"a profile and an inline capacity", head + "  components:\n    - {name: a, capacity: {profile: app.capacity.json, perReplicaRPS: 3}, resources: {requests: {cpu: 1}}}\n" + scen, "not both"},
		{"a duration without a unit", head + strings.Replace(comp, "      capacity", "      timeout: 30\n      capacity", 1) + scen, "30 has no unit"},
		{"replicas outside the HPA's range", head + strings.Replace(comp, "      capacity", "      replicas: 9\n      hpa: {maxReplicas: 4}\n      capacity", 1) + scen, "outside the HPA's 1 to 4 replicas"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join("testdata", "system")
			_, err := spec.ParseSystem("s.yaml", []byte(tc.src), loader(dir))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("ParseSystem: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("ParseSystem error = %v; want one containing %q", err, tc.want)
			}
		})
	}
}

func TestMachineType(t *testing.T) {
	cases := []struct {
		name     string
		cpu, gib float64
		ok       bool
	}{
		{"e2-standard-4", 4, 16, true},
		{"n2-highcpu-16", 16, 16, true},
		{"n1-standard-2", 2, 7.5, true},
		{"e2-small", 0.5, 2, true},
		{"e2-standard", 0, 0, false},
		{"z9-standard-4", 0, 0, false},
	}
	for _, tc := range cases {
		cpu, mem, ok := spec.MachineType(tc.name)
		if ok != tc.ok || cpu != tc.cpu || mem != tc.gib*(1<<30) {
			t.Errorf("MachineType(%q) = %v, %v GiB, %v; want %v, %v GiB, %v", tc.name, cpu, mem/(1<<30), ok, tc.cpu, tc.gib, tc.ok)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func FuzzParseSystem(f *testing.F) {
	for _, name := range []string{"shop.yaml", "autopilot.yaml", "bad.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "system", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("apiVersion: headroom/v1\nkind: System\nspec: {entry: a, components: [{name: a, capacity: {perReplicaRPS: 1}, resources: {requests: {cpu: 1}}}], scenarios: [{name: s, traffic: 'constant:rate=1,for=1s'}]}")
	dir := filepath.Join("testdata", "system")
	f.Fuzz(func(t *testing.T, src string) {
		file, err := spec.ParseSystem("f.yaml", []byte(src), loader(dir))
		if err != nil {
			var ps spec.Problems
			if !asProblems(err, &ps) {
				t.Fatalf("ParseSystem error %T is not Problems: %v", err, err)
			}
			return
		}
		// A file that decodes compiles.
		if _, err := sim.Compile(file.System); err != nil {
			t.Fatalf("a decoded system does not compile: %v", err)
		}
	})
}

func asProblems(err error, ps *spec.Problems) bool {
	p, ok := err.(spec.Problems)
	*ps = p
	return ok && len(p) > 0
}
