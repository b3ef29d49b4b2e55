package sim

import (
	"math"
)

// cohort is a group of pods created together.
type cohort struct {
	n       int
	created float64
	placed  bool    // it has room on a node
	bound   float64 // when it got room
	initial bool    // it ran before the scenario started
}

// initialReplicas sets each component's starting replica count: the
// count given, within the HPA's bounds; without one, for a component with
// an HPA, the count its HPA would hold at the scenario's starting rate
// (the steady state), so a scenario does not start with a scale-up.
func (r *runner) initialReplicas(rate float64) {
	arrivals := make([]float64, len(r.comps))
	arrivals[r.c.entry] = rate
	for _, i := range r.c.order {
		s := &r.comps[i]
		cc := s.cc
		if s.hpa != nil {
			if cc.Replicas > 0 {
				s.spec = min(max(cc.Replicas, s.hpa.MinReplicas()), s.hpa.MaxReplicas())
			} else {
				s.spec = steadyReplicas(s.hpa, cc, arrivals[i])
			}
		}
		served := min(arrivals[i], float64(s.spec)*cc.Capacity.PerReplicaRPS)
		for _, e := range cc.calls {
			arrivals[e.to] += e.k * served
		}
	}
}

// steadyReplicas is the fewest replicas, within the HPA's bounds, at which
// no metric of the HPA asks for more when the component receives rate.
func steadyReplicas(a *Autoscaler, cc *compComponent, rate float64) int {
	pods := make([]Pod, 1)
	for n := a.MinReplicas(); n < a.MaxReplicas(); n++ {
		rho := min(rate/float64(n), cc.Capacity.PerReplicaRPS)
		usage := min(cc.limit, cc.Capacity.IdleCPU+rho*cc.cpuPerReq)
		stable := true
		for _, m := range a.Metrics() {
			in := ReplicaInput{Now: secDur(initialAge), Replicas: n, StatusReplicas: n, Tolerances: a.Tolerances(), Pods: pods,
				ObjectValue: int64(math.Round(rate * 1000))}
			pods[0] = Pod{Count: n, Phase: PodRunning, Ready: true, Request: cc.requestMil, HasMetric: true, Value: int64(math.Round(rho * 1000))}
			if m.Source == ResourceMetric {
				pods[0].Value = int64(math.Round(usage * 1000))
			}
			if got, _, err := MetricReplicas(m, in); err == nil && got > n {
				stable = false
				break
			}
		}
		if stable {
			return n
		}
	}
	return a.MaxReplicas()
}

func (r *runner) maxSchedule() float64 {
	m := 0.0
	for i := range r.c.comps {
		m = max(m, r.c.comps[i].schedule)
	}
	return m
}

// prescale applies scheduled replica floors that are due.
func (r *runner) prescale(s *compState, t float64) {
	for s.pre < len(s.cc.Prescale) && s.cc.Prescale[s.pre].At.Seconds() <= t {
		n := s.cc.Prescale[s.pre].MinReplicas
		s.pre++
		if s.hpa != nil {
			s.hpa.SetMinReplicas(n)
			if s.spec < s.hpa.MinReplicas() {
				r.scaleTo(s, s.hpa.MinReplicas(), t)
			}
			continue
		}
		r.scaleTo(s, n, t)
	}
}

// recount recomputes the pod counts at t and the next time they change.
func (s *compState) recount(t float64) {
	// Pods long ready look alike to the HPA, the scheduler and the bill:
	// merge such neighbouring cohorts so the list stays short.
	k := 0
	sv := &s.cc.sv
	for _, c := range s.cohorts {
		if k > 0 && c.placed && c.bound+s.settle <= t {
			// Connections pinned for good tell the initial pods apart.
			if prev := &s.cohorts[k-1]; prev.placed && prev.bound+s.settle <= t && (!sv.forever || prev.initial == c.initial) {
				prev.n += c.n
				continue
			}
		}
		s.cohorts[k] = c
		k++
	}
	s.cohorts = s.cohorts[:k]
	s.ready, s.bound, s.pending = 0, 0, 0
	s.nextEvent = math.Inf(1)
	s.firstPending = len(s.cohorts)
	var all, old float64 // serving replicas, and those pinned connections reach
	for j := range s.cohorts {
		c := &s.cohorts[j]
		if !c.placed {
			s.pending += c.n
			s.firstPending = min(s.firstPending, j)
			continue
		}
		s.bound += c.n
		readyAt := c.bound + s.cc.toReady
		if readyAt > t {
			s.nextEvent = min(s.nextEvent, readyAt)
			continue
		}
		s.ready += c.n
		if !sv.active {
			continue
		}
		f, next := sv.fraction(t - readyAt)
		if next == 0 {
			next = s.dt // warming up: capacity changes every step
		}
		s.nextEvent = min(s.nextEvent, t+next)
		n := float64(c.n) * f
		all += n
		switch {
		case sv.pinned == 0:
		case sv.forever:
			if c.initial {
				old += n
			}
		default:
			if reach := readyAt + sv.prop + sv.connAge; reach <= t {
				old += n
			} else {
				s.nextEvent = min(s.nextEvent, reach)
			}
		}
	}
	s.dirty = false
	s.gen++
	s.serve, s.serveFrac = float64(s.ready), 1
	if sv.active {
		s.serve = sv.effective(all, old)
		if s.ready > 0 {
			// The CPU the served requests cost, spread over the ready pods.
			s.serveFrac = min(1, s.serve/float64(s.ready))
		}
	}
	rate := s.serve * s.cc.Capacity.PerReplicaRPS
	s.capStep, s.maxQueue = rate*s.dt, rate*s.cc.timeout
	s.invRate, s.invReady = 0, 0
	if s.serve > 0 {
		s.invRate, s.invReady = 1/rate, 1/(s.serve*s.dt)
	}
}

// schedule places pending pods on free room, oldest first across
// components; a component whose next pod does not fit waits.
func (r *runner) schedule(t float64) {
	for i := range r.comps {
		r.comps[i].blocked = false
		if r.comps[i].dirty {
			r.comps[i].recount(t)
		}
	}
	for {
		pick := -1
		for i := range r.comps {
			s := &r.comps[i]
			if s.blocked || s.firstPending >= len(s.cohorts) {
				continue
			}
			c := &s.cohorts[s.firstPending]
			if c.created+s.cc.schedule > t+1e-9 {
				continue
			}
			if pick < 0 || c.created < r.comps[pick].cohorts[r.comps[pick].firstPending].created {
				pick = i
			}
		}
		if pick < 0 {
			return
		}
		s := &r.comps[pick]
		res := s.cc.Resources
		c := &s.cohorts[s.firstPending]
		k := r.pool.fits(c.n, res.CPURequest, res.MemoryRequest)
		if k == 0 {
			s.blocked = true
			continue
		}
		if k < c.n {
			rest := cohort{n: c.n - k, created: c.created}
			c.n = k
			s.cohorts = append(s.cohorts, cohort{})
			copy(s.cohorts[s.firstPending+2:], s.cohorts[s.firstPending+1:])
			s.cohorts[s.firstPending+1] = rest
		}
		s.cohorts[s.firstPending].placed = true
		s.cohorts[s.firstPending].bound = t
		r.pool.usedCPU += float64(k) * res.CPURequest
		r.pool.usedMem += float64(k) * res.MemoryRequest
		s.firstPending++
		s.dirty = true
	}
}

// scaleTo changes the Deployment's replicas: new pods join as a cohort,
// removed pods go newest first.
func (r *runner) scaleTo(s *compState, n int, t float64) {
	switch {
	case n > s.spec:
		s.cohorts = append(s.cohorts, cohort{n: n - s.spec, created: t})
	case n < s.spec:
		drop := s.spec - n
		for drop > 0 {
			c := &s.cohorts[len(s.cohorts)-1]
			k := min(drop, c.n)
			if c.placed {
				r.pool.usedCPU -= float64(k) * s.cc.Resources.CPURequest
				r.pool.usedMem -= float64(k) * s.cc.Resources.MemoryRequest
			}
			c.n -= k
			drop -= k
			if c.n == 0 {
				s.cohorts = s.cohorts[:len(s.cohorts)-1]
			}
		}
	default:
		return
	}
	s.spec = n
	s.dirty = true
	s.recount(t)
}

// reconcile is one HPA reconciliation of a component at now.
func (r *runner) reconcile(s *compState, now float64) {
	if s.dirty {
		s.recount(now)
	}
	cc := s.cc
	window := r.c.window
	s.podsCPU, s.podsRPS = s.podsCPU[:0], s.podsRPS[:0]
	idle := int64(math.Round(cc.Capacity.IdleCPU * 1000))
	cpu := int64(math.Round(s.scraped.cpu * 1000))
	rps := int64(math.Round(s.scraped.rps * 1000))
	// The kubelet's sample is older than the scrape.
	sampledAt := s.scrapedAt - float64(r.age)*r.dt
	if cc.sv.custom {
		if s.cm.adaptK == 0 {
			s.cm.query(now - s.cm.delay)
		}
		rps = int64(math.Round(s.cm.value.rps * 1000))
	}
	for j := range s.cohorts {
		c := &s.cohorts[j]
		p := Pod{Count: c.n, Phase: PodPending, Request: cc.requestMil}
		if c.placed {
			runAt, readyAt := c.bound+cc.pull, c.bound+cc.toReady
			p.Started = secDur(c.bound)
			if now >= runAt {
				p.Phase = PodRunning
				p.Ready = now >= readyAt
				p.ReadyChanged = secDur(runAt)
				if p.Ready {
					p.ReadyChanged = secDur(readyAt)
				}
				if sampledAt >= runAt+window {
					p.HasMetric, p.SampledAt, p.Window = true, secDur(sampledAt), secDur(window)
				}
			}
		}
		q := p
		if p.HasMetric {
			p.Value, q.Value = idle, 0
			if c.bound+cc.toReady <= sampledAt {
				p.Value, q.Value = cpu, rps
			}
		}
		if cc.sv.custom {
			// A pod's rate needs two scrapes of its counter since it
			// started.
			q.HasMetric, q.Value = false, 0
			if at := s.cm.at; c.placed && at >= c.bound+cc.pull+2*float64(s.cm.promK)*r.dt {
				q.HasMetric, q.SampledAt, q.Window = true, secDur(at), secDur(s.cm.window)
				if c.bound+cc.toReady <= at {
					q.Value = rps
				}
			}
		}
		s.podsCPU = append(s.podsCPU, p)
		s.podsRPS = append(s.podsRPS, q)
	}
	for i, m := range s.hpa.Metrics() {
		in := ReplicaInput{StatusReplicas: s.spec}
		switch m.Source {
		case ResourceMetric:
			in.Pods = s.podsCPU
		case PodsMetric:
			in.Pods = s.podsRPS
		default:
			in.Pods = s.podsRPS
			in.ObjectValue = int64(math.Round(s.scraped.arrivals * 1000))
			if cc.sv.custom {
				in.ObjectValue = int64(math.Round(s.cm.value.arrivals * 1000))
			}
		}
		s.inputs[i] = in
	}
	d := s.hpa.Reconcile(secDur(now), s.spec, s.inputs)
	switch {
	case d.Replicas > s.spec:
		s.acc.ups++
	case d.Replicas < s.spec:
		s.acc.downs++
	}
	r.scaleTo(s, d.Replicas, now)
}
