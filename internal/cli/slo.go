package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
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
	for _, n := range set.Notes {
		fmt.Fprintln(a.stdio.Err, "note: "+n)
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
			fmt.Fprintln(tw, "SLO\tOBJECTIVE\tWINDOW\tBUDGETING\tINDICATOR\tLATENCY")
			for _, s := range set.SLOs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID(), slo.FormatPercent(s.Target), s.Window, s.BudgetingMethod(),
					sloIndicatorKind(s.Indicator)+sloGroupingSuffix(s.Grouping), sloLatencyColumn(s.Indicator))
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

// sloGroupingSuffix says what a grouped SLO is broken down by: " by route, tenant".
func sloGroupingSuffix(grouping []string) string {
	if len(grouping) == 0 {
		return ""
	}
	return " by " + strings.Join(grouping, ", ")
}

// sloLatencyColumn is the latency threshold of a latency SLI for slo
// validate, with the bucket it reads: 300ms (le="0.3"); "-" for any other
// SLI.
func sloLatencyColumn(in slo.Indicator) string {
	d, le, ok := sloLatency(in)
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%s (%s)", formatLatency(d), le)
}

// formatLatency writes a latency bound like 300ms, 1s or 2.5s.
func formatLatency(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

// Regular expressions that find the le matcher of a good-events query
// that is not a plain selector, and an exact one on a whole number.
var (
	leInQuery      = regexp.MustCompile(`\ble\s*=~?\s*"[^"]+"`)
	wholeLeInQuery = regexp.MustCompile(`\ble\s*=\s*"([0-9]+)"`)
)

// sloLatency is the threshold of a latency SLI (Indicator.LatencyBound)
// and how its query reads it, for people: le="0.3", le=~"1|1\.0" or
// "native histogram".
func sloLatency(in slo.Indicator) (time.Duration, string, bool) {
	d, ok := in.LatencyBound()
	if !ok {
		return 0, "", false
	}
	if in.Good.IsNative() {
		return d, "native histogram", true
	}
	if sel, ok := in.Good.Series(); ok {
		for _, m := range sel.Matchers {
			if m.Label == "le" {
				return d, m.Label + m.Op + strconv.Quote(m.Value), true
			}
		}
	}
	if m := leInQuery.FindString(in.Good.Expr); m != "" {
		return d, strings.ReplaceAll(m, " ", ""), true
	}
	return d, fmt.Sprintf("le=%q", slo.LeValue(d)), true
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
	fl.BoolVar(&f.allowNoData, "allow-no-data", false, "an objective without data (no events, or no good-event series while there is traffic) does not fail the check")
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
	return a.checkSLOs(cmd, f, set, slos)
}

// checkSLOs evaluates slos (of set) as f says, prints the results and
// returns the verdict.
func (a *app) checkSLOs(cmd *cobra.Command, f sloCheckFlags, set *spec.SLOSet, slos []slo.SLO) error {
	at, err := parseSLOAt(f.at, a.now())
	if err != nil {
		return err
	}
	var (
		observations []sloObserved
		warnings     []string
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
		observations, warnings, err = a.observePrometheus(cmd, f, set, slos, at)
	}
	if err != nil {
		return err
	}
	results := make([]sloResult, len(slos))
	for i, s := range slos {
		results[i] = evaluateSLO(s, observations[i])
		if err := results[i].finite(); err != nil {
			return withHint(err, "this is a bug in headroom: please report it with the SLO file")
		}
	}
	for _, w := range warnings {
		fmt.Fprintln(a.stdio.Err, "warning: prometheus: "+w)
	}
	if f.json {
		res := sloCheckJSON(source, at, results)
		res.Warnings = warnings
		res.NonFinite = nullNonFinite(&res)
		if err := writeJSON(a.stdio.Out, res); err != nil {
			return err
		}
	} else if err := writeSLOCheckText(a.stdio.Out, results, source == "run"); err != nil {
		return err
	}
	return sloVerdict(results, f.allowNoData)
}

// sloVerdict is the outcome of slo check: exit 3 when an objective is
// missed, or has no data and allowNoData is false.
func sloVerdict(results []sloResult, allowNoData bool) error {
	var missed, noData, hints []string
	for _, r := range results {
		switch r.Verdict {
		case slo.Missed:
			missed = append(missed, r.SLO.ID())
		case slo.NoData:
			noData = append(noData, fmt.Sprintf("%s (%s)", r.SLO.ID(), r.noDataReason()))
			if h := r.noDataHint(); h != "" && !slices.Contains(hints, h) {
				hints = append(hints, h)
			}
		}
	}
	if allowNoData {
		noData = nil
	}
	if len(missed) == 0 && len(noData) == 0 {
		return nil
	}
	var parts []string
	if len(missed) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d objectives missed: %s", len(missed), len(results), strings.Join(missed, ", ")))
	}
	if len(noData) > 0 {
		what := fmt.Sprintf("%d of %d objectives", len(noData), len(results))
		if len(missed) > 0 {
			what = fmt.Sprint(len(noData))
		}
		parts = append(parts, fmt.Sprintf("%s without data: %s", what, strings.Join(noData, ", ")))
		hints = append(hints, "--allow-no-data accepts objectives without data (a service without traffic)")
	}
	err := verdictError("%s", strings.Join(parts, "; "))
	err.(*Error).Hint = strings.Join(hints, "; ")
	return err
}

// sloObserved is what was observed of one SLO: as a whole and, when it
// is grouped, each group (prom.Client.ObserveSLO's observations).
type sloObserved struct {
	whole  slo.Observation
	groups []slo.Observation
}

// observed gathers an SLO's observations, one per group (or one for an
// ungrouped SLO, or one without a group when nothing matched), into the
// whole and its groups.
func observed(obs []slo.Observation) sloObserved {
	if len(obs) == 1 && len(obs[0].Group) == 0 {
		return sloObserved{whole: obs[0]}
	}
	return sloObserved{whole: wholeOf(obs), groups: obs}
}

// wholeOf is the observation of a grouped SLO as a whole: the sum of the
// groups that have data (a group whose good events are missing can't be
// counted, in any window). Data starts with the earliest group's; the
// coverage is the best group's (a lower bound of the whole's); restarts
// are the most any group saw (a process serves many groups, and each of
// them sees its restarts).
func wholeOf(groups []slo.Observation) slo.Observation {
	w := slo.Observation{Recent: map[time.Duration]slo.Sample{}, Window: slo.Sample{Missing: true}}
	if len(groups) == 0 {
		return w
	}
	w.Start, w.At, w.Period, w.RatioOnly = groups[0].Start, groups[0].At, groups[0].Period, groups[0].RatioOnly
	restarts, restartNote := 0, ""
	for _, g := range groups {
		if !g.DataStart.IsZero() && (w.DataStart.IsZero() || g.DataStart.Before(w.DataStart)) {
			w.DataStart = g.DataStart
		}
		w.Coverage = max(w.Coverage, g.Coverage)
		for _, n := range g.Notes {
			var k int
			if _, err := fmt.Sscanf(n, "%d restart", &k); err == nil && k > restarts {
				restarts, restartNote = k, n
			}
		}
		if goodMissing(g) {
			continue
		}
		w.Window = addSample(w.Window, g.Window)
		for d, smp := range g.Recent {
			r, ok := w.Recent[d]
			if !ok {
				r = slo.Sample{Missing: true}
			}
			w.Recent[d] = addSample(r, smp)
		}
	}
	if restartNote != "" {
		w.Notes = append(w.Notes, restartNote)
	}
	return w
}

// addSample adds two samples' counts; the sum is missing only when both are.
func addSample(a, b slo.Sample) slo.Sample {
	return slo.Sample{Counts: a.Counts.Add(b.Counts), Missing: a.Missing && b.Missing}
}

// goodMissing reports whether an observation has no data because its good
// events are missing while there was traffic.
func goodMissing(obs slo.Observation) bool { return obs.Window.GoodMissing }

// sloResult is one SLO evaluated: as a whole and, when grouped, per group.
type sloResult struct {
	slo.Status
	// GoodMissing says the good events' query matched no series while the
	// total counted events (in every group that had traffic): no data.
	GoodMissing bool
	// Groups are a grouped SLO's groups, worst first (least budget left;
	// groups without data last).
	Groups []sloGroup
	// GroupsMissed and GroupsGoodMissing count the groups that missed the
	// objective and those with traffic but no good events.
	GroupsMissed, GroupsGoodMissing int
}

// sloGroup is one group of a grouped SLO, evaluated.
type sloGroup struct {
	Labels []slo.Label
	slo.Status
	GoodMissing bool
}

// evaluateSLO judges what was observed of s: as a whole, and each group.
// A grouped SLO is missed when any group misses it, and has no data when a
// group had traffic but no good events (its part can't be judged).
func evaluateSLO(s slo.SLO, obs sloObserved) sloResult {
	r := sloResult{Status: evaluate(s, obs.whole), GoodMissing: goodMissing(obs.whole)}
	for _, g := range obs.groups {
		gr := sloGroup{Labels: g.Group, Status: evaluate(s, g), GoodMissing: goodMissing(g)}
		switch {
		case gr.GoodMissing:
			gr.Notes = append(gr.Notes, leNote(s)...)
			r.GroupsGoodMissing++
		case gr.Verdict == slo.Missed:
			r.GroupsMissed++
		}
		r.Groups = append(r.Groups, gr)
	}
	sortGroups(r.Groups)
	by := strings.Join(s.Grouping, ", ")
	switch {
	case r.GroupsMissed > 0:
		if r.Verdict == slo.Met {
			r.Notes = append(r.Notes, fmt.Sprintf("all groups together are at %s and would meet the objective; the groups can't trade budget", sloPercent(r.SLI)))
		}
		r.Verdict = slo.Missed
		var worst []string
		for _, g := range r.Groups {
			if g.Verdict == slo.Missed {
				worst = append(worst, groupName(g.Labels))
			}
		}
		if len(worst) > 3 {
			worst = append(worst[:3], "…")
		}
		r.Notes = append(r.Notes, fmt.Sprintf("%d of %d groups (by %s) missed the objective: %s", r.GroupsMissed, len(r.Groups), by, strings.Join(worst, ", ")))
	case r.GroupsGoodMissing > 0 && r.GroupsGoodMissing == countTraffic(r.Groups):
		r.GoodMissing = true
		r.Verdict = slo.NoData
	case r.GroupsGoodMissing > 0:
		r.Verdict = slo.NoData
		r.Notes = append(r.Notes, fmt.Sprintf("%d of %d groups (by %s) had traffic but no series of good events: their part can't be judged, and is left out of the whole",
			r.GroupsGoodMissing, len(r.Groups), by))
	}
	if r.GoodMissing && len(r.Groups) == 0 {
		r.Notes = append(r.Notes, leNote(s)...)
	}
	return r
}

// evaluate is slo.Evaluate, without its "no series matched" when the
// series of the total did match and only the good events are missing (the
// observation's own note says so).
func evaluate(s slo.SLO, obs slo.Observation) slo.Status {
	st := slo.Evaluate(s, obs)
	if goodMissing(obs) {
		st.Notes = slices.DeleteFunc(st.Notes, func(n string) bool {
			return strings.HasPrefix(n, "no data over the window") && strings.HasSuffix(n, "no series matched")
		})
	}
	return st
}

// countTraffic counts the groups that had events or whose good events
// are missing while they had.
func countTraffic(gs []sloGroup) int {
	n := 0
	for _, g := range gs {
		if g.GoodMissing || hasData(g.Status) {
			n++
		}
	}
	return n
}

// leNote explains missing good events when the SLI's bucket is a whole
// number of seconds matched exactly.
func leNote(s slo.SLO) []string {
	if le := wholeLe(s.Indicator); le != "" {
		return []string{fmt.Sprintf("Prometheus 3 (and protobuf scrapes) store the bucket le=%q as le=\"%s.0\", which le=%q never matches", le, le, le)}
	}
	return nil
}

// wholeLe is the le value of an SLI's good events when it is a whole
// number matched exactly (le="1"): Prometheus 3 and protobuf scrapes store
// that bucket as le="1.0", which it never matches.
func wholeLe(in slo.Indicator) string {
	if sel, ok := in.Good.Series(); ok {
		for _, m := range sel.Matchers {
			if m.Label == "le" && m.Op == "=" && m.Value != "" && strings.Trim(m.Value, "0123456789") == "" {
				return m.Value
			}
		}
		return ""
	}
	if m := wholeLeInQuery.FindStringSubmatch(in.Good.Expr); m != nil {
		return m[1]
	}
	return ""
}

// noDataReason says why an objective has no data.
func (r sloResult) noDataReason() string {
	switch {
	case r.GoodMissing:
		return "no series of good events while there was traffic"
	case r.GroupsGoodMissing > 0:
		return fmt.Sprintf("%d group(s) with traffic but no series of good events", r.GroupsGoodMissing)
	case r.Window.Missing:
		return "no series matched"
	}
	return "no events in the window"
}

// noDataCode is noDataReason for JSON.
func (r sloResult) noDataCode() string {
	switch {
	case r.Verdict != slo.NoData:
		return ""
	case r.GoodMissing:
		return "good_events_missing"
	case r.GroupsGoodMissing > 0:
		return "groups_good_events_missing"
	case r.Window.Missing:
		return "no_series"
	}
	return "no_traffic"
}

// noDataHint is what to try when an objective has no data.
func (r sloResult) noDataHint() string {
	if !r.GoodMissing && r.GroupsGoodMissing == 0 {
		return ""
	}
	if le := wholeLe(r.SLO.Indicator); le != "" {
		return fmt.Sprintf(`a latency bucket le="%s" is stored as le="%s.0" by Prometheus 3 (and protobuf scrapes): match both with le=~"%s|%s\\.0"`, le, le, le, le)
	}
	return "run the good events' query in Prometheus's UI: its selector matches no series"
}

// finite checks that the evaluation holds no NaN or infinity: what is
// printed must be numbers.
func (r sloResult) finite() error {
	statuses := []slo.Status{r.Status}
	for _, g := range r.Groups {
		statuses = append(statuses, g.Status)
	}
	for _, st := range statuses {
		for _, v := range []struct {
			name string
			f    float64
		}{{"SLI", st.SLI}, {"budget left", st.Budget.Remaining}, {"events", st.Window.Total}, {"good events", st.Window.Good}, {"current burn rate", st.CurrentBurn}} {
			if math.IsNaN(v.f) || math.IsInf(v.f, 0) {
				return fmt.Errorf("SLO %s: the %s is %v: not a number; nothing was judged from it", r.SLO.ID(), v.name, v.f)
			}
		}
	}
	return nil
}

// sortGroups orders groups worst first: least budget left, then groups
// without data (good events missing before no traffic), then by name.
func sortGroups(gs []sloGroup) {
	rank := func(g sloGroup) int {
		switch {
		case g.Verdict != slo.NoData:
			return 0
		case g.GoodMissing:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(gs, func(a, b sloGroup) int {
		if c := rank(a) - rank(b); c != 0 {
			return c
		}
		if rank(a) == 0 && a.Budget.Remaining != b.Budget.Remaining {
			if a.Budget.Remaining < b.Budget.Remaining {
				return -1
			}
			return 1
		}
		return strings.Compare(groupName(a.Labels), groupName(b.Labels))
	})
}

// groupName writes a group's labels: route="/pay", tenant="acme".
func groupName(ls []slo.Label) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = fmt.Sprintf("%s=%q", l.Name, l.Value)
	}
	return strings.Join(parts, ", ")
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

// observePrometheus queries Prometheus for every SLO, and returns what it
// warned about (partial responses).
func (a *app) observePrometheus(cmd *cobra.Command, f sloCheckFlags, set *spec.SLOSet, slos []slo.SLO, at time.Time) ([]sloObserved, []string, error) {
	cfg := f.prom.config(a, cmd)
	if cfg.URL == "" {
		cfg.URL = sloSourceURL(set, slos)
	}
	if cfg.URL == "" {
		return nil, nil, usageErrorf("give --prometheus http://HOST:9090 (or "+envPrometheusURL+"), or --run results.jsonl for a load test",
			"no Prometheus to read from")
	}
	client, err := prom.New(cfg)
	if err != nil {
		return nil, nil, usageError(err, "give --prometheus as http(s)://host:port")
	}
	out := make([]sloObserved, len(slos))
	for i, s := range slos {
		obs, err := client.ObserveSLO(cmd.Context(), s, at)
		var bad *prom.NonFiniteError
		switch {
		case errors.As(err, &bad):
			return nil, nil, withHint(fmt.Errorf("SLO %s: %w", s.ID(), err),
				"run the query in Prometheus's UI: NaN and ±Inf come from a division by zero, negative counts from a subtraction, in a templated query or a recording rule it reads")
		case err != nil:
			return nil, nil, withHint(fmt.Errorf("SLO %s: %w", s.ID(), err), "check that Prometheus is reachable and the SLI's queries run in its UI")
		}
		out[i] = observed(obs)
	}
	return out, client.Warnings(), nil
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
	// Warnings are what Prometheus warned about (a partial response).
	Warnings []string `json:"warnings,omitempty"`
	// NonFinite lists the JSON paths of numbers that were not finite (NaN,
	// ±Inf) and are written as null instead.
	NonFinite []string `json:"non_finite,omitempty"`
}

type sloStatus struct {
	SLO         string    `json:"slo"`
	Objective   string    `json:"objective,omitempty"`
	Service     string    `json:"service,omitempty"`
	Target      jsonFloat `json:"target"`
	Window      string    `json:"window"`
	Budgeting   string    `json:"budgeting"`
	Start       time.Time `json:"start"`
	SpanSeconds jsonFloat `json:"span_s"`
	Period      jsonFloat `json:"period_s"`
	sloJudgement
	// Grouping and Groups are a grouped SLO's labels and its groups, worst
	// first.
	Grouping []string       `json:"grouping,omitempty"`
	Groups   []sloGroupJSON `json:"groups,omitempty"`
}

// sloJudgement is what slo check says of an SLO or of one of its groups.
type sloJudgement struct {
	Verdict string `json:"verdict"`
	Met     bool   `json:"met"`
	// NoData says why the verdict is no_data: no_traffic, no_series,
	// good_events_missing or groups_good_events_missing.
	NoData      string         `json:"no_data_reason,omitempty"`
	SLI         *jsonFloat     `json:"sli"`
	Events      *sloEventsJSON `json:"events"`
	Coverage    jsonFloat      `json:"coverage"`
	Budget      *sloBudgetJSON `json:"error_budget"`
	Burn        []sloBurnJSON  `json:"burn_rates"`
	CurrentBurn *jsonFloat     `json:"current_burn_rate"`
	Exhausted   *jsonFloat     `json:"budget_exhausted_in_s"`
	Notes       []string       `json:"notes"`
}

type sloGroupJSON struct {
	Labels map[string]string `json:"labels"`
	sloJudgement
}

type sloEventsJSON struct {
	Good  jsonFloat `json:"good"`
	Bad   jsonFloat `json:"bad"`
	Total jsonFloat `json:"total"`
}

type sloBudgetJSON struct {
	Allowed          *jsonFloat `json:"allowed"`
	Used             *jsonFloat `json:"used"`
	Remaining        jsonFloat  `json:"remaining"`
	RemainingEvents  *jsonFloat `json:"remaining_events"`
	RemainingSeconds jsonFloat  `json:"remaining_s"`
}

type sloBurnJSON struct {
	Window     string     `json:"window"`
	Seconds    jsonFloat  `json:"window_s"`
	Good       jsonFloat  `json:"good"`
	Total      jsonFloat  `json:"total"`
	ErrorRatio *jsonFloat `json:"error_ratio"`
	BurnRate   *jsonFloat `json:"burn_rate"`
	NoData     bool       `json:"no_data"`
	NoTraffic  bool       `json:"no_traffic"`
}

// jsonFloat is a number in slo check's JSON: written as encoding/json
// writes a float64, and as null when it is not finite (which encoding/json
// refuses to write at all).
type jsonFloat float64

// MarshalJSON writes f, or null for NaN and ±Inf.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

func sloPtr(f float64) *jsonFloat { j := jsonFloat(f); return &j }

// nullNonFinite returns the JSON paths of v's numbers that are not finite
// (written as null by jsonFloat), such as slos[0].sli.
func nullNonFinite(v any) []string {
	var out []string
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if !f.IsExported() && !f.Anonymous {
					continue
				}
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				switch {
				case f.Anonymous:
					walk(path, v.Field(i))
					continue
				case name == "-":
					continue
				case name == "":
					name = f.Name
				}
				p := name
				if path != "" {
					p = path + "." + name
				}
				walk(p, v.Field(i))
			}
		case reflect.Float64:
			if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
				out = append(out, path)
			}
		}
	}
	walk("", reflect.ValueOf(v))
	return out
}

func sloCheckJSON(source string, at time.Time, results []sloResult) sloCheckResult {
	res := sloCheckResult{At: at.UTC(), Source: source, SLOs: []sloStatus{}}
	for _, r := range results {
		s := r.SLO
		j := sloStatus{
			SLO: s.Name, Objective: s.Objective, Service: s.Service, Target: jsonFloat(s.Target),
			Window: s.Window.String(), Budgeting: string(s.BudgetingMethod()),
			Start: r.Start.UTC(), SpanSeconds: jsonFloat(r.Span.Seconds()), Period: jsonFloat(r.Period.Seconds()),
			sloJudgement: judgementJSON(r.Status, r.GoodMissing),
			Grouping:     s.Grouping,
		}
		j.NoData = r.noDataCode()
		for _, g := range r.Groups {
			gj := sloGroupJSON{Labels: map[string]string{}, sloJudgement: judgementJSON(g.Status, g.GoodMissing)}
			for _, l := range g.Labels {
				gj.Labels[l.Name] = l.Value
			}
			if g.Verdict == slo.NoData {
				gj.NoData = sloResult{Status: g.Status, GoodMissing: g.GoodMissing}.noDataCode()
			}
			j.Groups = append(j.Groups, gj)
		}
		res.SLOs = append(res.SLOs, j)
	}
	return res
}

// judgementJSON is the JSON of one status. goodMissing leaves out the
// events, which were not counted.
func judgementJSON(st slo.Status, goodMissing bool) sloJudgement {
	j := sloJudgement{Verdict: string(st.Verdict), Met: st.Verdict == slo.Met, Coverage: jsonFloat(st.Coverage),
		Burn: []sloBurnJSON{}, Notes: st.Notes}
	if j.Notes == nil {
		j.Notes = []string{}
	}
	if !st.RatioOnly && !goodMissing {
		j.Events = &sloEventsJSON{Good: jsonFloat(st.Window.Good), Bad: jsonFloat(st.Window.Bad()), Total: jsonFloat(st.Window.Total)}
	}
	if hasData(st) {
		j.SLI = sloPtr(st.SLI)
		b := st.Budget
		j.Budget = &sloBudgetJSON{Remaining: jsonFloat(b.Remaining), RemainingSeconds: jsonFloat(b.RemainingTime.Seconds())}
		if !st.RatioOnly {
			j.Budget.Allowed, j.Budget.Used, j.Budget.RemainingEvents = sloPtr(b.Allowed), sloPtr(b.Used), sloPtr(b.RemainingEvents)
		}
	}
	for _, wb := range st.Burn {
		bj := sloBurnJSON{Window: slo.PromDuration(wb.Window), Seconds: jsonFloat(wb.Window.Seconds()), Good: jsonFloat(wb.Good), Total: jsonFloat(wb.Total),
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
	return j
}

// hasData reports whether the status's window had events: its SLI and
// budget mean something (a grouped SLO without data in some group still
// has them as a whole).
func hasData(st slo.Status) bool {
	_, ok := st.Window.GoodRatio()
	return ok
}

// writeCheckText prints one block per SLO.
func writeSLOCheckText(w io.Writer, results []sloResult, run bool) error {
	ew := &sloWriter{w: w}
	for i, r := range results {
		if i > 0 {
			ew.printf("\n")
		}
		st := r.Status
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
		verdict := strings.ToUpper(strings.ReplaceAll(string(st.Verdict), "_", " "))
		switch {
		case r.GroupsMissed > 0:
			verdict += fmt.Sprintf(" (%d of %d groups)", r.GroupsMissed, len(r.Groups))
		case r.GroupsGoodMissing > 0:
			verdict += fmt.Sprintf(" (%d of %d groups without good events)", r.GroupsGoodMissing, len(r.Groups))
		}
		switch {
		case !hasData(st):
			ew.printf("  SLI        no data: %s\n", r.noDataReason())
		case st.RatioOnly:
			ew.printf("  SLI        %s  %s\n", sloPercent(st.SLI), verdict)
		default:
			ew.printf("  SLI        %s of %s %s  %s\n", sloPercent(st.SLI), sloCount(st.Window.Total), unit, verdict)
		}
		if hasData(st) {
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
			ew.printf("  lasts      %s at the last %s's burn rate\n", slo.HumanDuration(st.Exhaustion), slo.PromDuration(st.CurrentBurnWindow))
		case hasData(st) && st.CurrentBurnOK:
			ew.printf("  lasts      not burning\n")
		}
		for _, n := range st.Notes {
			ew.printf("  note       %s\n", n)
		}
		if len(r.Groups) > 0 {
			ew.printf("  groups     by %s, worst first\n", strings.Join(s.Grouping, ", "))
			ew.printf("%s", groupTable(s, r.Groups, unit))
		}
	}
	return ew.err
}

// groupTable is a row per group: its labels, SLI, events, budget left,
// current burn rate and verdict.
func groupTable(s slo.SLO, groups []sloGroup, unit string) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	var head []string
	for _, l := range s.Grouping {
		head = append(head, strings.ToUpper(l))
	}
	head = append(head, "SLI", strings.ToUpper(unit), "BUDGET LEFT", "BURN "+slo.PromDuration(s.CurrentBurnWindow()), "VERDICT")
	fmt.Fprintf(tw, "    %s\n", strings.Join(head, "\t"))
	for _, g := range groups {
		var row []string
		for _, l := range g.Labels {
			v := l.Value
			if v == "" {
				v = `""`
			}
			row = append(row, v)
		}
		sli, events, left, burn := "-", "-", "-", "-"
		verdict := strings.ToUpper(string(g.Verdict))
		switch {
		case g.GoodMissing:
			verdict = "NO DATA (no good events)"
		case hasData(g.Status):
			sli, events, left = sloPercent(g.SLI), sloCount(g.Window.Total), sloPercent(g.Budget.Remaining)
		case g.Window.Missing:
			verdict = "NO DATA"
		default:
			events, verdict = "0", "NO TRAFFIC"
		}
		if g.CurrentBurnOK {
			burn = fmt.Sprintf("%.2fx", g.CurrentBurn)
		}
		row = append(row, sli, events, left, burn, verdict)
		fmt.Fprintf(tw, "    %s\n", strings.Join(row, "\t"))
	}
	tw.Flush()
	return b.String()
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
func (a *app) observeRun(path string, slos []slo.SLO) ([]sloObserved, time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, time.Time{}, usageError(err, "give the results file headroom load --out wrote")
	}
	defer f.Close()
	run, err := stats.ReadRun(f)
	if err != nil {
		return nil, time.Time{}, usageError(fmt.Errorf("%s: %w", path, err), "give the results file headroom load --out wrote")
	}
	out := make([]sloObserved, len(slos))
	var end time.Time
	for i, s := range slos {
		sr, err := slo.FromRun(s, run, "")
		if err != nil {
			return nil, time.Time{}, usageError(fmt.Errorf("SLO %s: %w", s.ID(), err), "check the SLO with --prometheus instead")
		}
		obs := sr.Observe(s)
		if run.Partial {
			obs.Notes = append(obs.Notes, "the run is partial: it was interrupted or its file was cut short")
		}
		out[i] = sloObserved{whole: obs}
		end = sr.End()
	}
	return out, end, nil
}
