package cli_test

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/internal/promtest"
)

func init() {
	// -update rewrites golden files; other tests of the package may
	// define it too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// sloGolden compares got with testdata/slo/name, or rewrites it under
// -update.
func sloGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "slo", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run SLO -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (check, then run go test ./internal/cli -run SLO -update):\n%s", name, got)
	}
}

func promtoolCheck(t *testing.T, rules []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, rules, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(promtest.Promtool(t), "check", "rules", path).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

func TestSLORulesWritesRulesPromtoolAccepts(t *testing.T) {
	code, stdout, stderr := runHeadroom(t, "slo", "rules", "-f", "testdata/slo/multi.yaml", "--label", "team=payments")
	if code != cli.ExitOK {
		t.Fatalf("slo rules: exit %d\n%s", code, stderr)
	}
	sloGolden(t, "multi.rules.yaml", stdout)
	promtoolCheck(t, []byte(stdout))
	for _, want := range []string{`objective: three-nines`, `alert: SLIMetricsAbsent`, `runbook_url: https://runbooks.example.com/checkout`,
		`slo:sli_error:ratio_rate28d{slo="checkout-latency",service="checkout"}`,
		// A 28-day SLO's fast page: 2% of the budget in 56m, still 14.4x.
		`slo:sli_error:ratio_rate56m{slo="checkout-latency",service="checkout"} / 0.01 > 14.4`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("slo rules output lacks %q", want)
		}
	}
}

func TestSLORulesPrometheusRuleToFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "deploy", "slo-rules.yaml")
	code, stdout, stderr := runHeadroom(t, "slo", "rules", "-f", "testdata/slo/availability.yaml", "--format", "prometheusrule",
		"--out", out, "--namespace", "shop", "--object-label", "release=prometheus")
	if code != cli.ExitOK || stdout != "" {
		t.Fatalf("slo rules --format prometheusrule -o: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sloGolden(t, "availability.prometheusrule.yaml", string(data))
	for _, want := range []string{"apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: checkout-slos\n  namespace: shop\n  labels:\n    release: prometheus\nspec:\n  groups:\n"} {
		if !strings.HasPrefix(string(data), want) {
			t.Errorf("PrometheusRule starts\n%s\nwant\n%s", data[:min(len(data), 200)], want)
		}
	}
}

func TestSLOValidate(t *testing.T) {
	row := func(stdout, id string) string {
		for _, line := range strings.Split(stdout, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), id+" ") {
				return strings.Join(strings.Fields(line), " ")
			}
		}
		return ""
	}
	code, stdout, stderr := runHeadroom(t, "slo", "validate", "-f", "testdata/slo/multi.yaml")
	if code != cli.ExitOK || row(stdout, "checkout/checkout-availability/three-nines") == "" || !strings.Contains(row(stdout, "checkout/checkout-availability/three-nines"), " 99.9% ") ||
		!strings.Contains(stdout, "ok: 3 objective(s)") {
		t.Errorf("slo validate multi.yaml: exit %d\n%s%s", code, stdout, stderr)
	}
	// The latency column shows each latency SLI's threshold and the bucket
	// it reads: a whole second matches both of its le spellings.
	for _, tt := range []struct{ file, id, latency string }{
		{"testdata/slo/multi.yaml", "checkout/checkout-latency", `300ms (le="0.3")`},
		{"testdata/slo/multi.yaml", "checkout/checkout-availability/two-nines", "-"},
		{"testdata/slo/gates.yaml", "api/api-latency", `1s (le=~"1|1\\.0")`},
		{"testdata/slo/gates.yaml", "api/api-availability", "bad/total by route -"},
	} {
		code, stdout, stderr := runHeadroom(t, "slo", "validate", "-f", tt.file)
		if r := row(stdout, tt.id); code != cli.ExitOK || !strings.Contains(stdout, "Latency") || !strings.HasSuffix(r, tt.latency) {
			t.Errorf("slo validate %s: exit %d, row %q; want it to end with %q\n%s%s", tt.file, code, r, tt.latency, stdout, stderr)
		}
	}
	// The same list as JSON and as an HTML report.
	html := filepath.Join(t.TempDir(), "slos.html")
	code, stdout, stderr = runHeadroom(t, "slo", "validate", "-f", "testdata/slo/gates.yaml", "-o", "json", "--html", html)
	var doc struct {
		Sections []struct {
			Tables []struct{ Rows [][]string }
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); code != cli.ExitOK || err != nil || len(doc.Sections) != 1 || len(doc.Sections[0].Tables[0].Rows) != 7 {
		t.Errorf("slo validate -o json: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	if data, err := os.ReadFile(html); err != nil || !strings.Contains(string(data), "api/api-latency") {
		t.Errorf("slo validate --html wrote %d bytes, %v", len(data), err)
	}
	code, stdout, stderr = runHeadroom(t, "slo", "validate", "-f", "testdata/slo/bad.yaml")
	want := "headroom slo validate: testdata/slo/bad.yaml:7:1: objective: 100%: want more than 0% and less than 100% (100% leaves no error budget)\n" +
		"testdata/slo/bad.yaml:8:1: window: \"30 days\" is not a duration"
	if code != cli.ExitUsage || stdout != "" || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "\nhint: ") {
		t.Errorf("slo validate bad.yaml: exit %d, stderr\n%s\nwant exit 2 and\n%s", code, stderr, want)
	}
}

func TestSLOUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"slo", "rules"}, "no SLO file given"},
		{"a missing file", []string{"slo", "check", "-f", "testdata/slo/nope.yaml"}, "no such file"},
		{"an unknown format", []string{"slo", "rules", "-f", "testdata/slo/availability.yaml", "--format", "json"}, `unknown format "json"`},
		{"a label without a value", []string{"slo", "rules", "-f", "testdata/slo/availability.yaml", "--label", "team"}, "want name=value"},
		{"a reserved label", []string{"slo", "rules", "-f", "testdata/slo/availability.yaml", "--label", "severity=x"}, `label "severity"`},
		{"no Prometheus", []string{"slo", "check", "-f", "testdata/slo/availability.yaml"}, "no Prometheus to read from"},
		{"a bad --at", []string{"slo", "check", "-f", "testdata/slo/availability.yaml", "--prometheus", "http://127.0.0.1:1", "--at", "yesterday"}, `--at "yesterday" is not a time`},
		{"an unknown SLO", []string{"slo", "check", "-f", "testdata/slo/availability.yaml", "--prometheus", "http://127.0.0.1:1", "--slo", "x"}, `no SLO named "x"`},
		{"credentials in the URL", []string{"slo", "check", "-f", "testdata/slo/availability.yaml", "--prometheus", "http://u:p@127.0.0.1:1"}, "not in the URL"},
		{"an unknown subcommand", []string{"slo", "frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HEADROOM_PROMETHEUS_URL", "")
			code, _, stderr := runHeadroom(t, tt.args...)
			if code != cli.ExitUsage || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "hint: ") {
				t.Errorf("headroom %s: exit %d, stderr %q; want exit 2, %q and a hint", strings.Join(tt.args, " "), code, stderr, tt.want)
			}
		})
	}
}
