package sim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/traffic"
)

// The verdict as a band: a web service scaled on CPU meets a spike to
// 1100 req/s within two minutes. Its pods start in 30 s, 90 s at the 90th
// percentile. The average timing survives; with stale metrics and slow
// starts it does not, so the survival is borderline.
func ExampleOptions_band() {
	system := sim.System{
		Entry: "web",
		Components: []sim.Component{{
			Name:      "web",
			Capacity:  sim.Capacity{PerReplicaRPS: 100, CPUPerRequest: 0.005},
			Resources: sim.Resources{CPURequest: 0.5, CPULimit: 0.5, MemoryRequest: 1 << 30},
			Startup:   sim.Startup{Init: 30 * time.Second, P90: 90 * time.Second},
			Timeout:   5 * time.Second,
			HPA: &sim.HPA{MinReplicas: 2, MaxReplicas: 100, Behavior: &sim.Behavior{}, Metrics: []sim.Metric{
				{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 60}}},
		}},
		Nodes:      sim.Nodes{Mode: sim.Autopilot, BufferCPU: 100, BufferMemory: 1 << 40},
		Objectives: sim.Objectives{Availability: 0.999, MaxBudgetBurn: 1},
		Prices:     sim.Prices{Currency: "USD", VCPUHour: 0.04, GiBHour: 0.004},
	}
	model, err := sim.Compile(system)
	if err != nil {
		fmt.Println(err)
		return
	}
	spike, _ := traffic.Parse("spike:base=100,peak=1100,at=2m,rise=2m,hold=10m,decay=5m,for=20m", nil)
	res, err := model.Run(context.Background(), sim.Scenario{Name: "tv", Traffic: spike, Event: sim.EventSurprise}, sim.Options{Band: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %.0f%% of the budget burned on average\n", res.Verdict(), 100*res.BudgetBurned)
	fmt.Printf("best timing: %.0f%%, met %v\n", 100*res.Band.Best.BudgetBurned, res.Band.Best.SLOMet)
	fmt.Printf("worst timing: %.0f%%, met %v\n", 100*res.Band.Worst.BudgetBurned, res.Band.Worst.SLOMet)
	// Output:
	// borderline: 53% of the budget burned on average
	// best timing: 32%, met true
	// worst timing: 112%, met false
}
