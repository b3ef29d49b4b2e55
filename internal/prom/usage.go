package prom

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/headroom-sre/headroom/rightsize"
	"github.com/headroom-sre/headroom/units"
)

// Defaults of UsageOptions.
const (
	DefaultWindow = 14 * 24 * time.Hour
	// DefaultStep is how often short-window CPU usage is sampled over the
	// window: every minute, so that a peak of a minute or two is seen.
	DefaultStep = time.Minute
	// MeanResolution is the resolution of the mean CPU (hourly rates; finer
	// for windows shorter than two days).
	MeanResolution = time.Hour
	// DefaultMaxPoints bounds the points one subquery holds in the
	// server's memory (series × steps); Prometheus refuses queries above
	// its --query.max-samples (50 million by default).
	DefaultMaxPoints = 5_000_000
	DefaultParallel  = 2
	// ReplicaStep is the resolution of kube-state-metrics history: time at
	// maxReplicas, running pods of Jobs.
	ReplicaStep = 5 * time.Minute
	// NetworkRate is the range of the network receive rates, and their step.
	NetworkRate = 5 * time.Minute
)

// DefaultRequestMetrics are the request counters looked for, per pod, to
// tell a live service from an idle one: the Prometheus client libraries'
// and Spring's HTTP server counters, gRPC's, and Istio's.
var DefaultRequestMetrics = []string{"http_requests_total", "http_server_requests_seconds_count", "grpc_server_handled_total", "istio_requests_total"}

// UsageOptions configure [FetchUsage] and [FetchCluster].
type UsageOptions struct {
	End    time.Time     // the end of the window; zero means now
	Window time.Duration // default 14 days
	// Step is how often short-window CPU usage is sampled; default 1m.
	Step time.Duration
	// RateWindow is the range of irate() over CPU counters: it must hold
	// two scrapes. Zero means three scrape intervals (measured), at least
	// two minutes.
	RateWindow time.Duration
	// CPUPercentile of each pod's short-window CPU use; default 0.99.
	CPUPercentile float64
	// Namespaces limits the query to these namespaces; empty means all.
	Namespaces []string
	// Selector is extra label matchers for every series, for a
	// Prometheus that holds several clusters: `cluster="prod"`.
	Selector string
	// RequestMetrics are the per-pod request counters to look for;
	// nil means DefaultRequestMetrics.
	RequestMetrics []string
	// MaxPoints bounds series × steps per subquery; larger sets are split
	// into chunks by namespace (and, within a large namespace, by the
	// pods' last characters).
	MaxPoints int
	// Parallel is how many queries run at once; default 2.
	Parallel int
}

func (o UsageOptions) withDefaults() UsageOptions {
	if o.End.IsZero() {
		o.End = time.Now()
	}
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.Step == 0 {
		o.Step = DefaultStep
	}
	if o.CPUPercentile == 0 {
		o.CPUPercentile = rightsize.DefaultCPUPercentile
	}
	if o.RequestMetrics == nil {
		o.RequestMetrics = DefaultRequestMetrics
	}
	if o.MaxPoints == 0 {
		o.MaxPoints = DefaultMaxPoints
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	return o
}

var metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// Check reports options that cannot work.
func (o UsageOptions) Check() error {
	o = o.withDefaults()
	switch {
	case o.Window < o.Step || o.Step <= 0:
		return fmt.Errorf("window %s must be at least the step %s", units.Duration(o.Window), units.Duration(o.Step))
	case o.Window < time.Hour:
		return fmt.Errorf("window %s is too short to size anything (a daily cycle is 24h)", units.Duration(o.Window))
	case o.RateWindow != 0 && o.RateWindow < 30*time.Second:
		return fmt.Errorf("rate window %s is too short: it must hold two scrapes", units.Duration(o.RateWindow))
	case o.CPUPercentile <= 0 || o.CPUPercentile > 1:
		return fmt.Errorf("CPU percentile %g: want a fraction in (0, 1], like 0.99", o.CPUPercentile)
	}
	for _, m := range o.RequestMetrics {
		if !metricNameRE.MatchString(m) {
			return fmt.Errorf("request metric %q: want a metric name like http_requests_total", m)
		}
	}
	if o.Selector != "" {
		if _, err := parseSelector(o.Selector); err != nil {
			return err
		}
	}
	return nil
}

var matcherRE = regexp.MustCompile(`^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*$`)

// parseSelector checks extra matchers like `cluster="prod",env!~"dev.*"`.
func parseSelector(s string) ([]string, error) {
	var out []string
	for _, part := range splitMatchers(s) {
		if !matcherRE.MatchString(part) {
			return nil, fmt.Errorf("selector %q: want label matchers like cluster=\"prod\"", s)
		}
		out = append(out, strings.TrimSpace(part))
	}
	return out, nil
}

// splitMatchers splits on commas outside quotes.
func splitMatchers(s string) []string {
	var parts []string
	var cur strings.Builder
	inQuote, escaped := false, false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && inQuote:
			escaped = true
		case r == '"':
			inQuote = !inQuote
		case r == ',' && !inQuote:
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	if strings.TrimSpace(cur.String()) != "" {
		parts = append(parts, cur.String())
	}
	return parts
}

// ErrNoUsage is returned when Prometheus holds no container usage in the window.
var ErrNoUsage = errors.New("no container usage found (container_memory_working_set_bytes from cAdvisor)")

// BadDataError is returned when Prometheus answers with values no usage
// can have (NaN, infinities, negative amounts): something between the
// exporters and the answer is broken, and nothing is sized from it.
type BadDataError struct {
	Count    int      // bad values in all
	Examples []string // the first few: query, series and value
}

// Error names the count and the first examples.
func (e *BadDataError) Error() string {
	return fmt.Sprintf("prometheus returned %d impossible value(s) (NaN, infinite or negative), e.g. %s; nothing was sized from them",
		e.Count, strings.Join(e.Examples, "; "))
}

// container is the key of a container series.
type container struct{ ns, pod, name string }

func keyOf(m model.Metric) container {
	return container{string(m["namespace"]), string(m["pod"]), string(m["container"])}
}

// query is one PromQL query and what to do with its result.
type query struct {
	name  string
	expr  string
	apply func(model.Vector)
}

// Stats selects what FetchUsage reads beyond which containers exist. Each
// costs Prometheus a pass over the window's samples: ask only for what is
// used.
type Stats uint16

// The statistics FetchUsage can read.
const (
	// CPUPeaks: the CPU percentile and the peak of each container's
	// short-window usage (two subqueries at Step; the costliest).
	CPUPeaks   Stats = 1 << iota
	MemoryPeak       // the highest working set
	Means            // mean CPU and memory (Standard-mode cost allocation)
	OOMKills         // OOM kills and the memory limit at the kill
	History          // first and last sample times of each container
	Throttling       // the share of CFS periods throttled
	Traffic          // per pod: network receive rates and request counters
	Replicas         // per workload: mean replicas, HPA at max, Job pod-time
	// ForRightsize is what recommendations use.
	ForRightsize = CPUPeaks | MemoryPeak | OOMKills | History | Throttling | Traffic | Replicas
	// AllStats is everything.
	AllStats = ForRightsize | Means
)

// oomPodsPerQuery bounds the pods named in one OOM query's regexp.
const oomPodsPerQuery = 300

// fetch holds one FetchUsage call's state.
type fetch struct {
	o             UsageOptions
	mu            sync.Mutex
	byKey         map[container]*rightsize.ContainerUsage
	pods          map[rightsize.PodKey]rightsize.PodActivity
	bad           []string
	badCount      int
	w             string // the window, in PromQL
	cadvisor, ksm string // matchers
	by            string
}

// check records an impossible value; it reports whether v is usable.
func (f *fetch) check(name string, m model.Metric, v float64) bool {
	if !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 {
		return true
	}
	f.badCount++
	if len(f.bad) < 3 {
		f.bad = append(f.bad, fmt.Sprintf("%s of %s: %g", name, seriesName(m), v))
	}
	return false
}

func seriesName(m model.Metric) string {
	var parts []string
	for _, l := range []model.LabelName{"namespace", "pod", "container", "deployment", "statefulset", "horizontalpodautoscaler"} {
		if v := m[l]; v != "" {
			parts = append(parts, string(v))
		}
	}
	return strings.Join(parts, "/")
}

// set stores a container statistic; the first stage's queries also say
// which containers exist (create), the later ones only fill them in.
func (f *fetch) set(name string, create bool, stat rightsize.Stat, store func(*rightsize.ContainerUsage, float64)) func(model.Vector) {
	return func(v model.Vector) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, s := range v {
			k := keyOf(s.Metric)
			cu := f.byKey[k]
			if cu == nil && create {
				cu = &rightsize.ContainerUsage{Namespace: k.ns, Pod: k.pod, Container: k.name}
				f.byKey[k] = cu
			}
			if cu == nil || !f.check(name, s.Metric, float64(s.Value)) {
				continue
			}
			store(cu, float64(s.Value))
			cu.Has |= stat
		}
	}
}

// setPod stores a pod statistic.
func (f *fetch) setPod(name string, stat rightsize.Stat, store func(*rightsize.PodActivity, float64)) func(model.Vector) {
	return func(v model.Vector) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, s := range v {
			if !f.check(name, s.Metric, float64(s.Value)) {
				continue
			}
			k := rightsize.PodKey{Namespace: string(s.Metric["namespace"]), Pod: string(s.Metric["pod"])}
			a := f.pods[k]
			store(&a, float64(s.Value))
			a.Has |= stat
			f.pods[k] = a
		}
	}
}

// FetchUsage reads the containers' usage over the window with a bounded
// number of queries, each aggregated server-side, per container of each
// pod, what stats asks for (zero means AllStats):
//
//   - the CPU percentile and peak of short-window usage: irate() — the
//     rate between the last two scrapes — sampled every Step, so each
//     window is one scrape interval long (measured first, and reported as
//     Usage.PeakResolution); subqueries chunked so that no query holds
//     more than MaxPoints points;
//   - the memory sample count, first and last sample times, peak and mean
//     working set; the mean CPU (hourly rates); the share of CFS periods
//     throttled; OOM kills with the memory limit at the kill;
//   - per pod, the peak and median 5-minute network receive rates and the
//     requests counted by RequestMetrics;
//   - per workload, from kube-state-metrics: mean replicas, the share of
//     the window each HPA sat at its maximum, running pod-time of Jobs;
//     and the pod, ReplicaSet and Job owners.
//
// Missing series leave their statistic unknown (not zero). A value no
// usage can have (NaN, infinite, negative) fails the call with a
// *BadDataError. Prometheus warnings are returned in Usage.Warnings.
func FetchUsage(ctx context.Context, c *Client, opts UsageOptions, stats Stats) (*rightsize.Usage, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	if stats == 0 {
		stats = AllStats
	}
	o := opts.withDefaults()
	extra, _ := parseSelector(o.Selector)
	f := &fetch{o: o, byKey: map[container]*rightsize.ContainerUsage{}, pods: map[rightsize.PodKey]rightsize.PodActivity{},
		w: promDuration(o.Window), by: "by (namespace, pod, container)",
		cadvisor: matchers(append([]string{`container!=""`, `container!="POD"`}, extra...), o.Namespaces),
		ksm:      matchers(extra, o.Namespaces)}
	u := &rightsize.Usage{End: o.End, Window: o.Window, Step: o.Step, CPUPercentile: o.CPUPercentile,
		Owners: map[rightsize.PodKey]rightsize.WorkloadRef{}, Pods: f.pods, Workloads: map[rightsize.WorkloadRef]rightsize.WorkloadHistory{}}
	if stats&Traffic != 0 {
		u.RequestMetrics = o.RequestMetrics
	}
	var memInterval time.Duration
	if stats&History != 0 {
		var err error
		if memInterval, err = scrapeInterval(ctx, c, o.End, "container_memory_working_set_bytes", f.cadvisor); err != nil {
			return nil, err
		}
	}
	rateRange := o.RateWindow
	if stats&CPUPeaks != 0 {
		interval, err := scrapeInterval(ctx, c, o.End, "container_cpu_usage_seconds_total", f.cadvisor)
		if err != nil {
			return nil, err
		}
		u.PeakResolution = max(interval, time.Second)
		if rateRange == 0 {
			rateRange = max(2*time.Minute, 3*interval).Round(time.Second)
		}
	}

	// 1. The passes over the memory series, which say which containers
	// exist (and plan the chunks of the second stage), and which
	// containers were OOM-killed.
	mem := func(fn string) string {
		return fmt.Sprintf(`max %s (%s(container_memory_working_set_bytes{%s}[%s]))`, f.by, fn, f.cadvisor, f.w)
	}
	first := []query{{"memory samples", mem("count_over_time"),
		f.set("memory samples", true, 0, func(cu *rightsize.ContainerUsage, v float64) { cu.Samples = int(v) })}}
	if stats&MemoryPeak != 0 {
		first = append(first, query{"memory peak", mem("max_over_time"),
			f.set("memory peak", true, rightsize.StatMemoryPeak, func(cu *rightsize.ContainerUsage, v float64) { cu.MemoryPeak = v })})
	}
	if stats&Means != 0 {
		first = append(first, query{"memory mean", mem("avg_over_time"),
			f.set("memory mean", true, rightsize.StatMemoryAvg, func(cu *rightsize.ContainerUsage, v float64) { cu.MemoryAvg = v })})
	}
	var oomed model.Vector
	if stats&OOMKills != 0 {
		first = append(first, query{"OOM-killed containers", fmt.Sprintf(`max %s (max_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"%s}[%s])) == 1`,
			f.by, comma(f.ksm), f.w), func(v model.Vector) { oomed = v }})
	}
	if err := runQueries(ctx, c, o.End, o.Parallel, first); err != nil {
		return nil, err
	}
	if len(f.byKey) == 0 {
		if err := f.err(); err != nil {
			return nil, err
		}
		return nil, ErrNoUsage
	}
	for _, cu := range f.byKey {
		if stats&History != 0 && memInterval > 0 && cu.Samples > 0 {
			// Samples × the interval: the time observed, gaps left out
			// (a timestamp() subquery would place it, and costs minutes
			// on a large Prometheus).
			cu.Observed = min(time.Duration(cu.Samples)*memInterval, o.Window)
			cu.Has |= rightsize.StatHistory
		}
		if stats&OOMKills != 0 {
			cu.Has |= rightsize.StatOOM
		}
	}
	perNS := map[string]map[string]int{}
	for k := range f.byKey {
		if perNS[k.ns] == nil {
			perNS[k.ns] = map[string]int{}
		}
		perNS[k.ns][k.pod]++
	}

	// 2. The CPU subqueries, chunked, and the rest. Subqueries aggregate
	// outside: an aggregation inside is evaluated at every step and costs
	// more than the rates themselves. A container restarted has one series
	// per run; the highest run counts.
	var qs []query
	if stats&CPUPeaks != 0 {
		irate := func(m string) string {
			return fmt.Sprintf(`irate(container_cpu_usage_seconds_total{%s}[%s])`, m, promDuration(rateRange))
		}
		step := promDuration(o.Step)
		for _, m := range chunkContainers(perNS, o.MaxPoints/(int(o.Window/o.Step)+1)) {
			sel := joinMatchers(f.cadvisor, m)
			qs = append(qs,
				query{"CPU percentile", fmt.Sprintf(`max %s (quantile_over_time(%g, %s[%s:%s]))`, f.by, o.CPUPercentile, irate(sel), f.w, step),
					f.set("CPU percentile", false, rightsize.StatCPUHigh, func(cu *rightsize.ContainerUsage, v float64) { cu.CPUHigh = v })},
				query{"CPU peak", fmt.Sprintf(`max %s (max_over_time(%s[%s:%s]))`, f.by, irate(sel), f.w, step),
					f.set("CPU peak", false, rightsize.StatCPUPeak, func(cu *rightsize.ContainerUsage, v float64) { cu.CPUPeak = v })})
		}
	}
	if stats&Means != 0 {
		// Hourly, or finer for short windows: a partial first window
		// counts as a whole one, so keep it under 1/48 of the window.
		mean := max(min(MeanResolution, o.Window/48), 5*time.Minute)
		for _, m := range chunkContainers(perNS, o.MaxPoints/(int(o.Window/mean)+1)) {
			qs = append(qs, query{"CPU mean", fmt.Sprintf(`max %s (avg_over_time(rate(container_cpu_usage_seconds_total{%s}[%s])[%s:%s]))`,
				f.by, joinMatchers(f.cadvisor, m), promDuration(mean), f.w, promDuration(mean)),
				f.set("CPU mean", false, rightsize.StatCPUAvg, func(cu *rightsize.ContainerUsage, v float64) { cu.CPUAvg = v })})
		}
	}
	if stats&Throttling != 0 {
		// Containers without a CPU limit have no CFS periods: their
		// throttling stays unknown rather than 0/0.
		qs = append(qs, query{"CPU throttling", fmt.Sprintf(`sum %s (increase(container_cpu_cfs_throttled_periods_total{%s}[%s])) / (sum %s (increase(container_cpu_cfs_periods_total{%s}[%s])) > 0)`,
			f.by, f.cadvisor, f.w, f.by, f.cadvisor, f.w),
			f.set("CPU throttling", false, rightsize.StatThrottling, func(cu *rightsize.ContainerUsage, v float64) { cu.Throttled = math.Min(v, 1) })})
	}
	if stats&OOMKills != 0 {
		qs = append(qs, query{"restarts", fmt.Sprintf(`sum %s (increase(kube_pod_container_status_restarts_total{%s}[%s]))`, f.by, f.ksm, f.w),
			f.set("restarts", false, rightsize.StatRestarts, func(cu *rightsize.ContainerUsage, v float64) { cu.Restarts = int(math.Round(v)) })})
	}
	for _, pods := range oomChunks(oomed) {
		m := joinMatchers(f.ksm, pods)
		qs = append(qs,
			query{"OOM kills", fmt.Sprintf(`sum %s (increase(kube_pod_container_status_restarts_total{%s}[%s]))`, f.by, m, f.w),
				f.set("OOM kills", false, 0, func(cu *rightsize.ContainerUsage, v float64) { cu.OOMKills = max(1, int(math.Round(v))) })},
			query{"memory limit at OOM", fmt.Sprintf(`max %s (max_over_time(kube_pod_container_resource_limits{resource="memory",%s}[%s]))`, f.by, m, f.w),
				f.set("memory limit at OOM", false, 0, func(cu *rightsize.ContainerUsage, v float64) { cu.MemoryLimitAtOOM = v })})
	}
	if stats&Traffic != 0 {
		qs = append(qs, f.trafficQueries(extra)...)
	}
	var owners ownerSet
	qs = append(qs, query{"owners", owners.query(f.ksm, f.w), func(v model.Vector) { f.mu.Lock(); owners.add(v); f.mu.Unlock() }})
	var hist replicaHistory
	if stats&Replicas != 0 {
		qs = append(qs, hist.queries(f)...)
	}
	if err := runQueries(ctx, c, o.End, o.Parallel, qs); err != nil {
		return nil, err
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	// Restarts of containers never OOM-killed do not count as OOM kills.
	oomKeys := map[container]bool{}
	for _, s := range oomed {
		oomKeys[keyOf(s.Metric)] = true
	}
	for k, cu := range f.byKey {
		if !oomKeys[k] {
			cu.OOMKills, cu.MemoryLimitAtOOM = 0, 0
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(f.byKey), compareContainers) {
		u.Containers = append(u.Containers, *f.byKey[k])
	}
	u.Owners = owners.resolve()
	if stats&Replicas != 0 {
		hist.into(u, o.Window)
	}
	u.Warnings = c.Warnings()
	return u, nil
}

func (f *fetch) err() error {
	if f.badCount == 0 {
		return nil
	}
	return &BadDataError{Count: f.badCount, Examples: f.bad}
}

// scrapeInterval measures the median interval between a metric's samples
// over the last hour before end.
func scrapeInterval(ctx context.Context, c *Client, end time.Time, metric, sel string) (time.Duration, error) {
	v, err := c.Vector(ctx, fmt.Sprintf(`quantile(0.5, count_over_time(%s{%s}[1h]))`, metric, sel), end)
	if err != nil {
		return 0, fmt.Errorf("scrape interval: %w", err)
	}
	if len(v) == 0 || !(float64(v[0].Value) >= 2) || math.IsInf(float64(v[0].Value), 0) {
		// No series in the last hour (or one sample): assume the common
		// one-minute scrape (a rate window then holds two or three).
		return time.Minute, nil
	}
	// n samples in an hour are n or n-1 intervals (the range is closed in
	// Prometheus 2, left-open in 3): snap to a whole multiple of 5 s.
	d := float64(time.Hour) / float64(v[0].Value)
	if snap := math.Round(d/float64(5*time.Second)) * float64(5*time.Second); snap > 0 && math.Abs(snap-d) <= 0.03*snap {
		d = snap
	}
	return time.Duration(d).Round(time.Second), nil
}

// trafficQueries read what each pod received: network bytes (peak and
// median of 5-minute rates) and the request counters.
func (f *fetch) trafficQueries(extra []string) []query {
	net := matchers(extra, f.o.Namespaces)
	rate := fmt.Sprintf(`max by (namespace, pod) (sum by (namespace, pod, container) (rate(container_network_receive_bytes_total{%s}[%s])))`,
		net, promDuration(NetworkRate))
	sub := fmt.Sprintf(`[%s:%s]`, f.w, promDuration(NetworkRate))
	qs := []query{
		{"network receive peak", `max by (namespace, pod) (max_over_time(` + rate + sub + `))`,
			f.setPod("network receive peak", rightsize.StatNetwork, func(a *rightsize.PodActivity, v float64) { a.RxPeak = v })},
		{"network receive median", `max by (namespace, pod) (quantile_over_time(0.5, ` + rate + sub + `))`,
			f.setPod("network receive median", 0, func(a *rightsize.PodActivity, v float64) { a.RxTypical = v })},
	}
	if len(f.o.RequestMetrics) > 0 {
		// Each counter tagged apart, so that series differing only in
		// their name do not collide once increase() drops it.
		var parts []string
		for _, m := range f.o.RequestMetrics {
			parts = append(parts, fmt.Sprintf(`label_replace(sum by (namespace, pod) (increase(%s{pod!=""%s}[%s])), "metric", %q, "", "")`,
				m, comma(net), f.w, m))
		}
		qs = append(qs, query{"requests", `sum by (namespace, pod) (` + strings.Join(parts, " or ") + `)`,
			f.setPod("requests", rightsize.StatRequests, func(a *rightsize.PodActivity, v float64) { a.Requests = v })})
	}
	return qs
}

// replicaHistory collects kube-state-metrics history per workload.
type replicaHistory struct {
	mu       sync.Mutex
	replicas map[rightsize.WorkloadRef]float64
	atMax    map[[2]string]float64 // namespace, HPA → share of the window
	targets  map[[2]string]rightsize.WorkloadRef
	running  map[rightsize.PodKey]float64 // pod → steps running
	jobs     map[[2]string]rightsize.WorkloadRef
}

func (h *replicaHistory) queries(f *fetch) []query {
	h.replicas, h.atMax, h.targets = map[rightsize.WorkloadRef]float64{}, map[[2]string]float64{}, map[[2]string]rightsize.WorkloadRef{}
	h.running, h.jobs = map[rightsize.PodKey]float64{}, map[[2]string]rightsize.WorkloadRef{}
	step := promDuration(ReplicaStep)
	avg := func(kind, metric, label string) query {
		return query{"mean replicas", fmt.Sprintf(`max by (namespace, %s) (avg_over_time(%s{%s}[%s]))`, label, metric, f.ksm, f.w), func(v model.Vector) {
			h.mu.Lock()
			defer h.mu.Unlock()
			for _, s := range v {
				if f.locked("mean replicas", s.Metric, float64(s.Value)) {
					h.replicas[rightsize.WorkloadRef{Kind: kind, Namespace: string(s.Metric["namespace"]), Name: string(s.Metric[model.LabelName(label)])}] = float64(s.Value)
				}
			}
		}}
	}
	hpa := `max by (namespace, horizontalpodautoscaler) (%s{%s})`
	return []query{
		avg(rightsize.KindDeployment, "kube_deployment_status_replicas", "deployment"),
		avg(rightsize.KindStatefulSet, "kube_statefulset_status_replicas", "statefulset"),
		avg(rightsize.KindDaemonSet, "kube_daemonset_status_desired_number_scheduled", "daemonset"),
		{"HPA at max", fmt.Sprintf(`avg_over_time((%s >= bool %s)[%s:%s])`,
			fmt.Sprintf(hpa, "kube_horizontalpodautoscaler_status_current_replicas", f.ksm),
			fmt.Sprintf(hpa, "kube_horizontalpodautoscaler_spec_max_replicas", f.ksm), f.w, step), func(v model.Vector) {
			h.mu.Lock()
			defer h.mu.Unlock()
			for _, s := range v {
				if f.locked("HPA at max", s.Metric, float64(s.Value)) {
					h.atMax[[2]string{string(s.Metric["namespace"]), string(s.Metric["horizontalpodautoscaler"])}] = float64(s.Value)
				}
			}
		}},
		{"HPA targets", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler, scaletargetref_kind, scaletargetref_name) (last_over_time(kube_horizontalpodautoscaler_info{%s}[%s]))`, f.ksm, f.w), func(v model.Vector) {
			h.mu.Lock()
			defer h.mu.Unlock()
			for _, s := range v {
				m := s.Metric
				h.targets[[2]string{string(m["namespace"]), string(m["horizontalpodautoscaler"])}] = rightsize.WorkloadRef{
					Kind: string(m["scaletargetref_kind"]), Namespace: string(m["namespace"]), Name: string(m["scaletargetref_name"])}
			}
		}},
		{"running pods", fmt.Sprintf(`max by (namespace, pod) (count_over_time((kube_pod_status_phase{phase="Running"%s} == 1)[%s:%s]))`, comma(f.ksm), f.w, step), func(v model.Vector) {
			h.mu.Lock()
			defer h.mu.Unlock()
			for _, s := range v {
				if f.locked("running pods", s.Metric, float64(s.Value)) {
					h.running[rightsize.PodKey{Namespace: string(s.Metric["namespace"]), Pod: string(s.Metric["pod"])}] = float64(s.Value)
				}
			}
		}},
		{"job owners", fmt.Sprintf(`max by (namespace, job_name, owner_kind, owner_name) (last_over_time(kube_job_owner{%s}[%s]))`, f.ksm, f.w), func(v model.Vector) {
			h.mu.Lock()
			defer h.mu.Unlock()
			for _, s := range v {
				m := s.Metric
				if m["owner_kind"] == "CronJob" {
					h.jobs[[2]string{string(m["namespace"]), string(m["job_name"])}] = rightsize.WorkloadRef{Kind: rightsize.KindCronJob, Namespace: string(m["namespace"]), Name: string(m["owner_name"])}
				}
			}
		}},
	}
}

// locked is check for callers that hold their own lock, not f.mu.
func (f *fetch) locked(name string, m model.Metric, v float64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.check(name, m, v)
}

// into stores the history in u: mean replicas of Deployments and
// StatefulSets, the HPA share at max on the workload it scales, and the
// mean running pods of Jobs and CronJobs (running pod-time over the window).
func (h *replicaHistory) into(u *rightsize.Usage, window time.Duration) {
	put := func(ref rightsize.WorkloadRef, f func(*rightsize.WorkloadHistory)) {
		w := u.Workloads[ref]
		f(&w)
		u.Workloads[ref] = w
	}
	for ref, n := range h.replicas {
		put(ref, func(w *rightsize.WorkloadHistory) { w.AvgReplicas, w.Has = n, w.Has|rightsize.StatReplicas })
	}
	for k, share := range h.atMax {
		if ref, ok := h.targets[k]; ok {
			put(ref, func(w *rightsize.WorkloadHistory) { w.HPAAtMax, w.Has = share, w.Has|rightsize.StatHPAAtMax })
		}
	}
	// A CronJob's runs are one workload: its Jobs' pods are its pods.
	for pod, ref := range u.Owners {
		if ref.Kind == rightsize.KindJob {
			if cj, ok := h.jobs[[2]string{ref.Namespace, ref.Name}]; ok {
				u.Owners[pod] = cj
			}
		}
	}
	steps := window.Seconds() / ReplicaStep.Seconds()
	jobTime := map[rightsize.WorkloadRef]float64{}
	for pod, n := range h.running {
		ref, ok := u.Owners[pod]
		if ok && (ref.Kind == rightsize.KindJob || ref.Kind == rightsize.KindCronJob) {
			jobTime[ref] += n
		}
	}
	for ref, n := range jobTime {
		put(ref, func(w *rightsize.WorkloadHistory) { w.AvgReplicas, w.Has = n/steps, w.Has|rightsize.StatReplicas })
	}
}

// oomChunks returns pod matchers naming the OOM-killed containers' pods,
// at most oomPodsPerQuery a query.
func oomChunks(v model.Vector) []string {
	perNS := map[string]map[string]bool{}
	for _, s := range v {
		k := keyOf(s.Metric)
		if perNS[k.ns] == nil {
			perNS[k.ns] = map[string]bool{}
		}
		perNS[k.ns][k.pod] = true
	}
	var out []string
	var nss, pods []string
	flush := func() {
		if len(pods) > 0 {
			out = append(out, fmt.Sprintf(`namespace=~"%s",pod=~"%s"`, strings.Join(nss, "|"), strings.Join(pods, "|")))
		}
		nss, pods = nil, nil
	}
	for _, ns := range slices.Sorted(maps.Keys(perNS)) {
		nss = append(nss, quoteRegexp(ns))
		for _, pod := range slices.Sorted(maps.Keys(perNS[ns])) {
			pods = append(pods, quoteRegexp(pod))
			if len(pods) == oomPodsPerQuery {
				flush()
				nss = append(nss, quoteRegexp(ns))
			}
		}
	}
	flush()
	return out
}

func compareContainers(a, b container) int {
	if a.ns != b.ns {
		return strings.Compare(a.ns, b.ns)
	}
	if a.pod != b.pod {
		return strings.Compare(a.pod, b.pod)
	}
	return strings.Compare(a.name, b.name)
}

// runQueries evaluates the queries at time at, parallel at a time; the first
// error cancels the rest.
func runQueries(ctx context.Context, c *Client, at time.Time, parallel int, qs []query) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, parallel)
	errs := make([]error, len(qs))
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			v, err := c.Vector(ctx, q.expr, at)
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", q.name, err)
				cancel()
				return
			}
			q.apply(v)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// promDuration writes d the way PromQL reads it ("14d", "5m", "90s").
func promDuration(d time.Duration) string { return model.Duration(d).String() }

// matchers joins label matchers, adding a namespace filter.
func matchers(ms []string, namespaces []string) string {
	out := slices.Clone(ms)
	if len(namespaces) > 0 {
		q := make([]string, len(namespaces))
		for i, ns := range namespaces {
			q[i] = quoteRegexp(ns)
		}
		out = append(out, fmt.Sprintf(`namespace=~"%s"`, strings.Join(q, "|")))
	}
	return strings.Join(out, ",")
}

// joinMatchers joins two lists of label matchers, either of which may be
// empty.
func joinMatchers(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "," + b
}

// comma prefixes non-empty matchers with a comma, to follow other matchers.
func comma(m string) string {
	if m == "" {
		return ""
	}
	return "," + m
}

// chunkContainers splits the containers (namespace → pod → containers)
// into chunks of at most budget containers each, and returns each chunk's extra
// matchers: "" when one query holds them all, namespace=~"a|b" for a set of
// namespaces, and namespace="a",pod=~".*x|.*y" for part of a namespace too
// large for one query, split by the pods' last characters.
func chunkContainers(perNS map[string]map[string]int, budget int) []string {
	budget = max(budget, 1)
	sum := func(pods map[string]int) (n int) {
		for _, c := range pods {
			n += c
		}
		return n
	}
	total := 0
	for _, pods := range perNS {
		total += sum(pods)
	}
	if total <= budget {
		return []string{""}
	}
	type group struct {
		ns, match string // match is a pod regexp; "" for the whole namespace
		n         int
	}
	var whole, parts []group
	// split groups pods that end in suffix by one more character; a pod
	// named exactly suffix is matched by its name.
	var split func(ns string, pods map[string]int, suffix string)
	split = func(ns string, pods map[string]int, suffix string) {
		buckets := map[string]map[string]int{}
		for pod, n := range pods {
			key := pod
			if len(pod) > len(suffix) {
				key = pod[len(pod)-len(suffix)-1:]
			}
			if buckets[key] == nil {
				buckets[key] = map[string]int{}
			}
			buckets[key][pod] = n
		}
		for _, key := range slices.Sorted(maps.Keys(buckets)) {
			b, n := buckets[key], sum(buckets[key])
			switch {
			case len(key) == len(suffix):
				parts = append(parts, group{ns, quoteRegexp(key), n})
			case n > budget && len(b) > 1:
				split(ns, b, key)
			default:
				parts = append(parts, group{ns, ".*" + quoteRegexp(key), n})
			}
		}
	}
	for _, ns := range slices.Sorted(maps.Keys(perNS)) {
		if n := sum(perNS[ns]); n <= budget {
			whole = append(whole, group{ns: ns, n: n})
		} else {
			split(ns, perNS[ns], "")
		}
	}
	var out []string
	// Whole namespaces, packed first-fit, largest first.
	sort.SliceStable(whole, func(i, j int) bool { return whole[i].n > whole[j].n })
	var bins [][]string
	var sizes []int
	for _, g := range whole {
		i := slices.IndexFunc(sizes, func(s int) bool { return s+g.n <= budget })
		if i < 0 {
			bins, sizes, i = append(bins, nil), append(sizes, 0), len(bins)
		}
		bins[i], sizes[i] = append(bins[i], quoteRegexp(g.ns)), sizes[i]+g.n
	}
	for _, names := range bins {
		slices.Sort(names)
		out = append(out, `namespace=~"`+strings.Join(names, "|")+`"`)
	}
	// Parts of large namespaces, packed in order within their namespace.
	for i := 0; i < len(parts); {
		j, n := i, 0
		var alts []string
		for ; j < len(parts) && parts[j].ns == parts[i].ns && (j == i || n+parts[j].n <= budget); j++ {
			n += parts[j].n
			alts = append(alts, parts[j].match)
		}
		out = append(out, `namespace="`+parts[i].ns+`",pod=~"`+strings.Join(alts, "|")+`"`)
		i = j
	}
	return out
}

// ownerSet collects pod and ReplicaSet owners from kube-state-metrics.
type ownerSet struct {
	pods map[rightsize.PodKey][3]string // owner kind, owner name
	rs   map[[2]string][2]string        // namespace, replicaset → owner kind, name
}

func (o *ownerSet) query(m, w string) string {
	return fmt.Sprintf(`label_replace(max by (namespace, pod, owner_kind, owner_name) (last_over_time(kube_pod_owner{%s}[%s])), "q", "pod", "", "")`+
		` or label_replace(max by (namespace, replicaset, owner_kind, owner_name) (last_over_time(kube_replicaset_owner{%s}[%s])), "q", "rs", "", "")`, m, w, m, w)
}

func (o *ownerSet) add(v model.Vector) {
	if o.pods == nil {
		o.pods, o.rs = map[rightsize.PodKey][3]string{}, map[[2]string][2]string{}
	}
	for _, s := range v {
		m := s.Metric
		kind, name := string(m["owner_kind"]), string(m["owner_name"])
		if kind == "<none>" {
			kind, name = "", ""
		}
		switch m["q"] {
		case "pod":
			o.pods[rightsize.PodKey{Namespace: string(m["namespace"]), Pod: string(m["pod"])}] = [3]string{kind, name}
		case "rs":
			o.rs[[2]string{string(m["namespace"]), string(m["replicaset"])}] = [2]string{kind, name}
		}
	}
}

// resolve maps every pod to its workload, through its ReplicaSet's owner
// where known, else by the naming convention.
func (o *ownerSet) resolve() map[rightsize.PodKey]rightsize.WorkloadRef {
	out := map[rightsize.PodKey]rightsize.WorkloadRef{}
	for k, own := range o.pods {
		kind, name := own[0], own[1]
		if kind == "ReplicaSet" {
			if rs, ok := o.rs[[2]string{k.Namespace, name}]; ok && rs[0] != "" {
				out[k] = rightsize.WorkloadRef{Kind: rs[0], Namespace: k.Namespace, Name: rs[1]}
				continue
			}
		}
		out[k] = rightsize.OwnerOf(k.Namespace, k.Pod, kind, name, "")
	}
	return out
}

// quoteRegexp quotes s as a literal inside a regular expression in a
// PromQL string (whose backslashes are escaped once more).
func quoteRegexp(s string) string { return strings.ReplaceAll(regexp.QuoteMeta(s), `\`, `\\`) }
