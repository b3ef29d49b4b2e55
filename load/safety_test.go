package load_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
)

// hangServer answers nothing until the test ends (or the client gives up).
func hangServer(t *testing.T) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.Start()
	t.Cleanup(func() {
		close(done)
		ts.Close()
	})
	return ts
}

// accounted checks that every arrival is accounted for exactly once.
func accounted(t *testing.T, s *stats.Summary) {
	t.Helper()
	if got := s.Requests + s.Dropped + s.Unfinished; got != s.Scheduled {
		t.Errorf("requests %d + dropped %d + unfinished %d = %d; want every one of the %d arrivals accounted for",
			s.Requests, s.Dropped, s.Unfinished, got, s.Scheduled)
	}
	if s.Dropped != s.DroppedCap+s.DroppedAtEnd+s.DroppedGenerator {
		t.Errorf("dropped %d != cap %d + at end %d + generator %d", s.Dropped, s.DroppedCap, s.DroppedAtEnd, s.DroppedGenerator)
	}
}

func TestARunawayRateEndsOnTimeAndCountsWhatWasNotSent(t *testing.T) {
	// 300 million arrivals in 300 ms: no generator sends them. The run must
	// end on time and count the rest as dropped, not send them late.
	ts := okServer(t)
	start := time.Now()
	run, err := load.Run(context.Background(), load.Config{
		Targets:     []load.Target{{URL: ts.URL}},
		Shape:       constant(t, 1e9, 300*time.Millisecond),
		MaxInFlight: 8,
	})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary()
	if took > 5*time.Second {
		t.Errorf("the run took %v; want it to end about 300ms after its start", took)
	}
	if run.Duration != 300*time.Millisecond {
		t.Errorf("duration = %v; want the shape's 300ms", run.Duration)
	}
	if s.Scheduled < 3e8-2 || s.Scheduled > 3e8+2 {
		t.Errorf("scheduled = %d; want all 300,000,000 arrivals counted", s.Scheduled)
	}
	if s.DroppedAtEnd < 1e8 || s.Requests == 0 {
		t.Errorf("dropped at end %d, requests %d; want most arrivals dropped at the end and some sent", s.DroppedAtEnd, s.Requests)
	}
	accounted(t, &s)
	if !hasWarning(s.Generator.Warnings, "fell behind") {
		t.Errorf("warnings = %q; want the generator falling behind named", s.Generator.Warnings)
	}
}

func hasWarning(ws []string, part string) bool {
	for _, w := range ws {
		if strings.Contains(w, part) {
			return true
		}
	}
	return false
}

func TestAShapeAboveMaxRateIsRefusedBeforeSending(t *testing.T) {
	var hits atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(ts.Close)
	shape, err := traffic.Parse("steps:rates=10/1e12,every=1s", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := load.Config{Targets: []load.Target{{URL: ts.URL}}, Shape: shape, MaxRate: load.DefaultMaxRate}
	for name, check := range map[string]func() error{
		"Check": func() error { return load.Check(cfg) },
		"Run":   func() error { _, err := load.Run(context.Background(), cfg); return err },
	} {
		err := check()
		var re *load.RateError
		if !errors.As(err, &re) || re.Peak != 1e12 || re.Max != load.DefaultMaxRate {
			t.Errorf("%s: error = %v; want a RateError naming the peak 1e12 and the cap", name, err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the server got %d requests; want none", hits.Load())
	}
	cfg.MaxRate = 0
	if err := load.Check(cfg); err != nil {
		t.Errorf("Check without a rate cap: %v", err)
	}
}

func TestTheDefaultInFlightCapIsRecorded(t *testing.T) {
	ts := okServer(t)
	tests := []struct {
		set, want int
	}{{0, load.DefaultMaxInFlight}, {load.NoLimit, 0}, {7, 7}}
	for _, tt := range tests {
		run, err := load.Run(context.Background(), load.Config{
			Targets: []load.Target{{URL: ts.URL}}, Shape: constant(t, 10, 100*time.Millisecond), MaxInFlight: tt.set})
		if err != nil {
			t.Fatal(err)
		}
		if got := run.Header.Generator.MaxInFlight; got != tt.want {
			t.Errorf("MaxInFlight %d: the header records a cap of %d; want %d", tt.set, got, tt.want)
		}
	}
}

func TestTimeoutsAreRecordedAtTheTimeoutAndDrained(t *testing.T) {
	// A target that never answers: every request must end as a timeout,
	// recorded at the timeout (not at the connection's later deadline), and
	// none may vanish from the run.
	ts := hangServer(t)
	const timeout = 1 * time.Second
	start := time.Now()
	run, err := load.Run(context.Background(), load.Config{
		Targets: []load.Target{{URL: ts.URL}},
		Shape:   constant(t, 20, 500*time.Millisecond),
		Timeout: timeout,
	})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary()
	if s.Errors[stats.ErrTimeout] != 10 || s.Unfinished != 0 {
		t.Errorf("errors %v, unfinished %d; want 10 timeouts and nothing unfinished", s.Errors, s.Unfinished)
	}
	if mx := run.Total.LatencyUncorrected.Max(); mx < timeout || mx > timeout+timeout/100 {
		t.Errorf("the slowest timeout is recorded at %v; want the %v timeout", mx, timeout)
	}
	if took > 500*time.Millisecond+timeout+time.Second {
		t.Errorf("the run took %v; want it over within the shape, the timeout and its slack", took)
	}
	accounted(t, &s)
	if d := run.Header.Generator.Drain; d <= timeout+100*time.Millisecond {
		t.Errorf("drain = %v; want more than the timeout and its deadline slack", d)
	}
}

func TestRequestsInFlightAfterTheDrainAreUnfinished(t *testing.T) {
	ts := hangServer(t)
	start := time.Now()
	run, err := load.Run(context.Background(), load.Config{
		Targets: []load.Target{{URL: ts.URL}},
		Shape:   constant(t, 10, 300*time.Millisecond),
		Timeout: 30 * time.Second,
		Drain:   300 * time.Millisecond,
	})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary()
	if s.Unfinished != 3 || s.Requests != 0 {
		t.Errorf("unfinished %d, requests %d; want the 3 requests counted unfinished", s.Unfinished, s.Requests)
	}
	accounted(t, &s)
	if !hasWarning(s.Generator.Warnings, "unfinished") {
		t.Errorf("warnings = %q; want the unfinished requests named", s.Generator.Warnings)
	}
	if took > 3*time.Second {
		t.Errorf("the run took %v; want it over after the 300ms shape and the 300ms drain", took)
	}
}

func TestQueueEndsWithItsScheduleAndStopsWhenCancelled(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(300 * time.Millisecond):
		}
	}))
	t.Cleanup(slow.Close)
	cfg := load.Config{Targets: []load.Target{{URL: slow.URL}}, MaxInFlight: 1, Queue: true}

	t.Run("the run ends with its schedule", func(t *testing.T) {
		cfg := cfg
		cfg.Shape = constant(t, 20, time.Second)
		start := time.Now()
		run, err := load.Run(context.Background(), cfg)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		s := run.Summary()
		// One slot and 300ms per request: about 4 of the 20 arrivals are sent.
		if took > 2500*time.Millisecond {
			t.Errorf("the 1s run took %v; want it over after its schedule and one request's drain", took)
		}
		if s.Requests > 5 || s.DroppedAtEnd < 14 || s.Scheduled != 20 {
			t.Errorf("requests %d, dropped at end %d, scheduled %d; want ≤ 5 sent and the rest dropped at the end", s.Requests, s.DroppedAtEnd, s.Scheduled)
		}
		if s.AchievedRate > 5 {
			t.Errorf("achieved rate %.1f/s; want the honest ≤ 5/s", s.AchievedRate)
		}
		accounted(t, &s)
	})
	t.Run("a wait for a slot stops on cancel", func(t *testing.T) {
		cfg := cfg
		cfg.Shape = constant(t, 20, time.Minute)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(500*time.Millisecond, cancel)
		start := time.Now()
		run, err := load.Run(ctx, cfg)
		if !errors.Is(err, context.Canceled) || run == nil || !run.Partial {
			t.Fatalf("err = %v; want a partial run stopped by the cancel", err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("Run returned %v after its start; want soon after the cancel at 500ms", took)
		}
	})
}

func TestNoIntervalsKeepsOnlyTheTotals(t *testing.T) {
	ts := okServer(t)
	var streamed int64
	n := 0
	run, err := load.Run(context.Background(), load.Config{
		Targets:     []load.Target{{URL: ts.URL}},
		Shape:       constant(t, 500, 2*time.Second),
		NoIntervals: true,
		OnInterval: func(iv *stats.Interval) {
			n++
			streamed += iv.Total.Requests
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Intervals) != 0 || n < 2 {
		t.Errorf("%d intervals kept, %d streamed; want none kept and every second streamed", len(run.Intervals), n)
	}
	if run.Total.Requests != 1000 || streamed != run.Total.Requests || run.Total.Latency.Count() != 1000 {
		t.Errorf("total %d requests (%d in the histogram), %d streamed; want 1000 everywhere", run.Total.Requests, run.Total.Latency.Count(), streamed)
	}
}

func TestSecretsAreNeverShown(t *testing.T) {
	var gotAuth atomic.Value
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
	}))
	t.Cleanup(ts.Close)
	host := strings.TrimPrefix(ts.URL, "http://")
	secrets := []string{"s3cr3t", "tok-123", "pw-456"}
	url := "http://alice:s3cr3t@" + host + "/pay?token=tok-123&password=pw-456&page=2"
	run, err := load.Run(context.Background(), load.Config{
		Targets: []load.Target{{URL: url}},
		Shape:   constant(t, 10, 200*time.Millisecond),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := gotAuth.Load().(string); got != "Basic YWxpY2U6czNjcjN0" {
		t.Errorf("the server got Authorization %q; want the URL's user and password as basic auth", got)
	}
	var buf strings.Builder
	if err := stats.NewWriter(&buf).WriteRun(run); err != nil {
		t.Fatal(err)
	}
	sum, _ := json.Marshal(run.Summary())
	shown := buf.String() + string(sum)
	for _, s := range secrets {
		if strings.Contains(shown, s) {
			t.Errorf("the results show the secret %q:\n%.600s", s, shown)
		}
	}
	if !strings.Contains(shown, "page=2") || !strings.Contains(shown, "/pay") {
		t.Errorf("the results lost the URL's harmless parts:\n%.600s", shown)
	}

	bad := []load.Target{
		{URL: "ftp://alice:s3cr3t@" + host + "/?token=tok-123"},
		{URL: "http://alice:s3cr3t@" + host + "/a b?password=pw-456"},
		{URL: "http://" + host + "/?token=tok-123&x={{nope}}"},
		{URL: "http://" + host + "/", Header: http.Header{"Authorization": {"Bearer s3cr3t{{"}}},
		{URL: "http://" + host + "/", Header: http.Header{"Authorization Bearer s3cr3t": {"x"}}},
	}
	for _, tg := range bad {
		err := load.Check(load.Config{Targets: []load.Target{tg}, Shape: constant(t, 1, time.Second)})
		if err == nil {
			t.Errorf("Check(%v) passed; want an error", tg)
			continue
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("the error shows the secret %q: %v", s, err)
			}
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://h:8080/a?b=1", "http://h:8080/a?b=1"},
		{"https://bob:pw@h/x", "https://REDACTED@h/x"},
		{"https://tok@h", "https://REDACTED@h"},
		{"http://h/?access_token=abc&q=1", "http://h/?access_token=REDACTED&q=1"},
		{"http://h/?API_KEY=abc;X-Amz-Signature=def#frag", "http://h/?API_KEY=REDACTED&X-Amz-Signature=REDACTED#frag"},
		{"http://h/p@th?user=1", "http://h/p@th?user=1"},
		{"h/?password=x", "h/?password=REDACTED"},
		{"http://h/?token", "http://h/?token"},
	}
	for _, tt := range tests {
		if got := load.RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedirectsAreNotFollowedSoCredentialsStayWithTheTarget(t *testing.T) {
	// The load client measures the target, never where it points: a
	// redirect to another host is recorded as a 3xx, and that host never
	// sees the request, its Authorization or its cookies.
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) // another host name
	redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+"/landing", http.StatusFound)
	})
	plain := httptest.NewServer(redirect)
	t.Cleanup(plain.Close)
	tlsServer := httptest.NewTLSServer(redirect)
	t.Cleanup(tlsServer.Close)
	header := http.Header{"Authorization": {"Bearer s3cr3t"}, "Cookie": {"session=abc"}}
	for _, url := range []string{plain.URL, tlsServer.URL} {
		run, err := load.Run(context.Background(), load.Config{
			Targets:  []load.Target{{URL: url + "/", Header: header}},
			Shape:    constant(t, 20, 250*time.Millisecond),
			Insecure: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		if s := run.Summary(); s.StatusCodes[http.StatusFound] != 5 {
			t.Errorf("%s: status codes %v; want 5 × 302 recorded", url, s.StatusCodes)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d requests; want none", n)
	}
}

func TestProcsForBudgetsCoresByRate(t *testing.T) {
	cpus := runtime.NumCPU()
	tests := []struct {
		name string
		url  string
		rate float64
		want int
	}{
		{"a modest http rate", "http://127.0.0.1:1/", 5000, 1},
		{"a high http rate", "http://127.0.0.1:1/", 25000, min(3, cpus)},
		{"more than the machine", "http://127.0.0.1:1/", 1e7, cpus},
		{"https costs more", "https://127.0.0.1:1/", 5000, min(2, cpus)},
	}
	for _, tt := range tests {
		cfg := load.Config{Targets: []load.Target{{URL: tt.url}}, Shape: constant(t, tt.rate, time.Second)}
		if got := load.ProcsFor(cfg); got != tt.want {
			t.Errorf("%s: ProcsFor = %d; want %d", tt.name, got, tt.want)
		}
	}
}

func TestAMissingColumnNeverEchoesASecretHeader(t *testing.T) {
	// A data file given by mistake (an environment dump, a token file):
	// the error names the column asked for, never the file's first line.
	tests := []struct {
		columns []string
		shown   bool
	}{
		{[]string{"user_id", "amount"}, true},
		{[]string{"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI"}, false},
		{[]string{"ghp_1234567890abcdefghijklmnopqrstuvwxyz"}, false},
		{[]string{"id", "Bearer: abc"}, false},
	}
	for _, tt := range tests {
		err := load.Check(load.Config{
			Targets: []load.Target{{URL: "http://127.0.0.1:1/{{csv.user}}", Data: &load.Data{Columns: tt.columns, Rows: [][]string{tt.columns}}}},
			Shape:   constant(t, 1, time.Second),
		})
		if err == nil {
			t.Fatalf("columns %q: Check passed; want a missing-column error", tt.columns)
		}
		for _, c := range tt.columns {
			if got := strings.Contains(err.Error(), c); got != tt.shown {
				t.Errorf("columns %q: error %q shows %q = %v; want %v", tt.columns, err, c, got, tt.shown)
			}
		}
		if !strings.Contains(err.Error(), `"user"`) {
			t.Errorf("the error does not name the column asked for: %v", err)
		}
	}
}
