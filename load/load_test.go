package load_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
)

func constant(t *testing.T, rate float64, d time.Duration) traffic.Shape {
	t.Helper()
	c, err := traffic.Constant(rate, d)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func okServer(t testing.TB) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello, world\n")
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestRunHoldsTheRateWithinOnePercent(t *testing.T) {
	ts := okServer(t)
	run, err := load.Run(context.Background(), load.Config{
		Targets: []load.Target{{URL: ts.URL + "/"}},
		Shape:   constant(t, 2000, 3*time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary()
	if s.Scheduled != 6000 {
		t.Errorf("scheduled = %d; want 6000", s.Scheduled)
	}
	if s.Requests < 5940 || s.Requests > 6060 {
		t.Errorf("requests = %d; want 6000 ± 1%%", s.Requests)
	}
	if s.Successes != s.Requests || s.StatusCodes[200] != s.Requests {
		t.Errorf("successes = %d, 200s = %d; want all %d", s.Successes, s.StatusCodes[200], s.Requests)
	}
	if s.AchievedRate < 1980 || s.AchievedRate > 2020 {
		t.Errorf("achieved rate = %.1f/s; want 2000 ± 1%%", s.AchievedRate)
	}
	if s.BytesIn != 13*s.Requests {
		t.Errorf("bytes in = %d; want %d", s.BytesIn, 13*s.Requests)
	}
	var sum int64
	for i, iv := range run.Intervals {
		sum += iv.Total.Requests
		if iv.Index != i || (i < len(run.Intervals)-1 && iv.Duration != time.Second) {
			t.Errorf("interval %d: index %d, duration %v; want whole seconds in order", i, iv.Index, iv.Duration)
		}
	}
	if len(run.Intervals) < 3 || sum != s.Requests {
		t.Errorf("%d intervals holding %d requests; want at least 3 holding all %d", len(run.Intervals), sum, s.Requests)
	}
	if s.Generator.CPUSeconds <= 0 || s.Generator.MaxInFlightSeen < 1 {
		t.Errorf("generator = %+v; want CPU and in-flight measured", s.Generator)
	}
}

// stallServer blocks every handler for stall once every period, like a
// stop-the-world pause.
func stallServer(t *testing.T, stall, period time.Duration) *httptest.Server {
	t.Helper()
	start := time.Now()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		phase := time.Since(start) % period
		if phase < stall {
			time.Sleep(stall - phase)
		}
		io.WriteString(w, "ok\n")
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestStallShowsInCorrectedLatencyButNotUncorrected(t *testing.T) {
	// Two connections at a fixed rate: during each 200ms stall the arrivals
	// queue up behind the two busy connections (coordinated omission). The
	// corrected latency counts their wait; the uncorrected does not.
	ts := stallServer(t, 200*time.Millisecond, time.Second)
	run, err := load.Run(context.Background(), load.Config{
		Targets:     []load.Target{{URL: ts.URL}},
		Shape:       constant(t, 400, 2500*time.Millisecond),
		MaxInFlight: 2,
		Queue:       true,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary()
	if s.Dropped != 0 {
		t.Errorf("dropped = %d; want 0 (queued)", s.Dropped)
	}
	if s.Latency.P99 < 0.1 {
		t.Errorf("corrected p99 = %v s; want the 200ms stall to show (≥ 100ms)", s.Latency.P99)
	}
	if s.LatencyUncorrected.P99 > 0.05 {
		t.Errorf("uncorrected p99 = %v s; want the stall hidden (< 50ms)", s.LatencyUncorrected.P99)
	}
	if s.Late == 0 {
		t.Error("late = 0; want the queued arrivals counted late")
	}
}

func TestOpenModelShowsStallInBothLatencies(t *testing.T) {
	ts := stallServer(t, 200*time.Millisecond, time.Second)
	run, err := load.Run(context.Background(), load.Config{
		Targets: []load.Target{{URL: ts.URL}},
		Shape:   constant(t, 400, 2500*time.Millisecond),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary()
	if s.Latency.P99 < 0.1 || s.LatencyUncorrected.P99 < 0.1 {
		t.Errorf("p99 corrected %v, uncorrected %v; want both ≥ 100ms: nothing waits to be sent", s.Latency.P99, s.LatencyUncorrected.P99)
	}
	if s.Generator.MaxInFlightSeen < 20 {
		t.Errorf("max in flight = %d; want concurrency to grow during the stall", s.Generator.MaxInFlightSeen)
	}
}

func TestMaxInFlightDropsAreCounted(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
	}))
	t.Cleanup(ts.Close)
	run, err := load.Run(context.Background(), load.Config{
		Targets:     []load.Target{{URL: ts.URL}},
		Shape:       constant(t, 400, time.Second),
		MaxInFlight: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary()
	if s.Dropped < 200 {
		t.Errorf("dropped = %d; want most of the 400 arrivals (4 slots × 50ms ≈ 80/s)", s.Dropped)
	}
	if s.Requests+s.Dropped != s.Scheduled {
		t.Errorf("requests %d + dropped %d != scheduled %d", s.Requests, s.Dropped, s.Scheduled)
	}
	if s.Generator.MaxInFlightSeen > 4 {
		t.Errorf("max in flight = %d; want ≤ 4", s.Generator.MaxInFlightSeen)
	}
	if len(s.Generator.Warnings) == 0 {
		t.Error("no generator warning; want the drops explained")
	}
}

func TestCancelLeavesAPartialButValidResultFile(t *testing.T) {
	ts := okServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	var buf bytes.Buffer
	w := stats.NewWriter(&buf)
	intervals := 0
	run, err := load.Run(ctx, load.Config{
		Targets: []load.Target{{URL: ts.URL}},
		Shape:   constant(t, 200, 30*time.Second),
		OnStart: func(h *stats.Header) {
			if err := w.WriteHeader(h); err != nil {
				t.Error(err)
			}
		},
		OnInterval: func(iv *stats.Interval) {
			if err := w.WriteInterval(iv); err != nil {
				t.Error(err)
			}
			if intervals++; intervals == 1 {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if run == nil || !run.Partial {
		t.Fatalf("run = %+v; want a partial run", run)
	}
	if err := w.WriteSummary(run); err != nil {
		t.Fatal(err)
	}
	back, err := stats.ReadRun(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, want := back.Summary(), run.Summary()
	if !got.Partial || got.Requests != want.Requests || got.Requests < 150 {
		t.Errorf("read back partial=%v requests=%d; want partial, %d requests (≥150)", got.Partial, got.Requests, want.Requests)
	}
	if run.Duration > 5*time.Second {
		t.Errorf("duration = %v; want the run cut short", run.Duration)
	}
}

func TestErrorClasses(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedURL := "http://" + closed.Addr().String() + "/"
	closed.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(hangup.Close)
	badStatus := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(badStatus.Close)

	tests := []struct {
		name, url string
		class     string // "" for an HTTP status
		code      int
	}{
		{"a closed port is refused", refusedURL, stats.ErrRefused, 0},
		{"a slow handler times out", slow.URL, stats.ErrTimeout, 0},
		{"a handler that hangs up resets", hangup.URL, stats.ErrReset, 0},
		{"a 503 is a failed response, not an error", badStatus.URL, "", 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, err := load.Run(context.Background(), load.Config{
				Targets: []load.Target{{URL: tt.url}},
				Shape:   constant(t, 20, 250*time.Millisecond),
				Timeout: 200 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			s := run.Summary()
			if s.Requests != 5 || s.Successes != 0 {
				t.Fatalf("requests = %d, successes = %d; want 5 failures", s.Requests, s.Successes)
			}
			if tt.class != "" && s.Errors[tt.class] != 5 {
				t.Errorf("errors = %v; want 5 × %s", s.Errors, tt.class)
			}
			if tt.code != 0 && s.StatusCodes[tt.code] != 5 {
				t.Errorf("status codes = %v; want 5 × %d", s.StatusCodes, tt.code)
			}
			if s.ErrorRatio != 1 {
				t.Errorf("error ratio = %v; want 1", s.ErrorRatio)
			}
		})
	}
}

// protoServer records the protocol of every request it serves.
type protoServer struct {
	mu     sync.Mutex
	protos map[string]int
}

func (p *protoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.protos[r.Proto]++
	p.mu.Unlock()
	io.WriteString(w, "ok")
}

func TestHTTP2IsNegotiated(t *testing.T) {
	tests := []struct {
		name     string
		protocol load.Protocol
		start    func(*httptest.Server)
		want     string
	}{
		{"HTTP/2 over TLS by ALPN", load.ProtocolHTTP2, func(ts *httptest.Server) {
			ts.EnableHTTP2 = true
			ts.StartTLS()
		}, "HTTP/2.0"},
		{"auto negotiates HTTP/2 over TLS", load.ProtocolAuto, func(ts *httptest.Server) {
			ts.EnableHTTP2 = true
			ts.StartTLS()
		}, "HTTP/2.0"},
		{"h2c with prior knowledge", load.ProtocolH2C, func(ts *httptest.Server) {
			ts.Config.Protocols = new(http.Protocols)
			ts.Config.Protocols.SetHTTP1(true)
			ts.Config.Protocols.SetUnencryptedHTTP2(true)
			ts.Start()
		}, "HTTP/2.0"},
		{"HTTP/1.1 over TLS when asked", load.ProtocolHTTP1, func(ts *httptest.Server) {
			ts.EnableHTTP2 = true
			ts.StartTLS()
		}, "HTTP/1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := &protoServer{protos: map[string]int{}}
			ts := httptest.NewUnstartedServer(ps)
			tt.start(ts)
			t.Cleanup(ts.Close)
			run, err := load.Run(context.Background(), load.Config{
				Targets:  []load.Target{{URL: ts.URL + "/"}},
				Shape:    constant(t, 100, 300*time.Millisecond),
				Protocol: tt.protocol,
				Insecure: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			if s := run.Summary(); s.Successes != 30 {
				t.Errorf("successes = %d (errors %v); want 30", s.Successes, s.Errors)
			}
			ps.mu.Lock()
			defer ps.mu.Unlock()
			if ps.protos[tt.want] != 30 || len(ps.protos) != 1 {
				t.Errorf("server saw %v; want 30 × %s", ps.protos, tt.want)
			}
		})
	}
}

func TestTemplatesMakeRequestsDistinct(t *testing.T) {
	for _, proto := range []load.Protocol{load.ProtocolAuto, load.ProtocolH2C} {
		t.Run(proto.String(), func(t *testing.T) {
			var mu sync.Mutex
			seen := map[string]bool{}
			accounts := map[string]int{}
			ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				key := r.URL.RequestURI() + "|" + r.Header.Get("X-Request") + "|" + string(body)
				mu.Lock()
				seen[key] = true
				accounts[r.URL.Query().Get("acct")]++
				mu.Unlock()
				if r.Header.Get("X-Request") != r.URL.Query().Get("n") || string(body) != `{"n":`+r.URL.Query().Get("n")+`}` {
					w.WriteHeader(http.StatusBadRequest)
				}
			}))
			ts.Config.Protocols = new(http.Protocols)
			ts.Config.Protocols.SetHTTP1(true)
			ts.Config.Protocols.SetUnencryptedHTTP2(true)
			ts.Start()
			t.Cleanup(ts.Close)
			run, err := load.Run(context.Background(), load.Config{
				Targets: []load.Target{{
					Method: "POST",
					URL:    ts.URL + "/items?n={{seq}}&r={{rand 1 1000000}}&acct={{csv.account}}",
					Header: http.Header{"X-Request": {"{{seq}}"}},
					Body:   []byte(`{"n":{{seq}}}`),
					Data:   &load.Data{Columns: []string{"account"}, Rows: [][]string{{"a1"}, {"a2"}, {"a3"}}},
				}},
				Shape:    constant(t, 300, 200*time.Millisecond),
				Protocol: proto,
			})
			if err != nil {
				t.Fatal(err)
			}
			s := run.Summary()
			if s.Successes != 60 {
				t.Errorf("successes = %d (codes %v); want 60", s.Successes, s.StatusCodes)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 60 {
				t.Errorf("%d distinct requests; want 60", len(seen))
			}
			if accounts["a1"] != 20 || accounts["a2"] != 20 || accounts["a3"] != 20 {
				t.Errorf("accounts = %v; want the 3 rows used 20 times each", accounts)
			}
		})
	}
}

func TestWeightsShareTheArrivals(t *testing.T) {
	ts := okServer(t)
	run, err := load.Run(context.Background(), load.Config{
		Targets: []load.Target{
			{Name: "home", URL: ts.URL + "/", Weight: 3},
			{Name: "search", URL: ts.URL + "/search", Weight: 1},
		},
		Shape: constant(t, 400, 500*time.Millisecond),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary()
	if h, q := s.PerTarget["home"].Scheduled, s.PerTarget["search"].Scheduled; h != 150 || q != 50 {
		t.Errorf("home %d, search %d; want 150 and 50", h, q)
	}
}

func TestClosedModeSendsBackToBack(t *testing.T) {
	ts := okServer(t)
	run, err := load.Closed(context.Background(), load.Config{Targets: []load.Target{{URL: ts.URL}}}, 4, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary()
	if s.Mode != stats.ModeClosed || s.Concurrency != 4 {
		t.Errorf("mode %q, concurrency %d; want closed, 4", s.Mode, s.Concurrency)
	}
	if s.Requests < 50 || s.Scheduled != s.Requests || s.Successes != s.Requests {
		t.Errorf("requests %d, scheduled %d, successes %d; want many, all equal", s.Requests, s.Scheduled, s.Successes)
	}
}

func TestBadConfigsAreRejected(t *testing.T) {
	shape := constant(t, 1, time.Second)
	tests := []struct {
		name string
		cfg  load.Config
		want string
	}{
		{"no targets", load.Config{Shape: shape}, "no targets"},
		{"a URL without scheme", load.Config{Shape: shape, Targets: []load.Target{{URL: "example.com/"}}}, "must start with http://"},
		{"a template in the host", load.Config{Shape: shape, Targets: []load.Target{{URL: "http://h{{seq}}/"}}}, "host"},
		{"an unknown template", load.Config{Shape: shape, Targets: []load.Target{{URL: "http://h/{{nope}}"}}}, "unknown template"},
		{"a csv column without data", load.Config{Shape: shape, Targets: []load.Target{{URL: "http://h/{{csv.id}}"}}}, "no data"},
		{"h2c with https", load.Config{Shape: shape, Protocol: load.ProtocolH2C, Targets: []load.Target{{URL: "https://h/"}}}, "h2c"},
		{"a bad method", load.Config{Shape: shape, Targets: []load.Target{{URL: "http://h/", Method: "GE T"}}}, "method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load.Run(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run() error = %v; want one mentioning %q", err, tt.want)
			}
		})
	}
}

func Example() {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ts.Close()
	shape, _ := traffic.Parse("constant:rate=100,for=500ms", nil)
	run, err := load.Run(context.Background(), load.Config{
		Targets: []load.Target{{URL: ts.URL}},
		Shape:   shape,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := run.Summary()
	fmt.Printf("%s model, %d requests due, %d successes\n", s.Mode, s.Scheduled, s.Successes)
	// Output:
	// open model, 50 requests due, 50 successes
}
