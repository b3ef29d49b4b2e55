package importer_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/importer"
	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// shop is a shop as internal/kube reads it: web (an HPA on CPU with
// behavior, a PDB, four pods' start-ups and two image pulls), api (an HPA
// on a request rate and on memory, one pod: too few for start-up
// percentiles) and a StatefulSet without requests.
func shop() importer.Cluster {
	win := 300
	return importer.Cluster{
		Source: "snapshot cluster.yaml",
		Nodes:  importer.Nodes{MachineType: "e2-standard-4", Pool: "default-pool", Count: 3, Total: 3},
		Workloads: []importer.Workload{
			{Kind: "Deployment", Namespace: "shop", Name: "web", Replicas: 3,
				Containers: []importer.Container{{Name: "app", CPURequest: 0.5, CPULimit: 1, MemoryRequest: 512 << 20, MemoryLimit: 1 << 30}},
				HPA: &importer.HPA{Name: "web", MinReplicas: 3, MaxReplicas: 30,
					Metrics: []importer.Metric{{Type: "Resource", Name: "cpu", Target: importer.Target{Type: "Utilization", AverageUtilization: 60}}},
					Behavior: &importer.Behavior{
						ScaleUp:   &importer.Rules{SelectPolicy: "Max", Policies: []importer.Policy{{"Pods", 4, 60}, {"Percent", 100, 15}}},
						ScaleDown: &importer.Rules{StabilizationWindowSeconds: &win, Policies: []importer.Policy{{"Percent", 50, 60}}}}},
				PDBs: []importer.PDB{{Name: "web", MinAvailable: "2"}},
				Startups: []importer.PodStartup{
					{Pod: "shop/web-a", Schedule: time.Second, Init: 2 * time.Second, Start: 21 * time.Second, Gates: 2 * time.Second},
					{Pod: "shop/web-b", Schedule: 2 * time.Second, Init: 2 * time.Second, Start: 26 * time.Second, Gates: 3 * time.Second},
					{Pod: "shop/web-c", Schedule: time.Second, Init: time.Second, Start: 38 * time.Second, Gates: 2 * time.Second},
					{Pod: "shop/web-d", Schedule: 95 * time.Second, Init: time.Second, Start: 30 * time.Second, Gates: 2 * time.Second},
				},
				ImagePulls: []time.Duration{6400 * time.Millisecond, 8100 * time.Millisecond}, CachedPulls: 2,
				ReadinessGates: []string{"cloud.google.com/load-balancer-neg-ready"}},
			{Kind: "Deployment", Namespace: "shop", Name: "api", Replicas: 2,
				Containers: []importer.Container{{Name: "api", CPURequest: 0.25, MemoryRequest: 256 << 20}},
				HPA: &importer.HPA{Name: "api", MaxReplicas: 12, Metrics: []importer.Metric{
					{Type: "Pods", Name: "http_requests_per_second", Target: importer.Target{Type: "AverageValue", AverageValue: "40"}},
					{Type: "Resource", Name: "memory", Target: importer.Target{Type: "Utilization", AverageUtilization: 80}}}},
				Startups: []importer.PodStartup{{Pod: "shop/api-a", Schedule: time.Second, Start: 11 * time.Second}}},
			{Kind: "StatefulSet", Namespace: "shop", Name: "queue", Replicas: 1, Containers: []importer.Container{{Name: "q"}},
				PDBs: []importer.PDB{{Name: "queue", MaxUnavailable: "1"}}},
			{Kind: "Deployment", Namespace: "shop", Name: "old-batch", Replicas: 0},
			{Kind: "Deployment", Namespace: "shop", Name: "overprovisioning", Replicas: 2, Priority: -10,
				Containers: []importer.Container{{Name: "pause", CPURequest: 0.5, MemoryRequest: 512 << 20}}},
			{Kind: "Deployment", Namespace: "kube-system", Name: "kube-dns", Replicas: 2},
		},
	}
}

// history is three days of the shop's history: web's per-pod load with a
// knee at 90 requests per second per pod, api's too thin, web calling
// api 0.6 times a request, and web's traffic with an evening spike.
func history() *importer.History {
	h := &importer.History{Source: "Prometheus http://127.0.0.1:9090", End: t0.Add(72 * time.Hour), Window: 72 * time.Hour, Step: 5 * time.Minute,
		Components: map[string]importer.ComponentHistory{
			"shop/web": {Samples: day(120, 90), MeanRPS: 200, RateQuery: "rate", LatencyQuery: "latency", CPUQuery: "cpu", LatencyQuantile: 0.99},
			"shop/api": {Samples: day(60, 1000)[:6], MeanRPS: 120, LatencyQuantile: 0.99},
		},
		Calls:        []importer.CallRate{{From: "shop/web", To: "shop/api", Rate: 120}, {From: "shop/web", To: "other/thing", Rate: 5}},
		CallsMetric:  "istio_requests_total",
		TrafficQuery: `sum(rate(http_requests_total{namespace="shop",pod=~"web-.*"}[5m]))`,
	}
	for i := range 72 * 12 {
		v := 200 + 100*math.Sin(float64(i)/288*2*math.Pi)
		if i >= 2*288+240 && i < 2*288+246 {
			v = 2400
		}
		h.Traffic = append(h.Traffic, importer.Sample{T: t0.Add(time.Duration(i) * 5 * time.Minute), V: v})
	}
	return h
}

// structural are the leaves that are names and shapes, not values read.
var structural = []string{"apiVersion", "kind", "metadata.name", "estimate"}

// leaves lists the paths of a document's scalar leaves.
func leaves(n *yaml.Node, path string, out *[]string) {
	switch n.Kind {
	case yaml.DocumentNode:
		leaves(n.Content[0], path, out)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := n.Content[i].Value
			if path != "" {
				p = path + "." + p
			}
			leaves(n.Content[i+1], p, out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			leaves(c, fmt.Sprintf("%s[%d]", path, i), out)
		}
	default:
		*out = append(*out, path)
	}
}

// traced says whether a leaf is accounted for by an item: the item's
// path is the leaf or above it.
func traced(leaf string, items []importer.Item) bool {
	for _, s := range structural {
		if leaf == s || strings.HasSuffix(leaf, "."+s) {
			return true
		}
	}
	if strings.HasSuffix(leaf, ".name") && !strings.Contains(leaf, ".hpa.") {
		return true // a component's or a scenario's name
	}
	for _, it := range items {
		if leaf == it.Path || strings.HasPrefix(leaf, it.Path+".") || strings.HasPrefix(leaf, it.Path+"[") {
			return true
		}
	}
	return false
}

func TestBuildWritesASystemThatSimulates(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hist   *importer.History
		golden string
		want   map[importer.Status]int
	}{
		{"cluster only", nil, "shop.golden.yaml", nil},
		{"cluster and history", history(), "shop-history.golden.yaml", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := importer.Build(shop(), tc.hist, importer.Options{Name: "shop", Entry: "web"})
			if err != nil {
				t.Fatal(err)
			}
			y, err := res.YAML()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, y)
			if tc.hist != nil {
				golden(t, "shop-spike.golden.csv", res.Replay)
			}
			// Every value traces to an item, and every item to a source.
			var ls []string
			leaves(res.Doc, "", &ls)
			for _, l := range ls {
				if !traced(l, res.Items) {
					t.Errorf("%s is written without a source", l)
				}
			}
			for _, it := range res.Items {
				switch {
				case it.Source == "":
					t.Errorf("%s: no source", it.Path)
				case it.Status == importer.Unknown && !strings.Contains(it.Source, "default"):
					t.Errorf("%s is unknown without naming its default: %s", it.Path, it.Source)
				}
			}
			if !slices.Equal(res.Components, []string{"api", "queue", "web"}) || len(res.Skipped) != 2 {
				t.Errorf("components %v, skipped %v; want api, queue, web; old-batch and the placeholders skipped (kube-system left out)", res.Components, res.Skipped)
			}
			// headroom sim reads it, and runs every scenario.
			load := func(name string) ([]byte, error) {
				if name == res.ReplayFile && res.Replay != nil {
					return res.Replay, nil
				}
				return nil, os.ErrNotExist
			}
			f, err := spec.ParseSystem("system.yaml", y, load)
			if err != nil {
				t.Fatalf("the System file does not parse: %v", err)
			}
			m, err := sim.Compile(f.System)
			if err != nil {
				t.Fatalf("the System does not compile: %v", err)
			}
			if len(f.Scenarios) == 0 {
				t.Fatal("no scenario")
			}
			for _, sc := range f.Scenarios {
				r, err := m.Run(context.Background(), sc, sim.Options{})
				if err != nil {
					t.Fatalf("scenario %s: %v", sc.Name, err)
				}
				if r == nil {
					t.Fatalf("scenario %s: no result", sc.Name)
				}
			}
			for _, c := range f.System.Components {
				if c.Replicas < 1 || c.Resources.CPURequest <= 0 || !(c.Capacity.PerReplicaRPS > 0) {
					t.Errorf("component %s: %d replicas, %v CPU, %v req/s: want every live component at 1 or more, with a request and a capacity", c.Name, c.Replicas, c.Resources.CPURequest, c.Capacity.PerReplicaRPS)
				}
			}
			// The placeholder pods hold spare capacity: two of 500m, 512Mi.
			if n := f.System.Nodes; n.BufferCPU != 1 || n.BufferMemory != 1<<30 {
				t.Errorf("buffer %v CPU, %v bytes; want the placeholders' 1 CPU and 1Gi", n.BufferCPU, n.BufferMemory)
			}
			web := f.System.Components[2]
			if web.PDB == nil || web.HPA == nil || web.HPA.Behavior == nil || web.Startup.ImagePull != 6400*time.Millisecond || web.Startup.P90 != 126*time.Second {
				t.Errorf("web = %+v; want its PDB, HPA behavior and the median image pull 6.4s (nearest rank) and the p90 start-up 2m6s (the pod that waited for a node, less its gate)", web)
			}
			// The readiness gate's wait is the load balancer's
			// propagation, counted once: not in the start-up too.
			if !web.Serving.ReadinessGate || web.Serving.Propagation != 2*time.Second || web.Startup.Readiness != 0 {
				t.Errorf("web serving %+v, readiness %v; want the gate, a propagation of 2s (the median) and no readiness wait besides", web.Serving, web.Startup.Readiness)
			}
			if tc.hist != nil {
				if len(f.System.Components[2].Calls) != 1 || f.System.Components[2].Calls[0].PerRequest != 0.6 {
					t.Errorf("web calls %v; want api 0.6 times a request", web.Calls)
				}
				if c := web.Capacity; c.PerReplicaRPS < 85 || c.PerReplicaRPS > 95 || !c.LowerBound || c.CPUPerRequest <= 0 {
					t.Errorf("web capacity %+v; want the estimate where p99 crosses 300ms, about 94/s, a lower bound, with CPU per request", c)
				}
			}
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./importer -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func TestBuildRefusesAnEmptyCluster(t *testing.T) {
	c := importer.Cluster{Source: "snapshot empty.yaml", Workloads: []importer.Workload{{Kind: "Deployment", Namespace: "kube-system", Name: "dns", Replicas: 1}}}
	if _, err := importer.Build(c, nil, importer.Options{}); err == nil || !strings.Contains(err.Error(), "no Deployment or StatefulSet") {
		t.Errorf("Build of a cluster with only system workloads = %v; want an error", err)
	}
}

func TestBuildNodes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		nodes    importer.Nodes
		want     sim.Nodes
		unknowns int // unknown items under spec.nodes
	}{
		{"Autopilot since GKE 1.30.2: bursting", importer.Nodes{Autopilot: true, AutopilotSignal: "node gk3-x", Version: "v1.33.1-gke.1584000", Total: 2},
			sim.Nodes{Mode: sim.Autopilot}, 0},
		{"Autopilot before 1.30.2: no bursting", importer.Nodes{Autopilot: true, AutopilotSignal: "node gk3-x", Version: "v1.29.8-gke.100", Total: 2},
			sim.Nodes{Mode: sim.Autopilot, NoBursting: true}, 0},
		{"Autopilot of an unknown version", importer.Nodes{Autopilot: true, AutopilotSignal: "pod annotated"}, sim.Nodes{Mode: sim.Autopilot}, 1},
		{"a Standard pool: its size now, no scale-up", importer.Nodes{MachineType: "n2-standard-8", Pool: "pool-1", Count: 4, Total: 5},
			sim.Nodes{Mode: sim.Standard, MachineType: "n2-standard-8", MinNodes: 4, MaxNodes: 4}, 2},
		{"no nodes read", importer.Nodes{}, sim.Nodes{Mode: sim.Autopilot}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := shop()
			c.Nodes = tc.nodes
			res, err := importer.Build(c, nil, importer.Options{Entry: "web"})
			if err != nil {
				t.Fatal(err)
			}
			y, err := res.YAML()
			if err != nil {
				t.Fatal(err)
			}
			f, err := spec.ParseSystem("system.yaml", y, nil)
			if err != nil {
				t.Fatalf("%v\n%s", err, y)
			}
			got := f.System.Nodes
			if got.Mode != tc.want.Mode || got.NoBursting != tc.want.NoBursting || got.MachineType != tc.want.MachineType || got.MinNodes != tc.want.MinNodes || got.MaxNodes != tc.want.MaxNodes {
				t.Errorf("nodes %+v; want %+v", got, tc.want)
			}
			n := 0
			for _, it := range res.Items {
				if strings.HasPrefix(it.Path, "spec.nodes.") && it.Status == importer.Unknown {
					n++
				}
			}
			if n != tc.unknowns {
				t.Errorf("%d unknown node values; want %d", n, tc.unknowns)
			}
			other := slices.ContainsFunc(res.Notes, func(s string) bool { return strings.Contains(s, "1 node of other machine types or pools is left out") })
			if want := tc.nodes.Total-tc.nodes.Count == 1 && !tc.nodes.Autopilot; other != want {
				t.Errorf("notes %q; want a note on the node left out: %v", res.Notes, want)
			}
		})
	}
}

// Workloads of the same name in two namespaces get the namespace in
// their component names; names that are not DNS labels are made ones.
func TestBuildNamesComponents(t *testing.T) {
	w := func(ns, name string) importer.Workload {
		return importer.Workload{Kind: "Deployment", Namespace: ns, Name: name, Replicas: 1, Containers: []importer.Container{{Name: "c", CPURequest: 0.1}}}
	}
	c := importer.Cluster{Source: "snapshot", Workloads: []importer.Workload{w("blue", "web"), w("green", "web"), w("blue", "api.v2")}}
	res, err := importer.Build(c, nil, importer.Options{Entry: "blue-web"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"api-v2", "blue-web", "green-web"}; !slices.Equal(res.Components, want) {
		t.Errorf("components %v; want %v", res.Components, want)
	}
	y, err := res.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := spec.ParseSystem("system.yaml", y, nil); err != nil {
		t.Errorf("the System does not parse: %v", err)
	}
	if !strings.Contains(string(y), "entry: blue-web # from the import's options") {
		t.Errorf("the entry given is not the file's:\n%s", y)
	}
}
