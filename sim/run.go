package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Options control one run.
type Options struct {
	// Resolution is the simulation's time step; 0 means
	// [DefaultResolution]. Finer is slower and rarely different.
	Resolution time.Duration
	// TimelineStep is the spacing of the timeline's entries; 0 means no
	// timeline (and memory that does not grow with the scenario's length).
	TimelineStep time.Duration
	// StopAtBreach ends the run at the first breach (Result.FirstBreach):
	// the scenario has then burned more budget than it may, so the verdict
	// is known (SLOMet false, as a whole run would say). Result.Stopped
	// tells so; its counts and costs cover the simulated part only. For a
	// caller that needs the verdict only, such as a planner's search.
	StopAtBreach bool
	// Band also simulates the scenario in the best and the worst timing
	// (metric samples as fresh and as stale as the pipelines allow, the
	// median and the 90th percentile start-up) and gives the range of
	// verdicts in Result.Band: two more runs, which keep no timeline and
	// run to the end. A result that survives on average but not in the
	// worst case is borderline.
	Band bool
}

// Defaults of a run.
const (
	DefaultResolution   = time.Second
	DefaultTimelineStep = 10 * time.Second
	// MaxSteps bounds a run: the scenario's duration divided by the
	// resolution.
	MaxSteps = 100_000_000
)

const (
	ln2   = 0.6931471805599453
	log2e = 1.4426950408889634
	ln5   = 1.6094379124341003
	ln10  = 2.302585092994046
	// initialAge is how long before the start the initial pods started.
	initialAge = 3600.0
)

// Run simulates a scenario. It is deterministic: the same model, scenario
// and options give the same result. ctx is checked now and then so a long
// run can be cancelled.
func (m *Model) Run(ctx context.Context, sc Scenario, opt Options) (*Result, error) {
	if sc.Traffic == nil {
		return nil, errors.New("scenario has no traffic")
	}
	if sc.Event > EventSurprise {
		return nil, fmt.Errorf("scenario %q: event: unknown notice %d; want announced or surprise", sc.Name, uint8(sc.Event))
	}
	notice := sc.Notice()
	dur := sc.Duration
	if dur == 0 {
		dur = sc.Traffic.Duration()
	}
	res := opt.Resolution
	if res == 0 {
		res = DefaultResolution
	}
	if dur <= 0 || res <= 0 || opt.TimelineStep < 0 {
		return nil, fmt.Errorf("scenario %q: duration, resolution and timeline step must be positive", sc.Name)
	}
	steps := int64(math.Ceil(float64(dur) / float64(res)))
	if steps > MaxSteps {
		return nil, fmt.Errorf("scenario %q: %v at a %v resolution is more than %d steps; use a coarser resolution", sc.Name, dur, res, MaxSteps)
	}
	out, err := m.c.run(ctx, sc, res, steps, opt, phaseAverage)
	if err != nil {
		return nil, err
	}
	if opt.Band {
		fresh, err := m.c.run(ctx, sc, res, steps, Options{Resolution: res}, phaseBest)
		if err != nil {
			return nil, err
		}
		stale, err := m.c.withTail().run(ctx, sc, res, steps, Options{Resolution: res}, phaseWorst)
		if err != nil {
			return nil, err
		}
		out.Band = band(out, fresh, stale)
	}
	out.judgeBorderline(m.c.burnMax())
	out.Event = notice.String()
	return out, nil
}

// run is one simulation of a scenario in a timing phase.
func (c *compiled) run(ctx context.Context, sc Scenario, res time.Duration, steps int64, opt Options, ph phase) (*Result, error) {
	r := newRunner(c, sc, res, steps, opt.TimelineStep, ph)
	skipped := false
	if sc.Notice() == EventSurprise {
		// Nobody knows when a surprise comes: nothing pre-scales for it.
		for i := range r.comps {
			s := &r.comps[i]
			skipped = skipped || len(s.cc.Prescale) > 0
			s.pre = len(s.cc.Prescale)
		}
	}
	stopped := false
	for step := int64(0); step < steps; step++ {
		if step&8191 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		r.step(step)
		if opt.StopAtBreach && r.firstBreach >= 0 && step+1 < steps {
			r.steps, stopped = step+1, true
			break
		}
	}
	out := r.finish()
	out.Stopped = stopped
	if skipped {
		out.Notes = append(out.Notes, fmt.Sprintf("%s is a surprise: the system's pre-scaling (prescale) is not applied before it", sc.Name))
	}
	return out, nil
}

// compState is one component during a run.
type compState struct {
	cc      *compComponent
	dt      float64
	settle  float64 // seconds after which a placed pod is indistinguishable from older ones
	cohorts []cohort
	spec    int // the Deployment's replicas
	hpa     *Autoscaler
	inputs  []ReplicaInput
	podsCPU []Pod
	podsRPS []Pod
	pre     int // next prescale entry

	// counts at the current time, recomputed on events, and what the ready
	// count implies: capacity per step, the longest useful queue, and
	// reciprocals of the service rate and of the ready count times dt
	ready, bound, pending int
	capStep, maxQueue     float64
	invRate, invReady     float64
	firstPending          int
	nextEvent             float64
	dirty, blocked        bool
	gen, lastGen          int // counts recounts

	// traffic, this step
	queue, fPrev               float64
	base, attempts, served     float64
	overflow, wait, rho, usage float64
	p50, p90, p99              float64
	f, final                   float64 // per-attempt failure ratio, failure ratio after retries
	inTimeout                  float64 // fraction of served requests within the timeout
	ownFail                    float64 // attempts failed here (not downstream)
	ring                       []sample
	ringPos                    int
	ringSum                    sample
	scraped                    sample
	scrapedAt                  float64
	hpaUtil                    float64
	acc                        compAcc
	tlSum                      stepSums

	// serving: the effective replicas that serve (warm-up and pinned
	// connections counted), and their share of the ready ones
	serve, serveFrac float64
	// the custom metrics pipeline (see timing_custom.go)
	cm customState
}

type runner struct {
	c       *compiled
	sc      Scenario
	dt      float64
	steps   int64
	comps   []compState
	pool    pool
	count   float64 // traffic count at the start of the step
	syncK   int64
	scrapeK int64
	scanK   int64
	tlK     int64
	// steps left until the next reconciliation, scrape, scan and timeline
	// entry
	toSync, toScrape, toScan, toEmit int64
	// the timing phase, the kubelet sample's age and the window, in steps
	ph       phase
	age, win int
	tl       []Point
	tlSum    stepSums
	readyAt0 []int
	res      time.Duration

	// SLO and totals
	requests, failed, slow        float64
	badAvail, badLat              float64
	allowAvail, allowLat, burnMax float64
	firstBreach                   float64
	lastExt, costRate             float64
	costGen                       int
	threshold                     float64 // latency objective, seconds
	thresholdMemo                 struct{ p50, p90, p99, v float64 }
	worstP99, worstP99At          float64
	cost                          float64
}

func newRunner(c *compiled, sc Scenario, res time.Duration, steps int64, tlStep time.Duration, ph phase) *runner {
	dt := res.Seconds()
	r := &runner{c: c, sc: sc, dt: dt, res: res, steps: steps, firstBreach: -1, ph: ph}
	every := func(d float64) int64 { return max(1, int64(math.Round(d/dt))) }
	r.syncK = every(c.sys.Controller.withDefaults().SyncPeriod.Seconds())
	r.scrapeK = every(c.resolution)
	r.scanK = every(DefaultScanInterval.Seconds())
	if tlStep > 0 {
		r.tlK = every(tlStep.Seconds())
		r.tl = make([]Point, 0, steps/r.tlK+1)
	}
	// metrics-server scrapes out of phase with the HPA's syncs: on average
	// a sync reads a sample half a resolution old; the kubelet's sample
	// was older still (cAdvisor's housekeeping).
	r.toSync, r.toScan, r.toEmit = r.syncK, r.scanK, r.tlK
	r.toScrape = firstCountdown(r.syncK, r.scrapeK, ph.lag(r.scrapeK))
	r.win = int(every(c.window))
	r.age = int(ph.age(c.tm.housekeeping, dt))
	ringLen := r.win + r.age
	r.comps = make([]compState, len(c.comps))
	for i := range c.comps {
		cc := &c.comps[i]
		s := &r.comps[i]
		s.cc, s.dt = cc, dt
		ctl := c.sys.Controller.withDefaults()
		s.settle = 1 + max(cc.toReady+c.window+c.resolution+r.dt*float64(r.age)+cc.sv.prop+cc.sv.warm+cc.sv.connAge,
			ctl.CPUInitializationPeriod.Seconds(), ctl.InitialReadinessDelay.Seconds())
		s.spec = max(cc.Replicas, 1)
		if cc.HPA != nil {
			s.hpa, _ = NewAutoscaler(*cc.HPA, c.sys.Controller) // validated by Compile
			s.inputs = make([]ReplicaInput, len(s.hpa.Metrics()))
			s.podsCPU = make([]Pod, 0, cc.maxPods+1)
			s.podsRPS = make([]Pod, 0, cc.maxPods+1)
		}
		s.ring = make([]sample, ringLen)
		s.scrapedAt = -1
		if cc.sv.custom {
			s.cm = newCustomState(&cc.sv.cm, r.syncK, every, ph)
		}
	}
	r.initialReplicas(sc.Traffic.Rate(0))
	var needCPU, needMem float64
	for i := range r.comps {
		s := &r.comps[i]
		s.cohorts = make([]cohort, 0, s.cc.maxPods+2)
		s.cohorts = append(s.cohorts, cohort{n: s.spec, created: -initialAge, initial: true})
		needCPU += float64(s.spec) * s.cc.Resources.CPURequest
		needMem += float64(s.spec) * s.cc.Resources.MemoryRequest
	}
	r.pool = newPool(c, needCPU, needMem)
	// The initial pods are placed and ready from long ago.
	r.schedule(-initialAge + r.maxSchedule())
	for i := range r.comps {
		s := &r.comps[i]
		for j := range s.cohorts {
			s.cohorts[j].bound = -initialAge
		}
		s.recount(0)
	}
	r.setupSLO()
	r.warmUp()
	r.lastExt, r.costGen, r.thresholdMemo.p50 = math.NaN(), -1, math.NaN()
	r.readyAt0 = make([]int, len(r.comps))
	for i := range r.comps {
		r.readyAt0[i] = r.comps[i].ready
	}
	return r
}

// warmUp fills the metrics pipeline with the steady state at the starting
// rate, so the HPA does not react to an empty history.
func (r *runner) warmUp() {
	ext := r.sc.Traffic.Rate(0) * r.dt
	r.forward(ext)
	r.backward()
	for i := range r.comps {
		s := &r.comps[i]
		smp := s.sample(r.dt)
		for j := range s.ring {
			s.ring[j] = smp
		}
		w := float64(r.win)
		s.ringSum = sample{smp.cpu * w, smp.rps * w, smp.arrivals * w}
		s.scraped, s.scrapedAt = smp, 0
		if s.cc.sv.custom {
			s.cm.warmUp(smp, r.dt)
		}
		s.hpaUtil = smp.cpu / s.cc.Resources.CPURequest
		s.queue, s.fPrev = 0, 0
	}
}

func secDur(x float64) time.Duration { return time.Duration(math.Round(x * 1e9)) }

// step simulates [t, t+dt).
func (r *runner) step(step int64) {
	t := float64(step) * r.dt
	now := t + r.dt
	roomAdded := r.pool.advance(t)
	for i := range r.comps {
		s := &r.comps[i]
		if s.pre < len(s.cc.Prescale) {
			r.prescale(s, t)
		}
		if s.dirty || t >= s.nextEvent {
			s.recount(t)
		}
		if s.pending > 0 {
			roomAdded = true
		}
	}
	if roomAdded {
		r.schedule(t)
		for i := range r.comps {
			if r.comps[i].dirty {
				r.comps[i].recount(t)
			}
		}
	}

	next := r.sc.Traffic.Count(time.Duration(step+1) * r.res)
	ext := next - r.count
	r.count = next
	gen := r.pool.gen
	steady := ext == r.lastExt
	for i := range r.comps {
		s := &r.comps[i]
		gen += s.gen
		steady = steady && s.gen == s.lastGen && s.queue == 0 && s.fPrev == 0
		s.lastGen = s.gen
	}
	// With the same arrivals into the same replicas and nothing queued or
	// failing, the step repeats the last one exactly.
	if !steady {
		r.forward(ext)
		r.backward()
	}
	r.lastExt = ext
	if gen != r.costGen {
		r.costGen, r.costRate = gen, r.hourlyCost()
	}
	r.account(t, ext)

	r.toScrape--
	for i := range r.comps {
		s := &r.comps[i]
		s.push(s.sample(r.dt), r.age)
		if r.toScrape == 0 {
			s.scrape(now, r.win)
		}
	}
	if r.toScrape == 0 {
		r.toScrape = r.scrapeK
	}
	if r.c.tm.custom {
		r.custom(now)
	}
	if r.toSync--; r.toSync == 0 {
		r.toSync = r.syncK
		for i := range r.comps {
			if r.comps[i].hpa != nil {
				r.reconcile(&r.comps[i], now)
			}
		}
	}
	if r.toScan--; r.toScan == 0 {
		r.toScan = r.scanK
		var cpu, mem float64
		for i := range r.comps {
			s := &r.comps[i]
			cpu += float64(s.pending) * s.cc.Resources.CPURequest
			mem += float64(s.pending) * s.cc.Resources.MemoryRequest
		}
		r.pool.scan(now, cpu, mem)
	}
	if r.tlK > 0 {
		if r.toEmit--; r.toEmit == 0 || step+1 == r.steps {
			r.emit(now, float64(r.tlK-r.toEmit)*r.dt)
			r.toEmit = r.tlK
		}
	}
}
