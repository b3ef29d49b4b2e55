package sim

import (
	"fmt"
	"math"

	"github.com/headroom-sre/headroom/units"
)

// stepSums accumulate one timeline step: requests (arrivals, served,
// good, failed), the CPU-seconds of ready pods, and the worst p99.
type stepSums struct {
	arrivals, served, good, failed float64
	cpu, p99                       float64
}

// compAcc accumulates a component's totals.
type compAcc struct {
	requests, failed, timedOut, retries float64
	ownFail, pendingS, saturatedS       float64
	peakUtil, worstP99, maxQueue        float64
	peakReady, peakSpec, maxPending     int
	ups, downs                          int
	busiest                             float64 // highest load as a fraction of capacity
}

// setupSLO sizes the error budgets of the SLO window.
func (r *runner) setupSLO() {
	o := r.c.sys.Objectives
	window := o.Window.Seconds()
	if o.Window == 0 {
		window = DefaultSLOWindow.Seconds()
	}
	durS := float64(r.steps) * r.dt
	total := r.sc.Traffic.Count(secDur(durS))
	base := o.WindowRate
	if base == 0 {
		base = r.sc.Traffic.Rate(0)
		if base == 0 {
			base = total / durS
		}
	}
	events := total + base*(window-durS)
	if window < durS {
		events = total * window / durS
	}
	r.threshold = o.LatencyThreshold.Seconds()
	r.burnMax = o.MaxBudgetBurn
	if r.burnMax == 0 {
		r.burnMax = DefaultMaxBudgetBurn
	}
	if o.Availability > 0 {
		r.allowAvail = (1 - o.Availability) * events
	}
	if o.LatencyThreshold > 0 {
		r.allowLat = (1 - o.LatencyTarget) * events
	}
}

// account adds the step to the SLO, cost and component totals.
func (r *runner) account(t, ext float64) {
	dt := r.dt
	entry := &r.comps[r.c.entry]
	failed := ext * entry.final
	good := ext - failed
	slow := 0.0
	if r.threshold > 0 && good > 0 && entry.inTimeout > 0 {
		// Of the successful requests (those within the timeout), the
		// share beyond the threshold.
		w := r.withinThreshold(entry)
		if in := entry.inTimeout; in < 1 {
			w /= in
		}
		if w < 1 {
			slow = good * (1 - w)
		}
	}
	r.requests += ext
	r.failed += failed
	r.slow += slow
	r.badAvail += failed
	r.badLat += failed + slow
	if ext > 0 && entry.p99 > r.worstP99 {
		r.worstP99, r.worstP99At = entry.p99, t+dt
	}
	if r.firstBreach < 0 && r.breached() {
		r.firstBreach = t + dt
	}
	r.cost += r.costRate * dt / 3600

	r.tlSum.arrivals += ext
	r.tlSum.served += entry.served
	r.tlSum.good += good
	r.tlSum.failed += failed
	if ext > 0 && entry.p99 > r.tlSum.p99 {
		r.tlSum.p99 = entry.p99
	}
	for i := range r.comps {
		s := &r.comps[i]
		a := &s.acc
		a.requests += s.base
		a.retries += s.attempts - s.base
		a.failed += s.base * s.final
		a.timedOut += s.overflow
		a.ownFail += s.ownFail
		if s.pending > 0 {
			a.pendingS += dt
			a.maxPending = max(a.maxPending, s.pending)
		}
		capacity := s.capStep
		if s.queue > 0 && s.served >= capacity*(1-1e-12) {
			a.saturatedS += dt
		}
		if s.attempts > a.busiest*capacity {
			a.busiest = math.Inf(1)
			if capacity > 0 {
				a.busiest = s.attempts / capacity
			}
		}
		if s.ready > 0 && s.usage > a.peakUtil {
			a.peakUtil = s.usage
		}
		if s.served > 0 {
			if s.p99 > a.worstP99 {
				a.worstP99 = s.p99
			}
			if s.p99 > s.tlSum.p99 {
				s.tlSum.p99 = s.p99
			}
		}
		if s.queue > a.maxQueue {
			a.maxQueue = s.queue
		}
		a.peakReady = max(a.peakReady, s.ready)
		a.peakSpec = max(a.peakSpec, s.spec)
		if r.tlK > 0 {
			s.tlSum.arrivals += s.attempts
			s.tlSum.served += s.served
			s.tlSum.failed += s.base * s.final
			if s.ready > 0 {
				s.tlSum.cpu += s.usage * dt
			}
		}
	}
}

// withinThreshold is the fraction of the entry's requests within the
// latency objective's threshold, remembered while the latency does not
// change (in steady stretches of a scenario).
func (r *runner) withinThreshold(entry *compState) float64 {
	m := &r.thresholdMemo
	if entry.p50 != m.p50 || entry.p90 != m.p90 || entry.p99 != m.p99 {
		m.p50, m.p90, m.p99 = entry.p50, entry.p90, entry.p99
		m.v = within(r.threshold, m.p50, m.p90, m.p99)
	}
	return m.v
}

// breached tells whether some objective burned more than it may.
func (r *runner) breached() bool {
	return (r.allowAvail > 0 && r.badAvail > r.burnMax*r.allowAvail) ||
		(r.allowLat > 0 && r.badLat > r.burnMax*r.allowLat)
}

// budget is the largest fraction of a window's budget burned so far.
func (r *runner) budget() float64 {
	b := 0.0
	if r.allowAvail > 0 {
		b = r.badAvail / r.allowAvail
	}
	if r.allowLat > 0 {
		b = max(b, r.badLat/r.allowLat)
	}
	return b
}

// hourlyCost is what the current state costs per hour.
func (r *runner) hourlyCost() float64 {
	pr := &r.c.sys.Prices
	h := pr.ClusterFeeHour
	if r.pool.mode == Standard {
		// Suspended nodes of a standby CapacityBuffer pay for their saved
		// state and disk, not for vCPU or memory time (0 when that price is
		// unknown: finish then says the cost leaves them out).
		return h + float64(r.pool.billedNodes())*r.c.nodeHour +
			float64(r.pool.standbyNodes())*r.c.sys.Nodes.CapacityBuffer.StandbyNodeHour
	}
	// Pods on a node are billed for what Autopilot's rules make of their
	// requests; pending pods are not billed.
	for i := range r.comps {
		s := &r.comps[i]
		h += float64(s.bound) * (s.cc.billVCPU*pr.VCPUHour + s.cc.billGiB*pr.GiBHour)
	}
	// Placeholder pods are billed as requested, not through the rules: the
	// buffer is held as room in aggregate (a total, or count × size summed)
	// whose unused part shrinks by whatever real pods take, so there is no
	// pod left to apply per-pod defaults, minimums and steps to.
	// Placeholders sized within the rules (at least the minimums, CPU in
	// the rules' steps, memory within the range per vCPU), as the planner
	// sizes them, are billed exactly as requested; others would cost more
	// than shown.
	cpu, mem := r.pool.placeholders()
	return h + cpu*pr.VCPUHour + mem/(1<<30)*pr.GiBHour
}

// emit closes a timeline step of length span ending at now.
func (r *runner) emit(now, span float64) {
	sum := &r.tlSum
	p := Point{
		T:            round(now, 3),
		ArrivalRate:  round(sum.arrivals/span, 3),
		Served:       round(sum.served/span, 3),
		Goodput:      round(sum.good/span, 3),
		Failed:       round(sum.failed/span, 3),
		P99:          round(sum.p99, 4),
		BudgetBurned: round(r.budget(), 6),
		Components:   make(map[string]ComponentPoint, len(r.comps)),
	}
	if r.pool.mode == Standard {
		p.Nodes = r.pool.billedNodes()
	}
	*sum = stepSums{}
	for i := range r.comps {
		s := &r.comps[i]
		s.recount(now)
		cs := &s.tlSum
		p.Components[s.cc.Name] = ComponentPoint{
			Ready: s.ready, Desired: s.spec, Starting: s.bound - s.ready, Pending: s.pending,
			Utilization:    round(cs.cpu/span/s.cc.Resources.CPURequest, 4),
			HPAUtilization: round(s.hpaUtil, 4),
			P99:            round(cs.p99, 4),
			Queue:          round(s.queue, 3),
			ArrivalRate:    round(cs.arrivals/span, 3),
			Served:         round(cs.served/span, 3),
			Failed:         round(cs.failed/span, 3),
		}
		*cs = stepSums{}
	}
	r.tl = append(r.tl, p)
}

// finish builds the result.
func (r *runner) finish() *Result {
	durS := float64(r.steps) * r.dt
	o := r.c.sys.Objectives
	res := &Result{
		Scenario:   r.sc.Name,
		Traffic:    r.sc.Traffic.String(),
		Duration:   round(durS, 3),
		Requests:   round(r.requests, 1),
		Failed:     round(r.failed, 1),
		Succeeded:  round(r.requests-r.failed, 1),
		Slow:       round(r.slow, 1),
		WorstP99:   round(r.worstP99, 4),
		WorstP99At: round(r.worstP99At, 3),
		Notes:      append([]string(nil), r.c.notes...),
		Timeline:   r.tl,
		SLOMet:     true,
	}
	if o.Availability > 0 {
		res.Availability = r.sli(o.Availability, 0, r.requests-r.failed, r.allowAvail, r.badAvail)
	}
	if o.LatencyThreshold > 0 {
		res.Latency = r.sli(o.LatencyTarget, o.LatencyThreshold.Seconds(), r.requests-r.failed-r.slow, r.allowLat, r.badLat)
	}
	for _, s := range []*SLI{res.Availability, res.Latency} {
		if s != nil {
			res.BudgetBurned = max(res.BudgetBurned, s.BudgetBurned)
			res.SLOMet = res.SLOMet && s.Met
		}
	}
	if r.firstBreach >= 0 {
		fb := round(r.firstBreach, 3)
		res.FirstBreach = &fb
	}
	hourly := r.hourlyCost()
	res.Cost = Cost{Currency: r.c.sys.Prices.Currency, Mode: r.pool.mode.String(), Scenario: round(r.cost, 4),
		Hourly: round(hourly, 4), Monthly: round(hourly*HoursPerMonth, 2)}
	if r.pool.mode == Standard {
		res.Cost.NodesAtEnd = r.pool.billedNodes()
	}
	worstOwn, busiest := -1, -1
	for i := range r.comps {
		s := &r.comps[i]
		a := &s.acc
		if s.dirty {
			s.recount(durS)
		}
		res.Components = append(res.Components, ComponentResult{
			Name: s.cc.Name, Requests: round(a.requests, 1), Failed: round(a.failed, 1), TimedOut: round(a.timedOut, 1),
			Retries: round(a.retries, 1), ReadyStart: r.readyAt0[i], ReadyEnd: s.ready, PeakReady: a.peakReady,
			PeakDesired: a.peakSpec, MaxPending: a.maxPending, PendingS: round(a.pendingS, 3), SaturatedS: round(a.saturatedS, 3),
			PeakUtilization: round(a.peakUtil/s.cc.Resources.CPURequest, 4), WorstP99: round(a.worstP99, 4), MaxQueue: round(a.maxQueue, 1),
			ScaleUps: a.ups, ScaleDowns: a.downs,
		})
		if a.ownFail > 0.5 && (worstOwn < 0 || a.ownFail > r.comps[worstOwn].acc.ownFail) {
			worstOwn = i
		}
		if busiest < 0 || a.busiest > r.comps[busiest].acc.busiest {
			busiest = i
		}
	}
	switch {
	case worstOwn >= 0:
		s := &r.comps[worstOwn]
		res.Bottleneck = s.cc.Name
		res.BottleneckReason = fmt.Sprintf("%s requests failed there (%s timed out waiting for a ready replica)", units.Count(s.acc.ownFail), units.Count(s.acc.timedOut))
		if s.acc.maxPending > 0 {
			res.BottleneckReason += fmt.Sprintf("; up to %d pods waited %s for room on a node", s.acc.maxPending, units.Seconds(math.Round(s.acc.pendingS)))
		}
	case busiest >= 0:
		s := &r.comps[busiest]
		res.Bottleneck = s.cc.Name
		res.BottleneckReason = fmt.Sprintf("busiest: offered load peaked at %s of its ready capacity", units.Percent(min(s.acc.busiest, 99.99)))
	}
	if r.pool.capped {
		res.Notes = append(res.Notes, fmt.Sprintf("the node pool reached maxNodes (%d): some pods could not be placed", r.pool.maxNodes))
	}
	res.Notes = append(res.Notes, r.bufferNotes()...)
	return res
}

// bufferNotes say what the run did with the warm room (placeholder pods,
// a CapacityBuffer) and what its cost leaves out.
func (r *runner) bufferNotes() []string {
	n := r.c.sys.Nodes
	// Only with a CapacityBuffer (Standard pools), so results of systems
	// with placeholder pods alone read as they did.
	if n.CapacityBuffer.IsZero() || n.Mode != Standard {
		return nil
	}
	what := warmWhat(n)
	u := r.pool.use
	var notes []string
	if u.firstUsed < 0 {
		notes = append(notes, fmt.Sprintf("the warm room (%s) was not needed: no pod took it", what))
	} else {
		msg := fmt.Sprintf("pods took the warm room (%s) from %s", what, units.Seconds(u.firstUsed))
		if u.resumed > 0 {
			msg += fmt.Sprintf("; %d suspended node%s resumed from %s, usable %s after each resume", u.resumed, bufPlural(u.resumed), units.Seconds(u.firstResumed), units.Seconds(r.pool.resume))
		}
		if u.restored >= 0 {
			msg += fmt.Sprintf("; provisioning first restored it by %s", units.Seconds(u.restored))
		} else {
			msg += "; it was not whole again by the end"
		}
		notes = append(notes, msg)
	}
	if b := n.CapacityBuffer; n.Mode == Standard && b.Strategy == StandbyBuffer && !b.IsZero() && b.StandbyNodeHour == 0 {
		notes = append(notes, fmt.Sprintf("the cost leaves out the standby buffer's %d suspended node%s: their price (saved memory state and boot disk) is unknown",
			r.pool.standbyWant, bufPlural(r.pool.standbyWant)))
	}
	return notes
}

func bufPlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (r *runner) sli(objective, threshold, good, allow, bad float64) *SLI {
	s := &SLI{Objective: objective, ThresholdS: threshold, Good: round(good, 1), Total: round(r.requests, 1), Ratio: 1}
	if r.requests > 0 {
		s.Ratio = round(good/r.requests, 6)
	}
	s.Met = true
	if allow > 0 {
		s.BudgetBurned = round(bad/allow, 6)
		s.Met = bad <= r.burnMax*allow
	}
	return s
}
