package plan

import (
	"context"
	"testing"
)

// BenchmarkPlanTwoComponentsThreeScenarios plans the two-component shop
// over three scenarios (an unannounced step, a TV spike, a daily evening
// ramp), Pareto tables included, and reports the search's figures:
// configurations decided, the size of the grid, and the simulations run.
func BenchmarkPlanTwoComponentsThreeScenarios(b *testing.B) {
	p := shopProblem(b)
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Plan(context.Background(), p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Search.Candidates), "candidates/op")
	b.ReportMetric(res.Search.Space, "space/op")
	b.ReportMetric(float64(res.Search.Simulations), "simulations/op")
	b.ReportMetric(float64(res.Search.Evaluated), "configs-simulated/op")
	b.ReportMetric(float64(res.Search.SteadyRuns), "steady-runs/op")
}

// BenchmarkPlanNoPareto is the main search alone.
func BenchmarkPlanNoPareto(b *testing.B) {
	p := shopProblem(b)
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Plan(context.Background(), p, Options{NoPareto: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Search.Candidates), "candidates/op")
	b.ReportMetric(float64(res.Search.Simulations), "simulations/op")
	b.ReportMetric(float64(res.Search.SteadyRuns), "steady-runs/op")
}

// BenchmarkPlanAsSurprise is the recommendation with every event a
// surprise: no pre-scaling, so floors held all month must carry the
// events, far more candidates fail, and their runs stop at the first
// breach. It is the second search Options.PriceSurprise adds.
func BenchmarkPlanAsSurprise(b *testing.B) {
	p := shopProblem(b)
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Plan(context.Background(), p, Options{NoPareto: true, AsSurprise: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Search.Candidates), "candidates/op")
	b.ReportMetric(float64(res.Search.Simulations), "simulations/op")
	b.ReportMetric(float64(res.Search.SteadyRuns), "steady-runs/op")
}

// BenchmarkPlanStandbyBuffers plans a node-bound Standard system with the
// standby price unknown (room on running nodes searched) and known
// (standby CapacityBuffers searched as well): the cost of the dimension.
func BenchmarkPlanStandbyBuffers(b *testing.B) {
	for _, c := range []struct {
		name  string
		price float64
	}{{"unpriced", 0}, {"priced", 0.012}} {
		b.Run(c.name, func(b *testing.B) {
			p := nodeBoundShop(b)
			p.StandbyNodeHour = c.price
			var res *Result
			for b.Loop() {
				var err error
				if res, err = Plan(context.Background(), p, Options{NoPareto: true}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Search.Simulations), "simulations/op")
			b.ReportMetric(float64(res.Search.Candidates), "candidates/op")
		})
	}
}
