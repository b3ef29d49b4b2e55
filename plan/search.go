package plan

import (
	"context"
	"math"
	"sort"
	"sync"

	"github.com/headroom-sre/headroom/sim"
)

// The search.
//
// Outer options are the choices that trade steady-state cost against
// speed of reaction in no fixed direction: each component's CPU request
// and target load, and the spare node capacity. For each, the steady
// state at the lowest replica floors gives a lower bound on the monthly
// cost (events only add to it). Options are taken cheapest bound first;
// once the bound of the next is no cheaper than the best found (less the
// tolerance), the rest are pruned.
//
// Inside an outer option every knob is monotone: a higher floor, a higher
// maxReplicas, a higher pre-scale floor or a faster scale-up never hurts
// the SLO and never costs less. So the search starts from the safe end,
// and bisects each knob down to the lowest value that still meets the
// SLO, floors (which set the steady bill) first, event-only knobs after.
//
// Outer options are processed in batches of a fixed size, in parallel;
// the bound a batch prunes with is the best found by the batches before
// it, so the result does not depend on how many workers run.

// maxPasses bounds the rounds of coordinate bisection over components.
const maxPasses = 3

// batchSize is the number of outer options processed between two updates
// of the best cost. It is fixed so that results do not depend on Workers.
const batchSize = 8

// outer is one outer option with its lower bound.
type outer struct {
	idx  int
	cpu  []int
	load []int
	buf  int
	lb   float64 // monthly
	dist int     // grid steps away from today's settings
}

// found is a feasible candidate and its monthly cost.
type found struct {
	c    *cand
	cost float64
	idx  int
}

// search returns the cheapest candidate meeting the SLO in every scenario
// of variant v, or nil. Seeds that meet it set the first bound.
func (pl *planner) search(ctx context.Context, v *variant, seeds []*cand) (*cand, error) {
	sp := pl.sp
	outers := sp.outers()
	if err := pl.bound(ctx, v, outers); err != nil {
		return nil, err
	}
	sortOuters(outers)
	var best *found
	for _, c := range seeds {
		ok, _, err := pl.ev.feasible(ctx, c, v, nil)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		cost, err := pl.ev.monthly(ctx, c, v)
		if err != nil {
			return nil, err
		}
		if best == nil || cost < best.cost {
			best = &found{c: c, cost: cost, idx: -1}
		}
	}
	var cheapCorners []*outer // outer options feasible at their cheapest corner
	var hopeless []*outer     // outer options infeasible even at their safest corner
	total := len(outers)
	pl.progress(0, total, math.NaN())
	for next := 0; next < total; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		bound := math.Inf(1)
		if best != nil {
			bound = best.cost - pl.opt.Tolerance*best.cost
		}
		if outers[next].lb >= bound {
			for _, o := range outers[next:] {
				pl.stats.Pruned++
				pl.decided.Add(1)
				pl.stats.Space += sp.innerSize(&o, v)
			}
			break
		}
		var batch []*outer
		for ; next < total && len(batch) < batchSize; next++ {
			o := &outers[next]
			pl.stats.Space += sp.innerSize(o, v)
			switch {
			case o.lb >= bound, dominated(o, cheapCorners), sp.hopelessToo(o, hopeless):
				pl.stats.Pruned++
				pl.decided.Add(1)
			default:
				batch = append(batch, o)
			}
		}
		results := make([]*found, len(batch))
		status := make([]corner, len(batch))
		errs := make([]error, len(batch))
		pl.parallel(len(batch), func(j int) {
			results[j], status[j], errs[j] = pl.inner(ctx, v, batch[j], bound)
		})
		for j, o := range batch {
			if errs[j] != nil {
				return nil, errs[j]
			}
			switch status[j] {
			case cheapestFeasible:
				cheapCorners = append(cheapCorners, o)
			case safestInfeasible:
				hopeless = append(hopeless, o)
			}
			if f := results[j]; f != nil && (best == nil || f.cost < best.cost || (f.cost == best.cost && f.idx < best.idx)) {
				best = f
			}
		}
		b := math.NaN()
		if best != nil {
			b = best.cost
		}
		pl.progress(next, total, b)
	}
	if best == nil {
		return nil, nil
	}
	return best.c, nil
}

// sortOuters orders outer options cheapest bound first; among equal
// bounds (node counts make plateaus), closest to today's settings first: a
// plan that changes less is easier to apply.
func sortOuters(outers []outer) {
	sort.SliceStable(outers, func(a, b int) bool {
		if outers[a].lb != outers[b].lb {
			return outers[a].lb < outers[b].lb
		}
		if outers[a].dist != outers[b].dist {
			return outers[a].dist < outers[b].dist
		}
		return outers[a].idx < outers[b].idx
	})
}

// parallel runs f(0..n-1) on up to Workers goroutines.
func (pl *planner) parallel(n int, f func(int)) {
	w := min(pl.opt.Workers, n)
	if w <= 1 {
		for j := range n {
			f(j)
		}
		return
	}
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range w {
		wg.Go(func() {
			for j := range jobs {
				f(j)
			}
		})
	}
	for j := range n {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
}

// outers enumerates the outer options.
func (sp *space) outers() []outer {
	n := len(sp.comps)
	var out []outer
	cpu, load := make([]int, n), make([]int, n)
	var rec func(i int)
	rec = func(i int) {
		if i == n {
			for b := range sp.buffers {
				o := outer{idx: len(out), cpu: append([]int(nil), cpu...), load: append([]int(nil), load...), buf: b}
				o.dist = abs(b - max(sp.fileBuf, 0))
				for j := range sp.comps {
					o.dist += abs(cpu[j]-sp.comps[j].fileCPU) + abs(load[j]-sp.comps[j].fileLoad)
				}
				out = append(out, o)
			}
			return
		}
		cs := &sp.comps[i]
		for a := range cs.cpus {
			for l := range cs.loads {
				cpu[i], load[i] = a, l
				rec(i + 1)
			}
		}
	}
	rec(0)
	return out
}

// bound sets each outer option's lower bound: the steady state's month at
// the lowest floors. The maxima are those of the unscaled traffic (no
// higher than any variant's, so the bound holds for all and is computed
// once).
func (pl *planner) bound(ctx context.Context, v *variant, outers []outer) error {
	errs := make([]error, len(outers))
	one := pl.sp.variants[0]
	pl.parallel(len(outers), func(j int) {
		o := &outers[j]
		h, err := pl.ev.steadyHourly(ctx, pl.sp.start(o, one), one)
		o.lb, errs[j] = h*sim.HoursPerMonth, err
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// dominated tells whether an outer option costs at least as much as one
// already found feasible at its cheapest corner: the same CPU requests
// and buffer, and no higher target load anywhere (more replicas at every
// moment, so never cheaper).
func dominated(o *outer, corners []*outer) bool {
	for _, c := range corners {
		if c.buf != o.buf {
			continue
		}
		ok := true
		for i := range o.cpu {
			if o.cpu[i] != c.cpu[i] || o.load[i] > c.load[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// hopelessToo tells whether an outer option is infeasible because one
// like it with more room is: the same CPU requests, no lower target load
// anywhere and no more spare capacity than one that failed even at its
// safest corner.
func (sp *space) hopelessToo(o *outer, failed []*outer) bool {
	for _, f := range failed {
		if !sp.noSafer(o.buf, f.buf) {
			continue
		}
		ok := true
		for i := range o.cpu {
			if o.cpu[i] != f.cpu[i] || o.load[i] < f.load[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// innerSize is how many candidates an outer option holds: floors, maxima,
// pre-scale floors and behaviors.
func (sp *space) innerSize(o *outer, v *variant) float64 {
	n := 1.0
	for i := range sp.comps {
		cs := &sp.comps[i]
		hi := sp.maxHi(i, o.cpu[i], v.k)
		n *= float64(hi - cs.floor + 1) // floors
		if cs.hpa {
			n *= float64(hi - cs.floor + 1) // maxima (at least the floor)
			n *= float64(len(cs.behaviors))
		}
		for s := range sp.scen {
			if sp.scen[s].known {
				n *= float64(hi - cs.floor + 1)
			}
		}
	}
	return n
}

// lowest returns the lowest x in [lo, hi] for which ok(x) holds, given
// that ok(hi) holds and ok is monotone; it decides hi − lo + 1 values.
func (pl *planner) lowest(lo, hi int, ok func(int) (bool, error)) (int, error) {
	pl.decided.Add(int64(max(hi-lo+1, 1)))
	return firstTrue(lo, hi, ok)
}

// firstTrue bisects for the lowest x in [lo, hi] where the monotone ok
// holds, given that it holds at hi.
func firstTrue(lo, hi int, ok func(int) (bool, error)) (int, error) {
	if lo >= hi {
		return hi, nil
	}
	good, err := ok(lo)
	if err != nil || good {
		return lo, err
	}
	for hi-lo > 1 { // ok(hi) holds, ok(lo) does not
		mid := lo + (hi-lo)/2
		good, err := ok(mid)
		if err != nil {
			return hi, err
		}
		if good {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, nil
}

// corner says what an inner search learnt about its option's corners.
type corner uint8

const (
	cornersUnknown   corner = iota
	cheapestFeasible        // the cheapest corner meets the SLO
	safestInfeasible        // not even the safest corner does
)

// inner finds the cheapest candidate of an outer option, or nil when
// none meets the SLO or none can beat bound.
func (pl *planner) inner(ctx context.Context, v *variant, o *outer, bound float64) (f *found, status corner, err error) {
	sp, ev := pl.sp, pl.ev
	c := sp.start(o, v)
	ok, _, err := ev.feasible(ctx, c, v, nil)
	if err != nil {
		return nil, cornersUnknown, err
	}
	if !ok {
		// The safe end of the floors: as high as they go, or, with a bound,
		// as high as each can go with the others at their lowest while the
		// steady bill stays under the bound (beyond, the option cannot win:
		// the steady bill only grows with a floor).
		capped := false
		for i := range sp.comps {
			hi := sp.minHi(i, c, v)
			if !math.IsInf(bound, 1) {
				m, err := pl.highestUnder(ctx, v, c, i, hi, bound)
				if err != nil {
					return nil, cornersUnknown, err
				}
				if m < hi {
					hi, capped = m, true
				}
			}
			c.min[i] = hi
		}
		for i := range sp.comps {
			if c.min[i] < sp.comps[i].floor {
				return nil, cornersUnknown, nil // even the floor is too dear
			}
		}
		if ok, _, err = ev.feasible(ctx, c, v, nil); err != nil || !ok {
			if capped {
				return nil, cornersUnknown, err
			}
			return nil, safestInfeasible, err
		}
		for k, i := range sp.order {
			m, err := pl.lowerFloor(ctx, v, c, i)
			if err != nil {
				return nil, cornersUnknown, err
			}
			c.min[i] = m
			// The steady bill with the floors still to lower at their
			// lowest bounds this option from below.
			t := c.clone()
			for _, j := range sp.order[k+1:] {
				t.min[j] = sp.comps[j].floor
			}
			h, err := ev.steadyHourly(ctx, t, v)
			if err != nil {
				return nil, cornersUnknown, err
			}
			if h*sim.HoursPerMonth >= bound {
				return nil, cornersUnknown, nil
			}
		}
	}
	// A second pass over the floors: a lower floor elsewhere may free
	// room on the nodes.
	for pass := 1; pass < maxPasses && len(sp.comps) > 1; pass++ {
		moved := false
		for _, i := range sp.order {
			m, err := pl.lowerFloor(ctx, v, c, i)
			if err != nil {
				return nil, cornersUnknown, err
			}
			moved = moved || m != c.min[i]
			c.min[i] = m
		}
		if !moved {
			break
		}
	}
	h, err := ev.steadyHourly(ctx, c, v)
	if err != nil || h*sim.HoursPerMonth >= bound {
		return nil, cornersUnknown, err
	}
	cheapest := cheapestFeasible
	for i := range sp.comps {
		if c.min[i] != sp.comps[i].floor {
			cheapest = cornersUnknown
		}
	}
	// Pre-scale floors, event by event: each only matters to its scenario.
	// Components share the node pool, so lowering one may let another go
	// lower too: bisect again until nothing moves (a few passes at most).
	for s := range sp.scen {
		if !sp.scen[s].known {
			continue
		}
		t := c.clone()
		for i := range sp.comps {
			t.pre[i][s] = 0
		}
		ok, _, err := ev.feasible(ctx, t, v, []int{s})
		if err != nil {
			return nil, cornersUnknown, err
		}
		if ok {
			c = t
			continue
		}
		cheapest = cornersUnknown
		for pass := 0; pass < maxPasses; pass++ {
			moved := false
			for _, i := range sp.order {
				p, err := pl.lowest(c.min[i], c.pre[i][s], func(x int) (bool, error) {
					t := c.clone()
					t.pre[i][s] = x
					ok, _, err := ev.feasible(ctx, t, v, []int{s})
					return ok, err
				})
				if err != nil {
					return nil, cornersUnknown, err
				}
				moved = moved || p != c.pre[i][s]
				c.pre[i][s] = p
			}
			if !moved || len(sp.comps) == 1 {
				break
			}
		}
	}
	for i := range sp.comps {
		for s := range sp.scen {
			if c.pre[i][s] <= c.min[i] {
				c.pre[i][s] = 0
			}
		}
	}
	// Verify the whole and price it.
	ok, _, err = ev.feasible(ctx, c, v, nil)
	if err != nil || !ok {
		return nil, cornersUnknown, err
	}
	cost, err := ev.monthly(ctx, c, v)
	if err != nil {
		return nil, cornersUnknown, err
	}
	return &found{c: c, cost: cost, idx: o.idx}, cheapest, nil
}

// highestUnder is the highest floor of component i, at most hi, whose
// steady bill (the other floors at their lowest) is under bound; one less
// than the floor when none is.
func (pl *planner) highestUnder(ctx context.Context, v *variant, c *cand, i, hi int, bound float64) (int, error) {
	t := c.clone()
	for j := range pl.sp.comps {
		t.min[j] = pl.sp.comps[j].floor
	}
	under := func(m int) (bool, error) {
		t.min[i] = m
		h, err := pl.ev.steadyHourly(ctx, t, v)
		return h*sim.HoursPerMonth < bound, err
	}
	lo := pl.sp.comps[i].floor
	if ok, err := under(lo); err != nil || !ok {
		return lo - 1, err
	}
	if ok, err := under(hi); err != nil || ok {
		return hi, err
	}
	over, err := firstTrue(lo, hi, func(m int) (bool, error) {
		ok, err := under(m)
		return !ok, err
	})
	return over - 1, err
}

// lowerFloor bisects component i's floor down from its current value.
func (pl *planner) lowerFloor(ctx context.Context, v *variant, c *cand, i int) (int, error) {
	return pl.lowest(pl.sp.comps[i].floor, c.min[i], func(x int) (bool, error) {
		t := c.clone()
		t.min[i] = x
		ok, _, err := pl.ev.feasible(ctx, t, v, nil)
		return ok, err
	})
}

// refine settles the event-only knobs of the best candidate: today's
// scale-up behavior where the fast one is not needed, and maxReplicas as
// high as it can be without costing more (the lowest that meets the SLO
// when a cap saves money).
func (pl *planner) refine(ctx context.Context, v *variant, c *cand) (*cand, error) {
	sp, ev := pl.sp, pl.ev
	c = c.clone()
	cost, err := ev.monthly(ctx, c, v)
	if err != nil {
		return nil, err
	}
	tol := pl.opt.Tolerance*cost + 0.005
	for _, i := range sp.order {
		if !sp.comps[i].hpa || c.beh[i] == 0 {
			continue
		}
		t := c.clone()
		t.beh[i] = 0
		ok, _, err := ev.feasible(ctx, t, v, nil)
		if err != nil {
			return nil, err
		}
		if ok {
			tc, err := ev.monthly(ctx, t, v)
			if err != nil {
				return nil, err
			}
			if tc <= cost+tol {
				c, cost = t, math.Min(cost, tc)
			}
		}
	}
	for _, i := range sp.order {
		if !sp.comps[i].hpa {
			continue
		}
		lo := c.min[i]
		for s := range sp.scen {
			lo = max(lo, c.pre[i][s])
		}
		hi := c.max[i]
		low, err := pl.lowest(lo, hi, func(x int) (bool, error) {
			t := c.clone()
			t.max[i] = x
			ok, _, err := ev.feasible(ctx, t, v, nil)
			return ok, err
		})
		if err != nil {
			return nil, err
		}
		t := c.clone()
		t.max[i] = low
		lowCost, err := ev.monthly(ctx, t, v)
		if err != nil {
			return nil, err
		}
		// The highest maxReplicas that costs no more than the lowest.
		high := hi
		for a, b := low, hi; a < b; {
			mid := a + (b-a+1)/2
			t := c.clone()
			t.max[i] = mid
			mc, err := ev.monthly(ctx, t, v)
			if err != nil {
				return nil, err
			}
			if mc <= lowCost+tol {
				a = mid
			} else {
				b = mid - 1
			}
			high = a
		}
		c.max[i] = high
		if ok, _, err := ev.feasible(ctx, c, v, nil); err != nil || !ok {
			c.max[i] = low
			if err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}
