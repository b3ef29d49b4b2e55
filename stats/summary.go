package stats

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// Summary is a run's results in the shape of headroom's JSON contract
// (`headroom load -o json`, `headroom report -o json`). Durations and
// latencies are in seconds, rates per second, ratios are fractions in
// [0, 1].
type Summary struct {
	// Started is when the run started, RFC 3339.
	Started time.Time `json:"started"`
	// Mode is "open" or "closed" (see ModeOpen, ModeClosed).
	Mode string `json:"mode"`
	// Shape and Arrivals describe the traffic of an open run.
	Shape    string `json:"shape,omitempty"`
	Arrivals string `json:"arrivals,omitempty"`
	// Concurrency is the number of connections of a closed run.
	Concurrency int `json:"concurrency,omitempty"`
	Stats
	// PerTarget holds the same figures for each target, by name.
	PerTarget map[string]Stats `json:"per_target"`
	// Generator is the load generator's own health.
	Generator GeneratorSummary `json:"generator"`
	// Thresholds are the thresholds checked on the run, if any.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
}

// Stats are the figures of one target, or of all, over a run.
type Stats struct {
	// DurationS is the length of the run's schedule, in seconds.
	DurationS float64 `json:"duration_s"`
	// Scheduled is the number of arrivals that fell due.
	Scheduled int64 `json:"scheduled"`
	// Requests is the number of completed requests (responses and errors).
	Requests int64 `json:"requests"`
	// Successes is the number of responses with a status below 400.
	Successes int64 `json:"successes"`
	// TargetRate is the rate the shape asked for: Scheduled per second.
	TargetRate float64 `json:"target_rate"`
	// AchievedRate is Requests per second.
	AchievedRate float64 `json:"achieved_rate"`
	// Throughput is Successes per second.
	Throughput float64 `json:"throughput"`
	// SuccessRatio is Successes / Requests (0 when there were none).
	SuccessRatio float64 `json:"success_ratio"`
	// ErrorRatio is 1 − SuccessRatio: failed responses and errors over
	// Requests (0 when there were none).
	ErrorRatio float64 `json:"error_ratio"`
	// Latency is measured from each request's due time (corrected for
	// coordinated omission); LatencyUncorrected from its actual send.
	Latency            Latency `json:"latency"`
	LatencyUncorrected Latency `json:"latency_uncorrected"`
	// StatusCodes counts responses by status code.
	StatusCodes map[int]int64 `json:"status_codes"`
	// Errors counts requests without a response by error class.
	Errors map[string]int64 `json:"errors"`
	// Late is the number of requests sent later than the late threshold
	// after their due time; Dropped the arrivals never sent, for any reason:
	// DroppedCap by the in-flight cap, DroppedAtEnd because the run ended
	// first (the generator fell behind; they are never sent late),
	// DroppedGenerator because the generator ran out of its own resources
	// (open files, local ports).
	Late             int64 `json:"late"`
	Dropped          int64 `json:"dropped"`
	DroppedCap       int64 `json:"dropped_cap"`
	DroppedAtEnd     int64 `json:"dropped_at_end"`
	DroppedGenerator int64 `json:"dropped_generator"`
	// Unfinished is the number of requests still in flight when the run
	// ended (after its drain): sent, but with no outcome recorded.
	Unfinished int64 `json:"unfinished"`
	// LateRatio is (Late + Dropped) / Scheduled.
	LateRatio float64 `json:"late_ratio"`
	// BytesIn and BytesOut are the bytes of response and request bodies.
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
	// Partial marks figures of a run that did not finish.
	Partial bool `json:"partial"`
}

// Latency is a latency distribution's usual points, in seconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
}

// LatencyOf reads the usual points of h.
func LatencyOf(h *Histogram) Latency {
	q := h.Quantiles(0.5, 0.9, 0.95, 0.99, 0.999)
	return Latency{
		P50: q[0].Seconds(), P90: q[1].Seconds(), P95: q[2].Seconds(), P99: q[3].Seconds(), P999: q[4].Seconds(),
		Max: h.Max().Seconds(), Mean: h.Mean().Seconds(), Min: h.Min().Seconds(),
	}
}

// GeneratorSummary is the load generator's own health over a run. When the
// generator, not the target, was the bottleneck, Warnings says so.
type GeneratorSummary struct {
	// CPUSeconds is the CPU time the generator used; CPUCores the average
	// number of cores busy (CPUSeconds / duration).
	CPUSeconds float64 `json:"cpu_s"`
	CPUCores   float64 `json:"cpu_cores"`
	// CPUMsPer1kRequests is the generator's CPU cost per 1000 requests.
	CPUMsPer1kRequests float64 `json:"cpu_ms_per_1k_requests"`
	// GOMAXPROCS is the number of cores the generator could use.
	GOMAXPROCS int `json:"gomaxprocs"`
	// SchedLag is how long after their due time requests were sent.
	SchedLag LagSummary `json:"sched_lag"`
	// MaxInFlightSeen is the most requests in flight at once; MaxInFlight
	// the cap (0: unbounded).
	MaxInFlightSeen int `json:"max_inflight_seen"`
	MaxInFlight     int `json:"max_inflight"`
	// Warnings explain why the results may describe the generator rather
	// than the target.
	Warnings []string `json:"warnings"`
}

// LagSummary is the scheduling lag's distribution, in seconds.
type LagSummary struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Limits beyond which the generator is suspected of being the bottleneck.
const (
	// WarnLateRatio: more than 1% of arrivals late or dropped.
	WarnLateRatio = 0.01
	// WarnCPUShare: the generator kept 90% of its cores busy on average.
	WarnCPUShare = 0.9
)

// StatsOf computes the figures of bucket b over a run of duration d.
func StatsOf(b *Bucket, d time.Duration, partial bool) Stats {
	s := Stats{
		DurationS:          d.Seconds(),
		Scheduled:          b.Scheduled,
		Requests:           b.Requests,
		Successes:          b.Successes,
		Latency:            LatencyOf(&b.Latency),
		LatencyUncorrected: LatencyOf(&b.LatencyUncorrected),
		StatusCodes:        maps.Clone(b.StatusCodes),
		Errors:             maps.Clone(b.Errors),
		Late:               b.Late,
		Dropped:            b.Dropped,
		DroppedCap:         b.DroppedCap,
		DroppedAtEnd:       b.DroppedAtEnd,
		DroppedGenerator:   b.DroppedGenerator,
		Unfinished:         b.Unfinished,
		BytesIn:            b.BytesIn,
		BytesOut:           b.BytesOut,
		Partial:            partial,
	}
	if s.StatusCodes == nil {
		s.StatusCodes = map[int]int64{}
	}
	if s.Errors == nil {
		s.Errors = map[string]int64{}
	}
	if sec := d.Seconds(); sec > 0 {
		s.TargetRate = float64(b.Scheduled) / sec
		s.AchievedRate = float64(b.Requests) / sec
		s.Throughput = float64(b.Successes) / sec
	}
	if b.Requests > 0 {
		s.SuccessRatio = float64(b.Successes) / float64(b.Requests)
		s.ErrorRatio = float64(b.Failures()) / float64(b.Requests)
	}
	if b.Scheduled > 0 {
		s.LateRatio = math.Min(1, float64(b.Late+b.Dropped)/float64(b.Scheduled))
	}
	return s
}

// Summary computes the run's summary, generator warnings included.
func (r *Run) Summary() Summary {
	s := Summary{
		Started:     r.Header.Started,
		Mode:        r.Header.Mode,
		Shape:       r.Header.Shape,
		Arrivals:    r.Header.Arrivals,
		Concurrency: r.Header.Concurrency,
		Stats:       StatsOf(&r.Total, r.Duration, r.Partial),
		PerTarget:   map[string]Stats{},
		Thresholds:  r.Thresholds,
	}
	for _, name := range slices.Sorted(maps.Keys(r.Targets)) {
		s.PerTarget[name] = StatsOf(r.Targets[name], r.Duration, r.Partial)
	}
	g := &s.Generator
	g.CPUSeconds = r.Generator.CPU.Seconds()
	if sec := r.Duration.Seconds(); sec > 0 {
		g.CPUCores = g.CPUSeconds / sec
	}
	if r.Total.Requests > 0 {
		g.CPUMsPer1kRequests = g.CPUSeconds * 1e3 / (float64(r.Total.Requests) / 1e3)
	}
	g.GOMAXPROCS = r.Header.Generator.GOMAXPROCS
	lag := r.Generator.Lag.Quantiles(0.5, 0.99)
	g.SchedLag = LagSummary{P50: lag[0].Seconds(), P99: lag[1].Seconds(), Max: r.Generator.Lag.Max().Seconds()}
	g.MaxInFlightSeen = r.Generator.MaxInFlight
	g.MaxInFlight = r.Header.Generator.MaxInFlight
	g.Warnings = r.warnings(&s)
	return s
}

// warnings says when the generator, not the target, may have been the
// bottleneck, and what was not sent or not finished.
func (r *Run) warnings(s *Summary) []string {
	w := []string{}
	g := &r.Header.Generator
	if behind := s.Late + s.DroppedAtEnd; s.Scheduled > 0 && float64(behind) > WarnLateRatio*float64(s.Scheduled) {
		w = append(w, fmt.Sprintf("%s of arrivals were sent late or not sent by the end of the run: the generator fell behind its schedule, so the target saw less load than asked",
			units.Percent(float64(behind)/float64(s.Scheduled))))
	}
	if s.DroppedCap > 0 {
		w = append(w, fmt.Sprintf("%d arrivals (%s) were dropped by the in-flight cap of %d: requests piled up because the target slowed down; a higher cap would have sent them",
			s.DroppedCap, percentOf(s.DroppedCap, s.Scheduled), g.MaxInFlight))
	}
	if s.DroppedGenerator > 0 {
		limit := ""
		if g.FileLimit > 0 {
			limit = fmt.Sprintf(" (open-file limit %d)", g.FileLimit)
		}
		w = append(w, fmt.Sprintf("%d arrivals could not be sent: the generator ran out of open files or local ports%s. This is the generator's failure, not the target's: raise the limit (ulimit -n), or lower the rate or the in-flight cap",
			s.DroppedGenerator, limit))
	}
	if s.Unfinished > 0 {
		w = append(w, fmt.Sprintf("%d requests were still in flight when the run ended, %s after its schedule: they are counted unfinished, with no outcome",
			s.Unfinished, units.Duration(g.Drain)))
	}
	if procs := g.GOMAXPROCS; procs > 0 && s.Generator.CPUCores >= WarnCPUShare*float64(procs) {
		advice := "run it on a bigger or separate machine"
		if g.NumCPU > procs {
			advice = fmt.Sprintf("give it more of the machine's %d cores (GOMAXPROCS)", g.NumCPU)
		}
		w = append(w, fmt.Sprintf("the generator used %s of its %d cores on average: it may be the bottleneck; %s", units.Number(s.Generator.CPUCores), procs, advice))
	}
	if lt := g.LateThreshold; lt > 0 && s.Mode == ModeOpen && r.Generator.Lag.Quantile(0.99) > lt {
		w = append(w, fmt.Sprintf("scheduling lag p99 is %s (late threshold %s): the generator could not keep time", units.Duration(r.Generator.Lag.Quantile(0.99)), units.Duration(lt)))
	}
	return w
}

// percentOf formats n/of as a percentage.
func percentOf(n, of int64) string {
	if of <= 0 {
		return "0%"
	}
	return units.Percent(float64(n) / float64(of))
}
