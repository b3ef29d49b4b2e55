package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/pricing"
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
	resolution   time.Duration
	quiet        bool
	kubectlImage string
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

Every scenario is a known event the plan may pre-scale for, unless
--unannounced names it. With --out DIR it writes the recommended System
file and ready-to-apply manifests: per component the autoscaling/v2 HPA,
a resources patch for the Deployment, the pre-scaling (a KEDA ScaledObject
with cron triggers, or CronJobs with --prescale cronjob) and the
placeholder pods. Schedules use --event-at NAME=TIME (RFC 3339) and
--timezone; without them, placeholders at 20:00 on the 15th (the 16th, …
for further events) of every month.

The search is deterministic. Progress goes to stderr (--quiet for none).

With --json it prints at least current.monthly_cost, recommended
(monthly_cost, slo_met, config), saving, changes, why, pareto {spike,
slo} and manifests.

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
	fs.DurationVar(&f.resolution, "resolution", sim.DefaultResolution, "the simulation's time step")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
	fs.StringVar(&f.kubectlImage, "kubectl-image", plan.DefaultKubectlImage, "image of the CronJobs (--prescale cronjob)")
	f.prices.register(fs)
	return cmd
}

// planReport is the JSON of a plan.
type planReport struct {
	System string `json:"system"`
	*plan.Result
	Manifests []plan.Manifest `json:"manifests"`
}

func (a *app) runPlan(cmd *cobra.Command, f *planFlags) error {
	if f.file == "" {
		return usageErrorf("name the system with -f system.yaml", "no system file given")
	}
	if f.resolution <= 0 || f.resolution > time.Minute {
		return usageErrorf("the default is 1s", "--resolution must be positive and at most 1m")
	}
	if f.tolerance < 0 || f.tolerance >= 1 || math.IsNaN(f.tolerance) {
		return usageErrorf("for example --tolerance 0.02 (2%), or 0 for exact", "--tolerance must be a fraction in [0, 1)")
	}
	if f.baseline < 0 || f.minReplicas < 0 {
		return usageErrorf("give positive values", "--baseline-rate and --min-replicas must not be negative")
	}
	kind, err := plan.ParsePrescaleKind(f.prescale)
	if err != nil {
		return usageError(err, "--prescale keda or --prescale cronjob")
	}
	loc, err := time.LoadLocation(f.timezone)
	if err != nil {
		return usageErrorf("an IANA name such as Asia/Tokyo or UTC", "--timezone %q: %v", f.timezone, err)
	}
	d, sf, cur, priceNotes, err := a.readSystem(f.file, &f.prices, cmd.Flags().Changed)
	if err != nil {
		return err
	}
	prob, err := planProblem(sf, f)
	if err != nil {
		return err
	}
	eventAt, err := scenarioTimes(f.eventAt, prob.Scenarios)
	if err != nil {
		return err
	}
	opt := plan.Options{Resolution: f.resolution, MinReplicas: f.minReplicas, BaselineRate: f.baseline,
		Tolerance: f.tolerance, NoPareto: f.noPareto}
	if f.tolerance == 0 {
		opt.Tolerance = -1 // exact
	}
	prog := newPlanProgress(a.stdio.Err, f.quiet)
	opt.Progress = prog.update
	res, err := plan.Plan(cmd.Context(), prob, opt)
	prog.done()
	if err != nil {
		if cmd.Context().Err() != nil {
			return withHint(err, "")
		}
		var me *sim.ModelError
		if errors.As(err, &me) {
			return usageError(err, systemFileHint)
		}
		var pe *plan.ProblemError
		if errors.As(err, &pe) {
			return usageError(err, "check --scenario, --per-month and --unannounced against the file")
		}
		return withHint(err, "")
	}
	res.Notes = append(append(append([]string(nil), sf.Notes...), priceNotes...), res.Notes...)
	var manifests []plan.Manifest
	if res.Recommended != nil {
		manifests, err = plan.Manifests(res.Recommended, plan.ManifestOptions{Prescale: kind, Namespace: f.namespace,
			EventAt: eventAt, Location: loc, KubectlImage: f.kubectlImage, Source: d.Root})
		if err != nil {
			return withHint(err, "")
		}
	}
	var written []string
	if f.out != "" && res.Recommended != nil {
		if written, err = a.writePlanFiles(f.out, d, res.Recommended, manifests); err != nil {
			return err
		}
	}
	if f.asJSON {
		if err := writeJSON(a.stdio.Out, planReport{System: sf.Name, Result: res, Manifests: manifests}); err != nil {
			return err
		}
	} else {
		writePlanText(a.stdio.Out, sf, res, cur, f, written)
	}
	if res.Recommended == nil {
		return &Error{Code: ExitVerdict, Err: errors.New("no configuration within the search bounds meets the SLO in every scenario"),
			Hint: "see the bottlenecks above; plan fewer or smaller scenarios, raise the SLO's maxBudgetBurn, or allow more nodes (spec.nodes.maxNodes)"}
	}
	return nil
}

// planProblem builds the planner's problem from the file and the flags.
func planProblem(sf *spec.SystemFile, f *planFlags) (plan.Problem, error) {
	p := plan.Problem{System: sf.System}
	names := sf.ScenarioNames()
	chosen := sf.Scenarios
	if len(f.scenarios) > 0 && !(len(f.scenarios) == 1 && f.scenarios[0] == "all") {
		chosen = nil
		for _, n := range f.scenarios {
			sc, ok := sf.Scenario(n)
			if !ok {
				return p, usageErrorf("the file defines: "+strings.Join(names, ", ")+" (or all)", "no scenario %q", n)
			}
			chosen = append(chosen, sc)
		}
	}
	if len(chosen) == 0 {
		return p, usageErrorf("add a scenario to spec.scenarios", "no scenarios to plan for")
	}
	perMonth, def, err := parseScenarioValues("--per-month", f.perMonth, names)
	if err != nil {
		return p, err
	}
	unannounced := map[string]bool{}
	for _, n := range f.unannounced {
		if n == "all" {
			for _, m := range names {
				unannounced[m] = true
			}
			continue
		}
		if _, ok := sf.Scenario(n); !ok {
			return p, usageErrorf("the file defines: "+strings.Join(names, ", ")+" (or all)", "--unannounced: no scenario %q", n)
		}
		unannounced[n] = true
	}
	for _, sc := range chosen {
		ps := plan.Scenario{Scenario: sc, Unannounced: unannounced[sc.Name]}
		v, ok := perMonth[sc.Name]
		if !ok {
			v = def
		}
		if v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
				return p, usageErrorf("for example --per-month 4 or --per-month tv-spike=0.25", "--per-month %q: want a number of events a month ≥ 0", v)
			}
			ps.PerMonth = x
			if x == 0 {
				ps.PerMonth = 1e-9 // it must be survived, and costs nothing
			}
		}
		p.Scenarios = append(p.Scenarios, ps)
	}
	return p, nil
}

// parseScenarioValues reads flag values of the form VALUE (for every
// scenario) or NAME=VALUE; it returns the values by name and the one for
// every scenario ("" when none).
func parseScenarioValues(flag string, vals []string, names []string) (map[string]string, string, error) {
	out := map[string]string{}
	def := ""
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	for _, v := range vals {
		name, value, ok := strings.Cut(v, "=")
		if !ok {
			if def != "" {
				return nil, "", usageErrorf("give one value for every scenario, or NAME=VALUE", "%s given twice for every scenario", flag)
			}
			def = strings.TrimSpace(v)
			if def == "" {
				return nil, "", usageErrorf("give VALUE or NAME=VALUE", "%s: empty value", flag)
			}
			continue
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !known[name] {
			return nil, "", usageErrorf("the file defines: "+strings.Join(names, ", "), "%s: no scenario %q", flag, name)
		}
		if value == "" {
			return nil, "", usageErrorf("give NAME=VALUE", "%s %s: empty value", flag, name)
		}
		if _, dup := out[name]; dup {
			return nil, "", usageErrorf("give each scenario once", "%s %s given twice", flag, name)
		}
		out[name] = value
	}
	return out, def, nil
}

// scenarioTimes reads --event-at.
func scenarioTimes(vals []string, scenarios []plan.Scenario) (map[string]time.Time, error) {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.Name
	}
	byName, def, err := parseScenarioValues("--event-at", vals, names)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	for _, n := range names {
		v, ok := byName[n]
		if !ok {
			v = def
		}
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, usageErrorf("write --event-at tv-spike=2026-12-24T20:00:00+09:00", "--event-at %q is not an RFC 3339 time", v)
		}
		out[n] = t
	}
	return out, nil
}

// writePlanFiles writes the recommended System file and the manifests
// into dir.
func (a *app) writePlanFiles(dir string, d *spec.Document, rec *plan.Evaluation, manifests []plan.Manifest) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, withHint(fmt.Errorf("create %s: %w", dir, err), "check that the directory can be created")
	}
	srcDir, _ := filepath.Abs(filepath.Dir(d.File))
	outDir, _ := filepath.Abs(dir)
	sys, err := plan.SystemFile(d.Root, rec, func(name string) string {
		if filepath.IsAbs(name) {
			return name
		}
		rel, err := filepath.Rel(outDir, filepath.Join(srcDir, name))
		if err != nil {
			return filepath.Join(srcDir, name)
		}
		return filepath.ToSlash(rel)
	})
	if err != nil {
		return nil, withHint(err, "")
	}
	base := strings.TrimSuffix(filepath.Base(d.File), filepath.Ext(d.File))
	files := []struct {
		name string
		data []byte
	}{{base + ".recommended.yaml", sys}}
	for _, m := range manifests {
		files = append(files, struct {
			name string
			data []byte
		}{m.File, []byte(m.YAML)})
	}
	var written []string
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
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

// writePlanText writes the plan for a manager: today against the
// recommendation, what changes, what more safety costs, and why.
func writePlanText(w io.Writer, sf *spec.SystemFile, res *plan.Result, cur pricing.Currency, f *planFlags, written []string) {
	money := func(x float64) string { return cur.Format(x) }
	name := sf.Name
	if name == "" {
		name = "system"
	}
	var scen []string
	for _, s := range res.Current.Scenarios {
		scen = append(scen, s.Name)
	}
	fmt.Fprintf(w, "%s — plan for %s (%s)\n\n", name, strings.Join(scen, ", "), cur)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rec := res.Recommended
	fmt.Fprintf(tw, "\ttoday\trecommended\n")
	row := func(label string, today, recommended string) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", label, today, recommended)
	}
	recOr := func(fn func(*plan.Evaluation) string) string {
		if rec == nil {
			return "—"
		}
		return fn(rec)
	}
	row("monthly cost", money(res.Current.MonthlyCost), recOr(func(e *plan.Evaluation) string { return money(e.MonthlyCost) }))
	row("  steady state", money(res.Current.SteadyMonthly), recOr(func(e *plan.Evaluation) string { return money(e.SteadyMonthly) }))
	row("  events", money(res.Current.EventsMonthly), recOr(func(e *plan.Evaluation) string { return money(e.EventsMonthly) }))
	row("SLO met", verdictText(&res.Current), recOr(verdictText))
	tw.Flush()
	if rec == nil {
		fmt.Fprintln(w, "\nNo configuration within the search bounds meets the SLO in every scenario.")
		for _, s := range res.Current.Scenarios {
			if !s.SLOMet {
				fmt.Fprintf(w, "  today, %s: %s\n", s.Name, s.BottleneckReason)
			}
		}
		writePlanNotes(w, res.Notes)
		return
	}
	switch saving := res.Saving; {
	case saving > 0:
		fmt.Fprintf(w, "\nSaving %s a month (%s).\n", money(saving), pctOf(saving, res.Current.MonthlyCost))
	case saving < 0 && !res.Current.SLOMet:
		fmt.Fprintf(w, "\nMeeting the SLO costs %s a month more than today, which misses it.\n", money(-saving))
	case saving < 0:
		fmt.Fprintf(w, "\nThe plan costs %s a month more than today (within the tolerance of the search).\n", money(-saving))
	default:
		fmt.Fprintln(w, "\nThe plan costs what today costs.")
	}
	var events []string
	for _, s := range rec.Scenarios {
		e := fmt.Sprintf("%s %s × %s", s.Name, money(s.EventCost), strconv.FormatFloat(s.PerMonth, 'g', 3, 64))
		if s.Prescaled {
			e += " (pre-scaled)"
		}
		events = append(events, e)
	}
	fmt.Fprintf(w, "Monthly cost: the steady state at %s req/s for 730 hours, plus each event's own cost times how often it happens: %s.\n",
		strconv.FormatFloat(res.BaselineRate, 'g', 4, 64), strings.Join(events, "; "))

	fmt.Fprintln(w, "\nWhat changes")
	if len(res.Changes) == 0 {
		fmt.Fprintln(w, "  nothing: today's configuration is the cheapest that meets the SLO")
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range res.Changes {
		fmt.Fprintf(tw, "  %s\t%s\t%s → %s\n", c.Component, c.Setting, c.From, c.To)
	}
	tw.Flush()

	if len(res.Why) > 0 {
		fmt.Fprintln(w, "\nWhy (what binds: each setting's cheaper step fails)")
		for _, r := range res.Why {
			fmt.Fprintf(w, "  %s %s %s — %s: %s\n", r.Component, r.Setting, r.Value, r.Constraint, r.Detail)
		}
	}
	writePareto(w, res, money)
	if len(written) > 0 {
		fmt.Fprintln(w, "\nWritten")
		for _, p := range written {
			fmt.Fprintln(w, "  "+p)
		}
	} else if !f.asJSON {
		fmt.Fprintln(w, "\n--out DIR writes the recommended System file, the HPAs, the resources patches, the pre-scaling and the placeholder pods.")
	}
	s := res.Search
	fmt.Fprintf(w, "\nSearch: %s configurations decided (of a grid of %.3g) with %s scenario simulations and %s steady-state runs in %.1fs; within %s of the cheapest.\n",
		fmtCount(float64(s.Candidates)), s.Space, fmtCount(float64(s.Simulations)), fmtCount(float64(s.SteadyRuns)), s.Elapsed, tolText(f.tolerance))
	writePlanNotes(w, res.Notes)
}

func tolText(t float64) string {
	if t == 0 {
		return "0% (exact)"
	}
	return strconv.FormatFloat(t*100, 'g', 3, 64) + "%"
}

func writePareto(w io.Writer, res *plan.Result, money func(float64) string) {
	p := res.Pareto
	if len(p.Spike) > 0 {
		fmt.Fprintln(w, "\nWhat a bigger spike costs (every scenario's traffic × k)")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  survives up to\tmonthly cost\textra")
		for j, pt := range p.Spike {
			extra := ""
			if j > 0 {
				extra = "+" + money(pt.MonthlyCost-p.Spike[0].MonthlyCost)
			}
			fmt.Fprintf(tw, "  ×%s\t%s\t%s\n", strconv.FormatFloat(pt.Survives, 'f', 2, 64), money(pt.MonthlyCost), extra)
		}
		tw.Flush()
	}
	if len(p.SLO) > 0 {
		fmt.Fprintln(w, "\nWhat each nine costs")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  SLO target\tmonthly cost\textra")
		for _, pt := range p.SLO {
			label := strconv.FormatFloat(pt.Target*100, 'f', -1, 64) + "%"
			if pt.Current {
				label += " (the SLO)"
			}
			if !pt.Found {
				fmt.Fprintf(tw, "  %s\tnot met within the search bounds\t\n", label)
				continue
			}
			extra := ""
			if pt.Extra != 0 {
				extra = money(pt.Extra)
				if pt.Extra > 0 {
					extra = "+" + extra
				}
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", label, money(pt.MonthlyCost), extra)
		}
		tw.Flush()
	}
	for _, n := range p.Notes {
		fmt.Fprintln(w, "  note: "+n)
	}
}

func verdictText(e *plan.Evaluation) string {
	if e.SLOMet {
		return "yes, in every scenario"
	}
	var missed []string
	for _, s := range e.Scenarios {
		if !s.SLOMet {
			missed = append(missed, s.Name)
		}
	}
	sort.Strings(missed)
	return "no: " + strings.Join(missed, ", ")
}

func pctOf(part, whole float64) string {
	if whole <= 0 {
		return "—"
	}
	return pct(part / whole)
}

func writePlanNotes(w io.Writer, notes []string) {
	if len(notes) == 0 {
		return
	}
	fmt.Fprintln(w)
	for _, n := range notes {
		fmt.Fprintln(w, "note: "+n)
	}
}
