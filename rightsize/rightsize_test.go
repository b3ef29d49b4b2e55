package rightsize_test

import (
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/rightsize"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	mi = rightsize.MiB
	gi = rightsize.GiB
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

func stats(name string, cpu, peak float64) *rightsize.ContainerStats {
	return &rightsize.ContainerStats{Container: name, CPU: cpu, CPUAvg: cpu / 2, MemoryPeak: peak, MemoryAvg: peak / 2, Samples: 20160, Pods: 1}
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
			Containers: []rightsize.Container{ctr("web", 0.5, 256*mi)},
			HPA:        &rightsize.HPA{Name: "web", MinReplicas: 2, MaxReplicas: 20, CPUTarget: 0.6, CPUMetric: 0}},
		{WorkloadRef: ref("Deployment", "shop", "batch-api"), Replicas: 4,
			Containers: []rightsize.Container{ctr("app", 1, 512*mi)},
			HPA:        &rightsize.HPA{Name: "batch-api", MinReplicas: 4, MaxReplicas: 10, CPUTarget: 0.7, CPUMetric: 1}},
		{WorkloadRef: ref("Deployment", "tools", "old-admin"), Replicas: 2, Containers: []rightsize.Container{ctr("admin", 0.25, 256*mi)}},
		{WorkloadRef: ref("StatefulSet", "shop", "cache"), Replicas: 1, Containers: []rightsize.Container{ctr("redis", 0.5, 1*gi)}},
		{WorkloadRef: ref("Deployment", "shop", "steady"), Replicas: 2, Containers: []rightsize.Container{ctr("app", 0.2, 200*mi)}},
	}}
	oom := stats("worker", 0.4, 500*mi)
	oom.OOMKills, oom.MemoryLimitAtOOM = 2, 512*mi
	young := stats("redis", 0.3, 700*mi)
	young.Samples = 40
	u := rightsize.WorkloadUsage{
		ref("Deployment", "shop", "api"):        {"app": stats("app", 0.2, 300*mi)},
		ref("Deployment", "shop", "worker"):     {"worker": oom},
		ref("Deployment", "shop", "web"):        {"web": stats("web", 0.35, 200*mi)},
		ref("Deployment", "shop", "batch-api"):  {"app": stats("app", 0.1, 480*mi)},
		ref("Deployment", "tools", "old-admin"): {"admin": stats("admin", 0.0004, 60*mi)},
		ref("StatefulSet", "shop", "cache"):     {"redis": young},
		ref("Deployment", "shop", "steady"):     {"app": stats("app", 0.19, 185*mi)},
	}
	return c, u
}

func autopilotOpts() rightsize.RecommendOptions {
	return rightsize.RecommendOptions{Cost: rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "us-central1"}}
}

// podHour is what Autopilot bills a general-purpose pod an hour, worked by hand.
func podHour(cpu, gib float64) float64 { return cpu*apCPU + gib*apGiB }

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

func TestRecommendSizesRequestsFromUsage(t *testing.T) {
	c, u := shop()
	r, err := rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		action   rightsize.Action
		workload string
		cpu, mem float64
		memLimit float64
		saving   float64
		class    rightsize.Class
		risk     rightsize.Risk
	}{
		// p95 0.2 core → 200m; peak 300Mi × 1.15 = 345Mi. Autopilot
		// bills 1 vCPU + 1 GiB before and 0.25 vCPU + 345/1024 GiB after.
		{"an over-requested pod is cut to its p95 CPU and peak memory plus 15%", rightsize.ActionRequests, "api",
			0.2, 345 * mi, 0, 3 * 730 * (podHour(1, 1) - podHour(0.25, 345.0/1024)), rightsize.Easy, rightsize.RiskNone},
		// OOM-killed at a 512Mi limit: max(500×1.15, 500×1.2, 512×1.25) = 640Mi,
		// and the limit rises with it. CPU 0.4 of 0.5 is cut to 400m.
		{"an OOM-killed container gets more memory, limit included", rightsize.ActionRequests, "worker",
			0.4, 640 * mi, 640 * mi, 730 * (podHour(0.5, 0.5) - podHour(0.5, 0.625)), rightsize.Easy, rightsize.RiskNone},
		// Scaling point 0.6 × 500m = 300m per pod. p95 350m would put the
		// target at 86% > 85%, so the request becomes 300m / 0.85 → 353m.
		// Memory 200Mi × 1.15 = 230Mi. Autopilot bills 0.5 vCPU and 0.5 GiB
		// (1 GiB per vCPU at least) before and after: no saving.
		{"a request under a CPU HPA keeps the HPA's scaling point", rightsize.ActionRequests, "web",
			0.353, 230 * mi, 0, 0, rightsize.Big, rightsize.RiskUnverified},
		// 2 replicas of 0.25 vCPU + 0.25 GiB (Autopilot rounds memory up to 1 GiB per vCPU).
		{"an idle workload is scaled to zero", rightsize.ActionIdle, "old-admin",
			0.25, 256 * mi, 0, 2 * 730 * podHour(0.25, 0.25), rightsize.Easy, rightsize.RiskUnverified},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := find(t, r, tc.action, tc.workload)
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
		})
	}
	web := find(t, r, rightsize.ActionRequests, "web")
	if web.HPA == nil || web.HPA.NewCPUTarget != 0.85 || web.HPA.CPUTarget != 0.6 {
		t.Errorf("web HPA change = %+v; want the target 60%% → 85%%", web.HPA)
	} else if point := web.HPA.NewCPUTarget * web.CPURequest; !near(point, 0.3, 0.001) {
		t.Errorf("new scaling point = %g cores per pod; want 0.3 as before", point)
	}
}

func TestRecommendLowersAnOversizedHPAMinimum(t *testing.T) {
	c, u := shop()
	r, err := rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	// 4 pods at p95 0.1 of a 1-core request = 10% against a 70% target:
	// the HPA would keep ceil(4 × 0.1 / 0.7) = 1 pod; the floor is 2.
	x := find(t, r, rightsize.ActionHPAMin, "batch-api")
	if x.HPA.MinReplicas != 4 || x.HPA.NewMinReplicas != 2 {
		t.Errorf("minReplicas %d → %d; want 4 → 2", x.HPA.MinReplicas, x.HPA.NewMinReplicas)
	}
	// The request drops to 0.7 / 0.85 → 824m with 512Mi×… kept: two pods
	// of 1 vCPU (824m rounds up) and 552Mi… priced as Autopilot bills them.
	req := find(t, r, rightsize.ActionRequests, "batch-api")
	cpu, gib := pricing.AutopilotPod(req.CPURequest, req.MemoryRequest/gi)
	if want := 2 * 730 * podHour(cpu, gib); !near(x.MonthlySaving, want, 0.01) {
		t.Errorf("saving = %.2f; want %.2f (two pods at the recommended requests)", x.MonthlySaving, want)
	}
	if x.Class != rightsize.Easy || x.Risk != rightsize.RiskUnverified {
		t.Errorf("class, risk = %s, %s; want easy, unverified", x.Class, x.Risk)
	}
}

func TestRecommendLeavesAloneWhatItCannotJudge(t *testing.T) {
	c, u := shop()
	r, err := rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range r.Recommendations {
		if x.Workload == "steady" || x.Workload == "cache" {
			t.Errorf("got %s for %s; want none (a change under 10%%, or too little history)", x.Action, x.Workload)
		}
	}
	want := []rightsize.Skipped{{Namespace: "shop", Workload: "cache", Kind: "StatefulSet", Reason: "only 40 memory samples (want 100)"}}
	if diff := cmp.Diff(want, r.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

func TestRecommendRanksBySavingAndTotals(t *testing.T) {
	c, u := shop()
	r, err := rightsize.Recommend(c, u, autopilotOpts())
	if err != nil {
		t.Fatal(err)
	}
	var sum, easy float64
	for i, x := range r.Recommendations {
		if i > 0 && x.MonthlySaving > r.Recommendations[i-1].MonthlySaving {
			t.Errorf("recommendation %d saves %g, more than the one before it", i, x.MonthlySaving)
		}
		sum += x.MonthlySaving
		if x.Class == rightsize.Easy {
			easy += x.MonthlySaving
		}
	}
	if !near(r.TotalMonthlySaving, sum, 1e-9) || !near(r.EasyMonthlySaving, easy, 1e-9) || !near(r.BigMonthlySaving, sum-easy, 1e-9) {
		t.Errorf("totals %g (easy %g, big %g); want %g (easy %g)", r.TotalMonthlySaving, r.EasyMonthlySaving, r.BigMonthlySaving, sum, easy)
	}
	if len(r.Algorithm) == 0 || !strings.Contains(strings.Join(r.Algorithm, "\n"), "p95") {
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
			{Namespace: "shop", Name: "api-6d4cf56db6-x7k2p", Owner: ref("Deployment", "shop", "api"), Node: "n1", Containers: []rightsize.Container{ctr("app", 1, 2*gi)}},
			{Namespace: "shop", Name: "api-6d4cf56db6-q9z4m", Owner: ref("Deployment", "shop", "api"), Node: "n2", Containers: []rightsize.Container{ctr("app", 1, 2*gi)}},
			{Namespace: "shop", Name: "db-0", Owner: ref("StatefulSet", "shop", "db"), Node: "n2", Containers: []rightsize.Container{ctr("pg", 2, 8*gi)}},
		},
		Nodes: []rightsize.Node{
			{Name: "n1", MachineType: "n2-standard-4", Pool: "default", Capacity: cap4},
			{Name: "n2", MachineType: "n2-standard-4", Pool: "default", Capacity: cap4},
		},
	}
	return c
}

func TestCostAllocatesNodesByMaxOfRequestAndUsage(t *testing.T) {
	const (
		cpuH    = 4 * 0.031611 * 0.8 // a node's CPU per hour after the sustained-use discount
		memH    = 16 * 0.004237 * 0.8
		perCore = cpuH / 4
		perGiB  = memH / 16
	)
	c := standardCluster()
	// api uses 1.5 cores on average (more than its 1-core request) and
	// 1 GiB (less than its 2 GiB request): it pays for 1.5 cores and 2 GiB.
	use := rightsize.WorkloadUsage{ref("Deployment", "shop", "api"): {"app": {Container: "app", CPUAvg: 1.5, MemoryAvg: 1 * gi}}}
	r, err := rightsize.Cost(c, use, rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"})
	if err != nil {
		t.Fatal(err)
	}
	wantAPI := 730 * 2 * (1.5*perCore + 2*perGiB)
	wantDB := 730 * (2*perCore + 8*perGiB)
	nodes := 2 * 730 * (cpuH + memH)
	got := map[string]float64{}
	for _, w := range r.Workloads {
		got[w.Name] = w.MonthlyCost
	}
	if !near(got["api"], wantAPI, 1e-6) || !near(got["db"], wantDB, 1e-6) {
		t.Errorf("api, db = %.4f, %.4f; want %.4f, %.4f", got["api"], got["db"], wantAPI, wantDB)
	}
	if want := nodes - wantAPI - wantDB; !near(r.Idle.MonthlyCost, want, 1e-6) {
		t.Errorf("idle = %.4f; want %.4f (node cost less what pods are charged)", r.Idle.MonthlyCost, want)
	}
	if !near(r.ClusterFee, 73, 1e-9) || !near(r.MonthlyCost, nodes+73, 1e-6) {
		t.Errorf("fee, total = %g, %g; want 73 and the nodes plus 73 (%g)", r.ClusterFee, r.MonthlyCost, nodes+73)
	}
	if r.Basis != "max(request, usage)" {
		t.Errorf("basis = %q", r.Basis)
	}
	if len(r.Components) != 2 || r.Components[0].Name != "api" || r.Components[1].Name != "database" {
		t.Errorf("components = %+v; want api (by name), then database (by label), dearest first", r.Components)
	}
	if len(r.Namespaces) != 1 || r.Namespaces[0].Name != "shop" || !near(r.Namespaces[0].Share, 1, 1e-9) {
		t.Errorf("namespaces = %+v; want shop with the whole share", r.Namespaces)
	}
	var sources []string
	for _, s := range r.Sources {
		sources = append(sources, s.Item)
	}
	if want := "cluster fee,n2 on-demand memory,n2 on-demand vCPU,n2 sustained use"; strings.Join(sources, ",") != want {
		t.Errorf("sources = %v; want %s", sources, want)
	}
}

func TestCostInAutopilotBillsRoundedRequests(t *testing.T) {
	c := standardCluster()
	c.Workloads = append(c.Workloads, rightsize.Workload{WorkloadRef: ref("DaemonSet", "kube-system", "fluentbit"), Replicas: 2,
		Containers: []rightsize.Container{ctr("fb", 0.1, 100*mi)}})
	c.Workloads[0].Containers = []rightsize.Container{ctr("app", 0.3, 2*gi)}
	c.Pods = nil
	r, err := rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "us-central1"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, w := range r.Workloads {
		got[w.Name] = w.MonthlyCost
	}
	// api: 0.3 vCPU → 0.5 (2 GiB fits 6.5 GiB per vCPU? 2/0.5 = 4, yes).
	want := map[string]float64{"api": 2 * 730 * podHour(0.5, 2), "db": 730 * podHour(2, 8), "fluentbit": 0}
	if diff := cmp.Diff(want, got, cmpNear(1e-6)); diff != "" {
		t.Errorf("monthly cost per workload (-want +got):\n%s", diff)
	}
	if r.Idle.MonthlyCost != 0 || len(r.Nodes) != 0 {
		t.Errorf("idle = %g, nodes = %d; Autopilot bills no idle capacity and no nodes", r.Idle.MonthlyCost, len(r.Nodes))
	}
	yen := r.In(pricing.Currency{Code: "JPY", PerUSD: 150})
	if !near(yen.MonthlyCost, 150*r.MonthlyCost, 1e-6) || !near(yen.Workloads[0].MonthlyCost, 150*r.Workloads[0].MonthlyCost, 1e-6) {
		t.Errorf("In(JPY) = %g; want %g", yen.MonthlyCost, 150*r.MonthlyCost)
	}
}

func cmpNear(tol float64) cmp.Option {
	return cmp.Comparer(func(a, b float64) bool { return near(a, b, tol) })
}

func TestCostErrors(t *testing.T) {
	c := standardCluster()
	_, err := rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "asia-northeast1"})
	if !errors.Is(err, pricing.ErrUnknownPrice) {
		t.Errorf("Autopilot in Tokyo: err = %v; want ErrUnknownPrice", err)
	}
	c.Nodes = nil
	if _, err := rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"}); !errors.Is(err, rightsize.ErrNoNodes) {
		t.Errorf("Standard without nodes: err = %v; want ErrNoNodes", err)
	}
	c = standardCluster()
	c.Nodes[0].MachineType = "c3-standard-8"
	_, err = rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"})
	if !errors.Is(err, pricing.ErrUnknownPrice) || !strings.Contains(err.Error(), "node n1 (c3-standard-8)") {
		t.Errorf("a c3 node: err = %v; want the node named and ErrUnknownPrice", err)
	}
}

func TestStandardModeRecommendsCheaperNodes(t *testing.T) {
	c := standardCluster()
	r, err := rightsize.Recommend(c, rightsize.WorkloadUsage{}, rightsize.RecommendOptions{Cost: rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"}})
	if err != nil {
		t.Fatal(err)
	}
	// n2-standard-4 with sustained use: 0.194236 × 730 × 0.8; e2-standard-4
	// has none: 0.134032 × 730; n2d-standard-4: 0.168984 × 730 × 0.8.
	n2, e2 := 0.194236*730*0.8, 0.134032*730
	fam := find(t, r, rightsize.ActionNodeFamily, "")
	if fam.Nodes.NewMachineType != "e2-standard-4" || !near(fam.MonthlySaving, 2*(n2-e2), 0.01) {
		t.Errorf("family change = %+v saving %.2f; want e2-standard-4 saving %.2f", fam.Nodes, fam.MonthlySaving, 2*(n2-e2))
	}
	// The pool runs a StatefulSet: no Spot, a commitment instead, priced
	// on the cheaper family: e2 1y is 37% off.
	com := find(t, r, rightsize.ActionCommitment, "")
	if !near(com.MonthlySaving, 2*e2*0.37, 0.01) || com.Class != rightsize.Big {
		t.Errorf("commitment saving = %.2f (%s); want %.2f, big", com.MonthlySaving, com.Class, 2*e2*0.37)
	}
	for _, x := range r.Recommendations {
		if x.Action == rightsize.ActionSpot {
			t.Errorf("got a Spot recommendation for a pool that runs a StatefulSet")
		}
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
	u := &rightsize.Usage{
		Containers: []rightsize.ContainerUsage{
			{Namespace: "shop", Pod: "api-6d4cf56db6-x7k2p", Container: "app", CPU: 0.2, CPUAvg: 0.1, MemoryPeak: 100, Samples: 10},
			{Namespace: "shop", Pod: "api-5f7b9c8d4-old11", Container: "app", CPU: 0.4, CPUAvg: 0.3, MemoryPeak: 300, Samples: 5, OOMKills: 1},
			{Namespace: "shop", Pod: "db-0", Container: "pg", CPU: 1, Samples: 7},
			{Namespace: "shop", Pod: "odd-pod", Container: "x", CPU: 1, Samples: 7},
			{Namespace: "shop", Pod: "pay-abc", Container: "p", CPU: 1, Samples: 7},
		},
		Owners: map[rightsize.PodKey]rightsize.WorkloadRef{{Namespace: "shop", Pod: "pay-abc"}: ref("Deployment", "shop", "pay")},
	}
	got, unmatched := u.ByWorkload(c)
	api := got[ref("Deployment", "shop", "api")]["app"]
	want := &rightsize.ContainerStats{Container: "app", CPU: 0.4, CPUAvg: 0.2, MemoryPeak: 300, Samples: 15, Pods: 2, OOMKills: 1}
	if diff := cmp.Diff(want, api, cmpNear(1e-12)); diff != "" {
		t.Errorf("api stats (-want +got):\n%s", diff)
	}
	if got[ref("StatefulSet", "shop", "db")]["pg"] == nil || got[ref("Deployment", "shop", "pay")]["p"] == nil {
		t.Errorf("db-0 (by name) or pay-abc (by kube-state-metrics owner) unmatched: %v", got)
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
		{"a bare pod is its own workload", "debug", "", "", "", ref("Pod", "ns", "debug")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rightsize.OwnerOf("ns", tc.pod, tc.kind, tc.owner, tc.hash); got != tc.want {
				t.Errorf("OwnerOf = %v; want %v", got, tc.want)
			}
		})
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
	recs := []rightsize.Recommendation{
		{Action: rightsize.ActionRequests, Kind: "Pod", Namespace: "dev", Workload: "debug", Container: "sh", CPURequest: 0.1, CurrentCPURequest: 1},
		{Action: rightsize.ActionRequests, Kind: "Deployment", Namespace: "shop", Workload: "api", Container: "app", CPURequest: 0.3, CurrentCPURequest: 0.5,
			HPA: &rightsize.HPAChange{Name: "api", MinReplicas: 2, NewMinReplicas: 2, CPUTarget: 0.6, NewCPUTarget: 0.85, CPUMetric: -1}},
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
	} {
		if !strings.Contains(got, want) {
			t.Errorf("patches lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "kubectl patch hpa") || strings.Contains(got, "kubectl patch pod") {
		t.Errorf("patches patch what they cannot:\n%s", got)
	}
}
