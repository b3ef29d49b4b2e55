package spec_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/pricing"
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
	if n.Mode != sim.Standard || n.NodeCPU != 4 || n.NodeMemory != 16<<30 || n.MaxNodes != 12 || n.BufferCPU != 2 || n.BufferMemory != 2<<30 {
		t.Errorf("nodes = %+v; want standard e2-standard-4 (4 CPU, 16Gi), up to 12, and four 500m/512Mi placeholders", n)
	}
	if p := f.System.Prices; p.Currency != "USD" || p.NodeHour <= 0 || p.ClusterFeeHour <= 0 {
		t.Errorf("prices = %+v; want the catalog's e2-standard-4 node and cluster fee in USD", p)
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
	// How the replay's times were read is said, as a note of the file.
	var said bool
	for _, n := range f.Notes {
		said = said || n == "scenario black-friday: evening.csv: times read as seconds: 181 rows over 3h"
	}
	if !said {
		t.Errorf("notes %q; want how black-friday's replay times were read", f.Notes)
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
	if ev := f.Scenarios[0].Event; ev != sim.EventAnnounced {
		t.Errorf("broadcast event = %v; want announced, as written", ev)
	}
	cat := pricing.GCP()
	rate, err := cat.Autopilot("us-central1", pricing.GeneralPurpose)
	if err != nil {
		t.Fatal(err)
	}
	wantPrices := sim.Prices{Currency: "USD", VCPUHour: rate.VCPU.USD, GiBHour: rate.GiB.USD, ClusterFeeHour: cat.ClusterFee.USD}
	if p := f.System.Prices; p != wantPrices {
		t.Errorf("default prices = %+v; want the catalog's Autopilot us-central1 %+v", p, wantPrices)
	}
	if !hasNote(f.Notes, "no spec.pricing: using us-central1 on-demand list prices in USD", rate.VCPU.Source, rate.VCPU.Date, cat.ClusterFee.Source) {
		t.Errorf("notes = %q; want a note that default prices were used, naming their sources and dates", f.Notes)
	}
	if f.System.Nodes.NoBursting {
		t.Error("an Autopilot cluster without spec.nodes.bursting is taken to have no bursting; want bursting (the default)")
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
		{"an unknown machine type", head + comp + "  nodes: {mode: standard, machineType: z9-standard-4, maxNodes: 3}\n" + scen,
			`s.yaml:9:27: spec.nodes.machineType: machine type "z9-standard-4"`},
		{"an unknown machine type suggests cpu and memory", head + comp + "  nodes: {mode: standard, machineType: e2-standard-3, maxNodes: 3}\n" + scen,
			"give cpu and memory instead (like cpu: 4, memory: 16Gi), and spec.pricing"},
		{"a pool of cpu and memory without prices", head + comp + "  nodes: {mode: standard, cpu: 4, memory: 16Gi, maxNodes: 3}\n" + scen,
			"spec.nodes: no spec.pricing, and the catalog prices machine types: give machineType (like e2-standard-4), or spec.pricing"},
		{"a pool of cpu and memory with prices", head + comp + "  nodes: {mode: standard, cpu: 4, memory: 16Gi, maxNodes: 3}\n  pricing: {nodeHour: 0.2}\n" + scen, ""},
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

// hasNote tells whether one of notes contains every part.
func hasNote(notes []string, parts ...string) bool {
	for _, n := range notes {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(n, p)
		}
		if all {
			return true
		}
	}
	return false
}

// A System file's node pool takes the vCPUs and memory of its machine
// type from package pricing, and, without spec.pricing, the on-demand
// rate of the type's own family from the shipped catalog.
func TestParseSystemMachineTypesComeFromPricing(t *testing.T) {
	const head = "apiVersion: headroom/v1\nkind: System\nspec:\n  entry: a\n" +
		"  components:\n    - name: a\n      capacity: {perReplicaRPS: 10}\n      resources: {requests: {cpu: 100m}}\n" +
		"  scenarios:\n    - {name: s, traffic: 'constant:rate=1,for=1m'}\n"
	for _, mt := range []string{"n2-standard-8", "e2-standard-4", "n2d-highmem-2", "e2-medium", "n2-custom-6-20480"} {
		t.Run(mt, func(t *testing.T) {
			f, err := spec.ParseSystem("s.yaml", []byte(head+"  nodes: {mode: standard, machineType: "+mt+", maxNodes: 3}\n"), nil)
			if err != nil {
				t.Fatalf("ParseSystem: %v", err)
			}
			m, err := pricing.ParseMachineType(mt)
			if err != nil {
				t.Fatal(err)
			}
			n := f.System.Nodes
			if n.MachineType != mt || n.NodeCPU != m.VCPU || n.NodeMemory != m.MemoryGiB*(1<<30) {
				t.Errorf("nodes = %s, %v CPU, %v GiB; want %s's %v vCPU and %v GiB from pricing.ParseMachineType",
					n.MachineType, n.NodeCPU, n.NodeMemory/(1<<30), mt, m.VCPU, m.MemoryGiB)
			}
			cat := pricing.GCP()
			mp, err := cat.Machine("us-central1", m, pricing.OnDemand)
			if err != nil {
				t.Fatal(err)
			}
			want := sim.Prices{Currency: "USD", VCPUHour: mp.Rate.VCPU.USD, GiBHour: mp.Rate.GiB.USD, NodeHour: mp.Hourly(), ClusterFeeHour: cat.ClusterFee.USD}
			if f.System.Prices != want {
				t.Errorf("default prices = %+v; want the catalog's %s on-demand rate in us-central1 %+v", f.System.Prices, m.Family, want)
			}
			if !hasNote(f.Notes, "no spec.pricing: using us-central1 on-demand list prices in USD", mt, mp.Rate.VCPU.Source, mp.Rate.VCPU.Date) {
				t.Errorf("notes = %q; want the default prices with their source and date", f.Notes)
			}
		})
	}
}

// spec.pricing is taken as written, in its currency, and needs no catalog.
func TestParseSystemPricingAsWritten(t *testing.T) {
	const src = "apiVersion: headroom/v1\nkind: System\nspec:\n  entry: a\n" +
		"  components:\n    - name: a\n      capacity: {perReplicaRPS: 10}\n      resources: {requests: {cpu: 100m}}\n" +
		"  nodes: {mode: standard, machineType: z9-huge-4, cpu: 4, memory: 16Gi, maxNodes: 3}\n" +
		"  pricing: {currency: EUR, vcpuHour: 0.03, gibHour: 0.004, nodeHour: 0.2, clusterFeeHour: 0.09}\n" +
		"  scenarios:\n    - {name: s, traffic: 'constant:rate=1,for=1m'}\n"
	f, err := spec.ParseSystem("s.yaml", []byte(strings.Replace(src, "machineType: z9-huge-4, ", "", 1)), nil)
	if err != nil {
		t.Fatalf("ParseSystem: %v", err)
	}
	want := sim.Prices{Currency: "EUR", VCPUHour: 0.03, GiBHour: 0.004, NodeHour: 0.2, ClusterFeeHour: 0.09}
	if f.System.Prices != want || hasNote(f.Notes, "spec.pricing") {
		t.Errorf("prices = %+v, notes %q; want %+v and no note on default prices", f.System.Prices, f.Notes, want)
	}
	// A machine type the catalog does not know still needs its shape.
	if _, err := spec.ParseSystem("s.yaml", []byte(src), nil); err == nil || !strings.Contains(err.Error(), "spec.nodes.machineType") ||
		strings.Contains(err.Error(), "and spec.pricing") {
		t.Errorf("ParseSystem with an unknown machine type and spec.pricing: %v; want an error at spec.nodes.machineType that does not ask for spec.pricing", err)
	}
}

// spec.nodes.bursting says whether an Autopilot cluster supports bursting,
// which sets the request rules its pods are billed by.
func TestParseSystemBursting(t *testing.T) {
	const head = "apiVersion: headroom/v1\nkind: System\nspec:\n  entry: a\n" +
		"  components:\n    - name: a\n      capacity: {perReplicaRPS: 10}\n      resources: {requests: {cpu: 300m, memory: 1Gi}}\n" +
		"  scenarios:\n    - {name: s, traffic: 'constant:rate=1,for=1m'}\n"
	cases := []struct {
		name, nodes    string
		wantNoBursting bool
		wantErr        string
	}{
		{"no nodes: bursting", "", false, ""},
		{"autopilot without the field: bursting", "  nodes: {mode: autopilot}\n", false, ""},
		{"bursting: true", "  nodes: {mode: autopilot, bursting: true}\n", false, ""},
		{"bursting: false", "  nodes:\n    mode: autopilot\n    bursting: false\n", true, ""},
		{"bursting on a standard pool", "  nodes:\n    mode: standard\n    machineType: e2-standard-4\n    maxNodes: 3\n    bursting: true\n",
			false, "s.yaml:15:5: spec.nodes.bursting: only Autopilot has bursting"},
		{"bursting of the wrong type", "  nodes:\n    mode: autopilot\n    bursting: sometimes\n",
			false, `s.yaml:13:5: spec.nodes.bursting: want true or false, got "sometimes"`},
		{"bursting as a list", "  nodes: {mode: autopilot, bursting: [true]}\n", false, "spec.nodes.bursting: want a single value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := spec.ParseSystem("s.yaml", []byte(head+tc.nodes), nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseSystem error = %v; want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSystem: %v", err)
			}
			if got := f.System.Nodes.NoBursting; got != tc.wantNoBursting {
				t.Errorf("NoBursting = %v; want %v", got, tc.wantNoBursting)
			}
			// The one 300m / 1 GiB pod is billed by the rules: 0.3 vCPU with
			// bursting, 0.5 without.
			m, err := sim.Compile(f.System)
			if err != nil {
				t.Fatal(err)
			}
			res, err := m.Run(context.Background(), f.Scenarios[0], sim.Options{})
			if err != nil {
				t.Fatal(err)
			}
			wantVCPU := map[bool]float64{false: 0.3, true: 0.5}[tc.wantNoBursting]
			vcpu, gib := pricing.AutopilotRulesFor(!tc.wantNoBursting, false).BillPod([]pricing.Request{{VCPU: 0.3, GiB: 1}})
			p := f.System.Prices
			if want := vcpu*p.VCPUHour + gib*p.GiBHour + p.ClusterFeeHour; vcpu != wantVCPU || math.Abs(res.Cost.Hourly-want) > 1e-4 {
				t.Errorf("hourly cost = %v; want one pod billed %v vCPU (want %v) and %v GiB, and the fee: %v", res.Cost.Hourly, vcpu, wantVCPU, gib, want)
			}
		})
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
	f.Add(timedSystem)
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

// A System's SLO file with a whole-second or a native-histogram latency
// objective is a latency objective (not read as availability): the le
// matcher for 1s is le=~"1|1\.0" and a native histogram has no bucket.
func TestParseSystemWholeSecondAndNativeLatency(t *testing.T) {
	dir := filepath.Join("testdata", "system")
	system, err := os.ReadFile(filepath.Join(dir, "autopilot.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join(dir, "web.slo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, latency string
		want          time.Duration
	}{
		{"whole second", "  threshold: 1s\n", time.Second},
		{"native histogram", "  threshold: 250ms\n  native: true\n", 250 * time.Millisecond},
	} {
		slos := strings.Replace(string(base), "  threshold: 500ms\n", tc.latency, 1)
		load := func(name string) ([]byte, error) {
			if name == "web.slo.yaml" {
				return []byte(slos), nil
			}
			return os.ReadFile(filepath.Join(dir, name))
		}
		f, err := spec.ParseSystem("autopilot.yaml", system, load)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if o := f.System.Objectives; o.LatencyThreshold != tc.want || o.LatencyTarget != 0.95 || o.Availability != 0.995 {
			t.Errorf("%s: objectives %+v; want 95%% within %v and 99.5%%", tc.name, o, tc.want)
		}
	}
}

// An inline capacity marked lowerBound (as headroom plan writes a
// rescaled lower-bound profile) stays a lower bound, and a profile can't
// be marked: it says itself.
func TestParseSystemInlineLowerBound(t *testing.T) {
	dir := filepath.Join("testdata", "system")
	src, err := os.ReadFile(filepath.Join(dir, "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	marked := strings.Replace(string(src), "        perReplicaRPS: 80\n", "        perReplicaRPS: 80\n        lowerBound: true\n", 1)
	f, err := spec.ParseSystem("shop.yaml", []byte(marked), loader(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.System.Components {
		if c.Name == "money" && !c.Capacity.LowerBound {
			t.Errorf("money's capacity lost its lower-bound mark: %+v", c.Capacity)
		}
	}
	bad := strings.Replace(string(src), "        profile: app.capacity.json\n", "        profile: app.capacity.json\n        lowerBound: true\n", 1)
	if _, err := spec.ParseSystem("shop.yaml", []byte(bad), loader(dir)); err == nil || !strings.Contains(err.Error(), "lowerBound: goes with an inline perReplicaRPS") {
		t.Errorf("a marked profile: %v; want it refused", err)
	}
}

// Each scenario says whether its event is announced or a surprise; one
// that does not say is announced, with a note, and a bad value is
// positioned.
func TestParseSystemEventNotice(t *testing.T) {
	const head = "apiVersion: headroom/v1\nkind: System\nspec:\n  entry: a\n"
	const comp = "  components:\n    - name: a\n      capacity: {perReplicaRPS: 10}\n      resources: {requests: {cpu: 100m}}\n"
	const prescaled = "  components:\n    - name: a\n      capacity: {perReplicaRPS: 10}\n      resources: {requests: {cpu: 100m}}\n      prescale: [{at: 1m, minReplicas: 3}]\n"
	scen := func(event string) string {
		s := "  scenarios:\n    - name: s\n      traffic: 'constant:rate=1,for=1m'\n"
		if event != "" {
			s += "      event: " + event + "\n"
		}
		return s
	}
	cases := []struct {
		name, src string
		want      sim.EventNotice // as written
		resolved  sim.EventNotice // as sim reads it
		note      string          // part of a note; "" for none about the event
		err       string
	}{
		{"announced", head + comp + scen("announced"), sim.EventAnnounced, sim.EventAnnounced, "", ""},
		{"a surprise", head + comp + scen("surprise"), sim.EventSurprise, sim.EventSurprise, "", ""},
		{"unsaid", head + comp + scen(""), sim.EventUnsaid, sim.EventAnnounced, "scenario s does not say whether the event is announced: it is taken as announced (planned assuming you know the date", ""},
		{"unsaid in a file that pre-scales", head + prescaled + scen(""), sim.EventUnsaid, sim.EventAnnounced, "write event: surprise if it may come unannounced", ""},
		{"a surprise in a file that pre-scales", head + prescaled + scen("surprise"), sim.EventSurprise, sim.EventSurprise, "", ""},
		{"a bad value", head + comp + scen("soon"), 0, 0, "", `s.yaml:12:7: spec.scenarios[0].event: "soon": want announced`},
		{"a list", head + comp + scen("[announced]"), 0, 0, "", `s.yaml:12:7: spec.scenarios[0].event: want a single value`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := spec.ParseSystem("s.yaml", []byte(tc.src), loader(filepath.Join("testdata", "system")))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseSystem error = %v; want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sc := f.Scenarios[0]
			if sc.Event != tc.want || sc.Notice() != tc.resolved {
				t.Errorf("event = %v, resolved %v; want %v, resolved %v", sc.Event, sc.Notice(), tc.want, tc.resolved)
			}
			noted := hasNote(f.Notes, "does not say whether the event is announced")
			if tc.note == "" && noted {
				t.Errorf("notes = %q; want none about the event", f.Notes)
			}
			if tc.note != "" && !hasNote(f.Notes, tc.note) {
				t.Errorf("notes = %q; want one containing %q", f.Notes, tc.note)
			}
		})
	}
}

// The timing of a real cluster: the metrics pipelines per kind, how a
// ready pod comes to serve, and start-up as a median and a tail.
const timedSystem = `apiVersion: headroom/v1
kind: System
spec:
  entry: api
  components:
    - name: api
      capacity: {perReplicaRPS: 80}
      resources: {requests: {cpu: 500m, memory: 512Mi}}
      startup: {imagePull: 6s, init: 20s, readiness: 4s, p90: 75s}
      serving:
        propagation: 15s
        readinessGate: true
        warmUp: 1m
        warmUpCapacity: 40%
        pinned: 0.3
        connectionAge: 5m
      hpa:
        maxReplicas: 40
        metrics: [{type: Pods, pods: {metric: {name: http_requests}, target: {type: AverageValue, averageValue: "60"}}}]
      customMetrics: {rateWindow: 1m, adapter: 30s}
  metrics:
    resource: {resolution: 30s, housekeeping: 10s}
    custom: {rateWindow: 2m, scrape: 30s, adapter: 30s, delay: 10s}
  scenarios:
    - {name: tv, traffic: 'spike:base=100,peak=1000,at=2m,rise=2m,hold=10m', event: surprise}
`

func TestParseSystemTiming(t *testing.T) {
	f, err := spec.ParseSystem("timed.yaml", []byte(timedSystem), nil)
	if err != nil {
		t.Fatalf("ParseSystem: %v", err)
	}
	api := f.System.Components[0]
	wantServing := sim.Serving{Propagation: 15 * time.Second, ReadinessGate: true, WarmUp: time.Minute, WarmUpCapacity: 0.4, Pinned: 0.3, ConnectionAge: 5 * time.Minute}
	if api.Serving != wantServing {
		t.Errorf("serving = %+v; want %+v", api.Serving, wantServing)
	}
	wantStartup := sim.Startup{ImagePull: 6 * time.Second, Init: 20 * time.Second, Readiness: 4 * time.Second, P90: 75 * time.Second}
	if api.Startup != wantStartup {
		t.Errorf("startup = %+v; want %+v", api.Startup, wantStartup)
	}
	wantMetrics := sim.MetricsPipeline{Resolution: 30 * time.Second, Housekeeping: 10 * time.Second,
		Custom: sim.CustomMetrics{RateWindow: 2 * time.Minute, Scrape: 30 * time.Second, Adapter: 30 * time.Second, Delay: 10 * time.Second}}
	if f.System.Metrics != wantMetrics {
		t.Errorf("metrics = %+v; want %+v", f.System.Metrics, wantMetrics)
	}
	if own := api.CustomMetrics; own == nil || *own != (sim.CustomMetrics{RateWindow: time.Minute, Adapter: 30 * time.Second}) {
		t.Errorf("the component's custom metrics = %+v; want its own 1m rate window and 30s adapter cache", own)
	}
	// It simulates at once, with a band, and every figure is finite.
	m, err := sim.Compile(f.System)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := f.Scenario("tv")
	res, err := m.Run(context.Background(), sc, sim.Options{Band: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []float64{res.BudgetBurned, res.Band.Best.BudgetBurned, res.Band.Worst.BudgetBurned, res.Failed} {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			t.Errorf("result %+v: want finite figures", res)
		}
	}
}

// Timing values the model rejects come back positioned at their field.
func TestParseSystemTimingProblems(t *testing.T) {
	cases := []struct{ name, from, to, want string }{
		{"all traffic pinned", "pinned: 0.3", "pinned: 100%", "timed.yaml:15:9: spec.components[0].serving.pinned: component api: serving: the pinned share must be a fraction in [0, 1)"},
		{"a rate window of one scrape", "rateWindow: 2m", "rateWindow: 30s", "spec.metrics.custom.rateWindow: metrics: the rate window (30s) must hold two scrapes"},
		{"a tail below the median", "p90: 75s", "p90: 10s", "spec.components[0].startup.p90:"},
		{"a negative warm-up", "warmUp: 1m", "warmUp: -1m", "spec.components[0].serving.warmUp:"},
		{"the resolution in two places", "  metrics:\n", "  autoscaling: {metricResolution: 15s}\n  metrics:\n", "spec.metrics.resource: spec.autoscaling sets the metric window or resolution too"},
		{"an unknown field", "delay: 10s", "lag: 10s", `spec.metrics.custom.lag: unknown field "lag"`},
		{"a component's rate window of one scrape", "rateWindow: 1m, adapter", "rateWindow: 40s, adapter", "spec.components[0].customMetrics.rateWindow: component api: customMetrics: the rate window (40s) must hold two scrapes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(timedSystem, tc.from, tc.to, 1)
			if src == timedSystem {
				t.Fatalf("%q is not in the file", tc.from)
			}
			_, err := spec.ParseSystem("timed.yaml", []byte(src), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseSystem error = %v; want one containing %q", err, tc.want)
			}
		})
	}
}

// A component scaled on a metric that comes through an adapter, with the
// pipeline left to its defaults, is named in the notes with what its lag
// assumes; a file that says its pipeline gets no such note.
func TestParseSystemNotesDefaultCustomPipeline(t *testing.T) {
	src := strings.Replace(timedSystem, "      customMetrics: {rateWindow: 1m, adapter: 30s}\n", "", 1)
	src = strings.Replace(src, "    custom: {rateWindow: 2m, scrape: 30s, adapter: 30s, delay: 10s}\n", "", 1)
	f, err := spec.ParseSystem("timed.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !hasNote(f.Notes, "api scale on Pods, Object or External metrics", "a rate over 5m", "1m scrape", "spec.metrics.custom") {
		t.Errorf("notes = %q; want the default custom pipeline named", f.Notes)
	}
	f, err = spec.ParseSystem("timed.yaml", []byte(timedSystem), nil)
	if err != nil {
		t.Fatal(err)
	}
	if hasNote(f.Notes, "scale on Pods, Object or External metrics") {
		t.Errorf("notes = %q; the file gives its pipeline", f.Notes)
	}
}

// An entry that says nothing of how its new pods come to serve is named in
// the notes: serving in full the instant they are Ready is optimistic.
func TestParseSystemNotesAnEntryWithoutServing(t *testing.T) {
	f, err := spec.ParseSystem("timed.yaml", []byte(timedSystem), nil)
	if err != nil {
		t.Fatal(err)
	}
	if hasNote(f.Notes, "gives no serving") {
		t.Errorf("notes = %q; the entry gives its serving", f.Notes)
	}
	src := strings.Replace(timedSystem, "      serving:\n        propagation: 15s\n        readinessGate: true\n        warmUp: 1m\n        warmUpCapacity: 40%\n        pinned: 0.3\n        connectionAge: 5m\n", "", 1)
	if f, err = spec.ParseSystem("timed.yaml", []byte(src), nil); err != nil {
		t.Fatal(err)
	}
	if !hasNote(f.Notes, "api (the entry) gives no serving", "optimistic") {
		t.Errorf("notes = %q; want the entry without serving named", f.Notes)
	}
}

// A start-up known by its percentiles only (as an import measures it from
// pod conditions) is its median and tail; p50 beside parts must be their
// total.
func TestParseSystemStartupPercentiles(t *testing.T) {
	cases := []struct {
		name, startup string
		want          sim.Startup
		problem       string
	}{
		{"percentiles only", "{p50: 40s, p90: 95s}", sim.Startup{Init: 40 * time.Second, P90: 95 * time.Second}, ""},
		{"parts and their total", "{imagePull: 10s, init: 30s, p50: 40s, p90: 95s}", sim.Startup{ImagePull: 10 * time.Second, Init: 30 * time.Second, P90: 95 * time.Second}, ""},
		{"parts and another median", "{imagePull: 10s, init: 30s, p50: 50s}", sim.Startup{}, "spec.components[0].startup.p50: the parts add up to 40s"},
		{"a tail below the median", "{p50: 40s, p90: 30s}", sim.Startup{}, "spec.components[0].startup.p90: component api: startup: the 90th percentile (30s) is below the median"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(timedSystem, "{imagePull: 6s, init: 20s, readiness: 4s, p90: 75s}", tc.startup, 1)
			f, err := spec.ParseSystem("timed.yaml", []byte(src), nil)
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("ParseSystem error = %v; want %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := f.System.Components[0].Startup; got != tc.want {
				t.Errorf("startup = %+v; want %+v", got, tc.want)
			}
		})
	}
}
