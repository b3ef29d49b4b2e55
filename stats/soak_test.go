package stats_test

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/stats"
)

// second builds a realistic interval: two targets, a spread of latencies,
// a few errors and drops.
func second(i int) *stats.Interval {
	iv := &stats.Interval{Index: i, Start: time.Duration(i) * time.Second, Duration: time.Second}
	for k, name := range []string{"quote", "pay"} {
		b := iv.Target(name)
		b.Scheduled = 60
		for j := 0; j < 50; j++ {
			d := time.Duration(500+(i*7+j*131+k*17)%20000) * time.Microsecond
			b.Response(200+(j%25)/24*300, d, d-d/10, 512, 64)
		}
		b.Failure(stats.ErrTimeout, 30*time.Second, 30*time.Second, 64)
		b.Drop(stats.DropCap, 9)
		iv.Total.Add(b)
	}
	iv.Generator.CPU = 10 * time.Millisecond
	iv.Generator.Lag.Record(time.Duration(50+i%400) * time.Microsecond)
	return iv
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// A soak's intervals are accumulated (and streamed elsewhere), not kept:
// its totals are the same size after four hours as after 24 minutes, so a
// day-long soak (86,400 intervals) holds in bounded memory too. (Each kept
// interval would cost kilobytes: tens of megabytes here.)
func TestALongSoaksTotalsFitInBoundedMemory(t *testing.T) {
	const seconds = 4 * 3600
	run := &stats.Run{}
	var early uint64
	for i := 0; i < seconds; i++ {
		run.Accumulate(second(i))
		if i == seconds/10 {
			early = heapInUse()
		}
	}
	late := heapInUse()
	if len(run.Intervals) != 0 {
		t.Fatalf("%d intervals kept; want none", len(run.Intervals))
	}
	if run.Total.Requests != seconds*102 || run.Total.DroppedCap != seconds*18 || run.Total.Latency.Count() != seconds*102 {
		t.Errorf("totals: %d requests, %d dropped by the cap, %d latencies; want every second counted",
			run.Total.Requests, run.Total.DroppedCap, run.Total.Latency.Count())
	}
	if grew := int64(late) - int64(early); grew > 1<<20 {
		t.Errorf("the heap grew %d KiB between 24 minutes and 4 hours; want it bounded (< 1 MiB)", grew>>10)
	}
}

func TestReadTotalsKeepsNoIntervals(t *testing.T) {
	run := &stats.Run{Header: stats.Header{Mode: stats.ModeOpen, Started: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}}
	for i := 0; i < 120; i++ {
		run.Add(second(i))
	}
	run.Duration = 120 * time.Second
	var buf bytes.Buffer
	if err := stats.NewWriter(&buf).WriteRun(run); err != nil {
		t.Fatal(err)
	}
	whole := buf.String()
	noSummary := whole[:strings.LastIndex(strings.TrimSuffix(whole, "\n"), "\n")+1]
	for name, text := range map[string]string{"complete": whole, "without its summary": noSummary} {
		full, err := stats.ReadRun(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		totals, err := stats.ReadTotals(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Intervals) != 120 || len(totals.Intervals) != 0 {
			t.Errorf("%s: ReadRun kept %d intervals, ReadTotals %d; want 120 and 0", name, len(full.Intervals), len(totals.Intervals))
		}
		a, b := full.Summary(), totals.Summary()
		if a.Requests != b.Requests || a.Latency != b.Latency || a.DroppedCap != b.DroppedCap || a.DurationS != b.DurationS || a.Partial != b.Partial {
			t.Errorf("%s: ReadTotals' summary differs from ReadRun's:\n%+v\n%+v", name, b.Stats, a.Stats)
		}
		if a.DroppedCap != 120*18 || a.Dropped != a.DroppedCap {
			t.Errorf("%s: dropped %d by the cap %d; want %d, read back", name, a.Dropped, a.DroppedCap, 120*18)
		}
	}
}

func TestDropsAndUnfinishedAreExplained(t *testing.T) {
	run := &stats.Run{Header: stats.Header{Mode: stats.ModeOpen, Generator: stats.GeneratorInfo{MaxInFlight: 100, FileLimit: 1024, Drain: 31 * time.Second}}}
	iv := &stats.Interval{Duration: time.Second}
	b := iv.Target("a")
	b.Scheduled = 1000
	for i := 0; i < 500; i++ {
		b.Response(200, time.Millisecond, time.Millisecond, 0, 0)
	}
	b.Drop(stats.DropCap, 100)
	b.Drop(stats.DropAtEnd, 200)
	b.Drop(stats.DropGenerator, 150)
	b.Unfinished = 50
	iv.Total.Add(b)
	run.Add(iv)
	run.Duration = time.Second
	s := run.Summary()
	if s.Dropped != 450 || s.DroppedCap != 100 || s.DroppedAtEnd != 200 || s.DroppedGenerator != 150 || s.Unfinished != 50 {
		t.Errorf("dropped %d (cap %d, end %d, generator %d), unfinished %d; want 450 (100, 200, 150), 50",
			s.Dropped, s.DroppedCap, s.DroppedAtEnd, s.DroppedGenerator, s.Unfinished)
	}
	want := []string{"fell behind", "in-flight cap of 100", "open-file limit 1024", "generator's failure", "50 requests were still in flight"}
	all := strings.Join(s.Generator.Warnings, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("warnings lack %q:\n%s", w, all)
		}
	}
}
