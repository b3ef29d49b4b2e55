package slo_test

import (
	"errors"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

func TestLoadThreshold(t *testing.T) {
	hist := slo.Selector{Metric: "http_request_duration_seconds_bucket"}
	reqs := slo.Selector{Metric: "http_requests_total"}
	tests := []struct {
		name string
		s    slo.SLO
		want string
	}{
		{"availability 99.9%", slo.SLO{Target: 0.999, Indicator: slo.Availability(reqs, "code", "5..")}, "errors<=0.1%"},
		{"99% within 300ms", slo.SLO{Target: 0.99, Indicator: slo.Latency(hist, 300*time.Millisecond)}, "p99<=300ms"},
		{"99.5% within 1s is judged at p999", slo.SLO{Target: 0.995, Indicator: slo.Latency(hist, time.Second)}, "p999<=1s"},
		{"90% within 2s", slo.SLO{Target: 0.9, Indicator: slo.NativeLatency(slo.Selector{Metric: "rpc_seconds"}, 2*time.Second)}, "p90<=2s"},
	}
	for _, tt := range tests {
		th, err := tt.s.LoadThreshold()
		if err != nil || th.String() != tt.want {
			t.Errorf("%s: LoadThreshold = %v, %v; want %s", tt.name, th, err, tt.want)
		}
	}
	q, err := slo.ParseQuery(`sum(rate(ok_total[5m])) / sum(rate(all_total[5m]))`, slo.RawRatio, false)
	if err != nil {
		t.Fatal(err)
	}
	raw := slo.SLO{Target: 0.99, Indicator: slo.Indicator{Raw: q}}
	if _, err := raw.LoadThreshold(); !errors.Is(err, slo.ErrNoLoadThreshold) {
		t.Errorf("a raw-query SLO: err = %v; want ErrNoLoadThreshold", err)
	}
}
