package cli_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/headroom-sre/headroom/internal/promtest"
	"github.com/headroom-sre/headroom/traffic"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// importAt is the end of the shop's history.
var importAt = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// shopHistory is two days of one-minute samples of the shop of
// internal/kube/testdata/import.yaml, as Prometheus scrapes it: web's two
// pods serve a daily curve (20 to 100 requests a second each) with an
// evening spike on the second day (30 minutes at 3.2 times the curve);
// p99 latency is 40ms plus half a millisecond a request until 90
// requests a second per pod, then climbs 50ms a request (so the daily
// peaks miss 300ms too, and a 5-minute window that mixes the spike's
// onset misses it at a lower mean rate); CPU is 20m idle
// plus 5ms a request. api's pod serves the 0.6 calls web makes per
// request (istio_requests_total counts them too).
func shopHistory() string {
	const minutes = 2 * 24 * 60
	ts := func(i int) int64 { return importAt.Add(time.Duration(i-minutes) * time.Minute).Unix() }
	perPod := func(i int) float64 {
		x := float64(i%1440) / 1440
		r := 20 + 80*math.Pow(math.Sin(math.Pi*x), 2)
		if i >= 1440+1140 && i < 1440+1170 {
			r *= 3.2
		}
		return r
	}
	latency := func(r float64) float64 {
		l := 0.040 + 0.0005*r
		if r > 90 {
			l += 0.05 * (r - 90)
		}
		return l
	}
	web := []string{"web-7c9d8f6b5-a1b2c", "web-7c9d8f6b5-d3e4f"}
	const api = "api-5f6d7c8b9-j7k8l"
	les := []float64{0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5}
	var b strings.Builder
	counter := func(name, labels string, rate func(int) float64) {
		v := 0.0
		for i := 0; i <= minutes; i++ {
			if i > 0 {
				v += 60 * rate(i)
			}
			fmt.Fprintf(&b, "%s{%s} %.6f %d\n", name, labels, v, ts(i))
		}
	}
	b.WriteString("# TYPE http_requests counter\n")
	for _, p := range web {
		counter("http_requests_total", fmt.Sprintf(`namespace="shop",pod=%q`, p), perPod)
	}
	counter("http_requests_total", fmt.Sprintf(`namespace="shop",pod=%q`, api), func(i int) float64 { return 2 * 0.6 * perPod(i) })
	b.WriteString("# TYPE http_request_duration_seconds histogram\n")
	for _, p := range web {
		for _, le := range les {
			counter("http_request_duration_seconds_bucket", fmt.Sprintf(`namespace="shop",pod=%q,le="%g"`, p, le), func(i int) float64 {
				if latency(perPod(i)) <= le {
					return perPod(i)
				}
				return 0
			})
		}
		counter("http_request_duration_seconds_bucket", fmt.Sprintf(`namespace="shop",pod=%q,le="+Inf"`, p), perPod)
	}
	b.WriteString("# TYPE container_cpu_usage_seconds counter\n")
	for _, p := range web {
		counter("container_cpu_usage_seconds_total", fmt.Sprintf(`namespace="shop",pod=%q,container="app"`, p), func(i int) float64 { return 0.02 + 0.005*perPod(i) })
	}
	b.WriteString("# TYPE istio_requests counter\n")
	counter("istio_requests_total", `reporter="destination",source_workload="web",source_workload_namespace="shop",destination_workload="api",destination_workload_namespace="shop"`,
		func(i int) float64 { return 2 * 0.6 * perPod(i) })
	b.WriteString("# EOF\n")
	return b.String()
}

func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if flag.Lookup("update").Value.String() == "true" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run Import -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// The "done when": a System imported from a snapshot plus a
// backfilled Prometheus simulates without edits, and its values trace to
// their sources.
func TestImportFromASnapshotAndPrometheusSimulates(t *testing.T) {
	srv := promtest.Start(t, promtest.Options{OpenMetrics: shopHistory()})
	dir := t.TempDir()
	snapshot := filepath.Join("..", "kube", "testdata", "import.yaml")
	out := filepath.Join(dir, "system.yaml")
	args := []string{"import", "--snapshot", snapshot, "-n", "shop", "--prometheus", srv.URL, "--entry", "web",
		"--at", importAt.Format(time.RFC3339), "--window", "2d", "--out", out}
	code, stdout, stderr := runHeadroom(t, append(args, "-o", "json")...)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var sum struct {
		Components []string `json:"components"`
		Items      []struct {
			Path, Component, Value, Status, Source string
		} `json:"items"`
		ReplayPath string   `json:"replay_path"`
		Scenarios  []string `json:"scenarios"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, stdout)
	}
	y, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	replay, err := os.ReadFile(sum.ReplayPath)
	if err != nil {
		t.Fatalf("the replay beside the System file: %v", err)
	}
	goldenFile(t, "import-shop.golden.yaml", []byte(strings.ReplaceAll(string(y), srv.URL, "http://PROMETHEUS")))
	goldenFile(t, "import-shop-spike.golden.csv", replay)

	// What an SRE checks: values trace to sources, estimates come with
	// evidence, the history's numbers are what was backfilled.
	byPath := map[string]string{}
	for _, it := range sum.Items {
		byPath[it.Path] = it.Value
		if it.Source == "" {
			t.Errorf("%s has no source", it.Path)
		}
		if it.Status == "estimated" && !strings.Contains(it.Source, "estimate") && !strings.Contains(it.Source, "biggest spike") {
			t.Errorf("%s is estimated without its evidence: %s", it.Path, it.Source)
		}
	}
	if v, err := strconv.ParseFloat(byPath["spec.components[2].capacity.perReplicaRPS"], 64); err != nil || v < 50 || v > 94.5 {
		t.Errorf("web's estimated capacity %q; want at most where p99 crosses 300ms (94 req/s per pod: never optimistic), and not a fraction of it (%v)", byPath["spec.components[2].capacity.perReplicaRPS"], err)
	}
	if v := byPath["spec.components[2].capacity.cpuPerRequest"]; v != "5ms" {
		t.Errorf("web's CPU per request %q; want the 5ms backfilled", v)
	}
	if v := byPath["spec.components[2].calls.api"]; v != "0.6" {
		t.Errorf("web → api %q; want 0.6 from istio_requests_total", v)
	}
	if len(sum.Scenarios) != 3 || sum.Scenarios[0] != "biggest-spike" {
		t.Errorf("scenarios %v; want the biggest spike and its two variants", sum.Scenarios)
	}
	rec, err := traffic.ReadReplay("spike.csv", replay)
	if err != nil {
		t.Fatal(err)
	}
	var peak float64
	for _, p := range rec.Points {
		peak = math.Max(peak, p.Rate)
	}
	if peak < 280 || peak > 330 {
		t.Errorf("the replay peaks at %v req/s; want web's evening spike: 2 pods at 3.2 times about 48 req/s", peak)
	}

	// headroom sim runs it as written.
	code, stdout, stderr = runHeadroom(t, "sim", "-f", out, "--scenario", "all")
	if code != 0 && code != 3 {
		t.Fatalf("sim on the imported file: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, sc := range sum.Scenarios {
		if !strings.Contains(stdout, sc) {
			t.Errorf("sim's output does not name scenario %s", sc)
		}
	}

	// Without --entry, the call graph has two roots (web, and db that
	// nothing calls): the entry is unknown, no traffic is read, and the
	// summary says so.
	other := filepath.Join(dir, "guess", "system.yaml")
	code, stdout, stderr = runHeadroom(t, "import", "--snapshot", snapshot, "-n", "shop", "--prometheus", srv.URL, "--at", importAt.Format(time.RFC3339),
		"--window", "2d", "--out", other, "-o", "json")
	var guess struct {
		Notes     []string `json:"notes"`
		Scenarios []string `json:"scenarios"`
	}
	if err := json.Unmarshal([]byte(stdout), &guess); code != 0 || err != nil {
		t.Fatalf("import without --entry: exit %d, %v\n%s", code, err, stderr)
	}
	if !slices.Equal(guess.Scenarios, []string{"spike-x10"}) || !slices.ContainsFunc(guess.Notes, func(n string) bool { return strings.Contains(n, "does not single one out") }) {
		t.Errorf("without an entry: scenarios %v, notes %q; want the default spike and a note saying why", guess.Scenarios, guess.Notes)
	}

	// A second import never overwrites the first.
	code, _, stderr = runHeadroom(t, args...)
	if again, _ := os.ReadFile(out); code != 2 || !strings.Contains(stderr, "already exists") || string(again) != string(y) {
		t.Errorf("import over an existing file: exit %d, %s; want exit 2 and the file unchanged", code, stderr)
	}
}

func TestTrafficExport(t *testing.T) {
	srv := promtest.Start(t, promtest.Options{OpenMetrics: shopHistory()})
	dir := t.TempDir()
	out := filepath.Join(dir, "evening.csv")
	const q = `sum(rate(http_requests_total{namespace="shop",pod=~"web-.*"}[5m]))`
	from, to := importAt.Add(-6*time.Hour).Format(time.RFC3339), importAt.Add(-4*time.Hour).Format(time.RFC3339)
	code, stdout, stderr := runHeadroom(t, "traffic", "--prometheus", srv.URL, "--query", q, "--from", from, "--to", to, "--step", "1m", "--out", out)
	if code != 0 {
		t.Fatalf("traffic: exit %d\n%s\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := traffic.ReadReplay(out, data)
	if err != nil {
		t.Fatalf("the export does not read as a replay: %v", err)
	}
	if len(rec.Points) != 121 || rec.Span() != 2*time.Hour || !strings.Contains(stdout, "121 points") {
		t.Errorf("%d points over %v (%s); want 121 over 2h", len(rec.Points), rec.Span(), stdout)
	}
	for _, p := range rec.Points {
		if !(p.Rate > 0) || math.IsInf(p.Rate, 0) {
			t.Fatalf("rate %v at %v: want finite, positive rates", p.Rate, p.T)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"an infinite rate", []string{"--prometheus", srv.URL, "--query", q + " / 0", "--from", from, "--to", to, "--out", "-"}, 1, "must be finite"},
		{"several series", []string{"--prometheus", srv.URL, "--query", "rate(http_requests_total[5m])", "--from", from, "--to", to, "--out", "-"}, 2, "sum()"},
		{"no series", []string{"--prometheus", srv.URL, "--query", "sum(rate(nothing_total[5m]))", "--from", from, "--to", to, "--out", "-"}, 2, "no series"},
		{"a start that is no time", []string{"--prometheus", srv.URL, "--query", q, "--from", "yesterday", "--out", "-"}, 2, "--from"},
		{"an existing file", []string{"--prometheus", srv.URL, "--query", q, "--from", from, "--to", to, "--out", out}, 2, "already exists"},
		{"credentials in the URL", []string{"--prometheus", "http://admin:hunter2@127.0.0.1:1", "--query", q, "--from", from, "--out", "-"}, 2, "not in the URL"},
		{"a password and an unreachable server", []string{"--prometheus", "http://127.0.0.1:1", "--prometheus-password", "hunter2", "--prometheus-user", "admin",
			"--query", q, "--from", from, "--to", to, "--out", "-"}, 1, "127.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runHeadroom(t, append([]string{"traffic"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, stderr, tc.code, tc.want)
			}
			if strings.Contains(stdout+stderr, "hunter2") {
				t.Errorf("the password is shown: %s%s", stdout, stderr)
			}
		})
	}
}

func TestImportUsageErrors(t *testing.T) {
	snapshot := filepath.Join("..", "kube", "testdata", "import.yaml")
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no --out", []string{"--snapshot", snapshot}, "--out"},
		{"a snapshot and a context", []string{"--snapshot", snapshot, "--context", "prod", "--out", filepath.Join(dir, "a.yaml")}, "both given"},
		{"an availability of 120%", []string{"--snapshot", snapshot, "--availability", "120%", "--out", filepath.Join(dir, "b.yaml")}, "--availability"},
		{"a negative multiplier", []string{"--snapshot", snapshot, "--spike-multiplier", "-2", "--out", filepath.Join(dir, "c.yaml")}, "--spike-multiplier"},
		{"-o as a file name", []string{"--snapshot", snapshot, "-o", "system.yaml"}, "--out system.yaml"},
		{"a snapshot that is not one", []string{"--snapshot", filepath.Join("..", "kube", "doc.go"), "--out", filepath.Join(dir, "d.yaml")}, "kubectl get"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runHeadroom(t, append([]string{"import"}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 saying %q", code, stderr, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("bad input left files behind: %v", entries)
	}
}

// From a snapshot alone, with an HTML report: the file simulates, and the
// report says what is unknown.
func TestImportFromASnapshotWritesAReport(t *testing.T) {
	dir := t.TempDir()
	out, html := filepath.Join(dir, "system.yaml"), filepath.Join(dir, "import.html")
	code, stdout, stderr := runHeadroom(t, "import", "--snapshot", filepath.Join("..", "kube", "testdata", "import.yaml"), "-n", "shop", "--entry", "web",
		"--latency", "250ms", "--out", out, "--html", html)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "could not be determined") || !strings.Contains(stdout, "headroom sim -f "+out) {
		t.Errorf("summary does not warn of unknown values or say how to simulate:\n%s", stdout)
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(page), "Values to check") {
		t.Errorf("HTML report: %v", err)
	}
	y, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(y), "threshold: 250ms # from the import's options") {
		t.Errorf("the latency objective given is not the file's:\n%s", y)
	}
	if code, stdout, stderr := runHeadroom(t, "sim", "-f", out); code != 0 && code != 3 {
		t.Errorf("sim: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
