package sim

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/traffic"
	"github.com/headroom-sre/headroom/units"
)

// System is a service as the simulator sees it: components that call each
// other, the nodes they run on, the objectives they must meet and what
// they cost. It is a plain value; [Compile] checks it and prepares it for
// repeated runs.
type System struct {
	// Entry names the component that receives external traffic.
	Entry string
	// Components are the services of the system.
	Components []Component
	// Nodes is where the pods run.
	Nodes Nodes
	// Objectives are the SLOs the scenarios are judged by.
	Objectives Objectives
	// Prices turn pods and nodes into money.
	Prices Prices
	// Controller holds the HPA controller settings; zero means the
	// Kubernetes defaults.
	Controller Controller
	// Metrics describes the metrics pipeline the HPA reads; zero means the
	// defaults (see [MetricsPipeline]).
	Metrics MetricsPipeline
}

// Component is one service: a Deployment, optionally with an HPA.
type Component struct {
	// Name identifies the component.
	Name string
	// Capacity is what one replica can serve and how fast.
	Capacity Capacity
	// Resources are the requests and limits of one pod.
	Resources Resources
	// Replicas is the Deployment's replica count at the start, within the
	// HPA's bounds. 0 means, with an HPA, the count it holds at the
	// scenario's starting rate (its steady state); without one, 1.
	Replicas int
	// Startup is how long a new pod takes to become ready.
	Startup Startup
	// Timeout is how long a caller (or, for the entry, an external client)
	// waits for one request to this component; 0 means [DefaultTimeout].
	Timeout time.Duration
	// Retries is how many times a failed request to this component is
	// retried by its caller.
	Retries int
	// Calls lists the components this one calls while serving a request.
	Calls []Call
	// HPA is the component's HorizontalPodAutoscaler, or nil for a fixed
	// replica count.
	HPA *HPA
	// Prescale raises the replica floor at given times from a scenario's
	// start: minReplicas of the HPA, or the replica count without one (a
	// KEDA cron trigger or a CronJob in practice). It applies to announced
	// scenarios only: nothing pre-scales for a surprise (see [EventNotice]).
	Prescale []Prescale
	// Serving is how a ready pod comes to take its share of traffic
	// (propagation, warm-up, connections pinned to older pods); the zero
	// value means at once and in full.
	Serving Serving
	// CustomMetrics is the pipeline of this component's Pods, Object and
	// External metrics where it differs from the system's
	// (System.Metrics.Custom): its zero fields take the system's values.
	// Nil means the system's.
	CustomMetrics *CustomMetrics
	// PDB is the PodDisruptionBudget covering the component's pods, or nil
	// for none. The simulator does not disrupt pods; a readiness review
	// reads it.
	PDB *PDB
}

// PDB is a PodDisruptionBudget (policy/v1 PodDisruptionBudgetSpec): one
// of MinAvailable and MaxUnavailable is set.
type PDB struct {
	MinAvailable, MaxUnavailable PodCount
}

// PodCount is a PodDisruptionBudget's count (an intstr.IntOrString): a
// number of pods, or a percentage of the pods when Percent is set. The
// zero value is unset.
type PodCount struct {
	Value   int
	Percent bool
	// Set tells that the count is given (0 is a count).
	Set bool
}

// Call is one edge of the call graph: a request to the caller makes
// PerRequest requests to To on average (0.6 means 60% of requests make one
// call).
type Call struct {
	To         string
	PerRequest float64
}

// Prescale sets the replica floor to MinReplicas from At on.
type Prescale struct {
	At          time.Duration
	MinReplicas int
}

// DefaultTimeout is the client timeout of a component that names none.
const DefaultTimeout = 30 * time.Second

// Capacity is the measured capacity of one replica.
type Capacity struct {
	// PerReplicaRPS is the highest arrival rate one replica sustains within
	// its SLO (a capacity profile's max_rate), per second.
	PerReplicaRPS float64
	// Latency is the latency-versus-load curve of one replica, by arrival
	// rate. Empty means a flat curve of [DefaultLatency].
	Latency []LatencyPoint
	// CPUPerRequest is the CPU time one request costs, in seconds; 0 means
	// unknown: a replica at PerReplicaRPS is then taken to be at its CPU
	// limit (or request, without a limit).
	CPUPerRequest float64
	// IdleCPU is the CPU an idle ready replica uses, in cores.
	IdleCPU float64
	// LowerBound marks a PerReplicaRPS that is only a lower bound (a
	// capacity profile limited by the load generator, or inconclusive,
	// taken as the capacity on purpose): every result says so.
	LowerBound bool
	// Source says where PerReplicaRPS comes from: written by hand (the
	// zero value), measured (a capacity profile) or estimated (from
	// history). Evidence is what it rests on: the profile's file, an
	// estimate's evidence.
	Source   CapacitySource
	Evidence string
}

// CapacitySource is where a capacity comes from.
type CapacitySource uint8

// Capacity sources.
const (
	// CapacityWritten: written in the System file, not measured.
	CapacityWritten CapacitySource = iota
	// CapacityMeasured: a capacity profile (headroom capacity's knee
	// search).
	CapacityMeasured
	// CapacityEstimated: estimated from production history, not measured.
	CapacityEstimated
)

// String is "written", "measured" or "estimated".
func (s CapacitySource) String() string {
	switch s {
	case CapacityMeasured:
		return "measured"
	case CapacityEstimated:
		return "estimated"
	}
	return "written"
}

// MarshalText implements encoding.TextMarshaler with [CapacitySource.String].
func (s CapacitySource) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// DefaultLatency is the latency of a component whose capacity has no
// latency curve.
const DefaultLatency = 10 * time.Millisecond

// LatencyPoint is one point of a latency-versus-load curve.
type LatencyPoint struct {
	// Rate is the arrival rate per replica, per second.
	Rate float64
	// P50, P90 and P99 are latency percentiles, in seconds.
	P50, P90, P99 float64
	// ErrorRatio is the fraction of requests that failed at this rate.
	ErrorRatio float64
}

// CapacityFromProfile turns a capacity profile (from `headroom capacity`)
// into a Capacity: its max_rate, its curve and, when measured, the CPU per
// request and the idle CPU (the intercept of CPU against rate).
func CapacityFromProfile(p *capacity.Profile) Capacity {
	c := Capacity{PerReplicaRPS: p.MaxRate}
	for _, pt := range p.Curve() {
		c.Latency = append(c.Latency, LatencyPoint{Rate: pt.Rate, P50: pt.P50, P90: pt.P90, P99: pt.P99, ErrorRatio: pt.ErrorRatio})
	}
	if p.CPUPerRequest != nil && *p.CPUPerRequest > 0 {
		c.CPUPerRequest = *p.CPUPerRequest
		var sum float64
		var n int
		for _, pt := range p.Points {
			if pt.CPU != nil {
				sum += *pt.CPU - c.CPUPerRequest*pt.AchievedRate
				n++
			}
		}
		if n > 0 {
			c.IdleCPU = math.Max(0, sum/float64(n))
		}
	}
	return c
}

// Resources are a pod's requests and limits. CPU is in cores, memory in
// bytes; a zero limit means none, and a zero memory request none set
// (Autopilot gives, and bills, its default).
type Resources struct {
	CPURequest    float64
	CPULimit      float64
	MemoryRequest float64
	MemoryLimit   float64
}

// Startup is the time from a pod's creation to its readiness, in parts.
// With room on a node: Schedule, then ImagePull (the pod is Pending), then
// Init (running, not ready: the application starts) and Readiness (until
// the readiness probe passes).
//
// The parts are the median pod's. P90 is the whole start-up of the 90th
// percentile pod (a slow node, a cold image cache); 0 means no spread (the
// parts' total). A run uses the median; the worst case of a band
// (Options.Band) stretches every part by P90 / Total.
type Startup struct {
	Schedule  time.Duration
	ImagePull time.Duration
	Init      time.Duration
	Readiness time.Duration
	P90       time.Duration
}

// DefaultStartup is the start-up of a component that gives none: a couple
// of seconds to schedule, a small image from a regional registry, a short
// application start and one readiness probe period.
var DefaultStartup = Startup{Schedule: 2 * time.Second, ImagePull: 5 * time.Second, Init: 10 * time.Second, Readiness: 5 * time.Second}

// Total is the whole start-up with room on a node.
func (s Startup) Total() time.Duration { return s.Schedule + s.ImagePull + s.Init + s.Readiness }

// NodeMode is how nodes are provided.
type NodeMode uint8

// Node modes.
const (
	// Autopilot: GKE provides nodes; pods that find no spare capacity wait
	// for a node to be provisioned. Pods are billed by their requests as
	// Autopilot's rules adjust them (see [Nodes.AutopilotRules]).
	Autopilot NodeMode = iota
	// Standard: a node pool of one machine type, grown by the cluster
	// autoscaler. Nodes are billed.
	Standard
)

// String is "autopilot" or "standard".
func (m NodeMode) String() string {
	if m == Standard {
		return "standard"
	}
	return "autopilot"
}

// Nodes describes the capacity pods run on.
type Nodes struct {
	Mode NodeMode
	// MachineType names the Standard node type (for display).
	MachineType string
	// NodeCPU and NodeMemory are the capacity of one Standard node, in
	// cores and bytes; allocatable room is computed with GKE's
	// reservations.
	NodeCPU    float64
	NodeMemory float64
	// MinNodes and MaxNodes bound the Standard pool.
	MinNodes, MaxNodes int
	// ProvisioningDelay is the time from a request for capacity to a node
	// that can run pods; 0 means [DefaultStandardProvisioning] or
	// [DefaultAutopilotProvisioning].
	ProvisioningDelay time.Duration
	// BufferCPU and BufferMemory are spare capacity held by placeholder
	// pods (or a capacity buffer): real pods take it at once and new nodes
	// restore it.
	BufferCPU, BufferMemory float64
	// CapacityBuffer is GKE's CapacityBuffer: spare room kept on running
	// (active) or suspended (standby) nodes; the zero value is none. A
	// Standard pool only (see [CapacityBuffer]).
	CapacityBuffer CapacityBuffer
	// ScaleDownUnneeded is how long capacity must stay unneeded before it
	// is removed; 0 means the profile's default: [DefaultScaleDownUnneeded]
	// under balanced, [DefaultOptimizeUtilizationUnneeded] under
	// optimize-utilization.
	ScaleDownUnneeded time.Duration
	// AutoscalingProfile is the cluster autoscaler's profile; "" means the
	// mode's default ([DefaultStandardProfile], [DefaultAutopilotProfile]).
	AutoscalingProfile AutoscalingProfile
	// NoBursting says that the Autopilot cluster does not support Pod
	// bursting (clusters created before GKE [pricing.BurstingVersion]):
	// Autopilot then bills larger minimums and CPU in steps. The zero value
	// is a cluster that supports bursting. Standard pools ignore it.
	NoBursting bool
}

// AutopilotRules are the request rules Autopilot applies to the system's
// pods, and bills them by: those of general-purpose pods on a cluster
// that supports bursting, unless NoBursting.
func (n Nodes) AutopilotRules() pricing.AutopilotRules {
	return pricing.AutopilotRulesFor(!n.NoBursting, false)
}

// Node defaults from the cluster autoscaler FAQ and GKE documentation.
const (
	// DefaultStandardProvisioning is the cluster autoscaler's time from a
	// scale-up request to a schedulable node on GCE (3 to 4 minutes).
	DefaultStandardProvisioning = 210 * time.Second
	// DefaultAutopilotProvisioning is Autopilot's node boot (80 to 120 s).
	DefaultAutopilotProvisioning = 100 * time.Second
	// DefaultScaleDownUnneeded is --scale-down-unneeded-time.
	DefaultScaleDownUnneeded = 10 * time.Minute
	// DefaultScanInterval is the cluster autoscaler's --scan-interval.
	DefaultScanInterval = 10 * time.Second
)

// Allocatable returns the room a GKE node of the given capacity offers to
// pods: capacity minus GKE's CPU and memory reservations and the eviction
// threshold.
func Allocatable(cpu, memory float64) (float64, float64) {
	reservedCPU := tiered(cpu, []tier{{1, 0.06}, {1, 0.01}, {2, 0.005}, {math.Inf(1), 0.0025}})
	const gib = 1 << 30
	var reservedMem float64
	if memory < gib {
		reservedMem = 255 << 20
	} else {
		reservedMem = tiered(memory, []tier{{4 * gib, 0.25}, {4 * gib, 0.20}, {8 * gib, 0.10}, {112 * gib, 0.06}, {math.Inf(1), 0.02}})
	}
	reservedMem += 100 << 20 // eviction threshold
	return math.Max(0, cpu-reservedCPU), math.Max(0, memory-reservedMem)
}

type tier struct{ size, fraction float64 }

func tiered(x float64, tiers []tier) float64 {
	var out float64
	for _, t := range tiers {
		part := math.Min(x, t.size)
		out += part * t.fraction
		x -= part
		if x <= 0 {
			break
		}
	}
	return out
}

// Objectives are the SLOs a scenario is judged by. Ratios are fractions.
type Objectives struct {
	// Availability is the fraction of requests that must succeed (0.999);
	// 0 means no availability objective.
	Availability float64
	// LatencyThreshold and LatencyTarget: at least LatencyTarget of the
	// requests must succeed within LatencyThreshold. A zero threshold means
	// no latency objective.
	LatencyThreshold time.Duration
	LatencyTarget    float64
	// Window is the SLO window; 0 means [DefaultSLOWindow].
	Window time.Duration
	// WindowRate is the typical request rate over the window, per second,
	// which sizes the window's error budget; 0 means the scenario's
	// starting rate (its mean rate when it starts at zero).
	WindowRate float64
	// MaxBudgetBurn is the fraction of the window's error budget a scenario
	// may burn and still meet the SLO; 0 means DefaultMaxBudgetBurn.
	MaxBudgetBurn float64
}

// DefaultSLOWindow is the SLO window when none is given.
const DefaultSLOWindow = 30 * 24 * time.Hour

// DefaultMaxBudgetBurn is the share of the window's error budget one
// scenario may burn and still count as survived: a tenth. A broadcast that
// burns more has spent what the SRE Workbook's slow-burn ticket tolerates
// over three days (10%), and a month with a few such events misses its
// SLO. Raise it (up to 1, the whole budget) for events the business
// accepts paying for in reliability.
const DefaultMaxBudgetBurn = 0.1

// Prices turn capacity into money, in Currency.
type Prices struct {
	Currency string
	// VCPUHour and GiBHour price the vCPUs and GiB Autopilot bills a pod
	// for (its requests under [Nodes.AutopilotRules]) per hour.
	VCPUHour, GiBHour float64
	// NodeHour prices one Standard node per hour; 0 means NodeCPU ×
	// VCPUHour + NodeMemory (GiB) × GiBHour.
	NodeHour float64
	// ClusterFeeHour is the cluster management fee per hour.
	ClusterFeeHour float64
}

// HoursPerMonth is the length of a billing month.
const HoursPerMonth = 730

// MetricsPipeline is how metrics reach the HPA, per kind of metric.
//
// Resource metrics (CPU) come from metrics-server: it scrapes each
// kubelet every Resolution and reports the CPU used between its last two
// scrapes, so the window follows the resolution; the kubelet's sample is
// cAdvisor's, up to Housekeeping old when scraped. The HPA reads
// metrics-server's last value, on average half a resolution after it was
// scraped.
//
// Pods, Object and External metrics come through an adapter (see
// [CustomMetrics]).
type MetricsPipeline struct {
	// Window is the span a CPU sample averages; 0 means the resolution.
	Window time.Duration
	// Resolution is metrics-server's --metric-resolution; 0 means
	// [DefaultMetricResolution].
	Resolution time.Duration
	// Housekeeping is the kubelet's cAdvisor housekeeping interval: the
	// most a sample has aged when metrics-server scrapes it (half of it on
	// average); 0 means [DefaultHousekeeping].
	Housekeeping time.Duration
	// Custom is the pipeline of Pods, Object and External metrics.
	Custom CustomMetrics
}

// Defaults of the Resource metrics pipeline: metrics-server with
// --metric-resolution=15s, as its upstream manifests (components.yaml)
// and Kubernetes' own test clusters set it (the binary's default is 1m).
const (
	// DefaultMetricWindow is the window at the default resolution.
	DefaultMetricWindow     = 15 * time.Second
	DefaultMetricResolution = 15 * time.Second
)

// Scenario is a traffic pattern to simulate.
type Scenario struct {
	Name string
	// Traffic is the external arrival rate over time.
	Traffic traffic.Shape
	// Duration is how long to simulate; 0 means the traffic's duration.
	Duration time.Duration
	// Event says whether the scenario's event is announced (the system's
	// pre-scaling applies) or a surprise (no component pre-scales); the
	// zero value reads as [DefaultEventNotice].
	Event EventNotice
}

// compiled is a validated, defaulted system ready for repeated runs.
type compiled struct {
	sys   System
	comps []compComponent
	order []int // topological: callers before callees
	entry int
	// node pool
	allocCPU, allocMem float64
	provisioning       float64
	unneeded           float64
	nodeHour           float64
	window, resolution float64
	notes              []string
	// tm is the metrics pipelines' timing (see timing.go).
	tm timing
}

// compComponent is a component with defaults applied and lookups done.
type compComponent struct {
	Component
	idx        int
	cpuPerReq  float64
	limit      float64 // CPU cap per pod, cores (+Inf without a limit)
	timeout    float64
	startup    Startup
	schedule   float64
	pull       float64
	toReady    float64 // from bound to ready
	curve      []LatencyPoint
	calls      []edge
	callers    []edge
	maxPods    int
	requestMil int64
	memGiB     float64
	// billVCPU and billGiB are what Autopilot bills one pod for: its
	// requests under the nodes' rules (0 on Standard, which bills nodes).
	billVCPU, billGiB float64
	// sv is how a ready pod comes to serve (see timing.go).
	sv serving
}

// edge is a call from one component to another, with the weights a
// callee's percentiles add to the caller's: k sequential calls add k times
// the callee's latency; with k < 1 only the requests that call (a fraction
// k) carry it, which moves percentile q when k > 1 − q.
type edge struct {
	to            int
	k             float64
	w50, w90, w99 float64
}

func newEdge(to int, k float64) edge {
	w := func(q float64) float64 {
		switch {
		case k >= 1:
			return k
		case k > 1-q:
			return 1
		}
		return 0
	}
	return edge{to: to, k: k, w50: w(0.5), w90: w(0.9), w99: w(0.99)}
}

// Model is a compiled system: validated, with defaults applied, ready to
// simulate scenarios cheaply and repeatedly. It is safe for concurrent use.
type Model struct {
	c compiled
}

// Clone returns a deep copy of the system, to vary without touching the
// original.
func (s System) Clone() System {
	out := s
	out.Components = make([]Component, len(s.Components))
	for i, c := range s.Components {
		c.Capacity.Latency = append([]LatencyPoint(nil), c.Capacity.Latency...)
		c.Calls = append([]Call(nil), c.Calls...)
		c.Prescale = append([]Prescale(nil), c.Prescale...)
		if c.CustomMetrics != nil {
			cm := *c.CustomMetrics
			c.CustomMetrics = &cm
		}
		if c.PDB != nil {
			pdb := *c.PDB
			c.PDB = &pdb
		}
		if c.HPA != nil {
			h := *c.HPA
			h.Metrics = append([]Metric(nil), h.Metrics...)
			if h.Behavior != nil {
				b := Behavior{ScaleUp: cloneRules(h.Behavior.ScaleUp), ScaleDown: cloneRules(h.Behavior.ScaleDown)}
				h.Behavior = &b
			}
			c.HPA = &h
		}
		out.Components[i] = c
	}
	return out
}

func cloneRules(r *ScalingRules) *ScalingRules {
	if r == nil {
		return nil
	}
	out := *r
	if r.Policies != nil {
		out.Policies = append([]Policy{}, r.Policies...)
	}
	return &out
}

// Compile checks a system and prepares it for simulation. The system is
// copied (see [System.Clone]); later changes to it do not affect the
// model. Compiling is cheap (no parsing), so a planner varies a System and
// compiles each candidate.
func Compile(sys System) (*Model, error) {
	sys = sys.Clone()
	c := compiled{sys: sys, entry: -1}
	var errs []Problem
	fail := func(path, format string, args ...any) {
		errs = append(errs, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	byName := map[string]int{}
	for i, comp := range sys.Components {
		at := fmt.Sprintf("components[%d]", i)
		if comp.Name == "" {
			fail(at+".name", "components[%d]: missing name", i)
			continue
		}
		if _, dup := byName[comp.Name]; dup {
			fail(at+".name", "components[%d]: name %q is used twice", i, comp.Name)
			continue
		}
		byName[comp.Name] = i
	}
	if i, ok := byName[sys.Entry]; ok {
		c.entry = i
	} else {
		fail("entry", "entry %q is not a component", sys.Entry)
	}
	c.comps = make([]compComponent, len(sys.Components))
	for i, comp := range sys.Components {
		at := fmt.Sprintf("components[%d]", i)
		cc, problems := compileComponent(i, comp, &c)
		for _, p := range problems {
			path := at
			if p.Path != "" {
				path += "." + p.Path
			}
			fail(path, "component %s: %s", comp.Name, p.Message)
		}
		for _, call := range comp.Calls {
			j, ok := byName[call.To]
			where := at + ".calls." + call.To
			switch {
			case !ok:
				fail(where, "component %s: calls unknown component %q", comp.Name, call.To)
			case j == i:
				fail(where, "component %s: calls itself", comp.Name)
			case !(call.PerRequest > 0) || math.IsInf(call.PerRequest, 0):
				fail(where, "component %s: calls %s %v times per request; want a positive number", comp.Name, call.To, call.PerRequest)
			default:
				cc.calls = append(cc.calls, newEdge(j, call.PerRequest))
			}
		}
		c.comps[i] = cc
	}
	for i := range c.comps {
		for _, e := range c.comps[i].calls {
			c.comps[e.to].callers = append(c.comps[e.to].callers, newEdge(i, e.k))
		}
	}
	// The valid calls are checked for a cycle whatever else is wrong, so
	// every problem is reported at once.
	order, cycle, from, to := topoOrder(c.comps)
	if cycle != "" {
		fail(fmt.Sprintf("components[%d].calls.%s", from, c.comps[to].Name), "the calls form a cycle: %s", cycle)
	}
	c.order = order
	for _, msg := range compileNodes(&c) {
		path := "nodes"
		if strings.HasPrefix(msg, "component ") {
			path = "components"
		}
		errs = append(errs, Problem{Path: path, Message: msg})
	}
	for _, msg := range checkObjectives(sys.Objectives) {
		errs = append(errs, Problem{Path: "slo", Message: msg})
	}
	errs = append(errs, compileTiming(&c)...)
	if len(errs) > 0 {
		return nil, &ModelError{Problems: errs}
	}
	return &Model{c: c}, nil
}

// ModelError lists everything wrong with a System. It is the one
// validation of a System: a file format maps each Problem's Path to a
// position in its file.
type ModelError struct{ Problems []Problem }

// Problem is one thing wrong with a System. Path says where, in the
// System file's terms below its spec ("components[1].calls.money",
// "nodes", "objectives"); Message says what, naming the component.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Error lists the problems, one per line when there are several.
func (e *ModelError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid system: " + e.Problems[0].Message
	}
	s := fmt.Sprintf("invalid system (%d problems):", len(e.Problems))
	for _, p := range e.Problems {
		s += "\n  " + p.Message
	}
	return s
}

func compileComponent(i int, comp Component, c *compiled) (compComponent, []Problem) {
	cc := compComponent{Component: comp, idx: i}
	var problems []Problem
	// The path is the part of the component the problem is in: its text
	// before the first colon ("capacity", "resources"), or the component.
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		path, _, _ := strings.Cut(msg, ":")
		if strings.ContainsAny(path, " ") {
			path = ""
		}
		problems = append(problems, Problem{Path: path, Message: msg})
	}
	capa := comp.Capacity
	if !(capa.PerReplicaRPS > 0) || math.IsInf(capa.PerReplicaRPS, 0) {
		fail("capacity: per-replica rate must be a positive number, got %v", capa.PerReplicaRPS)
	}
	if capa.CPUPerRequest < 0 || capa.IdleCPU < 0 {
		fail("capacity: CPU per request and idle CPU must not be negative")
	}
	cc.curve = append([]LatencyPoint(nil), capa.Latency...)
	sort.SliceStable(cc.curve, func(a, b int) bool { return cc.curve[a].Rate < cc.curve[b].Rate })
	for j, p := range cc.curve {
		if p.Rate < 0 || p.P50 < 0 || p.P90 < p.P50 || p.P99 < p.P90 || p.ErrorRatio < 0 || p.ErrorRatio > 1 {
			fail("capacity: latency point %d: want rate ≥ 0, 0 ≤ p50 ≤ p90 ≤ p99 and an error ratio in [0, 1]", j)
		}
	}
	if len(cc.curve) == 0 {
		d := DefaultLatency.Seconds()
		cc.curve = []LatencyPoint{{Rate: 0, P50: d, P90: d, P99: d}}
	}
	r := comp.Resources
	if !(r.CPURequest > 0) {
		fail("resources: a CPU request is required (the HPA, the scheduler and the bill use it)")
	}
	if r.CPULimit != 0 && r.CPULimit < r.CPURequest {
		fail("resources: the CPU limit (%v) is below the request (%v)", r.CPULimit, r.CPURequest)
	}
	if r.MemoryRequest < 0 || (r.MemoryLimit != 0 && r.MemoryLimit < r.MemoryRequest) {
		fail("resources: the memory limit is below the request")
	}
	// Without a CPU limit a pod may use more than its request; usage is
	// then bounded by its capacity only. CPU per request, when unknown, is
	// derived from the limit, or else the request.
	cc.limit = r.CPULimit
	ref := r.CPULimit
	if ref == 0 {
		cc.limit = math.Inf(1)
		ref = r.CPURequest
	}
	cc.requestMil = int64(math.Round(r.CPURequest * 1000))
	cc.memGiB = r.MemoryRequest / (1 << 30)
	cc.cpuPerReq = capa.CPUPerRequest
	switch {
	case capa.LowerBound && capa.Source == CapacityEstimated:
		why := "estimated from history"
		if capa.Evidence != "" {
			why += ": " + capa.Evidence
		}
		c.notes = append(c.notes, fmt.Sprintf("%s: capacity %s per replica is a lower bound (%s): the service may serve more, so this result is pessimistic",
			comp.Name, units.Rate(capa.PerReplicaRPS), why))
	case capa.LowerBound:
		c.notes = append(c.notes, fmt.Sprintf("%s: capacity %s per replica is a lower bound (the load generator could not drive it to its knee): the service may serve more, so this result is pessimistic",
			comp.Name, units.Rate(capa.PerReplicaRPS)))
	}
	if cc.cpuPerReq == 0 && capa.PerReplicaRPS > 0 {
		cc.cpuPerReq = math.Max(ref-capa.IdleCPU, 0) / capa.PerReplicaRPS
		c.notes = append(c.notes, fmt.Sprintf("%s: CPU per request unknown; taken as %s so that a replica at %s is at its CPU %s",
			comp.Name, units.Seconds(cc.cpuPerReq), units.Rate(capa.PerReplicaRPS), map[bool]string{true: "limit", false: "request"}[r.CPULimit > 0]))
	}
	cc.timeout = comp.Timeout.Seconds()
	if comp.Timeout == 0 {
		cc.timeout = DefaultTimeout.Seconds()
	}
	if comp.Timeout < 0 {
		fail("timeout must not be negative")
	}
	if comp.Retries < 0 || comp.Retries > 10 {
		fail("retries must be within 0 and 10, got %d", comp.Retries)
	}
	cc.startup = comp.Startup
	if parts := cc.startup; parts.Total() == 0 && parts.Schedule == 0 {
		cc.startup = DefaultStartup
		cc.startup.P90 = comp.Startup.P90
	}
	s := cc.startup
	if s.Schedule < 0 || s.ImagePull < 0 || s.Init < 0 || s.Readiness < 0 {
		fail("startup: durations must not be negative")
	}
	cc.schedule, cc.pull = s.Schedule.Seconds(), s.ImagePull.Seconds()
	cc.toReady = (s.ImagePull + s.Init + s.Readiness).Seconds()
	if comp.Replicas < 0 {
		fail("replicas must not be negative")
	}
	cc.maxPods = max(comp.Replicas, 1)
	if comp.HPA != nil {
		if err := comp.HPA.Validate(); err != nil {
			fail("hpa: %v", err)
		}
		cc.maxPods = max(cc.maxPods, comp.HPA.MaxReplicas)
	}
	for j, p := range comp.Prescale {
		if p.At < 0 || p.MinReplicas < 1 {
			fail("prescale[%d]: want a time ≥ 0 and at least 1 replica", j)
		}
		cc.maxPods = max(cc.maxPods, p.MinReplicas)
	}
	if cc.maxPods > 100000 {
		fail("more than 100000 replicas are not simulated")
	}
	if p := comp.PDB; p != nil {
		// As the API server validates a PodDisruptionBudgetSpec: one of the
		// two, non-negative, a percentage at most 100%.
		if p.MinAvailable.Set == p.MaxUnavailable.Set {
			fail("pdb: give one of minAvailable and maxUnavailable")
		}
		for _, n := range []PodCount{p.MinAvailable, p.MaxUnavailable} {
			if n.Set && (n.Value < 0 || (n.Percent && n.Value > 100)) {
				fail("pdb: want a count ≥ 0 or a percentage within 0%% and 100%%, got %d", n.Value)
			}
		}
	}
	return cc, problems
}

// topoOrder orders components callers first; it reports a cycle as
// "a → b → a", with the call that closes it (from → to).
func topoOrder(comps []compComponent) (order []int, cycle string, from, to int) {
	const (
		unseen = iota
		active
		done
	)
	state := make([]int, len(comps))
	var post []int
	var stack []int
	var visit func(i int) bool
	visit = func(i int) bool {
		state[i] = active
		stack = append(stack, i)
		for _, e := range comps[i].calls {
			switch state[e.to] {
			case active:
				from, to = i, e.to
				for k, j := range stack {
					if j == e.to {
						for _, m := range stack[k:] {
							cycle += comps[m].Name + " → "
						}
						cycle += comps[e.to].Name
						break
					}
				}
				return false
			case unseen:
				if !visit(e.to) {
					return false
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[i] = done
		post = append(post, i)
		return true
	}
	for i := range comps {
		if state[i] == unseen && !visit(i) {
			return nil, cycle, from, to
		}
	}
	for a, b := 0, len(post)-1; a < b; a, b = a+1, b-1 {
		post[a], post[b] = post[b], post[a]
	}
	return post, "", 0, 0
}

func compileNodes(c *compiled) []string {
	var errs []string
	n := c.sys.Nodes
	if n.BufferCPU < 0 || n.BufferMemory < 0 {
		errs = append(errs, "nodes: the spare-capacity buffer must not be negative")
	}
	if n.ProvisioningDelay < 0 || n.ScaleDownUnneeded < 0 {
		errs = append(errs, "nodes: delays must not be negative")
	}
	if p := n.AutoscalingProfile; p != "" && p != Balanced && p != OptimizeUtilization {
		errs = append(errs, fmt.Sprintf("nodes: unknown autoscaling profile %q; want balanced or optimize-utilization", string(p)))
	}
	c.unneeded = unneededFor(n).Seconds()
	if n.warmRoom() {
		switch {
		case n.simulatedProfile() == OptimizeUtilization:
			c.notes = append(c.notes, warmNote(n))
		case n.Profile() == OptimizeUtilization:
			c.notes = append(c.notes, fmt.Sprintf("Autopilot clusters run the optimize-utilization autoscaling profile, which removes spare nodes faster than balanced; this System does not say its profile, so it is simulated with balanced timing (spare room unneeded for %s before removal) although it counts on %s: set nodes.autoscalingProfile to optimize-utilization to see the faster removal",
				units.Seconds(c.unneeded), warmWhat(n)))
		}
	}
	switch n.Mode {
	case Autopilot:
		c.provisioning = n.ProvisioningDelay.Seconds()
		if n.ProvisioningDelay == 0 {
			c.provisioning = DefaultAutopilotProvisioning.Seconds()
		}
		// A component's pod is one container, billed as the rules say.
		rules := n.AutopilotRules()
		for i := range c.comps {
			cc := &c.comps[i]
			cc.billVCPU, cc.billGiB = rules.BillPod([]pricing.Request{{VCPU: cc.Resources.CPURequest, GiB: cc.memGiB}})
		}
	case Standard:
		c.provisioning = n.ProvisioningDelay.Seconds()
		if n.ProvisioningDelay == 0 {
			c.provisioning = DefaultStandardProvisioning.Seconds()
		}
		if !(n.NodeCPU > 0) || !(n.NodeMemory > 0) {
			errs = append(errs, "nodes: a Standard pool needs the node's CPU and memory (or a known machine type)")
			break
		}
		if n.MinNodes < 0 || n.MaxNodes < max(n.MinNodes, 1) {
			errs = append(errs, fmt.Sprintf("nodes: want 0 ≤ minNodes ≤ maxNodes and maxNodes ≥ 1, got %d and %d", n.MinNodes, n.MaxNodes))
		}
		c.allocCPU, c.allocMem = Allocatable(n.NodeCPU, n.NodeMemory)
		for _, cc := range c.comps {
			if cc.Resources.CPURequest > c.allocCPU || cc.Resources.MemoryRequest > c.allocMem {
				errs = append(errs, fmt.Sprintf("component %s: a pod (%s CPU, %s memory) does not fit on a %s node (%s CPU, %s memory allocatable)",
					cc.Name, units.CPU(cc.Resources.CPURequest), units.Bytes(cc.Resources.MemoryRequest), nodeName(n), units.CPU(c.allocCPU), units.Bytes(c.allocMem)))
			}
		}
		c.nodeHour = c.sys.Prices.NodeHour
		if c.nodeHour == 0 {
			c.nodeHour = n.NodeCPU*c.sys.Prices.VCPUHour + n.NodeMemory/(1<<30)*c.sys.Prices.GiBHour
		}
	default:
		errs = append(errs, fmt.Sprintf("nodes: unknown mode %v", n.Mode))
	}
	errs = append(errs, n.CapacityBuffer.check(n, c.allocCPU, c.allocMem)...)
	return errs // the metric window and resolution: compileTiming
}

func nodeName(n Nodes) string {
	if n.MachineType != "" {
		return n.MachineType
	}
	return "Standard"
}

func checkObjectives(o Objectives) []string {
	var errs []string
	if o.Availability < 0 || o.Availability >= 1 {
		errs = append(errs, fmt.Sprintf("objectives: availability must be a fraction below 1, got %v", o.Availability))
	}
	if o.LatencyThreshold < 0 || (o.LatencyThreshold > 0 && (o.LatencyTarget <= 0 || o.LatencyTarget >= 1)) {
		errs = append(errs, "objectives: a latency objective needs a positive threshold and a target fraction in (0, 1)")
	}
	if o.Window < 0 || o.WindowRate < 0 || o.MaxBudgetBurn < 0 {
		errs = append(errs, "objectives: window, window rate and budget burn must not be negative")
	}
	return errs
}

// System returns a copy of the system the model was compiled from.
func (m *Model) System() System { return m.c.sys.Clone() }

// Notes are remarks about assumptions the model made (a derived CPU per
// request, for instance).
func (m *Model) Notes() []string { return append([]string(nil), m.c.notes...) }

// ObjectivesFromSLOs is what the simulator judges a System by, given SLOs
// (from an SLO file): the strictest availability objective (a ratio of
// good events), the strictest latency objective (good events are
// requests within a latency bound, slo.Indicator.LatencyBound) and the
// longest window. ok is false when none of them is an objective the
// simulator can judge.
//
// It is the one conversion from SLOs to simulator objectives; its
// counterpart for load tests is slo.SLO.LoadThreshold.
func ObjectivesFromSLOs(slos []slo.SLO) (o Objectives, ok bool) {
	for _, s := range slos {
		o.Window = max(o.Window, s.Window.Length)
		if bound, isLatency := s.Indicator.LatencyBound(); isLatency {
			if s.Target > o.LatencyTarget {
				o.LatencyThreshold, o.LatencyTarget = bound, s.Target
			}
			continue
		}
		o.Availability = max(o.Availability, s.Target)
	}
	return o, o.Availability > 0 || o.LatencyTarget > 0
}
