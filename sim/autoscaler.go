package sim

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// HPA is an autoscaling/v2 HorizontalPodAutoscaler spec.
type HPA struct {
	// MinReplicas is the lower bound (at least 1; scale to zero is not
	// simulated).
	MinReplicas int
	// MaxReplicas is the upper bound.
	MaxReplicas int
	// Metrics are the metrics the HPA scales on; empty means CPU at 80%
	// utilization, the Kubernetes default.
	Metrics []Metric
	// Behavior configures scaling rates and stabilization; nil selects the
	// legacy rules (a scale-down stabilization of the controller's window,
	// and growth to at most max(2 × current, 4) per reconciliation).
	Behavior *Behavior
}

// DefaultCPUUtilization is the CPU target of an HPA without metrics.
const DefaultCPUUtilization = 80

// Behavior is an HPA's spec.behavior.
type Behavior struct {
	ScaleUp   *ScalingRules
	ScaleDown *ScalingRules
}

// ScalingRules are the rules for one direction. Nil fields take the
// Kubernetes defaults for that direction.
type ScalingRules struct {
	// StabilizationWindow is stabilizationWindowSeconds.
	StabilizationWindow *time.Duration
	// SelectPolicy is selectPolicy.
	SelectPolicy *SelectPolicy
	// Policies are the rate limits; nil means the defaults.
	Policies []Policy
	// Tolerance is the per-direction tolerance (KEP-4951); nil means the
	// controller's.
	Tolerance *float64
}

// SelectPolicy chooses among the policies of one direction.
type SelectPolicy uint8

// Select policies.
const (
	MaxChange SelectPolicy = iota // the policy that allows the largest change
	MinChange                     // the policy that allows the smallest change
	Disabled                      // no scaling in this direction
)

// String is the policy as autoscaling/v2 spells it.
func (s SelectPolicy) String() string {
	switch s {
	case MaxChange:
		return "Max"
	case MinChange:
		return "Min"
	case Disabled:
		return "Disabled"
	}
	return fmt.Sprintf("SelectPolicy(%d)", s)
}

// PolicyType is the unit of a scaling policy.
type PolicyType uint8

// Policy types.
const (
	PodsPolicy    PolicyType = iota // Value pods per period
	PercentPolicy                   // Value percent of the replicas at the start of the period
)

// String is "Pods" or "Percent".
func (p PolicyType) String() string {
	if p == PercentPolicy {
		return "Percent"
	}
	return "Pods"
}

// Policy is one HPAScalingPolicy: at most Value pods (or percent) per
// Period.
type Policy struct {
	Type   PolicyType
	Value  int
	Period time.Duration
}

// rules are ScalingRules with every default applied.
type rules struct {
	window    time.Duration
	selection SelectPolicy
	policies  []Policy
	longest   time.Duration
}

// defaultScaleUp and defaultScaleDown are the Kubernetes defaults of
// behavior.scaleUp and behavior.scaleDown (defaultHPAScaleUpRules and
// defaultHPAScaleDownRules in kubernetes v1.37.2
// pkg/apis/autoscaling/v2/defaults.go). The scale-down window defaults to
// the controller's downscale stabilization.
var (
	defaultScaleUpPolicies   = []Policy{{PodsPolicy, 4, 15 * time.Second}, {PercentPolicy, 100, 15 * time.Second}}
	defaultScaleDownPolicies = []Policy{{PercentPolicy, 100, 15 * time.Second}}
)

// resolveRules mirrors GenerateHPAScaleUpRules / GenerateHPAScaleDownRules
// (copyHPAScalingRules) in kubernetes v1.37.2
// pkg/apis/autoscaling/v2/defaults.go: each field given replaces the
// default. window is the default window; for scale-down it is the
// controller's downscale stabilization, which
// maybeInitScaleDownStabilizationWindow in
// pkg/controller/podautoscaler/horizontal.go converts to whole seconds.
func resolveRules(r *ScalingRules, window time.Duration, policies []Policy) rules {
	out := rules{window: window, selection: MaxChange, policies: policies}
	if r != nil {
		if r.StabilizationWindow != nil {
			out.window = *r.StabilizationWindow
		}
		if r.SelectPolicy != nil {
			out.selection = *r.SelectPolicy
		}
		if r.Policies != nil {
			out.policies = r.Policies
		}
	}
	for _, p := range out.policies {
		out.longest = max(out.longest, p.Period)
	}
	return out
}

// Validate checks an HPA spec the way the API server would, for what the
// simulator uses (ValidateHorizontalPodAutoscaler in kubernetes v1.37.2
// pkg/apis/autoscaling/validation/validation.go). minReplicas 0, which
// the HPAScaleToZero feature (beta in 1.37) allows with an Object or
// External metric, is not simulated.
func (h *HPA) Validate() error {
	var errs []error
	if h.MinReplicas < 1 {
		errs = append(errs, fmt.Errorf("minReplicas must be at least 1, got %d", h.MinReplicas))
	}
	if h.MaxReplicas < max(h.MinReplicas, 1) {
		errs = append(errs, fmt.Errorf("maxReplicas (%d) must be at least minReplicas (%d) and 1", h.MaxReplicas, h.MinReplicas))
	}
	for i, m := range h.Metrics {
		if err := m.validate(); err != nil {
			errs = append(errs, fmt.Errorf("metrics[%d]: %w", i, err))
		}
	}
	if h.Behavior != nil {
		for _, d := range []struct {
			name string
			r    *ScalingRules
		}{{"scaleUp", h.Behavior.ScaleUp}, {"scaleDown", h.Behavior.ScaleDown}} {
			if d.r == nil {
				continue
			}
			if w := d.r.StabilizationWindow; w != nil && (*w < 0 || *w > time.Hour) {
				errs = append(errs, fmt.Errorf("behavior.%s.stabilizationWindowSeconds must be within 0 and 3600, got %v", d.name, w.Seconds()))
			}
			for j, p := range d.r.Policies {
				if p.Value <= 0 {
					errs = append(errs, fmt.Errorf("behavior.%s.policies[%d].value must be positive, got %d", d.name, j, p.Value))
				}
				if p.Period <= 0 || p.Period > 30*time.Minute {
					errs = append(errs, fmt.Errorf("behavior.%s.policies[%d].periodSeconds must be within 1 and 1800, got %v", d.name, j, p.Period.Seconds()))
				}
			}
			if t := d.r.Tolerance; t != nil && (*t < 0 || math.IsNaN(*t)) {
				errs = append(errs, fmt.Errorf("behavior.%s.tolerance must not be negative", d.name))
			}
		}
	}
	return errors.Join(errs...)
}

func (m Metric) validate() error {
	switch m.Source {
	case ResourceMetric:
		if m.Name != "" && m.Name != "cpu" {
			return fmt.Errorf("resource %q is not simulated; only cpu is", m.Name)
		}
		switch m.Target {
		case UtilizationTarget:
			if m.AverageUtilization <= 0 {
				return fmt.Errorf("averageUtilization must be positive, got %d", m.AverageUtilization)
			}
		case AverageValueTarget:
			if m.Value <= 0 {
				return errors.New("averageValue must be positive")
			}
		default:
			return fmt.Errorf("a Resource metric takes a Utilization or AverageValue target, not %v", m.Target)
		}
	case PodsMetric:
		if m.Target != AverageValueTarget {
			return fmt.Errorf("a Pods metric takes an AverageValue target, not %v", m.Target)
		}
		if m.Value <= 0 {
			return errors.New("averageValue must be positive")
		}
	case ObjectMetric, ExternalMetric:
		if m.Target != ValueTarget && m.Target != AverageValueTarget {
			return fmt.Errorf("an %v metric takes a Value or AverageValue target, not %v", m.Source, m.Target)
		}
		if m.Value <= 0 {
			return errors.New("the target value must be positive")
		}
	default:
		return fmt.Errorf("unknown metric source %v", m.Source)
	}
	return nil
}

// Autoscaler is the state the HPA controller keeps for one HPA between
// reconciliations: its recent recommendations and scale events. It
// implements the controller's normalization of a desired replica count:
// stabilization windows, behavior policies (or the legacy limits) and
// min/max replicas. It works on a virtual clock and is not safe for
// concurrent use.
type Autoscaler struct {
	min, max   int
	metrics    []Metric
	ctl        Controller
	tol        Tolerances
	legacy     bool
	up, down   rules
	recs       []recommendation
	upEvents   []scaleEvent
	downEvents []scaleEvent
	started    bool
}

type recommendation struct {
	replicas int
	at       time.Duration
}

type scaleEvent struct {
	change   int
	at       time.Duration
	outdated bool
}

// NewAutoscaler returns the controller state for an HPA. ctl's zero fields
// take the Kubernetes defaults.
func NewAutoscaler(h HPA, ctl Controller) (*Autoscaler, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	ctl = ctl.withDefaults()
	a := &Autoscaler{min: h.MinReplicas, max: h.MaxReplicas, metrics: h.Metrics, ctl: ctl,
		tol: Tolerances{ctl.Tolerance, ctl.Tolerance}, legacy: h.Behavior == nil}
	if len(a.metrics) == 0 {
		a.metrics = []Metric{{Source: ResourceMetric, Name: "cpu", Target: UtilizationTarget, AverageUtilization: DefaultCPUUtilization}}
	}
	if b := h.Behavior; b != nil {
		a.up = resolveRules(b.ScaleUp, 0, defaultScaleUpPolicies)
		a.down = resolveRules(b.ScaleDown, ctl.DownscaleStabilization.Truncate(time.Second), defaultScaleDownPolicies)
		// tolerancesForHpa in kubernetes v1.37.2
		// pkg/controller/podautoscaler/horizontal.go: a direction's
		// tolerance replaces the controller's (HPAConfigurableTolerance is
		// GA and locked on in 1.37).
		if b.ScaleUp != nil && b.ScaleUp.Tolerance != nil {
			a.tol.Up = *b.ScaleUp.Tolerance
		}
		if b.ScaleDown != nil && b.ScaleDown.Tolerance != nil {
			a.tol.Down = *b.ScaleDown.Tolerance
		}
	}
	// Recommendations and events are replaced in place once old, so they
	// stay bounded by window / sync period.
	a.recs = make([]recommendation, 0, 64)
	a.upEvents = make([]scaleEvent, 0, 16)
	a.downEvents = make([]scaleEvent, 0, 16)
	return a, nil
}

// Metrics returns the metrics the autoscaler scales on (the default CPU
// metric when the spec listed none).
func (a *Autoscaler) Metrics() []Metric { return a.metrics }

// Tolerances returns the HPA's dead band.
func (a *Autoscaler) Tolerances() Tolerances { return a.tol }

// SetMinReplicas changes minReplicas from now on (a scheduled pre-scale);
// it is clamped to [1, maxReplicas].
func (a *Autoscaler) SetMinReplicas(n int) { a.min = min(max(n, 1), a.max) }

// MinReplicas is the current lower bound.
func (a *Autoscaler) MinReplicas() int { return a.min }

// MaxReplicas is the upper bound.
func (a *Autoscaler) MaxReplicas() int { return a.max }

// Decision is the outcome of one reconciliation.
type Decision struct {
	// Replicas is the new scale.spec.replicas.
	Replicas int
	// Proposed is the largest count the metrics proposed (before
	// normalization), or -1 when no metric could be computed.
	Proposed int
	// Reason tells what limited the change, as the ScalingLimited and
	// AbleToScale conditions name it: "DesiredWithinRange",
	// "ScaleUpLimit", "ScaleDownLimit", "TooManyReplicas", "TooFewReplicas",
	// "ScaleUpStabilized", "ScaleDownStabilized", "InvalidMetrics"; or
	// "ScalingDisabled" (the ScalingActive condition's reason) when the
	// target's spec.replicas is 0 and the controller leaves it there.
	Reason string
}

// Reconcile runs one reconciliation at now for a target whose
// scale.spec.replicas is current. inputs holds one ReplicaInput per metric
// (in the order of [Autoscaler.Metrics]); Now, Replicas, Tolerances and
// the controller settings are filled in here; StatusReplicas is used as
// given (the target's scale.status.replicas, which may be 0).
//
// It mirrors reconcileAutoscaler and computeReplicasForMetrics in
// kubernetes v1.37.2 pkg/controller/podautoscaler/horizontal.go. A target
// at zero replicas is left alone (Reason "ScalingDisabled"): upstream
// computes metrics from zero only when the HPA itself scaled the target
// to zero (the ScaledToZero condition of HPAScaleToZero), which an HPA
// with minReplicas ≥ 1, as every simulated one has, never does.
func (a *Autoscaler) Reconcile(now time.Duration, current int, inputs []ReplicaInput) Decision {
	if !a.started {
		// recordInitialRecommendation stamps the current count with the
		// controller's clock before this reconciliation's stabilization
		// reads it again, so the stamp is strictly older than that
		// reading: a zero window already leaves it out. One nanosecond
		// earlier models that.
		a.started = true
		a.recs = append(a.recs, recommendation{current, now - time.Nanosecond})
	}
	switch {
	case current == 0:
		// shouldComputeMetricsForZeroReplicas → shouldDisable: desired 0,
		// no rescale, no recommendation recorded.
		return Decision{Replicas: 0, Proposed: -1, Reason: "ScalingDisabled"}
	case current > a.max:
		return a.rescale(now, current, Decision{Replicas: a.max, Proposed: -1, Reason: "TooManyReplicas"})
	case current < a.min:
		return a.rescale(now, current, Decision{Replicas: a.min, Proposed: -1, Reason: "TooFewReplicas"})
	}
	proposed, invalid := 0, 0
	for i, m := range a.metrics {
		in := inputs[i]
		in.Now, in.Replicas, in.Tolerances = now, current, a.tol
		in.CPUInitializationPeriod, in.InitialReadinessDelay = a.ctl.CPUInitializationPeriod, a.ctl.InitialReadinessDelay
		n, _, err := MetricReplicas(m, in)
		if err != nil {
			invalid++
			continue
		}
		if proposed == 0 || n > proposed {
			proposed = n
		}
	}
	// All metrics invalid, or some invalid and the rest would scale down:
	// no scaling this time.
	if invalid >= len(a.metrics) || (invalid > 0 && proposed < current) {
		return Decision{Replicas: current, Proposed: -1, Reason: "InvalidMetrics"}
	}
	var d Decision
	if a.legacy {
		d = a.normalizeLegacy(now, current, proposed)
	} else {
		d = a.normalizeWithBehavior(now, current, proposed)
	}
	d.Proposed = proposed
	return a.rescale(now, current, d)
}

// rescale records the scale event of a change. It mirrors storeScaleEvent
// in kubernetes v1.37.2 pkg/controller/podautoscaler/horizontal.go (no
// events for an HPA without behavior).
func (a *Autoscaler) rescale(now time.Duration, current int, d Decision) Decision {
	if d.Replicas == current || a.legacy {
		return d
	}
	if d.Replicas > current {
		a.upEvents = storeEvent(a.upEvents, now, a.up.longest, d.Replicas-current)
	} else {
		a.downEvents = storeEvent(a.downEvents, now, a.down.longest, current-d.Replicas)
	}
	return d
}

// storeEvent marks events older than the longest policy period outdated
// and reuses one of their slots, or appends. It mirrors
// markScaleEventsOutdated and the store in storeScaleEvent in kubernetes
// v1.37.2 pkg/controller/podautoscaler/horizontal.go.
func storeEvent(events []scaleEvent, now, longest time.Duration, change int) []scaleEvent {
	cutoff := now - longest
	old := -1
	for i := range events {
		if events[i].at < cutoff {
			events[i].outdated = true
		}
		if events[i].outdated {
			old = i
		}
	}
	e := scaleEvent{change: change, at: now}
	if old >= 0 {
		events[old] = e
		return events
	}
	return append(events, e)
}

// changeInPeriod sums the changes of events strictly after now − period.
// It mirrors getReplicasChangePerPeriod in kubernetes v1.37.2
// pkg/controller/podautoscaler/horizontal.go.
func changeInPeriod(events []scaleEvent, now, period time.Duration) int {
	cutoff := now - period
	n := 0
	for _, e := range events {
		if e.at > cutoff {
			n += e.change
		}
	}
	return n
}

// normalizeLegacy applies the rules of an HPA without behavior: the highest
// recommendation within the downscale window, then growth to at most
// max(2 × current, 4) and min/max replicas. It mirrors
// normalizeDesiredReplicas, stabilizeRecommendation,
// convertDesiredReplicasWithRules and calculateScaleUpLimit in kubernetes
// v1.37.2 pkg/controller/podautoscaler/horizontal.go: a recommendation
// older than now − window is out (and its slot reused); one exactly at
// the cutoff is in.
func (a *Autoscaler) normalizeLegacy(now time.Duration, current, desired int) Decision {
	stabilized := desired
	cutoff := now - a.ctl.DownscaleStabilization
	old := -1
	for i, r := range a.recs {
		if r.at < cutoff {
			old = i
		} else if r.replicas > stabilized {
			stabilized = r.replicas
		}
	}
	a.record(old, desired, now)

	upLimit := int(math.Max(2*float64(current), 4))
	maxAllowed, limitReason := a.max, "TooManyReplicas"
	if a.max > upLimit {
		maxAllowed, limitReason = upLimit, "ScaleUpLimit"
	}
	switch {
	case stabilized < a.min:
		return Decision{Replicas: a.min, Reason: "TooFewReplicas"}
	case stabilized > maxAllowed:
		return Decision{Replicas: maxAllowed, Reason: limitReason}
	case stabilized != desired:
		return Decision{Replicas: stabilized, Reason: "ScaleDownStabilized"}
	}
	return Decision{Replicas: stabilized, Reason: "DesiredWithinRange"}
}

func (a *Autoscaler) record(old, replicas int, now time.Duration) {
	if old >= 0 {
		a.recs[old] = recommendation{replicas, now}
		return
	}
	a.recs = append(a.recs, recommendation{replicas, now})
}

// normalizeWithBehavior applies stabilization windows (the lowest
// recommendation within the scale-up window, the highest within the
// scale-down window), then the rate policies and min/max replicas. It
// mirrors normalizeDesiredReplicasWithBehaviors,
// stabilizeRecommendationWithBehaviors and
// convertDesiredReplicasWithBehaviorRate in kubernetes v1.37.2
// pkg/controller/podautoscaler/horizontal.go: a recommendation counts
// when strictly newer than now − window.
func (a *Autoscaler) normalizeWithBehavior(now time.Duration, current, desired int) Decision {
	upRec, downRec := desired, desired
	upCutoff, downCutoff := now-a.up.window, now-a.down.window
	old := -1
	for i, r := range a.recs {
		if r.at > upCutoff {
			upRec = min(upRec, r.replicas)
		}
		if r.at > downCutoff {
			downRec = max(downRec, r.replicas)
		}
		if r.at < upCutoff && r.at < downCutoff {
			old = i
		}
	}
	stabilized := max(current, upRec)
	stabilized = min(stabilized, downRec)
	a.record(old, desired, now)

	reason := "DesiredWithinRange"
	if stabilized != desired {
		reason = "ScaleDownStabilized"
		if desired >= current {
			reason = "ScaleUpStabilized"
		}
	}
	switch {
	case stabilized > current:
		limit := a.scaleUpLimit(now, current)
		if limit < current {
			limit = current
		}
		maxAllowed, limitReason := a.max, "TooManyReplicas"
		if maxAllowed > limit {
			maxAllowed, limitReason = limit, "ScaleUpLimit"
		}
		if stabilized > maxAllowed {
			return Decision{Replicas: maxAllowed, Reason: limitReason}
		}
	case stabilized < current:
		limit := a.scaleDownLimit(now, current)
		if limit > current {
			limit = current
		}
		minAllowed, limitReason := a.min, "TooFewReplicas"
		if minAllowed < limit {
			minAllowed, limitReason = limit, "ScaleDownLimit"
		}
		if stabilized < minAllowed {
			return Decision{Replicas: minAllowed, Reason: limitReason}
		}
	}
	return Decision{Replicas: stabilized, Reason: reason}
}

// scaleUpLimit is the most replicas the scale-up policies allow now.
func (a *Autoscaler) scaleUpLimit(now time.Duration, current int) int {
	return a.policyLimit(&a.up, now, current, true)
}

// scaleDownLimit is the fewest replicas the scale-down policies allow now.
func (a *Autoscaler) scaleDownLimit(now time.Duration, current int) int {
	return a.policyLimit(&a.down, now, current, false)
}

// policyLimit is the bound the policies of one direction set now. Each
// policy counts from the replicas at the start of its period (the current
// count minus the changes made within it); Max picks the policy allowing
// the largest change, Min the smallest. It mirrors
// calculateScaleUpLimitWithScalingRules and
// calculateScaleDownLimitWithBehaviors in kubernetes v1.37.2
// pkg/controller/podautoscaler/horizontal.go.
func (a *Autoscaler) policyLimit(r *rules, now time.Duration, current int, up bool) int {
	if r.selection == Disabled {
		return current
	}
	highest := (r.selection == MaxChange) == up
	result := math.MaxInt32
	if highest {
		result = math.MinInt32
	}
	for _, p := range r.policies {
		start := current - changeInPeriod(a.upEvents, now, p.Period) + changeInPeriod(a.downEvents, now, p.Period)
		var proposed int
		switch {
		case p.Type == PercentPolicy && up:
			// Rounded up, so a small percentage still adds a pod.
			proposed = int(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		case p.Type == PercentPolicy:
			proposed = int(float64(start) * (1 - float64(p.Value)/100))
		case up:
			proposed = start + p.Value
		default:
			proposed = start - p.Value
		}
		if highest {
			result = max(result, proposed)
		} else {
			result = min(result, proposed)
		}
	}
	return result
}
