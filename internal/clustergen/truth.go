package clustergen

import (
	"math"
	"sort"
	"time"
)

// truthOf returns the workload's truth, creating it.
func (w *wl) truthOf(g *gen) *Workload {
	if w.truth == nil {
		w.truth = &Workload{Key: w.key, Containers: map[string]*Container{}}
		g.truth.Workloads[w.key] = w.truth
	}
	return w.truth
}

// podPattern is an RE2 expression for the names of a workload's pods.
func (w *wl) podPattern() string {
	const s = "[" + safeAlphabet + "]"
	switch w.kind {
	case "Deployment":
		return w.name + "-" + s + "{10}-" + s + "{5}"
	case "StatefulSet":
		return w.name + "-[0-9]+"
	case "DaemonSet":
		return w.name + "-" + s + "{5}"
	case "CronJob":
		return w.name + "-[0-9]{8}-" + s + "{5}"
	}
	return w.name + "-.*"
}

// snapshotPods lists the pods the snapshot holds: those alive at the end,
// and the last completed runs a CronJob keeps.
func (g *gen) snapshotPods(w *wl) []*podInst {
	var out, done []*podInst
	for _, p := range w.pods {
		switch {
		case p.alive(g):
			out = append(out, p)
		case p.finished && p.end > g.end-int64(g.cronRetain+1)*hour:
			done = append(done, p)
		}
	}
	if len(done) > g.cronRetain {
		done = done[len(done)-g.cronRetain:]
	}
	return append(done, out...)
}

// summarise fills the truth from the specs and the simulation.
func (g *gen) summarise() {
	for _, w := range g.wls {
		t := w.truthOf(g)
		t.Roles = append([]Role(nil), w.roles...)
		t.Description = w.desc
		t.HasTraffic = w.hasTraffic
		t.HTTPMetric = w.httpMetric
		t.Created = time.Unix(w.created, 0).UTC()
		t.History = time.Duration(g.end-w.created) * time.Second
		t.StatefulSet = w.kind == "StatefulSet"
		t.PDB = w.pdbMinAvail > 0
		if w.kind == "Deployment" || w.kind == "StatefulSet" {
			t.Replicas = w.replicasAt(g, g.end)
		}
		t.PodPattern = w.podPattern()
		if h := w.hpa; h != nil {
			th := &HPA{Name: w.name, Min: h.min, Max: h.max, CPUTarget: h.target, Container: h.container,
				Current: w.replicasAt(g, g.end), Lowest: math.MaxInt}
			n, atMax := 0, 0
			for i, r := range w.repl {
				if g.scanStart+int64(i)*minute <= g.start {
					continue
				}
				n++
				if r == h.max {
					atMax++
				}
				th.Lowest, th.Highest = min(th.Lowest, r), max(th.Highest, r)
			}
			th.AtMaxShare = float64(atMax) / float64(n)
			t.HPA = th
			t.HPAPinned = th.AtMaxShare >= 0.5
		}
		pools := map[string]bool{}
		for _, p := range g.snapshotPods(w) {
			tp := &Pod{Namespace: w.ns, Name: p.name, Workload: w.key, Phase: "Running"}
			switch {
			case p.pending:
				tp.Phase = "Pending"
				t.PendingPods++
			case p.finished:
				tp.Phase = "Succeeded"
			default:
				t.RunningPods++
			}
			if p.node != nil {
				tp.Node, tp.Pool = p.node.Name, p.node.Pool
				if tp.Phase == "Running" {
					pools[p.node.Pool] = true
				}
			}
			g.truth.Pods[w.ns+"/"+p.name] = tp
		}
		for p := range pools {
			t.Pools = append(t.Pools, p)
		}
		sort.Strings(t.Pools)
		for _, s := range w.ctrs {
			c := &Container{Name: s.name, CPURequest: s.req.cpu, MemoryRequest: s.req.mem, CPULimit: s.lim.cpu, MemoryLimit: s.lim.mem}
			var periods, throttled float64
			for _, p := range w.pods {
				for _, cs := range p.ctrs {
					if cs.spec.name != s.name {
						continue
					}
					if len(cs.perMinute) > 0 {
						c.CPUPeak = max(c.CPUPeak, maxOf(cs.perMinute))
						c.CPUP99 = max(c.CPUP99, quantile(0.99, cs.perMinute))
						c.KrrCPU = max(c.KrrCPU, quantile(0.95, cs.perMinute))
						c.VPACPU = max(c.VPACPU, vpaTarget(cs.perMinute, cs.perMinuteT, g.end))
					}
					if len(cs.fiveMinute) > 0 {
						c.CPUP95Of5m = max(c.CPUP95Of5m, quantile(0.95, cs.fiveMinute))
					}
					c.MemoryPeak = max(c.MemoryPeak, cs.memPeak)
					periods += cs.periods
					throttled += cs.throttled
					for _, r := range cs.restarts {
						if r > g.start {
							c.Restarts++
						}
					}
					c.OOMKills += cs.oomKills
				}
			}
			if periods > 0 {
				c.Throttled = throttled / periods
			}
			t.Containers[s.name] = c
		}
		for _, p := range w.pods {
			if p.end > g.start && p.start <= g.end {
				t.PodNames = append(t.PodNames, p.name)
			}
			if w.kind == "CronJob" && p.end > g.start && p.start < g.end {
				t.CronRuns++
				t.CronPodHours += float64(min(p.end, g.end)-max(p.start, g.start)) / float64(hour)
			}
		}
	}
}

// vpaTarget is the VPA recommender's CPU target for one container, from
// its per-minute usage: the 90th percentile of the samples of the last 8
// days weighted by 2^((t - end)/24h) (a 24-hour half-life), plus a 15%
// margin. The recommender keeps samples in buckets 5% apart and weights
// them by the container's request as well (constant here); this takes the
// exact weighted percentile instead, within those 5%.
func vpaTarget(vs []float64, ts []int64, end int64) float64 {
	type sample struct{ v, w float64 }
	var ss []sample
	var total float64
	for i, v := range vs {
		age := float64(end - ts[i])
		if age > 8*24*3600 {
			continue
		}
		w := math.Exp2(-age / (24 * 3600))
		ss = append(ss, sample{v, w})
		total += w
	}
	if len(ss) == 0 {
		return 0
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].v < ss[j].v })
	acc := 0.0
	for _, s := range ss {
		acc += s.w
		if acc >= 0.9*total {
			return s.v * 1.15
		}
	}
	return ss[len(ss)-1].v * 1.15
}

func maxOf(vs []float64) float64 {
	m := math.Inf(-1)
	for _, v := range vs {
		m = max(m, v)
	}
	return m
}
