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
	var (
		format string
		output *formatValue
	)
	cmd := &cobra.Command{
		Use:   "report FILE...",
		Short: "Re-render or merge load-test result files",
		Long: `Re-render the summary of a results file written by headroom load --out, as
text, JSON (-o json: the same contract as headroom load -o json) or YAML.

Several files (from several load generators run at the same time) are merged:
counters are summed and latency histograms merged, second by second and in
total, so percentiles are exact — never averages of percentiles.

A file cut short by a crash or an interrupt is read up to its last complete
line and reported as partial. "-" reads standard input, so a run can be piped:
  headroom load --url URL --out - | headroom report -

Exit codes: 0 ok; 3 the thresholds stored with a run failed, or every
request of the run failed; 2 a file is missing or not a results file.`,
		Example: `  headroom report results.jsonl
  headroom report -o json gen-a.jsonl gen-b.jsonl`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("format") {
				if cmd.Flags().Changed("output") && !strings.EqualFold(format, output.Format()) {
					return usageErrorf("--format is the old name of -o: keep one", "--format %s and -o %s disagree", format, output.Format())
				}
				if err := output.Set(format); err != nil {
					return usageError(fmt.Errorf("--format: %w", err), "")
				}
			}
			out := output.Format()
			runs := make([]*stats.Run, 0, len(args))
			var failed []string // stored thresholds that failed, per file
			for _, path := range args {
				r, err := a.readRun(path)
				if err != nil {
					return err
				}
				if fs := stats.Failed(r.Thresholds); len(fs) > 0 {
					where := ""
					if len(args) > 1 {
						where = path + ": "
					}
					failed = append(failed, where+describeFailed(fs))
				}
				runs = append(runs, r)
			}
			run, err := stats.Merge(runs...)
			if err != nil {
				return usageError(err, "merge only runs of the same mode")
			}
			sum := run.Summary()
			if out != ldText {
				if err := ldWriteFormatted(a.stdio.Out, out, sum); err != nil {
					return err
				}
			} else {
				source := ""
				if len(args) > 1 {
					source = fmt.Sprintf("%d files merged", len(args))
				}
				writeSummaryText(a.stdio.Out, &sum, source)
			}
			if len(failed) > 0 {
				return verdictError("threshold failed: %s", strings.Join(failed, "; "))
			}
			return ldVerdict(&sum)
		},
	}
	output = addFormatFlag(cmd.Flags(), nil, ldText, ldJSON, ldYAML)
	cmd.Flags().StringVar(&format, "format", ldText, "the same as -o (its former name)")
	return cmd
}

// readRun reads one results file ("-": stdin), keeping its totals only:
// memory stays bounded however long the run was.
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
	run, err := stats.ReadTotals(r)
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
	if s.Unfinished > 0 {
		p(" — %d requests UNFINISHED (still in flight at the end)", s.Unfinished)
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
		t("  late\t%d\tdropped %d (%s of arrivals)%s\n", s.Late, s.Dropped, rptPercent(s.LateRatio), rptDrops(&s.Stats))
	} else if s.DroppedGenerator > 0 {
		t("  dropped\t%d\t%s\n", s.Dropped, strings.TrimPrefix(rptDrops(&s.Stats), ": "))
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

// rptDrops says why arrivals were dropped, when they were.
func rptDrops(s *stats.Stats) string {
	var parts []string
	if s.DroppedCap > 0 {
		parts = append(parts, fmt.Sprintf("%d by the in-flight cap", s.DroppedCap))
	}
	if s.DroppedAtEnd > 0 {
		parts = append(parts, fmt.Sprintf("%d not sent by the end", s.DroppedAtEnd))
	}
	if s.DroppedGenerator > 0 {
		parts = append(parts, fmt.Sprintf("%d by the generator (out of files or ports)", s.DroppedGenerator))
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
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
