// Package promtest runs a real Prometheus server for tests, loaded with
// backfilled data whose right answers are known. It uses the Debian
// `prometheus` package (prometheus and promtool on PATH): a missing binary
// skips the test locally and fails it under CI=true.
//
// Backfill input is OpenMetrics text: samples are "name{labels} value
// unix_seconds", each metric family is contiguous, and the text ends with
// "# EOF" (Backfill appends it when missing).
package promtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/testbin"
)

const installHint = "apt-get install -y prometheus"

// Promtool returns the path of promtool.
func Promtool(t testing.TB) string {
	t.Helper()
	return testbin.Require(t, "promtool", installHint)
}

// Server is a running Prometheus on 127.0.0.1.
type Server struct {
	URL     string // http://127.0.0.1:PORT
	DataDir string
}

// Options configure Start.
type Options struct {
	// OpenMetrics is backfilled into the TSDB before the server starts.
	OpenMetrics string
	// RuleFiles are loaded by the server (absolute paths).
	RuleFiles []string
	// ScrapeTargets are host:port addresses on loopback the server scrapes
	// (job "target"), every ScrapeInterval (default 15s).
	ScrapeTargets  []string
	ScrapeInterval time.Duration
	// EvaluationInterval is how often rules run (default 15s).
	EvaluationInterval time.Duration
	// Features are passed as --enable-feature (e.g. native-histograms).
	Features []string
	// MaxBlockDuration for the backfill (default 32 days: one block for
	// most tests; promtool reads its whole input once per block, so a
	// block a day makes a 14-day backfill ten times slower).
	MaxBlockDuration time.Duration
}

// Backfill writes om (OpenMetrics text) into a new TSDB directory with
// promtool and returns the directory.
func Backfill(t testing.TB, om string, maxBlock time.Duration) string {
	t.Helper()
	promtool := Promtool(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "input.om")
	if !strings.HasSuffix(strings.TrimSpace(om), "# EOF") {
		om = strings.TrimRight(om, "\n") + "\n# EOF\n"
	}
	if err := os.WriteFile(in, []byte(om), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if maxBlock <= 0 {
		maxBlock = 32 * 24 * time.Hour
	}
	cmd := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "-q",
		"--max-block-duration="+maxBlock.String(), in, data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool backfill: %v\n%s", err, out)
	}
	return data
}

// Start backfills opts.OpenMetrics (if any) and starts Prometheus on a free
// loopback port. The server is stopped when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin := testbin.Require(t, "prometheus", installHint)
	var data string
	if opts.OpenMetrics != "" {
		data = Backfill(t, opts.OpenMetrics, opts.MaxBlockDuration)
	} else {
		data = filepath.Join(t.TempDir(), "data")
	}
	cfgDir := t.TempDir()
	every := func(d time.Duration) string {
		if d <= 0 {
			return "15s"
		}
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	cfg := fmt.Sprintf("global:\n  scrape_interval: %s\n  evaluation_interval: %s\n", every(opts.ScrapeInterval), every(opts.EvaluationInterval))
	if len(opts.RuleFiles) > 0 {
		cfg += "rule_files:\n"
		for _, f := range opts.RuleFiles {
			cfg += fmt.Sprintf("  - %q\n", f)
		}
	}
	if len(opts.ScrapeTargets) > 0 {
		cfg += "scrape_configs:\n  - job_name: target\n    static_configs:\n      - targets:\n"
		for _, target := range opts.ScrapeTargets {
			host, _, err := net.SplitHostPort(target)
			if err != nil || (host != "127.0.0.1" && host != "localhost" && host != "::1") {
				t.Fatalf("scrape target %q: tests scrape loopback only", target)
			}
			cfg += fmt.Sprintf("          - %q\n", target)
		}
	}
	cfgPath := filepath.Join(cfgDir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+data,
		"--storage.tsdb.retention.time=100y",
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	for _, f := range opts.Features {
		cmd.Args = append(cmd.Args, "--enable-feature="+f)
	}
	logPath := filepath.Join(cfgDir, "prometheus.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start prometheus: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		_ = logf.Close()
	})
	s := &Server{URL: "http://" + addr, DataDir: data}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("prometheus did not become ready on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
