package report_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/testbin"
	"github.com/headroom-sre/headroom/report"
)

// chromium runs headless Chromium with the flags that keep it off the
// network, and returns its stdout.
func chromium(t *testing.T, args ...string) []byte {
	t.Helper()
	bin := testbin.Require(t, "chromium", "apt-get install -y chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.Bytes()
}

// A real browser parses the page into the expected structure and paints
// the charts: the DOM has every section and chart, and the screenshot
// contains the first series' colour and the failing verdict's colour.
func TestHTMLRendersInChromium(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	doc := sample()
	if err := report.WriteHTML(&b, doc, report.HTMLOptions{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(chromium(t, "--dump-dom", "file://"+page))
	if got := strings.Count(dom, "<section"); got != len(doc.Sections) {
		t.Errorf("browser DOM has %d sections; want %d", got, len(doc.Sections))
	}
	if got := strings.Count(dom, "<svg"); got != 1 {
		t.Errorf("browser DOM has %d charts; want 1", got)
	}
	if !strings.Contains(dom, "<td class=\"num\">$612</td>") {
		t.Errorf("browser DOM lacks the plan table")
	}

	shot := filepath.Join(dir, "shot.png")
	chromium(t, "--screenshot="+shot, "--window-size=1000,1600", "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	// Count pixels of the first series (#2563eb) and of the fail colour (#b91c1c).
	near := func(r, g, b uint32, R, G, B int) bool {
		d := func(a uint32, b int) int { x := int(a>>8) - b; return x * x }
		return d(r, R)+d(g, G)+d(b, B) < 30*30
	}
	blue, red := 0, 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, g, b, 0x25, 0x63, 0xeb) {
				blue++
			}
			if near(r, g, b, 0xb9, 0x1c, 0x1c) {
				red++
			}
		}
	}
	if blue < 200 {
		t.Errorf("screenshot has %d pixels of the series colour; the chart was not painted", blue)
	}
	if red < 50 {
		t.Errorf("screenshot has %d pixels of the fail colour; the verdict or limit was not painted", red)
	}
}
