package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/stats"
)

// writeSLORun writes a six-minute load-test result through the stats
// writer. Each second has 200 requests: for five minutes 196 fast 200s,
// 2 fast 500s and 2 slow (400ms) 200s; in the last minute 190 fast 200s and
// 10 fast 502s.
func writeSLORun(t *testing.T) string {
	t.Helper()
	run := &stats.Run{Header: stats.Header{Started: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Mode: stats.ModeOpen},
		Duration: 6 * time.Minute}
	fast, slow := 10*time.Millisecond, 400*time.Millisecond
	for i := 0; i < 360; i++ {
		iv := &stats.Interval{Index: i, Start: time.Duration(i) * time.Second, Duration: time.Second}
		record := func(n, code int, d time.Duration) {
			for range n {
				iv.Total.Response(code, d, d, 0, 0)
			}
		}
		if i < 300 {
			record(196, 200, fast)
			record(2, 500, fast)
			record(2, 200, slow)
		} else {
			record(190, 200, fast)
			record(10, 502, fast)
		}
		run.Add(iv)
	}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := stats.NewWriter(f).WriteRun(run); err != nil {
		t.Fatal(err)
	}
	return path
}

// One SLO file gates a load test: the same objectives, computed from the
// run's counts and its corrected latency histogram.
func TestSLOCheckRun(t *testing.T) {
	results := writeSLORun(t)
	code, stdout, stderr := runHeadroom(t, "slo", "check", "-f", "testdata/slo/run.yaml", "--run", results, "--json")
	if code != cli.ExitVerdict || !strings.Contains(stderr, "1 of 3 objectives missed: api-strict") {
		t.Fatalf("slo check --run: exit %d, stderr %q; want 3 and api-strict missed\n%s", code, stderr, stdout)
	}
	var res checkJSON
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Source != "run" || !res.At.Equal(time.Date(2026, 3, 1, 12, 6, 0, 0, time.UTC)) || len(res.SLOs) != 3 {
		t.Fatalf("slo check --run --json: source %q, at %v, %d SLOs; want run, the run's end, 3", res.Source, res.At, len(res.SLOs))
	}
	// 72,000 requests. Availability: 600 + 600 5xx = 1,200 bad, SLI
	// 0.98333 ≥ 98%, budget 1,440: 1/6 left. The last 5m (seconds 60–359)
	// hold 480 + 600 bad of 60,000: 1.8%, burn 0.9.
	// Latency: the 600 slow requests are bad: SLI 0.991667 ≥ 99%, budget
	// 720: 1/6 left; the last 5m hold 480 slow: 0.8%, burn 0.8.
	// Strict: 1,200 bad against 72 allowed: missed, budget −15.67.
	want := []struct {
		name      string
		verdict   string
		sli, left float64
		burn5m    float64
	}{
		{"api-availability", "met", 70800.0 / 72000, 1 - 1200.0/1440, 1080.0 / 60000 / 0.02},
		{"api-latency", "met", 71400.0 / 72000, 1 - 600.0/720, 480.0 / 60000 / 0.01},
		{"api-strict", "missed", 70800.0 / 72000, 1 - 1200.0/72, 1080.0 / 60000 / 0.001},
	}
	for i, w := range want {
		s := res.SLOs[i]
		if s.SLO != w.name || s.Verdict != w.verdict || s.SLI == nil || !within(*s.SLI, w.sli, 1e-9) ||
			s.Budget == nil || !within(s.Budget.Remaining, w.left, 1e-9) || s.Events.Total != 72000 {
			t.Errorf("%s: verdict %s, SLI %v, budget %+v, events %+v; want %s, %v, %v left of 72,000", s.SLO, s.Verdict, deref(s.SLI), s.Budget, s.Events, w.verdict, w.sli, w.left)
		}
		if len(s.Burn) != 1 || s.Burn[0].Window != "5m" || s.Burn[0].BurnRate == nil || !within(*s.Burn[0].BurnRate, w.burn5m, 1e-9) {
			t.Errorf("%s: burn rates %+v; want only 5m at %v (the run is 6 minutes long)", s.SLO, s.Burn, w.burn5m)
		}
		if s.Coverage != 1 || s.Span != 360 {
			t.Errorf("%s: coverage %v over %vs; want the whole 360 s run", s.SLO, s.Coverage, s.Span)
		}
	}
	code, _, stderr = runHeadroom(t, "slo", "check", "-f", "testdata/slo/run.yaml", "--run", results, "--at", "now")
	if code != cli.ExitUsage || !strings.Contains(stderr, "--at does not apply to --run") {
		t.Errorf("slo check --run --at: exit %d, %q; want a usage error", code, stderr)
	}
	code, _, stderr = runHeadroom(t, "slo", "check", "-f", "testdata/slo/run.yaml", "--run", "testdata/slo/run.yaml")
	if code != cli.ExitUsage || !strings.Contains(stderr, "results line 1") {
		t.Errorf("slo check --run on a YAML file: exit %d, %q; want a usage error", code, stderr)
	}
}
