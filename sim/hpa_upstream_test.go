package sim

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// Vectors for the places where headroom's HPA once diverged from the
// Kubernetes controller, each worked out by hand from the code of
// kubernetes v1.37.2 (pkg/controller/podautoscaler/replica_calculator.go,
// horizontal.go and metrics/utilization.go): inputs → upstream's answer,
// with the arithmetic in a comment. The helpers (pod, input, missing…)
// are those of hpa_test.go: pods are Running and Ready, started long
// ago, with a one-minute sample window; the tolerance is 0.1 both ways.

func succeeded(p Pod) Pod { p.Phase, p.Ready = PodSucceeded, false; return p }

func times(n int, p Pod) []Pod {
	out := make([]Pod, n)
	for i := range out {
		out[i] = p
	}
	return out
}

func concat(groups ...[]Pod) []Pod {
	var out []Pod
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Divergence 1: on a scale-down, GetResourceReplicas gives each missing
// pod the value requests[pod] * max(100, target) / 100 — integer division
// pod by pod — and then re-runs GetResourceUtilizationRatio over the
// filled map. Headroom used to divide once over the summed requests.
func TestUpstreamMissingPodFallbackIsRoundedPerPod(t *testing.T) {
	const r = 499 // millicores: 499 × 150 / 100 = 748.5, which upstream floors to 748 per pod
	util150 := cpuTarget(150)
	runCalcCases(t, []calcCase{
		{
			// 3 ready pods at 624m of 499m, 2 missing, 2 pending; spec 7.
			// First pass: utilization 3·624·100 / (3·499) = 187200/1497 = 125 → ratio 125/150 = 0.833 < 1.
			// Missing pods (scale-down): 499·150/100 = 748 each → total 1872 + 1496 = 3368 over 5·499 = 2495.
			// Second pass: 336800/2495 = 134 → ratio 0.8933, outside [0.9, 1.1], same direction.
			// ceil(0.8933 · 5 pods in the map) = 5 ≤ 7 → upstream proposes 5.
			// (Rounding once over the sum gave 2·499·150/100 = 1497 → 3369 → 135 → 0.9, within
			// tolerance → 7.)
			name:   "two missing pods with odd requests and a 150% target: upstream scales 7 to 5",
			metric: util150,
			in:     input(7, concat(times(3, pod(r, 624)), times(2, missing(pod(r, 0))), times(2, pending(pod(r, 0))))...),
			want:   5, wantUsage: 125,
		},
		{
			// The same with 500m requests and 625m samples: 500·150/100 = 750 exactly.
			// First pass 3·625·100 / (3·500) = 125 → 0.833.
			// Second pass (1875 + 1500)·100 / 2500 = 135 → 0.9, within tolerance → current 7.
			name:   "the same with even requests rounds exactly and stays within tolerance",
			metric: util150,
			in:     input(7, concat(times(3, pod(500, 625)), times(2, missing(pod(500, 0))), times(2, pending(pod(500, 0))))...),
			want:   7, wantUsage: 125,
		},
		{
			// Grouped pods (Count) are the same pods one by one.
			name:   "a group of missing pods is rounded pod by pod too",
			metric: util150,
			in: input(7, Pod{Count: 3, Phase: PodRunning, Ready: true, Request: r, HasMetric: true, Value: 624, Window: time.Minute},
				Pod{Count: 2, Phase: PodRunning, Ready: true, Request: r, Window: time.Minute},
				Pod{Count: 2, Phase: PodPending, Request: r}),
			want: 5, wantUsage: 125,
		},
		{
			// Target 250%: 1 ready pod 333m at 500m; 3 missing 333m. First pass 50000/333 = 150 → 0.6.
			// Per pod 333·250/100 = 832 (832.5) → 500 + 3·832 = 2996 over 1332 → 299600/1332 = 224
			// → 0.896, outside tolerance; ceil(0.896 · 4) = ceil(3.584) = 4 ≤ 6 → 4.
			// (Once over the sum: 999·250/100 = 2497 → 2997 → 225 → 0.9, within → 6.)
			name:   "three missing pods and a 250% target: upstream scales 6 to 4",
			metric: cpuTarget(250),
			in:     input(6, concat([]Pod{pod(333, 500)}, times(3, missing(pod(333, 0))), times(2, pending(pod(333, 0))))...),
			want:   4, wantUsage: 150,
		},
		{
			// At or below 100% the fallback is the request itself: no rounding.
			// 8 pods at 450m of 1000m, 2 missing: 45% → 0.75; (3600 + 2000)·100/10000 = 56 → 0.933
			// within tolerance → 10.
			name:   "at a 60% target missing pods count as their whole request",
			metric: cpuTarget(60),
			in:     input(10, concat(times(8, pod(1000, 450)), times(2, missing(pod(1000, 0))))...),
			want:   10, wantUsage: 45,
		},
		{
			// Scale-up: missing pods count as 0 with their request. 2 pods at 100% of 1000m,
			// target 50%: ratio 2; (2000 + 0)·100 / 4000 = 50 → ratio 1, within → current 4.
			name:   "on a scale-up missing pods count as idle and can cancel it",
			metric: cpuTarget(50),
			in:     input(4, concat(times(2, pod(1000, 1000)), times(2, missing(pod(1000, 0))))...),
			want:   4, wantUsage: 100,
		},
		{
			// CPU AverageValue (GetRawResourceReplicas → calcPlainMetricReplicas): missing pods
			// count as exactly the target. 3 pods at 100m, target 500m: 100/500 = 0.2;
			// (300 + 2·500)/5 = 260 → 0.52; ceil(0.52 · 5) = 3.
			name:   "CPU average value: missing pods count as the target",
			metric: Metric{Source: ResourceMetric, Name: "cpu", Target: AverageValueTarget, Value: 500},
			in:     input(5, concat(times(3, pod(1000, 100)), times(2, missing(pod(1000, 0))))...),
			want:   3, wantUsage: 100,
		},
		{
			// Pods metric (GetMetricReplicas): target 10 req/s; 4 pods at 3 req/s, 3 missing:
			// 3000/10000 = 0.3; (12000 + 30000)/7 = 6000 → 0.6; ceil(0.6 · 7) = ceil(4.2) = 5.
			name:   "Pods metric: missing pods count as the target on a scale-down",
			metric: Metric{Source: PodsMetric, Target: AverageValueTarget, Value: 10_000},
			in:     input(7, concat(times(4, pod(1000, 3000)), times(3, missing(pod(1000, 0))))...),
			want:   5, wantUsage: 3000,
		},
		{
			// Pods metric, scale-up: missing pods count as 0. 2 pods at 30 req/s, target 10:
			// ratio 3; (60000 + 0)/4 = 15000 → 1.5; ceil(1.5 · 4) = 6.
			name:   "Pods metric: missing pods count as idle on a scale-up",
			metric: Metric{Source: PodsMetric, Target: AverageValueTarget, Value: 10_000},
			in:     input(4, concat(times(2, pod(1000, 30_000)), times(2, missing(pod(1000, 0))))...),
			want:   6, wantUsage: 30_000,
		},
		{
			// Pods metric whose missing pods would flip the direction: 1 pod at 8 req/s, 3 missing,
			// target 10: 0.8; (8000 + 30000)/4 = 9500 → 0.95, within → current 4.
			name:   "Pods metric: missing pods bringing the ratio within tolerance keep the count",
			metric: Metric{Source: PodsMetric, Target: AverageValueTarget, Value: 10_000},
			in:     input(4, concat([]Pod{pod(1000, 8000)}, times(3, missing(pod(1000, 0))))...),
			want:   4, wantUsage: 8000,
		},
	})
}

// Divergence 2: groupPods ignores only pods being deleted and Failed
// pods. A Succeeded pod (a selector that also matches a finished Job's
// pods, a custom scale target) goes on like a Running one: without a
// sample it is missing; with one it is judged by its Ready condition (CPU)
// or counted as ready (other metrics). getReadyPodsCount (Object and
// External Value targets) counts only Running and Ready pods.
func TestUpstreamSucceededPodsAreNotIgnored(t *testing.T) {
	rps := Metric{Source: PodsMetric, Target: AverageValueTarget, Value: 10_000}
	done := succeeded(missing(pod(1000, 0)))
	// A Succeeded pod with a sample, started long ago, ready once (its Ready
	// condition went False when it completed, long after it started).
	doneWithSample := succeeded(pod(1000, 800))
	doneWithSample.ReadyChanged = calcNow - 10*time.Minute
	runCalcCases(t, []calcCase{
		{
			// 3 pods at 20% of 1000m, target 50%: 0.4 < 1. The 2 Succeeded pods are missing:
			// scale-down fills them at 100% → (600 + 2000)·100/5000 = 52 → 1.04, within tolerance
			// (and past 1, the other direction) → current 3. (Ignoring them gave ceil(0.4 · 3) = 2.)
			name:   "Succeeded pods without samples hold a CPU scale-down",
			metric: cpuTarget(50),
			in:     input(3, concat(times(3, pod(1000, 200)), times(2, done))...),
			want:   3, wantUsage: 20,
		},
		{
			// 2 pods at 100%, target 50%: ratio 2; the Succeeded pods count as 0 with their
			// requests: 2000·100/4000 = 50 → 1, within → current 2. (Ignoring them gave 4.)
			name:   "Succeeded pods without samples count as idle on a CPU scale-up",
			metric: cpuTarget(50),
			in:     input(2, concat(times(2, pod(1000, 1000)), times(2, done))...),
			want:   2, wantUsage: 100,
		},
		{
			// Past the CPU initialization period an unready pod's sample is ignored only if it never
			// became ready (StartTime + 10 s after the transition); this one was ready once, so its
			// 800m counts: (800 + 800)·100/2000 = 80 → 80/50 = 1.6; ceil(1.6 · 2) = 4.
			name:   "a Succeeded pod with a sample that was ready once counts for CPU",
			metric: cpuTarget(50),
			in:     input(1, pod(1000, 800), doneWithSample),
			want:   4, wantUsage: 80,
		},
		{
			// Pods metric (no CPU rules): a Succeeded pod with a sample is ready.
			// (20000 · 3)/3 = 20000 → 2; ceil(2 · 3) = 6. (Ignoring it gave 4.)
			name:   "a Succeeded pod with a sample counts for a Pods metric",
			metric: rps,
			in:     input(2, pod(1000, 20_000), pod(1000, 20_000), succeeded(pod(1000, 20_000))),
			want:   6, wantUsage: 20_000,
		},
		{
			// Failed pods stay ignored, sample or not: 2 pods at 20 req/s → 2; ceil(2 · 2) = 4.
			name:   "Failed pods are ignored even with a sample",
			metric: rps,
			in:     input(2, pod(1000, 20_000), pod(1000, 20_000), failed(pod(1000, 1))),
			want:   4, wantUsage: 20_000,
		},
		{
			// Object Value: getReadyPodsCount counts Running and Ready pods only.
			// 20000/10000 = 2; ready pods 2 → 4.
			name:   "Succeeded pods do not multiply an Object metric's ratio",
			metric: Metric{Source: ObjectMetric, Target: ValueTarget, Value: 10_000},
			in:     withObject(input(2, concat(pods(1000, 0, 0), times(2, done))...), 20_000),
			want:   4, wantUsage: 20_000,
		},
		{
			// getReadyPodsCount does not look at deletion timestamps: a Running, Ready pod being
			// deleted still counts. 2 · 3 = 6.
			name:   "a ready pod being deleted still multiplies an Object metric's ratio",
			metric: Metric{Source: ObjectMetric, Target: ValueTarget, Value: 10_000},
			in:     withObject(input(3, concat(pods(1000, 0, 0), []Pod{deleting(pod(1000, 0))})...), 20_000),
			want:   6, wantUsage: 20_000,
		},
		{
			// Only Succeeded pods and no sample: the map is empty → error.
			name:    "only Succeeded pods without samples is an error",
			metric:  cpuTarget(50),
			in:      input(2, done, done),
			wantErr: true,
		},
	})
}

func withObject(in ReplicaInput, v int64) ReplicaInput { in.ObjectValue = v; return in }

func withStatus(in ReplicaInput, n int) ReplicaInput { in.StatusReplicas = n; return in }

// Divergence 3: GetObjectPerPodMetricReplicas and
// GetExternalPerPodMetricReplicas start from status.replicas. With 0 the
// ratio usage / (target · 0) is +Inf (or NaN for a zero usage), never
// within tolerance, so the proposal is ceil(usage / target).
func TestUpstreamZeroStatusReplicasWithAverageValueTargets(t *testing.T) {
	object := Metric{Source: ObjectMetric, Target: AverageValueTarget, Value: 5000}
	external := Metric{Source: ExternalMetric, Target: AverageValueTarget, Value: 5000}
	runCalcCases(t, []calcCase{
		{
			// spec 4, status 0, 20.4 per 5: +Inf → ceil(4.08) = 5. (Against spec 4 the ratio would
			// be 1.02, within tolerance → 4.)
			name:   "an Object average value with status 0 proposes ceil(value / target)",
			metric: object,
			in:     withStatus(withObject(input(4, pods(1000, 0, 0, 0, 0)...), 20_400), 0),
			want:   5, wantUsage: 0,
		},
		{
			name:   "an External average value with status 0 proposes ceil(value / target)",
			metric: external,
			in:     withStatus(withObject(input(4, pods(1000, 0, 0, 0, 0)...), 20_400), 0),
			want:   5, wantUsage: 0,
		},
		{
			// NaN ratio → not within → ceil(0 / 5000) = 0.
			name:   "a zero value with status 0 proposes 0",
			metric: external,
			in:     withStatus(withObject(input(4, pods(1000, 0, 0, 0, 0)...), 0), 0),
			want:   0, wantUsage: 0,
		},
		{
			// status 4: 20400 / 20000 = 1.02, within → 4; usage ceil(20400 / 4) = 5100.
			name:   "the same value with status 4 is within tolerance",
			metric: object,
			in:     withObject(input(4, pods(1000, 0, 0, 0, 0)...), 20_400),
			want:   4, wantUsage: 5100,
		},
		{
			// status (5, pods still starting) is read, not spec (4): 20400 / 25000 = 0.816 → ceil(4.08) = 5.
			name:   "the status count, not the spec count, is the base",
			metric: external,
			in:     withStatus(withObject(input(4, pods(1000, 0, 0, 0, 0)...), 20_400), 5),
			want:   5, wantUsage: 4080,
		},
	})

	// Through the controller: Reconcile used to put spec.replicas where
	// status.replicas was 0.
	a, err := NewAutoscaler(HPA{MinReplicas: 1, MaxReplicas: 20, Metrics: []Metric{external}, Behavior: &Behavior{}}, Controller{})
	if err != nil {
		t.Fatal(err)
	}
	d := a.Reconcile(time.Minute, 4, []ReplicaInput{{StatusReplicas: 0, ObjectValue: 20_400}})
	if d.Replicas != 5 || d.Proposed != 5 {
		t.Errorf("Reconcile(spec 4, status 0, 20.4 for 5 per pod) = %d (proposed %d, %s); want 5 as upstream", d.Replicas, d.Proposed, d.Reason)
	}
}

// Divergence 4: reconcileAutoscaler with scale.spec.replicas = 0 and no
// ScaledToZero condition (which only the controller's own scale to zero
// sets, impossible with minReplicas ≥ 1) takes shouldDisable: desired 0,
// no rescale, ScalingActive=False "ScalingDisabled". Metrics are not read.
func TestUpstreamZeroSpecReplicasDisablesScaling(t *testing.T) {
	hot := []ReplicaInput{{Pods: pods(1000, 1000, 1000), ObjectValue: 1_000_000}}
	for _, tc := range []struct {
		name     string
		min      int
		behavior *Behavior
	}{
		{"an HPA without behavior", 1, nil},
		{"an HPA with the default behavior", 1, &Behavior{}},
		{"an HPA with minReplicas 5", 5, &Behavior{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewAutoscaler(HPA{MinReplicas: tc.min, MaxReplicas: 50, Metrics: []Metric{cpuTarget(50)}, Behavior: tc.behavior}, Controller{})
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range []time.Duration{10 * time.Minute, 10*time.Minute + 15*time.Second} {
				d := a.Reconcile(at, 0, hot)
				if d.Replicas != 0 || d.Proposed != -1 || d.Reason != "ScalingDisabled" {
					t.Fatalf("Reconcile(spec 0) at %v = %+v; want 0 replicas, proposed -1, ScalingDisabled", at, d)
				}
			}
			// Scaled back up by hand, the HPA works again from its bounds and metrics:
			// 2 pods at 100% for a 50% target propose ceil(2 · 2) = 4 (or minReplicas).
			d := a.Reconcile(11*time.Minute, 2, []ReplicaInput{{Pods: pods(1000, 1000, 1000)}})
			if want := max(4, tc.min); d.Replicas != want {
				t.Errorf("after a manual scale to 2: %d (%s); want %d", d.Replicas, d.Reason, want)
			}
		})
	}
}

// lenient is a controller with a zero downscale stabilization window (the
// flag set to 0s); the other settings are the defaults.
func lenient() Controller {
	c := DefaultController()
	c.DownscaleStabilization = 0
	return c
}

// Divergence 5: recordInitialRecommendation stores {current, time.Now()}
// before the reconciliation's stabilization reads time.Now() again, so the
// initial recommendation is strictly older than the cutoff now − 0: with a
// zero window stabilizeRecommendation (no behavior) finds it old, replaces
// it and returns the proposal; stabilizeRecommendationWithBehaviors does
// not count it either (its timestamp is not After the cutoff).
func TestUpstreamFirstReconcileWithAZeroDownscaleWindow(t *testing.T) {
	ninety := 90*time.Second + 900*time.Millisecond
	for _, tc := range []struct {
		name     string
		ctl      Controller
		behavior *Behavior
		steps    []step
	}{
		// 10 → proposal 2: max(2, nothing in the window) = 2; the legacy growth limit does not apply
		// to a scale-down → 2.
		{"no behavior and a zero window scale down at once", lenient(), nil, []step{{15, 2, 2}}},
		// The default 5-minute window keeps the initial 10 until it is older than the cutoff.
		{"no behavior and the default window hold the initial count", DefaultController(), nil, []step{{15, 2, 10}, {314, 2, 10}, {316, 2, 2}}},
		// A behavior whose scale-down window comes from the controller (0): the 100%/15 s default
		// policy allows 10 → 2.
		{"a behavior taking the controller's zero window scales down at once", lenient(), &Behavior{}, []step{{15, 2, 2}}},
		{"a behavior with a zero scale-down window scales down at once", DefaultController(), &Behavior{ScaleDown: &ScalingRules{StabilizationWindow: dur(0)}}, []step{{15, 2, 2}}},
		// maybeInitScaleDownStabilizationWindow stores the controller's window as whole seconds:
		// 90.9 s → 90 s. The 10 recorded at 15 s holds at 104 s (cutoff 14 s) and is out at 105 s
		// (cutoff 15 s: a recommendation counts only when strictly after it); with 90.9 s it would
		// hold until 106 s.
		{"the controller's window is used in whole seconds by a behavior", func() Controller { c := DefaultController(); c.DownscaleStabilization = ninety; return c }(), &Behavior{}, []step{{15, 10, 10}, {104, 2, 10}, {105, 2, 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewAutoscaler(HPA{MinReplicas: 1, MaxReplicas: 100, Metrics: []Metric{propose}, Behavior: tc.behavior}, tc.ctl)
			if err != nil {
				t.Fatal(err)
			}
			runSteps(t, a, 10, tc.steps)
		})
	}
}

// Tolerances in v1.37 (tolerancesForHpa, HPAConfigurableTolerance GA and
// locked on): behavior.scaleUp/scaleDown.tolerance replace the
// controller's for their direction; an HPA without behavior uses the
// controller's both ways.
func TestUpstreamConfigurableTolerances(t *testing.T) {
	five, thirty := 0.05, 0.3
	zeroTol := DefaultController()
	zeroTol.Tolerance = 0
	for _, tc := range []struct {
		name     string
		ctl      Controller
		behavior *Behavior
		want     Tolerances
		// 4 pods at usage/target = ratio; the proposal for each ratio.
		ratio    float64
		proposed int
	}{
		{"no behavior: the controller's 10% both ways", Controller{}, nil, Tolerances{0.1, 0.1}, 1.08, 4},
		{"a 5% scale-up tolerance lets 8% over scale up", Controller{}, &Behavior{ScaleUp: &ScalingRules{Tolerance: &five}}, Tolerances{0.1, 0.05}, 1.08, 5},
		{"a 30% scale-down tolerance holds 25% under", Controller{}, &Behavior{ScaleDown: &ScalingRules{Tolerance: &thirty}}, Tolerances{0.3, 0.1}, 0.75, 4},
		{"the controller's 10% lets 25% under scale down", Controller{}, &Behavior{}, Tolerances{0.1, 0.1}, 0.75, 3},
		{"a controller tolerance of 0 is kept", zeroTol, nil, Tolerances{0, 0}, 1.02, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Metric{Source: PodsMetric, Target: AverageValueTarget, Value: 10_000}
			a, err := NewAutoscaler(HPA{MinReplicas: 1, MaxReplicas: 100, Metrics: []Metric{m}, Behavior: tc.behavior}, tc.ctl)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Tolerances(); got != tc.want {
				t.Fatalf("Tolerances() = %+v; want %+v", got, tc.want)
			}
			v := int64(math.Round(tc.ratio * 10_000))
			d := a.Reconcile(10*time.Minute, 4, []ReplicaInput{{Pods: pods(1000, v, v, v, v)}})
			if d.Proposed != tc.proposed {
				t.Errorf("ratio %v: proposed %d; want %d (ceil(%v · 4) outside the band, 4 within)", tc.ratio, d.Proposed, tc.proposed, tc.ratio)
			}
		})
	}
}

// refPodByPod is an independent reference for the pod-based targets,
// written pod by pod the way replica_calculator.go works (a map of
// samples per pod name, filled and re-averaged), with none of headroom's
// grouping: groupPods' classification, then GetResourceReplicas (for a
// Utilization target) or calcPlainMetricReplicas.
func refPodByPod(m Metric, in ReplicaInput) (int, error) {
	var list []Pod
	for _, p := range in.Pods {
		for range p.count() {
			q := p
			q.Count = 1
			list = append(list, q)
		}
	}
	if len(list) == 0 {
		return 0, errors.New("no pods")
	}
	isCPU := m.Source == ResourceMetric
	samples := map[int]int64{}
	var unready, missingPods []int
	readyCount := 0
	for i, p := range list {
		if p.Deleting || p.Phase == PodFailed {
			continue
		}
		if p.Phase == PodPending {
			unready = append(unready, i)
			continue
		}
		if !p.HasMetric {
			missingPods = append(missingPods, i)
			continue
		}
		if isCPU {
			var notReady bool
			if p.Started+in.CPUInitializationPeriod > in.Now {
				notReady = !p.Ready || p.SampledAt < p.ReadyChanged+p.Window
			} else {
				notReady = !p.Ready && p.Started+in.InitialReadinessDelay > p.ReadyChanged
			}
			if notReady {
				unready = append(unready, i)
				continue
			}
		}
		samples[i] = p.Value
		readyCount++
	}
	if len(samples) == 0 {
		return 0, ErrNoMetrics
	}
	utilization := m.Source == ResourceMetric && m.Target == UtilizationTarget
	target := m.Value
	if utilization {
		target = int64(m.AverageUtilization)
		for _, p := range list {
			if p.Request <= 0 {
				return 0, errors.New("missing request")
			}
		}
	}
	ratioOf := func() float64 {
		var sum, req int64
		for i, v := range samples {
			sum += v
			req += list[i].Request
		}
		if utilization {
			return float64(sum*100/req) / float64(target)
		}
		return float64(sum/int64(len(samples))) / float64(target)
	}
	ratio := ratioOf()
	upWithUnready := len(unready) > 0 && ratio > 1
	if !upWithUnready && len(missingPods) == 0 {
		if in.Tolerances.within(ratio) {
			return in.Replicas, nil
		}
		return int(math.Ceil(ratio * float64(readyCount))), nil
	}
	for _, i := range missingPods {
		switch {
		case ratio < 1 && utilization:
			samples[i] = list[i].Request * max(100, target) / 100
		case ratio < 1:
			samples[i] = target
		case ratio > 1:
			samples[i] = 0
		}
	}
	if upWithUnready {
		for _, i := range unready {
			samples[i] = 0
		}
	}
	newRatio := ratioOf()
	if in.Tolerances.within(newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1) {
		return in.Replicas, nil
	}
	n := int(math.Ceil(newRatio * float64(len(samples))))
	if (newRatio < 1 && n > in.Replicas) || (newRatio > 1 && n < in.Replicas) {
		return in.Replicas, nil
	}
	return n, nil
}

// randomUpstreamPods draws up to 12 pods of every kind the calculator
// distinguishes, with odd and even requests, sometimes grouped.
func randomUpstreamPods(rng *rand.Rand) []Pod {
	n := rng.IntN(12)
	out := make([]Pod, 0, n)
	for range n {
		p := Pod{Phase: PodRunning, Ready: true, Request: int64(100 + rng.IntN(1900)), HasMetric: true,
			Value: int64(rng.IntN(3000)), Window: time.Minute, SampledAt: calcNow}
		if rng.IntN(4) == 0 {
			p.Count = 1 + rng.IntN(4)
		}
		switch rng.IntN(10) {
		case 0:
			p = missing(p)
		case 1:
			p = pending(p)
		case 2:
			p = succeeded(missing(p))
		case 3:
			p = succeeded(p)
			p.ReadyChanged = time.Duration(rng.IntN(int(calcNow/time.Second))) * time.Second
		case 4:
			p = failed(p)
		case 5:
			p = deleting(p)
		case 6:
			p = unready(p)
			p.ReadyChanged = time.Duration(rng.IntN(20)) * time.Second
		case 7:
			p.Started = calcNow - time.Duration(rng.IntN(180))*time.Second
			p.ReadyChanged = p.Started + time.Duration(rng.IntN(60))*time.Second
		}
		out = append(out, p)
	}
	return out
}

var podByPodTargets = []Metric{
	cpuTarget(50), cpuTarget(80), cpuTarget(130), cpuTarget(150), cpuTarget(250),
	{Source: ResourceMetric, Name: "cpu", Target: AverageValueTarget, Value: 333},
	{Source: PodsMetric, Target: AverageValueTarget, Value: 777},
}

// comparePodByPod draws one random input for target m and compares
// MetricReplicas with the pod-by-pod reference; compared is false when
// both fail (no replica count to compare).
func comparePodByPod(t *testing.T, rng *rand.Rand, m Metric) (compared bool) {
	t.Helper()
	in := input(1+rng.IntN(15), randomUpstreamPods(rng)...)
	in.Tolerances = Tolerances{Down: float64(rng.IntN(20)) / 100, Up: float64(rng.IntN(20)) / 100}
	got, _, err := MetricReplicas(m, in)
	want, refErr := refPodByPod(m, in)
	if (err != nil) != (refErr != nil) {
		t.Fatalf("%+v: MetricReplicas err = %v, reference err = %v (pods %+v)", m, err, refErr, in.Pods)
	}
	if err != nil {
		return false
	}
	if got != want {
		t.Fatalf("%+v, spec %d: MetricReplicas = %d; the pod-by-pod reference = %d (pods %+v)", m, in.Replicas, got, want, in.Pods)
	}
	return true
}

// Headroom's grouped computation agrees with the pod-by-pod reference on
// random inputs, including the rounding of missing pods and Succeeded
// pods.
func TestUpstreamPodByPodReferenceAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 37))
	compared := 0
	for trial := range 20_000 {
		if comparePodByPod(t, rng, podByPodTargets[trial%len(podByPodTargets)]) {
			compared++
		}
	}
	if compared < 10_000 {
		t.Errorf("only %d of 20000 random inputs had a replica count to compare", compared)
	}
}

// FuzzUpstreamPodByPod explores more inputs for the same comparison:
// go test ./sim -run x -fuzz FuzzUpstreamPodByPod -fuzztime 1m.
func FuzzUpstreamPodByPod(f *testing.F) {
	for i := range uint64(8) {
		f.Add(i, 37*i+1, uint8(i))
	}
	f.Fuzz(func(t *testing.T, seed1, seed2 uint64, target uint8) {
		comparePodByPod(t, rand.New(rand.NewPCG(seed1, seed2)), podByPodTargets[int(target)%len(podByPodTargets)])
	})
}

// BenchmarkHPAMetricReplicas is one Utilization computation over a
// realistic pod list: ready cohorts, missing and pending pods.
func BenchmarkHPAMetricReplicas(b *testing.B) {
	in := input(40, Pod{Count: 30, Phase: PodRunning, Ready: true, Request: 499, HasMetric: true, Value: 400, Window: time.Minute},
		Pod{Count: 6, Phase: PodRunning, Ready: true, Request: 499, Window: time.Minute},
		Pod{Count: 4, Phase: PodPending, Request: 499})
	m := cpuTarget(150)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := MetricReplicas(m, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHPAReconcile is a day of reconciliations every 15 s of an HPA
// with a CPU and a Pods metric and the default behavior.
func BenchmarkHPAReconcile(b *testing.B) {
	rps := Metric{Source: PodsMetric, Target: AverageValueTarget, Value: 100_000}
	b.ReportAllocs()
	for b.Loop() {
		a, err := NewAutoscaler(HPA{MinReplicas: 2, MaxReplicas: 200, Metrics: []Metric{cpuTarget(60), rps}, Behavior: &Behavior{}}, Controller{})
		if err != nil {
			b.Fatal(err)
		}
		current := 4
		cpuPods, rpsPods := make([]Pod, 1), make([]Pod, 1)
		inputs := []ReplicaInput{{Pods: cpuPods}, {Pods: rpsPods}}
		for step := range 24 * 60 * 4 {
			load := 0.5 + 0.4*math.Sin(float64(step)/600)
			cpuPods[0] = Pod{Count: current, Phase: PodRunning, Ready: true, Request: 1000, HasMetric: true, Value: int64(1000 * load), Window: time.Minute}
			rpsPods[0] = cpuPods[0]
			rpsPods[0].Value = int64(150_000 * load)
			inputs[0].StatusReplicas, inputs[1].StatusReplicas = current, current
			current = a.Reconcile(10*time.Minute+time.Duration(step)*15*time.Second, current, inputs).Replicas
		}
	}
}
