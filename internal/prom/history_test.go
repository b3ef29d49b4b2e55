package prom_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/importer"
	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/internal/promtest"
)

// steadyShop is six hours of one-minute samples of a steady shop: web's
// two pods serve 10 requests a second each, all within 100ms, using 70m
// of CPU each (20m idle and 5ms a request); api's pod serves 12 a second,
// every one a call from web (istio_requests_total); a pod of another
// Deployment whose name starts with web's (web-admin) serves 500 a second
// and must not be counted as web's.
func steadyShop(at time.Time) string {
	var b strings.Builder
	type pod struct {
		name      string
		rate, cpu float64
	}
	pods := []pod{{"web-7c9d8f6b5-a1b2c", 10, 0.07}, {"web-7c9d8f6b5-d3e4f", 10, 0.07}, {"api-5f6d7c8b9-j7k8l", 12, 0.05}, {"web-admin-6b5d4c3b2-x1y2z", 500, 1}}
	const minutes = 6 * 60
	ts := func(i int) int64 { return at.Add(time.Duration(i-minutes) * time.Minute).Unix() }
	b.WriteString("# TYPE http_requests counter\n")
	for _, p := range pods {
		for i := 0; i <= minutes; i++ {
			fmt.Fprintf(&b, "http_requests_total{namespace=\"shop\",pod=%q} %g %d\n", p.name, p.rate*60*float64(i), ts(i))
		}
	}
	b.WriteString("# TYPE http_request_duration_seconds histogram\n")
	for _, p := range pods[:3] {
		for _, le := range []string{"0.05", "0.1", "0.3", "+Inf"} {
			share := 1.0
			if le == "0.05" {
				share = 0
			}
			for i := 0; i <= minutes; i++ {
				fmt.Fprintf(&b, "http_request_duration_seconds_bucket{namespace=\"shop\",pod=%q,le=%q} %g %d\n", p.name, le, share*p.rate*60*float64(i), ts(i))
			}
		}
	}
	b.WriteString("# TYPE container_cpu_usage_seconds counter\n")
	for _, p := range pods {
		for i := 0; i <= minutes; i++ {
			fmt.Fprintf(&b, "container_cpu_usage_seconds_total{namespace=\"shop\",pod=%q,container=\"app\"} %g %d\n", p.name, p.cpu*60*float64(i), ts(i))
		}
	}
	b.WriteString("# TYPE istio_requests counter\n")
	for i := 0; i <= minutes; i++ {
		fmt.Fprintf(&b, "istio_requests_total{reporter=\"destination\",source_workload=\"web\",source_workload_namespace=\"shop\",destination_workload=\"api\",destination_workload_namespace=\"shop\"} %g %d\n", 12*60*float64(i), ts(i))
	}
	b.WriteString("# EOF\n")
	return b.String()
}

func near(got, want float64) bool { return math.Abs(got-want) <= 0.02*math.Abs(want)+1e-9 }

func TestFetchHistory(t *testing.T) {
	at := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	srv := promtest.Start(t, promtest.Options{OpenMetrics: steadyShop(at)})
	c, err := prom.New(prom.Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ws := []importer.Workload{{Kind: "Deployment", Namespace: "shop", Name: "web"}, {Kind: "Deployment", Namespace: "shop", Name: "api"},
		{Kind: "StatefulSet", Namespace: "shop", Name: "ghost"}}
	h, err := prom.FetchHistory(context.Background(), c, ws, prom.HistoryOptions{End: at, Window: 6 * time.Hour, Entry: "shop/web"})
	if err != nil {
		t.Fatal(err)
	}
	web := h.Components["shop/web"]
	if n := len(web.Samples); n < 60 {
		t.Fatalf("%d samples of web; want one every 5 minutes over 6 hours", n)
	}
	for _, s := range web.Samples[2:] { // the first steps' rate windows reach before the data
		if !near(s.PerPodRPS, 10) || !near(s.CPUPerPod, 0.07) || !(s.Latency > 0.05 && s.Latency <= 0.1) {
			t.Fatalf("web at %v: %v req/s per pod, %v cores, p99 %vs; want 10 (web-admin not counted), 0.07 and within (50ms, 100ms]", s.T, s.PerPodRPS, s.CPUPerPod, s.Latency)
		}
	}
	if !near(web.MeanRPS, 20) || !strings.Contains(web.RateQuery, "http_requests_total") {
		t.Errorf("web: mean %v req/s from %s; want 20 from http_requests_total", web.MeanRPS, web.RateQuery)
	}
	if len(h.Calls) != 1 || h.Calls[0].From != "shop/web" || h.Calls[0].To != "shop/api" || !near(h.Calls[0].Rate, 12) || h.CallsMetric != prom.CallsMetric {
		t.Errorf("calls %+v (%s); want web → api at 12/s from %s", h.Calls, h.CallsMetric, prom.CallsMetric)
	}
	if len(h.Traffic) < 60 || !near(h.Traffic[len(h.Traffic)-1].V, 20) {
		t.Errorf("traffic: %d points; want web's 20/s", len(h.Traffic))
	}
	if _, ok := h.Components["shop/ghost"]; ok || len(h.Notes) != 1 || !strings.Contains(h.Notes[0], "shop/ghost: no request series (looked for http_requests_total") {
		t.Errorf("ghost: notes %q; want it said to have no request series, naming the metrics looked for", h.Notes)
	}
	// The traffic of an entry chosen afterwards is read from the metric
	// found for it.
	h2, err := prom.FetchHistory(context.Background(), c, ws, prom.HistoryOptions{End: at, Window: 6 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(h2.Traffic) != 0 || h2.TrafficQuery != "" {
		t.Errorf("traffic read without an entry: %d points", len(h2.Traffic))
	}
	if err := prom.FetchTraffic(context.Background(), c, ws[0], prom.HistoryOptions{End: at, Window: 6 * time.Hour}, h2); err != nil {
		t.Fatal(err)
	}
	if len(h2.Traffic) != len(h.Traffic) || !near(h2.Traffic[len(h2.Traffic)-1].V, 20) || h2.TrafficQuery != h.TrafficQuery {
		t.Errorf("traffic of an entry chosen later: %d points (%s); want the same as when named first (%d, %s)", len(h2.Traffic), h2.TrafficQuery, len(h.Traffic), h.TrafficQuery)
	}
	// The estimates read it as steady traffic: capacity a lower bound at
	// 10/s, CPU per request unknown (a flat rate has no slope).
	if e := importer.EstimateCapacity(web.Samples, 300*time.Millisecond); !e.Known || !near(e.Value, 10) {
		t.Errorf("EstimateCapacity = %+v; want 10/s, known", e)
	}
	if r := importer.EstimateCPUPerRequest(web.Samples); r.Known {
		t.Errorf("EstimateCPUPerRequest on steady traffic = %+v; want unknown", r)
	}
}

func TestFetchCurve(t *testing.T) {
	at := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	srv := promtest.Start(t, promtest.Options{OpenMetrics: steadyShop(at)})
	c, err := prom.New(prom.Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	const total = `sum(rate(http_requests_total{pod=~"web-7c9d8f6b5-.*"}[5m]))`
	opt := prom.CurveOptions{From: at.Add(-2 * time.Hour), To: at, Step: time.Minute}
	cv, err := prom.FetchCurve(context.Background(), c, total, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.Points) != 121 || cv.Gaps != 0 || !near(cv.Points[60].V, 20) {
		t.Errorf("curve: %d points, %d gaps, %v at the middle; want 121, none, 20/s", len(cv.Points), cv.Gaps, cv.Points[60].V)
	}
	var rateErr *prom.RateError
	for _, tc := range []struct {
		name, query string
		opt         prom.CurveOptions
		check       func(error) bool
	}{
		{"an infinite rate", total + " / 0", opt, func(err error) bool { return errors.As(err, &rateErr) && math.IsInf(rateErr.Value, 1) }},
		{"a negative rate", "-" + total, opt, func(err error) bool { return errors.As(err, &rateErr) && rateErr.Value < 0 }},
		{"NaN everywhere: only gaps", "(" + total + " * 0) / 0", opt, func(err error) bool { return err != nil && strings.Contains(err.Error(), "at least two") }},
		{"several series", `rate(http_requests_total[5m])`, opt, func(err error) bool { return err != nil && strings.Contains(err.Error(), "wrap it in sum()") }},
		{"no series", `sum(rate(nothing_here_total[5m]))`, opt, func(err error) bool { return errors.Is(err, prom.ErrNoSeries) }},
		{"too many points", total, prom.CurveOptions{From: at.Add(-30 * 24 * time.Hour), To: at, Step: time.Second},
			func(err error) bool { return err != nil && strings.Contains(err.Error(), "more than the 11000") }},
		{"an empty range", total, prom.CurveOptions{From: at, To: at}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "empty") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := prom.FetchCurve(context.Background(), c, tc.query, tc.opt)
			if !tc.check(err) {
				t.Errorf("FetchCurve(%s) = %v; not the error expected", tc.query, err)
			}
		})
	}
}
