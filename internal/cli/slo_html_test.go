package cli_test

import (
	"bytes"
	"context"
	"html"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/internal/testbin"
	"github.com/headroom-sre/headroom/units"
)

// pageTextInChromium loads an HTML file in headless Chromium (off the
// network) and returns the text of the DOM it built: what a reader sees.
// It fails under CI=true when Chromium is missing.
func pageTextInChromium(t *testing.T, page string) string {
	t.Helper()
	bin := testbin.Require(t, "chromium", "apt-get install -y chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+t.TempDir(),
		"--dump-dom", "file://"+page)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	dom := out.String()
	if !strings.Contains(dom, "<section") {
		t.Fatalf("chromium built no section from %s:\n%.2000s", page, dom)
	}
	dom = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>`).ReplaceAllString(dom, " ")
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(dom, " "))
	return strings.Join(strings.Fields(text), " ")
}

// containsAll reports the wants missing from text.
func missingFrom(text string, wants ...string) []string {
	var out []string
	for _, w := range wants {
		if !strings.Contains(text, w) {
			out = append(out, w)
		}
	}
	return out
}

// slo check --html writes the check as a page a browser shows with the
// same numbers and verdicts as the text output.
func TestSLOCheckHTMLInChromium(t *testing.T) {
	results := writeSLORun(t)
	page := filepath.Join(t.TempDir(), "out", "check.html")
	code, stdout, stderr := runHeadroom(t, "slo", "check", "-f", "testdata/slo/run.yaml", "--run", results, "--html", page)
	if code != cli.ExitVerdict || !strings.Contains(stderr, "1 of 3 objectives missed: api-strict") {
		t.Fatalf("slo check --html: exit %d, stderr %q; want 3 and api-strict missed\n%s", code, stderr, stdout)
	}
	wants := []string{"api-availability", "api-latency", "api-strict", "MET", "MISSED",
		units.Percent(70800.0 / 72000), units.Percent(71400.0 / 72000), units.Percent(1 - 1200.0/1440), units.Percent(1 - 1200.0/72),
		"72,000", "5m"}
	if m := missingFrom(stdout, wants...); len(m) > 0 {
		t.Errorf("slo check text lacks %q:\n%s", m, stdout)
	}
	text := pageTextInChromium(t, page)
	if m := missingFrom(text, wants...); len(m) > 0 {
		t.Errorf("the page lacks %q:\n%s", m, text)
	}
}
