package review

import (
	"fmt"
	"math"
	"time"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/units"
)

// firing is when one HPA metric fires: the per-replica rate above which it
// asks for more replicas, at the component's floor.
type firing struct {
	metric string
	// rate is the per-replica rate, per second (+Inf: never); known is
	// false when it cannot be told (why says why).
	rate  float64
	known bool
	why   string
	ev    []Evidence
}

// hpa checks that some metric of the component's HPA fires before a
// replica saturates. The HPA scales up when usage / target exceeds 1 +
// its tolerance (the replica calculator's dead band, kubernetes v1.37.2
// pkg/controller/podautoscaler/replica_calculator.go); a replica never
// serves more than its capacity, so a metric that needs more never fires.
func (rv *reviewer) hpa(i int) {
	c := rv.sys.Components[i]
	if c.HPA == nil {
		return
	}
	a, err := sim.NewAutoscaler(*c.HPA, rv.sys.Controller)
	if err != nil {
		return // Compile has reported it
	}
	tol := a.Tolerances().Up
	capa := c.Capacity.PerReplicaRPS
	capEv := Evidence{What: "capacity per replica", Value: capa, Unit: "req/s", Text: units.Rate(capa), Source: capacitySource(i, c.Capacity)}
	tolEv := Evidence{What: "scale-up tolerance", Value: tol, Unit: "fraction", Text: units.Percent(tol), Source: toleranceSource(c, rv.sys.Controller)}
	best := math.Inf(1)
	var fires []firing
	unknown := 0
	for j, m := range a.Metrics() {
		f := rv.fireRate(i, j, m, tol)
		fires = append(fires, f)
		if !f.known {
			unknown++
			continue
		}
		best = min(best, f.rate)
	}
	ev := []Evidence{capEv, tolEv}
	var whys []string
	for _, f := range fires {
		ev = append(ev, f.ev...)
		if !f.known {
			whys = append(whys, f.metric+": "+f.why)
		}
	}
	switch {
	case best < LateFire*capa:
		return
	case best < capa:
		ev = append(ev, Evidence{What: "fires at", Value: best / capa, Unit: "fraction", Text: units.Percent(best/capa) + " of capacity", Source: "derived from the figures above"})
		rv.add(Finding{Check: CheckHPA, Severity: Warning, Component: c.Name,
			Summary:  fmt.Sprintf("%s's HPA fires only at %s of a replica's capacity: in a fast spike its new replicas arrive after saturation", c.Name, units.Percent(best/capa)),
			Evidence: ev, Fix: "lower the target so that it fires by " + units.Percent(LateFire*0.8) + " of capacity, or scale on requests per second per pod"})
	case unknown > 0:
		rv.add(Finding{Check: CheckHPA, Severity: Unknowable, Component: c.Name,
			Summary:  c.Name + "'s HPA may not fire before saturation, and the review cannot tell: " + joinSemi(whys),
			Evidence: ev, Fix: "measure the capacity with CPU (headroom capacity records CPU per request)"})
	case !measured(c.Capacity):
		// A capacity that is not a measurement (or only a lower bound)
		// cannot carry a blocker: the true one may be higher, and the
		// metric fire below it.
		rv.add(Finding{Check: CheckHPA, Severity: Unknowable, Component: c.Name,
			Summary: fmt.Sprintf("%s's HPA would not fire before its replicas saturate at %s per replica, but that capacity is not a measurement",
				c.Name, units.Rate(capa)),
			Evidence: ev, Fix: "measure one replica's capacity (headroom capacity); if it holds, scale on requests per second per pod below it"})
	default:
		rv.add(Finding{Check: CheckHPA, Severity: Blocker, Component: c.Name,
			Summary:  c.Name + "'s HPA cannot fire before its replicas saturate: it never adds a replica, whatever the traffic",
			Evidence: ev, Fix: "scale on requests per second per pod (a Pods metric below capacity), or lower the CPU target below what a saturated replica uses"})
	}
}

// measured tells whether a capacity is a measurement of the knee (not
// written by hand, estimated, or a lower bound).
func measured(c sim.Capacity) bool { return c.Source == sim.CapacityMeasured && !c.LowerBound }

func joinSemi(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}

func toleranceSource(c sim.Component, ctl sim.Controller) string {
	if b := c.HPA.Behavior; b != nil && b.ScaleUp != nil && b.ScaleUp.Tolerance != nil {
		return "hpa.behavior.scaleUp.tolerance"
	}
	if ctl != (sim.Controller{}) {
		return "autoscaling.tolerance"
	}
	return "default: 0.1, kube-controller-manager's horizontal-pod-autoscaler-tolerance"
}

// fireRate is the per-replica rate at which metric j of component i's HPA
// fires. The simulator reads Resource metrics as CPU, Pods metrics as the
// requests per second each pod serves, and Object and External metrics as
// the requests per second arriving at the component.
func (rv *reviewer) fireRate(i, j int, m sim.Metric, tol float64) firing {
	c := rv.sys.Components[i]
	at := fmt.Sprintf("components[%d].hpa.metrics[%d]", i, j)
	if len(c.HPA.Metrics) == 0 {
		at = fmt.Sprintf("components[%d].hpa (no metrics: CPU at %d%%, the Kubernetes default)", i, sim.DefaultCPUUtilization)
	}
	f := firing{metric: fmt.Sprintf("%s %s", m.Source, m.Name), known: true}
	perPod := float64(m.Value) / 1000
	switch m.Source {
	case sim.ResourceMetric:
		r := c.Resources
		var threshold float64
		if m.Target == sim.UtilizationTarget {
			threshold = float64(m.AverageUtilization) / 100 * (1 + tol) * r.CPURequest
			f.ev = append(f.ev, Evidence{What: "CPU target", Value: float64(m.AverageUtilization), Unit: "percent", Text: fmt.Sprintf("%d%% of %s", m.AverageUtilization, units.CPU(r.CPURequest)), Source: at})
		} else {
			threshold = perPod * (1 + tol)
			f.ev = append(f.ev, Evidence{What: "CPU target", Value: perPod, Unit: "cores", Text: units.CPU(perPod) + " per pod", Source: at})
		}
		if r.CPULimit > 0 && threshold >= r.CPULimit {
			f.rate = math.Inf(1)
			f.ev = append(f.ev, Evidence{What: "CPU limit", Value: r.CPULimit, Unit: "cores", Text: units.CPU(r.CPULimit), Source: fmt.Sprintf("components[%d].resources.limits.cpu", i)})
			return f
		}
		cpu := c.Capacity.CPUPerRequest
		if cpu <= 0 {
			f.known, f.why = false, "the CPU one request costs was not measured, so the CPU of a saturated replica is unknown"
			return f
		}
		atCap := c.Capacity.IdleCPU + cpu*c.Capacity.PerReplicaRPS
		if r.CPULimit > 0 {
			atCap = min(atCap, r.CPULimit)
		}
		f.rate = math.Max(0, (threshold-c.Capacity.IdleCPU)/cpu)
		f.ev = append(f.ev,
			Evidence{What: "CPU per request", Value: cpu, Unit: "s", Text: units.Seconds(cpu), Source: capacitySource(i, c.Capacity)},
			Evidence{What: "CPU of a saturated replica", Value: atCap, Unit: "cores", Text: units.CPU(atCap) + " (" + units.Percent(atCap/r.CPURequest) + " of its request)",
				Source: "idle CPU + CPU per request × capacity"},
			Evidence{What: "CPU at which it fires", Value: threshold, Unit: "cores", Text: units.CPU(threshold), Source: "target × (1 + tolerance)"})
	case sim.PodsMetric:
		f.rate = perPod * (1 + tol)
		f.ev = append(f.ev, Evidence{What: "requests per pod target", Value: perPod, Unit: "req/s", Text: units.Rate(perPod), Source: at})
	default:
		f.rate = perPod * (1 + tol)
		if m.Target == sim.ValueTarget {
			// One value for the whole component: it fires when the total
			// exceeds it, at the floor's replicas.
			f.rate /= float64(rv.floor[i])
			f.ev = append(f.ev, Evidence{What: "requests target (total)", Value: perPod, Unit: "req/s", Text: units.Rate(perPod) + fmt.Sprintf(" over %d replicas", rv.floor[i]), Source: at})
		} else {
			f.ev = append(f.ev, Evidence{What: "requests per pod target", Value: perPod, Unit: "req/s", Text: units.Rate(perPod), Source: at})
		}
	}
	return f
}

// scaleUp times each component's way to ScaleFactor × its replicas at the
// normal rate, once its HPA asks: the metric's lag and a sync, the HPA's
// scale-up policies (the controller's own normalisation, sim.Autoscaler),
// node provisioning when spare room cannot hold the new pods, and the
// pods' start-up. The parts add up along the path of the last replicas.
func (rv *reviewer) scaleUp() {
	sys := rv.sys
	ctl := sys.Controller
	if ctl == (sim.Controller{}) {
		ctl = sim.DefaultController()
	}
	sync := ctl.SyncPeriod
	if sync <= 0 {
		sync = sim.DefaultSyncPeriod
	}
	nodes, nodesWhy := rv.nodeDelay()
	hpaBlocked := map[string]bool{}
	for _, f := range rv.out.Findings {
		if f.Check == CheckHPA && f.Severity == Blocker {
			hpaBlocked[f.Component] = true
		}
	}
	rv.out.ScaleUp = []ScaleUp{}
	for i, c := range sys.Components {
		from := rv.from[i]
		su := ScaleUp{Component: c.Name, From: from, Target: ScaleFactor * from, Reaches: true}
		if c.HPA == nil {
			su.Reason = fmt.Sprintf("no HPA: it runs %d replicas whatever the traffic", from)
			su.Target = from
			rv.out.ScaleUp = append(rv.out.ScaleUp, su)
			rv.add(Finding{Check: CheckScaleUp, Severity: Warning, Component: c.Name, Summary: c.Name + " has no HPA: its capacity is fixed, so a spike beyond it fails until someone scales it by hand",
				Evidence: []Evidence{{What: "replicas", Value: float64(from), Unit: "replicas", Text: fmt.Sprint(from), Source: floorSource(i, c)}},
				Fix:      "add an HPA, or keep it provisioned for the largest spike"})
			continue
		}
		if su.Target > c.HPA.MaxReplicas {
			su.Target, su.Reaches = c.HPA.MaxReplicas, false
		}
		su.Fires = !hpaBlocked[c.Name]
		su.Known = true
		steps, policies := rv.policyTime(c, from, su.Target, sync)
		lag, lagWhy := rv.metricLag(c)
		detect := sync + lag
		startup := c.Startup
		if startup == (sim.Startup{}) {
			startup = sim.DefaultStartup
		}
		// Ready is not yet serving in full: propagation to the load
		// balancer and warm-up come after (or, with a readiness gate,
		// before) readiness.
		serving := startup.Total() + c.Serving.Propagation + c.Serving.WarmUp
		su.Steps = steps
		su.DetectS, su.PoliciesS, su.StartupS = detect.Seconds(), policies.Seconds(), serving.Seconds()
		if su.Target > from {
			su.NodesS = nodes.Seconds()
		} else {
			su.DetectS, su.PoliciesS, su.StartupS = 0, 0, 0
		}
		su.TotalS = su.DetectS + su.PoliciesS + su.NodesS + su.StartupS
		rv.out.ScaleUp = append(rv.out.ScaleUp, su)

		ev := []Evidence{
			{What: "replicas at the normal rate", Value: float64(from), Unit: "replicas", Text: fmt.Sprint(from), Source: "simulation at the normal rate (" + rv.out.BaseSource + ")"},
			{What: "maxReplicas", Value: float64(c.HPA.MaxReplicas), Unit: "replicas", Text: fmt.Sprint(c.HPA.MaxReplicas), Source: fmt.Sprintf("components[%d].hpa.maxReplicas", i)},
			{What: "metric lag and a sync", Value: su.DetectS, Unit: "s", Text: units.Seconds(su.DetectS), Source: fmt.Sprintf("HPA sync %s + %s", units.Duration(sync), lagWhy)},
			{What: "scale-up policies", Value: su.PoliciesS, Unit: "s", Text: fmt.Sprintf("%s (%d scale-ups)", units.Seconds(su.PoliciesS), steps), Source: policySource(i, c)},
			{What: "node provisioning", Value: su.NodesS, Unit: "s", Text: units.Seconds(su.NodesS), Source: nodesWhy},
			{What: "pod start-up", Value: su.StartupS, Unit: "s", Text: units.Seconds(su.StartupS), Source: startupSource(i, c)},
		}
		target := fmt.Sprintf("%s (%d replicas)", times(float64(su.Target)/float64(from)), su.Target)
		summary := fmt.Sprintf("%s reaches %s in %s once its HPA asks", c.Name, target, units.Seconds(su.TotalS))
		sev := Info
		fix := "keep spare nodes (a buffer) and faster start-up to shorten it"
		if !su.Reaches {
			sev = Warning
			summary = fmt.Sprintf("%s cannot reach ×%d capacity: maxReplicas %d is %s of the %d replicas it runs at the normal rate (reached in %s)",
				c.Name, ScaleFactor, c.HPA.MaxReplicas, times(float64(c.HPA.MaxReplicas)/float64(from)), from, units.Seconds(su.TotalS))
			fix = fmt.Sprintf("raise maxReplicas to at least %d if the nodes and its dependencies can take it", ScaleFactor*from)
		}
		if !su.Fires {
			summary += "; its HPA never asks (see its hpa finding)"
		}
		rv.add(Finding{Check: CheckScaleUp, Severity: sev, Component: c.Name, Summary: summary, Evidence: ev, Fix: fix})
	}
}

func startupSource(i int, c sim.Component) string {
	src := fmt.Sprintf("components[%d].startup", i)
	if c.Startup == (sim.Startup{}) {
		src = "default start-up (sim.DefaultStartup: schedule 2s, image pull 5s, init 10s, readiness 5s)"
	}
	if c.Serving.Propagation > 0 || c.Serving.WarmUp > 0 {
		src += fmt.Sprintf(" + serving: propagation %s, warm-up %s (components[%d].serving)", units.Duration(c.Serving.Propagation), units.Duration(c.Serving.WarmUp), i)
	}
	return src
}

// metricLag is how long the fastest of the HPA's metrics takes to show a
// step in load in full, and what it is made of: for Resource metrics the
// kubelet's sample window, cAdvisor's housekeeping and metrics-server's
// resolution; for Pods, Object and External metrics the query's rate
// window, the scrape interval, the adapter's cache and the ingestion
// delay (the simulator's pipelines and defaults, sim.MetricsPipeline and
// sim.CustomMetrics). Counting the whole window is the safe reading: the
// HPA starts earlier, but asks for all of it only then.
func (rv *reviewer) metricLag(c sim.Component) (time.Duration, string) {
	a, err := sim.NewAutoscaler(*c.HPA, rv.sys.Controller)
	if err != nil {
		return 0, "no metric"
	}
	m := rv.sys.Metrics
	best, why := time.Duration(-1), ""
	for _, metric := range a.Metrics() {
		var lag time.Duration
		var what string
		if metric.Source == sim.ResourceMetric {
			res := or(m.Resolution, sim.DefaultMetricResolution)
			win, hk := or(m.Window, res), or(m.Housekeeping, sim.DefaultHousekeeping)
			lag = win + hk + res
			what = fmt.Sprintf("CPU sample window %s + housekeeping %s + metrics-server resolution %s", units.Duration(win), units.Duration(hk), units.Duration(res))
		} else {
			cm := m.Custom
			if o := c.CustomMetrics; o != nil {
				cm.RateWindow, cm.Scrape = or(o.RateWindow, cm.RateWindow), or(o.Scrape, cm.Scrape)
				cm.Adapter, cm.Delay = or(o.Adapter, cm.Adapter), or(o.Delay, cm.Delay)
			}
			rw, sc := or(cm.RateWindow, sim.DefaultCustomRateWindow), or(cm.Scrape, sim.DefaultCustomScrape)
			lag = rw + sc + cm.Adapter + cm.Delay
			what = fmt.Sprintf("%s metric: rate window %s + scrape %s + adapter cache %s + ingestion %s", metric.Source, units.Duration(rw), units.Duration(sc), units.Duration(cm.Adapter), units.Duration(cm.Delay))
		}
		if best < 0 || lag < best {
			best, why = lag, what
		}
	}
	return max(best, 0), why + " (the System's metrics, else the simulator's defaults)"
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func policySource(i int, c sim.Component) string {
	if c.HPA.Behavior == nil {
		return fmt.Sprintf("components[%d].hpa without behavior: legacy limit, max(2 × current, 4) per sync", i)
	}
	if c.HPA.Behavior.ScaleUp == nil || c.HPA.Behavior.ScaleUp.Policies == nil {
		return fmt.Sprintf("components[%d].hpa.behavior: default scale-up, 4 pods or 100%% per 15s", i)
	}
	return fmt.Sprintf("components[%d].hpa.behavior.scaleUp", i)
}

// policyTime is how many scale-ups the HPA's normalisation takes from
// `from` to `to` replicas when every reconciliation asks for more, and the
// time from the first to the last. It drives sim.Autoscaler, the
// controller's normalisation, with a metric that asks for twice the
// maximum.
func (rv *reviewer) policyTime(c sim.Component, from, to int, sync time.Duration) (int, time.Duration) {
	if to <= from {
		return 0, 0
	}
	h := *c.HPA
	h.Metrics = []sim.Metric{{Source: sim.PodsMetric, Name: "review-demand", Target: sim.AverageValueTarget, Value: 1000}}
	a, err := sim.NewAutoscaler(h, rv.sys.Controller)
	if err != nil {
		return 0, 0
	}
	// The first reconciliation is the one that sees the load (the
	// detection); a scale-up stabilization window delays the first
	// scale-up from it.
	start := time.Hour // pods long started and ready
	cur, steps := from, 0
	in := []sim.ReplicaInput{{}}
	const maxSyncs = 10000
	for k := 0; k < maxSyncs; k++ {
		now := start + time.Duration(k)*sync
		in[0] = sim.ReplicaInput{Pods: []sim.Pod{{Count: cur, Phase: sim.PodRunning, Ready: true, HasMetric: true,
			Value: 2000 * int64(h.MaxReplicas), SampledAt: now, Window: sim.DefaultMetricWindow}}}
		d := a.Reconcile(now, cur, in)
		if d.Replicas > cur {
			steps++
			cur = d.Replicas
			if cur >= to {
				return steps, now - start
			}
		}
	}
	return steps, maxSyncs * sync
}

// nodeDelay is how long the pods of a ×ScaleFactor scale-up of every
// component wait for nodes: none when spare room (a buffer) holds them,
// else the node provisioning delay (plus a cluster-autoscaler scan on
// Standard).
func (rv *reviewer) nodeDelay() (time.Duration, string) {
	n := rv.sys.Nodes
	var addCPU, addMem, useCPU, useMem float64
	for i, c := range rv.sys.Components {
		to := ScaleFactor * rv.from[i]
		if c.HPA != nil {
			to = min(to, c.HPA.MaxReplicas)
		} else {
			to = rv.from[i]
		}
		useCPU += float64(rv.from[i]) * c.Resources.CPURequest
		useMem += float64(rv.from[i]) * c.Resources.MemoryRequest
		addCPU += float64(to-rv.from[i]) * c.Resources.CPURequest
		addMem += float64(to-rv.from[i]) * c.Resources.MemoryRequest
	}
	if addCPU == 0 {
		return 0, "no new pods"
	}
	delay, src := n.ProvisioningDelay, "nodes.provisioningDelay"
	switch n.Mode {
	case sim.Standard:
		if delay == 0 {
			delay, src = sim.DefaultStandardProvisioning, "default: the cluster autoscaler's 3 to 4 minutes from scale-up to a schedulable GCE node (sim.DefaultStandardProvisioning)"
		}
		cpu, mem := sim.Allocatable(n.NodeCPU, n.NodeMemory)
		nodes := math.Ceil(math.Max((useCPU+n.BufferCPU)/cpu, (useMem+n.BufferMemory)/math.Max(mem, 1)) - 1e-9)
		nodes = math.Min(math.Max(nodes, float64(n.MinNodes)), float64(n.MaxNodes))
		need := math.Ceil(math.Max((useCPU+addCPU)/cpu, (useMem+addMem)/math.Max(mem, 1)) - 1e-9)
		if need > float64(n.MaxNodes) {
			rv.add(Finding{Check: CheckScaleUp, Severity: Warning,
				Summary: fmt.Sprintf("the node pool cannot hold a ×%d scale-up: it needs %g nodes and maxNodes is %d; the rest of the pods stay pending", ScaleFactor, need, n.MaxNodes),
				Evidence: []Evidence{{What: "nodes needed", Value: need, Unit: "nodes", Text: fmt.Sprint(need), Source: "the new pods' requests over a node's allocatable room (GKE's reservations)"},
					{What: "maxNodes", Value: float64(n.MaxNodes), Unit: "nodes", Text: fmt.Sprint(n.MaxNodes), Source: "nodes.maxNodes"}},
				Fix: "raise the pool's maxNodes (and check the project's quota)"})
		}
		if addCPU <= nodes*cpu-useCPU && addMem <= nodes*mem-useMem {
			return 0, fmt.Sprintf("the %g nodes running at the normal rate have room for the new pods", nodes)
		}
		return delay + sim.DefaultScanInterval, src + " + a cluster-autoscaler scan (its scan interval, 10s by default)"
	default:
		if delay == 0 {
			delay, src = sim.DefaultAutopilotProvisioning, "default: Autopilot's node boot, 80 to 120 s (sim.DefaultAutopilotProvisioning)"
		}
		if addCPU <= n.BufferCPU && addMem <= n.BufferMemory {
			return 0, "the spare-capacity buffer holds the new pods"
		}
		return delay, src
	}
}
