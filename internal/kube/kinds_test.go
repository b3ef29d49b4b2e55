package kube_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/rightsize"
)

// inline reads a snapshot given as text.
func inline(t *testing.T, yaml string) *kube.Objects {
	t.Helper()
	objs, err := kube.ReadSnapshot("inline.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestWorkloadsOfEveryKind(t *testing.T) {
	c := readSnapshot(t, "gke.yaml").Cluster("")
	type wl struct {
		Ref      rightsize.WorkloadRef
		Replicas int
		PDBs     []string
	}
	var got []wl
	for _, w := range c.Workloads {
		got = append(got, wl{w.WorkloadRef, w.Replicas, w.PDBs})
	}
	want := []wl{
		{ref("DaemonSet", "kube-system", "gpu-probe"), 1, nil},                 // no status: its pods
		{ref("DaemonSet", "kube-system", "node-agent"), 2, []string{"agents"}}, // desiredNumberScheduled
		{ref("Job", "store", "backfill-20240101"), 1, nil},                     // no CronJob owns it, whatever its name
		{ref("CronJob", "store", "cleanup"), 0, nil},                           // not running now
		{ref("StatefulSet", "store", "db"), 1, []string{"db", "store-wide"}},
		{ref("Deployment", "store", "frontend"), 2, []string{"store-wide", "web-tier"}},
		{ref("CronJob", "store", "report"), 1, nil}, // one run active, one finished
		{ref("CronJob", "store", "sync"), 1, nil},   // its Job was not captured
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("workloads (-want +got):\n%s", diff)
	}
	report := c.Workload(ref("CronJob", "store", "report"))
	wantReport := []rightsize.Container{{Name: "report", Requests: rightsize.Resources{CPU: 0.25, Memory: 512 << 20}, Limits: rightsize.Resources{Memory: 512 << 20}}}
	if diff := cmp.Diff(wantReport, report.Containers); diff != "" {
		t.Errorf("CronJob report: containers of its job template (-want +got):\n%s", diff)
	}
	if report.Labels["app.kubernetes.io/name"] != "report" {
		t.Errorf("CronJob report: labels = %v; want its pod template's", report.Labels)
	}
	if !c.PodsListed || !c.PDBsListed {
		t.Errorf("PodsListed = %v, PDBsListed = %v; want both true", c.PodsListed, c.PDBsListed)
	}
	if v := c.Version(); v != "v1.32.4-gke.1106006" {
		t.Errorf("Version() = %q; want the older kubelet", v)
	}
	if s := kube.Summary(c); s != "8 workloads, 9 pods, 2 nodes" {
		t.Errorf("Summary = %q", s)
	}
}

func TestPodsBelongToTheirWorkload(t *testing.T) {
	c := readSnapshot(t, "gke.yaml").Cluster("store")
	type pd struct {
		Name  string
		Owner rightsize.WorkloadRef
		Job   string
		Phase string
		Node  string
	}
	var got []pd
	for _, p := range c.Pods {
		got = append(got, pd{p.Name, p.Owner, p.Job, p.Phase, p.Node})
	}
	const node1, node2 = "gke-store-default-pool-7d2e9a4b-h5tw", "gke-store-default-pool-7d2e9a4b-q9rc"
	want := []pd{
		{"backfill-20240101-q8x7z", ref("Job", "store", "backfill-20240101"), "", "Pending", ""},
		{"db-0", ref("StatefulSet", "store", "db"), "", "Running", node1},
		{"frontend-6f8d9c7b4d-8kq2x", ref("Deployment", "store", "frontend"), "", "Running", node1},
		{"frontend-6f8d9c7b4d-z4mnb", ref("Deployment", "store", "frontend"), "", "Running", node2},
		{"report-29180340-7hx2p", ref("CronJob", "store", "report"), "report-29180340", "Running", node2},
		{"sync-29180345-wd8kt", ref("CronJob", "store", "sync"), "sync-29180345", "Running", node1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pods, the finished ones left out (-want +got):\n%s", diff)
	}
	for _, p := range c.Pods {
		if billed, want := p.Billed(), p.Phase == "Running"; billed != want {
			t.Errorf("pod %s: Billed() = %v; want %v", p.Name, billed, want)
		}
	}
}

// A pod's Job decides its workload: the Job's controller, not its name.
func TestJobsOwnerIsReadFromTheJob(t *testing.T) {
	pod := `apiVersion: v1
kind: Pod
metadata:
  name: nightly-29180340-abcde
  namespace: ops
  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: nightly-29180340, uid: u, controller: true}]
status: {phase: Running}
`
	for _, tc := range []struct {
		name, job string
		want      rightsize.WorkloadRef
		wantJob   string
	}{
		{"a Job a CronJob controls", "ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: backup, uid: c, controller: true}]",
			ref("CronJob", "ops", "backup"), "nightly-29180340"},
		{"a Job nothing controls", "labels: {app: nightly}", ref("Job", "ops", "nightly-29180340"), ""},
		{"a Job another controller owns", "ownerReferences: [{apiVersion: kueue.x-k8s.io/v1beta1, kind: Workload, name: w, uid: w, controller: true}]",
			ref("Job", "ops", "nightly-29180340"), ""},
		{"a Job that was not read", "", ref("CronJob", "ops", "nightly"), "nightly-29180340"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := pod
			if tc.job != "" {
				snap += "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: nightly-29180340\n  namespace: ops\n  " + tc.job + "\n"
			}
			c := inline(t, snap).Cluster("")
			if p := c.Pods[0]; p.Owner != tc.want || p.Job != tc.wantJob {
				t.Errorf("pod owner = %v, job %q; want %v, job %q", p.Owner, p.Job, tc.want, tc.wantJob)
			}
			if c.Workload(tc.want) == nil {
				t.Errorf("workloads = %v; want %v among them", c.Workloads, tc.want)
			}
		})
	}
}

func TestHPAMetrics(t *testing.T) {
	res := func(name corev1.ResourceName, pct int32) autoscalingv2.MetricSpec {
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
			Name: name, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: new(pct)}}}
	}
	ctr := func(name corev1.ResourceName, container string, pct int32) autoscalingv2.MetricSpec {
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricSource{
			Name: name, Container: container, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: new(pct)}}}
	}
	ctrValue := autoscalingv2.MetricSpec{Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricSource{
		Name: corev1.ResourceCPU, Container: "app", Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: new(resource.MustParse("300m"))}}}
	external := autoscalingv2.MetricSpec{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{
		Metric: autoscalingv2.MetricIdentifier{Name: "queue_depth"}, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: new(resource.MustParse("30"))}}}
	for _, tc := range []struct {
		name    string
		metrics []autoscalingv2.MetricSpec
		want    rightsize.HPA
	}{
		{"a Resource CPU metric is the pod's", []autoscalingv2.MetricSpec{res(corev1.ResourceCPU, 60)},
			rightsize.HPA{CPUTarget: 0.6, CPUMetric: 0}},
		{"a ContainerResource CPU metric names its container", []autoscalingv2.MetricSpec{external, ctr(corev1.ResourceCPU, "app", 75)},
			rightsize.HPA{CPUTarget: 0.75, CPUMetric: 1, CPUContainer: "app", OtherMetrics: 1}},
		{"a ContainerResource memory metric names its container", []autoscalingv2.MetricSpec{ctr(corev1.ResourceMemory, "app", 80)},
			rightsize.HPA{CPUMetric: -1, MemoryTarget: 0.8, MemoryContainer: "app"}},
		{"an AverageValue CPU target is another metric", []autoscalingv2.MetricSpec{ctrValue},
			rightsize.HPA{CPUMetric: -1, OtherMetrics: 1}},
		{"the first of a Resource and a ContainerResource CPU metric is kept", []autoscalingv2.MetricSpec{res(corev1.ResourceCPU, 60), ctr(corev1.ResourceCPU, "app", 75)},
			rightsize.HPA{CPUTarget: 0.6, CPUMetric: 0, OtherMetrics: 1}},
		{"the first of a ContainerResource and a Resource CPU metric is kept", []autoscalingv2.MetricSpec{ctr(corev1.ResourceCPU, "app", 75), res(corev1.ResourceCPU, 60)},
			rightsize.HPA{CPUTarget: 0.75, CPUMetric: 0, CPUContainer: "app", OtherMetrics: 1}},
		{"a second memory metric is another metric", []autoscalingv2.MetricSpec{res(corev1.ResourceMemory, 70), ctr(corev1.ResourceMemory, "app", 80)},
			rightsize.HPA{CPUMetric: -1, MemoryTarget: 0.7, OtherMetrics: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var objs kube.Objects
			objs.Add(&autoscalingv2.HorizontalPodAutoscaler{
				ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "ns"},
				Spec: autoscalingv2.HorizontalPodAutoscalerSpec{ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: "Deployment", Name: "app"},
					MinReplicas: new(int32(2)), MaxReplicas: 10, Metrics: tc.metrics},
			})
			objs.Add(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "ns"}})
			w := objs.Cluster("").Workload(ref("Deployment", "ns", "app"))
			want := tc.want
			want.Name, want.MinReplicas, want.MaxReplicas = "app", 2, 10
			if diff := cmp.Diff(&want, w.HPA); diff != "" {
				t.Errorf("HPA (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequestsDefaultToLimits(t *testing.T) {
	for _, tc := range []struct {
		name      string
		resources string
		want      rightsize.Resources
	}{
		{"limits only", "limits: {cpu: '1', memory: 1Gi}", rightsize.Resources{CPU: 1, Memory: 1 << 30}},
		{"a CPU request and a memory limit", "requests: {cpu: 250m}\n      limits: {memory: 512Mi}", rightsize.Resources{CPU: 0.25, Memory: 512 << 20}},
		{"requests below the limits", "requests: {cpu: 100m, memory: 128Mi}\n      limits: {cpu: '2', memory: 1Gi}", rightsize.Resources{CPU: 0.1, Memory: 128 << 20}},
		{"a zero request set", "requests: {cpu: '0'}\n      limits: {cpu: '1'}", rightsize.Resources{}},
		{"nothing", "{}", rightsize.Resources{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := inline(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: ns}
spec:
  template:
    spec:
      containers:
      - name: app
        resources:
          `+strings.ReplaceAll(tc.resources, "\n", "\n    ")+"\n").Cluster("")
			if got := c.Workloads[0].Containers[0].Requests; got != tc.want {
				t.Errorf("requests of %s = %+v; want %+v", tc.resources, got, tc.want)
			}
		})
	}
}

func TestPDBsMatchTheirWorkloads(t *testing.T) {
	const workloads = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ns, labels: {tier: web}}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: ns}
spec:
  template:
    metadata: {labels: {app: db, tier: data}}
    spec: {containers: [{name: db}]}
`
	for _, tc := range []struct {
		name, pdb     string
		web, db       []string
		wantPDBListed bool
	}{
		{"a selector that matches the template's labels", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: ns}\nspec: {selector: {matchLabels: {app: db}}}",
			nil, []string{"p"}, true},
		{"a selector on the workload's own labels matches nothing", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: ns}\nspec: {selector: {matchLabels: {tier: web}}}",
			nil, nil, true},
		{"an expression", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: ns}\nspec: {selector: {matchExpressions: [{key: tier, operator: Exists}]}}",
			nil, []string{"p"}, true},
		{"an empty selector matches every pod", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: ns}\nspec: {selector: {}}",
			[]string{"p"}, []string{"p"}, true},
		{"no selector matches none", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: ns}\nspec: {minAvailable: 1}",
			nil, nil, true},
		{"an empty policy/v1beta1 selector matches none", "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: ns}\nspec: {selector: {}}",
			nil, nil, true},
		{"another namespace's PDB", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: other}\nspec: {selector: {}}",
			nil, nil, true},
		{"names are sorted", "apiVersion: policy/v1\nkind: PodDisruptionBudgetList\nitems:\n- {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: z, namespace: ns}, spec: {selector: {}}}\n- {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: a, namespace: ns}, spec: {selector: {matchLabels: {app: web}}}}",
			[]string{"a", "z"}, []string{"z"}, true},
		{"no PDB in the snapshot", "", nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := workloads
			if tc.pdb != "" {
				snap += "---\n" + tc.pdb + "\n"
			}
			c := inline(t, snap).Cluster("")
			web, db := c.Workload(ref("Deployment", "ns", "web")), c.Workload(ref("StatefulSet", "ns", "db"))
			if !slices.Equal(web.PDBs, tc.web) || !slices.Equal(db.PDBs, tc.db) || c.PDBsListed != tc.wantPDBListed {
				t.Errorf("PDBs of web %q, db %q, listed %v; want %q, %q, %v", web.PDBs, db.PDBs, c.PDBsListed, tc.web, tc.db, tc.wantPDBListed)
			}
		})
	}
}

// A snapshot cannot tell "none" from "not captured": pods and PDBs count
// as listed only when it holds one, or a list of their kind.
func TestSnapshotSaysWhatItListed(t *testing.T) {
	for _, tc := range []struct {
		name           string
		snapshot       string
		pods, pdbs     bool
		wantIgnoredLen int
	}{
		{"a List with a pod", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: ns}}\n", true, false, 0},
		{"an empty PodList", "apiVersion: v1\nkind: PodList\nitems: []\n", true, false, 0},
		{"an empty PodDisruptionBudgetList", "apiVersion: policy/v1\nkind: PodDisruptionBudgetList\nmetadata: {}\n", false, true, 0},
		{"an empty policy/v1beta1 PodDisruptionBudgetList", "apiVersion: policy/v1beta1\nkind: PodDisruptionBudgetList\nitems: []\n", false, true, 0},
		{"a policy/v1beta1 PodDisruptionBudget", "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: ns}\n", false, true, 0},
		{"an empty List", "apiVersion: v1\nkind: List\nitems: []\n", false, false, 0},
		{"deployments only", "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: ns}}\n", false, false, 0},
		{"a list of a custom kind", "apiVersion: example.com/v1\nkind: WidgetList\nitems: []\n", false, false, 0},
		{"a List in a List", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Pod, metadata: {name: p}}]}\n", false, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs := inline(t, tc.snapshot)
			c := objs.Cluster("")
			if c.PodsListed != tc.pods || c.PDBsListed != tc.pdbs || len(objs.Ignored) != tc.wantIgnoredLen {
				t.Errorf("PodsListed %v, PDBsListed %v, ignored %v; want %v, %v, %d kinds ignored", c.PodsListed, c.PDBsListed, objs.Ignored, tc.pods, tc.pdbs, tc.wantIgnoredLen)
			}
		})
	}
}

func TestAutopilotSigns(t *testing.T) {
	nodeYAML := func(name, machineType, label string) string {
		return "apiVersion: v1\nkind: Node\nmetadata:\n  name: " + name + "\n  labels: {node.kubernetes.io/instance-type: " + machineType + label + "}\n" +
			"status: {nodeInfo: {kubeletVersion: v1.33.1-gke.1584000}}\n---\n"
	}
	podYAML := func(ns, name, annotations string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: " + ns + ", annotations: {" + annotations + "}}\nstatus: {phase: Running}\n---\n"
	}
	for _, tc := range []struct {
		name, snapshot string
		want           string // Cluster.Autopilot's sign, "" for a Standard cluster
	}{
		{"a Standard cluster", nodeYAML("gke-prod-pool-1-2c4e6a8b-d5f7", "n2-standard-4", "") + podYAML("ns", "p", "cluster-autoscaler.kubernetes.io/safe-to-evict: 'true'"), ""},
		{"a gk3- node", nodeYAML("gk3-prod-pool-2-5b1c9d3e-k2vq", "n2-standard-4", ""), "node gk3-prod-pool-2-5b1c9d3e-k2vq: named gk3-…"},
		{"an ek- machine type", nodeYAML("node-a", "ek-standard-8", ""), "node node-a: machine type ek-standard-8"},
		{"an Autopilot label", nodeYAML("node-a", "e2-standard-4", ", cloud.google.com/gke-autopilot-compute-class: general-purpose"), "node node-a: label cloud.google.com/gke-autopilot-compute-class"},
		{"a pod annotation when no node is known",
			podYAML("shop", "web-2", "autopilot.gke.io/resource-adjustment: x") + podYAML("shop", "web-1", "autopilot.gke.io/warden-version: 3.1.27, autopilot.gke.io/resource-adjustment: x") + podYAML("app", "z", "other: x"),
			"pod shop/web-1 annotated autopilot.gke.io/resource-adjustment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := inline(t, tc.snapshot).Cluster("")
			ok, sign := c.Autopilot()
			if ok != (tc.want != "") || sign != tc.want {
				t.Errorf("Autopilot() = %v, %q; want %q", ok, sign, tc.want)
			}
			for _, n := range c.Nodes {
				if n.KubeletVersion != "v1.33.1-gke.1584000" || n.Autopilot != (n.AutopilotSignal != "") {
					t.Errorf("node = %+v; want its kubelet version, and Autopilot set with its signal", n)
				}
			}
		})
	}
	c := readSnapshot(t, "autopilot.yaml").Cluster("")
	if c.AutopilotSignal != "pod shop/api-84d6b9c5f7-2mwxq annotated autopilot.gke.io/resource-adjustment" {
		t.Errorf("autopilot.yaml: AutopilotSignal = %q", c.AutopilotSignal)
	}
	if p := c.Pods[2]; p.Phase != "Pending" || p.Billed() {
		t.Errorf("autopilot.yaml: pod %s phase %q, billed %v; want Pending, not billed", p.Name, p.Phase, p.Billed())
	}
}

// forbid makes the fake API server refuse to list resource.
func forbid(cs *fake.Clientset, resource, group string) {
	cs.PrependReactor("list", resource, func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: group, Resource: resource}, "", errors.New(`User "reader" cannot list resource`))
	})
}

func TestReadGoesOnWithoutOptionalKinds(t *testing.T) {
	snap := readSnapshot(t, "gke.yaml")
	for _, tc := range []struct {
		resource, group string
		check           func(*rightsize.Cluster) bool // what is lost
	}{
		{"poddisruptionbudgets", "policy", func(c *rightsize.Cluster) bool { return !c.PDBsListed }},
		{"daemonsets", "apps", func(c *rightsize.Cluster) bool {
			w := c.Workload(ref("DaemonSet", "kube-system", "node-agent"))
			return w != nil && w.Replicas == 2 && w.PDBs == nil // an orphan owner, from its pods
		}},
		{"jobs", "batch", func(c *rightsize.Cluster) bool {
			return c.Workload(ref("CronJob", "store", "backfill")) != nil // guessed from the Job's name
		}},
		{"cronjobs", "batch", func(c *rightsize.Cluster) bool {
			w := c.Workload(ref("CronJob", "store", "report"))
			return w != nil && w.Labels == nil && c.Workload(ref("CronJob", "store", "cleanup")) == nil
		}},
	} {
		t.Run(tc.resource, func(t *testing.T) {
			cs := fake.NewClientset(apiObjects(snap)...)
			forbid(cs, tc.resource, tc.group)
			objs, err := kube.Read(context.Background(), cs, "")
			if err != nil {
				t.Fatalf("Read: %v; want it to go on without %s", err, tc.resource)
			}
			if len(objs.Notes) != 1 || !strings.HasPrefix(objs.Notes[0], tc.resource+" not read (listing them is forbidden): ") {
				t.Errorf("notes = %q; want one saying %s were not read", objs.Notes, tc.resource)
			}
			if c := objs.Cluster(""); !tc.check(c) || !c.PodsListed {
				t.Errorf("cluster without %s = %+v; not what was expected", tc.resource, c.Workloads)
			}
		})
	}
}

func TestReadFailsWithoutNeededKinds(t *testing.T) {
	for _, tc := range []struct{ resource, group string }{
		{"deployments", "apps"}, {"statefulsets", "apps"}, {"horizontalpodautoscalers", "autoscaling"}, {"pods", ""}, {"nodes", ""},
	} {
		t.Run(tc.resource, func(t *testing.T) {
			cs := fake.NewClientset()
			forbid(cs, tc.resource, tc.group)
			_, err := kube.Read(context.Background(), cs, "")
			if !apierrors.IsForbidden(err) || !strings.HasPrefix(err.Error(), "list "+tc.resource+": ") {
				t.Errorf("Read with %s forbidden: err = %v; want the forbidden list", tc.resource, err)
			}
		})
	}
}

// An empty cluster's pods and PDBs are listed: there are none.
func TestReadOfAnEmptyClusterListsPodsAndPDBs(t *testing.T) {
	objs, err := kube.Read(context.Background(), fake.NewClientset(), "")
	if err != nil {
		t.Fatal(err)
	}
	if c := objs.Cluster(""); !c.PodsListed || !c.PDBsListed || kube.Summary(c) != "0 workloads, 0 pods, 0 nodes" {
		t.Errorf("empty cluster = %+v (%s); want pods and PDBs listed", c, kube.Summary(c))
	}
}
