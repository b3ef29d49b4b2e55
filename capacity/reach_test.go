package capacity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/stats"
)

// generator plays a load generator that falls behind above max sends per
// second (a busy machine), sending to a target that does no work. The
// first hiccups steps fall behind whatever their rate.
type generator struct {
	max     float64
	hiccups int
	rates   []float64
}

func (g *generator) Probe(_ context.Context, st capacity.Step) (*stats.Summary, error) {
	g.rates = append(g.rates, st.Rate)
	sum := &stats.Summary{}
	sum.Scheduled = int64(st.Rate * st.Hold.Seconds())
	sum.Requests, sum.Successes = sum.Scheduled, sum.Scheduled
	sum.AchievedRate, sum.Throughput = st.Rate, st.Rate
	if st.Rate > g.max || g.hiccups > 0 {
		g.hiccups--
		sum.Late = sum.Scheduled / 4
		sum.LateRatio = 0.25
	}
	return sum, nil
}

func TestGeneratorReach(t *testing.T) {
	tests := []struct {
		name    string
		g       *generator
		max     float64
		want    float64
		atMax   bool
		retries int
	}{
		{"doubling up to the generator's limit", &generator{max: 1000}, 6400, 800, false, 1},
		{"enough for everything asked", &generator{max: 100000}, 6400, 6400, true, 0},
		{"a busy moment is retried", &generator{max: 100000, hiccups: 1}, 6400, 6400, true, 1},
		{"below the first rate, halving", &generator{max: 60}, 6400, 50, false, 2},
		{"nothing held", &generator{max: 1}, 6400, 0, false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := capacity.GeneratorReach(context.Background(), tt.g, capacity.ReachConfig{Max: tt.max, Hold: time.Second,
				Sleep: func(context.Context, time.Duration) error { return nil }})
			if err != nil {
				t.Fatal(err)
			}
			if r.Rate != tt.want || r.AtMax != tt.atMax {
				t.Errorf("reach %g (at max %v); want %g (%v); rates tried %v", r.Rate, r.AtMax, tt.want, tt.atMax, tt.g.rates)
			}
			retries := 0
			for _, s := range r.Steps {
				if s.Phase == "retry" {
					retries++
				}
				if s.Step.Rate > tt.max {
					t.Errorf("tried %g/s, above the most asked for", s.Step.Rate)
				}
			}
			if retries != tt.retries {
				t.Errorf("%d retries; want %d (rates %v)", retries, tt.retries, tt.g.rates)
			}
		})
	}
}

func TestGeneratorReachOfAClosedPort(t *testing.T) {
	refused := capacity.ProberFunc(func(_ context.Context, st capacity.Step) (*stats.Summary, error) {
		sum := &stats.Summary{}
		sum.Requests = int64(st.Rate * st.Hold.Seconds())
		sum.Errors = map[string]int64{stats.ErrRefused: sum.Requests}
		sum.ErrorRatio = 1
		return sum, nil
	})
	_, err := capacity.GeneratorReach(context.Background(), refused, capacity.ReachConfig{Max: 1000, Target: "http://127.0.0.1:9/healthz"})
	var ue *capacity.UnreachableError
	if !errors.As(err, &ue) {
		t.Errorf("error %v; want an UnreachableError", err)
	}
	if _, err := capacity.GeneratorReach(context.Background(), refused, capacity.ReachConfig{}); err == nil {
		t.Error("no Max: want an error")
	}
}
