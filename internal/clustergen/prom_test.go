package clustergen_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/clustergen"
	"github.com/headroom-sre/headroom/internal/promtest"
)

// MaxBlockDuration for backfills: promtool reads the whole input once per
// block, so 486h blocks (one or two for 14 days) backfill the cluster
// about ten times faster than the default 24h.
const maxBlock = 486 * time.Hour

// sample is one element of an instant vector.
type sample struct {
	Metric map[string]string
	Value  float64
}

// query evaluates q at at through the HTTP API.
func query(t *testing.T, base, q string, at time.Time) []sample {
	t.Helper()
	u := base + "/api/v1/query?" + url.Values{"query": {q}, "time": {strconv.FormatInt(at.Unix(), 10)}}.Encode()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Status string
		Error  string
		Data   struct {
			ResultType string
			Result     json.RawMessage
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if r.Status != "success" {
		t.Fatalf("%s: %s", q, r.Error)
	}
	parse := func(v []any) float64 {
		f, err := strconv.ParseFloat(v[1].(string), 64)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return f
	}
	switch r.Data.ResultType {
	case "scalar":
		var v []any
		json.Unmarshal(r.Data.Result, &v)
		return []sample{{Value: parse(v)}}
	case "vector":
		var vs []struct {
			Metric map[string]string
			Value  []any
		}
		json.Unmarshal(r.Data.Result, &vs)
		out := make([]sample, len(vs))
		for i, v := range vs {
			out[i] = sample{v.Metric, parse(v.Value)}
		}
		return out
	}
	t.Fatalf("%s: result type %s", q, r.Data.ResultType)
	return nil
}

// scalar evaluates q, which must return one element.
func scalar(t *testing.T, base, q string, at time.Time) float64 {
	t.Helper()
	v := query(t, base, q, at)
	if len(v) != 1 {
		t.Fatalf("%s: %d results; want 1", q, len(v))
	}
	return v[0].Value
}

// TestPrometheusAgreesWithTheTruth backfills the cluster's history with
// promtool into a real Prometheus and checks PromQL's answers against the
// truth.
func TestPrometheusAgreesWithTheTruth(t *testing.T) {
	c := cluster(clustergen.Standard)
	tr := c.Truth
	start := time.Now()
	srv := promtest.Start(t, promtest.Options{OpenMetrics: c.OpenMetrics, MaxBlockDuration: maxBlock})
	t.Logf("%d series, %d samples (%d MB of text) backfilled and served in %s", c.Series, c.Samples, len(c.OpenMetrics)>>20, time.Since(start).Round(100*time.Millisecond))
	end := tr.End
	sel := func(ns, name, container string) string {
		w := tr.Workload(ns, name)
		return fmt.Sprintf(`namespace=%q,pod=~%q,container=%q`, ns, w.PodPattern, container)
	}
	for _, tc := range []struct {
		ns, name, container string
		p99                 bool // the per-pod 99th percentile is compared (not for short or gapped series)
	}{
		{"shop", "flash-sale", "app", true},
		{"shop", "recommendations", "app", true},
		{"shop", "search", "app", true},
		{"shop", "search", "envoy", true},
		{"shop", "redis", "redis", true},
		{"payments", "fraud-score", "app", true},
		{"payments", "webhook", "app", true},
		{"payments", "gateway", "app", true},
		{"tools", "admin", "admin", true},
		{"tools", "wiki", "app", true},
		{"tools", "legacy-reports", "app", true},
		{"platform", "log-agent", "fluent-bit", true},
		{"platform", "event-router", "app", false},
		{"data", "hourly-export", "export", false},
	} {
		t.Run(tc.ns+"/"+tc.name+"/"+tc.container, func(t *testing.T) {
			want := tr.Workload(tc.ns, tc.name).Containers[tc.container]
			m := sel(tc.ns, tc.name, tc.container)
			irate := fmt.Sprintf(`irate(container_cpu_usage_seconds_total{%s}[2m])`, m)
			peak := scalar(t, srv.URL, fmt.Sprintf(`max(max_over_time(%s[14d:1m]))`, irate), end)
			if math.Abs(peak-want.CPUPeak) > 1e-9*max(1, want.CPUPeak) {
				t.Errorf("max_over_time(irate[2m])[14d:1m] = %.9f; truth CPUPeak %.9f", peak, want.CPUPeak)
			}
			if tc.p99 {
				p99 := scalar(t, srv.URL, fmt.Sprintf(`max(quantile_over_time(0.99, %s[14d:1m]))`, irate), end)
				if math.Abs(p99-want.CPUP99) > 0.02*want.CPUP99 {
					t.Errorf("quantile_over_time(0.99, irate[2m])[14d:1m] = %.5f; truth CPUP99 %.5f (more than 2%% apart)", p99, want.CPUP99)
				}
			}
			mem := scalar(t, srv.URL, fmt.Sprintf(`max(max_over_time(container_memory_working_set_bytes{%s}[14d]))`, m), end)
			if mem != want.MemoryPeak {
				t.Errorf("max_over_time(working set[14d]) = %.0f; truth MemoryPeak %.0f", mem, want.MemoryPeak)
			}
		})
	}
	t.Run("a five-minute p95 hides the flash sale", func(t *testing.T) {
		want := tr.Workload("shop", "flash-sale").Containers["app"]
		got := scalar(t, srv.URL, fmt.Sprintf(`max(quantile_over_time(0.95, rate(container_cpu_usage_seconds_total{%s}[5m])[14d:5m]))`, sel("shop", "flash-sale", "app")), end)
		if got > 0.1 || math.Abs(got-want.CPUP95Of5m) > 0.15*want.CPUP95Of5m {
			t.Errorf("p95 of rate[5m] = %.4f; want about %.4f (CPUP95Of5m), under 100m, against a %.2f-core peak", got, want.CPUP95Of5m, want.CPUPeak)
		}
	})
	t.Run("the webhook's request counter", func(t *testing.T) {
		w := tr.Workload("payments", "webhook")
		got := scalar(t, srv.URL, fmt.Sprintf(`sum(max_over_time(http_requests_total{namespace="payments",pod=~%q}[14d]) - min_over_time(http_requests_total{namespace="payments",pod=~%[1]q}[14d]))`, w.PodPattern), end)
		if got != w.Requests || got < 3*24*14 {
			t.Errorf("requests in the window = %g; truth %g (3–5 an hour)", got, w.Requests)
		}
	})
	t.Run("kube-state-metrics", func(t *testing.T) {
		var pending string
		for _, p := range tr.Pods {
			if p.Phase == "Pending" {
				pending = p.Name
			}
		}
		v := query(t, srv.URL, `kube_pod_status_phase{phase="Pending"} == 1`, end)
		if len(v) != 1 || v[0].Metric["pod"] != pending {
			t.Errorf("pending pods = %v; want %s", v, pending)
		}
		if n := scalar(t, srv.URL, `count(kube_node_info{kubelet_version="v1.31.4-gke.1000000"})`, end); int(n) != len(tr.Nodes) {
			t.Errorf("%g nodes; want %d", n, len(tr.Nodes))
		}
		fraud := tr.Workload("payments", "fraud-score")
		if n := scalar(t, srv.URL, fmt.Sprintf(`sum(max_over_time(kube_pod_container_status_restarts_total{namespace="payments",pod=~%q}[14d]))`, fraud.PodPattern), end); int(n) != fraud.Containers["app"].OOMKills {
			t.Errorf("fraud-score restarts = %g; want %d", n, fraud.Containers["app"].OOMKills)
		}
		if n := scalar(t, srv.URL, `count(max_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}[14d]))`, end); n != 1 {
			t.Errorf("%g containers OOM-killed; want 1", n)
		}
		search := tr.Workload("shop", "search").HPA
		lo := scalar(t, srv.URL, `min_over_time(kube_horizontalpodautoscaler_status_current_replicas{horizontalpodautoscaler="search"}[14d])`, end)
		hi := scalar(t, srv.URL, `max_over_time(kube_horizontalpodautoscaler_status_current_replicas{horizontalpodautoscaler="search"}[14d])`, end)
		if int(lo) != search.Lowest || int(hi) != search.Highest {
			t.Errorf("search HPA between %g and %g; truth %d and %d", lo, hi, search.Lowest, search.Highest)
		}
		cron := tr.Workload("data", "hourly-export")
		if n := scalar(t, srv.URL, fmt.Sprintf(`count(count_over_time(container_cpu_usage_seconds_total{namespace="data",pod=~%q}[14d]))`, cron.PodPattern), end); int(n) != cron.CronRuns {
			t.Errorf("%g pods of the CronJob ran in the window; truth %d runs", n, cron.CronRuns)
		}
		// Completed Jobs (and their pods) stay until three newer runs
		// have completed: a few more Jobs than runs are seen.
		if n := scalar(t, srv.URL, `count(count by (job_name) (max_over_time(kube_job_owner{owner_kind="CronJob",owner_name="hourly-export"}[14d])))`, end); int(n) < cron.CronRuns || int(n) > cron.CronRuns+3 {
			t.Errorf("%g Jobs of the CronJob seen; want the %d runs and up to 3 completed before the window", n, cron.CronRuns)
		}
		if v := query(t, srv.URL, fmt.Sprintf(`kube_pod_status_phase{namespace="data",pod=~%q,phase="Running"} == 0`, cron.PodPattern), end); len(v) != 3 {
			t.Errorf("%d completed CronJob pods at the end; want the 3 the history limit keeps", len(v))
		}
		if n := scalar(t, srv.URL, `count(container_memory_working_set_bytes{container="POD"})`, end); n < 1 {
			t.Errorf("%g pause-container series at the end; want some", n)
		}
	})
}
