package sim

import (
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/headroom-sre/headroom/pricing"

	"github.com/headroom-sre/headroom/traffic"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Prices of the shipped catalog in us-central1 for the tests' systems:
// Autopilot general-purpose pods, n2 machines on demand, the cluster fee.
var (
	autopilotRate = mustRate(pricing.GCP().Autopilot("us-central1", pricing.GeneralPurpose))
	n2Rate        = mustRate(pricing.GCP().FamilyRate("us-central1", "n2", pricing.OnDemand))
	clusterFee    = pricing.GCP().ClusterFee.USD
)

func mustRate(r pricing.Rate, err error) pricing.Rate {
	if err != nil {
		panic(err)
	}
	return r
}

// standardPool is a Standard pool of a machine type, its shape from
// package pricing.
func standardPool(machineType string, minNodes, maxNodes int) Nodes {
	m, err := pricing.ParseMachineType(machineType)
	if err != nil {
		panic(err)
	}
	return Nodes{Mode: Standard, MachineType: machineType, NodeCPU: m.VCPU, NodeMemory: m.MemoryGiB * (1 << 30), MinNodes: minNodes, MaxNodes: maxNodes}
}

// twoComponents is the app → money system of the tests: the app calls
// money for 60% of its requests; both scale on CPU at 60%; a Standard pool
// of n2-standard-4 nodes.
func twoComponents() System {
	cpu60 := []Metric{{Source: ResourceMetric, Name: "cpu", Target: UtilizationTarget, AverageUtilization: 60}}
	return System{
		Entry: "app",
		Components: []Component{
			{Name: "app", Capacity: Capacity{PerReplicaRPS: 100, Latency: []LatencyPoint{{Rate: 10, P50: .02, P90: .04, P99: .08}, {Rate: 100, P50: .04, P90: .09, P99: .2}}},
				Resources: Resources{CPURequest: 0.5, CPULimit: 1, MemoryRequest: 512 << 20}, Replicas: 2, Timeout: 10 * time.Second, Retries: 1,
				Calls: []Call{{To: "money", PerRequest: 0.6}},
				HPA:   &HPA{MinReplicas: 2, MaxReplicas: 50, Metrics: cpu60}},
			{Name: "money", Capacity: Capacity{PerReplicaRPS: 80, Latency: []LatencyPoint{{Rate: 10, P50: .01, P90: .02, P99: .05}, {Rate: 80, P50: .03, P90: .06, P99: .15}}},
				Resources: Resources{CPURequest: 0.25, MemoryRequest: 256 << 20}, Replicas: 2, Timeout: 5 * time.Second,
				HPA: &HPA{MinReplicas: 2, MaxReplicas: 40, Metrics: cpu60}},
		},
		Nodes:      standardPool("n2-standard-4", 1, 10),
		Objectives: Objectives{Availability: 0.999, LatencyThreshold: 300 * time.Millisecond, LatencyTarget: 0.99},
		Prices:     Prices{Currency: "USD", VCPUHour: n2Rate.VCPU.USD, GiBHour: n2Rate.GiB.USD, ClusterFeeHour: clusterFee},
	}
}

func mustCompile(t testing.TB, s System) *Model {
	t.Helper()
	m, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func shape(t testing.TB, s string) *traffic.Curve {
	t.Helper()
	c, err := traffic.Parse(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func run(t testing.TB, m *Model, traffic string, opt Options) *Result {
	t.Helper()
	res, err := m.Run(context.Background(), Scenario{Name: "test", Traffic: shape(t, traffic)}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Golden timelines: a step and a TV spike through the two-component
// system. Rewrite with go test ./sim -run TestGolden -update.
func TestGoldenTimelines(t *testing.T) {
	cases := []struct{ name, traffic string }{
		{"step", "steps:rates=100/600,every=10m"},
		{"spike", "spike:base=60,peak=1500,at=5m,rise=2m,hold=10m,decay=10m,for=1h"},
	}
	m := mustCompile(t, twoComponents())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := m.Run(context.Background(), Scenario{Name: tc.name, Traffic: shape(t, tc.traffic)}, Options{TimelineStep: 30 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			var w, g any
			if err := json.Unmarshal(want, &w); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			// Compare numbers to a relative 1e-6: platforms may differ in
			// the last bits of floating-point arithmetic.
			if diff := cmp.Diff(w, g, cmp.Comparer(func(a, b float64) bool {
				return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(a))
			})); diff != "" {
				t.Errorf("%s timeline (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}
