package slo

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Budgeting is how an SLO counts its events.
type Budgeting string

// Budgeting methods (OpenSLO's names).
const (
	// Occurrences counts every event: the SLI is good events over all
	// events in the window, weighted by traffic.
	Occurrences Budgeting = "Occurrences"
	// Timeslices cuts the window into slices; a slice is good when its own
	// SLI reaches the slice target, and the SLI is good slices over slices
	// with data.
	Timeslices Budgeting = "Timeslices"
)

// Defaults.
const (
	// DefaultCodeLabel is the label that holds a request's status code.
	DefaultCodeLabel = "code"
	// DefaultErrorCodes is the regular expression of failed status codes.
	DefaultErrorCodes = "5.."
	// DefaultSampleStep is how often a threshold metric is sampled when
	// each of its points is one event.
	DefaultSampleStep = time.Minute
)

// SLO is one objective of a service level objective: what counts as a good
// event (the indicator), the fraction of events that must be good (the
// target) and the window over which that holds. A spec with several
// objectives becomes several SLOs sharing a Name.
type SLO struct {
	// Name identifies the SLO (OpenSLO metadata.name); rules and alerts
	// carry it as the label slo.
	Name string
	// Objective names the objective when the spec has several (the label
	// objective); empty otherwise.
	Objective string
	// Service is the service the SLO belongs to.
	Service string
	// Description says what the SLO promises, for people.
	Description string
	// Target is the fraction of good events (or slices), in (0, 1).
	Target float64
	// Window is the span the target holds over.
	Window Window
	// Budgeting is Occurrences (the default when empty) or Timeslices.
	Budgeting Budgeting
	// TimeSlice configures Timeslices budgeting.
	TimeSlice TimeSlice
	// Indicator says what a good event is.
	Indicator Indicator
	// Labels are added to every rule and alert of the SLO.
	Labels map[string]string
	// Grouping are the labels the SLI is broken down by (route, tenant…):
	// each group has its own error ratio, burn rate, budget and alerts,
	// and its alerts carry the group's labels. Empty: one SLI for all.
	Grouping []string
	// Alerting tunes the generated alerts.
	Alerting Alerting
}

// TimeSlice is how Timeslices budgeting cuts the window.
type TimeSlice struct {
	// Window is the length of one slice, e.g. one minute.
	Window time.Duration
	// Target is the fraction of good events (or of good points of a
	// threshold metric) a slice needs to be good, in (0, 1].
	Target float64
}

// Alerting tunes the alerts generated for an SLO.
type Alerting struct {
	// Absent also alerts when the indicator's metrics are missing.
	Absent bool
	// Runbook is a link for the person paged; a placeholder when empty.
	Runbook string
	// Name is the burn-rate alerts' name; empty means ErrorBudgetBurn.
	Name string
	// Labels and Annotations are added to (and override) every alert's.
	Labels, Annotations map[string]string
	// Tiers replace the burn-rate tiers derived from the window (TiersFor).
	Tiers []BurnAlert
	// NoBudgetAlert leaves out the alert on an exhausted error budget.
	NoBudgetAlert bool
}

// Indicator is the SLI: which events are good. It is a ratio of event
// counts (Total with Good or Bad, or one Raw ratio query) or a threshold on
// a metric (each point, or each slice, is good when Metric Op Value holds).
type Indicator struct {
	// Name names the indicator (OpenSLO SLI metadata.name), when it has one.
	Name string
	// Good, Bad and Total count events; a ratio SLI has Total and exactly
	// one of Good or Bad.
	Good, Bad, Total Query
	// Raw is a query that returns a ratio directly; RawFailure says it is
	// the ratio of bad events (else of good events).
	Raw        Query
	RawFailure bool
	// Metric, Op and Value make a threshold SLI: a point is good when
	// Metric Op Value holds.
	Metric Query
	Op     Op
	Value  float64
	// Source names the data source the queries are for (an OpenSLO
	// DataSource), when given.
	Source string
}

// Op compares a metric with a threshold.
type Op string

// Comparison operators (OpenSLO's names).
const (
	LT  Op = "lt"
	LTE Op = "lte"
	GT  Op = "gt"
	GTE Op = "gte"
)

// PromQL is the operator's PromQL spelling (<, <=, >, >=).
func (o Op) PromQL() string {
	switch o {
	case LT:
		return "<"
	case LTE:
		return "<="
	case GT:
		return ">"
	case GTE:
		return ">="
	}
	return ""
}

// Holds reports whether v op threshold holds.
func (o Op) Holds(v, threshold float64) bool {
	switch o {
	case LT:
		return v < threshold
	case LTE:
		return v <= threshold
	case GT:
		return v > threshold
	case GTE:
		return v >= threshold
	}
	return false
}

// IsRatio reports whether the indicator is a ratio of events.
func (in Indicator) IsRatio() bool { return in.Metric.IsZero() }

// IsThreshold reports whether the indicator compares a metric with a value.
func (in Indicator) IsThreshold() bool { return !in.Metric.IsZero() }

// Availability is the indicator of a request counter split by status code:
// events are requests, bad events are those whose codeLabel matches
// errorCodes (a regular expression such as "5..").
func Availability(counter Selector, codeLabel, errorCodes string) Indicator {
	if codeLabel == "" {
		codeLabel = DefaultCodeLabel
	}
	if errorCodes == "" {
		errorCodes = DefaultErrorCodes
	}
	return Indicator{
		Bad:   SelectorQuery(counter.With(Matcher{Label: codeLabel, Op: "=~", Value: errorCodes})),
		Total: SelectorQuery(counter),
	}
}

// Latency is the indicator "requests served within threshold" from a
// Prometheus histogram: good events are the bucket le=threshold (which must
// be one of the histogram's bucket bounds), all events its _count. The
// selector's metric is the histogram's base name, without _bucket. The le
// matcher accepts both spellings of a whole number of seconds ("1" and
// "1.0": Prometheus 3 and protobuf scrapes store the latter).
func Latency(histogram Selector, threshold time.Duration) Indicator {
	good := Selector{Metric: histogram.Metric + "_bucket", Matchers: histogram.Matchers}
	good = good.With(LeMatcher(threshold))
	total := Selector{Metric: histogram.Metric + "_count", Matchers: histogram.Matchers}
	return Indicator{Good: SelectorQuery(good), Total: SelectorQuery(total)}
}

// NativeLatency is Latency for a native histogram (Prometheus 2.40 and
// later, scraped with native histograms on): good events are the count of
// observations up to threshold, histogram_fraction(0, threshold) of all,
// and all events histogram_count. The selector names the histogram itself.
func NativeLatency(histogram Selector, threshold time.Duration) Indicator {
	rate := "rate(" + histogram.String() + "[" + WindowPlaceholder + "])"
	by := groupPlaceholder
	return Indicator{
		Good: Query{Expr: histogram.String(), Kind: PerSecond, native: true,
			template: fmt.Sprintf("histogram_fraction(0, %s, sum%s(%s)) * histogram_count(sum%s(%s))", LeValue(threshold), by, rate, by, rate)},
		Total: Query{Expr: histogram.String(), Kind: PerSecond, native: true,
			template: fmt.Sprintf("histogram_count(sum%s(%s))", by, rate)},
	}
}

// LeValue writes a latency bound as Prometheus client libraries write a
// bucket's le label: seconds, shortest form (0.3, 1, 2.5).
func LeValue(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

// LeMatcher matches a bucket's le label for a latency bound in both the
// shortest form ("1", "0.3") and the form Prometheus 3 and protobuf scrapes
// store whole numbers in ("1.0"): le=~"1|1.0" (the dot escaped).
func LeMatcher(d time.Duration) Matcher {
	v := LeValue(d)
	if strings.ContainsAny(v, ".eE") {
		return Matcher{Label: "le", Op: "=", Value: v}
	}
	return Matcher{Label: "le", Op: "=~", Value: v + `|` + v + `\.0`}
}

// Validate reports everything wrong with s, in one error.
func (s SLO) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s.Name == "" {
		add("the SLO has no name")
	}
	if math.IsNaN(s.Target) || s.Target <= 0 || s.Target >= 1 {
		add("target %v: want a fraction between 0 and 1 (99.9%% is 0.999); 100%% leaves no error budget", s.Target)
	}
	if err := s.Window.Validate(); err != nil {
		errs = append(errs, err)
	}
	switch s.Budgeting {
	case "", Occurrences:
	case Timeslices:
		if s.TimeSlice.Window <= 0 {
			add("Timeslices budgeting needs a time slice window")
		} else if s.Window.Length > 0 && s.TimeSlice.Window > s.Window.Length {
			add("time slice %v is longer than the window %v", s.TimeSlice.Window, s.Window.Length)
		}
		if s.Indicator.IsRatio() && (s.TimeSlice.Target <= 0 || s.TimeSlice.Target > 1) {
			add("time slice target %v: want a fraction in (0, 1]", s.TimeSlice.Target)
		}
	default:
		add("budgeting method %q: headroom supports Occurrences and Timeslices", s.Budgeting)
	}
	if err := s.Indicator.validate(); err != nil {
		errs = append(errs, err)
	}
	for k := range s.Labels {
		if !validLabelName(k) || reservedLabel(k) {
			add("label %q: want a Prometheus label name other than %s", k, strings.Join(ReservedLabels, ", "))
		}
	}
	seen := map[string]bool{}
	for _, g := range s.Grouping {
		switch {
		case !validLabelName(g) || reservedLabel(g) || g == "le":
			add("grouping label %q: want a label of the SLI's series other than le and %s", g, strings.Join(ReservedLabels, ", "))
		case seen[g]:
			add("grouping label %q is given twice", g)
		case s.Labels[g] != "":
			add("grouping label %q is also a fixed label of the SLO", g)
		}
		seen[g] = true
	}
	if len(s.Grouping) > 0 && !s.Indicator.Raw.IsZero() {
		add("a raw ratio SLI can't be grouped: give good (or bad) and total queries")
	}
	if written, err := s.Indicator.WrittenGrouping(); err != nil {
		errs = append(errs, err)
	} else if len(written) > 0 && !sameSet(written, s.Grouping) {
		add("the SLI's queries sum by (%s) but the SLO is grouped by (%s): declare the grouping (%s) or drop the by clause",
			strings.Join(written, ", "), strings.Join(s.Grouping, ", "), strings.Join(written, ", "))
	}
	if s.Service != "" && !validLabelValue(s.Service) {
		add("service %q: want a name without control characters", s.Service)
	}
	errs = append(errs, s.Alerting.validate(s.Grouping)...)
	tiers := s.Alerting.Tiers
	for i, b := range tiers {
		switch {
		case b.Severity == "":
			add("alert tier %d has no severity", i+1)
		case b.Long <= 0 || b.Short <= 0 || b.Short >= b.Long:
			add("alert tier %d: want a short window shorter than the long one, got %v and %v", i+1, b.Short, b.Long)
		case b.Consumed <= 0 || b.Consumed > 1:
			add("alert tier %d: the budget consumed must be a fraction in (0, 1], got %v", i+1, b.Consumed)
		case s.Window.Length > 0 && b.Factor(s.Window.Length) < 1-1e-9:
			add("alert tier %d (%s of the budget in %s) alerts at a burn rate of %.2g over the %s period: below 1, it would alert on a service spending its budget no faster than allowed",
				i+1, FormatPercent(b.Consumed), PromDuration(b.Long), b.Factor(s.Window.Length), PromDuration(s.Window.Length))
		case b.Long > s.Window.Length && s.Window.Length > 0:
			add("alert tier %d: its %s window is longer than the SLO's %s", i+1, PromDuration(b.Long), PromDuration(s.Window.Length))
		}
	}
	return errors.Join(errs...)
}

// validate checks the alert names and labels an SLO's alerting sets: an
// alert label may set severity (a routing convention such as "critical"),
// never the labels that say which SLO and group an alert is about.
func (a Alerting) validate(grouping []string) []error {
	var errs []error
	name := func(where, n string) {
		if n != "" && !validMetricName(n) {
			errs = append(errs, fmt.Errorf("%s %q: an alert name is a Prometheus metric name (letters, digits, _ and :)", where, n))
		}
	}
	labels := func(where string, m map[string]string) {
		for k := range m {
			if !validLabelName(k) || (k != "severity" && reservedLabel(k)) || slices.Contains(grouping, k) {
				errs = append(errs, fmt.Errorf("%s label %q: want a Prometheus label name other than slo, service, objective, long, short and the grouping labels (severity may be set)", where, k))
			}
		}
	}
	name("alert name", a.Name)
	labels("alert", a.Labels)
	for i, b := range a.Tiers {
		where := fmt.Sprintf("alert tier %d", i+1)
		name(where+" name", b.Name)
		labels(where, b.Labels)
		if b.For < 0 {
			errs = append(errs, fmt.Errorf("%s: for %v is negative", where, b.For))
		}
	}
	return errs
}

func validMetricName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r == ':' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')) {
			return false
		}
	}
	return s != ""
}

// ReservedLabels are the labels headroom's rules set themselves.
var ReservedLabels = []string{"slo", "service", "objective", "severity", "long", "short"}

func reservedLabel(k string) bool {
	return strings.HasPrefix(k, "__") || slices.Contains(ReservedLabels, k)
}

func validLabelValue(v string) bool {
	return !strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func (in Indicator) validate() error {
	ratio := !in.Total.IsZero() || !in.Good.IsZero() || !in.Bad.IsZero()
	n := 0
	for _, b := range []bool{ratio, !in.Raw.IsZero(), !in.Metric.IsZero()} {
		if b {
			n++
		}
	}
	switch {
	case n == 0:
		return errors.New("the indicator has no queries")
	case n > 1:
		return errors.New("the indicator mixes a ratio of events, a raw ratio and a threshold metric; give one")
	case ratio && in.Total.IsZero():
		return errors.New("a ratio indicator needs total")
	case ratio && in.Good.IsZero() == in.Bad.IsZero():
		return errors.New("a ratio indicator needs exactly one of good and bad")
	case !in.Metric.IsZero() && in.Op.PromQL() == "":
		return fmt.Errorf("threshold operator %q: want lt, lte, gt or gte", in.Op)
	}
	return nil
}

// ErrorBudget is the fraction of events allowed to be bad: 1 − Target,
// rounded to 12 decimals so that 1 − 0.999 is 0.001 in rules and messages.
func (s SLO) ErrorBudget() float64 { return math.Round((1-s.Target)*1e12) / 1e12 }

// ID names the SLO, for messages and uniqueness: its service, name and
// objective, "checkout/availability/fast" ("availability" without a
// service or an objective). Two SLOs of different services may share a
// name; their IDs differ.
func (s SLO) ID() string {
	id := s.Name
	if s.Service != "" {
		id = s.Service + "/" + id
	}
	if s.Objective != "" {
		id += "/" + s.Objective
	}
	return id
}

// BudgetingMethod is s.Budgeting with its default filled in.
func (s SLO) BudgetingMethod() Budgeting {
	if s.Budgeting == "" {
		return Occurrences
	}
	return s.Budgeting
}

// IdentityLabels are the labels that tell the SLO's series from any
// other SLO's: slo, service (when set) and objective (when set).
func (s SLO) IdentityLabels() []Label {
	out := []Label{{"slo", s.Name}}
	if s.Service != "" {
		out = append(out, Label{"service", s.Service})
	}
	if s.Objective != "" {
		out = append(out, Label{"objective", s.Objective})
	}
	return out
}

// RuleLabels are the labels on the SLO's rules: its identity labels and
// the extra Labels, sorted by name.
func (s SLO) RuleLabels() []Label {
	out := s.IdentityLabels()
	keys := make([]string, 0, len(s.Labels))
	for k := range s.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, Label{k, s.Labels[k]})
	}
	return out
}

// Label is a Prometheus label.
type Label struct{ Name, Value string }

// FormatPercent writes a fraction exactly as a percentage without trailing
// zeros: 0.999 → "99.9%", 0.0144 → "1.44%". It is the spelling of an
// objective or a policy as written in SLO files and rules, which reads back;
// measured figures for people use units.Percent.
func FormatPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*100*1e9)/1e9, 'f', -1, 64) + "%"
}

// WrittenGrouping is the grouping the indicator's event queries write in
// their own sum by (…): the same for every query that writes one, or an
// error when they disagree.
func (in Indicator) WrittenGrouping() ([]string, error) {
	var out []string
	for _, q := range []Query{in.Good, in.Bad, in.Total} {
		w := q.WrittenGrouping()
		if len(w) == 0 {
			continue
		}
		if out != nil && !sameSet(out, w) {
			return nil, fmt.Errorf("the SLI's queries group differently, by (%s) and by (%s): group every query by the same labels",
				strings.Join(out, ", "), strings.Join(w, ", "))
		}
		out = w
	}
	return out, nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
