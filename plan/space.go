package plan

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/traffic"
	"github.com/headroom-sre/headroom/units"
)

// The knobs the planner turns, per component: the CPU request (and with
// it the capacity), the HPA's target load, its scale-up behavior, its
// minReplicas and maxReplicas (or the replica count without an HPA), and
// a pre-scale floor before each announced event; for the system: the
// spare node capacity held by placeholder pods.

// loadGrid are the target loads searched: the HPA's target as a fraction
// of what one replica can take (of its CPU request for a CPU target).
var loadGrid = []float64{0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9}

// cpuFactors are the CPU requests searched, as fractions of today's.
var cpuFactors = []float64{0.25, 0.35, 0.5, 0.75, 1, 1.5, 2}

// bufferPods are the spare capacities searched, in pods of the largest
// component.
var bufferPods = []int{0, 1, 2, 4, 8}

// maxCombos bounds the outer options (CPU and target per component, and
// the buffer); larger systems search coarser grids.
const maxCombos = 40000

// FastScaleUp is the "fast" scale-up behavior the planner may recommend:
// no stabilization, and up to ten times the replicas (or 100 more) every
// 15 s, so the metric rather than a rate limit sets the pace.
func FastScaleUp() *sim.ScalingRules {
	zero := time.Duration(0)
	maxChange := sim.MaxChange
	return &sim.ScalingRules{StabilizationWindow: &zero, SelectPolicy: &maxChange, Policies: []sim.Policy{
		{Type: sim.PercentPolicy, Value: 900, Period: 15 * time.Second},
		{Type: sim.PodsPolicy, Value: 100, Period: 15 * time.Second},
	}}
}

// Behavior names.
const (
	behaviorToday = "as today"
	behaviorFast  = "fast"
)

// targetKind says how a target load maps onto the HPA's first metric.
type targetKind uint8

const (
	tkUtilization targetKind = iota // CPU Utilization: percent of the request
	tkCPUValue                      // CPU AverageValue: millicores
	tkRate                          // Pods or Object/External AverageValue: requests per second per pod
	tkFixed                         // Object/External Value: not searched
)

// cpuOpt is one CPU request with what follows from it.
type cpuOpt struct {
	res    sim.Resources
	capa   sim.Capacity
	factor float64
}

// compSpace is one component's options.
type compSpace struct {
	name      string
	idx       int
	hpa       bool
	cpus      []cpuOpt // ascending
	fileCPU   int
	loads     []float64 // ascending; NaN for a fixed target
	fileLoad  int
	kind      targetKind
	metric    sim.Metric // today's first metric
	behaviors []*sim.Behavior
	floor     int
	fileMin   int
	fileMax   int
	lead      time.Duration
	peak      float64 // peak arrival rate across scenarios at ×1, per second
}

// bufferOpt is a spare capacity: count units of a size, held by
// placeholder pods, an active CapacityBuffer (both room on running nodes,
// the same to the simulator and the bill) or a standby CapacityBuffer
// (suspended nodes).
type bufferOpt struct {
	count    int
	cpu, mem float64
	kind     bufKind
}

// bufKind is how a spare capacity is held.
type bufKind uint8

const (
	bkPlaceholders bufKind = iota // placeholder pods
	bkActive                      // an active CapacityBuffer
	bkStandby                     // a standby CapacityBuffer
)

// running tells whether the room is on running nodes.
func (k bufKind) running() bool { return k != bkStandby }

// noSafer tells whether spare capacity a holds no more than b: none; or
// no more room of the same kind; or a standby buffer against at least as
// much room on running nodes (which pods take without a resume).
func (sp *space) noSafer(a, b int) bool {
	x, y := sp.buffers[a], sp.buffers[b]
	xc, xm := x.total()
	yc, ym := y.total()
	if xc == 0 && xm == 0 {
		return true
	}
	more := xc <= yc+1e-9 && xm <= ym+1
	return more && (x.kind.running() == y.kind.running() || y.kind.running())
}

// cheaperBuf is the next cheaper spare capacity of the same kind as the
// j-th (or none), -1 when there is none.
func (sp *space) cheaperBuf(j int) int {
	best := -1
	bc := -1.0
	for k, b := range sp.buffers {
		c, m := b.total()
		if k == j || !sp.noSafer(k, j) || (c > 0 && b.kind.running() != sp.buffers[j].kind.running()) {
			continue
		}
		if jc, jm := sp.buffers[j].total(); c == jc && m == jm {
			continue
		}
		if c > bc {
			best, bc = k, c
		}
	}
	return best
}

func (b bufferOpt) total() (float64, float64) {
	return float64(b.count) * b.cpu, float64(b.count) * b.mem
}

// window is when pre-scaling covers one scenario's event.
type window struct {
	scenario   string
	ok         bool
	event, end time.Duration
}

// scenInfo is one scenario with what the planner derived from it.
type scenInfo struct {
	Scenario
	perMonth  float64
	announced bool // its date is known: it may be pre-scaled for
	known     bool // announced, with an event to pre-scale for
	win       window
	dur       time.Duration
	curve     *traffic.Curve // nil when the shape cannot be scaled
}

// space is the search space of one problem.
type space struct {
	base    sim.System // today's
	clean   sim.System // today's without pre-scaling and start counts
	comps   []compSpace
	order   []int // component indices, callers first
	buffers []bufferOpt
	fileBuf int
	// standbyHour prices a suspended node of a standby CapacityBuffer per
	// hour; 0: unknown, and standby buffers are not searched
	standbyHour float64
	scen        []scenInfo
	// checkOrder is the order scenarios are checked in: unannounced ones
	// first (the search stops at the first that fails, and they fail most).
	checkOrder []int
	baseline   float64
	res        time.Duration
	notes      []string
	variants   []*variant
}

// variant is one version of the problem: traffic ×k and objectives.
type variant struct {
	id  int
	k   float64
	obj sim.Objectives
	sc  []sim.Scenario
}

// cand is one configuration, as indices and counts.
type cand struct {
	cpu, load, beh []int
	min, max       []int
	pre            [][]int // [component][scenario]; 0 means none
	buf            int
}

func (c *cand) clone() *cand {
	out := &cand{buf: c.buf}
	out.cpu = append([]int(nil), c.cpu...)
	out.load = append([]int(nil), c.load...)
	out.beh = append([]int(nil), c.beh...)
	out.min = append([]int(nil), c.min...)
	out.max = append([]int(nil), c.max...)
	out.pre = make([][]int, len(c.pre))
	for i := range c.pre {
		out.pre[i] = append([]int(nil), c.pre[i]...)
	}
	return out
}

func newSpace(p Problem, opt Options) (*space, error) {
	sp := &space{base: p.System.Clone(), res: opt.Resolution}
	if sp.res == 0 {
		sp.res = sim.DefaultResolution
	}
	sys := sp.base
	byName := map[string]int{}
	for i, c := range sys.Components {
		byName[c.Name] = i
	}
	for name := range p.Sizing {
		if _, ok := byName[name]; !ok {
			return nil, badProblem("sizing names %q, which is not a component", name)
		}
	}
	sp.order = callersFirst(sys, byName)
	for i, sc := range p.Scenarios {
		if sc.Traffic == nil {
			return nil, badProblem("scenario %q has no traffic", sc.Name)
		}
		if sc.PerMonth < 0 || math.IsNaN(sc.PerMonth) || math.IsInf(sc.PerMonth, 0) {
			return nil, badProblem("scenario %q: events per month must be a number ≥ 0", sc.Name)
		}
		si := scenInfo{Scenario: sc, perMonth: sc.PerMonth, dur: sc.Duration}
		if si.perMonth == 0 {
			si.perMonth = DefaultPerMonth
		}
		if si.dur == 0 {
			si.dur = sc.Traffic.Duration()
		}
		si.curve, _ = sc.Traffic.(*traffic.Curve)
		si.win = eventWindow(sc.Name, sc.Traffic, si.dur)
		notice := sc.Notice()
		if sc.Unannounced || opt.AsSurprise {
			notice = sim.EventSurprise
		}
		// Said explicitly, so that every simulation of it, today's
		// included, pre-scales only what the plan allows.
		si.Scenario.Scenario.Event = notice
		si.announced = notice == sim.EventAnnounced
		si.known = si.announced && si.win.ok
		for j := range i {
			if p.Scenarios[j].Name == sc.Name {
				return nil, badProblem("two scenarios are named %q", sc.Name)
			}
		}
		sp.scen = append(sp.scen, si)
	}
	for pass := range 2 {
		for s, si := range sp.scen {
			if si.known == (pass == 1) {
				sp.checkOrder = append(sp.checkOrder, s)
			}
		}
	}
	var hours float64
	for _, s := range sp.scen {
		hours += s.perMonth * s.dur.Hours()
	}
	if hours > sim.HoursPerMonth {
		return nil, badProblem("the events add up to %.0f hours a month, more than a month (%d hours); lower their frequency", hours, sim.HoursPerMonth)
	}
	sp.baseline = opt.BaselineRate
	switch {
	case sp.baseline > 0:
	case sys.Objectives.WindowRate > 0:
		sp.baseline = sys.Objectives.WindowRate
	default:
		sp.baseline = math.Inf(1)
		for _, s := range sp.scen {
			sp.baseline = math.Min(sp.baseline, s.Traffic.Rate(0))
		}
		sp.notes = append(sp.notes, fmt.Sprintf("the steady state is priced at %s, the lowest starting rate of the scenarios, as no baseline rate was given", units.Rate(sp.baseline)))
	}
	peaks := sp.peaks(byName)
	for i, c := range sys.Components {
		cs, err := sp.component(i, c, p.Sizing[c.Name], opt)
		if err != nil {
			return nil, err
		}
		cs.peak = peaks[i]
		sp.comps = append(sp.comps, cs)
	}
	sp.clean = sys.Clone()
	for i := range sp.clean.Components {
		c := &sp.clean.Components[i]
		c.Prescale = nil
		if c.HPA != nil {
			c.Replicas = 0
		}
	}
	sp.bufferOptions(p.StandbyNodeHour)
	sp.coarsen()
	return sp, nil
}

// announced tells whether some scenario is announced.
func (sp *space) announced() bool {
	for _, s := range sp.scen {
		if s.announced {
			return true
		}
	}
	return false
}

// assumption says what the plan assumes about the events' dates (see
// Result.Assumption).
func (sp *space) assumption() string {
	var known, surprise []string
	for _, s := range sp.scen {
		if s.announced {
			known = append(known, s.Name)
		} else {
			surprise = append(surprise, s.Name)
		}
	}
	switch {
	case len(surprise) == 0:
		return sim.AssumingTheDate
	case len(known) == 0:
		return sim.ForASurprise
	}
	return fmt.Sprintf("%s of %s; %s: %s", sim.AssumingTheDate, strings.Join(known, ", "), sim.ForASurprise, strings.Join(surprise, ", "))
}

// callersFirst orders the components so that every caller comes before
// its callees (the system is acyclic: sim.Compile checked it).
func callersFirst(sys sim.System, byName map[string]int) []int {
	indeg := make([]int, len(sys.Components))
	for _, c := range sys.Components {
		for _, call := range c.Calls {
			indeg[byName[call.To]]++
		}
	}
	var order, queue []int
	for i := range sys.Components {
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		order = append(order, i)
		for _, call := range sys.Components[i].Calls {
			j := byName[call.To]
			if indeg[j]--; indeg[j] == 0 {
				queue = append(queue, j)
			}
		}
	}
	return order
}

// peaks is each component's peak arrival rate over the scenarios: the
// entry's peak traffic sent down the calls (retries aside).
func (sp *space) peaks(byName map[string]int) []float64 {
	sys := sp.base
	peak := 0.0
	for _, s := range sp.scen {
		peak = math.Max(peak, maxRate(s.Traffic, s.dur))
	}
	out := make([]float64, len(sys.Components))
	out[byName[sys.Entry]] = peak
	for _, i := range sp.order {
		for _, call := range sys.Components[i].Calls {
			out[byName[call.To]] += call.PerRequest * out[i]
		}
	}
	return out
}

func maxRate(sh traffic.Shape, dur time.Duration) float64 {
	if c, ok := sh.(*traffic.Curve); ok {
		return c.Max()
	}
	m := 0.0
	for t := time.Duration(0); t < dur; t += time.Second {
		m = math.Max(m, sh.Rate(t))
	}
	return m
}

// eventWindow finds a scenario's event: from when the rate first climbs
// a tenth of the way from its starting rate to its peak, to when it last
// is that high (the scenario's end if it never comes back). A scenario
// whose peak is less than 20% above its start has no event.
func eventWindow(name string, sh traffic.Shape, dur time.Duration) window {
	w := window{scenario: name}
	base := sh.Rate(0)
	peak := maxRate(sh, dur)
	if peak <= base*1.2 || peak <= 0 {
		return w
	}
	threshold := base + 0.1*(peak-base)
	first, last := time.Duration(-1), time.Duration(-1)
	for t := time.Duration(0); t < dur; t += time.Second {
		if sh.Rate(t) >= threshold {
			if first < 0 {
				first = t
			}
			last = t
		}
	}
	if first < 0 {
		return w
	}
	w.ok, w.event, w.end = true, first, min(last+time.Second, dur)
	return w
}

// component builds one component's options.
func (sp *space) component(i int, c sim.Component, sz Sizing, opt Options) (compSpace, error) {
	cs := compSpace{name: c.Name, idx: i, hpa: c.HPA != nil}
	var err error
	if cs.cpus, cs.fileCPU, err = sp.cpuOptions(c, sz); err != nil {
		return cs, err
	}
	cs.floor = opt.MinReplicas
	today := max(c.Replicas, 1)
	if c.HPA != nil {
		today = c.HPA.MinReplicas
		cs.fileMin, cs.fileMax = c.HPA.MinReplicas, c.HPA.MaxReplicas
		cs.metric = sim.Metric{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: sim.DefaultCPUUtilization}
		if len(c.HPA.Metrics) > 0 {
			cs.metric = c.HPA.Metrics[0]
		}
		cs.behaviors = []*sim.Behavior{c.HPA.Behavior}
		fast := &sim.Behavior{ScaleUp: FastScaleUp()}
		if c.HPA.Behavior != nil {
			fast.ScaleDown = c.HPA.Behavior.ScaleDown
		}
		cs.behaviors = append(cs.behaviors, fast)
	} else {
		cs.fileMin, cs.fileMax = today, today
	}
	if cs.floor <= 0 {
		cs.floor = min(DefaultMinReplicas, today)
	}
	cs.loads, cs.fileLoad = sp.loadOptions(&cs, c)
	cs.lead = opt.Lead
	if cs.lead <= 0 {
		st := c.Startup
		if st == (sim.Startup{}) {
			st = sim.DefaultStartup
		}
		prov := sp.base.Nodes.ProvisioningDelay
		if prov == 0 {
			prov = sim.DefaultAutopilotProvisioning
			if sp.base.Nodes.Mode == sim.Standard {
				prov = sim.DefaultStandardProvisioning
			}
		}
		cs.lead = (st.Total() + prov + time.Minute + time.Minute - 1).Truncate(time.Minute)
	}
	return cs, nil
}

// cpuOptions are the CPU requests a component may get, ascending, and the
// index of today's.
func (sp *space) cpuOptions(c sim.Component, sz Sizing) ([]cpuOpt, int, error) {
	req := c.Resources.CPURequest
	lo, hi := sz.MinCPU, sz.MaxCPU
	if lo < 0 || hi < 0 || (hi > 0 && lo > hi) {
		return nil, 0, badProblem("component %s: want 0 ≤ min CPU ≤ max CPU, got %g and %g", c.Name, lo, hi)
	}
	if hi == 0 {
		hi = req
	}
	if lo == 0 {
		lo = req
		if curve := c.Capacity.Latency; len(curve) >= 2 && c.Capacity.PerReplicaRPS > 0 {
			lowest := math.Inf(1)
			for _, p := range curve {
				if p.Rate > 0 {
					lowest = math.Min(lowest, p.Rate)
				}
			}
			if f := lowest / c.Capacity.PerReplicaRPS; f < 1 {
				lo = req * math.Max(f, cpuFactors[0])
			}
		}
		lo = math.Min(lo, hi)
	}
	autopilot := sp.base.Nodes.Mode == sim.Autopilot
	rules := sp.base.Nodes.AutopilotRules()
	allocCPU, allocMem := math.Inf(1), math.Inf(1)
	if !autopilot {
		allocCPU, allocMem = sim.Allocatable(sp.base.Nodes.NodeCPU, sp.base.Nodes.NodeMemory)
	}
	seen := map[int64]bool{}
	var out []cpuOpt
	add := func(cpu float64) {
		key := int64(math.Round(cpu * 1000))
		if seen[key] || cpu <= 0 {
			return
		}
		seen[key] = true
		mem := c.Resources.MemoryRequest
		if autopilot {
			m, ok := autopilotMemory(rules, cpu, mem)
			if !ok && cpu != req {
				return // today's request stays an option, as billed
			}
			mem = m
		}
		if cpu > allocCPU || mem > allocMem {
			return
		}
		f := cpu / req
		o := cpuOpt{factor: f, capa: c.Capacity, res: c.Resources}
		o.res.CPURequest = cpu
		o.res.MemoryRequest = mem
		if o.res.MemoryLimit > 0 && o.res.MemoryLimit < mem {
			o.res.MemoryLimit = mem
		}
		if c.Resources.CPULimit > 0 {
			o.res.CPULimit = roundMilli(c.Resources.CPULimit * f)
		}
		o.capa.PerReplicaRPS = c.Capacity.PerReplicaRPS * f
		o.capa.Latency = make([]sim.LatencyPoint, len(c.Capacity.Latency))
		for j, p := range c.Capacity.Latency {
			p.Rate *= f
			o.capa.Latency[j] = p
		}
		out = append(out, o)
	}
	add(req)
	for _, f := range cpuFactors {
		cpu := req * f
		if cpu < lo-1e-9 || cpu > hi+1e-9 {
			continue
		}
		if autopilot {
			cpu = autopilotCPU(rules, cpu)
		} else {
			cpu = math.Max(0.01, math.Round(cpu*100)/100)
		}
		if cpu >= lo-1e-9 && cpu <= hi+1e-9 {
			add(cpu)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].res.CPURequest < out[b].res.CPURequest })
	file := 0
	for j, o := range out {
		if o.factor == 1 {
			file = j
		}
	}
	return out, file, nil
}

// autopilotSearchStep is the granularity of the CPU sizes the planner
// tries on Autopilot clusters with bursting, which bill any size: a
// quarter vCPU, like the billing step of clusters without. Finer sizes
// save a few dollars and multiply the configurations to simulate (about
// six times for two components, measured with BenchmarkPlan…); today's
// request is always tried as well.
const autopilotSearchStep = 0.25

// autopilotCPU is a candidate CPU request on Autopilot, one it is billed
// as requested for: rounded up to the rules' step when they have one
// (clusters without bursting), else to the planner's search step, and at
// least the pod minimum.
func autopilotCPU(rules pricing.AutopilotRules, cpu float64) float64 {
	step := rules.VCPUStep
	if step <= 0 {
		step = autopilotSearchStep
	}
	return math.Max(math.Ceil(cpu/step-1e-9)*step, rules.MinVCPU)
}

// autopilotMemory is the memory request (bytes) of a candidate with cpu
// vCPUs on Autopilot, given today's (0: unset): today's, raised to what
// Autopilot bills anyway (the rules' minimums per pod and per vCPU), so
// the pod may use what it pays for. ok is false, and mem returned as is,
// when the memory is more than the rules allow per vCPU: Autopilot would
// bill more CPU than the candidate requests. An unset request stands for
// Autopilot's default and stays unset unless the minimums exceed it
// (memory is kept: nothing measured says how low it may go).
func autopilotMemory(rules pricing.AutopilotRules, cpu, mem float64) (float64, bool) {
	const gib = 1 << 30
	have := mem / gib
	if mem <= 0 {
		have = rules.DefaultGiB
	}
	if have > cpu*rules.MaxGiBPerVCPU*(1+1e-9) {
		return mem, false
	}
	if _, billed := rules.BillPod([]pricing.Request{{VCPU: cpu, GiB: have}}); billed > have*(1+1e-9) {
		return billed * gib, true
	}
	return mem, true
}

func roundMilli(x float64) float64 { return math.Round(x*1000) / 1000 }

// loadOptions are the target loads of a component, ascending, and the
// index of today's.
func (sp *space) loadOptions(cs *compSpace, c sim.Component) ([]float64, int) {
	if !cs.hpa {
		return []float64{math.NaN()}, 0
	}
	m := cs.metric
	var today float64
	switch {
	case m.Source == sim.ResourceMetric && m.Target == sim.UtilizationTarget:
		cs.kind, today = tkUtilization, float64(m.AverageUtilization)/100
	case m.Source == sim.ResourceMetric:
		cs.kind, today = tkCPUValue, float64(m.Value)/1000/c.Resources.CPURequest
	case m.Target == sim.AverageValueTarget:
		cs.kind, today = tkRate, float64(m.Value)/1000/c.Capacity.PerReplicaRPS
	default:
		cs.kind = tkFixed
		return []float64{math.NaN()}, 0
	}
	loads := append([]float64(nil), loadGrid...)
	file := -1
	for j, l := range loads {
		if math.Abs(l-today) < 1e-9 {
			file = j
		}
	}
	if file < 0 {
		loads = append(loads, today)
		sort.Float64s(loads)
		for j, l := range loads {
			if l == today {
				file = j
			}
		}
	}
	return loads, file
}

// metric is the HPA's first metric at a target load and CPU option.
func (cs *compSpace) metricAt(load int, cpu int) sim.Metric {
	m := cs.metric
	g := cs.loads[load]
	o := cs.cpus[cpu]
	switch cs.kind {
	case tkUtilization:
		m.AverageUtilization = max(1, int(math.Round(g*100)))
	case tkCPUValue:
		m.Value = max(1, int64(math.Round(g*o.res.CPURequest*1000)))
	case tkRate:
		m.Value = max(1, int64(math.Round(g*o.capa.PerReplicaRPS*1000)))
	}
	return m
}

// bufferOptions lists the spare capacities: none, and a few pods of the
// largest component held on running nodes (as placeholder pods, or as an
// active CapacityBuffer when today's system has one); on a Standard pool
// whose standby price is known, as many held by a standby CapacityBuffer;
// today's buffer is among them.
func (sp *space) bufferOptions(standbyHour float64) {
	var unit bufferOpt
	for _, c := range sp.base.Components {
		if c.Resources.CPURequest > unit.cpu {
			unit = bufferOpt{count: 1, cpu: c.Resources.CPURequest, mem: c.Resources.MemoryRequest}
		}
	}
	n := sp.base.Nodes
	if n.Mode == sim.Autopilot && unit.count > 0 {
		// A placeholder pod holds, and is billed for, what Autopilot's
		// rules make of its requests: size it so, and the simulator, which
		// bills placeholders as requested, bills what Autopilot would.
		vcpu, gib := n.AutopilotRules().BillPod([]pricing.Request{{VCPU: unit.cpu, GiB: unit.mem / (1 << 30)}})
		unit.cpu, unit.mem = vcpu, gib*(1<<30)
	}
	room := bkPlaceholders
	cb := n.CapacityBuffer
	if !cb.IsZero() && cb.Strategy == sim.ActiveBuffer && n.BufferCPU == 0 && n.BufferMemory == 0 {
		room = bkActive
	}
	sp.standbyHour = standbyHour
	if !cb.IsZero() && cb.StandbyNodeHour > 0 {
		sp.standbyHour = cb.StandbyNodeHour
	}
	standby := n.Mode == sim.Standard && sp.standbyHour > 0
	if n.Mode == sim.Standard && sp.standbyHour == 0 && !cb.IsZero() {
		sp.notes = append(sp.notes, "standby CapacityBuffers were not searched: the price of a suspended node (its saved memory state and boot disk) is unknown, and a buffer of unknown price cannot be called the cheapest")
	}
	sp.fileBuf = -1
	for _, k := range bufferPods {
		b := bufferOpt{count: k, cpu: unit.cpu, mem: unit.mem, kind: room}
		if k == 0 {
			b = bufferOpt{}
		}
		sp.buffers = append(sp.buffers, b)
		if standby && k > 0 {
			b.kind = bkStandby
			sp.buffers = append(sp.buffers, b)
		}
	}
	if n.BufferCPU > 0 || n.BufferMemory > 0 {
		sp.buffers = append(sp.buffers, bufferOpt{count: 1, cpu: n.BufferCPU, mem: n.BufferMemory})
		// Today's buffer as placeholder pods of the unit size when it is
		// a whole number of them.
		if k := n.BufferCPU / unit.cpu; k == math.Round(k) && math.Abs(k*unit.mem-n.BufferMemory) < 1 {
			sp.buffers[len(sp.buffers)-1] = bufferOpt{count: int(k), cpu: unit.cpu, mem: unit.mem}
		}
	}
	var today bufferOpt
	if !cb.IsZero() && n.Mode == sim.Standard {
		today = bufferOpt{count: cb.Replicas, cpu: cb.CPU, mem: cb.Memory, kind: bkActive}
		if cb.Strategy == sim.StandbyBuffer {
			today.kind = bkStandby
		}
		switch {
		case today.kind == bkActive && room == bkPlaceholders:
			// Placeholders and an active buffer together: the room is
			// searched as placeholder pods.
			today = bufferOpt{}
		case today.kind == bkStandby && !standby:
			// Not searched without a price; today's cost leaves it out.
			sp.notes = append(sp.notes, "today's cost leaves out its standby CapacityBuffer's suspended nodes: their price is unknown")
			today = bufferOpt{}
		default:
			sp.buffers = append(sp.buffers, today)
		}
	}
	// Sort by room, dropping duplicates of the same room and kind.
	sort.SliceStable(sp.buffers, func(a, b int) bool {
		ca, ma := sp.buffers[a].total()
		cb, mb := sp.buffers[b].total()
		if ca != cb || ma != mb {
			return ca < cb || (ca == cb && ma < mb)
		}
		return sp.buffers[a].kind < sp.buffers[b].kind
	})
	out := sp.buffers[:0]
	for _, b := range sp.buffers {
		if len(out) > 0 {
			last := out[len(out)-1]
			pc, pm := last.total()
			if c, m := b.total(); c == pc && m == pm && (last.kind == b.kind || c == 0 && m == 0) {
				continue
			}
		}
		out = append(out, b)
	}
	sp.buffers = out
	for j, b := range sp.buffers {
		c, m := b.total()
		switch {
		case today.count > 0:
			if tc, tm := today.total(); b.kind == today.kind && math.Abs(c-tc) < 1e-9 && math.Abs(m-tm) < 1 {
				sp.fileBuf = j
			}
		case b.kind == bkPlaceholders && math.Abs(c-n.BufferCPU) < 1e-9 && math.Abs(m-n.BufferMemory) < 1:
			sp.fileBuf = j
		}
	}
}

// combos is the number of outer options: CPU and target per component,
// times the buffers.
func (sp *space) combos() float64 {
	n := float64(len(sp.buffers))
	for _, cs := range sp.comps {
		n *= float64(len(cs.cpus) * len(cs.loads))
	}
	return n
}

// coarsen thins the grids of large systems until the outer options fit
// maxCombos: every other target load first, then fewer CPU requests, and
// at last today's values only.
func (sp *space) coarsen() {
	thin := func(xs []float64, keep int) ([]float64, int) {
		var out []float64
		k := 0
		for j, x := range xs {
			if j%2 == 0 || j == keep || j == len(xs)-1 {
				if j == keep {
					k = len(out)
				}
				out = append(out, x)
			}
		}
		return out, k
	}
	for round := 0; sp.combos() > maxCombos && round < 3; round++ {
		for i := range sp.comps {
			cs := &sp.comps[i]
			if len(cs.loads) > 3 {
				cs.loads, cs.fileLoad = thin(cs.loads, cs.fileLoad)
			}
		}
	}
	for i := len(sp.comps) - 1; i >= 0 && sp.combos() > maxCombos; i-- {
		cs := &sp.comps[i]
		if len(cs.cpus) > 1 {
			cs.cpus, cs.fileCPU = []cpuOpt{cs.cpus[cs.fileCPU]}, 0
		}
	}
	for i := len(sp.comps) - 1; i >= 0 && sp.combos() > maxCombos; i-- {
		cs := &sp.comps[i]
		cs.loads, cs.fileLoad = []float64{cs.loads[cs.fileLoad]}, 0
	}
	if sp.combos() > maxCombos {
		sp.notes = append(sp.notes, "the system is large: the search kept today's CPU requests and targets for some components")
	}
}

// variant returns the variant of the problem with traffic ×k and the
// given objectives, creating it on first use.
func (sp *space) variant(k float64, obj sim.Objectives) *variant {
	for _, v := range sp.variants {
		if v.k == k && v.obj == obj {
			return v
		}
	}
	v := &variant{id: len(sp.variants), k: k, obj: obj}
	for _, s := range sp.scen {
		sc := s.Scenario.Scenario
		if k != 1 && s.curve != nil {
			sc.Traffic = s.curve.Scale(k)
		}
		v.sc = append(v.sc, sc)
	}
	sp.variants = append(sp.variants, v)
	return v
}

// scalable tells whether every scenario's traffic can be scaled.
func (sp *space) scalable() bool {
	for _, s := range sp.scen {
		if s.curve == nil {
			return false
		}
	}
	return true
}

// maxHi is the highest maxReplicas searched for a component at a CPU
// option and traffic multiple: today's, or enough replicas to serve the
// peak at two thirds of their capacity.
func (sp *space) maxHi(i, cpu int, k float64) int {
	cs := &sp.comps[i]
	capa := cs.cpus[cpu].capa.PerReplicaRPS
	need := int(math.Ceil(1.5*k*cs.peak/capa-1e-9)) + 1
	return min(max(cs.fileMax, need, cs.floor+1), 100000)
}

// start is the cheapest candidate of an outer option: every floor at its
// lowest, maxReplicas and pre-scaling at their highest, fast scale-up.
func (sp *space) start(o *outer, v *variant) *cand {
	n := len(sp.comps)
	c := &cand{cpu: make([]int, n), load: make([]int, n), beh: make([]int, n), min: make([]int, n), max: make([]int, n),
		pre: make([][]int, n), buf: o.buf}
	for i := range sp.comps {
		cs := &sp.comps[i]
		c.cpu[i], c.load[i] = o.cpu[i], o.load[i]
		c.min[i] = cs.floor
		c.max[i] = c.min[i]
		if cs.hpa {
			c.beh[i] = len(cs.behaviors) - 1
			c.max[i] = sp.maxHi(i, o.cpu[i], v.k)
		}
		c.pre[i] = make([]int, len(sp.scen))
		for s := range sp.scen {
			if sp.scen[s].known {
				c.pre[i][s] = sp.preHi(i, c, v)
			}
		}
	}
	return c
}

// preHi is the highest pre-scale floor of a component.
func (sp *space) preHi(i int, c *cand, v *variant) int {
	if sp.comps[i].hpa {
		return c.max[i]
	}
	return sp.maxHi(i, c.cpu[i], v.k)
}

// minHi is the highest floor (minReplicas, or replicas) searched.
func (sp *space) minHi(i int, c *cand, v *variant) int {
	if sp.comps[i].hpa {
		return c.max[i]
	}
	return sp.maxHi(i, c.cpu[i], v.k)
}

// system is a candidate as a system to simulate scenario s with (s < 0:
// without pre-scaling), under variant v's objectives.
func (sp *space) system(c *cand, v *variant, s int) sim.System {
	sys := sp.clean
	sys.Objectives = v.obj
	sys.Components = make([]sim.Component, len(sp.clean.Components))
	copy(sys.Components, sp.clean.Components)
	for i := range sp.comps {
		cs := &sp.comps[i]
		comp := &sys.Components[cs.idx]
		o := cs.cpus[c.cpu[i]]
		comp.Resources, comp.Capacity = o.res, o.capa
		if cs.hpa {
			h := *comp.HPA
			h.MinReplicas, h.MaxReplicas = c.min[i], c.max[i]
			h.Metrics = append([]sim.Metric(nil), h.Metrics...)
			if len(h.Metrics) == 0 {
				h.Metrics = []sim.Metric{cs.metric}
			}
			h.Metrics[0] = cs.metricAt(c.load[i], c.cpu[i])
			h.Behavior = cs.behaviors[c.beh[i]]
			comp.HPA = &h
		} else {
			comp.Replicas = c.min[i]
		}
		if s >= 0 && sp.scen[s].known {
			if p := c.pre[i][s]; p > c.min[i] {
				w := sp.scen[s].win
				comp.Prescale = prescaleSteps(max(0, w.event-cs.lead), w.end, p, c.min[i])
			}
		}
	}
	sp.applyBuffer(&sys.Nodes, sp.buffers[c.buf])
	return sys
}

// applyBuffer sets the spare capacity of nodes to b, of its kind only.
func (sp *space) applyBuffer(n *sim.Nodes, b bufferOpt) {
	n.BufferCPU, n.BufferMemory = 0, 0
	n.CapacityBuffer = sim.CapacityBuffer{}
	switch b.kind {
	case bkPlaceholders:
		n.BufferCPU, n.BufferMemory = b.total()
	case bkActive, bkStandby:
		if b.count == 0 {
			return
		}
		n.CapacityBuffer = sim.CapacityBuffer{Replicas: b.count, CPU: b.cpu, Memory: b.mem}
		if b.kind == bkStandby {
			n.CapacityBuffer.Strategy = sim.StandbyBuffer
			n.CapacityBuffer.ResumeDelay = sp.base.Nodes.CapacityBuffer.ResumeDelay
			n.CapacityBuffer.StandbyNodeHour = sp.standbyHour
		}
	}
}

// prescaleSteps raise the floor to p at start and lower it back to floor
// at end.
func prescaleSteps(start, end time.Duration, p, floor int) []sim.Prescale {
	steps := []sim.Prescale{{At: start, MinReplicas: p}}
	if end > start {
		steps = append(steps, sim.Prescale{At: end, MinReplicas: max(floor, 1)})
	}
	return steps
}

// key identifies what a simulation of scenario s depends on (s < 0: the
// steady state, which depends on neither the behavior nor pre-scaling).
func (sp *space) key(c *cand, v *variant, s int) string {
	b := make([]byte, 0, 8+8*len(sp.comps))
	if s >= 0 {
		b = binary.AppendUvarint(b, uint64(v.id))
	}
	b = binary.AppendVarint(b, int64(s))
	b = binary.AppendUvarint(b, uint64(c.buf))
	for i := range sp.comps {
		b = binary.AppendUvarint(b, uint64(c.cpu[i]))
		b = binary.AppendUvarint(b, uint64(c.load[i]))
		b = binary.AppendUvarint(b, uint64(c.min[i]))
		b = binary.AppendUvarint(b, uint64(c.max[i]))
		if s < 0 {
			continue
		}
		b = binary.AppendUvarint(b, uint64(c.beh[i]))
		p := 0
		if sp.scen[s].known && c.pre[i][s] > c.min[i] {
			p = c.pre[i][s]
		}
		b = binary.AppendUvarint(b, uint64(p))
	}
	return string(b)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
