package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/report"
)

func (a *app) newReportCmd() *cobra.Command {
	var (
		format, html string
		output       *formatValue
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

--html FILE also writes the run as a single-file HTML report.

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
			res, err := pipeline.Report(a.files(), pipeline.ReportConfig{Results: args})
			if err != nil {
				return decideError(err)
			}
			out := output.Format()
			err = a.writeResult(a.stdio.Out, out == ldText, res.Document(), func() error { return ldWriteFormatted(a.stdio.Out, out, res.Summary) }, html)
			if err != nil {
				return err
			}
			return loadVerdict(res.Verdict())
		},
	}
	output = addFormatFlag(cmd.Flags(), nil, ldText, ldJSON, ldYAML)
	cmd.Flags().StringVar(&format, "format", ldText, "the same as -o (its former name)")
	addHTMLFlag(cmd.Flags(), &html)
	return cmd
}

// loadVerdict maps a run's verdict to the exit status: 3 when it failed,
// 1 when the generator could send nothing.
func loadVerdict(failed string, err error) error {
	var gen *pipeline.GeneratorError
	switch {
	case errors.As(err, &gen):
		return withHint(err, "raise the open-file limit (ulimit -n) or lower the rate or --max-inflight")
	case err != nil:
		return err
	case failed != "":
		return verdictError("%s", failed)
	}
	return nil
}

// writeResult writes a command's result: its document as text on
// textOut when asText, else its data (JSON or YAML on stdout) with
// writeData; and the document as HTML to htmlPath, when given.
func (a *app) writeResult(textOut io.Writer, asText bool, doc report.Document, writeData func() error, htmlPath string) error {
	var err error
	if asText {
		err = report.WriteText(textOut, doc, report.TextOptions{})
	} else {
		err = writeData()
	}
	if err != nil {
		return err
	}
	return a.writeHTMLReport(htmlPath, doc)
}
