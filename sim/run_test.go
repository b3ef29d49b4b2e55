package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/pricing"
)

// oneComponent is a single component with a fixed or autoscaled replica
// count on Autopilot with no spare capacity, room for easy arithmetic.
func oneComponent(replicas int, hpa *HPA) System {
	return System{
		Entry: "web",
		Components: []Component{{
			Name:      "web",
			Capacity:  Capacity{PerReplicaRPS: 100, CPUPerRequest: 0.005},
			Resources: Resources{CPURequest: 0.5, CPULimit: 0.5, MemoryRequest: 1 << 30},
			Replicas:  replicas,
			Startup:   Startup{Init: 30 * time.Second},
			Timeout:   5 * time.Second,
			HPA:       hpa,
		}},
		Nodes:      Nodes{Mode: Autopilot, ProvisioningDelay: 90 * time.Second, BufferCPU: 100, BufferMemory: 1 << 40},
		Objectives: Objectives{Availability: 0.999},
		Prices:     Prices{Currency: "USD", VCPUHour: autopilotRate.VCPU.USD, GiBHour: autopilotRate.GiB.USD, ClusterFeeHour: clusterFee},
	}
}

func TestRunWithinCapacityServesEverything(t *testing.T) {
	m := mustCompile(t, oneComponent(4, nil))
	res := run(t, m, "constant:rate=300,for=10m", Options{})
	if res.Requests != 180000 || res.Failed != 0 || !res.SLOMet || res.BudgetBurned != 0 {
		t.Errorf("300 req/s into 4 × 100 for 10m: requests %v, failed %v, met %v, burned %v; want 180000, 0, true, 0",
			res.Requests, res.Failed, res.SLOMet, res.BudgetBurned)
	}
	if res.WorstP99 != DefaultLatency.Seconds() {
		t.Errorf("worst p99 = %v; want the default flat latency %v", res.WorstP99, DefaultLatency.Seconds())
	}
}

func TestRunOverloadTimesOutTheExcess(t *testing.T) {
	// 300 req/s into 2 × 100 req/s with a 5 s timeout: the queue fills to
	// 1000 requests (5 s of service) within 10 s, then the excess times
	// out: 100 req/s for the rest of the minute, about 5000 requests.
	sys := oneComponent(2, nil)
	sys.Objectives.Window = time.Hour // a one-hour SLO window: the minute matters
	res := run(t, mustCompile(t, sys), "constant:rate=300,for=1m", Options{})
	web := res.Components[0]
	if web.TimedOut < 4900 || web.TimedOut > 5100 {
		t.Errorf("timed out = %v; want about (300 − 200) × (60 − 10) = 5000", web.TimedOut)
	}
	if web.MaxQueue != 1000 {
		t.Errorf("max queue = %v; want 2 replicas × 100 req/s × 5 s = 1000", web.MaxQueue)
	}
	if res.SLOMet || res.FirstBreach == nil {
		t.Errorf("an overload that fails a third of the requests met its SLO (first breach %v)", res.FirstBreach)
	}
	if res.Bottleneck != "web" {
		t.Errorf("bottleneck = %q; want web", res.Bottleneck)
	}
}

func TestRunAutopilotCostIsRequestsTimesTime(t *testing.T) {
	m := mustCompile(t, oneComponent(2, nil))
	sys := m.System()
	sys.Nodes.BufferCPU, sys.Nodes.BufferMemory = 0, 0
	m = mustCompile(t, sys)
	res := run(t, m, "constant:rate=50,for=1h", Options{})
	// Two pods of 0.5 vCPU and 1 GiB for an hour, plus the cluster fee.
	want := 2*autopilotRate.Hourly(0.5, 1) + clusterFee
	if math.Abs(res.Cost.Scenario-want) > 1e-4 || math.Abs(res.Cost.Hourly-want) > 1e-4 {
		t.Errorf("cost = %v over the hour, %v hourly; want %v", res.Cost.Scenario, res.Cost.Hourly, want)
	}
	if math.Abs(res.Cost.Monthly-want*HoursPerMonth) > 0.01 {
		t.Errorf("monthly = %v; want %v", res.Cost.Monthly, want*HoursPerMonth)
	}
}

// Autopilot bills a pod for its requests as its rules adjust them, the
// same as package pricing says: a 300m / 1 GiB pod is billed 0.3 vCPU on
// a cluster with bursting and 0.5 vCPU (¼-vCPU steps) on one without; a
// pod without a memory request gets the default 2 GiB, and then the CPU
// that 6.5 GiB per vCPU needs.
func TestRunAutopilotBillsPodsByItsRules(t *testing.T) {
	cases := []struct {
		name              string
		noBursting        bool
		cpu, gib          float64
		wantVCPU, wantGiB float64
	}{
		{"300m and 1 GiB with bursting", false, 0.3, 1, 0.3, 1},
		{"300m and 1 GiB without bursting", true, 0.3, 1, 0.5, 1},
		{"300m and no memory request with bursting", false, 0.3, 0, 2 / 6.5, 2},
		{"300m and no memory request without bursting", true, 0.3, 0, 0.5, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sys := oneComponent(2, nil)
			sys.Nodes.BufferCPU, sys.Nodes.BufferMemory = 0, 0
			sys.Nodes.NoBursting = tc.noBursting
			sys.Components[0].Resources = Resources{CPURequest: tc.cpu, CPULimit: 0.5, MemoryRequest: tc.gib * (1 << 30)}
			res := run(t, mustCompile(t, sys), "constant:rate=50,for=1h", Options{})

			rules := pricing.AutopilotRulesFor(!tc.noBursting, false)
			vcpu, gib := rules.BillPod([]pricing.Request{{VCPU: tc.cpu, GiB: tc.gib}})
			if math.Abs(vcpu-tc.wantVCPU) > 1e-9 || math.Abs(gib-tc.wantGiB) > 1e-9 {
				t.Fatalf("%s: BillPod(%v vCPU, %v GiB) = %v vCPU, %v GiB; want %v, %v", rules.Name, tc.cpu, tc.gib, vcpu, gib, tc.wantVCPU, tc.wantGiB)
			}
			want := 2*autopilotRate.Hourly(vcpu, gib) + clusterFee
			if math.Abs(res.Cost.Hourly-want) > 1e-4 || math.Abs(res.Cost.Scenario-want) > 1e-4 {
				t.Errorf("cost = %v hourly, %v over the hour; want two pods billed %v vCPU and %v GiB at $%v and $%v, and the fee: %v",
					res.Cost.Hourly, res.Cost.Scenario, vcpu, gib, autopilotRate.VCPU.USD, autopilotRate.GiB.USD, want)
			}
		})
	}
}

func TestRunStandardCostIsNodesTimesTime(t *testing.T) {
	sys := twoComponents()
	m := mustCompile(t, sys)
	res := run(t, m, "constant:rate=50,for=1h", Options{})
	// Two app pods (1 CPU) and two money pods (0.5 CPU) fit one node.
	node := n2Rate.Hourly(sys.Nodes.NodeCPU, sys.Nodes.NodeMemory/(1<<30))
	if want := node + clusterFee; math.Abs(res.Cost.Scenario-want) > 1e-4 || res.Cost.NodesAtEnd != 1 {
		t.Errorf("cost = %v with %d nodes; want one n2-standard-4 and the fee, %v", res.Cost.Scenario, res.Cost.NodesAtEnd, want)
	}
}

// The budget burned is the bad requests over the window's allowance: the
// scenario's requests and the rest of the window at the starting rate.
func TestRunBudgetBurned(t *testing.T) {
	m := mustCompile(t, oneComponent(2, nil))
	res := run(t, m, "constant:rate=300,for=1m", Options{})
	window := DefaultSLOWindow.Seconds()
	allowed := 0.001 * (18000 + 300*(window-60))
	if got, want := res.BudgetBurned, res.Failed/allowed; math.Abs(got-want) > 1e-6 {
		t.Errorf("budget burned = %v; want failed / allowed = %v / %v = %v", got, res.Failed, allowed, want)
	}
}

// Unready pods count as idle on scale-up, and a saturated pod reports at
// most its limit: with limit = request and a 60% target, each
// reconciliation multiplies replicas by at most 100/60, and no further
// scale-up happens until the new pods are ready.
func TestRunScaleUpWaitsForReadyPods(t *testing.T) {
	hpa := &HPA{MinReplicas: 2, MaxReplicas: 100, Metrics: []Metric{{Source: ResourceMetric, Name: "cpu", Target: UtilizationTarget, AverageUtilization: 60}},
		Behavior: &Behavior{ScaleUp: &ScalingRules{Policies: []Policy{{PercentPolicy, 1000, 15 * time.Second}}}}}
	m := mustCompile(t, oneComponent(2, hpa))
	res := run(t, m, "steps:rates=50/2000,every=5m", Options{TimelineStep: time.Second})
	prev := 2
	for _, p := range res.Timeline {
		w := p.Components["web"]
		if w.Desired > prev {
			if limit := int(math.Ceil(float64(prev) * 100 / 60)); w.Desired > limit {
				t.Fatalf("at %vs desired went %d → %d; a saturated pod caps the ratio at 100/60, so at most %d", p.T, prev, w.Desired, limit)
			}
			if w.Ready < prev {
				t.Fatalf("at %vs desired went %d → %d while only %d were ready: unready pods must count as idle", p.T, prev, w.Desired, w.Ready)
			}
		}
		prev = w.Desired
	}
	if web := res.Components[0]; web.ScaleUps < 4 || web.PeakDesired < 20 {
		t.Errorf("scale-ups = %d to at most %d; want several steps of at most ×1.67 up to 20 or more", web.ScaleUps, web.PeakDesired)
	}
}

// Pods that find no room wait for the provisioning delay.
func TestRunPodsWaitForNodes(t *testing.T) {
	sys := oneComponent(2, &HPA{MinReplicas: 2, MaxReplicas: 20, Behavior: &Behavior{}})
	sys.Nodes.BufferCPU, sys.Nodes.BufferMemory = 0, 0
	m := mustCompile(t, sys)
	res := run(t, m, "steps:rates=50/400,every=4m", Options{TimelineStep: time.Second})
	var firstPending, firstReadyAfter float64
	for _, p := range res.Timeline {
		w := p.Components["web"]
		if firstPending == 0 && w.Pending > 0 {
			firstPending = p.T
		}
		if firstPending > 0 && firstReadyAfter == 0 && w.Ready > 2 {
			firstReadyAfter = p.T
		}
	}
	// Pending from the first scale-up; ready after the 10 s scan, the
	// 90 s node boot and the 30 s start.
	if firstPending == 0 || firstReadyAfter-firstPending < 120 || firstReadyAfter-firstPending > 145 {
		t.Errorf("pods pending from %vs and ready from %vs; want about 10 + 90 + 30 s apart", firstPending, firstReadyAfter)
	}
	if res.Components[0].MaxPending == 0 {
		t.Error("no pod waited for a node")
	}
}

// A spare-capacity buffer makes room at once.
func TestRunBufferMakesRoomAtOnce(t *testing.T) {
	sys := oneComponent(2, &HPA{MinReplicas: 2, MaxReplicas: 20, Behavior: &Behavior{}})
	m := mustCompile(t, sys) // a buffer of 100 CPU
	res := run(t, m, "steps:rates=50/400,every=2m", Options{})
	if res.Components[0].MaxPending != 0 {
		t.Errorf("max pending = %d with a large buffer; want 0", res.Components[0].MaxPending)
	}
}

// Retries of failed calls add load to the callee.
func TestRunRetriesAddLoad(t *testing.T) {
	withRetries := func(n int) *Result {
		sys := oneComponent(2, nil)
		sys.Components[0].Retries = n
		return run(t, mustCompile(t, sys), "constant:rate=300,for=2m", Options{})
	}
	none, two := withRetries(0), withRetries(2)
	if none.Components[0].Retries != 0 || two.Components[0].Retries <= 0 {
		t.Fatalf("retries = %v and %v; want 0 and more", none.Components[0].Retries, two.Components[0].Retries)
	}
	if two.Components[0].TimedOut <= none.Components[0].TimedOut {
		t.Errorf("timed out = %v with retries, %v without; retries should add to the overload", two.Components[0].TimedOut, none.Components[0].TimedOut)
	}
}

// Fan-out: a callee receives calls per request × the caller's throughput,
// and its latency adds to the caller's.
func TestRunFanOut(t *testing.T) {
	sys := twoComponents()
	sys.Components[0].HPA, sys.Components[1].HPA = nil, nil
	sys.Components[0].Replicas, sys.Components[1].Replicas = 10, 10
	res := run(t, mustCompile(t, sys), "constant:rate=100,for=1m", Options{TimelineStep: time.Minute})
	app, money := res.Timeline[0].Components["app"], res.Timeline[0].Components["money"]
	if money.ArrivalRate != 60 {
		t.Errorf("money arrivals = %v req/s; want 0.6 × 100", money.ArrivalRate)
	}
	if app.P99 <= money.P99 {
		t.Errorf("app p99 %v ≤ money p99 %v; the app waits for money", app.P99, money.P99)
	}
}

// A pre-scale raises the floor ahead of the spike.
func TestRunPrescale(t *testing.T) {
	hpa := &HPA{MinReplicas: 2, MaxReplicas: 40, Behavior: &Behavior{}}
	sys := oneComponent(2, hpa)
	base := run(t, mustCompile(t, sys), "spike:base=50,peak=3000,at=10m,rise=30s,hold=5m,decay=1m", Options{})
	sys.Components[0].Prescale = []Prescale{{At: 5 * time.Minute, MinReplicas: 32}}
	pre := run(t, mustCompile(t, sys), "spike:base=50,peak=3000,at=10m,rise=30s,hold=5m,decay=1m", Options{})
	if pre.Failed >= base.Failed/10 {
		t.Errorf("failed = %v with a pre-scale to 32, %v without; want far fewer", pre.Failed, base.Failed)
	}
}

func TestRunIsDeterministic(t *testing.T) {
	m := mustCompile(t, twoComponents())
	a := run(t, m, "spike:base=60,peak=1500,at=5m,rise=2m,hold=10m,decay=10m,for=1h", Options{TimelineStep: 10 * time.Second})
	b := run(t, m, "spike:base=60,peak=1500,at=5m,rise=2m,hold=10m,decay=10m,for=1h", Options{TimelineStep: 10 * time.Second})
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs of the same scenario differ")
	}
}

// Without a timeline, a run allocates the same whatever its length.
func TestRunMemoryIsFlat(t *testing.T) {
	m := mustCompile(t, twoComponents())
	allocs := func(d string) float64 {
		sc := Scenario{Name: "x", Traffic: shape(t, "spike:base=60,peak=1500,at=5m,rise=2m,hold=10m,decay=10m,for="+d)}
		return testing.AllocsPerRun(3, func() {
			if _, err := m.Run(context.Background(), sc, Options{}); err != nil {
				t.Fatal(err)
			}
		})
	}
	short, long := allocs("1h"), allocs("12h")
	if long > short {
		t.Errorf("allocations: %v for 1h, %v for 12h; want no more for a longer scenario", short, long)
	}
}

func TestRunIsCancellable(t *testing.T) {
	m := mustCompile(t, twoComponents())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Run(ctx, Scenario{Name: "x", Traffic: shape(t, "constant:rate=1,for=1h")}, Options{}); err == nil {
		t.Error("Run with a cancelled context succeeded")
	}
}

func TestCompileReportsEveryProblem(t *testing.T) {
	sys := twoComponents()
	sys.Entry = "nope"
	sys.Components[1].Calls = []Call{{To: "app", PerRequest: 1}}
	sys.Components[0].Resources.CPURequest = 0
	_, err := Compile(sys)
	me, ok := err.(*ModelError)
	if !ok || len(me.Problems) < 2 {
		t.Fatalf("Compile = %v; want a ModelError with every problem", err)
	}
	sys = twoComponents()
	sys.Components[1].Calls = []Call{{To: "app", PerRequest: 1}}
	if _, err := Compile(sys); err == nil || !contains(err.Error(), "cycle") {
		t.Errorf("Compile with app ⇄ money = %v; want a cycle", err)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// Properties of the HPA over random inputs, seeded so failures reproduce.

func randomPods(rng *rand.Rand, n int) []Pod {
	ps := make([]Pod, n)
	for i := range ps {
		p := pod(int64(100+rng.IntN(2000)), int64(rng.IntN(3000)))
		switch rng.IntN(6) {
		case 0:
			p = unready(p)
		case 1:
			p = missing(p)
		case 2:
			p = pending(p)
		case 3:
			p = hot(p)
		}
		ps[i] = p
	}
	return ps
}

func TestPropertyMoreLoadNeverFewerReplicas(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	metrics := []Metric{cpuTarget(60), {Source: PodsMetric, Target: AverageValueTarget, Value: 500}, {Source: ResourceMetric, Name: "cpu", Target: AverageValueTarget, Value: 400}}
	for trial := range 2000 {
		n := 1 + rng.IntN(12)
		ps := randomPods(rng, n)
		m := metrics[trial%len(metrics)]
		in := input(n, ps...)
		prev := -1
		for _, k := range []float64{0.25, 0.5, 1, 1.5, 2, 4, 8} {
			scaled := make([]Pod, len(ps))
			for i, p := range ps {
				p.Value = int64(float64(p.Value) * k)
				scaled[i] = p
			}
			in.Pods = scaled
			got, _, err := MetricReplicas(m, in)
			if err != nil {
				break
			}
			if got < prev {
				t.Fatalf("trial %d: load ×%v proposes %d replicas, fewer than %d at less load (pods %+v)", trial, k, got, prev, ps)
			}
			prev = got
		}
	}
}

func TestPropertyReplicasStayWithinBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		minR := 1 + rng.IntN(5)
		maxR := minR + rng.IntN(30)
		var b *Behavior
		if rng.IntN(2) == 0 {
			b = &Behavior{ScaleUp: rulesOf(1+rng.IntN(10), 15, rng.IntN(300), 60, rng.IntN(120)), ScaleDown: rulesOf(rng.IntN(5), 30, 1+rng.IntN(100), 15, rng.IntN(300))}
		}
		a, err := NewAutoscaler(HPA{MinReplicas: minR, MaxReplicas: maxR, Metrics: []Metric{cpuTarget(50)}, Behavior: b}, Controller{})
		if err != nil {
			t.Fatal(err)
		}
		current := 1 + rng.IntN(2*maxR)
		for step := range 40 {
			in := []ReplicaInput{{Pods: randomPods(rng, current)}}
			d := a.Reconcile(time.Duration(600+15*step)*time.Second, current, in)
			if d.Replicas < minR || d.Replicas > maxR {
				t.Fatalf("trial %d step %d: %d replicas outside [%d, %d] (%s)", trial, step, d.Replicas, minR, maxR, d.Reason)
			}
			current = d.Replicas
		}
	}
}

func TestPropertySimulatedReplicasStayWithinBounds(t *testing.T) {
	sys := twoComponents()
	m := mustCompile(t, sys)
	for _, traffic := range []string{"ramp:from=0,to=5000,for=20m", "steps:rates=10/3000/10/3000,every=5m", "spike:base=1,peak=8000,at=1m,rise=10s,hold=1m,decay=1m,for=20m"} {
		res := run(t, m, traffic, Options{TimelineStep: 15 * time.Second})
		for _, p := range res.Timeline {
			for _, c := range sys.Components {
				if d := p.Components[c.Name].Desired; d < c.HPA.MinReplicas || d > c.HPA.MaxReplicas {
					t.Fatalf("%s at %vs: %s desired %d outside [%d, %d]", traffic, p.T, c.Name, d, c.HPA.MinReplicas, c.HPA.MaxReplicas)
				}
			}
		}
	}
}

func TestWithinIsADistribution(t *testing.T) {
	p50, p90, p99 := 0.02, 0.05, 0.2
	prev := 0.0
	for x := 0.0; x < 2; x += 0.001 {
		f := within(x, p50, p90, p99)
		if f < prev-1e-12 || f < 0 || f > 1 {
			t.Fatalf("within(%v) = %v after %v: want a non-decreasing fraction", x, f, prev)
		}
		prev = f
	}
	for _, c := range []struct{ x, want float64 }{{p50, 0.5}, {p90, 0.9}, {p99, 0.99}} {
		if got := within(c.x, p50, p90, p99); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("within(%v) = %v; want %v", c.x, got, c.want)
		}
	}
}

func TestExpNeg(t *testing.T) {
	for z := 0.0; z <= 40; z += 0.001 {
		if got, want := expNeg(z), math.Exp(-z); math.Abs(got-want) > 1e-9*want {
			t.Fatalf("expNeg(%v) = %v; want %v", z, got, want)
		}
	}
}

// A Model is shared by concurrent runs (go test -race checks it).
func TestRunConcurrently(t *testing.T) {
	m := mustCompile(t, twoComponents())
	sc := Scenario{Name: "test", Traffic: shape(t, "spike:base=60,peak=1500,at=1m,rise=1m,hold=2m,decay=2m,for=10m")}
	want, err := m.Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan *Result, 4)
	for range 4 {
		go func() {
			res, err := m.Run(context.Background(), sc, Options{})
			if err != nil {
				t.Error(err)
			}
			results <- res
		}()
	}
	for range 4 {
		if got := <-results; !reflect.DeepEqual(got, want) {
			t.Error("a concurrent run differs from a lone one")
		}
	}
}
