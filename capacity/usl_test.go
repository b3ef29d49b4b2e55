package capacity_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/headroom-sre/headroom/capacity"
)

func TestFitUSLRecoversParameters(t *testing.T) {
	tests := []struct {
		name                 string
		lambda, sigma, kappa float64
		noise                float64 // relative, uniform ±
		ns                   []float64
		tol                  float64 // relative tolerance on σ and κ
	}{
		{"exact points give exact parameters", 1000, 0.05, 0.0002, 0, []float64{1, 2, 4, 8, 16, 32, 64, 128}, 1e-6},
		{"contention only has no retrograde peak", 500, 0.1, 0, 0, []float64{1, 2, 3, 4, 6, 8, 12}, 1e-6},
		{"a strongly retrograde system", 200, 0.02, 0.01, 0, []float64{1, 2, 4, 6, 8, 10, 14, 20, 30}, 1e-6},
		{"2% noise still recovers the shape", 1000, 0.05, 0.0002, 0.02, []float64{1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128}, 0.35},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			truth := capacity.USL{Lambda: tt.lambda, Sigma: tt.sigma, Kappa: tt.kappa}
			rng := rand.New(rand.NewPCG(1, 2))
			var pts []capacity.Concurrency
			for _, n := range tt.ns {
				x := truth.Throughput(n) * (1 + tt.noise*(2*rng.Float64()-1))
				pts = append(pts, capacity.Concurrency{N: n, Throughput: x})
			}
			got, err := capacity.FitUSL(pts)
			if err != nil {
				t.Fatal(err)
			}
			rel := func(a, b float64) float64 {
				if b == 0 {
					return math.Abs(a)
				}
				return math.Abs(a-b) / b
			}
			if rel(got.Sigma, tt.sigma) > tt.tol || (tt.kappa > 0 && rel(got.Kappa, tt.kappa) > tt.tol) || (tt.kappa == 0 && got.Kappa > 1e-9) {
				t.Errorf("FitUSL = %v; want σ=%g κ=%g", got, tt.sigma, tt.kappa)
			}
			if rel(got.Lambda, tt.lambda) > math.Max(tt.tol, 1e-6)/3+tt.noise {
				t.Errorf("λ = %g; want %g", got.Lambda, tt.lambda)
			}
			if tt.noise == 0 && got.R2 < 0.999999 {
				t.Errorf("R² = %g for exact points", got.R2)
			}
			if tt.kappa > 0 {
				want := math.Sqrt((1 - tt.sigma) / tt.kappa)
				if rel(got.PeakConcurrency, want) > tt.tol+0.05 {
					t.Errorf("peak concurrency = %g; want %g", got.PeakConcurrency, want)
				}
			} else if !math.IsInf(got.PeakConcurrency, 1) {
				t.Errorf("peak concurrency = %g; want +Inf without coherency", got.PeakConcurrency)
			}
		})
	}
}

func TestFitUSLRefusesFewerThanSixPoints(t *testing.T) {
	pts := []capacity.Concurrency{{N: 1, Throughput: 10}, {N: 2, Throughput: 19}, {N: 4, Throughput: 35}, {N: 8, Throughput: 60}, {N: 16, Throughput: 80}}
	if _, err := capacity.FitUSL(pts); !errors.Is(err, capacity.ErrTooFewPoints) {
		t.Fatalf("FitUSL(5 points) error = %v; want ErrTooFewPoints", err)
	}
	// Repeating a level does not count as a new point.
	pts = append(pts, capacity.Concurrency{N: 16, Throughput: 81})
	if _, err := capacity.FitUSL(pts); !errors.Is(err, capacity.ErrTooFewPoints) {
		t.Fatalf("FitUSL(5 levels) error = %v; want ErrTooFewPoints", err)
	}
	pts = append(pts, capacity.Concurrency{N: 32, Throughput: 85})
	if _, err := capacity.FitUSL(pts); err != nil {
		t.Fatalf("FitUSL(6 levels) = %v", err)
	}
}

// Without coherency there is no peak: JSON carries it as null.
func TestUSLJSONWithoutAPeak(t *testing.T) {
	var pts []capacity.Concurrency
	truth := capacity.USL{Lambda: 100, Sigma: 0.1}
	for _, n := range []float64{1, 2, 4, 8, 16, 32} {
		pts = append(pts, capacity.Concurrency{N: n, Throughput: truth.Throughput(n)})
	}
	u, err := capacity.FitUSL(pts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back["peak_concurrency"] != nil || math.Abs(back["peak_throughput"].(float64)-1000) > 1e-6 {
		t.Errorf("JSON = %s; want no peak concurrency and λ/σ = 1000 as the asymptote", b)
	}
}
