package demo_test

import (
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/headroom-sre/headroom/demo"
)

func TestMetricsCountEveryRequest(t *testing.T) {
	cfg := fastConfig()
	cfg.Money.Workers = 3
	sys := start(t, cfg)
	for range 7 {
		get(t, sys.moneyURL+"/value")
	}
	for range 2 {
		get(t, sys.moneyURL+"/value?positions=0")
	}
	get(t, sys.moneyURL+"/nope")
	do(t, http.MethodPost, sys.moneyURL+"/value", "")
	get(t, sys.moneyURL+"/healthz")
	// Use some CPU: the process counter ticks in hundredths of a second.
	for range 3 {
		get(t, sys.moneyURL+"/value?positions=100000")
	}

	mfs := scrape(t, sys.moneyURL)
	money := func(labels map[string]string) map[string]string {
		labels["component"] = "money"
		return labels
	}
	counts := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"http_requests_total", money(map[string]string{"route": "/value", "code": "200"}), 10},
		{"http_requests_total", money(map[string]string{"route": "/value", "code": "400"}), 2},
		{"http_requests_total", money(map[string]string{"route": "/value", "code": "405"}), 1},
		{"http_requests_total", money(map[string]string{"route": "other", "code": "404"}), 1},
		{"http_requests_total", money(map[string]string{"route": "/healthz", "code": "200"}), 1},
		{"http_request_duration_seconds", money(map[string]string{"route": "/value"}), 13},
		{"http_requests_in_flight", money(map[string]string{}), 0},
		{"http_requests_queued", money(map[string]string{}), 0},
		{"demo_workers", money(map[string]string{}), 3},
	}
	for _, c := range counts {
		if got := metricValue(t, mfs, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v; want %v", c.name, c.labels, got, c.want)
		}
	}

	h := mfs["http_request_duration_seconds"]
	if h.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("http_request_duration_seconds is a %v; want a histogram", h.GetType())
	}
	var bounds []float64
	for _, b := range h.GetMetric()[0].GetHistogram().GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
	}
	if want := append(demo.LatencyBuckets(), math.Inf(1)); !slices.Equal(bounds, want) {
		t.Errorf("histogram buckets = %v; want %v", bounds, want)
	}
	if cpu := metricValue(t, mfs, "process_cpu_seconds_total", nil); cpu <= 0 {
		t.Errorf("process_cpu_seconds_total = %v; want the CPU this process used, more than 0", cpu)
	}
	for name, mf := range mfs {
		if !strings.HasPrefix(name, "http_") && !strings.HasPrefix(name, "demo_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			if v, _ := labelValue(m, "component"); v != "money" {
				t.Errorf("%s has component=%q; want money", name, v)
			}
		}
	}

	// app has a registry of its own: none of money's requests show.
	appMetrics := scrape(t, sys.appURL)
	if v, ok := sample(appMetrics, "http_requests_total", map[string]string{"route": "/value"}); ok {
		t.Errorf("app's /metrics counts money's route: %v", v)
	}
	if got := metricValue(t, appMetrics, "demo_workers", map[string]string{"component": "app"}); got != float64(cfg.App.Workers) {
		t.Errorf("app's demo_workers = %v; want %d", got, cfg.App.Workers)
	}
}

func TestEverySystemHasItsOwnRegistry(t *testing.T) {
	a := start(t, fastConfig())
	b := start(t, fastConfig()) // a shared (global) registry would panic here
	get(t, a.moneyURL+"/value")
	get(t, a.moneyURL+"/value")
	get(t, b.moneyURL+"/value")
	for _, tt := range []struct {
		sys  *testSystem
		want float64
	}{{a, 2}, {b, 1}} {
		got := metricValue(t, scrape(t, tt.sys.moneyURL), "http_requests_total", map[string]string{"route": "/value", "code": "200"})
		if got != tt.want {
			t.Errorf("http_requests_total = %v; want %v", got, tt.want)
		}
	}
}

func labelValue(m *dto.Metric, name string) (string, bool) {
	for _, lp := range m.GetLabel() {
		if lp.GetName() == name {
			return lp.GetValue(), true
		}
	}
	return "", false
}
