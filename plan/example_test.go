package plan_test

import (
	"context"
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/traffic"
)

// An API on Autopilot whose pods take two minutes to start meets a TV
// spike twenty times its evening traffic. Today it runs four replicas at
// a 50% CPU target and cannot keep up. The broadcast is announced, so the
// plan runs it leaner and raises its floor just before; had nobody known
// the date, only a higher floor all month would do (Result.Surprise).
func ExamplePlan() {
	catalog := pricing.GCP() // Autopilot's list prices in us-central1
	rate, err := catalog.Autopilot("us-central1", pricing.GeneralPurpose)
	if err != nil {
		fmt.Println(err)
		return
	}
	system := sim.System{
		Entry: "api",
		Components: []sim.Component{{
			Name:      "api",
			Capacity:  sim.Capacity{PerReplicaRPS: 200},
			Resources: sim.Resources{CPURequest: 1, CPULimit: 1, MemoryRequest: 1 << 30},
			Startup:   sim.Startup{ImagePull: 20 * time.Second, Init: 100 * time.Second},
			HPA: &sim.HPA{MinReplicas: 4, MaxReplicas: 30, Metrics: []sim.Metric{
				{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 50}}},
		}},
		Nodes:      sim.Nodes{Mode: sim.Autopilot},
		Objectives: sim.Objectives{Availability: 0.999},
		Prices:     sim.Prices{Currency: "USD", VCPUHour: rate.VCPU.USD, GiBHour: rate.GiB.USD, ClusterFeeHour: catalog.ClusterFee.USD},
	}
	tv, _ := traffic.Parse("spike:base=150,multiple=20,at=20m,rise=1m,hold=15m,decay=5m", nil)
	res, err := plan.Plan(context.Background(), plan.Problem{
		System:    system,
		Scenarios: []plan.Scenario{{Scenario: sim.Scenario{Name: "broadcast", Traffic: tv, Duration: time.Hour, Event: sim.EventAnnounced}}},
	}, plan.Options{NoPareto: true, PriceSurprise: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("today: %.2f %s a month, SLO met %v\n", res.Current.MonthlyCost, res.Currency, res.Current.SLOMet)
	fmt.Printf("plan:  %.2f %s a month, SLO met %v, %s\n", res.Recommended.MonthlyCost, res.Currency, res.Recommended.SLOMet, res.Assumption)
	for _, c := range res.Changes {
		fmt.Printf("  %s %s: %s → %s\n", c.Component, c.Setting, c.From, c.To)
	}
	if s := res.Surprise; s != nil && s.Recommended != nil {
		fmt.Printf("plan:  %.2f %s a month, %s (+%.2f)\n", s.Recommended.MonthlyCost, s.Currency, s.Assumption, res.SurpriseExtra)
		for _, c := range s.Changes {
			fmt.Printf("  %s %s: %s → %s\n", c.Component, c.Setting, c.From, c.To)
		}
	}
	// Output:
	// today: 217.69 USD a month, SLO met false
	// plan:  145.60 USD a month, SLO met true, assuming you know the date
	//   api minReplicas: 4 → 2
	//   api target: CPU 50% → CPU 70%
	//   api pre-scale: none → 14 replicas 5m before broadcast
	// plan:  542.32 USD a month, for a surprise (+396.72)
	//   api minReplicas: 4 → 13
	//   api target: CPU 50% → CPU 45%
}
