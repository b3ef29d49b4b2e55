package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/stats"
)

// ldFixture builds a deterministic run: three seconds, two targets, a few
// failures, late and dropped arrivals, and a stall in the last second.
func ldFixture(t *testing.T, scale int) *stats.Run {
	t.Helper()
	r := &stats.Run{Header: stats.Header{
		Version: "test", Started: time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC), Mode: stats.ModeOpen,
		Shape: "constant:rate=1000,for=3s", Arrivals: "uniform", Seed: 1,
		Targets: []stats.TargetInfo{{Name: "quote", Method: "GET", URL: "http://127.0.0.1:8080/quote", Weight: 3},
			{Name: "pay", Method: "POST", URL: "http://127.0.0.1:8080/pay", Weight: 1}},
		Generator: stats.GeneratorInfo{Host: "gen", GOMAXPROCS: 2, NumCPU: 2, Timeout: 30 * time.Second, LateThreshold: 5 * time.Millisecond, Protocol: "auto"},
	}}
	for i := 0; i < 3; i++ {
		iv := &stats.Interval{Index: i, Start: time.Duration(i) * time.Second, Duration: time.Second}
		for name, n := range map[string]int{"quote": 750 * scale, "pay": 250 * scale} {
			b := iv.Target(name)
			b.Scheduled = int64(n)
			for k := 0; k < n; k++ {
				d := time.Duration(1000+k%977) * time.Microsecond
				if i == 2 && k%10 == 0 {
					d += time.Duration(k%100) * time.Millisecond // the stall
				}
				switch {
				case name == "pay" && k%100 == 7:
					b.Response(503, d, d, 0, 64)
				case name == "pay" && k == 13 && i == 1:
					b.Failure(stats.ErrTimeout, 30*time.Second, 30*time.Second, 64)
				default:
					b.Response(200, d, d-d/10, 512, 64)
				}
			}
			if i == 2 {
				b.Late = int64(3 * scale)
			}
			iv.Total.Add(b)
		}
		iv.Generator = stats.GeneratorSample{CPU: 80 * time.Millisecond, InFlight: 2, MaxInFlight: 9 + i}
		for k := 0; k < 1000*scale; k++ {
			iv.Generator.Lag.Record(time.Duration(50+k%400) * time.Microsecond)
		}
		r.Add(iv)
	}
	r.Duration = 3 * time.Second
	ths, err := stats.ParseThresholds("p99<50ms,errors<1%,late<1%,rate>=900")
	if err != nil {
		t.Fatal(err)
	}
	s := r.Summary()
	r.Thresholds = stats.Evaluate(ths, &s.Stats)
	return r
}

func ldWriteRun(t *testing.T, r *stats.Run) string {
	t.Helper()
	var buf bytes.Buffer
	if err := stats.NewWriter(&buf).WriteRun(r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportTextGolden(t *testing.T) {
	path := ldWriteRun(t, ldFixture(t, 1))
	code, stdout, stderr := ldRun(context.Background(), t, "report", path)
	if code != cli.ExitVerdict || !strings.Contains(stderr, "threshold failed: p99<50ms") {
		t.Fatalf("exit %d, stderr %q; want 3: the fixture's stored p99 threshold failed", code, stderr)
	}
	ldGolden(t, "report.golden", stdout)
}

func TestReportTextGoldenClosed(t *testing.T) {
	r := ldFixture(t, 1)
	r.Header.Mode, r.Header.Shape, r.Header.Arrivals, r.Header.Concurrency = stats.ModeClosed, "", "", 64
	r.Thresholds = nil
	code, stdout, stderr := ldRun(context.Background(), t, "report", ldWriteRun(t, r))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ldGolden(t, "report-closed.golden", stdout)
}

func TestReportMergesRunsByHistogram(t *testing.T) {
	a, b := ldFixture(t, 1), ldFixture(t, 2)
	a.Thresholds, b.Thresholds = nil, nil // merging is the point here, not the verdict
	pa, pb := ldWriteRun(t, a), ldWriteRun(t, b)
	code, stdout, stderr := ldRun(context.Background(), t, "report", "--format", "json", pa, pb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got stats.Summary
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	var lat stats.Histogram
	lat.Merge(&a.Total.Latency)
	lat.Merge(&b.Total.Latency)
	if got.Requests != a.Total.Requests+b.Total.Requests {
		t.Errorf("requests = %d; want %d", got.Requests, a.Total.Requests+b.Total.Requests)
	}
	if want := lat.Quantile(0.99).Seconds(); got.Latency.P99 != want {
		t.Errorf("p99 = %v; want %v, read from the merged histograms", got.Latency.P99, want)
	}
	sa, sb := a.Summary(), b.Summary()
	if avg := (sa.Latency.P99 + sb.Latency.P99) / 2; got.Latency.P99 == avg {
		t.Errorf("p99 = %v is the average of the runs' p99s", got.Latency.P99)
	}
	code, stdout, _ = ldRun(context.Background(), t, "report", pa, pb)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	ldGolden(t, "report-merged.golden", stdout)
}

func TestReportReadsATruncatedFile(t *testing.T) {
	path := ldWriteRun(t, ldFixture(t, 1))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	// Header, the first interval, and half of the second: a crash.
	cut := lines[0] + lines[1] + lines[2][:len(lines[2])/2]
	if err := os.WriteFile(path, []byte(cut), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := ldRun(context.Background(), t, "report", "--format", "json", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if !s.Partial || s.Requests != 1000 || s.DurationS != 1 {
		t.Errorf("partial %v, requests %d, duration %v; want a partial run of the first second (1000 requests)", s.Partial, s.Requests, s.DurationS)
	}
	code, stdout, _ = ldRun(context.Background(), t, "report", path)
	if code != 0 || !strings.Contains(stdout, "PARTIAL") {
		t.Errorf("exit %d; text report does not say PARTIAL:\n%s", code, stdout)
	}
}

// report --html writes the run as a page a browser shows with the same
// numbers and verdicts as the text output.
func TestReportHTMLInChromium(t *testing.T) {
	path := ldWriteRun(t, ldFixture(t, 1))
	page := filepath.Join(t.TempDir(), "run.html")
	code, stdout, stderr := ldRun(context.Background(), t, "report", path, "--html", page)
	if code != cli.ExitVerdict || !strings.Contains(stderr, "threshold failed: p99<50ms") {
		t.Fatalf("report --html: exit %d, stderr %q; want 3: the stored p99 threshold failed", code, stderr)
	}
	wants := []string{"3,000", "1,000 req/s", "61.5ms", "55.3ms", "99.67%", "200 × 2,990", "503 × 9", "timeout × 1",
		"p99<50ms", "61.47ms", "FAIL", "errors<1%", "pass", "pay", "quote", "216µs"}
	if m := missingFrom(stdout, wants...); len(m) > 0 {
		t.Errorf("report text lacks %q:\n%s", m, stdout)
	}
	text := pageTextInChromium(t, page)
	if m := missingFrom(text, wants...); len(m) > 0 {
		t.Errorf("the page lacks %q:\n%s", m, text)
	}
}
