// Command target is the trivial loopback server of headroom's benchmarks:
// it answers every request with a 13-byte body. With -stall it blocks
// every handler for the stall once per period (a stop-the-world pause),
// the classic coordinated-omission check: at a fixed rate, 10% of arrivals
// land in a 100ms-per-second stall and wait 50ms on average, so the true
// p95 is about 50ms and the true p99 about 90ms.
//
// The server also keeps its own view of the truth: the time from reading
// each request to writing its response. GET /__stats returns its p50, p95
// and p99 in milliseconds since the last GET /__reset; a client's report
// can be held against it, whatever the machine's speed (a slow machine
// drains the backlog of a stall more slowly, which moves the truth).
package main

import (
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"slices"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18089", "listen address")
	stall := flag.Duration("stall", 0, "block every handler for this long once per -every (0: never)")
	every := flag.Duration("every", time.Second, "stall period")
	flag.Parse()
	start := time.Now()
	var (
		mu   sync.Mutex
		took []time.Duration
	)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		if *stall > 0 {
			if phase := time.Since(start) % *every; phase < *stall {
				time.Sleep(*stall - phase)
			}
		}
		io.WriteString(w, "hello, world\n")
		if *stall > 0 {
			d := time.Since(t0)
			mu.Lock()
			took = append(took, d)
			mu.Unlock()
		}
	})
	mux.HandleFunc("/__reset", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		took = took[:0]
		mu.Unlock()
	})
	mux.HandleFunc("/__stats", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := slices.Clone(took)
		mu.Unlock()
		slices.Sort(s)
		q := func(p float64) float64 {
			if len(s) == 0 {
				return 0
			}
			return float64(s[min(len(s)-1, int(p*float64(len(s))))]) / 1e6
		}
		json.NewEncoder(w).Encode(map[string]any{"count": len(s), "p50": q(0.5), "p95": q(0.95), "p99": q(0.99)})
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}
