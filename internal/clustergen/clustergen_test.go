package clustergen_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/headroom-sre/headroom/internal/clustergen"
)

// full returns the default cluster of a mode, generated once per test
// binary (a generation takes about two seconds).
var full = struct {
	sync.Mutex
	m map[clustergen.Mode]*clustergen.Cluster
}{m: map[clustergen.Mode]*clustergen.Cluster{}}

func cluster(mode clustergen.Mode) *clustergen.Cluster {
	full.Lock()
	defer full.Unlock()
	if c := full.m[mode]; c != nil {
		return c
	}
	c := clustergen.Generate(clustergen.Options{Mode: mode})
	full.m[mode] = c
	return c
}

func digest(c *clustergen.Cluster) string {
	return fmt.Sprintf("%x %x", sha256.Sum256([]byte(c.OpenMetrics)), sha256.Sum256(c.Snapshot))
}

func TestTheSameSeedGivesTheSameCluster(t *testing.T) {
	for _, mode := range []clustergen.Mode{clustergen.Standard, clustergen.Autopilot} {
		opts := clustergen.Options{Seed: 7, Mode: mode, History: 30 * time.Hour}
		a, b := clustergen.Generate(opts), clustergen.Generate(opts)
		if digest(a) != digest(b) {
			t.Errorf("%s: two runs with seed 7 differ", mode)
		}
		if !reflect.DeepEqual(a.Truth, b.Truth) {
			t.Errorf("%s: two runs with seed 7 have different truths", mode)
		}
		opts.Seed = 8
		if c := clustergen.Generate(opts); digest(c) == digest(a) {
			t.Errorf("%s: seeds 7 and 8 give the same cluster", mode)
		}
	}
}

// decoded is a snapshot decoded object by object with client-go's scheme.
type decoded struct {
	deploys []*appsv1.Deployment
	sts     []*appsv1.StatefulSet
	ds      []*appsv1.DaemonSet
	cronJob []*batchv1.CronJob
	jobs    []*batchv1.Job
	hpas    []*autoscalingv2.HorizontalPodAutoscaler
	pdbs    []*policyv1.PodDisruptionBudget
	pods    []*corev1.Pod
	nodes   []*corev1.Node
	kinds   []string // in order
}

func decode(t *testing.T, snapshot []byte) *decoded {
	t.Helper()
	js, err := yaml.YAMLToJSON(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	var l struct {
		APIVersion, Kind string
		Items            []json.RawMessage
	}
	if err := json.Unmarshal(js, &l); err != nil {
		t.Fatal(err)
	}
	if l.APIVersion != "v1" || l.Kind != "List" {
		t.Fatalf("snapshot is %s %s; want a v1 List", l.APIVersion, l.Kind)
	}
	d := &decoded{}
	dec := scheme.Codecs.UniversalDeserializer()
	for i, raw := range l.Items {
		obj, gvk, err := dec.Decode(raw, nil, nil)
		if err != nil {
			t.Fatalf("items[%d]: %v", i, err)
		}
		d.kinds = append(d.kinds, gvk.Kind)
		switch x := obj.(type) {
		case *appsv1.Deployment:
			d.deploys = append(d.deploys, x)
		case *appsv1.StatefulSet:
			d.sts = append(d.sts, x)
		case *appsv1.DaemonSet:
			d.ds = append(d.ds, x)
		case *batchv1.CronJob:
			d.cronJob = append(d.cronJob, x)
		case *batchv1.Job:
			d.jobs = append(d.jobs, x)
		case *autoscalingv2.HorizontalPodAutoscaler:
			d.hpas = append(d.hpas, x)
		case *policyv1.PodDisruptionBudget:
			d.pdbs = append(d.pdbs, x)
		case *corev1.Pod:
			d.pods = append(d.pods, x)
		case *corev1.Node:
			d.nodes = append(d.nodes, x)
		default:
			t.Errorf("items[%d]: unexpected %T", i, runtime.Object(x))
		}
	}
	return d
}

func TestTheSnapshotDecodesWithClientGo(t *testing.T) {
	for _, mode := range []clustergen.Mode{clustergen.Standard, clustergen.Autopilot} {
		t.Run(string(mode), func(t *testing.T) {
			c := cluster(mode)
			d := decode(t, c.Snapshot)
			// kubectl's order: by resource as asked for, then namespace/name.
			order := []string{"Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Pod", "Node"}
			last := -1
			for _, k := range d.kinds {
				i := indexOf(order, k)
				if i < last {
					t.Fatalf("kinds out of kubectl's order: %v", d.kinds)
				}
				last = i
			}
			counts := fmt.Sprint(len(d.deploys), len(d.sts), len(d.ds), len(d.cronJob), len(d.jobs), len(d.hpas), len(d.pdbs))
			if counts != "20 1 1 1 4 2 1" {
				t.Errorf("deploy sts ds cronjob job hpa pdb = %s; want 20 1 1 1 4 2 1", counts)
			}
			checkNodes(t, mode, c, d)
			checkPods(t, c, d)
			var container bool
			for _, h := range d.hpas {
				for _, m := range h.Spec.Metrics {
					if m.Type == autoscalingv2.ContainerResourceMetricSourceType && m.ContainerResource.Container == "app" {
						container = true
					}
				}
			}
			if !container {
				t.Error("no HPA has a ContainerResource metric on an app container")
			}
		})
	}
}

func indexOf(xs []string, x string) int {
	for i, s := range xs {
		if s == x {
			return i
		}
	}
	return -1
}

func checkNodes(t *testing.T, mode clustergen.Mode, c *clustergen.Cluster, d *decoded) {
	t.Helper()
	want := map[clustergen.Mode]string{
		clustergen.Standard:  `^gke-shop-prod-(default|stateless)-[0-9a-f]{8}-[bcdfghjklmnpqrstvwxz2456789]{4}$`,
		clustergen.Autopilot: `^gk3-shop-autopilot-pool-2-[0-9a-f]{8}-[bcdfghjklmnpqrstvwxz2456789]{4}$`,
	}[mode]
	types := map[string]string{}
	for _, n := range d.nodes {
		if !regexp.MustCompile(want).MatchString(n.Name) {
			t.Errorf("node %s does not match %s", n.Name, want)
		}
		l := n.Labels
		types[l["cloud.google.com/gke-nodepool"]] = l["node.kubernetes.io/instance-type"]
		if l["topology.kubernetes.io/region"] != "us-central1" || n.Status.NodeInfo.KubeletVersion != "v1.31.4-gke.1000000" {
			t.Errorf("node %s: region %q, kubelet %q", n.Name, l["topology.kubernetes.io/region"], n.Status.NodeInfo.KubeletVersion)
		}
		if n.Status.Capacity.Cpu().IsZero() || n.Status.Allocatable.Memory().IsZero() {
			t.Errorf("node %s lacks capacity or allocatable", n.Name)
		}
	}
	wantTypes := map[clustergen.Mode]string{
		clustergen.Standard:  "map[default:n2-standard-4 stateless:e2-standard-4]",
		clustergen.Autopilot: "map[pool-2:ek-standard-8]",
	}[mode]
	if fmt.Sprint(types) != wantTypes {
		t.Errorf("pools → machine types = %v; want %s", types, wantTypes)
	}
	if len(d.nodes) != len(c.Truth.Nodes) {
		t.Errorf("%d nodes; truth has %d", len(d.nodes), len(c.Truth.Nodes))
	}
}

const safe = "[bcdfghjklmnpqrstvwxz2456789]"

func checkPods(t *testing.T, c *clustergen.Cluster, d *decoded) {
	t.Helper()
	jobs := map[string]*batchv1.Job{}
	for _, j := range d.jobs {
		jobs[j.Name] = j
		owner := j.OwnerReferences[0]
		m := regexp.MustCompile(`^(.+)-([0-9]{8})$`).FindStringSubmatch(j.Name)
		if m == nil || owner.Kind != "CronJob" || owner.Name != m[1] {
			t.Errorf("job %s owned by %s %s; want NAME-<8 digits> owned by CronJob NAME", j.Name, owner.Kind, owner.Name)
			continue
		}
		if minutes, _ := strconv.ParseInt(m[2], 10, 64); minutes*60 != j.CreationTimestamp.Unix() {
			t.Errorf("job %s created at %s; want its name's minute", j.Name, j.CreationTimestamp)
		}
	}
	phases := map[string]int{}
	perNode := map[string]int{}
	for _, p := range d.pods {
		phases[string(p.Status.Phase)]++
		tp := c.Truth.Pods[p.Namespace+"/"+p.Name]
		if tp == nil {
			t.Errorf("pod %s/%s is not in the truth", p.Namespace, p.Name)
			continue
		}
		if tp.Node != p.Spec.NodeName || tp.Phase != string(p.Status.Phase) {
			t.Errorf("pod %s: node %q phase %s; truth says %q %s", p.Name, p.Spec.NodeName, p.Status.Phase, tp.Node, tp.Phase)
		}
		o := p.OwnerReferences[0]
		w := tp.Workload.Name
		var pattern string
		switch tp.Workload.Kind {
		case "Deployment":
			pattern = "^" + w + "-" + safe + "{10}-" + safe + "{5}$"
			if o.Kind != "ReplicaSet" || !strings.HasPrefix(p.Name, o.Name+"-") || o.Name != w+"-"+p.Labels["pod-template-hash"] {
				t.Errorf("pod %s owned by %s %s (hash %s)", p.Name, o.Kind, o.Name, p.Labels["pod-template-hash"])
			}
		case "StatefulSet":
			pattern = "^" + w + "-[0-9]+$"
		case "DaemonSet":
			pattern = "^" + w + "-" + safe + "{5}$"
			perNode[p.Spec.NodeName]++
		case "CronJob":
			pattern = "^" + w + "-[0-9]{8}-" + safe + "{5}$"
			if o.Kind != "Job" || jobs[o.Name] == nil || !strings.HasPrefix(p.Name, o.Name+"-") {
				t.Errorf("pod %s owned by %s %s; want a Job of the snapshot", p.Name, o.Kind, o.Name)
			}
		}
		if !regexp.MustCompile(pattern).MatchString(p.Name) || !regexp.MustCompile("^"+c.Truth.Workloads[tp.Workload].PodPattern+"$").MatchString(p.Name) {
			t.Errorf("pod %s does not match %s and the truth's pattern", p.Name, pattern)
		}
		if o.Controller == nil || !*o.Controller {
			t.Errorf("pod %s: owner is not its controller", p.Name)
		}
		if p.Status.Phase == corev1.PodPending {
			if p.Spec.NodeName != "" || p.Status.Conditions[0].Reason != corev1.PodReasonUnschedulable {
				t.Errorf("pending pod %s: node %q, conditions %+v", p.Name, p.Spec.NodeName, p.Status.Conditions)
			}
		}
	}
	running := 0
	for _, w := range c.Truth.Workloads {
		running += w.RunningPods
	}
	if want := fmt.Sprintf("map[Pending:1 Running:%d Succeeded:3]", running); fmt.Sprint(phases) != want {
		t.Errorf("pod phases = %v; want 1 Pending, %d Running and the CronJob's 3 last runs Succeeded", phases, running)
	}
	if len(perNode) != len(d.nodes) {
		t.Errorf("DaemonSet pods on %d nodes; want all %d", len(perNode), len(d.nodes))
	}
	for n, k := range perNode {
		if k != 1 {
			t.Errorf("%d DaemonSet pods on %s", k, n)
		}
	}
}

func TestTheTruthIsWhatTheWorkloadsWereBuiltFor(t *testing.T) {
	c := cluster(clustergen.Standard)
	tr := c.Truth
	if len(tr.Workloads) < 22 || c.Samples > 2_500_000 {
		t.Errorf("%d workloads, %d samples; want about 25 and at most 2.5 million", len(tr.Workloads), c.Samples)
	}
	one := func(r clustergen.Role) *clustergen.Workload {
		t.Helper()
		ws := tr.ByRole(r)
		if len(ws) != 1 {
			t.Fatalf("role %s: %d workloads; want 1", r, len(ws))
		}
		return ws[0]
	}
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.4f; want %.4f ± %g", what, got, want, tol)
		}
	}
	spiky := one(clustergen.RoleSpiky).Containers["app"]
	near("spiky peak", spiky.CPUPeak, 1.81, 1e-9)
	near("spiky p95 of 5-minute means", spiky.CPUP95Of5m, 0.08, 0.02)
	if spiky.CPUP99 < 1.7 || spiky.CPURequest != 2 {
		t.Errorf("spiky: p99 %.3f, request %g; want the 20-minute daily peak above the 99th percentile's rank, 2 cores requested", spiky.CPUP99, spiky.CPURequest)
	}
	oom := one(clustergen.RoleOOMKilled).Containers["app"]
	if oom.OOMKills != 2 || oom.Restarts != 2 || oom.MemoryLimit != 512<<20 || oom.MemoryPeak > oom.MemoryLimit || oom.MemoryPeak < 500<<20 {
		t.Errorf("OOM-killed: %+v; want 2 kills, a peak just under 512Mi", *oom)
	}
	pinned := one(clustergen.RoleHPAPinned)
	if !pinned.HPAPinned || pinned.HPA.AtMaxShare < 0.8 || pinned.Containers["app"].CPUP99 < 1.4*pinned.Containers["app"].CPURequest {
		t.Errorf("pinned HPA: %+v, p99 %.3f; want at max most of the time, pods above 140%% of request", *pinned.HPA, pinned.Containers["app"].CPUP99)
	}
	churn := one(clustergen.RoleHPAChurn)
	if churn.HPAPinned || churn.HPA.Lowest != 2 || churn.HPA.Highest != 8 || churn.HPA.Container != "app" {
		t.Errorf("churning HPA: %+v", *churn.HPA)
	}
	cron := one(clustergen.RoleCronJob)
	if cron.CronRuns < 336 || cron.CronRuns > 337 {
		t.Errorf("CronJob runs = %d; want one an hour", cron.CronRuns)
	}
	near("CronJob pod-hours", cron.CronPodHours, 14*24/6.0, 0.2)
	short := one(clustergen.RoleShortHistory)
	if short.History != 3*time.Hour || short.Containers["app"].CPURequest != 1 || short.Containers["app"].MemoryRequest != 1<<30 {
		t.Errorf("short history: %v, %+v", short.History, *short.Containers["app"])
	}
	idle := one(clustergen.RoleIdle)
	if idle.HasTraffic || idle.Containers["app"].CPUPeak > 0.002 {
		t.Errorf("idle: traffic %v, CPU peak %.4f", idle.HasTraffic, idle.Containers["app"].CPUPeak)
	}
	for _, w := range tr.ByRole(clustergen.RoleQuiet) {
		if !w.HasTraffic {
			t.Errorf("%s is quiet but alive: HasTraffic must be true", w.Key)
		}
	}
	webhook := tr.Workload("payments", "webhook")
	perHour := webhook.Requests / (14 * 24)
	if !webhook.HTTPMetric || perHour < 3 || perHour > 5 {
		t.Errorf("webhook: %.2f calls an hour; want 3 to 5, counted by http_requests_total", perHour)
	}
	noReq := one(clustergen.RoleNoRequests)
	if app := noReq.Containers["app"]; app.CPURequest != 0 || app.MemoryRequest != 0 || math.Abs(app.CPUP95Of5m-0.023) > 0.012 {
		t.Errorf("no-requests app: %+v; want no requests and about 23m of CPU", *app)
	}
	if noReq.Containers["oauth-proxy"].CPURequest == 0 {
		t.Error("the no-requests workload's sidecar must set requests")
	}
	if pending := one(clustergen.RolePending); pending.PendingPods != 1 || pending.RunningPods != 1 {
		t.Errorf("pending: %d running, %d pending", pending.RunningPods, pending.PendingPods)
	}
	for _, w := range tr.ByRole(clustergen.RoleThrottled) {
		if th := w.Containers["app"].Throttled; th < 0.05 {
			t.Errorf("%s: %.3f of CFS periods throttled; want more than 5%%", w.Key, th)
		}
	}
	// Only replicated, unprotected Deployments (and the DaemonSet) on the
	// stateless pool.
	for _, k := range tr.Keys() {
		w := tr.Workloads[k]
		for _, p := range w.Pools {
			if p != clustergen.PoolStateless || k.Kind == "DaemonSet" {
				continue
			}
			if k.Kind != "Deployment" || w.PDB || w.Replicas < 2 || w.StatefulSet {
				t.Errorf("%s runs on the stateless pool: kind %s, PDB %v, %d replicas", k, k.Kind, w.PDB, w.Replicas)
			}
		}
		for name, ctr := range w.Containers {
			if ctr.CPUP99 > ctr.CPUPeak || ctr.MemoryPeak <= 0 {
				t.Errorf("%s/%s: p99 %.4f above peak %.4f, or no memory peak", k, name, ctr.CPUP99, ctr.CPUPeak)
			}
		}
	}
	for _, r := range []clustergen.Role{clustergen.RoleStatefulSet, clustergen.RolePDB} {
		for _, w := range tr.ByRole(r) {
			if fmt.Sprint(w.Pools) != "[default]" {
				t.Errorf("%s (%s) runs on %v; want the default pool", w.Key, r, w.Pools)
			}
		}
	}
	for _, w := range tr.ByRole(clustergen.RoleSingleReplica) {
		if w.Replicas != 1 || (len(w.Pools) > 0 && fmt.Sprint(w.Pools) != "[default]") {
			t.Errorf("%s: %d replicas on %v; want 1 on the default pool", w.Key, w.Replicas, w.Pools)
		}
	}
}

// TestTheOpenMetricsTextIsWellFormed checks the text promtool reads: each
// family contiguous after its # TYPE line, counters named _total, samples
// in time order within the window, the CPU counter every minute on the
// minute, and # EOF at the end.
func TestTheOpenMetricsTextIsWellFormed(t *testing.T) {
	c := clustergen.Generate(clustergen.Options{Seed: 3, History: 30 * time.Hour})
	start, end := c.Truth.Start.Unix(), c.Truth.End.Unix()
	if !strings.HasSuffix(c.OpenMetrics, "\n# EOF\n") {
		t.Fatal("the text does not end with # EOF")
	}
	seen := map[string]bool{}
	last := map[string]int64{}
	var family, typ string
	samples := 0
	sc := bufio.NewScanner(strings.NewReader(c.OpenMetrics))
	sc.Buffer(nil, 1<<20)
	line := regexp.MustCompile(`^([a-z_]+)\{([^}]*)\} (-?[0-9.e+]+) ([0-9]+)$`)
	for sc.Scan() {
		l := sc.Text()
		if f, ok := strings.CutPrefix(l, "# TYPE "); ok {
			parts := strings.Fields(f)
			if seen[parts[0]] {
				t.Fatalf("family %s appears twice", parts[0])
			}
			family, typ = parts[0], parts[1]
			seen[family] = true
			continue
		}
		if l == "# EOF" {
			continue
		}
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("bad sample line %q", l)
		}
		name := family
		if typ == "counter" {
			name += "_total"
		}
		if m[1] != name {
			t.Fatalf("sample %s in family %s (%s)", m[1], family, typ)
		}
		ts, _ := strconv.ParseInt(m[4], 10, 64)
		if ts <= start || ts > end {
			t.Fatalf("sample at %d outside the window (%d, %d]: %s", ts, start, end, l)
		}
		key := m[1] + "{" + m[2] + "}"
		if p, ok := last[key]; ok && ts <= p {
			t.Fatalf("%s: samples out of order", key)
		}
		switch {
		case m[1] == "container_cpu_usage_seconds_total" && ts%60 != 0,
			m[1] == "container_memory_working_set_bytes" && ts%120 != 0,
			strings.HasPrefix(m[1], "kube_") && ts%300 != 0:
			t.Fatalf("%s at %d: off its scrape grid", m[1], ts)
		}
		last[key] = ts
		samples++
	}
	if samples != c.Samples {
		t.Errorf("%d samples; Samples says %d", samples, c.Samples)
	}
	for _, f := range []string{"container_cpu_usage_seconds", "container_memory_working_set_bytes", "container_cpu_cfs_periods",
		"container_cpu_cfs_throttled_periods", "container_network_receive_bytes", "http_requests", "kube_pod_owner",
		"kube_replicaset_owner", "kube_job_owner", "kube_pod_info", "kube_pod_status_phase", "kube_pod_container_info",
		"kube_pod_container_resource_requests", "kube_pod_container_resource_limits", "kube_pod_container_status_restarts",
		"kube_pod_container_status_last_terminated_reason", "kube_deployment_spec_replicas", "kube_deployment_status_replicas",
		"kube_statefulset_replicas", "kube_statefulset_status_replicas", "kube_horizontalpodautoscaler_spec_min_replicas",
		"kube_horizontalpodautoscaler_spec_max_replicas", "kube_horizontalpodautoscaler_status_current_replicas",
		"kube_horizontalpodautoscaler_spec_target_metric", "kube_horizontalpodautoscaler_info", "kube_node_labels",
		"kube_node_info", "kube_node_status_capacity", "kube_node_status_allocatable"} {
		if !seen[f] {
			t.Errorf("family %s missing", f)
		}
	}
	var pause []string
	for k := range last {
		if strings.Contains(k, `container="POD"`) && strings.HasPrefix(k, "container_memory") {
			pause = append(pause, k)
		}
	}
	sort.Strings(pause)
	if len(pause) == 0 {
		t.Error("no pause-container memory series")
	}
}
