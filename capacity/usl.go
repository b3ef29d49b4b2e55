package capacity

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
)

// MinUSLPoints is the fewest measurements FitUSL accepts: three parameters
// fitted from fewer points would describe noise, not the system.
const MinUSLPoints = 6

// Concurrency is one measurement of a closed-loop sweep: throughput at a
// fixed number of requests in flight.
type Concurrency struct {
	N          float64 `json:"concurrency" yaml:"concurrency"`   // requests kept in flight
	Throughput float64 `json:"throughput" yaml:"throughput"`     // completed requests per second
	Latency    float64 `json:"latency_mean" yaml:"latency_mean"` // mean latency, seconds (informational)
	ErrorRatio float64 `json:"error_ratio" yaml:"error_ratio"`   // failed / completed (informational)
}

// USL is a fit of Gunther's Universal Scalability Law,
//
//	X(N) = λ·N / (1 + σ·(N−1) + κ·N·(N−1))
//
// where N is the concurrency, X the throughput, λ the throughput of one
// request stream without contention, σ the contention (serialisation)
// and κ the coherency (crosstalk) penalty. With κ > 0 throughput peaks at
// N* = √((1−σ)/κ) and falls beyond it.
type USL struct {
	Lambda float64 `json:"lambda" yaml:"lambda"` // requests per second at N=1
	Sigma  float64 `json:"sigma" yaml:"sigma"`   // contention, in [0, 1]
	Kappa  float64 `json:"kappa" yaml:"kappa"`   // coherency, ≥ 0
	// R2 is the coefficient of determination of the fit (1 is perfect).
	R2 float64 `json:"r2" yaml:"r2"`
	// Points is the number of measurements fitted.
	Points int `json:"points" yaml:"points"`
	// PeakConcurrency is N* (+Inf when κ is 0: no retrograde region).
	PeakConcurrency float64 `json:"peak_concurrency" yaml:"peak_concurrency"`
	// PeakThroughput is X(N*), or the asymptote λ/σ when κ is 0.
	PeakThroughput float64 `json:"peak_throughput" yaml:"peak_throughput"`
	// Dominant is "contention" or "coherency": which penalty costs more at N*.
	Dominant string `json:"dominant" yaml:"dominant"`
}

// MarshalJSON writes the fit with infinite peaks (no coherency penalty)
// as null, which JSON can carry.
func (u USL) MarshalJSON() ([]byte, error) {
	type plain USL
	out := struct {
		plain
		PeakConcurrency *float64 `json:"peak_concurrency"`
		PeakThroughput  *float64 `json:"peak_throughput"`
	}{plain: plain(u)}
	if !math.IsInf(u.PeakConcurrency, 0) {
		out.PeakConcurrency = &u.PeakConcurrency
	}
	if !math.IsInf(u.PeakThroughput, 0) {
		out.PeakThroughput = &u.PeakThroughput
	}
	return json.Marshal(out)
}

// Throughput is the fitted X(n), in requests per second.
func (u USL) Throughput(n float64) float64 {
	return u.Lambda * n / (1 + u.Sigma*(n-1) + u.Kappa*n*(n-1))
}

// Latency is the fitted mean response time at concurrency n, in seconds
// (Little's law: R = N / X).
func (u USL) Latency(n float64) float64 {
	x := u.Throughput(n)
	if x <= 0 {
		return math.Inf(1)
	}
	return n / x
}

func (u USL) String() string {
	return fmt.Sprintf("λ=%.4g/s σ=%.4g κ=%.4g (R²=%.3f, peak %.4g/s at N=%.4g)", u.Lambda, u.Sigma, u.Kappa, u.R2, u.PeakThroughput, u.PeakConcurrency)
}

// ErrTooFewPoints is returned by FitUSL for fewer than MinUSLPoints points.
var ErrTooFewPoints = errors.New("too few points")

// FitUSL fits the Universal Scalability Law to a closed-loop concurrency
// sweep by nonlinear least squares (Levenberg–Marquardt on the throughput
// residuals, started from Gunther's linearisation). It refuses to fit fewer
// than MinUSLPoints distinct concurrency levels.
func FitUSL(points []Concurrency) (USL, error) {
	var pts []Concurrency
	levels := map[float64]bool{}
	for _, p := range points {
		if p.N >= 1 && p.Throughput > 0 && !math.IsInf(p.Throughput, 0) && !math.IsNaN(p.Throughput) {
			pts = append(pts, p)
			levels[p.N] = true
		}
	}
	if len(levels) < MinUSLPoints {
		return USL{}, fmt.Errorf("fit the scalability law: %w: %d distinct concurrency levels with throughput, need at least %d", ErrTooFewPoints, len(levels), MinUSLPoints)
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].N < pts[j].N })

	// λ from the lowest concurrency, then Gunther's linearisation:
	// with C(N) = X(N)/(λ), y = N/C − 1 = κ·x² + (σ+κ)·x where x = N−1,
	// a least-squares fit through the origin.
	lambda := pts[0].Throughput / pts[0].N
	var sxx, sx3, sx4, sxy, sx2y float64
	for _, p := range pts {
		x := p.N - 1
		y := p.N/(p.Throughput/lambda) - 1
		sxx += x * x
		sx3 += x * x * x
		sx4 += x * x * x * x
		sxy += x * y
		sx2y += x * x * y
	}
	kappa, sigma := 0.0, 0.0
	if det := sx4*sxx - sx3*sx3; det != 0 {
		a := (sx2y*sxx - sx3*sxy) / det // κ
		b := (sx4*sxy - sx3*sx2y) / det // σ+κ
		kappa, sigma = math.Max(a, 0), math.Max(b-a, 0)
	}
	p := [3]float64{lambda, math.Min(sigma, 1), kappa}
	p = levenbergMarquardt(pts, p)
	// A coherency penalty too small to matter anywhere near the measured
	// range is rounding noise, not a retrograde region a million in flight away.
	if nMax := pts[len(pts)-1].N; p[2]*nMax*(nMax-1) < 1e-9 {
		p[2] = 0
	}

	u := USL{Lambda: p[0], Sigma: p[1], Kappa: p[2], Points: len(pts)}
	var mean, ssTot, ssRes float64
	for _, q := range pts {
		mean += q.Throughput
	}
	mean /= float64(len(pts))
	for _, q := range pts {
		ssTot += (q.Throughput - mean) * (q.Throughput - mean)
		r := q.Throughput - u.Throughput(q.N)
		ssRes += r * r
	}
	u.R2 = 1
	if ssTot > 0 {
		u.R2 = 1 - ssRes/ssTot
	}
	if u.Kappa > 0 {
		u.PeakConcurrency = math.Sqrt((1 - u.Sigma) / u.Kappa)
		u.PeakThroughput = u.Throughput(u.PeakConcurrency)
	} else {
		u.PeakConcurrency = math.Inf(1)
		u.PeakThroughput = math.Inf(1)
		if u.Sigma > 0 {
			u.PeakThroughput = u.Lambda / u.Sigma
		}
	}
	n := u.PeakConcurrency
	if math.IsInf(n, 1) {
		n = pts[len(pts)-1].N
	}
	if u.Sigma*(n-1) >= u.Kappa*n*(n-1) {
		u.Dominant = "contention"
	} else {
		u.Dominant = "coherency"
	}
	return u, nil
}

// levenbergMarquardt refines (λ, σ, κ) to minimise the squared throughput
// residuals, keeping λ > 0, 0 ≤ σ ≤ 1 and κ ≥ 0.
func levenbergMarquardt(pts []Concurrency, p [3]float64) [3]float64 {
	cost := func(p [3]float64) float64 {
		var s float64
		for _, q := range pts {
			d := 1 + p[1]*(q.N-1) + p[2]*q.N*(q.N-1)
			r := q.Throughput - p[0]*q.N/d
			s += r * r
		}
		return s
	}
	clamp := func(p [3]float64) [3]float64 {
		p[0] = math.Max(p[0], 1e-12)
		p[1] = math.Min(math.Max(p[1], 0), 1)
		p[2] = math.Max(p[2], 0)
		return p
	}
	mu := 1e-3
	c := cost(p)
	for iter := 0; iter < 500; iter++ {
		var jtj [3][3]float64
		var jtr [3]float64
		for _, q := range pts {
			d := 1 + p[1]*(q.N-1) + p[2]*q.N*(q.N-1)
			x := p[0] * q.N / d
			j := [3]float64{q.N / d, -p[0] * q.N * (q.N - 1) / (d * d), -p[0] * q.N * q.N * (q.N - 1) / (d * d)}
			r := q.Throughput - x
			for a := 0; a < 3; a++ {
				jtr[a] += j[a] * r
				for b := 0; b < 3; b++ {
					jtj[a][b] += j[a] * j[b]
				}
			}
		}
		improved := false
		for tries := 0; tries < 20; tries++ {
			var m [3][3]float64
			for a := 0; a < 3; a++ {
				m[a] = jtj[a]
				m[a][a] += mu * math.Max(jtj[a][a], 1e-300)
			}
			delta, ok := solve3(m, jtr)
			if !ok {
				mu *= 10
				continue
			}
			next := clamp([3]float64{p[0] + delta[0], p[1] + delta[1], p[2] + delta[2]})
			if nc := cost(next); nc < c {
				rel := (c - nc) / math.Max(c, 1e-300)
				p, c = next, nc
				mu = math.Max(mu/10, 1e-12)
				improved = true
				if rel < 1e-15 {
					return p
				}
				break
			}
			mu *= 10
		}
		if !improved {
			break
		}
	}
	return p
}

// solve3 solves m·x = v by Gaussian elimination with partial pivoting.
func solve3(m [3][3]float64, v [3]float64) ([3]float64, bool) {
	for col := 0; col < 3; col++ {
		piv := col
		for r := col + 1; r < 3; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[piv][col]) {
				piv = r
			}
		}
		if math.Abs(m[piv][col]) < 1e-300 {
			return v, false
		}
		m[col], m[piv] = m[piv], m[col]
		v[col], v[piv] = v[piv], v[col]
		for r := col + 1; r < 3; r++ {
			f := m[r][col] / m[col][col]
			for c := col; c < 3; c++ {
				m[r][c] -= f * m[col][c]
			}
			v[r] -= f * v[col]
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		s := v[r]
		for c := r + 1; c < 3; c++ {
			s -= m[r][c] * x[c]
		}
		x[r] = s / m[r][r]
	}
	return x, true
}
