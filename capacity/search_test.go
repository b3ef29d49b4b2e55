package capacity_test

import (
	"context"
	"errors"
	"math"
	"strings"
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

// noSleep skips the search's pauses.
func noSleep(context.Context, time.Duration) error { return nil }

// A step the generator could not hold is run again; a passing retry lets
// the search go on to the real knee, and the step held by nobody stays out
// of the curve.
func TestSearchRetriesAStepTheGeneratorCouldNotHold(t *testing.T) {
	m := &model{w: 8, s: 20 * time.Millisecond} // 400/s, rejecting
	hiccups := 0
	probe := capacity.ProberFunc(func(ctx context.Context, st capacity.Step) (*stats.Summary, error) {
		sum, err := m.Probe(ctx, st)
		if st.Rate > 0 && hiccups == 0 { // the machine is busy for one step
			hiccups++
			sum.LateRatio, sum.Late = 0.3, int64(0.3*float64(sum.Scheduled))
		}
		return sum, err
	})
	res, err := capacity.Search(context.Background(), probe, capacity.Config{SLO: thresholds(t, "errors<=0.1%"), Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Profile
	if p.LimitedBy != capacity.LimitedByErrors || p.LowerBound || p.MaxRate < 380 || p.MaxRate > 401 {
		t.Errorf("after a retried step: %.1f/s limited by %s (lower bound %v); want the knee near 400 limited by errors", p.MaxRate, p.LimitedBy, p.LowerBound)
	}
	var phases []string
	for _, s := range res.Steps {
		phases = append(phases, s.Phase)
	}
	if len(phases) < 2 || phases[len(m.warmups()):][1] != "retry" {
		t.Errorf("phases %v; want the first open step retried", phases)
	}
	held := 0
	for _, pt := range p.Points {
		if !pt.GeneratorLimited {
			held++
		}
	}
	if got := len(p.Curve()); got > held || held != len(p.Points)-1 {
		t.Errorf("curve has %d points of %d (%d held); want the generator-limited one left out", got, len(p.Points), held)
	}
}

// warmups counts the closed-loop probes the model saw.
func (m *model) warmups() []capacity.Step {
	var out []capacity.Step
	for _, p := range m.probes {
		if p.Rate == 0 {
			out = append(out, p)
		}
	}
	return out
}

// What cannot be measured is never reported as a capacity: a generator
// that stays behind, or a search out of steps, gives a marked lower bound;
// the rate cap is reported as the cap.
func TestSearchMarksLowerBounds(t *testing.T) {
	tests := []struct {
		name      string
		m         *model
		cfg       capacity.Config
		limit     capacity.LimitedBy
		lower     bool
		retries   int     // retry steps expected
		maxRateAt float64 // max_rate must not exceed this
	}{
		{"a generator behind after every retry", &model{w: 100, s: 10 * time.Millisecond, genMax: 3000},
			capacity.Config{GeneratorRetries: 2}, capacity.LimitedByGenerator, true, 2, 3000},
		{"no retry when told so", &model{w: 100, s: 10 * time.Millisecond, genMax: 3000},
			capacity.Config{GeneratorRetries: -1}, capacity.LimitedByGenerator, true, 0, 3000},
		{"out of steps before anything broke", &model{w: 1000, s: 10 * time.Millisecond},
			capacity.Config{MaxSteps: 2}, capacity.LimitedByInconclusive, true, 0, 100000},
		{"the cap reached with the SLO holding", &model{w: 1000, s: 10 * time.Millisecond},
			capacity.Config{MaxRate: 5000}, capacity.LimitedByMaxRate, false, 0, 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.SLO, cfg.Sleep = thresholds(t, "errors<=1%"), noSleep
			res, err := capacity.Search(context.Background(), tt.m, cfg)
			if err != nil {
				t.Fatal(err)
			}
			p := res.Profile
			if p.LimitedBy != tt.limit || p.LowerBound != tt.lower || p.IsLowerBound() != tt.lower {
				t.Errorf("limited_by %q, lower_bound %v; want %q, %v", p.LimitedBy, p.LowerBound, tt.limit, tt.lower)
			}
			if p.MaxRate > tt.maxRateAt {
				t.Errorf("max_rate %.0f beyond %.0f, what was measured", p.MaxRate, tt.maxRateAt)
			}
			if tt.limit != capacity.LimitedByLatency && tt.limit != capacity.LimitedByErrors && p.Note == "" {
				t.Error("no note says why the search stopped")
			}
			retries := 0
			for _, s := range res.Steps {
				if s.Phase == "retry" {
					retries++
				}
			}
			if retries != tt.retries {
				t.Errorf("%d retries; want %d", retries, tt.retries)
			}
			if err := p.Validate(); p.MaxRate > 0 && err != nil {
				t.Errorf("the profile does not validate: %v", err)
			}
		})
	}
}

// A target that never answers has no capacity: the search ends with an
// UnreachableError instead of inventing one. A target that stops
// accepting connections mid-search does too, while one that times out
// under overload is just failing its objectives.
func TestSearchRefusesATargetThatDoesNotAnswer(t *testing.T) {
	refuseAll := func(st capacity.Step) bool { return true }
	tests := []struct {
		name    string
		refuse  func(capacity.Step) bool // steps that get no answer
		class   string
		wantErr bool
		stopped bool
	}{
		{"a closed port", refuseAll, stats.ErrRefused, true, false},
		{"an unknown host", refuseAll, stats.ErrDNS, true, false},
		{"every first request timing out", refuseAll, stats.ErrTimeout, true, false},
		{"a target gone after the warm-up", func(st capacity.Step) bool { return st.Rate > 0 }, stats.ErrRefused, true, true},
		{"a target timing out under overload", func(st capacity.Step) bool { return st.Rate > 500 }, stats.ErrTimeout, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &model{w: 8, s: 20 * time.Millisecond}
			probe := capacity.ProberFunc(func(ctx context.Context, st capacity.Step) (*stats.Summary, error) {
				sum, err := m.Probe(ctx, st)
				if tt.refuse(st) {
					sum.Errors = map[string]int64{tt.class: sum.Requests}
					sum.ErrorRatio, sum.SuccessRatio, sum.Throughput, sum.Successes = 1, 0, 0, 0
				}
				return sum, err
			})
			res, err := capacity.Search(context.Background(), probe, capacity.Config{SLO: thresholds(t, "p99<=500ms"), Sleep: noSleep, Target: "http://127.0.0.1:1/"})
			var ue *capacity.UnreachableError
			if got := errors.As(err, &ue); got != tt.wantErr {
				t.Fatalf("error %v; want an UnreachableError: %v", err, tt.wantErr)
			}
			if !tt.wantErr {
				if res.Profile.MaxRate <= 0 {
					t.Errorf("no knee found: %+v", res.Profile)
				}
				return
			}
			if ue.Stopped != tt.stopped || ue.Errors[tt.class] == 0 || !strings.Contains(ue.Error(), tt.class) || !strings.Contains(ue.Error(), "127.0.0.1:1") {
				t.Errorf("error %q (stopped %v); want it to name the target and %s, stopped %v", ue, ue.Stopped, tt.class, tt.stopped)
			}
			if res.Profile.MaxRate != 0 {
				t.Errorf("max_rate %.1f for a target that did not answer", res.Profile.MaxRate)
			}
		})
	}
}

// A step in which nothing succeeded never passes, even when the objectives
// are only about latency: a fast 500 is not a capacity.
func TestSearchNeedsSuccessesToPass(t *testing.T) {
	probe := capacity.ProberFunc(func(_ context.Context, st capacity.Step) (*stats.Summary, error) {
		sum := &stats.Summary{}
		rate := st.Rate
		if rate == 0 {
			rate = 100 * float64(st.Concurrency)
		}
		sum.Requests = int64(rate * st.Hold.Seconds())
		sum.Scheduled, sum.AchievedRate = sum.Requests, rate
		sum.StatusCodes = map[int]int64{500: sum.Requests}
		sum.ErrorRatio = 1
		sum.Latency = stats.Latency{P50: 0.001, P90: 0.001, P99: 0.002, Mean: 0.001}
		return sum, nil
	})
	res, err := capacity.Search(context.Background(), probe, capacity.Config{SLO: thresholds(t, "p99<=100ms"), Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Profile; p.MaxRate != 0 || p.LimitedBy != capacity.LimitedByErrors {
		t.Errorf("a target answering only 500s: %.1f/s limited by %s; want 0, limited by errors", p.MaxRate, p.LimitedBy)
	}
	for _, s := range res.Steps {
		if len(s.Failed) == 0 {
			t.Errorf("step %s at %.0f/s passed with no success", s.Phase, s.Step.Rate)
		}
	}
}

// Settle passes a measured capacity on, and replaces anything else by the
// known capacity, saying why.
func TestSettle(t *testing.T) {
	tests := []struct {
		name     string
		p        capacity.Profile
		wantRate float64
		fallback bool
		why      string
	}{
		{"a knee", capacity.Profile{MaxRate: 380, LimitedBy: capacity.LimitedByLatency}, 380, false, ""},
		{"the cap", capacity.Profile{MaxRate: 500, LimitedBy: capacity.LimitedByMaxRate}, 500, false, ""},
		{"a generator limit", capacity.Profile{MaxRate: 185, LimitedBy: capacity.LimitedByGenerator, LowerBound: true, Note: "the load generator fell behind at 370/s"}, 400, true, "fell behind"},
		{"an old generator-limited profile", capacity.Profile{MaxRate: 185, LimitedBy: capacity.LimitedByGenerator}, 400, true, "limited_by: generator"},
		{"an inconclusive search", capacity.Profile{MaxRate: 100, LimitedBy: capacity.LimitedByInconclusive, LowerBound: true}, 400, true, "inconclusive"},
		{"objectives that never held", capacity.Profile{SLO: "p99<=100ms", LimitedBy: capacity.LimitedByLatency, Points: []capacity.Point{{Rate: 50}, {Rate: 25}}}, 400, true, "did not hold even at 25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := capacity.Settle(&tt.p, 400)
			if got.Rate != tt.wantRate || got.Fallback != tt.fallback || !strings.Contains(got.Why, tt.why) {
				t.Errorf("Settle = %+v; want rate %g, fallback %v, why containing %q", got, tt.wantRate, tt.fallback, tt.why)
			}
		})
	}
}

// A profile may say inconclusive, and says whether it is a lower bound.
func TestProfileLowerBounds(t *testing.T) {
	for _, tt := range []struct {
		p     capacity.Profile
		lower bool
	}{
		{capacity.Profile{MaxRate: 1, LimitedBy: capacity.LimitedByInconclusive}, true},
		{capacity.Profile{MaxRate: 1, LimitedBy: capacity.LimitedByGenerator}, true},
		{capacity.Profile{MaxRate: 1, LimitedBy: capacity.LimitedByLatency, LowerBound: true}, true},
		{capacity.Profile{MaxRate: 1, LimitedBy: capacity.LimitedByMaxRate}, false},
		{capacity.Profile{MaxRate: 1, LimitedBy: capacity.LimitedByErrors}, false},
	} {
		if err := tt.p.Validate(); err != nil {
			t.Errorf("%+v: %v", tt.p, err)
		}
		if tt.p.IsLowerBound() != tt.lower {
			t.Errorf("%s (lower_bound %v): IsLowerBound = %v; want %v", tt.p.LimitedBy, tt.p.LowerBound, !tt.lower, tt.lower)
		}
	}
}
