package stats

import "io"

// DefaultCoarseIntervals is how many intervals [ReadCoarse] keeps at most
// when asked for none in particular: enough for a chart a page wide.
const DefaultCoarseIntervals = 360

// ReadCoarse reads a results file like [ReadTotals] and also keeps its
// intervals, merged into at most max coarse intervals (max ≤ 0 means
// [DefaultCoarseIntervals]). Each coarse interval covers a whole number of
// seconds, the same power of two for all (1, 2, 4 … seconds), aligned on
// that width from the run's start, so that coarse intervals of runs read
// apart can be merged index by index once brought to the same width with
// [Coarsen]. Counters are summed and histograms merged, so the rates and
// percentiles of a coarse interval are exact for its span. Memory stays
// bounded whatever the run's length: a day-long soak keeps 360 intervals
// of four minutes, not 86,400 of a second.
func ReadCoarse(r io.Reader, max int) (*Run, error) {
	if max <= 0 {
		max = DefaultCoarseIntervals
	}
	return readRun(r, max)
}

// Coarsen merges the run's intervals in place into intervals of width
// seconds (rounded up to a power of two and never finer than they are),
// aligned from the run's start. It returns the width used.
func Coarsen(run *Run, width int) int {
	c := coarse{width: 1, max: -1}
	for _, iv := range run.Intervals {
		c.width = max(c.width, iv.width())
	}
	for c.width < width {
		c.width *= 2
	}
	for _, iv := range run.Intervals {
		c.add(iv)
	}
	run.Intervals = c.ivs
	return c.width
}

// Width is the number of seconds the run's intervals each cover: 1 for a
// run read whole, a power of two for one read with [ReadCoarse].
func (r *Run) Width() int {
	w := 1
	for _, iv := range r.Intervals {
		w = max(w, iv.width())
	}
	return w
}

// width is the power of two of seconds a coarse interval covers, read
// from its alignment and length (an interval of a run read whole is 1).
func (iv *Interval) width() int {
	w := 1
	for float64(w) < iv.Duration.Seconds()-1e-9 {
		w *= 2
	}
	return w
}

// coarse merges consecutive intervals into ones of width seconds,
// doubling the width whenever more than max are kept (max < 0: never).
type coarse struct {
	width, max int
	ivs        []*Interval
}

func (c *coarse) add(iv *Interval) {
	k := iv.Index / c.width * c.width
	if n := len(c.ivs); n > 0 && c.ivs[n-1].Index == k {
		into(c.ivs[n-1], iv)
	} else {
		iv.Index = k
		c.ivs = append(c.ivs, iv)
	}
	if c.max > 0 && len(c.ivs) > c.max {
		c.width *= 2
		ivs := c.ivs
		c.ivs = c.ivs[:0:0]
		for _, iv := range ivs {
			c.add(iv)
		}
	}
}

// into adds src, a later stretch of the same run, to dst.
func into(dst, src *Interval) {
	dst.Start = min(dst.Start, src.Start)
	dst.Duration += src.Duration
	dst.Total.Add(&src.Total)
	for name, b := range src.Targets {
		dst.Target(name).Add(b)
	}
	dst.Generator.add(&src.Generator)
}
