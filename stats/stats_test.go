package stats_test

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/headroom-sre/headroom/stats"
)

func TestHistogram(t *testing.T) {
	var h stats.Histogram // the zero value is ready
	if h.Count() != 0 || h.Quantile(0.99) != 0 || h.Max() != 0 || h.Encode() != "" {
		t.Fatalf("empty histogram: count %d, p99 %v, max %v, encoded %q; want zeros", h.Count(), h.Quantile(0.99), h.Max(), h.Encode())
	}
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond) // 1ms … 1s
	}
	tests := []struct {
		name string
		got  time.Duration
		want time.Duration
	}{
		{"p50 is the 500th value", h.Quantile(0.5), 500 * time.Millisecond},
		{"p99 is the 990th value", h.Quantile(0.99), 990 * time.Millisecond},
		{"max is the largest value", h.Max(), time.Second},
		{"min is the smallest value", h.Min(), time.Millisecond},
		{"mean is the average", h.Mean(), 500500 * time.Microsecond},
	}
	for _, tt := range tests {
		if rel := math.Abs(float64(tt.got-tt.want)) / float64(tt.want); rel > 0.001 {
			t.Errorf("%s: got %v; want %v within 0.1%%", tt.name, tt.got, tt.want)
		}
	}
	if n := h.CountAtOrBelow(100 * time.Millisecond); n != 100 {
		t.Errorf("CountAtOrBelow(100ms) = %d; want 100", n)
	}
	if n := h.CountAtOrBelow(-time.Second); n != 0 {
		t.Errorf("CountAtOrBelow(-1s) = %d; want 0", n)
	}
	back, err := stats.DecodeHistogram(h.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if back.Count() != h.Count() || back.Quantile(0.999) != h.Quantile(0.999) || back.Encode() != h.Encode() {
		t.Errorf("decode(encode(h)) differs: count %d, p999 %v", back.Count(), back.Quantile(0.999))
	}
	var big stats.Histogram
	big.Record(3 * time.Hour)
	big.Record(-time.Second)
	if big.Max() < 59*time.Minute || big.Max() > 61*time.Minute || big.Min() != 0 {
		t.Errorf("out-of-range values: max %v, min %v; want clamped to 1h and 0", big.Max(), big.Min())
	}
	if _, err := stats.DecodeHistogram("not base64!"); err == nil {
		t.Error("DecodeHistogram(garbage) = nil error; want one")
	}
}

func TestHistogramMergeIsExact(t *testing.T) {
	var a, b, all stats.Histogram
	for i := 0; i < 5000; i++ {
		d := time.Duration(i*i%7919) * time.Microsecond
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	if a.Encode() != all.Encode() {
		t.Error("merged histogram differs from the histogram of all values")
	}
}

// fixtureRun builds a small run of n intervals with two targets.
func fixtureRun(n int, partial bool) *stats.Run {
	r := &stats.Run{Header: stats.Header{Version: "t", Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Mode: stats.ModeOpen,
		Shape: "constant:rate=100,for=3s", Arrivals: "poisson", Seed: 7,
		Targets:   []stats.TargetInfo{{Name: "a", Method: "GET", URL: "http://x/a", Weight: 1}, {Name: "b", Method: "GET", URL: "http://x/b", Weight: 1}},
		Generator: stats.GeneratorInfo{GOMAXPROCS: 2, NumCPU: 2, Timeout: time.Second, LateThreshold: 5 * time.Millisecond}}}
	for i := 0; i < n; i++ {
		iv := &stats.Interval{Index: i, Start: time.Duration(i) * time.Second, Duration: time.Second}
		for j, name := range []string{"a", "b"} {
			b := iv.Target(name)
			b.Scheduled = 50
			for k := 0; k < 50; k++ {
				d := time.Duration(1+k+10*j+i) * time.Millisecond
				if k == 0 && j == 1 {
					b.Failure(stats.ErrReset, d, d, 0)
				} else {
					b.Response(200+k%2*300, d, d/2, 10, 1)
				}
			}
			iv.Total.Add(b)
		}
		iv.Generator.CPU = 10 * time.Millisecond
		iv.Generator.Lag.Record(100 * time.Microsecond)
		iv.Generator.MaxInFlight = 3
		r.Add(iv)
	}
	r.Duration = time.Duration(n) * time.Second
	r.Partial = partial
	return r
}

func writeRun(t *testing.T, r *stats.Run) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := stats.NewWriter(&buf).WriteRun(r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestResultsFileRoundTrip(t *testing.T) {
	r := fixtureRun(3, false)
	back, err := stats.ReadRun(bytes.NewReader(writeRun(t, r)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.Summary(), back.Summary()); diff != "" {
		t.Errorf("summary changed through the file (-wrote +read):\n%s", diff)
	}
	if len(back.Intervals) != 3 || back.Intervals[1].Targets["b"].Errors[stats.ErrReset] != 1 {
		t.Errorf("intervals did not survive: %d intervals", len(back.Intervals))
	}
	if got := back.Intervals[2].Total.Latency.CountAtOrBelow(10 * time.Millisecond); got != 8 {
		t.Errorf("interval 2: CountAtOrBelow(10ms) = %d; want 8", got)
	}
	if diff := cmp.Diff(r.Header, back.Header); diff != "" {
		t.Errorf("header changed (-wrote +read):\n%s", diff)
	}
}

func TestReadRunToleratesACrash(t *testing.T) {
	full := writeRun(t, fixtureRun(3, false))
	lines := bytes.SplitAfter(full, []byte("\n"))
	tests := []struct {
		name     string
		data     []byte
		requests int64
	}{
		{"the summary is missing", bytes.Join(lines[:4], nil), 300},
		{"the last line is cut short", append(bytes.Join(lines[:3], nil), lines[3][:40]...), 200},
		{"only the header was written", lines[0], 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := stats.ReadRun(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			s := r.Summary()
			if !s.Partial || s.Requests != tt.requests {
				t.Errorf("partial %v, requests %d; want partial, %d", s.Partial, s.Requests, tt.requests)
			}
		})
	}
}

func TestReadRunRejectsOtherFiles(t *testing.T) {
	full := writeRun(t, fixtureRun(2, false))
	lines := bytes.SplitAfter(full, []byte("\n"))
	tests := []struct {
		name string
		data string
		want string
	}{
		{"an empty file", "", "no header"},
		{"YAML", "apiVersion: v1\n", "no header"},
		{"an interval first", string(lines[1]), "no header"},
		{"a broken line in the middle", string(lines[0]) + "{oops\n" + string(lines[1]), "results line 2"},
		{"another format version", strings.Replace(string(lines[0]), "headroom-results/1", "headroom-results/9", 1), "unsupported results format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stats.ReadRun(strings.NewReader(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadRun() error = %v; want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := stats.ReadRun(strings.NewReader("")); !errors.Is(err, stats.ErrNoHeader) {
		t.Errorf("ReadRun(empty) = %v; want ErrNoHeader", err)
	}
}

func TestMergeSumsCountsAndMergesHistograms(t *testing.T) {
	a, b := fixtureRun(3, false), fixtureRun(2, true)
	m, err := stats.Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Summary()
	if s.Requests != 500 || !s.Partial || len(m.Intervals) != 3 || m.Intervals[0].Total.Requests != 200 {
		t.Errorf("requests %d, partial %v, %d intervals; want 500, true, 3", s.Requests, s.Partial, len(m.Intervals))
	}
	var all stats.Histogram
	all.Merge(&a.Total.Latency)
	all.Merge(&b.Total.Latency)
	if s.Latency.P99 != all.Quantile(0.99).Seconds() {
		t.Errorf("merged p99 = %v; want %v from the merged histogram", s.Latency.P99, all.Quantile(0.99).Seconds())
	}
	closed := fixtureRun(1, false)
	closed.Header.Mode = stats.ModeClosed
	if _, err := stats.Merge(a, closed); err == nil {
		t.Error("Merge(open, closed) = nil error; want one")
	}
}

func TestSummaryFigures(t *testing.T) {
	s := fixtureRun(2, false).Summary()
	want := struct {
		requests, successes    int64
		rate, throughput, succ float64
	}{200, 98, 100, 49, 0.49}
	if s.Requests != want.requests || s.Successes != want.successes || s.AchievedRate != want.rate ||
		s.Throughput != want.throughput || s.SuccessRatio != want.succ || math.Abs(s.ErrorRatio-0.51) > 1e-12 {
		t.Errorf("summary = %d requests, %d successes, %v/s, %v/s, %v; want %+v", s.Requests, s.Successes, s.AchievedRate, s.Throughput, s.SuccessRatio, want)
	}
	if s.StatusCodes[200] != 98 || s.StatusCodes[500] != 100 || s.Errors[stats.ErrReset] != 2 {
		t.Errorf("codes %v, errors %v", s.StatusCodes, s.Errors)
	}
	if s.Generator.CPUMsPer1kRequests != 100 || s.Generator.CPUCores != 0.01 {
		t.Errorf("generator cpu %v ms/1k, %v cores; want 100, 0.01", s.Generator.CPUMsPer1kRequests, s.Generator.CPUCores)
	}
}

func TestWindowSlides(t *testing.T) {
	w := stats.NewWindow(2)
	r := fixtureRun(3, false)
	for i, iv := range r.Intervals {
		w.Add(iv)
		if w.Full() != (i >= 1) {
			t.Errorf("after %d intervals Full() = %v", i+1, w.Full())
		}
	}
	s := w.Stats()
	if s.Requests != 200 || s.DurationS != 2 {
		t.Errorf("window: %d requests over %v s; want 200 over 2", s.Requests, s.DurationS)
	}
	if want := 2 * time.Millisecond; s.Latency.Min != want.Seconds() {
		t.Errorf("window min latency = %v; want %v (the oldest interval evicted)", s.Latency.Min, want.Seconds())
	}
}
