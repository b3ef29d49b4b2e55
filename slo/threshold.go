package slo

import (
	"errors"

	"github.com/headroom-sre/headroom/stats"
)

// ErrNoLoadThreshold is returned by [SLO.LoadThreshold] for an SLO a load
// test cannot judge: a threshold-metric or raw-query indicator.
var ErrNoLoadThreshold = errors.New("only availability and latency (histogram bucket) SLOs apply to a load test")

// LoadThreshold is the bound a load test (or a capacity step) must meet
// for the SLO to hold: an availability objective of 99.9% is errors<=0.1%;
// a latency objective "99% of requests within 300ms" is p99<=300ms. A
// target between the quantiles the load engine reports uses the next
// stricter one (99.5% → p999).
//
// It is the one conversion from an objective to a load threshold; its
// counterpart for the simulator is sim.ObjectivesFromSLOs.
func (s SLO) LoadThreshold() (stats.Threshold, error) {
	if d, ok := s.Indicator.LatencyBound(); ok {
		q := "p999"
		for _, c := range []struct {
			name string
			q    float64
		}{{"p50", 0.5}, {"p90", 0.9}, {"p95", 0.95}, {"p99", 0.99}, {"p999", 0.999}} {
			if s.Target <= c.q+1e-12 {
				q = c.name
				break
			}
		}
		return stats.Threshold{Metric: q, Op: "<=", Value: d.Seconds()}, nil
	}
	if s.Indicator.IsThreshold() || !s.Indicator.Raw.IsZero() {
		return stats.Threshold{}, ErrNoLoadThreshold
	}
	return stats.Threshold{Metric: "errors", Op: "<=", Value: s.ErrorBudget()}, nil
}
