package sim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/traffic"
)

// The HPA's replica calculation on its own: ten pods at 90% of their CPU
// request with a 60% target ask for fifteen.
func ExampleMetricReplicas() {
	pods := []sim.Pod{{Count: 10, Phase: sim.PodRunning, Ready: true, Request: 500, HasMetric: true, Value: 450}}
	cpu := sim.Metric{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 60}
	in := sim.ReplicaInput{Now: time.Hour, Replicas: 10, Pods: pods, Tolerances: sim.Tolerances{Down: 0.1, Up: 0.1}}
	replicas, utilization, err := sim.MetricReplicas(cpu, in)
	fmt.Println(replicas, utilization, err)
	// Output: 15 90 <nil>
}

// A web service at 100 req/s per replica, scaled on CPU, meets a TV spike
// from 100 to 3000 req/s. Its pods take 40 s to start on Autopilot.
func ExampleModel_Run() {
	system := sim.System{
		Entry: "web",
		Components: []sim.Component{{
			Name:      "web",
			Capacity:  sim.Capacity{PerReplicaRPS: 100},
			Resources: sim.Resources{CPURequest: 0.5, CPULimit: 1, MemoryRequest: 1 << 30},
			Startup:   sim.Startup{ImagePull: 10 * time.Second, Init: 30 * time.Second},
			HPA: &sim.HPA{MinReplicas: 2, MaxReplicas: 60, Metrics: []sim.Metric{
				{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 60}}},
		}},
		Nodes:      sim.Nodes{Mode: sim.Autopilot, BufferCPU: 4, BufferMemory: 8 << 30},
		Objectives: sim.Objectives{Availability: 0.999},
	}
	// Autopilot's list prices in us-central1, from the shipped catalog.
	catalog := pricing.GCP()
	rate, err := catalog.Autopilot("us-central1", pricing.GeneralPurpose)
	if err != nil {
		fmt.Println(err)
		return
	}
	system.Prices = sim.Prices{Currency: "USD", VCPUHour: rate.VCPU.USD, GiBHour: rate.GiB.USD, ClusterFeeHour: catalog.ClusterFee.USD}
	model, err := sim.Compile(system)
	if err != nil {
		fmt.Println(err)
		return
	}
	spike, _ := traffic.Parse("spike:base=100,peak=3000,at=5m,rise=1m,hold=10m,decay=10m,for=1h", nil)
	res, err := model.Run(context.Background(), sim.Scenario{Name: "tv", Traffic: spike}, sim.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	web := res.Components[0]
	fmt.Printf("SLO met: %v, %.1f%% of requests failed, %.0f%% of the budget burned\n", res.SLOMet, 100*res.Failed/res.Requests, 100*res.BudgetBurned)
	fmt.Printf("ready replicas %d → peak %d; worst p99 %.1fs; bottleneck %s\n", web.ReadyStart, web.PeakReady, res.WorstP99, res.Bottleneck)
	fmt.Printf("first breach at T+%vs\n", *res.FirstBreach)
	fmt.Printf("cost $%.2f for the hour, $%.0f a month at the final state\n", res.Cost.Scenario, res.Cost.Monthly)
	// Output:
	// SLO met: false, 11.1% of requests failed, 165% of the budget burned
	// ready replicas 3 → peak 60; worst p99 30.0s; bottleneck web
	// first breach at T+341s
	// cost $1.11 for the hour, $351 a month at the final state
}
