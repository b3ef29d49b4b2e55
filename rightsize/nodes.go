package rightsize

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/units"
)

// poolKey groups nodes that are bought the same way.
type poolKey struct {
	Pool, MachineType string
	Spot              bool
}

// nodes recommends cheaper ways to buy the nodes (Standard mode): a
// cheaper machine family of the same shape, then Spot for pools whose pods
// are all known to belong to replicated, unprotected Deployments (or
// DaemonSets), or else a 1-year commitment. Their savings are scaled down
// by the share of the node bill the pod-level cuts already free, so that
// the two are not counted twice; the notes say by how much, and why Spot
// was not considered where it was not.
func (rc recommender) nodes(c *Cluster, podSavings float64) ([]Recommendation, []string) {
	groups := map[poolKey][]Node{}
	for _, n := range c.Nodes {
		k := poolKey{n.Pool, n.MachineType, n.Spot}
		groups[k] = append(groups[k], n)
	}
	spotOK, notes := spotSafety(c)
	var bill float64
	for _, n := range rc.p.nodes {
		bill += n.MonthlyCost
	}
	scale := 1.0
	if bill > 0 {
		scale = max(0, 1-podSavings/bill)
	}
	var out []Recommendation
	keys := slices.SortedFunc(maps.Keys(groups), func(a, b poolKey) int {
		return cmp.Or(cmp.Compare(a.Pool, b.Pool), cmp.Compare(a.MachineType, b.MachineType))
	})
	for _, k := range keys {
		if k.Spot {
			continue
		}
		out = append(out, rc.pool(k, groups[k], spotOK, scale)...)
	}
	if len(out) > 0 && scale < 1 {
		notes = append(notes, fmt.Sprintf("node-level savings are scaled to %s: the request cuts above already free %s of the node bill", units.Percent(scale), units.Percent(1-scale)))
	}
	return out, notes
}

// spotSafety says, per node, whether every pod on it may be moved to Spot
// (reclaimed at 30 seconds' notice, PDBs not honoured): it runs only pods
// of Deployments with two or more replicas and no PodDisruptionBudget, or
// of DaemonSets. Without the cluster's pods or PDBs no node qualifies, and
// the notes say why.
func spotSafety(c *Cluster) (map[string]string, []string) {
	ok := map[string]string{} // node → "" when safe, else why not
	var notes []string
	switch {
	case !c.PodsListed:
		notes = append(notes, "Spot not considered: the cluster's pods were not read, so what runs on each pool is unknown (read the pods from a snapshot or from the cluster)")
		return ok, notes
	case !c.PDBsListed:
		notes = append(notes, "Spot not considered: PodDisruptionBudgets were not read, so no workload can be called unprotected (add pdb to the snapshot's kubectl get)")
		return ok, notes
	}
	for _, n := range c.Nodes {
		ok[n.Name] = ""
	}
	workloads := make(map[WorkloadRef]*Workload, len(c.Workloads))
	for i := range c.Workloads {
		workloads[c.Workloads[i].WorkloadRef] = &c.Workloads[i]
	}
	for _, pod := range c.Pods {
		if pod.Node == "" || pod.Owner.Kind == KindDaemonSet {
			continue
		}
		w := workloads[pod.Owner]
		why := ""
		switch {
		case pod.Owner.Kind == KindStatefulSet:
			why = "runs StatefulSet " + pod.Owner.Name
		case pod.Owner.Kind != KindDeployment:
			why = fmt.Sprintf("runs %s %s", pod.Owner.Kind, pod.Owner.Name)
		case w == nil:
			why = "runs pods of an unknown Deployment " + pod.Owner.Name
		case w.Replicas < 2:
			why = "runs single-replica Deployment " + pod.Owner.Name
		case len(w.PDBs) > 0:
			why = fmt.Sprintf("runs Deployment %s, protected by PDB %s", pod.Owner.Name, strings.Join(w.PDBs, ", "))
		}
		if why != "" && ok[pod.Node] == "" {
			ok[pod.Node] = why
		}
	}
	return ok, notes
}

func (rc recommender) pool(k poolKey, nodes []Node, spotOK map[string]string, scale float64) []Recommendation {
	m, err := nodeMachine(nodes[0])
	if err != nil {
		return nil
	}
	tier := rc.p.opts.Commitment
	monthly := func(m pricing.Machine, t pricing.Tier) (float64, bool) {
		cpu, mem, err := rc.p.nodeMonthly(m, t)
		return cpu + mem, err == nil
	}
	cur, ok := monthly(m, tier)
	if !ok {
		return nil
	}
	count := float64(len(nodes))
	change := func(newType string, newTier pricing.Tier) *NodeChange {
		return &NodeChange{Pool: k.Pool, Nodes: len(nodes), MachineType: k.MachineType, NewMachineType: newType,
			Tier: string(tier), NewTier: string(newTier)}
	}
	var out []Recommendation
	best, bestCost := m, cur
	if m.Shape == "standard" || m.Shape == "highcpu" || m.Shape == "highmem" {
		for _, f := range slices.Sorted(maps.Keys(rc.p.opts.Catalog.Regions[rc.p.opts.Region].Families)) {
			alt, err := pricing.ParseMachineType(f + "-" + m.Shape + "-" + strconv.Itoa(int(m.VCPU)))
			// The same vCPUs and at least the memory: a family with less
			// memory per vCPU (n1, c4) is a different machine, not a cheaper one.
			if err != nil || f == m.Family || alt.VCPU != m.VCPU || alt.MemoryGiB < m.MemoryGiB {
				continue
			}
			if c, ok := monthly(alt, tier); ok && c < bestCost*0.99 {
				best, bestCost = alt, c
			}
		}
	}
	if best.Name != m.Name {
		out = append(out, Recommendation{Action: ActionNodeFamily, Nodes: change(best.Name, tier),
			MonthlySaving: (cur - bestCost) * count * scale, Class: Big, Risk: RiskUnverified,
			Reason: fmt.Sprintf("%s has the same %g vCPU and %g GiB (%g now) for %s less a node-month; CPU platforms differ: load-test first",
				best.Name, best.VCPU, best.MemoryGiB, m.MemoryGiB, usd(cur-bestCost))})
	}
	if tier != pricing.OnDemand {
		return out
	}
	spot := true
	for _, n := range nodes {
		why, ok := spotOK[n.Name]
		spot = spot && ok && why == ""
	}
	if spot {
		if spot, ok := monthly(best, pricing.Spot); ok && spot < bestCost {
			return append(out, Recommendation{Action: ActionSpot, Nodes: change(best.Name, pricing.Spot),
				MonthlySaving: (bestCost - spot) * count * scale, Class: Big, Risk: RiskUnverified,
				Reason: fmt.Sprintf("every pod on these nodes belongs to a Deployment with 2 or more replicas and no PodDisruptionBudget, or to a DaemonSet; Spot VMs can be reclaimed at 30 s notice, without honouring PDBs, and Spot prices change (this one is of %s)",
					rc.p.opts.Catalog.Regions[rc.p.opts.Region].Families[best.Family].Spot.VCPU.Date)})
		}
	}
	y1, ok1 := monthly(best, pricing.Commit1Y)
	y3, ok3 := monthly(best, pricing.Commit3Y)
	if ok1 && ok3 && y1 < bestCost {
		out = append(out, Recommendation{Action: ActionCommitment, Nodes: change(best.Name, pricing.Commit1Y),
			MonthlySaving: (bestCost - y1) * count * scale, Class: Big, Risk: RiskUnverified,
			Reason: fmt.Sprintf("a 1-year commitment saves %s a node-month (3 years: %s); commit only to the nodes you run all the time",
				usd(bestCost-y1), usd(bestCost-y3))})
	}
	return out
}

func usd(x float64) string { return units.Money(x, "USD") }
