package spec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/slo"
)

// OpenSLO alert policies, honoured as burn-rate tiers.
//
// Each burnrate condition of a policy that alerts when breaching becomes one
// slo.BurnAlert: severity is the condition's severity, lower-cased; the
// long window is lookbackWindow; the threshold is the burn rate (op gt or
// gte), so consumed = threshold × lookbackWindow / the SLO's window; the
// short window, which makes the alert stop soon after the burning does, is
// a twelfth of lookbackWindow (at least 2m); alertAfter, how long the
// condition must hold before the alert fires, is the alert's for.
// alertWhenNoData: true adds the absent alert.

// osloInline is an OpenSLO object written inline where a reference could
// stand ({kind: AlertPolicy, metadata, spec}, as the OpenSLO Go SDK writes
// them); its spec is decoded when it is resolved.
type osloInline struct {
	APIVersion string        `yaml:"apiVersion"`
	Kind       string        `yaml:"kind"`
	Metadata   *osloMetadata `yaml:"metadata"`
	Spec       *yaml.Node    `yaml:"spec"`
}

// given reports whether anything of an inline object is written.
func (o osloInline) given() bool {
	return o.Spec != nil || o.Metadata != nil || o.Kind != "" || o.APIVersion != ""
}

// check checks the kind and apiVersion of an inline object at path, which
// must be of kind want, and that it has a spec; its name (or, without one,
// where it is) comes back for messages.
func (o osloInline) check(d *Document, path, want string) (name string, ok bool) {
	if o.APIVersion != "" && o.APIVersion != OpenSLOVersion {
		d.Errorf(join(path, "apiVersion"), "want %s (or nothing) inline, got %q", OpenSLOVersion, o.APIVersion)
	}
	if o.Kind != "" && o.Kind != want {
		d.Errorf(join(path, "kind"), "want %s here, got %q", want, o.Kind)
		return "", false
	}
	if o.Spec == nil {
		d.Errorf(path, "missing spec (or a reference)")
		return "", false
	}
	name = "at " + where(d, path)
	if o.Metadata != nil {
		checkName(d, join(path, "metadata.name"), o.Metadata.Name)
		checkLabels(d, join(path, "metadata.labels"), o.Metadata.Labels)
		if o.Metadata.Name != "" {
			name = o.Metadata.Name
		}
	}
	return name, true
}

// osloAlertPolicyItem is an item of an SLO's alertPolicies: an
// alertPolicyRef, or a policy written inline.
type osloAlertPolicyItem struct {
	AlertPolicyRef string     `yaml:"alertPolicyRef"`
	Inline         osloInline `yaml:",inline"`
}

type osloAlertPolicySpec struct {
	Description         string                `yaml:"description"`
	AlertWhenNoData     bool                  `yaml:"alertWhenNoData"`
	AlertWhenResolved   bool                  `yaml:"alertWhenResolved"`
	AlertWhenBreaching  bool                  `yaml:"alertWhenBreaching"`
	Conditions          []osloConditionItem   `yaml:"conditions" spec:"required"`
	NotificationTargets []osloTargetReference `yaml:"notificationTargets"`
}

// osloConditionItem is a policy's condition: a conditionRef or inline.
type osloConditionItem struct {
	ConditionRef string     `yaml:"conditionRef"`
	Inline       osloInline `yaml:",inline"`
}

// osloTargetReference is a policy's notification target: a targetRef or
// inline.
type osloTargetReference struct {
	TargetRef string     `yaml:"targetRef"`
	Inline    osloInline `yaml:",inline"`
}

type osloTargetSpec struct {
	Description string `yaml:"description"`
	Target      string `yaml:"target" spec:"required"`
}

type osloAlertConditionSpec struct {
	Description string        `yaml:"description"`
	Severity    string        `yaml:"severity" spec:"required"`
	Condition   osloCondition `yaml:"condition" spec:"required"`
}

type osloCondition struct {
	Kind           string   `yaml:"kind"`
	Op             string   `yaml:"op"`
	Threshold      *float64 `yaml:"threshold"`
	LookbackWindow string   `yaml:"lookbackWindow"`
	AlertAfter     string   `yaml:"alertAfter"`
}

// policyEntry is an alert policy: a kind AlertPolicy object or one
// written inline in an SLO. It is resolved once.
type policyEntry struct {
	d    *Document
	path string // of the policy object ("" for a document of its own)
	name string
	node *yaml.Node // its spec, decoded when resolved
	spec osloAlertPolicySpec

	resolved, ok bool
	conditions   []*conditionEntry
	targets      []string
}

// conditionEntry is an alert condition, of its own kind or inline.
type conditionEntry struct {
	d    *Document
	path string
	name string
	node *yaml.Node

	resolved, ok      bool
	severity          string
	threshold         float64
	long, short, wait time.Duration // lookbackWindow, the short window, alertAfter
}

func (c *conditionEntry) where() string { return where(c.d, c.path) }

// where is the file and line of the value at path, for messages.
func where(d *Document, path string) string { return fmt.Sprintf("%s:%d", d.File, d.Pos(path).Line) }

// addPolicy records an AlertPolicy document.
func (r *sloReader) addPolicy(d *Document, meta osloMetadata, spec *yaml.Node) {
	if !r.firstDefinition(d, "AlertPolicy", meta.Name) {
		return
	}
	if r.policies == nil {
		r.policies = map[string]*policyEntry{}
	}
	r.policies[meta.Name] = &policyEntry{d: d, name: meta.Name, node: spec}
}

// addCondition records an AlertCondition document.
func (r *sloReader) addCondition(d *Document, meta osloMetadata, spec *yaml.Node) {
	if !r.firstDefinition(d, "AlertCondition", meta.Name) {
		return
	}
	if r.conditions == nil {
		r.conditions = map[string]*conditionEntry{}
	}
	r.conditions[meta.Name] = &conditionEntry{d: d, name: meta.Name, node: spec}
}

// firstDefinition records the name of an object of a kind (SLI,
// AlertPolicy…) and reports a second definition; false for a second.
func (r *sloReader) firstDefinition(d *Document, kind, name string) bool {
	if name == "" {
		return true // reported as missing
	}
	if r.defined == nil {
		r.defined = map[string]string{}
	}
	key := kind + "/" + name
	if first, ok := r.defined[key]; ok {
		d.Errorf("metadata.name", "%s %q is defined twice (first at %s)", kind, name, first)
		return false
	}
	r.defined[key] = where(d, "metadata.name")
	return true
}

// policy returns the policy an SLO's alertPolicies item names or holds.
func (r *sloReader) policy(d *Document, path string, item osloAlertPolicyItem) *policyEntry {
	switch {
	case item.AlertPolicyRef != "" && item.Inline.given():
		d.Errorf(join(path, "alertPolicyRef"), "give alertPolicyRef or an inline policy, not both")
		return nil
	case item.AlertPolicyRef != "":
		p := r.policies[item.AlertPolicyRef]
		if p == nil {
			d.Errorf(join(path, "alertPolicyRef"), "no AlertPolicy named %q in the files read%s", item.AlertPolicyRef, names(r.policies))
		}
		return p
	}
	name, ok := item.Inline.check(d, path, "AlertPolicy")
	if !ok {
		return nil
	}
	return &policyEntry{d: d, path: path, node: item.Inline.Spec, name: name}
}

func names[T any](m map[string]T) string {
	if len(m) == 0 {
		return ""
	}
	var out []string
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return " (" + strings.Join(out, ", ") + ")"
}

// resolvePolicy decodes and checks a policy once, with its conditions.
func (r *sloReader) resolvePolicy(p *policyEntry) {
	if p.resolved {
		return
	}
	p.resolved = true
	d := p.d
	n := len(d.Problems())
	at := func(field string) string { return join(join(p.path, "spec"), field) }
	d.DecodeNode(p.node, join(p.path, "spec"), &p.spec)
	sp := p.spec
	if !sp.AlertWhenBreaching && !sp.AlertWhenNoData {
		also := ""
		if sp.AlertWhenResolved {
			also = " (alertWhenResolved alone notifies of nothing that fired)"
		}
		d.Errorf(join(p.path, "spec"), "alert policy %s alerts on nothing headroom can write%s: set alertWhenBreaching: true (burn-rate alerts from its conditions) or alertWhenNoData: true (an alert when the SLI's metrics are missing)", p.name, also)
	}
	if _, given := fieldSeen(d, at("conditions")); given && len(sp.Conditions) == 0 {
		d.Errorf(at("conditions"), "needs a condition, such as {conditionRef: fast-burn}")
	}
	for i, item := range sp.Conditions {
		path := fmt.Sprintf("%s[%d]", at("conditions"), i)
		var c *conditionEntry
		switch {
		case item.ConditionRef != "" && item.Inline.given():
			d.Errorf(join(path, "conditionRef"), "give conditionRef or an inline condition, not both")
		case item.ConditionRef != "":
			c = r.conditions[item.ConditionRef]
			if c == nil {
				d.Errorf(join(path, "conditionRef"), "no AlertCondition named %q in the files read%s", item.ConditionRef, names(r.conditions))
			}
		default:
			if name, ok := item.Inline.check(d, path, "AlertCondition"); ok {
				c = &conditionEntry{d: d, path: path, node: item.Inline.Spec, name: name}
			}
		}
		if c != nil {
			r.resolveCondition(c)
			p.conditions = append(p.conditions, c)
		}
	}
	for i, t := range sp.NotificationTargets {
		path := fmt.Sprintf("%s[%d]", at("notificationTargets"), i)
		switch {
		case t.TargetRef != "" && t.Inline.given():
			d.Errorf(join(path, "targetRef"), "give targetRef or an inline target, not both")
		case t.TargetRef != "":
			p.targets = append(p.targets, t.TargetRef)
		default:
			if name, ok := t.Inline.check(d, path, "AlertNotificationTarget"); ok {
				var ts osloTargetSpec
				d.DecodeNode(t.Inline.Spec, join(path, "spec"), &ts)
				if t.Inline.Metadata == nil || t.Inline.Metadata.Name == "" {
					name = ts.Target
				}
				p.targets = append(p.targets, name)
			}
		}
	}
	p.ok = len(d.Problems()) == n
	for _, c := range p.conditions {
		p.ok = p.ok && c.ok
	}
}

var zeroDuration = regexp.MustCompile(`^0+(ms|s|m|h|d|w|M|Q|Y)?$`)

// resolveCondition decodes and checks a condition once: what does not
// depend on the SLO it alerts for.
func (r *sloReader) resolveCondition(c *conditionEntry) {
	if c.resolved {
		return
	}
	c.resolved = true
	d := c.d
	n := len(d.Problems())
	base := join(c.path, "spec")
	at := func(field string) string { return join(base, "condition."+field) }
	var sp osloAlertConditionSpec
	d.DecodeNode(c.node, base, &sp)
	if c.node == nil || isNull(c.node) {
		d.Errorf(c.path, "missing required field %q", "spec")
	}
	cond := sp.Condition
	c.severity = strings.ToLower(strings.TrimSpace(sp.Severity))
	if _, given := fieldSeen(d, join(base, "severity")); given {
		checkSeverity(d, join(base, "severity"), sp.Severity)
	}
	if cond.Kind != "" && !strings.EqualFold(cond.Kind, "burnrate") {
		d.Errorf(at("kind"), "headroom honours burnrate conditions only (alerts on the burn rate over lookbackWindow), got %q", cond.Kind)
	}
	switch slo.Op(strings.ToLower(cond.Op)) {
	case slo.GT, slo.GTE:
	case slo.LT, slo.LTE:
		d.Errorf(at("op"), "op %s would alert while the budget burns slowly; headroom alerts when the burn rate exceeds the threshold: write op: gt (or gte)", cond.Op)
	case "":
		if _, given := fieldSeen(d, join(base, "condition")); given {
			d.Errorf(join(base, "condition"), "missing op: write op: gt (alert when the burn rate exceeds the threshold)")
		}
	default:
		d.Errorf(at("op"), "want gt or gte, got %q", cond.Op)
	}
	switch {
	case cond.Threshold == nil:
		if _, given := fieldSeen(d, join(base, "condition")); given {
			d.Errorf(join(base, "condition"), "missing threshold: the burn rate to alert above, such as 14.4")
		}
	case *cond.Threshold < 1:
		d.Errorf(at("threshold"), "a burn rate below 1 alerts on a service spending its budget no faster than allowed: want at least 1, got %v", *cond.Threshold)
	default:
		c.threshold = *cond.Threshold
	}
	if cond.LookbackWindow == "" {
		if _, given := fieldSeen(d, join(base, "condition")); given {
			d.Errorf(join(base, "condition"), "missing lookbackWindow: the window the burn rate is measured over, such as 1h")
		}
	} else if w, err := parseWindow(cond.LookbackWindow); err != nil {
		d.Errorf(at("lookbackWindow"), "want a window such as 1h or 1d, got %q", cond.LookbackWindow)
	} else if w < slo.MinLongWindow {
		d.Errorf(at("lookbackWindow"), "%s is too short for a rate: want at least %s", cond.LookbackWindow, slo.PromDuration(slo.MinLongWindow))
	} else {
		c.long = w
	}
	if a := strings.TrimSpace(cond.AlertAfter); a != "" && !zeroDuration.MatchString(a) {
		if w, err := parseWindow(a); err != nil {
			d.Errorf(at("alertAfter"), "want a duration such as 5m, got %q", cond.AlertAfter)
		} else if c.long > 0 && w > c.long {
			d.Errorf(at("alertAfter"), "%s is longer than lookbackWindow (%s): the burn would have to last longer than the window that measures it; want at most %s", a, cond.LookbackWindow, cond.LookbackWindow)
		} else {
			c.wait = w
		}
	}
	if c.long > 0 {
		c.short = defaultShort(c.long)
		if c.short >= c.long {
			d.Errorf(at("lookbackWindow"), "%s leaves no room for a short window of at least %s", cond.LookbackWindow, slo.PromDuration(slo.MinShortWindow))
		}
	}
	c.ok = len(d.Problems()) == n
}

// fieldSeen reports whether the decoder met a value at path.
func fieldSeen(d *Document, path string) (Pos, bool) {
	p, ok := d.pos[path]
	return p, ok
}

// alertPolicies honours an OpenSLO SLO's alertPolicies: their burn-rate
// conditions replace the tiers derived from the window, and
// alertWhenNoData turns the absent alert on.
func (r *sloReader) alertPolicies(e *sloEntry, s *slo.SLO) {
	d := e.d
	if len(e.spec.AlertPolicies) == 0 {
		return
	}
	window := s.Window.Length
	var tiers []slo.BurnAlert
	ok := true
	for i, item := range e.spec.AlertPolicies {
		path := fmt.Sprintf("spec.alertPolicies[%d]", i)
		p := r.policy(d, path, item)
		if p == nil {
			ok = false
			continue
		}
		r.resolvePolicy(p)
		if !p.ok {
			ok = false
			continue
		}
		if len(p.targets) > 0 {
			r.note("alert policy %s: its notification targets (%s) are not used: headroom writes Prometheus alerts; route them with Alertmanager (on the slo and severity labels)",
				p.name, strings.Join(p.targets, ", "))
		}
		if p.spec.AlertWhenResolved {
			r.note("alert policy %s: alertWhenResolved is Alertmanager's to do (send_resolved in the receiver)", p.name)
		}
		if p.spec.AlertWhenNoData {
			s.Alerting.Absent = true
		}
		if !p.spec.AlertWhenBreaching {
			if len(p.conditions) > 0 {
				r.note("alert policy %s alerts only when the SLI has no data (alertWhenBreaching is not set): its conditions make no burn-rate alert", p.name)
			}
			continue
		}
		for _, c := range p.conditions {
			if window <= 0 {
				continue
			}
			consumed := c.threshold * float64(c.long) / float64(window)
			switch {
			case c.long > window:
				d.Errorf(path, "alert condition %s (%s) looks back %s, longer than the SLO's %s window", c.name, c.where(), slo.PromDuration(c.long), slo.PromDuration(window))
				ok = false
				continue
			case consumed > 1+1e-9:
				d.Errorf(path, "alert condition %s (%s): a burn rate of %v over %s spends more than the whole budget of the %s window; want a threshold of at most %.4g (window / lookbackWindow)",
					c.name, c.where(), c.threshold, slo.PromDuration(c.long), slo.PromDuration(window), float64(window)/float64(c.long))
				ok = false
				continue
			}
			tiers = append(tiers, slo.BurnAlert{Severity: slo.Severity(c.severity), Long: c.long, Short: c.short, Consumed: min(consumed, 1), For: c.wait})
		}
	}
	if !ok || window <= 0 {
		return
	}
	if len(tiers) == 0 {
		// The policies ask for no burn-rate alert: none is written.
		derived, _ := slo.TiersFor(window)
		for i := range derived {
			derived[i].Disabled = true
		}
		tiers = derived
		r.note("SLO %s: its alert policies define no burn-rate alert, so none is written", e.meta.Name)
	}
	s.Alerting.Tiers = tiers
}

// checkUnusedAlerting checks the alert policies and conditions no SLO
// refers to.
func (r *sloReader) checkUnusedAlerting() {
	for _, p := range r.policies {
		r.resolvePolicy(p)
	}
	for _, c := range r.conditions {
		r.resolveCondition(c)
	}
}
