package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/stats"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// ldRun runs the headroom command line in-process.
func ldRun(ctx context.Context, t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Run(ctx, args, cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func ldServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello, world\n") }
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL + "/"
}

func ldGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "load", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run Report -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (check, then run go test ./internal/cli -run Report -update):\n%s", name, got)
	}
}

func TestLoadJSONSummaryContract(t *testing.T) {
	url := ldServer(t, nil)
	code, stdout, stderr := ldRun(context.Background(), t, "load", "--url", url, "--shape", "constant:rate=2000,for=5s", "--json")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	checkStats := func(where string, m map[string]any) {
		for _, k := range []string{"requests", "duration_s", "target_rate", "achieved_rate", "throughput", "success_ratio", "late", "dropped"} {
			if _, ok := m[k].(float64); !ok {
				t.Errorf("%s: %q = %v; want a number", where, k, m[k])
			}
		}
		for _, k := range []string{"latency", "latency_uncorrected"} {
			lat, ok := m[k].(map[string]any)
			if !ok {
				t.Errorf("%s: %q is not an object", where, k)
				continue
			}
			for _, q := range []string{"p50", "p90", "p95", "p99", "p999", "max", "mean"} {
				if v, ok := lat[q].(float64); !ok || v <= 0 || v > 5 {
					t.Errorf("%s: %s.%s = %v; want seconds in (0, 5]", where, k, q, lat[q])
				}
			}
		}
		codes, ok := m["status_codes"].(map[string]any)
		if !ok || codes["200"] != m["requests"] {
			t.Errorf("%s: status_codes = %v; want {\"200\": requests}", where, m["status_codes"])
		}
		if _, ok := m["errors"].(map[string]any); !ok {
			t.Errorf("%s: errors = %v; want an object", where, m["errors"])
		}
		if m["partial"] != false {
			t.Errorf("%s: partial = %v; want false", where, m["partial"])
		}
	}
	checkStats("total", doc)
	if n := doc["requests"].(float64); n < 9900 || n > 10100 {
		t.Errorf("requests = %v; want 10000 ± 1%%", n)
	}
	if doc["target_rate"] != 2000.0 || doc["duration_s"] != 5.0 || doc["success_ratio"] != 1.0 {
		t.Errorf("target_rate %v, duration_s %v, success_ratio %v; want 2000, 5, 1", doc["target_rate"], doc["duration_s"], doc["success_ratio"])
	}
	per, ok := doc["per_target"].(map[string]any)
	if !ok || len(per) != 1 {
		t.Fatalf("per_target = %v; want one target", doc["per_target"])
	}
	for name, v := range per {
		checkStats("per_target["+name+"]", v.(map[string]any))
	}
	gen, ok := doc["generator"].(map[string]any)
	if !ok {
		t.Fatalf("generator = %v; want an object", doc["generator"])
	}
	for _, k := range []string{"cpu_cores", "cpu_ms_per_1k_requests", "max_inflight_seen"} {
		if v, ok := gen[k].(float64); !ok || v <= 0 {
			t.Errorf("generator.%s = %v; want a positive number", k, gen[k])
		}
	}
	if _, err := time.Parse(time.RFC3339, doc["started"].(string)); err != nil {
		t.Errorf("started = %v: %v", doc["started"], err)
	}
}

func TestLoadWritesResultsAndFailsThresholds(t *testing.T) {
	url := ldServer(t, nil)
	out := filepath.Join(t.TempDir(), "results.jsonl")
	code, stdout, stderr := ldRun(context.Background(), t, "load", "--url", url, "--shape", "constant:rate=100,for=2s",
		"--out", out, "--threshold", "p99<1us", "--threshold", "errors<1%,rate>=50")
	if code != cli.ExitVerdict {
		t.Fatalf("exit %d; want 3. stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "threshold failed: p99<1µs") || strings.Contains(stderr, "errors<1%") {
		t.Errorf("stderr = %q; want only p99<1µs named as failed", stderr)
	}
	if !regexp.MustCompile(`\n +p99<1µs +\S+ +FAIL\n`).MatchString(stdout) || !regexp.MustCompile(`\n +errors<1% +\S+ +pass\n`).MatchString(stdout) {
		t.Errorf("stdout lacks the threshold table:\n%s", stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 4 || !strings.Contains(lines[0], `"type":"header"`) || !strings.Contains(lines[len(lines)-1], `"type":"summary"`) {
		t.Fatalf("results file has %d lines; want header, intervals, summary:\n%.400s", len(lines), data)
	}
	code, stdout, stderr = ldRun(context.Background(), t, "report", "--format", "json", out)
	if code != cli.ExitVerdict || !strings.Contains(stderr, "threshold failed: p99<1µs") {
		t.Fatalf("report: exit %d, stderr %q; want 3: the stored threshold failed", code, stderr)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.Requests != 200 || s.Partial || len(s.Thresholds) != 3 || s.Thresholds[0].Pass {
		t.Errorf("report: requests %d, partial %v, thresholds %+v; want 200, false, 3 with p99 failed", s.Requests, s.Partial, s.Thresholds)
	}
}

func TestLoadInterruptLeavesPartialResults(t *testing.T) {
	url := ldServer(t, nil)
	out := filepath.Join(t.TempDir(), "results.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	code, _, stderr := ldRun(ctx, t, "load", "--url", url, "--shape", "constant:rate=200,for=60s", "--out", out, "--quiet")
	if code != cli.ExitError || !strings.Contains(stderr, "interrupted; partial results written to "+out) {
		t.Fatalf("exit %d, stderr %q; want 1 and the interrupted message", code, stderr)
	}
	code, stdout, stderr := ldRun(context.Background(), t, "report", "--format", "json", out)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if !s.Partial || s.Requests < 200 || s.DurationS > 5 {
		t.Errorf("partial %v, requests %d, duration %v s; want a partial run of ~1.5s", s.Partial, s.Requests, s.DurationS)
	}
}

func TestLoadAbortOnFailStopsADoomedRun(t *testing.T) {
	url := ldServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	start := time.Now()
	code, _, stderr := ldRun(context.Background(), t, "load", "--url", url, "--shape", "constant:rate=50,for=60s",
		"--threshold", "errors<1%", "--abort-on-fail", "--abort-window", "1s", "--quiet")
	if code != cli.ExitVerdict || !strings.Contains(stderr, "aborted after") || !strings.Contains(stderr, "errors<1%") {
		t.Errorf("exit %d, stderr %q; want 3 and an abort naming errors<1%%", code, stderr)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("the run took %v; want it stopped after about a second", time.Since(start))
	}
}

func TestLoadRunsAScenarioFile(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	url := ldServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Team")+" "+string(body)]++
		mu.Unlock()
	})
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("accounts.csv", "account_id\nA1\nA2\n")
	write("pay.json", `{"account":"{{csv.account_id}}"}`)
	write("scenario.yaml", `apiVersion: headroom/v1
kind: Scenario
metadata: {name: checkout}
spec:
  shape: constant:rate=100,for=1s
  thresholds: ["errors<1%"]
  headers: {X-Team: payments}
  targets:
    - name: quote
      url: `+url+`quote
      weight: 3
    - name: pay
      method: POST
      url: `+url+`pay
      bodyFile: pay.json
      data: accounts.csv
`)
	code, stdout, stderr := ldRun(context.Background(), t, "load", "-f", filepath.Join(dir, "scenario.yaml"), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.PerTarget["quote"].Requests != 75 || s.PerTarget["pay"].Requests != 25 || len(s.Thresholds) != 1 {
		t.Errorf("per target %+v, thresholds %v; want quote 75, pay 25, one threshold", s.PerTarget, s.Thresholds)
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{
		"GET /quote payments ":                75,
		`POST /pay payments {"account":"A1"}`: 13,
		`POST /pay payments {"account":"A2"}`: 12,
	}
	for k, n := range want {
		if seen[k] != n {
			t.Errorf("server saw %d × %q; want %d (all: %v)", seen[k], k, n, seen)
		}
	}
}

func TestLoadRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("apiVersion: headroom/v1\nkind: Scenario\nspec:\n  shape: constant:rate=10,for=1s\n  targets:\n    - url: http://127.0.0.1:1/{{nope}}\n      wieght: 2\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"load"}, "no target"},
		{"both --url and -f", []string{"load", "--url", "http://127.0.0.1:1/", "-f", bad}, "cannot be used together"},
		{"a bad shape", []string{"load", "--url", "http://127.0.0.1:1/", "--shape", "constant:rate=x"}, "--shape"},
		{"a bad threshold", []string{"load", "--url", "http://127.0.0.1:1/", "--threshold", "p99<300"}, "no unit"},
		{"a latency without a unit", []string{"load", "--url", "http://127.0.0.1:1/", "--threshold", "p99<300"}, `latency "300" has no unit: write 300ms`},
		{"a ratio without a percent sign", []string{"load", "--url", "http://127.0.0.1:1/", "--threshold", "errors<1"}, "write errors<1% (one in a hundred) or errors<100%"},
		{"a bad URL", []string{"load", "--url", "127.0.0.1:1/"}, "http://"},
		{"a scenario with mistakes", []string{"load", "-f", bad}, "bad.yaml:7:7: spec.targets[0].wieght: unknown field"},
		{"a scenario with a bad template", []string{"load", "-f", bad}, "bad.yaml:6:7: spec.targets[0].url: template"},
		{"abort without thresholds", []string{"load", "--url", "http://127.0.0.1:1/", "--abort-on-fail"}, "needs at least one threshold"},
		{"report of a missing file", []string{"report", filepath.Join(dir, "nope.jsonl")}, "no such file"},
		{"report of a file that is not results", []string{"report", bad}, "not a headroom results file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := ldRun(context.Background(), t, tt.args...)
			if code != cli.ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

func TestLoadClosedMode(t *testing.T) {
	url := ldServer(t, nil)
	code, stdout, stderr := ldRun(context.Background(), t, "load", "--url", url, "--closed", "4", "--duration", "300ms", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.Mode != "closed" || s.Concurrency != 4 || s.Requests < 20 {
		t.Errorf("mode %q, concurrency %d, requests %d; want closed, 4, many", s.Mode, s.Concurrency, s.Requests)
	}
}

// load --html writes the summary as a page a browser shows with the same
// numbers and verdicts as the text output.
func TestLoadHTMLInChromium(t *testing.T) {
	url := ldServer(t, nil)
	page := filepath.Join(t.TempDir(), "load.html")
	code, stdout, stderr := ldRun(context.Background(), t, "load", "--url", url, "--shape", "constant:rate=50,for=3s", "--quiet",
		"--threshold", "errors<1%", "--html", page)
	if code != cli.ExitOK {
		t.Fatalf("load --html: exit %d; stderr %q", code, stderr)
	}
	wants := []string{"Open model", "constant:rate=50,for=3s", "50 req/s", "200 × 150", "errors<1%", "pass", "from due time", "Load generator",
		"Requests per second", "Latency from the due time"}
	if m := missingFrom(stdout, wants...); len(m) > 0 {
		t.Errorf("load text lacks %q:\n%s", m, stdout)
	}
	text := pageTextInChromium(t, page)
	if m := missingFrom(text, wants...); len(m) > 0 {
		t.Errorf("the page lacks %q:\n%s", m, text)
	}
}
