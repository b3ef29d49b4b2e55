package sim

import "math"

// customState is one component's custom metrics pipeline during a run:
// the pods' counters, what Prometheus scraped of them, and the value the
// adapter last answered.
type customState struct {
	// cum is the counters now: requests served per pod (rps) and requests
	// received (arrivals), integrated over time.
	cum sample
	// t and v are the scrapes, a ring in time order: when, and the
	// counters then.
	t   []float64
	v   []sample
	pos int
	// value is the adapter's last answer (rps per pod, arrivals per
	// second) and at the time its query was evaluated at.
	value sample
	at    float64
	// the query's rate window and the ingestion delay, in seconds
	window, delay float64
	// the scrape and adapter cache periods (0: no cache) and the steps
	// left until the next of each
	promK, adaptK, toProm, toAdapt int64
}

// newCustomState is a component's pipeline for a run: every turns a
// period into steps; the first scrape and cache refresh fall as the
// phase says against the HPA's syncs (every syncK steps).
func newCustomState(ct *customTiming, syncK int64, every func(float64) int64, ph phase) customState {
	n := int(math.Ceil((ct.rateWindow+ct.delay)/ct.scrape)) + 3
	cm := customState{t: make([]float64, n), v: make([]sample, n), window: ct.rateWindow, delay: ct.delay}
	cm.promK = every(ct.scrape)
	cm.toProm = firstCountdown(syncK, cm.promK, ph.lag(cm.promK))
	if ct.adapter > 0 {
		cm.adaptK = every(ct.adapter)
		cm.toAdapt = firstCountdown(syncK, cm.adaptK, ph.lag(cm.adaptK))
	}
	return cm
}

// warmUp fills the scrapes with the steady state x, scraped every period
// up to the run's first scrape, and answers x. dt is the run's step.
func (cm *customState) warmUp(x sample, dt float64) {
	n := len(cm.t)
	first, period := float64(cm.toProm)*dt, float64(cm.promK)*dt
	for k := range n {
		at := first - float64(n-k)*period
		cm.t[k] = at
		cm.v[k] = sample{rps: x.rps * at, arrivals: x.arrivals * at}
	}
	cm.pos = 0
	cm.cum = sample{}
	cm.value, cm.at = sample{rps: x.rps, arrivals: x.arrivals}, 0
}

// record is a Prometheus scrape at now.
func (cm *customState) record(now float64) {
	cm.t[cm.pos], cm.v[cm.pos] = now, cm.cum
	cm.pos++
	if cm.pos == len(cm.t) {
		cm.pos = 0
	}
}

// query evaluates rate(counter[window]) at q from the scrapes in
// (q − window, q]: the increase between the first and the last of them
// over the time between (Prometheus extrapolates to the window's edges,
// which changes nothing for a rate that holds). With fewer than two
// scrapes in the window the adapter has no new value and the last one
// stands.
func (cm *customState) query(q float64) {
	n := len(cm.t)
	newest, oldest := -1, -1
	for k := 1; k <= n; k++ {
		j := cm.pos - k
		if j < 0 {
			j += n
		}
		if cm.t[j] > q {
			continue
		}
		if cm.t[j] <= q-cm.window {
			break
		}
		if newest < 0 {
			newest = j
		}
		oldest = j
	}
	if newest < 0 || oldest == newest {
		return
	}
	span := cm.t[newest] - cm.t[oldest]
	cm.value = sample{rps: max(0, (cm.v[newest].rps-cm.v[oldest].rps)/span), arrivals: max(0, (cm.v[newest].arrivals-cm.v[oldest].arrivals)/span)}
	cm.at = q
}

// custom advances the custom metrics pipelines by one step ending at now:
// the counters, Prometheus' scrapes and the adapters' caches.
func (r *runner) custom(now float64) {
	for i := range r.comps {
		s := &r.comps[i]
		if !s.cc.sv.custom {
			continue
		}
		cm := &s.cm
		cm.cum.rps += s.rho * r.dt
		cm.cum.arrivals += s.attempts
		if cm.toProm--; cm.toProm == 0 {
			cm.toProm = cm.promK
			cm.record(now)
		}
		if cm.adaptK > 0 {
			if cm.toAdapt--; cm.toAdapt == 0 {
				cm.toAdapt = cm.adaptK
				cm.query(now - cm.delay)
			}
		}
	}
}
