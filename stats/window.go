package stats

import "time"

// Window holds the last few intervals of a run, for checking thresholds
// over a sliding window while the run goes on (abort a doomed run early):
// a burst of errors ten minutes ago should not fail the last ten seconds.
type Window struct {
	size int
	ivs  []*Interval
}

// NewWindow returns a window over the last size intervals (seconds).
func NewWindow(size int) *Window {
	return &Window{size: max(size, 1)}
}

// Add pushes an interval into the window, evicting the oldest when full.
func (w *Window) Add(iv *Interval) {
	if len(w.ivs) == w.size {
		copy(w.ivs, w.ivs[1:])
		w.ivs = w.ivs[:w.size-1]
	}
	w.ivs = append(w.ivs, iv)
}

// Full reports whether the window holds as many intervals as its size.
func (w *Window) Full() bool { return len(w.ivs) == w.size }

// Len is the number of intervals in the window.
func (w *Window) Len() int { return len(w.ivs) }

// Stats returns the figures of all targets together over the window.
func (w *Window) Stats() Stats {
	var b Bucket
	var d time.Duration
	for _, iv := range w.ivs {
		b.Add(&iv.Total)
		d += iv.Duration
	}
	return StatsOf(&b, d, false)
}
