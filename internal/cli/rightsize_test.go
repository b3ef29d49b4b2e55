package cli_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"sigs.k8s.io/yaml"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/internal/promtest"
	"github.com/headroom-sre/headroom/rightsize"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// snapshotFile is a realistic snapshot (kube.SnapshotCommand's output): shop/api (3 pods, HPA on CPU 60%), shop/checkout (2, HPA on a
// Pub/Sub backlog and CPU 70%), shop/web (2, with a native sidecar),
// shop/redis (StatefulSet), tools/admin, a fluent-bit DaemonSet, two
// on-demand n2-standard-4 nodes and one Spot e2-standard-4.
var snapshotFile = filepath.Join("..", "kube", "testdata", "snapshot.yaml")

func rsHeadroom(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), args, cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

const rsMi = 1 << 20

// rsUsage is six hours of cAdvisor data for the snapshot's pods, one sample
// a minute, with known answers:
//
//	api        0.1 core, 200Mi in each of 3 pods
//	checkout   0.95 core, 900Mi (within 10% of its requests: left alone)
//	web        nginx 0.5m, log-shipper 0.3m (idle)
//	redis      0.2 core, 1.5Gi
//	fluentbit  0.05 core, 150Mi on each node
//	admin      only the last 50 minutes (too little history)
func rsUsage(end time.Time) string {
	type ctr struct {
		ns, pod, name string
		cpu, mem      float64
		minutes       int
	}
	var cs []ctr
	add := func(ns, name string, cpu, mem float64, pods ...string) {
		for _, p := range pods {
			cs = append(cs, ctr{ns, p, name, cpu, mem, 360})
		}
	}
	add("shop", "app", 0.1, 200*rsMi, "api-7f9c6b8d5b-2kxlm", "api-7f9c6b8d5b-9qwtz", "api-7f9c6b8d5b-vv8rn")
	add("shop", "checkout", 0.95, 900*rsMi, "checkout-6c54d8f7b9-b7mqp", "checkout-6c54d8f7b9-xr2hk")
	add("shop", "nginx", 0.0005, 20*rsMi, "web-5d8f7c9b6d-4hjzp", "web-5d8f7c9b6d-tq6fs")
	add("shop", "log-shipper", 0.0003, 30*rsMi, "web-5d8f7c9b6d-4hjzp", "web-5d8f7c9b6d-tq6fs")
	add("shop", "redis", 0.2, 1536*rsMi, "redis-0")
	add("kube-system", "fluentbit", 0.05, 150*rsMi, "fluentbit-gke-6xq2w", "fluentbit-gke-9mz7k", "fluentbit-gke-t4r8c")
	cs = append(cs, ctr{"tools", "admin-84b7f5d9c6-lp3vd", "admin", 0.05, 100 * rsMi, 50})
	var b strings.Builder
	start := end.Add(-6 * time.Hour)
	labels := func(c ctr) string {
		return fmt.Sprintf(`namespace=%q,pod=%q,container=%q,job="kubelet"`, c.ns, c.pod, c.name)
	}
	b.WriteString("# TYPE container_cpu_usage_seconds counter\n")
	for _, c := range cs {
		for i := 360 - c.minutes; i <= 360; i++ {
			fmt.Fprintf(&b, "container_cpu_usage_seconds_total{%s} %g %d\n", labels(c), c.cpu*60*float64(i), start.Add(time.Duration(i)*time.Minute).Unix())
		}
	}
	b.WriteString("# TYPE container_memory_working_set_bytes gauge\n")
	for _, c := range cs {
		for i := 360 - c.minutes; i <= 360; i++ {
			fmt.Fprintf(&b, "container_memory_working_set_bytes{%s} %g %d\n", labels(c), c.mem, start.Add(time.Duration(i)*time.Minute).Unix())
		}
	}
	// kube-state-metrics: api ran its 3 replicas all window.
	b.WriteString("# TYPE kube_deployment_status_replicas gauge\n")
	for i := 0; i <= 360; i += 5 {
		fmt.Fprintf(&b, "kube_deployment_status_replicas{namespace=\"shop\",deployment=\"api\"} 3 %d\n", start.Add(time.Duration(i)*time.Minute).Unix())
	}
	return b.String()
}

// rsServer is one Prometheus with rsUsage, shared by the tests of this file.
func rsServer(t *testing.T) string {
	t.Helper()
	end := time.Now().Add(-10 * time.Minute).Truncate(time.Minute)
	return promtest.Start(t, promtest.Options{OpenMetrics: rsUsage(end)}).URL
}

type rsJSON struct {
	Currency        string `json:"currency"`
	Recommendations []struct {
		Action        string  `json:"action"`
		Namespace     string  `json:"namespace"`
		Workload      string  `json:"workload"`
		Container     string  `json:"container"`
		CPURequest    float64 `json:"cpu_request"`
		MemoryRequest float64 `json:"memory_request"`
		MonthlySaving float64 `json:"monthly_saving"`
		Risk          string  `json:"risk"`
		Class         string  `json:"class"`
		HPA           *struct {
			Min       int     `json:"recommended_min_replicas"`
			CPUTarget float64 `json:"recommended_cpu_target"`
		} `json:"hpa"`
	} `json:"recommendations"`
	TotalMonthlySaving *float64 `json:"total_monthly_saving"`
	Algorithm          []string `json:"algorithm"`
	Skipped            []struct {
		Workload, Reason string
	} `json:"skipped"`
}

func TestRightsizeAndCostAgainstPrometheus(t *testing.T) {
	url := rsServer(t)
	base := []string{"--snapshot", snapshotFile, "--prometheus", url, "--window", "6h", "--min-history", "5h"}
	t.Run("the JSON contract holds the known answers", func(t *testing.T) {
		code, out, errOut := rsHeadroom(t, append([]string{"rightsize", "--json"}, base...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var r rsJSON
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if r.TotalMonthlySaving == nil || len(r.Recommendations) == 0 || len(r.Algorithm) == 0 {
			t.Fatalf("want recommendations, total_monthly_saving and the algorithm:\n%s", out)
		}
		got := map[string]string{}
		var sum float64
		for _, x := range r.Recommendations {
			key := x.Action + " " + x.Namespace + "/" + x.Workload + "/" + x.Container
			hpa := ""
			if x.HPA != nil {
				hpa = fmt.Sprintf(" hpa min %d target %.2f", x.HPA.Min, x.HPA.CPUTarget)
			}
			got[key] = fmt.Sprintf("cpu %.3f mem %.0fMi %s %s%s", x.CPURequest, x.MemoryRequest/rsMi, x.Class, x.Risk, hpa)
			sum += x.MonthlySaving
		}
		want := map[string]string{
			// 0.1 core under an HPA at 60% of 500m: the scaling point is
			// 300m; a 300m/0.85 = 353m request keeps it at the 85% cap.
			"requests shop/api/app": "cpu 0.353 mem 230Mi big unverified hpa min 3 target 0.85",
			// 3 pods at 20% of their request against 60%, all window at
			// the minimum: one would do; 2 kept. It slows spike absorption.
			"hpa-min shop/api/": "cpu 0.353 mem 230Mi big high hpa min 2 target 0.60",
			// Nearly no CPU, but no traffic metric says web is unused: its
			// requests are sized (to the 10m floor), it is not called idle.
			"requests shop/web/nginx": "cpu 0.010 mem 23Mi easy medium",
			// 0.2 core × 1.15 = 230m; 1.5Gi × 1.15 = 1766.4Mi → 1767Mi.
			// Six hours of history is under a week: medium risk.
			"requests shop/redis/redis":                    "cpu 0.230 mem 1767Mi easy medium",
			"requests kube-system/fluentbit-gke/fluentbit": "cpu 0.058 mem 173Mi easy medium",
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %q; want %q", k, got[k], w)
			}
		}
		for k := range got {
			if strings.Contains(k, "checkout") || strings.Contains(k, "admin") || strings.HasPrefix(k, "idle") {
				t.Errorf("got %s; want checkout (within 10%%) and admin (too little history) left alone, and nothing idle", k)
			}
		}
		if math.Abs(sum-*r.TotalMonthlySaving) > 1e-6 || sum <= 0 {
			t.Errorf("total_monthly_saving = %g; want the sum %g (> 0)", *r.TotalMonthlySaving, sum)
		}
		var admin string
		for _, s := range r.Skipped {
			if s.Workload == "admin" {
				admin = s.Reason
			}
		}
		if !strings.Contains(admin, "not enough history: ") || !strings.Contains(admin, " of usage, 5h needed") {
			t.Errorf("skipped = %+v; want admin, for too little history, with how much there is", r.Skipped)
		}
	})
	t.Run("--html renders in Chromium, as the terminal shows it", func(t *testing.T) {
		page := filepath.Join(t.TempDir(), "rightsize.html")
		code, out, errOut := rsHeadroom(t, append([]string{"rightsize", "--html", page}, base...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		dom := chromiumDOM(t, page)
		if got := strings.Count(dom, "<section"); got != 3 {
			t.Errorf("the page has %d sections; want the recommendations, what was not sized and the algorithm", got)
		}
		for _, want := range []string{"shop/redis", "not enough history", "Cuts save", "reproduce with: headroom rightsize"} {
			if !strings.Contains(dom, want) || !strings.Contains(out, want) {
				t.Errorf("the page or the terminal lacks %q", want)
			}
		}
		if strings.Contains(out, "--html") {
			t.Errorf("the command to reproduce names --html:\n%s", out)
		}
	})
	t.Run("patches apply to the snapshot's objects", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cuts.yaml")
		code, out, errOut := rsHeadroom(t, append([]string{"rightsize", "--patch", path}, base...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(out, "patches: "+path) || !strings.Contains(out, "Algorithm") {
			t.Errorf("table output lacks the algorithm or the patch file:\n%s", out)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		applyPatches(t, string(data))
	})
	t.Run("the simulator checks HPA changes against the system's scenarios", func(t *testing.T) {
		sys := filepath.Join(t.TempDir(), "system.yaml")
		// api as the simulator sees it: 100 req/s a replica at 3ms of CPU
		// each, HPA on CPU at 60% from 3 replicas, a three-minute start-up.
		// At 150 req/s its HPA holds 3 (the minimum); the jump to 280 fits
		// in 3 replicas and not in the 2 the usage suggests.
		err := os.WriteFile(sys, []byte(`apiVersion: headroom/v1
kind: System
metadata: {name: shop}
spec:
  entry: api
  components:
    - name: api
      capacity: {perReplicaRPS: 100, cpuPerRequest: 3ms}
      resources:
        requests: {cpu: 500m, memory: 512Mi}
      startup: {schedule: 1s, imagePull: 20s, init: 140s, readiness: 20s}
      hpa:
        minReplicas: 3
        maxReplicas: 12
        metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
  slo:
    availability: 99.9%
    maxBudgetBurn: 1%
  scenarios:
    - name: jump
      traffic: steps:rates=150/280,every=10m
      duration: 20m
`), 0o644)
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := rsHeadroom(t, append([]string{"rightsize", "--json", "--system", sys}, base...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var r rsJSON
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		risks := map[string]string{}
		for _, x := range r.Recommendations {
			risks[x.Action+" "+x.Workload] = x.Risk
		}
		if risks["requests api"] != "slo-checked" || risks["hpa-min api"] != "" || risks["requests redis"] != "medium" {
			t.Errorf("risks = %v; want api's requests slo-checked, its HPA minimum rejected, redis untouched", risks)
		}
		var reason string
		for _, s := range r.Skipped {
			if s.Workload == "api" {
				reason = s.Reason
			}
		}
		if !strings.Contains(reason, "the SLO breaks in scenario jump") {
			t.Errorf("skipped = %+v; want api's HPA minimum rejected by the jump", r.Skipped)
		}
	})
	t.Run("standard-mode cost charges max(request, usage)", func(t *testing.T) {
		code, out, errOut := rsHeadroom(t, append([]string{"cost", "--json"}, base[:6]...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var r struct {
			MonthlyCost *float64 `json:"monthly_cost"`
			Basis       string   `json:"basis"`
			Workloads   []struct {
				Namespace, Name, Kind string
				Replicas              *int     `json:"replicas"`
				MonthlyCost           *float64 `json:"monthly_cost"`
			} `json:"workloads"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.MonthlyCost == nil || len(r.Workloads) != 6 || r.Basis != "max(request, usage)" {
			t.Fatalf("cost JSON = %s", out)
		}
		for _, w := range r.Workloads {
			if w.Namespace == "" || w.Name == "" || w.Kind == "" || w.Replicas == nil || w.MonthlyCost == nil {
				t.Errorf("workload %+v lacks a field of the contract", w)
			}
		}
	})
}

// applyPatches applies every document of a --patch file to the snapshot's
// objects the way kubectl would and checks that they still decode as
// Kubernetes objects with the recommended values.
func applyPatches(t *testing.T, file string) {
	t.Helper()
	data, err := os.ReadFile(snapshotFile)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kube.ReadSnapshot(snapshotFile, data)
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(file, "\n---\n")
	applied := 0
	for _, doc := range docs {
		var cmdline string
		for _, line := range strings.Split(doc, "\n") {
			if strings.HasPrefix(line, "# kubectl patch ") {
				cmdline = line
			}
		}
		if cmdline == "" {
			continue // a comment-only document
		}
		f := strings.Fields(cmdline)
		kind, name, ns, typ := f[3], f[4], f[6], strings.TrimPrefix(f[7], "--type=")
		js, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", cmdline, err)
		}
		if inline := cmdline[strings.Index(cmdline, "-p '")+4 : len(cmdline)-1]; !jsonEqual(t, inline, string(js)) {
			t.Errorf("%s: the command's patch and the YAML document differ:\n%s\n%s", name, inline, js)
		}
		switch {
		case kind == "deployment" && typ == "strategic":
			for i := range objs.Deployments {
				d := &objs.Deployments[i]
				if d.Name == name && d.Namespace == ns {
					patchStrategic(t, d, js)
					applied++
				}
			}
		case kind == "statefulset":
			for i := range objs.StatefulSets {
				s := &objs.StatefulSets[i]
				if s.Name == name && s.Namespace == ns {
					patchStrategic(t, s, js)
					applied++
				}
			}
		case kind == "hpa" && typ == "json":
			for i := range objs.HPAs {
				h := &objs.HPAs[i]
				if h.Name == name && h.Namespace == ns {
					p, err := jsonpatch.DecodePatch(js)
					if err != nil {
						t.Fatal(err)
					}
					orig, _ := json.Marshal(h)
					out, err := p.Apply(orig)
					if err != nil {
						t.Fatalf("hpa %s: %v", name, err)
					}
					var nh autoscalingv2.HorizontalPodAutoscaler
					if err := json.Unmarshal(out, &nh); err != nil {
						t.Fatal(err)
					}
					*h = nh
					applied++
				}
			}
		case kind == "daemonset" && name == "fluentbit-gke":
			applied++ // the snapshot has its pods, not the DaemonSet
		default:
			t.Errorf("unexpected patch: %s", cmdline)
		}
	}
	if applied != 5 {
		t.Errorf("applied %d patches; want 5 (api, its HPA, web, redis, and fluent-bit's DaemonSet)", applied)
	}
	c := objs.Cluster("")
	for _, tc := range []struct {
		kind, name, container string
		cpu, mem              float64
	}{
		{"Deployment", "api", "app", 0.353, 230 * rsMi},
		{"StatefulSet", "redis", "redis", 0.23, 1767 * rsMi},
		{"Deployment", "web", "nginx", 0.01, 23 * rsMi},
	} {
		for _, w := range c.Workloads {
			if w.Kind == tc.kind && w.Name == tc.name {
				got := w.Container(tc.container).Requests
				if math.Abs(got.CPU-tc.cpu) > 1e-9 || got.Memory != tc.mem {
					t.Errorf("%s after the patch: %+v; want %g cores, %g bytes", tc.name, got, tc.cpu, tc.mem)
				}
			}
		}
	}
	api := c.Workload(kubeRef("Deployment", "shop", "api"))
	if api.HPA.MinReplicas != 2 || api.HPA.CPUTarget != 0.85 {
		t.Errorf("api HPA after the patch = %+v; want min 2, target 85%%", api.HPA)
	}
	if web := c.Workload(kubeRef("Deployment", "shop", "web")); web.Replicas != 2 {
		t.Errorf("web replicas after the patch = %d; want 2 (never scaled to zero without traffic evidence)", web.Replicas)
	}
}

func patchStrategic[T any](t *testing.T, obj *T, patch []byte) {
	t.Helper()
	orig, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var schema T
	out, err := strategicpatch.StrategicMergePatch(orig, patch, schema)
	if err != nil {
		t.Fatalf("strategic merge patch: %v", err)
	}
	var next T
	if err := json.Unmarshal(out, &next); err != nil {
		t.Fatal(err)
	}
	*obj = next
}

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

func TestCostTableGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"standard.txt", []string{"cost", "--snapshot", snapshotFile}},
		{"autopilot-jpy.txt", []string{"cost", "--snapshot", snapshotFile, "--mode", "autopilot", "--currency", "JPY", "--rate", "150"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := rsHeadroom(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			path := filepath.Join("testdata", "cost", tc.name)
			if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cli -run Cost -update)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (check, then run with -update):\n%s", path, out)
			}
		})
	}
}

// cost --html writes the bill's document; a real browser lays out its
// sections and tables.
func TestCostHTMLInChromium(t *testing.T) {
	page := filepath.Join(t.TempDir(), "cost.html")
	code, out, errOut := rsHeadroom(t, "cost", "--snapshot", snapshotFile, "--html", page)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dom := chromiumDOM(t, page)
	if got := strings.Count(dom, "<section"); got != 2 {
		t.Errorf("the page has %d sections; want the bill and the prices", got)
	}
	if got := strings.Count(dom, "<table"); got != 5 {
		t.Errorf("the page has %d tables; want workloads, namespaces, components, nodes and prices", got)
	}
	for _, want := range []string{"$358.58", "gke-shop-spot-pool-8b2d4e6f-q2wn", "headroom cost --snapshot"} {
		if !strings.Contains(dom, want) || !strings.Contains(out, want) {
			t.Errorf("the page or the terminal lacks %q", want)
		}
	}
}

func TestCostCSV(t *testing.T) {
	code, out, errOut := rsHeadroom(t, "cost", "--snapshot", snapshotFile, "--csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "type,namespace,name,kind,component,replicas,cpu_request,memory_request,monthly_cost,currency" {
		t.Errorf("header = %v", rows[0])
	}
	last := rows[len(rows)-1]
	if last[0] != "total" || last[9] != "USD" {
		t.Errorf("last row = %v; want the total in USD", last)
	}
	workloads := 0
	for _, r := range rows {
		if r[0] == "workload" {
			workloads++
		}
	}
	if workloads != 6 {
		t.Errorf("workload rows = %d; want 6", workloads)
	}
}

func TestCostAndRightsizeErrors(t *testing.T) {
	dir := t.TempDir()
	badPrices := filepath.Join(dir, "prices.yaml")
	os.WriteFile(badPrices, []byte("regions:\n  us-central1:\n    families:\n      n2:\n        on_demand:\n          vcpu: {usd: -1}\n          gibb: {usd: 1}\n"), 0o644)
	tokyo := filepath.Join(dir, "tokyo.yaml")
	os.WriteFile(tokyo, []byte("regions:\n  asia-northeast1:\n    autopilot:\n      general-purpose:\n        vcpu: {usd: 0.0573, source: Cloud Billing Catalog, date: 2026-08-01}\n        gib: {usd: 0.0063}\n"), 0o644)
	noNodes := filepath.Join(dir, "nonodes.yaml")
	os.WriteFile(noNodes, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: b}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: i}]\n"), 0o644)
	badSnap := filepath.Join(dir, "snap.yaml")
	os.WriteFile(badSnap, []byte("apiVersion: v1\nkind: List\nitems:\n- 42\n"), 0o644)
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		want    string
		wantNot string
	}{
		{"rightsize needs Prometheus", []string{"rightsize", "--snapshot", snapshotFile}, 2, "no Prometheus was given", ""},
		{"an unknown price is marked and named, and the report still written", []string{"cost", "--snapshot", snapshotFile, "--mode", "autopilot", "--region", "asia-northeast1"}, 0,
			"give it in a price file under regions.asia-northeast1.autopilot.general-purpose.vcpu", "$NaN"},
		{"an unknown price leaves savings unknown, not zero", []string{"rightsize", "--snapshot", snapshotFile, "--prometheus", "http://127.0.0.1:1", "--region", "nowhere-1", "--bogus"}, 2,
			"unknown flag: --bogus", ""},
		{"--autopilot-bursting takes true, false or auto", []string{"cost", "--snapshot", snapshotFile, "--mode", "autopilot", "--autopilot-bursting", "maybe"}, 2,
			"Autopilot bursting is true, false or auto", ""},
		{"a minimum history longer than the window sizes nothing", []string{"rightsize", "--snapshot", snapshotFile, "--prometheus", "http://127.0.0.1:1", "--window", "12h"}, 2,
			"--min-history 24h0m0s is longer than the --window 12h0m0s", ""},
		{"a price file fills the unknown price", []string{"cost", "--snapshot", snapshotFile, "--mode", "autopilot", "--region", "asia-northeast1", "--prices", tokyo}, 0,
			"Cloud Billing Catalog (2026-08-01)", ""},
		{"price file problems are positioned", []string{"cost", "--snapshot", snapshotFile, "--prices", badPrices}, 2,
			"prices.yaml:6:18: regions.us-central1.families.n2.on_demand.vcpu.usd: must not be negative", ""},
		{"unknown keys in a price file are errors", []string{"cost", "--snapshot", snapshotFile, "--prices", badPrices}, 2,
			`prices.yaml:7:11: regions.us-central1.families.n2.on_demand.gibb: unknown field "gibb" (did you mean "gib"?)`, ""},
		{"a currency needs a rate", []string{"cost", "--snapshot", snapshotFile, "--currency", "JPY"}, 2, "needs an exchange rate", ""},
		{"a bad snapshot is positioned", []string{"cost", "--snapshot", badSnap}, 2, "snap.yaml:4:3: items[0]: want a Kubernetes object", ""},
		{"standard mode needs nodes", []string{"cost", "--snapshot", noNodes, "--mode", "standard"}, 2, "hint: mode autopilot prices pod requests instead", ""},
		{"without nodes the mode is autopilot", []string{"cost", "--snapshot", noNodes}, 0, "mode autopilot: chosen because the cluster lists 0 nodes", ""},
		{"credentials are never printed", []string{"rightsize", "--snapshot", snapshotFile, "--prometheus", "http://127.0.0.1:1", "--prometheus-token", "s3cr3t-t0ken", "--prometheus-timeout", "2s"}, 1,
			"127.0.0.1:1", "s3cr3t"},
		{"credentials in the URL are refused", []string{"rightsize", "--snapshot", snapshotFile, "--prometheus", "http://me:pw@127.0.0.1:1"}, 2,
			"put credentials in", "pw@"},
		{"a scenario needs a system", []string{"rightsize", "--snapshot", snapshotFile, "--prometheus", "http://127.0.0.1:1", "--scenario", "x"}, 2, "--scenario needs --system", ""},
		{"a system file is checked first", []string{"rightsize", "--snapshot", snapshotFile, "--prometheus", "http://127.0.0.1:1", "--system", filepath.Join("..", "spec", "testdata", "system", "shop.yaml"), "--scenario", "nope"}, 2,
			`no scenario "nope"`, ""},
		{"a window needs a unit", []string{"rightsize", "--snapshot", snapshotFile, "--prometheus", "http://127.0.0.1:1", "--window", "14"}, 2, "not a duration", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := rsHeadroom(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d; want %d\n%s%s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.want) {
				t.Errorf("output lacks %q:\n%s%s", tc.want, out, errOut)
			}
			if tc.wantNot != "" && strings.Contains(out+errOut, tc.wantNot) {
				t.Errorf("output shows %q:\n%s%s", tc.wantNot, out, errOut)
			}
		})
	}
}

func kubeRef(kind, ns, name string) rightsize.WorkloadRef {
	return rightsize.WorkloadRef{Kind: kind, Namespace: ns, Name: name}
}

// Credentials reach Prometheus, from flags or the environment, and never
// the output.
func TestPrometheusCredentialsAreSentNeverPrinted(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
	}))
	defer srv.Close()
	code, out, errOut := rsHeadroom(t, "rightsize", "--snapshot", snapshotFile, "--prometheus", srv.URL,
		"--prometheus-user", "ops", "--prometheus-password", "p4ssw0rd-x")
	if code != 1 || !strings.Contains(errOut, "no container usage found") {
		t.Errorf("exit %d: %s%s; want 1 and no usage found", code, out, errOut)
	}
	if len(got) == 0 || got[0] != "Basic "+base64.StdEncoding.EncodeToString([]byte("ops:p4ssw0rd-x")) {
		t.Errorf("Authorization = %q; want basic auth", got)
	}
	if strings.Contains(out+errOut, "p4ssw0rd-x") {
		t.Errorf("the password was printed:\n%s%s", out, errOut)
	}
	got = nil
	t.Setenv("HEADROOM_PROMETHEUS_TOKEN", "t0ken-from-env")
	t.Setenv("HEADROOM_PROMETHEUS_URL", srv.URL)
	code, out, errOut = rsHeadroom(t, "rightsize", "--snapshot", snapshotFile)
	if code != 1 || len(got) == 0 || got[0] != "Bearer t0ken-from-env" || strings.Contains(out+errOut, "t0ken") {
		t.Errorf("exit %d, Authorization %q, output %s%s; want the token from the environment sent, not printed", code, got, out, errOut)
	}
}

// A Prometheus that answers with impossible values, partial data or a body
// that never ends must never turn into advice: a clear error, exit 1, and
// no patch file; warnings reach the report.
func TestRightsizeRefusesABrokenPrometheus(t *testing.T) {
	series := []string{
		`namespace="shop",pod="api-7f9c6b8d5b-2kxlm",container="app"`,
		`namespace="shop",pod="redis-0",container="redis"`,
	}
	for _, tc := range []struct {
		fault promtest.Fault
		code  int
		want  string
	}{
		{promtest.NaN, 1, "impossible value(s) (NaN, infinite or negative)"},
		{promtest.Inf, 1, "impossible value(s)"},
		{promtest.Negative, 1, "impossible value(s)"},
		{promtest.Truncated, 1, "unexpected end of JSON input"},
		{promtest.Huge, 1, "response too large: more than 1 MiB"},
		{promtest.Error500, 1, "500"},
		{promtest.Warnings, 0, "partial response: store gateway eu-1 unreachable"},
	} {
		t.Run(string(tc.fault), func(t *testing.T) {
			b := promtest.Broken(t, tc.fault, series...)
			patch := filepath.Join(t.TempDir(), "cuts.yaml")
			code, out, errOut := rsHeadroom(t, "rightsize", "--snapshot", snapshotFile, "--prometheus", b.URL, "--prometheus-max-mib", "1",
				"--patch", patch, "--json")
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Fatalf("exit %d; want %d and %q:\n%s%s", code, tc.code, tc.want, out, errOut)
			}
			for _, bad := range []string{"NaN", "Inf", "replicas: 0"} {
				if strings.Contains(out, bad) {
					t.Errorf("the output holds %q:\n%s", bad, out)
				}
			}
			if tc.code != 0 {
				if !strings.Contains(errOut, "hint:") {
					t.Errorf("no hint:\n%s", errOut)
				}
				if _, err := os.Stat(patch); !os.IsNotExist(err) {
					t.Errorf("a patch file was written (%v)", err)
				}
				return
			}
			// The warning is in the JSON, and every workload whose data is
			// thin (the fake's one sample) is skipped, not sized.
			var r struct {
				Warnings        []string `json:"warnings"`
				Recommendations []struct {
					Action, Workload string
				} `json:"recommendations"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Warnings) != 1 {
				t.Errorf("warnings %q; want the server's", r.Warnings)
			}
			for _, x := range r.Recommendations {
				if x.Workload != "" {
					t.Errorf("%s %s from one sample a series", x.Action, x.Workload)
				}
			}
		})
	}
}

// Stopping the command (SIGTERM cancels its context in main) stops reading
// a Prometheus response that never ends: the command returns at once with
// an error and writes no patch.
func TestRightsizeStopsWhenCancelled(t *testing.T) {
	b := promtest.Broken(t, promtest.Slow, `namespace="shop",pod="api-7f9c6b8d5b-2kxlm",container="app"`)
	patch := filepath.Join(t.TempDir(), "cuts.yaml")
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var out, errb bytes.Buffer
	start := time.Now()
	code := cli.Run(ctx, []string{"rightsize", "--snapshot", snapshotFile, "--prometheus", b.URL, "--patch", patch},
		cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("took %v after the cancellation", took)
	}
	if code == 0 || !strings.Contains(errb.String(), "context") {
		t.Errorf("exit %d: %s; want an error saying it was stopped", code, errb.String())
	}
	if _, err := os.Stat(patch); !os.IsNotExist(err) {
		t.Errorf("a patch file was written (%v)", err)
	}
}
