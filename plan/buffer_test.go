package plan

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/sim"
)

// capacityBufferObject is the part of the CapacityBuffer custom resource
// (autoscaling.x-k8s.io, as GKE documents it: reference/crds/capacitybuffer)
// the plan writes. Strict decoding into it rejects any other field.
type capacityBufferObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace,omitempty"`
	} `json:"metadata"`
	Spec struct {
		ProvisioningStrategy string `json:"provisioningStrategy,omitempty"`
		PodTemplateRef       *struct {
			Name string `json:"name"`
		} `json:"podTemplateRef,omitempty"`
		Replicas *int32 `json:"replicas,omitempty"`
	} `json:"spec"`
}

// nodeBoundShop is one fast-starting web component on a Standard pool of
// n2-standard-4 nodes, 210 s to a new node, hit by a surprise surge from
// 100 to 800 req/s within 30 s: its new pods are ready in 15 s once on a
// node, so what binds is room on nodes. About seven pods more than the
// running node holds: held by a higher floor they cost a second running
// node; by a standby buffer, a suspended one.
func nodeBoundShop(t testing.TB) Problem {
	cat := pricing.GCP()
	m, err := pricing.ParseMachineType("n2-standard-4")
	if err != nil {
		t.Fatal(err)
	}
	mp, err := cat.Machine("us-central1", m, pricing.OnDemand)
	if err != nil {
		t.Fatal(err)
	}
	sys := sim.System{
		Entry: "web",
		Components: []sim.Component{{
			Name:      "web",
			Capacity:  sim.Capacity{PerReplicaRPS: 100, CPUPerRequest: 0.005},
			Resources: sim.Resources{CPURequest: 0.5, CPULimit: 1, MemoryRequest: 512 << 20},
			Startup:   sim.Startup{Schedule: time.Second, ImagePull: 4 * time.Second, Init: 5 * time.Second, Readiness: 5 * time.Second},
			Timeout:   5 * time.Second,
			HPA: &sim.HPA{MinReplicas: 2, MaxReplicas: 40, Metrics: []sim.Metric{
				{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 60}}},
		}},
		Nodes:      sim.Nodes{Mode: sim.Standard, MachineType: "n2-standard-4", NodeCPU: m.VCPU, NodeMemory: m.MemoryGiB * (1 << 30), MinNodes: 1, MaxNodes: 20},
		Objectives: sim.Objectives{Availability: 0.999},
		Prices: sim.Prices{Currency: "USD", VCPUHour: mp.Rate.VCPU.USD, GiBHour: mp.Rate.GiB.USD, NodeHour: mp.Hourly(),
			ClusterFeeHour: cat.ClusterFee.USD},
	}
	return Problem{System: sys, Scenarios: []Scenario{{Scenario: sim.Scenario{Name: "surge",
		Traffic: curve(t, "spike:base=100,peak=800,at=2m,rise=30s,hold=10m,decay=5m,for=20m"), Event: sim.EventSurprise}}},
		Sizing: map[string]Sizing{"web": {MinCPU: 0.5, MaxCPU: 0.5}}}
}

func TestStandbyBuffersAreSearchedOnlyWithAPrice(t *testing.T) {
	p := nodeBoundShop(t)
	kinds := func(sp *space) map[bufKind]int {
		out := map[bufKind]int{}
		for _, b := range sp.buffers {
			if b.count > 0 {
				out[b.kind]++
			}
		}
		return out
	}
	sp, err := newSpace(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(sp); k[bkStandby] != 0 || k[bkPlaceholders] == 0 {
		t.Errorf("buffer kinds without a standby price = %v; want room on running nodes only", k)
	}
	p.StandbyNodeHour = 0.01
	sp, err = newSpace(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(sp); k[bkStandby] != len(bufferPods)-1 {
		t.Errorf("buffer kinds with a standby price = %v; want %d standby options", k, len(bufferPods)-1)
	}
	// Autopilot has no capacity buffers (pod-based billing): never
	// searched there, whatever the price.
	p.System.Nodes = sim.Nodes{Mode: sim.Autopilot}
	sp, err = newSpace(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(sp); k[bkStandby] != 0 {
		t.Errorf("Autopilot buffer kinds = %v; want no standby", k)
	}
	// Today's standby buffer without a price is said to be left out of
	// today's cost, not searched.
	p = nodeBoundShop(t)
	p.System.Nodes.CapacityBuffer = sim.CapacityBuffer{Strategy: sim.StandbyBuffer, Replicas: 4, CPU: 0.5, Memory: 512 << 20}
	sp, err = newSpace(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(sp); k[bkStandby] != 0 {
		t.Errorf("kinds = %v; want no unpriced standby option", k)
	}
	if n := strings.Join(sp.notes, "\n"); !strings.Contains(n, "price of a suspended node") || !strings.Contains(n, "today's cost leaves out") {
		t.Errorf("notes = %q; want the unknown standby price said", n)
	}
}

func TestBufferOrderIsBySafety(t *testing.T) {
	sp := &space{buffers: []bufferOpt{{}, {count: 2, cpu: 1, mem: 1 << 30}, {count: 2, cpu: 1, mem: 1 << 30, kind: bkStandby},
		{count: 4, cpu: 1, mem: 1 << 30}, {count: 4, cpu: 1, mem: 1 << 30, kind: bkStandby}}}
	cases := []struct {
		a, b int
		want bool
	}{
		{0, 2, true},  // none is no safer than anything
		{2, 1, true},  // standby is no safer than as much running room
		{1, 2, false}, // running room is safer than standby room
		{2, 4, true},  // less standby than more standby
		{4, 1, false}, // more standby room is not comparable with less running room
		{3, 1, false},
		{1, 3, true},
	}
	for _, c := range cases {
		if got := sp.noSafer(c.a, c.b); got != c.want {
			t.Errorf("noSafer(%v, %v) = %v; want %v", sp.buffers[c.a], sp.buffers[c.b], got, c.want)
		}
	}
	// The next cheaper step stays within the kind, down to none.
	for j, want := range map[int]int{4: 2, 3: 1, 2: 0, 1: 0, 0: -1} {
		if got := sp.cheaperBuf(j); got != want {
			t.Errorf("cheaperBuf(%d) = %d; want %d", j, got, want)
		}
	}
}

func TestAPlanWithStandbyBuffersMeetsTheSLOAndCostsNoMore(t *testing.T) {
	if testing.Short() {
		t.Skip("plans twice")
	}
	p := nodeBoundShop(t)
	without := mustPlan(t, p, Options{NoPareto: true})
	p.StandbyNodeHour = 0.012
	with := mustPlan(t, p, Options{NoPareto: true})
	if with.Recommended == nil || without.Recommended == nil {
		t.Fatalf("no recommendation (with standby %v, without %v)", with.Recommended != nil, without.Recommended != nil)
	}
	// More options can only find a cheaper plan, within the search's
	// tolerance; here a suspended node at a cent an hour beats a running
	// one at about twenty.
	if w, wo := with.Recommended.MonthlyCost, without.Recommended.MonthlyCost; w > wo*(1+DefaultTolerance)+1e-9 {
		t.Errorf("monthly cost with standby buffers searched %v > %v without", w, wo)
	}
	if b := with.Recommended.Config.Buffer; b.Kind != "standby" || !(with.Recommended.MonthlyCost < without.Recommended.MonthlyCost) {
		t.Errorf("with a standby price: %s at %v a month, against %v without; want a standby buffer, cheaper",
			b, with.Recommended.MonthlyCost, without.Recommended.MonthlyCost)
	}
	changed := false
	for _, c := range with.Changes {
		changed = changed || (c.Component == "nodes" && strings.Contains(c.To, "standby CapacityBuffer"))
	}
	if !changed {
		t.Errorf("changes %+v; want the standby buffer among them", with.Changes)
	}
	// The recommendation survives when simulated again, with every figure
	// finite and nothing live at zero.
	rec := with.Recommended
	for i, o := range rec.Scenarios {
		m, err := sim.Compile(rec.ScenarioSystem(i))
		if err != nil {
			t.Fatal(err)
		}
		sc := p.Scenarios[i].Scenario
		res, err := m.Run(context.Background(), sc, sim.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.SLOMet || !o.SLOMet {
			t.Errorf("%s: the recommendation (%s) does not meet the SLO when simulated again: burned %v", o.Name, rec.Config.Buffer, res.BudgetBurned)
		}
		for _, x := range []float64{res.Cost.Monthly, res.Cost.Scenario, res.BudgetBurned, rec.MonthlyCost} {
			if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
				t.Errorf("%s: a figure is %v", o.Name, x)
			}
		}
		if res.Components[0].ReadyEnd < 1 {
			t.Errorf("%s: nothing ready at the end", o.Name)
		}
	}
	if b := rec.Config.Buffer; b.Kind == "standby" {
		if rec.System.Nodes.CapacityBuffer.StandbyNodeHour != p.StandbyNodeHour {
			t.Errorf("a standby recommendation is simulated at %v an hour per suspended node; want the given %v", rec.System.Nodes.CapacityBuffer.StandbyNodeHour, p.StandbyNodeHour)
		}
	}
}

func TestCapacityBufferManifest(t *testing.T) {
	for _, kind := range []string{"active", "standby"} {
		t.Run(kind, func(t *testing.T) {
			rec := &Evaluation{Config: Config{Buffer: Buffer{Kind: kind, Count: 3, CPU: 0.5, Memory: 512 << 20}}}
			ms, err := Manifests(rec, ManifestOptions{Namespace: "shop"})
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 1 || ms[0].File != "capacitybuffer.yaml" || strings.Join(ms[0].Kinds, ",") != "PodTemplate,CapacityBuffer" {
				t.Fatalf("manifests = %+v; want capacitybuffer.yaml with a PodTemplate and a CapacityBuffer", ms)
			}
			docs := strings.Split(ms[0].YAML, "\n---\n")
			var tmpl corev1.PodTemplate
			if err := sigsyaml.UnmarshalStrict([]byte(docs[0]), &tmpl); err != nil {
				t.Fatalf("PodTemplate: %v\n%s", err, docs[0])
			}
			var cb capacityBufferObject
			if err := sigsyaml.UnmarshalStrict([]byte(docs[1]), &cb); err != nil {
				t.Fatalf("CapacityBuffer: %v\n%s", err, docs[1])
			}
			wantStrategy, wantGKE := sim.ActiveProvisioningStrategy, sim.ActiveBufferMinGKE
			if kind == "standby" {
				wantStrategy, wantGKE = sim.StandbyProvisioningStrategy, sim.StandbyBufferMinGKE
			}
			if cb.APIVersion != sim.CapacityBufferAPIVersion || cb.Spec.ProvisioningStrategy != wantStrategy || cb.Spec.Replicas == nil || *cb.Spec.Replicas != 3 {
				t.Errorf("CapacityBuffer %+v; want %s, strategy %s, 3 replicas", cb, sim.CapacityBufferAPIVersion, wantStrategy)
			}
			if cb.Spec.PodTemplateRef == nil || cb.Spec.PodTemplateRef.Name != tmpl.Name || cb.Metadata.Namespace != "shop" || tmpl.Namespace != "shop" {
				t.Errorf("the buffer refers to %+v in %q; want the PodTemplate %q in the same namespace", cb.Spec.PodTemplateRef, cb.Metadata.Namespace, tmpl.Name)
			}
			req := tmpl.Template.Spec.Containers[0].Resources.Requests
			if req.Cpu().MilliValue() != 500 || req.Memory().Value() != 512<<20 {
				t.Errorf("unit requests %v; want 500m and 512Mi", req)
			}
			if !strings.Contains(ms[0].YAML, "Needs GKE "+wantGKE+" or later") {
				t.Errorf("the manifest does not say the GKE version it needs:\n%s", ms[0].YAML)
			}
		})
	}
}

func TestPatchNodesWritesTheBufferKind(t *testing.T) {
	src := "nodes:\n  mode: standard\n  placeholders: {count: 2, cpu: 500m, memory: 512Mi}\n  capacityBuffer: {provisioningStrategy: standby, replicas: 1, podTemplate: {cpu: 1}, resumeDelay: 30s}\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	spec := doc.Content[0]
	patchNodes(&doc, spec, Buffer{Kind: "standby", Count: 4, CPU: 0.5, Memory: 512 << 20})
	nodes := child(spec, "nodes")
	cb := child(nodes, "capacityBuffer")
	if child(nodes, "placeholders") != nil || cb == nil {
		t.Fatalf("nodes after a standby plan: placeholders %v, capacityBuffer %v; want the buffer only", child(nodes, "placeholders") != nil, cb != nil)
	}
	if child(cb, "provisioningStrategy").Value != "standby" || child(cb, "replicas").Value != "4" ||
		child(child(cb, "podTemplate"), "cpu").Value != "500m" || child(cb, "resumeDelay").Value != "30s" {
		t.Errorf("capacityBuffer written wrong: %+v", cb)
	}
	patchNodes(&doc, spec, Buffer{Count: 2, CPU: 0.5, Memory: 512 << 20})
	if child(nodes, "capacityBuffer") != nil || child(nodes, "placeholders") == nil {
		t.Error("a placeholder plan kept the CapacityBuffer")
	}
	patchNodes(&doc, spec, Buffer{})
	if child(nodes, "capacityBuffer") != nil || child(nodes, "placeholders") != nil {
		t.Error("a plan without a buffer kept one")
	}
}

func TestBufferStrings(t *testing.T) {
	cases := map[Buffer]string{
		{}:                                      "none",
		{Count: 2, CPU: 0.5, Memory: 512 << 20}: "2 placeholder pods of 500m CPU, 512Mi",
		{Kind: "standby", Count: 2, CPU: 0.5, Memory: 512 << 20}: "standby CapacityBuffer of 2 × (500m CPU, 512Mi)",
	}
	for b, want := range cases {
		if got := b.String(); got != want {
			t.Errorf("%+v.String() = %q; want %q", b, got, want)
		}
	}
}

func TestAPlanOnWarmRoomUnderOptimizeUtilizationSaysSo(t *testing.T) {
	if testing.Short() {
		t.Skip("plans twice")
	}
	for _, profile := range []sim.AutoscalingProfile{sim.Balanced, sim.OptimizeUtilization} {
		p := nodeBoundShop(t)
		p.StandbyNodeHour = 0.012
		p.System.Nodes.AutoscalingProfile = profile
		res := mustPlan(t, p, Options{NoPareto: true})
		if res.Recommended == nil {
			t.Fatalf("%s: no recommendation", profile)
		}
		warned := strings.Contains(strings.Join(res.Notes, "\n"), "counts on warm room")
		want := profile == sim.OptimizeUtilization && res.Recommended.Config.Buffer.Count > 0
		if warned != want {
			t.Errorf("%s, buffer %s: warned %v; want %v (notes %q)", profile, res.Recommended.Config.Buffer, warned, want, res.Notes)
		}
	}
}

func TestTodaysActiveBufferIsSearchedAsActive(t *testing.T) {
	p := nodeBoundShop(t)
	p.System.Nodes.CapacityBuffer = sim.CapacityBuffer{Replicas: 2, CPU: 0.5, Memory: 512 << 20}
	sp, err := newSpace(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range sp.buffers {
		if b.count > 0 && b.kind != bkActive {
			t.Errorf("option %+v; want every room option an active CapacityBuffer, as today's", b)
		}
	}
	if sp.fileBuf < 0 || sp.buffers[sp.fileBuf].public() != (Buffer{Kind: "active", Count: 2, CPU: 0.5, Memory: 512 << 20}) {
		t.Fatalf("today's option %d of %+v; want the active buffer of 2", sp.fileBuf, sp.buffers)
	}
	if got := sp.todayConfig().Buffer.String(); got != "active CapacityBuffer of 2 × (500m CPU, 512Mi)" {
		t.Errorf("today's buffer reads %q", got)
	}
	// Applying an option sets that kind only.
	var n sim.Nodes
	n.BufferCPU = 3
	sp.applyBuffer(&n, sp.buffers[sp.fileBuf])
	if n.BufferCPU != 0 || n.CapacityBuffer.Replicas != 2 || n.CapacityBuffer.Strategy != sim.ActiveBuffer {
		t.Errorf("applied: %+v; want the active buffer alone", n)
	}
}
