package review_test

import (
	"time"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/traffic"
)

// The fintech demo's numbers: app (64 workers, 20 ms of I/O wait each:
// 3,200 req/s per replica, 30 µs of CPU per request) calls money 0.6
// times per request (4 workers × 10 ms: 400 req/s per replica, 450 µs of
// CPU per request); everyday traffic 50 req/s on GKE Autopilot.
type deploy struct {
	cpu, limit float64
	min, max   int
	target     int
}

func fintech(app, money deploy, measured bool) sim.System {
	src := sim.CapacityWritten
	if measured {
		src = sim.CapacityMeasured
	}
	hpa := func(d deploy) *sim.HPA {
		return &sim.HPA{MinReplicas: d.min, MaxReplicas: d.max, Metrics: []sim.Metric{
			{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: d.target}}}
	}
	return sim.System{
		Entry: "app",
		Components: []sim.Component{
			{Name: "app", Capacity: sim.Capacity{PerReplicaRPS: 3200, CPUPerRequest: 30e-6, Source: src, Evidence: "app.capacity.json",
				Latency: []sim.LatencyPoint{{Rate: 0, P50: 0.02, P90: 0.02, P99: 0.024}}},
				Resources: sim.Resources{CPURequest: app.cpu, CPULimit: app.limit, MemoryRequest: 512 << 20},
				Startup:   sim.Startup{Schedule: 2 * time.Second, ImagePull: 8 * time.Second, Init: 5 * time.Second, Readiness: 10 * time.Second},
				Timeout:   10 * time.Second, Retries: 1, Calls: []sim.Call{{To: "money", PerRequest: 0.6}}, HPA: hpa(app)},
			{Name: "money", Capacity: sim.Capacity{PerReplicaRPS: 400, CPUPerRequest: 450e-6, Source: src, Evidence: "money.capacity.json",
				Latency: []sim.LatencyPoint{{Rate: 0, P50: 0.01, P90: 0.01, P99: 0.012}}},
				Resources: sim.Resources{CPURequest: money.cpu, CPULimit: money.limit, MemoryRequest: 512 << 20},
				Startup:   sim.Startup{Schedule: 2 * time.Second, ImagePull: 15 * time.Second, Init: 20 * time.Second, Readiness: 10 * time.Second},
				Timeout:   5 * time.Second, HPA: hpa(money)},
		},
		Nodes:      sim.Nodes{Mode: sim.Autopilot},
		Objectives: sim.Objectives{Availability: 0.999, LatencyThreshold: 300 * time.Millisecond, LatencyTarget: 0.99, Window: 30 * 24 * time.Hour, WindowRate: 50},
		Prices:     sim.Prices{Currency: "USD", VCPUHour: 0.0445, GiBHour: 0.0049},
	}
}

// launched is how the team first deployed it; panicked after the
// broadcast.
var (
	launched = deploy{cpu: 0.25, limit: 1, min: 2, max: 20, target: 70}
	panicked = deploy{cpu: 1, min: 12, max: 40, target: 70}
)

func tvScenarios() []sim.Scenario {
	tv, err := traffic.Parse("spike:base=50,multiple=30,at=10m,rise=2m,hold=5m,decay=15m,for=1h30m", nil)
	if err != nil {
		panic(err)
	}
	evening, err := traffic.Parse("stages:start=50,to=150@2h/150@1h/50@2h", nil)
	if err != nil {
		panic(err)
	}
	return []sim.Scenario{{Name: "tv-spike", Traffic: tv, Event: sim.EventAnnounced}, {Name: "evening-peak", Traffic: evening, Duration: 5 * time.Hour, Event: sim.EventSurprise}}
}

func fintechSLOs() []slo.SLO {
	return []slo.SLO{{Name: "app-availability", Service: "app", Target: 0.999, Window: slo.Window{Length: 30 * 24 * time.Hour}}}
}
