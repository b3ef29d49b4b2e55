package review_test

import (
	"context"
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/review"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/slo"
)

// A worker-bound web service (200 req/s per replica, 1 ms of CPU each: a
// fifth of a core at capacity) scales on 60% of a 500m CPU request, which
// a saturated replica never reaches: its HPA cannot fire, and the review
// says no-go.
func ExampleReview() {
	system := sim.System{
		Entry: "web",
		Components: []sim.Component{{
			Name:      "web",
			Capacity:  sim.Capacity{PerReplicaRPS: 200, CPUPerRequest: 0.001, Source: sim.CapacityMeasured, Evidence: "capacity profile web.capacity.json"},
			Resources: sim.Resources{CPURequest: 0.5, MemoryRequest: 512 << 20},
			HPA: &sim.HPA{MinReplicas: 2, MaxReplicas: 30, Metrics: []sim.Metric{
				{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 60}}},
			PDB: &sim.PDB{MaxUnavailable: sim.PodCount{Value: 1, Set: true}},
		}},
		Nodes:      sim.Nodes{Mode: sim.Autopilot},
		Objectives: sim.Objectives{Availability: 0.999, WindowRate: 100},
	}
	slos := []slo.SLO{{Name: "web-availability", Target: 0.999, Window: slo.Window{Length: 30 * 24 * time.Hour}}}
	res, err := review.Review(context.Background(), system, review.Config{SLOs: slos, SLOGiven: true, SLOSource: "slo.yaml"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Verdict)
	for _, r := range res.Reasons {
		fmt.Println(r)
	}
	fmt.Printf("surprise: ×%g, fails at ×%g\n", res.Surprise.Multiple, res.Surprise.FailsAt)
	// Output:
	// no-go
	// web's HPA cannot fire before its replicas saturate: it never adds a replica, whatever the traffic
	// surprise: ×4, fails at ×4.18
}
