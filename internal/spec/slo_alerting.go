package spec

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/slo"
)

// Alerting is the compact form's alerting block: it tunes the alerts
// headroom writes for the SLO. Every field is optional; see [SLOs] for an
// example.
type Alerting struct {
	// Name is the burn-rate alerts' name (ErrorBudgetBurn when empty).
	Name string `yaml:"name"`
	// Absent also alerts when the SLI's metrics are missing.
	Absent bool `yaml:"absent"`
	// Runbook is a link for the person paged.
	Runbook string `yaml:"runbook"`
	// Labels and Annotations are added to every alert.
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
	// BudgetAlert: false leaves out the alert on an exhausted budget.
	BudgetAlert *bool `yaml:"budgetAlert"`
	// Tiers are the burn-rate tiers: default (derived from the window), or
	// a list that replaces them.
	Tiers Tiers `yaml:"tiers"`
	// Disable leaves out tiers: each item is a severity (every tier of it)
	// or a tier's long window (6h).
	Disable []string `yaml:"disable"`
}

// Tiers is the tiers key of the alerting block: the word default, or a
// list of tiers.
type Tiers struct {
	// List holds the tiers when given; nil means the derived tiers.
	List []Tier
}

// UnmarshalSpec implements Unmarshaler.
func (t *Tiers) UnmarshalSpec(d *Document, n *yaml.Node, path string) {
	switch {
	case isNull(n), n.Kind == yaml.ScalarNode && n.Value == "default" && n.Tag == "!!str":
		t.List = nil
	case n.Kind == yaml.SequenceNode:
		d.DecodeNode(n, path, &t.List)
		if len(t.List) == 0 {
			d.Errorf(path, "no tiers: write tiers: default for the tiers derived from the window, or disable: [page, ticket] for no burn-rate alert")
		}
	default:
		d.Errorf(path, "want default (the tiers derived from the window) or a list of tiers like {severity: page, long: 1h, consumed: 2%%}, got %s", describe(n))
	}
}

// Tier is one burn-rate tier of the compact form (an slo.BurnAlert).
type Tier struct {
	// Severity is the alert's severity label: page, ticket…
	Severity string `yaml:"severity" spec:"required"`
	// Long is the window the burn rate is measured over (required).
	Long time.Duration `yaml:"long"`
	// Short confirms the burning goes on; it defaults to Long/12, at least
	// slo.MinShortWindow.
	Short time.Duration `yaml:"short"`
	// Consumed (a share of the window's budget spent within Long) or Factor
	// (the burn rate) sets the threshold; give one.
	Consumed *BudgetShare `yaml:"consumed"`
	Factor   *float64     `yaml:"factor"`
	// Name overrides the alert's name for this tier.
	Name string `yaml:"name"`
	// For is how long the burn must last before the alert fires (the
	// alert's for); none by default.
	For time.Duration `yaml:"for"`
	// Disabled leaves the tier out.
	Disabled bool `yaml:"disabled"`
	// MinEvents is the least number of events Long must hold for the tier
	// to fire, or off.
	MinEvents MinEvents `yaml:"minEvents"`
	// Labels and Annotations are added to the tier's alert.
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// BudgetShare is a share of an error budget written as a percentage (2%)
// or a fraction (0.02), in (0, 1].
type BudgetShare struct{ Fraction float64 }

// UnmarshalSpec implements Unmarshaler.
func (b *BudgetShare) UnmarshalSpec(d *Document, n *yaml.Node, path string) {
	if f, ok := shareForm.read(d, n, path); ok {
		b.Fraction = f
	}
}

var shareForm = fractionForm{what: "a share of the budget", pct: "2%", frac: "0.02", full: true,
	outOfBounds: "want more than 0% and at most 100% of the budget"}

// MinEvents is a tier's minEvents: a number of events (at least 1), or off.
type MinEvents struct{ Value float64 }

// UnmarshalSpec implements Unmarshaler.
func (m *MinEvents) UnmarshalSpec(d *Document, n *yaml.Node, path string) {
	if isNull(n) {
		return // the default
	}
	if n.Kind == yaml.ScalarNode && (n.Value == "off" || n.Value == "false") {
		m.Value = -1
		return
	}
	var f float64
	before := len(d.Problems())
	d.DecodeNode(n, path, &f)
	if len(d.Problems()) > before {
		return
	}
	if f < 1 {
		d.Errorf(path, "want the least number of events the long window must hold (at least 1), or off")
		return
	}
	m.Value = f
}

// model checks the alerting block (at path) of an SLO whose window is
// window and returns it as the model's.
func (a *Alerting) model(d *Document, path string, window time.Duration, note func(string, ...any)) slo.Alerting {
	at := func(field string) string { return join(path, field) }
	out := slo.Alerting{Name: a.Name, Absent: a.Absent, Runbook: a.Runbook, Labels: a.Labels, Annotations: a.Annotations}
	if a.Name != "" && !metricName.MatchString(a.Name) {
		d.Errorf(at("name"), "%q can't be an alert name: want letters, digits and _ (CheckoutBudgetBurn)", a.Name)
	}
	checkLabelKeys(d, at("labels"), a.Labels, true)
	checkLabelKeys(d, at("annotations"), a.Annotations, false)
	if a.BudgetAlert != nil {
		out.NoBudgetAlert = !*a.BudgetAlert
	}
	for i, t := range a.Tiers.List {
		out.Tiers = append(out.Tiers, t.model(d, fmt.Sprintf("%s[%d]", at("tiers"), i), window))
	}
	if len(a.Disable) == 0 {
		return out
	}
	tiers := out.Tiers
	if tiers == nil {
		var why []string
		tiers, why = slo.TiersFor(window)
		if note != nil {
			for _, w := range why {
				note("%s", w)
			}
		}
	}
	for i, item := range a.Disable {
		p := fmt.Sprintf("%s[%d]", at("disable"), i)
		long, isWindow := time.Duration(0), false
		if w, err := parseWindow(item); err == nil {
			long, isWindow = w, true
		}
		matched := false
		for j := range tiers {
			if (isWindow && tiers[j].Long == long) || (!isWindow && string(tiers[j].Severity) == item) {
				tiers[j].Disabled, matched = true, true
			}
		}
		if !matched {
			d.Errorf(p, "no tier has severity or long window %q; the tiers are %s", item, describeTiers(tiers))
		}
	}
	out.Tiers = tiers
	return out
}

// parseWindow reads an alert window: 5m, 1h, 1d, 1w or a Go duration.
func parseWindow(s string) (time.Duration, error) {
	if n, u, err := parseOpenSLODuration(s); err == nil && u != slo.Month && u != slo.Quarter && u != slo.Year {
		return time.Duration(n) * u.Nominal(), nil
	}
	return sliceDuration(s)
}

// describeTiers lists tiers for a message: "page 1h, page 6h, ticket 1d".
func describeTiers(tiers []slo.BurnAlert) string {
	if len(tiers) == 0 {
		return "none"
	}
	var parts []string
	for _, t := range tiers {
		parts = append(parts, fmt.Sprintf("%s %s", t.Severity, slo.PromDuration(t.Long)))
	}
	return strings.Join(parts, ", ")
}

// defaultShort is a tier's short window when none is given: a twelfth of
// the long one, to the minute, at least slo.MinShortWindow.
func defaultShort(long time.Duration) time.Duration {
	return max((long / 12).Round(time.Minute), slo.MinShortWindow)
}

// model checks one tier (at path) and returns it as a burn alert.
func (t Tier) model(d *Document, path string, window time.Duration) slo.BurnAlert {
	at := func(field string) string { return join(path, field) }
	b := slo.BurnAlert{Severity: slo.Severity(t.Severity), Long: t.Long, Short: t.Short, Name: t.Name, Disabled: t.Disabled,
		MinEvents: t.MinEvents.Value, Labels: t.Labels, Annotations: t.Annotations, For: t.For}
	if t.For < 0 || (t.Long > 0 && t.For > t.Long) {
		d.Errorf(at("for"), "want a duration from 0 to the long window (%s), such as 2m", slo.PromDuration(t.Long))
	}
	checkSeverity(d, at("severity"), t.Severity)
	if t.Name != "" && !metricName.MatchString(t.Name) {
		d.Errorf(at("name"), "%q can't be an alert name: want letters, digits and _", t.Name)
	}
	checkLabelKeys(d, at("labels"), t.Labels, true)
	checkLabelKeys(d, at("annotations"), t.Annotations, false)
	if t.Long <= 0 {
		if !d.HasProblem(at("long")) {
			d.Errorf(at("long"), "want the long window, such as 1h")
		}
		return b
	}
	if b.Short == 0 {
		b.Short = defaultShort(t.Long)
	}
	n := len(d.Problems())
	switch {
	case t.Long < slo.MinLongWindow:
		d.Errorf(at("long"), "%s is too short for a rate: want at least %s", slo.PromDuration(t.Long), slo.PromDuration(slo.MinLongWindow))
	case window > 0 && t.Long > window:
		d.Errorf(at("long"), "%s is longer than the SLO's %s window", slo.PromDuration(t.Long), slo.PromDuration(window))
	case b.Short >= t.Long:
		d.Errorf(at("short"), "want a short window shorter than long (%s), such as %s", slo.PromDuration(t.Long), slo.PromDuration(defaultShort(t.Long)))
	case b.Short < slo.MinShortWindow:
		d.Errorf(at("short"), "%s is too short for a rate: want at least %s", slo.PromDuration(b.Short), slo.PromDuration(slo.MinShortWindow))
	}
	if len(d.Problems()) > n {
		return b // the windows are wrong: a threshold over them means nothing
	}
	switch {
	case t.Consumed != nil && t.Factor != nil:
		d.Errorf(at("factor"), "give consumed or factor, not both")
	case t.Consumed != nil:
		b.Consumed = t.Consumed.Fraction
		if window > 0 && b.Consumed > 0 && b.Factor(window) < 1-1e-9 {
			d.Errorf(at("consumed"), "%s of the budget in %s is a burn rate of %.3g over the %s window: below 1, it alerts on a service spending its budget no faster than allowed; want at least %s",
				slo.FormatPercent(b.Consumed), slo.PromDuration(t.Long), b.Factor(window), slo.PromDuration(window), slo.FormatPercent(float64(t.Long)/float64(window)))
		}
	case t.Factor != nil:
		f := *t.Factor
		switch {
		case f < 1:
			d.Errorf(at("factor"), "a burn rate below 1 alerts on a service spending its budget no faster than allowed: want at least 1, got %v", f)
		case window > 0 && f*float64(t.Long) > float64(window)*(1+1e-9):
			d.Errorf(at("factor"), "a burn rate of %v over %s spends more than the whole %s budget: want at most %.4g (window / long)",
				f, slo.PromDuration(t.Long), slo.PromDuration(window), float64(window)/float64(t.Long))
		case window > 0:
			b.Consumed = f * float64(t.Long) / float64(window)
		}
	default:
		d.Errorf(path, "give consumed (the share of the budget spent within long, such as 2%%) or factor (the burn rate, such as 14.4)")
	}
	return b
}

// checkSeverity checks a tier's severity: a label value, not empty.
func checkSeverity(d *Document, path, s string) {
	switch {
	case strings.TrimSpace(s) == "":
		d.Errorf(path, "want a severity such as page or ticket")
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		d.Errorf(path, "want a severity without control characters")
	}
}

// checkLabelKeys checks the keys of labels (rule labels when reserved, then
// headroom's own are refused) or annotations: Prometheus label names.
func checkLabelKeys(d *Document, path string, m map[string]string, reserved bool) {
	for k := range m {
		switch {
		case !labelName.MatchString(k):
			d.Errorf(join(path, k), "%q is not a label name: want letters, digits and _, not starting with a digit", k)
		case strings.HasPrefix(k, "__"):
			d.Errorf(join(path, k), "%q: names starting with __ are Prometheus's own", k)
		case reserved && slices.Contains(slo.ReservedLabels, k):
			d.Errorf(join(path, k), "%q can't be a rule label: headroom sets %s itself", k, strings.Join(slo.ReservedLabels, ", "))
		}
	}
}

// checkGrouping checks grouping labels; at gives the path of the i-th.
func checkGrouping(d *Document, at func(int) string, labels []string) {
	seen := map[string]bool{}
	for i, g := range labels {
		switch {
		case !labelName.MatchString(g):
			d.Errorf(at(i), "%q is not a label name", g)
		case g == "le" || strings.HasPrefix(g, "__") || slices.Contains(slo.ReservedLabels, g):
			d.Errorf(at(i), "can't group by %s: want a label of the SLI's series other than le and %s", g, strings.Join(slo.ReservedLabels, ", "))
		case seen[g]:
			d.Errorf(at(i), "%s is given twice", g)
		}
		seen[g] = true
	}
}

// sameLabels reports whether a and b hold the same labels in any order.
func sameLabels(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// metadataLabels turns OpenSLO metadata labels into rule labels: a list
// value is joined with ","; a key that is not a Prometheus label name is
// rewritten (every character other than a letter, digit or _ becomes _,
// and a leading digit gets a _ before it), and a note says so. Keys that
// would become headroom's own labels, start with __, hold no letter or
// digit, or collide with another key are refused.
func (r *sloReader) metadataLabels(d *Document, path, sloName string, labels map[string]any) map[string]string {
	if len(labels) == 0 {
		return nil
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := map[string]string{}
	from := map[string]string{}
	for _, k := range keys {
		name, ok := sanitizeLabel(k)
		at := join(path, k)
		switch {
		case !ok:
			d.Errorf(at, "%q can't be made a Prometheus label name (it needs a letter or digit); rename it", k)
			continue
		case strings.HasPrefix(name, "__"):
			d.Errorf(at, "%q would be the label %s, and names starting with __ are Prometheus's own; rename it", k, name)
			continue
		case slices.Contains(slo.ReservedLabels, name):
			d.Errorf(at, "%s is a label headroom sets itself (%s); rename it", name, strings.Join(slo.ReservedLabels, ", "))
			continue
		case from[name] != "":
			d.Errorf(at, "%q and %q would both be the label %s; rename one", from[name], k, name)
			continue
		}
		from[name] = k
		if name != k {
			r.note("SLO %s: the label %q is written %s, a Prometheus label name", sloName, k, name)
		}
		switch v := labels[k].(type) {
		case string:
			out[name] = v
		case []any:
			parts := make([]string, 0, len(v))
			for _, item := range v {
				if s, ok := item.(string); ok {
					parts = append(parts, s)
				}
			}
			out[name] = strings.Join(parts, ",")
		}
	}
	return out
}

// sanitizeLabel makes a Prometheus label name of an OpenSLO label key;
// false when it holds no letter or digit.
func sanitizeLabel(k string) (string, bool) {
	var b strings.Builder
	alnum := false
	for i, c := range k {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			alnum = true
			b.WriteRune(c)
		case c >= '0' && c <= '9':
			alnum = true
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String(), alnum
}
