package review

import (
	"time"
)

// Verdict is the review's answer.
type Verdict string

// Verdicts.
const (
	// Go: nothing blocks and nothing the review needs is unknown.
	Go Verdict = "go"
	// NoGo: at least one finding blocks the launch.
	NoGo Verdict = "no-go"
	// Unknown: nothing blocks, but something the review needs is not
	// known; it is not a go.
	Unknown Verdict = "unknown"
)

// Severity is how much a finding weighs on the verdict.
type Severity string

// Severities, from the heaviest.
const (
	// Blocker makes the verdict no-go.
	Blocker Severity = "blocker"
	// Unknowable makes the verdict unknown (unless something blocks): the
	// review cannot tell, and will not guess.
	Unknowable Severity = "unknown"
	// Warning is a risk to fix or accept knowingly; it does not block.
	Warning Severity = "warning"
	// Info is a figure worth knowing.
	Info Severity = "info"
)

// rank orders severities, the heaviest first.
func (s Severity) rank() int {
	switch s {
	case Blocker:
		return 0
	case Unknowable:
		return 1
	case Warning:
		return 2
	}
	return 3
}

// Checks: what a finding is about.
const (
	CheckScenario   = "scenario"   // a scenario of the System file, run as written
	CheckSpike      = "spike"      // the largest spike survivable
	CheckScaleUp    = "scale-up"   // time to ×10 capacity
	CheckHPA        = "hpa"        // whether an HPA's metric fires before saturation
	CheckReplicas   = "replicas"   // single replicas
	CheckPDB        = "pdb"        // PodDisruptionBudgets
	CheckAlerts     = "alerts"     // SLO alerting
	CheckObjectives = "objectives" // SLOs to judge by
	CheckCapacity   = "capacity"   // where each capacity comes from
)

// Result is a readiness review.
type Result struct {
	// Verdict is go, no-go or unknown; Reasons are the blocking (or, for
	// unknown, the unknown) findings' summaries.
	Verdict Verdict  `json:"verdict"`
	Reasons []string `json:"reasons"`
	// BaseRate is the system's normal external rate, per second, and
	// BaseSource where it comes from; 0 when unknown.
	BaseRate   float64 `json:"base_rate"`
	BaseSource string  `json:"base_source"`
	// Notice is how long ahead an announced event is known.
	Notice time.Duration `json:"-"`
	// NoticeS is Notice in seconds.
	NoticeS float64 `json:"notice_s"`
	// Surprise and Announced are the largest spikes survived without
	// warning and with notice.
	Surprise  Spike `json:"surprise"`
	Announced Spike `json:"announced"`
	// ScaleUp is, per component, the time to ten times its replicas.
	ScaleUp []ScaleUp `json:"scale_up"`
	// Scenarios are the System file's scenarios, run as written.
	Scenarios []ScenarioCheck `json:"scenarios"`
	// Findings are every finding, the heaviest first.
	Findings []Finding `json:"findings"`
	// Unmeasured names the components whose capacity is not a measured
	// knee (written, estimated, a placeholder, a lower bound): every
	// simulated figure rests on it.
	Unmeasured []string `json:"unmeasured"`
	// Notes are the simulator's assumptions.
	Notes []string `json:"notes,omitempty"`
}

// Spike is the largest spike survived in one kind of event.
type Spike struct {
	// Event is "surprise" or "announced".
	Event string `json:"event"`
	// Known is false when the search could not judge (Reason says why).
	Known  bool   `json:"known"`
	Reason string `json:"reason,omitempty"`
	// Multiple is the largest multiple of the base rate survived (0: not
	// even the base rate), and FailsAt the smallest found not survived
	// (0 when every multiple up to the search's bound was survived:
	// AtLeast).
	Multiple float64 `json:"multiple"`
	FailsAt  float64 `json:"fails_at"`
	AtLeast  bool    `json:"at_least"`
	// PeakRate is Multiple × the base rate, per second.
	PeakRate float64 `json:"peak_rate"`
	// Shape is the probe's traffic at Multiple, in its one-line form.
	Shape string `json:"shape"`
	// Bottleneck and BottleneckReason say what broke at FailsAt.
	Bottleneck       string `json:"bottleneck,omitempty"`
	BottleneckReason string `json:"bottleneck_reason,omitempty"`
	// Runs is the number of simulations the search made.
	Runs int `json:"runs"`
}

// ScaleUp is how long a component takes to reach ten times the replicas
// it runs at the normal rate, once its HPA asks for them.
type ScaleUp struct {
	Component string `json:"component"`
	// From is the ready replicas at the normal rate; Target is 10 × From,
	// or the HPA's maxReplicas when lower (Reaches is then false).
	From    int  `json:"from"`
	Target  int  `json:"target"`
	Reaches bool `json:"reaches"`
	// Known is false for a component that cannot scale (Reason says why).
	Known  bool   `json:"known"`
	Reason string `json:"reason,omitempty"`
	// Total is the time to Target ready replicas, in seconds: the sum of
	// the parts below, the path of the last replicas added.
	TotalS float64 `json:"total_s"`
	// DetectS is the metric's lag and one HPA sync: from the load's
	// arrival to the first scale-up.
	DetectS float64 `json:"detect_s"`
	// PoliciesS is the time the HPA's scale-up policies (or legacy
	// limits) take to allow Target, from the first scale-up.
	PoliciesS float64 `json:"policies_s"`
	// NodesS is the node provisioning the new pods wait for (0 when
	// spare room holds them).
	NodesS float64 `json:"nodes_s"`
	// StartupS is the pods' start-up: schedule, image pull, init and
	// readiness.
	StartupS float64 `json:"startup_s"`
	// Steps is the number of HPA scale-ups from From to Target.
	Steps int `json:"steps"`
	// Fires is false when the HPA's metric cannot fire before saturation
	// (see the hpa finding): the time is then what it would take once
	// something else raised the replicas.
	Fires bool `json:"fires"`
}

// ScenarioCheck is one scenario of the System file, simulated as written.
type ScenarioCheck struct {
	Name         string  `json:"name"`
	Event        string  `json:"event"`
	Multiple     float64 `json:"multiple"`
	SLOMet       bool    `json:"slo_met"`
	BudgetBurned float64 `json:"budget_burned"`
	Bottleneck   string  `json:"bottleneck,omitempty"`
}

// Finding is one thing the review found.
type Finding struct {
	Check     string   `json:"check"`
	Severity  Severity `json:"severity"`
	Component string   `json:"component,omitempty"`
	// Summary is one sentence; Fix says what to do.
	Summary  string     `json:"summary"`
	Evidence []Evidence `json:"evidence"`
	Fix      string     `json:"fix,omitempty"`
}

// Evidence is one number behind a finding, with where it comes from.
type Evidence struct {
	// What the number is.
	What string `json:"what"`
	// Value in Unit: "×", "s", "req/s", "replicas", "cores", "fraction",
	// "percent" (an HPA target, as written).
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	// Text is Value written for people.
	Text string `json:"text"`
	// Source is where the number comes from: a field of the System file, a
	// capacity profile, a default with its reference, a simulation.
	Source string `json:"source"`
}

// Count of findings per severity.
func (r *Result) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}
