package report_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/review"
)

// launchedReview is the review of the fintech demo as launched, as
// review.Review gives it (figures from its run on the demo's system).
func launchedReview() *review.Result {
	ev := func(what string, v float64, unit, text, src string) review.Evidence {
		return review.Evidence{What: what, Value: v, Unit: unit, Text: text, Source: src}
	}
	return &review.Result{
		Verdict:    review.NoGo,
		Reasons:    []string{"scenario tv-spike (announced) misses the SLO: 31,313 requests failed there", "money's HPA cannot fire before its replicas saturate: it never adds a replica, whatever the traffic"},
		BaseRate:   50,
		BaseSource: "slo.windowRate",
		Notice:     24 * time.Hour, NoticeS: 86400,
		Surprise: review.Spike{Event: "surprise", Known: true, Multiple: 25.7, FailsAt: 27, PeakRate: 1285, Runs: 10,
			Bottleneck: "money", BottleneckReason: "busiest: offered load peaked at 101% of its ready capacity"},
		Announced: review.Spike{Event: "announced", Known: true, Multiple: 256, FailsAt: 268, PeakRate: 12800, Runs: 14, Bottleneck: "money"},
		ScaleUp: []review.ScaleUp{
			{Component: "app", From: 2, Target: 20, Reaches: true, Known: true, TotalS: 215, DetectS: 45, PoliciesS: 45, NodesS: 100, StartupS: 25, Steps: 4, Fires: true},
			{Component: "money", From: 2, Target: 20, Reaches: true, Known: true, TotalS: 237, DetectS: 45, PoliciesS: 45, NodesS: 100, StartupS: 47, Steps: 4},
		},
		Scenarios: []review.ScenarioCheck{{Name: "tv-spike", Event: "announced", Multiple: 30, BudgetBurned: 3.4, Bottleneck: "money"},
			{Name: "evening-peak", Event: "surprise", Multiple: 3, SLOMet: true}},
		Findings: []review.Finding{
			{Check: review.CheckScenario, Severity: review.Blocker, Component: "money", Summary: "scenario tv-spike (announced) misses the SLO: 31,313 requests failed there",
				Evidence: []review.Evidence{ev("error budget burned", 3.4, "fraction", "340%", "simulation of scenario tv-spike")}, Fix: "see headroom plan"},
			{Check: review.CheckHPA, Severity: review.Blocker, Component: "money", Summary: "money's HPA cannot fire before its replicas saturate: it never adds a replica, whatever the traffic",
				Evidence: []review.Evidence{ev("CPU of a saturated replica", 0.183, "cores", "183m (73% of its request)", "idle CPU + CPU per request × capacity"),
					ev("CPU at which it fires", 0.1925, "cores", "193m", "target × (1 + tolerance)")}, Fix: "scale on requests per second per pod"},
			{Check: review.CheckPDB, Severity: review.Warning, Component: "app", Summary: "app has no PodDisruptionBudget",
				Evidence: []review.Evidence{ev("replica floor", 2, "replicas", "2", "components[0].hpa.minReplicas")}, Fix: "add a PodDisruptionBudget with maxUnavailable: 1"},
		},
		Notes: []string{"prices from the catalog"},
	}
}

func TestReviewDocumentGolden(t *testing.T) {
	doc := report.ReviewDocument(report.ReviewReport{System: "fintech-demo", Review: launchedReview(), Command: "headroom review system.yaml --slo slo.yaml"})
	text := docText(t, doc)
	golden(t, "review.txt", []byte(text))
	for _, want := range []string{"NO-GO: 2 finding(s) block the launch", "×25.7", "×256", "never", "MISSED", "340%", "183m (73% of its request)", "components[0].hpa.minReplicas"} {
		if !strings.Contains(text, want) {
			t.Errorf("review document lacks %q", want)
		}
	}
	// The document serialises as it is, with the same figures.
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "×25.7") {
		t.Errorf("the document's JSON lacks the surprise survived")
	}
}

// Each verdict reads as it is: a go is green, an unknown is never
// written as a go.
func TestReviewDocumentVerdicts(t *testing.T) {
	for _, tc := range []struct {
		verdict review.Verdict
		status  report.Status
		prefix  string
	}{
		{review.Go, report.OK, "GO"},
		{review.Unknown, report.Warn, "UNKNOWN, not a go"},
		{review.NoGo, report.Fail, "NO-GO"},
	} {
		rv := launchedReview()
		rv.Verdict = tc.verdict
		if tc.verdict == review.Unknown {
			rv.Surprise = review.Spike{Event: "surprise", Reason: "no objectives to judge a spike by"}
			rv.Announced = review.Spike{Event: "announced", Reason: "no objectives to judge a spike by"}
		}
		doc := report.ReviewDocument(report.ReviewReport{System: "s", Review: rv})
		v := doc.Sections[0].Verdict
		if v == nil || v.Status != tc.status || !strings.HasPrefix(v.Text, tc.prefix) {
			t.Errorf("%s: verdict %+v; want %s starting %q", tc.verdict, v, tc.status, tc.prefix)
		}
		if tc.verdict == review.Unknown && !strings.Contains(docText(t, doc), "no objectives to judge a spike by") {
			t.Errorf("an unknown spike does not say why")
		}
		// Figures resting on capacities that are not measured say so
		// where they are read.
		rv.Unmeasured = []string{"money"}
		tile := report.ReviewDocument(report.ReviewReport{System: "s", Review: rv}).Sections[0].Tiles[0]
		if tile.Status != report.Warn || !strings.Contains(tile.Detail, "capacities not measured: money") {
			t.Errorf("%s: surprise tile %+v; want a warning naming money", tc.verdict, tile)
		}
	}
}

// A real browser renders the review: every section, the findings table,
// and the no-go verdict painted in the fail colour.
func TestReviewHTMLRendersInChromium(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "review.html")
	doc := report.ReviewDocument(report.ReviewReport{System: "fintech-demo", Review: launchedReview(), Command: "headroom review system.yaml"})
	var b bytes.Buffer
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
	for _, want := range []string{"NO-GO", "money's HPA cannot fire", "×25.7", "183m (73% of its request)"} {
		if !strings.Contains(dom, want) {
			t.Errorf("browser DOM lacks %q", want)
		}
	}
	shot := filepath.Join(dir, "shot.png")
	chromium(t, "--screenshot="+shot, "--window-size=1200,1600", "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	red := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			dr, dg, db := int(r>>8)-0xb9, int(g>>8)-0x1c, int(bl>>8)-0x1c
			if dr*dr+dg*dg+db*db < 30*30 {
				red++
			}
		}
	}
	if red < 50 {
		t.Errorf("screenshot has %d pixels of the fail colour; the no-go verdict was not painted", red)
	}
}
