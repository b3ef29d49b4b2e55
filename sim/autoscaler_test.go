package sim

import (
	"testing"
	"time"
)

// propose is a metric whose proposal is exactly its value: an Object
// metric with a per-pod target of 1, so the calculator proposes
// ceil(value / 1) replicas. proposal leaves StatusReplicas at 0, so the
// tolerance never applies (value / (target × 0) is never within it, as in
// GetObjectPerPodMetricReplicas).
var propose = Metric{Source: ObjectMetric, Name: "proposal", Target: AverageValueTarget, Value: 1000}

func proposal(n int) []ReplicaInput { return []ReplicaInput{{ObjectValue: int64(n) * 1000}} }

func dur(s int) *time.Duration         { d := time.Duration(s) * time.Second; return &d }
func sel(p SelectPolicy) *SelectPolicy { return &p }

func rulesOf(pods, podsPeriod, percent, percentPeriod, window int) *ScalingRules {
	r := &ScalingRules{StabilizationWindow: dur(window), SelectPolicy: sel(MaxChange), Policies: []Policy{}}
	if pods != 0 {
		r.Policies = append(r.Policies, Policy{PodsPolicy, pods, time.Duration(podsPeriod) * time.Second})
	}
	if percent != 0 {
		r.Policies = append(r.Policies, Policy{PercentPolicy, percent, time.Duration(percentPeriod) * time.Second})
	}
	return r
}

func newTestAutoscaler(t *testing.T, minR, maxR int, b *Behavior) *Autoscaler {
	t.Helper()
	a, err := NewAutoscaler(HPA{MinReplicas: minR, MaxReplicas: maxR, Metrics: []Metric{propose}, Behavior: b}, Controller{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// One reconciliation, cases derived from the Kubernetes controller's
// TestScalingWithRules (scale-down stabilization set to 0 so the policies
// alone decide).
func TestReconcileWithBehaviorPolicies(t *testing.T) {
	down0 := rulesOf(0, 0, 100, 15, 0)
	cases := []struct {
		name             string
		minR, maxR       int
		up, down         *ScalingRules
		current, desired int
		want             int
		reason           string
	}{
		{"a proposal within range is taken", 3, 8, nil, down0, 5, 7, 7, "DesiredWithinRange"},
		{"maxReplicas limits below the rate", 1, 10, nil, down0, 20, 1000, 10, "TooManyReplicas"},
		{"maxReplicas limits a proposal far above", 100, 150, nil, down0, 100, 1000, 150, "TooManyReplicas"},
		{"a 1% policy still adds one pod", 1, 2000, rulesOf(0, 0, 1, 60, 0), down0, 3, 1000, 4, "ScaleUpLimit"},
		{"the default scale-up doubles", 1, 1000, nil, down0, 10, 50, 20, "ScaleUpLimit"},
		{"a pods policy larger than the percent policy wins with Max", 1, 1000, rulesOf(100, 60, 100, 60, 0), down0, 10, 500, 110, "ScaleUpLimit"},
		{"a percent policy larger than the pods policy wins with Max", 1, 1000, rulesOf(2, 60, 100, 60, 0), down0, 10, 500, 20, "ScaleUpLimit"},
		{"a large pods policy lets the proposal through", 1, 1000, rulesOf(100, 60, 0, 0, 0), down0, 10, 50, 50, "DesiredWithinRange"},
		{"a pods policy limits", 1, 1000, rulesOf(30, 60, 0, 0, 0), down0, 10, 50, 40, "ScaleUpLimit"},
		{"a percent policy limits", 1, 1000, rulesOf(0, 0, 200, 60, 0), down0, 10, 50, 30, "ScaleUpLimit"},
		{"Min selects the smaller change", 1, 1000, &ScalingRules{SelectPolicy: sel(MinChange)}, down0, 10, 50, 14, "ScaleUpLimit"},
		{"Disabled blocks scale-up", 1, 1000, &ScalingRules{SelectPolicy: sel(Disabled)}, down0, 10, 50, 10, "ScaleUpLimit"},
		{"a percent policy larger than the pods policy wins a scale-down with Max", 1, 1000, nil, rulesOf(20, 60, 1, 60, 0), 100, 2, 80, "ScaleDownLimit"},
		{"a pods policy larger than the percent policy wins a scale-down with Max", 1, 1000, nil, rulesOf(2, 60, 1, 60, 0), 100, 2, 98, "ScaleDownLimit"},
		{"minReplicas limits a large pods policy", 1, 1000, nil, rulesOf(100, 60, 0, 0, 0), 10, 0, 1, "TooFewReplicas"},
		{"minReplicas limits a large percent policy", 5, 1000, nil, rulesOf(0, 0, 100, 60, 0), 10, 2, 5, "TooFewReplicas"},
		{"a pods policy limits a scale-down", 1, 1000, nil, rulesOf(5, 60, 0, 0, 0), 10, 2, 5, "ScaleDownLimit"},
		{"a 50% policy allows halving", 1, 1000, nil, rulesOf(0, 0, 50, 60, 0), 10, 5, 5, "DesiredWithinRange"},
		{"Disabled blocks scale-down", 1, 1000, nil, &ScalingRules{StabilizationWindow: dur(0), SelectPolicy: sel(Disabled)}, 10, 2, 10, "ScaleDownLimit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestAutoscaler(t, tc.minR, tc.maxR, &Behavior{ScaleUp: tc.up, ScaleDown: tc.down})
			d := a.Reconcile(time.Minute, tc.current, proposal(tc.desired))
			if d.Replicas != tc.want || d.Reason != tc.reason {
				t.Errorf("Reconcile(current %d, proposal %d) = %d (%s); want %d (%s)", tc.current, tc.desired, d.Replicas, d.Reason, tc.want, tc.reason)
			}
		})
	}
}

// step is one reconciliation in a sequence: at a time, the proposal, and
// the replica count expected afterwards.
type step struct {
	at       int // seconds
	proposal int
	want     int
}

func runSteps(t *testing.T, a *Autoscaler, current int, steps []step) {
	t.Helper()
	for _, s := range steps {
		d := a.Reconcile(time.Duration(s.at)*time.Second, current, proposal(s.proposal))
		if d.Replicas != s.want {
			t.Fatalf("at %ds with %d replicas, proposal %d: got %d (%s); want %d", s.at, current, s.proposal, d.Replicas, d.Reason, s.want)
		}
		current = d.Replicas
	}
}

func TestReconcileSequences(t *testing.T) {
	t.Run("the default behavior doubles every 15 seconds", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 1000, &Behavior{})
		runSteps(t, a, 10, []step{{15, 1000, 20}, {30, 1000, 40}, {45, 1000, 80}, {60, 1000, 160}})
	})
	t.Run("the default behavior adds four pods when that is more than doubling", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 1000, &Behavior{})
		runSteps(t, a, 1, []step{{15, 100, 5}, {30, 100, 10}})
	})
	t.Run("a percent policy counts the changes made within its period", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 1000, &Behavior{ScaleUp: rulesOf(0, 0, 100, 60, 0)})
		// The scale-up at 15 s is inside the 60 s period until 75 s.
		runSteps(t, a, 10, []step{{15, 1000, 20}, {30, 1000, 20}, {60, 1000, 20}, {75, 1000, 40}})
	})
	t.Run("scale-down events within the period give back room to scale up", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 1000, &Behavior{ScaleUp: rulesOf(0, 0, 300, 300, 0), ScaleDown: rulesOf(0, 0, 100, 15, 0)})
		// Up 2 → 6 (+4), down 6 → 4 (−2): the period started at 4 − 4 + 2 = 2, so 300% allows 8.
		runSteps(t, a, 2, []step{{15, 6, 6}, {30, 4, 4}, {45, 24, 8}})
	})
	t.Run("the legacy rules grow by max(2×, 4) per reconciliation", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 100, nil)
		runSteps(t, a, 1, []step{{15, 100, 4}, {30, 100, 8}, {45, 100, 16}, {60, 100, 32}})
	})
	t.Run("the legacy rules keep the highest recommendation of the last 5 minutes", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 100, nil)
		runSteps(t, a, 10, []step{{15, 10, 10}, {30, 4, 10}, {300, 4, 10}, {315, 4, 10}, {330, 3, 4}, {345, 3, 4}, {615, 3, 4}, {616, 3, 3}})
	})
	t.Run("scale-down stabilization keeps the highest recommendation in its window", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 100, &Behavior{ScaleDown: rulesOf(0, 0, 100, 15, 60)})
		runSteps(t, a, 10, []step{{15, 10, 10}, {30, 5, 10}, {74, 5, 10}, {75, 5, 5}, {90, 2, 5}, {134, 2, 5}, {135, 2, 2}})
	})
	t.Run("scale-up stabilization waits for the lowest recommendation in its window to rise", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 100, &Behavior{ScaleUp: &ScalingRules{StabilizationWindow: dur(30)}, ScaleDown: rulesOf(0, 0, 100, 15, 0)})
		runSteps(t, a, 4, []step{{15, 4, 4}, {30, 8, 4}, {44, 8, 4}, {45, 8, 8}})
	})
	t.Run("the initial recommendation holds off a scale-down in the legacy window", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 100, nil)
		runSteps(t, a, 10, []step{{15, 2, 10}, {314, 2, 10}, {316, 2, 2}})
	})
	t.Run("replicas below minReplicas are raised without reading metrics", func(t *testing.T) {
		a := newTestAutoscaler(t, 5, 100, &Behavior{})
		runSteps(t, a, 2, []step{{15, 1, 5}})
	})
	t.Run("replicas above maxReplicas are lowered without reading metrics", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 6, nil)
		runSteps(t, a, 9, []step{{15, 100, 6}})
	})
	t.Run("a raised minReplicas applies from then on", func(t *testing.T) {
		a := newTestAutoscaler(t, 1, 100, &Behavior{})
		runSteps(t, a, 3, []step{{15, 3, 3}})
		a.SetMinReplicas(20)
		runSteps(t, a, 3, []step{{30, 3, 20}})
	})
}

func TestReconcileSeveralMetrics(t *testing.T) {
	// Pods started at 0 and read at 10 minutes are past the CPU
	// initialization period.
	cpu := cpuTarget(50)
	rps := Metric{Source: PodsMetric, Target: AverageValueTarget, Value: 100_000}
	a, err := NewAutoscaler(HPA{MinReplicas: 1, MaxReplicas: 100, Metrics: []Metric{cpu, rps}, Behavior: &Behavior{ScaleUp: rulesOf(100, 15, 0, 0, 0), ScaleDown: rulesOf(0, 0, 100, 15, 0)}}, Controller{})
	if err != nil {
		t.Fatal(err)
	}
	four := func(cpuValue, rpsValue int64) []ReplicaInput {
		return []ReplicaInput{{Pods: pods(1000, cpuValue, cpuValue, cpuValue, cpuValue)}, {Pods: pods(1000, rpsValue, rpsValue, rpsValue, rpsValue)}}
	}
	if d := a.Reconcile(10*time.Minute, 4, four(750, 50_000)); d.Replicas != 6 {
		t.Errorf("CPU proposes 6 and requests 2: got %d; want the larger, 6", d.Replicas)
	}
	if d := a.Reconcile(11*time.Minute, 6, four(250, 300_000)); d.Replicas != 12 {
		t.Errorf("CPU proposes 2 and requests 12: got %d; want 12", d.Replicas)
	}
	// One metric without samples: scale-up on the others still happens,
	// a scale-down does not.
	noRPS := func(cpuValue int64) []ReplicaInput {
		return []ReplicaInput{{Pods: pods(1000, cpuValue, cpuValue, cpuValue, cpuValue)}, {Pods: []Pod{missing(pod(1000, 0))}}}
	}
	if d := a.Reconcile(12*time.Minute, 4, noRPS(1000)); d.Replicas != 8 {
		t.Errorf("CPU proposes 8 and requests is invalid: got %d; want 8", d.Replicas)
	}
	if d := a.Reconcile(13*time.Minute, 8, noRPS(100)); d.Replicas != 8 || d.Reason != "InvalidMetrics" {
		t.Errorf("CPU proposes a scale-down and requests is invalid: got %d (%s); want 8 (InvalidMetrics)", d.Replicas, d.Reason)
	}
}

func TestHPAValidate(t *testing.T) {
	cases := []struct {
		name string
		hpa  HPA
		ok   bool
	}{
		{"a plain HPA is valid", HPA{MinReplicas: 1, MaxReplicas: 3}, true},
		{"minReplicas 0 is not simulated", HPA{MinReplicas: 0, MaxReplicas: 3}, false},
		{"maxReplicas below minReplicas", HPA{MinReplicas: 4, MaxReplicas: 3}, false},
		{"memory is not simulated", HPA{MinReplicas: 1, MaxReplicas: 3, Metrics: []Metric{{Source: ResourceMetric, Name: "memory", Target: UtilizationTarget, AverageUtilization: 50}}}, false},
		{"a Pods metric needs an average value", HPA{MinReplicas: 1, MaxReplicas: 3, Metrics: []Metric{{Source: PodsMetric, Target: ValueTarget, Value: 1}}}, false},
		{"a policy period over 30 minutes", HPA{MinReplicas: 1, MaxReplicas: 3, Behavior: &Behavior{ScaleUp: &ScalingRules{Policies: []Policy{{PodsPolicy, 1, time.Hour}}}}}, false},
		{"a stabilization window over an hour", HPA{MinReplicas: 1, MaxReplicas: 3, Behavior: &Behavior{ScaleDown: &ScalingRules{StabilizationWindow: dur(3601)}}}, false},
	}
	for _, tc := range cases {
		if err := tc.hpa.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v; want ok = %v", tc.name, err, tc.ok)
		}
	}
}
