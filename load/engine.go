package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
)

// arrival is one request to send: its sequence number, its due time
// (offset from the start) and its target.
type arrival struct {
	seq  int64 // across all targets, from 1
	tseq int64 // the target's own, from 1: picks the CSV row
	due  time.Duration
	t    int
}

// worker sends requests one at a time. In the open model a worker is idle
// (on the engine's idle stack, waiting on ch) or busy with one arrival; the
// pool grows whenever an arrival finds no idle worker.
type worker struct {
	ch      chan arrival
	conns   []h1conn // per target, for the lean client
	buf     []byte   // the rendered request
	scratch []byte   // the rendered body or URL
}

// slot collects the measurements of the current interval.
type slot struct {
	buckets     []stats.Bucket // per target
	lag         stats.Histogram
	maxInFlight int
}

type engine struct {
	cfg     *Config
	targets []*target
	timeout time.Duration
	slack   time.Duration // how far past a request's deadline its connection's may be
	late    time.Duration
	cap     int           // the in-flight cap; 0: none
	drain   time.Duration // the wait for requests in flight at the end
	start   time.Time
	client  *http.Client // the net/http path; nil when every target is lean

	mu        sync.Mutex
	slot      *slot
	idle      []*worker // LIFO: the most recently used connections stay warm
	inflight  int
	inflightT []int // per target
	stopped   bool  // workers exit instead of going idle
	finished  bool  // the run is over: outcomes that come in now are not recorded
	halted    bool  // the schedule is over or the run stopped: no more sends (Queue)
	pending   sync.WaitGroup
	freed     sync.Cond // signalled when a worker goes idle, or on halt (Queue)

	seq atomic.Int64 // closed model: the next sequence number

	run    *stats.Run
	cpu    time.Duration  // process CPU at the last interval boundary
	index  int            // the current interval's number
	tickMu sync.Mutex     // serialises interval rotation
	done   chan struct{}  // closed to stop the interval ticker
	ticker sync.WaitGroup // the ticker goroutine
}

func newEngine(cfg *Config) (*engine, error) {
	targets, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	e := &engine{cfg: cfg, targets: targets, timeout: cfg.timeout(), late: cfg.lateThreshold(), cap: cfg.maxInFlight(),
		drain: cfg.drain(), inflightT: make([]int, len(targets))}
	e.slack = slackOf(e.timeout)
	for _, t := range targets {
		if !t.lean {
			e.client = &http.Client{
				Transport: newTransport(cfg.Protocol, cfg.Insecure, e.timeout),
				CheckRedirect: func(*http.Request, []*http.Request) error {
					return http.ErrUseLastResponse // measure the target, not where it points
				},
			}
			break
		}
	}
	e.slot = e.newSlot()
	e.freed.L = &e.mu
	return e, nil
}

func (e *engine) newSlot() *slot { return &slot{buckets: make([]stats.Bucket, len(e.targets))} }

func (e *engine) header(mode string) stats.Header {
	h := stats.Header{
		Version: e.cfg.Version,
		Mode:    mode,
		Seed:    e.cfg.Seed,
		Generator: stats.GeneratorInfo{
			Host: e.cfg.Host, GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU(),
			MaxInFlight: e.cap, MaxRate: max(0, e.cfg.MaxRate), Timeout: e.timeout, Drain: e.drain, LateThreshold: e.late,
			Protocol: e.cfg.Protocol.String(), FileLimit: fileLimit(),
		},
	}
	for _, t := range e.targets {
		h.Targets = append(h.Targets, stats.TargetInfo{Name: t.name, Method: t.method, URL: t.shown, Weight: t.weight})
	}
	return h
}

// since is the time elapsed since the start (monotonic).
func (e *engine) since() time.Duration { return time.Since(e.start) }

// Run runs an open-model load test: it sends requests on cfg.Shape's
// schedule, whatever the targets' response times, and returns what it
// measured.
//
// Each request is due at a time computed absolutely from the shape; its
// latency is recorded from that due time (corrected for coordinated
// omission) and from its actual send. Concurrency grows on demand up to
// cfg.MaxInFlight; arrivals that find the cap reached are dropped and
// counted.
//
// A run ends when its schedule does, plus the drain: arrivals the generator
// could not send by the end of the schedule (it fell behind, or waited for
// a free slot) are counted dropped, never sent late; requests still in
// flight after the drain are counted unfinished. Arrivals that fail for
// lack of the generator's own resources (too many open files, no free local
// port) are counted dropped by the generator, not as the target's errors.
//
// When ctx is cancelled Run stops scheduling, waits for the requests in
// flight (at most the drain), and returns the run so far, marked partial,
// with an error wrapping ctx's. Run blocks until then.
//
// Run checks cfg first (see Check) and returns its error, with no run,
// before sending anything.
func Run(ctx context.Context, cfg Config) (*stats.Run, error) {
	if err := checkRun(&cfg); err != nil {
		return nil, err
	}
	e, err := newEngine(&cfg)
	if err != nil {
		return nil, err
	}
	h := e.header(stats.ModeOpen)
	h.Shape, h.Arrivals = cfg.Shape.String(), cfg.Arrivals.String()
	e.begin(h)
	end := e.pace(ctx)
	return e.finish(ctx, end)
}

// Check validates an open-model Config without sending anything: its
// targets (URLs, methods, headers, templates), its shape, and the shape's
// peak rate against MaxRate (a *RateError). Run makes the same checks; a
// caller that must validate before acting (creating a results file) calls
// Check first.
func Check(cfg Config) error {
	if err := checkRun(&cfg); err != nil {
		return err
	}
	_, err := prepare(&cfg)
	return err
}

// CheckClosed validates a closed-model Config's targets without sending
// anything.
func CheckClosed(cfg Config) error {
	_, err := prepare(&cfg)
	return err
}

func checkRun(cfg *Config) error {
	if cfg.Shape == nil {
		return errors.New("load: no traffic shape")
	}
	if cfg.MaxRate > 0 {
		if peak := PeakRate(cfg.Shape); peak > cfg.MaxRate*(1+1e-9) {
			return &RateError{Peak: peak, Max: cfg.MaxRate}
		}
	}
	return nil
}

// Rates per core that ProcsFor budgets: an open-model request costs the
// lean HTTP/1.1 client about 30µs of CPU (kernel included), net/http and
// TLS several times more; half a core's worth keeps the scheduling lag low.
const (
	leanRatePerCore = 10000
	stdRatePerCore  = 2500
)

// ProcsFor is the number of cores (GOMAXPROCS) an open-model run of cfg
// needs: one per 10,000 req/s of the shape's peak for plain http://
// targets, one per 2,500 req/s when any target goes through net/http
// (TLS, HTTP/2), at least 1 and at most the machine's. Running with no more
// processors than that saves the Go scheduler's idle spinning: about a
// fifth of the generator's CPU at 5,000 req/s on two cores. It changes
// nothing by itself; a program that runs only the load test (the headroom
// command) may apply it with runtime.GOMAXPROCS.
func ProcsFor(cfg Config) int {
	if cfg.Shape == nil {
		return runtime.NumCPU()
	}
	targets, err := prepare(&cfg)
	if err != nil {
		return runtime.NumCPU()
	}
	per := float64(leanRatePerCore)
	for _, t := range targets {
		if !t.lean {
			per = stdRatePerCore
		}
	}
	n := int(math.Ceil(PeakRate(cfg.Shape) / per))
	return max(1, min(n, runtime.NumCPU()))
}

// RateError is a shape whose peak rate is above Config.MaxRate.
type RateError struct {
	Peak, Max float64 // per second
}

func (e *RateError) Error() string {
	return fmt.Sprintf("the shape peaks at %s req/s, above the rate cap of %s req/s", formatRate(e.Peak), formatRate(e.Max))
}

func formatRate(r float64) string {
	if r >= 1e7 {
		return strconv.FormatFloat(r, 'g', 3, 64)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// PeakRate is the highest rate of a shape, per second: its Max when it has
// one (a traffic.Curve does), otherwise the highest rate over 1 ms steps.
func PeakRate(s traffic.Shape) float64 {
	if m, ok := s.(interface{ Max() float64 }); ok {
		return m.Max()
	}
	d := s.Duration()
	step := max(time.Millisecond, d/100000)
	peak := 0.0
	for t := time.Duration(0); t < d; t += step {
		peak = max(peak, s.Rate(t))
	}
	return peak
}

// Closed runs a closed-model test for maximum throughput: concurrency
// connections each send their next request as soon as the previous one
// completes, for duration d. It is labelled closed in its results: its
// latencies describe the target at full load, not at any given rate, and
// it cannot show coordinated omission (a request's due time is its send).
// cfg.Shape, Arrivals and MaxInFlight are ignored.
func Closed(ctx context.Context, cfg Config, concurrency int, d time.Duration) (*stats.Run, error) {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	if d <= 0 {
		return nil, fmt.Errorf("load: closed run duration %v must be positive", d)
	}
	e, err := newEngine(&cfg)
	if err != nil {
		return nil, err
	}
	h := e.header(stats.ModeClosed)
	h.Concurrency = concurrency
	h.Generator.MaxInFlight, h.Generator.MaxRate = 0, 0
	e.begin(h)
	e.mu.Lock()
	e.inflight = concurrency
	e.slot.maxInFlight = concurrency
	e.mu.Unlock()
	var wg sync.WaitGroup
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			e.loop(ctx, i, d)
		}(i)
	}
	wg.Wait()
	e.mu.Lock()
	e.inflight = 0
	e.mu.Unlock()
	end := min(d, e.since())
	return e.finish(ctx, end)
}

// begin starts the clock, the interval ticker and the run.
func (e *engine) begin(h stats.Header) {
	e.cpu = cpuTime()
	e.start = time.Now()
	h.Started = e.start
	e.run = &stats.Run{Header: h}
	if e.cfg.OnStart != nil {
		e.cfg.OnStart(&e.run.Header)
	}
	e.done = make(chan struct{})
	e.ticker.Add(1)
	go e.tick()
}

// tick rotates the interval at every whole second from the start until
// done is closed.
func (e *engine) tick() {
	defer e.ticker.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		e.tickMu.Lock()
		next := e.start.Add(time.Duration(e.index+1) * time.Second)
		e.tickMu.Unlock()
		t.Reset(time.Until(next))
		select {
		case <-e.done:
			return
		case <-t.C:
		}
		select {
		case <-e.done:
			return // stopping: the final rotation ends the interval
		default:
			e.rotate(false)
		}
	}
}

// rotate ends the current interval and starts the next. The final call
// (last) ends the run's last, possibly shorter, interval.
func (e *engine) rotate(last bool) {
	e.tickMu.Lock()
	defer e.tickMu.Unlock()
	fresh := e.newSlot()
	e.mu.Lock()
	old := e.slot
	e.slot = fresh
	inflight := e.inflight
	fresh.maxInFlight = inflight
	e.mu.Unlock()

	start := time.Duration(e.index) * time.Second
	dur := time.Second
	if last {
		dur = max(0, e.since()-start)
		if dur > time.Second {
			dur = time.Second
		}
	}
	now := cpuTime()
	iv := &stats.Interval{Index: e.index, Start: start, Duration: dur}
	iv.Generator = stats.GeneratorSample{CPU: now - e.cpu, InFlight: inflight, MaxInFlight: old.maxInFlight}
	iv.Generator.Lag.Merge(&old.lag)
	e.cpu = now
	iv.Targets = make(map[string]*stats.Bucket, len(e.targets))
	for i, t := range e.targets {
		iv.Total.Add(&old.buckets[i])
		iv.Targets[t.name] = &old.buckets[i]
	}
	e.index++
	if last && dur < 10*time.Millisecond && iv.Total.Scheduled == 0 && iv.Total.Requests == 0 {
		e.run.Generator.CPU += iv.Generator.CPU
		return // an empty sliver after the last whole second
	}
	if e.cfg.NoIntervals {
		e.run.Accumulate(iv)
	} else {
		e.run.Add(iv)
	}
	if e.cfg.OnInterval != nil {
		e.cfg.OnInterval(iv)
	}
}

// finish drains the requests in flight, stops the workers and closes the
// last interval.
func (e *engine) finish(ctx context.Context, end time.Duration) (*stats.Run, error) {
	drained := make(chan struct{})
	go func() {
		e.pending.Wait()
		close(drained)
	}()
	grace := time.NewTimer(e.drain)
	select {
	case <-drained:
	case <-grace.C:
		// By default every request ends by its own deadline first; a
		// shorter Drain, or a connection that ignores its deadline, leaves
		// requests in flight: they are counted unfinished.
	}
	grace.Stop()
	e.mu.Lock()
	e.stopped, e.finished, e.halted = true, true, true
	for i, n := range e.inflightT {
		e.slot.buckets[i].Unfinished += int64(n)
	}
	idle := e.idle
	e.idle = nil
	e.freed.Broadcast()
	e.mu.Unlock()
	for _, w := range idle {
		close(w.ch)
	}
	close(e.done)
	e.ticker.Wait()
	e.rotate(true)
	if e.client != nil {
		e.client.CloseIdleConnections()
	}
	e.run.Duration = end
	if err := ctx.Err(); err != nil {
		e.run.Partial = true
		return e.run, fmt.Errorf("load test stopped early: %w", err)
	}
	return e.run, nil
}

// pace walks the schedule, handing each arrival to a worker when it falls
// due. It wakes once per batch: every arrival already due is dispatched
// (each keeping its own due time), then it sleeps until the next one. It
// returns the length of the schedule that was run.
//
// The schedule ends on time, whatever the rate asked for: arrivals not
// handed over by endGrace after the shape's end are counted dropped at the
// end, never sent later.
func (e *engine) pace(ctx context.Context) time.Duration {
	sched := traffic.NewSchedule(e.cfg.Shape, e.cfg.Arrivals, e.cfg.Seed)
	pick := newPicker(e.targets)
	end := e.cfg.Shape.Duration()
	stopAt := end + max(e.late, endGrace)
	halt := func() {
		e.mu.Lock()
		e.halted = true
		e.freed.Broadcast()
		e.mu.Unlock()
	}
	if e.cfg.Queue {
		// Only a queued arrival waits on anything but the pacer's timer.
		defer time.AfterFunc(max(0, stopAt-e.since()), halt).Stop()
		defer context.AfterFunc(ctx, halt)()
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	batch := make([]arrival, 0, 256)
	assign := make([]*worker, 0, 256)
	tseq := make([]int64, len(e.targets))
	seq, due, ok := sched.Next()
	for ok {
		now := e.since()
		if now > stopAt {
			break
		}
		if due > now {
			timer.Reset(due - now)
			select {
			case <-ctx.Done():
				return min(now, end)
			case <-timer.C:
			}
			continue
		}
		for ok && due <= now && len(batch) < cap(batch) {
			t := pick.next()
			tseq[t]++
			batch = append(batch, arrival{seq: seq, tseq: tseq[t], due: due, t: t})
			seq, due, ok = sched.Next()
		}
		var halted bool
		assign, halted = e.dispatch(batch, assign[:0])
		batch = batch[:0]
		if ctx.Err() != nil {
			return min(e.since(), end)
		}
		if halted {
			break
		}
	}
	if ok {
		e.dropRest(sched, pick, due)
		return end
	}
	// A shape may end with quiet time after its last arrival: it is part
	// of the run (its seconds are measured too).
	if rest := end - e.since(); rest > 0 {
		timer.Reset(rest)
		select {
		case <-ctx.Done():
			return min(e.since(), end)
		case <-timer.C:
		}
	}
	return end
}

// endGrace is how long after the shape's end the pacer may still hand over
// arrivals that fell due before it (they count late): a timer that wakes a
// few milliseconds late on a busy machine must not drop the last arrival.
// Anything still unsent then is dropped.
const endGrace = 100 * time.Millisecond

// dropRest counts the arrivals left in the schedule, from the one due at
// due on, as scheduled and dropped at the end. The first few are walked
// one by one and shared by the picker; the rest, which only a runaway rate
// leaves, are the shape's expected count after them, shared by weight.
func (e *engine) dropRest(sched *traffic.Schedule, pick *picker, due time.Duration) {
	n := make([]int64, len(e.targets))
	n[pick.next()]++
	var ok bool
	for k := 0; k < 4096; k++ {
		if _, due, ok = sched.Next(); !ok {
			break
		}
		n[pick.next()]++
	}
	if ok {
		shape := e.cfg.Shape
		rest := shape.Count(shape.Duration()) - shape.Count(due)
		if rest > 0 && !math.IsInf(rest, 0) {
			for i, w := range pick.w {
				n[i] += int64(math.Round(rest * w / pick.total))
			}
		}
	}
	e.mu.Lock()
	for i, k := range n {
		b := &e.slot.buckets[i]
		b.Scheduled += k
		b.Drop(stats.DropAtEnd, k)
	}
	e.mu.Unlock()
}

// dispatch hands a batch of due arrivals to idle workers, starting new ones
// as needed, and drops those beyond the in-flight cap (or, with Queue,
// waits for a worker to come back). It reports whether the run halted
// while an arrival waited for a slot (Queue): the arrivals not handed over
// are then counted dropped at the end.
func (e *engine) dispatch(batch []arrival, marks []*worker) ([]*worker, bool) {
	marks = marks[:0]
	sent := 0 // batch[:sent] has been handed over
	halted := false
	e.mu.Lock()
	for i := range batch {
		a := &batch[i]
		b := &e.slot.buckets[a.t]
		b.Scheduled++
		switch k := len(e.idle); {
		case k > 0:
			marks = append(marks, e.idle[k-1])
			e.idle = e.idle[:k-1]
		case e.cap == 0 || e.inflight < e.cap:
			marks = append(marks, workerSpawn)
		case e.cfg.Queue:
			// Hand over what is assigned, then wait for a worker to come
			// back: this arrival, and every one after it, is sent late.
			e.mu.Unlock()
			e.handOver(batch[sent:i], marks[sent:i])
			sent = i
			e.mu.Lock()
			for len(e.idle) == 0 && !e.halted {
				e.freed.Wait()
			}
			if len(e.idle) == 0 {
				// The schedule ended, or the run stopped, first.
				for j := i; j < len(batch); j++ {
					b := &e.slot.buckets[batch[j].t]
					if j > i {
						b.Scheduled++
					}
					b.Drop(stats.DropAtEnd, 1)
					marks = append(marks, workerDrop)
				}
				halted = true
				break
			}
			k := len(e.idle)
			marks = append(marks, e.idle[k-1])
			e.idle = e.idle[:k-1]
		default:
			marks = append(marks, workerDrop)
			b.Drop(stats.DropCap, 1)
			continue
		}
		if halted {
			break
		}
		e.inflight++
		e.inflightT[a.t]++
		e.slot.maxInFlight = max(e.slot.maxInFlight, e.inflight)
	}
	e.mu.Unlock()
	e.handOver(batch[sent:], marks[sent:])
	return marks, halted
}

// handOver sends each arrival to its worker, starting new workers where
// marked.
func (e *engine) handOver(batch []arrival, marks []*worker) {
	for i, w := range marks {
		switch w {
		case workerDrop:
			continue
		case workerSpawn:
			e.pending.Add(1)
			go e.work(e.newWorker(), batch[i])
		default:
			e.pending.Add(1)
			w.ch <- batch[i]
		}
	}
}

// Sentinels in dispatch's assignment list.
var (
	workerSpawn = &worker{}
	workerDrop  = &worker{}
)

func (e *engine) newWorker() *worker {
	return &worker{ch: make(chan arrival, 1), conns: make([]h1conn, len(e.targets))}
}

// work is an open-model worker's life: send, go idle, repeat until the
// engine stops and closes ch.
func (e *engine) work(w *worker, a arrival) {
	defer w.closeConns()
	for {
		sent, end, res := e.send(w, a)
		if !e.record(w, a, sent, end, res, false) {
			return
		}
		var ok bool
		if a, ok = <-w.ch; !ok {
			return
		}
	}
}

// loop is a closed-model connection: send back to back until d has passed
// or ctx is done.
func (e *engine) loop(ctx context.Context, i int, d time.Duration) {
	w := e.newWorker()
	defer w.closeConns()
	pick := newPicker(e.targets)
	pick.skew(i)
	for ctx.Err() == nil {
		now := e.since()
		if now >= d {
			return
		}
		t := pick.next()
		a := arrival{seq: e.seq.Add(1), tseq: e.targets[t].seq.Add(1), due: now, t: t}
		sent, end, res := e.send(w, a)
		e.record(w, a, sent, end, res, true)
		if res.err != nil && generatorFailure(res.err) {
			// Out of files or ports: give the system a moment rather than spin.
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func (w *worker) closeConns() {
	for i := range w.conns {
		w.conns[i].close()
	}
}

// result is the outcome of one request.
type result struct {
	code    int
	in, out int64
	err     error
}

// send sends arrival a and waits for its response. A request that took
// longer than the timeout fails as a timeout, recorded at the timeout: its
// connection's deadline may fire up to the slack later.
func (e *engine) send(w *worker, a arrival) (sent, end time.Duration, r result) {
	t := e.targets[a.t]
	sent = e.since()
	deadline := e.start.Add(sent + e.timeout)
	if t.lean {
		req := t.static
		r.out = int64(len(t.Body))
		if req == nil {
			w.buf = t.appendRequest(w.buf[:0], &w.scratch, a.seq, a.tseq, e.cfg.Seed, e.cfg.Version)
			req = w.buf
			r.out = int64(len(w.scratch))
		}
		r.code, r.in, r.err = w.conns[a.t].roundTrip(t.addr, req, t.method == http.MethodHead, deadline, e.slack)
	} else {
		r.code, r.in, r.out, r.err = stdRoundTrip(e.client, t, a.seq, a.tseq, e.cfg.Seed, e.cfg.Version, deadline, &w.scratch)
	}
	end = e.since()
	if end-sent > e.timeout {
		end = sent + e.timeout
		if r.err == nil {
			r.err = errTimeout // a response, but too late
		}
	}
	return sent, end, r
}

// record adds a completed request to the current interval and, in the
// open model, returns the worker to the idle stack. It reports whether the
// worker should carry on. A request that failed for lack of the
// generator's own resources is counted dropped by the generator, not as a
// request; one that completes after the run finished is not recorded (it
// was counted unfinished).
func (e *engine) record(w *worker, a arrival, sent, end time.Duration, r result, closed bool) bool {
	lag := sent - a.due
	e.mu.Lock()
	if e.finished {
		e.mu.Unlock()
		if !closed {
			e.pending.Done()
		}
		return false
	}
	s := e.slot
	b := &s.buckets[a.t]
	switch {
	case r.err == nil:
		b.Response(r.code, end-a.due, end-sent, r.in, r.out)
	case generatorFailure(r.err):
		b.Drop(stats.DropGenerator, 1)
	default:
		b.Failure(Classify(r.err), end-a.due, end-sent, r.out)
	}
	if closed {
		b.Scheduled++
	} else {
		s.lag.Record(lag)
		if lag > e.late {
			b.Late++
		}
		e.inflight--
		e.inflightT[a.t]--
	}
	carryOn := !e.stopped
	if carryOn && !closed {
		e.idle = append(e.idle, w)
		if e.cfg.Queue {
			e.freed.Signal()
		}
	}
	e.mu.Unlock()
	if !closed {
		e.pending.Done()
	}
	return carryOn
}

// picker spreads arrivals over targets by weight, deterministically and
// evenly (smooth weighted round robin).
type picker struct {
	w, cur []float64
	total  float64
}

func newPicker(ts []*target) *picker {
	p := &picker{w: make([]float64, len(ts)), cur: make([]float64, len(ts))}
	for i, t := range ts {
		p.w[i] = t.weight
		p.total += t.weight
	}
	return p
}

// skew advances the picker by i steps, so closed-model connections do not
// all start on the same target.
func (p *picker) skew(i int) {
	for range i % max(1, len(p.w)) {
		p.next()
	}
}

func (p *picker) next() int {
	if len(p.w) == 1 {
		return 0
	}
	best := 0
	for i := range p.w {
		p.cur[i] += p.w[i]
		if p.cur[i] > p.cur[best] {
			best = i
		}
	}
	p.cur[best] -= p.total
	return best
}
