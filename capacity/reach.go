package capacity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults of GeneratorReach.
const (
	DefaultReachStart = 200.0 // first rate tried, per second
	DefaultReachHold  = time.Second
)

// ReachConfig is a measurement of the load generator itself: how high an
// open-model rate it holds on this machine, now, against a target that
// does no work (a health check).
type ReachConfig struct {
	// Start is the first rate tried, per second; 0 means DefaultReachStart.
	Start float64
	// Max is the highest rate worth trying, per second: the rate is
	// doubled from Start until the generator falls behind or Max is held.
	Max float64
	// Hold is how long each step lasts; 0 means DefaultReachHold.
	Hold time.Duration
	// GeneratorLimit is the late-plus-dropped ratio above which a step is
	// not held; 0 means DefaultGeneratorLimit.
	GeneratorLimit float64
	// Retries is how many times a step that was not held is run again
	// before the measurement ends; 0 means DefaultGeneratorRetries,
	// negative none.
	Retries int
	// Cooldown is the pause before a retry; 0 means Hold/2.
	Cooldown time.Duration
	// Target names what the steps are sent to, for messages.
	Target string
	// OnStep is called after every step; it may be nil.
	OnStep func(StepResult)
	// Sleep waits before a retry; nil uses a context-aware timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Reach is how far the generator got.
type Reach struct {
	// Rate is the highest rate held, per second; 0 when not even the
	// lowest rate tried was.
	Rate float64
	// AtMax is true when Max was held: the generator may do more.
	AtMax bool
	// Steps are every step run, retries included, in order.
	Steps []StepResult
}

// GeneratorReach measures the highest open-model rate the generator holds
// (late and dropped sends within the limit) against a target that does no
// work: it doubles the rate from Start until a step is not held even when
// retried, or Max is held. When Start itself is not held it halves the
// rate, at most three times. Steps whose requests all fail without an
// HTTP answer end it with an *UnreachableError.
//
// It tells how much load this machine can drive before any target is
// measured, so a sample system can be sized to fit, and a knee beyond the
// reach is not mistaken for one.
func GeneratorReach(ctx context.Context, p Prober, cfg ReachConfig) (*Reach, error) {
	if !(cfg.Max > 0) || math.IsInf(cfg.Max, 0) {
		return nil, errors.New("generator reach: the highest rate to try must be a positive number")
	}
	if cfg.Start <= 0 {
		cfg.Start = DefaultReachStart
	}
	cfg.Start = math.Min(cfg.Start, cfg.Max)
	if cfg.Hold <= 0 {
		cfg.Hold = DefaultReachHold
	}
	if cfg.GeneratorLimit <= 0 {
		cfg.GeneratorLimit = DefaultGeneratorLimit
	}
	if cfg.Retries == 0 {
		cfg.Retries = DefaultGeneratorRetries
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = cfg.Hold / 2
	}
	if cfg.Sleep == nil {
		cfg.Sleep = Config{}.withDefaults().Sleep
	}
	s := &searcher{cfg: Config{Target: cfg.Target}, res: &Result{}}
	out := &Reach{}
	held := func(r float64) (bool, error) {
		for try := 0; ; try++ {
			if try > 0 {
				if err := cfg.Sleep(ctx, cfg.Cooldown); err != nil {
					return false, err
				}
			}
			step := Step{Rate: r, Hold: cfg.Hold}
			sum, err := p.Probe(ctx, step)
			if err != nil {
				return false, fmt.Errorf("generator reach at %.4g/s: %w", r, err)
			}
			if err := s.checkAnswered(step, sum); err != nil {
				return false, err
			}
			phase := "reach"
			if try > 0 {
				phase = "retry"
			}
			st := StepResult{Phase: phase, Step: step, Summary: sum,
				GeneratorLimited: sum.LateRatio > cfg.GeneratorLimit && sum.Late+sum.Dropped >= minGeneratorMisses}
			st.Point = pointOf(step, sum, nil, nil)
			st.Point.GeneratorLimited = st.GeneratorLimited
			s.res.Steps = append(s.res.Steps, st)
			out.Steps = append(out.Steps, st)
			if cfg.OnStep != nil {
				cfg.OnStep(st)
			}
			if !st.GeneratorLimited {
				return true, nil
			}
			if try >= cfg.Retries {
				return false, nil
			}
		}
	}
	ok, err := held(cfg.Start)
	if err != nil {
		return out, err
	}
	if !ok {
		for r, n := cfg.Start/2, 0; n < 3; r, n = r/2, n+1 {
			if ok, err = held(r); err != nil || ok {
				if ok {
					out.Rate = r
				}
				return out, err
			}
		}
		return out, nil
	}
	out.Rate = cfg.Start
	for out.Rate < cfg.Max {
		r := math.Min(2*out.Rate, cfg.Max)
		ok, err := held(r)
		if err != nil || !ok {
			return out, err
		}
		out.Rate = r
	}
	out.AtMax = true
	return out, nil
}
