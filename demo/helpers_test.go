package demo_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/headroom-sre/headroom/demo"
)

// testSystem is a demo system listening on loopback.
type testSystem struct {
	*demo.System
	moneyURL, appURL string
}

// fastConfig is a system that answers as fast as it can: no I/O wait, no
// minimum service time, few positions. Tests set what they measure.
func fastConfig() demo.Config {
	cfg := demo.DefaultConfig()
	cfg.Money.MinServiceTime = 0
	cfg.Money.Positions = 10
	cfg.App.IOWait = 0
	return cfg
}

// start serves sys's components on httptest servers and points app at
// money; everything closes when the test ends.
func start(t *testing.T, cfg demo.Config) *testSystem {
	t.Helper()
	sys := demo.NewSystem(cfg)
	money := httptest.NewServer(sys.Money())
	t.Cleanup(money.Close)
	if err := sys.SetMoneyURL(money.URL); err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(sys.App())
	t.Cleanup(app.Close)
	t.Cleanup(sys.Close)
	return &testSystem{System: sys, moneyURL: money.URL, appURL: app.URL}
}

// client is for test requests: keep-alive, with a timeout so that no test
// hangs on a bug.
var client = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64},
}

type response struct {
	code   int
	header http.Header
	body   string
	took   time.Duration
}

func do(t *testing.T, method, url, body string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, url, err)
		return response{}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s %s: read body: %v", method, url, err)
	}
	return response{code: resp.StatusCode, header: resp.Header, body: string(data), took: time.Since(start)}
}

func get(t *testing.T, url string) response {
	t.Helper()
	return do(t, http.MethodGet, url, "")
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
	return v
}

// scrape reads a component's /metrics with the Prometheus text parser.
func scrape(t *testing.T, baseURL string) map[string]*dto.MetricFamily {
	t.Helper()
	r := get(t, baseURL+"/metrics")
	if r.code != http.StatusOK {
		t.Fatalf("GET /metrics = %d; want 200", r.code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}

// sample returns the value of the series of family name whose labels
// include labels (counter, gauge, or a histogram's count), and whether
// there is one.
func sample(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	mf, ok := mfs[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, lp := range m.GetLabel() {
			have[lp.GetName()] = lp.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

// metricValue is sample for a series that must exist.
func metricValue(t *testing.T, mfs map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	v, ok := sample(mfs, name, labels)
	if !ok {
		t.Fatalf("no series %s%v in /metrics", name, labels)
	}
	return v
}

// waitFor polls cond every few milliseconds until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
