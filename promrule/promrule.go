package promrule

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
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
	// EventsRecord is the prefix of the recorded event rates (events per
	// second) over each alert window: slo:sli_events:rate5m, …
	EventsRecord = "slo:sli_events:rate"
	// GoodSeenRecord says, per group, that the good events' series existed
	// within the SLO window (value 1); absent otherwise.
	GoodSeenRecord = "slo:sli_good_seen:bool"
	// ObjectiveRecord is the target as a fraction.
	ObjectiveRecord = "slo:objective:ratio"
	// ErrorBudgetRecord is the error budget as a fraction (1 − target).
	ErrorBudgetRecord = "slo:error_budget:ratio"
	// PeriodRecord is the SLO window in seconds.
	PeriodRecord = "slo:period:seconds"
	// BudgetRemainingRecord is the fraction of the window's error budget
	// left (negative when overspent).
	BudgetRemainingRecord = "slo:error_budget_remaining:ratio"
	// CurrentBurnRecord is the burn rate over the SLO's current-burn
	// window (its shortest alert window); PeriodBurnRecord over the whole
	// SLO window.
	CurrentBurnRecord = "slo:current_burn_rate:ratio"
	PeriodBurnRecord  = "slo:period_burn_rate:ratio"
	// InfoRecord carries an SLO's metadata as labels, with value 1.
	InfoRecord = "headroom_slo_info"
	// BurnAlert is the default name of the multiwindow burn-rate alerts.
	BurnAlert = "ErrorBudgetBurn"
	// AbsentAlert is the name of the alert on missing SLI metrics.
	AbsentAlert = "SLIMetricsAbsent"
	// GoodMissingAlert is the name of the alert on a good-events query that
	// matches nothing while there is traffic: the SLI is unknown.
	GoodMissingAlert = "SLIGoodEventsMissing"
	// BudgetExhaustedAlert is the name of the alert on an error budget spent.
	BudgetExhaustedAlert = "ErrorBudgetExhausted"
)

// Defaults.
const (
	// DefaultRunbook is linked from alerts when neither the SLO nor the
	// options give a runbook; %s is the SLO's name.
	DefaultRunbook = "https://runbooks.example.com/slo/%s"
	// DefaultAbsentFor is how long metrics must be missing before the
	// absent alert fires.
	DefaultAbsentFor = 10 * time.Minute
	// DefaultGoodMissingFor is how long traffic must go without good
	// events' series before the SLI is called unknown.
	DefaultGoodMissingFor = 15 * time.Minute
	// DefaultExhaustedFor is how long the budget must stay spent before
	// the exhausted alert fires.
	DefaultExhaustedFor = 15 * time.Minute
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

// Generate writes the rules for slos, three groups each: recording rules
// for the error ratio and the event rate over every alert window of the
// SLO (per group of a grouped SLO), the current burn rate, the objective,
// error budget and an info series; the same over the whole SLO window
// (traffic-weighted: bad events over all events), the budget left, the
// period burn rate and whether the good events' series exist, evaluated
// every 5 minutes; and the alerts: the burn-rate tiers (ErrorBudgetBurn
// unless named otherwise, labels slo, service, objective, severity, long,
// short and the group's), the exhausted budget, the good-events query that
// matches nothing while there is traffic, and optionally the absent
// metrics. Windows with no traffic record nothing, so missing or zero
// traffic never pages; a tier needs enough events in its long window that
// one bad event alone can't fire it, or at least slo.GuardBadEvents bad ones.
func Generate(slos []slo.SLO, opts Options) (*File, error) {
	if err := checkLabels(opts.Labels); err != nil {
		return nil, err
	}
	f := &File{}
	seen := map[string]bool{}
	groups := map[string]string{}
	for _, s := range slos {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("SLO %s: %w", s.ID(), err)
		}
		if seen[s.ID()] {
			return nil, fmt.Errorf("SLO %s is given twice: an SLO's name (and objective) must be unique within its service", s.ID())
		}
		seen[s.ID()] = true
		g := generator{s: s, opts: opts, labels: labelsOf(s, opts)}
		if other, ok := groups[g.groupName("")]; ok {
			return nil, fmt.Errorf("SLOs %s and %s would write rule groups of the same name %s: rename one", other, s.ID(), g.groupName(""))
		}
		groups[g.groupName("")] = s.ID()
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
		if !validLabel(k) || slices.Contains(slo.ReservedLabels, k) {
			errs = append(errs, fmt.Errorf("label %q: want a Prometheus label name other than %s", k, strings.Join(slo.ReservedLabels, ", ")))
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

// groupName names the SLO's groups: headroom-slo-[<service>-]<name>[-<objective>].
func (g *generator) groupName(suffix string) string {
	name := "headroom-slo-"
	if g.s.Service != "" {
		name += g.s.Service + "-"
	}
	name += g.s.Name
	if g.s.Objective != "" {
		name += "-" + g.s.Objective
	}
	return name + suffix
}

// selector matches the SLO's recorded series: its identity labels.
func (g *generator) selector() string {
	var parts []string
	for _, l := range g.s.IdentityLabels() {
		parts = append(parts, l.Name+"="+strconv.Quote(l.Value))
	}
	return "{" + strings.Join(parts, ",") + "}"
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

// goodForm reports whether the SLI counts good events (whose series may be
// missing) and total events.
func (g *generator) goodForm() bool {
	in := g.s.Indicator
	return in.IsRatio() && in.Raw.IsZero() && !in.Good.IsZero() && g.s.BudgetingMethod() == slo.Occurrences
}

// countsEvents reports whether the SLI has a total of events per second,
// for the event-rate series and the minimum-traffic guard.
func (g *generator) countsEvents() bool {
	in := g.s.Indicator
	return in.IsRatio() && in.Raw.IsZero() && g.s.BudgetingMethod() == slo.Occurrences
}

// goodSeen is the expression the error ratios use to tell "no good events"
// from "no good series": the recorded good-seen series, kept over a few
// evaluations of its slower group.
func (g *generator) goodSeen() string {
	if !g.goodForm() {
		return ""
	}
	return fmt.Sprintf("last_over_time(%s%s[%s])", GoodSeenRecord, g.selector(), slo.PromDuration(3*WindowInterval))
}

// recordings are the error ratios and event rates over the alert windows
// and the SLO's metadata.
func (g *generator) recordings() Group {
	s := g.s
	grp := Group{Name: g.groupName("")}
	for _, w := range s.AlertWindows() {
		grp.Rules = append(grp.Rules, g.record(ErrorRatioRecord+slo.PromDuration(w), s.ErrorRatioSeen(w, g.goodSeen()), nil))
		if g.countsEvents() {
			grp.Rules = append(grp.Rules, g.record(EventsRecord+slo.PromDuration(w), s.Indicator.Total.Grouped(s.Grouping).Rate(w), nil))
		}
	}
	budget := slo.PromNumber(s.ErrorBudget())
	grp.Rules = append(grp.Rules,
		g.record(CurrentBurnRecord, fmt.Sprintf("%s%s%s / %s", ErrorRatioRecord, slo.PromDuration(s.CurrentBurnWindow()), g.selector(), budget), nil),
		g.record(ObjectiveRecord, "vector("+slo.PromNumber(s.Target)+")", nil),
		g.record(ErrorBudgetRecord, "vector("+budget+")", nil),
		g.record(PeriodRecord, "vector("+slo.PromNumber(s.Window.Length.Seconds())+")", nil),
	)
	info := map[string]string{"window": s.Window.String(), "budgeting": string(s.BudgetingMethod())}
	if s.Indicator.Name != "" {
		info["indicator"] = s.Indicator.Name
	}
	if len(s.Grouping) > 0 {
		info["grouping"] = strings.Join(s.Grouping, ",")
	}
	grp.Rules = append(grp.Rules, g.record(InfoRecord, "vector(1)", info))
	return grp
}

// windowRecordings are the error ratio over the whole SLO window, the
// budget left, the period burn rate and whether the good series exist,
// evaluated less often.
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
	if g.goodForm() {
		// Recorded first: the ratios below read it.
		rules = append(rules, g.record(GoodSeenRecord, fmt.Sprintf("0 * (%s) + 1", s.Indicator.Good.Grouped(s.Grouping).Rate(period)), nil))
	}
	if !slices.Contains(s.AlertWindows(), period) {
		rules = append(rules, g.record(ratio, s.ErrorRatioSeen(period, g.goodSeen()), nil))
	}
	sel := g.selector()
	budget := slo.PromNumber(s.ErrorBudget())
	rules = append(rules,
		g.record(BudgetRemainingRecord, fmt.Sprintf("1 - %s%s / %s", ratio, sel, budget), nil),
		g.record(PeriodBurnRecord, fmt.Sprintf("%s%s / %s", ratio, sel, budget), nil))
	grp.Rules = rules
	return grp
}

// alerts are the burn-rate tiers, the exhausted budget, the good events
// that match nothing, and the optional absent alert.
func (g *generator) alerts() Group {
	s := g.s
	period := s.Window.Length
	budget := s.ErrorBudget()
	grp := Group{Name: g.groupName("-alerts")}
	sel := g.selector()
	tiers, why := s.Tiers()
	for _, w := range why {
		g.warn("%s", w)
	}
	for _, b := range tiers {
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
			return fmt.Sprintf("%s%s%s / %s > %s", ErrorRatioRecord, slo.PromDuration(w), sel, slo.PromNumber(budget), slo.PromNumber(factor))
		}
		expr := burn(b.Long) + "\nand\n" + burn(b.Short)
		if n := b.GuardEvents(period, budget); n > 0 && g.countsEvents() {
			// Enough events that one bad event alone can't fire the tier,
			// or enough bad ones that a quiet service that is down does.
			events := fmt.Sprintf("%s%s%s * %s", EventsRecord, slo.PromDuration(b.Long), sel, slo.PromNumber(b.Long.Seconds()))
			expr += fmt.Sprintf("\nand\n(%s >= %s or %s%s%s * %s >= %d)", events, slo.PromNumber(n), ErrorRatioRecord, slo.PromDuration(b.Long), sel, events, slo.GuardBadEvents)
		}
		name := cmp.Or(b.Name, s.Alerting.Name, BurnAlert)
		labels := g.alertLabels(map[string]string{"severity": string(b.Severity), "long": slo.PromDuration(b.Long), "short": slo.PromDuration(b.Short)}, b.Labels)
		var hold string
		if b.For > 0 {
			hold = slo.PromDuration(b.For)
		}
		grp.Rules = append(grp.Rules, Rule{
			Alert:       name,
			Expr:        expr,
			For:         hold,
			Labels:      labels,
			Annotations: g.annotations(g.burnAnnotations(b, factor), b.Annotations),
		})
	}
	if !s.Alerting.NoBudgetAlert {
		grp.Rules = append(grp.Rules, Rule{
			Alert:  BudgetExhaustedAlert,
			Expr:   fmt.Sprintf("%s%s <= 0", BudgetRemainingRecord, sel),
			For:    slo.PromDuration(DefaultExhaustedFor),
			Labels: g.alertLabels(map[string]string{"severity": string(slo.Ticket)}, nil),
			Annotations: g.annotations(map[string]string{
				"summary": fmt.Sprintf("SLO %s has spent its error budget for the %s window", s.ID(), slo.PromDuration(period)),
				"description": fmt.Sprintf("Over the last %s, %s has had more errors than its %s objective allows: {{ $value | humanizePercentage }} of the budget is left. "+
					"Reliability work comes before risky changes until it recovers.", slo.PromDuration(period), s.ID(), slo.FormatPercent(s.Target)),
				"runbook_url": g.runbook(),
			}, nil),
		})
	}
	if g.goodForm() {
		longest := s.AlertWindows()[len(s.AlertWindows())-1]
		grp.Rules = append(grp.Rules, Rule{
			Alert: GoodMissingAlert,
			Expr: fmt.Sprintf("%s%s%s > 0\nunless\n%s", EventsRecord, slo.PromDuration(min(longest, time.Hour)), sel,
				fmt.Sprintf("last_over_time(%s%s[%s])", GoodSeenRecord, sel, slo.PromDuration(3*WindowInterval))),
			For:    slo.PromDuration(DefaultGoodMissingFor),
			Labels: g.alertLabels(map[string]string{"severity": string(slo.Ticket)}, nil),
			Annotations: g.annotations(map[string]string{
				"summary": fmt.Sprintf("SLO %s has traffic but its good-events query matches nothing: the SLI is unknown", s.ID()),
				"description": fmt.Sprintf("Requests arrive, yet no series of the good events (%s) has existed over the last %s, so %s's SLI is unknown — no data, not 100%% errors — and its burn-rate alerts can't fire. "+
					"A latency bucket written le=\"1\" while Prometheus 3 stores le=\"1.0\", or a renamed label, is the usual cause.",
					s.Indicator.Good.Expr, slo.PromDuration(period), s.ID()),
				"runbook_url": g.runbook(),
			}, nil),
		})
	}
	if g.opts.Absent || s.Alerting.Absent {
		grp.Rules = append(grp.Rules, Rule{
			Alert:  AbsentAlert,
			Expr:   s.Absent(),
			For:    slo.PromDuration(DefaultAbsentFor),
			Labels: g.alertLabels(map[string]string{"severity": string(slo.Ticket)}, nil),
			Annotations: g.annotations(map[string]string{
				"summary": fmt.Sprintf("SLO %s has no data: its SLI metrics are missing", s.ID()),
				"description": fmt.Sprintf("Nothing has matched the SLI of %s for %s: the service may be down or not scraped, "+
					"or its metrics were renamed. Its burn-rate alerts can't fire without data.", s.ID(), slo.PromDuration(DefaultAbsentFor)),
				"runbook_url": g.runbook(),
			}, nil),
		})
	}
	return grp
}

// alertLabels are the SLO's labels, extra, the SLO's alert labels and the
// tier's, later ones winning.
func (g *generator) alertLabels(extra, tier map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range []map[string]string{g.labels, extra, g.s.Alerting.Labels, tier} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// annotations are the defaults with the SLO's and the tier's laid over.
func (g *generator) annotations(defaults, tier map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range []map[string]string{defaults, g.s.Alerting.Annotations, tier} {
		for k, v := range m {
			out[k] = v
		}
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
	used := fmt.Sprintf("%s%s%s / %s * %s / %s", ErrorRatioRecord, long, sel, slo.PromNumber(s.ErrorBudget()), slo.PromNumber(b.Long.Seconds()), slo.PromNumber(period.Seconds()))
	left := BudgetRemainingRecord + sel
	if len(s.Grouping) > 0 {
		// The alert's own group: its labels select the matching series.
		var ms []string
		for _, l := range s.Grouping {
			ms = append(ms, fmt.Sprintf("%s=\"{{ $labels.%s }}\"", l, l))
		}
		grp := "," + strings.Join(ms, ",") + "}"
		used = strings.Replace(used, "}", grp, 1)
		left = strings.TrimSuffix(left, "}") + grp
	}
	pct := func(q string) string {
		return "{{ with query `" + q + "` }}{{ . | first | value | humanizePercentage }}{{ else }}an unknown share{{ end }}"
	}
	who := s.ID()
	if len(s.Grouping) > 0 {
		var parts []string
		for _, l := range s.Grouping {
			parts = append(parts, l+"={{ $labels."+l+" }}")
		}
		who += " (" + strings.Join(parts, ", ") + ")"
	}
	return map[string]string{
		"summary": fmt.Sprintf("SLO %s is burning its error budget {{ printf \"%%.1f\" $value }}x too fast", who),
		"description": fmt.Sprintf("Over the last %s (and still over the last %s) errors ran at {{ printf \"%%.1f\" $value }}x the rate the %s objective allows "+
			"(this %s alert fires above %sx, which spends %s of the %s error budget in %s). "+
			"The last %s used %s of the budget; %s of it is left.",
			long, short, slo.FormatPercent(s.Target), b.Severity, slo.PromNumber(factor), slo.FormatPercent(b.Consumed), slo.PromDuration(period), long,
			long, pct(used), pct(left)),
		"runbook_url": g.runbook(),
	}
}

func (g *generator) warn(format string, args ...any) {
	g.warnings = append(g.warnings, fmt.Sprintf("SLO %s: ", g.s.ID())+fmt.Sprintf(format, args...))
}

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
