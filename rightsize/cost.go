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

// CostOptions configure [Cost]. The zero value prices an Autopilot-less
// guess: set at least Mode and Region.
type CostOptions struct {
	Mode    Mode
	Region  string
	Catalog *pricing.Catalog // nil means pricing.GCP()
	// Class is the Autopilot compute class ("" is general-purpose).
	Class string
	// Commitment is how Standard-mode nodes that are not Spot are bought:
	// "" or on-demand, 1y or 3y.
	Commitment pricing.Tier
	// NoSustainedUse turns off the sustained-use discount on-demand n2 and
	// n2d nodes earn when they run all month (on by default).
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
	// MonthlyCost is everything: the workloads, idle capacity and the fee.
	MonthlyCost float64        `json:"monthly_cost"`
	Workloads   []WorkloadCost `json:"workloads"`
	Namespaces  []GroupCost    `json:"namespaces"`
	Components  []GroupCost    `json:"components"`
	Nodes       []NodeCost     `json:"nodes,omitempty"`
	Idle        IdleCost       `json:"idle"`
	ClusterFee  float64        `json:"cluster_fee"`
	// Basis says what pods are charged for: "requests" or
	// "max(request, usage)".
	Basis   string        `json:"basis"`
	Sources []PriceSource `json:"sources"`
	Notes   []string      `json:"notes,omitempty"`
}

// WorkloadCost is the monthly cost of one workload.
type WorkloadCost struct {
	Namespace   string    `json:"namespace"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Component   string    `json:"component"`
	Replicas    int       `json:"replicas"`
	Requests    Resources `json:"requests"` // per pod
	CPUCost     float64   `json:"cpu_cost"`
	MemoryCost  float64   `json:"memory_cost"`
	MonthlyCost float64   `json:"monthly_cost"`
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
	Allocated   float64      `json:"allocated"` // charged to pods
	Idle        float64      `json:"idle"`      // charged to nobody
}

// IdleCost is capacity paid for and charged to no pod.
type IdleCost struct {
	MonthlyCost float64 `json:"monthly_cost"`
	CPUCost     float64 `json:"cpu_cost"`
	MemoryCost  float64 `json:"memory_cost"`
}

// PriceSource is one price a report used, with its source.
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

// pricer charges pods according to the mode.
type pricer struct {
	opts     CostOptions
	rate     pricing.Rate    // Autopilot
	free     map[string]bool // Autopilot: namespaces not billed
	nodeUnit map[string]unit // Standard: per node
	avgUnit  unit            // Standard: capacity-weighted mean of the nodes
	nodes    []NodeCost
	nodeCPU  map[string]float64 // monthly CPU part of each node
	nodeMem  map[string]float64
	sources  map[string]PriceSource
}

func newPricer(c *Cluster, opts CostOptions) (*pricer, error) {
	p := &pricer{opts: opts, sources: map[string]PriceSource{}}
	cat := opts.Catalog
	p.source("cluster fee", cat.ClusterFee, "per cluster-hour")
	switch opts.Mode {
	case Autopilot:
		r, err := cat.Autopilot(opts.Region, opts.Class)
		if err != nil {
			return nil, err
		}
		p.rate = r
		class := opts.Class
		if class == "" {
			class = pricing.GeneralPurpose
		}
		p.source("Autopilot "+class+" vCPU", r.VCPU, "per vCPU-hour")
		p.source("Autopilot "+class+" memory", r.GiB, "per GiB-hour")
		p.free = map[string]bool{}
		for _, ns := range opts.FreeNamespaces {
			p.free[ns] = true
		}
		return p, nil
	case Standard:
		return p, p.priceNodes(c)
	}
	return nil, fmt.Errorf("unknown mode %q (want autopilot or standard)", opts.Mode)
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
func (p *pricer) nodeMonthly(n Node, m pricing.Machine, tier pricing.Tier) (cpu, mem float64, err error) {
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
		p.source(m.Family+" sustained use", pricing.Price{USD: mp.SustainedUse, Source: p.opts.Catalog.SustainedUse(p.opts.Region, m.Family).Source,
			Date: p.opts.Catalog.SustainedUse(p.opts.Region, m.Family).Date}, "fraction off for a full month")
	}
	return mp.CPU * k, mp.Memory * k, nil
}

func (p *pricer) priceNodes(c *Cluster) error {
	if len(c.Nodes) == 0 {
		return ErrNoNodes
	}
	p.nodeUnit, p.nodeCPU, p.nodeMem = map[string]unit{}, map[string]float64{}, map[string]float64{}
	var totCPU, totMem, totCores, totGiB float64
	var errs []error
	for _, n := range c.Nodes {
		m, err := nodeMachine(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		tier := p.nodeTier(n)
		cpu, mem, err := p.nodeMonthly(n, m, tier)
		if err != nil {
			errs = append(errs, fmt.Errorf("node %s (%s): %w", n.Name, n.MachineType, err))
			continue
		}
		cores, gib := n.Capacity.CPU, n.Capacity.Memory/GiB
		if cores <= 0 || gib <= 0 {
			cores, gib = m.VCPU, m.MemoryGiB
		}
		p.nodeUnit[n.Name] = unit{CPU: cpu / pricing.HoursPerMonth / cores, GiB: mem / pricing.HoursPerMonth / gib}
		p.nodeCPU[n.Name], p.nodeMem[n.Name] = cpu, mem
		p.nodes = append(p.nodes, NodeCost{Name: n.Name, MachineType: n.MachineType, Pool: n.Pool, Tier: tier, MonthlyCost: cpu + mem})
		totCPU, totMem, totCores, totGiB = totCPU+cpu, totMem+mem, totCores+cores, totGiB+gib
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	p.avgUnit = unit{CPU: totCPU / pricing.HoursPerMonth / totCores, GiB: totMem / pricing.HoursPerMonth / totGiB}
	return nil
}

// charge is what one pod is charged per hour, in US dollars, for its CPU
// and its memory. use holds each container's mean usage (nil: none known).
func (p *pricer) charge(ns, node string, cs []Container, use map[string]*ContainerStats) (cpu, mem float64) {
	if p.opts.Mode == Autopilot {
		if p.free[ns] {
			return 0, 0
		}
		req := sumRequests(cs)
		vcpu, gib := pricing.AutopilotPod(req.CPU, req.Memory/GiB)
		return vcpu * p.rate.VCPU.USD, gib * p.rate.GiB.USD
	}
	u, ok := p.nodeUnit[node]
	if !ok {
		u = p.avgUnit
	}
	var q Resources
	for _, c := range cs {
		r := c.Requests
		if s := use[c.Name]; s != nil {
			r = Resources{max(r.CPU, s.CPUAvg), max(r.Memory, s.MemoryAvg)}
		}
		q = q.Add(r)
	}
	return q.CPU * u.CPU, q.Memory / GiB * u.GiB
}

// Cost computes where the money goes in c for a month. use may be nil:
// then Standard mode charges pods for their requests only.
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
	allocCPU, allocMem := map[string]float64{}, map[string]float64{}
	for _, w := range c.Workloads {
		wc := WorkloadCost{Namespace: w.Namespace, Name: w.Name, Kind: w.Kind, Component: component(w, opts.ComponentLabels),
			Replicas: w.Replicas, Requests: w.PodRequests()}
		u := use[w.WorkloadRef]
		if pods := podsOf[w.WorkloadRef]; len(pods) > 0 {
			for _, pod := range pods {
				cpu, mem := p.charge(w.Namespace, pod.Node, pod.Containers, u)
				wc.CPUCost += cpu
				wc.MemoryCost += mem
				allocCPU[pod.Node] += cpu * pricing.HoursPerMonth
				allocMem[pod.Node] += mem * pricing.HoursPerMonth
			}
		} else {
			cpu, mem := p.charge(w.Namespace, "", w.Containers, u)
			wc.CPUCost, wc.MemoryCost = cpu*float64(w.Replicas), mem*float64(w.Replicas)
		}
		wc.CPUCost *= pricing.HoursPerMonth
		wc.MemoryCost *= pricing.HoursPerMonth
		wc.MonthlyCost = wc.CPUCost + wc.MemoryCost
		r.Workloads = append(r.Workloads, wc)
	}
	for i := range p.nodes {
		n := &p.nodes[i]
		idleCPU := math.Max(0, p.nodeCPU[n.Name]-allocCPU[n.Name])
		idleMem := math.Max(0, p.nodeMem[n.Name]-allocMem[n.Name])
		n.Idle = idleCPU + idleMem
		n.Allocated = n.MonthlyCost - n.Idle
		r.Idle.CPUCost += idleCPU
		r.Idle.MemoryCost += idleMem
	}
	r.Idle.MonthlyCost = r.Idle.CPUCost + r.Idle.MemoryCost
	r.Nodes = p.nodes
	sort.SliceStable(r.Workloads, func(i, j int) bool { return r.Workloads[i].MonthlyCost > r.Workloads[j].MonthlyCost })
	var total float64
	for _, w := range r.Workloads {
		total += w.MonthlyCost
	}
	r.Namespaces = group(r.Workloads, total, func(w WorkloadCost) string { return w.Namespace })
	r.Components = group(r.Workloads, total, func(w WorkloadCost) string { return w.Component })
	r.MonthlyCost = total + r.Idle.MonthlyCost + r.ClusterFee
	for _, k := range slices.Sorted(maps.Keys(p.sources)) {
		r.Sources = append(r.Sources, p.sources[k])
	}
	r.Notes = costNotes(opts, use != nil)
	return r, nil
}

func costNotes(opts CostOptions, usage bool) []string {
	notes := []string{"a month is 730 hours"}
	switch opts.Mode {
	case Autopilot:
		notes = append(notes, "Autopilot bills pod requests, rounded up to ¼ vCPU and 1–6.5 GiB per vCPU; pods without requests get 500m / 2 GiB",
			"system namespaces are free: "+strings.Join(opts.FreeNamespaces, ", "))
	case Standard:
		if usage {
			notes = append(notes, "node cost is charged to pods by max(request, mean usage) per container (the OpenCost rule)")
		} else {
			notes = append(notes, "node cost is charged to pods by their requests (no usage history given)")
		}
		notes = append(notes, "idle is node capacity charged to no pod; Spot nodes at Spot prices, others "+string(opts.Commitment))
		if !opts.NoSustainedUse && opts.Commitment == pricing.OnDemand {
			notes = append(notes, "on-demand n2 and n2d nodes include the 20% sustained-use discount of a full month")
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
