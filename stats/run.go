package stats

import (
	"maps"
	"slices"
	"time"
)

// Modes of a run.
const (
	// ModeOpen is the open model: requests are sent on a schedule, whatever
	// the target's response times (how real users arrive).
	ModeOpen = "open"
	// ModeClosed is the closed model: a fixed number of connections each
	// send their next request when the previous one completes. It measures
	// maximum throughput; its latencies say nothing about a given rate.
	ModeClosed = "closed"
)

// Header is the metadata of a run: what was sent, where, and by what.
type Header struct {
	// Version is the version of headroom that wrote the run.
	Version string
	// Started is when the run started (its first due time).
	Started time.Time
	// Mode is ModeOpen or ModeClosed.
	Mode string
	// Shape is the traffic shape in its one-line form (open mode).
	Shape string
	// Arrivals is "uniform" or "poisson" (open mode).
	Arrivals string
	// Seed seeds Poisson arrivals and per-request random values.
	Seed uint64
	// Concurrency is the number of connections of a closed run.
	Concurrency int
	// Targets are the endpoints the run sent requests to.
	Targets []TargetInfo
	// Generator describes the load generator.
	Generator GeneratorInfo
}

// TargetInfo describes one target of a run.
type TargetInfo struct {
	Name   string  `json:"name"`
	Method string  `json:"method"`
	URL    string  `json:"url"`
	Weight float64 `json:"weight"`
}

// GeneratorInfo describes the load generator of a run.
type GeneratorInfo struct {
	Host          string        // the machine's host name, when known
	GOMAXPROCS    int           // cores the generator could use
	NumCPU        int           // cores of the machine
	MaxInFlight   int           // the in-flight cap; 0 means unbounded
	MaxRate       float64       // the cap on the shape's peak rate, per second; 0 means none
	Timeout       time.Duration // the request timeout
	Drain         time.Duration // how long the run waited for requests in flight after its schedule
	LateThreshold time.Duration // a send later than this after its due time is late
	Protocol      string        // "http/1.1", "h2", "h2c" or "auto"
	FileLimit     int64         // the generator's open-file limit (RLIMIT_NOFILE), when known
}

// Interval is one second of a run (the last may be shorter).
type Interval struct {
	// Index is the interval's number: it covers [Index, Index+1) seconds
	// from the start.
	Index int
	// Start is the interval's offset from the start of the run, and
	// Duration its length (one second except, possibly, for the last).
	Start, Duration time.Duration
	// Total holds the measurements of all targets together.
	Total Bucket
	// Targets holds the measurements of each target, by name.
	Targets map[string]*Bucket
	// Generator holds the load generator's own figures.
	Generator GeneratorSample
}

// Target returns the bucket of the named target, creating it if needed.
func (iv *Interval) Target(name string) *Bucket { return bucketIn(&iv.Targets, name) }

// bucketIn returns (*m)[name], creating the map and the bucket if needed.
func bucketIn(m *map[string]*Bucket, name string) *Bucket {
	if *m == nil {
		*m = map[string]*Bucket{}
	}
	b := (*m)[name]
	if b == nil {
		b = &Bucket{}
		(*m)[name] = b
	}
	return b
}

// GeneratorSample is what the load generator measured about itself over an
// interval or a run.
type GeneratorSample struct {
	// CPU is the generator process's CPU time (user and system).
	CPU time.Duration
	// Lag is the distribution of scheduling lag: how long after its due time
	// each request was actually sent.
	Lag Histogram
	// InFlight is the number of requests in flight at the end of the
	// interval.
	InFlight int
	// MaxInFlight is the most requests in flight at once.
	MaxInFlight int
}

// sum adds the sample of another generator running at the same time.
func (g *GeneratorSample) sum(o *GeneratorSample) {
	g.CPU += o.CPU
	g.Lag.Merge(&o.Lag)
	g.InFlight += o.InFlight
	g.MaxInFlight += o.MaxInFlight
}

// add accumulates an interval's sample into a run's.
func (g *GeneratorSample) add(o *GeneratorSample) {
	g.CPU += o.CPU
	g.Lag.Merge(&o.Lag)
	g.MaxInFlight = max(g.MaxInFlight, o.MaxInFlight)
	g.InFlight = o.InFlight
}

// Run is a whole load test: its header, its per-second intervals and its
// totals. [ReadRun] reads one from a results file; the load engine
// builds one as it goes.
type Run struct {
	Header Header
	// Intervals are the run's seconds, in order, when they were kept (see
	// Add and Accumulate): a long run streams them to its results file
	// instead and keeps only the totals.
	Intervals []*Interval
	// Total and Targets are the whole run's measurements, over all targets
	// and per target.
	Total   Bucket
	Targets map[string]*Bucket
	// Generator holds the generator's figures over the whole run;
	// InFlight is what was still in flight at the end.
	Generator GeneratorSample
	// Duration is the length of the run's schedule: the shape's length, or
	// the time until the run was stopped. Requests still in flight at the
	// end complete after it.
	Duration time.Duration
	// Partial marks a run that did not finish: it was interrupted, or its
	// results file was cut short.
	Partial bool
	// Thresholds are the results of the thresholds checked on the run.
	Thresholds []ThresholdResult
}

// Add appends an interval to the run and adds it to the totals. Memory
// grows with every interval kept; a long run streams its intervals
// elsewhere and uses Accumulate.
func (r *Run) Add(iv *Interval) {
	r.Intervals = append(r.Intervals, iv)
	r.Accumulate(iv)
}

// Accumulate adds an interval to the run's totals without keeping it: the
// totals are counters and histograms, so a run of any length (a day-long
// soak) holds in bounded memory.
func (r *Run) Accumulate(iv *Interval) {
	r.Total.Add(&iv.Total)
	for _, name := range slices.Sorted(maps.Keys(iv.Targets)) {
		r.Target(name).Add(iv.Targets[name])
	}
	r.Generator.add(&iv.Generator)
}

// Target returns the run's bucket of the named target, creating it if
// needed.
func (r *Run) Target(name string) *Bucket { return bucketIn(&r.Targets, name) }
