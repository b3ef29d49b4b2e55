package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/units"
)

// SystemFile writes the recommendation as a System file: the document the
// plan was made from (its top mapping, src), with the settings the plan
// changed. Comments and references to other files are kept, except a
// capacity profile for a component whose CPU request changed: its
// capacity, scaled, is written inline.
//
// The System file applies pre-scaling to every announced scenario alike,
// so the pre-scaling written is one window covering every event's, at
// the highest floor: simulating it is at least as safe as the plan, and
// may cost a little more. Each scenario planned gets its event as planned
// (event: announced, "assuming you know the date", or event: surprise,
// "for a surprise", which no pre-scaling reaches), so the file simulates
// as the plan did.
//
// rebase, when set, rewrites the relative file names the document refers
// to (capacity profiles, an SLO file, replayed traffic), for a file
// written in another directory.
func SystemFile(src *yaml.Node, rec *Evaluation, rebase func(string) string) ([]byte, error) {
	if src == nil || src.Kind != yaml.MappingNode || rec == nil {
		return nil, errf("writing a System file needs the file the plan was made from")
	}
	doc := clone(src)
	doc.HeadComment = strings.TrimSpace("Recommended by headroom plan.\n" + doc.HeadComment)
	spec := child(doc, "spec")
	comps := child(spec, "components")
	if comps == nil {
		return nil, errf("the System file has no spec.components")
	}
	for i := range rec.Config.Components {
		cc := &rec.Config.Components[i]
		node := findComponent(comps, cc.Name)
		if node == nil {
			return nil, errf("the System file has no component %q", cc.Name)
		}
		patchComponent(node, cc, rec.System.Components[i])
	}
	patchNodes(doc, spec, rec.Config.Buffer)
	patchEvents(spec, rec)
	if rebase != nil {
		rebaseFiles(spec, rebase)
	}
	return encode(doc)
}

// patchEvents writes each planned scenario's event as the plan assumed it,
// with a comment saying so.
func patchEvents(spec *yaml.Node, rec *Evaluation) {
	for _, o := range rec.Scenarios {
		if o.Event == "" {
			continue
		}
		for _, sc := range nodes(child(spec, "scenarios")) {
			if n := child(sc, "name"); n == nil || n.Value != o.Name {
				continue
			}
			set(sc, "event", str(o.Event))
			if sc.Style == yaml.FlowStyle {
				// A one-line scenario keeps its line; the comment follows it.
				sc.LineComment = "planned " + o.Assumption
				continue
			}
			// The comment replaces one the old value had: it said what
			// an earlier plan assumed, or nothing the plan keeps to.
			v := child(sc, "event")
			v.LineComment = "planned " + o.Assumption
			if o.Prescaled {
				v.LineComment += ": pre-scaled before it"
			} else if o.Event == sim.EventSurprise.String() {
				v.LineComment += ": no pre-scaling before it"
			}
		}
	}
}

// rebaseFiles rewrites the file names a System document refers to.
func rebaseFiles(spec *yaml.Node, rebase func(string) string) {
	fix := func(n *yaml.Node) {
		if n != nil && n.Kind == yaml.ScalarNode && n.Value != "" {
			n.Value = rebase(n.Value)
		}
	}
	for _, c := range nodes(child(spec, "components")) {
		fix(child(child(c, "capacity"), "profile"))
	}
	fix(child(child(spec, "slo"), "ref"))
	for _, sc := range nodes(child(spec, "scenarios")) {
		t := child(sc, "traffic")
		if t == nil {
			continue
		}
		if t.Kind == yaml.MappingNode {
			fix(child(t, "file"))
			continue
		}
		// The one-line form: kind:key=value,...
		kind, params, ok := strings.Cut(t.Value, ":")
		if !ok {
			continue
		}
		parts := strings.Split(params, ",")
		for j, p := range parts {
			if k, v, ok := strings.Cut(p, "="); ok && strings.TrimSpace(k) == "file" {
				parts[j] = k + "=" + rebase(strings.TrimSpace(v))
			}
		}
		t.Value = kind + ":" + strings.Join(parts, ",")
	}
}

func nodes(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func findComponent(comps *yaml.Node, name string) *yaml.Node {
	for _, c := range comps.Content {
		if n := child(c, "name"); n != nil && n.Value == name {
			return c
		}
	}
	return nil
}

func patchComponent(node *yaml.Node, cc *ComponentConfig, comp sim.Component) {
	res := ensure(node, "resources")
	req := ensure(res, "requests")
	set(req, "cpu", str(units.CPU(cc.CPURequest)))
	set(req, "memory", str(fmtBytes(cc.MemoryRequest)))
	if cc.CPULimit > 0 || cc.MemoryLimit > 0 {
		lim := ensure(res, "limits")
		if cc.CPULimit > 0 {
			set(lim, "cpu", str(units.CPU(cc.CPULimit)))
		}
		if cc.MemoryLimit > 0 {
			set(lim, "memory", str(fmtBytes(cc.MemoryLimit)))
		}
	}
	if cc.CapacityScale != 1 {
		inline := capacityNode(comp.Capacity)
		inline.HeadComment = fmt.Sprintf("the capacity at %s CPU: the measured one × %s, in proportion to the CPU request",
			units.CPU(cc.CPURequest), strconv.FormatFloat(roundTo(cc.CapacityScale, 4), 'g', -1, 64))
		set(node, "capacity", inline)
	}
	if cc.HPA == nil {
		set(node, "replicas", intNode(cc.Replicas))
	} else {
		del(node, "replicas")
		h := ensure(node, "hpa")
		set(h, "minReplicas", intNode(cc.HPA.MinReplicas))
		set(h, "maxReplicas", intNode(cc.HPA.MaxReplicas))
		w := &writer{}
		set(h, "metrics", w.metrics(cc, h))
		if b := w.behavior(cc.HPA, h); b != nil {
			set(h, "behavior", b)
		}
	}
	del(node, "prescale")
	if steps := cc.Prescale; len(steps) > 0 {
		start, end, p := steps[0].Start, steps[0].End, 0
		var parts []string
		for _, s := range steps {
			start, end, p = min(start, s.Start), max(end, s.End), max(p, s.Replicas)
			parts = append(parts, fmt.Sprintf("%s: %d replicas from T+%s to T+%s", s.Scenario, s.Replicas, units.Duration(s.Start), units.Duration(s.End)))
		}
		seqNode := seq(mapping("at", durationString(start), "minReplicas", p))
		if end > start {
			seqNode.Content = append(seqNode.Content, mapping("at", durationString(end), "minReplicas", cc.floor()))
		}
		key := str("prescale")
		key.HeadComment = "one window covering the pre-scaling before each announced event, " + sim.AssumingTheDate +
			" (" + strings.Join(parts, "; ") + "); it does not apply to a surprise"
		node.Content = append(node.Content, key, seqNode)
	}
}

// capacityNode writes a capacity inline.
func capacityNode(c sim.Capacity) *yaml.Node {
	n := mapping("perReplicaRPS", roundTo(c.PerReplicaRPS, 6))
	if c.LowerBound {
		set(n, "lowerBound", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	if c.CPUPerRequest > 0 {
		set(n, "cpuPerRequest", str(durationString(secs(c.CPUPerRequest).Round(time.Microsecond))))
	}
	if c.IdleCPU > 0 {
		set(n, "idleCPU", str(units.CPU(c.IdleCPU)))
	}
	if len(c.Latency) > 0 {
		pts := seq()
		for _, p := range c.Latency {
			pt := mapping("rate", roundTo(p.Rate, 6), "p50", durationString(secs(p.P50).Round(time.Microsecond)),
				"p90", durationString(secs(p.P90).Round(time.Microsecond)), "p99", durationString(secs(p.P99).Round(time.Microsecond)))
			if p.ErrorRatio > 0 {
				set(pt, "errorRatio", floatNode(roundTo(p.ErrorRatio, 6)))
			}
			pt.Style = yaml.FlowStyle
			pts.Content = append(pts.Content, pt)
		}
		set(n, "latency", pts)
	}
	return n
}

func roundTo(x float64, d int) float64 {
	p := math.Pow10(d)
	return math.Round(x*p) / p
}

// patchNodes writes the spare capacity as placeholder pods or a
// CapacityBuffer (keeping a standby buffer's resume delay).
func patchNodes(doc, spec *yaml.Node, b Buffer) {
	nodes := child(spec, "nodes")
	if b.Count == 0 {
		if nodes != nil {
			del(nodes, "buffer")
			del(nodes, "placeholders")
			del(nodes, "capacityBuffer")
		}
		return
	}
	if nodes == nil {
		nodes = mapping("mode", "autopilot")
		set(spec, "nodes", nodes)
	}
	del(nodes, "buffer")
	if b.CapacityBuffer() {
		del(nodes, "placeholders")
		cb := mapping("provisioningStrategy", b.Kind, "replicas", b.Count,
			"podTemplate", mapping("cpu", units.CPU(b.CPU), "memory", fmtBytes(b.Memory)))
		if old := child(nodes, "capacityBuffer"); old != nil && b.Kind == "standby" {
			if d := child(old, "resumeDelay"); d != nil {
				set(cb, "resumeDelay", clone(d))
			}
		}
		child(cb, "podTemplate").Style = yaml.FlowStyle
		set(nodes, "capacityBuffer", cb)
		return
	}
	del(nodes, "capacityBuffer")
	ph := mapping("count", b.Count, "cpu", units.CPU(b.CPU), "memory", fmtBytes(b.Memory))
	ph.Style = yaml.FlowStyle
	set(nodes, "placeholders", ph)
}
