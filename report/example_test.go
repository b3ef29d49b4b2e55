package report_test

import (
	"os"
	"time"

	"github.com/headroom-sre/headroom/report"
)

// A report is plain data: build it from results, then render it for the
// terminal (or as HTML with WriteHTML).
func ExampleWriteText() {
	doc := report.Document{
		Title:     "Spike check",
		Generated: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
		Sections: []report.Section{{
			Title:   "Verdict",
			Verdict: &report.Verdict{Status: report.OK, Text: "Survives a 30× spike with 0.02% of the budget burned."},
			Tiles:   []report.Tile{{Label: "Peak", Value: "1.5k req/s"}, {Label: "Ready at peak", Value: "24 pods"}},
			Charts: []report.Chart{{Title: "Arrivals", Series: []report.Series{
				{Name: "req/s", X: []float64{0, 1, 2, 3, 4, 5}, Y: []float64{50, 50, 1500, 900, 400, 100}},
			}}},
		}},
	}
	report.WriteText(os.Stdout, doc, report.TextOptions{})
	// Output:
	// Spike check
	//
	// Verdict
	// ───────
	// ✔ Survives a 30× spike with 0.02% of the budget burned.
	//   Peak           1.5k req/s
	//   Ready at peak  24 pods
	//
	//   Arrivals
	//   req/s ▁▁█▅▃▁  50…1.5k
}
