package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/review"
)

func (a *app) newReviewCmd() *cobra.Command {
	var (
		file, sloFile, htmlFile string
		asJSON, acceptLower     bool
		notice                  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "review system.yaml [--slo slo.yaml] [--notice 24h]",
		Short: "A go/no-go readiness review of a system before a launch",
		Long: `review is what a team wishes it had checked before its service was featured
on TV and the traffic went far beyond plan. From a System file (imported
with headroom import, or written by hand) it finds, with the simulator:

  - the largest spike survived without warning (a surprise: nothing
    pre-scales) and with notice (every HPA pre-scaled to its maxReplicas
    --notice ahead), each searched as a multiple of the normal rate
    (spec.slo.windowRate, else the first scenario's starting rate) with
    a probe spike: the normal rate for 10m, a rise within 1m, 15m at the
    peak (a notice longer than those first 10m pre-scales from the start);
  - the time each component takes to reach ×10 the replicas it runs at the
    normal rate: metric lag and an HPA sync, the HPA's scale-up policies,
    node provisioning and pod start-up;
  - HPAs whose metric cannot fire before a replica saturates (a
    worker-bound service scaling on a CPU target it never reaches);
  - single replicas and missing or ineffective PodDisruptionBudgets
    (spec.components[].pdb: {maxUnavailable: 1} or {minAvailable: 50%});
  - missing SLO alerts (no objectives, or an SLO file without burn-rate
    alerts; without --slo, alerting is not checked);
  - capacities not measured (written by hand, or estimate: from history)
    or only a lower bound;
  - the file's own scenarios, run as written.

Every finding has a severity (blocker, unknown, warning, info), the
component, its evidence with the source of each number, and the fix.
The verdict is no-go when something blocks, unknown when something the
review needs is not known (it is never a go then), and go otherwise.

-o json prints {system, slo_file, verdict, reasons, base_rate, surprise,
announced, scale_up, scenarios, findings, notes}; --html FILE also writes
the review as a single HTML page.

Exit codes: 0 go, 3 no-go or unknown, 2 bad input, 1 error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if file != "" && file != args[0] {
					return usageErrorf("name the System file once", "two System files: %s and %s", file, args[0])
				}
				file = args[0]
			}
			if file == "" {
				return usageErrorf("name the system: headroom review system.yaml", "no system file given")
			}
			if notice < 0 {
				return usageErrorf("give how long ahead an announced event is known, such as 24h", "--notice must not be negative")
			}
			res, err := pipeline.Review(cmd.Context(), diskFiles{}, pipeline.ReviewConfig{
				System:  pipeline.SystemConfig{File: file, AcceptLowerBound: acceptLower},
				SLOFile: sloFile, Notice: notice})
			if err != nil {
				return decideError(err)
			}
			doc := res.Document(reviewCommand(file, sloFile, notice, acceptLower))
			doc.Generated = a.now()
			if err := a.writeHTMLReport(htmlFile, doc); err != nil {
				return err
			}
			if asJSON {
				err = writeJSON(a.stdio.Out, res)
			} else {
				err = report.WriteText(a.stdio.Out, doc, report.TextOptions{})
			}
			if err != nil {
				return err
			}
			switch res.Verdict {
			case review.NoGo:
				return verdictError("no-go: %s", strings.Join(res.Reasons, "; "))
			case review.Unknown:
				return verdictError("unknown, not a go: %s", strings.Join(res.Reasons, "; "))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&file, "file", "f", "", "the System file (YAML); or give it as the argument")
	f.StringVar(&sloFile, "slo", "", "the SLO file whose alerts are deployed (without it, alerting is not checked)")
	f.DurationVar(&notice, "notice", review.DefaultNotice, "how long ahead an announced event is known")
	f.BoolVar(&acceptLower, "accept-lower-bound", false, "take capacity profiles that are only a lower bound as the capacity; the review says so")
	f.BoolVar(&asJSON, "json", false, "print the review as JSON; same as -o json")
	addFormatFlag(f, &asJSON, "text", "json")
	addHTMLFlag(f, &htmlFile)
	return cmd
}

// reviewCommand is the command line that reproduces a review.
func reviewCommand(file, sloFile string, notice time.Duration, acceptLower bool) string {
	parts := []string{"headroom review " + file}
	if sloFile != "" {
		parts = append(parts, "--slo "+sloFile)
	}
	if notice != 0 && notice != review.DefaultNotice {
		parts = append(parts, "--notice "+notice.String())
	}
	if acceptLower {
		parts = append(parts, "--accept-lower-bound")
	}
	return strings.Join(parts, " ")
}
