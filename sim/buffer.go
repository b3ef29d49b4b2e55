package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// BufferStrategy is how GKE keeps a [CapacityBuffer]'s room: the
// CapacityBuffer's spec.provisioningStrategy.
type BufferStrategy uint8

// Buffer strategies.
const (
	// ActiveBuffer keeps the room on running nodes: a pod that needs room
	// takes it at once, as it would a placeholder pod's
	// (buffer.x-k8s.io/active-capacity, the API's default).
	ActiveBuffer BufferStrategy = iota
	// StandbyBuffer keeps the room on suspended nodes: a pod that needs
	// room waits for a node to resume ([DefaultStandbyResume]), which is
	// faster than a new node and billed for storage only while suspended
	// (buffer.gke.io/standby-capacity).
	StandbyBuffer
)

// The provisioningStrategy values of the CapacityBuffer API, as GKE
// documents them (docs.cloud.google.com/kubernetes-engine/docs/reference/crds/capacitybuffer).
const (
	ActiveProvisioningStrategy  = "buffer.x-k8s.io/active-capacity"
	StandbyProvisioningStrategy = "buffer.gke.io/standby-capacity"
)

// CapacityBufferAPIVersion is the apiVersion of the CapacityBuffer custom
// resource headroom writes: the beta of the SIG Autoscaling API
// (kubernetes/autoscaler cluster-autoscaler/apis/capacitybuffer), the one
// GKE 1.35 serves.
const CapacityBufferAPIVersion = "autoscaling.x-k8s.io/v1beta1"

// The GKE versions capacity buffers need, from GKE's "Configure capacity
// buffers" page (docs.cloud.google.com/kubernetes-engine/docs/how-to/configure-capacity-buffer):
// active buffers from 1.35.2-gke.1842000, standby buffers from
// 1.36.0-gke.2253000 (with node auto-provisioning).
const (
	ActiveBufferMinGKE  = "1.35.2-gke.1842000"
	StandbyBufferMinGKE = "1.36.0-gke.2253000"
)

// DefaultStandbyResume is how long a suspended node of a standby buffer
// takes to resume and take pods: GKE's capacity-buffer documentation
// gives about 30 to 35 seconds; the upper end is taken, the safe side.
const DefaultStandbyResume = 35 * time.Second

// String is "active" or "standby".
func (s BufferStrategy) String() string {
	if s == StandbyBuffer {
		return "standby"
	}
	return "active"
}

// ProvisioningStrategy is the strategy as the CapacityBuffer API writes
// it.
func (s BufferStrategy) ProvisioningStrategy() string {
	if s == StandbyBuffer {
		return StandbyProvisioningStrategy
	}
	return ActiveProvisioningStrategy
}

// ParseBufferStrategy reads "active" or "standby", or a provisioningStrategy
// value of the API.
func ParseBufferStrategy(s string) (BufferStrategy, error) {
	switch s {
	case "active", "Active", ActiveProvisioningStrategy:
		return ActiveBuffer, nil
	case "standby", "Standby", StandbyProvisioningStrategy:
		return StandbyBuffer, nil
	}
	return 0, fmt.Errorf("unknown buffer strategy %q; want active or standby", s)
}

// CapacityBuffer is GKE's CapacityBuffer custom resource (CRD
// CapacityBuffer, API group autoscaling.x-k8s.io): Replicas units of spare
// room, each the size of a pod template's requests, that the cluster
// autoscaler provisions ahead of need. A pod that finds no room takes the
// buffer's (GKE schedules onto active buffer nodes first, then standby
// ones, then new nodes), and the autoscaler then restores the buffer by
// provisioning. The zero value is no buffer.
//
// Capacity buffers run on node-based billing: GKE's capacity-buffer page
// says they do not support Autopilot's pod-based billing, so the
// simulator accepts them on a Standard pool only.
type CapacityBuffer struct {
	// Strategy is active (running nodes) or standby (suspended nodes).
	Strategy BufferStrategy
	// Replicas is the number of buffer units (spec.replicas).
	Replicas int
	// CPU and Memory are one unit's requests (the referenced
	// PodTemplate's), in cores and bytes.
	CPU, Memory float64
	// ResumeDelay is how long a standby node takes to resume; 0 means
	// [DefaultStandbyResume]. Active buffers ignore it.
	ResumeDelay time.Duration
	// StandbyNodeHour is the price of one suspended node per hour in the
	// prices' currency (its saved memory state and boot disk, no vCPU or
	// memory time; see pricing.Catalog.StandbyNode); 0 means unknown: the
	// costs then leave the suspended nodes out and a note says so.
	StandbyNodeHour float64
}

// IsZero reports whether there is no buffer.
func (b CapacityBuffer) IsZero() bool { return b.Replicas == 0 }

// Room is the buffer's room: replicas × the unit's requests.
func (b CapacityBuffer) Room() (cpu, mem float64) {
	return float64(b.Replicas) * b.CPU, float64(b.Replicas) * b.Memory
}

// String describes the buffer: "standby CapacityBuffer of 4 × (500m CPU, 1Gi)".
func (b CapacityBuffer) String() string {
	if b.IsZero() {
		return "no CapacityBuffer"
	}
	return fmt.Sprintf("%s CapacityBuffer of %d × (%s CPU, %s)", b.Strategy, b.Replicas, units.CPU(b.CPU), units.Bytes(b.Memory))
}

// resume is the standby resume delay in seconds.
func (b CapacityBuffer) resume() float64 {
	if b.ResumeDelay > 0 {
		return b.ResumeDelay.Seconds()
	}
	return DefaultStandbyResume.Seconds()
}

// check returns what is wrong with the buffer on nodes n.
func (b CapacityBuffer) check(n Nodes, allocCPU, allocMem float64) []string {
	if b == (CapacityBuffer{}) {
		return nil
	}
	var errs []string
	if b.Replicas < 1 || b.Replicas > 10000 {
		errs = append(errs, fmt.Sprintf("nodes: capacityBuffer: want 1 to 10000 replicas, got %d", b.Replicas))
	}
	if !(b.CPU > 0) || math.IsInf(b.CPU, 0) || b.Memory < 0 || math.IsInf(b.Memory, 0) || math.IsNaN(b.Memory) {
		errs = append(errs, "nodes: capacityBuffer: a unit needs a positive CPU request and a memory request ≥ 0")
	}
	if b.ResumeDelay < 0 || b.ResumeDelay > time.Hour {
		errs = append(errs, "nodes: capacityBuffer: the resume delay must be within 0 and 1h")
	}
	if b.StandbyNodeHour < 0 || math.IsNaN(b.StandbyNodeHour) || math.IsInf(b.StandbyNodeHour, 0) {
		errs = append(errs, "nodes: capacityBuffer: the standby node price must be a number ≥ 0")
	}
	if n.Mode != Standard {
		errs = append(errs, "nodes: capacityBuffer: capacity buffers run on node-based billing and GKE does not support them with Autopilot's pod-based billing; simulate a Standard pool, or use placeholder pods")
		return errs
	}
	if allocCPU > 0 && (b.CPU > allocCPU || b.Memory > allocMem) {
		errs = append(errs, fmt.Sprintf("nodes: capacityBuffer: a unit (%s CPU, %s) does not fit on a %s node (%s CPU, %s allocatable)",
			units.CPU(b.CPU), units.Bytes(b.Memory), nodeName(n), units.CPU(allocCPU), units.Bytes(allocMem)))
	}
	return errs
}

// AutoscalingProfile is the GKE cluster autoscaler's profile
// (gcloud --autoscaling-profile).
type AutoscalingProfile string

// Autoscaling profiles.
const (
	// Balanced keeps spare nodes for the cluster autoscaler's usual
	// --scale-down-unneeded-time ([DefaultScaleDownUnneeded]).
	Balanced AutoscalingProfile = "balanced"
	// OptimizeUtilization removes spare nodes more aggressively: more of
	// them, and faster. GKE recommends it for batch work that is not
	// sensitive to start-up latency, not for serving.
	OptimizeUtilization AutoscalingProfile = "optimize-utilization"
)

// Profile defaults. GKE Standard clusters default to balanced (the GKE
// API's AutoscalingProfile enum: "use default (balanced) autoscaling
// configuration"); Autopilot clusters run optimize-utilization, which the
// user cannot change (GKE's "Compare GKE Autopilot and Standard" page, as
// recalled: not re-read for this code, so the simulator applies it only
// when a System says so; see [Nodes.Profile]).
const (
	DefaultStandardProfile  = Balanced
	DefaultAutopilotProfile = OptimizeUtilization
)

// DefaultOptimizeUtilizationUnneeded is how long capacity stays unneeded
// before removal under optimize-utilization when the System gives no
// scaleDownUnneeded. GKE documents that the profile removes nodes faster
// but gives no figure: this is an assumption, a tenth of the balanced
// profile's 10 minutes, on the safe side for a plan that counts on warm
// nodes (they vanish sooner). Give scaleDownUnneeded to override it.
const DefaultOptimizeUtilizationUnneeded = time.Minute

// ParseAutoscalingProfile reads "balanced" or "optimize-utilization".
func ParseAutoscalingProfile(s string) (AutoscalingProfile, error) {
	switch AutoscalingProfile(s) {
	case Balanced, OptimizeUtilization:
		return AutoscalingProfile(s), nil
	}
	return "", fmt.Errorf("unknown autoscaling profile %q; want balanced or optimize-utilization", s)
}

// Profile is the cluster's autoscaling profile: the one given, or the
// mode's default.
func (n Nodes) Profile() AutoscalingProfile {
	if n.AutoscalingProfile != "" {
		return n.AutoscalingProfile
	}
	if n.Mode == Standard {
		return DefaultStandardProfile
	}
	return DefaultAutopilotProfile
}

// simulatedProfile is the profile whose timing the simulator applies: the
// one given, else balanced. An Autopilot System that does not say keeps
// the balanced timing it was simulated with before the field existed,
// although Autopilot runs optimize-utilization: a note says so when the
// System counts on warm room.
func (n Nodes) simulatedProfile() AutoscalingProfile {
	if n.AutoscalingProfile != "" {
		return n.AutoscalingProfile
	}
	return Balanced
}

// warmRoom tells whether the nodes keep room warm ahead of need:
// placeholder pods or a capacity buffer.
func (n Nodes) warmRoom() bool {
	return n.BufferCPU > 0 || n.BufferMemory > 0 || !n.CapacityBuffer.IsZero()
}

// warmNote is the warning of a system that counts on warm room under
// optimize-utilization.
func warmNote(n Nodes) string {
	return fmt.Sprintf("the cluster autoscaler runs the optimize-utilization profile, which removes spare nodes more aggressively than balanced (taken here as unneeded for %s before removal), and GKE does not recommend it for serving workloads: room kept warm by %s is restored by provisioning, but nodes freed by a first wave are gone sooner before the next; prefer the balanced profile on Standard",
		units.Seconds(unneededFor(n).Seconds()), warmWhat(n))
}

func warmWhat(n Nodes) string {
	switch {
	case !n.CapacityBuffer.IsZero() && (n.BufferCPU > 0 || n.BufferMemory > 0):
		return "placeholder pods and a " + n.CapacityBuffer.Strategy.String() + " CapacityBuffer"
	case !n.CapacityBuffer.IsZero():
		return "a " + n.CapacityBuffer.Strategy.String() + " CapacityBuffer"
	}
	return "placeholder pods"
}

// unneededFor is how long capacity stays unneeded before removal: the
// System's scaleDownUnneeded, or the profile's default.
func unneededFor(n Nodes) time.Duration {
	switch {
	case n.ScaleDownUnneeded > 0:
		return n.ScaleDownUnneeded
	case n.simulatedProfile() == OptimizeUtilization:
		return DefaultOptimizeUtilizationUnneeded
	}
	return DefaultScaleDownUnneeded
}
