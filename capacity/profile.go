package capacity

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// LimitedBy says what bounded a measured capacity.
type LimitedBy string

// What can bound a capacity measurement.
const (
	LimitedByLatency   LimitedBy = "latency"   // a latency objective broke first
	LimitedByErrors    LimitedBy = "errors"    // the error-ratio objective broke first
	LimitedByGenerator LimitedBy = "generator" // the load generator could not keep up; the target may do more
	LimitedByMaxRate   LimitedBy = "max_rate"  // the --max-rate safety cap was reached
	// LimitedByInconclusive: the search ended (out of steps) before the
	// objectives broke or the cap was reached; the target may do more.
	LimitedByInconclusive LimitedBy = "inconclusive"
)

// Profile is the measured capacity of one replica: the input the
// simulator, the planner and the cost tools consume. It is written as JSON
// (or YAML) by `headroom capacity`.
//
// Units: rates in requests per second, latencies in seconds, ratios as
// fractions in [0, 1], CPU in cores (CPU-seconds per second).
type Profile struct {
	// Target names what was measured (a URL or a scenario name).
	Target string `json:"target" yaml:"target"`
	// SLO is the objective the knee was found under, e.g. "p99<=200ms,errors<=0.1%".
	SLO string `json:"slo" yaml:"slo"`
	// MaxRate is the highest arrival rate at which the SLO held and the
	// generator kept up: the capacity of one replica.
	MaxRate float64 `json:"max_rate" yaml:"max_rate"`
	// LimitedBy is what stopped the search.
	LimitedBy LimitedBy `json:"limited_by" yaml:"limited_by"`
	// LowerBound is true when MaxRate is only a lower bound of the
	// capacity: the search could not drive the target to its knee
	// (LimitedBy generator or inconclusive). The simulator and the planner
	// refuse such a profile unless told to accept a lower bound.
	LowerBound bool `json:"lower_bound,omitempty" yaml:"lower_bound,omitempty"`
	// Note says in one sentence why the search stopped where it did, when
	// that is not the objectives breaking (a lower bound, the cap).
	Note string `json:"note,omitempty" yaml:"note,omitempty"`
	// Points is the measured curve, in the order measured.
	Points []Point `json:"points" yaml:"points"`
	// CPUPerRequest is the CPU time one request costs, in seconds; nil when
	// the target's CPU could not be observed.
	CPUPerRequest *float64 `json:"cpu_per_request_s" yaml:"cpu_per_request_s"`
	// CPUAtKnee is the CPU used at MaxRate, in cores; nil when unknown.
	CPUAtKnee *float64 `json:"cpu_cores_at_knee,omitempty" yaml:"cpu_cores_at_knee,omitempty"`
	// CPURequest is the replica's CPU request during the test, in cores,
	// when known: per-replica capacity scales with it in the planner.
	CPURequest *float64 `json:"cpu_request_cores,omitempty" yaml:"cpu_request_cores,omitempty"`
	// CPUUtilizationAtKnee is CPUAtKnee / CPURequest: the utilisation an HPA
	// would see at the knee; nil when either is unknown.
	CPUUtilizationAtKnee *float64 `json:"cpu_utilization_at_knee,omitempty" yaml:"cpu_utilization_at_knee,omitempty"`
	// Precision is the relative width of the final bracket the search
	// aimed for; Converged tells whether it got there, and Bracket is the
	// final [lo, hi] around the knee (hi is 0 when no step failed).
	Precision float64    `json:"precision,omitempty" yaml:"precision,omitempty"`
	Converged bool       `json:"converged" yaml:"converged"`
	Bracket   [2]float64 `json:"bracket" yaml:"bracket"`
	// Steps is the number of open-model steps the search ran (warm-up
	// not counted), and DurationS its wall time in seconds.
	Steps     int     `json:"steps,omitempty" yaml:"steps,omitempty"`
	DurationS float64 `json:"duration_s,omitempty" yaml:"duration_s,omitempty"`
	// Warmup is the closed-loop warm-up: throughput at a few concurrencies.
	Warmup []Concurrency `json:"warmup,omitempty" yaml:"warmup,omitempty"`
	// Endpoints is the per-endpoint view of a scenario mix: which one
	// breaks first.
	Endpoints []Endpoint `json:"endpoints,omitempty" yaml:"endpoints,omitempty"`
	// Scalability is the Universal Scalability Law fit of a closed-loop
	// concurrency sweep, when one was run.
	Scalability *USL `json:"scalability,omitempty" yaml:"scalability,omitempty"`
	// Sweep is the closed-loop concurrency sweep behind Scalability.
	Sweep []Concurrency `json:"sweep,omitempty" yaml:"sweep,omitempty"`
}

// Point is one step of a capacity measurement.
type Point struct {
	Rate         float64 `json:"rate" yaml:"rate"`                   // target arrival rate, per second
	AchievedRate float64 `json:"achieved_rate" yaml:"achieved_rate"` // completed requests per second
	P50          float64 `json:"p50" yaml:"p50"`                     // seconds, corrected for coordinated omission
	P90          float64 `json:"p90" yaml:"p90"`                     // seconds
	P99          float64 `json:"p99" yaml:"p99"`                     // seconds
	ErrorRatio   float64 `json:"error_ratio" yaml:"error_ratio"`     // failed / completed
	// LateRatio is the fraction of sends that started late or were dropped.
	LateRatio float64 `json:"late_ratio,omitempty" yaml:"late_ratio,omitempty"`
	// CPU is the target's CPU use during the step, in cores, when observed.
	CPU *float64 `json:"cpu_cores,omitempty" yaml:"cpu_cores,omitempty"`
	// OK tells whether the SLO held at this step.
	OK bool `json:"ok" yaml:"ok"`
	// GeneratorLimited marks a step whose late and dropped sends exceeded
	// the generator limit: it describes the generator, not the target, and
	// is left out of the curve.
	GeneratorLimited bool `json:"generator_limited,omitempty" yaml:"generator_limited,omitempty"`
}

// IsLowerBound reports whether MaxRate is only a lower bound of the
// capacity: the profile says so, or what limited the search was the
// generator or an inconclusive search (profiles written before
// lower_bound existed say only limited_by).
func (p *Profile) IsLowerBound() bool {
	return p.LowerBound || p.LimitedBy == LimitedByGenerator || p.LimitedBy == LimitedByInconclusive
}

// Validate checks that a profile is usable by the simulator.
func (p *Profile) Validate() error {
	var errs []error
	if !(p.MaxRate > 0) || math.IsInf(p.MaxRate, 0) {
		errs = append(errs, fmt.Errorf("max_rate must be a positive number, got %v", p.MaxRate))
	}
	switch p.LimitedBy {
	case LimitedByLatency, LimitedByErrors, LimitedByGenerator, LimitedByMaxRate, LimitedByInconclusive, "":
	default:
		errs = append(errs, fmt.Errorf("limited_by %q is not one of latency, errors, generator, max_rate, inconclusive", p.LimitedBy))
	}
	for i, pt := range p.Points {
		if pt.Rate < 0 || pt.P50 < 0 || pt.P90 < 0 || pt.P99 < 0 || pt.ErrorRatio < 0 || pt.ErrorRatio > 1 {
			errs = append(errs, fmt.Errorf("points[%d]: negative values or an error_ratio outside [0,1]", i))
		}
	}
	if p.CPUPerRequest != nil && *p.CPUPerRequest < 0 {
		errs = append(errs, errors.New("cpu_per_request_s must not be negative"))
	}
	return errors.Join(errs...)
}

// Curve returns the latency-versus-load curve: the measured points sorted
// by target rate, with repeated rates averaged. Points the generator could
// not hold are left out: their latency is the generator's.
func (p *Profile) Curve() []Point {
	var pts []Point
	for _, pt := range p.Points {
		if !pt.GeneratorLimited {
			pts = append(pts, pt)
		}
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Rate < pts[j].Rate })
	var out []Point
	for i := 0; i < len(pts); {
		j, sum := i, Point{Rate: pts[i].Rate, OK: true}
		for ; j < len(pts) && pts[j].Rate == pts[i].Rate; j++ {
			sum.AchievedRate += pts[j].AchievedRate
			sum.P50 += pts[j].P50
			sum.P90 += pts[j].P90
			sum.P99 += pts[j].P99
			sum.ErrorRatio += pts[j].ErrorRatio
			sum.LateRatio += pts[j].LateRatio
			sum.OK = sum.OK && pts[j].OK
		}
		n := float64(j - i)
		sum.AchievedRate /= n
		sum.P50 /= n
		sum.P90 /= n
		sum.P99 /= n
		sum.ErrorRatio /= n
		sum.LateRatio /= n
		out = append(out, sum)
		i = j
	}
	return out
}

// LatencyAt interpolates the curve linearly at arrival rate r (per second)
// and returns p50, p90 and p99 in seconds. Below the first point it returns
// the first point's values; above the last, the last point's.
func (p *Profile) LatencyAt(r float64) (p50, p90, p99 float64) {
	c := p.Curve()
	if len(c) == 0 {
		return 0, 0, 0
	}
	if r <= c[0].Rate {
		return c[0].P50, c[0].P90, c[0].P99
	}
	for i := 1; i < len(c); i++ {
		if r <= c[i].Rate {
			a, b := c[i-1], c[i]
			f := (r - a.Rate) / (b.Rate - a.Rate)
			return a.P50 + f*(b.P50-a.P50), a.P90 + f*(b.P90-a.P90), a.P99 + f*(b.P99-a.P99)
		}
	}
	last := c[len(c)-1]
	return last.P50, last.P90, last.P99
}

// Settled is the capacity to go on with after a search: the measured one
// when there is one, else a capacity known some other way (by
// construction, from an earlier measurement), marked as such.
type Settled struct {
	// Rate is the per-replica capacity to use, per second.
	Rate float64
	// Fallback is true when Rate is the known value, not a measurement.
	Fallback bool
	// Why says, when Fallback, why the measurement could not be used.
	Why string
}

// Settle returns p's capacity when it is measured — the search found a
// knee, or the SLO held up to the rate cap — and otherwise known (when
// positive) as a marked fallback: a lower bound is never passed on as a
// capacity, nor a search in which the objectives held at no rate.
func Settle(p *Profile, known float64) Settled {
	switch {
	case p.IsLowerBound():
		why := p.Note
		if why == "" {
			why = fmt.Sprintf("the search could not drive the target to its knee (limited_by: %s)", p.LimitedBy)
		}
		return Settled{Rate: known, Fallback: true, Why: why}
	case !(p.MaxRate > 0):
		low := math.Inf(1)
		for _, pt := range p.Points {
			low = math.Min(low, pt.Rate)
		}
		why := "no step met the objectives"
		if !math.IsInf(low, 1) {
			why = fmt.Sprintf("the objectives (%s) did not hold even at %.4g req/s", p.SLO, low)
		}
		return Settled{Rate: known, Fallback: true, Why: why}
	}
	return Settled{Rate: p.MaxRate}
}
