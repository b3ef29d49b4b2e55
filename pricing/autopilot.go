package pricing

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/headroom-sre/headroom/units"
)

// Where the Autopilot request rules come from. The GKE page is the
// authority; the figures were read through the summaries named, on the
// date given, and the DaemonSet row was not re-read here.
const (
	SourceAutopilotRequests = "GKE docs, Resource requests in Autopilot " +
		"(cloud.google.com/kubernetes-engine/docs/concepts/autopilot-resource-requests): defaults 500m CPU / 2 GiB " +
		"per container without requests; general-purpose minimums 50m / 52 MiB on clusters that support bursting " +
		"(GKE 1.30.2 and later) and 250m / 512 MiB otherwise; 1 to 6.5 GiB per vCPU, the smaller side raised; " +
		"as summarised by finops-stack.jetstack.io/distribution-gke-autopilot (2025) and oneuptime (2026)"
	SourceAutopilotPricing = "cloud.google.com/kubernetes-engine/pricing (ru copy, 2025–26): pods billed on requests, " +
		"CPU in ¼-vCPU steps on clusters without bursting; system Pods and unscheduled (Pending) Pods are not billed"
	SourceAutopilotDaemonSet = "GKE docs, Resource requests in Autopilot, DaemonSet table: defaults 50m / 100 MiB per container; " +
		"minimums 1m / 2 MiB with bursting, 10m / 10 MiB without (recalled, not re-read on 2026-12-03: verify)"
	// DateAutopilotRules is when the request rules were last checked.
	DateAutopilotRules = "2026-12-03"
)

// BurstingVersion is the first GKE version whose Autopilot clusters
// support Pod bursting (and its smaller minimums) for clusters created on
// it; earlier clusters keep the older rules.
const BurstingVersion = "1.30.2"

// AutopilotRules are the resource-request rules Autopilot applies to one
// kind of Pod, and so bills: per-container defaults, per-pod minimums, a
// CPU step and the allowed memory-per-vCPU ratio. Autopilot raises
// requests to fit the rules (requests above the maximum are rejected, not
// billed, and are not modelled).
type AutopilotRules struct {
	Name string `json:"name"` // e.g. "general-purpose, bursting"
	// DefaultVCPU and DefaultGiB are given to each container that sets no
	// request for that resource.
	DefaultVCPU float64 `json:"default_vcpu"`
	DefaultGiB  float64 `json:"default_gib"`
	// MinVCPU and MinGiB are the smallest requests of a whole pod.
	MinVCPU float64 `json:"min_vcpu"`
	MinGiB  float64 `json:"min_gib"`
	// VCPUStep rounds the pod's CPU up to a multiple of it; 0 means no step.
	VCPUStep float64 `json:"vcpu_step,omitempty"`
	// MinGiBPerVCPU and MaxGiBPerVCPU bound memory per vCPU; Autopilot
	// raises the smaller side to fit.
	MinGiBPerVCPU float64 `json:"min_gib_per_vcpu"`
	MaxGiBPerVCPU float64 `json:"max_gib_per_vcpu"`
	Source        string  `json:"source"`
	Date          string  `json:"date"`
}

// AutopilotRulesFor returns the rules of general-purpose Pods, or of
// DaemonSet Pods, on a cluster that supports bursting or not.
func AutopilotRulesFor(bursting, daemonSet bool) AutopilotRules {
	r := AutopilotRules{DefaultVCPU: 0.5, DefaultGiB: 2, MinGiBPerVCPU: 1, MaxGiBPerVCPU: 6.5,
		Source: SourceAutopilotRequests + "; " + SourceAutopilotPricing, Date: DateAutopilotRules}
	switch {
	case daemonSet && bursting:
		r.Name, r.DefaultVCPU, r.DefaultGiB, r.MinVCPU, r.MinGiB = "DaemonSet, bursting", 0.05, 100.0/1024, 0.001, 2.0/1024
		r.Source = SourceAutopilotDaemonSet
	case daemonSet:
		r.Name, r.DefaultVCPU, r.DefaultGiB, r.MinVCPU, r.MinGiB = "DaemonSet, no bursting", 0.05, 100.0/1024, 0.01, 10.0/1024
		r.Source = SourceAutopilotDaemonSet
	case bursting:
		r.Name, r.MinVCPU, r.MinGiB = "general-purpose, bursting", 0.05, 52.0/1024
	default:
		r.Name, r.MinVCPU, r.MinGiB, r.VCPUStep = "general-purpose, no bursting", 0.25, 0.5, 0.25
	}
	return r
}

// Request is what one container requests: vCPUs and GiB (2^30 bytes).
// Zero means the container sets no request for that resource.
type Request struct {
	VCPU float64
	GiB  float64
}

// BillPod returns the vCPUs and GiB Autopilot bills for a pod whose
// containers request cs: each container without a request gets the
// default, the pod's sum is raised to the minimums, its CPU rounded up to
// the step, and the smaller side raised into the memory-per-vCPU range.
// A pod with no containers is billed nothing.
func (r AutopilotRules) BillPod(cs []Request) (vcpu, gib float64) {
	if len(cs) == 0 {
		return 0, 0
	}
	for _, c := range cs {
		if c.VCPU > 0 {
			vcpu += c.VCPU
		} else {
			vcpu += r.DefaultVCPU
		}
		if c.GiB > 0 {
			gib += c.GiB
		} else {
			gib += r.DefaultGiB
		}
	}
	vcpu, gib = math.Max(vcpu, r.MinVCPU), math.Max(gib, r.MinGiB)
	step := func(x float64) float64 {
		if r.VCPUStep <= 0 {
			return x
		}
		return math.Ceil(x/r.VCPUStep-1e-9) * r.VCPUStep
	}
	vcpu = step(vcpu)
	if r.MaxGiBPerVCPU > 0 && gib > vcpu*r.MaxGiBPerVCPU {
		vcpu = step(gib / r.MaxGiBPerVCPU)
	}
	if gib < vcpu*r.MinGiBPerVCPU {
		gib = vcpu * r.MinGiBPerVCPU
	}
	return vcpu, gib
}

// Describe is the rules in one line, for a report's notes.
func (r AutopilotRules) Describe() string {
	s := fmt.Sprintf("Autopilot %s: containers without requests get %s / %s; a pod is billed at least %s / %s",
		r.Name, cpuText(r.DefaultVCPU), gibText(r.DefaultGiB), cpuText(r.MinVCPU), gibText(r.MinGiB))
	if r.VCPUStep > 0 {
		s += fmt.Sprintf(", CPU in steps of %s", cpuText(r.VCPUStep))
	}
	return s + fmt.Sprintf(", %g to %g GiB per vCPU", r.MinGiBPerVCPU, r.MaxGiBPerVCPU)
}

func cpuText(v float64) string { return units.CPU(v) }

func gibText(g float64) string { return units.Bytes(g * (1 << 30)) }

// SupportsBursting reports whether a GKE version (as a kubelet or control
// plane reports it: "v1.30.5-gke.1014001", "1.29.8-gke.100") is at least
// [BurstingVersion]. ok is false when the version cannot be read.
//
// A cluster created before 1.30.2 and upgraded later gains bursting only
// after its control plane is restarted on a supported version; a node
// version is the best signal a snapshot carries.
func SupportsBursting(version string) (bursting, ok bool) {
	v := strings.TrimPrefix(strings.TrimSpace(version), "v")
	v, _, _ = strings.Cut(v, "-")
	v, _, _ = strings.Cut(v, "+")
	parts := strings.Split(v, ".")
	if len(parts) < 3 {
		return false, false
	}
	var n [3]int
	for i := range n {
		x, err := strconv.Atoi(parts[i])
		if err != nil || x < 0 {
			return false, false
		}
		n[i] = x
	}
	want := [3]int{1, 30, 2}
	for i := range n {
		if n[i] != want[i] {
			return n[i] > want[i], true
		}
	}
	return true, true
}
