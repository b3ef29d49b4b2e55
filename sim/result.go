package sim

import (
	"fmt"
	"math"
	"strings"

	"github.com/headroom-sre/headroom/units"
)

// Result is the outcome of one scenario. Counts are expected numbers of
// requests (fractional), rates are per second, latencies in seconds,
// ratios fractions in [0, 1], money in Cost.Currency.
type Result struct {
	// Scenario names the scenario.
	Scenario string `json:"scenario"`
	// Traffic is the traffic shape in its one-line form.
	Traffic string `json:"traffic"`
	// Duration is the simulated time, in seconds.
	Duration float64 `json:"duration_s"`
	// Event is "announced" (the system's pre-scaling applied) or
	// "surprise" (none did): the scenario's notice as resolved.
	Event string `json:"event"`
	// Stopped tells that the run ended at the first breach
	// (Options.StopAtBreach): Duration and every total cover the
	// simulated part only.
	Stopped bool `json:"stopped,omitempty"`
	// Requests is the number of external requests.
	Requests float64 `json:"requests"`
	// Failed is the number of external requests that failed for good
	// (after retries): timed out, errored, or failed downstream.
	Failed float64 `json:"failed"`
	// Succeeded is Requests − Failed: the goodput, integrated.
	Succeeded float64 `json:"succeeded"`
	// Slow is the number of successful requests slower than the latency
	// threshold (0 without a latency objective).
	Slow float64 `json:"slow"`
	// SLOMet tells whether every objective kept within its allowed budget
	// burn.
	SLOMet bool `json:"slo_met"`
	// BudgetBurned is the largest fraction of an SLO window's error budget
	// the scenario burned, over the objectives.
	BudgetBurned float64 `json:"budget_burned"`
	// Borderline tells that the scenario met its SLO narrowly: it burned
	// more than (1 − [BorderlineMargin]) of the budget it may burn, or it
	// does not survive the worst timing of its Band. BorderlineReason says
	// which.
	Borderline       bool   `json:"borderline,omitempty"`
	BorderlineReason string `json:"borderline_reason,omitempty"`
	// Band is the verdict in the best and the worst timing (Options.Band);
	// nil when not asked for.
	Band *Band `json:"band,omitempty"`
	// Availability and Latency detail each objective (nil when not set).
	Availability *SLI `json:"availability,omitempty"`
	Latency      *SLI `json:"latency,omitempty"`
	// FirstBreach is when the budget burned first exceeded what the
	// scenario may burn, in seconds from the start; nil if never.
	FirstBreach *float64 `json:"first_breach_s"`
	// WorstP99 is the highest end-to-end p99 latency seen at the entry, and
	// WorstP99At when.
	WorstP99   float64 `json:"worst_p99_s"`
	WorstP99At float64 `json:"worst_p99_at_s"`
	// Bottleneck names the component that limited the system, and
	// BottleneckReason says how.
	Bottleneck       string `json:"bottleneck"`
	BottleneckReason string `json:"bottleneck_reason"`
	// Cost is what the scenario cost and what the end state costs a month.
	Cost Cost `json:"cost"`
	// Components detail each component.
	Components []ComponentResult `json:"components"`
	// Notes are assumptions the simulation made.
	Notes []string `json:"notes,omitempty"`
	// Timeline has one entry per timeline step when asked for.
	Timeline []Point `json:"timeline,omitempty"`
}

// SLI is the outcome of one objective over a scenario.
type SLI struct {
	// Objective is the target fraction of good requests.
	Objective float64 `json:"objective"`
	// ThresholdS is the latency threshold in seconds (latency only).
	ThresholdS float64 `json:"threshold_s,omitempty"`
	Good       float64 `json:"good"`
	Total      float64 `json:"total"`
	// Ratio is Good / Total (1 without traffic).
	Ratio float64 `json:"ratio"`
	// BudgetBurned is the fraction of the SLO window's error budget the
	// scenario's bad requests used.
	BudgetBurned float64 `json:"budget_burned"`
	// Met tells whether BudgetBurned stayed within the allowed burn.
	Met bool `json:"met"`
}

// Cost is the price of a scenario.
type Cost struct {
	Currency string `json:"currency"`
	// Mode is "autopilot" (pods billed by request) or "standard" (nodes).
	Mode string `json:"mode"`
	// Scenario is the cost accrued over the scenario, cluster fee included.
	Scenario float64 `json:"scenario"`
	// Hourly is the cost per hour of the state the scenario ends in.
	Hourly float64 `json:"hourly"`
	// Monthly is Hourly × 730: the month at that steady state.
	Monthly float64 `json:"monthly"`
	// NodesAtEnd is the Standard node count at the end (0 on Autopilot).
	NodesAtEnd int `json:"nodes_at_end,omitempty"`
}

// ComponentResult is what happened to one component.
type ComponentResult struct {
	Name string `json:"name"`
	// Requests counts first attempts sent to the component.
	Requests float64 `json:"requests"`
	// Failed counts requests to it that failed for good (after retries),
	// whatever the cause.
	Failed float64 `json:"failed"`
	// TimedOut counts attempts that gave up waiting in its queue.
	TimedOut float64 `json:"timed_out"`
	// Retries counts the extra attempts callers made.
	Retries float64 `json:"retries"`
	// ReadyStart, ReadyEnd and PeakReady are ready replicas at the start,
	// at the end and at most; PeakDesired the most the HPA asked for.
	ReadyStart  int `json:"ready_start"`
	ReadyEnd    int `json:"ready_end"`
	PeakReady   int `json:"peak_ready"`
	PeakDesired int `json:"peak_desired"`
	// MaxPending is the most pods waiting for room on a node at once, and
	// PendingS the time during which some were.
	MaxPending int     `json:"max_pending"`
	PendingS   float64 `json:"pending_s"`
	// SaturatedS is the time the component served at full capacity with
	// requests queued.
	SaturatedS float64 `json:"saturated_s"`
	// PeakUtilization is the highest CPU utilization of its ready pods (of
	// their request).
	PeakUtilization float64 `json:"peak_utilization"`
	// WorstP99 is the highest p99 latency of its requests, callees and
	// queueing included.
	WorstP99 float64 `json:"worst_p99_s"`
	// MaxQueue is the longest queue, in requests.
	MaxQueue float64 `json:"max_queue"`
	// ScaleUps and ScaleDowns count the HPA's changes.
	ScaleUps   int `json:"scale_ups"`
	ScaleDowns int `json:"scale_downs"`
}

// Point is one timeline entry, covering the step that ends at T. Rates are
// averages over the step; replica counts are at T.
type Point struct {
	// T is the end of the step, in seconds from the start.
	T float64 `json:"t"`
	// ArrivalRate is external requests per second.
	ArrivalRate float64 `json:"arrival_rate"`
	// Served is the entry's throughput (completed requests per second,
	// useful or not).
	Served float64 `json:"served"`
	// Goodput is requests per second that succeeded end to end.
	Goodput float64 `json:"goodput"`
	// Failed is external requests per second that failed for good.
	Failed float64 `json:"failed"`
	// P99 is the highest end-to-end p99 latency at the entry in the step.
	P99 float64 `json:"p99"`
	// BudgetBurned is the error budget burned so far (the largest over the
	// objectives).
	BudgetBurned float64 `json:"budget_burned"`
	// Nodes is the Standard node count (provisioning ones included).
	Nodes int `json:"nodes,omitempty"`
	// Components holds each component's state.
	Components map[string]ComponentPoint `json:"components"`
}

// ComponentPoint is one component in a timeline entry.
type ComponentPoint struct {
	// Ready is the ready replica count; Desired the Deployment's replicas
	// (what the HPA asked for); Starting the pods on a node and not yet
	// ready; Pending the pods waiting for room on a node.
	Ready    int `json:"ready"`
	Desired  int `json:"desired"`
	Starting int `json:"starting"`
	Pending  int `json:"pending"`
	// Utilization is the ready pods' average CPU use, as a fraction of the
	// request (capped at limit/request).
	Utilization float64 `json:"utilization"`
	// HPAUtilization is the CPU utilization metrics-server last reported:
	// what the HPA reads.
	HPAUtilization float64 `json:"hpa_utilization"`
	// P99 is the highest p99 latency of its requests in the step.
	P99 float64 `json:"p99"`
	// Queue is the queue length at T, in requests.
	Queue float64 `json:"queue"`
	// ArrivalRate counts attempts (retries included) per second; Served
	// completed requests per second; Failed requests per second that
	// failed for good.
	ArrivalRate float64 `json:"arrival_rate"`
	Served      float64 `json:"served"`
	Failed      float64 `json:"failed"`
}

// round rounds x to d decimals, for stable, readable output.
func round(x float64, d int) float64 {
	p := math.Pow10(d)
	return math.Round(x*p) / p
}

// Band is the range of a scenario's verdict over the timing the
// simulator cannot know: where metric scrapes and the kubelet's samples
// fall against the HPA's syncs, and how long start-up takes. The result
// itself is the average case.
type Band struct {
	// Best: every sample as fresh as its pipeline allows, the median
	// start-up.
	Best Bound `json:"best"`
	// Worst: every sample as stale as its pipeline allows, the 90th
	// percentile start-up.
	Worst Bound `json:"worst"`
}

// Bound is the outcome of one end of a band.
type Bound struct {
	// Assumes says what timing this end assumes.
	Assumes string `json:"assumes"`
	// SLOMet, BudgetBurned, Failed, FirstBreach and WorstP99 are as in
	// [Result].
	SLOMet       bool     `json:"slo_met"`
	BudgetBurned float64  `json:"budget_burned"`
	Failed       float64  `json:"failed"`
	FirstBreach  *float64 `json:"first_breach_s"`
	WorstP99     float64  `json:"worst_p99_s"`
}

// What each end of a band assumes.
const (
	// BestTiming is what the best end of a band assumes.
	BestTiming = "metrics sampled just before each HPA sync from fresh kubelet stats and adapter caches, the median start-up"
	// WorstTiming is what the worst end of a band assumes.
	WorstTiming = "metrics a full resolution and cAdvisor housekeeping old (a full scrape and cache interval for custom metrics), the 90th-percentile start-up"
)

// AverageTiming is what an end of a band assumes when the average case
// itself is that end: the HPA's dynamics are not monotone in the samples'
// age (a fresher sample may start a scale-up whose rate limits then bind
// sooner), so fresher or staler samples did not do better or worse.
const AverageTiming = "the average timing (fresher or staler samples did no better or worse here)"

// band is the range of the three runs: the average case, the freshest
// samples and the stalest with the slowest start-up. The HPA's dynamics
// are not monotone in timing, so each end is the best or worst of the
// runs, by budget burned, then failures.
func band(avg, fresh, stale *Result) *Band {
	bound := func(r *Result, assumes string) Bound {
		return Bound{Assumes: assumes, SLOMet: r.SLOMet, BudgetBurned: r.BudgetBurned, Failed: r.Failed, FirstBreach: r.FirstBreach, WorstP99: r.WorstP99}
	}
	worse := func(a, b *Result) bool {
		if a.SLOMet != b.SLOMet {
			return !a.SLOMet
		}
		if a.BudgetBurned != b.BudgetBurned {
			return a.BudgetBurned > b.BudgetBurned
		}
		return a.Failed > b.Failed
	}
	runs := []struct {
		r       *Result
		assumes string
	}{{fresh, BestTiming}, {avg, AverageTiming}, {stale, WorstTiming}}
	best, worst := 0, 2
	for i, x := range runs {
		if worse(runs[best].r, x.r) {
			best = i
		}
		if worse(x.r, runs[worst].r) {
			worst = i
		}
	}
	return &Band{Best: bound(runs[best].r, runs[best].assumes), Worst: bound(runs[worst].r, runs[worst].assumes)}
}

// Verdicts, as [Result.Verdict] words them.
const (
	Survives       = "survives"
	Borderline     = "borderline"
	DoesNotSurvive = "does not survive"
)

// Verdict is [Survives], [Borderline] or [DoesNotSurvive].
func (r *Result) Verdict() string {
	switch {
	case !r.SLOMet:
		return DoesNotSurvive
	case r.Borderline:
		return Borderline
	}
	return Survives
}

// judgeBorderline marks a survival that is narrow: burnMax is the budget
// burn the scenario may spend.
func (r *Result) judgeBorderline(burnMax float64) {
	r.Borderline, r.BorderlineReason = false, ""
	if !r.SLOMet {
		return
	}
	var why []string
	if b := r.Band; b != nil && !b.Worst.SLOMet {
		why = append(why, fmt.Sprintf("in the worst timing (%s) it does not survive: %s of the error budget burned",
			WorstTiming, units.Percent(b.Worst.BudgetBurned)))
	}
	if burnMax > 0 && r.BudgetBurned > (1-BorderlineMargin)*burnMax {
		why = append(why, fmt.Sprintf("it burns %s of the error budget, within %s of the %s it may burn",
			units.Percent(r.BudgetBurned), units.Percent(BorderlineMargin), units.Percent(burnMax)))
	}
	if len(why) > 0 {
		r.Borderline, r.BorderlineReason = true, strings.Join(why, "; ")
	}
}

// burnMax is the budget burn a scenario may spend.
func (c *compiled) burnMax() float64 {
	if b := c.sys.Objectives.MaxBudgetBurn; b > 0 {
		return b
	}
	return DefaultMaxBudgetBurn
}
