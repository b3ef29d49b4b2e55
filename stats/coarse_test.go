package stats_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/stats"
)

// A long run read coarse keeps at most the intervals asked for, each a
// power of two of seconds, and loses nothing: counts sum to the totals and
// each coarse percentile is that of its seconds merged.
func TestReadCoarseIsBoundedAndExact(t *testing.T) {
	const n = 1000
	whole := fixtureRun(n, false)
	data := writeRun(t, whole)
	for _, tc := range []struct{ max, width int }{{100, 16}, {1000, 1}, {999, 2}, {8, 128}} {
		run, err := stats.ReadCoarse(bytes.NewReader(data), tc.max)
		if err != nil {
			t.Fatal(err)
		}
		if got := run.Width(); got != tc.width {
			t.Errorf("max %d: width %d s, want %d", tc.max, got, tc.width)
		}
		if len(run.Intervals) > tc.max || len(run.Intervals) != (n+tc.width-1)/tc.width {
			t.Errorf("max %d: %d intervals", tc.max, len(run.Intervals))
		}
		var reqs int64
		var dur time.Duration
		for k, iv := range run.Intervals {
			reqs += iv.Total.Requests
			dur += iv.Duration
			if iv.Index != k*tc.width || iv.Start != time.Duration(iv.Index)*time.Second {
				t.Fatalf("max %d: interval %d at index %d, start %v", tc.max, k, iv.Index, iv.Start)
			}
			var merged stats.Histogram
			for _, sec := range whole.Intervals[iv.Index:min(n, iv.Index+tc.width)] {
				merged.Merge(&sec.Total.Latency)
			}
			if got, want := iv.Total.Latency.Quantile(0.99), merged.Quantile(0.99); got != want {
				t.Fatalf("max %d: interval %d p99 %v, its seconds merged %v", tc.max, k, got, want)
			}
		}
		if reqs != whole.Total.Requests || dur != whole.Duration {
			t.Errorf("max %d: %d requests over %v, want %d over %v", tc.max, reqs, dur, whole.Total.Requests, whole.Duration)
		}
		if run.Total.Requests != whole.Total.Requests {
			t.Errorf("max %d: totals %d, want %d", tc.max, run.Total.Requests, whole.Total.Requests)
		}
	}
}

// Runs read to different widths merge second for second once brought to
// the same width.
func TestCoarsenAlignsRunsForMerging(t *testing.T) {
	a, err := stats.ReadCoarse(bytes.NewReader(writeRun(t, fixtureRun(400, false))), 100) // 4 s
	if err != nil {
		t.Fatal(err)
	}
	b, err := stats.ReadCoarse(bytes.NewReader(writeRun(t, fixtureRun(100, false))), 100) // 1 s
	if err != nil {
		t.Fatal(err)
	}
	if w := stats.Coarsen(b, a.Width()); w != 4 || b.Width() != 4 || len(b.Intervals) != 25 {
		t.Fatalf("coarsened to %d s (%d s, %d intervals), want 4 s and 25", w, b.Width(), len(b.Intervals))
	}
	if w := stats.Coarsen(a, 3); w != 4 {
		t.Errorf("width 3 on a 4 s run gave %d, want 4 (never finer)", w)
	}
	m, err := stats.Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Intervals) != 100 || m.Intervals[0].Total.Requests != a.Intervals[0].Total.Requests+b.Intervals[0].Total.Requests {
		t.Errorf("merged: %d intervals, first %d requests", len(m.Intervals), m.Intervals[0].Total.Requests)
	}
}
