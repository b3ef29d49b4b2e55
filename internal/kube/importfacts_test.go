package kube_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/headroom-sre/headroom/importer"
	"github.com/headroom-sre/headroom/internal/kube"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The import snapshot maps to the facts an SRE would read off it: web
// with its HPA (behavior included), its PDB, three start-ups and two image
// pulls (a third found the image cached); api with its two metrics and
// one start-up (the other pod restarted: its conditions changed since);
// db with its PDB; the node pool. The facts are kept as a golden file.
func TestFactsOfTheImportSnapshot(t *testing.T) {
	objs := readSnapshot(t, "import.yaml")
	if len(objs.Events) != 3 {
		t.Fatalf("%d events read; want 3", len(objs.Events))
	}
	f := objs.Facts("shop", "snapshot import.yaml")
	js, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "import.facts.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(js, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/kube -update)", err)
	}
	if diff := cmp.Diff(string(want), string(js)+"\n"); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}

	byName := map[string]importer.Workload{}
	for _, w := range f.Workloads {
		byName[w.Name] = w
	}
	web, api, db := byName["web"], byName["api"], byName["db"]
	if _, ok := byName["kube-dns"]; ok {
		t.Error("another namespace's workload was kept")
	}
	if web.HPA == nil || web.HPA.Behavior == nil || web.HPA.Behavior.ScaleDown == nil || *web.HPA.Behavior.ScaleDown.StabilizationWindowSeconds != 300 ||
		len(web.HPA.Behavior.ScaleUp.Policies) != 2 || web.HPA.Behavior.ScaleUp.SelectPolicy != "Max" {
		t.Errorf("web's HPA = %+v; want its behavior", web.HPA)
	}
	if len(web.ReadinessGates) != 1 || web.ReadinessGates[0] != "cloud.google.com/load-balancer-neg-ready" || len(api.ReadinessGates) != 0 {
		t.Errorf("readiness gates web %v, api %v; want web's container-native load balancing gate only", web.ReadinessGates, api.ReadinessGates)
	}
	if len(web.Startups) != 3 || len(web.ImagePulls) != 2 || web.CachedPulls != 1 {
		t.Errorf("web: %d start-ups, pulls %v, %d cached; want 3, two pulls, one cached", len(web.Startups), web.ImagePulls, web.CachedPulls)
	}
	for _, s := range web.Startups {
		if s.Total() <= 0 || s.Total() > time.Minute {
			t.Errorf("start-up %+v: want a positive start-up of less than a minute", s)
		}
	}
	if len(api.Startups) != 1 || api.StartupsSkipped != 1 || len(api.HPA.Metrics) != 2 || api.HPA.MinReplicas != 0 {
		t.Errorf("api = %+v; want one start-up, one skipped (restarted), two metrics, minReplicas unset", api)
	}
	if len(db.PDBs) != 1 || db.PDBs[0].MaxUnavailable != "1" || web.PDBs[0].MinAvailable != "2" {
		t.Errorf("PDBs web %v, db %v; want minAvailable 2 and maxUnavailable 1", web.PDBs, db.PDBs)
	}
	if n := f.Nodes; n.Autopilot || n.MachineType != "e2-standard-4" || n.Count != 3 || n.Pool != "default-pool" {
		t.Errorf("nodes = %+v; want three e2-standard-4 in default-pool, Standard", n)
	}
}

func TestPodStartup(t *testing.T) {
	at := func(s int) metav1.Time { return metav1.NewTime(time.Date(2026, 11, 20, 10, 0, s, 0, time.UTC)) }
	cond := func(typ corev1.PodConditionType, s int) corev1.PodCondition {
		return corev1.PodCondition{Type: typ, Status: corev1.ConditionTrue, LastTransitionTime: at(s)}
	}
	pod := func(conds ...corev1.PodCondition) corev1.Pod {
		return corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", CreationTimestamp: at(0)}, Status: corev1.PodStatus{Conditions: slices.Clone(conds)}}
	}
	all := []corev1.PodCondition{cond(corev1.PodScheduled, 1), cond(corev1.PodInitialized, 3), cond(corev1.ContainersReady, 24), cond(corev1.PodReady, 26)}
	restarted := pod(all...)
	restarted.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", RestartCount: 2, Ready: true}}
	notReady := pod(all...)
	notReady.Status.Conditions[3].Status = corev1.ConditionFalse
	late := pod(cond(corev1.PodScheduled, 1), cond(corev1.PodInitialized, 3), cond(corev1.ContainersReady, 24), corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue,
		LastTransitionTime: metav1.NewTime(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC))})
	for _, tc := range []struct {
		name string
		pod  corev1.Pod
		want importer.PodStartup
		ok   bool
	}{
		{"four conditions in order", pod(all...), importer.PodStartup{Pod: "ns/p", Schedule: time.Second, Init: 2 * time.Second, Start: 21 * time.Second, Gates: 2 * time.Second}, true},
		{"conditions in any order in the list", pod(all[3], all[1], all[0], all[2]), importer.PodStartup{Pod: "ns/p", Schedule: time.Second, Init: 2 * time.Second, Start: 21 * time.Second, Gates: 2 * time.Second}, true},
		{"a container that restarted", restarted, importer.PodStartup{}, false},
		{"not ready", notReady, importer.PodStartup{}, false},
		{"a condition missing", pod(all[0], all[1], all[3]), importer.PodStartup{}, false},
		{"out of order", pod(cond(corev1.PodScheduled, 30), all[1], all[2], all[3]), importer.PodStartup{}, false},
		{"ready a day later: it changed again since", late, importer.PodStartup{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := kube.PodStartup(tc.pod)
			if got != tc.want || ok != tc.ok {
				t.Errorf("PodStartup = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestParsePulled(t *testing.T) {
	for _, tc := range []struct {
		msg        string
		want       time.Duration
		cached, ok bool
	}{
		{`Successfully pulled image "europe-docker.pkg.dev/shop/web:1.4.2" in 6.412s (6.412s including waiting). Image size: 48213311 bytes.`, 6412 * time.Millisecond, false, true},
		{`Successfully pulled image "nginx:1.27" in 823.5ms (9.1s including waiting). Image size: 72 bytes.`, 823500 * time.Microsecond, false, true},
		{`Successfully pulled image "nginx" in 1m2.5s`, 62500 * time.Millisecond, false, true},
		{`Container image "nginx:1.27" already present on machine`, 0, true, false},
		{`Pulling image "nginx:1.27"`, 0, false, false},
		{`Successfully pulled image "nginx" in forever`, 0, false, false},
		{`Successfully pulled image "nginx" in -3s`, 0, false, false},
		{`Successfully pulled image "nginx" in 3h`, 0, false, false},
		{`Successfully pulled image "nginx" in 0s`, 0, false, false},
		{"Successfully pulled image " + strings.Repeat("x", 5000) + `" in 3s`, 0, false, false},
	} {
		d, cached, ok := kube.ParsePulled(tc.msg)
		if d != tc.want || cached != tc.cached || ok != tc.ok {
			t.Errorf("ParsePulled(%.60q) = %v, %v, %v; want %v, %v, %v", tc.msg, d, cached, ok, tc.want, tc.cached, tc.ok)
		}
	}
}

func FuzzParsePulled(f *testing.F) {
	f.Add(`Successfully pulled image "nginx:1.27" in 823.5ms (9.1s including waiting). Image size: 72 bytes.`)
	f.Add(`Container image "nginx:1.27" already present on machine`)
	f.Add(`Successfully pulled image "a" in " in 3s`)
	f.Fuzz(func(t *testing.T, msg string) {
		d, cached, ok := kube.ParsePulled(msg)
		if ok && (d <= 0 || d > time.Hour || cached) {
			t.Errorf("ParsePulled(%q) = %v, cached %v, ok: want a pull between 0 and 1h, not cached", msg, d, cached)
		}
		if !ok && d != 0 {
			t.Errorf("ParsePulled(%q) = %v without ok", msg, d)
		}
	})
}

// Events come through the API as they do from a snapshot; a cluster that
// forbids listing them is read without image pulls, and says so.
func TestReadEvents(t *testing.T) {
	snap := readSnapshot(t, "import.yaml")
	objects := apiObjects(snap)
	for i := range snap.Events {
		objects = append(objects, &snap.Events[i])
	}
	cs := fake.NewClientset(objects...)
	objs, err := kube.Read(context.Background(), cs, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if err := kube.ReadEvents(context.Background(), cs, "shop", objs); err != nil {
		t.Fatal(err)
	}
	want := snap.Facts("shop", "x")
	got := objs.Facts("shop", "x")
	if diff := cmp.Diff(want.Workloads, got.Workloads); diff != "" {
		t.Errorf("facts through the API differ from the snapshot's (-snapshot +API):\n%s", diff)
	}

	forbidden := fake.NewClientset(objects...)
	forbidden.PrependReactor("list", "events", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "events"}, "", errors.New(`User "reader" cannot list resource "events"`))
	})
	objs = &kube.Objects{}
	if err := kube.ReadEvents(context.Background(), forbidden, "shop", objs); err != nil {
		t.Fatalf("ReadEvents with events forbidden = %v; want it to go on", err)
	}
	if len(objs.Events) != 0 || len(objs.Notes) != 1 || !strings.Contains(objs.Notes[0], "image pull times are not known") {
		t.Errorf("notes = %q; want one saying image pulls are not known", objs.Notes)
	}
}

// Pods at a negative priority (placeholder pods) carry it to their
// workload: the lowest priority of its pods.
func TestFactsReadPodPriority(t *testing.T) {
	objs := inline(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: overprovisioning, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: overprovisioning}}
    spec:
      priorityClassName: overprovisioning
      containers: [{name: pause, image: registry.k8s.io/pause, resources: {requests: {cpu: 500m, memory: 512Mi}}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: overprovisioning-5d6f7c8b9-q1w2e
  namespace: shop
  labels: {app: overprovisioning, pod-template-hash: 5d6f7c8b9}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: overprovisioning-5d6f7c8b9, uid: rs, controller: true}]
spec: {priorityClassName: overprovisioning, priority: -10, containers: [{name: pause, image: registry.k8s.io/pause}]}
status: {phase: Running}
`)
	f := objs.Facts("", "inline")
	if len(f.Workloads) != 1 || f.Workloads[0].Priority != -10 {
		t.Errorf("workloads %+v; want overprovisioning at priority -10", f.Workloads)
	}
}
