package promrule

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/slo"
)

// Names of the generated series and alerts.
const (
	// ErrorRatioRecord is the prefix of the recorded error ratios; the
	// window follows: slo:sli_error:ratio_rate5m, …_rate30d.
	ErrorRatioRecord = "slo:sli_error:ratio_rate"
	// ObjectiveRecord is the target as a fraction.
	ObjectiveRecord = "slo:objective:ratio"
	// ErrorBudgetRecord is the error budget as a fraction (1 − target).
	ErrorBudgetRecord = "slo:error_budget:ratio"
	// PeriodRecord is the SLO window in seconds.
	PeriodRecord = "slo:period:seconds"
	// BudgetRemainingRecord is the fraction of the window's error budget
	// left (negative when overspent).
	BudgetRemainingRecord = "slo:error_budget_remaining:ratio"
	// InfoRecord carries an SLO's metadata as labels, with value 1.
	InfoRecord = "headroom_slo_info"
	// BurnAlert is the name of the multiwindow burn-rate alerts.
	BurnAlert = "ErrorBudgetBurn"
	// AbsentAlert is the name of the alert on missing SLI metrics.
	AbsentAlert = "SLIMetricsAbsent"
)

// Defaults.
const (
	// DefaultRunbook is linked from alerts when neither the SLO nor the
	// options give a runbook; %s is the SLO's name.
	DefaultRunbook = "https://runbooks.example.com/slo/%s"
	// DefaultAbsentFor is how long metrics must be missing before the
	// absent alert fires.
	DefaultAbsentFor = 10 * time.Minute
	// WindowInterval is how often the rules over the whole SLO window are
	// evaluated: they read up to the window's data each time.
	WindowInterval = 5 * time.Minute
)

// Options tune the generated rules.
type Options struct {
	// Absent adds an alert on missing SLI metrics for every SLO (SLOs can
	// also ask for it themselves).
	Absent bool
	// Labels are added to every recorded series and alert.
	Labels map[string]string
	// Runbook is the runbook URL for SLOs that name none; %s, if present,
	// is replaced by the SLO's name.
	Runbook string
}

// File is a Prometheus rule file.
type File struct {
	Groups []Group `yaml:"groups"`
	// Warnings say what the rules can't do (an alert that can never fire,
	// a calendar window approximated by a rolling one). They are not
	// written out.
	Warnings []string `yaml:"-"`
}

// Group is a rule group.
type Group struct {
	Name     string `yaml:"name"`
	Interval string `yaml:"interval,omitempty"`
	Rules    []Rule `yaml:"rules"`
}

// Rule is a recording or an alerting rule.
type Rule struct {
	Record      string            `yaml:"record,omitempty"`
	Alert       string            `yaml:"alert,omitempty"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// Generate writes the rules for slos: recording rules for the error ratio
// over every alert window and over the SLO window (traffic-weighted: bad
// events over all events across the window), the objective, error budget,
// budget remaining and an info series; and the multiwindow multi-burn-rate
// alerts, named ErrorBudgetBurn with labels slo and severity. Windows with
// no traffic record nothing, so missing or zero traffic never pages.
func Generate(slos []slo.SLO, opts Options) (*File, error) {
	if err := checkLabels(opts.Labels); err != nil {
		return nil, err
	}
	f := &File{}
	seen := map[string]bool{}
	for _, s := range slos {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("SLO %s: %w", s.ID(), err)
		}
		if seen[s.ID()] {
			return nil, fmt.Errorf("SLO %s is given twice", s.ID())
		}
		seen[s.ID()] = true
		g := generator{s: s, opts: opts, labels: labelsOf(s, opts)}
		f.Groups = append(f.Groups, g.recordings(), g.windowRecordings(), g.alerts())
		f.Warnings = append(f.Warnings, g.warnings...)
	}
	return f, nil
}

type generator struct {
	s        slo.SLO
	opts     Options
	labels   map[string]string // on every rule of the SLO
	warnings []string
}

func labelsOf(s slo.SLO, opts Options) map[string]string {
	out := map[string]string{}
	for k, v := range opts.Labels {
		out[k] = v
	}
	for _, l := range s.RuleLabels() {
		out[l.Name] = l.Value
	}
	return out
}

func checkLabels(labels map[string]string) error {
	var errs []error
	for k := range labels {
		if !validLabel(k) || k == "slo" || k == "objective" || k == "severity" || k == "long" || k == "short" {
			errs = append(errs, fmt.Errorf("label %q: want a Prometheus label name other than slo, objective, severity, long and short", k))
		}
	}
	return errors.Join(errs...)
}

func validLabel(s string) bool {
	for i, r := range s {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')) {
			return false
		}
	}
	return s != "" && !strings.HasPrefix(s, "__")
}

// groupName names the SLO's groups: headroom-slo-<name>[-<objective>].
func (g *generator) groupName(suffix string) string {
	name := "headroom-slo-" + g.s.Name
	if g.s.Objective != "" {
		name += "-" + g.s.Objective
	}
	return name + suffix
}

// selector matches the SLO's recorded series.
func (g *generator) selector() string {
	var parts []string
	for _, l := range g.s.RuleLabels()[:1+btoi(g.s.Objective != "")] {
		parts = append(parts, l.Name+"="+strconv.Quote(l.Value))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// record is a recording rule with the SLO's labels.
func (g *generator) record(name, expr string, extra map[string]string) Rule {
	labels := map[string]string{}
	for k, v := range g.labels {
		labels[k] = v
	}
	for k, v := range extra {
		labels[k] = v
	}
	return Rule{Record: name, Expr: expr, Labels: labels}
}

// recordings are the error ratios over the alert windows and the SLO's
// metadata.
func (g *generator) recordings() Group {
	s := g.s
	grp := Group{Name: g.groupName("")}
	for _, w := range slo.AlertWindows {
		grp.Rules = append(grp.Rules, g.record(ErrorRatioRecord+slo.PromDuration(w), s.ErrorRatio(w), nil))
	}
	grp.Rules = append(grp.Rules,
		g.record(ObjectiveRecord, "vector("+number(s.Target)+")", nil),
		g.record(ErrorBudgetRecord, "vector("+number(s.ErrorBudget())+")", nil),
		g.record(PeriodRecord, "vector("+number(s.Window.Length.Seconds())+")", nil),
	)
	info := map[string]string{"window": s.Window.String(), "budgeting": string(s.BudgetingMethod())}
	if s.Service != "" {
		info["service"] = s.Service
	}
	if s.Indicator.Name != "" {
		info["indicator"] = s.Indicator.Name
	}
	grp.Rules = append(grp.Rules, g.record(InfoRecord, "vector(1)", info))
	return grp
}

// windowRecordings are the error ratio over the whole SLO window and the
// budget left, evaluated less often.
func (g *generator) windowRecordings() Group {
	s := g.s
	period := s.Window.Length
	ratio := ErrorRatioRecord + slo.PromDuration(period)
	if !s.Window.IsRolling() {
		g.warn("it has a calendar window (%s); Prometheus rules can't follow calendar periods, so they use a rolling %s ("+
			"headroom slo check evaluates the calendar period exactly)", s.Window, slo.PromDuration(period))
	}
	grp := Group{Name: g.groupName("-window"), Interval: slo.PromDuration(WindowInterval)}
	var rules []Rule
	if !isAlertWindow(period) {
		rules = append(rules, g.record(ratio, s.ErrorRatio(period), nil))
	}
	rules = append(rules, g.record(BudgetRemainingRecord,
		fmt.Sprintf("1 - %s%s / %s", ratio, g.selector(), number(s.ErrorBudget())), nil))
	grp.Rules = rules
	return grp
}

func isAlertWindow(w time.Duration) bool {
	for _, a := range slo.AlertWindows {
		if a == w {
			return true
		}
	}
	return false
}

// alerts are the burn-rate alert pairs and the optional absent alert.
func (g *generator) alerts() Group {
	s := g.s
	period := s.Window.Length
	budget := s.ErrorBudget()
	grp := Group{Name: g.groupName("-alerts")}
	sel := g.selector()
	for _, b := range slo.BurnAlerts {
		if b.Long > period {
			g.warn("its window (%s) is shorter than the %s alert window, so the %s %s/%s alert is left out",
				slo.PromDuration(period), slo.PromDuration(b.Long), b.Severity, slo.PromDuration(b.Long), slo.PromDuration(b.Short))
			continue
		}
		factor := math.Round(b.Factor(period)*1e4) / 1e4
		if factor*budget >= 1 {
			g.warn("the %s %s/%s alert can never fire: it needs an error ratio above %s, and a %s objective allows %s",
				b.Severity, slo.PromDuration(b.Long), slo.PromDuration(b.Short), slo.FormatPercent(factor*budget),
				slo.FormatPercent(s.Target), slo.FormatPercent(budget))
		}
		burn := func(w time.Duration) string {
			return fmt.Sprintf("%s%s%s / %s > %s", ErrorRatioRecord, slo.PromDuration(w), sel, number(budget), number(factor))
		}
		labels := g.alertLabels(map[string]string{"severity": string(b.Severity), "long": slo.PromDuration(b.Long), "short": slo.PromDuration(b.Short)})
		grp.Rules = append(grp.Rules, Rule{
			Alert:       BurnAlert,
			Expr:        burn(b.Long) + "\nand\n" + burn(b.Short),
			Labels:      labels,
			Annotations: g.burnAnnotations(b, factor),
		})
	}
	if g.opts.Absent || s.Alerting.Absent {
		grp.Rules = append(grp.Rules, Rule{
			Alert:  AbsentAlert,
			Expr:   s.Absent(),
			For:    slo.PromDuration(DefaultAbsentFor),
			Labels: g.alertLabels(map[string]string{"severity": string(slo.Ticket)}),
			Annotations: map[string]string{
				"summary": fmt.Sprintf("SLO %s has no data: its SLI metrics are missing", s.ID()),
				"description": fmt.Sprintf("Nothing has matched the SLI of %s for %s: the service may be down or not scraped, "+
					"or its metrics were renamed. Its burn-rate alerts can't fire without data.", s.ID(), slo.PromDuration(DefaultAbsentFor)),
				"runbook_url": g.runbook(),
			},
		})
	}
	return grp
}

// alertLabels are the SLO's labels plus extra, for an alert.
func (g *generator) alertLabels(extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range g.labels {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func (g *generator) runbook() string {
	switch {
	case g.s.Alerting.Runbook != "":
		return g.s.Alerting.Runbook
	case g.opts.Runbook != "":
		return strings.ReplaceAll(g.opts.Runbook, "%s", g.s.Name)
	}
	return fmt.Sprintf(DefaultRunbook, g.s.Name)
}

// burnAnnotations tell the person on call how fast the budget burns, how
// much of it the long window used and how much is left.
func (g *generator) burnAnnotations(b slo.BurnAlert, factor float64) map[string]string {
	s := g.s
	sel := g.selector()
	period := s.Window.Length
	long, short := slo.PromDuration(b.Long), slo.PromDuration(b.Short)
	used := fmt.Sprintf("%s%s%s / %s * %s / %s", ErrorRatioRecord, long, sel, number(s.ErrorBudget()), number(b.Long.Seconds()), number(period.Seconds()))
	left := BudgetRemainingRecord + sel
	pct := func(q string) string {
		return "{{ with query `" + q + "` }}{{ . | first | value | humanizePercentage }}{{ else }}an unknown share{{ end }}"
	}
	return map[string]string{
		"summary": fmt.Sprintf("SLO %s is burning its error budget {{ printf \"%%.1f\" $value }}x too fast", s.ID()),
		"description": fmt.Sprintf("Over the last %s (and still over the last %s) errors ran at {{ printf \"%%.1f\" $value }}x the rate the %s objective allows "+
			"(this %s alert fires above %sx, which spends %s of the %s error budget in %s). "+
			"The last %s used %s of the budget; %s of it is left.",
			long, short, slo.FormatPercent(s.Target), b.Severity, number(factor), slo.FormatPercent(b.Consumed), slo.PromDuration(period), long,
			long, pct(used), pct(left)),
		"runbook_url": g.runbook(),
	}
}

func (g *generator) warn(format string, args ...any) {
	g.warnings = append(g.warnings, fmt.Sprintf("SLO %s: ", g.s.ID())+fmt.Sprintf(format, args...))
}

// number writes f for PromQL in plain decimals: 2592000, 0.001.
func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// YAML writes the rule file.
func (f *File) YAML() ([]byte, error) { return encode(f) }

// PrometheusRule writes the rules as a prometheus-operator PrometheusRule
// object (monitoring.coreos.com/v1) named name in namespace (omitted when
// empty), with labels on the object (for the operator's ruleSelector).
func (f *File) PrometheusRule(name, namespace string, labels map[string]string) ([]byte, error) {
	type meta struct {
		Name      string            `yaml:"name"`
		Namespace string            `yaml:"namespace,omitempty"`
		Labels    map[string]string `yaml:"labels,omitempty"`
	}
	obj := struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   meta   `yaml:"metadata"`
		Spec       *File  `yaml:"spec"`
	}{"monitoring.coreos.com/v1", "PrometheusRule", meta{name, namespace, labels}, f}
	return encode(obj)
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("write rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write rules: %w", err)
	}
	return buf.Bytes(), nil
}
