package rightsize

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/units"
)

// Mode is how a GKE cluster is billed.
type Mode string

// The billing modes.
const (
	Autopilot Mode = "autopilot" // pods are billed for their requests
	Standard  Mode = "standard"  // nodes are billed; pods are allocated their cost
)

// ParseMode reads "autopilot" or "standard".
func ParseMode(s string) (Mode, error) {
	switch Mode(strings.ToLower(s)) {
	case Autopilot:
		return Autopilot, nil
	case Standard:
		return Standard, nil
	}
	return "", fmt.Errorf("unknown mode %q (want autopilot or standard)", s)
}

// DefaultComponentLabels are the labels a workload's component is read
// from, first match wins; without any, the component is the workload's name.
var DefaultComponentLabels = []string{"app.kubernetes.io/component", "app.kubernetes.io/name", "app"}

// DefaultFreeNamespaces are not billed in Autopilot mode: Autopilot does
// not charge for system pods.
var DefaultFreeNamespaces = []string{"kube-system", "kube-public", "kube-node-lease", "gke-gmp-system", "gmp-system", "gke-managed-system"}

// CostOptions configure [Cost]. Set at least Mode and Region.
type CostOptions struct {
	Mode    Mode
	Region  string
	Catalog *pricing.Catalog // nil means pricing.GCP()
	// Class is the Autopilot compute class ("" is general-purpose).
	Class string
	// NoBursting applies the request rules of Autopilot clusters that do
	// not support bursting (GKE before 1.30.2): larger minimums, CPU in
	// quarter-vCPU steps, limits equal to requests.
	NoBursting bool
	// Commitment is how Standard-mode nodes that are not Spot are bought:
	// "" or on-demand, 1y or 3y.
	Commitment pricing.Tier
	// NoSustainedUse turns off the sustained-use discount on-demand nodes
	// of some families earn when they run all month (on by default).
	NoSustainedUse bool
	// ComponentLabels overrides DefaultComponentLabels.
	ComponentLabels []string
	// FreeNamespaces overrides DefaultFreeNamespaces (Autopilot only).
	FreeNamespaces []string
}

func (o CostOptions) withDefaults() CostOptions {
	if o.Catalog == nil {
		o.Catalog = pricing.GCP()
	}
	if o.ComponentLabels == nil {
		o.ComponentLabels = DefaultComponentLabels
	}
	if o.FreeNamespaces == nil {
		o.FreeNamespaces = DefaultFreeNamespaces
	}
	if o.Commitment == "" {
		o.Commitment = pricing.OnDemand
	}
	return o
}

// CostReport is where the money goes, per month. Money is in Currency
// (US dollars unless converted with In).
type CostReport struct {
	Mode     Mode   `json:"mode"`
	Region   string `json:"region"`
	Currency string `json:"currency"`
	// MonthlyCost is everything priced: the workloads (Autopilot) or the
	// nodes (Standard), and the fee. When Partial, some lines are unknown
	// and it is a lower bound.
	MonthlyCost float64        `json:"monthly_cost"`
	Partial     bool           `json:"partial,omitempty"`
	Workloads   []WorkloadCost `json:"workloads"`
	Namespaces  []GroupCost    `json:"namespaces"`
	Components  []GroupCost    `json:"components"`
	Nodes       []NodeCost     `json:"nodes,omitempty"`
	// NodeBill is what the nodes cost (Standard): workloads + idle.
	NodeBill   float64  `json:"node_bill,omitempty"`
	Idle       IdleCost `json:"idle"`
	ClusterFee float64  `json:"cluster_fee"`
	// Basis says what pods are charged for: "requests" or
	// "max(request, usage)".
	Basis   string        `json:"basis"`
	Sources []PriceSource `json:"sources"`
	// Unpriced lists what could not be priced, each with a hint.
	Unpriced []string `json:"unpriced,omitempty"`
	Notes    []string `json:"notes,omitempty"`
	// Warnings are what the data sources warned about.
	Warnings []string `json:"warnings,omitempty"`
}

// WorkloadCost is the monthly cost of one workload.
type WorkloadCost struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Component string `json:"component"`
	// Replicas is the number of pods today; AvgReplicas the mean over the
	// usage window when history was read (the cost is priced on it).
	Replicas    int       `json:"replicas"`
	AvgReplicas *float64  `json:"avg_replicas,omitempty"`
	Requests    Resources `json:"requests"` // per pod
	CPUCost     float64   `json:"cpu_cost"`
	MemoryCost  float64   `json:"memory_cost"`
	MonthlyCost float64   `json:"monthly_cost"`
	// Basis says how the month was counted: "pods listed × 730 h",
	// "replicas × 730 h", "mean replicas over 14d" or "running pod-time over 14d".
	Basis string `json:"basis"`
	// Unknown is set when the cost could not be priced; Note says why.
	Unknown bool   `json:"unknown,omitempty"`
	Note    string `json:"note,omitempty"`
}

// GroupCost is the monthly cost of a namespace or component.
type GroupCost struct {
	Name        string  `json:"name"`
	Workloads   int     `json:"workloads"`
	MonthlyCost float64 `json:"monthly_cost"`
	Share       float64 `json:"share"` // of the workloads' total, in [0, 1]
}

// NodeCost is the monthly cost of one node (Standard mode).
type NodeCost struct {
	Name        string       `json:"name"`
	MachineType string       `json:"machine_type"`
	Pool        string       `json:"pool,omitempty"`
	Tier        pricing.Tier `json:"tier"`
	MonthlyCost float64      `json:"monthly_cost"`
	Allocated   float64      `json:"allocated"` // charged to the pods on it
	Idle        float64      `json:"idle"`      // charged to nobody
	Unknown     bool         `json:"unknown,omitempty"`
	Note        string       `json:"note,omitempty"`
}

// IdleCost is capacity paid for and charged to no pod.
type IdleCost struct {
	MonthlyCost float64 `json:"monthly_cost"`
	CPUCost     float64 `json:"cpu_cost"`
	MemoryCost  float64 `json:"memory_cost"`
}

// RulesUnit is the Unit of a PriceSource that is a billing rule, not a price.
const RulesUnit = "rules"

// PriceSource is one price (or billing rule) a report used, with its source.
type PriceSource struct {
	Item   string  `json:"item"`
	USD    float64 `json:"usd"`
	Unit   string  `json:"unit"`
	Source string  `json:"source"`
	Date   string  `json:"date,omitempty"`
}

// In returns the report with its money converted into cur.
func (r *CostReport) In(cur pricing.Currency) *CostReport {
	out := *r
	k := cur.FromUSD(1)
	out.Currency = cur.Code
	out.MonthlyCost *= k
	out.ClusterFee *= k
	out.NodeBill *= k
	out.Idle = IdleCost{r.Idle.MonthlyCost * k, r.Idle.CPUCost * k, r.Idle.MemoryCost * k}
	out.Workloads = slices.Clone(r.Workloads)
	for i := range out.Workloads {
		w := &out.Workloads[i]
		w.CPUCost, w.MemoryCost, w.MonthlyCost = w.CPUCost*k, w.MemoryCost*k, w.MonthlyCost*k
	}
	out.Namespaces, out.Components = scaleGroups(r.Namespaces, k), scaleGroups(r.Components, k)
	out.Nodes = slices.Clone(r.Nodes)
	for i := range out.Nodes {
		n := &out.Nodes[i]
		n.MonthlyCost, n.Allocated, n.Idle = n.MonthlyCost*k, n.Allocated*k, n.Idle*k
	}
	return &out
}

func scaleGroups(gs []GroupCost, k float64) []GroupCost {
	out := slices.Clone(gs)
	for i := range out {
		out[i].MonthlyCost *= k
	}
	return out
}

// ErrNoNodes is returned for Standard mode when the cluster lists no nodes.
var ErrNoNodes = errors.New("standard mode bills nodes, and the cluster lists none")

// unit is a price per core-hour and per GiB-hour.
type unit struct{ CPU, GiB float64 }

// pricer charges pods according to the mode. A price that is unknown
// makes the charges that need it unknown (ok false), never an error.
type pricer struct {
	opts    CostOptions
	rules   pricing.AutopilotRules // Autopilot: general-purpose pods
	dsRules pricing.AutopilotRules // Autopilot: DaemonSet pods
	rate    pricing.Rate           // Autopilot
	unknown error                  // Autopilot: why the rate is unknown
	free    map[string]bool        // Autopilot: namespaces not billed
	// Standard: per node.
	nodeUnit   map[string]unit
	nodeErr    map[string]error
	avgUnit    unit
	avgKnown   bool
	nodes      []NodeCost
	nodeCPU    map[string]float64 // monthly CPU part of each node
	nodeMem    map[string]float64
	unpriced   []string
	sources    map[string]PriceSource
	sourceKeys []string
}

func newPricer(c *Cluster, opts CostOptions) (*pricer, error) {
	p := &pricer{opts: opts, sources: map[string]PriceSource{}}
	cat := opts.Catalog
	p.source("cluster fee", cat.ClusterFee, "per cluster-hour")
	switch opts.Mode {
	case Autopilot:
		p.rules = pricing.AutopilotRulesFor(!opts.NoBursting, false)
		p.dsRules = pricing.AutopilotRulesFor(!opts.NoBursting, true)
		for _, r := range []pricing.AutopilotRules{p.rules, p.dsRules} {
			p.sources["Autopilot rules: "+r.Name] = PriceSource{Item: "Autopilot rules: " + r.Name, Unit: RulesUnit, Source: r.Source, Date: r.Date}
		}
		p.free = map[string]bool{}
		for _, ns := range opts.FreeNamespaces {
			p.free[ns] = true
		}
		class := opts.Class
		if class == "" {
			class = pricing.GeneralPurpose
		}
		r, err := cat.Autopilot(opts.Region, opts.Class)
		if err != nil {
			if !errors.Is(err, pricing.ErrUnknownPrice) {
				return nil, err
			}
			p.unknown = err
			p.unpriced = append(p.unpriced, err.Error()+"; "+unknownHint(err))
			return p, nil
		}
		p.rate = r
		p.source("Autopilot "+class+" vCPU", r.VCPU, "per vCPU-hour")
		p.source("Autopilot "+class+" memory", r.GiB, "per GiB-hour")
		return p, nil
	case Standard:
		return p, p.priceNodes(c)
	}
	return nil, fmt.Errorf("unknown mode %q (want autopilot or standard)", opts.Mode)
}

// unknownHint tells how to supply an unknown price.
func unknownHint(err error) string {
	var u *pricing.UnknownPriceError
	if errors.As(err, &u) {
		return u.Hint()
	}
	return "give the price in a price file"
}

func (p *pricer) source(item string, pr pricing.Price, unit string) {
	p.sources[item] = PriceSource{Item: item, USD: pr.USD, Unit: unit, Source: pr.Source, Date: pr.Date}
}

// nodeMachine is what a node is billed as: its machine type, or its
// family at its capacity when the type is not a predefined one.
func nodeMachine(n Node) (pricing.Machine, error) {
	m, err := pricing.ParseMachineType(n.MachineType)
	if err == nil {
		return m, nil
	}
	if n.MachineType == "" {
		return pricing.Machine{}, fmt.Errorf("node %s: no machine type (label node.kubernetes.io/instance-type)", n.Name)
	}
	if n.Capacity.CPU <= 0 || n.Capacity.Memory <= 0 {
		return pricing.Machine{}, fmt.Errorf("node %s: %w", n.Name, err)
	}
	return pricing.Machine{Name: n.MachineType, Family: pricing.FamilyOf(n.MachineType), Shape: "from capacity",
		VCPU: n.Capacity.CPU, MemoryGiB: n.Capacity.Memory / GiB}, nil
}

func (p *pricer) nodeTier(n Node) pricing.Tier {
	if n.Spot {
		return pricing.Spot
	}
	return p.opts.Commitment
}

// nodeMonthly prices one node for a month on tier.
func (p *pricer) nodeMonthly(m pricing.Machine, tier pricing.Tier) (cpu, mem float64, err error) {
	mp, err := p.opts.Catalog.Machine(p.opts.Region, m, tier)
	if err != nil {
		return 0, 0, err
	}
	k := float64(pricing.HoursPerMonth)
	if !p.opts.NoSustainedUse {
		k *= 1 - mp.SustainedUse
	}
	p.source(fmt.Sprintf("%s %s vCPU", m.Family, mp.Tier), mp.Rate.VCPU, "per vCPU-hour")
	p.source(fmt.Sprintf("%s %s memory", m.Family, mp.Tier), mp.Rate.GiB, "per GiB-hour")
	if mp.SustainedUse > 0 && !p.opts.NoSustainedUse {
		d := p.opts.Catalog.SustainedUse(p.opts.Region, m.Family)
		p.source(m.Family+" sustained use", pricing.Price{USD: mp.SustainedUse, Source: d.Source, Date: d.Date}, "fraction off for a full month")
	}
	cpu, mem = mp.CPU*k, mp.Memory*k
	if mp.LocalSSD > 0 && cpu+mem > 0 {
		// An -lssd type's bundled Local SSD is billed with the node (and
		// earns no sustained-use discount): it is shared between the
		// node's CPU and memory in proportion.
		p.source(fmt.Sprintf("%s %s bundled Local SSD", m.Family, mp.Tier), mp.LocalSSDRate, "per GB-hour")
		f := 1 + mp.LocalSSD*pricing.HoursPerMonth/(cpu+mem)
		cpu, mem = cpu*f, mem*f
	}
	return cpu, mem, nil
}

// priceNodes prices every node it can; a node it cannot is listed with
// the reason and left out of the bill.
func (p *pricer) priceNodes(c *Cluster) error {
	if len(c.Nodes) == 0 {
		return ErrNoNodes
	}
	p.nodeUnit, p.nodeErr = map[string]unit{}, map[string]error{}
	p.nodeCPU, p.nodeMem = map[string]float64{}, map[string]float64{}
	var totCPU, totMem, totCores, totGiB float64
	for _, n := range c.Nodes {
		tier := p.nodeTier(n)
		nc := NodeCost{Name: n.Name, MachineType: n.MachineType, Pool: n.Pool, Tier: tier}
		m, err := nodeMachine(n)
		var cpu, mem float64
		if err == nil {
			cpu, mem, err = p.nodeMonthly(m, tier)
		}
		if err != nil {
			p.nodeErr[n.Name] = err
			nc.Unknown, nc.Note = true, err.Error()
			p.unpriced = append(p.unpriced, fmt.Sprintf("node %s (%s): %v; %s", n.Name, n.MachineType, trimNode(err, n.Name), unknownHint(err)))
			p.nodes = append(p.nodes, nc)
			continue
		}
		cores, gib := n.Capacity.CPU, n.Capacity.Memory/GiB
		if cores <= 0 || gib <= 0 {
			cores, gib = m.VCPU, m.MemoryGiB
		}
		p.nodeUnit[n.Name] = unit{CPU: cpu / pricing.HoursPerMonth / cores, GiB: mem / pricing.HoursPerMonth / gib}
		p.nodeCPU[n.Name], p.nodeMem[n.Name] = cpu, mem
		nc.MonthlyCost = cpu + mem
		p.nodes = append(p.nodes, nc)
		totCPU, totMem, totCores, totGiB = totCPU+cpu, totMem+mem, totCores+cores, totGiB+gib
	}
	if totCores > 0 && totGiB > 0 {
		p.avgUnit = unit{CPU: totCPU / pricing.HoursPerMonth / totCores, GiB: totMem / pricing.HoursPerMonth / totGiB}
		p.avgKnown = true
	}
	return nil
}

func trimNode(err error, name string) string {
	return strings.TrimPrefix(err.Error(), "node "+name+": ")
}

// charge is what one pod of a workload of kind, in namespace ns, on node
// (or "" for the cluster's mean node), is charged per hour in US dollars
// for its CPU and its memory. ws holds the containers' mean usage (nil:
// none known). ok is false when a price it needs is unknown.
func (p *pricer) charge(kind, ns, node string, cs []Container, ws *WorkloadStats) (cpu, mem float64, ok bool) {
	if p.opts.Mode == Autopilot {
		if p.free[ns] {
			return 0, 0, true
		}
		if p.unknown != nil {
			return 0, 0, false
		}
		rules := p.rules
		if kind == KindDaemonSet {
			rules = p.dsRules
		}
		vcpu, gib := rules.BillPod(podRequests(cs))
		return vcpu * p.rate.VCPU.USD, gib * p.rate.GiB.USD, true
	}
	u, known := p.nodeUnit[node]
	if !known {
		if _, bad := p.nodeErr[node]; bad || !p.avgKnown {
			return 0, 0, false
		}
		u = p.avgUnit
	}
	var use map[string]*ContainerStats
	if ws != nil {
		use = ws.Containers
	}
	var q Resources
	for _, c := range cs {
		r := c.Requests
		if s := use[c.Name]; s != nil {
			if s.Has.Of(StatCPUAvg) {
				r.CPU = max(r.CPU, s.CPUAvg)
			}
			if s.Has.Of(StatMemoryAvg) {
				r.Memory = max(r.Memory, s.MemoryAvg)
			}
		}
		q = q.Add(r)
	}
	return q.CPU * u.CPU, q.Memory / GiB * u.GiB, true
}

// podRequests converts containers' requests for the Autopilot rules.
func podRequests(cs []Container) []pricing.Request {
	out := make([]pricing.Request, len(cs))
	for i, c := range cs {
		out[i] = pricing.Request{VCPU: c.Requests.CPU, GiB: c.Requests.Memory / GiB}
	}
	return out
}

// Cost computes where the money goes in c for a month. use may be nil.
//
// A workload with replica history (use[...].AvgReplicas) is priced on its
// mean number of pods over the window, not on today's count; a Job or
// CronJob without history is not priced (running at the snapshot says
// nothing about how long it runs) and is marked unknown. Autopilot bills
// each scheduled pod by its requests under Autopilot's rules (DaemonSet
// pods by theirs; Pending pods nothing). Standard bills nodes: pods are
// allocated node cost by max(request, mean usage), scaled down where the
// allocations exceed what a node costs, so that workloads + idle is the
// node bill.
func Cost(c *Cluster, use WorkloadUsage, opts CostOptions) (*CostReport, error) {
	opts = opts.withDefaults()
	p, err := newPricer(c, opts)
	if err != nil {
		return nil, err
	}
	r := &CostReport{Mode: opts.Mode, Region: opts.Region, Currency: "USD", ClusterFee: opts.Catalog.ClusterFeeMonthly(), Basis: "requests"}
	if opts.Mode == Standard && use != nil {
		r.Basis = "max(request, usage)"
	}
	podsOf := map[WorkloadRef][]Pod{}
	for _, pod := range c.Pods {
		podsOf[pod.Owner] = append(podsOf[pod.Owner], pod)
	}
	pending := 0
	alloc := map[string]float64{} // Standard: monthly charges placed on each node
	var spread float64            // Standard: monthly charges on no node in particular
	for _, w := range c.Workloads {
		wc, ok := workloadCost(p, c, w, podsOf[w.WorkloadRef], use[w.WorkloadRef], opts, &pending, alloc, &spread)
		if !ok {
			r.Partial = true
		}
		r.Workloads = append(r.Workloads, wc)
	}
	var total float64
	for _, w := range r.Workloads {
		total += w.MonthlyCost
	}
	if opts.Mode == Standard {
		total = settleNodes(r, p, alloc, spread, total)
	}
	sort.SliceStable(r.Workloads, func(i, j int) bool { return r.Workloads[i].MonthlyCost > r.Workloads[j].MonthlyCost })
	r.Namespaces = group(r.Workloads, total, func(w WorkloadCost) string { return w.Namespace })
	r.Components = group(r.Workloads, total, func(w WorkloadCost) string { return w.Component })
	if opts.Mode == Standard {
		r.MonthlyCost = r.NodeBill + r.ClusterFee
	} else {
		r.MonthlyCost = total + r.ClusterFee
	}
	r.Unpriced = p.unpriced
	if len(r.Unpriced) > 0 {
		r.Partial = true
	}
	for _, k := range slices.Sorted(maps.Keys(p.sources)) {
		r.Sources = append(r.Sources, p.sources[k])
	}
	r.Notes = append(costNotes(opts, p, use != nil), r.Notes...)
	if opts.Mode == Standard && slices.ContainsFunc(r.Workloads, func(w WorkloadCost) bool {
		return w.AvgReplicas != nil && w.Kind != KindJob && w.Kind != KindCronJob
	}) {
		r.Notes = append(r.Notes, "Standard mode bills today's nodes: workloads are charged for the pods on them now, their mean replicas over the window shown beside; Jobs and CronJobs for the time their pods ran")
	}
	if pending > 0 && opts.Mode == Autopilot {
		r.Notes = append(r.Notes, fmt.Sprintf("%d Pending pod(s) not billed: Autopilot bills scheduled pods only", pending))
	}
	if r.Partial {
		r.Notes = append(r.Notes, "the total is a lower bound: some lines are unknown (see unpriced)")
	}
	return r, nil
}

// workloadCost prices one workload; ok is false when part of it could
// not be priced. In Standard mode it adds its monthly charges to alloc
// (per node, for the pods listed on one) or to spread.
func workloadCost(p *pricer, c *Cluster, w Workload, pods []Pod, ws *WorkloadStats, opts CostOptions, pending *int,
	alloc map[string]float64, spread *float64) (WorkloadCost, bool) {
	wc := WorkloadCost{Namespace: w.Namespace, Name: w.Name, Kind: w.Kind, Component: component(w, opts.ComponentLabels),
		Replicas: w.Replicas, Requests: w.PodRequests()}
	hist := ws != nil && ws.HasHistory(StatReplicas)
	if hist {
		avg := ws.AvgReplicas
		wc.AvgReplicas = &avg
	}
	type charge struct {
		node     string
		cpu, mem float64 // per hour
	}
	var listed []charge
	ok := true
	for _, pod := range pods {
		if !pod.Billed() {
			if pod.Phase == "Pending" {
				*pending++
			}
			continue
		}
		cpu, mem, known := p.charge(w.Kind, w.Namespace, pod.Node, pod.Containers, ws)
		if !known {
			ok = false
			continue
		}
		listed = append(listed, charge{pod.Node, cpu, mem})
	}
	// perPod is the hourly charge of one pod: the mean of those listed,
	// else the template's on the cluster's mean node.
	perPod := func() (cpu, mem float64, known bool) {
		if len(listed) == 0 {
			return p.charge(w.Kind, w.Namespace, "", w.Containers, ws)
		}
		for _, l := range listed {
			cpu, mem = cpu+l.cpu, mem+l.mem
		}
		return cpu / float64(len(listed)), mem / float64(len(listed)), true
	}
	const h = pricing.HoursPerMonth
	jobLike := w.Kind == KindJob || w.Kind == KindCronJob
	standard := opts.Mode == Standard
	switch {
	case jobLike && !hist:
		wc.Unknown, wc.Basis = true, "unknown"
		wc.Note = "runs to completion on a schedule: how long it runs needs history (Prometheus with kube-state-metrics), not the pods running now"
		return wc, false
	case hist && (!standard || jobLike):
		cpu, mem, known := perPod()
		ok = ok && known
		wc.CPUCost, wc.MemoryCost = cpu*ws.AvgReplicas*h, mem*ws.AvgReplicas*h
		wc.Basis = units.Number(ws.AvgReplicas) + " pods on average over the usage window"
		if standard {
			*spread += wc.CPUCost + wc.MemoryCost
		}
	case len(listed) > 0 || c.PodsListed:
		for _, l := range listed {
			wc.CPUCost, wc.MemoryCost = wc.CPUCost+l.cpu*h, wc.MemoryCost+l.mem*h
			if standard {
				alloc[l.node] += (l.cpu + l.mem) * h
			}
		}
		wc.Basis = "pods running now × 730 h"
	default:
		cpu, mem, known := p.charge(w.Kind, w.Namespace, "", w.Containers, ws)
		ok = ok && known
		n := float64(w.Replicas)
		wc.CPUCost, wc.MemoryCost = cpu*n*h, mem*n*h
		wc.Basis = "replicas × 730 h"
		if standard {
			*spread += wc.CPUCost + wc.MemoryCost
		}
	}
	wc.MonthlyCost = wc.CPUCost + wc.MemoryCost
	if !ok {
		wc.Unknown = true
		wc.Note = "a price it needs is unknown (see unpriced): the cost shown leaves it out"
	}
	return wc, ok
}

// settleNodes fills the node table and idle capacity (Standard). Each
// node is allocated the charges of the pods on it plus its share (by cost)
// of the charges placed on no node, at most what it costs; the workloads
// are scaled down where their charges exceed that, so that workloads +
// idle = the node bill. It returns the workloads' total.
func settleNodes(r *CostReport, p *pricer, alloc map[string]float64, spread, total float64) float64 {
	var bill, billCPU, allocated float64
	for _, n := range p.nodes {
		if !n.Unknown {
			bill += n.MonthlyCost
			billCPU += p.nodeCPU[n.Name]
		}
	}
	for i := range p.nodes {
		n := &p.nodes[i]
		if n.Unknown {
			continue
		}
		share := 0.0
		if bill > 0 {
			share = spread * n.MonthlyCost / bill
		}
		n.Allocated = math.Min(alloc[n.Name]+share, n.MonthlyCost)
		n.Idle = n.MonthlyCost - n.Allocated
		allocated += n.Allocated
	}
	r.Nodes = p.nodes
	r.NodeBill = bill
	if total > allocated && total > 0 {
		k := allocated / total
		for i := range r.Workloads {
			w := &r.Workloads[i]
			w.CPUCost, w.MemoryCost, w.MonthlyCost = w.CPUCost*k, w.MemoryCost*k, w.MonthlyCost*k
		}
		if k < 0.995 {
			r.Notes = append(r.Notes, fmt.Sprintf("pods are charged more than their nodes cost (usage above requests, or more than a node holds): their charges are scaled by %s so that they add up to the node bill", units.Percent(k)))
		}
		total = allocated
	}
	r.Idle.MonthlyCost = bill - total
	if bill > 0 {
		r.Idle.CPUCost = r.Idle.MonthlyCost * billCPU / bill
		r.Idle.MemoryCost = r.Idle.MonthlyCost - r.Idle.CPUCost
	}
	return total
}

func costNotes(opts CostOptions, p *pricer, usage bool) []string {
	notes := []string{"a month is 730 hours"}
	switch opts.Mode {
	case Autopilot:
		notes = append(notes, p.rules.Describe()+" (sources under prices)",
			"system namespaces are free: "+strings.Join(opts.FreeNamespaces, ", "))
	case Standard:
		if usage {
			notes = append(notes, "node cost is charged to pods by max(request, mean usage) per container (the OpenCost rule)")
		} else {
			notes = append(notes, "node cost is charged to pods by their requests (no usage history given)")
		}
		notes = append(notes, "the bill is today's nodes × 730 h; idle is node cost charged to no pod; Spot nodes at Spot prices, others "+string(opts.Commitment))
		if !opts.NoSustainedUse && opts.Commitment == pricing.OnDemand {
			notes = append(notes, "on-demand nodes include their family's sustained-use discount for a full month where it has one")
		}
	}
	return notes
}

func component(w Workload, labels []string) string {
	for _, l := range labels {
		if v := w.Labels[l]; v != "" {
			return v
		}
	}
	return w.Name
}

func group(ws []WorkloadCost, total float64, key func(WorkloadCost) string) []GroupCost {
	idx := map[string]int{}
	var out []GroupCost
	for _, w := range ws {
		k := key(w)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, GroupCost{Name: k})
		}
		out[i].Workloads++
		out[i].MonthlyCost += w.MonthlyCost
	}
	for i := range out {
		if total > 0 {
			out[i].Share = out[i].MonthlyCost / total
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].MonthlyCost != out[j].MonthlyCost {
			return out[i].MonthlyCost > out[j].MonthlyCost
		}
		return out[i].Name < out[j].Name
	})
	return out
}
