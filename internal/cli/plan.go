package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/sim"
)

// planFlags are the flags of `headroom plan`.
type planFlags struct {
	file         string
	scenarios    []string
	asJSON       bool
	out          string
	prescale     string
	perMonth     []string
	unannounced  []string
	eventAt      []string
	timezone     string
	namespace    string
	baseline     float64
	minReplicas  int
	tolerance    float64
	noPareto     bool
	surprise     bool
	resolution   time.Duration
	quiet        bool
	kubectlImage string
	html         string
	prices       priceFlags
}

func (a *app) newPlanCmd() *cobra.Command {
	var f planFlags
	cmd := &cobra.Command{
		Use:   "plan -f system.yaml [--scenario NAME ...]",
		Short: "Find the cheapest configuration that still meets the SLO",
		Long: `plan searches, per component of a System file (see headroom sim --help),
the CPU request (capacity scales with it, within what was measured), the
HPA's target, minReplicas, maxReplicas and scale-up behavior, a pre-scale
floor before each known event, and the spare node capacity held by
placeholder pods. It returns the cheapest configuration whose simulation
meets the SLO in every scenario, what changes, why (what binds), and what
more safety costs: a bigger spike (the scenarios' traffic × k) and each
extra nine of the SLO.

Monthly cost is the steady state's bill for a month (730 hours) at the
everyday rate (--baseline-rate; by default the SLO's window rate, else the
lowest starting rate of the scenarios), plus each scenario's own cost
(beyond the steady state over its duration) times how often it happens
(--per-month, once a month by default).

Each scenario's event is announced (its date and time are known: the plan
may pre-scale before it) or a surprise (no pre-scaling: minReplicas, the
HPA and spare capacity absorb it), as the System file's
spec.scenarios[].event says (announced when unsaid, with a note);
--unannounced NAME|all plans it as a surprise anyway. Every output says
which it assumed ("assuming you know the date" / "for a surprise").
--price-surprise also plans every event as a surprise and shows what not
knowing the dates costs, with its own tables (slower). With --out DIR it writes the recommended System
file and ready-to-apply manifests: per component the autoscaling/v2 HPA,
a resources patch for the Deployment, the pre-scaling (a KEDA ScaledObject
with cron triggers, or CronJobs with --prescale cronjob) and the
placeholder pods. Schedules use --event-at NAME=TIME (RFC 3339) and
--timezone; without them, placeholders at 20:00 on the 15th (the 16th, …
for further events) of every month.

The search is deterministic. Progress goes to stderr (--quiet for none).

--html FILE also writes the plan as a single HTML page.

With --json it prints at least current.monthly_cost, recommended
(monthly_cost, slo_met, config, scenarios[].event and assumption),
assumption, saving, changes, why, pareto {spike, slo}, manifests and,
with --price-surprise, surprise and surprise_extra.

Exit codes: 0 a configuration meets the SLO in every scenario, 3 none
within the search bounds does, 2 bad input.`,
		Example: `  headroom plan -f system.yaml
  headroom plan -f system.yaml --scenario tv-spike --per-month tv-spike=4 --out plan/
  headroom plan -f system.yaml --unannounced step --prescale cronjob --event-at tv-spike=2026-12-24T20:00:00+09:00 --timezone Asia/Tokyo
  headroom plan -f system.yaml --region asia-northeast1 --currency JPY --rate 150 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runPlan(cmd, &f) },
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.file, "file", "f", "", "the System file (YAML)")
	fs.StringSliceVar(&f.scenarios, "scenario", nil, "a scenario to plan for (repeatable; default all)")
	fs.BoolVar(&f.asJSON, "json", false, "print the plan as JSON; same as -o json")
	addFormatFlag(fs, &f.asJSON, "text", "json")
	fs.StringVar(&f.out, "out", "", "write the recommended System file and manifests into this directory")
	fs.StringVar(&f.prescale, "prescale", string(plan.PrescaleKEDA), "how to pre-scale: keda (a ScaledObject cron trigger) or cronjob")
	fs.StringArrayVar(&f.perMonth, "per-month", nil, "how often events happen a month: N for every scenario, or NAME=N (repeatable; default 1)")
	fs.StringSliceVar(&f.unannounced, "unannounced", nil, "scenarios that come without warning, so no pre-scaling (repeatable, or all)")
	fs.StringArrayVar(&f.eventAt, "event-at", nil, "when an event starts, NAME=TIME or TIME (RFC 3339), for the schedules")
	fs.StringVar(&f.timezone, "timezone", "UTC", "IANA time zone of the schedules")
	fs.StringVarP(&f.namespace, "namespace", "n", "", "namespace for the manifests' metadata")
	fs.Float64Var(&f.baseline, "baseline-rate", 0, "everyday request rate per second the steady state is priced at")
	fs.IntVar(&f.minReplicas, "min-replicas", 0, fmt.Sprintf("lowest minReplicas to recommend (default %d, or today's if lower)", plan.DefaultMinReplicas))
	fs.Float64Var(&f.tolerance, "tolerance", plan.DefaultTolerance, "settle for a configuration within this fraction of the cheapest; 0 is exact (slower)")
	fs.BoolVar(&f.noPareto, "no-pareto", false, "skip the Pareto tables (faster)")
	fs.BoolVar(&f.surprise, "price-surprise", false, "also plan every event as a surprise (no pre-scaling) and show what not knowing the dates costs (slower)")
	fs.DurationVar(&f.resolution, "resolution", sim.DefaultResolution, "the simulation's time step")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
	fs.StringVar(&f.kubectlImage, "kubectl-image", plan.DefaultKubectlImage, "image of the CronJobs (--prescale cronjob)")
	addHTMLFlag(fs, &f.html)
	f.prices.register(fs)
	return cmd
}

func (a *app) runPlan(cmd *cobra.Command, f *planFlags) error {
	cfg, err := f.config()
	if err != nil {
		return err
	}
	prog := newPlanProgress(a.stdio.Err, f.quiet)
	cfg.Options.Progress = prog.update
	res, err := pipeline.Plan(cmd.Context(), diskFiles{}, cfg)
	prog.done()
	if err != nil {
		return decideError(err)
	}
	written, err := a.writeOutputs(f.out, res.Outputs)
	if err != nil {
		return err
	}
	command := planCommand(f.file, cfg)
	if f.surprise {
		command += " --price-surprise"
	}
	doc := res.Document(command, written)
	doc.Generated = a.now()
	if err := a.writeHTMLReport(f.html, doc); err != nil {
		return err
	}
	if f.asJSON {
		err = writeJSON(a.stdio.Out, res)
	} else {
		err = report.WriteText(a.stdio.Out, doc, report.TextOptions{})
	}
	if err != nil {
		return err
	}
	if res.Recommended == nil {
		return &Error{Code: ExitVerdict, Err: pipeline.ErrNoPlan,
			Hint: "see the bottlenecks above; plan fewer or smaller scenarios, raise the SLO's maxBudgetBurn, or allow more nodes (spec.nodes.maxNodes)"}
	}
	return nil
}

// config checks the flags and turns them into the pipeline's config.
func (f *planFlags) config() (pipeline.PlanConfig, error) {
	var cfg pipeline.PlanConfig
	if f.file == "" {
		return cfg, usageErrorf("name the system with -f system.yaml", "no system file given")
	}
	if f.resolution <= 0 || f.resolution > time.Minute {
		return cfg, usageErrorf("the default is 1s", "--resolution must be positive and at most 1m")
	}
	if f.tolerance < 0 || f.tolerance >= 1 || math.IsNaN(f.tolerance) {
		return cfg, usageErrorf("for example --tolerance 0.02 (2%), or 0 for exact", "--tolerance must be a fraction in [0, 1)")
	}
	if f.baseline < 0 || f.minReplicas < 0 {
		return cfg, usageErrorf("give positive values", "--baseline-rate and --min-replicas must not be negative")
	}
	kind, err := plan.ParsePrescaleKind(f.prescale)
	if err != nil {
		return cfg, usageError(err, "--prescale keda or --prescale cronjob")
	}
	loc, err := time.LoadLocation(f.timezone)
	if err != nil {
		return cfg, usageErrorf("an IANA name such as Asia/Tokyo or UTC", "--timezone %q: %v", f.timezone, err)
	}
	perMonth, err := parseScenarioValues("--per-month", f.perMonth)
	if err != nil {
		return cfg, err
	}
	cfg.PerMonth = map[string]float64{}
	for name, v := range perMonth {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			return cfg, usageErrorf("for example --per-month 4 or --per-month tv-spike=0.25", "--per-month %q: want a number of events a month ≥ 0", v)
		}
		cfg.PerMonth[name] = x
	}
	eventAt, err := parseScenarioValues("--event-at", f.eventAt)
	if err != nil {
		return cfg, err
	}
	at := map[string]time.Time{}
	for name, v := range eventAt {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return cfg, usageErrorf("write --event-at tv-spike=2026-12-24T20:00:00+09:00", "--event-at %q is not an RFC 3339 time", v)
		}
		at[name] = t
	}
	cfg.System = f.prices.system(f.file)
	cfg.Scenarios, cfg.Unannounced, cfg.OutDir = f.scenarios, f.unannounced, f.out
	cfg.Options = plan.Options{Resolution: f.resolution, MinReplicas: f.minReplicas, BaselineRate: f.baseline,
		Tolerance: f.tolerance, NoPareto: f.noPareto, PriceSurprise: f.surprise}
	if f.tolerance == 0 {
		cfg.Options.Tolerance = -1 // exact
	}
	cfg.Manifests = plan.ManifestOptions{Prescale: kind, Namespace: f.namespace, EventAt: at, Location: loc, KubectlImage: f.kubectlImage}
	return cfg, nil
}

// parseScenarioValues reads flag values of the form VALUE (for every
// scenario, under the key "") or NAME=VALUE.
func parseScenarioValues(flag string, vals []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range vals {
		name, value, ok := strings.Cut(v, "=")
		if !ok {
			name, value = "", v
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if ok && name == "" {
			return nil, usageErrorf("give VALUE or NAME=VALUE", "%s %q: no scenario named", flag, v)
		}
		if value == "" {
			return nil, usageErrorf("give VALUE or NAME=VALUE", "%s %s: empty value", flag, name)
		}
		if _, dup := out[name]; dup {
			if name == "" {
				return nil, usageErrorf("give one value for every scenario, or NAME=VALUE", "%s given twice for every scenario", flag)
			}
			return nil, usageErrorf("give each scenario once", "%s %s given twice", flag, name)
		}
		out[name] = value
	}
	return out, nil
}

// writeOutputs writes files into dir ("" writes nothing) and returns
// their paths.
func (a *app) writeOutputs(dir string, files []pipeline.OutputFile) ([]string, error) {
	if dir == "" || len(files) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, withHint(fmt.Errorf("create %s: %w", dir, err), "check that the directory can be created")
	}
	var written []string
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return nil, withHint(fmt.Errorf("write %s: %w", path, err), "check that the directory is writable")
		}
		written = append(written, path)
	}
	return written, nil
}

// planProgress shows the search on stderr: one line rewritten in place on
// a terminal, a line per phase otherwise.
type planProgress struct {
	w       io.Writer
	quiet   bool
	tty     bool
	phase   string
	printed bool
	last    time.Time
}

func newPlanProgress(w io.Writer, quiet bool) *planProgress {
	return &planProgress{w: w, quiet: quiet, tty: isTerminal(w)}
}

func (p *planProgress) update(pr plan.Progress) {
	if p.quiet {
		return
	}
	if !p.tty {
		if pr.Phase != p.phase {
			p.phase = pr.Phase
			fmt.Fprintf(p.w, "plan: %s (%d simulations so far)\n", pr.Phase, pr.Simulations)
		}
		return
	}
	if now := time.Now(); pr.Phase == p.phase && now.Sub(p.last) < 100*time.Millisecond && pr.Done < pr.Total {
		return
	} else {
		p.last = now
	}
	p.phase = pr.Phase
	line := fmt.Sprintf("plan: %-16s %d/%d options, %d simulations", pr.Phase, pr.Done, pr.Total, pr.Simulations)
	if !math.IsNaN(pr.Best) {
		line += fmt.Sprintf(", best %.2f/month", pr.Best)
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.printed = true
}

func (p *planProgress) done() {
	if p.printed {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
