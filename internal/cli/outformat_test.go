package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/internal/cli"
)

// -o is the output format on every command, as kubectl's; files are
// written with --out. A file name after -o is refused with that hint (and
// no file is created), and --json stays the shorthand of -o json.
func TestOutputFlagIsAFormat(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string // part of stderr; "" when none expected
	}{
		{"version -o json", []string{"version", "-o", "json"}, cli.ExitOK, ""},
		{"version --json", []string{"version", "--json"}, cli.ExitOK, ""},
		{"version -o JSON", []string{"version", "-o", "JSON"}, cli.ExitOK, ""},
		{"a file name", []string{"version", "-o", "out.json"}, cli.ExitUsage, `"out.json" is not an output format: -o takes text or json, as kubectl; write files with --out out.json`},
		{"stdout dash", []string{"version", "-o", "-"}, cli.ExitUsage, "write files with --out -"},
		{"an unknown format", []string{"sim", "-o", "yaml"}, cli.ExitUsage, `unknown output format "yaml": want text or json`},
		{"slo rules into a file", []string{"slo", "rules", "-f", "x.yaml", "-o", "rules.yaml"}, cli.ExitUsage, "write files with --out rules.yaml"},
		{"slo dashboard into a file", []string{"slo", "dashboard", "-f", "x.yaml", "-o", "board.json"}, cli.ExitUsage, "write files with --out board.json"},
		{"capacity profile into a file", []string{"capacity", "--url", "http://127.0.0.1:1/", "--slo", "errors<=1%", "-o", "money.json"}, cli.ExitUsage, "write files with --out money.json"},
		{"demo directory", []string{"demo", "-o", "out/"}, cli.ExitUsage, "write files with --out out/"},
		{"load results into a file", []string{"load", "--url", "http://127.0.0.1:1/", "-o", "spike.jsonl"}, cli.ExitUsage, "write files with --out spike.jsonl"},
		{"report yaml", []string{"report", "-o", "xml", "x.jsonl"}, cli.ExitUsage, "want text or json or yaml"},
		{"cost csv is a format", []string{"cost", "-o", "table"}, cli.ExitUsage, "want text or json or csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runHeadroom(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.stderr)
			}
			if tc.code == cli.ExitOK && !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not JSON:\n%s", stdout)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("a file was written: %s", filepath.Join(dir, e.Name()))
	}
}
