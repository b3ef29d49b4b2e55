package pricing

import "math"

// Autopilot request rules for general-purpose pods, as billed: CPU in
// quarter-vCPU steps and 1 to 6.5 GiB of memory per vCPU, out-of-range
// requests rounded up; a pod with no requests gets the defaults.
const (
	AutopilotCPUStep        = 0.25 // vCPU
	AutopilotMinGiBPerVCPU  = 1.0
	AutopilotMaxGiBPerVCPU  = 6.5
	AutopilotDefaultCPU     = 0.5 // vCPU, when a pod requests none
	AutopilotDefaultMemory  = 2.0 // GiB, when a pod requests none
	SourceAutopilotRounding = "cloud.google.com/kubernetes-engine/pricing (ru copy, 2025–26): CPU in ¼-vCPU steps, " +
		"1–6.5 GB per vCPU, out-of-range requests rounded up; defaults 500m / 2 GiB from oneuptime (2026, third-party)"
)

// AutopilotPod returns what Autopilot bills a general-purpose pod that
// requests vcpu vCPUs and gib GiB in all: zero requests take the
// defaults, CPU rounds up to a quarter vCPU, and the pair is moved into the
// allowed memory-per-vCPU ratio by raising whichever side is short.
func AutopilotPod(vcpu, gib float64) (billedVCPU, billedGiB float64) {
	if vcpu <= 0 {
		vcpu = AutopilotDefaultCPU
	}
	if gib <= 0 {
		gib = AutopilotDefaultMemory
	}
	step := func(x float64) float64 { return math.Ceil(x/AutopilotCPUStep-1e-9) * AutopilotCPUStep }
	vcpu = step(vcpu)
	if gib > vcpu*AutopilotMaxGiBPerVCPU {
		vcpu = step(gib / AutopilotMaxGiBPerVCPU)
	}
	if gib < vcpu*AutopilotMinGiBPerVCPU {
		gib = vcpu * AutopilotMinGiBPerVCPU
	}
	return vcpu, gib
}
