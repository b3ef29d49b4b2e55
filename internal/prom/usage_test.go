package prom_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/internal/promtest"
	"github.com/headroom-sre/headroom/rightsize"
)

const mi = 1 << 20

// openMetrics builds backfill text: one family at a time, each series'
// samples every minute of the window where f says the series exists.
type openMetrics struct {
	b        strings.Builder
	start    time.Time
	minutes  int
	families map[string]bool
	last     string
}

func (o *openMetrics) series(family, typ, name, labels string, f func(minute int) (float64, bool)) {
	if o.last != family {
		if o.families[family] {
			panic("family " + family + " is not contiguous")
		}
		o.families[family] = true
		o.last = family
		fmt.Fprintf(&o.b, "# TYPE %s %s\n", family, typ)
	}
	for i := 0; i <= o.minutes; i++ {
		if v, ok := f(i); ok {
			fmt.Fprintf(&o.b, "%s{%s} %g %d\n", name, labels, v, o.start.Add(time.Duration(i)*time.Minute).Unix())
		}
	}
}

func always(v float64) func(int) (float64, bool) { return func(int) (float64, bool) { return v, true } }

// counter is a CPU-seconds counter growing at rate(minute) cores, from live to until.
func counter(from, until int, rate func(int) float64) func(int) (float64, bool) {
	return func(i int) (float64, bool) {
		if i < from || i >= until {
			return 0, false
		}
		total := 0.0
		for m := from; m < i; m++ {
			total += rate(m) * 60
		}
		return total, true
	}
}

const (
	window  = 6 * time.Hour
	minutes = 360
	podA    = "api-7f9c6b8d5b-2kxlm"
	podB    = "api-7f9c6b8d5b-9qwtz"
	podOld  = "api-5c6d7e8f9a-old11" // rolled away two hours in
	podW    = "worker-6b7c8d9e0f-h5kzt"
)

// cluster writes six hours of cAdvisor and kube-state-metrics data whose
// right answers are known:
//   - api pod A runs at 0.2 cores with a 10-minute spike to 1 core (under
//     5 % of the window: its p95 is 0.2), memory ramping 100Mi → 300Mi;
//   - api pod B runs at 0.1 cores and 150Mi;
//   - an older api pod ran at 0.3 cores and 400Mi for the first two hours;
//   - the worker runs at 0.4 cores and 500Mi and was OOM-killed twice at a
//     512Mi limit (at 3 h and 4 h);
//   - pause ("POD") and pod-level (container="") series that must be ignored.
func cluster(end time.Time) string {
	o := &openMetrics{start: end.Add(-window), minutes: minutes, families: map[string]bool{}}
	c := func(ns, pod, ctr string) string {
		return fmt.Sprintf(`namespace=%q,pod=%q,container=%q,job="kubelet",id="/kubepods/%s/%s",image="x"`, ns, pod, ctr, pod, ctr)
	}
	life := func(from, until int, v float64) func(int) (float64, bool) {
		return func(i int) (float64, bool) { return v, i >= from && i < until }
	}
	all := minutes + 1
	cpu := "container_cpu_usage_seconds"
	o.series(cpu, "counter", cpu+"_total", c("shop", podA, "app"), counter(0, all, func(m int) float64 {
		if m >= 180 && m < 190 {
			return 1
		}
		return 0.2
	}))
	o.series(cpu, "counter", cpu+"_total", c("shop", podB, "app"), counter(0, all, func(int) float64 { return 0.1 }))
	o.series(cpu, "counter", cpu+"_total", c("shop", podOld, "app"), counter(0, 120, func(int) float64 { return 0.3 }))
	o.series(cpu, "counter", cpu+"_total", c("jobs", podW, "worker"), counter(0, all, func(int) float64 { return 0.4 }))
	o.series(cpu, "counter", cpu+"_total", c("shop", podB, "proxy"), counter(0, all, func(int) float64 { return 0.01 }))
	o.series(cpu, "counter", cpu+"_total", c("shop", podA, "POD"), counter(0, all, func(int) float64 { return 5 }))
	o.series(cpu, "counter", cpu+"_total", c("shop", podA, ""), counter(0, all, func(int) float64 { return 7 }))
	mem := "container_memory_working_set_bytes"
	o.series(mem, "gauge", mem, c("shop", podA, "app"), func(i int) (float64, bool) { return 100*mi + 200*mi*float64(i)/minutes, true })
	o.series(mem, "gauge", mem, c("shop", podB, "app"), always(150*mi))
	o.series(mem, "gauge", mem, c("shop", podOld, "app"), life(0, 120, 400*mi))
	o.series(mem, "gauge", mem, c("jobs", podW, "worker"), always(500*mi))
	o.series(mem, "gauge", mem, c("shop", podB, "proxy"), always(20*mi))
	o.series(mem, "gauge", mem, c("shop", podA, "POD"), always(900*mi))
	o.series(mem, "gauge", mem, c("shop", podA, ""), always(990*mi))

	// The worker has a CPU limit: 600 CFS periods a minute, 60 throttled.
	for _, f := range []struct {
		name string
		per  float64
	}{{"container_cpu_cfs_periods", 600}, {"container_cpu_cfs_throttled_periods", 60}} {
		o.series(f.name, "counter", f.name+"_total", c("jobs", podW, "worker"), counter(0, all, func(int) float64 { return f.per / 60 }))
	}
	// Network receive, per pod: pod A's health checks (50 B/s) with a
	// burst of traffic at 3 h; pod B's health checks only.
	rx := "container_network_receive_bytes"
	podNet := func(ns, pod string) string {
		return fmt.Sprintf(`namespace=%q,pod=%q,container="POD",interface="eth0",job="kubelet"`, ns, pod)
	}
	o.series(rx, "counter", rx+"_total", podNet("shop", podA), counter(0, all, func(m int) float64 {
		if m >= 180 && m < 190 {
			return 5000
		}
		return 50
	}))
	o.series(rx, "counter", rx+"_total", podNet("shop", podB), counter(0, all, func(int) float64 { return 50 }))
	// Requests counted by the app on pod A only (pod B's app exports none).
	o.series("http_requests", "counter", "http_requests_total", `namespace="shop",pod="`+podA+`",code="200",job="app"`, counter(0, all, func(int) float64 { return 2 }))

	k := func(ns, pod, ctr string) string {
		return fmt.Sprintf(`namespace=%q,pod=%q,container=%q,uid="u-%s"`, ns, pod, ctr, pod)
	}
	o.series("kube_pod_container_status_restarts", "counter", "kube_pod_container_status_restarts_total", k("jobs", podW, "worker"),
		func(i int) (float64, bool) { return float64(min(2, max(0, (i-120)/60))), true })
	o.series("kube_pod_container_status_last_terminated_reason", "gauge", "kube_pod_container_status_last_terminated_reason",
		k("jobs", podW, "worker")+`,reason="OOMKilled"`, func(i int) (float64, bool) { return 1, i >= 180 })
	lim := "kube_pod_container_resource_limits"
	o.series(lim, "gauge", lim, k("jobs", podW, "worker")+`,node="n1",resource="memory",unit="byte"`, always(512*mi))
	o.series(lim, "gauge", lim, k("shop", podA, "app")+`,node="n1",resource="memory",unit="byte"`, always(512*mi))
	o.series(lim, "gauge", lim, k("shop", podB, "app")+`,node="n2",resource="memory",unit="byte"`, always(512*mi))
	req := "kube_pod_container_resource_requests"
	for _, p := range []struct {
		ns, pod, ctr, node string
		cpu, mem           float64
		from, until        int
	}{
		{"shop", podA, "app", "n1", 0.5, 256 * mi, 0, all},
		{"shop", podB, "app", "n2", 0.5, 256 * mi, 0, all},
		{"shop", podOld, "app", "n1", 0.5, 256 * mi, 0, 120},
		{"jobs", podW, "worker", "n2", 0.5, 512 * mi, 0, all},
	} {
		o.series(req, "gauge", req, k(p.ns, p.pod, p.ctr)+fmt.Sprintf(`,node=%q,resource="cpu",unit="core"`, p.node), life(p.from, p.until, p.cpu))
		o.series(req, "gauge", req, k(p.ns, p.pod, p.ctr)+fmt.Sprintf(`,node=%q,resource="memory",unit="byte"`, p.node), life(p.from, p.until, p.mem))
	}
	meta := func(family, labels string, from, until int) {
		o.series(family, "gauge", family, labels, life(from, until, 1))
	}
	for _, p := range []struct{ ns, pod, ctr string }{{"shop", podA, "app"}, {"shop", podB, "app"}, {"shop", podB, "proxy"}, {"jobs", podW, "worker"}} {
		meta("kube_pod_container_info", fmt.Sprintf(`namespace=%q,pod=%q,container=%q,uid="u"`, p.ns, p.pod, p.ctr), 0, all)
	}
	meta("kube_pod_info", `namespace="shop",pod="`+podA+`",node="n1",uid="u1",host_ip="10.0.0.1"`, 0, all)
	meta("kube_pod_info", `namespace="shop",pod="`+podB+`",node="n2",uid="u2",host_ip="10.0.0.2"`, 0, all)
	meta("kube_pod_info", `namespace="shop",pod="`+podOld+`",node="n1",uid="u3",host_ip="10.0.0.1"`, 0, 120)
	meta("kube_pod_info", `namespace="jobs",pod="`+podW+`",node="n2",uid="u4",host_ip="10.0.0.2"`, 0, all)
	for _, p := range []struct {
		ns, pod, phase string
		v              float64
	}{{"shop", podA, "Running", 1}, {"shop", podB, "Running", 1}, {"jobs", podW, "Running", 1}, {"shop", podA, "Pending", 0}} {
		o.series("kube_pod_status_phase", "gauge", "kube_pod_status_phase", fmt.Sprintf(`namespace=%q,pod=%q,phase=%q,uid="u"`, p.ns, p.pod, p.phase), always(p.v))
	}
	owner := func(ns, pod, rs string, until int) {
		meta("kube_pod_owner", fmt.Sprintf(`namespace=%q,pod=%q,owner_kind="ReplicaSet",owner_name=%q,owner_is_controller="true",uid="u"`, ns, pod, rs), 0, until)
	}
	owner("shop", podA, "api-7f9c6b8d5b", all)
	owner("shop", podB, "api-7f9c6b8d5b", all)
	owner("shop", podOld, "api-5c6d7e8f9a", 120)
	owner("jobs", podW, "worker-6b7c8d9e0f", all)
	meta("kube_replicaset_owner", `namespace="shop",replicaset="api-7f9c6b8d5b",owner_kind="Deployment",owner_name="api"`, 0, all)
	meta("kube_replicaset_owner", `namespace="shop",replicaset="api-5c6d7e8f9a",owner_kind="Deployment",owner_name="api"`, 0, 120)
	o.series("kube_deployment_spec_replicas", "gauge", "kube_deployment_spec_replicas", `namespace="shop",deployment="api"`, always(2))
	o.series("kube_deployment_spec_replicas", "gauge", "kube_deployment_spec_replicas", `namespace="jobs",deployment="worker"`, always(1))
	// api ran 3 pods for its first two hours (the old one rolled away), 2 since.
	o.series("kube_deployment_status_replicas", "gauge", "kube_deployment_status_replicas", `namespace="shop",deployment="api"`, func(i int) (float64, bool) {
		if i < 120 {
			return 3, true
		}
		return 2, true
	})
	meta("kube_deployment_labels", `namespace="shop",deployment="api",label_app_kubernetes_io_component="backend"`, 0, all)
	hpa := `namespace="shop",horizontalpodautoscaler="api"`
	o.series("kube_horizontalpodautoscaler_spec_min_replicas", "gauge", "kube_horizontalpodautoscaler_spec_min_replicas", hpa, always(2))
	o.series("kube_horizontalpodautoscaler_spec_max_replicas", "gauge", "kube_horizontalpodautoscaler_spec_max_replicas", hpa, always(10))
	// The HPA sat at its maximum for the last 90 minutes.
	o.series("kube_horizontalpodautoscaler_status_current_replicas", "gauge", "kube_horizontalpodautoscaler_status_current_replicas", hpa, func(i int) (float64, bool) {
		if i >= minutes-90 {
			return 10, true
		}
		return 2, true
	})
	o.series("kube_horizontalpodautoscaler_spec_target_metric", "gauge", "kube_horizontalpodautoscaler_spec_target_metric",
		hpa+`,metric_name="cpu",metric_target_type="utilization"`, always(60))
	meta("kube_horizontalpodautoscaler_info", hpa+`,scaletargetref_kind="Deployment",scaletargetref_name="api",scaletargetref_api_version="apps/v1"`, 0, all)
	meta("kube_node_labels", `node="n1",label_node_kubernetes_io_instance_type="n2-standard-4",label_cloud_google_com_gke_nodepool="default-pool",label_topology_kubernetes_io_region="us-central1"`, 0, all)
	meta("kube_node_labels", `node="n2",label_node_kubernetes_io_instance_type="e2-standard-4",label_cloud_google_com_gke_spot="true",label_cloud_google_com_gke_nodepool="spot"`, 0, all)
	meta("kube_node_info", `node="n1",kubelet_version="v1.31.4-gke.1000000"`, 0, all)
	for _, n := range []string{"n1", "n2"} {
		o.series("kube_node_status_capacity", "gauge", "kube_node_status_capacity", fmt.Sprintf(`node=%q,resource="cpu",unit="core"`, n), always(4))
		o.series("kube_node_status_capacity", "gauge", "kube_node_status_capacity", fmt.Sprintf(`node=%q,resource="memory",unit="byte"`, n), always(16*1024*mi))
	}
	return o.b.String()
}

func client(t *testing.T, url string) *prom.Client {
	t.Helper()
	c, err := prom.New(prom.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func byName(u *rightsize.Usage) map[string]rightsize.ContainerUsage {
	out := map[string]rightsize.ContainerUsage{}
	for _, c := range u.Containers {
		out[c.Namespace+"/"+c.Pod+"/"+c.Container] = c
	}
	return out
}

// TestAgainstPrometheus backfills one real Prometheus (the slow part)
// and runs the adapter's queries against it.
func TestAgainstPrometheus(t *testing.T) {
	end := time.Now().Add(-10 * time.Minute).Truncate(time.Minute)
	s := promtest.Start(t, promtest.Options{OpenMetrics: cluster(end)})
	t.Run("usage", func(t *testing.T) { testUsage(t, s.URL, end) })
	t.Run("inventory from kube-state-metrics", func(t *testing.T) { testFetchCluster(t, s.URL, end) })
}

func testUsage(t *testing.T, url string, end time.Time) {
	opts := prom.UsageOptions{End: end, Window: window}
	t.Run("known usage comes back per container", func(t *testing.T) {
		c := client(t, url)
		u, err := prom.FetchUsage(context.Background(), c, opts, prom.AllStats)
		if err != nil {
			t.Fatal(err)
		}
		got := byName(u)
		// Scraped every minute: irate() is per-minute usage. Memory of pod
		// A ramps 100Mi → 300Mi over minutes 0…360, all in the window
		// [end-6h, end]: mean 200Mi. Its CPU is 0.2 with a 10-minute spike
		// to 1 core: 2.8% of the minutes, so its p99 and peak are 1 core;
		// its mean is 0.2 plus the spike's 0.8 for 10 of 360 minutes.
		all := rightsize.StatCPUHigh | rightsize.StatCPUPeak | rightsize.StatCPUAvg | rightsize.StatMemoryPeak | rightsize.StatMemoryAvg |
			rightsize.StatHistory | rightsize.StatOOM
		want := map[string]rightsize.ContainerUsage{
			"shop/" + podA + "/app":    {Has: all, CPUHigh: 1, CPUPeak: 1, CPUAvg: 0.2 + 0.8*10/360, MemoryPeak: 300 * mi, MemoryAvg: 200 * mi, Samples: 361},
			"shop/" + podB + "/app":    {Has: all, CPUHigh: 0.1, CPUPeak: 0.1, CPUAvg: 0.1, MemoryPeak: 150 * mi, MemoryAvg: 150 * mi, Samples: 361},
			"shop/" + podB + "/proxy":  {Has: all, CPUHigh: 0.01, CPUPeak: 0.01, CPUAvg: 0.01, MemoryPeak: 20 * mi, MemoryAvg: 20 * mi, Samples: 361},
			"shop/" + podOld + "/app":  {Has: all, CPUHigh: 0.3, CPUPeak: 0.3, CPUAvg: 0.3, MemoryPeak: 400 * mi, MemoryAvg: 400 * mi, Samples: 120},
			"jobs/" + podW + "/worker": {Has: all | rightsize.StatThrottling | rightsize.StatRestarts, CPUHigh: 0.4, CPUPeak: 0.4, CPUAvg: 0.4, MemoryPeak: 500 * mi, MemoryAvg: 500 * mi, Samples: 361, Throttled: 0.1, OOMKills: 2, MemoryLimitAtOOM: 512 * mi, Restarts: 2},
		}
		if len(got) != len(want) {
			t.Errorf("containers = %v; want exactly %d (no POD or pod-level series)", keys(got), len(want))
		}
		for k, w := range want {
			g, ok := got[k]
			if !ok {
				t.Errorf("%s missing", k)
				continue
			}
			// The CPU mean is a mean of rates over 1/48 of the window (7.5
			// minutes here): partial ones at a pod's start and end count as
			// whole ones, which matters for a pod that lives a short time
			// (the old one lived two hours).
			if k == "shop/"+podOld+"/app" {
				if g.CPUAvg < 0.5*w.CPUAvg || g.CPUAvg > w.CPUAvg {
					t.Errorf("%s: CPU mean = %g; want it in [%g, %g]", k, g.CPUAvg, 0.5*w.CPUAvg, w.CPUAvg)
				}
			} else if math.Abs(g.CPUAvg-w.CPUAvg) > 0.05*w.CPUAvg {
				// The window's first one is partial too: up to 1 in 48.
				t.Errorf("%s: CPU mean = %g; want %g within 5%%", k, g.CPUAvg, w.CPUAvg)
			}
			// Observed: samples × the 1-minute interval, within the window.
			if want := min(time.Duration(w.Samples)*time.Minute, window); g.Observed != want {
				t.Errorf("%s: observed %v; want %v", k, g.Observed, want)
			}
			g.Namespace, g.Pod, g.Container, g.CPUAvg, w.CPUAvg, g.Observed = "", "", "", 0, 0, 0
			if diff := cmp.Diff(w, g, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a)) })); diff != "" {
				t.Errorf("%s (-want +got):\n%s", k, diff)
			}
		}
		if u.PeakResolution != time.Minute {
			t.Errorf("peak resolution = %v; want the 1m scrape interval", u.PeakResolution)
		}
		wantOwners := map[rightsize.PodKey]rightsize.WorkloadRef{
			{Namespace: "shop", Pod: podA}:   {Kind: "Deployment", Namespace: "shop", Name: "api"},
			{Namespace: "shop", Pod: podB}:   {Kind: "Deployment", Namespace: "shop", Name: "api"},
			{Namespace: "shop", Pod: podOld}: {Kind: "Deployment", Namespace: "shop", Name: "api"},
			{Namespace: "jobs", Pod: podW}:   {Kind: "Deployment", Namespace: "jobs", Name: "worker"},
		}
		if diff := cmp.Diff(wantOwners, u.Owners); diff != "" {
			t.Errorf("owners (-want +got):\n%s", diff)
		}
		// What the pods received: A's health checks (50 B/s) with a burst
		// at 5,000 B/s and requests; B's health checks and no counter.
		a, b := u.Pods[rightsize.PodKey{Namespace: "shop", Pod: podA}], u.Pods[rightsize.PodKey{Namespace: "shop", Pod: podB}]
		if !a.Has.Of(rightsize.StatNetwork|rightsize.StatRequests) || math.Abs(a.RxPeak-5000) > 1 || math.Abs(a.RxTypical-50) > 1 || math.Abs(a.Requests-2*window.Seconds()) > 200 {
			t.Errorf("pod A received %+v; want a 5000 B/s peak over a 50 B/s median and about %g requests", a, 2*window.Seconds())
		}
		if !b.Has.Of(rightsize.StatNetwork) || b.Has.Of(rightsize.StatRequests) || math.Abs(b.RxPeak-50) > 1 || math.Abs(b.RxTypical-50) > 1 {
			t.Errorf("pod B received %+v; want a steady 50 B/s and its request count unknown (not zero)", b)
		}
		// api ran 3 pods for two hours of six, then 2; its HPA sat at its
		// maximum for the last 90 minutes.
		api := u.Workloads[rightsize.WorkloadRef{Kind: "Deployment", Namespace: "shop", Name: "api"}]
		if !api.Has.Of(rightsize.StatReplicas|rightsize.StatHPAAtMax) || math.Abs(api.AvgReplicas-(3*120+2*241)/361.0) > 0.01 || math.Abs(api.HPAAtMax-0.25) > 0.03 {
			t.Errorf("api history %+v; want about 2.33 replicas and a quarter of the window at max", api)
		}
		if len(u.Warnings) != 0 {
			t.Errorf("warnings = %q", u.Warnings)
		}
		// The scrape intervals of memory and CPU; containers, memory peak
		// and mean, OOM-killed containers; CPU percentile and peak,
		// CPU mean, throttling, restarts, OOM kills and the limit at the
		// kill (one pod), network peak and median, requests, owners; mean
		// replicas of Deployments, StatefulSets and DaemonSets, HPA at max,
		// HPA targets, running pods, Job owners.
		if n, want := c.Queries(), 2+4+2+1+1+1+2+3+1+7; n != int64(want) {
			t.Errorf("queries = %d; want %d", n, want)
		}
	})
	t.Run("chunked queries give the same answer", func(t *testing.T) {
		c := client(t, url)
		whole, err := prom.FetchUsage(context.Background(), client(t, url), opts, prom.AllStats)
		if err != nil {
			t.Fatal(err)
		}
		small := opts
		small.MaxPoints = 2 * (360 + 1) // two containers per CPU query (6h at 1m)
		chunked, err := prom.FetchUsage(context.Background(), c, small, prom.AllStats)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(whole, chunked); diff != "" {
			t.Errorf("chunked vs whole (-whole +chunked):\n%s", diff)
		}
		// 5 containers, 2 per CPU chunk: namespace jobs whole, shop (4 in
		// 3 pods) split by the pods' last characters into 2: three chunks
		// for the percentile and three for the peak, four more queries
		// than the whole; the CPU mean at 7.5m (49 points) fits in one.
		if n, want := c.Queries(), 2+4+6+1+1+1+2+3+1+7; n != int64(want) {
			t.Errorf("queries = %d; want %d", n, want)
		}
	})
	t.Run("a namespace filter keeps only that namespace", func(t *testing.T) {
		o := opts
		o.Namespaces = []string{"jobs"}
		u, err := prom.FetchUsage(context.Background(), client(t, url), o, prom.AllStats)
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Containers) != 1 || u.Containers[0].Pod != podW {
			t.Errorf("containers = %+v; want the worker only", u.Containers)
		}
	})
	t.Run("no data is an error that says what is missing", func(t *testing.T) {
		o := opts
		o.Selector = `cluster="elsewhere"`
		_, err := prom.FetchUsage(context.Background(), client(t, url), o, prom.AllStats)
		if !errors.Is(err, prom.ErrNoUsage) {
			t.Errorf("err = %v; want ErrNoUsage", err)
		}
	})
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func testFetchCluster(t *testing.T, url string, end time.Time) {
	c := client(t, url)
	got, err := prom.FetchCluster(context.Background(), c, prom.UsageOptions{End: end, Window: window})
	if err != nil {
		t.Fatal(err)
	}
	api := rightsize.WorkloadRef{Kind: "Deployment", Namespace: "shop", Name: "api"}
	worker := rightsize.WorkloadRef{Kind: "Deployment", Namespace: "jobs", Name: "worker"}
	app := rightsize.Container{Name: "app", Requests: rightsize.Resources{CPU: 0.5, Memory: 256 * mi}, Limits: rightsize.Resources{Memory: 512 * mi}}
	proxy := rightsize.Container{Name: "proxy"} // sets no requests: listed all the same
	wk := rightsize.Container{Name: "worker", Requests: rightsize.Resources{CPU: 0.5, Memory: 512 * mi}, Limits: rightsize.Resources{Memory: 512 * mi}}
	want := &rightsize.Cluster{
		Workloads: []rightsize.Workload{
			{WorkloadRef: worker, Replicas: 1, Containers: []rightsize.Container{wk}},
			{WorkloadRef: api, Replicas: 2, Labels: map[string]string{"app.kubernetes.io/component": "backend"}, Containers: []rightsize.Container{app, proxy},
				HPA: &rightsize.HPA{Name: "api", MinReplicas: 2, MaxReplicas: 10, CurrentReplicas: 10, CPUTarget: 0.6, CPUMetric: 0}},
		},
		Pods: []rightsize.Pod{
			{Namespace: "jobs", Name: podW, Owner: worker, Node: "n2", Phase: "Running", Containers: []rightsize.Container{wk}},
			{Namespace: "shop", Name: podA, Owner: api, Node: "n1", Phase: "Running", Containers: []rightsize.Container{app}},
			{Namespace: "shop", Name: podB, Owner: api, Node: "n2", Phase: "Running", Containers: []rightsize.Container{app, proxy}},
		},
		Nodes: []rightsize.Node{
			{Name: "n1", MachineType: "n2-standard-4", Pool: "default-pool", Region: "us-central1", Capacity: rightsize.Resources{CPU: 4, Memory: 16 << 30}, KubeletVersion: "v1.31.4-gke.1000000"},
			{Name: "n2", MachineType: "e2-standard-4", Spot: true, Pool: "spot", Capacity: rightsize.Resources{CPU: 4, Memory: 16 << 30}},
		},
		PodsListed: true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cluster (-want +got):\n%s", diff)
	}
	if n := c.Queries(); n != 2 {
		t.Errorf("queries = %d; want 2", n)
	}
}

func TestUsageOptionsCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    prom.UsageOptions
		want string
	}{
		{"a window shorter than the step", prom.UsageOptions{Window: time.Minute, Step: time.Hour}, "must be at least the step"},
		{"a percentile above 1", prom.UsageOptions{CPUPercentile: 95}, "want a fraction"},
		{"a selector that is not label matchers", prom.UsageOptions{Selector: `up{job="x"}`}, "want label matchers"},
		{"a selector with a bad operator", prom.UsageOptions{Selector: `cluster=="x"`}, "want label matchers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.o.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check() = %v; want %q", err, tc.want)
			}
		})
	}
	if err := (prom.UsageOptions{Selector: `cluster="prod", env=~"a,b"`}).Check(); err != nil {
		t.Errorf("two matchers, one with a comma in quotes: %v", err)
	}
}
