package rightsize

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// recommender sizes one workload at a time.
type recommender struct {
	pol Policy
	p   *pricer
	// autopilot: pods are billed for requests; capped: Autopilot without
	// bursting, where every container's limit is its request.
	autopilot, capped bool
}

// podMonthly is what one pod of w with these containers costs a month,
// on requests; ok is false when a price is unknown.
func (rc recommender) podMonthly(w *Workload, cs []Container) (float64, bool) {
	cpu, mem, ok := rc.p.charge(w.Kind, w.Namespace, "", cs, nil)
	return (cpu + mem) * 730, ok
}

// workload recommends changes for w, or says why it cannot.
func (rc recommender) workload(w *Workload, ws *WorkloadStats) ([]Recommendation, []Skipped) {
	skip := func(format string, args ...any) []Skipped {
		return []Skipped{{Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind, Reason: fmt.Sprintf(format, args...)}}
	}
	switch {
	case w.Kind == KindJob || w.Kind == KindCronJob:
		return nil, skip("jobs run to completion; size them from their own runs")
	case ws == nil:
		return nil, skip("no usage history in the window")
	case len(ws.Problems) > 0:
		return nil, skip("bad data, not sized: %s", strings.Join(firstN(ws.Problems, 3), "; "))
	case w.Replicas == 0:
		return nil, skip("scaled to zero")
	case ws.History < rc.pol.MinHistory:
		return nil, skip("not enough history: %s of usage, %s needed (a full daily cycle by default)", units.Duration(ws.History), units.Duration(rc.pol.MinHistory))
	}
	var missing []string
	for _, c := range w.Containers {
		if why := unsized(ws.Containers[c.Name]); why != "" {
			missing = append(missing, c.Name+" ("+why+")")
		}
	}
	var skipped []Skipped
	if len(missing) == len(w.Containers) {
		return nil, skip("no usable usage for %s: missing data is never read as zero", strings.Join(missing, ", "))
	}
	if len(missing) > 0 {
		skipped = skip("containers not sized: %s", strings.Join(missing, ", "))
	}
	if x := rc.pinned(w, ws); x != nil {
		return []Recommendation{*x}, skipped
	}
	if x := rc.idle(w, ws, len(missing) > 0); x != nil {
		return []Recommendation{*x}, skipped
	}
	recs, after, more := rc.requests(w, ws)
	skipped = append(skipped, more...)
	if x, why := rc.hpaMin(w, ws, after); x != nil {
		recs = append(recs, *x)
	} else if why != "" {
		skipped = append(skipped, skip("%s", why)...)
	}
	return recs, skipped
}

// unsized says what a container lacks to be sized ("" when nothing).
func unsized(s *ContainerStats) string {
	if s == nil {
		return "no usage series"
	}
	need := StatCPUHigh | StatCPUPeak | StatMemoryPeak
	if s.Has.Of(need) {
		return ""
	}
	return "no " + (need &^ s.Has).String()
}

func firstN(xs []string, n int) []string {
	if len(xs) > n {
		return append(slices.Clone(xs[:n]), fmt.Sprintf("and %d more", len(xs)-n))
	}
	return xs
}

// sizing is what size decided for one container, and why.
type sizing struct {
	next         Container
	peakCovered  bool     // the new request (or limit) holds the highest usage seen
	limitRaised  []string // why limits were raised
	cappedAtPeak bool     // the request was sized to the peak because a limit caps it
}

// capped reports whether c cannot use more CPU than its request: a limit
// at (or below) the request, or Autopilot without bursting.
func (rc recommender) cappedContainer(c Container) bool {
	return rc.capped || (c.Limits.CPU > 0 && c.Limits.CPU <= c.Requests.CPU*1.001)
}

// size recommends requests (and limits) for one container from its usage.
func (rc recommender) size(c Container, s *ContainerStats) sizing {
	pol := rc.pol
	n := c
	out := sizing{}
	need := s.CPUHigh * (1 + pol.CPUMargin)
	peakNeed := s.CPUPeak * (1 + pol.CPUMargin)
	capped := rc.cappedContainer(c)
	cpu := need
	if capped {
		cpu, out.cappedAtPeak = math.Max(need, peakNeed), true
	}
	cpu = math.Max(pol.CPUFloor, roundUp(cpu, 0.001))
	if !small(c.Requests.CPU, cpu, pol.MinChange) {
		n.Requests.CPU = cpu
	}
	if c.Limits.CPU > 0 {
		switch {
		case capped && !rc.capped:
			n.Limits.CPU = n.Requests.CPU // keep the limit at the request
		case c.Limits.CPU < peakNeed:
			n.Limits.CPU = roundUp(peakNeed, 0.001)
			out.limitRaised = append(out.limitRaised, fmt.Sprintf("CPU limit %s is below the peak %s + %s", units.CPU(c.Limits.CPU), units.CPU(s.CPUPeak), units.Percent(pol.CPUMargin)))
		}
		if s.Has.Of(StatThrottling) && s.Throttled > pol.MaxThrottled && !capped {
			n.Limits.CPU = math.Max(n.Limits.CPU, roundUp(c.Limits.CPU*1.5, 0.001))
			out.limitRaised = append(out.limitRaised, fmt.Sprintf("throttled in %s of CFS periods", units.Percent(s.Throttled)))
		}
		if n.Limits.CPU < n.Requests.CPU {
			n.Limits.CPU = n.Requests.CPU
		}
	}
	mem := s.MemoryPeak * (1 + pol.MemoryMargin)
	if s.OOMKills > 0 {
		limit := s.MemoryLimitAtOOM
		if limit == 0 {
			limit = c.Limits.Memory
		}
		mem = math.Max(mem, math.Max(s.MemoryPeak*pol.OOMPeakFactor, limit*pol.OOMLimitFactor))
	}
	mem = math.Max(pol.MemoryFloor, roundUp(mem, MiB))
	if !small(c.Requests.Memory, mem, pol.MinChange) || (s.OOMKills > 0 && mem > c.Requests.Memory) || c.Requests.Memory < s.MemoryPeak {
		n.Requests.Memory = mem
	}
	if n.Limits.Memory > 0 && n.Limits.Memory < n.Requests.Memory {
		n.Limits.Memory = n.Requests.Memory
	}
	top := n.Requests.CPU
	if n.Limits.CPU > 0 {
		top = n.Limits.CPU
	}
	if !capped {
		top = n.Requests.CPU // beyond the request, only spare node CPU
	}
	out.peakCovered = top >= s.CPUPeak
	out.next = n
	return out
}

// small reports whether moving from cur to next is a change under frac
// (and cur is set).
func small(cur, next, frac float64) bool {
	return cur > 0 && math.Abs(next-cur) < frac*cur
}

// requests sizes w's containers and, where an HPA scales on CPU, moves
// its target so that it scales at the same CPU per pod. It also returns
// the containers as they are after the recommendations.
func (rc recommender) requests(w *Workload, ws *WorkloadStats) ([]Recommendation, []Container, []Skipped) {
	now := w.Containers
	sz := make([]sizing, len(now))
	next := slices.Clone(now)
	for i, c := range now {
		s := ws.Containers[c.Name]
		if unsized(s) != "" {
			sz[i] = sizing{next: c, peakCovered: true}
			continue
		}
		sz[i] = rc.size(c, s)
		next[i] = sz[i].next
	}
	h := w.HPA
	if h != nil && h.MemoryTarget > 0 {
		for i := range next { // an HPA on memory: leave memory requests alone
			if h.MemoryContainer == "" || h.MemoryContainer == now[i].Name {
				next[i].Requests.Memory, next[i].Limits.Memory = now[i].Requests.Memory, now[i].Limits.Memory
			}
		}
	}
	var skipped []Skipped
	// A container that keeps crashing shows its crashes, not its load:
	// raise it if it needs more, never cut it.
	for i, c := range now {
		s := ws.Containers[c.Name]
		if s == nil || !s.Has.Of(StatRestarts) || s.Restarts-s.OOMKills <= DefaultMaxRestarts {
			continue
		}
		n := next[i]
		n.Requests.CPU, n.Requests.Memory = max(n.Requests.CPU, c.Requests.CPU), max(n.Requests.Memory, c.Requests.Memory)
		if n != next[i] {
			next[i] = n
			skipped = append(skipped, Skipped{Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind,
				Reason: fmt.Sprintf("requests of %s not cut: it restarted %d times in the window (crash-looping?): usage between crashes is not its load", c.Name, s.Restarts-s.OOMKills)})
		}
	}
	// Leave alone cuts that save next to nothing: a change is a risk.
	for i := range now {
		if next[i] == now[i] {
			continue
		}
		before, ok1 := rc.podMonthly(w, now)
		trial := slices.Clone(now)
		trial[i] = next[i]
		after, ok2 := rc.podMonthly(w, trial)
		saving := (before - after) * float64(w.Replicas)
		if ok1 && ok2 && saving >= 0 && saving < rc.pol.MinSaving && !raises(now[i], next[i]) {
			skipped = append(skipped, Skipped{Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind,
				Reason: fmt.Sprintf("requests of %s: the cut would save %s a month: not worth a change (under %s)", now[i].Name, usd(saving), usd(rc.pol.MinSaving))})
			next[i] = now[i]
		}
	}
	var hpa *HPAChange
	slows := ""
	if h != nil && h.CPUTarget > 0 {
		hpa, slows = rc.keepScalingPoint(w, now, next)
		for i := range sz { // the cap on the target may have raised requests
			if s := ws.Containers[now[i].Name]; unsized(s) == "" {
				sz[i].peakCovered = sz[i].peakCovered || next[i].Requests.CPU >= s.CPUPeak
			}
		}
	}
	before, okBefore := rc.podMonthly(w, now)
	total := 0.0
	var out []Recommendation
	cur := slices.Clone(now)
	for i, c := range now {
		n := next[i]
		if n == c {
			continue
		}
		cur[i] = n
		after, okAfter := rc.podMonthly(w, cur)
		s := ws.Containers[c.Name]
		x := Recommendation{Action: ActionRequests, Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind, Container: c.Name,
			CPURequest: n.Requests.CPU, MemoryRequest: n.Requests.Memory,
			CurrentCPURequest: c.Requests.CPU, CurrentMemoryRequest: c.Requests.Memory,
			Replicas: w.Replicas, Usage: s, Confidence: rc.confidence(ws.History, n)}
		if okBefore && okAfter {
			x.MonthlySaving = (before - after) * float64(w.Replicas)
		} else {
			x.SavingUnknown = true
		}
		if n.Limits.CPU != c.Limits.CPU {
			x.CPULimit = n.Limits.CPU
		}
		if n.Limits.Memory != c.Limits.Memory {
			x.MemoryLimit = n.Limits.Memory
		}
		x.Reason = sizeReason(c, n, s, sz[i], rc.pol, ws.History)
		rc.classify(&x, c, n, sz[i], ws.History)
		if hpa != nil && (hpa.CPUContainer == "" || hpa.CPUContainer == c.Name) {
			x.HPA = hpa
			x.Class = Big
			x.Risk = RiskUnverified
			x.Reason += fmt.Sprintf("; HPA %s target %s → %s keeps its scaling point at %s", hpa.Name, units.Percent(hpa.CPUTarget), units.Percent(hpa.NewCPUTarget),
				units.CPU(hpa.CPUTarget*scaledRequest(h, now)))
			if slows != "" {
				x.Risk = RiskHigh
				x.Reason += "; " + slows
			}
		}
		total += x.MonthlySaving
		before = after
		out = append(out, x)
	}
	if hpa != nil && total >= 0 && total < rc.pol.MinSaving && okBefore {
		// Changing how a workload scales for next to nothing is not worth it.
		return nil, now, append(skipped, Skipped{Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind,
			Reason: fmt.Sprintf("its request cut would move HPA %s's target for %s a month: not worth changing how it scales", hpa.Name, usd(total))})
	}
	return out, cur, skipped
}

// raises reports whether next asks for more of some resource than cur.
func raises(cur, next Container) bool {
	return next.Requests.CPU > cur.Requests.CPU || next.Requests.Memory > cur.Requests.Memory ||
		next.Limits.CPU > cur.Limits.CPU || next.Limits.Memory > cur.Limits.Memory
}

// classify sets the class and risk of a requests recommendation.
func (rc recommender) classify(x *Recommendation, c, n Container, sz sizing, history time.Duration) {
	cur := c.Requests
	if rc.autopilot { // Autopilot bills a request left unset at its default
		r := rc.p.rules
		if cur.CPU == 0 {
			cur.CPU = r.DefaultVCPU
		}
		if cur.Memory == 0 {
			cur.Memory = r.DefaultGiB * GiB
		}
	}
	cut := n.Requests.CPU < cur.CPU || n.Requests.Memory < cur.Memory
	if !cut || x.MonthlySaving < 0 {
		x.Class, x.Risk = Raise, RiskLow
		return
	}
	x.Class, x.Risk = Easy, RiskLow
	if !sz.peakCovered || history < rc.pol.SettledHistory {
		x.Risk = RiskMedium
	}
}

// scaledRequest is the CPU request an HPA's CPU utilisation is a fraction
// of: the named container's (ContainerResource) or the pod's.
func scaledRequest(h *HPA, cs []Container) float64 {
	if h.CPUContainer != "" {
		for _, c := range cs {
			if c.Name == h.CPUContainer {
				return c.Requests.CPU
			}
		}
		return 0
	}
	return sumRequests(cs).CPU
}

// keepScalingPoint moves an HPA's CPU target with the request it is a
// fraction of, so that the HPA scales at the same CPU per pod (or per
// container); where that would push the target above the cap, the
// requests in next are raised instead. It returns nil when the target
// need not move, and says so when the higher target slows scale-up: a
// container whose CPU is capped at its request cannot report more than
// 100 % utilisation, so the HPA can grow at most 1/target per sync.
func (rc recommender) keepScalingPoint(w *Workload, now, next []Container) (*HPAChange, string) {
	h := w.HPA
	reqNow, reqNext := scaledRequest(h, now), scaledRequest(h, next)
	if reqNow <= 0 || reqNext <= 0 {
		return nil, ""
	}
	point := h.CPUTarget * reqNow
	target := point / reqNext
	if target > rc.pol.MaxHPATarget {
		k := target / rc.pol.MaxHPATarget
		for i := range next {
			if next[i].Requests.CPU != now[i].Requests.CPU && (h.CPUContainer == "" || h.CPUContainer == next[i].Name) {
				next[i].Requests.CPU = roundUp(next[i].Requests.CPU*k, 0.001)
				if next[i].Limits.CPU > 0 && next[i].Limits.CPU < next[i].Requests.CPU {
					next[i].Limits.CPU = next[i].Requests.CPU
				}
			}
		}
		reqNext = scaledRequest(h, next)
		target = point / reqNext
	}
	target = math.Round(target*100) / 100 // HPAs take whole percents
	if math.Abs(target-h.CPUTarget) < 0.005 {
		return nil, ""
	}
	change := &HPAChange{Name: h.Name, MinReplicas: h.MinReplicas, NewMinReplicas: h.MinReplicas, MaxReplicas: h.MaxReplicas,
		NewMaxReplicas: h.MaxReplicas, CPUTarget: h.CPUTarget, NewCPUTarget: target, CPUContainer: h.CPUContainer, CPUMetric: h.CPUMetric}
	slows := ""
	if target > h.CPUTarget {
		for _, c := range next {
			if (h.CPUContainer == "" || h.CPUContainer == c.Name) && rc.cappedContainer(c) {
				slows = fmt.Sprintf("slows scale-up: CPU capped at the request reports at most 100%%, so the HPA can grow ×%.2f per sync instead of ×%.2f",
					1/target, 1/h.CPUTarget)
				break
			}
		}
	}
	return change, slows
}

// pinned flags an HPA that sat at maxReplicas with its pods above the CPU
// target: under-provisioned. It recommends the maximum the HPA would
// have used.
func (rc recommender) pinned(w *Workload, ws *WorkloadStats) *Recommendation {
	h := w.HPA
	if h == nil || h.MaxReplicas <= 0 {
		return nil
	}
	share := -1.0
	if ws.HasHistory(StatHPAAtMax) {
		share = ws.HPAAtMax
	}
	atMaxNow := h.CurrentReplicas >= h.MaxReplicas || w.Replicas >= h.MaxReplicas
	if !(share >= DefaultPinnedShare || (share < 0 && atMaxNow)) {
		return nil
	}
	when := "is at maxReplicas now"
	if share >= 0 {
		when = fmt.Sprintf("sat at maxReplicas %s of the window", units.Percent(share))
	}
	newMax := int(math.Ceil(float64(h.MaxReplicas) * 1.5))
	var why string
	if h.CPUTarget > 0 {
		req := scaledRequest(h, w.Containers)
		var use float64
		for _, c := range w.Containers {
			if s := ws.Containers[c.Name]; s != nil && s.Has.Of(StatCPUHigh) && (h.CPUContainer == "" || h.CPUContainer == c.Name) {
				use += s.CPUHigh
			}
		}
		if req <= 0 {
			return nil
		}
		util := use / req
		if util <= h.CPUTarget*1.1 { // within the HPA's tolerance: at max, and coping
			return nil
		}
		newMax = int(math.Ceil(float64(h.MaxReplicas)*util/h.CPUTarget - 1e-9))
		why = fmt.Sprintf("with its pods at %s of their CPU request at the %s (target %s) it would have run %d", units.Percent(util), pctName(rc.pol), units.Percent(h.CPUTarget), newMax)
	} else {
		why = "it scales on metrics headroom does not read; check them before raising it by half"
	}
	newMax = max(newMax, h.MaxReplicas+1)
	x := &Recommendation{Action: ActionHPAMax, Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind,
		CPURequest: sumRequests(w.Containers).CPU, MemoryRequest: sumRequests(w.Containers).Memory,
		CurrentCPURequest: sumRequests(w.Containers).CPU, CurrentMemoryRequest: sumRequests(w.Containers).Memory,
		Replicas: w.Replicas, Class: Raise, Risk: RiskLow,
		HPA: &HPAChange{Name: h.Name, MinReplicas: h.MinReplicas, NewMinReplicas: h.MinReplicas, MaxReplicas: h.MaxReplicas, NewMaxReplicas: newMax,
			CPUTarget: h.CPUTarget, NewCPUTarget: h.CPUTarget, CPUContainer: h.CPUContainer, CPUMetric: h.CPUMetric},
		Reason: fmt.Sprintf("under-provisioned: HPA %s %s, and %s: raise maxReplicas %d → %d (or raise requests); its target stays %s",
			h.Name, when, why, h.MaxReplicas, newMax, units.Percent(h.CPUTarget))}
	if pod, ok := rc.podMonthly(w, w.Containers); ok {
		x.MonthlySaving = -float64(newMax-h.MaxReplicas) * pod
		x.Reason += fmt.Sprintf("; up to %s a month more when all run", usd(-x.MonthlySaving))
	} else {
		x.SavingUnknown = true
	}
	return x
}

// HasHistory reports whether the workload history holds s.
func (ws *WorkloadStats) HasHistory(s Stat) bool { return ws.WorkloadHistory.Has.Of(s) }

// hpaMin lowers an HPA's minimum when it sat at its minimum all window
// and even the CPU percentile needs fewer pods at the target. It returns
// why it did not when that is worth saying.
func (rc recommender) hpaMin(w *Workload, ws *WorkloadStats, after []Container) (*Recommendation, string) {
	h := w.HPA
	if h == nil || h.CPUTarget <= 0 || h.MinReplicas <= 1 || w.Replicas > h.MinReplicas {
		return nil, ""
	}
	req := scaledRequest(h, w.Containers)
	if req <= 0 {
		return nil, ""
	}
	var use float64
	for _, c := range w.Containers {
		s := ws.Containers[c.Name]
		if h.CPUContainer != "" && h.CPUContainer != c.Name {
			continue
		}
		if unsized(s) != "" {
			return nil, ""
		}
		use += s.CPUHigh
	}
	util := use / req
	need := int(math.Ceil(float64(w.Replicas)*util/h.CPUTarget - 1e-9))
	floor := 1
	if h.MinReplicas >= 2 {
		floor = 2
	}
	newMin := max(need, floor)
	if newMin >= h.MinReplicas {
		return nil, ""
	}
	if !ws.HasHistory(StatReplicas) || ws.AvgReplicas > float64(h.MinReplicas)+0.05 {
		return nil, fmt.Sprintf("HPA %s minimum %d left alone: its replica history over the window is unknown or above the minimum, so the minimum may be what holds its peaks", h.Name, h.MinReplicas)
	}
	pod, ok := rc.podMonthly(w, after)
	x := &Recommendation{Action: ActionHPAMin, Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind,
		CPURequest: sumRequests(after).CPU, MemoryRequest: sumRequests(after).Memory,
		CurrentCPURequest: sumRequests(w.Containers).CPU, CurrentMemoryRequest: sumRequests(w.Containers).Memory,
		Replicas: w.Replicas, HPA: &HPAChange{Name: h.Name, MinReplicas: h.MinReplicas, NewMinReplicas: newMin, MaxReplicas: h.MaxReplicas,
			NewMaxReplicas: h.MaxReplicas, CPUTarget: h.CPUTarget, NewCPUTarget: h.CPUTarget, CPUContainer: h.CPUContainer, CPUMetric: h.CPUMetric},
		Class: Big, Risk: RiskHigh,
		Reason: fmt.Sprintf("the HPA sat at its minimum all window; at its %s CPU the workload runs at %s of its request on %d pods, so the HPA (target %s) would keep %d: minReplicas %d → %d. Slows the first minutes of a spike: the minimum is what absorbs it before new pods start; check known events with headroom sim",
			pctName(rc.pol), units.Percent(util), w.Replicas, units.Percent(h.CPUTarget), need, h.MinReplicas, newMin)}
	if ok {
		x.MonthlySaving = float64(h.MinReplicas-newMin) * pod
		if x.MonthlySaving < rc.pol.MinSaving {
			return nil, fmt.Sprintf("HPA %s minimum %d → %d would save %s a month: not worth slowing its response to a spike", h.Name, h.MinReplicas, newMin, usd(x.MonthlySaving))
		}
	} else {
		x.SavingUnknown = true
	}
	return x, ""
}

// idle proposes scaling a workload to zero only on strong evidence:
// observed for nearly the whole window, no requests counted and no
// network traffic above the steady background of health checks, and no
// CPU worth the name in any short window. It is never easy and never low
// risk; without any traffic metric it proposes nothing.
func (rc recommender) idle(w *Workload, ws *WorkloadStats, partial bool) *Recommendation {
	if (w.Kind != KindDeployment && w.Kind != KindStatefulSet) || partial {
		return nil
	}
	var top float64
	for _, s := range ws.Containers {
		if !s.Has.Of(StatCPUPeak) {
			return nil
		}
		top = math.Max(top, s.CPUPeak)
	}
	t := ws.Traffic
	switch {
	case top >= rc.pol.IdleCPU:
		return nil
	case ws.History < time.Duration(DefaultIdleHistory*float64(rc.pol.Window)):
		return nil
	case !t.Has.Of(StatRequests) && !t.Has.Of(StatNetwork):
		return nil
	case t.Has.Of(StatRequests) && t.Requests >= 0.5:
		return nil
	case t.Has.Of(StatNetwork) && (t.Bursts || t.RxPeak > rc.pol.IdleNetwork):
		return nil
	}
	var evidence []string
	if t.Has.Of(StatRequests) {
		evidence = append(evidence, fmt.Sprintf("no requests counted in %s", units.Duration(rc.pol.Window)))
	}
	if t.Has.Of(StatNetwork) {
		evidence = append(evidence, fmt.Sprintf("network receive steady at %s (peak %s: no more than health checks and scrapes send)", rateText(t.RxTypical), rateText(t.RxPeak)))
	}
	evidence = append(evidence, fmt.Sprintf("CPU never above %s in any %s window", units.CPU(math.Max(top, 0.001)), units.Duration(max(rc.pol.PeakResolution, time.Minute))))
	zero := 0
	pod := sumRequests(w.Containers)
	x := &Recommendation{Action: ActionIdle, Namespace: w.Namespace, Workload: w.Name, Kind: w.Kind,
		CPURequest: pod.CPU, MemoryRequest: pod.Memory, CurrentCPURequest: pod.CPU, CurrentMemoryRequest: pod.Memory,
		Replicas: w.Replicas, RecommendedReplicas: &zero, Class: Big, Risk: RiskHigh,
		Reason: "looks unused: " + strings.Join(evidence, "; ") +
			". Confirm with its owners before scaling to 0: callers rarer than the window (a yearly job, a disaster-recovery path) leave no trace; the patch file holds the command as a comment"}
	if m, ok := rc.podMonthly(w, w.Containers); ok {
		x.MonthlySaving = float64(w.Replicas) * m
	} else {
		x.SavingUnknown = true
	}
	return x
}

// confidence is the history behind a sizing, with VPA-style bounds.
func (rc recommender) confidence(history time.Duration, n Container) *Confidence {
	days := history.Hours() / 24
	if days <= 0 {
		return nil
	}
	up, down := 1+1/days, math.Pow(1+0.001/days, -2)
	round := func(x float64) float64 { return math.Round(x*1e6) / 1e6 }
	return &Confidence{HistoryDays: round(days), CPULower: round(n.Requests.CPU * down), CPUUpper: round(n.Requests.CPU * up),
		MemoryLower: math.Round(n.Requests.Memory * down), MemoryUpper: math.Round(n.Requests.Memory * up)}
}

func sizeReason(c, n Container, s *ContainerStats, sz sizing, pol Policy, history time.Duration) string {
	res := ""
	if pol.PeakResolution > 0 {
		res = " (" + units.Duration(pol.PeakResolution) + " windows)"
	}
	parts := []string{
		fmt.Sprintf("CPU %s %s, peak %s%s, of %s requested", pctName(pol), units.CPU(s.CPUHigh), units.CPU(s.CPUPeak), res, orUnset(c.Requests.CPU, units.CPU)),
		fmt.Sprintf("memory peak %s of %s requested", units.Bytes(s.MemoryPeak), orUnset(c.Requests.Memory, units.Bytes)),
	}
	if sz.cappedAtPeak && n.Requests.CPU != c.Requests.CPU {
		parts = append(parts, "CPU sized to the peak: a limit at the request caps it")
	} else if !sz.peakCovered {
		parts = append(parts, fmt.Sprintf("above %s the container borrows spare node CPU and slows under contention", units.CPU(n.Requests.CPU)))
	}
	if s.OOMKills > 0 {
		parts = append(parts, fmt.Sprintf("%d OOM kill(s) at a %s limit", s.OOMKills, orUnset(max(s.MemoryLimitAtOOM, c.Limits.Memory), units.Bytes)))
	}
	parts = append(parts, sz.limitRaised...)
	if n.Limits.Memory != c.Limits.Memory {
		parts = append(parts, "memory limit raised to the request")
	}
	parts = append(parts, units.Duration(history.Round(time.Hour))+" of history")
	if history < pol.SettledHistory {
		parts = append(parts, "less than a week: weekly patterns unseen")
	}
	return strings.Join(parts, "; ")
}

// rateText writes bytes per second: "1.5Mi/s".
func rateText(bps float64) string { return units.Bytes(bps) + "/s" }

func orUnset(v float64, f func(float64) string) string {
	if v <= 0 {
		return "none"
	}
	return f(v)
}

func pctName(p Policy) string { return fmt.Sprintf("p%g", p.CPUPercentile*100) }

func roundUp(x, step float64) float64 { return math.Ceil(x/step-1e-9) * step }
