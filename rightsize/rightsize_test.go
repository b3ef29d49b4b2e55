package rightsize_test

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/rightsize"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	mi  = rightsize.MiB
	gi  = rightsize.GiB
	day = 24 * time.Hour
	// Autopilot general-purpose in us-central1, per hour.
	apCPU = 0.0445
	apGiB = 0.0049225
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func ref(kind, ns, name string) rightsize.WorkloadRef {
	return rightsize.WorkloadRef{Kind: kind, Namespace: ns, Name: name}
}

func ctr(name string, cpu, mem float64) rightsize.Container {
	return rightsize.Container{Name: name, Requests: rightsize.Resources{CPU: cpu, Memory: mem}}
}

// allStats are what a container observed by cAdvisor for the whole
// window reports.
const allStats = rightsize.StatCPUHigh | rightsize.StatCPUPeak | rightsize.StatCPUAvg | rightsize.StatMemoryPeak |
	rightsize.StatMemoryAvg | rightsize.StatHistory | rightsize.StatOOM

// stats is a container's usage: the p99 and the peak of its per-minute
// CPU, and its peak working set.
func stats(name string, p99, peak, mem float64) *rightsize.ContainerStats {
	return &rightsize.ContainerStats{Container: name, Has: allStats, CPUHigh: p99, CPUPeak: peak, CPUAvg: p99 / 2,
		MemoryPeak: mem, MemoryAvg: mem / 2, Samples: 20160, Pods: 1}
}

// live is fourteen days of usage of a workload that serves requests.
func live(cs ...*rightsize.ContainerStats) *rightsize.WorkloadStats {
	ws := &rightsize.WorkloadStats{Containers: map[string]*rightsize.ContainerStats{}, Pods: 1, History: 14 * day,
		Traffic: rightsize.Traffic{Has: rightsize.StatRequests | rightsize.StatNetwork, Requests: 1e6, RxPeak: 1e5, RxTypical: 3e4, Bursts: true}}
	for _, c := range cs {
		ws.Containers[c.Container] = c
	}
	return ws
}

// shop is a small cluster whose right answers are worked out by hand in
// the tests below.
func shop() (*rightsize.Cluster, rightsize.WorkloadUsage) {
	worker := ctr("worker", 0.5, 512*mi)
	worker.Limits.Memory = 512 * mi
	c := &rightsize.Cluster{Workloads: []rightsize.Workload{
		{WorkloadRef: ref("Deployment", "shop", "api"), Replicas: 3, Labels: map[string]string{"app.kubernetes.io/component": "backend"},
			Containers: []rightsize.Container{ctr("app", 1, 1*gi)}},
		{WorkloadRef: ref("Deployment", "shop", "worker"), Replicas: 1, Containers: []rightsize.Container{worker}},
		{WorkloadRef: ref("Deployment", "shop", "web"), Replicas: 5, Labels: map[string]string{"app": "frontend"},
			Containers: []rightsize.Container{ctr("web", 2, 4*gi)},
			HPA:        &rightsize.HPA{Name: "web", MinReplicas: 2, MaxReplicas: 20, CurrentReplicas: 5, CPUTarget: 0.6, CPUMetric: 0}},
		{WorkloadRef: ref("Deployment", "shop", "batch-api"), Replicas: 4,
			Containers: []rightsize.Container{ctr("app", 1, 512*mi)},
			HPA:        &rightsize.HPA{Name: "batch-api", MinReplicas: 4, MaxReplicas: 10, CurrentReplicas: 4, CPUTarget: 0.7, CPUMetric: 1}},
		{WorkloadRef: ref("StatefulSet", "shop", "cache"), Replicas: 1, Containers: []rightsize.Container{ctr("redis", 0.5, 1*gi)}},
		{WorkloadRef: ref("Deployment", "shop", "steady"), Replicas: 2, Containers: []rightsize.Container{ctr("app", 0.2, 200*mi)}},
	}}
	oom := stats("worker", 0.4, 0.45, 500*mi)
	oom.OOMKills, oom.MemoryLimitAtOOM = 2, 512*mi
	young := live(stats("redis", 0.3, 0.35, 700*mi))
	young.History = 3 * time.Hour
	batch := live(stats("app", 0.1, 0.15, 480*mi))
	batch.WorkloadHistory = rightsize.WorkloadHistory{Has: rightsize.StatReplicas, AvgReplicas: 4}
	u := rightsize.WorkloadUsage{
		ref("Deployment", "shop", "api"):       live(stats("app", 0.2, 0.3, 300*mi)),
		ref("Deployment", "shop", "worker"):    live(oom),
		ref("Deployment", "shop", "web"):       live(stats("web", 0.5, 0.9, 2*gi)),
		ref("Deployment", "shop", "batch-api"): batch,
		ref("StatefulSet", "shop", "cache"):    young,
		ref("Deployment", "shop", "steady"):    live(stats("app", 0.17, 0.18, 185*mi)),
	}
	return c, u
}

func autopilotOpts() rightsize.RecommendOptions {
	return rightsize.RecommendOptions{Cost: rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "us-central1"}}
}

// podMonth is what Autopilot (with bursting) bills a pod a month, worked
// by hand from its vCPUs and GiB.
func podMonth(cpu, gib float64) float64 { return 730 * (cpu*apCPU + gib*apGiB) }

func find(t *testing.T, r *rightsize.Report, action rightsize.Action, workload string) rightsize.Recommendation {
	t.Helper()
	for _, x := range r.Recommendations {
		if x.Action == action && x.Workload == workload {
			return x
		}
	}
	t.Fatalf("no %s recommendation for %s in %+v", action, workload, r.Recommendations)
	return rightsize.Recommendation{}
}

func none(t *testing.T, r *rightsize.Report, workload string) {
	t.Helper()
	for _, x := range r.Recommendations {
		if x.Workload == workload {
			t.Errorf("got %s for %s (%s); want none", x.Action, x.Workload, x.Reason)
		}
	}
}

func skippedFor(r *rightsize.Report, workload string) string {
	var out []string
	for _, s := range r.Skipped {
		if s.Workload == workload {
			out = append(out, s.Reason)
		}
	}
	return strings.Join(out, "; ")
}

func TestRecommendSizesRequestsFromUsage(t *testing.T) {
	c, u := shop()
	r, err := rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		workload string
		cpu, mem float64
		memLimit float64
		saving   float64
		class    rightsize.Class
		risk     rightsize.Risk
	}{
		// p99 0.2 core × 1.15 = 230m; peak 300Mi × 1.15 = 345Mi. Autopilot
		// bills 1 vCPU + 1 GiB before and 230m + 345Mi after. Its busiest
		// minute (300m) is above 230m: medium risk.
		{"an over-requested pod is cut to its p99 CPU and peak memory plus 15%", "api",
			0.23, 345 * mi, 0, 3 * (podMonth(1, 1) - podMonth(0.23, 345.0/1024)), rightsize.Easy, rightsize.RiskMedium},
		// OOM-killed at a 512Mi limit: max(500×1.15, 500×1.2, 512×1.25) =
		// 640Mi, and the limit rises with it; CPU 0.4 × 1.15 = 460m (a
		// change under 10% of 500m is left alone). A raise: it costs money.
		{"an OOM-killed container gets more memory, limit included", "worker",
			0.5, 640 * mi, 640 * mi, podMonth(0.5, 0.5) - podMonth(0.5, 0.625), rightsize.Raise, rightsize.RiskLow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := find(t, r, rightsize.ActionRequests, tc.workload)
			if !near(x.CPURequest, tc.cpu, 1e-9) || x.MemoryRequest != tc.mem || x.MemoryLimit != tc.memLimit {
				t.Errorf("cpu, memory, limit = %g, %s, %s; want %g, %s, %s", x.CPURequest, rightsize.FormatMemory(x.MemoryRequest),
					rightsize.FormatMemory(x.MemoryLimit), tc.cpu, rightsize.FormatMemory(tc.mem), rightsize.FormatMemory(tc.memLimit))
			}
			if !near(x.MonthlySaving, tc.saving, 0.01) {
				t.Errorf("saving = %.4f; want %.4f", x.MonthlySaving, tc.saving)
			}
			if x.Class != tc.class || x.Risk != tc.risk {
				t.Errorf("class, risk = %s, %s; want %s, %s", x.Class, x.Risk, tc.class, tc.risk)
			}
			if x.Confidence == nil || x.Confidence.HistoryDays != 14 || !near(x.Confidence.CPUUpper, x.CPURequest*(1+1.0/14), 1e-6) {
				t.Errorf("confidence = %+v; want 14 days and an upper bound of the request × (1 + 1/14)", x.Confidence)
			}
		})
	}
	// web: the scaling point is 0.6 × 2 = 1.2 cores per pod; p99 0.5 ×
	// 1.15 = 575m would put the target above 85%, so the request becomes
	// 1.2 / 0.85 → 1.412 cores, and the target 85%.
	web := find(t, r, rightsize.ActionRequests, "web")
	if web.HPA == nil || web.HPA.NewCPUTarget != 0.85 || web.HPA.CPUTarget != 0.6 || web.Class != rightsize.Big || web.Risk != rightsize.RiskUnverified {
		t.Errorf("web = %+v (%s, %s); want the HPA target 60%% → 85%%, big, unverified", web.HPA, web.Class, web.Risk)
	} else if point := web.HPA.NewCPUTarget * web.CPURequest; !near(point, 1.2, 0.001) {
		t.Errorf("new scaling point = %g cores per pod; want 1.2 as before", point)
	}
	none(t, r, "steady") // 170m × 1.15 = 196m, 185Mi × 1.15 = 213Mi: within 10% of 200m/200Mi
}

func TestRecommendNeverCutsBelowThePeakItMustServe(t *testing.T) {
	limited := func(cpu, limit float64) rightsize.Container {
		c := ctr("app", cpu, 1*gi)
		c.Limits.CPU = limit
		return c
	}
	for _, tc := range []struct {
		name    string
		c       rightsize.Container
		s       *rightsize.ContainerStats
		noBurst bool
		// want: the CPU request (0: no recommendation), the CPU limit
		// (0: unchanged) and the risk.
		cpu, limit float64
		risk       rightsize.Risk
	}{
		// A 20-minute daily peak at 1.81 cores is 1.4% of the minutes: the
		// p99 is on it. 1.75 × 1.15 is within 10% of 2: left alone.
		{"a 1.81-core daily peak keeps its 2 cores", ctr("app", 2, 1*gi), stats("app", 1.75, 1.81, 700*mi), false, 0, 0, ""},
		{"no limit: the p99 + 15% is the request; the peak above it is medium risk", ctr("app", 2, 1*gi), stats("app", 0.4, 1.2, 700*mi), false, 0.46, 0, rightsize.RiskMedium},
		{"no limit and every minute under the request: low risk", ctr("app", 2, 1*gi), stats("app", 0.4, 0.44, 700*mi), false, 0.46, 0, rightsize.RiskLow},
		{"a limit equal to the request caps the container: sized to the peak + 15%, limit with it",
			limited(2, 2), stats("app", 0.4, 1.2, 700*mi), false, 1.38, 1.38, rightsize.RiskLow},
		{"Autopilot without bursting caps at the request: sized to the peak + 15%",
			ctr("app", 2, 1*gi), stats("app", 0.4, 1.2, 700*mi), true, 1.38, 0, rightsize.RiskLow},
		{"a limit below the peak is raised (and memory cut: medium, as spikes above 500m borrow)", limited(0.5, 0.8), stats("app", 0.4, 1.2, 700*mi), false, 0.5, 1.38, rightsize.RiskMedium},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &rightsize.Cluster{Workloads: []rightsize.Workload{{WorkloadRef: ref("Deployment", "shop", "svc"), Replicas: 2,
				Containers: []rightsize.Container{tc.c}}}}
			u := rightsize.WorkloadUsage{ref("Deployment", "shop", "svc"): live(tc.s)}
			opts := autopilotOpts()
			opts.Cost.NoBursting = tc.noBurst
			r, err := rightsize.Recommend(c, u, opts)
			if err != nil {
				t.Fatal(err)
			}
			if tc.cpu == 0 {
				none(t, r, "svc")
				return
			}
			x := find(t, r, rightsize.ActionRequests, "svc")
			if !near(x.CPURequest, tc.cpu, 1e-9) || !near(x.CPULimit, tc.limit, 1e-9) || x.Risk != tc.risk {
				t.Errorf("cpu %g, limit %g, risk %s; want %g, %g, %s (%s)", x.CPURequest, x.CPULimit, x.Risk, tc.cpu, tc.limit, tc.risk, x.Reason)
			}
			if x.CPURequest < tc.s.CPUHigh {
				t.Errorf("cpu %g is below the p99 %g", x.CPURequest, tc.s.CPUHigh)
			}
		})
	}
}

func TestRecommendNeverCallsALiveServiceIdle(t *testing.T) {
	quiet := func() *rightsize.ContainerStats { return stats("app", 0.0004, 0.0008, 40*mi) }
	steady := rightsize.Traffic{Has: rightsize.StatNetwork, RxPeak: 52, RxTypical: 50}
	for _, tc := range []struct {
		name    string
		traffic rightsize.Traffic
		history time.Duration
		s       *rightsize.ContainerStats
		idle    bool
	}{
		{"a payment webhook called a few times an hour", rightsize.Traffic{Has: rightsize.StatRequests | rightsize.StatNetwork, Requests: 1200, RxPeak: 70, RxTypical: 50, Bursts: true}, 14 * day, quiet(), false},
		{"a static site seen only on the network", rightsize.Traffic{Has: rightsize.StatNetwork, RxPeak: 900, RxTypical: 300, Bursts: true}, 14 * day, quiet(), false},
		{"an admin tool used 45 minutes a day", steady, 14 * day, stats("app", 0.0004, 0.05, 40*mi), false},
		{"a workload with no traffic metric, however low its CPU", rightsize.Traffic{}, 14 * day, quiet(), false},
		{"a counter at zero but bursts on the network", rightsize.Traffic{Has: rightsize.StatRequests | rightsize.StatNetwork, RxPeak: 900, RxTypical: 50, Bursts: true}, 14 * day, quiet(), false},
		{"a workload seen for three days of fourteen", steady, 3 * day, quiet(), false},
		{"a controller receiving a steady 950 B/s (watches and polls, not health checks)", rightsize.Traffic{Has: rightsize.StatNetwork, RxPeak: 1000, RxTypical: 950}, 14 * day, quiet(), false},
		{"no requests, a steady background, no CPU, all window long", rightsize.Traffic{Has: rightsize.StatRequests | rightsize.StatNetwork, RxPeak: 52, RxTypical: 50}, 14 * day, quiet(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &rightsize.Cluster{Workloads: []rightsize.Workload{{WorkloadRef: ref("Deployment", "pay", "svc"), Replicas: 2,
				Containers: []rightsize.Container{ctr("app", 0.25, 256*mi)}}}}
			ws := live(tc.s)
			ws.Traffic, ws.History = tc.traffic, tc.history
			r, err := rightsize.Recommend(c, rightsize.WorkloadUsage{ref("Deployment", "pay", "svc"): ws}, autopilotOpts())
			if err != nil {
				t.Fatal(err)
			}
			var idle *rightsize.Recommendation
			for i, x := range r.Recommendations {
				if x.Action == rightsize.ActionIdle || (x.RecommendedReplicas != nil && *x.RecommendedReplicas == 0) {
					idle = &r.Recommendations[i]
				}
			}
			switch {
			case !tc.idle && idle != nil:
				t.Errorf("called idle: %s", idle.Reason)
			case tc.idle && idle == nil:
				t.Errorf("not called idle: %+v", r.Recommendations)
			case tc.idle && (idle.Class == rightsize.Easy || idle.Risk == rightsize.RiskLow || idle.Risk == rightsize.RiskMedium):
				t.Errorf("idle is %s, risk %s; a cut to zero is never easy or low risk", idle.Class, idle.Risk)
			case tc.idle && !strings.Contains(idle.Reason, "no requests counted") && !strings.Contains(idle.Reason, "steady"):
				t.Errorf("idle reason %q does not give the evidence", idle.Reason)
			}
		})
	}
}

func TestEveryContainerSeenInUsageIsInventoried(t *testing.T) {
	// The app container sets no requests (kube-state-metrics has no
	// request series for it); only the sidecar does.
	c := &rightsize.Cluster{PodsListed: true, Workloads: []rightsize.Workload{{WorkloadRef: ref("Deployment", "tools", "report"), Replicas: 1,
		Containers: []rightsize.Container{ctr("proxy", 0.05, 64*mi)}}}}
	c.Pods = []rightsize.Pod{{Namespace: "tools", Name: "report-7d9f8c6b5-abcde", Owner: ref("Deployment", "tools", "report"), Node: "gk3-a",
		Containers: c.Workloads[0].Containers}}
	full := allStats
	u := &rightsize.Usage{Containers: []rightsize.ContainerUsage{
		{Namespace: "tools", Pod: "report-7d9f8c6b5-abcde", Container: "proxy", Has: full, CPUHigh: 0.0005, CPUPeak: 0.0008, MemoryPeak: 30 * mi, Samples: 10080,
			Observed: 14 * day},
		{Namespace: "tools", Pod: "report-7d9f8c6b5-abcde", Container: "app", Has: full, CPUHigh: 0.023, CPUPeak: 0.03, MemoryPeak: 180 * mi, Samples: 10080,
			Observed: 14 * day},
	}, Pods: map[rightsize.PodKey]rightsize.PodActivity{{Namespace: "tools", Pod: "report-7d9f8c6b5-abcde"}: {Has: rightsize.StatNetwork, RxPeak: 50, RxTypical: 50}}}
	byWL, unmatched := u.ByWorkload(c)
	if unmatched != 0 {
		t.Fatalf("unmatched = %d", unmatched)
	}
	w := c.Workload(ref("Deployment", "tools", "report"))
	if w.Container("app") == nil {
		t.Fatalf("containers = %+v; want the app container inventoried", w.Containers)
	}
	r, err := rightsize.Recommend(c, byWL, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range r.Recommendations {
		if x.Action == rightsize.ActionIdle {
			t.Errorf("a workload using 23m CPU was called idle: %s", x.Reason)
		}
	}
	var x rightsize.Recommendation
	for _, y := range r.Recommendations {
		if y.Container == "app" {
			x = y
		}
	}
	if x.Container != "app" || !near(x.CPURequest, 0.027, 1e-9) || x.CurrentCPURequest != 0 {
		t.Errorf("app: %s %g (from %g); want its requests set to 27m from none", x.Container, x.CPURequest, x.CurrentCPURequest)
	}
	// Autopilot billed the app container its 500m / 2 GiB defaults: the
	// change saves money, though it raises a request from "none".
	if x.MonthlySaving <= 0 {
		t.Errorf("saving = %g; want the defaults Autopilot billed saved", x.MonthlySaving)
	}
}

func TestRecommendNeverCutsACrashLoopingContainer(t *testing.T) {
	c := &rightsize.Cluster{Workloads: []rightsize.Workload{{WorkloadRef: ref("Deployment", "platform", "router"), Replicas: 2,
		Containers: []rightsize.Container{ctr("app", 1, 1*gi)}}}}
	s := stats("app", 0.1, 0.12, 200*mi)
	s.Has |= rightsize.StatRestarts
	s.Restarts = 64
	r, err := rightsize.Recommend(c, rightsize.WorkloadUsage{ref("Deployment", "platform", "router"): live(s)}, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	none(t, r, "router")
	if why := skippedFor(r, "router"); !strings.Contains(why, "restarted 64 times") {
		t.Errorf("skipped for %q; want the restarts said", why)
	}
}

func TestRecommendWantsAFullDailyCycleOfHistory(t *testing.T) {
	c, u := shop()
	r, err := rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	none(t, r, "cache")
	if why := skippedFor(r, "cache"); !strings.Contains(why, "not enough history: 3h of usage, 1d needed") {
		t.Errorf("cache skipped for %q; want not enough history, with how much there is", why)
	}
	// Three days is enough to size, not enough for low risk.
	u[ref("StatefulSet", "shop", "cache")].History = 3 * day
	r, err = rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	x := find(t, r, rightsize.ActionRequests, "cache")
	if x.Risk != rightsize.RiskMedium || !strings.Contains(x.Reason, "weekly patterns unseen") {
		t.Errorf("risk %s, reason %q; want medium for less than a week", x.Risk, x.Reason)
	}
	if x.Confidence == nil || !near(x.Confidence.CPUUpper, x.CPURequest*(1+1.0/3), 1e-6) {
		t.Errorf("confidence = %+v; want the upper bound × (1 + 1/3) at three days", x.Confidence)
	}
	// A longer minimum is honoured.
	r, err = rightsize.Recommend(c, u, rightsize.RecommendOptions{Policy: rightsize.Policy{MinHistory: 7 * day}, Cost: autopilotOpts().Cost})
	if err != nil {
		t.Fatal(err)
	}
	none(t, r, "cache")
}

func TestRecommendTreatsContainerResourceLikeResource(t *testing.T) {
	// The HPA scales on the app container's CPU: 60% of its 1-core
	// request. The sidecar's request does not move the scaling point.
	c := &rightsize.Cluster{Workloads: []rightsize.Workload{{WorkloadRef: ref("Deployment", "shop", "api"), Replicas: 3,
		Containers: []rightsize.Container{ctr("app", 1, 1*gi), ctr("proxy", 0.5, 256*mi)},
		HPA:        &rightsize.HPA{Name: "api", MinReplicas: 3, MaxReplicas: 10, CurrentReplicas: 3, CPUTarget: 0.6, CPUContainer: "app", CPUMetric: 0}}}}
	u := rightsize.WorkloadUsage{ref("Deployment", "shop", "api"): live(stats("app", 0.6, 0.7, 600*mi), stats("proxy", 0.05, 0.06, 100*mi))}
	r, err := rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	var app, proxy *rightsize.Recommendation
	for i, x := range r.Recommendations {
		switch x.Container {
		case "app":
			app = &r.Recommendations[i]
		case "proxy":
			proxy = &r.Recommendations[i]
		}
	}
	if app == nil || app.HPA == nil || app.HPA.CPUContainer != "app" {
		t.Fatalf("app = %+v; want its request cut with the HPA target moved", app)
	}
	// p99 0.6 × 1.15 = 690m; the point 0.6 × 1 core = 600m → target 87% >
	// 85%: the request becomes 600m / 0.85 → 706m at 85%.
	if !near(app.CPURequest, 0.706, 1e-9) || app.HPA.NewCPUTarget != 0.85 {
		t.Errorf("app cpu %g target %g; want 706m at 85%% (the point stays at 600m of the app container)", app.CPURequest, app.HPA.NewCPUTarget)
	}
	if proxy == nil || proxy.HPA != nil {
		t.Errorf("proxy = %+v; want its cut without an HPA change (the HPA does not read it)", proxy)
	}
}

func TestRecommendChangesScalingOnlyForMoneyAndSaysWhatItSlows(t *testing.T) {
	t.Run("a cut that moves an HPA target for nothing is not proposed", func(t *testing.T) {
		// 300m → 260m: Autopilot without bursting bills 500m either way.
		c := &rightsize.Cluster{Workloads: []rightsize.Workload{{WorkloadRef: ref("Deployment", "shop", "web"), Replicas: 3,
			Containers: []rightsize.Container{ctr("web", 0.3, 512*mi)},
			HPA:        &rightsize.HPA{Name: "web", MinReplicas: 3, MaxReplicas: 10, CurrentReplicas: 3, CPUTarget: 0.6, CPUMetric: 0}}}}
		u := rightsize.WorkloadUsage{ref("Deployment", "shop", "web"): live(stats("web", 0.2, 0.22, 400*mi))}
		opts := autopilotOpts()
		opts.Cost.NoBursting = true
		r, err := rightsize.Recommend(c, u, opts)
		if err != nil {
			t.Fatal(err)
		}
		none(t, r, "web")
		if why := skippedFor(r, "web"); !strings.Contains(why, "not worth") {
			t.Errorf("skipped for %q; want the reason: not worth it", why)
		}
	})
	t.Run("a higher target on a capped container says it slows scale-up", func(t *testing.T) {
		web := ctr("web", 2, 2*gi)
		web.Limits.CPU = 2
		c := &rightsize.Cluster{Workloads: []rightsize.Workload{{WorkloadRef: ref("Deployment", "shop", "web"), Replicas: 4,
			Containers: []rightsize.Container{web},
			HPA:        &rightsize.HPA{Name: "web", MinReplicas: 4, MaxReplicas: 20, CurrentReplicas: 4, CPUTarget: 0.5, CPUMetric: 0}}}}
		u := rightsize.WorkloadUsage{ref("Deployment", "shop", "web"): live(stats("web", 0.9, 1.0, 1*gi))}
		r, err := rightsize.Recommend(c, u, autopilotOpts())
		if err != nil {
			t.Fatal(err)
		}
		x := find(t, r, rightsize.ActionRequests, "web")
		if x.HPA == nil || x.HPA.NewCPUTarget <= x.HPA.CPUTarget || x.Risk != rightsize.RiskHigh || !strings.Contains(x.Reason, "slows scale-up") {
			t.Errorf("%+v risk %s: %s; want a higher target, high risk, and the slowdown said", x.HPA, x.Risk, x.Reason)
		}
	})
	t.Run("a lower HPA minimum needs a history of sitting at it and says what it slows", func(t *testing.T) {
		c, u := shop()
		r, err := rightsize.Recommend(c, u, autopilotOpts())
		if err != nil {
			t.Fatal(err)
		}
		// 4 pods at p99 0.1 of a 1-core request = 10% against a 70%
		// target: the HPA would keep 1 pod; the floor is 2.
		x := find(t, r, rightsize.ActionHPAMin, "batch-api")
		if x.HPA.MinReplicas != 4 || x.HPA.NewMinReplicas != 2 || x.Class != rightsize.Big || x.Risk != rightsize.RiskHigh || !strings.Contains(x.Reason, "Slows the first minutes of a spike") {
			t.Errorf("min %d → %d, %s, %s: %s; want 4 → 2, big, high, and the slowdown said", x.HPA.MinReplicas, x.HPA.NewMinReplicas, x.Class, x.Risk, x.Reason)
		}
		u[ref("Deployment", "shop", "batch-api")].WorkloadHistory = rightsize.WorkloadHistory{}
		r, err = rightsize.Recommend(c, u, autopilotOpts())
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range r.Recommendations {
			if x.Action == rightsize.ActionHPAMin {
				t.Errorf("lowered a minimum without knowing the HPA's history: %s", x.Reason)
			}
		}
	})
}

func TestRecommendRaisesAnHPAPinnedAtItsMaximum(t *testing.T) {
	c := &rightsize.Cluster{Workloads: []rightsize.Workload{{WorkloadRef: ref("Deployment", "shop", "checkout"), Replicas: 8,
		Containers: []rightsize.Container{ctr("app", 0.5, 512*mi)},
		HPA:        &rightsize.HPA{Name: "checkout", MinReplicas: 2, MaxReplicas: 8, CurrentReplicas: 8, CPUTarget: 0.7, CPUMetric: 0}}}}
	ws := live(stats("app", 0.75, 0.9, 400*mi)) // 150% of the request at p99
	ws.WorkloadHistory = rightsize.WorkloadHistory{Has: rightsize.StatHPAAtMax | rightsize.StatReplicas, HPAAtMax: 0.62, AvgReplicas: 7.5}
	r, err := rightsize.Recommend(c, rightsize.WorkloadUsage{ref("Deployment", "shop", "checkout"): ws}, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Recommendations) != 1 {
		t.Fatalf("got %d recommendations; want only the raise: %+v", len(r.Recommendations), r.Recommendations)
	}
	x := r.Recommendations[0]
	// 8 × 1.5 / 0.7 = 17.1 → 18.
	if x.Action != rightsize.ActionHPAMax || x.HPA.NewMaxReplicas != 18 || x.HPA.NewCPUTarget != 0.7 || x.Class != rightsize.Raise {
		t.Errorf("%s %+v %s; want maxReplicas 8 → 18, the target kept at 70%%, class raise", x.Action, x.HPA, x.Class)
	}
	if x.MonthlySaving >= 0 || !strings.Contains(x.Reason, "under-provisioned") {
		t.Errorf("saving %g, reason %q; want a cost and the word under-provisioned", x.MonthlySaving, x.Reason)
	}
	if r.RaiseMonthlyCost != -x.MonthlySaving || r.EasyMonthlySaving != 0 {
		t.Errorf("totals: raise %g easy %g; want the raise counted apart", r.RaiseMonthlyCost, r.EasyMonthlySaving)
	}
}

func TestRecommendRefusesMissingAndBadData(t *testing.T) {
	c := &rightsize.Cluster{Workloads: []rightsize.Workload{
		{WorkloadRef: ref("Deployment", "shop", "checkout"), Replicas: 2, Containers: []rightsize.Container{ctr("app", 1, 1*gi)}},
		{WorkloadRef: ref("Deployment", "shop", "api"), Replicas: 2, Containers: []rightsize.Container{ctr("app", 1, 1*gi)}},
		{WorkloadRef: ref("StatefulSet", "shop", "redis"), Replicas: 1, Containers: []rightsize.Container{ctr("redis", 1, 1*gi)}},
	}}
	noCPU := stats("app", 0, 0, 300*mi)
	noCPU.Has &^= rightsize.StatCPUHigh | rightsize.StatCPUPeak
	u := &rightsize.Usage{Containers: []rightsize.ContainerUsage{
		{Namespace: "shop", Pod: "checkout-7d9f8c6b5-aaaaa", Container: "app", Has: allStats, CPUHigh: math.NaN(), CPUPeak: 0.1, MemoryPeak: 1},
		{Namespace: "shop", Pod: "redis-0", Container: "redis", Has: allStats, CPUHigh: 0.1, CPUPeak: math.Inf(1), MemoryPeak: -5},
	}}
	byWL, _ := u.ByWorkload(c)
	byWL[ref("Deployment", "shop", "api")] = live(noCPU)
	r, err := rightsize.Recommend(c, byWL, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Recommendations) != 0 {
		t.Errorf("recommendations from bad or missing data: %+v", r.Recommendations)
	}
	for w, want := range map[string]string{"checkout": "bad data", "redis": "bad data", "api": "missing data is never read as zero"} {
		if why := skippedFor(r, w); !strings.Contains(why, want) {
			t.Errorf("%s skipped for %q; want %q", w, why, want)
		}
	}
	if _, err := rightsize.Patches([]rightsize.Recommendation{{Action: rightsize.ActionRequests, Namespace: "shop", Workload: "x", Container: "app",
		CPURequest: math.Inf(1), CurrentCPURequest: 1, MemoryRequest: 1, CurrentMemoryRequest: 1}}); err == nil {
		t.Error("Patches wrote an infinite request")
	}
}

func TestRecommendRanksBySavingAndTotals(t *testing.T) {
	c, u := shop()
	r, err := rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	var sum, easy, big, raise float64
	for i, x := range r.Recommendations {
		if i > 0 && x.Class != rightsize.Raise && x.MonthlySaving > r.Recommendations[i-1].MonthlySaving {
			t.Errorf("recommendation %d saves %g, more than the one before it", i, x.MonthlySaving)
		}
		if i > 0 && x.Class != rightsize.Raise && r.Recommendations[i-1].Class == rightsize.Raise {
			t.Errorf("cut %d after a raise; raises come last", i)
		}
		sum += x.MonthlySaving
		switch x.Class {
		case rightsize.Easy:
			easy += x.MonthlySaving
		case rightsize.Big:
			big += x.MonthlySaving
		case rightsize.Raise:
			raise -= x.MonthlySaving
		}
	}
	if !near(r.TotalMonthlySaving, sum, 1e-9) || !near(r.EasyMonthlySaving, easy, 1e-9) || !near(r.BigMonthlySaving, big, 1e-9) || !near(r.RaiseMonthlyCost, raise, 1e-9) {
		t.Errorf("totals %g (easy %g, big %g, raise %g); want %g (easy %g, big %g, raise %g)", r.TotalMonthlySaving, r.EasyMonthlySaving, r.BigMonthlySaving, r.RaiseMonthlyCost, sum, easy, big, raise)
	}
	if !strings.Contains(strings.Join(r.Algorithm, "\n"), "p99") {
		t.Errorf("algorithm = %q; want it described with its percentile", r.Algorithm)
	}
	yen := r.In("JPY", 150)
	if !near(yen.TotalMonthlySaving, 150*r.TotalMonthlySaving, 1e-6) || yen.Currency != "JPY" || r.Currency != "USD" {
		t.Errorf("In(JPY) total = %g %s; want %g JPY and the original untouched", yen.TotalMonthlySaving, yen.Currency, 150*r.TotalMonthlySaving)
	}
}

// Standard mode: two n2-standard-4 nodes in us-central1, on demand with
// the full-month sustained-use discount: 0.194236 $/h × 730 × 0.8 each.
func standardCluster() *rightsize.Cluster {
	cap4 := rightsize.Resources{CPU: 4, Memory: 16 * gi}
	c := &rightsize.Cluster{
		Workloads: []rightsize.Workload{
			{WorkloadRef: ref("Deployment", "shop", "api"), Replicas: 2, Containers: []rightsize.Container{ctr("app", 1, 2*gi)}},
			{WorkloadRef: ref("StatefulSet", "shop", "db"), Replicas: 1, Labels: map[string]string{"app.kubernetes.io/component": "database"},
				Containers: []rightsize.Container{ctr("pg", 2, 8*gi)}},
		},
		Pods: []rightsize.Pod{
			{Namespace: "shop", Name: "api-6d4cf56db6-x7k2p", Owner: ref("Deployment", "shop", "api"), Node: "n1", Phase: "Running", Containers: []rightsize.Container{ctr("app", 1, 2*gi)}},
			{Namespace: "shop", Name: "api-6d4cf56db6-q9z4m", Owner: ref("Deployment", "shop", "api"), Node: "n2", Phase: "Running", Containers: []rightsize.Container{ctr("app", 1, 2*gi)}},
			{Namespace: "shop", Name: "db-0", Owner: ref("StatefulSet", "shop", "db"), Node: "n2", Phase: "Running", Containers: []rightsize.Container{ctr("pg", 2, 8*gi)}},
		},
		Nodes: []rightsize.Node{
			{Name: "n1", MachineType: "n2-standard-4", Pool: "default", Capacity: cap4},
			{Name: "n2", MachineType: "n2-standard-4", Pool: "default", Capacity: cap4},
		},
		PodsListed: true,
		PDBsListed: true,
	}
	return c
}

const (
	n2CPUHour = 4 * 0.031611 * 0.8 // a node's CPU per hour after the sustained-use discount
	n2MemHour = 16 * 0.004237 * 0.8
	n2Month   = 730 * (n2CPUHour + n2MemHour)
)

func costs(r *rightsize.CostReport) map[string]float64 {
	out := map[string]float64{}
	for _, w := range r.Workloads {
		out[w.Name] = w.MonthlyCost
	}
	return out
}

func checkStandardTotals(t *testing.T, r *rightsize.CostReport, nodes float64) {
	t.Helper()
	var ws float64
	for _, w := range r.Workloads {
		ws += w.MonthlyCost
	}
	if !near(ws+r.Idle.MonthlyCost, nodes, 1e-6) || !near(r.NodeBill, nodes, 1e-6) || !near(r.MonthlyCost, nodes+r.ClusterFee, 1e-6) {
		t.Errorf("workloads %.2f + idle %.2f = %.2f, node bill %.2f, total %.2f; want workloads + idle = the nodes %.2f, total = nodes + fee",
			ws, r.Idle.MonthlyCost, ws+r.Idle.MonthlyCost, r.NodeBill, r.MonthlyCost, nodes)
	}
	var alloc, idle float64
	for _, n := range r.Nodes {
		alloc += n.Allocated
		idle += n.Idle
		if n.Allocated > n.MonthlyCost+1e-9 || n.Idle < -1e-9 {
			t.Errorf("node %s allocated %.2f of %.2f (idle %.2f)", n.Name, n.Allocated, n.MonthlyCost, n.Idle)
		}
	}
	if !near(idle, r.Idle.MonthlyCost, 1e-6) || !near(alloc, ws, 1e-6) {
		t.Errorf("nodes: allocated %.2f, idle %.2f; want the workloads %.2f and the idle %.2f (the sections must agree)", alloc, idle, ws, r.Idle.MonthlyCost)
	}
}

func TestCostAllocatesNodesByMaxOfRequestAndUsage(t *testing.T) {
	const perCore, perGiB = n2CPUHour / 4, n2MemHour / 16
	c := standardCluster()
	// api uses 1.5 cores on average (more than its 1-core request) and
	// 1 GiB (less than its 2 GiB request): it pays for 1.5 cores and 2 GiB.
	api := live(&rightsize.ContainerStats{Container: "app", Has: rightsize.StatCPUAvg | rightsize.StatMemoryAvg, CPUAvg: 1.5, MemoryAvg: 1 * gi})
	r, err := rightsize.Cost(c, rightsize.WorkloadUsage{ref("Deployment", "shop", "api"): api}, rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"api": 730 * 2 * (1.5*perCore + 2*perGiB), "db": 730 * (2*perCore + 8*perGiB)}
	if diff := cmp.Diff(want, costs(r), cmpNear(1e-6)); diff != "" {
		t.Errorf("monthly cost per workload (-want +got):\n%s", diff)
	}
	checkStandardTotals(t, r, 2*n2Month)
	if !near(r.ClusterFee, 73, 1e-9) || r.Basis != "max(request, usage)" || r.Partial {
		t.Errorf("fee %g, basis %q, partial %v", r.ClusterFee, r.Basis, r.Partial)
	}
	if len(r.Components) != 2 || r.Components[0].Name != "api" || r.Components[1].Name != "database" {
		t.Errorf("components = %+v; want api (by name), then database (by label), dearest first", r.Components)
	}
	var sources []string
	for _, s := range r.Sources {
		sources = append(sources, s.Item)
	}
	if want := "cluster fee,n2 on-demand memory,n2 on-demand vCPU,n2 sustained use"; strings.Join(sources, ",") != want {
		t.Errorf("sources = %v; want %s", sources, want)
	}
}

func TestCostInStandardModeAddsUpToTheNodeBill(t *testing.T) {
	t.Run("without pods, workloads and idle are not counted twice", func(t *testing.T) {
		c := standardCluster()
		c.Pods, c.PodsListed = nil, false
		r, err := rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"})
		if err != nil {
			t.Fatal(err)
		}
		checkStandardTotals(t, r, 2*n2Month)
		if r.Idle.MonthlyCost >= 2*n2Month-1 {
			t.Errorf("idle = %.2f: the whole node bill, again", r.Idle.MonthlyCost)
		}
	})
	t.Run("usage above a node's capacity is not charged again", func(t *testing.T) {
		c := standardCluster()
		hog := live(&rightsize.ContainerStats{Container: "pg", Has: rightsize.StatCPUAvg, CPUAvg: 9})
		r, err := rightsize.Cost(c, rightsize.WorkloadUsage{ref("StatefulSet", "shop", "db"): hog}, rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"})
		if err != nil {
			t.Fatal(err)
		}
		checkStandardTotals(t, r, 2*n2Month)
		if !strings.Contains(strings.Join(r.Notes, "\n"), "scaled") {
			t.Errorf("notes %q; want the scaling said", r.Notes)
		}
	})
	t.Run("a node the catalog cannot price is marked, and the rest priced", func(t *testing.T) {
		c := standardCluster()
		c.Nodes[0].MachineType = "z9-standard-4"
		r, err := rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"})
		if err != nil {
			t.Fatalf("one unknown node aborted the report: %v", err)
		}
		if !r.Partial || len(r.Unpriced) != 1 || !strings.Contains(r.Unpriced[0], "node n1 (z9-standard-4)") || !strings.Contains(r.Unpriced[0], "price file under regions.us-central1.families.z9") {
			t.Errorf("partial %v, unpriced %q; want n1 named with a hint to give its price in a price file", r.Partial, r.Unpriced)
		}
		if !r.Nodes[0].Unknown || r.Nodes[0].MonthlyCost != 0 || !near(r.NodeBill, n2Month, 1e-6) {
			t.Errorf("nodes %+v, bill %.2f; want n1 unknown and n2 billed", r.Nodes, r.NodeBill)
		}
	})
}

func TestCostFollowsAutopilotBillingRules(t *testing.T) {
	gp := pricing.AutopilotRulesFor(true, false)
	month := func(rules pricing.AutopilotRules, cs ...pricing.Request) float64 {
		v, g := rules.BillPod(cs)
		return podMonth(v, g)
	}
	c := &rightsize.Cluster{PodsListed: true, Workloads: []rightsize.Workload{
		{WorkloadRef: ref("Deployment", "shop", "api"), Replicas: 2, Containers: []rightsize.Container{ctr("app", 0.3, 1*gi)}},
		{WorkloadRef: ref("Deployment", "shop", "meshed"), Replicas: 1, Containers: []rightsize.Container{{Name: "app"}, ctr("proxy", 0.1, 128*mi)}},
		{WorkloadRef: ref("DaemonSet", "shop", "agent"), Replicas: 3, Containers: []rightsize.Container{{Name: "agent"}}},
		{WorkloadRef: ref("DaemonSet", "kube-system", "fluentbit"), Replicas: 3, Containers: []rightsize.Container{ctr("fb", 0.1, 100*mi)}},
		{WorkloadRef: ref("CronJob", "shop", "nightly"), Replicas: 1, Containers: []rightsize.Container{ctr("job", 1, 1*gi)}},
	}}
	pod := func(w rightsize.Workload, name, phase, node string) rightsize.Pod {
		return rightsize.Pod{Namespace: w.Namespace, Name: name, Owner: w.WorkloadRef, Phase: phase, Node: node, Containers: w.Containers}
	}
	w := c.Workloads
	c.Pods = []rightsize.Pod{
		pod(w[0], "api-1", "Running", "gk3-a"), pod(w[0], "api-2", "Pending", ""), // unscheduled: not billed
		pod(w[1], "meshed-1", "Running", "gk3-a"),
		pod(w[2], "agent-1", "Running", "gk3-a"), pod(w[2], "agent-2", "Running", "gk3-b"), pod(w[2], "agent-3", "Running", "gk3-c"),
		pod(w[3], "fluentbit-1", "Running", "gk3-a"),
		pod(w[4], "nightly-29412345-abcde", "Running", "gk3-b"),
	}
	r, err := rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "us-central1"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"api":       month(gp, pricing.Request{VCPU: 0.3, GiB: 1}), // one pod running; 300m billed as 300m with bursting
		"meshed":    month(gp, pricing.Request{}, pricing.Request{VCPU: 0.1, GiB: 0.125}),
		"agent":     3 * month(pricing.AutopilotRulesFor(true, true), pricing.Request{}),
		"fluentbit": 0, // kube-system is free
		"nightly":   0, // a CronJob running now says nothing of its month
	}
	if diff := cmp.Diff(want, costs(r), cmpNear(1e-6)); diff != "" {
		t.Errorf("monthly cost per workload (-want +got):\n%s", diff)
	}
	if !near(want["meshed"], podMonth(0.6, 2.125), 1e-9) {
		t.Errorf("meshed = %g; want the 500m / 2 GiB defaults for its app container beside the proxy's requests", want["meshed"])
	}
	for _, wc := range r.Workloads {
		if wc.Name == "nightly" && (!wc.Unknown || !strings.Contains(wc.Note, "history")) {
			t.Errorf("nightly = %+v; want unknown until history says how long it runs", wc)
		}
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "1 Pending pod(s) not billed") || !r.Partial {
		t.Errorf("notes %q partial %v; want the Pending pod said and the total marked partial", r.Notes, r.Partial)
	}
	// Without bursting, the same 300m pod is billed 500m.
	r, err = rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "us-central1", NoBursting: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := costs(r)["api"], podMonth(0.5, 1); !near(got, want, 1e-6) {
		t.Errorf("api without bursting = %.4f; want %.4f (500m)", got, want)
	}
}

func TestCostPricesTheMonthFromHistory(t *testing.T) {
	c := &rightsize.Cluster{PodsListed: true, Workloads: []rightsize.Workload{
		{WorkloadRef: ref("Deployment", "shop", "web"), Replicas: 10, Containers: []rightsize.Container{ctr("web", 1, 1*gi)},
			HPA: &rightsize.HPA{Name: "web", MinReplicas: 2, MaxReplicas: 20, CurrentReplicas: 10, CPUTarget: 0.6}},
		{WorkloadRef: ref("CronJob", "shop", "nightly"), Replicas: 1, Containers: []rightsize.Container{ctr("job", 1, 1*gi)}},
	}}
	for i := range 10 {
		c.Pods = append(c.Pods, rightsize.Pod{Namespace: "shop", Name: "web-" + string(rune('a'+i)), Owner: c.Workloads[0].WorkloadRef, Node: "gk3-a",
			Phase: "Running", Containers: c.Workloads[0].Containers})
	}
	use := rightsize.WorkloadUsage{
		ref("Deployment", "shop", "web"):  {WorkloadHistory: rightsize.WorkloadHistory{Has: rightsize.StatReplicas, AvgReplicas: 3.5}},
		ref("CronJob", "shop", "nightly"): {WorkloadHistory: rightsize.WorkloadHistory{Has: rightsize.StatReplicas, AvgReplicas: 1.0 / 6}},
	}
	r, err := rightsize.Cost(c, use, rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "us-central1"})
	if err != nil {
		t.Fatal(err)
	}
	pod := podMonth(1, 1)
	if diff := cmp.Diff(map[string]float64{"web": 3.5 * pod, "nightly": pod / 6}, costs(r), cmpNear(1e-6)); diff != "" {
		t.Errorf("monthly cost (-want +got):\n%s", diff)
	}
	for _, wc := range r.Workloads {
		if wc.Name == "web" && (wc.Replicas != 10 || wc.AvgReplicas == nil || *wc.AvgReplicas != 3.5) {
			t.Errorf("web replicas %d, mean %v; want today's 10 shown beside the mean 3.5", wc.Replicas, wc.AvgReplicas)
		}
	}
}

func TestAnUnknownPriceDoesNotAbortTheReport(t *testing.T) {
	c := standardCluster()
	r, err := rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "asia-northeast1"})
	if err != nil {
		t.Fatalf("Autopilot in Tokyo aborted: %v", err)
	}
	if !r.Partial || len(r.Unpriced) == 0 || !strings.Contains(r.Unpriced[0], "price file") {
		t.Errorf("partial %v unpriced %q; want the unknown price named with a hint", r.Partial, r.Unpriced)
	}
	for _, w := range r.Workloads {
		if !w.Unknown || w.MonthlyCost != 0 {
			t.Errorf("%s = %+v; want unknown, not a number", w.Name, w)
		}
	}
	u := rightsize.WorkloadUsage{ref("Deployment", "shop", "api"): live(stats("app", 0.2, 0.3, 300*mi))}
	rec, err := rightsize.Recommend(c, u, rightsize.RecommendOptions{Cost: rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "asia-northeast1"}})
	if err != nil {
		t.Fatal(err)
	}
	x := find(t, rec, rightsize.ActionRequests, "api")
	if !x.SavingUnknown || x.MonthlySaving != 0 {
		t.Errorf("saving %g unknown %v; want unknown", x.MonthlySaving, x.SavingUnknown)
	}
	c.Nodes = nil
	if _, err := rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"}); err != rightsize.ErrNoNodes {
		t.Errorf("Standard without nodes: err = %v; want ErrNoNodes", err)
	}
}

func cmpNear(tol float64) cmp.Option {
	return cmp.Comparer(func(a, b float64) bool { return near(a, b, tol) })
}

func TestStandardModeRecommendsCheaperNodesAndSpotOnlyWhereSafe(t *testing.T) {
	opts := rightsize.RecommendOptions{Cost: rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"}}
	spot := func(r *rightsize.Report) bool {
		return slices.ContainsFunc(r.Recommendations, func(x rightsize.Recommendation) bool { return x.Action == rightsize.ActionSpot })
	}
	c := standardCluster()
	r, err := rightsize.Recommend(c, rightsize.WorkloadUsage{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	// n2-standard-4 with sustained use: 0.194236 × 730 × 0.8; e2-standard-4
	// has none: 0.134032 × 730.
	n2, e2 := 0.194236*730*0.8, 0.134032*730
	fam := find(t, r, rightsize.ActionNodeFamily, "")
	if fam.Nodes.NewMachineType != "e2-standard-4" || !near(fam.MonthlySaving, 2*(n2-e2), 0.01) {
		t.Errorf("family change = %+v saving %.2f; want e2-standard-4 saving %.2f", fam.Nodes, fam.MonthlySaving, 2*(n2-e2))
	}
	// The pool runs a StatefulSet: no Spot, a commitment instead.
	com := find(t, r, rightsize.ActionCommitment, "")
	if !near(com.MonthlySaving, 2*e2*0.37, 0.01) || com.Class != rightsize.Big {
		t.Errorf("commitment saving = %.2f (%s); want %.2f, big", com.MonthlySaving, com.Class, 2*e2*0.37)
	}
	if spot(r) {
		t.Error("Spot for a pool that runs a StatefulSet")
	}
	// Only the replicated Deployment left: Spot is safe…
	c.Workloads, c.Pods = c.Workloads[:1], c.Pods[:2]
	r, err = rightsize.Recommend(c, rightsize.WorkloadUsage{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !spot(r) {
		t.Errorf("no Spot for a pool of replicated, unprotected Deployments: %+v", r.Recommendations)
	}
	for _, tc := range []struct {
		name string
		edit func(c *rightsize.Cluster)
		note string
	}{
		{"unless a PDB protects it", func(c *rightsize.Cluster) { c.Workloads[0].PDBs = []string{"api"} }, ""},
		{"unless it runs one replica", func(c *rightsize.Cluster) { c.Workloads[0].Replicas = 1 }, ""},
		{"unless the pods were not read", func(c *rightsize.Cluster) { c.Pods, c.PodsListed = nil, false }, "pods were not read"},
		{"unless the PDBs were not read", func(c *rightsize.Cluster) { c.PDBsListed = false }, "PodDisruptionBudgets were not read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := standardCluster()
			c.Workloads, c.Pods = c.Workloads[:1], c.Pods[:2]
			tc.edit(c)
			r, err := rightsize.Recommend(c, rightsize.WorkloadUsage{}, opts)
			if err != nil {
				t.Fatal(err)
			}
			if spot(r) {
				t.Error("got Spot")
			}
			if tc.note != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tc.note) {
				t.Errorf("notes %q; want %q", r.Notes, tc.note)
			}
		})
	}
}

func TestPatchesGolden(t *testing.T) {
	c, u := shop()
	r, err := rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	got, err := rightsize.Patches(r.Recommendations)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "patches.golden.yaml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./rightsize -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("patches (-want +got):\n%s", diff)
	}
}

func TestByWorkloadFindsOwners(t *testing.T) {
	c := &rightsize.Cluster{
		Workloads: []rightsize.Workload{
			{WorkloadRef: ref("Deployment", "shop", "api")},
			{WorkloadRef: ref("StatefulSet", "shop", "db")},
			{WorkloadRef: ref("Deployment", "shop", "pay")},
		},
		Pods: []rightsize.Pod{{Namespace: "shop", Name: "api-6d4cf56db6-x7k2p", Owner: ref("Deployment", "shop", "api")}},
	}
	h := rightsize.StatCPUHigh | rightsize.StatCPUAvg | rightsize.StatMemoryPeak | rightsize.StatHistory | rightsize.StatOOM
	u := &rightsize.Usage{
		Containers: []rightsize.ContainerUsage{
			{Namespace: "shop", Pod: "api-6d4cf56db6-x7k2p", Container: "app", Has: h, CPUHigh: 0.2, CPUAvg: 0.1, MemoryPeak: 100, Samples: 10, Observed: 3 * day},
			{Namespace: "shop", Pod: "api-5f7b9c8d4-old11", Container: "app", Has: h, CPUHigh: 0.4, CPUAvg: 0.3, MemoryPeak: 300, Samples: 5, OOMKills: 1, Observed: 3 * day},
			{Namespace: "shop", Pod: "db-0", Container: "pg", Has: rightsize.StatCPUHigh, CPUHigh: 1, Samples: 7},
			{Namespace: "shop", Pod: "odd-pod", Container: "x", CPUHigh: 1, Samples: 7},
			{Namespace: "shop", Pod: "pay-abc", Container: "p", CPUHigh: 1, Samples: 7},
			{Namespace: "jobs", Pod: "nightly-29412345-qwert", Container: "job", CPUHigh: 1, Samples: 7},
		},
		Owners: map[rightsize.PodKey]rightsize.WorkloadRef{
			{Namespace: "shop", Pod: "pay-abc"}:                ref("Deployment", "shop", "pay"),
			{Namespace: "jobs", Pod: "nightly-29412345-qwert"}: rightsize.OwnerOf("jobs", "nightly-29412345-qwert", "Job", "nightly-29412345", ""),
		},
	}
	got, unmatched := u.ByWorkload(c)
	api := got[ref("Deployment", "shop", "api")]
	want := &rightsize.ContainerStats{Container: "app", Has: h, CPUHigh: 0.4, CPUAvg: 0.2, MemoryPeak: 300, Samples: 15, Pods: 2, OOMKills: 1}
	if diff := cmp.Diff(want, api.Containers["app"], cmpNear(1e-12), cmpopts.IgnoreUnexported(rightsize.ContainerStats{})); diff != "" {
		t.Errorf("api stats (-want +got):\n%s", diff)
	}
	if api.History != 3*day || api.Pods != 2 {
		t.Errorf("api history %v over %d pods; want its longest-observed pod's, 3 days, without replica history", api.History, api.Pods)
	}
	// With replica history: 6 pod-days at 1.2 replicas on average is 5 days.
	u.Workloads = map[rightsize.WorkloadRef]rightsize.WorkloadHistory{ref("Deployment", "shop", "api"): {Has: rightsize.StatReplicas, AvgReplicas: 1.2}}
	u.Window = 14 * day
	got, _ = u.ByWorkload(c)
	if h := got[ref("Deployment", "shop", "api")].History; h != 5*day {
		t.Errorf("api history %v with 1.2 replicas on average; want 5 days", h)
	}
	if got[ref("StatefulSet", "shop", "db")] == nil || got[ref("Deployment", "shop", "pay")] == nil {
		t.Errorf("db-0 (by name) or pay-abc (by kube-state-metrics owner) unmatched: %v", got)
	}
	cron := got[ref("CronJob", "jobs", "nightly")]
	if cron == nil || c.Workload(ref("CronJob", "jobs", "nightly")) == nil {
		t.Errorf("the CronJob's run was not inventoried as the CronJob: %v", got)
	}
	if unmatched != 1 {
		t.Errorf("unmatched = %d; want 1 (odd-pod)", unmatched)
	}
}

func TestOwnerOf(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		pod, kind, owner, hash string
		want                   rightsize.WorkloadRef
	}{
		{"a ReplicaSet's Deployment drops the template hash", "api-6d4cf56db6-x", "ReplicaSet", "api-6d4cf56db6", "6d4cf56db6", ref("Deployment", "ns", "api")},
		{"without the hash the last part is dropped", "my-api-6d4-x", "ReplicaSet", "my-api-6d4", "", ref("Deployment", "ns", "my-api")},
		{"a StatefulSet owns its pods directly", "db-0", "StatefulSet", "db", "", ref("StatefulSet", "ns", "db")},
		{"a CronJob's runs are the CronJob", "nightly-29412345-x", "Job", "nightly-29412345", "", ref("CronJob", "ns", "nightly")},
		{"a Job of its own stays a Job", "migrate-x", "Job", "migrate-v2", "", ref("Job", "ns", "migrate-v2")},
		{"a bare pod is its own workload", "debug", "", "", "", ref("Pod", "ns", "debug")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rightsize.OwnerOf("ns", tc.pod, tc.kind, tc.owner, tc.hash); got != tc.want {
				t.Errorf("OwnerOf = %v; want %v", got, tc.want)
			}
		})
	}
}

func TestAutopilotIsDetectedFromItsNodes(t *testing.T) {
	for _, tc := range []struct {
		name, node, machine string
		labels              map[string]string
		want                bool
	}{
		{"named gk3-", "gk3-prod-pool-2-4a1b2c3d-x7k2", "", nil, true},
		{"an ek- machine type", "n", "ek-standard-8", nil, true},
		{"labelled by Autopilot", "n", "", map[string]string{"cloud.google.com/gke-autopilot": "true"}, true},
		{"a Standard node", "gke-prod-default-pool-1a2b3c4d-x7k2", "e2-standard-4", map[string]string{"cloud.google.com/gke-nodepool": "default"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig := rightsize.AutopilotNodeSignal(tc.node, tc.machine, tc.labels)
			c := &rightsize.Cluster{Nodes: []rightsize.Node{{Name: tc.node, Autopilot: sig != "", AutopilotSignal: sig}}}
			if got, _ := c.Autopilot(); got != tc.want {
				t.Errorf("Autopilot = %v (%q); want %v", got, sig, tc.want)
			}
		})
	}
	c := &rightsize.Cluster{Nodes: []rightsize.Node{{KubeletVersion: "v1.31.2-gke.1"}, {KubeletVersion: "v1.30.1-gke.9"}, {}}}
	if v := c.Version(); v != "v1.30.1-gke.9" {
		t.Errorf("Version = %q; want the oldest kubelet", v)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{rightsize.FormatCPU(0.25), "250m"},
		{rightsize.FormatCPU(2), "2"},
		{rightsize.FormatCPU(1.5), "1500m"},
		{rightsize.FormatMemory(2 * gi), "2Gi"},
		{rightsize.FormatMemory(345 * mi), "345Mi"},
		{rightsize.FormatMemory(512 * 1024), "512Ki"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q; want %q", tc.got, tc.want)
		}
	}
}

// What cannot be patched safely is said in comments, never half-done.
func TestPatchesNoteWhatTheyCannotDo(t *testing.T) {
	zero := 0
	recs := []rightsize.Recommendation{
		{Action: rightsize.ActionRequests, Kind: "Pod", Namespace: "dev", Workload: "debug", Container: "sh", CPURequest: 0.1, CurrentCPURequest: 1, MemoryRequest: 1, CurrentMemoryRequest: 1},
		{Action: rightsize.ActionRequests, Kind: "Deployment", Namespace: "shop", Workload: "api", Container: "app", CPURequest: 0.3, CurrentCPURequest: 0.5, MemoryRequest: 1, CurrentMemoryRequest: 1,
			HPA: &rightsize.HPAChange{Name: "api", MinReplicas: 2, NewMinReplicas: 2, CPUTarget: 0.6, NewCPUTarget: 0.85, CPUMetric: -1}},
		{Action: rightsize.ActionIdle, Kind: "Deployment", Namespace: "tools", Workload: "old", Replicas: 2, RecommendedReplicas: &zero},
		{Action: rightsize.ActionHPAMax, Kind: "Deployment", Namespace: "shop", Workload: "checkout",
			HPA: &rightsize.HPAChange{Name: "checkout", MinReplicas: 2, NewMinReplicas: 2, MaxReplicas: 8, NewMaxReplicas: 18, CPUTarget: 0.7, NewCPUTarget: 0.7, CPUMetric: 0}},
		{Action: rightsize.ActionRequests, Kind: "Deployment", Namespace: "shop", Workload: "mesh", Container: "app", CPURequest: 0.7, CurrentCPURequest: 1, MemoryRequest: 1, CurrentMemoryRequest: 1,
			HPA: &rightsize.HPAChange{Name: "mesh", MinReplicas: 2, NewMinReplicas: 2, CPUTarget: 0.6, NewCPUTarget: 0.85, CPUContainer: "app", CPUMetric: 1}},
	}
	out, err := rightsize.Patches(recs)
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{
		"# Pod dev/debug has no controller to patch",
		"# HPA shop/api: set its CPU averageUtilization to 85 by hand",
		"kubectl patch deployment api -n shop",
		"# Deployment tools/old looks unused",
		"#   kubectl scale deployment old -n tools --replicas=0",
		`{"op":"test","path":"/spec/maxReplicas","value":8},{"op":"replace","path":"/spec/maxReplicas","value":18}`,
		`{"op":"test","path":"/spec/metrics/1/containerResource/container","value":"app"}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("patches lack %q:\n%s", want, got)
		}
	}
	for _, bad := range []string{"kubectl patch hpa api", "kubectl patch pod", "replicas: 0", "kubectl patch deployment old"} {
		if strings.Contains(got, bad) {
			t.Errorf("patches hold %q:\n%s", bad, got)
		}
	}
}

func TestStatSetsReadAsNamesInJSON(t *testing.T) {
	s := rightsize.StatCPUHigh | rightsize.StatNetwork
	data, err := json.Marshal(s)
	if err != nil || string(data) != `["CPU percentile","network receive"]` {
		t.Fatalf("json = %s, %v", data, err)
	}
	var back rightsize.Stat
	if err := json.Unmarshal(data, &back); err != nil || back != s {
		t.Errorf("back = %v, %v; want %v", back, err, s)
	}
	if err := json.Unmarshal([]byte(`["CPU percentile","magic"]`), &back); err == nil {
		t.Error("an unknown statistic was accepted")
	}
}
