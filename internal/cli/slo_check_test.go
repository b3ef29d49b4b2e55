package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/internal/promtest"
)

// sloSegment is a stretch of the synthetic history: the per-minute
// increments of each counter for the minutes that start in [from, to)
// before the evaluation instant.
type sloSegment struct {
	from, to       time.Duration
	ok, bad, fast  float64 // app requests that succeeded, failed, and were within 300ms
	batch, batchKO float64 // batch requests that succeeded and failed
}

// The app's history, one sample a minute, ending at the evaluation
// instant. The process restarts 18h before (every app counter starts again
// from zero), and no sample at all is scraped between 10h and 8h before
// while traffic goes on (an incident hidden in a scrape gap). Batch traffic
// stops an hour before.
var sloHistory = []sloSegment{
	{from: 26 * time.Hour, to: 18 * time.Hour, ok: 600, bad: 0, fast: 594, batch: 120, batchKO: 1},
	{from: 18 * time.Hour, to: 10 * time.Hour, ok: 600, bad: 3, fast: 597, batch: 120, batchKO: 1},
	{from: 10 * time.Hour, to: 8 * time.Hour, ok: 600, bad: 30, fast: 315, batch: 120, batchKO: 1},
	{from: 8 * time.Hour, to: 1 * time.Hour, ok: 600, bad: 0, fast: 594, batch: 120, batchKO: 1},
	{from: 1 * time.Hour, to: 0, ok: 600, bad: 12, fast: 594},
}

const (
	sloRestart  = 18 * time.Hour
	sloGapStart = 10 * time.Hour // last sample before the gap
	sloGapEnd   = 8 * time.Hour  // first sample after it
)

// sloOpenMetrics writes the history as OpenMetrics for promtool's backfill
// (timestamps in seconds).
func sloOpenMetrics(at time.Time) string {
	type series struct {
		name string
		app  bool
		inc  func(sloSegment) float64
	}
	families := []struct {
		typ, name string
		series    []series
	}{
		{"counter", "http_requests", []series{
			{`http_requests_total{job="app",code="200"}`, true, func(s sloSegment) float64 { return s.ok }},
			{`http_requests_total{job="app",code="500"}`, true, func(s sloSegment) float64 { return s.bad }},
			{`http_requests_total{job="batch",code="200"}`, false, func(s sloSegment) float64 { return s.batch }},
			{`http_requests_total{job="batch",code="500"}`, false, func(s sloSegment) float64 { return s.batchKO }},
		}},
		{"unknown", "http_request_duration_seconds_bucket", []series{
			{`http_request_duration_seconds_bucket{job="app",le="0.3"}`, true, func(s sloSegment) float64 { return s.fast }},
		}},
		{"unknown", "http_request_duration_seconds_count", []series{
			{`http_request_duration_seconds_count{job="app"}`, true, func(s sloSegment) float64 { return s.ok + s.bad }},
		}},
	}
	// segment is the stretch the minute starting `start` before now is in.
	segment := func(start time.Duration) sloSegment {
		for _, seg := range sloHistory {
			if start <= seg.from && start > seg.to {
				return seg
			}
		}
		return sloSegment{}
	}
	var b strings.Builder
	for _, f := range families {
		fmt.Fprintf(&b, "# TYPE %s %s\n", f.name, f.typ)
		for _, s := range f.series {
			v := 0.0
			for before := sloHistory[0].from; before >= 0; before -= time.Minute {
				if before < sloHistory[0].from {
					inc := s.inc(segment(before + time.Minute)) // the minute that ended now
					if s.app && before == sloRestart {
						v = 0 // restarted during that minute: counting starts again
					}
					v += inc
				}
				if s.app && before < sloGapStart && before > sloGapEnd {
					continue // not scraped
				}
				fmt.Fprintf(&b, "%s %g %d\n", s.name, v, at.Add(-before).Unix())
			}
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// startSLOPrometheus starts a real Prometheus over the history, ending at
// an instant an hour in the past and aligned to the hour (so windows start
// and end on samples and on 5-minute steps).
func startSLOPrometheus(t *testing.T) (*promtest.Server, time.Time) {
	t.Helper()
	at := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	return promtest.Start(t, promtest.Options{OpenMetrics: sloOpenMetrics(at)}), at
}

// checkJSON is the part of slo check --json the tests read.
type checkJSON struct {
	At     time.Time `json:"at"`
	Source string    `json:"source"`
	SLOs   []struct {
		SLO       string    `json:"slo"`
		Target    float64   `json:"target"`
		Verdict   string    `json:"verdict"`
		Met       bool      `json:"met"`
		SLI       *float64  `json:"sli"`
		Start     time.Time `json:"start"`
		Span      float64   `json:"span_s"`
		Coverage  float64   `json:"coverage"`
		Budgeting string    `json:"budgeting"`
		Events    *struct {
			Good, Bad, Total float64
		} `json:"events"`
		Budget *struct {
			Allowed         *float64 `json:"allowed"`
			Used            *float64 `json:"used"`
			Remaining       float64  `json:"remaining"`
			RemainingEvents *float64 `json:"remaining_events"`
			RemainingS      float64  `json:"remaining_s"`
		} `json:"error_budget"`
		Burn        []burnRateJSON `json:"burn_rates"`
		CurrentBurn *float64       `json:"current_burn_rate"`
		Exhausted   *float64       `json:"budget_exhausted_in_s"`
		Notes       []string       `json:"notes"`
	} `json:"slos"`
}

func runHeadroom(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), args, cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// within reports whether got is want within a relative tolerance.
func within(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-12)
}

// TestSLOCheckAgainstPrometheus compares slo check --json with numbers
// computed by hand from sloHistory. Windows start and end on samples and
// counters are read with increase(), which Prometheus 2.x (Debian's 2.42)
// computes exactly when a sample sits on both ends of the range and no
// extrapolation applies; the counts are checked to 1e-9 relative. Coverage
// and time slices depend on how 5-minute subquery steps fall on the gap's
// edges, so they get a step of slack either way.
func TestSLOCheckAgainstPrometheus(t *testing.T) {
	srv, at := startSLOPrometheus(t)
	code, stdout, stderr := runHeadroom(t, "slo", "check", "-f", "testdata/slo/check.yaml",
		"--prometheus", srv.URL, "--at", fmt.Sprint(at.Unix()), "--json")
	// app-latency and app-uptime miss their objectives: exit 3.
	if code != cli.ExitVerdict {
		t.Fatalf("slo check exit = %d; want %d\nstdout:\n%s\nstderr:\n%s", code, cli.ExitVerdict, stdout, stderr)
	}
	if !strings.Contains(stderr, "2 of 5 objectives missed: app-latency, app-uptime") {
		t.Errorf("stderr = %q; want the missed objectives named", stderr)
	}
	var res checkJSON
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("slo check --json: %v\n%s", err, stdout)
	}
	if !res.At.Equal(at) || res.Source != "prometheus" || len(res.SLOs) != 5 {
		t.Fatalf("slo check --json = at %v, source %q, %d SLOs; want %v, prometheus, 5", res.At, res.Source, len(res.SLOs), at)
	}
	byName := map[string]int{}
	for i, s := range res.SLOs {
		byName[s.SLO] = i
	}
	const exact = 1e-9

	// app-availability over the last day (1440 one-minute increments):
	//   good   600 × 1440                                   = 864,000
	//   bad    3 × 480 (18h–10h) + 30 × 120 (the gap) + 12 × 60 (last hour) = 5,760
	//   total                                                 869,760
	//   SLI 864,000 / 869,760 = 0.993377…; budget 1% of 869,760 = 8,697.6
	//   remaining 1 − 5,760 / 8,697.6 = 0.337748…, 2,937.6 events,
	//   0.337748 × 1% × 86,400 s = 291.8 s of full outage.
	// Burn rates (error ratio / 1%): 5m, 30m, 1h: 12/612 → 1.96078;
	// 2h: 720 / (60×600 + 60×612) → 0.990099; 6h: 720 / (300×600 + 60×612)
	// → 0.332226; 1d: 5,760 / 869,760 → 0.662252. At the 1h burn the budget
	// lasts 0.337748 × 86,400 s / 1.96078 = 14,882.5 s.
	for _, name := range []string{"app-availability", "app-availability-openslo"} {
		s := res.SLOs[byName[name]]
		if s.Verdict != "met" || !s.Met || s.SLI == nil || !within(*s.SLI, 864000.0/869760, exact) {
			t.Errorf("%s: verdict %s, SLI %v; want met, %v", name, s.Verdict, deref(s.SLI), 864000.0/869760)
		}
		if s.Events == nil || !within(s.Events.Total, 869760, exact) || !within(s.Events.Bad, 5760, exact) {
			t.Errorf("%s: events %+v; want 5,760 bad of 869,760", name, s.Events)
		}
		if b := s.Budget; b == nil || !within(b.Remaining, 1-5760/8697.6, exact) || !within(*b.RemainingEvents, 2937.6, exact) ||
			math.Abs(b.RemainingS-(1-5760/8697.6)*0.01*86400) > 1 {
			t.Errorf("%s: budget %+v; want 0.3377 left, 2937.6 events, 291.8 s", name, b)
		}
		want := map[string]float64{"5m": 12.0 / 612 / 0.01, "30m": 12.0 / 612 / 0.01, "1h": 12.0 / 612 / 0.01,
			"2h": 720.0 / 72720 / 0.01, "6h": 720.0 / 216720 / 0.01, "1d": 5760.0 / 869760 / 0.01}
		checkBurns(t, name, s.Burn, want)
		if s.CurrentBurn == nil || !within(*s.CurrentBurn, want["1h"], exact) {
			t.Errorf("%s: current burn %v; want %v", name, deref(s.CurrentBurn), want["1h"])
		}
		if s.Exhausted == nil || math.Abs(*s.Exhausted-(1-5760/8697.6)*86400/want["1h"]) > 1 {
			t.Errorf("%s: budget exhausted in %v s; want %v", name, deref(s.Exhausted), (1-5760/8697.6)*86400/want["1h"])
		}
		// The gap: 24 of the day's 288 five-minute steps have no data.
		if math.Abs(s.Coverage-264.0/288) > 1.5/288 {
			t.Errorf("%s: coverage %v; want 22h of 24h (%v) within a step", name, s.Coverage, 264.0/288)
		}
		wantNotes := []string{"data covers only 9"}
		if name == "app-availability" {
			wantNotes = append(wantNotes, "1 counter reset in the window")
		}
		checkNotes(t, name, s.Notes, wantNotes...)
	}

	// app-latency: good are the requests within 300ms.
	//   fast 594×360 + 597×480 + 315×120 + 594×420 + 594×60 = 823,320 of 869,760
	//   SLI 0.946607… < 95%: missed; budget 5% of 869,760 = 43,488, used
	//   46,440: remaining 1 − 46,440/43,488 = −0.067881…, already spent.
	//   1h burn: 18/612 / 5% = 0.588235.
	lat := res.SLOs[byName["app-latency"]]
	if lat.Verdict != "missed" || lat.Met || lat.SLI == nil || !within(*lat.SLI, 823320.0/869760, exact) {
		t.Errorf("app-latency: verdict %s, SLI %v; want missed, %v", lat.Verdict, deref(lat.SLI), 823320.0/869760)
	}
	if b := lat.Budget; b == nil || !within(b.Remaining, 1-46440.0/43488, exact) || !within(*b.Used, 46440, exact) {
		t.Errorf("app-latency: budget %+v; want −0.0679 left, 46,440 used", b)
	}
	if lat.Exhausted == nil || *lat.Exhausted != 0 {
		t.Errorf("app-latency: exhausted in %v; want 0 (already spent)", deref(lat.Exhausted))
	}
	checkBurns(t, "app-latency", lat.Burn, map[string]float64{"1h": 18.0 / 612 / 0.05})
	checkNotes(t, "app-latency", lat.Notes, "the error budget is exhausted", "1 counter reset in the window")

	// batch-availability: traffic stopped an hour ago.
	//   1380 minutes × 121 requests = 166,980, of which 1,380 failed:
	//   SLI 0.991736…, met; remaining 1 − 1,380 / 1,669.8 = 0.173554…
	//   5m, 30m, 1h: no traffic (the series are there, flat): no burn rate,
	//   no time to exhaustion; 2h: 60 / 7,260 / 1% = 0.826446.
	batch := res.SLOs[byName["batch-availability"]]
	if batch.Verdict != "met" || batch.SLI == nil || !within(*batch.SLI, 1-1380.0/166980, exact) || !within(batch.Budget.Remaining, 1-1380/1669.8, exact) {
		t.Errorf("batch-availability: verdict %s, SLI %v, budget %+v; want met, %v, %v", batch.Verdict, deref(batch.SLI), batch.Budget, 1-1380.0/166980, 1-1380/1669.8)
	}
	for _, b := range batch.Burn[:3] {
		if !b.NoTraffic || b.NoData || b.BurnRate != nil || b.Total != 0 {
			t.Errorf("batch-availability: burn over %s = %+v; want no traffic and no rate", b.Window, b)
		}
	}
	checkBurns(t, "batch-availability", batch.Burn, map[string]float64{"2h": 60.0 / 7260 / 0.01})
	if batch.CurrentBurn != nil || batch.Exhausted != nil {
		t.Errorf("batch-availability: current burn %v, exhausted %v; want neither without traffic", deref(batch.CurrentBurn), deref(batch.Exhausted))
	}
	if batch.Coverage < 0.99 {
		t.Errorf("batch-availability: coverage %v; want the whole day (flat counters are data)", batch.Coverage)
	}
	checkNotes(t, "batch-availability", batch.Notes, "no traffic in the last 1h")

	// app-uptime: five-minute slices over the day. A slice has data when
	// rate() finds two samples in it: the 24 steps in the gap have none,
	// leaving 264 (or 265: the day's first step may count, depending on
	// whether the subquery includes its start). Slices in the last hour
	// fail (12/612 = 2% errors); all others hold at most 0.5% errors and
	// pass: 12 bad slices, SLI ≈ 252/264 = 0.9545 < 99.5%: missed.
	up := res.SLOs[byName["app-uptime"]]
	if up.Budgeting != "Timeslices" || up.Verdict != "missed" || up.Events == nil ||
		math.Abs(up.Events.Total-264) > 1 || up.Events.Bad != 12 {
		t.Errorf("app-uptime: %s %s, slices %+v; want Timeslices, missed, 12 bad of 264±1", up.Budgeting, up.Verdict, up.Events)
	}

	// Without --prometheus, the URL of the OpenSLO DataSource the SLI uses.
	file := filepath.Join(t.TempDir(), "datasource.yaml")
	src := fmt.Sprintf(`apiVersion: openslo/v1
kind: DataSource
metadata: {name: local}
spec: {type: Prometheus, connectionDetails: {url: %q}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: batch}
spec:
  service: batch
  budgetingMethod: Occurrences
  timeWindow: [{duration: 1d, isRolling: true}]
  indicator:
    metadata: {name: batch-errors}
    spec:
      ratioMetric:
        counter: true
        bad: {metricSource: {metricSourceRef: local, spec: {query: 'http_requests_total{job="batch",code=~"5.."}'}}}
        total: {metricSource: {metricSourceRef: local, spec: {query: 'http_requests_total{job="batch"}'}}}
  objectives: [{target: 0.99}]
`, srv.URL)
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HEADROOM_PROMETHEUS_URL", "")
	code, stdout, stderr = runHeadroom(t, "slo", "check", "-f", file, "--at", fmt.Sprint(at.Unix()))
	if code != cli.ExitOK || !strings.Contains(stdout, "SLI        99.174% of 166,980 events  MET") {
		t.Errorf("slo check with the DataSource's URL: exit %d\n%s%s", code, stdout, stderr)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// burnRateJSON is one burn rate of slo check --json.
type burnRateJSON struct {
	Window     string   `json:"window"`
	Good       float64  `json:"good"`
	Total      float64  `json:"total"`
	ErrorRatio *float64 `json:"error_ratio"`
	BurnRate   *float64 `json:"burn_rate"`
	NoData     bool     `json:"no_data"`
	NoTraffic  bool     `json:"no_traffic"`
}

func checkBurns(t *testing.T, name string, burns []burnRateJSON, want map[string]float64) {
	t.Helper()
	got := map[string]*float64{}
	var windows []string
	for _, b := range burns {
		got[b.Window] = b.BurnRate
		windows = append(windows, b.Window)
	}
	if strings.Join(windows, " ") != "5m 30m 1h 2h 6h 1d" {
		t.Errorf("%s: burn windows %v; want 5m to 1d (3d is longer than the 1d window)", name, windows)
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, w := range keys {
		if g := got[w]; g == nil || !within(*g, want[w], 1e-9) {
			t.Errorf("%s: burn rate over %s = %v; want %v", name, w, deref(g), want[w])
		}
	}
}

func checkNotes(t *testing.T, name string, notes []string, want ...string) {
	t.Helper()
	all := strings.Join(notes, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("%s: notes %q; want one containing %q", name, notes, w)
		}
	}
}

// The text output tells the same story, and Prometheus credentials reach
// the server (through an authenticating proxy) but never the output.
func TestSLOCheckTextAndCredentials(t *testing.T) {
	srv, at := startSLOPrometheus(t)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	const token = "s3cret-token"
	guard := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer guard.Close()

	t.Setenv("HEADROOM_PROMETHEUS_TOKEN", token)
	code, stdout, stderr := runHeadroom(t, "slo", "check", "-f", "testdata/slo/check.yaml", "--slo", "batch-availability",
		"--prometheus", guard.URL, "--at", at.Format(time.RFC3339))
	if code != cli.ExitOK {
		t.Fatalf("slo check with the token from the environment: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"batch-availability  99% objective, 1d rolling", "SLI        99.174% of 166,980 events  MET",
		"budget     17.355% left: 290 of 1,670 bad events allowed", "1h no traffic", "2h 0.83x", "note       no traffic in the last 1h"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("slo check text lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, stderr = runHeadroom(t, "slo", "check", "-f", "testdata/slo/check.yaml", "--slo", "batch-availability",
		"--prometheus", guard.URL, "--prometheus-token", "wrong-"+token, "--at", at.Format(time.RFC3339))
	if code != cli.ExitError || !strings.Contains(stderr, "401") {
		t.Errorf("slo check with a wrong token: exit %d, stderr %q; want 1 and the 401", code, stderr)
	}
	if strings.Contains(stdout+stderr, token) {
		t.Errorf("the token was printed:\n%s%s", stdout, stderr)
	}
}
