package plan

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/units"
)

// Binding constraints, as Reason.Constraint names them.
const (
	ConstraintStartup    = "start-up time"
	ConstraintNodes      = "node provisioning"
	ConstraintMax        = "max replicas"
	ConstraintDownstream = "downstream component"
	ConstraintUpstream   = "upstream component"
	ConstraintCapacity   = "capacity"
	ConstraintScaleUp    = "scale-up rate"
)

// why tries the cheaper step of every setting of the recommendation and
// explains, for each that fails, what broke.
func (pl *planner) why(ctx context.Context, v *variant, c *cand) ([]Reason, error) {
	sp, ev := pl.sp, pl.ev
	var out []Reason
	try := func(i int, setting, value, cheaper string, t *cand, scen []int) error {
		ok, failed, err := ev.feasible(ctx, t, v, scen)
		if err != nil || ok {
			return err
		}
		r, err := ev.run(ctx, t, v, failed)
		if err != nil {
			return err
		}
		base, err := ev.run(ctx, c, v, failed)
		if err != nil {
			return err
		}
		out = append(out, sp.reason(i, setting, value, cheaper, t, v, failed, r, base))
		return nil
	}
	for _, i := range sp.order {
		cs := &sp.comps[i]
		floorName := "replicas"
		if cs.hpa {
			floorName = "minReplicas"
		}
		if c.min[i] > cs.floor {
			t := c.clone()
			t.min[i]--
			if err := try(i, floorName, strconv.Itoa(c.min[i]), strconv.Itoa(t.min[i]), t, nil); err != nil {
				return nil, err
			}
		}
		if cs.hpa {
			lo := c.min[i]
			for s := range sp.scen {
				lo = max(lo, c.pre[i][s])
			}
			if c.max[i] > lo {
				t := c.clone()
				t.max[i]--
				if err := try(i, "maxReplicas", strconv.Itoa(c.max[i]), strconv.Itoa(t.max[i]), t, nil); err != nil {
					return nil, err
				}
			}
			if c.load[i]+1 < len(cs.loads) {
				t := c.clone()
				t.load[i]++
				from := targetOf(cs.metricAt(c.load[i], c.cpu[i]), cs.cpus[c.cpu[i]]).String()
				to := targetOf(cs.metricAt(t.load[i], t.cpu[i]), cs.cpus[t.cpu[i]]).String()
				if err := try(i, "target", from, to, t, nil); err != nil {
					return nil, err
				}
			}
			if c.beh[i] > 0 {
				t := c.clone()
				t.beh[i] = 0
				if err := try(i, "scale-up", behaviorFast, behaviorToday, t, nil); err != nil {
					return nil, err
				}
			}
		}
		for s := range sp.scen {
			if p := c.pre[i][s]; p > 0 {
				t := c.clone()
				t.pre[i][s] = p - 1
				cheaper := strconv.Itoa(p - 1)
				if p-1 <= c.min[i] {
					cheaper = "none"
				}
				if err := try(i, "pre-scale before "+sp.scen[s].Name, strconv.Itoa(p), cheaper, t, []int{s}); err != nil {
					return nil, err
				}
			}
		}
	}
	if k := sp.cheaperBuf(c.buf); k >= 0 {
		t := c.clone()
		t.buf = k
		if err := try(-1, "spare capacity", bufString(sp.buffers[c.buf]), bufString(sp.buffers[t.buf]), t, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func bufString(b bufferOpt) string { return b.public().String() }

// reason classifies the failure of a cheaper step by comparing its run
// (r) with the recommendation's (base): which constraint binds, and a
// sentence saying so.
func (sp *space) reason(i int, setting, value, cheaper string, t *cand, v *variant, s int, r, base *sim.Result) Reason {
	name := "nodes"
	if i >= 0 {
		name = sp.comps[i].name
	}
	rs := Reason{Component: name, Setting: setting, Value: value, Cheaper: cheaper, Scenario: sp.scen[s].Name}
	allowed := v.obj.MaxBudgetBurn
	if allowed == 0 {
		allowed = sim.DefaultMaxBudgetBurn
	}
	verdict := fmt.Sprintf("with %s %s, %s burns %s of the error budget (%s allowed)", setting, cheaper, rs.Scenario, units.Percent(r.BudgetBurned), units.Percent(allowed))
	var cr *sim.ComponentResult
	for j := range r.Components {
		if r.Components[j].Name == name {
			cr = &r.Components[j]
		}
	}
	if cr == nil {
		// The buffer: whoever waited for a node.
		for j := range r.Components {
			if r.Components[j].MaxPending > 0 && (cr == nil || r.Components[j].MaxPending > cr.MaxPending) {
				cr = &r.Components[j]
			}
		}
	}
	var was sim.ComponentResult
	if cr != nil {
		for _, b := range base.Components {
			if b.Name == cr.Name {
				was = b
			}
		}
	}
	switch {
	case cr == nil:
		rs.Constraint = ConstraintCapacity
		rs.Detail = verdict + ": " + r.BottleneckReason
	case r.Bottleneck != "" && r.Bottleneck != cr.Name && i >= 0:
		rs.Constraint = ConstraintUpstream
		if sp.calls(cr.Name, r.Bottleneck) {
			rs.Constraint = ConstraintDownstream
		}
		rs.Detail = fmt.Sprintf("%s: %s becomes the bottleneck (%s)", verdict, r.Bottleneck, r.BottleneckReason)
	case cr.PendingS > was.PendingS+30:
		rs.Constraint = ConstraintNodes
		rs.Detail = fmt.Sprintf("%s: up to %d %s pods wait %s for room on a node", verdict, cr.MaxPending, cr.Name, units.Seconds(math.Round(cr.PendingS)))
	case setting == "maxReplicas" && i >= 0 && cr.PeakDesired >= t.max[i]:
		rs.Constraint = ConstraintMax
		rs.Detail = fmt.Sprintf("%s: the HPA asks for all %d replicas it may have", verdict, t.max[i])
	case setting == "scale-up":
		rs.Constraint = ConstraintScaleUp
		rs.Detail = verdict + ": the default policies (double or +4 pods per 15 s) hold the HPA back"
	case cr.ScaleUps > was.ScaleUps || cr.PeakDesired > was.PeakDesired:
		rs.Constraint = ConstraintStartup
		var st sim.Startup
		for _, c := range sp.base.Components {
			if c.Name == cr.Name {
				st = c.Startup
			}
		}
		if st == (sim.Startup{}) {
			st = sim.DefaultStartup
		}
		rs.Detail = fmt.Sprintf("%s: the HPA scales up, but new %s pods take %s to become ready and metrics lag behind the load", verdict, cr.Name, units.Duration(st.Total()))
	default:
		rs.Constraint = ConstraintCapacity
		rs.Detail = fmt.Sprintf("%s: %s's ready replicas run past their capacity (p99 up to %s)", verdict, cr.Name, units.Seconds(cr.WorstP99))
	}
	return rs
}

// calls tells whether component a calls b, directly or not.
func (sp *space) calls(a, b string) bool {
	seen := map[string]bool{}
	var walk func(n string) bool
	walk = func(n string) bool {
		if seen[n] {
			return false
		}
		seen[n] = true
		for _, c := range sp.base.Components {
			if c.Name != n {
				continue
			}
			for _, call := range c.Calls {
				if call.To == b || walk(call.To) {
					return true
				}
			}
		}
		return false
	}
	return walk(a)
}
