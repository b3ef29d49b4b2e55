package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/internal/cli"
)

// filesRun runs the command line in-process. None of these runs gets as
// far as sending a request: every input is refused first.
func filesRun(t *testing.T, args ...string) (code int, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), args, cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, errb.String()
}

// Oversized spec files are refused before they are parsed, with the size,
// the cap and a hint; files a spec or a shape names are capped too, even
// when they report no size (devices, /proc).
func TestOversizedFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, append([]byte("apiVersion: headroom/v1\nkind: Scenario\n# "), bytes.Repeat([]byte("x"), 5<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(scenario, []byte("apiVersion: headroom/v1\nkind: Scenario\nspec:\n  shape: constant:rate=1,for=1s\n  targets:\n    - url: http://127.0.0.1:1/\n      bodyFile: /dev/zero\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"a 5 MiB scenario", []string{"load", "-f", big}, []string{
			"big.yaml: the file is 5.0 MiB; headroom reads at most 4 MiB from a YAML or JSON file",
			"hint: check that this is the file you meant"}},
		{"a replay of a device", []string{"load", "--url", "http://127.0.0.1:1/", "--shape", "replay:file=/dev/zero"}, []string{
			"/dev/zero: the file is larger than 64 MiB; headroom reads at most 64 MiB from a replay, data or body file (for a replay, keep fewer rows: a coarser step)"}},
		{"a body file that never ends", []string{"load", "-f", scenario}, []string{
			"s.yaml:7:7: spec.targets[0].bodyFile: /dev/zero: the file is larger than 64 MiB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := filesRun(t, tc.args...)
			if code != cli.ExitUsage {
				t.Errorf("exit %d; want %d", code, cli.ExitUsage)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr:\n%s\nwant %q", stderr, w)
				}
			}
		})
	}
}

// The YAML bombs of issue 12 are refused with one line each: no minutes of
// expansion, no millions of lines.
func TestYAMLBombsAreRefusedWithOneProblem(t *testing.T) {
	bombs := filepath.Join("..", "spec", "testdata", "bombs")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"load", "-f", filepath.Join(bombs, "merge-chain.yaml")}, "merge-chain.yaml:9:20: m6.<<[1]: alias *m5 and those before it expand the file by more than 10000 values"},
		{[]string{"sim", "-f", filepath.Join(bombs, "list-aliases.yaml")}, "list-aliases.yaml:8:16: spec.components[0]: alias *comp and those before it expand the file by more than 10000 values"},
	} {
		code, stderr := filesRun(t, tc.args...)
		if code != cli.ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant 2 and %q", tc.args, code, stderr, tc.want)
		}
		if n := strings.Count(stderr, "\n"); n > 3 {
			t.Errorf("%v: %d lines of errors; want the problem and a hint", tc.args, n)
		}
	}
}

// A replay, a scenario's CSV data or a spec pointed at the environment of
// the process does not print it.
func TestFileContentsAreNotEchoed(t *testing.T) {
	environ, err := os.ReadFile("/proc/self/environ")
	if err != nil {
		t.Skip("no /proc/self/environ here")
	}
	var values []string // what must not appear: the values of the environment
	for _, kv := range bytes.Split(environ, []byte{0}) {
		if _, v, ok := bytes.Cut(kv, []byte("=")); ok && len(v) >= 8 {
			values = append(values, string(v))
		}
	}
	if len(values) == 0 {
		t.Skip("an environment without values to look for")
	}
	dir := t.TempDir()
	scenario := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(scenario, []byte("apiVersion: headroom/v1\nkind: Scenario\nspec:\n  shape: replay:file=/proc/self/environ\n  targets:\n    - url: http://127.0.0.1:1/{{csv.HOME}}\n      data: /proc/self/environ\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"load", "--url", "http://127.0.0.1:1/", "--shape", "replay:file=/proc/self/environ"},
		{"load", "-f", scenario},
		{"load", "-f", "/proc/self/environ"},
		{"sim", "-f", "/proc/self/environ"},
		{"slo", "rules", "-f", "/proc/self/environ"},
	} {
		code, stderr := filesRun(t, args...)
		if code != cli.ExitUsage {
			t.Errorf("%v: exit %d; want %d\n%s", args, code, cli.ExitUsage, stderr)
		}
		for _, v := range values {
			if strings.Contains(stderr, v) {
				t.Errorf("%v: stderr shows an environment value:\n%s", args, stderr)
				break
			}
		}
	}
}
