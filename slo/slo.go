package slo

import (
	"errors"
	"fmt"
	"math"
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
	// CurrentBurnWindow is the window whose burn rate counts as "now" when
	// estimating how long the budget lasts.
	CurrentBurnWindow = time.Hour
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
// selector's metric is the histogram's base name, without _bucket.
func Latency(histogram Selector, threshold time.Duration) Indicator {
	good := Selector{Metric: histogram.Metric + "_bucket", Matchers: histogram.Matchers}
	good = good.With(Matcher{Label: "le", Op: "=", Value: LeValue(threshold)})
	total := Selector{Metric: histogram.Metric + "_count", Matchers: histogram.Matchers}
	return Indicator{Good: SelectorQuery(good), Total: SelectorQuery(total)}
}

// LeValue writes a latency bound as Prometheus client libraries write a
// bucket's le label: seconds, shortest form (0.3, 1, 2.5).
func LeValue(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

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
		if !validLabelName(k) || k == "slo" || k == "objective" || k == "severity" || strings.HasPrefix(k, "__") {
			add("label %q: want a Prometheus label name other than slo, objective and severity", k)
		}
	}
	return errors.Join(errs...)
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

// ID names the SLO and its objective, for messages: "checkout" or
// "checkout/fast".
func (s SLO) ID() string {
	if s.Objective == "" {
		return s.Name
	}
	return s.Name + "/" + s.Objective
}

// BudgetingMethod is s.Budgeting with its default filled in.
func (s SLO) BudgetingMethod() Budgeting {
	if s.Budgeting == "" {
		return Occurrences
	}
	return s.Budgeting
}

// RuleLabels are the labels that identify the SLO's rules: slo, objective
// (when set) and the extra Labels, sorted by name.
func (s SLO) RuleLabels() []Label {
	out := []Label{{"slo", s.Name}}
	if s.Objective != "" {
		out = append(out, Label{"objective", s.Objective})
	}
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

// FormatPercent writes a fraction as a percentage without trailing
// zeros: 0.999 → "99.9%".
func FormatPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*100*1e9)/1e9, 'f', -1, 64) + "%"
}
