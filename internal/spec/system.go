package spec

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/traffic"
	"github.com/headroom-sre/headroom/units"
)

// SystemFile is a decoded System file (apiVersion headroom/v1, kind
// System): the system as the simulator takes it, and its scenarios.
type SystemFile struct {
	// Name is metadata.name.
	Name string
	// System is the model, ready for sim.Compile.
	System sim.System
	// Scenarios are spec.scenarios, in file order.
	Scenarios []sim.Scenario
	// Notes are defaults the file relied on that a reader should know
	// about (prices, for instance).
	Notes []string
}

// Scenario returns the scenario with the given name.
func (f *SystemFile) Scenario(name string) (sim.Scenario, bool) {
	for _, s := range f.Scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return sim.Scenario{}, false
}

// ScenarioNames lists the scenarios' names in file order.
func (f *SystemFile) ScenarioNames() []string {
	names := make([]string, len(f.Scenarios))
	for i, s := range f.Scenarios {
		names[i] = s.Name
	}
	return names
}

// ParseSystem reads a System file: the document of kind System among the
// file's documents. load reads the files it names (capacity profiles,
// replay CSVs, an SLO file), relative to the file.
func ParseSystem(file string, data []byte, load traffic.Loader) (*SystemFile, error) {
	docs, err := Parse(file, data)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		d.Load = load
	}
	d, err := SystemDocument(docs)
	if err != nil {
		return nil, err
	}
	return DecodeSystem(d)
}

// SystemDocument picks the document of kind System from a file's
// documents.
func SystemDocument(docs []*Document) (*Document, error) {
	var found *Document
	for _, d := range docs {
		if d.String("kind") != "System" {
			continue
		}
		if found != nil {
			p := d.Pos("kind")
			return nil, Problems{{File: d.File, Line: p.Line, Col: p.Col, Path: "kind", Msg: "a second System in one file; put one system per file"}}
		}
		found = d
	}
	if found == nil {
		file := ""
		if len(docs) > 0 {
			file = docs[0].File
		}
		return nil, Problems{{File: file, Line: 1, Msg: `no document with kind: System (apiVersion: headroom/v1)`}}
	}
	return found, nil
}

// The System file, as written.

type sysFile struct {
	APIVersion string `yaml:"apiVersion" spec:"required"`
	Kind       string `yaml:"kind" spec:"required"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Labels      map[string]string `yaml:"labels"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec sysSpec `yaml:"spec" spec:"required"`
}

type sysSpec struct {
	Entry       string         `yaml:"entry" spec:"required"`
	Components  []sysComponent `yaml:"components" spec:"required"`
	Nodes       *sysNodes      `yaml:"nodes"`
	SLO         *sysSLO        `yaml:"slo"`
	Pricing     *sysPricing    `yaml:"pricing"`
	Autoscaling *sysController `yaml:"autoscaling"`
	Metrics     *sysMetrics    `yaml:"metrics"`
	Scenarios   []sysScenario  `yaml:"scenarios" spec:"required"`
}

type sysComponent struct {
	Name      string             `yaml:"name" spec:"required"`
	Capacity  sysCapacity        `yaml:"capacity" spec:"required"`
	Resources sysResources       `yaml:"resources" spec:"required"`
	Replicas  *int               `yaml:"replicas"`
	Startup   sysStartup         `yaml:"startup"`
	Timeout   time.Duration      `yaml:"timeout"`
	Retries   int                `yaml:"retries"`
	Calls     map[string]float64 `yaml:"calls"`
	HPA       *sysHPA            `yaml:"hpa"`
	Prescale  []sysPrescale      `yaml:"prescale"`
	PDB       *sysPDB            `yaml:"pdb"`
	Serving   *sysServing        `yaml:"serving"`
	// CustomMetrics is the component's own custom metrics pipeline.
	CustomMetrics *sysCustom `yaml:"customMetrics"`
}

// sysPDB is a PodDisruptionBudget's spec, as in policy/v1: minAvailable or
// maxUnavailable, each a count (2) or a percentage ("50%").
type sysPDB struct {
	MinAvailable   *sysPodCount `yaml:"minAvailable"`
	MaxUnavailable *sysPodCount `yaml:"maxUnavailable"`
}

// sysPodCount is an intstr.IntOrString count of pods: 2 or "50%".
type sysPodCount struct{ v sim.PodCount }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *sysPodCount) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	num, pct := strings.CutSuffix(s, "%")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || (pct && n > 100) {
		return fmt.Errorf("%q: want a number of pods (2) or a percentage of them (50%%)", s)
	}
	c.v = sim.PodCount{Value: n, Percent: pct, Set: true}
	return nil
}

type sysCapacity struct {
	Profile       string        `yaml:"profile"`
	PerReplicaRPS float64       `yaml:"perReplicaRPS"`
	CPUPerRequest time.Duration `yaml:"cpuPerRequest"`
	IdleCPU       sysQuantity   `yaml:"idleCPU"`
	Latency       []sysLatency  `yaml:"latency"`

	// AcceptLowerBound takes a profile whose max_rate is only a lower
	// bound (limited_by generator or inconclusive) as the capacity.
	AcceptLowerBound bool `yaml:"acceptLowerBound"`
	// LowerBound marks an inline perReplicaRPS as only a lower bound (as
	// headroom plan writes a lower-bound profile it rescaled): results say
	// so.
	LowerBound bool `yaml:"lowerBound"`
	// Estimate marks an inline perReplicaRPS as estimated (from history,
	// as headroom import writes it) and says from what.
	Estimate string `yaml:"estimate"`
}

type sysLatency struct {
	Rate       float64       `yaml:"rate" spec:"required"`
	P50        time.Duration `yaml:"p50" spec:"required"`
	P90        time.Duration `yaml:"p90" spec:"required"`
	P99        time.Duration `yaml:"p99" spec:"required"`
	ErrorRatio sysFraction   `yaml:"errorRatio"`
}

type sysResources struct {
	Requests sysResourceList `yaml:"requests" spec:"required"`
	Limits   sysResourceList `yaml:"limits"`
}

type sysResourceList struct {
	CPU    sysQuantity `yaml:"cpu"`
	Memory sysQuantity `yaml:"memory"`
}

type sysPrescale struct {
	At          time.Duration `yaml:"at" spec:"required"`
	MinReplicas int           `yaml:"minReplicas" spec:"required"`
}

// The HPA spec, as in autoscaling/v2 HorizontalPodAutoscalerSpec.

type sysHPA struct {
	ScaleTargetRef *sysObjectRef `yaml:"scaleTargetRef"`
	MinReplicas    *int          `yaml:"minReplicas"`
	MaxReplicas    int           `yaml:"maxReplicas" spec:"required"`
	Metrics        []sysMetric   `yaml:"metrics"`
	Behavior       *sysBehavior  `yaml:"behavior"`
}

type sysObjectRef struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Name       string `yaml:"name"`
}

type sysMetric struct {
	Type              string                `yaml:"type" spec:"required"`
	Resource          *sysResourceMetric    `yaml:"resource"`
	ContainerResource *sysContainerResource `yaml:"containerResource"`
	Pods              *sysPodsMetric        `yaml:"pods"`
	Object            *sysObjectMetric      `yaml:"object"`
	External          *sysPodsMetric        `yaml:"external"`
}

type sysResourceMetric struct {
	Name   string          `yaml:"name" spec:"required"`
	Target sysMetricTarget `yaml:"target" spec:"required"`
}

type sysContainerResource struct {
	Name      string          `yaml:"name" spec:"required"`
	Container string          `yaml:"container" spec:"required"`
	Target    sysMetricTarget `yaml:"target" spec:"required"`
}

type sysMetricID struct {
	Name     string `yaml:"name" spec:"required"`
	Selector any    `yaml:"selector"`
}

type sysPodsMetric struct {
	Metric sysMetricID     `yaml:"metric" spec:"required"`
	Target sysMetricTarget `yaml:"target" spec:"required"`
}

type sysObjectMetric struct {
	DescribedObject sysObjectRef    `yaml:"describedObject" spec:"required"`
	Metric          sysMetricID     `yaml:"metric" spec:"required"`
	Target          sysMetricTarget `yaml:"target" spec:"required"`
}

type sysMetricTarget struct {
	Type               string       `yaml:"type" spec:"required"`
	AverageUtilization *int         `yaml:"averageUtilization"`
	AverageValue       *sysQuantity `yaml:"averageValue"`
	Value              *sysQuantity `yaml:"value"`
}

type sysBehavior struct {
	ScaleUp   *sysRules `yaml:"scaleUp"`
	ScaleDown *sysRules `yaml:"scaleDown"`
}

type sysRules struct {
	StabilizationWindowSeconds *int         `yaml:"stabilizationWindowSeconds"`
	SelectPolicy               *string      `yaml:"selectPolicy"`
	Policies                   []sysPolicy  `yaml:"policies"`
	Tolerance                  *sysQuantity `yaml:"tolerance"`
}

type sysPolicy struct {
	Type          string `yaml:"type" spec:"required"`
	Value         int    `yaml:"value" spec:"required"`
	PeriodSeconds int    `yaml:"periodSeconds" spec:"required"`
}

type sysNodes struct {
	Mode              string        `yaml:"mode"`
	MachineType       string        `yaml:"machineType"`
	CPU               sysQuantity   `yaml:"cpu"`
	Memory            sysQuantity   `yaml:"memory"`
	MinNodes          *int          `yaml:"minNodes"`
	MaxNodes          *int          `yaml:"maxNodes"`
	ProvisioningDelay time.Duration `yaml:"provisioningDelay"`
	ScaleDownUnneeded time.Duration `yaml:"scaleDownUnneeded"`
	Bursting          *bool         `yaml:"bursting"`
	Buffer            *struct {
		CPU    sysQuantity `yaml:"cpu"`
		Memory sysQuantity `yaml:"memory"`
	} `yaml:"buffer"`
	Placeholders *struct {
		Count  int         `yaml:"count" spec:"required"`
		CPU    sysQuantity `yaml:"cpu" spec:"required"`
		Memory sysQuantity `yaml:"memory"`
	} `yaml:"placeholders"`
	CapacityBuffer     *sysCapacityBuffer `yaml:"capacityBuffer"`
	AutoscalingProfile string             `yaml:"autoscalingProfile"`
}

// sysCapacityBuffer is spec.nodes.capacityBuffer: GKE's CapacityBuffer
// (its spec.provisioningStrategy, replicas and limits), with the requests
// of the PodTemplate its podTemplateRef names.
type sysCapacityBuffer struct {
	ProvisioningStrategy string `yaml:"provisioningStrategy"`
	Replicas             *int   `yaml:"replicas"`
	PodTemplate          *struct {
		CPU    sysQuantity `yaml:"cpu" spec:"required"`
		Memory sysQuantity `yaml:"memory"`
	} `yaml:"podTemplate" spec:"required"`
	Limits *struct {
		CPU    sysQuantity `yaml:"cpu"`
		Memory sysQuantity `yaml:"memory"`
	} `yaml:"limits"`
	ResumeDelay time.Duration `yaml:"resumeDelay"`
}

type sysSLO struct {
	Ref          string      `yaml:"ref"`
	Availability *Percent    `yaml:"availability"`
	Latency      *sysLatSLO  `yaml:"latency"`
	Window       string      `yaml:"window"`
	WindowRate   sysRate     `yaml:"windowRate"`
	MaxBudget    sysFraction `yaml:"maxBudgetBurn"`
}

type sysLatSLO struct {
	Threshold time.Duration `yaml:"threshold" spec:"required"`
	Target    Percent       `yaml:"target" spec:"required"`
}

type sysPricing struct {
	Currency       string  `yaml:"currency"`
	VCPUHour       float64 `yaml:"vcpuHour"`
	GiBHour        float64 `yaml:"gibHour"`
	NodeHour       float64 `yaml:"nodeHour"`
	ClusterFeeHour float64 `yaml:"clusterFeeHour"`
}

type sysController struct {
	SyncPeriod              time.Duration `yaml:"syncPeriod"`
	Tolerance               *float64      `yaml:"tolerance"`
	DownscaleStabilization  time.Duration `yaml:"downscaleStabilization"`
	CPUInitializationPeriod time.Duration `yaml:"cpuInitializationPeriod"`
	InitialReadinessDelay   time.Duration `yaml:"initialReadinessDelay"`
	MetricWindow            time.Duration `yaml:"metricWindow"`
	MetricResolution        time.Duration `yaml:"metricResolution"`
}

type sysScenario struct {
	Name     string        `yaml:"name" spec:"required"`
	Traffic  Shape         `yaml:"traffic" spec:"required"`
	Duration time.Duration `yaml:"duration"`
	// Event is "announced" (its date and time are known ahead: pre-scaling
	// is allowed before it) or "surprise" (no pre-scaling); sim parses it
	// and says what an unsaid one means (sim.EventNotice).
	Event sim.EventNotice `yaml:"event"`
}

// sysStartup is a single duration (the application's start) or its parts.
type sysStartup struct {
	set   bool
	parts struct {
		Schedule  time.Duration `yaml:"schedule"`
		ImagePull time.Duration `yaml:"imagePull"`
		Init      time.Duration `yaml:"init"`
		Readiness time.Duration `yaml:"readiness"`
		// P50 is the median start-up as a whole, for a start-up known by
		// its percentiles only (the application's start then); with parts
		// it must be their total.
		P50 time.Duration `yaml:"p50"`
		P90 time.Duration `yaml:"p90"`
	}
}

// UnmarshalSpec implements Unmarshaler.
func (s *sysStartup) UnmarshalSpec(d *Document, n *yaml.Node, path string) {
	s.set = true
	if n.Kind == yaml.ScalarNode {
		d.DecodeNode(n, path, &s.parts.Init)
		return
	}
	d.DecodeNode(n, path, &s.parts)
}

// sysQuantity is a Kubernetes quantity ("500m", "1.5", "512Mi").
type sysQuantity struct {
	value float64
	set   bool
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (q *sysQuantity) UnmarshalText(b []byte) error {
	v, err := resource.ParseQuantity(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("%q is not a quantity like 500m, 2 or 512Mi", string(b))
	}
	f := v.AsApproximateFloat64()
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return fmt.Errorf("%q: want a non-negative quantity", string(b))
	}
	q.value, q.set = f, true
	return nil
}

// sysFraction is a fraction in [0, 1], written as 0.5 or 50%.
type sysFraction struct {
	value float64
	set   bool
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *sysFraction) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("want a fraction like 0.5 or a percentage like 50%%, got %q", s)
	}
	if pct {
		v = math.Round(v*1e10) / 1e12 // 50% → 0.5 without binary noise
	} else if v > 1 {
		return fmt.Errorf("%s: write %s%% for a percentage, or a fraction in [0, 1]", s, s)
	}
	if v < 0 || v > 1 {
		return fmt.Errorf("%s: want a value between 0%% and 100%%", s)
	}
	f.value, f.set = v, true
	return nil
}

// sysRate is a request rate ("100", "100/s", "6000/m").
type sysRate struct{ value float64 }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *sysRate) UnmarshalText(b []byte) error {
	v, err := traffic.ParseRate(string(b))
	if err != nil {
		return err
	}
	r.value = v
	return nil
}

var sysName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// DecodeSystem decodes and checks a System document. Every problem comes
// back at once, positioned (file:line:col: field.path: message).
func DecodeSystem(d *Document) (*SystemFile, error) {
	return DecodeSystemWith(d, SystemOptions{})
}

// SystemOptions are choices about a System file that its reader makes,
// not the file.
type SystemOptions struct {
	// AcceptLowerBound takes every capacity profile whose max_rate is only
	// a lower bound (limited_by generator or inconclusive) as the
	// capacity, as acceptLowerBound: true next to each profile would; each
	// is named in the notes. Without it such a profile is a problem.
	AcceptLowerBound bool
}

// DecodeSystemWith is DecodeSystem with options.
func DecodeSystemWith(d *Document, opt SystemOptions) (*SystemFile, error) {
	var f sysFile
	d.Decode(&f)
	if f.APIVersion != "" && f.APIVersion != HeadroomVersion {
		d.Errorf("apiVersion", "want %s, got %q", HeadroomVersion, f.APIVersion)
	}
	if f.Kind != "" && f.Kind != "System" {
		d.Errorf("kind", "want System, got %q", f.Kind)
	}
	b := &sysBuilder{d: d, out: &SystemFile{Name: f.Metadata.Name}, opt: opt}
	b.build(&f.Spec)
	// The model validates itself (call cycles, for one, are found there
	// only); its problems are placed in the file by their paths. Where the
	// file already has a problem at, above or below a path, the model's
	// problem there is a consequence of it and is left out.
	if _, err := sim.Compile(b.out.System); err != nil {
		var me *sim.ModelError
		if !errors.As(err, &me) {
			d.Errorf("spec", "%v", err)
			return nil, d.Err()
		}
		known := d.Problems()
		for _, p := range me.Problems {
			path := "spec"
			if p.Path != "" {
				path += "." + p.Path
			}
			if !overlapsProblem(path, known) {
				d.Errorf(path, "%s", p.Message)
			}
		}
		if d.Err() == nil {
			d.Errorf("spec", "%v", err) // never accept an invalid model
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return b.out, nil
}

// overlapsProblem reports whether one of the problems is at path, above it
// or below it.
func overlapsProblem(path string, problems []Problem) bool {
	for _, p := range problems {
		if p.Path == path || isBelow(path, p.Path) || isBelow(p.Path, path) {
			return true
		}
	}
	return false
}

// isBelow reports whether path is below parent ("a.b[0]" is below "a" and
// "a.b").
func isBelow(path, parent string) bool {
	return parent == "" || (strings.HasPrefix(path, parent) && len(path) > len(parent) && (path[len(parent)] == '.' || path[len(parent)] == '['))
}

// sysBuilder turns the decoded file into the model, checking as it goes.
type sysBuilder struct {
	d   *Document
	out *SystemFile
	opt SystemOptions
	// badMachine is set when spec.nodes.machineType was already reported.
	badMachine bool
}

func (b *sysBuilder) build(s *sysSpec) {
	d := b.d
	sys := &b.out.System
	sys.Entry = s.Entry
	names := map[string]int{}
	for i, c := range s.Components {
		at := fmt.Sprintf("spec.components[%d]", i)
		switch {
		case c.Name == "":
			continue // reported as missing
		case !sysName.MatchString(c.Name):
			d.Errorf(at+".name", "%q: want a lowercase DNS label (letters, digits and -)", c.Name)
		}
		if j, dup := names[c.Name]; dup {
			d.Errorf(at+".name", "%q is already the name of spec.components[%d]", c.Name, j)
			continue
		}
		names[c.Name] = i
	}
	if _, ok := names[s.Entry]; !ok && s.Entry != "" {
		d.Errorf("spec.entry", "%q is not a component (components: %s)", s.Entry, strings.Join(sortedKeys(names), ", "))
	}
	for i := range s.Components {
		sys.Components = append(sys.Components, b.component(fmt.Sprintf("spec.components[%d]", i), &s.Components[i], names))
	}
	b.nodes(s.Nodes, s.Pricing != nil)
	b.objectives(s.SLO)
	b.pricing(s.Pricing)
	b.controller(s.Autoscaling)
	b.metrics(s.Metrics, s.Autoscaling)
	b.servingNote()
	if len(s.Scenarios) == 0 && d.Field("spec") != nil && mapValue(d.Field("spec"), "scenarios") != nil {
		d.Errorf("spec.scenarios", "add at least one scenario (name, traffic, duration)")
	}
	seen := map[string]bool{}
	var unsaid []string
	for i, sc := range s.Scenarios {
		at := fmt.Sprintf("spec.scenarios[%d]", i)
		if sc.Name != "" && seen[sc.Name] {
			d.Errorf(at+".name", "%q is used by an earlier scenario", sc.Name)
		}
		seen[sc.Name] = true
		if sc.Name == "all" {
			d.Errorf(at+".name", `"all" is reserved (headroom sim --scenario all runs every scenario)`)
		}
		if sc.Duration < 0 || sc.Duration > 400*24*time.Hour {
			d.Errorf(at+".duration", "want a duration between 0 and 400d")
		}
		if sc.Traffic.Curve == nil {
			continue
		}
		b.out.Scenarios = append(b.out.Scenarios, sim.Scenario{Name: sc.Name, Traffic: sc.Traffic.Curve, Duration: sc.Duration, Event: sc.Event})
		for _, n := range sc.Traffic.Curve.Notes() {
			b.out.Notes = append(b.out.Notes, fmt.Sprintf("scenario %s: %s", sc.Name, n))
		}
		if sc.Event == sim.EventUnsaid {
			unsaid = append(unsaid, sc.Name)
		}
	}
	if len(unsaid) > 0 {
		b.out.Notes = append(b.out.Notes, unsaidNote(unsaid))
	}
}

// unsaidNote tells which scenarios do not say whether their event is
// announced, and how they are read (sim.DefaultEventNotice).
func unsaidNote(names []string) string {
	which, verb := "scenario "+names[0]+" does", "it is"
	if len(names) > 1 {
		which, verb = "scenarios "+strings.Join(names, ", ")+" do", "they are"
	}
	return fmt.Sprintf("%s not say whether the event is announced: %s taken as %s (planned %s, pre-scaling allowed before it); "+
		"write event: surprise if it may come unannounced, or event: %s to say so", which, verb, sim.DefaultEventNotice, sim.DefaultEventNotice.Assumption(), sim.DefaultEventNotice)
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (b *sysBuilder) component(at string, c *sysComponent, names map[string]int) sim.Component {
	d := b.d
	out := sim.Component{Name: c.Name, Timeout: c.Timeout, Retries: c.Retries}
	out.Capacity = b.capacity(at+".capacity", &c.Capacity)

	r := c.Resources
	out.Resources = sim.Resources{CPURequest: r.Requests.CPU.value, CPULimit: r.Limits.CPU.value,
		MemoryRequest: r.Requests.Memory.value, MemoryLimit: r.Limits.Memory.value}
	if !r.Requests.CPU.set || r.Requests.CPU.value <= 0 {
		d.Errorf(at+".resources.requests.cpu", "a CPU request is required (like 500m): the HPA's utilization, scheduling and the bill all use it")
	}
	if r.Limits.CPU.set && r.Limits.CPU.value < r.Requests.CPU.value {
		d.Errorf(at+".resources.limits.cpu", "the limit is below the request")
	}
	if r.Limits.Memory.set && r.Limits.Memory.value < r.Requests.Memory.value {
		d.Errorf(at+".resources.limits.memory", "the limit is below the request")
	}

	if c.Replicas != nil {
		out.Replicas = *c.Replicas
		if *c.Replicas < 1 || *c.Replicas > 100000 {
			d.Errorf(at+".replicas", "want 1 to 100000 replicas")
		}
	}
	if c.Startup.set {
		p := c.Startup.parts
		out.Startup = sim.Startup{Schedule: p.Schedule, ImagePull: p.ImagePull, Init: p.Init, Readiness: p.Readiness, P90: p.P90}
		switch total := out.Startup.Total(); {
		case p.P50 == 0:
		case total == 0:
			out.Startup.Init = p.P50
		case total != p.P50:
			d.Errorf(at+".startup.p50", "the parts add up to %v, the median start-up; give p50 or the parts, not both", total)
		}
		if out.Startup.Total() <= 0 {
			d.Errorf(at+".startup", "a pod takes some time to start; give a positive duration")
		}
		if out.Startup.Total() > 2*time.Hour {
			d.Errorf(at+".startup", "a start-up over 2h is not simulated")
		}
	}
	if sv := c.Serving; sv != nil {
		// sim.Compile checks the values; their problems come back at
		// spec.components[i].serving.*.
		out.Serving = sim.Serving{Propagation: sv.Propagation, ReadinessGate: sv.ReadinessGate, WarmUp: sv.WarmUp,
			WarmUpCapacity: sv.WarmUpCapacity.value, Pinned: sv.Pinned.value, ConnectionAge: sv.ConnectionAge}
	}
	if cm := c.CustomMetrics; cm != nil {
		own := cm.model()
		out.CustomMetrics = &own
	}
	if c.Timeout < 0 {
		d.Errorf(at+".timeout", "want a positive duration")
	}
	if c.Retries < 0 || c.Retries > 10 {
		d.Errorf(at+".retries", "want 0 to 10 retries")
	}
	callees := make([]string, 0, len(c.Calls))
	for name := range c.Calls {
		callees = append(callees, name)
	}
	sort.Strings(callees)
	for _, name := range callees {
		k := c.Calls[name]
		p := at + ".calls." + name
		switch _, ok := names[name]; {
		case !ok:
			d.Errorf(p, "%q is not a component", name)
		case name == c.Name:
			d.Errorf(p, "a component cannot call itself")
		case !(k > 0) || k > 1000:
			d.Errorf(p, "want a positive number of calls per request (0.6 means 60%% of requests make one call), got %v", k)
		default:
			out.Calls = append(out.Calls, sim.Call{To: name, PerRequest: k})
		}
	}
	if c.HPA != nil {
		out.HPA = b.hpa(at+".hpa", c.HPA)
		if out.HPA != nil && c.Replicas != nil && (*c.Replicas < out.HPA.MinReplicas || *c.Replicas > out.HPA.MaxReplicas) {
			d.Errorf(at+".replicas", "%d is outside the HPA's %d to %d replicas", *c.Replicas, out.HPA.MinReplicas, out.HPA.MaxReplicas)
		}
	}
	for i, p := range c.Prescale {
		pat := fmt.Sprintf("%s.prescale[%d]", at, i)
		if p.MinReplicas < 1 || p.MinReplicas > 100000 || (out.HPA != nil && p.MinReplicas > out.HPA.MaxReplicas) {
			d.Errorf(pat+".minReplicas", "want at least 1 replica and no more than the HPA's maxReplicas (or 100000)")
		}
		if p.At < 0 || (i > 0 && p.At <= c.Prescale[i-1].At) {
			d.Errorf(pat+".at", "want times in increasing order from 0")
		}
		out.Prescale = append(out.Prescale, sim.Prescale{At: p.At, MinReplicas: p.MinReplicas})
	}
	if c.PDB != nil {
		out.PDB = &sim.PDB{}
		if c.PDB.MinAvailable != nil {
			out.PDB.MinAvailable = c.PDB.MinAvailable.v
		}
		if c.PDB.MaxUnavailable != nil {
			out.PDB.MaxUnavailable = c.PDB.MaxUnavailable.v
		}
		if (c.PDB.MinAvailable == nil) == (c.PDB.MaxUnavailable == nil) {
			d.Errorf(at+".pdb", "give one of minAvailable and maxUnavailable, as a PodDisruptionBudget does")
		}
	}
	return out
}

func (b *sysBuilder) capacity(at string, c *sysCapacity) sim.Capacity {
	d := b.d
	var out sim.Capacity
	switch {
	case c.Profile != "" && (c.PerReplicaRPS != 0 || len(c.Latency) > 0):
		d.Errorf(at, "give either profile (a file from headroom capacity) or perReplicaRPS and latency, not both")
	case c.Profile != "" && c.LowerBound:
		d.Errorf(at+".lowerBound", "goes with an inline perReplicaRPS; a profile says itself whether it is a lower bound")
	case c.Profile != "":
		out = b.profile(at, c.Profile, c.AcceptLowerBound || b.opt.AcceptLowerBound)
	case c.AcceptLowerBound:
		d.Errorf(at+".acceptLowerBound", "goes with a profile: it accepts a profile whose max_rate is only a lower bound")
	case c.PerReplicaRPS <= 0:
		d.Errorf(at+".perReplicaRPS", "want the requests per second one replica serves within its SLO (or a profile)")
	case c.Estimate != "" && strings.TrimSpace(c.Estimate) == "":
		d.Errorf(at+".estimate", "say what the estimate rests on, or leave estimate out")
	default:
		out.PerReplicaRPS, out.LowerBound = c.PerReplicaRPS, c.LowerBound
		// Written inline: as written, unless it says it is an estimate.
		out.Source, out.Evidence = sim.CapacityWritten, "written in the System file"
		if c.Estimate != "" {
			out.Source, out.Evidence = sim.CapacityEstimated, strings.TrimSpace(c.Estimate)
		}
	}
	if c.Estimate != "" && c.Profile != "" {
		d.Errorf(at+".estimate", "goes with an inline perReplicaRPS; a profile is a measurement")
	}
	for i, p := range c.Latency {
		pat := fmt.Sprintf("%s.latency[%d]", at, i)
		if p.Rate < 0 {
			d.Errorf(pat+".rate", "want a rate ≥ 0")
		}
		if i > 0 && p.Rate <= c.Latency[i-1].Rate {
			d.Errorf(pat+".rate", "rates must increase from one point to the next")
		}
		if !(p.P50 <= p.P90 && p.P90 <= p.P99) || p.P50 < 0 {
			d.Errorf(pat, "want 0 ≤ p50 ≤ p90 ≤ p99")
		}
		out.Latency = append(out.Latency, sim.LatencyPoint{Rate: p.Rate, P50: p.P50.Seconds(), P90: p.P90.Seconds(), P99: p.P99.Seconds(), ErrorRatio: p.ErrorRatio.value})
	}
	if c.CPUPerRequest < 0 {
		d.Errorf(at+".cpuPerRequest", "want a positive CPU time per request, like 4ms")
	} else if c.CPUPerRequest > 0 {
		out.CPUPerRequest = c.CPUPerRequest.Seconds()
	}
	if c.IdleCPU.set {
		out.IdleCPU = c.IdleCPU.value
	}
	return out
}

// profile reads a capacity profile the file names. A profile whose
// max_rate is only a lower bound is refused unless accepted, and then
// named in the notes.
func (b *sysBuilder) profile(capAt, name string, acceptLowerBound bool) sim.Capacity {
	d := b.d
	at := capAt + ".profile"
	if d.Load == nil {
		d.Errorf(at, "cannot read %s here: no file access", name)
		return sim.Capacity{}
	}
	data, err := d.Load(name)
	if err != nil {
		d.Errorf(at, "read capacity profile: %v", err)
		return sim.Capacity{}
	}
	docs, err := Parse(name, data)
	if err != nil {
		d.Errorf(at, "capacity profile %s: %v", name, oneLine(err))
		return sim.Capacity{}
	}
	var p capacity.Profile
	docs[0].Decode(&p)
	if err := docs[0].Err(); err != nil {
		d.Errorf(at, "capacity profile: %v", oneLine(err))
		return sim.Capacity{}
	}
	if p.IsLowerBound() {
		why := p.Note
		if why == "" {
			why = "the search could not drive the target to its knee"
		}
		if !acceptLowerBound {
			d.Errorf(at, "capacity profile %s is not a measured capacity but a lower bound (limited_by: %s): %s; measure again, or take it as the capacity with acceptLowerBound: true here (or --accept-lower-bound)",
				name, p.LimitedBy, why)
			return sim.Capacity{}
		}
		if p.MaxRate > 0 {
			b.out.Notes = append(b.out.Notes, fmt.Sprintf("%s: capacity %s is a lower bound taken as the capacity (limited_by: %s, %s per replica): the service may serve more, so results are pessimistic",
				capAt, name, p.LimitedBy, units.Rate(p.MaxRate)))
		}
	}
	if err := p.Validate(); err != nil {
		d.Errorf(at, "capacity profile %s: %v", name, oneLine(err))
		return sim.Capacity{}
	}
	out := sim.CapacityFromProfile(&p)
	out.LowerBound = p.IsLowerBound()
	out.Source, out.Evidence = sim.CapacityMeasured, "capacity profile "+name
	return out
}

// oneLine joins a multi-line error with "; ".
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

func (b *sysBuilder) hpa(at string, h *sysHPA) *sim.HPA {
	d := b.d
	out := &sim.HPA{MinReplicas: 1, MaxReplicas: h.MaxReplicas}
	if h.MinReplicas != nil {
		out.MinReplicas = *h.MinReplicas
		if *h.MinReplicas < 1 {
			d.Errorf(at+".minReplicas", "want at least 1 (scale to zero is an alpha feature headroom does not simulate)")
		}
	}
	if h.MaxReplicas < max(out.MinReplicas, 1) {
		d.Errorf(at+".maxReplicas", "must be at least minReplicas (%d)", out.MinReplicas)
	}
	if h.MaxReplicas > 100000 {
		d.Errorf(at+".maxReplicas", "more than 100000 replicas are not simulated")
	}
	for i := range h.Metrics {
		if m, ok := b.metric(fmt.Sprintf("%s.metrics[%d]", at, i), &h.Metrics[i]); ok {
			out.Metrics = append(out.Metrics, m)
		}
	}
	if h.Behavior != nil {
		out.Behavior = &sim.Behavior{
			ScaleUp:   b.rules(at+".behavior.scaleUp", h.Behavior.ScaleUp),
			ScaleDown: b.rules(at+".behavior.scaleDown", h.Behavior.ScaleDown),
		}
	}
	return out
}

func (b *sysBuilder) metric(at string, m *sysMetric) (sim.Metric, bool) {
	d := b.d
	var out sim.Metric
	var target *sysMetricTarget
	present := 0
	for _, p := range []bool{m.Resource != nil, m.ContainerResource != nil, m.Pods != nil, m.Object != nil, m.External != nil} {
		if p {
			present++
		}
	}
	if present > 1 {
		d.Errorf(at, "give only the source that matches type %q", m.Type)
		return out, false
	}
	need := func(field string, ok bool) bool {
		if !ok {
			d.Errorf(at, "type %s needs %s", m.Type, field)
		}
		return ok
	}
	switch m.Type {
	case "Resource":
		if !need("resource", m.Resource != nil) {
			return out, false
		}
		out = sim.Metric{Source: sim.ResourceMetric, Name: m.Resource.Name}
		target = &m.Resource.Target
		if m.Resource.Name != "cpu" {
			d.Errorf(at+".resource.name", "%q is not simulated: only cpu (and request rates as Pods or Object metrics)", m.Resource.Name)
			return out, false
		}
	case "ContainerResource":
		if !need("containerResource", m.ContainerResource != nil) {
			return out, false
		}
		out = sim.Metric{Source: sim.ResourceMetric, Name: m.ContainerResource.Name}
		target = &m.ContainerResource.Target
		if m.ContainerResource.Name != "cpu" {
			d.Errorf(at+".containerResource.name", "%q is not simulated: only cpu", m.ContainerResource.Name)
			return out, false
		}
	case "Pods":
		if !need("pods", m.Pods != nil) {
			return out, false
		}
		out = sim.Metric{Source: sim.PodsMetric, Name: m.Pods.Metric.Name}
		target = &m.Pods.Target
	case "Object":
		if !need("object", m.Object != nil) {
			return out, false
		}
		out = sim.Metric{Source: sim.ObjectMetric, Name: m.Object.Metric.Name}
		target = &m.Object.Target
	case "External":
		if !need("external", m.External != nil) {
			return out, false
		}
		out = sim.Metric{Source: sim.ExternalMetric, Name: m.External.Metric.Name}
		target = &m.External.Target
	case "":
		return out, false // reported as missing
	default:
		d.Errorf(at+".type", "unknown metric type %q (Resource, ContainerResource, Pods, Object or External)", m.Type)
		return out, false
	}
	tat := at + "." + sysSourceField(m.Type) + ".target"
	switch target.Type {
	case "Utilization":
		out.Target = sim.UtilizationTarget
		if out.Source != sim.ResourceMetric {
			d.Errorf(tat+".type", "a Utilization target is for Resource metrics")
			return out, false
		}
		if target.AverageUtilization == nil || *target.AverageUtilization <= 0 {
			d.Errorf(tat+".averageUtilization", "a Utilization target needs a positive averageUtilization (percent of the request)")
			return out, false
		}
		out.AverageUtilization = *target.AverageUtilization
	case "AverageValue":
		out.Target = sim.AverageValueTarget
		if target.AverageValue == nil || target.AverageValue.value <= 0 || target.AverageValue.value > 1e12 {
			d.Errorf(tat+".averageValue", "an AverageValue target needs a positive averageValue (up to 1e12)")
			return out, false
		}
		out.Value = int64(math.Round(target.AverageValue.value * 1000))
	case "Value":
		out.Target = sim.ValueTarget
		if out.Source != sim.ObjectMetric && out.Source != sim.ExternalMetric {
			d.Errorf(tat+".type", "a Value target is for Object and External metrics; use AverageValue")
			return out, false
		}
		if target.Value == nil || target.Value.value <= 0 || target.Value.value > 1e12 {
			d.Errorf(tat+".value", "a Value target needs a positive value (up to 1e12)")
			return out, false
		}
		out.Value = int64(math.Round(target.Value.value * 1000))
	case "":
		return out, false
	default:
		d.Errorf(tat+".type", "unknown target type %q (Utilization, AverageValue or Value)", target.Type)
		return out, false
	}
	if out.Source == sim.PodsMetric && out.Target != sim.AverageValueTarget {
		d.Errorf(tat+".type", "a Pods metric takes an AverageValue target")
		return out, false
	}
	return out, true
}

func sysSourceField(t string) string {
	if t == "" {
		return ""
	}
	return strings.ToLower(t[:1]) + t[1:]
}

func (b *sysBuilder) rules(at string, r *sysRules) *sim.ScalingRules {
	if r == nil {
		return nil
	}
	d := b.d
	out := &sim.ScalingRules{}
	if w := r.StabilizationWindowSeconds; w != nil {
		if *w < 0 || *w > 3600 {
			d.Errorf(at+".stabilizationWindowSeconds", "want 0 to 3600 seconds")
		}
		dur := time.Duration(*w) * time.Second
		out.StabilizationWindow = &dur
	}
	if p := r.SelectPolicy; p != nil {
		var s sim.SelectPolicy
		switch *p {
		case "Max":
			s = sim.MaxChange
		case "Min":
			s = sim.MinChange
		case "Disabled":
			s = sim.Disabled
		default:
			d.Errorf(at+".selectPolicy", "want Max, Min or Disabled, got %q", *p)
		}
		out.SelectPolicy = &s
	}
	if r.Policies != nil {
		out.Policies = []sim.Policy{}
	}
	for i, p := range r.Policies {
		pat := fmt.Sprintf("%s.policies[%d]", at, i)
		var t sim.PolicyType
		switch p.Type {
		case "Pods":
			t = sim.PodsPolicy
		case "Percent":
			t = sim.PercentPolicy
		case "":
		default:
			d.Errorf(pat+".type", "want Pods or Percent, got %q", p.Type)
		}
		if p.Value <= 0 {
			d.Errorf(pat+".value", "want a positive value")
		}
		if p.PeriodSeconds <= 0 || p.PeriodSeconds > 1800 {
			d.Errorf(pat+".periodSeconds", "want 1 to 1800 seconds")
		}
		out.Policies = append(out.Policies, sim.Policy{Type: t, Value: p.Value, Period: time.Duration(p.PeriodSeconds) * time.Second})
	}
	if r.Tolerance != nil {
		v := r.Tolerance.value
		out.Tolerance = &v
	}
	return out
}

// nodes reads spec.nodes. priced tells whether the file has spec.pricing
// (without it, a Standard pool is priced by its machine type).
func (b *sysBuilder) nodes(n *sysNodes, priced bool) {
	d := b.d
	out := &b.out.System.Nodes
	if n == nil {
		out.Mode = sim.Autopilot
		return
	}
	at := "spec.nodes"
	switch n.Mode {
	case "", "autopilot", "Autopilot":
		out.Mode = sim.Autopilot
		for _, f := range []struct {
			name string
			set  bool
		}{{"machineType", n.MachineType != ""}, {"minNodes", n.MinNodes != nil}, {"maxNodes", n.MaxNodes != nil}, {"cpu", n.CPU.set}, {"memory", n.Memory.set}} {
			if f.set {
				d.Errorf(at+"."+f.name, "only a standard node pool has %s; Autopilot manages nodes", f.name)
			}
		}
		if n.Bursting != nil {
			out.NoBursting = !*n.Bursting
		}
	case "standard", "Standard":
		out.Mode = sim.Standard
		out.MachineType = n.MachineType
		if n.Bursting != nil {
			d.Errorf(at+".bursting", "only Autopilot has bursting (its request rules and billing); a standard pool bills nodes")
		}
		if n.MachineType != "" {
			m, err := pricing.ParseMachineType(n.MachineType)
			if err != nil {
				also := ""
				if !priced {
					also = ", and spec.pricing (the catalog cannot price it)"
				}
				d.Errorf(at+".machineType", "%v; give cpu and memory instead (like cpu: 4, memory: 16Gi)%s", err, also)
				b.badMachine = true
			}
			out.NodeCPU, out.NodeMemory = m.VCPU, m.MemoryGiB*(1<<30)
		}
		if n.CPU.set {
			out.NodeCPU = n.CPU.value
		}
		if n.Memory.set {
			out.NodeMemory = n.Memory.value
		}
		if n.MachineType == "" && (!n.CPU.set || !n.Memory.set) {
			d.Errorf(at, "a standard pool needs machineType (like e2-standard-4), or cpu and memory")
		}
		if n.MinNodes != nil {
			out.MinNodes = *n.MinNodes
			if *n.MinNodes < 0 {
				d.Errorf(at+".minNodes", "want 0 or more")
			}
		}
		if n.MaxNodes == nil {
			d.Errorf(at, "missing required field \"maxNodes\" for a standard pool")
		} else {
			out.MaxNodes = *n.MaxNodes
			if *n.MaxNodes < max(out.MinNodes, 1) || *n.MaxNodes > 15000 {
				d.Errorf(at+".maxNodes", "want at least minNodes (%d) and 1, and at most 15000", out.MinNodes)
			}
		}
	default:
		d.Errorf(at+".mode", "want autopilot or standard, got %q", n.Mode)
	}
	out.ProvisioningDelay, out.ScaleDownUnneeded = n.ProvisioningDelay, n.ScaleDownUnneeded
	if n.ProvisioningDelay < 0 || n.ProvisioningDelay > 2*time.Hour {
		d.Errorf(at+".provisioningDelay", "want a duration up to 2h")
	}
	if n.Buffer != nil && n.Placeholders != nil {
		d.Errorf(at+".placeholders", "give buffer or placeholders, not both")
	}
	if n.Buffer != nil {
		out.BufferCPU, out.BufferMemory = n.Buffer.CPU.value, n.Buffer.Memory.value
	}
	if p := n.Placeholders; p != nil {
		if p.Count < 0 {
			d.Errorf(at+".placeholders.count", "want 0 or more")
		}
		out.BufferCPU, out.BufferMemory = float64(p.Count)*p.CPU.value, float64(p.Count)*p.Memory.value
	}
	if n.AutoscalingProfile != "" {
		p, err := sim.ParseAutoscalingProfile(n.AutoscalingProfile)
		if err != nil {
			d.Errorf(at+".autoscalingProfile", "%v", err)
		}
		out.AutoscalingProfile = p
	}
	if n.CapacityBuffer != nil {
		out.CapacityBuffer = b.capacityBuffer(n.CapacityBuffer, at+".capacityBuffer")
	}
	if out.Mode == sim.Standard && out.NodeCPU > 0 && out.NodeMemory > 0 {
		cpu, mem := sim.Allocatable(out.NodeCPU, out.NodeMemory)
		for i, c := range b.out.System.Components {
			r := c.Resources
			if r.CPURequest > cpu || r.MemoryRequest > mem {
				d.Errorf(fmt.Sprintf("spec.components[%d].resources.requests", i),
					"a pod (%s CPU, %s memory) does not fit on one node (%s CPU, %s memory allocatable)",
					units.CPU(r.CPURequest), units.Bytes(r.MemoryRequest), units.CPU(cpu), units.Bytes(mem))
			}
		}
	}
}

// capacityBuffer reads spec.nodes.capacityBuffer. Its units are replicas,
// capped by limits when both are given (GKE creates as many units as fit
// within limits when replicas is not set). The simulator checks the rest.
func (b *sysBuilder) capacityBuffer(cb *sysCapacityBuffer, at string) sim.CapacityBuffer {
	d := b.d
	var out sim.CapacityBuffer
	if cb.ProvisioningStrategy != "" {
		s, err := sim.ParseBufferStrategy(cb.ProvisioningStrategy)
		if err != nil {
			d.Errorf(at+".provisioningStrategy", "want active or standby (or %s, %s), got %q",
				sim.ActiveProvisioningStrategy, sim.StandbyProvisioningStrategy, cb.ProvisioningStrategy)
		}
		out.Strategy = s
	}
	if cb.PodTemplate != nil {
		out.CPU, out.Memory = cb.PodTemplate.CPU.value, cb.PodTemplate.Memory.value
	}
	out.ResumeDelay = cb.ResumeDelay
	if cb.ResumeDelay < 0 || cb.ResumeDelay > time.Hour {
		d.Errorf(at+".resumeDelay", "want a duration up to 1h")
	}
	if cb.ResumeDelay != 0 && out.Strategy != sim.StandbyBuffer {
		d.Errorf(at+".resumeDelay", "only a standby buffer resumes nodes")
	}
	fit := -1 // units within limits; -1 without limits
	if l := cb.Limits; l != nil {
		if !l.CPU.set && !l.Memory.set {
			d.Errorf(at+".limits", "give cpu, memory or both")
		}
		fit = math.MaxInt32
		if l.CPU.set && out.CPU > 0 {
			fit = min(fit, int(math.Floor(l.CPU.value/out.CPU+1e-9)))
		}
		if l.Memory.set && out.Memory > 0 {
			fit = min(fit, int(math.Floor(l.Memory.value/out.Memory+1e-9)))
		}
	}
	switch {
	case cb.Replicas != nil && *cb.Replicas < 1:
		d.Errorf(at+".replicas", "want 1 or more")
	case cb.Replicas != nil:
		out.Replicas = *cb.Replicas
		if fit >= 0 && fit < out.Replicas {
			out.Replicas = fit
		}
	case fit < 0:
		d.Errorf(at, "give replicas, limits or both")
	default:
		out.Replicas = fit
	}
	if fit == 0 {
		d.Errorf(at+".limits", "no unit of the pod template fits within the limits")
	}
	return out
}

func (b *sysBuilder) objectives(s *sysSLO) {
	d := b.d
	o := &b.out.System.Objectives
	if s == nil {
		b.out.Notes = append(b.out.Notes, "no spec.slo: every scenario passes; add availability and latency objectives to judge it")
		return
	}
	at := "spec.slo"
	if s.Ref != "" {
		if s.Availability != nil || s.Latency != nil {
			d.Errorf(at+".ref", "give ref or inline objectives, not both")
		}
		b.sloRef(at+".ref", s.Ref)
	}
	if s.Availability != nil {
		o.Availability = s.Availability.Fraction
	}
	if s.Latency != nil {
		o.LatencyThreshold, o.LatencyTarget = s.Latency.Threshold, s.Latency.Target.Fraction
		if s.Latency.Threshold <= 0 {
			d.Errorf(at+".latency.threshold", "want a positive latency such as 300ms")
		}
	}
	if s.Ref == "" && s.Availability == nil && s.Latency == nil {
		d.Errorf(at, "give availability, latency (threshold and target), or ref: an SLO file")
	}
	if s.Window != "" {
		w, err := sysWindow(s.Window)
		if err != nil {
			d.Errorf(at+".window", "%v", err)
		}
		o.Window = w
	}
	o.WindowRate = s.WindowRate.value
	if s.MaxBudget.set {
		o.MaxBudgetBurn = s.MaxBudget.value
		if s.MaxBudget.value == 0 {
			d.Errorf(at+".maxBudgetBurn", "0%% allows no failure at all; give a share of the budget such as 50%%")
		}
	}
}

// sysWindow reads an SLO window: 30d, 4w, 720h.
func sysWindow(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "w"); ok {
		if k, err := strconv.Atoi(n); err == nil && k > 0 && k <= 520 {
			return time.Duration(k) * 7 * 24 * time.Hour, nil
		}
	}
	w, err := traffic.ParseDuration(s)
	if err != nil || w < time.Hour || w > 3660*24*time.Hour {
		return 0, fmt.Errorf("%q: want a window such as 30d, 4w or 720h", s)
	}
	return w, nil
}

// sloRef reads the objectives from an SLO file (headroom's compact form or
// OpenSLO): the strictest availability objective (a ratio of good events)
// and the strictest latency objective (good events are histogram buckets
// le the threshold).
func (b *sysBuilder) sloRef(at, name string) {
	d := b.d
	if d.Load == nil {
		d.Errorf(at, "cannot read %s here: no file access", name)
		return
	}
	data, err := d.Load(name)
	if err != nil {
		d.Errorf(at, "read SLO file: %v", err)
		return
	}
	docs, err := Parse(name, data)
	if err != nil {
		d.Errorf(at, "SLO file %s: %v", name, oneLine(err))
		return
	}
	for _, doc := range docs {
		doc.Load = d.Load
	}
	set, err := SLOs(docs)
	if err != nil {
		d.Errorf(at, "SLO file: %v", oneLine(err))
		return
	}
	o := &b.out.System.Objectives
	from, _ := sim.ObjectivesFromSLOs(set.SLOs)
	o.Window = max(o.Window, from.Window)
	o.Availability = max(o.Availability, from.Availability)
	if from.LatencyTarget > o.LatencyTarget {
		o.LatencyThreshold, o.LatencyTarget = from.LatencyThreshold, from.LatencyTarget
	}
	if o.Availability == 0 && o.LatencyTarget == 0 {
		d.Errorf(at, "%s holds no objective headroom can simulate", name)
	}
}

// DefaultPriceRegion is the region whose list prices price a System file
// without spec.pricing.
const DefaultPriceRegion = "us-central1"

// ErrNoMachineType is returned by [CatalogPrices] for a Standard pool that
// names no machine type: the catalog prices machine types.
var ErrNoMachineType = errors.New("the catalog prices machine types, and spec.nodes names none")

// CatalogPrices prices a system's nodes from a price catalog in a region,
// in US dollars: Autopilot general-purpose pod requests, or one node of a
// Standard pool's machine type on demand (its list price, without the
// sustained-use discount), and the cluster fee. It also returns a line
// saying what was priced, at what, and the source and date of each
// figure. A price the catalog lacks is an [*pricing.UnknownPriceError]; a
// Standard pool without a machine type is [ErrNoMachineType]; a machine
// type [pricing.ParseMachineType] does not know is its error.
//
// A System file without spec.pricing is priced by it (at
// [pricing.GCP] in [DefaultPriceRegion]), and so are `headroom sim` and
// `headroom plan` given --region, --prices or --mode.
func CatalogPrices(cat *pricing.Catalog, region string, n sim.Nodes) (sim.Prices, string, error) {
	fee := cat.ClusterFee
	if fee.Unknown || fee.IsZero() {
		return sim.Prices{}, "", &pricing.UnknownPriceError{What: "GKE cluster fee", Region: region, Note: fee.Note, Path: "cluster_fee"}
	}
	p := sim.Prices{Currency: "USD", ClusterFeeHour: fee.USD}
	var what string
	var used []pricing.Price
	if n.Mode == sim.Autopilot {
		rate, err := cat.Autopilot(region, pricing.GeneralPurpose)
		if err != nil {
			return sim.Prices{}, "", err
		}
		p.VCPUHour, p.GiBHour = rate.VCPU.USD, rate.GiB.USD
		what = fmt.Sprintf("Autopilot general-purpose pods in %s at $%g per vCPU-hour and $%g per GiB-hour", region, p.VCPUHour, p.GiBHour)
		used = []pricing.Price{rate.VCPU, rate.GiB}
	} else {
		if n.MachineType == "" {
			return sim.Prices{}, "", ErrNoMachineType
		}
		m, err := pricing.ParseMachineType(n.MachineType)
		if err != nil {
			return sim.Prices{}, "", err
		}
		mp, err := cat.Machine(region, m, pricing.OnDemand)
		if err != nil {
			return sim.Prices{}, "", err
		}
		p.VCPUHour, p.GiBHour, p.NodeHour = mp.Rate.VCPU.USD, mp.Rate.GiB.USD, mp.Hourly()
		what = fmt.Sprintf("%s nodes in %s on demand at $%.4f an hour (no sustained-use discount)", n.MachineType, region, p.NodeHour)
		used = []pricing.Price{mp.Rate.VCPU, mp.Rate.GiB}
		if mp.LocalSSD > 0 {
			used = append(used, mp.LocalSSDRate)
		}
	}
	used = append(used, fee)
	return p, fmt.Sprintf("%s, and the cluster fee at $%g an hour; sources: %s", what, fee.USD, priceSources(used)), nil
}

// StandbyPrice prices one suspended node of the pool's standby capacity
// buffer per hour, in US dollars, from cat: its saved memory state and
// boot disk. It returns 0 and a note when the pool has no standby buffer
// or the catalog does not price it (the shipped one does not): the cost of
// the suspended nodes is then unknown, never zero.
func StandbyPrice(cat *pricing.Catalog, region string, n sim.Nodes) (float64, string) {
	b := n.CapacityBuffer
	if n.Mode != sim.Standard || b.Strategy != sim.StandbyBuffer || b.IsZero() || n.MachineType == "" {
		return 0, ""
	}
	m, err := pricing.ParseMachineType(n.MachineType)
	if err != nil {
		return 0, ""
	}
	p, err := cat.StandbyNode(region, m)
	if err != nil {
		return 0, "standby buffer not priced: " + err.Error()
	}
	return p.USD, fmt.Sprintf("a suspended standby node at $%.4f an hour (%s)", p.USD, priceSources([]pricing.Price{p}))
}

// priceSources names the source and date of each price, each once.
func priceSources(ps []pricing.Price) string {
	var out []string
	seen := map[string]bool{}
	for _, p := range ps {
		s := p.Source
		if s == "" {
			s = "no source given"
		}
		if p.Date != "" {
			s += ", as of " + p.Date
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return strings.Join(out, "; ")
}

func (b *sysBuilder) pricing(p *sysPricing) {
	d := b.d
	sys := &b.out.System
	if p == nil {
		b.defaultPrices()
		return
	}
	for _, f := range []struct {
		name  string
		price float64
	}{{"vcpuHour", p.VCPUHour}, {"gibHour", p.GiBHour}, {"nodeHour", p.NodeHour}, {"clusterFeeHour", p.ClusterFeeHour}} {
		if f.price < 0 {
			d.Errorf("spec.pricing."+f.name, "want a price ≥ 0")
		}
	}
	cur := p.Currency
	if cur == "" {
		cur = "USD"
	}
	sys.Prices = sim.Prices{Currency: cur, VCPUHour: p.VCPUHour, GiBHour: p.GiBHour, NodeHour: p.NodeHour, ClusterFeeHour: p.ClusterFeeHour}
}

// defaultPrices prices a file without spec.pricing from the shipped
// catalog: its list prices in DefaultPriceRegion.
func (b *sysBuilder) defaultPrices() {
	d := b.d
	sys := &b.out.System
	const hint = "give spec.pricing (nodeHour, or vcpuHour and gibHour, and clusterFeeHour)"
	prices, what, err := CatalogPrices(pricing.GCP(), DefaultPriceRegion, sys.Nodes)
	switch {
	case err == nil:
		sys.Prices = prices
		b.out.Notes = append(b.out.Notes, "no spec.pricing: using "+DefaultPriceRegion+" on-demand list prices in USD from the catalog: "+what)
		if hour, note := StandbyPrice(pricing.GCP(), DefaultPriceRegion, sys.Nodes); note != "" {
			sys.Nodes.CapacityBuffer.StandbyNodeHour = hour
			b.out.Notes = append(b.out.Notes, note)
		}
	case b.badMachine:
		// Reported at spec.nodes.machineType, spec.pricing included.
	case errors.Is(err, ErrNoMachineType):
		d.Errorf("spec.nodes", "no spec.pricing, and the catalog prices machine types: give machineType (like e2-standard-4), or %s", strings.TrimPrefix(hint, "give "))
	case sys.Nodes.Mode == sim.Standard:
		d.Errorf("spec.nodes.machineType", "no spec.pricing, and %v; %s", err, hint)
	default:
		d.Errorf("spec", "no spec.pricing, and %v; %s", err, hint)
	}
}

func (b *sysBuilder) controller(c *sysController) {
	if c == nil {
		return
	}
	d := b.d
	at := "spec.autoscaling"
	ctl := sim.DefaultController()
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"syncPeriod", c.SyncPeriod}, {"downscaleStabilization", c.DownscaleStabilization}, {"cpuInitializationPeriod", c.CPUInitializationPeriod},
		{"initialReadinessDelay", c.InitialReadinessDelay}, {"metricWindow", c.MetricWindow}, {"metricResolution", c.MetricResolution}} {
		if f.d < 0 || f.d > 2*time.Hour {
			d.Errorf(at+"."+f.name, "want a duration up to 2h")
		}
	}
	if c.SyncPeriod != 0 {
		if c.SyncPeriod < time.Second {
			d.Errorf(at+".syncPeriod", "want at least 1s")
		}
		ctl.SyncPeriod = c.SyncPeriod
	}
	if c.Tolerance != nil {
		if *c.Tolerance < 0 || *c.Tolerance >= 1 {
			d.Errorf(at+".tolerance", "want a fraction in [0, 1), like 0.1")
		}
		ctl.Tolerance = *c.Tolerance
	}
	if c.DownscaleStabilization != 0 {
		ctl.DownscaleStabilization = c.DownscaleStabilization
	}
	if c.CPUInitializationPeriod != 0 {
		ctl.CPUInitializationPeriod = c.CPUInitializationPeriod
	}
	if c.InitialReadinessDelay != 0 {
		ctl.InitialReadinessDelay = c.InitialReadinessDelay
	}
	b.out.System.Controller = ctl
	b.out.System.Metrics = sim.MetricsPipeline{Window: c.MetricWindow, Resolution: c.MetricResolution}
	if c.MetricWindow != 0 && c.MetricWindow < time.Second || c.MetricResolution != 0 && c.MetricResolution < time.Second {
		d.Errorf(at, "metric window and resolution must be at least 1s")
	}
}

// sysServing is how a ready pod comes to take its share of traffic
// (sim.Serving).
type sysServing struct {
	Propagation    time.Duration `yaml:"propagation"`
	ReadinessGate  bool          `yaml:"readinessGate"`
	WarmUp         time.Duration `yaml:"warmUp"`
	WarmUpCapacity sysFraction   `yaml:"warmUpCapacity"`
	Pinned         sysFraction   `yaml:"pinned"`
	ConnectionAge  time.Duration `yaml:"connectionAge"`
}

// sysMetrics is how metrics reach the HPA, per kind (sim.MetricsPipeline):
// resource metrics through metrics-server, custom ones (Pods, Object,
// External) through Prometheus and an adapter.
type sysMetrics struct {
	Resource *struct {
		Window       time.Duration `yaml:"window"`
		Resolution   time.Duration `yaml:"resolution"`
		Housekeeping time.Duration `yaml:"housekeeping"`
	} `yaml:"resource"`
	Custom *sysCustom `yaml:"custom"`
}

// sysCustom is a custom metrics pipeline (sim.CustomMetrics).
type sysCustom struct {
	RateWindow time.Duration `yaml:"rateWindow"`
	Scrape     time.Duration `yaml:"scrape"`
	Adapter    time.Duration `yaml:"adapter"`
	Delay      time.Duration `yaml:"delay"`
}

func (c *sysCustom) model() sim.CustomMetrics {
	return sim.CustomMetrics{RateWindow: c.RateWindow, Scrape: c.Scrape, Adapter: c.Adapter, Delay: c.Delay}
}

// metrics reads spec.metrics; sim.Compile checks the values. The resource
// pipeline may also be set by spec.autoscaling's metricWindow and
// metricResolution (the older place), not both.
func (b *sysBuilder) metrics(m *sysMetrics, ctl *sysController) {
	b.customMetricsNote(m)
	if m == nil {
		return
	}
	out := &b.out.System.Metrics
	if r := m.Resource; r != nil {
		if ctl != nil && (ctl.MetricWindow != 0 || ctl.MetricResolution != 0) {
			b.d.Errorf("spec.metrics.resource", "spec.autoscaling sets the metric window or resolution too; set them in one place (here)")
		}
		out.Window, out.Resolution, out.Housekeeping = r.Window, r.Resolution, r.Housekeeping
	}
	if c := m.Custom; c != nil {
		out.Custom = c.model()
	}
}

// customMetricsNote tells which components scale on metrics that come
// through an adapter with the pipeline left to its defaults: their lag is
// then an assumption the reader should check.
func (b *sysBuilder) customMetricsNote(m *sysMetrics) {
	if m != nil && m.Custom != nil {
		return
	}
	var names []string
	for _, c := range b.out.System.Components {
		if c.HPA == nil || c.CustomMetrics != nil {
			continue
		}
		for _, met := range c.HPA.Metrics {
			if met.Source != sim.ResourceMetric {
				names = append(names, c.Name)
				break
			}
		}
	}
	if len(names) == 0 {
		return
	}
	b.out.Notes = append(b.out.Notes, fmt.Sprintf("%s scale on Pods, Object or External metrics: their lag assumes prometheus-adapter's default rules "+
		"(a rate over %s) and Prometheus' default %s scrape, with no adapter cache; give spec.metrics.custom (rateWindow, scrape, adapter, delay) to match your pipeline",
		strings.Join(names, ", "), units.Seconds(sim.DefaultCustomRateWindow.Seconds()), units.Seconds(sim.DefaultCustomScrape.Seconds())))
}

// servingNote tells when the entry component says nothing of how its new
// pods come to serve: they are then taken to serve in full the instant
// they are Ready, which is optimistic behind a load balancer.
func (b *sysBuilder) servingNote() {
	sys := &b.out.System
	for _, c := range sys.Components {
		if c.Name == sys.Entry && c.Serving == (sim.Serving{}) {
			b.out.Notes = append(b.out.Notes, fmt.Sprintf("%s (the entry) gives no serving: its new pods are taken to serve in full the instant they are Ready, "+
				"which is optimistic behind a load balancer; give serving (propagation, readinessGate, warmUp, pinned) to model the delay", c.Name))
		}
	}
}
