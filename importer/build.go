package importer

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/units"
)

// Defaults the import writes when the cluster and its history do not say.
const (
	// DefaultAvailability, DefaultLatencyThreshold and DefaultLatencyTarget
	// are the objectives written when none is given: 99.9% of requests
	// succeed, 99% within 300ms.
	DefaultAvailability     = 0.999
	DefaultLatencyThreshold = 300 * time.Millisecond
	DefaultLatencyTarget    = 0.99
	// DefaultUnknownCapacity is the per-replica capacity written when it
	// could not be measured nor estimated: a placeholder marked a lower
	// bound, so that results say so, until `headroom capacity` measures
	// it.
	DefaultUnknownCapacity = 1.0
	// DefaultCPURequest is the CPU request written for a pod that sets
	// none: GKE Autopilot's default request for a general-purpose pod
	// (0.5 vCPU; GKE documentation, "Resource requests in Autopilot",
	// default requests).
	DefaultCPURequest = 0.5
	// DefaultSpikeBefore and DefaultSpikeAfter are the stretch of history
	// kept around the peak for the replay shape.
	DefaultSpikeBefore = time.Hour
	DefaultSpikeAfter  = time.Hour
	// DefaultMissingTrafficMultiple is the peak of the scenario written
	// when there is no traffic history: ten times the base, the "×10"
	// a readiness review asks about.
	DefaultMissingTrafficMultiple = 10
)

// DefaultMultipliers are the × k variants of the biggest spike written
// beside it.
var DefaultMultipliers = []float64{2, 5}

// Objectives are the objectives the System is judged by, and the latency
// objective capacity is estimated against.
type Objectives struct {
	// Availability is a fraction (0.999); LatencyTarget too.
	Availability     float64
	LatencyThreshold time.Duration
	LatencyTarget    float64
	// Given says that they were given by the user (else they are the
	// defaults, and the file says so).
	Given bool
}

// Options are the choices of an import.
type Options struct {
	// Name is metadata.name (default "imported").
	Name string
	// Entry names the component that receives external traffic, by
	// component or workload name; "" chooses it (the one no other calls).
	Entry string
	// Profiles maps a component's name to the capacity profile the System
	// file names for it (relative to the System file).
	Profiles map[string]string
	// LowerBoundProfiles names, by component, the profiles whose max_rate
	// is only a lower bound, with their limited_by: they are taken as the
	// capacity (acceptLowerBound: true), which results say is pessimistic.
	LowerBoundProfiles map[string]string
	// Objectives; zero means the defaults.
	Objectives Objectives
	// ReplayFile names the CSV of the biggest spike, relative to the
	// System file (default NAME-spike.csv).
	ReplayFile string
	// Multipliers are the × k variants (default DefaultMultipliers; an
	// empty non-nil slice writes none).
	Multipliers []float64
	// SpikeBefore and SpikeAfter are the stretch kept around the peak
	// (default DefaultSpikeBefore, DefaultSpikeAfter).
	SpikeBefore, SpikeAfter time.Duration
}

// Status says how a value was obtained.
type Status string

// Statuses of imported values.
const (
	Measured  Status = "measured"  // read from the cluster, a profile or history
	Estimated Status = "estimated" // inferred from history, with evidence
	Unknown   Status = "unknown"   // not determined: a safe default was written
	Assumed   Status = "assumed"   // read, but its meaning to the simulator is assumed
)

// Item is one value written and where it came from.
type Item struct {
	// Path is the field path in the System file
	// (spec.components[0].replicas).
	Path string `json:"path"`
	// Component is the component's name, "" for a system-wide value.
	Component string `json:"component,omitempty"`
	Value     string `json:"value"`
	Status    Status `json:"status"`
	// Source says where it came from, or why it is unknown and where its
	// default comes from.
	Source string `json:"source"`
}

// Result is an import: the System file as a YAML document (every value
// with a comment saying where it came from), the replay CSV it refers
// to, and every value listed.
type Result struct {
	// Doc is the System document.
	Doc *yaml.Node `json:"-"`
	// Name is metadata.name.
	Name string `json:"name"`
	// Cluster and History name the sources.
	Cluster string `json:"cluster"`
	History string `json:"history,omitempty"`
	// Components are the components' names, and Workloads the workloads
	// they model ("Deployment shop/web"), in the same order.
	Components []string `json:"components"`
	Workloads  []string `json:"workloads"`
	// Skipped are workloads left out, each with why.
	Skipped []string `json:"skipped,omitempty"`
	// ReplayFile and Replay are the spike's CSV (nil without history).
	ReplayFile string `json:"replay_file,omitempty"`
	Replay     []byte `json:"-"`
	// Items are every value written.
	Items []Item `json:"items"`
	// Notes are what the reader should know.
	Notes []string `json:"notes,omitempty"`
}

// Count returns how many items have the status.
func (r *Result) Count(s Status) int {
	n := 0
	for _, it := range r.Items {
		if it.Status == s {
			n++
		}
	}
	return n
}

// YAML writes the document, comments included.
func (r *Result) YAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(r.Doc); err != nil {
		return nil, fmt.Errorf("write the System file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write the System file: %w", err)
	}
	return b.Bytes(), nil
}

// systemNamespaces are left out of an import: they run the cluster, not
// the service.
var systemNamespaces = map[string]bool{"kube-system": true, "kube-public": true, "kube-node-lease": true, "gmp-system": true, "gmp-public": true,
	"gke-gmp-system": true, "gke-managed-system": true, "gke-managed-cim": true, "gke-system": true, "config-management-system": true}

var nonLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// componentName turns a workload's name into a DNS label.
func componentName(s string) string {
	s = strings.Trim(nonLabel.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	if s == "" {
		s = "component"
	}
	return s
}

// builder writes the document and records every value.
type builder struct {
	res  *Result
	opt  Options
	hist *History
	// placeholders are the workloads of placeholder pods.
	placeholders []Workload
}

// prov is where a value came from.
type prov struct {
	status Status
	source string
}

func (p prov) comment() string {
	switch p.status {
	case Measured:
		return "from " + p.source
	case Unknown:
		return "unknown: " + p.source
	}
	return p.source
}

func measured(format string, args ...any) prov {
	return prov{Measured, fmt.Sprintf(format, args...)}
}

func unknown(format string, args ...any) prov {
	return prov{Unknown, fmt.Sprintf(format, args...)}
}

// node kinds.

func mapping() *yaml.Node  { return &yaml.Node{Kind: yaml.MappingNode} }
func sequence() *yaml.Node { return &yaml.Node{Kind: yaml.SequenceNode} }
func str(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}
func integer(v int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
}
func float(v float64) *yaml.Node {
	s := strconv.FormatFloat(v, 'g', 6, 64)
	if _, err := strconv.Atoi(s); err == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: s}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: s}
}

// above adds a comment line above key's line in m.
func above(m *yaml.Node, key, comment string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Value == key {
			if k.HeadComment != "" {
				k.HeadComment += "\n"
			}
			k.HeadComment += comment
			return
		}
	}
}
func boolean(v bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
}

// add appends key: value to m.
func add(m *yaml.Node, key string, v *yaml.Node) *yaml.Node {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	return v
}

// put appends key: value to m with its provenance as a comment, and
// records it as an item at path.
func (b *builder) put(m *yaml.Node, path, comp, key string, v *yaml.Node, p prov) {
	add(m, key, v)
	b.note(m.Content[len(m.Content)-2], v, p)
	val := v.Value
	if v.Kind != yaml.ScalarNode {
		val = "(" + key + ")"
	}
	b.res.Items = append(b.res.Items, Item{Path: path + "." + key, Component: comp, Value: val, Status: p.status, Source: p.source})
}

// note writes a provenance comment: on the value's line for a scalar,
// above the key for a mapping or a sequence.
func (b *builder) note(key, v *yaml.Node, p prov) {
	if v.Kind == yaml.ScalarNode {
		v.LineComment = p.comment()
		return
	}
	key.HeadComment = p.comment()
}

// cpuText writes cores as millicores ("500m").
func cpuText(cores float64) string {
	return strconv.FormatInt(int64(math.Round(cores*1000)), 10) + "m"
}

// bytesText writes bytes as a quantity: Gi or Mi when whole, else Ki or
// bytes.
func bytesText(b float64) string {
	n := int64(math.Round(b))
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// durText writes a duration the System file reads ("2.5s", "1m30s"),
// to the millisecond.
func durText(d time.Duration) string {
	d = d.Round(time.Millisecond)
	if d == 0 {
		return "0s"
	}
	return d.String()
}

// sig rounds x to 3 significant digits.
func sig(x float64) float64 {
	if x == 0 || !finite(x) {
		return x
	}
	p := math.Pow(10, 2-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}

// Build writes the System file for the cluster's workloads and, when not
// nil, their history.
func Build(c Cluster, h *History, opt Options) (*Result, error) {
	if opt.Name == "" {
		opt.Name = "imported"
	}
	opt.Name = componentName(opt.Name)
	if opt.Objectives.LatencyThreshold == 0 && opt.Objectives.Availability == 0 {
		opt.Objectives = Objectives{Availability: DefaultAvailability, LatencyThreshold: DefaultLatencyThreshold, LatencyTarget: DefaultLatencyTarget}
	}
	if opt.Multipliers == nil {
		opt.Multipliers = DefaultMultipliers
	}
	if opt.SpikeBefore <= 0 {
		opt.SpikeBefore = DefaultSpikeBefore
	}
	if opt.SpikeAfter <= 0 {
		opt.SpikeAfter = DefaultSpikeAfter
	}
	if opt.ReplayFile == "" {
		opt.ReplayFile = opt.Name + "-spike.csv"
	}
	b := &builder{res: &Result{Name: opt.Name, Cluster: c.Source}, opt: opt, hist: h}
	if h != nil {
		b.res.History = h.Source
	}
	b.res.Notes = append(b.res.Notes, c.Notes...)

	// The workloads to model, and their names.
	var ws []Workload
	for _, w := range c.Workloads {
		switch {
		case systemNamespaces[w.Namespace] || strings.HasPrefix(w.Namespace, "gke-"):
			continue
		case w.Replicas == 0 && w.HPA == nil:
			b.res.Skipped = append(b.res.Skipped, w.Ref()+": scaled to zero (spec.replicas 0, no HPA): not serving")
			continue
		case w.Priority < 0:
			b.placeholders = append(b.placeholders, w)
			b.res.Skipped = append(b.res.Skipped, fmt.Sprintf("%s: its pods run at priority %d, below every workload's: placeholder pods holding spare capacity, written as spec.nodes.placeholders", w.Ref(), w.Priority))
			continue
		}
		ws = append(ws, w)
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("%s holds no Deployment or StatefulSet to model (outside system namespaces, and not scaled to zero)", c.Source)
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Namespace+"/"+ws[i].Name < ws[j].Namespace+"/"+ws[j].Name })
	names := make([]string, len(ws))
	count := map[string]int{}
	for i, w := range ws {
		names[i] = componentName(w.Name)
		count[names[i]]++
	}
	for i, w := range ws {
		if count[names[i]] > 1 {
			names[i] = componentName(w.Namespace + "-" + w.Name)
		}
	}
	byKey := map[string]string{}
	for i, w := range ws {
		byKey[w.Namespace+"/"+w.Name] = names[i]
		b.res.Components = append(b.res.Components, names[i])
		b.res.Workloads = append(b.res.Workloads, w.Ref())
	}

	root := mapping()
	root.HeadComment = fmt.Sprintf("Imported by headroom import from %s", c.Source)
	if h != nil {
		root.HeadComment += fmt.Sprintf(" and %s (%s of history to %s, at %s)", h.Source, units.Duration(h.Window), h.End.UTC().Format(time.RFC3339), units.Duration(h.Step))
	}
	root.HeadComment += ".\nEvery value says where it came from; \"unknown:\" marks a default to check."
	add(root, "apiVersion", str("headroom/v1"))
	add(root, "kind", str("System"))
	meta := add(root, "metadata", mapping())
	add(meta, "name", str(opt.Name))
	spec := add(root, "spec", mapping())

	calls := b.calls(byKey)
	entry, entryProv := b.entry(ws, names, calls)
	b.put(spec, "spec", "", "entry", str(entry), entryProv)
	comps := add(spec, "components", sequence())
	for i, w := range ws {
		comps.Content = append(comps.Content, b.component(fmt.Sprintf("spec.components[%d]", i), names[i], w, calls[names[i]]))
	}
	b.nodes(spec, c.Nodes)
	b.objectives(spec)
	b.scenarios(spec, ws, names, entry)
	return b.res, b.finish(root)
}

func (b *builder) finish(root *yaml.Node) error {
	b.res.Doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	return nil
}

// calls are the call ratios between components, by caller: requests to
// the callee per request to the caller.
func (b *builder) calls(byKey map[string]string) map[string]map[string]callRatio {
	out := map[string]map[string]callRatio{}
	if b.hist == nil {
		return out
	}
	for _, cr := range b.hist.Calls {
		from, ok1 := byKey[cr.From]
		to, ok2 := byKey[cr.To]
		if !ok1 || !ok2 || from == to {
			continue
		}
		in := b.hist.Components[cr.From].MeanRPS
		k := cr.Rate / in
		if !finite(k) || !(k > 0) || in <= 0 || k > 1000 {
			b.res.Notes = append(b.res.Notes, fmt.Sprintf("calls %s → %s: %s of calls against %s into the caller: no ratio written", from, to, units.Rate(cr.Rate), units.Rate(in)))
			continue
		}
		if out[from] == nil {
			out[from] = map[string]callRatio{}
		}
		out[from][to] = callRatio{k: sig(k), rate: cr.Rate, in: in}
	}
	return out
}

type callRatio struct{ k, rate, in float64 }

// entry chooses the entry component.
func (b *builder) entry(ws []Workload, names []string, calls map[string]map[string]callRatio) (string, prov) {
	if e := b.opt.Entry; e != "" {
		for i, w := range ws {
			if names[i] == e || w.Name == e {
				return names[i], measured("the import's options (entry %s)", e)
			}
		}
	}
	called := map[string]bool{}
	for _, tos := range calls {
		for to := range tos {
			called[to] = true
		}
	}
	var roots []string
	for _, n := range names {
		if !called[n] {
			roots = append(roots, n)
		}
	}
	if len(roots) == 1 && len(names) > 1 {
		return roots[0], measured("the call graph: the only component no other calls")
	}
	why := "no entry given"
	if b.opt.Entry != "" {
		why = fmt.Sprintf("entry %q is not an imported component", b.opt.Entry)
	}
	if len(names) == 1 {
		return names[0], measured("the only component imported")
	}
	return roots[0], unknown("%s and the call graph does not single one out (%d components no other calls); default the first of them, %s", why, len(roots), roots[0])
}

func (b *builder) component(at, name string, w Workload, calls map[string]callRatio) *yaml.Node {
	m := mapping()
	m.HeadComment = w.Ref()
	add(m, "name", str(name))
	b.capacity(m, at, name, w)
	b.resources(m, at, name, w)
	b.replicas(m, at, name, w)
	b.startup(m, at, name, w)
	if len(calls) > 0 {
		cm := mapping()
		tos := make([]string, 0, len(calls))
		for to := range calls {
			tos = append(tos, to)
		}
		sort.Strings(tos)
		for _, to := range tos {
			cr := calls[to]
			b.put(cm, at+".calls", name, to, float(cr.k), prov{Estimated, fmt.Sprintf("estimate: %s of calls to %s over %s into %s, mean over the history (%s)",
				units.Rate(cr.rate), to, units.Rate(cr.in), name, b.hist.CallsMetric)})
		}
		add(m, "calls", cm).Style = 0
	}
	b.serving(m, at, name, w)
	if w.HPA != nil && b.simulated(w.HPA) {
		b.hpa(m, at, name, w)
	} else if w.HPA != nil {
		src := "HorizontalPodAutoscaler " + w.Namespace + "/" + w.HPA.Name
		above(m, "replicas", fmt.Sprintf("unknown: %s scales on metrics the simulator does not model; default: no HPA, the replicas stay as they are (the safe direction)", src))
		b.res.Items = append(b.res.Items, Item{Path: at + ".hpa", Component: name, Value: "", Status: Unknown,
			Source: src + " scales on metrics the simulator does not model; default: no HPA, the replicas stay as they are (the safe direction)"})
	}
	b.pdbs(m, at, name, w)
	return m
}

func (b *builder) capacity(m *yaml.Node, at, name string, w Workload) {
	cm := mapping()
	add(m, "capacity", cm)
	at += ".capacity"
	if p, ok := b.opt.Profiles[name]; ok {
		b.put(cm, at, name, "profile", str(p), measured("the capacity profile %s (headroom capacity, matched by the component's name)", p))
		if lim, ok := b.opt.LowerBoundProfiles[name]; ok {
			b.put(cm, at, name, "acceptLowerBound", boolean(true), prov{Assumed, fmt.Sprintf("the profile's max_rate is only a lower bound (limited_by: %s): taken as the capacity, so results are pessimistic and say so", lim)})
		}
		return
	}
	var ch ComponentHistory
	var have bool
	if b.hist != nil {
		ch, have = b.hist.Components[w.Namespace+"/"+w.Name]
	}
	why := "no capacity profile and no Prometheus history"
	if b.hist != nil && !have {
		why = "no capacity profile, and no request history for it in Prometheus"
	}
	if have {
		est := EstimateCapacity(ch.Samples, b.opt.Objectives.LatencyThreshold)
		if !est.Known && !anySample(ch.Samples, func(s LoadSample) bool { return !math.IsNaN(s.Latency) }) {
			est.Reason = "no latency series matched (" + orNone(ch.LatencyQuery) + ")"
		}
		if est.Known {
			ev := fmt.Sprintf("%s; p%g from %s", est.Evidence, ch.LatencyQuantile*100, b.hist.Source)
			b.put(cm, at, name, "perReplicaRPS", float(sig(est.Value)), prov{Estimated, ev})
			b.put(cm, at, name, "lowerBound", boolean(true), prov{Estimated, "estimate: history shows what held, not the knee: a lower bound"})
			add(cm, "estimate", str(ev))
		} else {
			why = "no capacity profile, and " + est.Reason
		}
	}
	if !hasKey(cm, "perReplicaRPS") {
		b.put(cm, at, name, "perReplicaRPS", float(DefaultUnknownCapacity), unknown("%s; default %g/s, a placeholder: measure it with headroom capacity", why, DefaultUnknownCapacity))
		b.put(cm, at, name, "lowerBound", boolean(true), unknown("the capacity above is a placeholder; default true, so that every result says it is not a measurement"))
		add(cm, "estimate", str("placeholder, not a measurement: "+why))
	}
	if have {
		r := EstimateCPUPerRequest(ch.Samples)
		if !r.Known && !anySample(ch.Samples, func(s LoadSample) bool { return !math.IsNaN(s.CPUPerPod) }) {
			r.Reason = "no CPU series matched (" + orNone(ch.CPUQuery) + ")"
		}
		if r.Known {
			b.put(cm, at, name, "cpuPerRequest", str(cpuTimeText(r.Slope)), prov{Estimated, r.Evidence})
			b.put(cm, at, name, "idleCPU", str(cpuText(math.Max(0, r.Intercept))), prov{Estimated, "estimate: intercept of the same regression"})
			return
		}
		why := "cpuPerRequest: " + r.Reason + "; default: not written, the simulator takes a replica at perReplicaRPS to be at its CPU limit (or request)"
		above(m, "capacity", "unknown: "+why)
		b.res.Items = append(b.res.Items, Item{Path: at + ".cpuPerRequest", Component: name, Value: "", Status: Unknown, Source: why})
	}
}

// anySample says whether f holds for one of the samples.
func anySample(ss []LoadSample, f func(LoadSample) bool) bool {
	for _, s := range ss {
		if f(s) {
			return true
		}
	}
	return false
}

func orNone(q string) string {
	if q == "" {
		return "no query"
	}
	return q
}

// cpuTimeText writes seconds of CPU as a duration, to the microsecond.
func cpuTimeText(s float64) string {
	d := time.Duration(math.Round(sig(s)*1e6)) * time.Microsecond
	if d <= 0 {
		d = time.Microsecond
	}
	return d.String()
}

func hasKey(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

func (b *builder) resources(m *yaml.Node, at, name string, w Workload) {
	at += ".resources"
	rm := add(m, "resources", mapping())
	var req, lim struct{ cpu, mem float64 }
	cpuLimits, memLimits := true, true
	for _, c := range w.Containers {
		req.cpu += c.CPURequest
		req.mem += c.MemoryRequest
		lim.cpu += c.CPULimit
		lim.mem += c.MemoryLimit
		cpuLimits = cpuLimits && c.CPULimit > 0
		memLimits = memLimits && c.MemoryLimit > 0
	}
	src := fmt.Sprintf("%s spec.template", w.Ref())
	if len(w.Containers) > 1 {
		src += fmt.Sprintf(" (the sum of its %d containers)", len(w.Containers))
	}
	rq := add(rm, "requests", mapping())
	if req.cpu > 0 {
		b.put(rq, at+".requests", name, "cpu", str(cpuText(req.cpu)), measured("%s", src))
	} else {
		b.put(rq, at+".requests", name, "cpu", str(cpuText(DefaultCPURequest)), unknown("no container sets a CPU request; default %s, GKE Autopilot's default request", cpuText(DefaultCPURequest)))
	}
	if req.mem > 0 {
		b.put(rq, at+".requests", name, "memory", str(bytesText(req.mem)), measured("%s", src))
	}
	if (cpuLimits && lim.cpu > 0) || (memLimits && lim.mem > 0) {
		lm := add(rm, "limits", mapping())
		if cpuLimits && lim.cpu > 0 {
			b.put(lm, at+".limits", name, "cpu", str(cpuText(math.Max(lim.cpu, req.cpu))), measured("%s", src))
		}
		if memLimits && lim.mem > 0 {
			b.put(lm, at+".limits", name, "memory", str(bytesText(math.Max(lim.mem, req.mem))), measured("%s", src))
		}
	}
}

func (b *builder) replicas(m *yaml.Node, at, name string, w Workload) {
	r := w.Replicas
	p := measured("%s spec.replicas", w.Ref())
	if h := w.HPA; h != nil {
		lo := max(h.MinReplicas, 1)
		if r == 0 {
			r, p = lo, unknown("spec.replicas is 0, which disables the HPA (upstream podautoscaler, Kubernetes v1.37); written as the HPA's minReplicas %d", lo)
		} else if r < lo || r > h.MaxReplicas {
			r2 := min(max(r, lo), h.MaxReplicas)
			p = unknown("spec.replicas %d is outside the HPA's %d to %d; written as %d, where the HPA would bring it", r, lo, h.MaxReplicas, r2)
			r = r2
		}
	}
	b.put(m, at, name, "replicas", integer(r), p)
}

func (b *builder) startup(m *yaml.Node, at, name string, w Workload) {
	at += ".startup"
	sm := mapping()
	add(m, "startup", sm)
	st := Startups(w.Startups)
	if st.N < MinStartups {
		d := sim.DefaultStartup
		why := fmt.Sprintf("pods with a complete start-up in their conditions: %d (need %d)", st.N, MinStartups)
		if st.N > 0 {
			why += fmt.Sprintf(", the slowest took %s", units.Duration(maxTotal(w.Startups)))
		}
		src := "default %s from sim.DefaultStartup"
		b.put(sm, at, name, "schedule", str(durText(d.Schedule)), unknown("%s; "+src, why, durText(d.Schedule)))
		b.put(sm, at, name, "imagePull", str(durText(d.ImagePull)), unknown("%s; "+src, why, durText(d.ImagePull)))
		b.put(sm, at, name, "init", str(durText(d.Init)), unknown("%s; "+src, why, durText(d.Init)))
		b.put(sm, at, name, "readiness", str(durText(d.Readiness)), unknown("%s; "+src, why, durText(d.Readiness)))
		return
	}
	pods := fmt.Sprintf("median of %d pods' conditions", st.N)
	b.put(sm, at, name, "schedule", str(durText(st.Schedule)), measured("%s: creation → PodScheduled (p90 %s)", pods, durText(st.ScheduleP90)))
	start := st.Init + st.Start
	pull, ok := Percentile(w.ImagePulls, 0.5)
	if ok {
		pull = min(pull, start)
		b.put(sm, at, name, "imagePull", str(durText(pull)), measured("median of %d Pulled events (%d more found the image cached)", len(w.ImagePulls), w.CachedPulls))
	} else {
		why := "no Pulled events read"
		if w.CachedPulls > 0 {
			why = fmt.Sprintf("%d Pulled events, each with the image already on the node", w.CachedPulls)
		}
		b.put(sm, at, name, "imagePull", str("0s"), unknown("%s; default 0s, the pull stays inside init below (measured from conditions)", why))
		pull = 0
	}
	init := start - pull
	gates := st.Gates
	if init+gates+st.Schedule+pull <= 0 {
		init = time.Second
	}
	b.put(sm, at, name, "init", str(durText(init)), measured("%s: PodScheduled → ContainersReady less the image pull (init containers, start, readiness probe); total p50 %s, p90 %s",
		pods, durText(st.Total), durText(st.TotalP90)))
	if len(w.ReadinessGates) > 0 {
		// The wait for the gates is the load balancer's propagation,
		// modelled by serving below (before Ready: the HPA counts the
		// pod unready meanwhile).
		b.put(sm, at, name, "readiness", str("0s"), measured("%s: the wait from ContainersReady to Ready is the readiness gates', written as serving.propagation", pods))
		gates = 0
	} else {
		b.put(sm, at, name, "readiness", str(durText(gates)), measured("%s: ContainersReady → Ready (p90 %s)", pods, durText(st.GateP90)))
	}
	tail := st.TotalP90
	if len(w.ReadinessGates) > 0 {
		// The gates' wait is serving.propagation's: not start-up.
		ungated := make([]PodStartup, len(w.Startups))
		for i, p := range w.Startups {
			ungated[i], ungated[i].Gates = p, 0
		}
		tail = Startups(ungated).TotalP90
	}
	p90 := max(tail, st.Schedule+pull+init+gates)
	b.put(sm, at, name, "p90", str(durText(p90)), measured("the 90th percentile of %d pods' whole start-up (creation → Ready%s)", st.N, map[bool]string{true: ", less the gates' wait", false: ""}[len(w.ReadinessGates) > 0]))
}

// serving writes a workload's readiness gates: the load balancer's
// propagation happens before its pods are Ready (sim.Serving).
func (b *builder) serving(m *yaml.Node, at, name string, w Workload) {
	if len(w.ReadinessGates) == 0 {
		return
	}
	at += ".serving"
	sv := add(m, "serving", mapping())
	gates := strings.Join(w.ReadinessGates, ", ")
	b.put(sv, at, name, "readinessGate", boolean(true), measured("its pods' spec.readinessGates (%s)", gates))
	st := Startups(w.Startups)
	if st.N >= MinStartups {
		b.put(sv, at, name, "propagation", str(durText(st.Gates)), measured("median of %d pods' conditions: ContainersReady → Ready, the wait for the gates (p90 %s)", st.N, durText(st.GateP90)))
		return
	}
	above(sv, "readinessGate", fmt.Sprintf("unknown: propagation: pods with a complete start-up in their conditions: %d (need %d); default: not written, the simulator's", st.N, MinStartups))
	b.res.Items = append(b.res.Items, Item{Path: at + ".propagation", Component: name, Status: Unknown,
		Source: fmt.Sprintf("pods with a complete start-up in their conditions: %d (need %d); default: not written, the simulator's", st.N, MinStartups)})
}

func maxTotal(ps []PodStartup) time.Duration {
	var m time.Duration
	for _, p := range ps {
		m = max(m, p.Total())
	}
	return m
}

func (b *builder) hpa(m *yaml.Node, at, name string, w Workload) {
	h := w.HPA
	at += ".hpa"
	src := "HorizontalPodAutoscaler " + w.Namespace + "/" + h.Name
	hm := add(m, "hpa", mapping())
	m.Content[len(m.Content)-2].HeadComment = "from " + src + " (autoscaling/v2)"
	if h.MinReplicas > 0 {
		b.put(hm, at, name, "minReplicas", integer(h.MinReplicas), measured("%s spec.minReplicas", src))
	} else {
		b.put(hm, at, name, "minReplicas", integer(1), measured("%s: spec.minReplicas unset, the API server's default 1", src))
	}
	b.put(hm, at, name, "maxReplicas", integer(h.MaxReplicas), measured("%s spec.maxReplicas", src))
	ms := sequence()
	var left []string
	for i, mt := range h.Metrics {
		n, p, ok := b.metric(mt, src, i)
		if !ok {
			left = append(left, p.comment())
			b.res.Items = append(b.res.Items, Item{Path: fmt.Sprintf("%s.metrics[%d]", at, i), Component: name, Value: mt.Type + " " + mt.Name, Status: Unknown, Source: p.source})
			continue
		}
		n.HeadComment = p.comment()
		ms.Content = append(ms.Content, n)
		b.res.Items = append(b.res.Items, Item{Path: fmt.Sprintf("%s.metrics[%d]", at, len(ms.Content)-1), Component: name, Value: mt.Type + " " + mt.Name, Status: p.status, Source: p.source})
	}
	if len(h.Metrics) == 0 {
		// The API server defaults an HPA without metrics to 80% CPU
		// (autoscaling/v2 SetDefaults_HorizontalPodAutoscaler).
		n := resourceMetric("Resource", "cpu", "", Target{Type: "Utilization", AverageUtilization: 80})
		n.HeadComment = "from " + src + ": no metrics, the API server's default of 80% CPU utilization"
		ms.Content = append(ms.Content, n)
	}
	if len(ms.Content) > 0 {
		add(hm, "metrics", ms)
	}
	if len(left) > 0 {
		above(hm, "metrics", strings.Join(left, "\n"))
	}
	if h.Behavior != nil {
		bm := mapping()
		if h.Behavior.ScaleUp != nil {
			b.rules(bm, at+".behavior", name, "scaleUp", h.Behavior.ScaleUp, src)
		}
		if h.Behavior.ScaleDown != nil {
			b.rules(bm, at+".behavior", name, "scaleDown", h.Behavior.ScaleDown, src)
		}
		if len(bm.Content) > 0 {
			add(hm, "behavior", bm)
		}
	}
}

// simulated says whether the simulator models at least one of the HPA's
// metrics (an HPA without metrics scales on CPU).
func (b *builder) simulated(h *HPA) bool {
	if len(h.Metrics) == 0 {
		return true
	}
	for i, mt := range h.Metrics {
		if _, _, ok := b.metric(mt, "", i); ok {
			return true
		}
	}
	return false
}

func resourceMetric(typ, res, container string, t Target) *yaml.Node {
	n := mapping()
	add(n, "type", str(typ))
	field := "resource"
	if typ == "ContainerResource" {
		field = "containerResource"
	}
	r := add(n, field, mapping())
	add(r, "name", str(res))
	if container != "" {
		add(r, "container", str(container))
	}
	add(r, "target", target(t))
	return n
}

func target(t Target) *yaml.Node {
	n := mapping()
	add(n, "type", str(t.Type))
	switch t.Type {
	case "Utilization":
		add(n, "averageUtilization", integer(t.AverageUtilization))
	case "AverageValue":
		add(n, "averageValue", str(t.AverageValue))
	case "Value":
		add(n, "value", str(t.Value))
	}
	return n
}

// metric writes one HPA metric, or says why it is not simulated.
func (b *builder) metric(mt Metric, src string, i int) (*yaml.Node, prov, bool) {
	where := fmt.Sprintf("%s spec.metrics[%d]", src, i)
	switch mt.Type {
	case "Resource", "ContainerResource":
		if mt.Name != "cpu" {
			return nil, unknown("%s (%s %s) is not simulated: the simulator models CPU and request rates only; default: left out, the HPA scales on its other metrics", where, mt.Type, mt.Name), false
		}
		if mt.Target.Type != "Utilization" && mt.Target.Type != "AverageValue" {
			return nil, unknown("%s: target type %q is not simulated; default: left out, the HPA scales on its other metrics", where, mt.Target.Type), false
		}
		return resourceMetric(mt.Type, mt.Name, mt.Container, mt.Target), measured("%s", where), true
	case "Pods", "Object", "External":
		if mt.Target.Type == "" || (mt.Type == "Pods" && mt.Target.Type != "AverageValue") {
			return nil, unknown("%s: target type %q is not simulated; default: left out, the HPA scales on its other metrics", where, mt.Target.Type), false
		}
		n := mapping()
		add(n, "type", str(mt.Type))
		s := add(n, strings.ToLower(mt.Type[:1])+mt.Type[1:], mapping())
		if mt.Type == "Object" {
			o := add(s, "describedObject", mapping())
			if mt.Object.APIVersion != "" {
				add(o, "apiVersion", str(mt.Object.APIVersion))
			}
			add(o, "kind", str(mt.Object.Kind))
			add(o, "name", str(mt.Object.Name))
		}
		id := add(s, "metric", mapping())
		add(id, "name", str(mt.Name))
		if len(mt.Selector) > 0 {
			ml := add(add(id, "selector", mapping()), "matchLabels", mapping())
			keys := make([]string, 0, len(mt.Selector))
			for k := range mt.Selector {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				add(ml, k, str(mt.Selector[k]))
			}
		}
		add(s, "target", target(mt.Target))
		return n, prov{Assumed, fmt.Sprintf("from %s; the simulator reads %s as requests per second (check that it is a request rate)", where, mt.Name)}, true
	}
	return nil, unknown("%s: metric type %q is not simulated; default: left out, the HPA scales on its other metrics", where, mt.Type), false
}

func (b *builder) rules(bm *yaml.Node, at, name, key string, r *Rules, src string) {
	at += "." + key
	rm := add(bm, key, mapping())
	where := src + " spec.behavior." + key
	if r.StabilizationWindowSeconds != nil {
		b.put(rm, at, name, "stabilizationWindowSeconds", integer(*r.StabilizationWindowSeconds), measured("%s", where))
	}
	if r.SelectPolicy != "" {
		b.put(rm, at, name, "selectPolicy", str(r.SelectPolicy), measured("%s", where))
	}
	if r.Tolerance != "" {
		b.put(rm, at, name, "tolerance", str(r.Tolerance), measured("%s", where))
	}
	if len(r.Policies) > 0 {
		ps := sequence()
		for _, p := range r.Policies {
			pm := mapping()
			add(pm, "type", str(p.Type))
			add(pm, "value", integer(p.Value))
			add(pm, "periodSeconds", integer(p.PeriodSeconds))
			ps.Content = append(ps.Content, pm)
		}
		b.put(rm, at, name, "policies", ps, measured("%s.policies", where))
	}
}

// pdbs writes the workload's PodDisruptionBudget as pdb: (the first
// that selects its pods; any other is named in a comment).
func (b *builder) pdbs(m *yaml.Node, at, name string, w Workload) {
	if len(w.PDBs) == 0 {
		return
	}
	p := w.PDBs[0]
	src := "PodDisruptionBudget " + w.Namespace + "/" + p.Name
	pm := mapping()
	switch {
	case p.MinAvailable != "":
		b.put(pm, at+".pdb", name, "minAvailable", podCount(p.MinAvailable), measured("%s spec.minAvailable", src))
	case p.MaxUnavailable != "":
		b.put(pm, at+".pdb", name, "maxUnavailable", podCount(p.MaxUnavailable), measured("%s spec.maxUnavailable", src))
	default:
		return
	}
	add(m, "pdb", pm)
	if len(w.PDBs) > 1 {
		var more []string
		for _, q := range w.PDBs[1:] {
			more = append(more, q.Name)
		}
		above(m, "pdb", fmt.Sprintf("%s also selects its pods (the API refuses evictions of a pod more than one budget selects): %s", strings.Join(more, ", "), w.Namespace))
	}
}

// podCount writes an IntOrString count: 2 or "50%".
func podCount(v string) *yaml.Node {
	if n, err := strconv.Atoi(v); err == nil {
		return integer(n)
	}
	return str(v)
}

func (b *builder) nodes(spec *yaml.Node, n Nodes) {
	nm := mapping()
	add(spec, "nodes", nm)
	at := "spec.nodes"
	switch {
	case n.Autopilot:
		b.put(nm, at, "", "mode", str("autopilot"), measured("the cluster: %s", n.AutopilotSignal))
		if bursting, ok := pricing.SupportsBursting(n.Version); ok {
			b.put(nm, at, "", "bursting", boolean(bursting), measured("the oldest node's kubelet %s (Pod bursting from GKE %s, pricing.BurstingVersion)", n.Version, pricing.BurstingVersion))
		} else {
			above(nm, "mode", fmt.Sprintf("unknown: bursting: no node's GKE version read; default: not written, a cluster that supports Pod bursting (GKE %s and later)", pricing.BurstingVersion))
			b.res.Items = append(b.res.Items, Item{Path: at + ".bursting", Status: Unknown,
				Source: fmt.Sprintf("no node's GKE version read; default: not written, a cluster that supports Pod bursting (GKE %s and later)", pricing.BurstingVersion)})
		}
	case n.MachineType != "" && n.Count > 0:
		b.put(nm, at, "", "mode", str("standard"), measured("the cluster: %d nodes, no sign of Autopilot", n.Total))
		pool := ""
		if n.Pool != "" {
			pool = " in node pool " + n.Pool
		}
		b.put(nm, at, "", "machineType", str(n.MachineType), measured("the nodes' node.kubernetes.io/instance-type: %d of %d nodes%s", n.Count, n.Total, pool))
		if other := n.Total - n.Count; other > 0 {
			nodes := "nodes"
			if other == 1 {
				nodes = "node"
			}
			b.res.Notes = append(b.res.Notes, fmt.Sprintf("the System models one node pool (%s%s); %d %s of other machine types or pools %s left out: the pods that run there are taken to run on it", n.MachineType, pool, other, nodes, map[bool]string{true: "is", false: "are"}[other == 1]))
		}
		why := "the node pool's autoscaling limits are not in Kubernetes objects (gcloud container node-pools describe shows them)"
		b.put(nm, at, "", "minNodes", integer(n.Count), unknown("%s; default the %d nodes running now", why, n.Count))
		b.put(nm, at, "", "maxNodes", integer(n.Count), unknown("%s; default the %d nodes running now: no scale-up, the safe direction", why, n.Count))
	default:
		b.put(nm, at, "", "mode", str("autopilot"), unknown("no nodes read and no sign of Autopilot; default autopilot, which provisions a node for pods that do not fit"))
	}
	b.placeholderPods(nm, at)
}

// placeholderPods writes the placeholder pods as spec.nodes.placeholders:
// their count and the requests of one (the largest, when there are
// several workloads of them).
func (b *builder) placeholderPods(nm *yaml.Node, at string) {
	if len(b.placeholders) == 0 {
		return
	}
	count := 0
	var cpu, mem float64
	var refs []string
	for _, w := range b.placeholders {
		count += w.Replicas
		var c, m float64
		for _, ct := range w.Containers {
			c += ct.CPURequest
			m += ct.MemoryRequest
		}
		cpu, mem = math.Max(cpu, c), math.Max(mem, m)
		refs = append(refs, w.Ref())
	}
	if count == 0 || cpu <= 0 {
		return
	}
	src := strings.Join(refs, ", ")
	pm := add(nm, "placeholders", mapping())
	b.put(pm, at+".placeholders", "", "count", integer(count), measured("spec.replicas of %s (pods at a negative priority)", src))
	b.put(pm, at+".placeholders", "", "cpu", str(cpuText(cpu)), measured("the CPU requests of one pod of %s", src))
	if mem > 0 {
		b.put(pm, at+".placeholders", "", "memory", str(bytesText(mem)), measured("the memory requests of one pod of %s", src))
	}
}

func (b *builder) objectives(spec *yaml.Node) {
	o := b.opt.Objectives
	sm := mapping()
	add(spec, "slo", sm)
	at := "spec.slo"
	p := func(what string) prov {
		if o.Given {
			return measured("the import's options (%s)", what)
		}
		return unknown("no objective given; default %s", what)
	}
	if o.Availability > 0 {
		b.put(sm, at, "", "availability", str(units.Percent(o.Availability)), p("availability "+units.Percent(o.Availability)))
	}
	if o.LatencyThreshold > 0 {
		lm := add(sm, "latency", mapping())
		b.put(lm, at+".latency", "", "threshold", str(durText(o.LatencyThreshold)), p("latency "+durText(o.LatencyThreshold)))
		b.put(lm, at+".latency", "", "target", str(units.Percent(o.LatencyTarget)), p("latency target "+units.Percent(o.LatencyTarget)))
	}
}

// scenarios writes the biggest spike of the history as a replay and its
// × k variants, or a synthetic spike without history.
func (b *builder) scenarios(spec *yaml.Node, ws []Workload, names []string, entry string) {
	seq := sequence()
	add(spec, "scenarios", seq)
	var sp Spike
	var err error = fmt.Errorf("no Prometheus history")
	if b.hist != nil {
		if len(b.hist.Traffic) == 0 {
			err = fmt.Errorf("no traffic history for the entry (%s)", b.hist.TrafficQuery)
		} else {
			sp, err = BiggestSpike(b.hist.Traffic, b.opt.SpikeBefore, b.opt.SpikeAfter)
		}
	}
	if err == nil {
		b.res.ReplayFile = b.opt.ReplayFile
		b.res.Replay = ReplayCSV(sp.Points)
		src := fmt.Sprintf("the biggest spike of %s of history: peak %s at %s, median %s; %s", units.Duration(b.hist.Window), units.Rate(sp.Peak),
			sp.PeakAt.UTC().Format(time.RFC3339), units.Rate(sp.Base), b.hist.TrafficQuery)
		b.scenario(seq, len(seq.Content), "biggest-spike", b.opt.ReplayFile, 1, measured("%s", src))
		for _, k := range b.opt.Multipliers {
			if !(k > 0) || !finite(k) {
				continue
			}
			b.scenario(seq, len(seq.Content), fmt.Sprintf("biggest-spike-x%s", strconv.FormatFloat(k, 'g', -1, 64)), b.opt.ReplayFile, k,
				prov{Estimated, fmt.Sprintf("the biggest spike × %g: what if it came %g times as big", k, k)})
		}
		return
	}
	// Without history: a spike from half the entry's capacity at its
	// replicas, ×10.
	at := fmt.Sprintf("spec.scenarios[%d]", len(seq.Content))
	sc := mapping()
	seq.Content = append(seq.Content, sc)
	add(sc, "name", str("spike-x10"))
	base := 1.0
	for i, w := range ws {
		if names[i] == entry {
			if est, ok := b.entryCapacity(names[i]); ok {
				base = math.Max(1, sig(0.5*est*float64(max(w.Replicas, 1))))
			}
		}
	}
	shape := fmt.Sprintf("spike:base=%g,multiple=%d,at=5m,rise=2m,hold=10m,decay=15m", base, DefaultMissingTrafficMultiple)
	b.put(sc, at, "", "traffic", str(shape), unknown("%v; default a ×%d spike from %s (half the entry's capacity at its replicas)", err, DefaultMissingTrafficMultiple, units.Rate(base)))
	b.put(sc, at, "", "event", str("surprise"), unknown("no history of the event; default surprise: nothing pre-scales, the safe direction"))
	b.put(sc, at, "", "duration", str("1h"), unknown("default 1h: the spike and its decay"))
}

// entryCapacity is the entry's per-replica capacity as written.
func (b *builder) entryCapacity(name string) (float64, bool) {
	for _, it := range b.res.Items {
		if strings.HasSuffix(it.Path, ".capacity.perReplicaRPS") && it.Component == name && it.Status != Unknown {
			v, err := strconv.ParseFloat(it.Value, 64)
			return v, err == nil
		}
	}
	return 0, false
}

func (b *builder) scenario(seq *yaml.Node, i int, name, file string, k float64, p prov) {
	at := fmt.Sprintf("spec.scenarios[%d]", i)
	sc := mapping()
	seq.Content = append(seq.Content, sc)
	add(sc, "name", str(name))
	t := mapping()
	add(t, "kind", str("replay"))
	add(t, "file", str(file))
	if k != 1 {
		add(t, "scale", float(k))
	}
	b.put(sc, at, "", "traffic", t, p)
	b.put(sc, at, "", "event", str("surprise"), prov{Assumed, "a spike in the history was not necessarily announced: surprise, nothing pre-scales (the safe direction)"})
}

// ReplayCSV writes points as a replay file: seconds from the first point
// and the rate per second.
func ReplayCSV(pts []Sample) []byte {
	var b bytes.Buffer
	b.WriteString("seconds,rate\n")
	if len(pts) == 0 {
		return b.Bytes()
	}
	t0 := pts[0].T
	for _, p := range pts {
		fmt.Fprintf(&b, "%s,%s\n", strconv.FormatFloat(p.T.Sub(t0).Seconds(), 'f', -1, 64), strconv.FormatFloat(p.V, 'g', 8, 64))
	}
	return b.Bytes()
}
