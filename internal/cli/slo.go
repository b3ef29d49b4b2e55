package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/slo"
)

// Environment variables the slo commands read when the matching flag is
// not given. Secrets are never flag defaults, so --help never shows them.
const (
	envPrometheusURL      = "HEADROOM_PROMETHEUS_URL"
	envPrometheusToken    = "HEADROOM_PROMETHEUS_TOKEN"
	envPrometheusUser     = "HEADROOM_PROMETHEUS_USER"
	envPrometheusPassword = "HEADROOM_PROMETHEUS_PASSWORD"
)

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
(slo check --run), writes the alerts (slo rules) and a Grafana dashboard
(slo dashboard). Grouped SLOs (grouping: [route]) have a budget and alerts
per group; alert windows follow each SLO's window.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("the slo commands are validate, rules, check and dashboard", "unknown command %q", args[0])
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(a.newSLOValidateCmd(), a.newSLORulesCmd(), a.newSLOCheckCmd(), a.newSLODashboardCmd())
	return cmd
}

// readSLOs reads SLO files as one set (an SLO may refer to an SLI in
// another file), and prints what reading them noticed.
func (a *app) readSLOs(files []string) (*spec.SLOSet, error) {
	if len(files) == 0 {
		return nil, usageErrorf("name the SLO file with -f slo.yaml", "no SLO file given")
	}
	set, err := pipeline.ReadSLOs(a.files(), files)
	if err != nil {
		return nil, decideError(err)
	}
	for _, n := range set.Notes {
		fmt.Fprintln(a.stdio.Err, "note: "+n)
	}
	return set, nil
}

func (a *app) newSLOValidateCmd() *cobra.Command {
	var (
		files    []string
		asJSON   bool
		htmlFile string
	)
	cmd := &cobra.Command{
		Use:   "validate -f slo.yaml",
		Short: "Check SLO files and list the objectives they define",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := a.readSLOs(files)
			if err != nil {
				return err
			}
			doc := report.SLOListDocument(set.SLOs, files)
			if err := a.writeHTMLReport(htmlFile, doc); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdio.Out, doc)
			}
			return report.WriteText(a.stdio.Out, doc, report.TextOptions{})
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&files, "file", "f", nil, "SLO file (repeat for a set whose SLOs refer to SLIs in other files)")
	addFormatFlag(fl, &asJSON, "text", "json")
	addHTMLFlag(fl, &htmlFile)
	return cmd
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
		Use:   "rules -f slo.yaml [--out rules.yaml]",
		Short: "Write Prometheus recording rules and burn-rate alerts for SLOs",
		Long: `Writes a Prometheus rule file: the SLI's error ratio and event rate over
each alert window and over the SLO window (weighted by traffic), the current
and period burn rates, the error budget left, and multiwindow multi-burn-rate
alerts named ErrorBudgetBurn with labels slo, service and severity (and the
group's labels for a grouped SLO). For a 30-day window: page at 14.4x over
1h and 5m or 6x over 6h and 30m, ticket at 3x over 1d and 2h or 1x over 3d
and 6h. Other windows scale the alert windows with the period, so each tier
spends the same share of the budget (7d: 14m/2m, 1h24m/7m, 5h36m/28m,
16h48m/1h24m). A tier needs enough events that one failure can't fire it,
or 10 failures. Also ErrorBudgetExhausted, and SLIGoodEventsMissing when a
good-events query matches nothing while requests arrive (no data, never
100% errors). Windows without traffic record nothing, so zero traffic never
pages. --format prometheusrule writes a prometheus-operator object.`,
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
	fl.StringVar(&out, "out", "-", "write the rules to this file (- for stdout)")
	addFormatFlag(fl, nil, "yaml")
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
	files       []string
	prom        promFlags
	at          string
	run         string
	json        bool
	only        []string
	allowNoData bool
	html        string
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

A grouped SLO (an SLI broken down by route, tenant…) is evaluated per group
too: a row per group, worst first, and the SLO is missed when any group
misses it, however well the whole does.

No data — no events in the window, or no series of good events while there
was traffic (a latency bucket le="1" that Prometheus 3 stores as le="1.0") —
is a failed verdict unless --allow-no-data. A value no count of events can be
(NaN, ±Inf, negative) is an error that names the query.

Prometheus credentials: --prometheus-token, or --prometheus-user and
--prometheus-password; when the flags are not given they are read from
` + envPrometheusToken + `, ` + envPrometheusUser + ` and ` + envPrometheusPassword + `.
The URL may also come from ` + envPrometheusURL + ` or from the OpenSLO
DataSource the SLIs use. Credentials are never printed.

--html FILE also writes the check as a single-file HTML report.

Exit status 3 when any objective is missed or has no data (unless
--allow-no-data); 1 when Prometheus fails or returns impossible values.`,
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
	fl.BoolVar(&f.json, "json", false, "print JSON; same as -o json")
	addFormatFlag(fl, &f.json, "text", "json")
	fl.StringArrayVar(&f.only, "slo", nil, "check only this SLO (by name; repeatable)")
	addHTMLFlag(fl, &f.html)
	fl.BoolVar(&f.allowNoData, "allow-no-data", false, "an objective without data (no events, or no good-event series while there is traffic) does not fail the check")
	return cmd
}

func (a *app) sloCheck(cmd *cobra.Command, f sloCheckFlags) error {
	if len(f.files) == 0 {
		return usageErrorf("name the SLO file with -f slo.yaml", "no SLO file given")
	}
	cfg := pipeline.BudgetConfig{SLOFiles: f.files, Only: f.only, Run: f.run, AllowNoData: f.allowNoData}
	if f.run != "" {
		if cmd.Flags().Changed("prometheus") {
			return usageErrorf("give one of them", "--run and --prometheus both given")
		}
		if cmd.Flags().Changed("at") {
			return usageErrorf("a load test is evaluated over the whole run", "--at does not apply to --run")
		}
	} else {
		at, err := parseSLOAt(f.at, a.now())
		if err != nil {
			return err
		}
		cfg.At, cfg.Prometheus = at, f.prom.config(a, cmd)
	}
	res, err := pipeline.Budget(cmd.Context(), a.files(), cfg)
	if err != nil {
		return budgetError(err)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(a.stdio.Err, "note: "+n)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(a.stdio.Err, "warning: prometheus: "+w)
	}
	if err := a.writeResult(a.stdio.Out, !f.json, res.Document(), func() error { return writeJSON(a.stdio.Out, res) }, f.html); err != nil {
		return err
	}
	if res.Met() {
		return nil
	}
	hints := res.Hints
	if len(res.NoData) > 0 {
		hints = append(hints, "--allow-no-data accepts objectives without data (a service without traffic)")
	}
	return &Error{Code: ExitVerdict, Err: errors.New(res.Verdict()), Hint: strings.Join(hints, "; ")}
}

// budgetError maps an error of pipeline.Budget to the CLI's, with the
// flags that fix it in the hint.
func budgetError(err error) error {
	var pe *pipeline.PrometheusError
	switch {
	case errors.Is(err, pipeline.ErrNoPrometheus):
		return usageError(err, "give --prometheus http://HOST:9090 (or "+envPrometheusURL+"), or --run results.jsonl for a load test")
	case errors.As(err, &pe) && pe.NonFinite:
		return withHint(err, "run the query in Prometheus's UI: NaN and ±Inf come from a division by zero, negative counts from a subtraction, in a templated query or a recording rule it reads")
	case errors.As(err, &pe):
		return withHint(err, "check that Prometheus is reachable and the SLI's queries run in its UI")
	case pipeline.IsInputError(err), errors.Is(err, context.Canceled):
		return decideError(err)
	}
	return withHint(err, "this is a bug in headroom: please report it with the SLO file")
}

// parseSLOAt reads --at.
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
