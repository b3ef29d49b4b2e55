package pipeline

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
)

// loopback is a target on 127.0.0.1 answering with status code.
func loopback(t *testing.T, code int) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, "ok\n")
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/"
}

func engine(t *testing.T, url, shape string) load.Config {
	t.Helper()
	c, err := traffic.Parse(shape, nil)
	if err != nil {
		t.Fatal(err)
	}
	return load.Config{Targets: []load.Target{{URL: url}}, Shape: c, Timeout: 2 * time.Second, LateThreshold: load.DefaultLateThreshold}
}

// A load test streams its results (which Report reads back to the same
// summary), stores its thresholds with them, and judges them.
func TestLoadTestStreamsAndJudges(t *testing.T) {
	for _, tt := range []struct {
		name       string
		code       int
		thresholds string
		abort      bool
		failed     string
	}{
		{"a healthy target passes", 200, "errors<1%", false, ""},
		{"a failing target fails the verdict", 503, "", false, "every request failed"},
		{"a broken threshold fails it", 200, "p99<1us", false, "threshold failed: p99<1µs"},
		{"abort on fail stops the run", 503, "errors<1%", true, "aborted after"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ths []stats.Threshold
			if tt.thresholds != "" {
				var err error
				if ths, err = stats.ParseThresholds(tt.thresholds); err != nil {
					t.Fatal(err)
				}
			}
			var results bytes.Buffer
			seconds := 0
			res, err := LoadTest(context.Background(), LoadTestConfig{Engine: engine(t, loopback(t, tt.code), "constant:rate=40,for=3s"),
				Thresholds: ths, AbortOnFail: tt.abort, AbortWindow: time.Second, Results: &results, Name: "probe",
				OnInterval: func(*stats.Interval) { seconds++ }})
			if err != nil || res.ResultsErr != nil {
				t.Fatalf("LoadTest() = %v, results %v", err, res.ResultsErr)
			}
			failed, verr := res.Verdict()
			if verr != nil || !strings.HasPrefix(failed, tt.failed) || (tt.failed == "") != (failed == "") {
				t.Errorf("Verdict() = %q, %v; want %q", failed, verr, tt.failed)
			}
			if seconds == 0 || res.Summary.Requests == 0 || (tt.abort && res.Summary.Requests >= 120) {
				t.Errorf("%d seconds seen, %d requests; want each second seen, and fewer than 120 requests when aborted", seconds, res.Summary.Requests)
			}
			back, err := Report(MapFiles{"r.jsonl": results.Bytes()}, ReportConfig{Results: []string{"r.jsonl"}})
			if err != nil {
				t.Fatalf("the results stream does not read back: %v", err)
			}
			if back.Summary.Requests != res.Summary.Requests || len(back.Summary.Thresholds) != len(ths) {
				t.Errorf("read back %d requests, %d thresholds; want %d, %d", back.Summary.Requests, len(back.Summary.Thresholds), res.Summary.Requests, len(ths))
			}
			if doc := res.Document(); !strings.Contains(doc.Sections[0].Intro, "probe") {
				t.Errorf("Document() intro %q; want the run's name", doc.Sections[0].Intro)
			}
		})
	}
}

// Abort on fail without a threshold is bad input, before anything runs.
func TestLoadTestAbortNeedsAThreshold(t *testing.T) {
	_, err := LoadTest(context.Background(), LoadTestConfig{Engine: engine(t, "http://127.0.0.1:1/", "constant:rate=1,for=1s"), AbortOnFail: true})
	if !IsInputError(err) {
		t.Errorf("LoadTest() = %v; want bad input", err)
	}
}

func TestSLOObjectives(t *testing.T) {
	lat := func(name, objective string) string {
		return "apiVersion: headroom/v1\nkind: SLO\nname: " + name + "\nlatency: {histogram: http_request_duration_seconds, selector: {job: api}, threshold: 300ms}\nobjective: " + objective + "\n---\n"
	}
	files := MapFiles{"slo.yaml": []byte(lat("p99", "99%") + lat("p97", "97%") + lat("p9999", "99.99%") +
		"apiVersion: headroom/v1\nkind: SLO\nname: avail\navailability: {metric: http_requests_total, selector: {job: api}}\nobjective: 99.9%\n")}
	for _, tt := range []struct {
		name, slo, want string
	}{
		{"availability is an error bound", "avail", "errors<=0.1%"},
		{"99% within 300ms is p99", "p99", "p99<=300ms"},
		{"97% takes the next stricter quantile", "p97", "p99<=300ms"},
		{"beyond p999 stays p999", "p9999", "p999<=300ms"},
	} {
		ths, err := SLOObjectives(files, "slo.yaml", tt.slo)
		if err != nil || len(ths) != 1 || ths[0].String() != tt.want {
			t.Errorf("%s: SLOObjectives() = %v, %v; want %s", tt.name, ths, err, tt.want)
		}
	}
	if ths, err := SLOObjectives(files, "slo.yaml", ""); err != nil || len(ths) != 4 {
		t.Errorf("SLOObjectives() of every SLO = %v, %v; want 4", ths, err)
	}
	if _, err := SLOObjectives(files, "slo.yaml", "nope"); !IsInputError(err) || !strings.Contains(err.Error(), `no SLO named "nope"`) {
		t.Errorf("SLOObjectives() of an unknown SLO = %v; want bad input naming it", err)
	}
}

func TestCapacityTimeout(t *testing.T) {
	for _, tt := range []struct {
		slo  string
		want time.Duration
	}{
		{"errors<=1%", 10 * time.Second},
		{"p99<=100ms", 2 * time.Second},
		{"p99<=500ms,errors<=1%", 5 * time.Second},
		{"p99<=10s", load.DefaultTimeout},
	} {
		ths, err := stats.ParseThresholds(tt.slo)
		if err != nil {
			t.Fatal(err)
		}
		if got := CapacityTimeout(ths); got != tt.want {
			t.Errorf("CapacityTimeout(%s) = %v; want %v", tt.slo, got, tt.want)
		}
	}
}

// A short search of a healthy loopback target ends at its rate cap, and
// the result says so; an unreachable target gives no result.
func TestCapacitySearch(t *testing.T) {
	ths, _ := stats.ParseThresholds("errors<=1%")
	search := capacity.Config{SLO: ths, StartRate: 20, MaxRate: 40, Hold: time.Second, WarmUp: -1, MaxSteps: 3, NoRepeat: true, Precision: 0.1, Target: "probe"}
	res, err := Capacity(context.Background(), CapacityConfig{Search: search, Engine: load.Config{Targets: []load.Target{{URL: loopback(t, 200)}},
		Timeout: 2 * time.Second, LateThreshold: load.DefaultLateThreshold}, Require: 100})
	if err != nil {
		t.Fatal(err)
	}
	failed, lower := res.Verdict()
	if res.Profile.MaxRate != 40 || res.Profile.LimitedBy != capacity.LimitedByMaxRate || lower || !strings.Contains(failed, "below the required 100") {
		t.Errorf("Capacity() = %v req/s limited by %s, verdict %q (lower bound %v); want 40 by max_rate, below the required 100",
			res.Profile.MaxRate, res.Profile.LimitedBy, failed, lower)
	}
	if doc := res.Document(); doc.Sections[0].Verdict == nil || !strings.Contains(doc.Sections[0].Verdict.Text, "limited by max_rate") {
		t.Errorf("Document() verdict %+v; want the limit named", doc.Sections[0].Verdict)
	}
	_, err = Capacity(context.Background(), CapacityConfig{Search: search, Engine: load.Config{Targets: []load.Target{{URL: "http://127.0.0.1:1/"}},
		Timeout: time.Second, LateThreshold: load.DefaultLateThreshold}})
	var unreachable *capacity.UnreachableError
	if !errors.As(err, &unreachable) {
		t.Errorf("Capacity() of a closed port = %v; want an UnreachableError", err)
	}
}

// A long run keeps at most maxChartIntervals intervals for its charts,
// every request still counted, the seconds merged in order.
func TestChartIntervalsStayBounded(t *testing.T) {
	for _, seconds := range []int{1, 240, 241, 1000, 86400} {
		var c chartIntervals
		for i := range seconds {
			iv := &stats.Interval{Index: i, Start: time.Duration(i) * time.Second, Duration: time.Second}
			iv.Total.Response(200, time.Millisecond, time.Millisecond, 0, 0)
			c.add(iv)
		}
		var requests int64
		var d time.Duration
		for i, iv := range c.ivs {
			if iv.Start != d {
				t.Fatalf("%d s: interval %d starts at %v; want %v", seconds, i, iv.Start, d)
			}
			requests += iv.Total.Requests
			d += iv.Duration
		}
		if len(c.ivs) > maxChartIntervals || requests != int64(seconds) || d != time.Duration(seconds)*time.Second {
			t.Errorf("%d s: kept %d intervals, %d requests over %v; want at most %d, every request and second", seconds, len(c.ivs), requests, d, maxChartIntervals)
		}
	}
}
