package pipeline

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/stats"
)

// resultsFile is a one-second run of n fast 200s and bad 500s, with the
// thresholds given judged and stored.
func resultsFile(t *testing.T, n, bad int, thresholds string) []byte {
	t.Helper()
	run := &stats.Run{Header: stats.Header{Started: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Mode: stats.ModeOpen}, Duration: time.Second}
	iv := &stats.Interval{Duration: time.Second}
	for k := 0; k < n; k++ {
		code := 200
		if k < bad {
			code = 500
		}
		iv.Total.Scheduled++
		iv.Total.Response(code, time.Duration(k+1)*time.Millisecond, time.Millisecond, 0, 0)
	}
	run.Add(iv)
	if thresholds != "" {
		ths, err := stats.ParseThresholds(thresholds)
		if err != nil {
			t.Fatal(err)
		}
		s := run.Summary()
		run.Thresholds = stats.Evaluate(ths, &s.Stats)
	}
	var b bytes.Buffer
	if err := stats.NewWriter(&b).WriteRun(run); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReportMergesAndJudgesStoredThresholds(t *testing.T) {
	files := MapFiles{
		"a.jsonl":   resultsFile(t, 100, 0, "errors<1%"),
		"b.jsonl":   resultsFile(t, 100, 10, "errors<1%"),
		"bad.jsonl": []byte("not a results file\n"),
	}
	for _, tt := range []struct {
		name     string
		results  []string
		requests int64
		source   string
		failed   string
		input    string
	}{
		{"one file that passed", []string{"a.jsonl"}, 100, "", "", ""},
		{"two files merged, one failed", []string{"a.jsonl", "b.jsonl"}, 200, "2 files merged", "threshold failed: b.jsonl: errors<1% (observed 10%)", ""},
		{"a file that failed alone is not named", []string{"b.jsonl"}, 100, "", "threshold failed: errors<1% (observed 10%)", ""},
		{"a missing file is bad input", []string{"a.jsonl", "gone.jsonl"}, 0, "", "", "gone.jsonl"},
		{"not a results file is bad input", []string{"bad.jsonl"}, 0, "", "", "bad.jsonl"},
		{"no file is bad input", nil, 0, "", "", "no results file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Report(files, ReportConfig{Results: tt.results})
			if tt.input != "" {
				if !IsInputError(err) || !strings.Contains(err.Error(), tt.input) {
					t.Fatalf("Report() error = %v; want bad input naming %q", err, tt.input)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			failed, verr := res.Verdict()
			if res.Summary.Requests != tt.requests || res.Source != tt.source || failed != tt.failed || verr != nil {
				t.Errorf("Report() = %d requests from %q, verdict %q, %v; want %d from %q, %q", res.Summary.Requests, res.Source, failed, verr, tt.requests, tt.source, tt.failed)
			}
			if doc := res.Document(); len(doc.Sections) != 1 || doc.Sections[0].Tables == nil {
				t.Errorf("Document() = %+v; want the load section with its tables", doc)
			}
		})
	}
}

func TestSummaryVerdict(t *testing.T) {
	for _, tt := range []struct {
		name   string
		sum    stats.Summary
		failed string
		genErr bool
	}{
		{"a clean run passes", stats.Summary{Stats: stats.Stats{Scheduled: 10, Requests: 10, Successes: 10}}, "", false},
		{"every request failed", stats.Summary{Stats: stats.Stats{Scheduled: 10, Requests: 10, Errors: map[string]int64{"refused": 10}}}, "every request failed (refused × 10)", false},
		{"none completed", stats.Summary{Stats: stats.Stats{Scheduled: 10, Unfinished: 10}}, "no request completed: 10 were still in flight when the run ended", false},
		{"the generator sent nothing", stats.Summary{Stats: stats.Stats{Scheduled: 10, DroppedGenerator: 10}}, "", true},
		{"a threshold failed", stats.Summary{Stats: stats.Stats{Scheduled: 10, Requests: 10, Successes: 10},
			Thresholds: []stats.ThresholdResult{{Threshold: stats.Threshold{Metric: "p99", Op: "<", Value: 0.3}, Metric: "p99", Observed: 0.4}}}, "threshold failed: p99<300ms (observed 400ms)", false},
		{"thresholds held on a fifth of the load", stats.Summary{Stats: stats.Stats{Scheduled: 100, Requests: 20, Successes: 20, Dropped: 80, DroppedAtEnd: 80},
			Thresholds: []stats.ThresholdResult{{Threshold: stats.Threshold{Metric: "p99", Op: "<", Value: 0.3}, Metric: "p99", Observed: 0.1, Pass: true}}},
			"thresholds unknown: 80% of the arrivals were never sent (80 the generator could not send in time), so the thresholds held only for the load that was", false},
		{"a few drops leave the verdict standing", stats.Summary{Stats: stats.Stats{Scheduled: 1000, Requests: 995, Successes: 995, Dropped: 5, DroppedCap: 5},
			Thresholds: []stats.ThresholdResult{{Threshold: stats.Threshold{Metric: "p99", Op: "<", Value: 0.3}, Metric: "p99", Observed: 0.1, Pass: true}}}, "", false},
	} {
		failed, err := SummaryVerdict(&tt.sum)
		var gen *GeneratorError
		if failed != tt.failed || (err != nil) != tt.genErr || (err != nil && !errors.As(err, &gen)) {
			t.Errorf("%s: SummaryVerdict() = %q, %v; want %q, generator error %v", tt.name, failed, err, tt.failed, tt.genErr)
		}
	}
}

// A long run's report has its charts (the intervals kept coarse, in
// bounded memory), and runs of different lengths merge at one width.
func TestReportChartsALongRunAndMergesAtOneWidth(t *testing.T) {
	long := func(seconds int) []byte {
		run := &stats.Run{Header: stats.Header{Started: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Mode: stats.ModeOpen}}
		for i := 0; i < seconds; i++ {
			iv := &stats.Interval{Index: i, Start: time.Duration(i) * time.Second, Duration: time.Second}
			for k := 0; k < 20; k++ {
				iv.Total.Scheduled++
				iv.Total.Response(200, time.Duration(1+(i+k)%50)*time.Millisecond, time.Millisecond, 0, 0)
			}
			run.Add(iv)
		}
		run.Duration = time.Duration(seconds) * time.Second
		var b bytes.Buffer
		if err := stats.NewWriter(&b).WriteRun(run); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	files := MapFiles{"day.jsonl": long(3600), "short.jsonl": long(300)}
	for _, tt := range []struct {
		results  []string
		width    int
		requests int64
	}{
		{[]string{"day.jsonl"}, 16, 72000},
		{[]string{"short.jsonl"}, 1, 6000},
		{[]string{"day.jsonl", "short.jsonl"}, 16, 78000},
	} {
		res, err := Report(files, ReportConfig{Results: tt.results})
		if err != nil {
			t.Fatal(err)
		}
		if w := res.Run.Width(); w != tt.width || len(res.Run.Intervals) > stats.DefaultCoarseIntervals {
			t.Errorf("%v: %d intervals of %d s, want at most %d of %d s", tt.results, len(res.Run.Intervals), w, stats.DefaultCoarseIntervals, tt.width)
		}
		var reqs int64
		for _, iv := range res.Run.Intervals {
			reqs += iv.Total.Requests
		}
		if reqs != tt.requests || res.Summary.Requests != tt.requests {
			t.Errorf("%v: intervals hold %d requests, summary %d; want %d", tt.results, reqs, res.Summary.Requests, tt.requests)
		}
		doc := res.Document()
		if len(doc.Sections[0].Charts) != 2 {
			t.Fatalf("%v: %d charts, want rates and latency", tt.results, len(doc.Sections[0].Charts))
		}
		if title := doc.Sections[0].Charts[0].Title; (tt.width > 1) != strings.Contains(title, "each point 16s") {
			t.Errorf("%v: chart %q should say each point's span only when it is not a second", tt.results, title)
		}
	}
}
