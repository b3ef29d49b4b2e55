package load_test

import (
	"context"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/traffic"
)

// BenchmarkClosedLoopback measures the lean HTTP/1.1 client at full speed
// against a loopback server (which shares the machine): the cost per
// request of the whole engine, recording included.
func BenchmarkClosedLoopback(b *testing.B) {
	ts := okServer(b)
	b.ReportAllocs()
	var total int64
	for b.Loop() {
		run, err := load.Closed(context.Background(), load.Config{Targets: []load.Target{{URL: ts.URL}}}, 16, 200*time.Millisecond)
		if err != nil {
			b.Fatal(err)
		}
		total += run.Total.Requests
		b.ReportMetric(run.Summary().Generator.CPUMsPer1kRequests, "cpu-ms/1k-req")
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkOpen5000 runs the open model at 5000 req/s for a second and
// reports the generator's CPU per 1000 requests (the server's CPU, in the
// same process, is included: compare runs, not absolute values).
func BenchmarkOpen5000(b *testing.B) {
	ts := okServer(b)
	shape, _ := traffic.Constant(5000, time.Second)
	for b.Loop() {
		run, err := load.Run(context.Background(), load.Config{Targets: []load.Target{{URL: ts.URL}}, Shape: shape})
		if err != nil {
			b.Fatal(err)
		}
		s := run.Summary()
		b.ReportMetric(s.Generator.CPUMsPer1kRequests, "cpu-ms/1k-req")
		b.ReportMetric(s.Generator.SchedLag.P99*1e3, "lag-p99-ms")
	}
}
