package stats

import (
	"fmt"
	"math"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// The range and precision of every Histogram. Values are stored in whole
// microseconds, so histograms written by any headroom version (or by any HDR
// Histogram implementation using microseconds) merge exactly.
const (
	// Resolution is the smallest latency a Histogram tells apart from zero.
	Resolution = time.Microsecond
	// MaxLatency is the largest latency a Histogram tracks; longer values are
	// recorded as MaxLatency.
	MaxLatency = time.Hour
	// SignificantDigits is the precision of every value: 3 digits, so a
	// recorded value is within 0.1% of the truth.
	SignificantDigits = 3
)

const histHighest = int64(MaxLatency / Resolution)

// Histogram is a latency histogram: an HDR Histogram from 1µs to 1h with 3
// significant digits, stored sparsely (a few kilobytes for a typical second
// of traffic), so a run can keep one per second and per target.
//
// Histograms are exact to their precision and mergeable: merging the
// histograms of several seconds, targets or load generators gives the
// histogram of the whole, from which percentiles are then read. Never
// average percentiles.
//
// The zero value is an empty histogram ready to use. A Histogram is not
// safe for concurrent use, and must not be copied once used (copies share
// storage); use Clone.
type Histogram struct {
	p *hdr.PackedHistogram
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return &Histogram{} }

func (h *Histogram) init() {
	if h.p == nil {
		h.p = hdr.NewPacked(1, histHighest, SignificantDigits)
	}
}

// toMicros converts d to whole microseconds (rounded to nearest), clamped
// to [0, MaxLatency].
func toMicros(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	if d >= MaxLatency {
		return histHighest
	}
	return int64((d + Resolution/2) / Resolution)
}

func fromMicros(v int64) time.Duration { return time.Duration(v) * Resolution }

// Record adds one latency. Negative values are recorded as 0 and values
// above MaxLatency as MaxLatency.
func (h *Histogram) Record(d time.Duration) { h.RecordN(d, 1) }

// RecordN adds n occurrences of the latency d.
func (h *Histogram) RecordN(d time.Duration, n int64) {
	if n <= 0 {
		return
	}
	h.init()
	// Cannot fail: the value is clamped into range and counts stay far
	// below overflow in any real run.
	_ = h.p.RecordValues(toMicros(d), n)
}

// Merge adds every value of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.p == nil || o.p.TotalCount() == 0 {
		return
	}
	h.init()
	h.p.Merge(o.p)
}

// Reset empties h, keeping its storage.
func (h *Histogram) Reset() {
	if h.p != nil {
		h.p.Reset()
	}
}

// Clone returns an independent copy of h.
func (h *Histogram) Clone() *Histogram {
	if h == nil || h.p == nil {
		return &Histogram{}
	}
	return &Histogram{p: h.p.Clone()}
}

// Count is the number of values recorded.
func (h *Histogram) Count() int64 {
	if h == nil || h.p == nil {
		return 0
	}
	return h.p.TotalCount()
}

// Quantile returns the latency at quantile q (0.99 for p99), 0 when h is
// empty. q is clamped to [0, 1].
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.Count() == 0 || math.IsNaN(q) {
		return 0
	}
	return fromMicros(h.p.ValueAtPercentile(math.Max(0, math.Min(1, q)) * 100))
}

// Quantiles returns the latencies at each quantile in qs, reading the
// histogram once.
func (h *Histogram) Quantiles(qs ...float64) []time.Duration {
	out := make([]time.Duration, len(qs))
	if h.Count() == 0 {
		return out
	}
	ps := make([]float64, len(qs))
	for i, q := range qs {
		if math.IsNaN(q) {
			q = 0
		}
		ps[i] = math.Max(0, math.Min(1, q)) * 100
	}
	for i, v := range h.p.ValueAtPercentilesSlice(ps) {
		out[i] = fromMicros(v)
	}
	return out
}

// Max is the largest value recorded (to the histogram's precision), 0 when
// h is empty.
func (h *Histogram) Max() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return fromMicros(h.p.Max())
}

// Min is the smallest value recorded (to the histogram's precision), 0 when
// h is empty.
func (h *Histogram) Min() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return fromMicros(h.p.Min())
}

// Mean is the average of the values recorded, 0 when h is empty.
func (h *Histogram) Mean() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(math.Round(h.p.Mean() * float64(Resolution)))
}

// CountAtOrBelow is the number of values at or below d, to the histogram's
// precision: values that fall in the same 0.1%-wide bucket as d count as
// at or below it. It is what a latency SLI needs: the requests that were
// fast enough.
func (h *Histogram) CountAtOrBelow(d time.Duration) int64 {
	if h.Count() == 0 || d < 0 {
		return 0
	}
	limit := toMicros(d)
	var n int64
	for v, c := range h.p.ForEachBucket {
		if v > limit {
			break
		}
		n += c
	}
	return n
}

// Encode returns h in the standard HDR Histogram V2 compressed form,
// base64-encoded (the form HdrHistogram log files use), or "" when h is
// empty.
func (h *Histogram) Encode() string {
	if h.Count() == 0 {
		return ""
	}
	b, err := h.p.Encode()
	if err != nil {
		// Encoding a valid in-memory histogram cannot fail.
		panic(fmt.Sprintf("stats: encode histogram: %v", err))
	}
	return string(b)
}

// DecodeHistogram reads a histogram written by Encode (or by any HDR
// Histogram V2 encoder recording microseconds). "" is an empty histogram.
func DecodeHistogram(s string) (*Histogram, error) {
	if s == "" {
		return &Histogram{}, nil
	}
	p, err := hdr.DecodePacked([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("decode histogram: %w", err)
	}
	return &Histogram{p: p}, nil
}

// MarshalText implements encoding.TextMarshaler with Encode, so a
// Histogram is a JSON string.
func (h *Histogram) MarshalText() ([]byte, error) { return []byte(h.Encode()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with DecodeHistogram.
func (h *Histogram) UnmarshalText(b []byte) error {
	d, err := DecodeHistogram(string(b))
	if err != nil {
		return err
	}
	h.p = d.p
	return nil
}
