package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
)

// CapacityConfig is a capacity search: one replica driven through the
// load engine up to its knee.
type CapacityConfig struct {
	// Search is the search (the objectives, rates, steps, the CPU meter);
	// Engine the load engine's configuration of every step (targets,
	// timeout, caps); its shape and callbacks are the search's.
	Search capacity.Config
	Engine load.Config
	// USL also runs a closed-loop sweep at USLLevels connections, each
	// for USLHold, and fits the Universal Scalability Law to it.
	USL       bool
	USLLevels []int
	USLHold   time.Duration
	// Require is the least capacity that passes the verdict, per second
	// (0: any capacity found passes).
	Require float64
	// OnNote, when set, hears what the search is doing beyond its steps
	// (the sweep starting, a fit that failed).
	OnNote func(string)
}

// CapacityResult is what a search found.
type CapacityResult struct {
	// Profile is the capacity profile: written whatever the verdict, and
	// when the search was interrupted.
	Profile capacity.Profile
	// Err is why the search stopped early (an interrupt, a failed step),
	// nil when it finished; Profile then holds the steps measured.
	Err error
	// Require is CapacityConfig.Require.
	Require float64
}

// Capacity searches for one replica's capacity knee within its
// objectives, and fits the scalability law when asked. A target that
// never answered returns no result and a *capacity.UnreachableError (no
// profile: sim could mistake one for a measurement).
func Capacity(ctx context.Context, cfg CapacityConfig) (*CapacityResult, error) {
	if err := cfg.Search.Validate(); err != nil {
		return nil, inputError(err, "")
	}
	note := cfg.OnNote
	if note == nil {
		note = func(string) {}
	}
	prober := &LoadProber{Base: cfg.Engine}
	res, err := capacity.Search(ctx, prober, cfg.Search)
	if err != nil && res == nil {
		return nil, err
	}
	var unreachable *capacity.UnreachableError
	if errors.As(err, &unreachable) {
		return nil, err
	}
	out := &CapacityResult{Profile: res.Profile, Err: err, Require: cfg.Require}
	if cfg.USL && err == nil {
		note(fmt.Sprintf("scalability sweep at concurrency %v", cfg.USLLevels))
		sweep, serr := capacity.Sweep(ctx, prober, cfg.USLLevels, cfg.USLHold)
		out.Profile.Sweep = sweep
		if serr != nil {
			out.Err = serr
		} else if u, ferr := capacity.FitUSL(sweep); ferr != nil {
			note(fmt.Sprintf("no scalability fit: %v", ferr))
		} else {
			out.Profile.Scalability = &u
		}
	}
	return out, nil
}

// Verdict is the verdict of a finished search: a failed verdict's
// sentence when the SLO never held, when the capacity is below Require,
// or when the result is only a lower bound that does not already meet
// Require ("" when it passed). lowerBound says the failure is a lower
// bound (generator-limited or inconclusive).
func (r *CapacityResult) Verdict() (failed string, lowerBound bool) {
	p := &r.Profile
	switch {
	case p.IsLowerBound() && r.Require > 0 && p.MaxRate >= r.Require:
		return "", false // at least the required capacity, whatever more there is
	case p.IsLowerBound():
		return fmt.Sprintf("capacity not measured: %s (limited_by: %s)", p.Note, p.LimitedBy), true
	case p.MaxRate == 0:
		return fmt.Sprintf("the SLO does not hold even at %.3g req/s", capacityLowestRate(p)), false
	case r.Require > 0 && p.MaxRate < r.Require:
		return fmt.Sprintf("capacity %.4g req/s is below the required %.4g req/s", p.MaxRate, r.Require), false
	}
	return "", false
}

// Document is the search's result as a report.
func (r *CapacityResult) Document() report.Document {
	return report.CapacityDocument(&r.Profile)
}

func capacityLowestRate(p *capacity.Profile) float64 {
	low := math.Inf(1)
	for _, pt := range p.Points {
		low = math.Min(low, pt.Rate)
	}
	if math.IsInf(low, 1) {
		return 0
	}
	return low
}

// SLOObjectives reads the objectives a capacity step must meet from an
// SLO file: every SLO in it, or only the one named name. See
// slo.SLO.LoadThreshold.
func SLOObjectives(files Files, file, name string) ([]stats.Threshold, error) {
	set, err := ReadSLOs(files, []string{file})
	if err != nil {
		return nil, err
	}
	var out []stats.Threshold
	for _, s := range set.SLOs {
		if name != "" && s.Name != name {
			continue
		}
		th, err := s.LoadThreshold()
		if err != nil {
			return nil, inputError(fmt.Errorf("%s: SLO %s: %w", file, s.Name, err), "")
		}
		out = append(out, th)
	}
	if len(out) == 0 {
		return nil, inputError(fmt.Errorf("%s: no SLO named %q", file, name), "check the SLO's name")
	}
	return out, nil
}

// CapacityTimeout is the request timeout of a search when none was
// given: ten times the loosest latency bound (a request that slow has
// long broken the SLO), between 2 and 30 seconds, so a cut-short step
// does not wait long for requests to a collapsed target.
func CapacityTimeout(ths []stats.Threshold) time.Duration {
	bound := 0.0
	for _, t := range ths {
		if isLatencyMetric(t.Metric) {
			bound = math.Max(bound, t.Value)
		}
	}
	if bound == 0 {
		return 10 * time.Second
	}
	d := time.Duration(10 * bound * float64(time.Second))
	return min(max(d, 2*time.Second), load.DefaultTimeout)
}

func isLatencyMetric(m string) bool {
	switch m {
	case "errors", "success", "late", "rate", "throughput":
		return false
	}
	return true
}

// LoadProber runs capacity steps with the load engine, from Base.
type LoadProber struct {
	Base load.Config
}

// Probe runs one step: an open-model constant rate, or a closed loop. An
// open step is cut short once the objectives are clearly broken (by 3× or
// more over the last two seconds): past the knee there is nothing to learn
// from hammering the target longer.
func (p *LoadProber) Probe(ctx context.Context, st capacity.Step) (*stats.Summary, error) {
	cfg := p.Base
	cfg.OnStart, cfg.OnInterval = nil, nil
	if st.Rate == 0 {
		run, err := load.Closed(ctx, cfg, st.Concurrency, st.Hold)
		if err != nil && run == nil {
			return nil, err
		}
		s := run.Summary()
		return &s, ctx.Err()
	}
	shape, err := traffic.Constant(st.Rate, st.Hold)
	if err != nil {
		return nil, err
	}
	cfg.Shape = shape
	stepCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var window []*stats.Interval
	cfg.OnInterval = func(iv *stats.Interval) {
		window = append(window, iv)
		if len(window) > 2 {
			window = window[1:]
		}
		if len(window) == 2 && clearlyBroken(window, st.Abort) {
			cancel()
		}
	}
	run, err := load.Run(stepCtx, cfg)
	if err != nil && run == nil {
		return nil, err
	}
	s := run.Summary()
	// A step cut short still stands for the rate it was asked for.
	s.Partial = false
	return &s, ctx.Err()
}

// clearlyBroken reports whether the intervals break an objective by 3× or
// more (error ratios also need at least 1%).
func clearlyBroken(ivs []*stats.Interval, ths []stats.Threshold) bool {
	var b stats.Bucket
	for _, iv := range ivs {
		b.Add(&iv.Total)
	}
	s := stats.StatsOf(&b, time.Duration(len(ivs))*time.Second, false)
	if s.Requests < 20 {
		return false
	}
	for _, t := range ths {
		v, ok := t.Observe(&s)
		if !ok || t.Op[0] != '<' {
			continue
		}
		if v >= 3*t.Value && (isLatencyMetric(t.Metric) || v >= 0.01) {
			return true
		}
	}
	return false
}
