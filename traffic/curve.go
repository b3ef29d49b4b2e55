package traffic

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// Shape is an arrival-rate curve over elapsed time. Every method is a pure
// function of its arguments, so a Shape is safe for concurrent use.
type Shape interface {
	// Rate is the arrival rate, in requests per second, at elapsed time t.
	Rate(t time.Duration) float64
	// Count is the exact expected number of arrivals in [0, t]: the integral
	// of Rate from 0 to t. It is clamped to [0, Duration].
	Count(t time.Duration) float64
	// TimeOf is the inverse of Count: the earliest elapsed time at which
	// Count reaches n. It reports false when Count never reaches n.
	TimeOf(n float64) (time.Duration, bool)
	// Duration is the length of the shape.
	Duration() time.Duration
	// String is the shape in its one-line form (see Parse).
	String() string
}

// segKind tells how the rate moves inside one segment of a Curve.
type segKind uint8

const (
	segLinear segKind = iota // r(u) = r0 + (r1−r0)·u/d
	segDecay                 // r(u) = base + (r0−base)·e^(−u/τ)
)

// segment is one piece of a Curve, starting at start (seconds) and lasting
// d seconds. cum is the integral of the rate over all earlier segments.
type segment struct {
	kind   segKind
	start  float64
	d      float64
	r0, r1 float64 // rate at the start and at the end of the segment
	base   float64 // decay: the asymptote
	tau    float64 // decay: the time constant, seconds
	cum    float64
}

// rate is the rate u seconds into the segment.
func (s *segment) rate(u float64) float64 {
	switch s.kind {
	case segDecay:
		return s.base + (s.r0-s.base)*math.Exp(-u/s.tau)
	default:
		if s.d == 0 {
			return s.r1
		}
		return s.r0 + (s.r1-s.r0)*u/s.d
	}
}

// count is the integral of the rate over the first u seconds of the segment.
func (s *segment) count(u float64) float64 {
	switch s.kind {
	case segDecay:
		return s.base*u + (s.r0-s.base)*s.tau*(-math.Expm1(-u/s.tau))
	default:
		if s.d == 0 {
			return 0
		}
		return s.r0*u + (s.r1-s.r0)*u*u/(2*s.d)
	}
}

// total is the integral over the whole segment.
func (s *segment) total() float64 { return s.count(s.d) }

// invert returns u in [0, d] with count(u) = c, for 0 ≤ c ≤ total().
func (s *segment) invert(c float64) float64 {
	if c <= 0 {
		return 0
	}
	switch s.kind {
	case segLinear:
		// Solve a·u² + b·u − c = 0 in the cancellation-free form
		// u = 2c / (b + √(b² + 4ac)).
		a := (s.r1 - s.r0) / (2 * s.d)
		b := s.r0
		disc := b*b + 4*a*c
		if disc < 0 {
			disc = 0
		}
		den := b + math.Sqrt(disc)
		if den <= 0 {
			return s.d
		}
		return math.Min(2*c/den, s.d)
	default:
		// The count is increasing and concave or convex; safeguarded Newton.
		lo, hi := 0.0, s.d
		u := c / math.Max(s.r0, 1e-300)
		if u > hi || u < lo {
			u = (lo + hi) / 2
		}
		for i := 0; i < 100; i++ {
			f := s.count(u) - c
			if math.Abs(f) <= 1e-12*math.Max(1, c) {
				break
			}
			if f > 0 {
				hi = u
			} else {
				lo = u
			}
			next := u
			if r := s.rate(u); r > 0 {
				next = u - f/r
			}
			if !(next > lo && next < hi) {
				next = (lo + hi) / 2
			}
			if math.Abs(next-u) < 1e-12 {
				u = next
				break
			}
			u = next
		}
		return u
	}
}

// Curve is a piecewise arrival-rate curve: linear pieces (constant, ramp,
// step, stage) and exponential-decay pieces (the tail of a spike). Every
// shape kind in this package is a Curve. A Curve is immutable and safe for
// concurrent use.
//
// Counts are integrated in closed form, so the n-th arrival time is computed
// absolutely from the start and never accumulates drift.
type Curve struct {
	kind   string
	params []Param // canonical parameters, for String
	segs   []segment
	end    float64 // seconds
	total  float64 // Count(end)
	notes  []string
}

var _ Shape = (*Curve)(nil)

// builder assembles a Curve segment by segment.
type builder struct {
	segs []segment
	t    float64
}

func (b *builder) linear(d, r0, r1 float64) {
	if d < 0 {
		d = 0
	}
	b.segs = append(b.segs, segment{kind: segLinear, start: b.t, d: d, r0: r0, r1: r1})
	b.t += d
}

func (b *builder) decay(d, r0, base, tau float64) {
	if tau <= 0 {
		// No decay: drop straight to base.
		b.linear(0, r0, base)
		b.linear(d, base, base)
		return
	}
	s := segment{kind: segDecay, start: b.t, d: d, r0: r0, base: base, tau: tau}
	s.r1 = s.rate(d)
	b.segs = append(b.segs, s)
	b.t += d
}

// curve finishes the builder. If length > 0 the curve is cut at, or
// extended to, length seconds; an extension continues the last segment's
// trend (a decay keeps decaying, anything else holds its final rate).
func (b *builder) curve(kind string, params []Param, length float64) *Curve {
	if length > 0 {
		b.fit(length)
	}
	c := &Curve{kind: kind, params: params, end: b.t}
	// Drop zero-length segments except as instant jumps between pieces.
	cum := 0.0
	for _, s := range b.segs {
		s.cum = cum
		cum += s.total()
		c.segs = append(c.segs, s)
	}
	c.total = cum
	return c
}

func (b *builder) fit(length float64) {
	switch {
	case length > b.t:
		extra := length - b.t
		if n := len(b.segs); n > 0 && b.segs[n-1].kind == segDecay {
			last := b.segs[n-1]
			b.decay(extra, last.r1, last.base, last.tau)
		} else {
			r := 0.0
			if n > 0 {
				r = b.segs[n-1].r1
			}
			b.linear(extra, r, r)
		}
	case length < b.t:
		var kept []segment
		for _, s := range b.segs {
			if s.start >= length {
				break
			}
			if s.start+s.d > length {
				cut := length - s.start
				if s.kind == segLinear && s.d > 0 {
					s.r1 = s.r0 + (s.r1-s.r0)*cut/s.d
				}
				s.d = cut
				if s.kind == segDecay {
					s.r1 = s.rate(cut)
				}
			}
			kept = append(kept, s)
		}
		b.segs = kept
		b.t = length
	}
}

// Kind is the shape's kind: constant, ramp, steps, stages, spike or replay.
func (c *Curve) Kind() string { return c.kind }

// Params returns the shape's parameters in canonical order.
func (c *Curve) Params() []Param { return append([]Param(nil), c.params...) }

// Duration is the length of the curve.
func (c *Curve) Duration() time.Duration { return secToDur(c.end) }

// Notes are sentences about how the curve's inputs were read that the user
// should see, such as the time unit a replay file's timestamps were taken
// to be in. Most curves have none.
func (c *Curve) Notes() []string { return append([]string(nil), c.notes...) }

// Total is the expected number of arrivals over the whole curve.
func (c *Curve) Total() float64 { return c.total }

// seg returns the index of the segment containing time x (seconds): the
// last segment whose start is ≤ x. Zero-length segments at x are skipped in
// favour of the one that follows, so Rate reports the rate after a jump.
func (c *Curve) seg(x float64) int {
	i := sort.Search(len(c.segs), func(i int) bool { return c.segs[i].start > x }) - 1
	if i < 0 {
		i = 0
	}
	return i
}

// Rate is the arrival rate, per second, at elapsed time t. It is 0 before
// the start and after the end. At an instant jump it is the rate after it.
func (c *Curve) Rate(t time.Duration) float64 {
	x := t.Seconds()
	if x < 0 || x >= c.end || len(c.segs) == 0 {
		return 0
	}
	s := &c.segs[c.seg(x)]
	return s.rate(x - s.start)
}

// Count is the exact expected number of arrivals in [0, t].
func (c *Curve) Count(t time.Duration) float64 {
	x := t.Seconds()
	if x <= 0 || len(c.segs) == 0 {
		return 0
	}
	if x >= c.end {
		return c.total
	}
	s := &c.segs[c.seg(x)]
	return s.cum + s.count(x-s.start)
}

// TimeOf returns the earliest elapsed time at which Count reaches n, and
// false when n is more than the curve's total.
func (c *Curve) TimeOf(n float64) (time.Duration, bool) {
	x, ok := c.timeOf(n)
	return secToDur(x), ok
}

func (c *Curve) timeOf(n float64) (float64, bool) {
	if n <= 0 {
		return 0, true
	}
	if n > c.total*(1+1e-15) || len(c.segs) == 0 {
		return 0, false
	}
	// First segment whose end count reaches n.
	i := sort.Search(len(c.segs), func(i int) bool {
		s := &c.segs[i]
		return s.cum+s.total() >= n
	})
	if i == len(c.segs) {
		return c.end, true
	}
	s := &c.segs[i]
	return s.start + s.invert(n-s.cum), true
}

// Max is the highest rate anywhere on the curve, per second.
func (c *Curve) Max() float64 {
	m := 0.0
	for _, s := range c.segs {
		m = math.Max(m, math.Max(s.r0, s.r1))
	}
	return m
}

// Mean is the average rate over the curve, per second.
func (c *Curve) Mean() float64 {
	if c.end == 0 {
		return 0
	}
	return c.total / c.end
}

// Scale returns a copy of the curve with every rate multiplied by k (k ≥ 0):
// the same shape, k times the traffic.
func (c *Curve) Scale(k float64) *Curve {
	if k < 0 || math.IsNaN(k) || math.IsInf(k, 0) {
		k = 0
	}
	out := &Curve{kind: c.kind, end: c.end, total: c.total * k, notes: c.notes}
	prev := 1.0
	for _, p := range c.params {
		if p.Key == "x" {
			prev, _ = strconv.ParseFloat(p.Value, 64)
			continue
		}
		out.params = append(out.params, p)
	}
	if prev*k != 1 {
		out.params = append(out.params, Param{Key: "x", Value: formatFloat(prev * k)})
	}
	out.segs = make([]segment, len(c.segs))
	for i, s := range c.segs {
		s.r0 *= k
		s.r1 *= k
		s.base *= k
		s.cum *= k
		out.segs[i] = s
	}
	return out
}

// String is the curve's one-line form, which Parse accepts.
func (c *Curve) String() string {
	s := c.kind
	for i, p := range c.params {
		if i == 0 {
			s += ":"
		} else {
			s += ","
		}
		s += p.Key + "=" + p.Value
	}
	return s
}

// Point is one sample of a replayed traffic series.
type Point struct {
	T    time.Duration // offset from the first sample
	Rate float64       // requests per second
}

func (p Point) String() string { return fmt.Sprintf("%s@%s", formatFloat(p.Rate), formatDuration(p.T)) }

func secToDur(x float64) time.Duration {
	ns := math.Round(x * 1e9)
	if ns >= math.MaxInt64 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(ns)
}
