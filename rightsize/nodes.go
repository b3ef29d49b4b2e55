package rightsize

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/headroom-sre/headroom/pricing"
)

// poolKey groups nodes that are bought the same way.
type poolKey struct {
	Pool, MachineType string
	Spot              bool
}

// nodes recommends cheaper ways to buy the nodes (Standard mode): a
// cheaper machine family of the same shape, then Spot for pools that run
// only replicated Deployments, or else a 1-year commitment. Their savings
// are scaled down by the share of the node bill the pod-level cuts already
// free, so that the two are not counted twice; the note says by how much.
func (rc recommender) nodes(c *Cluster, podSavings float64) ([]Recommendation, string) {
	groups := map[poolKey][]Node{}
	for _, n := range c.Nodes {
		k := poolKey{n.Pool, n.MachineType, n.Spot}
		groups[k] = append(groups[k], n)
	}
	replicated := map[string]bool{} // node → every non-DaemonSet pod on it is a replicated Deployment's
	for _, n := range c.Nodes {
		replicated[n.Name] = true
	}
	replicas := make(map[WorkloadRef]int, len(c.Workloads))
	for _, w := range c.Workloads {
		replicas[w.WorkloadRef] = w.Replicas
	}
	for _, pod := range c.Pods {
		if pod.Owner.Kind == KindDaemonSet {
			continue
		}
		if pod.Owner.Kind != KindDeployment || replicas[pod.Owner] < 2 {
			replicated[pod.Node] = false
		}
	}
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
		out = append(out, rc.pool(k, groups[k], replicated, scale)...)
	}
	note := ""
	if len(out) > 0 && scale < 1 {
		note = fmt.Sprintf("node-level savings are scaled to %.0f%%: the request cuts above already free %.0f%% of the node bill", scale*100, (1-scale)*100)
	}
	return out, note
}

func (rc recommender) pool(k poolKey, nodes []Node, replicated map[string]bool, scale float64) []Recommendation {
	m, err := nodeMachine(nodes[0])
	if err != nil {
		return nil
	}
	tier := rc.p.opts.Commitment
	monthly := func(m pricing.Machine, t pricing.Tier) (float64, bool) {
		cpu, mem, err := rc.p.nodeMonthly(nodes[0], m, t)
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
			if err != nil || f == m.Family {
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
			Reason: fmt.Sprintf("%s has the same %g vCPU and %g GiB for %s less a node-month; CPU platforms differ: load-test first",
				best.Name, best.VCPU, best.MemoryGiB, usd(cur-bestCost))})
	}
	if tier != pricing.OnDemand {
		return out
	}
	spotOK := true
	for _, n := range nodes {
		spotOK = spotOK && replicated[n.Name]
	}
	if spotOK {
		if spot, ok := monthly(best, pricing.Spot); ok && spot < bestCost {
			return append(out, Recommendation{Action: ActionSpot, Nodes: change(best.Name, pricing.Spot),
				MonthlySaving: (bestCost - spot) * count * scale, Class: Big, Risk: RiskUnverified,
				Reason: fmt.Sprintf("every pod on these nodes belongs to a Deployment with 2 or more replicas; Spot VMs can be reclaimed at 30 s notice and Spot prices change (this one is of %s)",
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

func usd(x float64) string { return pricing.USD.Format(x) }
