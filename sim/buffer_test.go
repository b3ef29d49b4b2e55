package sim

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/traffic"
)

// spikeShop is one web component that scales on CPU on a Standard pool of
// n2-standard-4 nodes (210 s to a new node), before a spike from 100 to
// 1000 req/s: about three nodes' worth of new pods.
func spikeShop(buf CapacityBuffer) System {
	cpu60 := []Metric{{Source: ResourceMetric, Name: "cpu", Target: UtilizationTarget, AverageUtilization: 60}}
	nodes := standardPool("n2-standard-4", 1, 30)
	nodes.CapacityBuffer = buf
	return System{
		Entry: "web",
		Components: []Component{{
			Name:      "web",
			Capacity:  Capacity{PerReplicaRPS: 100, CPUPerRequest: 0.005},
			Resources: Resources{CPURequest: 0.5, CPULimit: 1, MemoryRequest: 512 << 20},
			Timeout:   5 * time.Second,
			HPA:       &HPA{MinReplicas: 2, MaxReplicas: 60, Metrics: cpu60},
		}},
		Nodes:      nodes,
		Objectives: Objectives{Availability: 0.999, Window: 24 * time.Hour},
		Prices:     Prices{Currency: "USD", VCPUHour: n2Rate.VCPU.USD, GiBHour: n2Rate.GiB.USD, ClusterFeeHour: clusterFee},
	}
}

const shopSpike = "spike:base=100,peak=1000,at=1m,rise=30s,hold=10m,decay=1m,for=15m"

// longestPending is the longest stretch of a run's timeline, in seconds,
// during which some pod of comp waited for room.
func longestPending(res *Result, comp string) float64 {
	longest, start := 0.0, -1.0
	prev := 0.0
	for _, p := range res.Timeline {
		if p.Components[comp].Pending > 0 {
			if start < 0 {
				start = prev
			}
			longest = max(longest, p.T-start)
		} else {
			start = -1
		}
		prev = p.T
	}
	return longest
}

// finite fails the test on a result figure that is not a finite number.
func finite(t *testing.T, name string, res *Result) {
	t.Helper()
	for what, x := range map[string]float64{"requests": res.Requests, "failed": res.Failed, "budget": res.BudgetBurned,
		"scenario cost": res.Cost.Scenario, "hourly cost": res.Cost.Hourly, "monthly cost": res.Cost.Monthly, "worst p99": res.WorstP99} {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			t.Errorf("%s: %s = %v; want a finite number ≥ 0", name, what, x)
		}
	}
}

func TestCapacityBufferLeadTimes(t *testing.T) {
	// 20 units of one pod's size: room for the whole spike's new pods.
	unit := CapacityBuffer{Replicas: 20, CPU: 0.5, Memory: 512 << 20}
	active, standby := unit, unit
	standby.Strategy = StandbyBuffer
	results := map[string]*Result{}
	streak := map[string]float64{}
	for name, buf := range map[string]CapacityBuffer{"none": {}, "active": active, "standby": standby} {
		res := run(t, mustCompile(t, spikeShop(buf)), shopSpike, Options{TimelineStep: time.Second})
		finite(t, name, res)
		if res.Components[0].ReadyEnd < 2 {
			t.Errorf("%s: %d replicas ready at the end; want at least minReplicas", name, res.Components[0].ReadyEnd)
		}
		results[name], streak[name] = res, longestPending(res, "web")
	}
	// The longest a pod waited for room: a new node (210 s) without a
	// buffer, a resume (35 s) with a standby buffer, and no more than the
	// scheduler's 2 s with an active one.
	sched := DefaultStartup.Schedule.Seconds()
	if streak["active"] > sched+1 {
		t.Errorf("active buffer: pods pending for %v s in a row; want at most the %v s of scheduling: the buffer holds the spike's pods", streak["active"], sched)
	}
	if s := streak["standby"]; s < DefaultStandbyResume.Seconds() || s > DefaultStandbyResume.Seconds()+DefaultScanInterval.Seconds()+sched+1 {
		t.Errorf("standby buffer: pods pending for %v s in a row; want the %v resume, plus at most a scan interval and scheduling", s, DefaultStandbyResume)
	}
	if s := streak["none"]; s < DefaultStandardProvisioning.Seconds() {
		t.Errorf("no buffer: pods pending for %v s in a row; want at least a node's provisioning, %v", s, DefaultStandardProvisioning)
	}
	if !(results["active"].Failed < results["standby"].Failed && results["standby"].Failed < results["none"].Failed) {
		t.Errorf("failed: active %v, standby %v, none %v; want active < standby < none",
			results["active"].Failed, results["standby"].Failed, results["none"].Failed)
	}
	joined := strings.Join(results["standby"].Notes, "\n")
	if !strings.Contains(joined, "suspended node") || !strings.Contains(joined, "resumed") {
		t.Errorf("standby notes = %q; want them to say suspended nodes resumed", joined)
	}
	if !strings.Contains(joined, "price (saved memory state and boot disk) is unknown") {
		t.Errorf("standby notes = %q; want the unpriced suspended nodes said", joined)
	}
	for _, name := range []string{"active", "standby"} {
		j := strings.Join(results[name].Notes, "\n")
		if !strings.Contains(j, "pods took the warm room") || !strings.Contains(j, "restored it by") {
			t.Errorf("%s notes = %q; want when the buffer was taken and restored", name, j)
		}
	}
}

func TestCapacityBufferCost(t *testing.T) {
	// A steady hour that needs one node: an active buffer of 4 cores
	// holds two more n2-standard-4 nodes running (3.92 allocatable each:
	// 1 + 4 cores need 2 nodes); a standby one holds two suspended nodes,
	// billed at their own price only.
	nodeHour := 4*n2Rate.VCPU.USD + 16*n2Rate.GiB.USD
	const standbyHour = 0.0123
	cases := []struct {
		name string
		buf  CapacityBuffer
		want float64
	}{
		{"no buffer", CapacityBuffer{}, clusterFee + nodeHour},
		{"active", CapacityBuffer{Replicas: 8, CPU: 0.5, Memory: 512 << 20}, clusterFee + 2*nodeHour},
		{"standby priced", CapacityBuffer{Strategy: StandbyBuffer, Replicas: 8, CPU: 0.5, Memory: 512 << 20, StandbyNodeHour: standbyHour},
			clusterFee + nodeHour + 2*standbyHour},
		{"standby unpriced", CapacityBuffer{Strategy: StandbyBuffer, Replicas: 8, CPU: 0.5, Memory: 512 << 20}, clusterFee + nodeHour},
	}
	for _, c := range cases {
		res := run(t, mustCompile(t, spikeShop(c.buf)), "constant:rate=100,for=1h", Options{})
		finite(t, c.name, res)
		if math.Abs(res.Cost.Hourly-c.want) > 1e-4 || math.Abs(res.Cost.Scenario-c.want) > 1e-3 {
			t.Errorf("%s: cost %v over the hour, %v hourly; want %v", c.name, res.Cost.Scenario, res.Cost.Hourly, c.want)
		}
		if res.Failed != 0 {
			t.Errorf("%s: %v failed at a steady 100 req/s; want 0", c.name, res.Failed)
		}
		if j := strings.Join(res.Notes, "\n"); c.buf.Replicas > 0 && !strings.Contains(j, "was not needed") {
			t.Errorf("%s: notes %q; want the unused buffer said", c.name, j)
		}
	}
}

func TestCapacityBufferValidation(t *testing.T) {
	ok := CapacityBuffer{Replicas: 2, CPU: 0.5, Memory: 1 << 30}
	cases := []struct {
		name  string
		edit  func(*System)
		wants string
	}{
		{"on Autopilot", func(s *System) { s.Nodes = Nodes{Mode: Autopilot, CapacityBuffer: ok} }, "pod-based billing"},
		{"no replicas", func(s *System) { s.Nodes.CapacityBuffer = CapacityBuffer{CPU: 1, ResumeDelay: time.Second} }, "want 1 to 10000 replicas"},
		{"no CPU", func(s *System) { s.Nodes.CapacityBuffer = CapacityBuffer{Replicas: 1} }, "positive CPU request"},
		{"unit larger than a node", func(s *System) { s.Nodes.CapacityBuffer = CapacityBuffer{Replicas: 1, CPU: 8} }, "does not fit on a n2-standard-4 node"},
		{"negative price", func(s *System) {
			b := ok
			b.StandbyNodeHour = -1
			s.Nodes.CapacityBuffer = b
		}, "standby node price"},
		{"unknown profile", func(s *System) { s.Nodes.AutoscalingProfile = "fast" }, "unknown autoscaling profile"},
	}
	for _, c := range cases {
		sys := spikeShop(CapacityBuffer{})
		c.edit(&sys)
		_, err := Compile(sys)
		var me *ModelError
		if err == nil || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%s: Compile = %v; want an error saying %q", c.name, err, c.wants)
			continue
		}
		if e, isModel := err.(*ModelError); isModel {
			me = e
		}
		if me == nil || me.Problems[0].Path != "nodes" {
			t.Errorf("%s: problems %+v; want one at nodes", c.name, me)
		}
	}
	if _, err := Compile(spikeShop(ok)); err != nil {
		t.Errorf("a valid buffer: %v", err)
	}
}

func TestParseBufferStrategyAndProfile(t *testing.T) {
	for in, want := range map[string]BufferStrategy{"active": ActiveBuffer, "standby": StandbyBuffer,
		ActiveProvisioningStrategy: ActiveBuffer, StandbyProvisioningStrategy: StandbyBuffer} {
		got, err := ParseBufferStrategy(in)
		if err != nil || got != want {
			t.Errorf("ParseBufferStrategy(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, _ := ParseBufferStrategy(got.ProvisioningStrategy()); back != got {
			t.Errorf("%v does not read back from %q", got, got.ProvisioningStrategy())
		}
	}
	if _, err := ParseBufferStrategy("warm"); err == nil {
		t.Error(`ParseBufferStrategy("warm") gave no error`)
	}
	if _, err := ParseAutoscalingProfile("optimize"); err == nil {
		t.Error(`ParseAutoscalingProfile("optimize") gave no error`)
	}
	// GKE's defaults differ by mode.
	if p := (Nodes{Mode: Autopilot}).Profile(); p != OptimizeUtilization {
		t.Errorf("Autopilot profile = %q; want optimize-utilization", p)
	}
	if p := (Nodes{Mode: Standard}).Profile(); p != Balanced {
		t.Errorf("Standard profile = %q; want balanced", p)
	}
}

// twoWaves is two spikes eight minutes apart: the HPA scales down five
// minutes after the first, and the nodes it freed are then unneeded.
const twoWaves = "stages:start=100,to=1000@30s/1000@3m/100@30s/100@8m/1000@30s/1000@3m"

func TestOptimizeUtilizationRemovesWarmNodesSooner(t *testing.T) {
	results := map[AutoscalingProfile]*Result{}
	for _, p := range []AutoscalingProfile{Balanced, OptimizeUtilization} {
		sys := spikeShop(CapacityBuffer{})
		sys.Nodes.AutoscalingProfile = p
		m := mustCompile(t, sys)
		results[p] = run(t, m, twoWaves, Options{})
		finite(t, string(p), results[p])
	}
	b, o := results[Balanced], results[OptimizeUtilization]
	// The second wave finds the first wave's nodes under balanced (10
	// minutes unneeded before removal) and waits for new ones under
	// optimize-utilization (1 minute).
	if !(o.Components[0].PendingS > b.Components[0].PendingS) {
		t.Errorf("time with pods pending: optimize-utilization %v s, balanced %v s; want more under optimize-utilization",
			o.Components[0].PendingS, b.Components[0].PendingS)
	}
	if !(o.Cost.Scenario < b.Cost.Scenario) {
		t.Errorf("scenario cost: optimize-utilization %v, balanced %v; want less under optimize-utilization (nodes removed sooner)", o.Cost.Scenario, b.Cost.Scenario)
	}
}

func TestWarmRoomUnderOptimizeUtilizationIsWarned(t *testing.T) {
	cases := []struct {
		name  string
		nodes func() Nodes
		wants string // "" for no warning
	}{
		{"standard buffer, optimize-utilization", func() Nodes {
			n := standardPool("n2-standard-4", 1, 30)
			n.AutoscalingProfile = OptimizeUtilization
			n.CapacityBuffer = CapacityBuffer{Replicas: 2, CPU: 0.5}
			return n
		}, "GKE does not recommend it for serving workloads"},
		{"standard placeholders, optimize-utilization", func() Nodes {
			n := standardPool("n2-standard-4", 1, 30)
			n.AutoscalingProfile = OptimizeUtilization
			n.BufferCPU = 1
			return n
		}, "placeholder pods"},
		{"standard buffer, balanced", func() Nodes {
			n := standardPool("n2-standard-4", 1, 30)
			n.CapacityBuffer = CapacityBuffer{Replicas: 2, CPU: 0.5}
			return n
		}, ""},
		{"autopilot placeholders, profile unsaid", func() Nodes {
			return Nodes{Mode: Autopilot, BufferCPU: 1, BufferMemory: 1 << 30}
		}, "Autopilot clusters run the optimize-utilization autoscaling profile"},
		{"standard, optimize-utilization, nothing warm", func() Nodes {
			n := standardPool("n2-standard-4", 1, 30)
			n.AutoscalingProfile = OptimizeUtilization
			return n
		}, ""},
	}
	for _, c := range cases {
		sys := spikeShop(CapacityBuffer{})
		sys.Nodes = c.nodes()
		m := mustCompile(t, sys)
		notes := strings.Join(m.Notes(), "\n")
		switch {
		case c.wants == "" && strings.Contains(notes, "optimize-utilization"):
			t.Errorf("%s: notes %q; want no profile warning", c.name, notes)
		case c.wants != "" && !strings.Contains(notes, c.wants):
			t.Errorf("%s: notes %q; want one saying %q", c.name, notes, c.wants)
		}
		// A result carries the model's notes.
		res := run(t, m, "constant:rate=100,for=1m", Options{})
		if c.wants != "" && !strings.Contains(strings.Join(res.Notes, "\n"), c.wants) {
			t.Errorf("%s: result notes %q; want the warning", c.name, res.Notes)
		}
	}
}

func TestCapacityBufferIsDeterministic(t *testing.T) {
	buf := CapacityBuffer{Strategy: StandbyBuffer, Replicas: 8, CPU: 0.5, Memory: 512 << 20}
	m := mustCompile(t, spikeShop(buf))
	a := run(t, m, shopSpike, Options{TimelineStep: 10 * time.Second})
	b := run(t, m, shopSpike, Options{TimelineStep: 10 * time.Second})
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs of the same model and scenario differ")
	}
	// Nodes never fall below the pool's minimum, and the timeline's node
	// count is what the pool bills (suspended nodes are not running).
	for _, p := range a.Timeline {
		if p.Nodes < 1 || p.Nodes > 30 {
			t.Errorf("t=%v: %d nodes; want within the pool's 1 to 30", p.T, p.Nodes)
		}
	}
}

func FuzzParseBufferStrategy(f *testing.F) {
	for _, s := range []string{"active", "standby", ActiveProvisioningStrategy, StandbyProvisioningStrategy, "balanced", "optimize-utilization", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := ParseBufferStrategy(s); err == nil {
			if back, err := ParseBufferStrategy(b.ProvisioningStrategy()); err != nil || back != b {
				t.Errorf("ParseBufferStrategy(%q) = %v, which does not read back (%v, %v)", s, b, back, err)
			}
		} else if !strings.Contains(err.Error(), "want active or standby") {
			t.Errorf("ParseBufferStrategy(%q) error %q does not say what it wants", s, err)
		}
		if p, err := ParseAutoscalingProfile(s); err == nil && p != Balanced && p != OptimizeUtilization {
			t.Errorf("ParseAutoscalingProfile(%q) = %q; want balanced or optimize-utilization", s, p)
		}
	})
}

// A web service on a Standard pool of n2-standard-4 nodes meets a surge
// that needs up to 30 pods, four nodes' worth. Without spare room its new
// pods wait for new nodes; a standby CapacityBuffer of 30 pods' room
// resumes suspended nodes in about 35 s; an active one holds the room on
// running nodes, so they wait only to be scheduled.
func ExampleCapacityBuffer() {
	surge, _ := traffic.Parse("spike:base=100,peak=1000,at=1m,rise=30s,hold=10m,decay=1m,for=15m", nil)
	for _, buf := range []CapacityBuffer{
		{},
		{Strategy: StandbyBuffer, Replicas: 30, CPU: 0.5, Memory: 512 << 20},
		{Strategy: ActiveBuffer, Replicas: 30, CPU: 0.5, Memory: 512 << 20},
	} {
		system := System{
			Entry: "web",
			Components: []Component{{
				Name:      "web",
				Capacity:  Capacity{PerReplicaRPS: 100, CPUPerRequest: 0.005},
				Resources: Resources{CPURequest: 0.5, CPULimit: 1, MemoryRequest: 512 << 20},
				Timeout:   5 * time.Second,
				HPA: &HPA{MinReplicas: 2, MaxReplicas: 30, Metrics: []Metric{
					{Source: ResourceMetric, Name: "cpu", Target: UtilizationTarget, AverageUtilization: 60}}},
			}},
			Nodes: Nodes{Mode: Standard, MachineType: "n2-standard-4", NodeCPU: 4, NodeMemory: 16 << 30, MaxNodes: 30,
				CapacityBuffer: buf},
			Objectives: Objectives{Availability: 0.999},
		}
		m, err := Compile(system)
		if err != nil {
			fmt.Println(err)
			return
		}
		res, err := m.Run(context.Background(), Scenario{Name: "surge", Traffic: surge}, Options{TimelineStep: time.Second})
		if err != nil {
			fmt.Println(err)
			return
		}
		wait := "under 10 s: only to be scheduled"
		switch w := longestPending(res, "web"); {
		case w >= 3*60:
			wait = "over 3 minutes: for new nodes"
		case w >= 30:
			wait = "under a minute: for suspended nodes to resume"
		case w >= 10:
			wait = fmt.Sprintf("%v s", w)
		}
		fmt.Printf("%s: pods waited %s\n", buf, wait)
	}
	// Output:
	// no CapacityBuffer: pods waited over 3 minutes: for new nodes
	// standby CapacityBuffer of 30 × (500m CPU, 512Mi): pods waited under a minute: for suspended nodes to resume
	// active CapacityBuffer of 30 × (500m CPU, 512Mi): pods waited under 10 s: only to be scheduled
}
