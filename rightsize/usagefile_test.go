package rightsize_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/rightsize"
)

// fortnight is a realistic usage history: two workloads' pods over 14
// days, one serving requests, one idle but for health checks, with
// kube-state-metrics history and an owner for a pod gone since.
func fortnight() *rightsize.Usage {
	u := &rightsize.Usage{End: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), Window: 14 * 24 * time.Hour, Step: time.Minute,
		PeakResolution: time.Minute, CPUPercentile: 0.99, RequestMetrics: []string{"http_requests_total"},
		Pods: map[rightsize.PodKey]rightsize.PodActivity{}, Workloads: map[rightsize.WorkloadRef]rightsize.WorkloadHistory{},
		Owners: map[rightsize.PodKey]rightsize.WorkloadRef{}}
	all := rightsize.StatCPUHigh | rightsize.StatCPUPeak | rightsize.StatCPUAvg | rightsize.StatMemoryPeak | rightsize.StatMemoryAvg | rightsize.StatHistory | rightsize.StatOOM
	for i, w := range []struct {
		name      string
		cpu       float64
		idle      bool
		throttled float64
	}{{"api", 0.181, false, 0.02}, {"admin", 0.004, true, 0}} {
		ref := rightsize.WorkloadRef{Kind: rightsize.KindDeployment, Namespace: "shop", Name: w.name}
		u.Workloads[ref] = rightsize.WorkloadHistory{Has: rightsize.StatReplicas | rightsize.StatHPAAtMax, AvgReplicas: 3.4 - float64(i), HPAAtMax: 0.01}
		for p := 0; p < 3; p++ {
			pod := w.name + "-5d8f7-" + string(rune('a'+p))
			u.Containers = append(u.Containers, rightsize.ContainerUsage{Namespace: "shop", Pod: pod, Container: w.name, Has: all | rightsize.StatThrottling,
				CPUHigh: w.cpu * 2.2, CPUPeak: w.cpu * 3, CPUAvg: w.cpu, MemoryPeak: 310 << 20, MemoryAvg: 250 << 20, Samples: 20160,
				Observed: 14 * 24 * time.Hour, Throttled: w.throttled, Restarts: p})
			key := rightsize.PodKey{Namespace: "shop", Pod: pod}
			if w.idle {
				u.Pods[key] = rightsize.PodActivity{Has: rightsize.StatNetwork, RxPeak: 41, RxTypical: 40}
			} else {
				u.Pods[key] = rightsize.PodActivity{Has: rightsize.StatNetwork | rightsize.StatRequests, RxPeak: 9000, RxTypical: 3000, Requests: 2.1e7}
			}
		}
	}
	u.Owners[rightsize.PodKey{Namespace: "shop", Pod: "api-5d8f7-gone"}] = rightsize.WorkloadRef{Kind: rightsize.KindDeployment, Namespace: "shop", Name: "api"}
	return u
}

func TestUsageFileRoundTrips(t *testing.T) {
	u := fortnight()
	data, err := u.File()
	if err != nil {
		t.Fatal(err)
	}
	back, err := rightsize.ParseUsage(data)
	if err != nil {
		t.Fatalf("ParseUsage(File()) = %v\n%s", err, data)
	}
	if !reflect.DeepEqual(back, u) {
		t.Errorf("round trip changed the usage:\n got %+v\nwant %+v", back, u)
	}
	again, err := back.File()
	if err != nil || string(again) != string(data) {
		t.Errorf("File() is not stable: %v", err)
	}
	// The same recommendations from the file as from the usage it holds.
	if !strings.Contains(string(data), `"window": "336h0m0s"`) || !strings.Contains(string(data), `"format": "headroom-usage/v1"`) {
		t.Errorf("usage file should say its format and write durations as durations:\n%s", data[:min(len(data), 400)])
	}
}

func TestParseUsageNamesEveryProblem(t *testing.T) {
	good, err := fortnight().File()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, from, to string
		want           []string
	}{
		{"another format", `"format": "headroom-usage/v1"`, `"format": "v0"`, []string{`format "v0"`}},
		{"a window that is no duration", `"window": "336h0m0s"`, `"window": "14 days"`, []string{`window: "14 days": want a positive duration`}},
		{"a percentile as a percent", `"cpu_percentile": 0.99`, `"cpu_percentile": 99`, []string{"cpu_percentile: want a fraction in (0, 1]"}},
		{"negative CPU", `"cpu_avg": 0.181`, `"cpu_avg": -0.181`, []string{"containers[0].cpu_avg: want a finite number, not negative"}},
		{"a throttled share over one", `"throttled": 0.02`, `"throttled": 2`, []string{"containers[0].throttled: want a fraction in [0, 1]", "containers[1].throttled", "containers[2].throttled"}},
		{"an unknown statistic", `"CPU peak"`, `"CPU tops"`, []string{`unknown statistic "CPU tops"`}},
		{"an unknown field", `"cpu_percentile"`, `"cpu_pct": 1, "cpu_percentile"`, []string{`unknown field "cpu_pct"`}},
		{"a missing pod name", `"pod": "admin-5d8f7-a"`, `"pod": ""`, []string{"containers[3].pod: missing", "pods[0].pod: missing"}},
		{"a container twice", `"pod": "api-5d8f7-b"`, `"pod": "api-5d8f7-a"`, []string{"containers[1]: container shop/api-5d8f7-a/api given twice", "pod shop/api-5d8f7-a given twice"}},
		{"not JSON", `{`, `[`, []string{"not a usage file"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(string(good), tt.from, tt.to, -1)
			if bad == string(good) {
				t.Fatalf("%q is not in the file", tt.from)
			}
			_, err := rightsize.ParseUsage([]byte(bad))
			if err == nil {
				t.Fatal("ParseUsage accepted it")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nwant it to say %q", err, w)
				}
			}
		})
	}
}

func TestParseUsageRefusesAPercentileAboveThePeak(t *testing.T) {
	u := fortnight()
	u.Containers[4].CPUPeak = u.Containers[4].CPUHigh / 2
	data, err := u.File()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rightsize.ParseUsage(data); err == nil || !strings.Contains(err.Error(), "containers[4].cpu_high: above cpu_peak") {
		t.Errorf("ParseUsage() = %v; want the percentile above the peak refused", err)
	}
}

func TestParseUsageCountsProblemsPastTheLimit(t *testing.T) {
	u := fortnight()
	for i := range u.Containers {
		u.Containers[i].Throttled = 0.5
	}
	data, err := u.File()
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.ReplaceAll(string(data), `"throttled": 0.5`, `"throttled": 3`)
	bad = strings.ReplaceAll(bad, `"rx_peak": 9000`, `"rx_peak": -1`)
	bad = strings.ReplaceAll(bad, `"samples": 20160`, `"samples": -1`)
	bad = strings.ReplaceAll(bad, `"avg_replicas": 3.4`, `"avg_replicas": -3.4`)
	bad = strings.ReplaceAll(bad, `"hpa_at_max": 0.01`, `"hpa_at_max": 7`)
	bad = strings.ReplaceAll(bad, `"memory_avg": 262144000`, `"memory_avg": -1`)
	_, err = rightsize.ParseUsage([]byte(bad))
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != rightsize.MaxUsageProblems+1 || !strings.HasPrefix(lines[len(lines)-1], "… and ") {
		t.Errorf("%d lines, last %q; want %d problems and a count of the rest", len(lines), lines[len(lines)-1], rightsize.MaxUsageProblems)
	}
}

func FuzzParseUsage(f *testing.F) {
	good, err := fortnight().File()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"format":"headroom-usage/v1","window":"1h","step":"1m","peak_resolution":"1m","cpu_percentile":1,"end":"2026-01-01T00:00:00Z","containers":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		u, err := rightsize.ParseUsage(data)
		if err != nil {
			return
		}
		// What is accepted is valid, and writes back to what reads the same.
		if u.Window <= 0 || u.Step <= 0 || !(u.CPUPercentile > 0 && u.CPUPercentile <= 1) {
			t.Fatalf("accepted an invalid usage: %+v", u)
		}
		out, err := u.File()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rightsize.ParseUsage(out); err != nil {
			t.Fatalf("a usage written back does not read: %v", err)
		}
	})
}
