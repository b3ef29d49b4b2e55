package stats_test

import (
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/stats"
)

// Percentiles of two load generators are read from their merged
// histograms, never averaged.
func ExampleHistogram() {
	var a, b stats.Histogram
	for i := 1; i <= 900; i++ {
		a.Record(time.Millisecond) // a fast generator's view
	}
	for i := 1; i <= 100; i++ {
		b.Record(100 * time.Millisecond) // the other one saw a stall
	}
	a.Merge(&b)
	fmt.Println("requests:", a.Count())
	fmt.Println("p50:", a.Quantile(0.50))
	fmt.Println("p95:", a.Quantile(0.95))
	fmt.Println("at or below 10ms:", a.CountAtOrBelow(10*time.Millisecond))
	// Output:
	// requests: 1000
	// p50: 1ms
	// p95: 100.031ms
	// at or below 10ms: 900
}

// Thresholds are checked against a run's figures.
func ExampleEvaluate() {
	ths, err := stats.ParseThresholds("p99<300ms,errors<1%")
	if err != nil {
		fmt.Println(err)
		return
	}
	var b stats.Bucket
	for i := 0; i < 98; i++ {
		b.Response(200, 20*time.Millisecond, 20*time.Millisecond, 100, 0)
	}
	b.Response(503, 350*time.Millisecond, 5*time.Millisecond, 0, 0)
	b.Failure(stats.ErrTimeout, 400*time.Millisecond, 400*time.Millisecond, 0)
	s := stats.StatsOf(&b, 10*time.Second, false)
	for _, r := range stats.Evaluate(ths, &s) {
		fmt.Printf("%-11s observed %-8g pass=%v\n", r.Threshold, r.Observed, r.Pass)
	}
	// Output:
	// p99<300ms   observed 0.350207 pass=false
	// errors<1%   observed 0.02     pass=false
}
