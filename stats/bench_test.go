package stats

import (
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkBucketResponse measures recording one response: counters and
// two histograms, as the load engine does per request.
func BenchmarkBucketResponse(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]time.Duration, 4096)
	for i := range lat {
		lat[i] = time.Duration(50_000 + rng.ExpFloat64()*2e6) // 50µs + exp(2ms)
	}
	var bk Bucket
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d := lat[i&4095]
		bk.Response(200, d, d/2, 13, 0)
	}
}

// BenchmarkHistogramEncode measures encoding a busy second's histogram.
func BenchmarkHistogramEncode(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	for range 50_000 {
		h.Record(time.Duration(50_000 + rng.ExpFloat64()*2e6))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = h.Encode()
	}
}
