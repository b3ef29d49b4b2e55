package prom

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/headroom-sre/headroom/importer"
	"github.com/headroom-sre/headroom/units"
)

// Defaults of the history `headroom import` reads.
const (
	// DefaultHistoryStep is the resolution of the per-pod history: each
	// step is one sample of rate, latency and CPU.
	DefaultHistoryStep = 5 * time.Minute
	// DefaultHistoryRateWindow is the range of rate() over counters.
	DefaultHistoryRateWindow = 5 * time.Minute
	// DefaultTrafficStep and DefaultTrafficRateWindow read the entry's
	// traffic finer than the per-pod history: a spike's rise is what the
	// HPA must follow, and a coarse or smoothed rise is optimistic. The
	// rate window holds two scrapes at Google Cloud Managed Service for
	// Prometheus's default 60s interval (the step grows for long windows,
	// to stay within MaxRangePoints).
	DefaultTrafficStep       = time.Minute
	DefaultTrafficRateWindow = 2 * time.Minute
	// DefaultLatencyMetric is the histogram latency is read from (the
	// Prometheus client libraries' and OpenTelemetry's HTTP server
	// duration in seconds).
	DefaultLatencyMetric = "http_request_duration_seconds"
	// DefaultLatencyQuantile is the quantile read from it.
	DefaultLatencyQuantile = 0.99
	// MaxRangePoints is the most points a range query asks for per series:
	// Prometheus refuses more than 11,000.
	MaxRangePoints = 11000
	// CallsMetric is the metric call rates between workloads are read
	// from: Istio's (and Cloud Service Mesh's) request counter, with its
	// source_workload and destination_workload labels.
	CallsMetric = "istio_requests_total"
)

// HistoryOptions say which history to read.
type HistoryOptions struct {
	// End, Window and Step: the history from End-Window to End, a sample
	// every Step (defaults: now, DefaultWindow, DefaultHistoryStep; the
	// step grows to keep a series within MaxRangePoints).
	End    time.Time
	Window time.Duration
	Step   time.Duration
	// RateWindow is the range of rate() (default DefaultHistoryRateWindow).
	RateWindow time.Duration
	// RequestMetrics are the per-pod request counters tried in order
	// (default DefaultRequestMetrics); the first with series is used.
	RequestMetrics []string
	// LatencyMetric is the latency histogram's name, without _bucket
	// (default DefaultLatencyMetric), and Quantile the quantile read.
	LatencyMetric string
	Quantile      float64
	// Selector holds extra label matchers for every series
	// (cluster="prod").
	Selector string
	// Entry is the workload ("namespace/name") whose request rate is the
	// system's traffic; "" reads none. TrafficStep and TrafficRateWindow
	// read it (defaults DefaultTrafficStep, DefaultTrafficRateWindow).
	Entry             string
	TrafficStep       time.Duration
	TrafficRateWindow time.Duration
}

func (o *HistoryOptions) defaults() {
	if o.End.IsZero() {
		o.End = time.Now()
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Step <= 0 {
		o.Step = DefaultHistoryStep
	}
	if n := o.Window / o.Step; n > MaxRangePoints {
		o.Step = (o.Window/MaxRangePoints + time.Second).Truncate(time.Second)
	}
	if o.RateWindow <= 0 {
		o.RateWindow = DefaultHistoryRateWindow
	}
	if o.TrafficStep <= 0 {
		o.TrafficStep = DefaultTrafficStep
	}
	if n := o.Window / o.TrafficStep; n > MaxRangePoints {
		o.TrafficStep = (o.Window/MaxRangePoints + time.Second).Truncate(time.Second)
	}
	if o.TrafficRateWindow <= 0 {
		o.TrafficRateWindow = DefaultTrafficRateWindow
	}
	if o.RequestMetrics == nil {
		o.RequestMetrics = DefaultRequestMetrics
	}
	if o.LatencyMetric == "" {
		o.LatencyMetric = DefaultLatencyMetric
	}
	if o.Quantile <= 0 || o.Quantile >= 1 {
		o.Quantile = DefaultLatencyQuantile
	}
}

var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// podPattern is a regular expression for the pods of a workload: a
// Deployment's NAME-HASH-SUFFIX, a StatefulSet's NAME-ORDINAL.
func podPattern(w importer.Workload) string {
	name := regexp.QuoteMeta(w.Name)
	if w.Kind == "StatefulSet" {
		return name + `-[0-9]+`
	}
	return name + `-[a-z0-9]+-[a-z0-9]+`
}

func (o *HistoryOptions) matchers(w importer.Workload, extra string) string {
	m := fmt.Sprintf(`namespace=%q,pod=~%q`, w.Namespace, podPattern(w))
	if extra != "" {
		m += "," + extra
	}
	if o.Selector != "" {
		m += "," + o.Selector
	}
	return "{" + m + "}"
}

// FetchHistory reads, for each workload, its per-pod request rate,
// latency quantile and CPU over the window, the call rates between
// workloads (from CallsMetric, when Prometheus has it) and the entry's
// request rate. A workload without request series has no history (the
// estimates say so); NaN is kept as a gap; an infinite or negative rate
// is an error.
func FetchHistory(ctx context.Context, c *Client, ws []importer.Workload, opt HistoryOptions) (*importer.History, error) {
	opt.defaults()
	for _, m := range append(append([]string(nil), opt.RequestMetrics...), opt.LatencyMetric) {
		if !metricName.MatchString(m) {
			return nil, fmt.Errorf("%q is not a metric name", m)
		}
	}
	h := &importer.History{Source: "Prometheus " + c.String(), End: opt.End, Window: opt.Window, Step: opt.Step, Components: map[string]importer.ComponentHistory{}}
	start := opt.End.Add(-opt.Window)
	rw := model.Duration(opt.RateWindow).String()
	for _, w := range ws {
		key := w.Namespace + "/" + w.Name
		var metric string
		var perPod model.Matrix
		var rateQ string
		for _, m := range opt.RequestMetrics {
			rateQ = fmt.Sprintf(`avg(sum by (pod) (rate(%s%s[%s])))`, m, opt.matchers(w, ""), rw)
			mx, err := c.QueryRange(ctx, rateQ, start, opt.End, opt.Step)
			if err != nil {
				return nil, err
			}
			if len(mx) > 0 {
				metric, perPod = m, mx
				break
			}
		}
		if metric == "" {
			h.Notes = append(h.Notes, fmt.Sprintf("%s: no request series (looked for %s)", key, strings.Join(opt.RequestMetrics, ", ")))
			continue
		}
		ch := importer.ComponentHistory{RateQuery: rateQ, LatencyQuantile: opt.Quantile}
		ch.LatencyQuery = fmt.Sprintf(`histogram_quantile(%g, sum by (le) (rate(%s_bucket%s[%s])))`, opt.Quantile, opt.LatencyMetric, opt.matchers(w, ""), rw)
		ch.CPUQuery = fmt.Sprintf(`avg(sum by (pod) (rate(container_cpu_usage_seconds_total%s[%s])))`, opt.matchers(w, `container!="",container!="POD"`), rw)
		lat, err := c.QueryRange(ctx, ch.LatencyQuery, start, opt.End, opt.Step)
		if err != nil {
			return nil, err
		}
		cpu, err := c.QueryRange(ctx, ch.CPUQuery, start, opt.End, opt.Step)
		if err != nil {
			return nil, err
		}
		totalQ := fmt.Sprintf(`sum(rate(%s%s[%s]))`, metric, opt.matchers(w, ""), rw)
		total, err := c.QueryRange(ctx, totalQ, start, opt.End, opt.Step)
		if err != nil {
			return nil, err
		}
		rates, lats, cpus, totals := byTime(perPod), byTime(lat), byTime(cpu), byTime(total)
		var times []int64
		for t := range rates {
			times = append(times, t)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		var sum float64
		var n int
		for _, t := range times {
			s := importer.LoadSample{T: time.UnixMilli(t).UTC(), PerPodRPS: rates[t], Latency: orNaN(lats, t), CPUPerPod: orNaN(cpus, t)}
			if math.IsInf(s.PerPodRPS, 0) || s.PerPodRPS < 0 {
				return nil, &RateError{Query: rateQ, Value: s.PerPodRPS, At: s.T}
			}
			ch.Samples = append(ch.Samples, s)
			if v, ok := totals[t]; ok && !math.IsNaN(v) {
				if math.IsInf(v, 0) || v < 0 {
					return nil, &RateError{Query: totalQ, Value: v, At: time.UnixMilli(t).UTC()}
				}
				sum += v
				n++
			}
		}
		if n > 0 {
			ch.MeanRPS = sum / float64(n)
		}
		h.Components[key] = ch
		h.Workloads = append(h.Workloads, key)
		h.RequestMetrics = append(h.RequestMetrics, metric)
		if key == opt.Entry {
			if err := fetchTraffic(ctx, c, w, metric, opt, h); err != nil {
				return nil, err
			}
		}
	}
	if opt.Entry != "" && h.TrafficQuery == "" {
		h.Notes = append(h.Notes, fmt.Sprintf("%s: no request series for the entry: no traffic history", opt.Entry))
	}
	if err := fetchCalls(ctx, c, opt, h); err != nil {
		return nil, err
	}
	return h, nil
}

// FetchTraffic reads the request rate into workload w over the history
// (at TrafficStep, rate() over TrafficRateWindow) into h.Traffic, from
// the request metric FetchHistory found for it: the traffic of an entry
// chosen after the history was read.
func FetchTraffic(ctx context.Context, c *Client, w importer.Workload, opt HistoryOptions, h *importer.History) error {
	opt.defaults()
	key := w.Namespace + "/" + w.Name
	for i, ch := range h.Workloads {
		if ch == key && i < len(h.RequestMetrics) {
			return fetchTraffic(ctx, c, w, h.RequestMetrics[i], opt, h)
		}
	}
	h.Notes = append(h.Notes, fmt.Sprintf("%s: no request series for the entry: no traffic history", key))
	return nil
}

func fetchTraffic(ctx context.Context, c *Client, w importer.Workload, metric string, opt HistoryOptions, h *importer.History) error {
	h.TrafficQuery = fmt.Sprintf(`sum(rate(%s%s[%s]))`, metric, opt.matchers(w, ""), model.Duration(opt.TrafficRateWindow))
	h.Traffic = nil
	mx, err := c.QueryRange(ctx, h.TrafficQuery, opt.End.Add(-opt.Window), opt.End, opt.TrafficStep)
	if err != nil {
		return err
	}
	if len(mx) == 0 {
		return nil
	}
	for _, p := range mx[0].Values {
		v := float64(p.Value)
		if math.IsInf(v, 0) || v < 0 {
			return &RateError{Query: h.TrafficQuery, Value: v, At: p.Timestamp.Time().UTC()}
		}
		h.Traffic = append(h.Traffic, importer.Sample{T: p.Timestamp.Time().UTC(), V: v})
	}
	return nil
}

// fetchCalls reads the mean request rate between workloads over the
// window from CallsMetric (reporter="destination": the callee's proxy
// counts each request once).
func fetchCalls(ctx context.Context, c *Client, opt HistoryOptions, h *importer.History) error {
	h.CallsLookedFor = []string{CallsMetric + " (source_workload, source_workload_namespace, destination_workload, destination_workload_namespace)"}
	sel := `reporter="destination"`
	if opt.Selector != "" {
		sel += "," + opt.Selector
	}
	q := fmt.Sprintf(`sum by (source_workload, source_workload_namespace, destination_workload, destination_workload_namespace) (rate(%s{%s}[%s]))`,
		CallsMetric, sel, model.Duration(opt.Window).String())
	v, err := c.Vector(ctx, q, opt.End)
	if err != nil {
		return err
	}
	for _, s := range v {
		x := float64(s.Value)
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return &RateError{Query: q, Series: sloSeriesName(s.Metric), Value: x, At: opt.End}
		}
		from := string(s.Metric["source_workload_namespace"]) + "/" + string(s.Metric["source_workload"])
		to := string(s.Metric["destination_workload_namespace"]) + "/" + string(s.Metric["destination_workload"])
		if x > 0 {
			h.Calls = append(h.Calls, importer.CallRate{From: from, To: to, Rate: x})
		}
	}
	if len(h.Calls) > 0 {
		h.CallsMetric = CallsMetric
	} else {
		h.Notes = append(h.Notes, "no call rates between workloads: looked for "+strings.Join(h.CallsLookedFor, "; ")+", found none; no calls written")
	}
	sort.Slice(h.Calls, func(i, j int) bool {
		a, b := h.Calls[i], h.Calls[j]
		return a.From < b.From || (a.From == b.From && a.To < b.To)
	})
	return nil
}

// byTime is a matrix's first series by timestamp (milliseconds).
func byTime(m model.Matrix) map[int64]float64 {
	out := map[int64]float64{}
	if len(m) == 0 {
		return out
	}
	for _, p := range m[0].Values {
		out[int64(p.Timestamp)] = float64(p.Value)
	}
	return out
}

func orNaN(m map[int64]float64, t int64) float64 {
	if v, ok := m[t]; ok {
		return v
	}
	return math.NaN()
}

// CurveOptions bound a traffic export.
type CurveOptions struct {
	// From, To and Step: the range read (Step default: the range over
	// 1,000 points, at least 15s).
	From, To time.Time
	Step     time.Duration
}

// Curve is a traffic curve read from Prometheus.
type Curve struct {
	Points []importer.Sample
	// Gaps counts steps without a value (NaN or missing), left out.
	Gaps int
	Step time.Duration
}

// RateError is returned when Prometheus answers a rate query with an
// infinite or negative value: a broken recording rule or a counter that
// is not one, never a rate to model or replay.
type RateError struct {
	Query  string
	Series string // "" for an aggregate
	Value  float64
	At     time.Time
}

// Error names the value, when, and the query.
func (e *RateError) Error() string {
	s := ""
	if e.Series != "" && e.Series != "{}" {
		s = " for " + e.Series
	}
	return fmt.Sprintf("query %s returned %v%s at %s: a request rate must be finite and ≥ 0", shorten(e.Query), e.Value, s, e.At.Format(time.RFC3339))
}

// ErrNoSeries is returned when a query matched nothing.
var ErrNoSeries = errors.New("the query returned no series")

// FetchCurve reads one series (a request rate, per second) over a range,
// for a replay shape. The query must return one series (sum it); at most
// MaxRangePoints points are read; NaN steps are gaps, counted; an infinite
// or negative rate is a *NonFiniteError.
func FetchCurve(ctx context.Context, c *Client, query string, opt CurveOptions) (*Curve, error) {
	span := opt.To.Sub(opt.From)
	if span <= 0 {
		return nil, fmt.Errorf("the range from %s to %s is empty", opt.From.UTC().Format(time.RFC3339), opt.To.UTC().Format(time.RFC3339))
	}
	step := opt.Step
	if step <= 0 {
		step = max((span / 1000).Truncate(time.Second), 15*time.Second)
	}
	if n := span / step; n > MaxRangePoints {
		return nil, fmt.Errorf("%s at %s is %d points, more than the %d one series may hold: a coarser step (at least %s)",
			units.Duration(span), units.Duration(step), n, MaxRangePoints, units.Duration((span/MaxRangePoints + time.Second).Truncate(time.Second)))
	}
	m, err := c.QueryRange(ctx, query, opt.From, opt.To, step)
	if err != nil {
		return nil, err
	}
	switch {
	case len(m) == 0:
		return nil, fmt.Errorf("%w: %s", ErrNoSeries, shorten(query))
	case len(m) > 1:
		return nil, fmt.Errorf("query %s returned %d series; a traffic curve is one: wrap it in sum()", shorten(query), len(m))
	}
	out := &Curve{Step: step}
	for _, p := range m[0].Values {
		v := float64(p.Value)
		switch {
		case math.IsNaN(v):
			out.Gaps++
		case math.IsInf(v, 0) || v < 0:
			return nil, &RateError{Query: query, Series: sloSeriesName(m[0].Metric), Value: v, At: p.Timestamp.Time().UTC()}
		default:
			out.Points = append(out.Points, importer.Sample{T: p.Timestamp.Time().UTC(), V: v})
		}
	}
	if want := int(span/step) + 1; want > len(m[0].Values) {
		out.Gaps += want - len(m[0].Values)
	}
	if len(out.Points) < 2 {
		return nil, fmt.Errorf("query %s: %d points with a value in the range; a curve needs at least two", shorten(query), len(out.Points))
	}
	return out, nil
}
