package plan

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/traffic"
)

// evaluator runs simulations, each at most once: results are cached by
// what they depend on, and concurrent askers of the same simulation wait
// for the first.
type evaluator struct {
	sp         *space
	opt        Options
	mu         sync.Mutex
	memo       map[string]*entry
	sims       atomic.Int64 // scenario runs
	steadyRuns atomic.Int64 // one-step steady-state runs
	evaluated  atomic.Int64
	seen       map[string]bool // full configurations evaluated
	steadySc   sim.Scenario
}

type entry struct {
	done chan struct{}
	res  *sim.Result
	err  error
}

func newEvaluator(sp *space, opt Options) *evaluator {
	ev := &evaluator{sp: sp, opt: opt, memo: map[string]*entry{}, seen: map[string]bool{}}
	// The steady state: one step at the baseline rate, from the state the
	// simulator starts a scenario in (the HPAs' steady replicas, the nodes
	// they need, the buffer).
	flat, _ := traffic.Constant(sp.baseline, time.Minute)
	ev.steadySc = sim.Scenario{Name: "steady", Traffic: flat, Duration: sp.res}
	return ev
}

// run simulates scenario s of variant v for candidate c (s < 0: the
// steady state).
func (ev *evaluator) run(ctx context.Context, c *cand, v *variant, s int) (*sim.Result, error) {
	return ev.runAs(ctx, c, v, s, false)
}

// verdict tells whether c meets the SLO in scenario s of variant v: from
// the whole run when there is one, else from a run that stops at the
// first breach (most candidates a search tries fail, and the rest of
// their run would not change that). A run that does not breach is whole,
// and serves later askers of the whole run too.
func (ev *evaluator) verdict(ctx context.Context, c *cand, v *variant, s int) (bool, error) {
	ev.mu.Lock()
	_, whole := ev.memo[ev.sp.key(c, v, s)]
	ev.mu.Unlock()
	r, err := ev.runAs(ctx, c, v, s, !whole)
	if err != nil {
		return false, err
	}
	return r.SLOMet, nil
}

// stoppedKey marks the memo entries of runs stopped at the first breach.
const stoppedKey = "\x00stop"

// runAs is run, or with stop, a run that may stop at the first breach.
func (ev *evaluator) runAs(ctx context.Context, c *cand, v *variant, s int, stop bool) (*sim.Result, error) {
	key := ev.sp.key(c, v, s)
	if stop {
		key += stoppedKey
	}
	ev.mu.Lock()
	e, ok := ev.memo[key]
	if !ok {
		e = &entry{done: make(chan struct{})}
		ev.memo[key] = e
	}
	ev.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.res, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	defer close(e.done)
	sys := ev.sp.system(c, v, s)
	sc := ev.steadySc
	if s >= 0 {
		sc = v.sc[s]
	}
	if s < 0 {
		ev.steadyRuns.Add(1)
	} else {
		ev.sims.Add(1)
	}
	e.res, e.err = ev.simulateAs(ctx, sys, sc, stop && s >= 0)
	if e.err != nil && ctx.Err() == nil {
		e.err = fmt.Errorf("simulate %s: %w", sc.Name, e.err)
	}
	ev.mu.Lock()
	switch {
	case e.err != nil:
		// Do not cache a cancellation.
		delete(ev.memo, key)
	case stop && !e.res.Stopped:
		// It ran to the end: it is the whole run.
		if whole := ev.sp.key(c, v, s); ev.memo[whole] == nil {
			done := make(chan struct{})
			close(done)
			ev.memo[whole] = &entry{done: done, res: e.res}
		}
	}
	ev.mu.Unlock()
	return e.res, e.err
}

func (ev *evaluator) simulate(ctx context.Context, sys sim.System, sc sim.Scenario) (*sim.Result, error) {
	return ev.simulateAs(ctx, sys, sc, false)
}

func (ev *evaluator) simulateAs(ctx context.Context, sys sim.System, sc sim.Scenario, stop bool) (*sim.Result, error) {
	m, err := sim.Compile(sys)
	if err != nil {
		return nil, err
	}
	return m.Run(ctx, sc, sim.Options{Resolution: ev.sp.res, StopAtBreach: stop})
}

// note counts a full configuration as evaluated, once.
func (ev *evaluator) note(c *cand, v *variant) {
	key := fmt.Sprint(v.id, c.cpu, c.load, c.beh, c.min, c.max, c.pre, c.buf)
	ev.mu.Lock()
	if !ev.seen[key] {
		ev.seen[key] = true
		ev.evaluated.Add(1)
	}
	ev.mu.Unlock()
}

// feasible tells whether c meets the SLO in the scenarios listed (all
// when nil), stopping at the first that fails; it returns that one's
// index, or -1.
func (ev *evaluator) feasible(ctx context.Context, c *cand, v *variant, scen []int) (bool, int, error) {
	ev.note(c, v)
	if scen == nil {
		scen = ev.sp.checkOrder
	}
	for _, s := range scen {
		ok, err := ev.verdict(ctx, c, v, s)
		if err != nil {
			return false, s, err
		}
		if !ok {
			return false, s, nil
		}
	}
	return true, -1, nil
}

// steadyHourly is the hourly cost of c's steady state at the baseline
// rate.
func (ev *evaluator) steadyHourly(ctx context.Context, c *cand, v *variant) (float64, error) {
	r, err := ev.run(ctx, c, v, -1)
	if err != nil {
		return 0, err
	}
	return r.Cost.Hourly, nil
}

// monthly is c's monthly cost: the steady state's month plus each
// scenario's own cost (beyond the steady state over the same time) as
// often as it happens.
func (ev *evaluator) monthly(ctx context.Context, c *cand, v *variant) (float64, error) {
	h, err := ev.steadyHourly(ctx, c, v)
	if err != nil {
		return 0, err
	}
	total := h * sim.HoursPerMonth
	for s := range ev.sp.scen {
		r, err := ev.run(ctx, c, v, s)
		if err != nil {
			return 0, err
		}
		total += ev.sp.scen[s].perMonth * eventCost(r, h, ev.sp.scen[s].dur)
	}
	return total, nil
}

// eventCost is what a scenario costs beyond steadyHourly over its
// duration, never below 0.
func eventCost(r *sim.Result, steadyHourly float64, dur time.Duration) float64 {
	return math.Max(0, r.Cost.Scenario-steadyHourly*dur.Hours())
}

// evaluation is the public form of candidate c under variant v.
func (ev *evaluator) evaluation(ctx context.Context, v *variant, c *cand) (*Evaluation, error) {
	sp := ev.sp
	h, err := ev.steadyHourly(ctx, c, v)
	if err != nil {
		return nil, err
	}
	e := &Evaluation{SteadyMonthly: round2(h * sim.HoursPerMonth), SLOMet: true, System: sp.system(c, v, -1), Config: sp.config(c, v)}
	total := h * sim.HoursPerMonth
	for s := range sp.scen {
		r, err := ev.run(ctx, c, v, s)
		if err != nil {
			return nil, err
		}
		o := outcomeOf(r, h, &sp.scen[s])
		for _, cc := range e.Config.Components {
			for _, p := range cc.Prescale {
				o.Prescaled = o.Prescaled || p.Scenario == o.Name
			}
		}
		total += o.PerMonth * eventCost(r, h, sp.scen[s].dur)
		e.Scenarios = append(e.Scenarios, o)
		e.SLOMet = e.SLOMet && r.SLOMet
		e.windows = append(e.windows, sp.scen[s].win)
	}
	e.MonthlyCost = round2(total)
	e.EventsMonthly = round2(total - h*sim.HoursPerMonth)
	return e, nil
}

func outcomeOf(r *sim.Result, steadyHourly float64, s *scenInfo) ScenarioOutcome {
	return ScenarioOutcome{Name: s.Name, SLOMet: r.SLOMet, BudgetBurned: r.BudgetBurned, Cost: r.Cost.Scenario,
		EventCost: round4(eventCost(r, steadyHourly, s.dur)), PerMonth: s.perMonth,
		Event: s.Event.String(), Assumption: s.Event.Assumption(),
		Bottleneck: r.Bottleneck, BottleneckReason: r.BottleneckReason}
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// current simulates today's system as `headroom sim` does: its own
// pre-scaling in every scenario and its own starting replicas.
func (ev *evaluator) current(ctx context.Context) (*Evaluation, error) {
	sp := ev.sp
	ev.steadyRuns.Add(1)
	ev.sims.Add(int64(len(sp.scen)))
	steady, err := ev.simulate(ctx, sp.clean, ev.steadySc)
	if err != nil {
		return nil, err
	}
	h := steady.Cost.Hourly
	e := &Evaluation{SteadyMonthly: round2(h * sim.HoursPerMonth), SLOMet: true, System: sp.base.Clone(), Config: sp.todayConfig()}
	total := h * sim.HoursPerMonth
	results := make([]*sim.Result, len(sp.scen))
	errs := make([]error, len(sp.scen))
	var wg sync.WaitGroup
	for s := range sp.scen {
		wg.Go(func() { results[s], errs[s] = ev.simulate(ctx, sp.base, sp.scen[s].Scenario.Scenario) })
	}
	wg.Wait()
	for s := range sp.scen {
		if errs[s] != nil {
			return nil, fmt.Errorf("simulate %s: %w", sp.scen[s].Name, errs[s])
		}
		r := results[s]
		o := outcomeOf(r, h, &sp.scen[s])
		o.Prescaled = sp.scen[s].announced && hasPrescale(sp.base)
		total += o.PerMonth * eventCost(r, h, sp.scen[s].dur)
		e.Scenarios = append(e.Scenarios, o)
		e.SLOMet = e.SLOMet && r.SLOMet
	}
	e.MonthlyCost = round2(total)
	e.EventsMonthly = round2(total - h*sim.HoursPerMonth)
	return e, nil
}

func hasPrescale(sys sim.System) bool {
	for _, c := range sys.Components {
		if len(c.Prescale) > 0 {
			return true
		}
	}
	return false
}
