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
)

// Defaults of UsageOptions.
const (
	DefaultWindow = 14 * 24 * time.Hour
	// DefaultStep and DefaultRateWindow make the CPU percentile one of
	// back-to-back 5-minute averages: every sample counts once. A 1-minute
	// step over 5-minute rates costs five times as much for nearly the same
	// answer.
	DefaultStep       = 5 * time.Minute
	DefaultRateWindow = 5 * time.Minute
	// MeanResolution is the resolution of the mean CPU (hourly rates; finer
	// for windows shorter than two days).
	MeanResolution = time.Hour
	// DefaultMaxPoints bounds the points one subquery holds in the
	// server's memory (series × steps); Prometheus refuses queries above
	// its --query.max-samples (50 million by default).
	DefaultMaxPoints = 5_000_000
	DefaultParallel  = 2
)

// UsageOptions configure [FetchUsage] and [FetchCluster].
type UsageOptions struct {
	End        time.Time     // the end of the window; zero means now
	Window     time.Duration // default 14 days
	Step       time.Duration // the CPU percentile's resolution; default 5m
	RateWindow time.Duration // the range of rate() on CPU counters; default 5m
	// CPUPercentile of each pod's CPU use; default 0.95.
	CPUPercentile float64
	// Namespaces limits the query to these namespaces; empty means all.
	Namespaces []string
	// Selector is extra label matchers for every series, for a
	// Prometheus that holds several clusters: `cluster="prod"`.
	Selector string
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
	if o.RateWindow == 0 {
		o.RateWindow = DefaultRateWindow
	}
	if o.CPUPercentile == 0 {
		o.CPUPercentile = rightsize.DefaultCPUPercentile
	}
	if o.MaxPoints == 0 {
		o.MaxPoints = DefaultMaxPoints
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	return o
}

// Check reports options that cannot work.
func (o UsageOptions) Check() error {
	o = o.withDefaults()
	switch {
	case o.Window < o.Step || o.Step <= 0:
		return fmt.Errorf("window %v must be at least the step %v", o.Window, o.Step)
	case o.RateWindow < o.Step && o.RateWindow < time.Minute:
		return fmt.Errorf("rate window %v is too short: it needs two samples (use at least twice the scrape interval)", o.RateWindow)
	case o.CPUPercentile <= 0 || o.CPUPercentile > 1:
		return fmt.Errorf("CPU percentile %g: want a fraction in (0, 1], like 0.95", o.CPUPercentile)
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

// Stats selects what FetchUsage reads beyond which containers exist and
// how much history each has. Each costs Prometheus a pass over the
// window's samples: ask only for what is used.
type Stats uint8

// The statistics FetchUsage can read.
const (
	CPUPercentile Stats = 1 << iota // the CPU percentile (the costliest: a subquery)
	MemoryPeak                      // the highest working set
	Means                           // mean CPU and memory (Standard-mode cost allocation)
	OOMKills                        // OOM kills and the memory limit at the kill
	// ForRightsize is what recommendations use.
	ForRightsize = CPUPercentile | MemoryPeak | OOMKills
	// AllStats is everything.
	AllStats = CPUPercentile | MemoryPeak | Means | OOMKills
)

// oomPodsPerQuery bounds the pods named in one OOM query's regexp.
const oomPodsPerQuery = 300

// FetchUsage reads the containers' usage over the window with a bounded
// number of queries, each aggregated server-side, per container of each
// pod, what stats asks for (zero means AllStats): the CPU percentile of
// rates over RateWindow every Step (a subquery, chunked so that no query
// holds more than MaxPoints points) with the memory sample count, the
// peak working set, the mean CPU (of hourly rates) and working set, OOM
// kills with the memory limit at the kill (read only for the containers
// kube-state-metrics saw OOM-killed); and the pod and ReplicaSet owners.
// It runs in two stages: the passes over the memory series, which list the
// containers, then the CPU subqueries chunked by that list. The number of
// queries grows with containers × steps / MaxPoints and with OOM-killed
// pods / 300, not with the number of workloads.
func FetchUsage(ctx context.Context, c *Client, opts UsageOptions, stats Stats) (*rightsize.Usage, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	if stats == 0 {
		stats = AllStats
	}
	o := opts.withDefaults()
	extra, _ := parseSelector(o.Selector)
	w, step, rw := promDuration(o.Window), promDuration(o.Step), promDuration(o.RateWindow)
	cadvisor := matchers(append([]string{`container!=""`, `container!="POD"`}, extra...), o.Namespaces)
	ksm := matchers(extra, o.Namespaces)
	by := "by (namespace, pod, container)"

	u := &rightsize.Usage{End: o.End, Window: o.Window, Step: o.Step, CPUPercentile: o.CPUPercentile,
		Owners: map[rightsize.PodKey]rightsize.WorkloadRef{}}
	byKey := map[container]*rightsize.ContainerUsage{}
	var mu sync.Mutex
	// set stores a statistic; the first stage's queries also say which
	// containers exist (create), the second's only fill them in.
	set := func(create bool, f func(*rightsize.ContainerUsage, float64)) func(model.Vector) {
		return func(v model.Vector) {
			mu.Lock()
			defer mu.Unlock()
			for _, s := range v {
				k := keyOf(s.Metric)
				cu := byKey[k]
				if cu == nil && create {
					cu = &rightsize.ContainerUsage{Namespace: k.ns, Pod: k.pod, Container: k.name}
					byKey[k] = cu
				}
				if cu != nil && !math.IsNaN(float64(s.Value)) {
					f(cu, float64(s.Value))
				}
			}
		}
	}
	mem := func(fn string) string {
		return fmt.Sprintf(`max %s (%s(container_memory_working_set_bytes{%s}[%s]))`, by, fn, cadvisor, w)
	}

	// 1. The passes over the memory series, which say which containers
	// exist (and plan the chunks of the second stage), and which
	// containers were OOM-killed.
	var first []query
	if stats&CPUPercentile != 0 {
		first = append(first, query{"memory samples", mem("count_over_time"),
			set(true, func(cu *rightsize.ContainerUsage, v float64) { cu.Samples = int(v) })})
	}
	if stats&MemoryPeak != 0 || stats&(CPUPercentile|Means) == 0 {
		first = append(first, query{"memory peak", mem("max_over_time"),
			set(true, func(cu *rightsize.ContainerUsage, v float64) { cu.MemoryPeak = v })})
	}
	if stats&Means != 0 {
		first = append(first, query{"memory mean", mem("avg_over_time"),
			set(true, func(cu *rightsize.ContainerUsage, v float64) { cu.MemoryAvg = v })})
	}
	var oomed model.Vector
	if stats&OOMKills != 0 {
		first = append(first, query{"OOM-killed containers", fmt.Sprintf(`max %s (max_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"%s}[%s])) == 1`,
			by, comma(ksm), w), func(v model.Vector) { oomed = v }})
	}
	if err := run(ctx, c, o.End, o.Parallel, first); err != nil {
		return nil, err
	}
	if len(byKey) == 0 {
		return nil, ErrNoUsage
	}
	perNS := map[string]map[string]int{}
	for k := range byKey {
		if perNS[k.ns] == nil {
			perNS[k.ns] = map[string]int{}
		}
		perNS[k.ns][k.pod]++
	}

	// 2. The CPU subqueries, chunked, and the rest. Subqueries aggregate
	// outside: an aggregation inside is evaluated at every step and costs
	// more than the rates themselves. A container restarted has one series
	// per run; the highest run counts.
	cpuRate := func(m, r string) string {
		return fmt.Sprintf(`rate(container_cpu_usage_seconds_total{%s}[%s])`, m, r)
	}
	var qs []query
	if stats&CPUPercentile != 0 {
		for _, m := range plan(perNS, o.MaxPoints/(int(o.Window/o.Step)+1)) {
			qs = append(qs, query{"CPU percentile", fmt.Sprintf(`max %s (quantile_over_time(%g, %s[%s:%s]))`,
				by, o.CPUPercentile, cpuRate(join(cadvisor, m), rw), w, step),
				set(false, func(cu *rightsize.ContainerUsage, v float64) { cu.CPU = v })})
		}
	}
	if stats&Means != 0 {
		// Hourly, or finer for short windows: a partial first window
		// counts as a whole one, so keep it under 1/48 of the window.
		mean := max(min(MeanResolution, o.Window/48), o.RateWindow)
		for _, m := range plan(perNS, o.MaxPoints/(int(o.Window/mean)+1)) {
			qs = append(qs, query{"CPU mean", fmt.Sprintf(`max %s (avg_over_time(%s[%s:%s]))`,
				by, cpuRate(join(cadvisor, m), promDuration(mean)), w, promDuration(mean)),
				set(false, func(cu *rightsize.ContainerUsage, v float64) { cu.CPUAvg = v })})
		}
	}
	for _, pods := range oomChunks(oomed) {
		m := join(ksm, pods)
		qs = append(qs,
			query{"OOM kills", fmt.Sprintf(`sum %s (increase(kube_pod_container_status_restarts_total{%s}[%s]))`, by, m, w),
				set(false, func(cu *rightsize.ContainerUsage, v float64) { cu.OOMKills = max(1, int(math.Round(v))) })},
			query{"memory limit at OOM", fmt.Sprintf(`max %s (max_over_time(kube_pod_container_resource_limits{resource="memory",%s}[%s]))`, by, m, w),
				set(false, func(cu *rightsize.ContainerUsage, v float64) { cu.MemoryLimitAtOOM = v })})
	}
	var owners ownerSet
	qs = append(qs, query{"owners", owners.query(ksm, w), func(v model.Vector) { mu.Lock(); owners.add(v); mu.Unlock() }})
	if err := run(ctx, c, o.End, o.Parallel, qs); err != nil {
		return nil, err
	}
	// Restarts of containers never OOM-killed do not count as OOM kills.
	oomKeys := map[container]bool{}
	for _, s := range oomed {
		oomKeys[keyOf(s.Metric)] = true
	}
	for k, cu := range byKey {
		if !oomKeys[k] {
			cu.OOMKills, cu.MemoryLimitAtOOM = 0, 0
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(byKey), compareContainers) {
		u.Containers = append(u.Containers, *byKey[k])
	}
	u.Owners = owners.resolve()
	return u, nil
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

// run evaluates the queries at time at, parallel at a time; the first
// error cancels the rest.
func run(ctx context.Context, c *Client, at time.Time, parallel int, qs []query) error {
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

func join(a, b string) string {
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

// plan splits the containers (namespace → pod → containers) into chunks
// of at most budget containers each, and returns each chunk's extra
// matchers: "" when one query holds them all, namespace=~"a|b" for a set of
// namespaces, and namespace="a",pod=~".*x|.*y" for part of a namespace too
// large for one query, split by the pods' last characters.
func plan(perNS map[string]map[string]int, budget int) []string {
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

// FetchCluster reads the cluster's inventory from kube-state-metrics at
// opts.End, in two queries: the requests and limits of every live pod's
// containers, and one union of the metadata (pod nodes and owners,
// ReplicaSet owners, replicas, workload labels, HPAs, node labels and
// capacity). It is for when the Kubernetes API is out of reach: workloads'
// containers are taken from their live pods, and node machine types and
// Spot need kube-state-metrics to export those labels
// (--metric-labels-allowlist=nodes=[node.kubernetes.io/instance-type,…]).
func FetchCluster(ctx context.Context, c *Client, opts UsageOptions) (*rightsize.Cluster, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	extra, _ := parseSelector(o.Selector)
	ns := matchers(extra, o.Namespaces)
	all := matchers(extra, nil)
	tag := func(q, expr string) string { return fmt.Sprintf(`label_replace(%s, "q", %q, "", "")`, expr, q) }
	resources := strings.Join([]string{
		tag("req", fmt.Sprintf(`max by (namespace, pod, container, resource) (kube_pod_container_resource_requests{resource=~"cpu|memory"%s})`, comma(ns))),
		tag("lim", fmt.Sprintf(`max by (namespace, pod, container, resource) (kube_pod_container_resource_limits{resource=~"cpu|memory"%s})`, comma(ns))),
	}, " or ")
	meta := strings.Join([]string{
		tag("info", fmt.Sprintf(`max by (namespace, pod, node) (kube_pod_info{%s})`, ns)),
		tag("live", fmt.Sprintf(`max by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Running"%s} == 1)`, comma(ns))),
		tag("pod", fmt.Sprintf(`max by (namespace, pod, owner_kind, owner_name) (kube_pod_owner{%s})`, ns)),
		tag("rs", fmt.Sprintf(`max by (namespace, replicaset, owner_kind, owner_name) (kube_replicaset_owner{%s})`, ns)),
		tag("deploy", fmt.Sprintf(`max by (namespace, deployment) (kube_deployment_spec_replicas{%s})`, ns)),
		tag("sts", fmt.Sprintf(`max by (namespace, statefulset) (kube_statefulset_replicas{%s})`, ns)),
		tag("deploy_labels", fmt.Sprintf(`kube_deployment_labels{%s}`, ns)),
		tag("sts_labels", fmt.Sprintf(`kube_statefulset_labels{%s}`, ns)),
		tag("hpa_min", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_min_replicas{%s})`, ns)),
		tag("hpa_max", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{%s})`, ns)),
		tag("hpa_cur", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{%s})`, ns)),
		tag("hpa_target", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler, metric_name, metric_target_type) (kube_horizontalpodautoscaler_spec_target_metric{%s})`, ns)),
		tag("hpa_info", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler, scaletargetref_kind, scaletargetref_name) (kube_horizontalpodautoscaler_info{%s})`, ns)),
		tag("node_labels", fmt.Sprintf(`kube_node_labels{%s}`, all)),
		tag("node_cap", fmt.Sprintf(`max by (node, resource) (kube_node_status_capacity{resource=~"cpu|memory"%s})`, comma(all))),
		tag("node_alloc", fmt.Sprintf(`max by (node, resource) (kube_node_status_allocatable{resource=~"cpu|memory"%s})`, comma(all))),
	}, " or ")
	var res, md model.Vector
	err := run(ctx, c, o.End, o.Parallel, []query{
		{"requests and limits", resources, func(v model.Vector) { res = v }},
		{"inventory", meta, func(v model.Vector) { md = v }},
	})
	if err != nil {
		return nil, err
	}
	return inventory(res, md), nil
}

// inventory assembles a cluster from FetchCluster's two results.
func inventory(res, md model.Vector) *rightsize.Cluster {
	type pod struct {
		node       string
		containers map[string]*rightsize.Container
	}
	pods := map[rightsize.PodKey]*pod{}
	getPod := func(m model.Metric) *pod {
		k := rightsize.PodKey{Namespace: string(m["namespace"]), Pod: string(m["pod"])}
		if pods[k] == nil {
			pods[k] = &pod{containers: map[string]*rightsize.Container{}}
		}
		return pods[k]
	}
	live := map[rightsize.PodKey]bool{}
	var owners ownerSet
	owners.add(nil)
	replicas := map[rightsize.WorkloadRef]int{}
	labels := map[rightsize.WorkloadRef]map[string]string{}
	type hpaKey struct{ ns, name string }
	hpas := map[hpaKey]*rightsize.HPA{}
	targets := map[hpaKey]rightsize.WorkloadRef{}
	getHPA := func(m model.Metric) *rightsize.HPA {
		k := hpaKey{string(m["namespace"]), string(m["horizontalpodautoscaler"])}
		if hpas[k] == nil {
			hpas[k] = &rightsize.HPA{Name: k.name, MinReplicas: 1, CPUMetric: -1}
		}
		return hpas[k]
	}
	nodes := map[string]*rightsize.Node{}
	getNode := func(m model.Metric) *rightsize.Node {
		name := string(m["node"])
		if nodes[name] == nil {
			nodes[name] = &rightsize.Node{Name: name}
		}
		return nodes[name]
	}
	for _, s := range res {
		m, v := s.Metric, float64(s.Value)
		p := getPod(m)
		name := string(m["container"])
		ct := p.containers[name]
		if ct == nil {
			ct = &rightsize.Container{Name: name}
			p.containers[name] = ct
		}
		if m["q"] == "lim" {
			setResource(&ct.Limits, m, v)
		} else {
			setResource(&ct.Requests, m, v)
		}
	}
	hasLive := false
	metrics := map[hpaKey]int{}
	for _, s := range md {
		m, v := s.Metric, float64(s.Value)
		ref := func(kind, label string) rightsize.WorkloadRef {
			return rightsize.WorkloadRef{Kind: kind, Namespace: string(m["namespace"]), Name: string(m[model.LabelName(label)])}
		}
		switch m["q"] {
		case "info":
			getPod(m).node = string(m["node"])
		case "live":
			hasLive = true
			live[rightsize.PodKey{Namespace: string(m["namespace"]), Pod: string(m["pod"])}] = true
		case "pod", "rs":
			owners.add(model.Vector{s})
		case "deploy":
			replicas[ref(rightsize.KindDeployment, "deployment")] = int(v)
		case "sts":
			replicas[ref(rightsize.KindStatefulSet, "statefulset")] = int(v)
		case "deploy_labels":
			labels[ref(rightsize.KindDeployment, "deployment")] = workloadLabels(m)
		case "sts_labels":
			labels[ref(rightsize.KindStatefulSet, "statefulset")] = workloadLabels(m)
		case "hpa_min":
			getHPA(m).MinReplicas = int(v)
		case "hpa_max":
			getHPA(m).MaxReplicas = int(v)
		case "hpa_cur":
			getHPA(m).CurrentReplicas = int(v)
		case "hpa_target":
			h := getHPA(m)
			metrics[hpaKey{string(m["namespace"]), h.Name}]++
			switch {
			case m["metric_name"] == "cpu" && m["metric_target_type"] == "utilization":
				h.CPUTarget = v / 100
			case m["metric_name"] == "memory" && m["metric_target_type"] == "utilization":
				h.MemoryTarget = v / 100
			default:
				h.OtherMetrics++
			}
		case "hpa_info":
			h := getHPA(m)
			targets[hpaKey{string(m["namespace"]), h.Name}] = ref(string(m["scaletargetref_kind"]), "scaletargetref_name")
		case "node_labels":
			n := getNode(m)
			n.MachineType = string(m["label_node_kubernetes_io_instance_type"])
			if n.MachineType == "" {
				n.MachineType = string(m["label_beta_kubernetes_io_instance_type"])
			}
			n.Spot = m["label_cloud_google_com_gke_spot"] == "true" || m["label_cloud_google_com_gke_preemptible"] == "true"
			n.Pool = string(m["label_cloud_google_com_gke_nodepool"])
			n.Region = string(m["label_topology_kubernetes_io_region"])
		case "node_cap", "node_alloc":
			if n := getNode(m); m["q"] == "node_alloc" {
				setResource(&n.Allocatable, m, v)
			} else {
				setResource(&n.Capacity, m, v)
			}
		}
	}
	c := &rightsize.Cluster{}
	owner := owners.resolve()
	template := map[rightsize.WorkloadRef]map[string]rightsize.Container{}
	count := map[rightsize.WorkloadRef]int{}
	for _, k := range slices.SortedFunc(maps.Keys(pods), func(a, b rightsize.PodKey) int {
		return strings.Compare(a.Namespace+"/"+a.Pod, b.Namespace+"/"+b.Pod)
	}) {
		p := pods[k]
		if (hasLive && !live[k]) || len(p.containers) == 0 {
			continue
		}
		ref, ok := owner[k]
		if !ok {
			ref = rightsize.WorkloadRef{Kind: rightsize.KindPod, Namespace: k.Namespace, Name: k.Pod}
		}
		pod := rightsize.Pod{Namespace: k.Namespace, Name: k.Pod, Owner: ref, Node: p.node}
		if template[ref] == nil {
			template[ref] = map[string]rightsize.Container{}
		}
		for _, name := range slices.Sorted(maps.Keys(p.containers)) {
			ct := *p.containers[name]
			pod.Containers = append(pod.Containers, ct)
			t := template[ref][name]
			t.Name = name
			t.Requests = rightsize.Resources{CPU: max(t.Requests.CPU, ct.Requests.CPU), Memory: max(t.Requests.Memory, ct.Requests.Memory)}
			t.Limits = rightsize.Resources{CPU: max(t.Limits.CPU, ct.Limits.CPU), Memory: max(t.Limits.Memory, ct.Limits.Memory)}
			template[ref][name] = t
		}
		count[ref]++
		c.Pods = append(c.Pods, pod)
	}
	for ref := range replicas {
		if template[ref] == nil {
			template[ref] = map[string]rightsize.Container{}
		}
	}
	for ref, cs := range template {
		w := rightsize.Workload{WorkloadRef: ref, Labels: labels[ref], Replicas: count[ref]}
		if n, ok := replicas[ref]; ok {
			w.Replicas = n
		}
		for _, name := range slices.Sorted(maps.Keys(cs)) {
			w.Containers = append(w.Containers, cs[name])
		}
		c.Workloads = append(c.Workloads, w)
	}
	byRef := make(map[rightsize.WorkloadRef]int, len(c.Workloads))
	for i, w := range c.Workloads {
		byRef[w.WorkloadRef] = i
	}
	for k, h := range hpas {
		if metrics[k] == 1 && h.CPUTarget > 0 {
			h.CPUMetric = 0 // the only metric; with several, its index is unknown
		}
		if i, ok := byRef[targets[k]]; ok {
			c.Workloads[i].HPA = h
		}
	}
	for _, name := range slices.Sorted(maps.Keys(nodes)) {
		c.Nodes = append(c.Nodes, *nodes[name])
	}
	c.AddOrphanOwners()
	return c
}

// setResource stores v as the CPU or memory of r, by m's resource label.
func setResource(r *rightsize.Resources, m model.Metric, v float64) {
	if m["resource"] == "cpu" {
		r.CPU = v
	} else {
		r.Memory = v
	}
}

// workloadLabels turns kube-state-metrics' label_* labels back into
// Kubernetes labels: the component labels by name, others as sanitised.
func workloadLabels(m model.Metric) map[string]string {
	known := map[string]string{}
	for _, l := range rightsize.DefaultComponentLabels {
		known["label_"+sanitize(l)] = l
	}
	out := map[string]string{}
	for k, v := range m {
		name, ok := strings.CutPrefix(string(k), "label_")
		if !ok {
			continue
		}
		if orig, ok := known[string(k)]; ok {
			name = orig
		}
		out[name] = string(v)
	}
	return out
}

// sanitize maps a Kubernetes label to its kube-state-metrics form.
func sanitize(l string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, l)
}
