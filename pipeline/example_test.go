package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/stats"
)

// A load test's results judged against an SLO file, end to end: the
// files come from memory, the result renders as a report.
func ExampleBudget() {
	// One minute of 100 requests a second, 1 in 100 failing.
	run := &stats.Run{Header: stats.Header{Started: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Mode: stats.ModeOpen},
		Duration: time.Minute}
	for i := range 60 {
		iv := &stats.Interval{Index: i, Start: time.Duration(i) * time.Second, Duration: time.Second}
		for r := range 100 {
			code := 200
			if r == 0 {
				code = 503
			}
			iv.Total.Response(code, 20*time.Millisecond, 20*time.Millisecond, 0, 0)
		}
		run.Add(iv)
	}
	var results bytes.Buffer
	if err := stats.NewWriter(&results).WriteRun(run); err != nil {
		fmt.Println(err)
		return
	}
	files := pipeline.MapFiles{
		"results.jsonl": results.Bytes(),
		"slo.yaml": []byte(`apiVersion: headroom/v1
kind: SLO
name: checkout-availability
service: checkout
availability: {metric: http_requests_total, selector: {job: checkout}, errorCodes: "5.."}
objective: 99.9%
window: 30d
`),
	}
	res, err := pipeline.Budget(context.Background(), files, pipeline.BudgetConfig{SLOFiles: []string{"slo.yaml"}, Run: "results.jsonl"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := res.SLOs[0]
	fmt.Printf("%s: SLI %s of %s events, %s\n", c.SLO.ID(), report.Percent(c.SLI), report.Count(c.Window.Total), c.Verdict)
	fmt.Println("verdict:", res.Verdict())
	doc := res.Document()
	fmt.Println(len(doc.Sections), "sections:", doc.Sections[0].Title, "/", doc.Sections[1].Title)
	// Output:
	// checkout/checkout-availability: SLI 99% of 6,000 events, missed
	// verdict: 1 of 1 objectives missed: checkout/checkout-availability
	// 2 sections: Verdict / checkout/checkout-availability
}

// A System file simulated and planned, end to end: capacity written
// inline, prices from the file, a spike that the HPA alone cannot absorb,
// and the cheapest configuration that can, assuming the date is known.
func ExamplePlan() {
	files := pipeline.MapFiles{"shop.yaml": []byte(`apiVersion: headroom/v1
kind: System
metadata: {name: shop}
spec:
  entry: web
  components:
    - name: web
      capacity:
        perReplicaRPS: 100
        cpuPerRequest: 5ms
        latency: [{rate: 10, p50: 10ms, p90: 20ms, p99: 40ms}, {rate: 100, p50: 20ms, p90: 50ms, p99: 120ms}]
      resources: {requests: {cpu: 500m, memory: 512Mi}}
      startup: 90s
      hpa:
        minReplicas: 2
        maxReplicas: 30
        metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]
  nodes: {mode: autopilot}
  pricing: {currency: USD, vcpuHour: 0.0445, gibHour: 0.0049225, clusterFeeHour: 0.1}
  slo: {availability: 99.9%}
  scenarios:
    - {name: launch, event: announced, traffic: "steps:rates=100/1000,every=10m"}
`)}
	ctx := context.Background()
	sys := pipeline.SystemConfig{File: "shop.yaml"}
	simulated, err := pipeline.Simulate(ctx, files, pipeline.SimulateConfig{System: sys})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("today survives the launch:", simulated.SLOMet)
	planned, err := pipeline.Plan(ctx, files, pipeline.PlanConfig{System: sys, Options: plan.Options{NoPareto: true}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("the plan survives it:", planned.Recommended != nil && planned.Recommended.SLOMet)
	fmt.Println("it saves money:", planned.Saving > 0)
	doc := planned.Document("headroom plan -f shop.yaml", nil)
	fmt.Println(doc.Title, "·", doc.Subtitle)
	// Output:
	// today survives the launch: false
	// the plan survives it: true
	// it saves money: true
	// shop — plan · For launch, in USD · reproduce with: headroom plan -f shop.yaml
}
