package prom_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/prom"
)

// BenchmarkFetchUsage reads the usage of every container from the
// Prometheus that bench/rightsize/run.sh fills (10,000 containers, 14 days
// at one sample a minute). It needs that server, so it runs only when
// HEADROOM_BENCH_PROMETHEUS (its URL) and HEADROOM_BENCH_AT (the data's end,
// Unix seconds, in bench/out/rightsize/tsdb.*.end) are set:
//
//	HEADROOM_BENCH_PROMETHEUS=http://127.0.0.1:9090 HEADROOM_BENCH_AT=$(cat bench/out/rightsize/tsdb.*.end) \
//	  go test ./internal/prom -run x -bench FetchUsage -benchtime 1x
func BenchmarkFetchUsage(b *testing.B) {
	url, at := os.Getenv("HEADROOM_BENCH_PROMETHEUS"), os.Getenv("HEADROOM_BENCH_AT")
	if url == "" || at == "" {
		b.Skip("set HEADROOM_BENCH_PROMETHEUS and HEADROOM_BENCH_AT (see bench/rightsize/run.sh)")
	}
	sec, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	c, err := prom.New(prom.Config{URL: url, Timeout: 10 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	containers := 0
	for b.Loop() {
		u, err := prom.FetchUsage(context.Background(), c, prom.UsageOptions{End: time.Unix(sec, 0)}, prom.ForRightsize)
		if err != nil {
			b.Fatal(err)
		}
		containers = len(u.Containers)
	}
	b.ReportMetric(float64(c.Queries())/float64(b.N), "queries/op")
	b.ReportMetric(float64(containers), "containers")
}
