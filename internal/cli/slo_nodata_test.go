package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/internal/promtest"
)

// An SLI written with le="1" matches nothing on a Prometheus that stores
// the bucket as le="1.0" (Prometheus 3, protobuf scrapes): that is no data
// — never 100% errors — and the hint says how to match both spellings.
func TestSLOCheckWholeSecondBucketSpeltDifferently(t *testing.T) {
	at := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	srv := promtest.Start(t, promtest.Options{OpenMetrics: sloGatesOpenMetrics(at)})
	file := filepath.Join(t.TempDir(), "exact.yaml")
	src := `apiVersion: openslo/v1
kind: SLO
metadata: {name: api-latency-exact}
spec:
  service: api
  budgetingMethod: Occurrences
  timeWindow: [{duration: 1d, isRolling: true}]
  indicator:
    metadata: {name: api-fast}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Prometheus, spec: {query: 'api_request_duration_seconds_bucket{job="api",le="1"}'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'api_request_duration_seconds_count{job="api"}'}}}
  objectives: [{target: 0.99}]
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"slo", "check", "-f", file, "--prometheus", srv.URL, "--at", fmt.Sprint(at.Unix())}
	code, stdout, stderr := runHeadroom(t, args...)
	for _, want := range []string{"1 of 1 objectives without data: api/api-latency-exact (no series of good events while there was traffic)",
		`hint: a latency bucket le="1" is stored as le="1.0" by Prometheus 3`, `le=~"1|1\\.0"`, "--allow-no-data"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q; want it to contain %q", stderr, want)
		}
	}
	if code != cli.ExitVerdict || !strings.Contains(stdout, "SLI  no data") || strings.Contains(stdout, "MISSED") ||
		!strings.Contains(stdout, `store the bucket le="1" as le="1.0"`) {
		t.Errorf("exit %d; want 3, no data and the le note, never MISSED:\n%s", code, stdout)
	}
	if code, stdout, stderr = runHeadroom(t, append(args, "--allow-no-data")...); code != cli.ExitOK || stderr != "" {
		t.Errorf("--allow-no-data: exit %d, stderr %q; want 0\n%s", code, stderr, stdout)
	}
}

// A real Prometheus that holds no data: every objective is no data (exit
// 3, each named with its reason), the JSON has no SLI and no NaN, and
// --allow-no-data lets the check pass.
func TestSLOCheckEmptyPrometheus(t *testing.T) {
	srv := promtest.Start(t, promtest.Options{})
	args := []string{"slo", "check", "-f", "testdata/slo/check.yaml", "--prometheus", srv.URL, "--at", "now"}
	code, stdout, stderr := runHeadroom(t, append(args, "--json")...)
	if code != cli.ExitVerdict || !strings.Contains(stderr, "5 of 5 objectives without data: app/app-availability (no series matched)") ||
		!strings.Contains(stderr, "hint: --allow-no-data") {
		t.Errorf("exit %d, stderr %q; want 3 and every objective without data", code, stderr)
	}
	var res struct {
		SLOs []struct {
			SLO     string   `json:"slo"`
			Verdict string   `json:"verdict"`
			NoData  string   `json:"no_data_reason"`
			SLI     *float64 `json:"sli"`
		} `json:"slos"`
		NonFinite []string `json:"non_finite"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("slo check --json: %v\n%s", err, stdout)
	}
	for _, s := range res.SLOs {
		if s.Verdict != "no_data" || s.NoData != "no_series" || s.SLI != nil {
			t.Errorf("%s: verdict %s (%s), SLI %v; want no_data (no_series) without an SLI", s.SLO, s.Verdict, s.NoData, deref(s.SLI))
		}
	}
	if len(res.SLOs) != 5 || len(res.NonFinite) != 0 || strings.Contains(stdout, "NaN") {
		t.Errorf("slo check --json: %d SLOs, non_finite %q; want 5 and none\n%s", len(res.SLOs), res.NonFinite, stdout)
	}
	code, stdout, stderr = runHeadroom(t, append(args, "--allow-no-data")...)
	if code != cli.ExitOK || stderr != "" || len(regexp.MustCompile(`SLI +no data .*\(no series matched\)`).FindAllString(stdout, -1)) != 5 {
		t.Errorf("--allow-no-data: exit %d, stderr %q; want 0 and 5 × no data\n%s", code, stderr, stdout)
	}
}
