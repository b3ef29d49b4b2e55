package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/units"
)

// config is the public form of a candidate.
func (sp *space) config(c *cand, v *variant) Config {
	var out Config
	for i := range sp.comps {
		cs := &sp.comps[i]
		o := cs.cpus[c.cpu[i]]
		cc := ComponentConfig{Name: cs.name, CPURequest: o.res.CPURequest, CPULimit: o.res.CPULimit,
			MemoryRequest: o.res.MemoryRequest, MemoryLimit: o.res.MemoryLimit, PerReplicaRPS: o.capa.PerReplicaRPS, CapacityScale: roundTo(o.factor, 6)}
		if cs.hpa {
			m := cs.metricAt(c.load[i], c.cpu[i])
			name := behaviorToday
			if c.beh[i] > 0 {
				name = behaviorFast
			}
			cc.HPA = &HPAConfig{MinReplicas: c.min[i], MaxReplicas: c.max[i], Target: targetOf(m, o), ScaleUp: name,
				Behavior: cs.behaviors[c.beh[i]], metric: m}
		} else {
			cc.Replicas = c.min[i]
		}
		for s := range sp.scen {
			si := &sp.scen[s]
			if p := c.pre[i][s]; si.known && p > c.min[i] {
				start := max(0, si.win.event-cs.lead)
				cc.Prescale = append(cc.Prescale, PrescaleStep{Scenario: si.Name, Replicas: p, Start: start, End: si.win.end,
					Lead: cs.lead, Event: si.win.event,
					StartS: start.Seconds(), EndS: si.win.end.Seconds(), LeadS: cs.lead.Seconds(), EventS: si.win.event.Seconds()})
			}
		}
		out.Components = append(out.Components, cc)
	}
	out.Buffer = sp.buffers[c.buf].public()
	return out
}

// everyAnnounced names the scenarios today's pre-scaling applies to.
const everyAnnounced = "(every announced scenario)"

// todayConfig is today's configuration in the public form.
func (sp *space) todayConfig() Config {
	var out Config
	for _, comp := range sp.base.Components {
		r := comp.Resources
		cc := ComponentConfig{Name: comp.Name, CPURequest: r.CPURequest, CPULimit: r.CPULimit, MemoryRequest: r.MemoryRequest,
			MemoryLimit: r.MemoryLimit, PerReplicaRPS: comp.Capacity.PerReplicaRPS, CapacityScale: 1}
		if h := comp.HPA; h != nil {
			m := sim.Metric{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: sim.DefaultCPUUtilization}
			if len(h.Metrics) > 0 {
				m = h.Metrics[0]
			}
			cc.HPA = &HPAConfig{MinReplicas: h.MinReplicas, MaxReplicas: h.MaxReplicas, ScaleUp: behaviorToday, Behavior: h.Behavior,
				Target: targetOf(m, cpuOpt{res: r, capa: comp.Capacity}), metric: m}
		} else {
			cc.Replicas = max(comp.Replicas, 1)
		}
		for j, p := range comp.Prescale {
			step := PrescaleStep{Scenario: everyAnnounced, Replicas: p.MinReplicas, Start: p.At, StartS: p.At.Seconds(), End: -1, EndS: -1}
			if j+1 < len(comp.Prescale) {
				step.End, step.EndS = comp.Prescale[j+1].At, comp.Prescale[j+1].At.Seconds()
			}
			if p.MinReplicas > cc.floor() {
				cc.Prescale = append(cc.Prescale, step)
			}
		}
		out.Components = append(out.Components, cc)
	}
	n := sp.base.Nodes
	switch cb := n.CapacityBuffer; {
	case sp.fileBuf >= 0:
		out.Buffer = sp.buffers[sp.fileBuf].public()
	case n.BufferCPU > 0 || n.BufferMemory > 0:
		out.Buffer = Buffer{Count: 1, CPU: n.BufferCPU, Memory: n.BufferMemory}
	case !cb.IsZero() && n.Mode == sim.Standard:
		out.Buffer = Buffer{Kind: cb.Strategy.String(), Count: cb.Replicas, CPU: cb.CPU, Memory: cb.Memory}
	}
	return out
}

// targetOf describes a metric's target.
func targetOf(m sim.Metric, o cpuOpt) Target {
	t := Target{Metric: m.Name, Source: m.Source.String(), Type: m.Target.String()}
	load := math.NaN()
	if m.Source == sim.ResourceMetric && t.Metric == "" {
		t.Metric = "cpu"
	}
	switch {
	case m.Target == sim.UtilizationTarget:
		t.Value = float64(m.AverageUtilization)
		// The rate at which a replica's CPU reaches the target, as a
		// fraction of its capacity.
		cpr := o.capa.CPUPerRequest
		if cpr == 0 && o.capa.PerReplicaRPS > 0 {
			ref := o.res.CPULimit
			if ref == 0 {
				ref = o.res.CPURequest
			}
			cpr = math.Max(ref-o.capa.IdleCPU, 0) / o.capa.PerReplicaRPS
		}
		if cpr > 0 && o.capa.PerReplicaRPS > 0 {
			load = math.Max(0, (t.Value/100*o.res.CPURequest-o.capa.IdleCPU)/cpr/o.capa.PerReplicaRPS)
		}
	default:
		t.Value = float64(m.Value) / 1000
		if m.Source != sim.ResourceMetric && m.Target == sim.AverageValueTarget && o.capa.PerReplicaRPS > 0 {
			load = t.Value / o.capa.PerReplicaRPS
		}
	}
	if !math.IsNaN(load) {
		l := round4(load)
		t.Load = &l
	}
	return t
}

// String is the target as a person reads it: "CPU 60%", "50 req/s per pod".
func (t Target) String() string {
	switch {
	case t.Type == "Utilization":
		return fmt.Sprintf("CPU %g%%", t.Value)
	case t.Source == "Resource":
		return fmt.Sprintf("CPU %s per pod", units.CPU(t.Value))
	case t.Type == "AverageValue":
		return fmt.Sprintf("%s %s per pod", strconv.FormatFloat(t.Value, 'g', 4, 64), t.Metric)
	}
	return fmt.Sprintf("%s %s", strconv.FormatFloat(t.Value, 'g', 4, 64), t.Metric)
}

// changes lists the settings that differ between two configurations.
func changes(from, to *Config) []Change {
	var out []Change
	add := func(comp, setting, a, b string) {
		if a != b {
			out = append(out, Change{Component: comp, Setting: setting, From: a, To: b})
		}
	}
	for i := range to.Components {
		a, b := &from.Components[i], &to.Components[i]
		add(b.Name, "cpu request", units.CPU(a.CPURequest), units.CPU(b.CPURequest))
		add(b.Name, "cpu limit", fmtCoresOrNone(a.CPULimit), fmtCoresOrNone(b.CPULimit))
		add(b.Name, "memory request", fmtBytes(a.MemoryRequest), fmtBytes(b.MemoryRequest))
		add(b.Name, "memory limit", fmtBytesOrNone(a.MemoryLimit), fmtBytesOrNone(b.MemoryLimit))
		if a.HPA != nil && b.HPA != nil {
			add(b.Name, "minReplicas", strconv.Itoa(a.HPA.MinReplicas), strconv.Itoa(b.HPA.MinReplicas))
			add(b.Name, "maxReplicas", strconv.Itoa(a.HPA.MaxReplicas), strconv.Itoa(b.HPA.MaxReplicas))
			add(b.Name, "target", a.HPA.Target.String(), b.HPA.Target.String())
			add(b.Name, "scale-up", a.HPA.ScaleUp, b.HPA.ScaleUp)
		} else {
			add(b.Name, "replicas", strconv.Itoa(a.Replicas), strconv.Itoa(b.Replicas))
		}
		add(b.Name, "pre-scale", prescaleString(a.Prescale), prescaleString(b.Prescale))
	}
	add("nodes", "spare capacity", from.Buffer.String(), to.Buffer.String())
	return out
}

func prescaleString(steps []PrescaleStep) string {
	if len(steps) == 0 {
		return "none"
	}
	var parts []string
	for _, p := range steps {
		if p.Scenario == everyAnnounced {
			parts = append(parts, fmt.Sprintf("%d replicas from T+%s", p.Replicas, units.Duration(p.Start)))
			continue
		}
		parts = append(parts, fmt.Sprintf("%d replicas %s before %s", p.Replicas, units.Duration(p.Lead), p.Scenario))
	}
	return strings.Join(parts, "; ")
}

// String describes the buffer: "2 placeholder pods of 500m CPU, 512Mi",
// or "standby CapacityBuffer of 2 × (500m CPU, 512Mi)".
func (b Buffer) String() string {
	if b.Count == 0 || (b.CPU == 0 && b.Memory == 0) {
		return "none"
	}
	if b.CapacityBuffer() {
		return fmt.Sprintf("%s CapacityBuffer of %d × (%s CPU, %s)", b.Kind, b.Count, units.CPU(b.CPU), fmtBytes(b.Memory))
	}
	s := "s"
	if b.Count == 1 {
		s = ""
	}
	return fmt.Sprintf("%d placeholder pod%s of %s CPU, %s", b.Count, s, units.CPU(b.CPU), fmtBytes(b.Memory))
}

// public is the option as a Buffer.
func (b bufferOpt) public() Buffer {
	out := Buffer{Count: b.count, CPU: b.cpu, Memory: b.mem}
	switch {
	case b.count == 0:
		return Buffer{}
	case b.kind == bkActive:
		out.Kind = "active"
	case b.kind == bkStandby:
		out.Kind = "standby"
	}
	return out
}

func fmtCoresOrNone(c float64) string {
	if c == 0 {
		return "none"
	}
	return units.CPU(c)
}

// fmtBytes writes bytes as a Kubernetes quantity: 512Mi, 1Gi, 1536Mi.
func fmtBytes(b float64) string {
	n := int64(math.Round(b))
	switch {
	case n == 0:
		return "0"
	case n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "Gi"
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "Mi"
	case n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "Ki"
	}
	return strconv.FormatInt(n, 10)
}

func fmtBytesOrNone(b float64) string {
	if b == 0 {
		return "none"
	}
	return fmtBytes(b)
}

// fmtDuration writes a duration without zero units: 5m, 1m30s, 2h.
func fmtDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
