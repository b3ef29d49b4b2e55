package traffic

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Arrivals is how individual arrivals are placed along a shape's rate.
type Arrivals int

const (
	// Uniform places the n-th arrival exactly when the shape's count reaches
	// n: evenly spaced at a constant rate.
	Uniform Arrivals = iota
	// Poisson places arrivals as a non-homogeneous Poisson process with the
	// shape's rate (by time rescaling), seeded so runs are reproducible.
	Poisson
)

func (a Arrivals) String() string {
	if a == Poisson {
		return "poisson"
	}
	return "uniform"
}

// ParseArrivals reads "uniform" or "poisson".
func ParseArrivals(s string) (Arrivals, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "uniform", "":
		return Uniform, nil
	case "poisson":
		return Poisson, nil
	}
	return 0, fmt.Errorf("unknown arrivals %q (uniform or poisson)", s)
}

// Schedule walks the arrivals of a shape in order. Each due time is computed
// absolutely from the shape's count, so rounding never accumulates. A
// Schedule is not safe for concurrent use; the load engine owns one.
type Schedule struct {
	shape Shape
	kind  Arrivals
	rng   *rand.Rand
	n     int64   // arrivals returned so far
	level float64 // Poisson: the running sum of unit exponentials
}

// NewSchedule returns the arrivals of shape. seed matters for Poisson only.
func NewSchedule(shape Shape, kind Arrivals, seed uint64) *Schedule {
	return &Schedule{shape: shape, kind: kind, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Next returns the sequence number (from 1) and due time, relative to the
// start, of the next arrival; ok is false once the shape is exhausted.
//
// With Uniform arrivals the n-th arrival is due when Count reaches n, so by
// any time t exactly ⌊Count(t)⌋ arrivals are due.
func (s *Schedule) Next() (seq int64, due time.Duration, ok bool) {
	var level float64
	switch s.kind {
	case Poisson:
		level = s.level + s.rng.ExpFloat64()
	default:
		level = float64(s.n + 1)
	}
	due, ok = s.shape.TimeOf(level)
	if !ok || due > s.shape.Duration() {
		return 0, 0, false
	}
	s.level = level
	s.n++
	return s.n, due, true
}

// Issued is the number of arrivals Next has returned.
func (s *Schedule) Issued() int64 { return s.n }
