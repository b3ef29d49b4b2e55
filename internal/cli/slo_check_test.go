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
	"regexp"
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
	if !strings.Contains(stderr, "2 of 5 objectives missed: app/app-latency, app/app-uptime") {
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
	// Burn rates (error ratio / 1%) over a 1d SLO's alert windows (the
	// 30d windows scaled by 1/30: 2m, 4m, 12m, 48m, 2h24m, with 5m, the
	// fastest tier's long window and the current burn's): up to 1h,
	// 12/612 → 1.96078; 2h24m: 720 / (60×612 + 84×600) → 0.826446. At
	// the current (5m) burn the budget lasts 0.337748 × 86,400 s /
	// 1.96078 = 14,882.5 s.
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
		last := 12.0 / 612 / 0.01
		want := map[string]float64{"2m": last, "4m": last, "5m": last, "12m": last, "48m": last,
			"2h24m": 720.0 / (60*612 + 84*600) / 0.01}
		checkBurns(t, name, s.Burn, want)
		if s.CurrentBurn == nil || !within(*s.CurrentBurn, want["5m"], exact) {
			t.Errorf("%s: current burn %v; want %v", name, deref(s.CurrentBurn), want["5m"])
		}
		if s.Exhausted == nil || math.Abs(*s.Exhausted-(1-5760/8697.6)*86400/want["5m"]) > 1 {
			t.Errorf("%s: budget exhausted in %v s; want %v", name, deref(s.Exhausted), (1-5760/8697.6)*86400/want["5m"])
		}
		// The gap: 24 of the day's 288 five-minute steps have no data.
		if math.Abs(s.Coverage-264.0/288) > 1.5/288 {
			t.Errorf("%s: coverage %v; want 22h of 24h (%v) within a step", name, s.Coverage, 264.0/288)
		}
		// The restart resets both of the app's counters (code 200 and 500):
		// one restart.
		wantNotes := []string{"data covers only 9"}
		if name == "app-availability" {
			wantNotes = append(wantNotes, "1 restart in the window")
		}
		checkNotes(t, name, s.Notes, wantNotes...)
	}

	// app-latency: good are the requests within 300ms.
	//   fast 594×360 + 597×480 + 315×120 + 594×420 + 594×60 = 823,320 of 869,760
	//   SLI 0.946607… < 95%: missed; budget 5% of 869,760 = 43,488, used
	//   46,440: remaining 1 − 46,440/43,488 = −0.067881…, already spent.
	//   5m burn: 18/612 / 5% = 0.588235.
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
	checkBurns(t, "app-latency", lat.Burn, map[string]float64{"5m": 18.0 / 612 / 0.05})
	checkNotes(t, "app-latency", lat.Notes, "the error budget is exhausted", "1 restart in the window")

	// batch-availability: traffic stopped an hour ago.
	//   1380 minutes × 121 requests = 166,980, of which 1,380 failed:
	//   SLI 0.991736…, met; remaining 1 − 1,380 / 1,669.8 = 0.173554…
	//   2m to 48m: no traffic (the series are there, flat): no burn rate,
	//   no time to exhaustion; 2h24m: 84 / (84 × 121) / 1% = 0.826446.
	batch := res.SLOs[byName["batch-availability"]]
	if batch.Verdict != "met" || batch.SLI == nil || !within(*batch.SLI, 1-1380.0/166980, exact) || !within(batch.Budget.Remaining, 1-1380/1669.8, exact) {
		t.Errorf("batch-availability: verdict %s, SLI %v, budget %+v; want met, %v, %v", batch.Verdict, deref(batch.SLI), batch.Budget, 1-1380.0/166980, 1-1380/1669.8)
	}
	for _, b := range batch.Burn[:5] {
		if !b.NoTraffic || b.NoData || b.BurnRate != nil || b.Total != 0 {
			t.Errorf("batch-availability: burn over %s = %+v; want no traffic and no rate", b.Window, b)
		}
	}
	checkBurns(t, "batch-availability", batch.Burn, map[string]float64{"2h24m": 84.0 / (84 * 121) / 0.01})
	if batch.CurrentBurn != nil || batch.Exhausted != nil {
		t.Errorf("batch-availability: current burn %v, exhausted %v; want neither without traffic", deref(batch.CurrentBurn), deref(batch.Exhausted))
	}
	if batch.Coverage < 0.99 {
		t.Errorf("batch-availability: coverage %v; want the whole day (flat counters are data)", batch.Coverage)
	}
	checkNotes(t, "batch-availability", batch.Notes, "no traffic in the last 48m")

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
	if code != cli.ExitOK || !regexp.MustCompile(`SLI +99\.17% +\(of 166,980 events, MET\)`).MatchString(stdout) {
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
	if strings.Join(windows, " ") != "2m 4m 5m 12m 48m 2h24m" {
		t.Errorf("%s: burn windows %v; want the 1d SLO's alert windows", name, windows)
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
	for _, want := range []string{`batch-availability\n`, `99% objective, 1d rolling`, `SLI +99\.17% +\(of 166,980 events, MET\)`,
		`Budget left +17% +\(290 of 1,670 bad events allowed`, `\n +48m .*no traffic\n`, `\n +2h24m .*0\.826x\n`, `· no traffic in the last 48m`} {
		if !regexp.MustCompile(want).MatchString(stdout) {
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

// gateSeries is one counter of the gates history: perMinute events each
// minute from `from` before the evaluation instant (the whole history when
// 0), starting at init. A restarting series belongs to the process that is
// down for the three minutes before sloGatesRestart (no samples, no
// traffic served) and starts counting again from zero.
type gateSeries struct {
	name       string
	perMinute  float64
	init       float64
	from       time.Duration
	restarting bool
}

const (
	sloGatesHistory = 26 * time.Hour
	sloGatesRestart = 12 * time.Hour
	sloGatesDown    = 3 * time.Minute
	sloGatesYoung   = 6 * time.Hour
)

// sloGatesOpenMetrics writes the history of the gates test: the API's two
// instances (a restarts once, which resets each of its series), a latency
// histogram whose whole-second bucket is spelt le="1.0", a young service,
// an idle one.
func sloGatesOpenMetrics(at time.Time) string {
	families := []struct {
		typ, name string
		series    []gateSeries
	}{
		{"counter", "api_requests", []gateSeries{
			{name: `api_requests_total{job="api",instance="a:80",route="/browse",code="200"}`, perMinute: 1000, restarting: true},
			{name: `api_requests_total{job="api",instance="a:80",route="/pay",code="200"}`, perMinute: 4, restarting: true},
			{name: `api_requests_total{job="api",instance="a:80",route="/pay",code="500"}`, perMinute: 1, restarting: true},
			{name: `api_requests_total{job="api",instance="b:80",route="/browse",code="200"}`, perMinute: 1000},
			{name: `api_requests_total{job="young",instance="c:80",code="200"}`, perMinute: 100, from: sloGatesYoung},
			{name: `api_requests_total{job="idle",instance="d:80",code="200"}`, init: 5000},
			{name: `api_requests_total{job="idle",instance="d:80",code="500"}`, init: 7},
		}},
		{"unknown", "api_request_duration_seconds_bucket", []gateSeries{
			{name: `api_request_duration_seconds_bucket{job="api",instance="b:80",le="0.5"}`, perMinute: 990},
			{name: `api_request_duration_seconds_bucket{job="api",instance="b:80",le="1.0"}`, perMinute: 999},
			{name: `api_request_duration_seconds_bucket{job="api",instance="b:80",le="+Inf"}`, perMinute: 1000},
		}},
		{"unknown", "api_request_duration_seconds_count", []gateSeries{
			{name: `api_request_duration_seconds_count{job="api",instance="b:80"}`, perMinute: 1000},
		}},
	}
	var b strings.Builder
	for _, f := range families {
		fmt.Fprintf(&b, "# TYPE %s %s\n", f.name, f.typ)
		for _, s := range f.series {
			first := sloGatesHistory
			if s.from > 0 {
				first = s.from
			}
			v := s.init
			for before := first; before >= 0; before -= time.Minute {
				down := s.restarting && before > sloGatesRestart && before <= sloGatesRestart+sloGatesDown
				switch {
				case down:
					continue // not running: no sample, no traffic
				case s.restarting && before == sloGatesRestart:
					v = s.perMinute // started again a minute ago
				case before < first:
					v += s.perMinute
				}
				fmt.Fprintf(&b, "%s %g %d\n", s.name, v, at.Add(-before).Unix())
			}
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// gateSLO is the part of one SLO of slo check --json the gates test reads.
type gateSLO struct {
	SLO     string   `json:"slo"`
	Verdict string   `json:"verdict"`
	Met     bool     `json:"met"`
	NoData  string   `json:"no_data_reason"`
	SLI     *float64 `json:"sli"`
	Events  *struct {
		Good, Bad, Total float64
	} `json:"events"`
	Budget *struct {
		Remaining  float64 `json:"remaining"`
		RemainingS float64 `json:"remaining_s"`
	} `json:"error_budget"`
	Notes    []string `json:"notes"`
	Grouping []string `json:"grouping"`
	Groups   []struct {
		Labels  map[string]string `json:"labels"`
		Verdict string            `json:"verdict"`
		SLI     *float64          `json:"sli"`
		Events  *struct {
			Good, Bad, Total float64
		} `json:"events"`
		Notes []string `json:"notes"`
	} `json:"groups"`
}

// TestSLOCheckGroupsGatesAndRestarts checks slo check against a real
// Prometheus on what the common case hides: a route failing one request in
// five on 0.25% of the traffic (grouped, the SLO is missed; as a whole it
// is met), no data in its three forms (no series, no traffic, no series of
// good events), a young service's budget as time, and a restart that
// resets every counter of one process counted once.
//
// Over the day (1440 minutes) instance a lost three minutes to its
// restart: /pay served 5 × 1437 = 7,185 requests, 1,437 failed (SLI 0.8);
// /browse 1000 × 1437 + 1000 × 1440 = 2,877,000, none failed. As a whole:
// 1,437 bad of 2,884,185, SLI 0.999502, budget left 1 − 1437/2884.185.
func TestSLOCheckGroupsGatesAndRestarts(t *testing.T) {
	at := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	srv := promtest.Start(t, promtest.Options{OpenMetrics: sloGatesOpenMetrics(at)})
	check := func(t *testing.T, args ...string) (int, string, string) {
		t.Helper()
		return runHeadroom(t, append([]string{"slo", "check", "-f", "testdata/slo/gates.yaml", "--prometheus", srv.URL, "--at", fmt.Sprint(at.Unix())}, args...)...)
	}
	code, stdout, stderr := check(t, "--json")
	if code != cli.ExitVerdict {
		t.Fatalf("slo check exit = %d; want %d\nstdout:\n%s\nstderr:\n%s", code, cli.ExitVerdict, stdout, stderr)
	}
	for _, want := range []string{"1 of 7 objectives missed: api/api-availability", "without data: ",
		"api/api-latency-typo", "idle/idle-availability", "ghost/ghost-availability", "--allow-no-data"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q; want it to contain %q", stderr, want)
		}
	}
	var res struct {
		SLOs []gateSLO `json:"slos"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("slo check --json: %v\n%s", err, stdout)
	}
	got := map[string]gateSLO{}
	for _, s := range res.SLOs {
		got[s.SLO] = s
	}
	const exact = 1e-9

	// Grouped: /pay misses, so the SLO does, though the whole meets it.
	grouped := got["api-availability"]
	if grouped.Verdict != "missed" || grouped.Met || strings.Join(grouped.Grouping, ",") != "route" || len(grouped.Groups) != 2 {
		t.Fatalf("api-availability: verdict %s, grouping %v, %d groups; want missed by route, 2 groups", grouped.Verdict, grouped.Grouping, len(grouped.Groups))
	}
	wantGroups := []struct {
		route, verdict  string
		sli, bad, total float64
	}{
		{"/pay", "missed", 0.8, 1437, 7185},
		{"/browse", "met", 1, 0, 2877000},
	}
	for i, w := range wantGroups {
		g := grouped.Groups[i]
		if g.Labels["route"] != w.route || g.Verdict != w.verdict || g.SLI == nil || !within(*g.SLI, w.sli, exact) ||
			g.Events == nil || !within(g.Events.Total, w.total, exact) || math.Abs(g.Events.Bad-w.bad) > 1e-6 {
			t.Errorf("group %d = %v %s SLI %v events %+v; want route %s %s SLI %v, %v bad of %v (worst first)",
				i, g.Labels, g.Verdict, deref(g.SLI), g.Events, w.route, w.verdict, w.sli, w.bad, w.total)
		}
		checkNotes(t, "api-availability"+w.route, g.Notes, "1 restart in the window")
	}
	wholeSLI := 1 - 1437.0/2884185
	if grouped.SLI == nil || !within(*grouped.SLI, wholeSLI, exact) {
		t.Errorf("api-availability as a whole: SLI %v; want %v", deref(grouped.SLI), wholeSLI)
	}
	all := got["api-availability-all"]
	if all.Verdict != "met" || all.SLI == nil || !within(*all.SLI, wholeSLI, exact) || all.Budget == nil ||
		!within(all.Budget.Remaining, 1-1437/2884.185, exact) || len(all.Groups) != 0 {
		t.Errorf("api-availability-all: %s, SLI %v, budget %+v, %d groups; want met, %v, %v left, no groups",
			all.Verdict, deref(all.SLI), all.Budget, len(all.Groups), wholeSLI, 1-1437/2884.185)
	}
	// One restart of instance a reset three series: it is one restart.
	checkNotes(t, "api-availability-all", all.Notes, "1 restart in the window")
	for _, n := range all.Notes {
		if strings.Contains(n, "3 restart") || strings.Contains(n, "3 counter") {
			t.Errorf("api-availability-all: note %q counts each series' reset", n)
		}
	}

	// The whole-second bucket stored as le="1.0" is found: 999 of 1000.
	if lat := got["api-latency"]; lat.Verdict != "met" || lat.SLI == nil || !within(*lat.SLI, 0.999, exact) {
		t.Errorf("api-latency: %s, SLI %v; want met, 0.999", lat.Verdict, deref(lat.SLI))
	}

	// No data in its three forms: no verdict on numbers that aren't there.
	for _, w := range []struct{ name, reason, note string }{
		{"api-latency-typo", "good_events_missing", "no series matched the good events while the total counted 1"},
		{"idle-availability", "no_traffic", "no traffic over the window"},
		{"ghost-availability", "no_series", "no data over the window"},
	} {
		s := got[w.name]
		if s.Verdict != "no_data" || s.Met || s.NoData != w.reason || s.SLI != nil || s.Budget != nil {
			t.Errorf("%s: verdict %s (%s), SLI %v, budget %+v; want no_data (%s) without SLI or budget", w.name, s.Verdict, s.NoData, deref(s.SLI), s.Budget, w.reason)
		}
		checkNotes(t, w.name, s.Notes, w.note)
	}

	// The young service served its events in the last 6h: the budget left
	// (all of it, 1% of 36,000 requests) lasts 1% of 6h = 216 s of full
	// outage, not 1% of the whole day (864 s). The data's start is found
	// to a 5-minute step: 3 s.
	young := got["young-availability"]
	if young.Verdict != "met" || young.Budget == nil || young.Events == nil || !within(young.Events.Total, 36000, exact) ||
		math.Abs(young.Budget.RemainingS-216) > 3 {
		t.Errorf("young-availability: %s, events %+v, budget %+v; want met, 36,000 events, 216 s of outage", young.Verdict, young.Events, young.Budget)
	}

	t.Run("text", func(t *testing.T) {
		code, stdout, stderr := check(t, "--slo", "api-availability")
		if code != cli.ExitVerdict || !strings.Contains(stderr, "1 of 1 objectives missed: api/api-availability") {
			t.Fatalf("exit %d, stderr %q; want 3 and api-availability missed\n%s", code, stderr, stdout)
		}
		var pay, browse string
		for _, line := range strings.Split(stdout, "\n") {
			f := strings.Fields(line)
			switch {
			case len(f) > 0 && f[0] == "/pay":
				pay = line
			case len(f) > 0 && f[0] == "/browse":
				browse = line
			}
		}
		if !strings.Contains(pay, "80%") || !strings.Contains(pay, "MISSED") || !strings.Contains(browse, "100%") || !strings.Contains(browse, "MET") {
			t.Errorf("slo check text: want a row per route, /pay 80%% MISSED and /browse 100%% MET:\n%s", stdout)
		}
		if !regexp.MustCompile(`\n +route +SLI +Events +Budget left`).MatchString(stdout) || strings.Contains(stdout, "NaN") {
			t.Errorf("slo check text: want a route column and no NaN:\n%s", stdout)
		}
	})

	for _, tt := range []struct {
		name    string
		args    []string
		code    int
		stdout  []string
		stderr  string
		noOther bool
	}{
		{"no data fails the check", []string{"--slo", "idle-availability", "--slo", "ghost-availability"},
			cli.ExitVerdict, []string{"SLI  no data"}, "2 of 2 objectives without data", false},
		{"--allow-no-data lets it pass, reported as no data", []string{"--slo", "idle-availability", "--slo", "ghost-availability", "--allow-no-data"},
			cli.ExitOK, []string{"SLI  no data"}, "", true},
		{"missing good events are no data, never 100% errors", []string{"--slo", "api-latency-typo"},
			cli.ExitVerdict, []string{"no data"}, "without data: api/api-latency-typo", false},
		{"--allow-no-data does not forgive a miss", []string{"--allow-no-data"},
			cli.ExitVerdict, []string{"MISSED"}, "1 of 7 objectives missed: api/api-availability", false},
		{"met and nothing else passes", []string{"--slo", "api-availability-all", "--slo", "api-latency", "--slo", "young-availability"},
			cli.ExitOK, []string{"MET"}, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := check(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) || (tt.noOther && stderr != "") {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			if strings.Contains(stdout, "NaN") || strings.Contains(stdout, "MISSED") != (tt.code == cli.ExitVerdict && strings.Contains(tt.stderr, "missed")) {
				t.Errorf("stdout:\n%s", stdout)
			}
		})
	}
}

// A Prometheus (or a proxy, or a recording rule) that answers NaN, +Inf
// or a negative count is an error that names the SLO and the query: never
// "SLI NaN% … MET", never a JSON encoding failure, never exit 0.
func TestSLOCheckNonFiniteValues(t *testing.T) {
	for _, fault := range []promtest.Fault{promtest.NaN, promtest.Inf, promtest.Negative} {
		for _, asJSON := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s json=%v", fault, asJSON), func(t *testing.T) {
				b := promtest.Broken(t, fault, `job="api",route="/pay"`)
				args := []string{"slo", "check", "-f", "testdata/slo/gates.yaml", "--slo", "api-availability-all", "--slo", "api-availability",
					"--prometheus", b.URL, "--at", "1772366400"}
				if asJSON {
					args = append(args, "--json")
				}
				code, stdout, stderr := runHeadroom(t, args...)
				if code != cli.ExitError {
					t.Errorf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", code, cli.ExitError, stdout, stderr)
				}
				for _, want := range []string{"SLO api/api-availability-all", "query ", `api_requests_total{job="api"}`, "returned " + string(fault), "\nhint: "} {
					if !strings.Contains(stderr, want) {
						t.Errorf("stderr = %q; want it to contain %q", stderr, want)
					}
				}
				if strings.Contains(stdout, "NaN") || strings.Contains(stdout, "Inf") || strings.Contains(stdout, "MET") {
					t.Errorf("stdout shows the value or a verdict:\n%s", stdout)
				}
				if b.Queries.Load() == 0 {
					t.Error("the broken server was never asked")
				}
			})
		}
	}
}
