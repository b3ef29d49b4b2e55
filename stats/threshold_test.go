package stats_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/stats"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in   string
		want stats.Threshold
	}{
		{"p99<300ms", stats.Threshold{Metric: "p99", Op: "<", Value: 0.3}},
		{"p50<=20ms", stats.Threshold{Metric: "p50", Op: "<=", Value: 0.02}},
		{" p999 < 1s ", stats.Threshold{Metric: "p999", Op: "<", Value: 1}},
		{"p99.9<1s", stats.Threshold{Metric: "p999", Op: "<", Value: 1}},
		{"mean<5ms", stats.Threshold{Metric: "mean", Op: "<", Value: 0.005}},
		{"max<2s", stats.Threshold{Metric: "max", Op: "<", Value: 2}},
		{"errors<1%", stats.Threshold{Metric: "errors", Op: "<", Value: 0.01}},
		{"errors<=0.1%", stats.Threshold{Metric: "errors", Op: "<=", Value: 0.001}},
		{"errors<=0", stats.Threshold{Metric: "errors", Op: "<=", Value: 0}},
		{"availability>=99.9%", stats.Threshold{Metric: "success", Op: ">=", Value: 0.999}},
		{"late<1%", stats.Threshold{Metric: "late", Op: "<", Value: 0.01}},
		{"rate>=1000", stats.Threshold{Metric: "rate", Op: ">=", Value: 1000}},
		{"throughput>950/s", stats.Threshold{Metric: "throughput", Op: ">", Value: 950}},
		{"success>=99.9%", stats.Threshold{Metric: "success", Op: ">=", Value: 0.999}},
	}
	for _, tt := range tests {
		got, err := stats.ParseThreshold(tt.in)
		if err != nil {
			t.Errorf("ParseThreshold(%q) error: %v", tt.in, err)
			continue
		}
		if got.Metric != tt.want.Metric || got.Op != tt.want.Op || math.Abs(got.Value-tt.want.Value) > 1e-12 {
			t.Errorf("ParseThreshold(%q) = %+v; want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseThresholdRejectsMistakes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"p99", "want METRIC OP VALUE"},
		{"p98<1s", `unknown metric "p98"`},
		{"<1s", "missing the metric"},
		{"p99<", "missing the value"},
		{"p99<300", `latency "300" has no unit: write 300ms`},
		{"p99<=0.3", `latency "0.3" has no unit: write 0.3s`},
		{"p99=300ms", "operator"},
		{"errors<150%", "between 0% and 100%"},
		{"errors<lots", "percentage"},
		{"errors<1", "a ratio needs a percent sign (1 is ambiguous): write errors<1% (one in a hundred) or errors<100%"},
		{"errors<=0.1", "write errors<=0.1% (one in a thousand) or errors<=10%"},
		{"error<=0.05", "write error<=0.05% (one in 2,000) or error<=5%"},
		{"availability>=99.9", "write availability>=99.9% (all but one in a thousand)"},
		{"success>=0.999", "write success>=0.999% or success>=99.9%"},
		{"late<250", "between 0% and 100%"},
		{"rate>fast", "rate per second"},
		{"p99<-1s", "latency"},
		{"p99<300m", "latency 300m is 5h (m is minutes): did you mean 300ms?"},
		{"p50<=61m", "latency 61m is 1h01m (m is minutes): did you mean 61ms?"},
		{"max<2h", "latency 2h is 2h, above 1h: write a request latency in ms or s"},
		{"p99<1h30m", "above 1h:"},
	}
	for _, tt := range tests {
		_, err := stats.ParseThreshold(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseThreshold(%q) error = %v; want one containing %q", tt.in, err, tt.want)
		}
	}
	for _, in := range []string{"p99<300", "p99<=300"} {
		if _, err := stats.ParseThreshold(in); err == nil || strings.Contains(err.Error(), "300s") || strings.Contains(err.Error(), "300m ") {
			t.Errorf("ParseThreshold(%q) error = %v; want 300ms suggested, never 300s or 300m", in, err)
		}
	}
	_, err := stats.ParseThresholds("p99<300ms,nope<1,errors<1%,x")
	if err == nil || !strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("ParseThresholds error = %v; want both bad items named", err)
	}
}

func TestEvaluateThresholds(t *testing.T) {
	s := stats.Stats{Requests: 1000, Successes: 990, ErrorRatio: 0.01, SuccessRatio: 0.99, AchievedRate: 1000, Throughput: 990,
		Scheduled: 1000, Late: 5, LateRatio: 0.005, Latency: stats.Latency{P99: 0.3, P50: 0.01}}
	tests := []struct {
		th   string
		pass bool
	}{
		{"p99<300ms", false},
		{"p99<=300ms", true},
		{"p50<20ms", true},
		{"errors<1%", false},
		{"errors<=1%", true},
		{"success>=99%", true},
		{"late<1%", true},
		{"rate>=1000", true},
		{"throughput>990", false},
	}
	for _, tt := range tests {
		th, err := stats.ParseThreshold(tt.th)
		if err != nil {
			t.Fatal(err)
		}
		if r := th.Check(&s); r.Pass != tt.pass || r.Threshold != th {
			t.Errorf("%s: pass = %v; want %v (observed %v)", tt.th, r.Pass, tt.pass, r.Observed)
		}
	}
	empty := stats.Stats{}
	th, _ := stats.ParseThreshold("p99<1s")
	if r := th.Check(&empty); r.Pass || !r.NoData {
		t.Errorf("p99<1s on no requests = %+v; want a failure for lack of data", r)
	}
}

// FuzzParseThreshold checks that the parser never panics and that what it
// accepts prints back to an equivalent threshold.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"p99<300ms", "errors<=0.1%", "rate>=1000/s", "success>=99.9%", "p50<=1.5s", "late<1%", "<", "p99<<1s", "max<1e300s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := stats.ParseThreshold(s)
		if err != nil {
			return
		}
		back, err := stats.ParseThreshold(th.String())
		if err != nil {
			t.Fatalf("ParseThreshold(%q).String() = %q does not parse: %v", s, th.String(), err)
		}
		if back.Metric != th.Metric || back.Op != th.Op || math.Abs(back.Value-th.Value) > 1e-9*math.Max(1, math.Abs(th.Value)) {
			t.Fatalf("round trip of %q: %+v != %+v", s, back, th)
		}
	})
}

// FuzzReadRun checks that reading any input never panics.
func FuzzReadRun(f *testing.F) {
	f.Add([]byte(`{"type":"header","format":"headroom-results/1","mode":"open"}` + "\n" + `{"type":"interval","t":0,"requests":3,"latency":"HISTFAAAACR4nJNpmSzMwMDAwcAAxjAAQ4AAAAM"}` + "\n"))
	f.Add([]byte(`{"type":"header","format":"headroom-results/1"}` + "\n" + `{"type":"summary","requests":1,"per_target":{"a":{}}}`))
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := stats.ReadRun(strings.NewReader(string(data)))
		if err == nil {
			_ = r.Summary()
		}
	})
}

// A threshold result is typed end to end: its JSON holds the canonical
// text, which reads back as the same threshold (no string parsed again).
func TestThresholdResultRoundTripsTyped(t *testing.T) {
	th, err := stats.ParseThreshold("p99<300ms")
	if err != nil {
		t.Fatal(err)
	}
	in := stats.ThresholdResult{Threshold: th, Metric: th.Metric, Observed: 0.42}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var text struct {
		Threshold string `json:"threshold"`
	}
	if err := json.Unmarshal(b, &text); err != nil || text.Threshold != "p99<300ms" {
		t.Errorf("JSON %s; want the threshold as its text", b)
	}
	var out stats.ThresholdResult
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Threshold != th || out.Threshold.Format(out.Observed) != "420ms" {
		t.Errorf("read back %+v (observed %q); want %+v", out.Threshold, out.Threshold.Format(out.Observed), th)
	}
}
