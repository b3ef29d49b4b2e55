package plan

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// multipleStep is the precision of the largest multiple survived.
const multipleStep = 0.05

// maxMultiple bounds the search for the largest multiple survived.
const maxMultiple = 50.0

// pool holds the configurations the searches found, each with the spike
// multiple it was planned for.
type pool struct {
	items []poolItem
	seen  map[string]bool
}

type poolItem struct {
	c *cand
	k float64
}

func (p *pool) add(c *cand, k float64) {
	key := fmt.Sprint(c.cpu, c.load, c.beh, c.min, c.max, c.pre, c.buf)
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	if !p.seen[key] {
		p.seen[key] = true
		p.items = append(p.items, poolItem{c: c, k: k})
	}
}

func (pl *planner) multiples() []float64 {
	if pl.opt.Multiples != nil {
		return pl.opt.Multiples
	}
	return DefaultMultiples
}

// targets are the SLO targets of the table: the options', or the default
// ones with the SLO's own among them.
func (pl *planner) targets() []float64 {
	if pl.opt.Targets != nil {
		return pl.opt.Targets
	}
	out := append([]float64(nil), DefaultTargets...)
	obj := pl.sp.base.Objectives
	own := obj.Availability
	if own == 0 {
		own = obj.LatencyTarget
	}
	if own > 0 && !slices.Contains(out, own) {
		out = append(out, own)
		sort.Float64s(out)
	}
	return out
}

// targetVariant is the problem with availability target t (or the
// latency target, for an SLO with a latency objective only).
func (sp *space) targetVariant(t float64) (*variant, bool) {
	obj := sp.base.Objectives
	o := obj
	if obj.Availability > 0 || obj.LatencyThreshold == 0 {
		o.Availability = t
		return sp.variant(1, o), obj.Availability == t
	}
	o.LatencyTarget = t
	return sp.variant(1, o), obj.LatencyTarget == t
}

// explore searches for the cheapest configurations that survive bigger
// spikes and meet stricter targets, and adds them to the pool. The
// hardest goes first: what survives ×3 also bounds the search for ×2, and
// what meets 99.99% bounds every looser target, so later searches prune
// more.
func (pl *planner) explore(ctx context.Context, res *Result, p *pool) error {
	sp := pl.sp
	if !sp.scalable() {
		res.Pareto.Notes = append(res.Pareto.Notes, "the spike frontier needs traffic shapes that scale; a scenario's shape does not")
	} else {
		ks := append([]float64(nil), pl.multiples()...)
		sort.Sort(sort.Reverse(sort.Float64Slice(ks)))
		for _, k := range ks {
			if k <= 1 || k > maxMultiple || math.IsNaN(k) {
				continue
			}
			pl.phase = fmt.Sprintf("pareto ×%g", k)
			found, err := pl.explore1(ctx, sp.variant(k, sp.base.Objectives), k, p)
			if err != nil {
				return err
			}
			if !found {
				res.Pareto.Notes = append(res.Pareto.Notes, fmt.Sprintf("no configuration within the search bounds survives ×%g", k))
			}
		}
	}
	ts := append([]float64(nil), pl.targets()...)
	sort.Sort(sort.Reverse(sort.Float64Slice(ts)))
	for _, t := range ts {
		if !(t > 0 && t < 1) {
			continue
		}
		pl.phase = "pareto " + units.Percent(t)
		v, _ := sp.targetVariant(t)
		if _, err := pl.explore1(ctx, v, 1, p); err != nil {
			return err
		}
	}
	return nil
}

func (pl *planner) explore1(ctx context.Context, v *variant, k float64, p *pool) (bool, error) {
	seeds := make([]*cand, len(p.items))
	for j, it := range p.items {
		seeds[j] = it.c
	}
	c, err := pl.search(ctx, v, seeds)
	if err != nil || c == nil {
		return false, err
	}
	if c, err = pl.refine(ctx, v, c); err != nil {
		return false, err
	}
	p.add(c, k)
	return true, nil
}

// cheapest is the cheapest configuration of the pool that meets the SLO
// of variant v (the first found among equals), or nil.
func (pl *planner) cheapest(ctx context.Context, v *variant, p *pool) (*cand, error) {
	var best *cand
	bestCost := math.Inf(1)
	for _, it := range p.items {
		ok, _, err := pl.ev.feasible(ctx, it.c, v, nil)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		cost, err := pl.ev.monthly(ctx, it.c, v)
		if err != nil {
			return nil, err
		}
		if cost < bestCost {
			best, bestCost = it.c, cost
		}
	}
	return best, nil
}

// tables fills the Pareto tables from the pool.
func (pl *planner) tables(ctx context.Context, res *Result, p *pool) error {
	sp := pl.sp
	main := sp.variants[0]
	if sp.scalable() {
		pl.phase = "pareto frontier"
		var pts []SpikePoint
		for j, it := range p.items {
			pl.progress(j, len(p.items), math.NaN())
			ok, _, err := pl.ev.feasible(ctx, it.c, main, nil)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			cost, err := pl.ev.monthly(ctx, it.c, main)
			if err != nil {
				return err
			}
			surv, err := pl.survives(ctx, it.c)
			if err != nil {
				return err
			}
			pts = append(pts, SpikePoint{PlannedFor: it.k, Survives: surv, MonthlyCost: round2(cost), Config: sp.config(it.c, main)})
		}
		res.Pareto.Spike = frontier(pts)
	}
	prev := math.NaN()
	for _, t := range pl.targets() {
		if !(t > 0 && t < 1) {
			continue
		}
		v, current := sp.targetVariant(t)
		c, err := pl.cheapest(ctx, v, p)
		if err != nil {
			return err
		}
		pt := SLOPoint{Target: t, Current: current}
		if c != nil {
			cost, err := pl.ev.monthly(ctx, c, main) // costs do not depend on the objectives
			if err != nil {
				return err
			}
			pt.Found, pt.MonthlyCost = true, round2(cost)
			if !math.IsNaN(prev) {
				pt.Extra = round2(pt.MonthlyCost - prev)
			}
			prev = pt.MonthlyCost
		}
		res.Pareto.SLO = append(res.Pareto.SLO, pt)
	}
	return nil
}

// survives returns the largest multiple k of the traffic, on a grid of
// multipleStep from 1 (known to be survived), such that c survives every
// multiple of the grid up to k. (Survival is not always monotone in the
// traffic: the HPA's tolerance can hold a replica count at ×1.05 that it
// would raise at ×1.5.)
func (pl *planner) survives(ctx context.Context, c *cand) (float64, error) {
	sp := pl.sp
	ok := func(j int) (bool, error) {
		m := roundMultiple(1 + float64(j)*multipleStep)
		good, _, err := pl.ev.feasible(ctx, c, sp.variant(m, sp.base.Objectives), nil)
		return good, err
	}
	// Double the step until it fails, then bisect.
	lo, hi := 0, 1
	for {
		if 1+float64(hi)*multipleStep > maxMultiple {
			return roundMultiple(1 + float64(lo)*multipleStep), nil
		}
		good, err := ok(hi)
		if err != nil {
			return 0, err
		}
		if !good {
			break
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		good, err := ok(mid)
		if err != nil {
			return 0, err
		}
		if good {
			lo = mid
		} else {
			hi = mid
		}
	}
	return roundMultiple(1 + float64(lo)*multipleStep), nil
}

func roundMultiple(m float64) float64 { return math.Round(m*100) / 100 }

// frontier keeps the points no cheaper point beats: sorted by cost, each
// surviving a larger multiple than every cheaper one.
func frontier(pts []SpikePoint) []SpikePoint {
	sort.SliceStable(pts, func(a, b int) bool {
		if pts[a].MonthlyCost != pts[b].MonthlyCost {
			return pts[a].MonthlyCost < pts[b].MonthlyCost
		}
		return pts[a].Survives > pts[b].Survives
	})
	var out []SpikePoint
	best := math.Inf(-1)
	for _, p := range pts {
		if p.Survives > best {
			out = append(out, p)
			best = p.Survives
		}
	}
	return out
}

// secs converts seconds to a Duration.
func secs(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }
