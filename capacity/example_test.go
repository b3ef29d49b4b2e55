package capacity_test

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/stats"
)

// Search finds the knee of any Prober. Here a made-up target serves 400
// requests per second and rejects the excess; the CLI probes real targets
// with the load engine.
func ExampleSearch() {
	slo, _ := stats.ParseThresholds("errors<=0.1%")
	target := capacity.ProberFunc(func(_ context.Context, s capacity.Step) (*stats.Summary, error) {
		rate := s.Rate
		if rate == 0 { // closed-loop warm-up: 50 req/s per connection
			rate = math.Min(400, 50*float64(s.Concurrency))
		}
		sum := &stats.Summary{}
		sum.Requests = int64(rate * s.Hold.Seconds())
		sum.AchievedRate, sum.Throughput = rate, math.Min(rate, 400)
		sum.ErrorRatio = math.Max(0, 1-400/rate)
		return sum, nil
	})
	res, err := capacity.Search(context.Background(), target, capacity.Config{
		SLO:   slo,
		Sleep: func(context.Context, time.Duration) error { return nil }, // no real pauses here
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("knee %.0f req/s, limited by %s, converged %v\n", res.Profile.MaxRate, res.Profile.LimitedBy, res.Converged)
	// Output:
	// knee 400 req/s, limited by errors, converged true
}

// FitUSL fits the Universal Scalability Law to a closed-loop sweep.
func ExampleFitUSL() {
	truth := capacity.USL{Lambda: 1000, Sigma: 0.05, Kappa: 0.0002}
	var sweep []capacity.Concurrency
	for _, n := range []float64{1, 2, 4, 8, 16, 32, 64, 128} {
		sweep = append(sweep, capacity.Concurrency{N: n, Throughput: truth.Throughput(n)})
	}
	u, err := capacity.FitUSL(sweep)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("σ=%.3f κ=%.5f peak %.0f req/s at %.0f in flight (%s dominates)\n",
		u.Sigma, u.Kappa, u.PeakThroughput, u.PeakConcurrency, u.Dominant)
	// Output:
	// σ=0.050 κ=0.00020 peak 12925 req/s at 69 in flight (contention dominates)
}
