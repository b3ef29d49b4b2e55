package rightsize_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/rightsize"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/traffic"
)

// webSystem is one component, web: 100 req/s per replica at 3ms of CPU a
// request (0.3 cores at capacity), a 500m request, an HPA on CPU at 60%
// with 4 to 20 replicas, and a three-minute start-up. Its scenario holds
// 150 req/s for 10 minutes, then jumps to 350 req/s: four replicas (400
// req/s) absorb the jump; two would fail requests until new pods start.
func webSystem(t *testing.T) rightsize.SystemCheck {
	t.Helper()
	jump, err := traffic.Parse("steps:rates=150/350,every=10m", nil)
	if err != nil {
		t.Fatal(err)
	}
	return rightsize.SystemCheck{
		System: sim.System{
			Entry: "web",
			Components: []sim.Component{{
				Name:      "web",
				Capacity:  sim.Capacity{PerReplicaRPS: 100, CPUPerRequest: 0.003},
				Resources: sim.Resources{CPURequest: 0.5, MemoryRequest: 256 * mi},
				Startup:   sim.Startup{Schedule: time.Second, ImagePull: 20 * time.Second, Init: 140 * time.Second, Readiness: 20 * time.Second},
				HPA: &sim.HPA{MinReplicas: 4, MaxReplicas: 20, Metrics: []sim.Metric{
					{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 60}}},
			}},
			Objectives: sim.Objectives{Availability: 0.999, MaxBudgetBurn: 0.01},
		},
		Scenarios: []sim.Scenario{{Name: "jump", Traffic: jump, Duration: 20 * time.Minute}},
	}
}

func TestVerifyKeepsWhatTheSimulatorPassesAndRejectsTheRest(t *testing.T) {
	c := &rightsize.Cluster{Workloads: []rightsize.Workload{
		{WorkloadRef: ref("Deployment", "shop", "web"), Replicas: 4, Containers: []rightsize.Container{ctr("web", 0.5, 256*mi)},
			HPA: &rightsize.HPA{Name: "web", MinReplicas: 4, MaxReplicas: 20, CurrentReplicas: 4, CPUTarget: 0.6, CPUMetric: 0}},
		{WorkloadRef: ref("Deployment", "shop", "api"), Replicas: 2, Containers: []rightsize.Container{ctr("api", 1, 1*gi)}},
	}}
	// web runs at 0.1 core of its 500m at p99, and sat at its minimum of
	// 4 all window: its request can drop to 353m with the HPA target at
	// 85% (the same 300m scaling point), and its HPA would keep 2 pods,
	// not 4. api is not in the system.
	web := live(stats("web", 0.1, 0.15, 200*mi))
	web.WorkloadHistory = rightsize.WorkloadHistory{Has: rightsize.StatReplicas, AvgReplicas: 4}
	u := rightsize.WorkloadUsage{
		ref("Deployment", "shop", "web"): web,
		ref("Deployment", "shop", "api"): live(stats("api", 0.2, 0.3, 300*mi)),
	}
	r, err := rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	find(t, r, rightsize.ActionHPAMin, "web") // there is one to reject
	if err := rightsize.Verify(context.Background(), c, r, webSystem(t)); err != nil {
		t.Fatal(err)
	}
	got := map[string]rightsize.Risk{}
	var sum float64
	for _, x := range r.Recommendations {
		got[string(x.Action)+" "+x.Workload] = x.Risk
		sum += x.MonthlySaving
	}
	want := map[string]rightsize.Risk{
		"requests web": rightsize.RiskSLOChecked, // same scaling point: the jump is absorbed as before
		"requests api": rightsize.RiskMedium,     // not in the system: its own risk stays
	}
	if len(got) != len(want) {
		t.Errorf("recommendations = %v; want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: risk %q; want %q", k, got[k], w)
		}
	}
	var rejected string
	for _, s := range r.Skipped {
		if s.Workload == "web" {
			rejected = s.Reason
		}
	}
	if !strings.Contains(rejected, "hpa-min rejected: the SLO breaks in scenario jump") {
		t.Errorf("skipped = %+v; want the lower HPA minimum rejected by the jump", r.Skipped)
	}
	if sum != r.TotalMonthlySaving {
		t.Errorf("total = %g; want the sum of what is left, %g", r.TotalMonthlySaving, sum)
	}
	if n := r.Notes[len(r.Notes)-1]; !strings.Contains(n, "1 change(s) kept the SLO, 1 rejected") {
		t.Errorf("note = %q", n)
	}
}
