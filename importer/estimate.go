package importer

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// Thresholds below which history is too thin to estimate from.
const (
	// MinCapacitySamples is the fewest steps with traffic, latency and a
	// ready pod a capacity estimate needs.
	MinCapacitySamples = 12
	// MinRegressionSamples is the fewest steps with traffic and CPU a CPU
	// per request regression needs.
	MinRegressionSamples = 12
	// MinRateSpread is the least spread of the per-pod rate (its
	// coefficient of variation) a regression needs: on flat traffic CPU
	// against rate has no slope to read.
	MinRateSpread = 0.1
	// MinFit is the least R² a CPU per request regression must reach.
	MinFit = 0.5
	// MinStartups is the fewest pods with a complete start-up the
	// start-up percentiles need.
	MinStartups = 3
)

// Estimate is a value read from history, or the reason it is unknown.
type Estimate struct {
	// Known says that Value holds; else Reason says why not.
	Known  bool
	Value  float64
	Reason string
	// Evidence says what the value was read from, in a sentence.
	Evidence string
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// EstimateCapacity is the highest per-pod rate at which the latency
// objective held: the highest rate observed below the lowest rate at
// which the latency quantile exceeded threshold (every step at a lower
// rate held). It is only a lower bound of what one replica can serve (the
// busiest steps may not have reached its knee). Thin history, or none
// that held, is unknown.
func EstimateCapacity(samples []LoadSample, threshold time.Duration) Estimate {
	var ok []LoadSample
	nonFinite := 0
	for _, s := range samples {
		switch {
		case !finite(s.PerPodRPS) || !finite(s.Latency) || s.PerPodRPS < 0 || s.Latency < 0:
			if !math.IsNaN(s.PerPodRPS) && !math.IsNaN(s.Latency) {
				nonFinite++
			}
		case s.PerPodRPS > 0:
			ok = append(ok, s)
		}
	}
	if nonFinite > 0 {
		return Estimate{Reason: fmt.Sprintf("%d steps of the history are infinite or negative (a broken recording rule or histogram?)", nonFinite)}
	}
	if len(ok) < MinCapacitySamples {
		return Estimate{Reason: fmt.Sprintf("%d steps with traffic and latency in the history, fewer than the %d an estimate needs", len(ok), MinCapacitySamples)}
	}
	lim := threshold.Seconds()
	firstBreach := math.Inf(1)
	breaches := 0
	for _, s := range ok {
		if s.Latency > lim {
			breaches++
			firstBreach = math.Min(firstBreach, s.PerPodRPS)
		}
	}
	best, held := 0.0, 0
	for _, s := range ok {
		if s.Latency <= lim && s.PerPodRPS < firstBreach {
			held++
			best = math.Max(best, s.PerPodRPS)
		}
	}
	if held == 0 {
		return Estimate{Reason: fmt.Sprintf("the latency objective (%s) never held below the lowest rate at which it was missed (%s per pod)", units.Duration(threshold), units.Rate(firstBreach))}
	}
	ev := fmt.Sprintf("estimate: highest per-pod rate at which latency held within %s, over %d steps (%d held below it", units.Duration(threshold), len(ok), held)
	if breaches > 0 {
		ev += fmt.Sprintf("; %d missed it, the first at %s per pod", breaches, units.Rate(firstBreach))
	} else {
		ev += "; none missed it, so the knee was never reached"
	}
	ev += "); a lower bound"
	return Estimate{Known: true, Value: best, Evidence: ev}
}

// Regression is CPU per pod against request rate per pod: Slope is the
// CPU time one request costs, in seconds; Intercept the idle CPU, in
// cores.
type Regression struct {
	Estimate
	Slope, Intercept, R2 float64
	N                    int
}

// EstimateCPUPerRequest fits CPU per pod against request rate per pod by
// least squares. It refuses (unknown) history that is thin, flat (the
// rate hardly varies), non-finite, or fits badly, and a slope that is not
// positive.
func EstimateCPUPerRequest(samples []LoadSample) Regression {
	var xs, ys []float64
	for _, s := range samples {
		if math.IsNaN(s.PerPodRPS) || math.IsNaN(s.CPUPerPod) {
			continue
		}
		if !finite(s.PerPodRPS) || !finite(s.CPUPerPod) || s.PerPodRPS < 0 || s.CPUPerPod < 0 {
			return Regression{Estimate: Estimate{Reason: "the history holds infinite or negative rates or CPU"}}
		}
		xs, ys = append(xs, s.PerPodRPS), append(ys, s.CPUPerPod)
	}
	n := len(xs)
	if n < MinRegressionSamples {
		return Regression{N: n, Estimate: Estimate{Reason: fmt.Sprintf("%d steps with both request rate and CPU, fewer than the %d a regression needs", n, MinRegressionSamples)}}
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx, my = mx/float64(n), my/float64(n)
	var sxx, sxy, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if mx <= 0 || math.Sqrt(sxx/float64(n))/mx < MinRateSpread {
		return Regression{N: n, Estimate: Estimate{Reason: fmt.Sprintf("the per-pod rate hardly varies (mean %s): CPU against a flat rate has no slope to read", units.Rate(mx))}}
	}
	slope := sxy / sxx
	icept := my - slope*mx
	r2 := 0.0
	if syy > 0 {
		r2 = sxy * sxy / (sxx * syy)
	}
	r := Regression{Slope: slope, Intercept: icept, R2: r2, N: n}
	switch {
	case !finite(slope) || !finite(icept):
		r.Reason = "the regression is not finite"
	case r2 < MinFit:
		r.Reason = fmt.Sprintf("CPU follows the request rate too loosely (R² %.2f, below %.2f)", r2, MinFit)
	case slope <= 0:
		r.Reason = fmt.Sprintf("CPU does not rise with the request rate (slope %.3g s per request)", slope)
	default:
		r.Known, r.Value = true, slope
		r.Evidence = fmt.Sprintf("estimate: slope of CPU per pod against requests per pod over %d steps (R² %.2f, idle %s)", n, r2, units.CPU(math.Max(0, icept)))
	}
	return r
}

// Percentile returns the q-quantile (0 < q ≤ 1) of ds by the
// nearest-rank method, and false when ds is empty.
func Percentile(ds []time.Duration, q float64) (time.Duration, bool) {
	if len(ds) == 0 || !(q > 0 && q <= 1) {
		return 0, false
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(i, 0)], true
}

// StartupStats are the percentiles of pods' start-up parts.
type StartupStats struct {
	N                              int
	Schedule, Init, Start, Gates   time.Duration // medians
	Total, TotalP90                time.Duration
	ScheduleP90, StartP90, GateP90 time.Duration
}

// Startups summarises pods' start-ups: medians of each part and of the
// total, and the 90th percentiles.
func Startups(ps []PodStartup) StartupStats {
	st := StartupStats{N: len(ps)}
	if len(ps) == 0 {
		return st
	}
	part := func(f func(PodStartup) time.Duration, q float64) time.Duration {
		ds := make([]time.Duration, len(ps))
		for i, p := range ps {
			ds[i] = f(p)
		}
		v, _ := Percentile(ds, q)
		return v
	}
	st.Schedule = part(func(p PodStartup) time.Duration { return p.Schedule }, 0.5)
	st.Init = part(func(p PodStartup) time.Duration { return p.Init }, 0.5)
	st.Start = part(func(p PodStartup) time.Duration { return p.Start }, 0.5)
	st.Gates = part(func(p PodStartup) time.Duration { return p.Gates }, 0.5)
	st.Total = part(PodStartup.Total, 0.5)
	st.TotalP90 = part(PodStartup.Total, 0.9)
	st.ScheduleP90 = part(func(p PodStartup) time.Duration { return p.Schedule }, 0.9)
	st.StartP90 = part(func(p PodStartup) time.Duration { return p.Start }, 0.9)
	st.GateP90 = part(func(p PodStartup) time.Duration { return p.Gates }, 0.9)
	return st
}

// Spike is the busiest stretch of a traffic history.
type Spike struct {
	// Points are the samples of the stretch, in time order.
	Points []Sample
	// Peak is the highest rate and PeakAt when; Base the median rate of
	// the whole history.
	Peak   float64
	PeakAt time.Time
	Base   float64
}

// BiggestSpike finds the highest rate of a history and returns the
// stretch from before to after around it (clipped to the history). NaN
// samples are gaps and left out; infinite or negative ones are an error;
// fewer than three finite samples, or a history without traffic, are an
// error too.
func BiggestSpike(h []Sample, before, after time.Duration) (Spike, error) {
	var pts []Sample
	for _, s := range h {
		switch {
		case math.IsNaN(s.V):
		case math.IsInf(s.V, 0) || s.V < 0:
			return Spike{}, fmt.Errorf("the traffic history holds %v at %s: want finite rates ≥ 0", s.V, s.T.UTC().Format(time.RFC3339))
		default:
			pts = append(pts, s)
		}
	}
	if len(pts) < 3 {
		return Spike{}, fmt.Errorf("%d points of traffic history, fewer than the 3 a shape needs", len(pts))
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].T.Before(pts[j].T) })
	peak := 0
	for i, p := range pts {
		if p.V > pts[peak].V {
			peak = i
		}
	}
	if pts[peak].V <= 0 {
		return Spike{}, fmt.Errorf("no traffic in the history (every rate is 0)")
	}
	vals := make([]float64, len(pts))
	for i, p := range pts {
		vals[i] = p.V
	}
	slices.Sort(vals)
	sp := Spike{Peak: pts[peak].V, PeakAt: pts[peak].T, Base: vals[len(vals)/2]}
	from, to := pts[peak].T.Add(-before), pts[peak].T.Add(after)
	for _, p := range pts {
		if !p.T.Before(from) && !p.T.After(to) {
			sp.Points = append(sp.Points, p)
		}
	}
	if len(sp.Points) < 2 {
		return Spike{}, fmt.Errorf("the stretch around the peak holds %d point: want a finer history step", len(sp.Points))
	}
	return sp, nil
}
