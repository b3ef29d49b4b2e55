package rightsize

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/units"
)

// SystemCheck is a model of the system and the scenarios it must survive,
// against which [Verify] checks recommendations.
type SystemCheck struct {
	System    sim.System
	Scenarios []sim.Scenario
	// Component names the system's component a workload is; nil (or "")
	// means the component named like the workload.
	Component func(WorkloadRef) string
	// Options are the simulator's run options.
	Options sim.Options
}

// Verify replays the system's scenarios with each workload's recommended
// changes (its requests, its HPA's CPU target and minimum) and compares
// them with the system as it is. A change passes when every scenario
// whose SLO held still holds it, and no scenario that missed it burns more
// error budget. Recommendations that pass and were unverified or high
// risk become [RiskSLOChecked] (low and medium ones keep their risk: the
// simulator does not model a pod's CPU contention); those that fail are moved to r.Skipped with the
// scenario that broke. When a workload's changes fail together and one of
// them lowers the HPA minimum, the others are tried without it. Workloads
// that are not components of the system keep their risk. The totals are
// recomputed; notes say what was checked.
func Verify(ctx context.Context, c *Cluster, r *Report, sc SystemCheck) error {
	base, err := simulate(ctx, sc.System, sc)
	if err != nil {
		return fmt.Errorf("simulate the system as it is: %w", err)
	}
	index := map[string]int{}
	for i, comp := range sc.System.Components {
		index[comp.Name] = i
	}
	byWorkload := map[WorkloadRef][]int{}
	var order []WorkloadRef
	for i, x := range r.Recommendations {
		if x.Action != ActionRequests && x.Action != ActionHPAMin {
			continue
		}
		ref := WorkloadRef{Kind: x.Kind, Namespace: x.Namespace, Name: x.Workload}
		if byWorkload[ref] == nil {
			order = append(order, ref)
		}
		byWorkload[ref] = append(byWorkload[ref], i)
	}
	drop := map[int]string{}
	checked, outside := 0, 0
	for _, ref := range order {
		name := ref.Name
		if sc.Component != nil {
			if n := sc.Component(ref); n != "" {
				name = n
			}
		}
		ci, ok := index[name]
		w := c.Workload(ref)
		if !ok || w == nil {
			outside += len(byWorkload[ref])
			continue
		}
		recs := byWorkload[ref]
		broke, err := tryChanges(ctx, sc, base, ci, w, r.Recommendations, recs)
		if err != nil {
			return err
		}
		pass := recs
		if broke != "" {
			var rest []int
			for _, i := range recs {
				if r.Recommendations[i].Action != ActionHPAMin {
					rest = append(rest, i)
				}
			}
			pass = nil
			if len(rest) < len(recs) && len(rest) > 0 {
				again, err := tryChanges(ctx, sc, base, ci, w, r.Recommendations, rest)
				if err != nil {
					return err
				}
				if again == "" {
					pass = rest
				}
			}
			for _, i := range recs {
				if !slices.Contains(pass, i) {
					drop[i] = broke
				}
			}
		}
		for _, i := range pass {
			checked++
			if x := &r.Recommendations[i]; x.Risk == RiskUnverified || x.Risk == RiskHigh {
				x.Risk = RiskSLOChecked
				x.Reason += "; simulated: the SLO held in every scenario"
			}
		}
	}
	kept := r.Recommendations[:0:0]
	for i, x := range r.Recommendations {
		if why, ok := drop[i]; ok {
			what := string(x.Action)
			if x.Container != "" {
				what += " of " + x.Container
			}
			r.Skipped = append(r.Skipped, Skipped{Namespace: x.Namespace, Workload: x.Workload, Kind: x.Kind,
				Reason: fmt.Sprintf("%s rejected: %s", what, why)})
			continue
		}
		kept = append(kept, x)
	}
	r.Recommendations = kept
	r.total()
	names := make([]string, len(sc.Scenarios))
	for i, s := range sc.Scenarios {
		names[i] = s.Name
	}
	r.Notes = append(r.Notes, fmt.Sprintf("simulated %d scenario(s) (%s): %d change(s) kept the SLO, %d rejected; %d change(s) to workloads outside the system stay unverified",
		len(sc.Scenarios), strings.Join(names, ", "), checked, len(drop), outside))
	return nil
}

// simulate runs every scenario on sys.
func simulate(ctx context.Context, sys sim.System, sc SystemCheck) ([]*sim.Result, error) {
	m, err := sim.Compile(sys)
	if err != nil {
		return nil, err
	}
	out := make([]*sim.Result, len(sc.Scenarios))
	for i, s := range sc.Scenarios {
		if out[i], err = m.Run(ctx, s, sc.Options); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tryChanges simulates the system with recs (indexes into all) applied to
// component ci, which is workload w, and returns what broke ("" when
// nothing did).
func tryChanges(ctx context.Context, sc SystemCheck, base []*sim.Result, ci int, w *Workload, all []Recommendation, recs []int) (string, error) {
	sys := sc.System.Clone()
	comp := &sys.Components[ci]
	cs := append([]Container(nil), w.Containers...)
	for _, i := range recs {
		x := all[i]
		switch x.Action {
		case ActionRequests:
			for j := range cs {
				if cs[j].Name == x.Container {
					cs[j].Requests = Resources{CPU: x.CPURequest, Memory: x.MemoryRequest}
				}
			}
		case ActionHPAMin:
			if comp.HPA != nil && x.HPA != nil {
				comp.HPA.MinReplicas = x.HPA.NewMinReplicas
				if comp.Replicas > 0 && comp.Replicas < x.HPA.NewMinReplicas {
					comp.Replicas = x.HPA.NewMinReplicas
				}
			}
		}
		if h := x.HPA; h != nil && comp.HPA != nil && h.NewCPUTarget != h.CPUTarget {
			for j, m := range comp.HPA.Metrics {
				if m.Source == sim.ResourceMetric && m.Target == sim.UtilizationTarget {
					comp.HPA.Metrics[j].AverageUtilization = int(math.Round(h.NewCPUTarget * 100))
				}
			}
		}
	}
	// The system's pod may differ from the cluster's: scale it by the
	// ratio of the recommended pod to the current one.
	before, after := w.PodRequests(), sumRequests(cs)
	if before.CPU > 0 {
		k := after.CPU / before.CPU
		comp.Resources.CPURequest *= k
	}
	if before.Memory > 0 {
		k := after.Memory / before.Memory
		comp.Resources.MemoryRequest *= k
		if comp.Resources.MemoryLimit > 0 && comp.Resources.MemoryLimit < comp.Resources.MemoryRequest {
			comp.Resources.MemoryLimit = comp.Resources.MemoryRequest
		}
	}
	if comp.Resources.CPULimit > 0 && comp.Resources.CPULimit < comp.Resources.CPURequest {
		comp.Resources.CPULimit = comp.Resources.CPURequest
	}
	got, err := simulate(ctx, sys, sc)
	if err != nil {
		return "", fmt.Errorf("simulate %s with its recommendations: %w", comp.Name, err)
	}
	for i, res := range got {
		b := base[i]
		switch {
		case b.SLOMet && !res.SLOMet:
			return fmt.Sprintf("the SLO breaks in scenario %s (%s of the error budget burned, %s before)",
				res.Scenario, units.Percent(res.BudgetBurned), units.Percent(b.BudgetBurned)), nil
		case !b.SLOMet && res.BudgetBurned > b.BudgetBurned*1.001+1e-9:
			return fmt.Sprintf("scenario %s, which already misses the SLO, burns more of the budget (%s, %s before)",
				res.Scenario, units.Percent(res.BudgetBurned), units.Percent(b.BudgetBurned)), nil
		}
	}
	return "", nil
}
