package sim

import (
	"errors"
	"testing"
	"time"
)

// The replica calculator's cases. Pods are one container each, with the
// CPU request in millicores; the Kubernetes tests use two identical
// containers, which scales requests and samples alike and leaves every
// ratio unchanged. Times follow the Kubernetes tests: now is an hour in,
// old pods started long ago, "hot" pods just started, samples carry the
// zero timestamp and a one-minute window, and the controller uses the
// testing constants (a 2-minute CPU initialization period and a 10-second
// initial readiness delay).

const calcNow = time.Hour

// pod is a ready, running pod started long ago with a sample of value.
func pod(request, value int64) Pod {
	return Pod{Phase: PodRunning, Ready: true, Request: request, HasMetric: true, Value: value, Window: time.Minute}
}

func pods(request int64, values ...int64) []Pod {
	out := make([]Pod, len(values))
	for i, v := range values {
		out[i] = pod(request, v)
	}
	return out
}

func unready(p Pod) Pod  { p.Ready = false; return p }
func hot(p Pod) Pod      { p.Started = calcNow; return p }
func missing(p Pod) Pod  { p.HasMetric, p.Value = false, 0; return p }
func pending(p Pod) Pod  { p.Phase, p.HasMetric, p.Ready = PodPending, false, false; return p }
func failed(p Pod) Pod   { p.Phase, p.Ready = PodFailed, false; return p }
func deleting(p Pod) Pod { p.Deleting = true; return p }

func cpuTarget(percent int) Metric {
	return Metric{Source: ResourceMetric, Name: "cpu", Target: UtilizationTarget, AverageUtilization: percent}
}

func input(current int, ps ...Pod) ReplicaInput {
	return ReplicaInput{Now: calcNow, Replicas: current, StatusReplicas: current, Pods: ps,
		Tolerances: Tolerances{0.1, 0.1}, CPUInitializationPeriod: 2 * time.Minute, InitialReadinessDelay: 10 * time.Second}
}

func withTolerance(in ReplicaInput, down, up float64) ReplicaInput {
	in.Tolerances = Tolerances{down, up}
	return in
}

type calcCase struct {
	name      string
	metric    Metric
	in        ReplicaInput
	want      int
	wantUsage int64
	wantErr   bool
}

func runCalcCases(t *testing.T, cases []calcCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, usage, err := MetricReplicas(tc.metric, tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("MetricReplicas = %d, %d, nil; want an error", got, usage)
				}
				return
			}
			if err != nil {
				t.Fatalf("MetricReplicas: %v", err)
			}
			if got != tc.want || usage != tc.wantUsage {
				t.Errorf("MetricReplicas = %d replicas, usage %d; want %d, %d", got, usage, tc.want, tc.wantUsage)
			}
		})
	}
}

// The worked examples of the Kubernetes documentation and of the
// reference notes (§1.2, §1.3).
func TestMetricReplicasDocumentationExamples(t *testing.T) {
	ten := func(v int64) []Pod { return pods(1000, v, v, v, v, v, v, v, v, v, v) }
	var tenPlusFiveNew []Pod
	tenPlusFiveNew = append(tenPlusFiveNew, ten(900)...)
	for range 5 {
		tenPlusFiveNew = append(tenPlusFiveNew, pending(pod(1000, 0)))
	}
	var eightPlusTwoMissing []Pod
	eightPlusTwoMissing = append(eightPlusTwoMissing, pods(1000, 450, 450, 450, 450, 450, 450, 450, 450)...)
	eightPlusTwoMissing = append(eightPlusTwoMissing, missing(pod(1000, 0)), missing(pod(1000, 0)))
	runCalcCases(t, []calcCase{
		{name: "ten pods at 90% with a 60% target scale to fifteen", metric: cpuTarget(60), in: input(10, ten(900)...), want: 15, wantUsage: 90},
		{name: "ten pods at 64% are within tolerance and stay ten", metric: cpuTarget(60), in: input(10, ten(640)...), want: 10, wantUsage: 64},
		{name: "ten ready at 90% and five new unready pods do not scale up further", metric: cpuTarget(60), in: input(15, tenPlusFiveNew...), want: 15, wantUsage: 90},
		{name: "eight pods at 45% and two missing count as 100% and stay within tolerance", metric: cpuTarget(60), in: input(10, eightPlusTwoMissing...), want: 10, wantUsage: 45},
		{name: "a metric at twice its target doubles the replicas", metric: Metric{Source: PodsMetric, Target: AverageValueTarget, Value: 100}, in: input(4, pods(1000, 200, 200, 200, 200)...), want: 8, wantUsage: 200},
		{name: "a metric at half its target halves the replicas", metric: Metric{Source: PodsMetric, Target: AverageValueTarget, Value: 100}, in: input(4, pods(1000, 50, 50, 50, 50)...), want: 2, wantUsage: 50},
	})
}

// Cases derived from the Kubernetes replica calculator's tests
// (pkg/controller/podautoscaler/replica_calculator_test.go).
func TestMetricReplicasResourceUtilization(t *testing.T) {
	p := func(v int64) Pod { return pod(1000, v) }
	mixed := []Pod{pod(900, 0), pod(1000, 0), pod(1100, 0)}
	levels := func(vs ...int64) []Pod {
		out := append([]Pod(nil), mixed...)
		for i, v := range vs {
			out[i].Value = v
		}
		return out
	}
	runCalcCases(t, []calcCase{
		{name: "scale up", metric: cpuTarget(30), in: input(3, p(300), p(500), p(700)), want: 5, wantUsage: 50},
		{name: "an unready pod scales up less", metric: cpuTarget(30), in: input(3, unready(p(300)), p(500), p(700)), want: 4, wantUsage: 60},
		{name: "a hot-CPU pod in its initialization period scales up less", metric: cpuTarget(30), in: input(3, hot(p(300)), p(500), p(700)), want: 4, wantUsage: 60},
		{name: "unready pods are ignored and keep the count", metric: cpuTarget(30), in: input(3, p(400), unready(p(500)), unready(p(700))), want: 3, wantUsage: 40},
		{name: "hot unready pods are ignored and keep the count", metric: cpuTarget(30), in: input(3, p(400), hot(unready(p(500))), hot(unready(p(700)))), want: 3, wantUsage: 40},
		{name: "failed pods are ignored on scale-up", metric: cpuTarget(30), in: input(2, p(500), p(700), failed(missing(p(0))), failed(missing(p(0)))), want: 4, wantUsage: 60},
		{name: "pods being deleted are ignored on scale-up", metric: cpuTarget(30), in: input(2, p(500), p(700), deleting(missing(p(0))), deleting(missing(p(0)))), want: 4, wantUsage: 60},
		{name: "scale down", metric: cpuTarget(50), in: input(5, p(100), p(300), p(500), p(250), p(250)), want: 3, wantUsage: 28},
		{name: "scale down excludes unready pods", metric: cpuTarget(50), in: input(5, p(100), p(300), p(500), unready(p(250)), unready(p(250))), want: 2, wantUsage: 30},
		{name: "scale down excludes unscheduled pods", metric: cpuTarget(50), in: input(5, p(100), pending(p(0)), pending(p(0)), pending(p(0)), pending(p(0))), want: 1, wantUsage: 10},
		{name: "scale down ignores hot-CPU pods", metric: cpuTarget(50), in: input(5, p(100), p(300), p(500), hot(p(250)), hot(p(250))), want: 2, wantUsage: 30},
		{name: "scale down ignores failed pods", metric: cpuTarget(50), in: input(5, p(100), p(300), p(500), p(250), p(250), failed(missing(p(0))), failed(missing(p(0)))), want: 3, wantUsage: 28},
		{name: "within the default tolerance", metric: cpuTarget(100), in: input(3, levels(1010, 1030, 1020)...), want: 3, wantUsage: 102},
		{name: "outside a zero tolerance", metric: cpuTarget(100), in: withTolerance(input(3, levels(909, 1010, 1111)...), 0, 0), want: 4, wantUsage: 101},
		{name: "within a 200% scale-up tolerance", metric: cpuTarget(100), in: withTolerance(input(3, levels(1890, 1910, 1900)...), 0.1, 2), want: 3, wantUsage: 190},
		{name: "outside an 8% scale-up tolerance", metric: cpuTarget(100), in: withTolerance(input(3, levels(1100, 1080, 1090)...), 2, 0.08), want: 4, wantUsage: 109},
		{name: "within a 36% scale-down tolerance", metric: cpuTarget(100), in: withTolerance(input(3, levels(660, 640, 650)...), 0.36, 0.1), want: 3, wantUsage: 65},
		{name: "outside a 34% scale-down tolerance", metric: cpuTarget(100), in: withTolerance(input(3, levels(660, 640, 650)...), 0.34, 0.1), want: 2, wantUsage: 65},
	})
}

func TestMetricReplicasMissingMetrics(t *testing.T) {
	p := func(v int64) Pod { return pod(1000, v) }
	m := missing(p(0))
	runCalcCases(t, []calcCase{
		{name: "pods missing samples count as their whole request on scale-down", metric: cpuTarget(100), in: input(4, p(400), p(95), m, m), want: 3, wantUsage: 24},
		{name: "no change when the metric equals the target", metric: cpuTarget(100), in: input(2, p(1000), m), want: 2, wantUsage: 100},
		{name: "no change when a missing pod counted as idle brings the ratio within tolerance", metric: cpuTarget(100), in: input(2, p(1900), m), want: 2, wantUsage: 190},
		{name: "no change when a missing pod counted as busy makes the scale-down small", metric: cpuTarget(100), in: input(2, p(600), m), want: 2, wantUsage: 60},
		{name: "no change when an unready pod and a missing one would flip the direction", metric: cpuTarget(50), in: input(3, unready(p(100)), p(450), m), want: 3, wantUsage: 45},
		{name: "no change with a hot pod and a missing one", metric: cpuTarget(50), in: input(3, hot(p(100)), p(450), m), want: 3, wantUsage: 45},
		{name: "scale up with an unready pod and a missing one", metric: cpuTarget(50), in: input(3, unready(p(100)), p(2000), m), want: 4, wantUsage: 200},
		{name: "scale up with a hot unready pod and a missing one", metric: cpuTarget(50), in: input(3, hot(unready(p(100))), p(2000), m), want: 4, wantUsage: 200},
		{name: "scale down with an unready pod and a missing one", metric: cpuTarget(50), in: input(4, unready(p(100)), p(100), p(100), m), want: 3, wantUsage: 10},
		{name: "missing pods count as the target when it is above 100%", metric: cpuTarget(300), in: input(4, unready(pod(1000, 200)), pod(1000, 100), pod(2000, 100), missing(pod(2000, 0))), want: 2, wantUsage: 6},
		{name: "a surge pod without a sample does not scale up a scale-down", metric: cpuTarget(50), in: input(2, p(100), p(100), m), want: 2, wantUsage: 10},
		{name: "no pods is an error", metric: cpuTarget(50), in: input(2), wantErr: true},
		{name: "no usable sample is an error", metric: cpuTarget(50), in: input(2, m, unready(p(100))), wantErr: true},
		{name: "a pod without a CPU request is an error", metric: cpuTarget(50), in: input(1, pod(0, 100)), wantErr: true},
	})
}

func TestMetricReplicasPodsMetric(t *testing.T) {
	rps := Metric{Source: PodsMetric, Name: "http_requests_per_second", Target: AverageValueTarget}
	target := func(v int64) Metric { m := rps; m.Value = v; return m }
	p := func(v int64) Pod { return pod(1000, v) }
	runCalcCases(t, []calcCase{
		{name: "scale up", metric: target(15000), in: input(3, p(20000), p(10000), p(30000)), want: 4, wantUsage: 20000},
		{name: "readiness does not matter to a pods metric", metric: target(15000), in: input(3, p(50000), p(10000), hot(unready(p(30000)))), want: 6, wantUsage: 30000},
		{name: "unready hot pods still count and avoid a scale-down", metric: target(15000), in: input(3, hot(unready(p(50000))), p(15000), hot(unready(p(30000)))), want: 7, wantUsage: 31666},
		{name: "scale down", metric: target(20000), in: input(5, p(12000), p(12000), p(12000), p(12000), p(12000)), want: 3, wantUsage: 12000},
		{name: "within the default tolerance", metric: target(20000), in: input(3, p(20000), p(21000), p(21000)), want: 3, wantUsage: 20666},
		{name: "outside a 1% scale-up tolerance", metric: target(20000), in: withTolerance(input(3, p(20000), p(21000), p(21000)), 0.1, 0.01), want: 4, wantUsage: 20666},
		{name: "no change with missing samples", metric: target(20000), in: input(5, p(20000), p(19000), p(21000), missing(p(0)), missing(p(0))), want: 5, wantUsage: 20000},
		{name: "a surge pod without a sample counts as on target", metric: target(17000), in: input(2, p(10000), p(10000), missing(p(0))), want: 2, wantUsage: 10000},
		{name: "pending pods count as idle on scale-up", metric: target(10000), in: input(4, p(20000), p(20000), pending(p(0)), pending(p(0))), want: 4, wantUsage: 20000},
		{name: "CPU average value", metric: Metric{Source: ResourceMetric, Name: "cpu", Target: AverageValueTarget, Value: 300}, in: input(3, p(300), p(500), p(700)), want: 5, wantUsage: 500},
	})
}

func TestMetricReplicasObjectMetric(t *testing.T) {
	value := func(v int64) Metric {
		return Metric{Source: ObjectMetric, Name: "requests_per_second", Target: ValueTarget, Value: v}
	}
	perPod := func(v int64) Metric {
		return Metric{Source: ObjectMetric, Name: "requests_per_second", Target: AverageValueTarget, Value: v}
	}
	obj := func(in ReplicaInput, v int64) ReplicaInput { in.ObjectValue = v; return in }
	status := func(in ReplicaInput, n int) ReplicaInput { in.StatusReplicas = n; return in }
	three := pods(1000, 0, 0, 0)
	runCalcCases(t, []calcCase{
		{name: "scale up", metric: value(15000), in: obj(input(3, three...), 20000), want: 4, wantUsage: 20000},
		{name: "only ready pods multiply the ratio", metric: value(10000), in: obj(input(3, unready(three[0]), three[1], unready(three[2])), 50000), want: 5, wantUsage: 50000},
		{name: "scale down", metric: value(20000), in: obj(input(5, pods(1000, 0, 0, 0, 0, 0)...), 12000), want: 3, wantUsage: 12000},
		{name: "within the default tolerance", metric: value(20000), in: obj(input(3, three...), 20666), want: 3, wantUsage: 20666},
		{name: "an external metric ignores unready pods", metric: Metric{Source: ExternalMetric, Target: ValueTarget, Value: 4400}, in: obj(input(3, unready(three[0]), three[1], unready(three[2])), 8600), want: 2, wantUsage: 8600},
		{name: "per-pod target scales up", metric: perPod(5000), in: obj(input(3, three...), 20000), want: 4, wantUsage: 6667},
		{name: "per-pod target scales down", metric: perPod(2000), in: obj(input(5, pods(1000, 0, 0, 0, 0, 0)...), 6000), want: 3, wantUsage: 1200},
		{name: "per-pod target within the default tolerance", metric: perPod(5000), in: obj(input(4, pods(1000, 0, 0, 0, 0)...), 20166), want: 4, wantUsage: 5042},
		{name: "per-pod target outside a 1% tolerance", metric: perPod(5000), in: withTolerance(obj(input(4, pods(1000, 0, 0, 0, 0)...), 20208), 0.1, 0.01), want: 5, wantUsage: 5052},
		{name: "per-pod target from zero replicas", metric: perPod(5000), in: status(obj(input(0), 20000), 0), want: 4, wantUsage: 0},
		{name: "per-pod target from zero replicas and a zero metric", metric: perPod(5000), in: status(obj(input(0), 0), 0), want: 0, wantUsage: 0},
	})
}

// The CPU sample rules: during the initialization period a sample counts
// only once the pod is ready and a full window has passed since; later, an
// unready pod is ignored only if it never became ready.
func TestMetricReplicasCPUInitializationRules(t *testing.T) {
	base := pod(1000, 900)
	justReady := base
	justReady.Started = calcNow - time.Minute
	justReady.ReadyChanged = calcNow - 30*time.Second
	justReady.SampledAt = calcNow
	settled := justReady
	settled.ReadyChanged = calcNow - 90*time.Second
	wentUnready := unready(base)
	wentUnready.Started = 0
	wentUnready.ReadyChanged = calcNow - time.Minute // it was ready once
	runCalcCases(t, []calcCase{
		{name: "a sample within a window of becoming ready is ignored", metric: cpuTarget(60), in: input(2, pod(1000, 300), justReady), want: 1, wantUsage: 30},
		{name: "a sample a full window after becoming ready counts", metric: cpuTarget(60), in: input(2, pod(1000, 300), settled), want: 2, wantUsage: 60},
		{name: "after the period a pod that was ready once still counts", metric: cpuTarget(60), in: input(2, pod(1000, 900), wentUnready), want: 3, wantUsage: 90},
	})
}

func TestMetricReplicasErrorsAreWrapped(t *testing.T) {
	_, _, err := MetricReplicas(cpuTarget(50), input(1, missing(pod(1000, 0))))
	if !errors.Is(err, ErrNoMetrics) {
		t.Errorf("MetricReplicas with only missing samples: err = %v; want ErrNoMetrics", err)
	}
}
