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
}

// DataSource is an OpenSLO DataSource: where an SLI's metrics live.
type DataSource struct {
	Name string
	Type string
	// URL is connectionDetails.url (or address), when given.
	URL string
	// Connection is connectionDetails as written.
	Connection map[string]any
}

// SLOs reads the SLOs of a set of documents from one or more files:
// OpenSLO v1 objects (SLO, SLI, DataSource, Service; AlertPolicy,
// AlertCondition and AlertNotificationTarget are accepted and not used) and
// headroom's compact SLO form. An SLO's indicatorRef may name an SLI in any
// of the documents. Every problem of every document comes back at once, as
// Problems.
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
// within the threshold, from the histogram's bucket le="0.3".
func SLOs(docs []*Document) (*SLOSet, error) {
	r := &sloReader{set: &SLOSet{DataSources: map[string]DataSource{}}, slis: map[string]*sliEntry{}, names: map[string]string{}}
	var slos []*sloEntry
	// First pass: decode every object, so references resolve in any order.
	for _, d := range docs {
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

type sloReader struct {
	set      *SLOSet
	slis     map[string]*sliEntry
	names    map[string]string // SLO name → where it was defined
	services map[string]bool
	sources  map[string]*Document
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
	Description     string           `yaml:"description"`
	Service         string           `yaml:"service" spec:"required"`
	Indicator       *osloInlineSLI   `yaml:"indicator"`
	IndicatorRef    string           `yaml:"indicatorRef"`
	BudgetingMethod string           `yaml:"budgetingMethod" spec:"required"`
	TimeWindow      []osloTimeWindow `yaml:"timeWindow" spec:"required"`
	Objectives      []osloObjective  `yaml:"objectives" spec:"required"`
	AlertPolicies   []yaml.Node      `yaml:"alertPolicies"`
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
	Description       string         `yaml:"description"`
	Type              string         `yaml:"type" spec:"required"`
	ConnectionDetails map[string]any `yaml:"connectionDetails"`
}

type osloServiceSpec struct {
	Description string `yaml:"description"`
}

// Annotations of an OpenSLO SLO that tune headroom's alerts.
const (
	AbsentAlertAnnotation = "headroom/absent-alert" // "true": also alert when the SLI's metrics are missing
	RunbookAnnotation     = "headroom/runbook"      // a runbook URL for the alerts
)

var rfc1123 = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// checkName checks an object name (RFC 1123 label, as OpenSLO requires).
func checkName(d *Document, path, name string) {
	if name != "" && (len(name) > 63 || !rfc1123.MatchString(name)) {
		d.Errorf(path, "%q is not a valid name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit", name)
	}
}

// define records an SLO name and reports a second definition.
func (r *sloReader) define(d *Document, path, name string) {
	if name == "" {
		return
	}
	p := d.Pos(path)
	where := fmt.Sprintf("%s:%d", d.File, p.Line)
	if first, ok := r.names[name]; ok {
		d.Errorf(path, "SLO %q is defined twice (first at %s)", name, first)
		return
	}
	r.names[name] = where
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
		r.define(d, "metadata.name", o.Metadata.Name)
		if e.spec.Indicator != nil {
			checkName(d, "spec.indicator.metadata.name", e.spec.Indicator.Metadata.Name)
		}
		return e
	case "SLI":
		var s osloSLISpec
		d.DecodeNode(&o.Spec, "spec", &s)
		if prev, ok := r.slis[o.Metadata.Name]; ok && o.Metadata.Name != "" {
			d.Errorf("metadata.name", "SLI %q is defined twice (first in %s)", o.Metadata.Name, prev.d.File)
			return nil
		}
		r.slis[o.Metadata.Name] = &sliEntry{d: d, path: "spec", indicator: slo.Indicator{Name: o.Metadata.Name}, spec: &s}
	case "DataSource":
		var s osloDataSourceSpec
		d.DecodeNode(&o.Spec, "spec", &s)
		ds := DataSource{Name: o.Metadata.Name, Type: s.Type, Connection: s.ConnectionDetails}
		for _, k := range []string{"url", "address"} {
			if u, ok := s.ConnectionDetails[k].(string); ok && ds.URL == "" {
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
	case "AlertPolicy", "AlertCondition", "AlertNotificationTarget":
		// Accepted so that whole OpenSLO repositories read; headroom
		// writes its own multiwindow burn-rate alerts instead.
	default:
		d.Errorf("kind", "unknown OpenSLO kind %q (want SLO, SLI, DataSource, Service, AlertPolicy, AlertCondition or AlertNotificationTarget)", o.Kind)
	}
	return nil
}

// buildOpenSLO turns a decoded OpenSLO SLO into one slo.SLO per objective.
func (r *sloReader) buildOpenSLO(e *sloEntry) {
	d, sp := e.d, e.spec
	base := slo.SLO{Name: e.meta.Name, Service: sp.Service, Description: sp.Description}
	if base.Description == "" {
		base.Description = e.meta.DisplayName
	}
	base.Alerting = alertingFromAnnotations(d, e.meta.Annotations)
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
				d.Errorf("spec", "%v", err)
				return
			}
		}
		r.set.SLOs = append(r.set.SLOs, out...)
	}
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
	} else if o.Op != "" || o.Value != nil {
		at := path + ".op"
		if o.Op == "" {
			at = path + ".value"
		}
		d.Errorf(at, "op and value are for a thresholdMetric; a ratio's objective is its target alone")
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
		case !ok:
			d.Errorf(path+".metricSourceRef", "no DataSource named %q in the files read", src.MetricSourceRef)
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
	if v, ok := ann[AbsentAlertAnnotation]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			d.Errorf("metadata.annotations."+AbsentAlertAnnotation, "want \"true\" or \"false\", got %q", v)
		}
		a.Absent = b
	}
	a.Runbook = ann[RunbookAnnotation]
	return a
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
	Alerting     struct {
		Absent  bool   `yaml:"absent"`
		Runbook string `yaml:"runbook"`
	} `yaml:"alerting"`
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
// within Threshold, from a Prometheus histogram's buckets.
type Latency struct {
	Histogram string        `yaml:"histogram" spec:"required"`
	Selector  Selector      `yaml:"selector"`
	Threshold time.Duration `yaml:"threshold" spec:"required"`
}

// DefaultWindow is the compact form's window when none is given.
const DefaultWindow = "30d"

// Model checks the compact SLO (decoded from d at path) and returns it as a
// model SLO; ok is false when it has problems, which are recorded in d.
func (c *SLO) Model(d *Document, path string) (slo.SLO, bool) {
	n := len(d.Problems())
	at := func(field string) string { return join(path, field) }
	checkName(d, at("name"), c.Name)
	s := slo.SLO{Name: c.Name, Service: c.Service, Description: c.Description, Target: c.Objective.Fraction, Labels: c.Labels}
	s.Alerting = slo.Alerting{Absent: c.Alerting.Absent, Runbook: c.Alerting.Runbook}
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
		l := c.Latency
		checkMetric(d, at("latency.histogram"), l.Histogram)
		base := strings.TrimSuffix(strings.TrimSuffix(l.Histogram, "_bucket"), "_count")
		if l.Threshold <= 0 {
			d.Errorf(at("latency.threshold"), "want a positive latency such as 300ms")
		}
		s.Indicator = slo.Latency(l.Selector.With(base), l.Threshold)
	default:
		d.Errorf(path, "missing availability or latency")
	}
	for k := range c.Labels {
		if !labelName.MatchString(k) || k == "slo" || k == "objective" || k == "severity" || strings.HasPrefix(k, "__") {
			d.Errorf(at("labels."+k), "%q can't be a rule label: want a Prometheus label name other than slo, objective and severity", k)
		}
	}
	return s, len(d.Problems()) == n
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
	s, ok := c.Model(d, "")
	r.define(d, "name", c.Name)
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
	if n.Kind != yaml.ScalarNode {
		d.Errorf(path, "want a percentage like 99.9%%, got %s", describe(n))
		return
	}
	s := strings.TrimSpace(n.Value)
	pct := strings.HasSuffix(s, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	switch {
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		d.Errorf(path, "want a percentage like 99.9%% or a fraction like 0.999, got %q", n.Value)
		return
	case pct:
		f = percent(f)
	case f >= 1:
		d.Errorf(path, "%s: write %s%% for a percentage, or a fraction like 0.999", s, s)
		return
	}
	if f <= 0 || f >= 1 {
		d.Errorf(path, "%s: want more than 0%% and less than 100%% (100%% leaves no error budget)", s)
		return
	}
	p.Fraction = f
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
