package sim

import (
	"math"
)

// sample is one step of what the metrics pipeline sees.
type sample struct{ cpu, rps, arrivals float64 }

// forward moves requests through the call graph, callers first: arrivals,
// service up to the ready replicas' capacity, queueing, and time-outs.
func (r *runner) forward(ext float64) {
	entry := r.c.entry
	for _, i := range r.c.order {
		s := &r.comps[i]
		cc := s.cc
		base := 0.0
		if i == entry {
			base = ext
		}
		for _, e := range cc.callers {
			base += e.k * r.comps[e.to].served
		}
		mult := 1.0
		if cc.Retries > 0 && s.fPrev > 0 {
			p := 1.0
			for range cc.Retries {
				p *= s.fPrev
				mult += p
			}
		}
		s.base, s.attempts = base, base*mult
		qin := s.queue + s.attempts
		s.served = min(qin, s.capStep)
		q := qin - s.served
		s.overflow = 0
		if q > s.maxQueue {
			s.overflow = q - s.maxQueue
			q = s.maxQueue
		}
		s.queue = q
		s.wait = q * s.invRate
		s.rho = s.served * s.invReady
		s.usage = min(cc.limit, cc.Capacity.IdleCPU+s.rho*cc.cpuPerReq)
		if s.serveFrac < 1 {
			// Ready pods that serve less (not reached yet, warming up)
			// pull the average towards idle.
			s.usage = cc.Capacity.IdleCPU + s.serveFrac*(s.usage-cc.Capacity.IdleCPU)
		}
	}
}

// backward computes latencies and failures, callees first: a request fails
// when it times out in the queue, errors, takes longer than its timeout,
// or a call it makes fails after its retries.
func (r *runner) backward() {
	for k := len(r.c.order) - 1; k >= 0; k-- {
		s := &r.comps[r.c.order[k]]
		cc := s.cc
		p50, p90, p99, errRatio := cc.latencyAt(s.rho)
		p50 += s.wait
		p90 += s.wait
		p99 += s.wait
		own50, own90, own99 := p50, p90, p99
		downOK := 1.0
		for _, e := range cc.calls {
			callee := &r.comps[e.to]
			p50 += e.w50 * callee.p50
			p90 += e.w90 * callee.p90
			p99 += e.w99 * callee.p99
			if callee.final > 0 {
				downOK *= math.Pow(1-callee.final, e.k)
			}
		}
		// Own latency is at most the total, so it is within the timeout
		// whenever the total is.
		in := within(cc.timeout, p50, p90, p99)
		ownIn := in
		if in < 1 && len(cc.calls) > 0 {
			ownIn = within(cc.timeout, own50, own90, own99)
		}
		ownOK := (1 - errRatio) * ownIn
		ok := (1 - errRatio) * in * downOK
		s.p50, s.p90, s.p99, s.inTimeout = p50, p90, p99, in
		s.f, s.ownFail, s.final = 0, 0, 0
		if s.overflow > 0 || (ok < 1 && s.served > 0) {
			s.ownFail = s.overflow + s.served*(1-ownOK)
			s.f = (s.overflow + s.served*(1-ok)) / (s.served + s.overflow)
			s.final = s.f
			for range cc.Retries {
				s.final *= s.f
			}
		}
		s.fPrev = s.f
	}
}

// latencyAt interpolates the latency curve at a per-replica rate.
func (cc *compComponent) latencyAt(rate float64) (p50, p90, p99, errRatio float64) {
	pts := cc.curve
	if rate <= pts[0].Rate {
		p := &pts[0]
		return p.P50, p.P90, p.P99, p.ErrorRatio
	}
	for i := 1; i < len(pts); i++ {
		if rate <= pts[i].Rate {
			a, b := &pts[i-1], &pts[i]
			f := (rate - a.Rate) / (b.Rate - a.Rate)
			return a.P50 + f*(b.P50-a.P50), a.P90 + f*(b.P90-a.P90), a.P99 + f*(b.P99-a.P99), a.ErrorRatio + f*(b.ErrorRatio-a.ErrorRatio)
		}
	}
	p := &pts[len(pts)-1]
	return p.P50, p.P90, p.P99, p.ErrorRatio
}

// within is the fraction of requests that finish within x seconds when
// latency has the percentiles p50 ≤ p90 ≤ p99: linear from 0 to the
// median, then the tail probability falls exponentially between the
// percentiles and keeps the p90→p99 rate beyond p99.
func within(x, p50, p90, p99 float64) float64 {
	if x >= p99 && (x-p99)*ln10 > 36*(p99-p90) {
		return 1 // the tail beyond x is below 1e-17
	}
	return withinTail(x, p50, p90, p99)
}

func withinTail(x, p50, p90, p99 float64) float64 {
	switch {
	case x >= p99:
		if p99 <= p90 {
			return 1
		}
		z := (x - p99) * ln10 / (p99 - p90)
		if z > 36 {
			return 1
		}
		return 1 - 0.01*expNeg(z)
	case x >= p90:
		return 1 - 0.1*expNeg(ln10*(x-p90)/(p99-p90))
	case x >= p50:
		return 1 - 0.5*expNeg(ln5*(x-p50)/(p90-p50))
	case x <= 0:
		return 0
	}
	return 0.5 * x / p50
}

// expNeg is e^−z for 0 ≤ z ≤ 40, to a relative 1e-9, several times
// cheaper than math.Exp (which would dominate a step): 2^−k from the
// exponent bits times (e^−h)² for h = (z − k·ln2)/2 in [0, ln2/2), whose
// Taylor series to the 8th power errs by less than h⁹/9! < 2.2e-10.
func expNeg(z float64) float64 {
	if !(z >= 0) || z > 40 {
		return math.Exp(-z)
	}
	k := math.Floor(z * log2e)
	h := (z - k*ln2) * 0.5
	const (
		c2 = 1.0 / 2
		c3 = 1.0 / 6
		c4 = 1.0 / 24
		c5 = 1.0 / 120
		c6 = 1.0 / 720
		c7 = 1.0 / 5040
		c8 = 1.0 / 40320
	)
	e := 1 - h*(1-h*(c2-h*(c3-h*(c4-h*(c5-h*(c6-h*(c7-h*c8)))))))
	return e * e * math.Float64frombits(uint64(1023-int64(k))<<52)
}

// sample is what the metrics pipeline records for this step.
func (s *compState) sample(dt float64) sample {
	return sample{cpu: s.usage, rps: s.rho, arrivals: s.attempts / dt}
}

// push adds a step to the kubelet's history. The ring holds the window
// and, after it, the age steps the kubelet's sample lags: ringSum is the
// sum of the window that ends age steps ago.
func (s *compState) push(x sample, age int) {
	old := s.ring[s.ringPos]
	s.ring[s.ringPos] = x
	in := x
	if age > 0 {
		j := s.ringPos - age
		if j < 0 {
			j += len(s.ring)
		}
		in = s.ring[j]
	}
	s.ringSum.cpu += in.cpu - old.cpu
	s.ringSum.rps += in.rps - old.rps
	s.ringSum.arrivals += in.arrivals - old.arrivals
	s.ringPos++
	if s.ringPos == len(s.ring) {
		s.ringPos = 0
	}
}

// scrape is metrics-server reading, at now, the kubelet's sample: the
// averages of its window of win steps.
func (s *compState) scrape(now float64, win int) {
	n := float64(win)
	s.scraped = sample{cpu: max(s.ringSum.cpu/n, 0), rps: max(s.ringSum.rps/n, 0), arrivals: max(s.ringSum.arrivals/n, 0)}
	s.scrapedAt = now
	s.hpaUtil = s.scraped.cpu / s.cc.Resources.CPURequest
}
