package clustergen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

const (
	minute = int64(60)
	hour   = int64(3600)
	day    = 24 * hour
	// probeBytesPerSecond is what kubelet probes bring every pod.
	probeBytesPerSecond = 50
	// pageSize rounds working sets.
	pageSize = 4096
)

// gen is one generation run.
type gen struct {
	opts        Options
	start, end  int64 // the window (start, end], Unix seconds
	scanStart   int64 // replica histories start here (before the window)
	nodes       []*node
	pools       map[string][]*node
	wls         []*wl
	store       *store
	truth       *Truth
	cronRetain  int // completed CronJob pods kept in the snapshot
	nodeCreated int64
}

// node is one node.
type node struct {
	Node
	created int64
}

// wl is a workload being generated.
type wl struct {
	spec
	key      Key
	created  int64
	rollouts []int64
	// repl is spec.replicas (the HPA's choice) per minute from scanStart.
	repl  []int
	pods  []*podInst
	rs    []string // ReplicaSet names by generation (Deployments)
	truth *Workload
	// runs are CronJob runs: the Job names and their scheduled times.
	slots int
}

// podInst is one pod: a slot of a workload over an interval of its life.
type podInst struct {
	w          *wl
	slot, gen  int
	name       string
	owner      string // ReplicaSet, Job or the workload itself
	ownerKind  string
	start, end int64 // life [start, end); end > g.end means alive at the end
	node       *node
	pending    bool
	crashLoop  bool
	finished   bool // a CronJob run that completed (phase Succeeded)
	// deleted is when the pod object goes (0: at end). A completed
	// CronJob pod stays, Succeeded, until its Job leaves the history.
	deleted int64
	ctrs    []*ctrState
}

func (p *podInst) alive(g *gen) bool { return p.end > g.end }

// objectEnd is when the pod object is deleted.
func (p *podInst) objectEnd() int64 { return max(p.end, p.deleted) }

// ctrState is one container of a pod during simulation.
type ctrState struct {
	spec     *ctrSpec
	restarts []int64 // times of restarts
	reasons  []string
	oomKills int
	// Truth accumulators.
	perMinute  []float64
	perMinuteT []int64 // the times of perMinute, Unix seconds
	fiveMinute []float64
	memPeak    float64
	periods    float64
	// running and lastStart describe the container at the end.
	running   bool
	lastStart int64
	throttled float64
	samples   int
}

func newGen(opts Options) *gen {
	g := &gen{opts: opts, store: newStore(), cronRetain: 3}
	g.store.init()
	g.end = opts.End.Unix()
	g.start = g.end - int64(opts.History/time.Second)
	g.scanStart = g.start - 2*day
	g.nodeCreated = g.start - 20*day
	g.truth = &Truth{Mode: opts.Mode, Start: time.Unix(g.start, 0).UTC(), End: opts.End,
		Workloads: map[Key]*Workload{}, Pods: map[string]*Pod{}}
	return g
}

func (g *gen) run() {
	g.buildNodes()
	for i := range specs {
		g.buildWorkload(&specs[i])
	}
	for _, w := range g.wls {
		for _, p := range w.pods {
			g.simulate(w, p)
		}
	}
	g.emitKSM()
	g.summarise()
}

// minutes is the number of minutes from scanStart to end, inclusive.
func (g *gen) minutes() int { return int((g.end-g.scanStart)/minute) + 1 }

// replicasAt is spec.replicas at t.
func (w *wl) replicasAt(g *gen, t int64) int {
	if t < w.created {
		return 0
	}
	i := int((t - g.scanStart) / minute)
	i = min(max(i, 0), len(w.repl)-1)
	return w.repl[i]
}

// local returns the hour of day (fractional) and whether it is a
// weekend, in Local.
func local(t int64) (hourOfDay float64, weekend bool) {
	lt := time.Unix(t, 0).In(Local)
	wd := lt.Weekday()
	return float64(lt.Hour()) + float64(lt.Minute())/60 + float64(lt.Second())/3600, wd == time.Saturday || wd == time.Sunday
}

// localDay numbers the local days.
func localDay(t int64) int64 {
	_, off := time.Unix(t, 0).In(Local).Zone()
	return (t + int64(off)) / day
}

func (g *gen) buildWorkload(s *spec) {
	w := &wl{spec: *s, key: Key{s.kind, s.ns, s.name}}
	w.created = g.end - int64(s.createdAgo/time.Second)
	w.created -= w.created % minute
	for _, r := range s.rolloutsAgo {
		t := g.end - int64(r/time.Second)
		w.rollouts = append(w.rollouts, t-t%minute)
	}
	slices.Sort(w.rollouts)
	g.wls = append(g.wls, w)
	w.repl = make([]int, g.minutes())
	for i := range w.repl {
		t := g.scanStart + int64(i)*minute
		switch {
		case t < w.created:
		case s.hpa != nil:
		case s.replicasFn != nil:
			w.repl[i] = s.replicasFn(g, t)
		default:
			w.repl[i] = s.replicas
		}
	}
	if s.hpa != nil {
		g.scaleHPA(w)
	}
	switch s.kind {
	case "CronJob":
		g.cronPods(w)
	case "DaemonSet":
		w.slots = len(g.nodes)
		for k := range g.nodes {
			g.slotPods(w, k)
		}
	default:
		for _, r := range w.repl {
			w.slots = max(w.slots, r)
		}
		for k := 0; k < w.slots; k++ {
			g.slotPods(w, k)
		}
	}
}

// scaleHPA runs the HPA's algorithm every minute on the expected load:
// desired = ceil(load / (target × request)) within [min, max], scale-up at
// once, scale-down after five minutes of lower recommendations.
func (g *gen) scaleHPA(w *wl) {
	h := w.hpa
	per := h.target * h.request
	desired := make([]int, len(w.repl))
	for i := range w.repl {
		t := g.scanStart + int64(i)*minute
		d := int(math.Ceil(h.load(t)/per - 1e-9))
		desired[i] = min(max(d, h.min), h.max)
	}
	cur := h.min
	for i := range w.repl {
		t := g.scanStart + int64(i)*minute
		if t < w.created {
			continue
		}
		hi := desired[i]
		for j := max(0, i-4); j <= i; j++ {
			hi = max(hi, desired[j])
		}
		switch {
		case desired[i] > cur:
			cur = desired[i]
		case hi < cur:
			cur = hi
		}
		w.repl[i] = cur
	}
}

// slotPods cuts slot k's life into pods: a pod ends and a new one starts
// at every rollout (one minute of overlap per slot, surge style), when
// the slot's crash-looping pod replaces the old one, and whenever the
// replica count drops below the slot and rises again.
func (g *gen) slotPods(w *wl, k int) {
	type span struct {
		a, b int64
	}
	var spans []span
	if w.kind == "DaemonSet" {
		spans = append(spans, span{w.created, g.end + minute})
	} else {
		on := false
		var a int64
		for i := range w.repl {
			t := g.scanStart + int64(i)*minute
			alive := w.repl[i] > k
			switch {
			case alive && !on:
				a, on = t, true
				if i == 0 {
					a = w.created
				}
			case !alive && on:
				spans = append(spans, span{a, t})
				on = false
			}
		}
		if on {
			spans = append(spans, span{a, g.end + minute})
		}
	}
	cuts := []int64{}
	for _, r := range w.rollouts {
		cuts = append(cuts, r+int64(k)*minute)
	}
	crashAt := int64(math.MaxInt64)
	if w.crashSlot == k && w.crashAgo > 0 {
		crashAt = g.end - int64(w.crashAgo/time.Second)
		crashAt -= crashAt % minute
		cuts = append(cuts, crashAt)
	}
	slices.Sort(cuts)
	for _, sp := range spans {
		a := sp.a
		for _, c := range cuts {
			if c <= a || c >= sp.b {
				continue
			}
			end := c
			if c != crashAt {
				end = c + minute // the old pod goes once the new one is ready
			}
			g.addPod(w, k, a, min(end, sp.b), crashAt)
			a = c
		}
		g.addPod(w, k, a, sp.b, crashAt)
	}
}

// generation is the number of rollouts at or before t (for slot k).
func (w *wl) generation(t int64, k int) int {
	n := 0
	for _, r := range w.rollouts {
		if r+int64(k)*minute <= t {
			n++
		}
	}
	return n
}

func (g *gen) addPod(w *wl, k int, a, b int64, crashAt int64) {
	gen := w.generation(a, k)
	p := &podInst{w: w, slot: k, gen: gen, start: a, end: b}
	p.crashLoop = a >= crashAt
	p.pending = w.pendingSlot == k && w.pendingAgo > 0 && a >= g.end-int64(w.pendingAgo/time.Second)
	suffix := randString(g.rng("pod", w.ns, w.name, fmt.Sprint(gen, k, a)), 5)
	switch w.kind {
	case "Deployment":
		for len(w.rs) <= gen {
			w.rs = append(w.rs, w.name+"-"+randString(g.rng("rs", w.ns, w.name, fmt.Sprint(len(w.rs))), 10))
		}
		p.owner, p.ownerKind = w.rs[gen], "ReplicaSet"
		p.name = p.owner + "-" + suffix
	case "StatefulSet":
		p.owner, p.ownerKind = w.name, "StatefulSet"
		p.name = fmt.Sprintf("%s-%d", w.name, k)
	case "DaemonSet":
		p.owner, p.ownerKind = w.name, "DaemonSet"
		p.name = w.name + "-" + suffix
		p.node = g.nodes[k]
	}
	if p.node == nil && !p.pending {
		p.node = g.place(w, k, gen)
	}
	g.addContainers(p)
	w.pods = append(w.pods, p)
}

// place picks a node for slot k of w: spread over the pool's nodes.
func (g *gen) place(w *wl, k, gen int) *node {
	nodes := g.nodes
	if g.opts.Mode == Standard {
		nodes = g.pools[w.pool]
	}
	h := int(hash64(w.ns, w.name) % uint64(len(nodes)))
	return nodes[(h+k+2*gen)%len(nodes)]
}

func (g *gen) addContainers(p *podInst) {
	for i := range p.w.ctrs {
		p.ctrs = append(p.ctrs, &ctrState{spec: &p.w.ctrs[i]})
	}
}

// cronPods makes one Job and pod per hourly run: scheduled on the hour,
// running runMinutes.
func (g *gen) cronPods(w *wl) {
	first := g.scanStart - g.scanStart%hour + hour
	first = max(first, w.created-w.created%hour+hour)
	for h := first; h <= g.end; h += hour {
		job := fmt.Sprintf("%s-%d", w.name, h/60)
		p := &podInst{w: w, slot: 0, start: h, end: h + int64(w.runMinutes)*minute, owner: job, ownerKind: "Job"}
		p.name = job + "-" + randString(g.rng("pod", w.ns, job), 5)
		p.finished = p.end <= g.end
		// The Job (and its pod) is deleted when the run cronRetain
		// hours later completes: successfulJobsHistoryLimit.
		p.deleted = p.end + int64(g.cronRetain)*hour
		p.node = g.nodes[0]
		if g.opts.Mode == Standard {
			ns := g.pools[w.pool]
			p.node = ns[int(h/hour)%len(ns)]
		} else {
			p.node = g.nodes[int(h/hour)%len(g.nodes)]
		}
		g.addContainers(p)
		w.pods = append(w.pods, p)
	}
}

// serving is the number of pods sharing a workload's traffic at t.
func (w *wl) serving(g *gen, t int64) int {
	n := w.replicasAt(g, t)
	if w.kind == "DaemonSet" {
		n = len(g.nodes)
	}
	if w.pendingAgo > 0 && t >= g.end-int64(w.pendingAgo/time.Second) && n > w.pendingSlot {
		n = w.pendingSlot
	}
	return max(n, 1)
}

// minuteCtx is what a usage model sees for one container in one minute:
// the minute ends at t, the sample time.
type minuteCtx struct {
	g        *gen
	t        int64
	hour     float64 // local hour of day at the middle of the minute
	weekend  bool
	day      int64   // local day number
	rps      float64 // this pod's expected requests per second
	reqs     float64 // requests this pod served in the minute
	replicas int     // pods sharing the load
	slot     int
	z, w     float64 // slow (AR(1)) and white standard-normal noise
	up       int64   // seconds since the container started
	r        *rand.Rand
	pod      *podInst
}

// noise is a slow multiplicative noise of log-sd sigma, mean 1.
func (m *minuteCtx) noise(sigma float64) float64 { return math.Exp(sigma*m.z - sigma*sigma/2) }

// simulate writes a pod's cAdvisor and application series and adds its
// containers' statistics to the truth.
func (g *gen) simulate(w *wl, p *podInst) {
	if p.pending {
		return
	}
	from := max(p.start, g.start)
	t0 := from - from%minute + minute
	t1 := min(p.end, g.end)
	if t0 > t1 {
		return
	}
	pr := g.rng("traffic", w.ns, p.name)
	var httpS, netS *series
	var httpCum, netCum float64
	if w.httpMetric {
		httpS = g.store.newSeries("http_requests", "namespace", w.ns, "pod", p.name, "code", "200", "job", "app")
		if p.start < g.start && w.rps != nil {
			// What the pod served before the window (up to 30 days).
			httpCum = math.Round(w.rps(g, g.start) / float64(w.serving(g, g.start)) * float64(min(g.start-p.start, 30*day)) * (0.8 + 0.4*pr.Float64()))
		}
	}
	netS = g.store.newSeries("container_network_receive_bytes", "namespace", w.ns, "pod", p.name, "container", "POD", "interface", "eth0", "job", "kubelet")
	if p.start < g.start {
		netCum = float64(pr.Int64N(1 << 32))
	}
	firstHTTP, lastHTTP := math.NaN(), 0.0
	type cstate struct {
		st       *ctrState
		r        *rand.Rand
		z        float64
		cum      int64 // CPU milliseconds
		up       int64
		cpuS     *series
		memS     *series
		perS     *series
		thrS     *series
		prevT    int64
		prevV    float64
		periods  float64
		thr      float64
		running  bool
		runLeft  int
		waitLeft int
		backoff  int
		last5    []float64
	}
	var cs []*cstate
	for _, c := range p.ctrs {
		s := &cstate{st: c, r: g.rng("ctr", w.ns, p.name, c.spec.name), running: true}
		s.z = s.r.NormFloat64()
		c.lastStart = p.start
		if p.start < g.start {
			s.cum = int64(math.Round(max(c.spec.req.cpu, 0.02) * 0.4 * float64(g.start-p.start) * 1000))
			// Containers of pods older than the window restarted
			// at some point: their uptime is at most a day.
			s.up = min(g.start-p.start, day)
		}
		lbl := []string{"namespace", w.ns, "pod", p.name, "container", c.spec.name, "job", "kubelet"}
		s.cpuS = g.store.newSeries("container_cpu_usage_seconds", lbl...)
		s.memS = g.store.newSeries("container_memory_working_set_bytes", lbl...)
		if c.spec.lim.cpu > 0 {
			s.perS = g.store.newSeries("container_cpu_cfs_periods", lbl...)
			s.thrS = g.store.newSeries("container_cpu_cfs_throttled_periods", lbl...)
			if p.start < g.start {
				s.periods = float64(s.r.Int64N(1 << 24))
				s.thr = float64(s.r.Int64N(1 << 10))
			}
		}
		if p.crashLoop {
			s.runLeft = 2 + s.r.IntN(2)
		}
		cs = append(cs, s)
	}
	// The pause container of pods that expose it.
	var pauseCPU, pauseMem *series
	var pauseCum int64
	if w.has(RolePauseSeries) && p.slot == 0 {
		lbl := []string{"namespace", w.ns, "pod", p.name, "container", "POD", "job", "kubelet"}
		pauseCPU = g.store.newSeries("container_cpu_usage_seconds", lbl...)
		pauseMem = g.store.newSeries("container_memory_working_set_bytes", lbl...)
	}
	for t := t0; t <= t1; t += minute {
		h, we := local(t - 30)
		n := w.serving(g, t-30)
		rps := 0.0
		if w.rps != nil {
			rps = w.rps(g, t-30) / float64(n)
		}
		reqs := poisson(pr, rps*60)
		if httpS != nil {
			httpCum += reqs
			httpS.add(t, httpCum)
			if math.IsNaN(firstHTTP) {
				firstHTTP = httpCum
			}
			lastHTTP = httpCum
		}
		extra := 0.0
		mctx := minuteCtx{g: g, t: t, hour: h, weekend: we, day: localDay(t - 30), rps: rps, reqs: reqs, replicas: n, slot: p.slot, pod: p}
		if w.netExtra != nil {
			extra = w.netExtra(&mctx)
		}
		netCum += math.Round((probeBytesPerSecond+extra)*60*(1+0.05*pr.NormFloat64()) + reqs*w.reqBytes*(1+0.1*pr.NormFloat64()))
		if t%(2*minute) == 0 {
			netS.add(t, netCum)
		}
		if pauseCPU != nil {
			pauseCum += 3 + int64(pr.IntN(3))
			pauseCPU.add(t, float64(pauseCum)/1000)
			if t%(2*minute) == 0 {
				pauseMem.add(t, float64(106*pageSize))
			}
		}
		for _, c := range cs {
			spec := c.st.spec
			if p.crashLoop && !c.running {
				c.waitLeft--
				if c.waitLeft > 0 {
					continue
				}
				c.running, c.runLeft, c.up, c.cum = true, 2+c.r.IntN(2), 0, 0
				c.st.lastStart = t - minute
			}
			c.z = 0.97*c.z + 0.2431*c.r.NormFloat64()
			m := mctx
			m.z, m.w, m.up, m.r = c.z, c.r.NormFloat64(), c.up+60, c.r
			demand := max(spec.cpu(&m), 0)
			use, frac := demand, 0.0
			if lim := spec.lim.cpu; lim > 0 {
				if demand > lim*0.995 {
					use = lim * (0.975 + 0.02*c.r.Float64())
					frac = min(1, 0.3+2*(demand-lim)/lim)
				} else if demand > 0.7*lim {
					frac = 0.02 * (demand/lim - 0.7) / 0.3
				}
			}
			c.up += 60
			mem := roundPage(spec.mem(&m))
			if lim := spec.lim.mem; lim > 0 && mem >= lim {
				// The kernel kills the container; the kubelet starts a
				// new one at once (first restart: 10 s back-off).
				c.st.restarts = append(c.st.restarts, t)
				c.st.reasons = append(c.st.reasons, "OOMKilled")
				if t > g.start {
					c.st.oomKills++
				}
				c.up, c.cum = 0, 0
				c.st.lastStart = t
				use = 0.02 + 0.01*c.r.Float64()
				m.up = 0
				mem = roundPage(spec.mem(&m))
			}
			c.cum += int64(math.Round(use * 60000))
			v := float64(c.cum) / 1000
			c.cpuS.add(t, v)
			if c.prevT == t-minute {
				d := v - c.prevV
				if v < c.prevV {
					d = v
				}
				u := d / 60
				c.st.perMinute = append(c.st.perMinute, u)
				c.st.perMinuteT = append(c.st.perMinuteT, t)
				c.last5 = append(c.last5, u)
			} else {
				c.last5 = c.last5[:0]
			}
			if len(c.last5) > 5 {
				c.last5 = c.last5[1:]
			}
			if t%(5*minute) == 0 && len(c.last5) == 5 {
				c.st.fiveMinute = append(c.st.fiveMinute, (c.last5[0]+c.last5[1]+c.last5[2]+c.last5[3]+c.last5[4])/5)
			}
			c.prevT, c.prevV = t, v
			if t%(2*minute) == 0 {
				c.memS.add(t, mem)
				c.st.memPeak = max(c.st.memPeak, mem)
				c.st.samples++
			}
			if c.perS != nil {
				per := 600 * min(1, 0.15+1.2*use/spec.lim.cpu)
				c.periods += per
				c.thr += math.Round(per * frac)
				c.st.periods += per
				c.st.throttled += math.Round(per * frac)
				if t%(5*minute) == 0 {
					c.perS.add(t, math.Round(c.periods))
					c.thrS.add(t, c.thr)
				}
			}
			if p.crashLoop {
				c.runLeft--
				if c.runLeft == 0 {
					c.running = false
					c.st.restarts = append(c.st.restarts, t)
					c.st.reasons = append(c.st.reasons, "Error")
					// CrashLoopBackOff: 10 s doubling to 5 minutes; with
					// one-minute samples the gap is at least 3 minutes.
					c.backoff = min(max(3, c.backoff*2), 5)
					c.waitLeft = c.backoff + 1
				}
			}
		}
	}
	for _, c := range cs {
		c.st.running = c.running
	}
	if httpS != nil && !math.IsNaN(firstHTTP) {
		w.truthOf(g).Requests += lastHTTP - firstHTTP
	}
}

func roundPage(v float64) float64 { return math.Round(max(v, 0)/pageSize) * pageSize }

// quantile is Prometheus' quantile_over_time: linear interpolation
// between the closest ranks. vs is sorted in place.
func quantile(q float64, vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	sort.Float64s(vs)
	rank := q * float64(len(vs)-1)
	lo := math.Floor(rank)
	hi := math.Min(lo+1, float64(len(vs)-1))
	wt := rank - lo
	return vs[int(lo)]*(1-wt) + vs[int(hi)]*wt
}
