package promrule_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/headroom-sre/headroom/internal/promtest"
	"github.com/headroom-sre/headroom/slo"
)

// A native-histogram latency SLI end to end: a loopback service exposes a
// native histogram (client_golang, protobuf scrape), a real Prometheus with
// native histograms on scrapes it and runs the generated rules, and the
// recorded error ratio is the share of slow requests. 10% of requests take
// 2s against a 300ms threshold and a 99% objective: burn 10, which fires
// the 6h/30m page (above 6x) and not the 1h/5m one (above 14.4x). (The
// tickets fire too; they are not looked at.)
func TestNativeHistogramLatencyLive(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "api_request_duration_seconds", Help: "Request latency.",
		NativeHistogramBucketFactor: 1.1,
	})
	reg.MustRegister(h)
	target := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(target.Close)

	// Traffic: 9 fast requests and 1 slow one every 20ms, for at most a
	// minute (the test ends sooner).
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range 3000 {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for range 9 {
				h.Observe(0.05)
			}
			h.Observe(2)
		}
	}()

	s := slo.SLO{
		Name: "api-latency", Service: "api", Target: 0.99, Window: slo.Rolling(30 * day),
		Indicator: slo.NativeLatency(slo.LabelSelector("api_request_duration_seconds", map[string]string{"job": "target"}), 300*time.Millisecond),
	}
	f := generate(t, s)
	rules, err := f.YAML()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, rules, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtest.Promtool(t), "check", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	u, _ := url.Parse(target.URL)
	prom := promtest.Start(t, promtest.Options{
		RuleFiles: []string{path}, ScrapeTargets: []string{u.Host},
		ScrapeInterval: time.Second, EvaluationInterval: time.Second, Features: []string{"native-histograms"},
	})

	var ratio, events float64
	var pages []map[string]string
	deadline := time.Now().Add(45 * time.Second)
	for {
		ratio = instant(t, prom.URL, `slo:sli_error:ratio_rate5m{slo="api-latency",service="api"}`)
		events = instant(t, prom.URL, `slo:sli_events:rate5m{slo="api-latency",service="api"}`)
		pages = alerts(t, prom.URL, `ALERTS{alertname="ErrorBudgetBurn",alertstate="firing",slo="api-latency",severity="page"}`)
		if (len(pages) > 0 && !math.IsNaN(ratio)) || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if math.IsNaN(ratio) || math.Abs(ratio-0.1) > 0.01 {
		t.Errorf("error ratio = %v; want 0.1 (1 in 10 requests is slower than 300ms)", ratio)
	}
	// rate() over 5m of a few seconds' data divides by the whole 5m, so
	// the event rate is only known to be positive here.
	if math.IsNaN(events) || events <= 0 {
		t.Errorf("events = %v/s; want a positive rate", events)
	}
	if len(pages) != 1 || pages[0]["long"] != "6h" || pages[0]["severity"] != "page" {
		t.Errorf("firing burn alerts = %v; want the 6h/30m page alone", pages)
	}
}

type promResult struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func query(t *testing.T, base, q string) []promResult {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []promResult `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Status != "success" {
		t.Fatalf("query %s: %s", q, body.Error)
	}
	return body.Data.Result
}

// instant is the value of a query returning one sample; NaN when it
// returns none.
func instant(t *testing.T, base, q string) float64 {
	t.Helper()
	res := query(t, base, q)
	switch len(res) {
	case 0:
		return math.NaN()
	case 1:
		v, err := strconv.ParseFloat(fmt.Sprint(res[0].Value[1]), 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Fatalf("query %s returned %d series; want one", q, len(res))
	return 0
}

func alerts(t *testing.T, base, q string) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, r := range query(t, base, q) {
		out = append(out, r.Metric)
	}
	return out
}
