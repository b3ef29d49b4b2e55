package cli

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/stats"
)

func (a *app) newReportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "report FILE...",
		Short: "Re-render or merge load-test result files",
		Long: `Re-render the summary of a results file written by headroom load --out, as
text or as JSON (--format json, the same contract as headroom load --json).

Several files (from several load generators run at the same time) are merged:
counters are summed and latency histograms merged, second by second and in
total, so percentiles are exact — never averages of percentiles.

A file cut short by a crash or an interrupt is read up to its last complete
line and reported as partial. "-" reads standard input.`,
		Example: `  headroom report results.jsonl
  headroom report --format json gen-a.jsonl gen-b.jsonl`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErrorf("use --format text or --format json", "unknown format %q", format)
			}
			runs := make([]*stats.Run, 0, len(args))
			for _, path := range args {
				r, err := a.readRun(path)
				if err != nil {
					return err
				}
				runs = append(runs, r)
			}
			run, err := stats.Merge(runs...)
			if err != nil {
				return usageError(err, "merge only runs of the same mode")
			}
			sum := run.Summary()
			if format == "json" {
				return writeJSON(a.stdio.Out, sum)
			}
			source := ""
			if len(args) > 1 {
				source = fmt.Sprintf("%d files merged", len(args))
			}
			writeSummaryText(a.stdio.Out, &sum, source)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// readRun reads one results file ("-": stdin).
func (a *app) readRun(path string) (*stats.Run, error) {
	var r io.Reader = a.stdio.In
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageError(err, "check the path of the results file (written by headroom load --out)")
		}
		defer f.Close()
		r = f
	}
	run, err := stats.ReadRun(r)
	if err != nil {
		return nil, usageError(fmt.Errorf("%s: %w", path, err), "headroom report reads files written by headroom load --out")
	}
	return run, nil
}

// writeSummaryText writes a run's summary for people. source names where
// the run came from (a scenario, merged files), if anything.
func writeSummaryText(w io.Writer, s *stats.Summary, source string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	if s.Mode == stats.ModeClosed {
		p("closed loop (max throughput), %d connections", s.Concurrency)
	} else {
		p("open model")
		if s.Shape != "" {
			p(", %s", s.Shape)
		}
		if s.Arrivals != "" {
			p(", %s arrivals", s.Arrivals)
		}
	}
	if source != "" {
		p(" (%s)", source)
	}
	p("\n")
	p("started %s, ran %s", s.Started.UTC().Format(time.RFC3339), rptSeconds(s.DurationS))
	if s.Partial {
		p(" — PARTIAL: the run did not finish")
	}
	p("\n\n")

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	t := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	if s.Mode == stats.ModeClosed {
		t("  requests\t%d\trate %s\n", s.Requests, rptRate(s.AchievedRate))
	} else {
		t("  requests\t%d of %d due\trate %s (target %s)\n", s.Requests, s.Scheduled, rptRate(s.AchievedRate), rptRate(s.TargetRate))
	}
	t("  success\t%s\tthroughput %s\n", rptPercent(s.SuccessRatio), rptRate(s.Throughput))
	if s.Mode != stats.ModeClosed {
		t("  late\t%d\tdropped %d (%s of arrivals)\n", s.Late, s.Dropped, rptPercent(s.LateRatio))
	}
	t("  status\t%s\n", rptCodes(s.StatusCodes))
	t("  errors\t%s\n", rptErrors(s.Errors))
	tw.Flush()
	p("\n")

	firstW := 14
	row := func(cells ...string) {
		var b strings.Builder
		for i, c := range cells {
			switch i {
			case 0:
				b.WriteString("  " + c + strings.Repeat(" ", max(0, firstW-utf8.RuneCountInString(c))))
			default:
				b.WriteString(strings.Repeat(" ", max(1, 9-utf8.RuneCountInString(c))) + c)
			}
		}
		p("%s\n", b.String())
	}
	row("latency", "p50", "p90", "p95", "p99", "p99.9", "max", "mean")
	lat := func(name string, l stats.Latency) {
		row(name, rptSeconds(l.P50), rptSeconds(l.P90), rptSeconds(l.P95), rptSeconds(l.P99), rptSeconds(l.P999),
			rptSeconds(l.Max), rptSeconds(l.Mean))
	}
	if s.Mode == stats.ModeClosed {
		lat("per request", s.Latency)
	} else {
		lat("from due time", s.Latency)
		lat("from send", s.LatencyUncorrected)
	}

	if len(s.PerTarget) > 1 {
		p("\n")
		for name := range s.PerTarget {
			firstW = max(firstW, utf8.RuneCountInString(name)+1)
		}
		row("target", "requests", "rate", "success", "p50", "p99", "max")
		for _, name := range slices.Sorted(maps.Keys(s.PerTarget)) {
			ps := s.PerTarget[name]
			row(name, strconv.FormatInt(ps.Requests, 10), rptRate(ps.AchievedRate), rptPercent(ps.SuccessRatio),
				rptSeconds(ps.Latency.P50), rptSeconds(ps.Latency.P99), rptSeconds(ps.Latency.Max))
		}
	}

	g := &s.Generator
	p("\n  generator  %.2f cores, %.1f ms CPU per 1000 requests, max %d in flight", g.CPUCores, g.CPUMsPer1kRequests, g.MaxInFlightSeen)
	if s.Mode != stats.ModeClosed {
		p(", send lag p50 %s p99 %s max %s", rptSeconds(g.SchedLag.P50), rptSeconds(g.SchedLag.P99), rptSeconds(g.SchedLag.Max))
	}
	p("\n")
	for _, warn := range g.Warnings {
		p("  warning: %s\n", warn)
	}
	if len(s.Thresholds) > 0 {
		p("\n  thresholds\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, r := range s.Thresholds {
			verdict := "pass"
			if !r.Pass {
				verdict = "FAIL"
			}
			observed := "no data"
			if th, err := stats.ParseThreshold(r.Threshold); err == nil && !r.NoData {
				observed = "observed " + th.Format(r.Observed)
			}
			t("    %s\t%s\t%s\n", verdict, r.Threshold, observed)
		}
		tw.Flush()
	}
}

// rptSeconds writes seconds as a latency with 3 significant digits.
func rptSeconds(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64) + "s"
	case v >= 1e-3:
		return strconv.FormatFloat(v*1e3, 'g', 3, 64) + "ms"
	default:
		return strconv.FormatFloat(v*1e6, 'g', 3, 64) + "µs"
	}
}

func rptRate(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "/s" }

func rptPercent(v float64) string { return strconv.FormatFloat(v*100, 'f', 2, 64) + "%" }

func rptCodes(m map[int]int64) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d × %d", c, m[c]))
	}
	return strings.Join(parts, ", ")
}

func rptErrors(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, c := range stats.ErrorClasses {
		if n := m[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s × %d", c, n))
		}
	}
	for _, c := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(stats.ErrorClasses, c) {
			parts = append(parts, fmt.Sprintf("%s × %d", c, m[c]))
		}
	}
	return strings.Join(parts, ", ")
}
