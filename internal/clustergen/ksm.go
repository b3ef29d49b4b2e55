package clustergen

import (
	"fmt"
	"strconv"
)

// machine is a node shape.
type machine struct {
	name, family                 string
	cpu, mem, allocCPU, allocMem float64
}

var (
	n2Standard4 = machine{"n2-standard-4", "n2", 4, 16380564 * 1024, 3.92, 13321364 * 1024}
	e2Standard4 = machine{"e2-standard-4", "e2", 4, 16393936 * 1024, 3.92, 13358288 * 1024}
	ekStandard8 = machine{"ek-standard-8", "ek", 8, 32882836 * 1024, 7.91, 29408404 * 1024}
)

var zones = []string{"us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"}

// buildNodes makes the nodes: in Standard mode 3 n2-standard-4 in pool
// default and 3 e2-standard-4 in pool stateless; in Autopilot 4
// ek-standard-8 named gk3-….
func (g *gen) buildNodes() {
	g.pools = map[string][]*node{}
	add := func(pool string, m machine, n int, prefix string) {
		group := randHex(g.rng("instance-group", pool), 8)
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("%s-%s-%s-%s", prefix, pool, group, randString(g.rng("node", pool, strconv.Itoa(i)), 4))
			nd := &node{Node: Node{Name: name, Pool: pool, MachineType: m.name, Zone: zones[i%len(zones)],
				CPU: m.cpu, Memory: m.mem, AllocatableCPU: m.allocCPU, AllocatableMemory: m.allocMem}, created: g.nodeCreated}
			g.nodes = append(g.nodes, nd)
			g.pools[pool] = append(g.pools[pool], nd)
		}
	}
	if g.opts.Mode == Autopilot {
		add(PoolAutopilot, ekStandard8, 4, "gk3-"+g.opts.Cluster)
	} else {
		add(PoolDefault, n2Standard4, 3, "gke-"+g.opts.Cluster)
		add(PoolStateless, e2Standard4, 3, "gke-"+g.opts.Cluster)
	}
	for _, n := range g.nodes {
		g.truth.Nodes = append(g.truth.Nodes, n.Node)
	}
}

// dense lists the kube-state-metrics scrape times (every 5 minutes) of an
// object alive over [a, b], within the window.
func (g *gen) dense(a, b int64) []int64 {
	a = max(a, g.start+1)
	b = min(b, g.end)
	var out []int64
	for t := a + (300-a%300)%300; t <= b; t += 300 {
		out = append(out, t)
	}
	return out
}

// sparse thins dense for series that do not change: the first and last
// samples of the object's life, one an hour, and every 5 minutes in the
// window's last 30 minutes.
func (g *gen) sparse(a, b int64) []int64 {
	all := g.dense(a, b)
	var out []int64
	for i, t := range all {
		if i == 0 || i == len(all)-1 || t%hour == 0 || t >= g.end-30*minute {
			out = append(out, t)
		}
	}
	return out
}

func (g *gen) constSeries(times []int64, v float64, name string, kv ...string) {
	if len(times) == 0 {
		return
	}
	s := g.store.newSeries(name, kv...)
	for _, t := range times {
		s.add(t, v)
	}
}

// emitKSM writes the kube-state-metrics series.
func (g *gen) emitKSM() {
	for _, w := range g.wls {
		g.workloadKSM(w)
		for _, p := range w.pods {
			g.podKSM(w, p)
		}
	}
	for _, n := range g.nodes {
		times := g.sparse(n.created, g.end)
		g.constSeries(times, 1, "kube_node_labels", "node", n.Name,
			"label_node_kubernetes_io_instance_type", n.MachineType,
			"label_cloud_google_com_gke_nodepool", n.Pool,
			"label_topology_kubernetes_io_region", Region)
		g.constSeries(times, 1, "kube_node_info", "node", n.Name, "kubelet_version", KubeletVersion)
		for _, x := range []struct {
			name     string
			cpu, mem float64
		}{{"kube_node_status_capacity", n.CPU, n.Memory}, {"kube_node_status_allocatable", n.AllocatableCPU, n.AllocatableMemory}} {
			g.constSeries(times, x.cpu, x.name, "node", n.Name, "resource", "cpu", "unit", "core")
			g.constSeries(times, x.mem, x.name, "node", n.Name, "resource", "memory", "unit", "byte")
			g.constSeries(times, 110, x.name, "node", n.Name, "resource", "pods", "unit", "integer")
		}
	}
}

func (g *gen) workloadKSM(w *wl) {
	changing := w.hpa != nil || w.replicasFn != nil
	times := g.sparse(w.created, g.end)
	if changing {
		times = g.dense(w.created, g.end)
	}
	switch w.kind {
	case "Deployment":
		spec := g.store.newSeries("kube_deployment_spec_replicas", "namespace", w.ns, "deployment", w.name)
		status := g.store.newSeries("kube_deployment_status_replicas", "namespace", w.ns, "deployment", w.name)
		for _, t := range times {
			n := float64(w.replicasAt(g, t))
			spec.add(t, n)
			status.add(t, n)
		}
		for gen, rs := range w.rs {
			from := w.created
			if gen > 0 {
				from = w.rollouts[gen-1]
			}
			g.constSeries(g.sparse(from, g.end), 1, "kube_replicaset_owner",
				"namespace", w.ns, "replicaset", rs, "owner_kind", "Deployment", "owner_name", w.name)
		}
	case "StatefulSet":
		g.constSeries(times, float64(w.replicas), "kube_statefulset_replicas", "namespace", w.ns, "statefulset", w.name)
		g.constSeries(times, float64(w.replicas), "kube_statefulset_status_replicas", "namespace", w.ns, "statefulset", w.name)
	case "CronJob":
		for _, p := range w.pods {
			g.constSeries(g.podTimes(w, p), 1, "kube_job_owner",
				"namespace", w.ns, "job_name", p.owner, "owner_kind", "CronJob", "owner_name", w.name)
		}
	}
	if h := w.hpa; h != nil {
		hpa := []string{"namespace", w.ns, "horizontalpodautoscaler", w.name}
		times := g.dense(w.created, g.end)
		g.constSeries(times, float64(h.min), "kube_horizontalpodautoscaler_spec_min_replicas", hpa...)
		g.constSeries(times, float64(h.max), "kube_horizontalpodautoscaler_spec_max_replicas", hpa...)
		g.constSeries(times, h.target*100, "kube_horizontalpodautoscaler_spec_target_metric",
			append(hpa, "metric_name", "cpu", "metric_target_type", "utilization")...)
		g.constSeries(times, 1, "kube_horizontalpodautoscaler_info",
			append(hpa, "scaletargetref_kind", w.kind, "scaletargetref_name", w.name)...)
		cur := g.store.newSeries("kube_horizontalpodautoscaler_status_current_replicas", hpa...)
		for _, t := range times {
			cur.add(t, float64(w.replicasAt(g, t)))
		}
	}
}

// podTimes are the scrape times of a pod object's series: while it
// exists (a pod that ended is gone at its end; a completed CronJob pod
// stays until its Job is deleted). A CronJob run is scraped every 5
// minutes while it runs.
func (g *gen) podTimes(w *wl, p *podInst) []int64 {
	last := func(end int64) int64 {
		if end > g.end {
			return g.end
		}
		return end - 1
	}
	if w.kind != "CronJob" {
		return g.sparse(p.start, last(p.end))
	}
	times := g.dense(p.start, last(p.end))
	if p.finished {
		times = append(times, g.sparse(p.end, last(p.objectEnd()))...)
	}
	return times
}

func (g *gen) podKSM(w *wl, p *podInst) {
	times := g.podTimes(w, p)
	if len(times) == 0 {
		return
	}
	end := times[len(times)-1]
	nodeName := ""
	if p.node != nil {
		nodeName = p.node.Name
	}
	pod := []string{"namespace", w.ns, "pod", p.name}
	g.constSeries(times, 1, "kube_pod_owner", append(pod, "owner_kind", p.ownerKind, "owner_name", p.owner, "owner_is_controller", "true")...)
	g.constSeries(times, 1, "kube_pod_info", append(pod, "node", nodeName)...)
	running := g.store.newSeries("kube_pod_status_phase", append(pod, "phase", "Running")...)
	pending := g.store.newSeries("kube_pod_status_phase", append(pod, "phase", "Pending")...)
	for _, t := range times {
		r, pe := 1.0, 0.0
		switch {
		case p.pending:
			r, pe = 0, 1
		case t >= p.end: // Succeeded
			r = 0
		}
		running.add(t, r)
		pending.add(t, pe)
	}
	for _, c := range p.ctrs {
		s := c.spec
		ctr := append(append([]string{}, pod...), "container", s.name)
		g.constSeries(times, 1, "kube_pod_container_info", ctr...)
		for _, r := range []struct {
			name string
			v    res
		}{{"kube_pod_container_resource_requests", s.req}, {"kube_pod_container_resource_limits", s.lim}} {
			if r.v.cpu > 0 {
				g.constSeries(times, r.v.cpu, r.name, append(ctr, "node", nodeName, "resource", "cpu", "unit", "core")...)
			}
			if r.v.mem > 0 {
				g.constSeries(times, r.v.mem, r.name, append(ctr, "node", nodeName, "resource", "memory", "unit", "byte")...)
			}
		}
		if len(c.restarts) == 0 {
			g.constSeries(times, 0, "kube_pod_container_status_restarts", ctr...)
			continue
		}
		dense := g.dense(p.start, end)
		if w.kind == "CronJob" {
			dense = times
		}
		rs := g.store.newSeries("kube_pod_container_status_restarts", ctr...)
		var last *series
		lastReason := ""
		i := 0
		for _, t := range dense {
			for i < len(c.restarts) && c.restarts[i] <= t {
				i++
			}
			rs.add(t, float64(i))
			if i > 0 {
				if r := c.reasons[i-1]; r != lastReason {
					last = g.store.newSeries("kube_pod_container_status_last_terminated_reason", append(ctr, "reason", r)...)
					lastReason = r
				}
				last.add(t, 1)
			}
		}
	}
}
