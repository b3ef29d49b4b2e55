package kube_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/rightsize"
)

func readSnapshot(t *testing.T, name string) *kube.Objects {
	t.Helper()
	path := filepath.Join("testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kube.ReadSnapshot(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func ref(kind, ns, name string) rightsize.WorkloadRef {
	return rightsize.WorkloadRef{Kind: kind, Namespace: ns, Name: name}
}

func TestSnapshotMapsToTheCluster(t *testing.T) {
	c := readSnapshot(t, "snapshot.yaml").Cluster("")
	type wl struct {
		Ref        rightsize.WorkloadRef
		Replicas   int
		Containers []string
	}
	var got []wl
	for _, w := range c.Workloads {
		var names []string
		for _, ct := range w.Containers {
			names = append(names, ct.Name)
		}
		got = append(got, wl{w.WorkloadRef, w.Replicas, names})
	}
	want := []wl{
		{ref("DaemonSet", "kube-system", "fluentbit-gke"), 3, []string{"fluentbit"}},
		{ref("Deployment", "shop", "api"), 3, []string{"app"}},
		{ref("Deployment", "shop", "checkout"), 2, []string{"checkout"}},
		{ref("StatefulSet", "shop", "redis"), 1, []string{"redis"}},
		{ref("Deployment", "shop", "web"), 2, []string{"log-shipper", "nginx"}},
		{ref("Deployment", "tools", "admin"), 1, []string{"admin"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("workloads (-want +got):\n%s", diff)
	}
	api := c.Workload(ref("Deployment", "shop", "api"))
	wantAPI := rightsize.Container{Name: "app", Requests: rightsize.Resources{CPU: 0.5, Memory: 512 << 20}, Limits: rightsize.Resources{Memory: 512 << 20}}
	if diff := cmp.Diff(wantAPI, api.Containers[0]); diff != "" {
		t.Errorf("api container (-want +got):\n%s", diff)
	}
	if api.Labels["app.kubernetes.io/component"] != "backend" {
		t.Errorf("api labels = %v; want the component label", api.Labels)
	}
	wantHPA := &rightsize.HPA{Name: "api", MinReplicas: 3, MaxReplicas: 12, CurrentReplicas: 3, CPUTarget: 0.6, CPUMetric: 0}
	if diff := cmp.Diff(wantHPA, api.HPA); diff != "" {
		t.Errorf("api HPA (-want +got):\n%s", diff)
	}
	chk := c.Workload(ref("Deployment", "shop", "checkout")).HPA
	if chk.CPUTarget != 0.7 || chk.CPUMetric != 1 || chk.OtherMetrics != 1 {
		t.Errorf("checkout HPA = %+v; want CPU 70%% as metrics[1] and one external metric", chk)
	}
	if len(c.Pods) != 12 {
		t.Errorf("pods = %d; want 12 (the finished Job pod left out)", len(c.Pods))
	}
	for _, p := range c.Pods {
		if p.Name == "api-7f9c6b8d5b-2kxlm" && (p.Owner != ref("Deployment", "shop", "api") || p.Node != "gke-shop-default-pool-3f9a1c2e-7xkq") {
			t.Errorf("api pod = %+v; want owned by Deployment shop/api on the first node", p)
		}
	}
	const kubelet = "v1.33.2-gke.1111000"
	wantNodes := []rightsize.Node{
		{Name: "gke-shop-default-pool-3f9a1c2e-7xkq", MachineType: "n2-standard-4", Pool: "default-pool", Region: "us-central1",
			Capacity: rightsize.Resources{CPU: 4, Memory: 16386768 * 1024}, Allocatable: rightsize.Resources{CPU: 3.92, Memory: 13034192 * 1024}, KubeletVersion: kubelet},
		{Name: "gke-shop-default-pool-3f9a1c2e-m4tz", MachineType: "n2-standard-4", Pool: "default-pool", Region: "us-central1",
			Capacity: rightsize.Resources{CPU: 4, Memory: 16386768 * 1024}, Allocatable: rightsize.Resources{CPU: 3.92, Memory: 13034192 * 1024}, KubeletVersion: kubelet},
		{Name: "gke-shop-spot-pool-8b2d4e6f-q2wn", MachineType: "e2-standard-4", Spot: true, Pool: "spot-pool", Region: "us-central1",
			Capacity: rightsize.Resources{CPU: 4, Memory: 16393232 * 1024}, Allocatable: rightsize.Resources{CPU: 3.92, Memory: 13040656 * 1024}, KubeletVersion: kubelet},
	}
	if diff := cmp.Diff(wantNodes, c.Nodes); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	if !c.PodsListed || c.PDBsListed {
		t.Errorf("PodsListed = %v, PDBsListed = %v; want pods listed, PDBs unknown (the snapshot has none)", c.PodsListed, c.PDBsListed)
	}
	if r := kube.Region(c); r != "us-central1" {
		t.Errorf("Region = %q", r)
	}
}

func TestMultiDocumentSnapshot(t *testing.T) {
	objs := readSnapshot(t, "multidoc.yaml")
	if objs.Ignored["Service"] != 1 {
		t.Errorf("Ignored = %v; want the Service counted", objs.Ignored)
	}
	c := objs.Cluster("catalog")
	w := c.Workload(ref("Deployment", "catalog", "search"))
	if w == nil || w.HPA == nil {
		t.Fatalf("search = %+v; want the Deployment with its HPA", w)
	}
	if w.HPA.CPUTarget != 0.65 || w.HPA.CPUMetric != 0 || w.HPA.MinReplicas != 4 {
		t.Errorf("autoscaling/v1 HPA = %+v; want CPU 65%% as metrics[0], min 4", w.HPA)
	}
	if w.Labels["app.kubernetes.io/component"] != "query" || w.Labels["app"] != "search" {
		t.Errorf("labels = %v; want the workload's and the template's", w.Labels)
	}
	if n := c.Nodes[0]; !n.Spot || n.MachineType != "n2d-highmem-8" || n.Region != "asia-northeast1" {
		t.Errorf("node = %+v; want a preemptible n2d-highmem-8 in asia-northeast1", n)
	}
	if len(objs.Cluster("other").Workloads) != 0 {
		t.Error("a namespace filter kept another namespace's workloads")
	}
}

// apiObjects returns every object read, for a fake clientset to serve.
func apiObjects(o *kube.Objects) []runtime.Object {
	var out []runtime.Object
	out = appendPointers(out, o.Deployments)
	out = appendPointers(out, o.StatefulSets)
	out = appendPointers(out, o.DaemonSets)
	out = appendPointers(out, o.CronJobs)
	out = appendPointers(out, o.Jobs)
	out = appendPointers(out, o.HPAs)
	out = appendPointers(out, o.PDBs)
	out = appendPointers(out, o.Pods)
	return appendPointers(out, o.Nodes)
}

func appendPointers[T any, PT interface {
	*T
	runtime.Object
}](out []runtime.Object, xs []T) []runtime.Object {
	for i := range xs {
		out = append(out, PT(&xs[i]))
	}
	return out
}

// The same objects read through the API (client-go's fake clientset) map
// to the same cluster as the snapshot, whole or one namespace. The only
// difference allowed: the API always lists PDBs, a snapshot without any
// cannot say it did.
func TestReadFromTheAPIMatchesTheSnapshot(t *testing.T) {
	for _, tc := range []struct {
		file      string
		namespace string
	}{
		{"snapshot.yaml", ""},
		{"snapshot.yaml", "shop"},
		{"multidoc.yaml", ""},
		{"gke.yaml", ""},
		{"gke.yaml", "store"},
		{"gke.yaml", "kube-system"},
		{"autopilot.yaml", ""},
		{"autopilot.yaml", "shop"},
	} {
		t.Run(tc.file+" namespace "+tc.namespace, func(t *testing.T) {
			snap := readSnapshot(t, tc.file)
			api, err := kube.Read(context.Background(), fake.NewClientset(apiObjects(snap)...), tc.namespace)
			if err != nil {
				t.Fatal(err)
			}
			want, got := snap.Cluster(tc.namespace), api.Cluster(tc.namespace)
			if !got.PodsListed || !got.PDBsListed || len(api.Notes) > 0 {
				t.Errorf("API: PodsListed %v, PDBsListed %v, notes %q; want both listed, no notes", got.PodsListed, got.PDBsListed, api.Notes)
			}
			if !want.PDBsListed && len(snap.PDBs) == 0 {
				want.PDBsListed = true
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("API vs snapshot (-snapshot +api):\n%s", diff)
			}
			for _, w := range got.Workloads {
				if tc.namespace != "" && w.Namespace != tc.namespace {
					t.Errorf("reading namespace %s returned %v", tc.namespace, w.WorkloadRef)
				}
			}
		})
	}
}

func TestSnapshotErrorsArePositioned(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"a list item that is not an object", "apiVersion: v1\nkind: List\nitems:\n- just a string\n",
			"snap.yaml:4:3: items[0]: want a Kubernetes object"},
		{"a field of the wrong type", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: x}\n  spec:\n    replicas: three\n",
			"snap.yaml:4:3: items[0]: "},
		{"an object without a kind", "apiVersion: v1\nmetadata: {name: x}\n", "snap.yaml:1:1: "},
		{"broken YAML", "kind: [\n", "snap.yaml: invalid YAML"},
		{"the second document", "apiVersion: v1\nkind: Node\nmetadata: {name: a}\n---\n- 1\n", "snap.yaml:5:1: document 2: want a Kubernetes object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kube.ReadSnapshot("snap.yaml", []byte(tc.in))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %v; want it to start with %q", err, tc.want)
			}
		})
	}
}

// A file of thousands of wrong objects lists the first 50 problems and
// counts the rest.
func TestSnapshotProblemsAreCapped(t *testing.T) {
	in := "apiVersion: v1\nkind: List\nitems:\n" + strings.Repeat("- just a string\n", 3000)
	_, err := kube.ReadSnapshot("snap.yaml", []byte(in))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 51 || lines[50] != "… and 2950 more problems (only the first 50 are listed)" {
		t.Errorf("%d lines, last %q; want 50 problems and a count of the rest", len(lines), lines[len(lines)-1])
	}
}

func TestConnectReadsTheKubeconfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	err := os.WriteFile(cfg, []byte(`apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: me
  user: {token: secret-token}
contexts:
- name: dev
  context: {cluster: local, user: me}
- name: prod
  context: {cluster: local, user: me, namespace: shop}
current-context: dev
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ context, want string }{{"", "dev"}, {"prod", "prod"}} {
		_, name, err := kube.Connect(kube.Config{Kubeconfig: cfg, Context: tc.context})
		if err != nil || name != tc.want {
			t.Errorf("Connect(context %q) = %q, %v; want %q", tc.context, name, err, tc.want)
		}
	}
	_, _, err = kube.Connect(kube.Config{Kubeconfig: cfg, Context: "staging"})
	if err == nil || !strings.Contains(err.Error(), `"staging"`) || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("unknown context: err = %v; want it named, without the token", err)
	}
}

func FuzzReadSnapshot(f *testing.F) {
	for _, name := range []string{"multidoc.yaml", "autopilot.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [1, {kind: Pod}]\n"))
	f.Add([]byte("kind: DeploymentList\nitems: {}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := kube.ReadSnapshot("fuzz.yaml", data)
		if err != nil {
			return
		}
		_ = objs.Cluster("")
	})
}
