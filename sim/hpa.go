package sim

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Controller holds the kube-controller-manager settings of the HPA
// controller. The zero Controller means the Kubernetes defaults (see
// [DefaultController]); otherwise every field is taken as given, except
// that a non-positive SyncPeriod and negative durations take the default.
type Controller struct {
	// SyncPeriod is how often each HPA is reconciled
	// (--horizontal-pod-autoscaler-sync-period).
	SyncPeriod time.Duration
	// Tolerance is the dead band around a usage ratio of 1: no scaling
	// while |1 − ratio| ≤ Tolerance (--horizontal-pod-autoscaler-tolerance).
	Tolerance float64
	// DownscaleStabilization is the scale-down stabilization window when an
	// HPA has no behavior, and the default scale-down window when it has
	// one (--horizontal-pod-autoscaler-downscale-stabilization).
	DownscaleStabilization time.Duration
	// CPUInitializationPeriod is the window after a pod starts during which
	// its CPU samples are ignored unless it is ready and has been for one
	// metric window (--horizontal-pod-autoscaler-cpu-initialization-period).
	CPUInitializationPeriod time.Duration
	// InitialReadinessDelay decides, after the initialization period,
	// whether an unready pod ever became ready
	// (--horizontal-pod-autoscaler-initial-readiness-delay).
	InitialReadinessDelay time.Duration
}

// The Kubernetes defaults of the HPA controller, as SetDefaults_HPAControllerConfiguration
// sets them in kubernetes v1.37.2 pkg/controller/podautoscaler/config/v1alpha1/defaults.go.
const (
	DefaultSyncPeriod              = 15 * time.Second
	DefaultTolerance               = 0.1
	DefaultDownscaleStabilization  = 5 * time.Minute
	DefaultCPUInitializationPeriod = 5 * time.Minute
	DefaultInitialReadinessDelay   = 30 * time.Second
)

// DefaultController returns the controller settings Kubernetes ships with.
func DefaultController() Controller {
	return Controller{
		SyncPeriod:              DefaultSyncPeriod,
		Tolerance:               DefaultTolerance,
		DownscaleStabilization:  DefaultDownscaleStabilization,
		CPUInitializationPeriod: DefaultCPUInitializationPeriod,
		InitialReadinessDelay:   DefaultInitialReadinessDelay,
	}
}

// withDefaults returns the defaults for the zero Controller, and fills
// the fields of any other that cannot be taken as given.
func (c Controller) withDefaults() Controller {
	d := DefaultController()
	if c == (Controller{}) {
		return d
	}
	if c.SyncPeriod <= 0 {
		c.SyncPeriod = d.SyncPeriod
	}
	if c.DownscaleStabilization < 0 {
		c.DownscaleStabilization = d.DownscaleStabilization
	}
	if c.CPUInitializationPeriod < 0 {
		c.CPUInitializationPeriod = d.CPUInitializationPeriod
	}
	if c.InitialReadinessDelay < 0 {
		c.InitialReadinessDelay = d.InitialReadinessDelay
	}
	return c
}

// Tolerances are the usage-ratio dead band of one HPA: no scaling while
// 1 − Down ≤ ratio ≤ 1 + Up. Per-HPA values come from
// behavior.scaleUp/scaleDown.tolerance (KEP-4951; the HPAConfigurableTolerance
// feature is GA and locked on in Kubernetes 1.37, so they always apply);
// otherwise both are the controller's tolerance.
type Tolerances struct {
	Down float64
	Up   float64
}

// within mirrors Tolerances.isWithin in kubernetes v1.37.2
// pkg/controller/podautoscaler/replica_calculator.go: both bounds
// inclusive. A NaN or infinite ratio is never within.
func (t Tolerances) within(ratio float64) bool { return 1-t.Down <= ratio && ratio <= 1+t.Up }

// PodPhase is the phase of a pod as the HPA controller reads it.
type PodPhase uint8

// Pod phases.
const (
	PodRunning   PodPhase = iota // running (ready or not)
	PodPending                   // not yet scheduled, or pulling images and running init containers
	PodSucceeded                 // terminal
	PodFailed                    // terminal
)

// Pod is one pod, or a group of identical pods, as the HPA controller sees
// it when it computes a replica count: its phase and readiness, its CPU
// request, and the sample the metrics pipeline has for it. Times are
// offsets on the simulation's clock.
type Pod struct {
	// Count is how many identical pods this entry stands for; 0 means 1.
	Count int
	// Phase is the pod's phase.
	Phase PodPhase
	// Deleting marks a pod with a deletion timestamp.
	Deleting bool
	// Ready is the status of the pod's Ready condition.
	Ready bool
	// Started is the pod's status.startTime.
	Started time.Duration
	// ReadyChanged is the last transition time of the Ready condition.
	ReadyChanged time.Duration
	// Request is the pod's CPU request in millicores (used by Utilization
	// targets).
	Request int64
	// HasMetric tells whether the metrics API returned a sample for the pod.
	HasMetric bool
	// Value is the sample, in milli-units: millicores for CPU, thousandths
	// of a request per second for a requests-per-second metric.
	Value int64
	// SampledAt is the sample's timestamp (the end of its window).
	SampledAt time.Duration
	// Window is the length of the sample's window.
	Window time.Duration
}

func (p *Pod) count() int64 {
	if p.Count <= 0 {
		return 1
	}
	return int64(p.Count)
}

// MetricSource is the type of an HPA metric.
type MetricSource uint8

// Metric sources, as in autoscaling/v2 MetricSpec.type.
const (
	ResourceMetric MetricSource = iota // a resource of the pods (CPU)
	PodsMetric                         // a per-pod custom metric (requests per second)
	ObjectMetric                       // one value describing an object (an Ingress's requests per second)
	ExternalMetric                     // one value from outside the cluster
)

// String is the source as autoscaling/v2 spells it.
func (s MetricSource) String() string {
	switch s {
	case ResourceMetric:
		return "Resource"
	case PodsMetric:
		return "Pods"
	case ObjectMetric:
		return "Object"
	case ExternalMetric:
		return "External"
	}
	return fmt.Sprintf("MetricSource(%d)", s)
}

// TargetType is the kind of target of an HPA metric.
type TargetType uint8

// Target types, as in autoscaling/v2 MetricTarget.type.
const (
	UtilizationTarget  TargetType = iota // averageUtilization: percent of the CPU request
	AverageValueTarget                   // averageValue: the per-pod average
	ValueTarget                          // value: the object's or external metric's value
)

// String is the target type as autoscaling/v2 spells it.
func (t TargetType) String() string {
	switch t {
	case UtilizationTarget:
		return "Utilization"
	case AverageValueTarget:
		return "AverageValue"
	case ValueTarget:
		return "Value"
	}
	return fmt.Sprintf("TargetType(%d)", t)
}

// Metric is one entry of an HPA's spec.metrics.
//
// The simulator gives the metrics a meaning: Resource metrics are CPU;
// Pods metrics are the requests per second each ready pod serves; Object
// and External metrics are the requests per second arriving at the
// component (what an Ingress or a load balancer counts).
type Metric struct {
	Source MetricSource
	// Name is the metric's name ("cpu" for a Resource metric).
	Name   string
	Target TargetType
	// AverageUtilization is the Utilization target, in percent of the CPU
	// request.
	AverageUtilization int
	// Value is the Value or AverageValue target, in milli-units
	// (millicores for CPU; 100000 for 100 requests per second).
	Value int64
}

// ReplicaInput is what the HPA controller reads for one metric in one
// reconciliation.
type ReplicaInput struct {
	// Now is the time of the reconciliation.
	Now time.Duration
	// Replicas is the target's scale.spec.replicas (the current replica count).
	Replicas int
	// StatusReplicas is the target's scale.status.replicas (used by Object
	// and External AverageValue targets). 0 means zero pods, not "unset":
	// upstream then proposes ceil(value / target).
	StatusReplicas int
	// Pods are the pods the HPA's selector matches.
	Pods []Pod
	// ObjectValue is the Object or External metric's value, in milli-units.
	ObjectValue int64
	// Tolerances is the HPA's dead band.
	Tolerances Tolerances
	// CPUInitializationPeriod and InitialReadinessDelay are the controller
	// settings that decide which CPU samples count.
	CPUInitializationPeriod time.Duration
	InitialReadinessDelay   time.Duration
}

// ErrNoMetrics is returned when no pod had a usable sample: the HPA cannot
// compute a replica count from that metric in this reconciliation.
var ErrNoMetrics = errors.New("did not receive metrics for targeted pods (pods might be unready)")

// podGroups is the result of classifying the pods: the pods with usable
// samples and the pods the computation treats specially, as sums.
type podGroups struct {
	readyCount int64 // pods counted as ready (with a usable sample)
	metricSum  int64 // sum of the usable samples
	requestSum int64 // sum of their CPU requests

	unreadyCount   int64 // pending pods, and (CPU only) pods whose samples are not trusted yet
	unreadyRequest int64
	missingCount   int64 // pods past Pending (Running or Succeeded) without a sample
	missingRequest int64
	// missingFallback is the sum, pod by pod, of what a Utilization
	// target assumes a missing pod uses on a scale-down:
	// request × fallbackPercent / 100, rounded down for each pod.
	missingFallback int64
	podCount        int64 // all pods listed
	requestMissing  bool  // some pod has no CPU request
}

// groupPods mirrors groupPods in kubernetes v1.37.2
// pkg/controller/podautoscaler/replica_calculator.go: pods being deleted
// and Failed pods are ignored (they still count as listed pods and their
// requests are still read, as calculateRequests does); Pending pods are
// unready; pods without a sample are missing; with isCPU, pods whose
// sample is not trusted yet are unready; the rest are ready. Succeeded
// pods are not ignored: upstream lets them through like Running ones, so
// without a sample they are missing, and with one they are judged by
// their Ready condition like any other pod.
//
// fallbackPercent is the Utilization target's fallback for missing pods
// (max(100, target)), applied per pod as GetResourceReplicas does; 0 for
// other targets.
func groupPods(in *ReplicaInput, isCPU bool, fallbackPercent int64) podGroups {
	var g podGroups
	for i := range in.Pods {
		p := &in.Pods[i]
		n := p.count()
		g.podCount += n
		if p.Request <= 0 {
			g.requestMissing = true
		}
		if p.Deleting || p.Phase == PodFailed {
			continue
		}
		if p.Phase == PodPending {
			g.unreadyCount += n
			g.unreadyRequest += n * p.Request
			continue
		}
		if !p.HasMetric {
			g.missingCount += n
			g.missingRequest += n * p.Request
			g.missingFallback += n * (p.Request * fallbackPercent / 100)
			continue
		}
		if isCPU && !cpuSampleUsable(p, in) {
			g.unreadyCount += n
			g.unreadyRequest += n * p.Request
			continue
		}
		g.readyCount += n
		g.metricSum += n * p.Value
		g.requestSum += n * p.Request
	}
	return g
}

// cpuSampleUsable applies the CPU rules: during the initialization period
// a sample counts only if the pod is ready and the sample covers a full
// window after it became ready; afterwards it is ignored only for a pod
// that is unready and never became ready. It mirrors the
// resource == v1.ResourceCPU branch of groupPods in kubernetes v1.37.2
// pkg/controller/podautoscaler/replica_calculator.go.
func cpuSampleUsable(p *Pod, in *ReplicaInput) bool {
	if p.Started+in.CPUInitializationPeriod > in.Now {
		return p.Ready && p.SampledAt >= p.ReadyChanged+p.Window
	}
	return p.Ready || p.Started+in.InitialReadinessDelay <= p.ReadyChanged
}

// MetricReplicas computes the replica count one metric of an HPA proposes,
// exactly as the Kubernetes HPA controller's replica calculator does,
// including the conservative recomputation when some pods are unready or
// have no sample. It returns the proposal and the current usage (percent of
// request for a Utilization target, milli-units otherwise).
//
// It is a pure function of its inputs. The dispatch mirrors
// computeReplicasForMetric and the computeStatusFor…Metric functions in
// kubernetes v1.37.2 pkg/controller/podautoscaler/horizontal.go: Object
// and External AverageValue targets read StatusReplicas, every other
// target reads Replicas (the target's spec.replicas).
func MetricReplicas(m Metric, in ReplicaInput) (replicas int, usage int64, err error) {
	switch m.Source {
	case ResourceMetric:
		if m.Target == UtilizationTarget {
			return resourceUtilizationReplicas(m, &in)
		}
		return plainMetricReplicas(m.Value, &in, true)
	case PodsMetric:
		return plainMetricReplicas(m.Value, &in, false)
	case ObjectMetric, ExternalMetric:
		if m.Target == AverageValueTarget {
			return objectPerPodReplicas(m.Value, &in)
		}
		return objectReplicas(m.Value, &in)
	}
	return 0, 0, fmt.Errorf("unknown metric source %v", m.Source)
}

// grouped classifies the pods for a metric with a positive target, and
// fails when there is nothing to compute a count from, as the start of
// GetResourceReplicas and calcPlainMetricReplicas in kubernetes v1.37.2
// pkg/controller/podautoscaler/replica_calculator.go does.
func grouped(in *ReplicaInput, isCPU bool, target, fallbackPercent int64) (podGroups, error) {
	if target <= 0 {
		return podGroups{}, fmt.Errorf("the target must be positive, got %d", target)
	}
	g := groupPods(in, isCPU, fallbackPercent)
	switch {
	case g.podCount == 0:
		return g, errors.New("no pods returned by selector while calculating replica count")
	case g.readyCount == 0:
		return g, ErrNoMetrics
	}
	return g, nil
}

// direct is the plain path, taken when no unready pod needs counting as
// idle and no sample is missing: the ratio multiplies the ready count,
// unless it is within tolerance. ok is false when the conservative path
// applies instead. It mirrors the "!scaleUpWithUnready &&
// len(missingPods) == 0" branch of GetResourceReplicas and
// calcPlainMetricReplicas in kubernetes v1.37.2
// pkg/controller/podautoscaler/replica_calculator.go.
func direct(in *ReplicaInput, g *podGroups, ratio float64) (replicas int, ok bool) {
	if (g.unreadyCount > 0 && ratio > 1) || g.missingCount > 0 {
		return 0, false
	}
	if in.Tolerances.within(ratio) {
		return in.Replicas, true
	}
	return ceilReplicas(ratio * float64(g.readyCount)), true
}

// resourceUtilizationReplicas is the Utilization path for CPU. It mirrors
// GetResourceReplicas in kubernetes v1.37.2
// pkg/controller/podautoscaler/replica_calculator.go, with the ratio of
// GetResourceUtilizationRatio in
// pkg/controller/podautoscaler/metrics/utilization.go (integer percent of
// the summed requests).
func resourceUtilizationReplicas(m Metric, in *ReplicaInput) (int, int64, error) {
	target := int64(m.AverageUtilization)
	// On a scale-down, missing pods count as using their whole request, or
	// the target when it is above 100%.
	g, err := grouped(in, true, target, max(100, target))
	if err != nil {
		return 0, 0, err
	}
	if g.requestMissing || g.requestSum <= 0 {
		return 0, 0, errors.New("missing request for cpu")
	}
	utilization := g.metricSum * 100 / g.requestSum
	ratio := float64(utilization) / float64(target)
	if n, ok := direct(in, &g, ratio); ok {
		return n, utilization, nil
	}

	sum, req, count := g.metricSum, g.requestSum, g.readyCount
	if g.missingCount > 0 {
		switch {
		case ratio < 1:
			// On a scale-down, missing pods count as using their whole
			// request (or the target, when it is above 100%), rounded down
			// pod by pod as upstream fills its per-pod metrics map.
			sum += g.missingFallback
			req += g.missingRequest
			count += g.missingCount
		case ratio > 1:
			req += g.missingRequest
			count += g.missingCount
		}
	}
	if g.unreadyCount > 0 && ratio > 1 {
		req += g.unreadyRequest
		count += g.unreadyCount
	}
	newRatio := float64(sum*100/req) / float64(target)
	return recomputed(in.Replicas, ratio, newRatio, count, in.Tolerances), utilization, nil
}

// plainMetricReplicas is the AverageValue path shared by CPU AverageValue
// targets (isCPU) and Pods metrics. It mirrors calcPlainMetricReplicas in
// kubernetes v1.37.2 pkg/controller/podautoscaler/replica_calculator.go
// (reached from GetRawResourceReplicas and GetMetricReplicas), with the
// ratio of GetMetricUsageRatio in
// pkg/controller/podautoscaler/metrics/utilization.go (the integer mean of
// the samples). Missing pods on a scale-down count as exactly the target,
// an integer, so summing them at once equals upstream's per-pod fill.
func plainMetricReplicas(target int64, in *ReplicaInput, isCPU bool) (int, int64, error) {
	g, err := grouped(in, isCPU, target, 0)
	if err != nil {
		return 0, 0, err
	}
	usage := g.metricSum / g.readyCount
	ratio := float64(usage) / float64(target)
	if n, ok := direct(in, &g, ratio); ok {
		return n, usage, nil
	}

	sum, count := g.metricSum, g.readyCount
	if g.missingCount > 0 {
		switch {
		case ratio < 1:
			// On a scale-down, missing pods count as exactly on target.
			sum += g.missingCount * target
			count += g.missingCount
		case ratio > 1:
			count += g.missingCount
		}
	}
	if g.unreadyCount > 0 && ratio > 1 {
		count += g.unreadyCount
	}
	newRatio := float64(sum/count) / float64(target)
	return recomputed(in.Replicas, ratio, newRatio, count, in.Tolerances), usage, nil
}

// recomputed finishes the conservative path: keep the current count when
// the corrected ratio is within tolerance or points the other way, and
// when the corrected count would move against the ratio's direction. It
// mirrors the end of GetResourceReplicas and calcPlainMetricReplicas in
// kubernetes v1.37.2 pkg/controller/podautoscaler/replica_calculator.go.
func recomputed(current int, ratio, newRatio float64, count int64, tol Tolerances) int {
	if tol.within(newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1) {
		return current
	}
	n := ceilReplicas(newRatio * float64(count))
	if (newRatio < 1 && n > current) || (newRatio > 1 && n < current) {
		return current
	}
	return n
}

// objectReplicas is the Value path of Object and External metrics: the
// ratio of the value to its target multiplies the ready pod count. It
// mirrors GetObjectMetricReplicas and GetExternalMetricReplicas with
// getUsageRatioReplicaCount and getReadyPodsCount (Running and Ready pods,
// whether or not being deleted) in kubernetes v1.37.2
// pkg/controller/podautoscaler/replica_calculator.go.
func objectReplicas(target int64, in *ReplicaInput) (int, int64, error) {
	if target <= 0 {
		return 0, 0, fmt.Errorf("target value must be positive, got %d", target)
	}
	ratio := float64(in.ObjectValue) / float64(target)
	if in.Replicas == 0 {
		return ceilReplicas(ratio), in.ObjectValue, nil
	}
	if in.Tolerances.within(ratio) {
		return in.Replicas, in.ObjectValue, nil
	}
	var ready int64
	for i := range in.Pods {
		p := &in.Pods[i]
		if p.Phase == PodRunning && p.Ready {
			ready += p.count()
		}
	}
	if len(in.Pods) == 0 {
		return 0, 0, errors.New("no pods returned by selector while calculating replica count")
	}
	return ceilReplicas(ratio * float64(ready)), in.ObjectValue, nil
}

// objectPerPodReplicas is the AverageValue path of Object and External
// metrics: the value divided by the per-pod target, unless within
// tolerance of the target's status.replicas. It mirrors
// GetObjectPerPodMetricReplicas and GetExternalPerPodMetricReplicas in
// kubernetes v1.37.2 pkg/controller/podautoscaler/replica_calculator.go.
//
// With status.replicas = 0 upstream divides by zero: the ratio is +Inf
// (or NaN for a zero value), never within tolerance, so the proposal is
// ceil(value / target) — 0 for a zero value. Headroom computes the same.
// Upstream's reported average is then a float infinity converted to
// int64, which Go leaves to the platform; headroom reports 0 instead,
// meaning "no average over zero pods". It is only reported, never used to
// decide.
func objectPerPodReplicas(target int64, in *ReplicaInput) (int, int64, error) {
	if target <= 0 {
		return 0, 0, fmt.Errorf("target average value must be positive, got %d", target)
	}
	replicas := in.StatusReplicas
	ratio := float64(in.ObjectValue) / (float64(target) * float64(replicas))
	if !in.Tolerances.within(ratio) {
		replicas = ceilReplicas(float64(in.ObjectValue) / float64(target))
	}
	var usage int64
	if in.StatusReplicas > 0 {
		usage = int64(math.Ceil(float64(in.ObjectValue) / float64(in.StatusReplicas)))
	}
	return replicas, usage, nil
}

// ceilReplicas rounds a replica count up, saturating at MaxInt32 as
// getUsageRatioReplicaCount and GetExternalPerPodMetricReplicas do in
// kubernetes v1.37.2 pkg/controller/podautoscaler/replica_calculator.go
// (where upstream converts without a bound, the result would overflow
// int32; headroom saturates there too).
func ceilReplicas(x float64) int {
	if x >= math.MaxInt32 || math.IsNaN(x) {
		return math.MaxInt32
	}
	return int(math.Ceil(x))
}
