package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sample is a report with every kind of element, deterministic.
func sample() report.Document {
	var t, arrivals, ready []float64
	for i := 0; i <= 600; i += 10 {
		t = append(t, float64(i))
		r := 50.0
		if i >= 120 {
			r = 50 + 1450*math.Exp(-float64(i-120)/200)
		}
		arrivals = append(arrivals, r)
		ready = append(ready, math.Min(20, 2+float64(max(0, i-150))/20))
	}
	return report.Document{
		Title:     "headroom demo <fintech>",
		Subtitle:  "money + app on loopback",
		Generated: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		Sections: []report.Section{
			{
				Title:   "Will it survive the broadcast?",
				Intro:   "A TV spot sends 30× normal traffic within two minutes.",
				Verdict: &report.Verdict{Status: report.Fail, Text: "No: the SLO breaks at T+2m10s & 4.1% of requests fail."},
				Tiles: []report.Tile{
					{Label: "Requests", Value: "412,000"},
					{Label: "Failed", Value: "4.1%", Status: report.Fail, Detail: "budget: 0.1%"},
				},
				Charts: []report.Chart{{
					Title: "Arrivals and ready replicas", XLabel: "time", YLabel: "req/s", XTime: true,
					Series:  []report.Series{{Name: "arrivals", X: t, Y: arrivals, Kind: report.Area}, {Name: "ready ×50", X: t, Y: scale(ready, 50), Kind: report.Steps}},
					Markers: []report.Marker{{At: 120, Label: "spike"}},
					Limits:  []report.Marker{{At: 1000, Label: "capacity"}},
				}},
			},
			{
				Title: "Plan",
				Tables: []report.Table{{
					Title:     "Cost against safety",
					Columns:   []string{"Option", "Monthly cost", "Survives"},
					Rows:      [][]string{{"today", "$1,204", "12×"}, {"recommended", "$612", "30×"}, {"cheapest", "$210", "4×"}},
					Highlight: []int{1},
				}},
				Notes: []string{"Prices: us-central1, list prices of 2026-07-30."},
			},
		},
	}
}

func scale(xs []float64, k float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * k
	}
	return out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./report -update and review the diff\ngot:\n%s", name, got)
	}
}

func TestWriteTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteText(&b, sample(), report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "sample.txt", b.Bytes())
	// Numeric columns are right aligned, the recommended row is marked.
	if !strings.Contains(b.String(), "▸ recommended          $612       30×") {
		t.Errorf("table not aligned as expected:\n%s", b.String())
	}
}

func TestWriteHTMLGolden(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteHTML(&b, sample(), report.HTMLOptions{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "sample.html", b.Bytes())
	s := b.String()
	for _, want := range []string{
		"headroom demo &lt;fintech&gt;", // escaped
		`class="verdict fail"`,
		`<svg xmlns="http://www.w3.org/2000/svg"`,
		`clip-path="url(#c1)"`,
		`<tr class="highlight">`,
		`<td class="num">$612</td>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://"} {
		if strings.Contains(strings.ReplaceAll(s, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("HTML must be self-contained, found %q", bad)
		}
	}
}

// Every chart is well-formed XML with one path per line series.
func TestChartSVGIsWellFormed(t *testing.T) {
	c := sample().Sections[0].Charts[0]
	svg := c.SVG()
	dec := xml.NewDecoder(strings.NewReader(svg))
	paths := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "path" {
			paths++
		}
	}
	// An area is drawn as a fill and a line: 2 + 1.
	if paths != 3 {
		t.Errorf("paths = %d; want 3", paths)
	}
}

// A day at one-second resolution is reduced, but a one-second spike stays.
func TestLongSeriesKeepTheirSpikes(t *testing.T) {
	n := 86400
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = float64(i), 10
	}
	y[43210] = 5000
	c := report.Chart{Title: "day", Series: []report.Series{{Name: "rate", X: x, Y: y}}}
	svg := c.SVG()
	if len(svg) > 60_000 {
		t.Errorf("SVG is %d bytes; want it downsampled", len(svg))
	}
	// The y axis reaches the spike: a tick label of 5k or more.
	if !strings.Contains(svg, ">5k<") && !strings.Contains(svg, ">6k<") {
		t.Errorf("the spike was lost in downsampling")
	}
}

func TestDocumentJSON(t *testing.T) {
	b, err := json.Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	var back report.Document
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Sections[0].Verdict.Status != report.Fail || len(back.Sections[0].Charts[0].Series[0].Y) != 61 {
		t.Errorf("round trip lost data: %+v", back.Sections[0])
	}
}

// The exported formatters are units' styles, kept for callers outside
// report: the nines survive (99.9% is not 100%) and money keeps its cents.
func TestFormatters(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"Thousands rounds and groups", report.Thousands(1234567.4), "1,234,567"},
		{"Thousands has no negative zero", report.Thousands(-0.3), "0"},
		{"Thousands keeps the sign", report.Thousands(-4200), "-4,200"},
		{"Count groups", report.Count(41250), "41,250"},
		{"Count does not abbreviate", report.Count(12_345_678), "12,345,678"},
		{"Percent keeps three nines", report.Percent(0.999), "99.9%"},
		{"Percent has two significant digits", report.Percent(0.0123), "1.2%"},
		{"Percent of a tiny share", report.Percent(0.000123), "0.012%"},
		{"Percent of NaN", report.Percent(math.NaN()), "—"},
		{"Rate", report.Rate(1250), "1,250 req/s"},
		{"Seconds of a latency", report.Seconds(0.0123), "12.3ms"},
		{"Duration pads minutes", report.Duration(3900), "1h05m"},
		{"Duration of minutes", report.Duration(770), "12m50s"},
		{"Duration below a second", report.Duration(0.42), "420ms"},
		{"Money in dollars keeps cents", report.Money(1234.4, "USD"), "$1,234.40"},
		{"Money keeps the sign of a cent", report.Money(-0.01, "USD"), "-$0.01"},
		{"Money in yen", report.Money(16901, "JPY"), "¥16,901"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q; want %q", tt.name, tt.got, tt.want)
		}
	}
}

// A capacity that is only a lower bound is never shown as a capacity: its
// row, tile and knee say "lower bound"; a measured knee shows as it is.
func TestCapacitySectionMarksLowerBounds(t *testing.T) {
	measured := &capacity.Profile{MaxRate: 80, LimitedBy: capacity.LimitedByLatency, SLO: "p99<=100ms"}
	bound := &capacity.Profile{MaxRate: 185, LimitedBy: capacity.LimitedByGenerator, LowerBound: true, SLO: "p99<=100ms"}
	sec := report.CapacitySection("Capacity", []string{"money", "app"}, []*capacity.Profile{measured, bound})
	rows := sec.Tables[0].Rows
	if rows[0][1] != report.Rate(80) || rows[1][1] != "≥ "+report.Rate(185)+" (lower bound)" {
		t.Errorf("rows %q; want money's knee as measured and app's as a lower bound", rows)
	}
	if sec.Tiles[0].Status == report.Warn || sec.Tiles[1].Status != report.Warn || !strings.Contains(sec.Tiles[1].Detail, "not a capacity: limited_by generator") {
		t.Errorf("tiles %+v", sec.Tiles)
	}
	if l := sec.Charts[1].Markers[0].Label; l != "lower bound "+report.Rate(185) {
		t.Errorf("app's marker %q", l)
	}
}
