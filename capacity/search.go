package capacity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/stats"

	"github.com/headroom-sre/headroom/units"
)

// Defaults of a capacity search.
const (
	DefaultHold           = 10 * time.Second
	DefaultWarmUp         = 4 * time.Second // split over the closed-loop warm-up levels
	DefaultPrecision      = 0.05
	DefaultGrowth         = 2.0
	DefaultMaxSteps       = 12
	DefaultMaxRate        = 50000.0
	DefaultGeneratorLimit = 0.01
	DefaultCooldown       = 2 * time.Second
	// DefaultGeneratorRetries is how many times a step the generator could
	// not hold is run again (after a cooldown) before the search ends on
	// it: a busy machine often falls behind for a moment only.
	DefaultGeneratorRetries = 1
)

// minGeneratorMisses is the fewest late or dropped sends that can mark a
// step as generator-limited: in a short step, the one or two sends that
// wait for a first connection are not a bottleneck.
const minGeneratorMisses = 5

// DefaultWarmUpConcurrency are the closed-loop levels of the warm-up: a
// closed loop never offers more than its concurrency, so probing with it
// cannot overload the target, and its throughput within the SLO is a safe
// lower bound to start the open-model search from.
var DefaultWarmUpConcurrency = []int{1, 4, 16, 64}

// Step is one load step the search asks a Prober to run.
type Step struct {
	// Rate is the open-model arrival rate, per second. It is 0 for a
	// closed-loop warm-up step.
	Rate float64
	// Concurrency is the number of connections of a closed-loop step.
	Concurrency int
	// Hold is how long the step lasts.
	Hold time.Duration
	// Abort lists the objectives; a prober may end the step early once
	// they are clearly broken, so a collapsed target is not hammered.
	Abort []stats.Threshold
}

// Prober runs load steps against the target. The load engine implements
// it in the CLI; tests may use any function.
type Prober interface {
	Probe(ctx context.Context, s Step) (*stats.Summary, error)
}

// ProberFunc adapts a function to the Prober interface.
type ProberFunc func(ctx context.Context, s Step) (*stats.Summary, error)

// Probe calls f.
func (f ProberFunc) Probe(ctx context.Context, s Step) (*stats.Summary, error) { return f(ctx, s) }

// CPUMeter reads the target's cumulative CPU time, in seconds (from /proc,
// from its /metrics or from Prometheus; see the CLI).
type CPUMeter interface {
	CPUSeconds(ctx context.Context) (float64, error)
}

// Config is a capacity search. The zero value of every field but SLO
// means its default.
type Config struct {
	// SLO is what must hold at a sustainable rate: latency bounds at one
	// or more quantiles and an error-ratio bound (e.g. p99<=200ms,errors<=0.1%).
	SLO []stats.Threshold
	// StartRate is the first open-model rate, per second. Zero derives it
	// from the closed-loop warm-up (half the best throughput that met the
	// SLO there).
	StartRate float64
	// MaxRate is a safety cap on the rate, per second.
	MaxRate float64
	// Hold is how long each step lasts.
	Hold time.Duration
	// WarmUp is the total time of the closed-loop warm-up; negative skips it.
	WarmUp time.Duration
	// WarmUpConcurrency are the warm-up's closed-loop levels.
	WarmUpConcurrency []int
	// Precision is the relative width of the final bracket: the answer is
	// within Precision of the true knee.
	Precision float64
	// Growth is the factor between exponential steps (≤ 2, so no step
	// overshoots the knee by more than 2×).
	Growth float64
	// MaxSteps bounds the open-model steps (warm-up not counted).
	MaxSteps int
	// GeneratorLimit is the late-plus-dropped ratio above which a step
	// says more about the generator than the target.
	GeneratorLimit float64
	// GeneratorRetries is how many times a step the generator could not
	// hold is run again before the search stops there; 0 means
	// DefaultGeneratorRetries, negative none. Retries do not count
	// against MaxSteps.
	GeneratorRetries int
	// Cooldown is the pause after a failing step, so queues drain before
	// the next one.
	Cooldown time.Duration
	// NoRepeat skips re-measuring the points around the knee.
	NoRepeat bool
	// Target names what is measured, for the profile.
	Target string
	// CPU observes the target's CPU, when it can be; nil otherwise.
	CPU CPUMeter
	// CPURequest is the target's CPU request in cores, when known.
	CPURequest float64
	// OnStep is called after every step (for progress); it may be nil.
	OnStep func(StepResult)
	// Sleep waits between steps; nil uses a context-aware timer. Tests
	// inject a no-op.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now reads the clock that times steps (for CPU rates); nil is
	// time.Now. Tests inject a virtual clock.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.MaxRate <= 0 {
		c.MaxRate = DefaultMaxRate
	}
	if c.Hold <= 0 {
		c.Hold = DefaultHold
	}
	if c.WarmUp == 0 {
		c.WarmUp = DefaultWarmUp
	}
	if len(c.WarmUpConcurrency) == 0 {
		c.WarmUpConcurrency = DefaultWarmUpConcurrency
	}
	if c.Precision <= 0 {
		c.Precision = DefaultPrecision
	}
	if c.Growth <= 1 || c.Growth > 2 {
		c.Growth = DefaultGrowth
	}
	if c.MaxSteps <= 0 {
		c.MaxSteps = DefaultMaxSteps
	}
	if c.GeneratorLimit <= 0 {
		c.GeneratorLimit = DefaultGeneratorLimit
	}
	if c.GeneratorRetries == 0 {
		c.GeneratorRetries = DefaultGeneratorRetries
	}
	if c.Cooldown == 0 {
		c.Cooldown = DefaultCooldown
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			if d <= 0 {
				return nil
			}
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	return c
}

// Validate checks the configuration.
func (c Config) Validate() error {
	var errs []error
	if len(c.SLO) == 0 {
		errs = append(errs, errors.New("no objective: give at least one latency or error bound, like p99<=200ms,errors<=0.1%"))
	}
	for _, t := range c.SLO {
		switch t.Metric {
		case "late", "rate", "throughput":
			errs = append(errs, fmt.Errorf("%s is not an objective of the target (the search checks the generator itself)", t))
		}
	}
	if c.StartRate < 0 || c.MaxRate < 0 || (c.MaxRate > 0 && c.StartRate > c.MaxRate) {
		errs = append(errs, fmt.Errorf("start rate %g must be between 0 and the max rate %g", c.StartRate, c.MaxRate))
	}
	if c.Precision < 0 || c.Precision >= 1 {
		errs = append(errs, fmt.Errorf("precision %g must be a fraction in (0, 1)", c.Precision))
	}
	return errors.Join(errs...)
}

// StepResult is one measured step of a search.
type StepResult struct {
	Phase   string         // "warm-up", "step-up", "step-down", "bisect", "repeat" or "retry"
	Step    Step           // what was asked
	Summary *stats.Summary // what was measured
	Point   Point          // the step as a profile point
	// Failed lists the objectives that broke (empty when the SLO held).
	Failed []stats.ThresholdResult
	// GeneratorLimited is true when late or dropped sends exceeded the
	// generator limit: the step describes the generator, not the target.
	GeneratorLimited bool
	// Elapsed is the wall time of the step.
	Elapsed time.Duration
}

// Result is the outcome of a search: the profile plus how it was found.
type Result struct {
	Profile Profile
	// Steps are every step run, in order, warm-up included.
	Steps []StepResult
	// Warmup is the closed-loop warm-up as concurrency points.
	Warmup []Concurrency
	// Bracket is the final interval [lo, hi] around the knee, per second
	// (hi is +Inf when no step failed).
	Lo, Hi float64
	// Converged reports whether the bracket reached the precision.
	Converged bool
	// Endpoints is the per-target view of a scenario mix: which endpoint's
	// objectives broke first.
	Endpoints []Endpoint
}

// Endpoint is one target of a scenario mix in a capacity search.
type Endpoint struct {
	Name string `json:"name" yaml:"name"`
	// BreaksAt is the lowest total rate at which this endpoint's latency
	// or error objectives failed; 0 when they never did.
	BreaksAt float64 `json:"breaks_at" yaml:"breaks_at"`
	// Broken names the objectives that broke at BreaksAt.
	Broken []string `json:"broken,omitempty" yaml:"broken,omitempty"`
	// P99AtKnee is this endpoint's p99 at the knee, in seconds.
	P99AtKnee float64 `json:"p99_at_knee" yaml:"p99_at_knee"`
}

// Search finds the highest arrival rate at which the SLO holds and the
// generator keeps up.
//
// It warms up with short closed-loop steps (which cannot overload the
// target), then steps the open-model rate up by Growth until the SLO
// breaks, then bisects the bracket (geometrically) to Precision, and
// finally repeats the points around the knee to tell noise from a real
// limit. It stops as soon as the answer is known: at the first failing step
// of a generator that cannot keep up, at MaxRate, or after MaxSteps.
func Search(ctx context.Context, p Prober, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("capacity search: %w", err)
	}
	cfg = cfg.withDefaults()
	s := &searcher{cfg: cfg, prober: p, res: &Result{Hi: math.Inf(1)}}
	s.res.Profile = Profile{Target: cfg.Target, SLO: thresholdsString(cfg.SLO)}
	if cfg.CPURequest > 0 {
		req := cfg.CPURequest
		s.res.Profile.CPURequest = &req
	}
	err := s.run(ctx)
	s.finish()
	if err != nil {
		return s.res, err
	}
	return s.res, nil
}

type searcher struct {
	cfg     Config
	prober  Prober
	res     *Result
	steps   int // open-model steps run, retries included
	retried int // of which retries of a step the generator could not hold
}

// budgetLeft reports whether the search may run another open-model step:
// retries do not count against MaxSteps.
func (s *searcher) budgetLeft() bool { return s.steps-s.retried < s.cfg.MaxSteps }

func (s *searcher) run(ctx context.Context) error {
	start := s.cfg.StartRate
	if s.cfg.WarmUp > 0 {
		best, err := s.warmUp(ctx)
		if err != nil {
			return err
		}
		if start == 0 {
			start = best / 2
		}
	}
	if start <= 0 {
		start = 10
	}
	start = math.Min(start, s.cfg.MaxRate)

	// Step up until the SLO breaks (or the generator or the cap stops us).
	r := start
	for {
		if !s.budgetLeft() {
			return nil
		}
		st, err := s.probe(ctx, "step-up", r)
		if err != nil {
			return err
		}
		switch {
		case st.GeneratorLimited:
			s.res.Profile.LimitedBy = LimitedByGenerator
			return nil
		case len(st.Failed) == 0:
			s.res.Lo = r
			if r >= s.cfg.MaxRate {
				s.res.Profile.LimitedBy = LimitedByMaxRate
				return nil
			}
			r = math.Min(r*s.cfg.Growth, s.cfg.MaxRate)
			continue
		}
		s.res.Hi = r
		s.setLimit(st)
		if s.res.Lo == 0 {
			// Even the first rate failed: step down (halving) to find a
			// rate that holds, which bounds the knee from below.
			for s.res.Lo == 0 && s.budgetLeft() && r > 0.5 {
				r /= 2
				if stop, err := s.narrow(ctx, "step-down", r); stop || err != nil {
					return err
				}
			}
			if s.res.Lo == 0 {
				return nil
			}
		}
		break
	}

	// A target that rejects or saturates serves about its capacity when
	// overloaded: the goodput of the failing step is a good first guess.
	hint := 0.0
	if last := s.last(); last != nil && len(last.Failed) > 0 {
		hint = last.Summary.Throughput * 0.97
	}
	if err := s.bisect(ctx, hint); err != nil {
		return err
	}
	if s.cfg.NoRepeat {
		return nil
	}
	// Repeat the points around the knee: a pass that now fails, or a fail
	// that now passes, was noise; move the bracket and bisect again.
	for round := 0; round < 2 && s.budgetLeft(); round++ {
		moved := false
		lo := s.res.Lo
		st, err := s.probe(ctx, "repeat", lo)
		if err != nil {
			return err
		}
		if st.GeneratorLimited {
			s.res.Profile.LimitedBy = LimitedByGenerator
			return nil
		}
		if len(st.Failed) > 0 {
			// The knee is below lo after all.
			s.res.Hi, s.res.Lo = lo, s.lowerPass(lo)
			s.setLimit(st)
			moved = true
		} else if !math.IsInf(s.res.Hi, 1) && s.budgetLeft() {
			hi := s.res.Hi
			st, err := s.probe(ctx, "repeat", hi)
			if err != nil {
				return err
			}
			if len(st.Failed) == 0 && !st.GeneratorLimited {
				s.res.Lo = hi
				s.res.Hi = math.Min(hi*(1+2*s.cfg.Precision), s.cfg.MaxRate)
				if s.res.Lo >= s.cfg.MaxRate {
					s.res.Hi = math.Inf(1)
				}
				moved = true
			}
		}
		if !moved {
			return nil
		}
		if err := s.bisect(ctx, 0); err != nil {
			return err
		}
	}
	return nil
}

// bisect narrows [Lo, Hi] geometrically until it is within Precision.
func (s *searcher) bisect(ctx context.Context, hint float64) error {
	for !s.converged() && s.budgetLeft() && !math.IsInf(s.res.Hi, 1) {
		mid := math.Sqrt(s.res.Lo * s.res.Hi)
		if hint > s.res.Lo*(1+s.cfg.Precision) && hint < s.res.Hi/(1+s.cfg.Precision/2) {
			mid, hint = hint, 0
		}
		if stop, err := s.narrow(ctx, "bisect", mid); stop || err != nil {
			return err
		}
	}
	return nil
}

// narrow probes rate r and moves the bracket's bound it falls on. It
// reports stop when the generator could not keep up: the search ends there.
func (s *searcher) narrow(ctx context.Context, phase string, r float64) (stop bool, err error) {
	st, err := s.probe(ctx, phase, r)
	if err != nil {
		return true, err
	}
	if st.GeneratorLimited {
		s.res.Profile.LimitedBy = LimitedByGenerator
		return true, nil
	}
	if len(st.Failed) == 0 {
		s.res.Lo = r
	} else {
		s.res.Hi = r
		s.setLimit(st)
	}
	return false, nil
}

func (s *searcher) converged() bool {
	return s.res.Lo > 0 && s.res.Hi <= s.res.Lo*(1+s.cfg.Precision)
}

// lowerPass is the highest passing rate measured below r, or r/Growth.
func (s *searcher) lowerPass(r float64) float64 {
	best := 0.0
	for _, st := range s.res.Steps {
		if st.Step.Rate > 0 && st.Step.Rate < r && len(st.Failed) == 0 && !st.GeneratorLimited && st.Step.Rate > best {
			best = st.Step.Rate
		}
	}
	if best == 0 {
		best = r / s.cfg.Growth
	}
	return best
}

func (s *searcher) last() *StepResult {
	if len(s.res.Steps) == 0 {
		return nil
	}
	return &s.res.Steps[len(s.res.Steps)-1]
}

// errorsFailed reports whether an error-ratio objective is among failed.
func errorsFailed(failed []stats.ThresholdResult) bool {
	for _, f := range failed {
		if f.Metric == "errors" || f.Metric == "success" {
			return true
		}
	}
	return false
}

// setLimit records what broke at the lowest failing rate.
func (s *searcher) setLimit(st StepResult) {
	if st.Step.Rate > s.res.Hi {
		return
	}
	s.res.Profile.LimitedBy = LimitedByErrors
	for _, f := range st.Failed {
		if f.Metric != "errors" && f.Metric != "success" {
			s.res.Profile.LimitedBy = LimitedByLatency
			return
		}
	}
}

// warmUp runs the closed-loop levels and returns the best throughput that
// met the SLO.
func (s *searcher) warmUp(ctx context.Context) (float64, error) {
	levels := s.cfg.WarmUpConcurrency
	hold := s.cfg.WarmUp / time.Duration(len(levels))
	if hold < 500*time.Millisecond {
		hold = 500 * time.Millisecond
	}
	best := 0.0
	for _, c := range levels {
		step := Step{Concurrency: c, Hold: hold, Abort: s.cfg.SLO}
		began := s.cfg.Now()
		sum, err := s.prober.Probe(ctx, step)
		if err != nil {
			return best, fmt.Errorf("warm-up at concurrency %d: %w", c, err)
		}
		if err := s.checkAnswered(step, sum); err != nil {
			return best, err
		}
		failed := s.evaluate(sum)
		sr := StepResult{Phase: "warm-up", Step: step, Summary: sum, Point: pointOf(step, sum, failed, nil), Failed: failed, Elapsed: s.cfg.Now().Sub(began)}
		s.res.Steps = append(s.res.Steps, sr)
		s.res.Warmup = append(s.res.Warmup, Concurrency{N: float64(c), Throughput: sum.Throughput, Latency: sum.Latency.Mean, ErrorRatio: sum.ErrorRatio})
		if s.cfg.OnStep != nil {
			s.cfg.OnStep(sr)
		}
		if len(failed) > 0 {
			break // more concurrency only queues more
		}
		best = math.Max(best, sum.Throughput)
	}
	return best, nil
}

// evaluate returns the objectives a step broke. A step in which no request
// succeeded never passes, whatever the objectives say: nothing was served,
// so nothing was measured.
func (s *searcher) evaluate(sum *stats.Summary) []stats.ThresholdResult {
	failed := stats.Failed(stats.Evaluate(s.cfg.SLO, &sum.Stats))
	if sum.Successes == 0 && sum.Throughput == 0 && !errorsFailed(failed) {
		failed = append(failed, stats.ThresholdResult{Threshold: stats.Threshold{Metric: "success", Op: ">", Value: 0}, Metric: "success", Observed: 0})
	}
	return failed
}

// UnreachableError reports a target that gave no HTTP answer at all: a
// closed port, a name that does not resolve, a failed TLS handshake, or a
// target that stopped accepting connections during the search. Nothing
// about its capacity was measured.
type UnreachableError struct {
	Target string
	// Step describes the step that got no answer ("concurrency 1", "40/s").
	Step string
	// Requests is how many requests the step completed, all without an
	// HTTP response; Errors counts them by error class (stats.ErrRefused…).
	Requests int64
	Errors   map[string]int64
	// Stopped is true when earlier steps were answered: the target went
	// away during the search.
	Stopped bool
}

func (e *UnreachableError) Error() string {
	var parts []string
	for _, c := range stats.ErrorClasses {
		if n := e.Errors[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c, n))
		}
	}
	what := "no HTTP answer from"
	if e.Stopped {
		what = "the target stopped answering:"
	}
	return fmt.Sprintf("%s %s: %d requests at %s, all failed without a response (%s)", what, e.Target, e.Requests, e.Step, strings.Join(parts, ", "))
}

// checkAnswered returns an *UnreachableError when a step's requests all
// failed without an HTTP response. On the first step any error class
// counts (a target that never answers has no capacity to measure); later,
// only failures to connect do, since an overloaded target may time out
// or reset every request of a step and that is its answer.
func (s *searcher) checkAnswered(step Step, sum *stats.Summary) error {
	var unanswered int64
	for _, n := range sum.Errors {
		unanswered += n
	}
	if sum.Requests == 0 || unanswered < sum.Requests {
		return nil // some request got an HTTP response
	}
	first := len(s.res.Steps) == 0
	if !first {
		for class, n := range sum.Errors {
			if n > 0 && class != stats.ErrRefused && class != stats.ErrDNS && class != stats.ErrTLS {
				return nil
			}
		}
	}
	where := fmt.Sprintf("%.4g/s", step.Rate)
	if step.Rate == 0 {
		where = fmt.Sprintf("concurrency %d", step.Concurrency)
	}
	errs := map[string]int64{}
	for c, n := range sum.Errors {
		errs[c] = n
	}
	return &UnreachableError{Target: s.cfg.Target, Step: where, Requests: sum.Requests, Errors: errs, Stopped: !first}
}

// probe runs one open-model step at rate r and records it. A step the
// generator could not hold is run again, after a cooldown, up to
// GeneratorRetries times; the result is the last run's.
func (s *searcher) probe(ctx context.Context, phase string, r float64) (StepResult, error) {
	st, err := s.probeOnce(ctx, phase, r)
	for try := 0; err == nil && st.GeneratorLimited && try < s.cfg.GeneratorRetries; try++ {
		if len(st.Failed) == 0 { // probeOnce cools down after a failing step itself
			if err := s.cfg.Sleep(ctx, s.cfg.Cooldown); err != nil {
				return st, err
			}
		}
		s.retried++
		st, err = s.probeOnce(ctx, "retry", r)
	}
	return st, err
}

// probeOnce runs one open-model step at rate r and records it.
func (s *searcher) probeOnce(ctx context.Context, phase string, r float64) (StepResult, error) {
	if err := ctx.Err(); err != nil {
		return StepResult{}, err
	}
	if last := s.last(); last != nil && len(last.Failed) > 0 && last.Step.Rate > 0 {
		if err := s.cfg.Sleep(ctx, s.cfg.Cooldown); err != nil {
			return StepResult{}, err
		}
	}
	s.steps++
	step := Step{Rate: r, Hold: s.cfg.Hold, Abort: s.cfg.SLO}
	var cpu0 float64
	var cpuErr error
	if s.cfg.CPU != nil {
		cpu0, cpuErr = s.cfg.CPU.CPUSeconds(ctx)
	}
	began := s.cfg.Now()
	sum, err := s.prober.Probe(ctx, step)
	elapsed := s.cfg.Now().Sub(began)
	if err != nil {
		return StepResult{}, fmt.Errorf("step at %.4g/s: %w", r, err)
	}
	if err := s.checkAnswered(step, sum); err != nil {
		return StepResult{}, err
	}
	var cores *float64
	if s.cfg.CPU != nil && cpuErr == nil {
		if cpu1, err := s.cfg.CPU.CPUSeconds(ctx); err == nil && elapsed > 0 && cpu1 >= cpu0 {
			c := (cpu1 - cpu0) / elapsed.Seconds()
			cores = &c
		}
	}
	failed := s.evaluate(sum)
	st := StepResult{
		Phase: phase, Step: step, Summary: sum, Failed: failed, Elapsed: elapsed,
	}
	st.GeneratorLimited = generatorLimited(sum, failed, s.cfg.GeneratorLimit)
	st.Point = pointOf(step, sum, failed, cores)
	st.Point.GeneratorLimited = st.GeneratorLimited
	s.res.Steps = append(s.res.Steps, st)
	s.res.Profile.Points = append(s.res.Profile.Points, st.Point)
	s.endpoints(st)
	if s.cfg.OnStep != nil {
		s.cfg.OnStep(st)
	}
	return st, nil
}

// generatorLimited reports whether a step describes the generator more
// than the target. Late sends inflate latency from the due time; they do
// not make the target answer errors, so an error objective broken by more
// errors than there were late sends is the target's own failure.
func generatorLimited(sum *stats.Summary, failed []stats.ThresholdResult, limit float64) bool {
	late := sum.LateRatio > limit && sum.Late+sum.Dropped >= minGeneratorMisses
	return late && !(errorsFailed(failed) && sum.ErrorRatio > sum.LateRatio)
}

func pointOf(step Step, sum *stats.Summary, failed []stats.ThresholdResult, cores *float64) Point {
	rate := step.Rate
	if rate == 0 {
		rate = sum.AchievedRate
	}
	return Point{
		Rate: rate, AchievedRate: sum.AchievedRate,
		P50: sum.Latency.P50, P90: sum.Latency.P90, P99: sum.Latency.P99,
		ErrorRatio: sum.ErrorRatio, LateRatio: sum.LateRatio, CPU: cores, OK: len(failed) == 0,
	}
}

// endpoints updates the per-target view with a step.
func (s *searcher) endpoints(st StepResult) {
	if len(st.Summary.PerTarget) < 2 {
		return
	}
	idx := map[string]int{}
	for i, e := range s.res.Endpoints {
		idx[e.Name] = i
	}
	names := make([]string, 0, len(st.Summary.PerTarget))
	for n := range st.Summary.PerTarget {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		i, ok := idx[n]
		if !ok {
			s.res.Endpoints = append(s.res.Endpoints, Endpoint{Name: n})
			i = len(s.res.Endpoints) - 1
			idx[n] = i
		}
		e := &s.res.Endpoints[i]
		ts := st.Summary.PerTarget[n]
		failed := stats.Failed(stats.Evaluate(s.cfg.SLO, &ts))
		if len(failed) > 0 && (e.BreaksAt == 0 || st.Step.Rate < e.BreaksAt) {
			e.BreaksAt = st.Step.Rate
			e.Broken = nil
			for _, f := range failed {
				e.Broken = append(e.Broken, fmt.Sprintf("%s (observed %s)", f.Threshold.String(), formatObserved(f)))
			}
		}
	}
}

func formatObserved(f stats.ThresholdResult) string {
	switch f.Metric {
	case "errors", "success", "late":
		return units.Percent(f.Observed)
	}
	return units.Seconds(f.Observed)
}

// finish fills in the profile from the steps.
func (s *searcher) finish() {
	p := &s.res.Profile
	p.MaxRate = s.res.Lo
	s.res.Converged = s.converged()
	p.Precision, p.Converged, p.Steps, p.Warmup = s.cfg.Precision, s.res.Converged, s.steps, s.res.Warmup
	p.Bracket = [2]float64{s.res.Lo, 0}
	if !math.IsInf(s.res.Hi, 1) {
		p.Bracket[1] = s.res.Hi
	}
	for _, st := range s.res.Steps {
		p.DurationS += st.Elapsed.Seconds()
	}
	if p.LimitedBy == "" {
		switch {
		case !math.IsInf(s.res.Hi, 1):
			p.LimitedBy = LimitedByLatency
		case s.res.Lo >= s.cfg.MaxRate:
			p.LimitedBy = LimitedByMaxRate
		default:
			// Out of steps before anything broke: not the target's limit,
			// and not the cap's either.
			p.LimitedBy = LimitedByInconclusive
		}
	}
	s.explain()
	defer func() { p.Endpoints = s.res.Endpoints }()
	// Per-endpoint p99 at the knee: from the last passing step at Lo.
	for i := len(s.res.Steps) - 1; i >= 0; i-- {
		st := s.res.Steps[i]
		if st.Step.Rate == s.res.Lo && len(st.Failed) == 0 {
			for j := range s.res.Endpoints {
				if ts, ok := st.Summary.PerTarget[s.res.Endpoints[j].Name]; ok {
					s.res.Endpoints[j].P99AtKnee = ts.Latency.P99
				}
			}
			break
		}
	}
	// CPU per request: least squares of cores against achieved rate over
	// the passing steps (an idle baseline is the intercept).
	var xs, ys []float64
	for _, pt := range p.Points {
		if pt.CPU != nil && pt.OK && pt.AchievedRate > 0 {
			xs, ys = append(xs, pt.AchievedRate), append(ys, *pt.CPU)
		}
	}
	if perReq, ok := cpuPerRequest(xs, ys); ok {
		p.CPUPerRequest = &perReq
		knee := perReq * p.MaxRate
		if len(xs) >= 2 {
			_, idle := fitLine(xs, ys)
			knee += math.Max(idle, 0)
		}
		p.CPUAtKnee = &knee
		if p.CPURequest != nil && *p.CPURequest > 0 {
			u := knee / *p.CPURequest
			p.CPUUtilizationAtKnee = &u
		}
	}
}

// explain marks a profile whose MaxRate is only a lower bound, and says in
// its note why the search stopped.
func (s *searcher) explain() {
	p := &s.res.Profile
	switch p.LimitedBy {
	case LimitedByGenerator:
		p.LowerBound = true
		at, late := 0.0, 0.0
		for _, st := range s.res.Steps {
			if st.GeneratorLimited {
				at, late = st.Step.Rate, st.Summary.LateRatio
			}
		}
		p.Note = fmt.Sprintf("the load generator fell behind at %s (%s of sends late or dropped) before the objectives broke: ", units.Rate(at), units.Percent(late))
		if p.MaxRate > 0 {
			p.Note += fmt.Sprintf("%s is a lower bound, and the target may serve more", units.Rate(p.MaxRate))
		} else {
			p.Note += "no step held, so the capacity is unknown"
		}
	case LimitedByInconclusive:
		p.LowerBound = true
		p.Note = fmt.Sprintf("the search ran out of steps (%d) before the objectives broke or the rate cap was reached: %s is a lower bound", s.cfg.MaxSteps, units.Rate(p.MaxRate))
	case LimitedByMaxRate:
		p.Note = fmt.Sprintf("the objectives held up to the rate cap of %s: the target may serve more", units.Rate(s.cfg.MaxRate))
	}
}

// cpuPerRequest estimates CPU seconds per request from (rate, cores)
// pairs: the slope of a least-squares line when the rates differ enough,
// else cores/rate of the single point.
func cpuPerRequest(xs, ys []float64) (float64, bool) {
	switch {
	case len(xs) == 0:
		return 0, false
	case len(xs) == 1:
		return ys[0] / xs[0], ys[0] >= 0
	}
	slope, _ := fitLine(xs, ys)
	if slope > 0 && finiteF(slope) {
		return slope, true
	}
	// Flat or noisy: the average ratio.
	var sum float64
	for i := range xs {
		sum += ys[i] / xs[i]
	}
	return sum / float64(len(xs)), true
}

// fitLine returns the least-squares slope and intercept of y against x.
func fitLine(xs, ys []float64) (slope, intercept float64) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return 0, sy / n
	}
	slope = (n*sxy - sx*sy) / den
	return slope, (sy - slope*sx) / n
}

func finiteF(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func thresholdsString(ts []stats.Threshold) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.String()
	}
	return strings.Join(parts, ",")
}

// Sweep runs a closed-loop concurrency sweep for a scalability fit: one
// step of hold at each level, in order. A level whose error ratio exceeds
// half of its requests ends the sweep: beyond it the target is only
// failing faster.
func Sweep(ctx context.Context, p Prober, levels []int, hold time.Duration) ([]Concurrency, error) {
	var out []Concurrency
	for _, n := range levels {
		if n < 1 {
			return out, fmt.Errorf("sweep: concurrency %d must be at least 1", n)
		}
		sum, err := p.Probe(ctx, Step{Concurrency: n, Hold: hold})
		if err != nil {
			return out, fmt.Errorf("sweep at concurrency %d: %w", n, err)
		}
		out = append(out, Concurrency{N: float64(n), Throughput: sum.Throughput, Latency: sum.Latency.Mean, ErrorRatio: sum.ErrorRatio})
		if sum.ErrorRatio > 0.5 {
			break
		}
	}
	return out, nil
}
