package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/stats"
)

// Environment variables the slo commands read when the matching flag is
// not given. Secrets are never flag defaults, so --help never shows them.
const (
	envPrometheusURL      = "HEADROOM_PROMETHEUS_URL"
	envPrometheusToken    = "HEADROOM_PROMETHEUS_TOKEN"
	envPrometheusUser     = "HEADROOM_PROMETHEUS_USER"
	envPrometheusPassword = "HEADROOM_PROMETHEUS_PASSWORD"
)

const sloFileHint = "each line is file:line:col: field: problem; `headroom slo --help` shows the formats"

func (a *app) newSLOCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "slo",
		Short: "Write Prometheus rules for SLOs and check error budgets",
		Long: `SLO files are OpenSLO v1 (apiVersion: openslo/v1; SLO, SLI, DataSource and
Service objects, multi-document YAML) or headroom's compact form:

  apiVersion: headroom/v1
  kind: SLO
  name: checkout-availability
  service: checkout
  availability:
    metric: http_requests_total
    selector: {job: checkout}
    errorCodes: "5.."
  objective: 99.9%
  window: 30d

or, for latency, "latency: {histogram: http_request_duration_seconds,
selector: {job: checkout}, threshold: 300ms}": the share of requests within
300ms, from the histogram bucket le="0.3".

One SLO file gates production (slo check --prometheus) and load tests
(slo check --run), and writes the alerts (slo rules).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("the slo commands are validate, rules and check", "unknown command %q", args[0])
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(a.newSLOValidateCmd(), a.newSLORulesCmd(), a.newSLOCheckCmd())
	return cmd
}

// readSLOs reads SLO files as one set (an SLO may refer to an SLI in
// another file).
func (a *app) readSLOs(files []string) (*spec.SLOSet, error) {
	if len(files) == 0 {
		return nil, usageErrorf("name the SLO file with -f slo.yaml", "no SLO file given")
	}
	var docs []*spec.Document
	for _, f := range files {
		ds, err := a.readSpec(f)
		if err != nil {
			return nil, err
		}
		docs = append(docs, ds...)
	}
	set, err := spec.SLOs(docs)
	if err != nil {
		return nil, usageError(err, sloFileHint)
	}
	if len(set.SLOs) == 0 {
		return nil, usageErrorf("an SLO file holds kind: SLO objects (OpenSLO v1 or headroom/v1)", "%s: no SLO found", strings.Join(files, ", "))
	}
	return set, nil
}

func (a *app) newSLOValidateCmd() *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "validate -f slo.yaml",
		Short: "Check SLO files and list the objectives they define",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := a.readSLOs(files)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdio.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "SLO\tOBJECTIVE\tWINDOW\tBUDGETING\tINDICATOR")
			for _, s := range set.SLOs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID(), slo.FormatPercent(s.Target), s.Window, s.BudgetingMethod(), sloIndicatorKind(s.Indicator))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdio.Out, "ok: %d objective(s) in %s\n", len(set.SLOs), strings.Join(files, ", "))
			return err
		},
	}
	cmd.Flags().StringArrayVarP(&files, "file", "f", nil, "SLO file (repeat for a set whose SLOs refer to SLIs in other files)")
	return cmd
}

func sloIndicatorKind(in slo.Indicator) string {
	switch {
	case in.IsThreshold():
		return fmt.Sprintf("threshold %s %s %v", in.Metric.Expr, in.Op.PromQL(), in.Value)
	case !in.Raw.IsZero():
		return "raw ratio"
	case !in.Good.IsZero():
		return "good/total"
	}
	return "bad/total"
}

// Output formats of slo rules.
const (
	formatRules          = "rules"
	formatPrometheusRule = "prometheusrule"
)

func (a *app) newSLORulesCmd() *cobra.Command {
	var (
		files, labels, objLabels []string
		out, format, name, ns    string
		opts                     promrule.Options
	)
	cmd := &cobra.Command{
		Use:   "rules -f slo.yaml [-o rules.yaml]",
		Short: "Write Prometheus recording rules and burn-rate alerts for SLOs",
		Long: `Writes a Prometheus rule file: the SLI's error ratio over 5m, 30m, 1h, 2h,
6h, 1d, 3d and over the SLO window (weighted by traffic), the error budget
left, and multiwindow multi-burn-rate alerts named ErrorBudgetBurn with labels
slo and severity: page at 14.4x over 1h and 5m or 6x over 6h and 30m, ticket
at 3x over 1d and 2h or 1x over 3d and 6h (for a 30-day window; other windows
scale the factors). Windows without traffic record nothing, so zero traffic
never pages. --format prometheusrule writes a prometheus-operator object.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != formatRules && format != formatPrometheusRule {
				return usageErrorf("use --format rules or --format prometheusrule", "unknown format %q", format)
			}
			var err error
			if opts.Labels, err = parseLabelPairs("--label", labels); err != nil {
				return err
			}
			objectLabels, err := parseLabelPairs("--object-label", objLabels)
			if err != nil {
				return err
			}
			set, err := a.readSLOs(files)
			if err != nil {
				return err
			}
			f, err := promrule.Generate(set.SLOs, opts)
			if err != nil {
				return usageError(err, "check --label: label names are letters, digits and _, and slo, objective, severity, long and short are taken")
			}
			var data []byte
			if format == formatPrometheusRule {
				if name == "" {
					name = defaultSLORuleName(set.SLOs)
				}
				data, err = f.PrometheusRule(name, ns, objectLabels)
			} else {
				data, err = f.YAML()
			}
			if err != nil {
				return err
			}
			for _, w := range f.Warnings {
				fmt.Fprintln(a.stdio.Err, "warning: "+w)
			}
			return a.writeSLOOutput(out, data)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&files, "file", "f", nil, "SLO file (repeat for a set)")
	fl.StringVarP(&out, "output", "o", "-", "write the rules to this file (- for stdout)")
	fl.StringVar(&format, "format", formatRules, "rules (a Prometheus rule file) or prometheusrule (a prometheus-operator PrometheusRule)")
	fl.BoolVar(&opts.Absent, "absent-alert", false, "also alert (SLIMetricsAbsent) when an SLI's metrics are missing for 10m")
	fl.StringArrayVar(&labels, "label", nil, "extra label on every rule and alert, as name=value (repeatable)")
	fl.StringVar(&opts.Runbook, "runbook", "", "runbook URL for alerts of SLOs that name none; %s stands for the SLO's name")
	fl.StringVar(&name, "name", "", "PrometheusRule name (default: <service>-slos)")
	fl.StringVar(&ns, "namespace", "", "PrometheusRule namespace (default: none, kubectl's namespace)")
	fl.StringArrayVar(&objLabels, "object-label", nil, "label on the PrometheusRule object, as name=value, e.g. release=prometheus for the operator's ruleSelector (repeatable)")
	return cmd
}

func defaultSLORuleName(slos []slo.SLO) string {
	base := slos[0].Service
	if base == "" {
		base = slos[0].Name
	}
	return strings.ToLower(base) + "-slos"
}

// parseLabels reads name=value pairs.
func parseLabelPairs(flag string, pairs []string) (map[string]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usageErrorf("write "+flag+" team=payments", "%s %q: want name=value", flag, p)
		}
		out[k] = v
	}
	return out, nil
}

// writeOutput writes data to path ("-" for stdout).
func (a *app) writeSLOOutput(path string, data []byte) error {
	w, err := a.createOutput(path)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// sloCheckFlags are the flags of slo check.
type sloCheckFlags struct {
	files []string
	prom  promFlags
	at    string
	run   string
	json  bool
	only  []string
}

func (a *app) newSLOCheckCmd() *cobra.Command {
	var f sloCheckFlags
	cmd := &cobra.Command{
		Use:   "check -f slo.yaml (--prometheus URL | --run results.jsonl)",
		Short: "Evaluate SLOs from Prometheus or a load-test result: SLI, budget left, burn rates",
		Long: `Evaluates each SLO over its window at --at (default now): the SLI, whether the
objective is met, the error budget left (as a fraction, in events and as
minutes of full outage), the burn rate over each alert window and how long
the budget lasts at the last hour's burn. Zero traffic, missing series, gaps
in the data and counter resets are reported, never hidden in a NaN.

Prometheus credentials: --prometheus-token, or --prometheus-user and
--prometheus-password; when the flags are not given they are read from
` + envPrometheusToken + `, ` + envPrometheusUser + ` and ` + envPrometheusPassword + `.
The URL may also come from ` + envPrometheusURL + ` or from the OpenSLO
DataSource the SLIs use. Credentials are never printed.

Exit status 3 when any objective is missed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.sloCheck(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.files, "file", "f", nil, "SLO file (repeat for a set)")
	f.prom.register(fl, "to evaluate against")
	fl.StringVar(&f.at, "at", "now", "instant to evaluate: now, RFC 3339 (2026-03-01T12:00:00Z), Unix seconds, or an offset like -2h")
	fl.StringVar(&f.run, "run", "", "evaluate against a load-test result file (from headroom load --out) instead of Prometheus")
	fl.BoolVar(&f.json, "json", false, "print JSON")
	fl.StringArrayVar(&f.only, "slo", nil, "check only this SLO (by name; repeatable)")
	return cmd
}

func (a *app) sloCheck(cmd *cobra.Command, f sloCheckFlags) error {
	set, err := a.readSLOs(f.files)
	if err != nil {
		return err
	}
	slos, err := selectSLOs(set.SLOs, f.only)
	if err != nil {
		return err
	}
	at, err := parseSLOAt(f.at, a.now())
	if err != nil {
		return err
	}
	var (
		observations []slo.Observation
		source       string
	)
	if f.run != "" {
		if cmd.Flags().Changed("prometheus") {
			return usageErrorf("give one of them", "--run and --prometheus both given")
		}
		if cmd.Flags().Changed("at") {
			return usageErrorf("a load test is evaluated over the whole run", "--at does not apply to --run")
		}
		source = "run"
		observations, at, err = a.observeRun(f.run, slos)
	} else {
		source = "prometheus"
		observations, err = a.observePrometheus(cmd, f, set, slos, at)
	}
	if err != nil {
		return err
	}
	statuses := make([]slo.Status, len(slos))
	for i, s := range slos {
		statuses[i] = slo.Evaluate(s, observations[i])
	}
	if f.json {
		if err := writeJSON(a.stdio.Out, sloCheckJSON(source, at, statuses)); err != nil {
			return err
		}
	} else if err := writeSLOCheckText(a.stdio.Out, statuses, source == "run"); err != nil {
		return err
	}
	var missed []string
	for _, st := range statuses {
		if st.Verdict == slo.Missed {
			missed = append(missed, st.SLO.ID())
		}
	}
	if len(missed) > 0 {
		return verdictError("%d of %d objectives missed: %s", len(missed), len(statuses), strings.Join(missed, ", "))
	}
	return nil
}

func selectSLOs(all []slo.SLO, only []string) ([]slo.SLO, error) {
	if len(only) == 0 {
		return all, nil
	}
	var out []slo.SLO
	for _, name := range only {
		n := len(out)
		for _, s := range all {
			if s.Name == name || s.ID() == name {
				out = append(out, s)
			}
		}
		if len(out) == n {
			var names []string
			for _, s := range all {
				names = append(names, s.ID())
			}
			return nil, usageErrorf("the file defines: "+strings.Join(names, ", "), "no SLO named %q", name)
		}
	}
	return out, nil
}

// parseAt reads --at.
func parseSLOAt(s string, now time.Time) (time.Time, error) {
	switch {
	case s == "" || s == "now":
		return now, nil
	case strings.HasPrefix(s, "-"):
		d, err := time.ParseDuration(s[1:])
		if err == nil {
			return now.Add(-d), nil
		}
	default:
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, nil
		}
		if sec, err := strconv.ParseFloat(s, 64); err == nil && sec > 0 && !math.IsInf(sec, 0) {
			return time.Unix(0, int64(sec*1e9)), nil
		}
	}
	return time.Time{}, usageErrorf("write --at now, --at 2026-03-01T12:00:00Z, --at 1772366400 or --at -2h", "--at %q is not a time", s)
}

// observePrometheus queries Prometheus for every SLO.
func (a *app) observePrometheus(cmd *cobra.Command, f sloCheckFlags, set *spec.SLOSet, slos []slo.SLO, at time.Time) ([]slo.Observation, error) {
	cfg := f.prom.config(a, cmd)
	if cfg.URL == "" {
		cfg.URL = sloSourceURL(set, slos)
	}
	if cfg.URL == "" {
		return nil, usageErrorf("give --prometheus http://HOST:9090 (or "+envPrometheusURL+"), or --run results.jsonl for a load test",
			"no Prometheus to read from")
	}
	client, err := prom.New(cfg)
	if err != nil {
		return nil, usageError(err, "give --prometheus as http(s)://host:port")
	}
	out := make([]slo.Observation, len(slos))
	for i, s := range slos {
		obs, err := client.ObserveSLO(cmd.Context(), s, at)
		if err != nil {
			return nil, withHint(fmt.Errorf("SLO %s: %w", s.ID(), err), "check that Prometheus is reachable and the SLI's queries run in its UI")
		}
		out[i] = obs
	}
	return out, nil
}

// sloSourceURL is the URL of the one DataSource the SLOs' indicators use, if
// there is exactly one.
func sloSourceURL(set *spec.SLOSet, slos []slo.SLO) string {
	urls := map[string]bool{}
	for _, s := range slos {
		if ds, ok := set.DataSources[s.Indicator.Source]; ok && ds.URL != "" {
			urls[ds.URL] = true
		}
	}
	if len(urls) != 1 {
		return ""
	}
	for u := range urls {
		return u
	}
	return ""
}

// sloCheckResult is the JSON of slo check.
type sloCheckResult struct {
	At     time.Time   `json:"at"`
	Source string      `json:"source"`
	SLOs   []sloStatus `json:"slos"`
}

type sloStatus struct {
	SLO         string         `json:"slo"`
	Objective   string         `json:"objective,omitempty"`
	Service     string         `json:"service,omitempty"`
	Target      float64        `json:"target"`
	Window      string         `json:"window"`
	Budgeting   string         `json:"budgeting"`
	Start       time.Time      `json:"start"`
	SpanSeconds float64        `json:"span_s"`
	Period      float64        `json:"period_s"`
	Verdict     string         `json:"verdict"`
	Met         bool           `json:"met"`
	SLI         *float64       `json:"sli"`
	Events      *sloEventsJSON `json:"events"`
	Coverage    float64        `json:"coverage"`
	Budget      *sloBudgetJSON `json:"error_budget"`
	Burn        []sloBurnJSON  `json:"burn_rates"`
	CurrentBurn *float64       `json:"current_burn_rate"`
	Exhausted   *float64       `json:"budget_exhausted_in_s"`
	Notes       []string       `json:"notes"`
}

type sloEventsJSON struct {
	Good  float64 `json:"good"`
	Bad   float64 `json:"bad"`
	Total float64 `json:"total"`
}

type sloBudgetJSON struct {
	Allowed          *float64 `json:"allowed"`
	Used             *float64 `json:"used"`
	Remaining        float64  `json:"remaining"`
	RemainingEvents  *float64 `json:"remaining_events"`
	RemainingSeconds float64  `json:"remaining_s"`
}

type sloBurnJSON struct {
	Window     string   `json:"window"`
	Seconds    float64  `json:"window_s"`
	Good       float64  `json:"good"`
	Total      float64  `json:"total"`
	ErrorRatio *float64 `json:"error_ratio"`
	BurnRate   *float64 `json:"burn_rate"`
	NoData     bool     `json:"no_data"`
	NoTraffic  bool     `json:"no_traffic"`
}

func sloPtr(f float64) *float64 { return &f }

func sloCheckJSON(source string, at time.Time, statuses []slo.Status) sloCheckResult {
	res := sloCheckResult{At: at.UTC(), Source: source, SLOs: []sloStatus{}}
	for _, st := range statuses {
		s := st.SLO
		j := sloStatus{
			SLO: s.Name, Objective: s.Objective, Service: s.Service, Target: s.Target,
			Window: s.Window.String(), Budgeting: string(s.BudgetingMethod()),
			Start: st.Start.UTC(), SpanSeconds: st.Span.Seconds(), Period: st.Period.Seconds(),
			Verdict: string(st.Verdict), Met: st.Verdict == slo.Met, Coverage: st.Coverage,
			Burn: []sloBurnJSON{}, Notes: st.Notes,
		}
		if j.Notes == nil {
			j.Notes = []string{}
		}
		if !st.RatioOnly {
			j.Events = &sloEventsJSON{Good: st.Window.Good, Bad: st.Window.Bad(), Total: st.Window.Total}
		}
		if st.Verdict != slo.NoData {
			j.SLI = sloPtr(st.SLI)
			b := st.Budget
			j.Budget = &sloBudgetJSON{Remaining: b.Remaining, RemainingSeconds: b.RemainingTime.Seconds()}
			if !st.RatioOnly {
				j.Budget.Allowed, j.Budget.Used, j.Budget.RemainingEvents = sloPtr(b.Allowed), sloPtr(b.Used), sloPtr(b.RemainingEvents)
			}
		}
		for _, wb := range st.Burn {
			bj := sloBurnJSON{Window: slo.PromDuration(wb.Window), Seconds: wb.Window.Seconds(), Good: wb.Good, Total: wb.Total,
				NoData: wb.Missing, NoTraffic: !wb.OK && !wb.Missing}
			if wb.OK {
				bj.ErrorRatio, bj.BurnRate = sloPtr(wb.ErrorRatio), sloPtr(wb.BurnRate)
			}
			j.Burn = append(j.Burn, bj)
		}
		if st.CurrentBurnOK {
			j.CurrentBurn = sloPtr(st.CurrentBurn)
		}
		if st.ExhaustionOK {
			j.Exhausted = sloPtr(st.Exhaustion.Seconds())
		}
		res.SLOs = append(res.SLOs, j)
	}
	return res
}

// writeCheckText prints one block per SLO.
func writeSLOCheckText(w io.Writer, statuses []slo.Status, run bool) error {
	ew := &sloWriter{w: w}
	for i, st := range statuses {
		if i > 0 {
			ew.printf("\n")
		}
		s := st.SLO
		if run {
			ew.printf("%s  %s objective, over the %s load test ending %s\n", s.ID(), slo.FormatPercent(s.Target), slo.HumanDuration(st.Span), st.At.UTC().Format(time.RFC3339))
		} else {
			ew.printf("%s  %s objective, %s, at %s\n", s.ID(), slo.FormatPercent(s.Target), s.Window, st.At.UTC().Format(time.RFC3339))
		}
		unit := "events"
		if s.BudgetingMethod() == slo.Timeslices {
			unit = "slices"
		}
		switch {
		case st.Verdict == slo.NoData:
			ew.printf("  SLI        no data\n")
		case st.RatioOnly:
			ew.printf("  SLI        %s  %s\n", sloPercent(st.SLI), strings.ToUpper(string(st.Verdict)))
		default:
			ew.printf("  SLI        %s of %s %s  %s\n", sloPercent(st.SLI), sloCount(st.Window.Total), unit, strings.ToUpper(string(st.Verdict)))
		}
		if st.Verdict != slo.NoData {
			b := st.Budget
			left := fmt.Sprintf("%s left", sloPercent(b.Remaining))
			if !st.RatioOnly {
				left += fmt.Sprintf(": %s of %s bad %s allowed", sloCount(b.RemainingEvents), sloCount(b.Allowed), unit)
			}
			ew.printf("  budget     %s (%s of full outage)\n", left, slo.HumanDuration(b.RemainingTime))
		}
		var burns []string
		for _, wb := range st.Burn {
			switch {
			case wb.OK:
				burns = append(burns, fmt.Sprintf("%s %.2fx", slo.PromDuration(wb.Window), wb.BurnRate))
			case wb.Missing:
				burns = append(burns, slo.PromDuration(wb.Window)+" no data")
			default:
				burns = append(burns, slo.PromDuration(wb.Window)+" no traffic")
			}
		}
		if len(burns) > 0 {
			ew.printf("  burn rate  %s\n", strings.Join(burns, " · "))
		}
		switch {
		case st.ExhaustionOK && st.Exhaustion == 0:
			ew.printf("  lasts      already spent\n")
		case st.ExhaustionOK:
			ew.printf("  lasts      %s at the last %s's burn rate\n", slo.HumanDuration(st.Exhaustion), slo.PromDuration(slo.CurrentBurnWindow))
		case st.Verdict != slo.NoData && st.CurrentBurnOK:
			ew.printf("  lasts      not burning\n")
		}
		for _, n := range st.Notes {
			ew.printf("  note       %s\n", n)
		}
	}
	return ew.err
}

// sloPercent writes a fraction as a percentage with enough digits for SLOs.
func sloPercent(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// sloCount writes an event count: whole numbers with thousands separators.
func sloCount(f float64) string { return report.Thousands(f) }

// sloWriter remembers the first write error.
type sloWriter struct {
	w   io.Writer
	err error
}

func (e *sloWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// observeRun evaluates SLOs against a load-test result file: each SLO's
// events over the run, which is its own window. It returns the run's end
// as the instant evaluated.
func (a *app) observeRun(path string, slos []slo.SLO) ([]slo.Observation, time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, time.Time{}, usageError(err, "give the results file headroom load --out wrote")
	}
	defer f.Close()
	run, err := stats.ReadRun(f)
	if err != nil {
		return nil, time.Time{}, usageError(fmt.Errorf("%s: %w", path, err), "give the results file headroom load --out wrote")
	}
	out := make([]slo.Observation, len(slos))
	var end time.Time
	for i, s := range slos {
		sr, err := slo.FromRun(s, run, "")
		if err != nil {
			return nil, time.Time{}, usageError(fmt.Errorf("SLO %s: %w", s.ID(), err), "check the SLO with --prometheus instead")
		}
		out[i] = sr.Observe(s)
		if run.Partial {
			out[i].Notes = append(out[i].Notes, "the run is partial: it was interrupted or its file was cut short")
		}
		end = sr.End()
	}
	return out, end, nil
}
