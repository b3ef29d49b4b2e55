package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/stats"
)

// ldRunIn runs the headroom command line in-process with stdin.
func ldRunIn(ctx context.Context, t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Run(ctx, args, cli.Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestLoadOutNeverDestroysAnExistingFile(t *testing.T) {
	url := ldServer(t, nil)
	dir := t.TempDir()
	existing := filepath.Join(dir, "results.jsonl")
	const precious = "the last run's results\n"
	if err := os.WriteFile(existing, []byte(precious), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an existing file without --force", []string{"--out", existing}, "already exists"},
		{"a bad shape, even with --force", []string{"--out", existing, "--force", "--shape", "constant:rate=x"}, "--shape"},
		{"a bad threshold, even with --force", []string{"--out", existing, "--force", "--threshold", "p99<300"}, "no unit"},
		{"a bad target, even with --force", []string{"--url", "http://127.0.0.1:1/{{nope}}", "--out", existing, "--force"}, "unknown template"},
		{"a shape above --max-rate, even with --force", []string{"--out", existing, "--force", "--shape", "constant:rate=1e12,for=1s"}, "--max-rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"load", "--url", url, "--shape", "constant:rate=10,for=200ms", "--quiet"}, tt.args...)
			code, _, stderr := ldRun(context.Background(), t, args...)
			if code != cli.ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
			if data, _ := os.ReadFile(existing); string(data) != precious {
				t.Errorf("the existing file now holds %.200q; want it untouched", data)
			}
		})
	}
	fresh := filepath.Join(dir, "new", "results.jsonl")
	if code, _, _ := ldRun(context.Background(), t, "load", "--url", "127.0.0.1:1/", "--out", fresh); code != cli.ExitUsage {
		t.Errorf("a bad URL: exit %d; want 2", code)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("a run with a bad URL created %s (%v); want nothing created", fresh, err)
	}
	code, _, stderr := ldRun(context.Background(), t, "load", "--url", url, "--shape", "constant:rate=10,for=200ms", "--quiet", "--out", existing, "--force")
	if code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	if data, _ := os.ReadFile(existing); !strings.HasPrefix(string(data), `{"type":"header"`) {
		t.Errorf("--force: the file holds %.100q; want the new results", data)
	}
}

func TestLoadRefusesARateTypoBeforeSending(t *testing.T) {
	var hits atomic.Int64
	url := ldServer(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	start := time.Now()
	code, _, stderr := ldRun(context.Background(), t, "load", "--url", url, "--shape", "constant:rate=1e12,for=1s", "--quiet")
	if code != cli.ExitUsage || !strings.Contains(stderr, "peaks at 1e+12 req/s") || !strings.Contains(stderr, "--max-rate") {
		t.Errorf("exit %d, stderr %q; want 2, the peak and the --max-rate hint", code, stderr)
	}
	if hits.Load() != 0 || time.Since(start) > 5*time.Second {
		t.Errorf("%d requests sent in %v; want none, at once", hits.Load(), time.Since(start))
	}
	code, stdout, stderr := ldRun(context.Background(), t, "load", "--url", url, "--shape", "constant:rate=200,for=500ms", "--max-rate", "100", "--quiet")
	if code != cli.ExitUsage || !strings.Contains(stderr, "rate cap of 100") {
		t.Errorf("--max-rate 100: exit %d, stderr %q, stdout %q; want 2 naming the cap", code, stderr, stdout)
	}
}

func TestLoadOutputFormats(t *testing.T) {
	url := ldServer(t, nil)
	t.Chdir(t.TempDir()) // -o json must not write a file named json
	args := []string{"load", "--url", url, "--shape", "constant:rate=20,for=500ms", "--quiet"}
	for _, format := range [][]string{{"-o", "json"}, {"--json"}, {"-o", "yaml"}, {"--output", "yaml"}} {
		t.Run(strings.Join(format, " "), func(t *testing.T) {
			code, stdout, stderr := ldRun(context.Background(), t, append(args, format...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var s stats.Summary
			if err := yaml.Unmarshal([]byte(stdout), &s); err != nil || s.Requests != 10 || s.Mode != "open" {
				t.Errorf("stdout does not read back as the summary (requests %d, mode %q): %v\n%.300s", s.Requests, s.Mode, err, stdout)
			}
			if format[len(format)-1] != "yaml" && !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not JSON:\n%.300s", stdout)
			}
		})
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("the working directory holds %v; want no file written", entries)
	}
	code, stdout, _ := ldRun(context.Background(), t, append(args, "-o", "text")...)
	if code != 0 || !strings.Contains(stdout, "Open model") {
		t.Errorf("-o text: exit %d; stdout %.200q; want the text summary", code, stdout)
	}
	for _, bad := range [][]string{{"-o", "results.jsonl"}, {"-o", "xml"}, {"--out", "-", "-o", "json"}} {
		code, _, stderr := ldRun(context.Background(), t, append(args, bad...)...)
		if code != cli.ExitUsage {
			t.Errorf("%v: exit %d, stderr %q; want 2", bad, code, stderr)
		}
	}
	if _, stderr := ldRunErr(t, append(args, "-o", "results.jsonl")...); !strings.Contains(stderr, "--out") {
		t.Errorf("-o results.jsonl: stderr %q; want the hint pointing to --out", stderr)
	}
}

func ldRunErr(t *testing.T, args ...string) (int, string) {
	t.Helper()
	code, _, stderr := ldRun(context.Background(), t, args...)
	return code, stderr
}

func TestLoadPipesIntoReport(t *testing.T) {
	url := ldServer(t, nil)
	code, stdout, stderr := ldRun(context.Background(), t, "load", "--url", url, "--shape", "constant:rate=100,for=1s", "--quiet", "--out", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	for i, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("stdout line %d is not JSON (the human summary must go to stderr): %q", i+1, l)
		}
	}
	if !strings.Contains(stderr, "Open model") || !strings.Contains(stderr, "Requests") {
		t.Errorf("stderr = %q; want the human summary there", stderr)
	}
	code, out, errs := ldRunIn(context.Background(), t, stdout, "report", "-o", "json", "-")
	if code != 0 {
		t.Fatalf("report -: exit %d: %s", code, errs)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil || s.Requests != 100 {
		t.Errorf("report - read %d requests (%v); want the 100 of the run", s.Requests, err)
	}
}

func TestLoadExitsThreeWhenEveryRequestFailed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/"
	ln.Close()
	out := filepath.Join(t.TempDir(), "results.jsonl")
	code, stdout, stderr := ldRun(context.Background(), t, "load", "--url", refused, "--shape", "constant:rate=20,for=500ms", "--quiet", "--out", out)
	if code != cli.ExitVerdict || !strings.Contains(stderr, "every request failed (refused × 10)") {
		t.Errorf("exit %d, stderr %q; want 3: every request failed", code, stderr)
	}
	if !regexp.MustCompile(`Success +0%`).MatchString(stdout) {
		t.Errorf("stdout lacks the summary:\n%s", stdout)
	}
	code, _, stderr = ldRun(context.Background(), t, "report", out)
	if code != cli.ExitVerdict || !strings.Contains(stderr, "every request failed") {
		t.Errorf("report: exit %d, stderr %q; want 3 too", code, stderr)
	}
	url := ldServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	code, _, stderr = ldRun(context.Background(), t, "load", "--url", url, "--shape", "constant:rate=20,for=500ms", "--quiet")
	if code != cli.ExitVerdict || !strings.Contains(stderr, "status 502 × 10") {
		t.Errorf("all 502: exit %d, stderr %q; want 3 naming the status", code, stderr)
	}
}

func TestReportExitsThreeWhenStoredThresholdsFailed(t *testing.T) {
	failing := ldFixture(t, 1) // p99<50ms fails
	passing := ldFixture(t, 1)
	passing.Thresholds = passing.Thresholds[1:]
	tests := []struct {
		name string
		run  *stats.Run
		code int
	}{{"a failed threshold", failing, cli.ExitVerdict}, {"thresholds that held", passing, 0}}
	for _, tt := range tests {
		for _, format := range []string{"text", "json", "yaml"} {
			code, stdout, stderr := ldRun(context.Background(), t, "report", "-o", format, ldWriteRun(t, tt.run))
			if code != tt.code || stdout == "" {
				t.Errorf("%s, -o %s: exit %d (stderr %q); want %d, after the report", tt.name, format, code, stderr, tt.code)
			}
		}
	}
}

func TestLoadNeverShowsSecrets(t *testing.T) {
	var auth atomic.Value
	url := ldServer(t, func(w http.ResponseWriter, r *http.Request) { auth.Store(r.Header.Get("Authorization")) })
	host := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
	secret := "s3cr3t-v4lue"
	out := filepath.Join(t.TempDir(), "results.jsonl")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"a header without a colon", []string{"--url", url, "-H", "Authorization Bearer " + secret}, cli.ExitUsage},
		{"a header name holding the secret", []string{"--url", url, "-H", "Authorization Bearer " + secret + ": x"}, cli.ExitUsage},
		{"a header value with a broken template", []string{"--url", url, "-H", "Authorization: Bearer " + secret + "{{"}, cli.ExitUsage},
		{"credentials in a URL that is not http", []string{"--url", "ftp://bob:" + secret + "@" + host + "/"}, cli.ExitUsage},
		{"a token in a bad URL", []string{"--url", "http://" + host + "/a b?token=" + secret}, cli.ExitUsage},
		{"credentials and a token in a good URL", []string{"--url", "http://bob:" + secret + "@" + host + "/?api_key=" + secret + "&page=1", "--out", out}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"load", "--shape", "constant:rate=10,for=200ms", "--quiet"}, tt.args...)
			code, stdout, stderr := ldRun(context.Background(), t, args...)
			if code != tt.code {
				t.Errorf("exit %d; want %d. stderr:\n%s", code, tt.code, stderr)
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("the secret was shown:\nstdout %s\nstderr %s", stdout, stderr)
			}
		})
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), secret) || !strings.Contains(string(data), "page=1") {
		t.Errorf("the results file shows the secret, or lost the URL:\n%.400s", data)
	}
	if got, _ := auth.Load().(string); !strings.HasPrefix(got, "Basic ") {
		t.Errorf("the server got Authorization %q; want the URL's credentials sent as basic auth", got)
	}
}

func TestLoadQueueKeepsToTheDurationAndStopsOnInterrupt(t *testing.T) {
	url := ldServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(300 * time.Millisecond):
		}
	})
	args := []string{"load", "--url", url, "--queue", "--max-inflight", "1", "--quiet", "-o", "json"}
	start := time.Now()
	code, stdout, stderr := ldRun(context.Background(), t, append(args, "--shape", "constant:rate=20,for=1s")...)
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s stats.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if took > 3*time.Second || s.DurationS != 1 || s.AchievedRate > 5 || s.DroppedAtEnd < 14 {
		t.Errorf("took %v, ran %vs at %.1f/s, %d dropped at the end; want ~1s, an honest ≤ 5/s and the rest dropped",
			took, s.DurationS, s.AchievedRate, s.DroppedAtEnd)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	start = time.Now()
	code, _, stderr = ldRun(ctx, t, append(args, "--shape", "constant:rate=20,for=1m")...)
	if code != cli.ExitError || !strings.Contains(stderr, "interrupted") || time.Since(start) > 3*time.Second {
		t.Errorf("interrupted after 500ms: exit %d after %v, stderr %q; want 1, at once", code, time.Since(start), stderr)
	}
}

func TestLoadTimesOutAHangingTargetWithinTheRun(t *testing.T) {
	// A hanging target: every request ends as a timeout within the run's
	// drain, none vanishes, and the run exits 3.
	url := ldServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	code, stdout, stderr := ldRun(context.Background(), t, "load", "--url", url, "--shape", "constant:rate=10,for=300ms",
		"--timeout", "200ms", "--quiet")
	if code != cli.ExitVerdict || !strings.Contains(stderr, "every request failed (timeout × 3)") {
		t.Errorf("exit %d, stderr %q; want 3: three timeouts", code, stderr)
	}
	if !strings.Contains(stdout, "timeout × 3") {
		t.Errorf("stdout lacks the timeouts:\n%s", stdout)
	}
}
