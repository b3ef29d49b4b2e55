package spec

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/slo"
)

// API versions of SLO files.
const (
	OpenSLOVersion  = "openslo/v1"
	HeadroomVersion = "headroom/v1"
)

// SLOSet is what a set of SLO files holds.
type SLOSet struct {
	// SLOs are the objectives, one per OpenSLO objective, in file order.
	SLOs []slo.SLO
	// DataSources are the OpenSLO DataSource objects, by name.
	DataSources map[string]DataSource
	// Services are the names of the OpenSLO Service objects.
	Services []string
	// Notes say what of the files headroom accepted but does not act on
	// (notification targets: routing is Alertmanager's), or read in a way
	// worth knowing (a label key rewritten), one sentence each, for the
	// CLI to print.
	Notes []string
}

// DataSource is an OpenSLO DataSource: where an SLI's metrics live.
type DataSource struct {
	Name string
	Type string
	// URL is connectionDetails.url (or address), when given.
	URL string
	// Connection is connectionDetails as written: a mapping, or the
	// mappings of a list merged into one.
	Connection map[string]any
}

// SLOs reads the SLOs of a set of documents from one or more files:
// OpenSLO v1 objects (SLO, SLI, DataSource, Service, AlertPolicy,
// AlertCondition, AlertNotificationTarget) and headroom's compact SLO
// form. A file may hold one object per YAML document (---) or a YAML list
// of objects (as the OpenSLO Go SDK writes them). An SLO's indicatorRef,
// alertPolicyRef and conditionRef may name an object in any of the
// documents. Every problem of every document comes back at once, as
// Problems. SLO names are unique per service: checkout/availability and
// payments/availability are two SLOs.
//
// The compact form covers the common cases in ten lines:
//
//	apiVersion: headroom/v1
//	kind: SLO
//	name: checkout-availability
//	service: checkout
//	availability:
//	  metric: http_requests_total
//	  selector: {job: checkout}
//	  errorCodes: "5.."
//	objective: 99.9%
//	window: 30d
//
// or, for latency, `latency: {histogram: http_request_duration_seconds,
// selector: {job: checkout}, threshold: 300ms}`: the fraction of requests
// within the threshold, from the histogram's bucket le="0.3" (add
// `native: true` for a native histogram). The threshold sets le, so the
// selector may not; a threshold above an hour, or above the window, needs
// `allowLongThreshold: true`.
//
// `grouping: [route, tenant]` breaks the SLI down by those labels: each
// group has its own burn rate, budget and alerts.
//
// The alerting block tunes the alerts (every key is optional):
//
//	alerting:
//	  name: CheckoutBudgetBurn      # the burn-rate alerts' name
//	  runbook: https://runbooks.example.com/checkout
//	  absent: true                  # also alert when the SLI's metrics are missing
//	  budgetAlert: false            # no alert on an exhausted budget
//	  labels: {team: payments}      # on every alert
//	  annotations: {dashboard: https://grafana.example.com/d/checkout}
//	  tiers: default                # the tiers derived from the window (the default)
//	  disable: [ticket]             # leave out tiers, by severity or long window (6h)
//
// `tiers` may instead list the burn-rate tiers, replacing the derived ones:
//
//	tiers:
//	  - {severity: page, long: 1h, short: 5m, consumed: 2%}
//	  - {severity: page, long: 6h, factor: 6}   # short defaults to long/12
//	  - {severity: ticket, long: 3d, consumed: 10%, minEvents: 500, labels: {team: sre}}
//
// A tier alerts when the burn rate over long and short exceeds the rate
// that spends consumed of the window's budget within long; factor gives
// that burn rate instead (consumed = factor × long / window). A tier may
// also set name, disabled: true, minEvents (the events long must hold
// before the tier fires, or off), labels and annotations. Label keys are
// Prometheus label names other than slo, service, objective, severity,
// long and short.
//
// OpenSLO files stay portable: headroom reads its extras from
// annotations of the SLO — headroom/grouping ("route,tenant"; without it,
// a grouping the SLI's queries write in sum by (…) is adopted),
// headroom/absent-alert, headroom/budget-alert and headroom/runbook.
// metadata.labels become rule labels (a list value is joined with ",";
// keys that are not label names are rewritten, app.kubernetes.io/name to
// app_kubernetes_io_name, and said so in Notes). alertPolicies are
// honoured: each burnrate condition (op gt or gte, threshold = the burn
// rate, lookbackWindow = the long window) becomes a tier of severity
// condition.severity (lower-cased), its short window a twelfth of the
// long one (at least 2m), alertAfter its for (how long the burn must last
// before the alert fires); alertWhenNoData: true turns the absent alert on.
// What headroom can't honour (another condition kind, op lt or lte, a
// policy that alerts neither when breaching nor on missing data) is an
// error. Notification targets are accepted and left to Alertmanager, and
// Notes say so. As in OpenSLO's own examples, a ratio objective may carry
// op: gte or gt (and a value equal to its target), and a DataSource's
// connectionDetails may be a list of mappings.
func SLOs(docs []*Document) (*SLOSet, error) {
	docs = expandLists(docs)
	r := &sloReader{set: &SLOSet{DataSources: map[string]DataSource{}}, slis: map[string]*sliEntry{}, names: map[string]string{}}
	var slos []*sloEntry
	// First pass: decode every object, so references resolve in any order.
	for _, d := range docs {
		if isList(d.Root) {
			continue // an empty list, or a list in a list: reported by expandLists
		}
		var v string
		d.DecodeNode(d.Field("apiVersion"), "apiVersion", &v) // also positions messages about it
		switch {
		case v == OpenSLOVersion:
			if e := r.openSLO(d); e != nil {
				slos = append(slos, e)
			}
		case v == HeadroomVersion:
			r.compact(d)
		case strings.HasPrefix(v, "openslo"):
			d.Errorf("apiVersion", "%s is not supported; headroom reads %s", v, OpenSLOVersion)
		default:
			d.Errorf("apiVersion", "want %s or %s, got %q", OpenSLOVersion, HeadroomVersion, v)
		}
	}
	// Second pass: resolve references and build the model.
	for _, e := range slos {
		r.buildOpenSLO(e)
	}
	for _, e := range r.slis {
		r.resolveSLI(e) // SLIs no SLO refers to are checked too
	}
	r.checkUnusedAlerting() // and so are alert policies and conditions
	var problems Problems
	for _, d := range docs {
		problems = append(problems, d.Problems()...)
	}
	if len(problems) > 0 {
		return nil, problems.Sorted()
	}
	for name := range r.services {
		r.set.Services = append(r.set.Services, name)
	}
	sort.Strings(r.set.Services)
	return r.set, nil
}

func isList(n *yaml.Node) bool {
	n = resolve(n)
	return n != nil && n.Kind == yaml.SequenceNode
}

// expandLists replaces each document whose top node is a list (a file the
// OpenSLO Go SDK wrote) with one document per item.
func expandLists(docs []*Document) []*Document {
	var out []*Document
	for _, d := range docs {
		if !isList(d.Root) {
			out = append(out, d)
			continue
		}
		root := resolve(d.Root)
		for i, item := range root.Content {
			item = resolve(item)
			doc := &Document{File: d.File, Index: i, Root: item, Load: d.Load, pos: map[string]Pos{"": {item.Line, item.Column}}}
			if isList(item) {
				doc.Errorf("", "want an object (apiVersion, kind, …) here, got a list")
			}
			out = append(out, doc)
		}
		if len(root.Content) == 0 {
			d.Errorf("", "the list holds no object")
			out = append(out, d)
		}
	}
	return out
}

type sloReader struct {
	set      *SLOSet
	slis     map[string]*sliEntry
	names    map[string]string // service/name of an SLO → where it was defined
	services map[string]bool
	sources  map[string]*Document
	// The OpenSLO alerting objects, by name.
	policies   map[string]*policyEntry
	conditions map[string]*conditionEntry
	defined    map[string]string // kind/name of an SLI or alerting object → where
	noted      map[string]bool
}

// note adds a note to the set, once.
func (r *sloReader) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if r.noted == nil {
		r.noted = map[string]bool{}
	}
	if !r.noted[n] {
		r.noted[n] = true
		r.set.Notes = append(r.set.Notes, n)
	}
}

// sliEntry is an SLI read from a document: inline or of kind SLI. Its spec
// is resolved (queries parsed, data sources looked up) once, after every
// document has been read.
type sliEntry struct {
	d         *Document
	path      string // path of the SLI's spec
	spec      *osloSLISpec
	indicator slo.Indicator
	threshold bool
	written   []string // the grouping the queries write in sum by (…)
	ok        bool
}

type sloEntry struct {
	d    *Document
	meta osloMetadata
	spec osloSLOSpec
}

// The OpenSLO v1 wire format.

type osloObject struct {
	APIVersion string       `yaml:"apiVersion"`
	Kind       string       `yaml:"kind" spec:"required"`
	Metadata   osloMetadata `yaml:"metadata" spec:"required"`
	Spec       yaml.Node    `yaml:"spec"`
}

type osloMetadata struct {
	Name        string            `yaml:"name" spec:"required"`
	DisplayName string            `yaml:"displayName"`
	Labels      map[string]any    `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type osloSLOSpec struct {
	Description     string                `yaml:"description"`
	Service         string                `yaml:"service" spec:"required"`
	Indicator       *osloInlineSLI        `yaml:"indicator"`
	IndicatorRef    string                `yaml:"indicatorRef"`
	BudgetingMethod string                `yaml:"budgetingMethod" spec:"required"`
	TimeWindow      []osloTimeWindow      `yaml:"timeWindow" spec:"required"`
	Objectives      []osloObjective       `yaml:"objectives" spec:"required"`
	AlertPolicies   []osloAlertPolicyItem `yaml:"alertPolicies"`
}

type osloInlineSLI struct {
	Metadata osloMetadata `yaml:"metadata" spec:"required"`
	Spec     osloSLISpec  `yaml:"spec" spec:"required"`
}

type osloSLISpec struct {
	Description     string          `yaml:"description"`
	RatioMetric     *osloRatio      `yaml:"ratioMetric"`
	ThresholdMetric *osloMetricSpec `yaml:"thresholdMetric"`
}

type osloRatio struct {
	Counter bool            `yaml:"counter"`
	Good    *osloMetricSpec `yaml:"good"`
	Bad     *osloMetricSpec `yaml:"bad"`
	Total   *osloMetricSpec `yaml:"total"`
	Raw     *osloMetricSpec `yaml:"raw"`
	RawType string          `yaml:"rawType"`
}

type osloMetricSpec struct {
	MetricSource osloMetricSource `yaml:"metricSource" spec:"required"`
}

type osloMetricSource struct {
	MetricSourceRef string         `yaml:"metricSourceRef"`
	Type            string         `yaml:"type"`
	Spec            map[string]any `yaml:"spec" spec:"required"`
}

type osloTimeWindow struct {
	Duration  string        `yaml:"duration" spec:"required"`
	IsRolling *bool         `yaml:"isRolling"`
	Calendar  *osloCalendar `yaml:"calendar"`
}

type osloCalendar struct {
	StartTime string `yaml:"startTime" spec:"required"`
	TimeZone  string `yaml:"timeZone" spec:"required"`
}

type osloObjective struct {
	DisplayName     string         `yaml:"displayName"`
	Target          *float64       `yaml:"target"`
	TargetPercent   *float64       `yaml:"targetPercent"`
	Op              string         `yaml:"op"`
	Value           *float64       `yaml:"value"`
	TimeSliceTarget *float64       `yaml:"timeSliceTarget"`
	TimeSliceWindow string         `yaml:"timeSliceWindow"`
	Indicator       *osloInlineSLI `yaml:"indicator"`
	IndicatorRef    string         `yaml:"indicatorRef"`
	CompositeWeight *float64       `yaml:"compositeWeight"`
}

type osloDataSourceSpec struct {
	Description       string `yaml:"description"`
	Type              string `yaml:"type" spec:"required"`
	ConnectionDetails any    `yaml:"connectionDetails"`
}

type osloServiceSpec struct {
	Description string `yaml:"description"`
}

// Annotations of an OpenSLO SLO that carry what OpenSLO v1 has no field
// for, so that the file stays portable.
const (
	AbsentAlertAnnotation = "headroom/absent-alert" // "true": also alert when the SLI's metrics are missing
	BudgetAlertAnnotation = "headroom/budget-alert" // "false": no alert on an exhausted error budget
	RunbookAnnotation     = "headroom/runbook"      // a runbook URL for the alerts
	GroupingAnnotation    = "headroom/grouping"     // "route,tenant": the labels the SLI is broken down by
)

var rfc1123 = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// checkName checks an object name (RFC 1123 label, as OpenSLO requires).
func checkName(d *Document, path, name string) {
	if name != "" && (len(name) > 63 || !rfc1123.MatchString(name)) {
		d.Errorf(path, "%q is not a valid name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit", name)
	}
}

// define records an SLO's name within its service and reports a second
// definition: names are unique per service.
func (r *sloReader) define(d *Document, path, service, name string) {
	if name == "" {
		return
	}
	at := where(d, path)
	key := service + "/" + name
	if first, ok := r.names[key]; ok {
		if service == "" {
			d.Errorf(path, "SLO %q is defined twice (first at %s)", name, first)
		} else {
			d.Errorf(path, "SLO %q of service %q is defined twice (first at %s); names are unique per service", name, service, first)
		}
		return
	}
	r.names[key] = at
}

// openSLO decodes one OpenSLO object; it returns SLOs for the second pass.
func (r *sloReader) openSLO(d *Document) *sloEntry {
	var o osloObject
	d.Decode(&o)
	checkName(d, "metadata.name", o.Metadata.Name)
	checkLabels(d, "metadata.labels", o.Metadata.Labels)
	if o.Spec.Kind == 0 {
		d.Errorf("", "missing required field %q", "spec")
		return nil
	}
	switch o.Kind {
	case "SLO":
		e := &sloEntry{d: d, meta: o.Metadata}
		d.DecodeNode(&o.Spec, "spec", &e.spec)
		r.define(d, "metadata.name", e.spec.Service, o.Metadata.Name)
		if e.spec.Indicator != nil {
			checkName(d, "spec.indicator.metadata.name", e.spec.Indicator.Metadata.Name)
		}
		return e
	case "SLI":
		var s osloSLISpec
		d.DecodeNode(&o.Spec, "spec", &s)
		if !r.firstDefinition(d, "SLI", o.Metadata.Name) {
			return nil
		}
		r.slis[o.Metadata.Name] = &sliEntry{d: d, path: "spec", indicator: slo.Indicator{Name: o.Metadata.Name}, spec: &s}
	case "DataSource":
		var s osloDataSourceSpec
		d.DecodeNode(&o.Spec, "spec", &s)
		ds := DataSource{Name: o.Metadata.Name, Type: s.Type, Connection: connectionDetails(d, "spec.connectionDetails", s.ConnectionDetails)}
		for _, k := range []string{"url", "address"} {
			if u, ok := ds.Connection[k].(string); ok && ds.URL == "" {
				ds.URL = u
			}
		}
		r.set.DataSources[o.Metadata.Name] = ds
		if r.sources == nil {
			r.sources = map[string]*Document{}
		}
		r.sources[o.Metadata.Name] = d
	case "Service":
		var s osloServiceSpec
		d.DecodeNode(&o.Spec, "spec", &s)
		if r.services == nil {
			r.services = map[string]bool{}
		}
		r.services[o.Metadata.Name] = true
	case "AlertPolicy":
		r.addPolicy(d, o.Metadata, &o.Spec)
	case "AlertCondition":
		r.addCondition(d, o.Metadata, &o.Spec)
	case "AlertNotificationTarget":
		// Checked, and left to Alertmanager (see alertPolicies).
		var s osloTargetSpec
		d.DecodeNode(&o.Spec, "spec", &s)
	default:
		d.Errorf("kind", "unknown OpenSLO kind %q (want SLO, SLI, DataSource, Service, AlertPolicy, AlertCondition or AlertNotificationTarget)", o.Kind)
	}
	return nil
}

// connectionDetails reads a DataSource's connectionDetails: a mapping, or
// a list of mappings (as the OpenSLO Go SDK's examples write it), merged.
func connectionDetails(d *Document, path string, v any) map[string]any {
	switch x := v.(type) {
	case nil:
		return nil
	case map[string]any:
		return x
	case []any:
		out := map[string]any{}
		for i, item := range x {
			m, ok := item.(map[string]any)
			if !ok {
				d.Errorf(fmt.Sprintf("%s[%d]", path, i), "want a mapping such as {url: http://prometheus:9090}")
				continue
			}
			for k, val := range m {
				if _, dup := out[k]; dup {
					d.Errorf(fmt.Sprintf("%s[%d]", path, i), "%s is given twice", k)
				}
				out[k] = val
			}
		}
		return out
	}
	d.Errorf(path, "want a mapping (url: …) or a list of mappings")
	return nil
}

// buildOpenSLO turns a decoded OpenSLO SLO into one slo.SLO per objective.
func (r *sloReader) buildOpenSLO(e *sloEntry) {
	d, sp := e.d, e.spec
	base := slo.SLO{Name: e.meta.Name, Service: sp.Service, Description: sp.Description}
	if base.Description == "" {
		base.Description = e.meta.DisplayName
	}
	base.Labels = r.metadataLabels(d, "metadata.labels", e.meta.Name, e.meta.Labels)
	base.Alerting = alertingFromAnnotations(d, e.meta.Annotations)
	declared, hasGrouping := groupingAnnotation(d, e.meta.Annotations)
	var sli *sliEntry
	switch {
	case sp.Indicator != nil && sp.IndicatorRef != "":
		d.Errorf("spec.indicatorRef", "give indicator or indicatorRef, not both")
	case sp.Indicator != nil:
		sli = &sliEntry{d: d, path: "spec.indicator.spec", indicator: slo.Indicator{Name: sp.Indicator.Metadata.Name}, spec: &sp.Indicator.Spec}
		r.resolveSLI(sli)
	case sp.IndicatorRef != "":
		sli = r.slis[sp.IndicatorRef]
		if sli == nil {
			d.Errorf("spec.indicatorRef", "no SLI named %q in the files read%s", sp.IndicatorRef, r.sliNames())
		} else {
			r.resolveSLI(sli)
		}
	default:
		d.Errorf("spec", "missing indicator or indicatorRef")
	}
	if sli != nil && sli.ok {
		base.Grouping = r.grouping(d, sli, declared, hasGrouping)
	}
	switch sp.BudgetingMethod {
	case "Occurrences":
		base.Budgeting = slo.Occurrences
	case "Timeslices":
		base.Budgeting = slo.Timeslices
	case "RatioTimeslices":
		d.Errorf("spec.budgetingMethod", "RatioTimeslices is not supported: it averages per-slice ratios whatever the traffic in each; use Occurrences (every event counts) or Timeslices")
	case "":
	default:
		d.Errorf("spec.budgetingMethod", "want Occurrences or Timeslices, got %q", sp.BudgetingMethod)
	}
	switch len(sp.TimeWindow) {
	case 0:
		d.Errorf("spec.timeWindow", "needs one time window")
	case 1:
		base.Window = timeWindow(d, "spec.timeWindow[0]", sp.TimeWindow[0])
	default:
		d.Errorf("spec.timeWindow", "OpenSLO allows exactly one time window, got %d", len(sp.TimeWindow))
	}
	r.alertPolicies(e, &base)
	if len(sp.Objectives) == 0 {
		d.Errorf("spec.objectives", "needs at least one objective")
	}
	seen := map[string]bool{}
	var out []slo.SLO
	for i, o := range sp.Objectives {
		path := fmt.Sprintf("spec.objectives[%d]", i)
		s := base
		if len(sp.Objectives) > 1 {
			s.Objective = o.DisplayName
			if s.Objective == "" {
				s.Objective = strconv.Itoa(i + 1)
			}
			if seen[s.Objective] {
				d.Errorf(path+".displayName", "objective %q is given twice; objectives need distinct names", s.Objective)
			}
			seen[s.Objective] = true
		}
		threshold := sli != nil && sli.threshold
		if !objective(d, path, o, &s, threshold) || sli == nil || !sli.ok {
			continue
		}
		s.Indicator = sli.indicator
		if threshold {
			s.Indicator.Op = slo.Op(o.Op)
			s.Indicator.Value = *o.Value
		}
		out = append(out, s)
	}
	if len(d.Problems()) == 0 {
		for _, s := range out {
			if err := s.Validate(); err != nil {
				d.Errorf("spec", "%s", oneLine(err))
				return
			}
		}
		r.set.SLOs = append(r.set.SLOs, out...)
	}
}

// grouping is the grouping of an OpenSLO SLO: the headroom/grouping
// annotation when given, which must agree with a grouping the SLI's
// queries write themselves (sum by (route) (…)); else that written
// grouping, so that it is never dropped.
func (r *sloReader) grouping(d *Document, sli *sliEntry, declared []string, hasDecl bool) []string {
	written := sli.written
	at := "metadata.annotations." + GroupingAnnotation
	switch {
	case !hasDecl:
		return written
	case len(declared) > 0 && !sli.indicator.Raw.IsZero():
		d.Errorf(at, "a raw ratio SLI can't be grouped: give good (or bad) and total queries, or remove %s", GroupingAnnotation)
	case len(written) > 0 && !sameLabels(written, declared):
		d.Errorf(at, "the SLI's queries sum by (%s), not by (%s): write %s: %q, or group the queries by (%s)",
			strings.Join(written, ", "), strings.Join(declared, ", "), GroupingAnnotation, strings.Join(written, ","), strings.Join(declared, ", "))
	}
	return declared
}

func (r *sloReader) sliNames() string {
	if len(r.slis) == 0 {
		return ""
	}
	var names []string
	for n := range r.slis {
		names = append(names, n)
	}
	sort.Strings(names)
	return " (SLIs: " + strings.Join(names, ", ") + ")"
}

// objective reads one objective into s; false when it has problems.
func objective(d *Document, path string, o osloObjective, s *slo.SLO, threshold bool) bool {
	n := len(d.Problems())
	if o.Indicator != nil || o.IndicatorRef != "" || o.CompositeWeight != nil {
		d.Errorf(path, "composite SLOs (an indicator per objective) are not supported; write one SLO per indicator")
	}
	switch {
	case o.Target != nil && o.TargetPercent != nil:
		d.Errorf(path+".targetPercent", "give target or targetPercent, not both")
	case o.Target != nil:
		s.Target = *o.Target
		if s.Target <= 0 || s.Target >= 1 {
			d.Errorf(path+".target", "want a fraction between 0 and 1 exclusive (99.9%% is 0.999), got %v", s.Target)
		}
	case o.TargetPercent != nil:
		s.Target = percent(*o.TargetPercent)
		if *o.TargetPercent <= 0 || *o.TargetPercent >= 100 {
			d.Errorf(path+".targetPercent", "want a percentage between 0 and 100 exclusive, got %v", *o.TargetPercent)
		}
	default:
		d.Errorf(path, "missing target (a fraction such as 0.999) or targetPercent (such as 99.9)")
	}
	if threshold {
		if slo.Op(o.Op).PromQL() == "" {
			d.Errorf(path+".op", "a threshold metric's objective needs op: lt, lte, gt or gte (got %q)", o.Op)
		}
		if o.Value == nil {
			d.Errorf(path, "a threshold metric's objective needs value: the threshold each point is compared with")
		}
	} else {
		ratioOpValue(d, path, o, s.Target)
	}
	if s.Budgeting == slo.Timeslices {
		switch {
		case o.TimeSliceTarget == nil:
			d.Errorf(path, "Timeslices budgeting needs timeSliceTarget: the fraction a slice needs to be good")
		case *o.TimeSliceTarget <= 0 || *o.TimeSliceTarget > 1:
			d.Errorf(path+".timeSliceTarget", "want a fraction in (0, 1], got %v", *o.TimeSliceTarget)
		default:
			s.TimeSlice.Target = *o.TimeSliceTarget
		}
		if o.TimeSliceWindow == "" {
			d.Errorf(path, "Timeslices budgeting needs timeSliceWindow, such as 1m")
		} else if w, err := sliceDuration(o.TimeSliceWindow); err != nil {
			d.Errorf(path+".timeSliceWindow", "%v", err)
		} else if s.Window.Length > 0 && w > s.Window.Length {
			d.Errorf(path+".timeSliceWindow", "%s is longer than the SLO's window", o.TimeSliceWindow)
		} else {
			s.TimeSlice.Window = w
		}
	} else if o.TimeSliceTarget != nil || o.TimeSliceWindow != "" {
		at := path + ".timeSliceTarget"
		if o.TimeSliceTarget == nil {
			at = path + ".timeSliceWindow"
		}
		d.Errorf(at, "time slices are only used with budgetingMethod: Timeslices")
	}
	return len(d.Problems()) == n
}

// ratioOpValue checks the op and value OpenSLO examples put on a ratio
// objective (the Go SDK refuses them): a ratio objective is met when the
// good fraction reaches the target, so op gte or gt says the same and is
// accepted, and so is a value equal to the target; anything else would
// change the objective's meaning and is refused.
func ratioOpValue(d *Document, path string, o osloObjective, target float64) {
	switch slo.Op(o.Op) {
	case "", slo.GTE, slo.GT:
	case slo.LT, slo.LTE:
		d.Errorf(path+".op", "op %s would ask the good fraction to stay below the target; a ratio objective is met when good/total reaches its target: write op: gte (or leave op out)", o.Op)
	default:
		d.Errorf(path+".op", "want gte or gt for a ratio objective (or leave op out), got %q", o.Op)
	}
	if o.Value != nil && target > 0 && math.Abs(*o.Value-target) > 1e-12 {
		d.Errorf(path+".value", "a ratio objective is its target (%v); value %v would be a second, different threshold: remove value, or use a thresholdMetric", target, *o.Value)
	}
}

// resolveSLI builds an SLI's indicator once.
func (r *sloReader) resolveSLI(e *sliEntry) {
	if e.spec == nil {
		return
	}
	s, d, path := e.spec, e.d, e.path
	e.spec = nil
	n := len(d.Problems())
	switch {
	case s.RatioMetric != nil && s.ThresholdMetric != nil:
		d.Errorf(path+".thresholdMetric", "give ratioMetric or thresholdMetric, not both")
	case s.RatioMetric != nil:
		r.ratio(e, path+".ratioMetric", s.RatioMetric)
	case s.ThresholdMetric != nil:
		e.threshold = true
		e.indicator.Metric, e.indicator.Source = r.query(d, path+".thresholdMetric", s.ThresholdMetric, slo.Threshold, false)
	default:
		d.Errorf(path, "missing ratioMetric or thresholdMetric")
	}
	if len(d.Problems()) == n {
		if w, err := e.indicator.WrittenGrouping(); err != nil {
			d.Errorf(path, "%v", err)
		} else {
			e.written = w
		}
	}
	e.ok = len(d.Problems()) == n
}

func (r *sloReader) ratio(e *sliEntry, path string, m *osloRatio) {
	d := e.d
	in := &e.indicator
	if m.Raw != nil {
		if m.Good != nil || m.Bad != nil || m.Total != nil {
			d.Errorf(path+".raw", "raw excludes good, bad and total")
			return
		}
		switch m.RawType {
		case "success":
		case "failure":
			in.RawFailure = true
		default:
			d.Errorf(path+".rawType", "want success or failure, got %q", m.RawType)
		}
		in.Raw, in.Source = r.query(d, path+".raw", m.Raw, slo.RawRatio, m.Counter)
		return
	}
	if m.RawType != "" {
		d.Errorf(path+".rawType", "rawType goes with raw")
	}
	switch {
	case m.Good != nil && m.Bad != nil:
		d.Errorf(path+".bad", "give good or bad, not both")
	case m.Good != nil:
		in.Good, in.Source = r.query(d, path+".good", m.Good, slo.Events, m.Counter)
	case m.Bad != nil:
		in.Bad, in.Source = r.query(d, path+".bad", m.Bad, slo.Events, m.Counter)
	default:
		d.Errorf(path, "missing good or bad (with total), or raw")
	}
	if m.Total == nil {
		d.Errorf(path, "missing total")
		return
	}
	in.Total, _ = r.query(d, path+".total", m.Total, slo.Events, m.Counter)
}

// promTypes are data source types that speak PromQL.
var promTypes = map[string]bool{"prometheus": true, "thanos": true, "cortex": true, "mimir": true, "victoriametrics": true, "amazonprometheus": true, "googlemanagedprometheus": true}

// query reads a metric source's PromQL.
func (r *sloReader) query(d *Document, path string, m *osloMetricSpec, use slo.Use, counter bool) (slo.Query, string) {
	src := m.MetricSource
	path += ".metricSource"
	typ := src.Type
	if src.MetricSourceRef != "" {
		ds, ok := r.set.DataSources[src.MetricSourceRef]
		switch {
		case !ok && typ != "":
			// The type says how to read the query; the DataSource only says
			// where (the Go SDK's examples name ones they don't define).
			r.note("DataSource %q is not in the files read: give headroom the Prometheus to query (--prometheus)", src.MetricSourceRef)
		case !ok:
			d.Errorf(path+".metricSourceRef", "no DataSource named %q in the files read (with no type either, headroom can't tell how to read the query)", src.MetricSourceRef)
		case typ == "":
			typ = ds.Type
		case !strings.EqualFold(typ, ds.Type):
			d.Errorf(path+".type", "%s, but DataSource %q is of type %s", typ, ds.Name, ds.Type)
		}
	}
	switch {
	case typ == "" && src.MetricSourceRef == "":
		d.Errorf(path, "missing type (Prometheus) or metricSourceRef")
	case typ != "" && !promTypes[strings.ToLower(typ)]:
		d.Errorf(path+".type", "headroom reads Prometheus sources, and %s is not one (use Prometheus, or a source that speaks PromQL: Thanos, Cortex, Mimir, VictoriaMetrics)", typ)
	}
	raw, ok := src.Spec["query"]
	if !ok {
		raw, ok = src.Spec["promql"]
	}
	s, isString := raw.(string)
	if !ok || !isString || strings.TrimSpace(s) == "" {
		d.Errorf(path+".spec", "a Prometheus metric source needs query: a PromQL query")
		return slo.Query{}, ""
	}
	key := "query"
	if _, ok := src.Spec["query"]; !ok {
		key = "promql"
	}
	q, err := slo.ParseQuery(s, use, counter)
	if err != nil {
		d.Errorf(path+".spec."+key, "%v", err)
	}
	return q, src.MetricSourceRef
}

// timeWindow reads an OpenSLO time window.
func timeWindow(d *Document, path string, tw osloTimeWindow) slo.Window {
	count, unit, err := parseOpenSLODuration(tw.Duration)
	if err != nil {
		d.Errorf(path+".duration", "%v", err)
		return slo.Window{}
	}
	rolling := tw.IsRolling != nil && *tw.IsRolling
	switch {
	case rolling && tw.Calendar != nil:
		d.Errorf(path+".calendar", "a rolling window has no calendar")
	case rolling:
		return slo.Rolling(time.Duration(count) * unit.Nominal())
	case tw.Calendar == nil:
		d.Errorf(path, "set isRolling: true, or give a calendar (startTime and timeZone) for a calendar window")
	default:
		loc, err := time.LoadLocation(tw.Calendar.TimeZone)
		if err != nil || tw.Calendar.TimeZone == "" {
			d.Errorf(path+".calendar.timeZone", "%q is not a time zone (want an IANA name such as Europe/Berlin or UTC)", tw.Calendar.TimeZone)
			loc = nil
		}
		start, err := time.ParseInLocation("2006-01-02 15:04:05", tw.Calendar.StartTime, time.UTC)
		if err != nil {
			d.Errorf(path+".calendar.startTime", "want a local time like 2024-01-01 00:00:00, got %q", tw.Calendar.StartTime)
			return slo.Window{}
		}
		if loc == nil {
			return slo.Window{}
		}
		start = time.Date(start.Year(), start.Month(), start.Day(), start.Hour(), start.Minute(), start.Second(), 0, loc)
		w, err := slo.CalendarWindow(count, unit, start)
		if err != nil {
			d.Errorf(path+".duration", "%v", err)
		}
		return w
	}
	return slo.Window{}
}

// parseOpenSLODuration reads OpenSLO's duration shorthand: a positive whole
// number and one of m h d w M Q Y.
func parseOpenSLODuration(s string) (int, slo.Unit, error) {
	units := map[byte]slo.Unit{'m': slo.Minute, 'h': slo.Hour, 'd': slo.Day, 'w': slo.Week, 'M': slo.Month, 'Q': slo.Quarter, 'Y': slo.Year}
	bad := fmt.Errorf("%q is not a duration: want a whole number and a unit, m h d w M(onth) Q(uarter) or Y(ear), such as 28d or 1M", s)
	if len(s) < 2 {
		return 0, "", bad
	}
	u, ok := units[s[len(s)-1]]
	n, err := strconv.Atoi(s[:len(s)-1])
	if !ok || err != nil || n <= 0 || s[0] == '+' {
		return 0, "", bad
	}
	if time.Duration(n) > 100*365*24*time.Hour/u.Nominal() {
		return 0, "", fmt.Errorf("%q is longer than a century", s)
	}
	return n, u, nil
}

// sliceDuration reads a time slice length: OpenSLO shorthand or a Go-style
// duration such as 30s.
func sliceDuration(s string) (time.Duration, error) {
	if n, u, err := parseOpenSLODuration(s); err == nil && u != slo.Month && u != slo.Quarter && u != slo.Year {
		return time.Duration(n) * u.Nominal(), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a time slice length (like 1m or 30s)", s)
	}
	return d, nil
}

// checkLabels checks OpenSLO metadata labels: each a string or a list of
// strings.
func checkLabels(d *Document, path string, labels map[string]any) {
	for k, v := range labels {
		switch x := v.(type) {
		case string:
		case []any:
			for _, item := range x {
				if _, ok := item.(string); !ok {
					d.Errorf(path+"."+k, "a label value is a string or a list of strings")
					break
				}
			}
		default:
			d.Errorf(path+"."+k, "a label value is a string or a list of strings")
		}
	}
}

func alertingFromAnnotations(d *Document, ann map[string]string) slo.Alerting {
	var a slo.Alerting
	boolean := func(key string) bool {
		v, ok := ann[key]
		if !ok {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			d.Errorf("metadata.annotations."+key, "want \"true\" or \"false\", got %q", v)
		}
		return b
	}
	a.Absent = boolean(AbsentAlertAnnotation)
	if _, ok := ann[BudgetAlertAnnotation]; ok {
		a.NoBudgetAlert = !boolean(BudgetAlertAnnotation)
	}
	a.Runbook = ann[RunbookAnnotation]
	for k := range ann {
		if strings.HasPrefix(k, "headroom/") && k != AbsentAlertAnnotation && k != BudgetAlertAnnotation && k != RunbookAnnotation && k != GroupingAnnotation {
			d.Errorf("metadata.annotations."+k, "unknown headroom annotation (valid: %s, %s, %s, %s)", AbsentAlertAnnotation, BudgetAlertAnnotation, GroupingAnnotation, RunbookAnnotation)
		}
	}
	return a
}

// groupingAnnotation reads headroom/grouping: label names separated by
// commas ("" for none); ok says whether the annotation is there.
func groupingAnnotation(d *Document, ann map[string]string) (labels []string, ok bool) {
	v, ok := ann[GroupingAnnotation]
	if !ok {
		return nil, false
	}
	at := "metadata.annotations." + GroupingAnnotation
	if strings.TrimSpace(v) == "" {
		return nil, true
	}
	for _, l := range strings.Split(v, ",") {
		labels = append(labels, strings.TrimSpace(l))
	}
	checkGrouping(d, func(int) string { return at }, labels)
	return labels, true
}

// The compact headroom form.

// SLO is headroom's compact SLO: an availability or a latency objective in
// about ten lines. Other specs (a system's spec.slo) embed it.
type SLO struct {
	APIVersion   string            `yaml:"apiVersion"`
	Kind         string            `yaml:"kind"`
	Name         string            `yaml:"name" spec:"required"`
	Service      string            `yaml:"service"`
	Description  string            `yaml:"description"`
	Availability *Availability     `yaml:"availability"`
	Latency      *Latency          `yaml:"latency"`
	Objective    Percent           `yaml:"objective" spec:"required"`
	Window       string            `yaml:"window"`
	Labels       map[string]string `yaml:"labels"`
	// Grouping are the labels the SLI is broken down by.
	Grouping []string `yaml:"grouping"`
	Alerting Alerting `yaml:"alerting"`
}

// Availability is the compact availability indicator: requests counted by
// a counter with a status-code label; bad ones match ErrorCodes.
type Availability struct {
	Metric     string   `yaml:"metric" spec:"required"`
	Selector   Selector `yaml:"selector"`
	ErrorCodes string   `yaml:"errorCodes"`
	CodeLabel  string   `yaml:"codeLabel"`
}

// Latency is the compact latency indicator: the fraction of requests
// within Threshold, from a Prometheus histogram's buckets (or, Native, from
// a native histogram). Its keys are histogram, selector, threshold, native
// and allowLongThreshold.
type Latency struct {
	Histogram string
	Selector  Selector
	Threshold time.Duration
	// Native reads a native histogram: histogram_fraction rather than a
	// bucket.
	Native bool
	// AllowLongThreshold accepts a threshold above MaxLatencyThreshold or
	// above the SLO's window, which is more often a wrong unit.
	AllowLongThreshold bool
}

// MaxLatencyThreshold is the longest latency threshold accepted without
// allowLongThreshold: true.
const MaxLatencyThreshold = time.Hour

// UnmarshalSpec implements Unmarshaler: a threshold without a unit gets a
// hint in milliseconds.
func (l *Latency) UnmarshalSpec(d *Document, n *yaml.Node, path string) {
	var w struct {
		Histogram          string         `yaml:"histogram" spec:"required"`
		Selector           Selector       `yaml:"selector"`
		Threshold          thresholdValue `yaml:"threshold" spec:"required"`
		Native             bool           `yaml:"native"`
		AllowLongThreshold bool           `yaml:"allowLongThreshold"`
	}
	d.DecodeNode(n, path, &w)
	*l = Latency{Histogram: w.Histogram, Selector: w.Selector, Threshold: time.Duration(w.Threshold), Native: w.Native, AllowLongThreshold: w.AllowLongThreshold}
}

// thresholdValue is a duration whose bare numbers are refused with a
// hint for latencies (write 300ms), not the generic one for durations.
type thresholdValue time.Duration

// UnmarshalSpec implements Unmarshaler.
func (t *thresholdValue) UnmarshalSpec(d *Document, n *yaml.Node, path string) {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") && n.Value != "0" {
		f, err := strconv.ParseFloat(n.Value, 64)
		if err == nil && f > 0 && !math.IsInf(f, 0) {
			// As for latencies on the command line: 300 means 300ms, and a
			// fraction such as 0.3 seconds, as in a bucket's le.
			unit := "ms"
			if f < 1 {
				unit = "s"
			}
			d.Errorf(path, "%s has no unit: write %s%s", n.Value, n.Value, unit)
			return
		}
		d.Errorf(path, "want a positive latency such as 300ms, got %s", n.Value)
		return
	}
	var dur time.Duration
	d.DecodeNode(n, path, &dur)
	*t = thresholdValue(dur)
}

// DefaultWindow is the compact form's window when none is given.
const DefaultWindow = "30d"

// Model checks the compact SLO (decoded from d at path) and returns it as a
// model SLO; ok is false when it has problems, which are recorded in d.
func (c *SLO) Model(d *Document, path string) (slo.SLO, bool) {
	return c.model(d, path, nil)
}

// model is Model, passing notes (derived tiers left out of a window too
// short for them, when alerting.disable makes them explicit) to note when
// it is not nil.
func (c *SLO) model(d *Document, path string, note func(string, ...any)) (slo.SLO, bool) {
	n := len(d.Problems())
	at := func(field string) string { return join(path, field) }
	checkName(d, at("name"), c.Name)
	s := slo.SLO{Name: c.Name, Service: c.Service, Description: c.Description, Target: c.Objective.Fraction, Labels: c.Labels}
	if c.Service != "" && strings.ContainsFunc(c.Service, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		d.Errorf(at("service"), "want a name without control characters")
	}
	window := c.Window
	if window == "" {
		window = DefaultWindow
	}
	if count, unit, err := parseOpenSLODuration(window); err != nil {
		d.Errorf(at("window"), "%v", err)
	} else {
		s.Window = slo.Rolling(time.Duration(count) * unit.Nominal())
	}
	switch {
	case c.Availability != nil && c.Latency != nil:
		d.Errorf(at("latency"), "give availability or latency, not both: write two SLOs")
	case c.Availability != nil:
		a := c.Availability
		checkMetric(d, at("availability.metric"), a.Metric)
		if a.CodeLabel != "" && !labelName.MatchString(a.CodeLabel) {
			d.Errorf(at("availability.codeLabel"), "%q is not a label name", a.CodeLabel)
		}
		if _, err := regexp.Compile("^(?:" + a.ErrorCodes + ")$"); err != nil {
			d.Errorf(at("availability.errorCodes"), "not a regular expression: %v", err)
		}
		s.Indicator = slo.Availability(a.Selector.With(a.Metric), a.CodeLabel, a.ErrorCodes)
	case c.Latency != nil:
		s.Indicator = c.Latency.indicator(d, at("latency"), s.Window.Length)
	default:
		d.Errorf(path, "missing availability or latency")
	}
	checkLabelKeys(d, at("labels"), c.Labels, true)
	checkGrouping(d, func(i int) string { return fmt.Sprintf("%s[%d]", at("grouping"), i) }, c.Grouping)
	for i, g := range c.Grouping {
		if _, fixed := c.Labels[g]; fixed {
			d.Errorf(fmt.Sprintf("%s[%d]", at("grouping"), i), "%s is also a fixed label of the SLO (labels.%s): a label is either fixed or grouped by", g, g)
		}
	}
	s.Grouping = c.Grouping
	s.Alerting = c.Alerting.model(d, at("alerting"), s.Window.Length, note)
	if len(d.Problems()) == 0 { // the model's own check, once the spec's are passed
		if err := s.Validate(); err != nil {
			d.Errorf(path, "%s", oneLine(err))
		}
	}
	return s, len(d.Problems()) == n
}

// indicator checks a compact latency indicator and builds it.
func (l *Latency) indicator(d *Document, path string, window time.Duration) slo.Indicator {
	at := func(field string) string { return join(path, field) }
	checkMetric(d, at("histogram"), l.Histogram)
	for _, m := range l.Selector.Matchers {
		if m.Label == "le" {
			d.Errorf(at("selector"), "the threshold sets the bucket (le); remove le from the selector and write threshold: 300ms for le=\"0.3\"")
		}
	}
	switch {
	case l.Threshold <= 0 && d.HasProblem(at("threshold")):
	case l.Threshold <= 0:
		d.Errorf(at("threshold"), "want a positive latency such as 300ms")
	case l.AllowLongThreshold:
	case l.Threshold > MaxLatencyThreshold:
		d.Errorf(at("threshold"), "%s is above %s: if the unit is wrong, write it in ms or s (300ms); if the latency is meant, add allowLongThreshold: true",
			slo.PromDuration(l.Threshold), slo.PromDuration(MaxLatencyThreshold))
	case window > 0 && l.Threshold > window:
		d.Errorf(at("threshold"), "%s is longer than the SLO's %s window: if the unit is wrong, write it in ms or s (300ms); if the latency is meant, add allowLongThreshold: true",
			slo.PromDuration(l.Threshold), slo.PromDuration(window))
	}
	if l.Native {
		for _, suffix := range []string{"_bucket", "_count", "_sum"} {
			if strings.HasSuffix(l.Histogram, suffix) {
				d.Errorf(at("histogram"), "a native histogram is one series named without %s: write %s", suffix, strings.TrimSuffix(l.Histogram, suffix))
			}
		}
		return slo.NativeLatency(l.Selector.With(l.Histogram), l.Threshold)
	}
	base := strings.TrimSuffix(strings.TrimSuffix(l.Histogram, "_bucket"), "_count")
	return slo.Latency(l.Selector.With(base), l.Threshold)
}

func (r *sloReader) compact(d *Document) {
	var kind string
	d.DecodeNode(d.Field("kind"), "kind", &kind)
	if kind != "SLO" {
		d.Errorf("kind", "headroom/v1 SLO files hold kind: SLO, got %q", kind)
		return
	}
	var c SLO
	d.Decode(&c)
	s, ok := c.model(d, "", func(format string, args ...any) { r.note(format, args...) })
	r.define(d, "name", c.Service, c.Name)
	if ok {
		r.set.SLOs = append(r.set.SLOs, s)
	}
}

var (
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
)

func checkMetric(d *Document, path, name string) {
	if !metricName.MatchString(name) {
		d.Errorf(path, "%q is not a metric name", name)
	}
}

// Percent is a fraction written as a percentage ("99.9%") or as a
// fraction (0.999). It must lie strictly between 0 and 1.
type Percent struct{ Fraction float64 }

// UnmarshalSpec implements Unmarshaler.
func (p *Percent) UnmarshalSpec(d *Document, n *yaml.Node, path string) {
	if f, ok := targetForm.read(d, n, path); ok {
		p.Fraction = f
	}
}

// fractionForm is how a fraction may be written: as a percentage (99.9%)
// or a fraction (0.999), and the words of the messages about it.
type fractionForm struct {
	what        string // "a percentage"
	pct, frac   string // examples: "99.9%", "0.999"
	full        bool   // 100% is allowed
	outOfBounds string // the message for a value outside the range
}

var targetForm = fractionForm{what: "a percentage", pct: "99.9%", frac: "0.999",
	outOfBounds: "want more than 0% and less than 100% (100% leaves no error budget)"}

// read reads the fraction at n; false when it is not one (reported).
func (form fractionForm) read(d *Document, n *yaml.Node, path string) (float64, bool) {
	if n.Kind != yaml.ScalarNode {
		d.Errorf(path, "want %s like %s, got %s", form.what, form.pct, describe(n))
		return 0, false
	}
	s := strings.TrimSpace(n.Value)
	pct := strings.HasSuffix(s, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	switch {
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		d.Errorf(path, "want %s like %s or a fraction like %s, got %q", form.what, form.pct, form.frac, n.Value)
		return 0, false
	case pct:
		f = percent(f)
	case f > 1 || (f == 1 && !form.full):
		d.Errorf(path, "%s: write %s%% for a percentage, or a fraction like %s", s, s, form.frac)
		return 0, false
	}
	if f <= 0 || f > 1 || (f == 1 && !form.full) {
		d.Errorf(path, "%s: %s", s, form.outOfBounds)
		return 0, false
	}
	return f, true
}

// percent turns a percentage into a fraction without binary noise:
// 99.9 → 0.999, not 0.9990000000000001.
func percent(p float64) float64 { return math.Round(p*1e10) / 1e12 }

// Selector is a set of label matchers written as a mapping of equalities
// ({job: app}) or as PromQL ('{job="app", path=~"/api/.*"}').
type Selector struct {
	Matchers []slo.Matcher
}

// UnmarshalSpec implements Unmarshaler.
func (s *Selector) UnmarshalSpec(d *Document, n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		labels := map[string]string{}
		d.DecodeNode(n, path, &labels)
		for k := range labels {
			if !labelName.MatchString(k) {
				d.Errorf(join(path, k), "%q is not a label name", k)
			}
		}
		s.Matchers = slo.LabelSelector("", labels).Matchers
	case yaml.ScalarNode:
		sel, err := slo.ParseSelector(n.Value, true)
		if err != nil {
			d.Errorf(path, "%v", err)
			return
		}
		if sel.Metric != "" {
			d.Errorf(path, "give only label matchers here, like {job=\"app\"}; the metric is named on its own")
			return
		}
		s.Matchers = sel.Matchers
	default:
		d.Errorf(path, "want label matchers like {job: app}, got %s", describe(n))
	}
}

// With returns the selector of metric with s's matchers.
func (s Selector) With(metric string) slo.Selector {
	return slo.Selector{Metric: metric, Matchers: s.Matchers}
}
