package capacity_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/stats"
)

// model is a target whose capacity is known by construction: w workers
// each taking s; beyond w/s the excess is rejected (errors) or queued
// (latency grows with the backlog over the step).
type model struct {
	w       float64
	s       time.Duration
	queue   bool
	genMax  float64 // the generator falls behind above this rate (0: never)
	probes  []capacity.Step
	noiseAt float64 // a rate whose first measurement is spuriously bad
}

func (m *model) capacity() float64 { return m.w / m.s.Seconds() }

func (m *model) Probe(_ context.Context, st capacity.Step) (*stats.Summary, error) {
	m.probes = append(m.probes, st)
	sum := &stats.Summary{}
	c := m.capacity()
	rate := st.Rate
	if rate == 0 { // closed loop: never more than the concurrency allows
		rate = math.Min(float64(st.Concurrency)/m.s.Seconds(), c)
	}
	sum.TargetRate = rate
	sum.Requests = int64(rate * st.Hold.Seconds())
	served := math.Min(rate, c)
	base := m.s.Seconds()
	lat := base
	switch {
	case rate > c && m.queue:
		// The backlog grows at (rate−c) for the hold; the mean wait is half
		// the final backlog's drain time, p99 nearly all of it.
		backlog := (rate - c) * st.Hold.Seconds()
		lat = base + backlog/c
	case rate > c:
		sum.ErrorRatio = 1 - c/rate
	default:
		// Queueing below capacity: a mild rise near saturation.
		rho := rate / c
		lat = base * (1 + rho*rho*rho)
	}
	if m.noiseAt > 0 && math.Abs(rate-m.noiseAt) < 1e-9 {
		sum.ErrorRatio, m.noiseAt = 0.5, 0
	}
	sum.SuccessRatio = 1 - sum.ErrorRatio
	sum.AchievedRate = rate
	sum.Throughput = served
	if m.queue {
		sum.Throughput = math.Min(rate, c)
	}
	sum.Latency = stats.Latency{P50: lat, P90: lat * 1.5, P99: lat * 2, Mean: lat}
	sum.Scheduled = sum.Requests
	if m.genMax > 0 && rate > m.genMax {
		sum.LateRatio = 0.2
		sum.Late = int64(0.2 * float64(sum.Scheduled))
	}
	return sum, nil
}

func thresholds(t *testing.T, s string) []stats.Threshold {
	t.Helper()
	ths, err := stats.ParseThresholds(s)
	if err != nil {
		t.Fatal(err)
	}
	return ths
}

func TestSearchFindsTheKnee(t *testing.T) {
	tests := []struct {
		name      string
		m         *model
		slo       string
		wantKnee  float64 // per second
		wantLimit capacity.LimitedBy
	}{
		{"an error-only SLO finds W/S of a rejecting server", &model{w: 8, s: 20 * time.Millisecond}, "errors<=0.1%", 400 / 0.999, capacity.LimitedByErrors},
		{"a large server is found within the step budget", &model{w: 200, s: 10 * time.Millisecond}, "errors<=1%", 20000 / 0.99, capacity.LimitedByErrors},
		// Queueing: p99 = 2·(S + backlog/c) stays ≤ 100 ms while the backlog over
		// a 10 s step is ≤ (0.05−0.02)·c: rate ≤ c·(1 + 0.03/10).
		{"a latency SLO on a queueing server stops where the queue breaks it", &model{w: 4, s: 20 * time.Millisecond, queue: true}, "p99<=100ms", 200 * 1.003, capacity.LimitedByLatency},
		// Below capacity, p99 = 2·S·(1+ρ³) ≤ 60 ms → ρ ≤ 0.5^(1/3).
		{"a latency SLO below saturation", &model{w: 10, s: 20 * time.Millisecond}, "p99<=60ms,errors<=1%", 500 * math.Cbrt(0.5), capacity.LimitedByLatency},
		{"a generator that cannot keep up is reported", &model{w: 100, s: 10 * time.Millisecond, genMax: 3000}, "errors<=1%", 0, capacity.LimitedByGenerator},
		// At 4000/s 20% of sends are late but half the requests fail: the
		// target, not the generator, broke.
		{"errors far beyond the late sends blame the target", &model{w: 20, s: 10 * time.Millisecond, genMax: 3000}, "errors<=1%", 2000 / 0.99, capacity.LimitedByErrors},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := capacity.Search(context.Background(), tt.m, capacity.Config{
				SLO: thresholds(t, tt.slo), Hold: 10 * time.Second, Sleep: func(context.Context, time.Duration) error { return nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Profile.LimitedBy != tt.wantLimit {
				t.Errorf("limited by %q; want %q", res.Profile.LimitedBy, tt.wantLimit)
			}
			open := 0
			for _, p := range tt.m.probes {
				if p.Rate > 0 {
					open++
				}
			}
			if open > capacity.DefaultMaxSteps {
				t.Errorf("%d open-model steps; want at most %d", open, capacity.DefaultMaxSteps)
			}
			if tt.wantLimit == capacity.LimitedByGenerator {
				if res.Profile.MaxRate > 3000 {
					t.Errorf("max rate %g is beyond what the generator could send", res.Profile.MaxRate)
				}
				return
			}
			got := res.Profile.MaxRate
			if got < tt.wantKnee*0.95 || got > tt.wantKnee*1.0001 {
				t.Errorf("knee = %.1f/s; want within 5%% below %.1f/s (steps %v)", got, tt.wantKnee, rates(tt.m.probes))
			}
			for _, p := range tt.m.probes {
				if p.Rate > 2*tt.wantKnee {
					t.Errorf("a step at %.0f/s overshot the knee %.0f/s by more than 2×", p.Rate, tt.wantKnee)
				}
			}
			if !res.Converged {
				t.Errorf("did not converge: [%g, %g]", res.Lo, res.Hi)
			}
		})
	}
}

// A spuriously bad measurement near the knee is caught by the repeat.
func TestSearchRepeatsNearTheKnee(t *testing.T) {
	m := &model{w: 8, s: 20 * time.Millisecond}
	first := true
	var res *capacity.Result
	var err error
	// Make the first bisection probe noisy: find it by running once.
	probe := capacity.ProberFunc(func(ctx context.Context, st capacity.Step) (*stats.Summary, error) {
		sum, err := m.Probe(ctx, st)
		if first && st.Rate > 0 && st.Rate < 400 && st.Rate > 380 {
			first = false
			sum.ErrorRatio, sum.SuccessRatio = 0.3, 0.7
		}
		return sum, err
	})
	res, err = capacity.Search(context.Background(), probe, capacity.Config{
		SLO: thresholds(t, "errors<=0.1%"), Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Profile.MaxRate < 380 || res.Profile.MaxRate > 400 {
		t.Errorf("knee = %.1f after a noisy step; want 380–400 (steps %v)", res.Profile.MaxRate, rates(m.probes))
	}
	repeats := 0
	for _, s := range res.Steps {
		if s.Phase == "repeat" {
			repeats++
		}
	}
	if repeats == 0 {
		t.Error("no point was repeated")
	}
}

func TestSearchEstimatesCPUPerRequest(t *testing.T) {
	m := &model{w: 8, s: 20 * time.Millisecond}
	var clock time.Time
	var cpu fakeCPU
	// 2 ms of CPU per request plus 0.05 cores idle, over each step's hold.
	probe := capacity.ProberFunc(func(ctx context.Context, st capacity.Step) (*stats.Summary, error) {
		sum, err := m.Probe(ctx, st)
		cpu += fakeCPU((sum.Throughput*0.002 + 0.05) * st.Hold.Seconds())
		clock = clock.Add(st.Hold)
		return sum, err
	})
	res, err := capacity.Search(context.Background(), probe, capacity.Config{
		SLO: thresholds(t, "errors<=0.1%"), CPU: &cpu, CPURequest: 2,
		Sleep: func(context.Context, time.Duration) error { return nil },
		Now:   func() time.Time { return clock },
	})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Profile
	if p.CPUPerRequest == nil {
		t.Fatal("no CPU per request")
	}
	if math.Abs(*p.CPUPerRequest-0.002) > 1e-6 {
		t.Errorf("cpu per request = %g; want 0.002", *p.CPUPerRequest)
	}
	want := (0.002*p.MaxRate + 0.05) / 2
	if p.CPUUtilizationAtKnee == nil || math.Abs(*p.CPUUtilizationAtKnee-want) > 1e-3 {
		t.Errorf("utilisation at knee = %v; want %.3f", p.CPUUtilizationAtKnee, want)
	}
}

// fakeCPU is a cumulative CPU counter, in seconds.
type fakeCPU float64

func (f *fakeCPU) CPUSeconds(context.Context) (float64, error) { return float64(*f), nil }

func rates(ss []capacity.Step) []float64 {
	var out []float64
	for _, s := range ss {
		if s.Rate > 0 {
			out = append(out, math.Round(s.Rate))
		}
	}
	return out
}
