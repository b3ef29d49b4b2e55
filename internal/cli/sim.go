package cli

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/sim"
)

const systemFileHint = "each line is file:line:col: field: problem; `headroom sim --help` describes the System file"

func (a *app) newSimCmd() *cobra.Command {
	var (
		file, scenario   string
		asJSON, timeline bool
		step, resolution time.Duration
		prices           priceFlags
	)
	cmd := &cobra.Command{
		Use:   "sim -f system.yaml [--scenario NAME|all]",
		Short: "Simulate traffic scenarios against a system file",
		Long: `sim replays traffic scenarios against a model of the system, second by
second: the HPA v2 algorithm as Kubernetes implements it, metric lag, pod
start-up, node provisioning, per-component queues, time-outs and retries.
It tells whether the SLO survives, when it first breaks, how much error
budget burns, which component is the bottleneck, and what it costs.

The System file (apiVersion: headroom/v1, kind: System):

  spec:
    entry: app                      # receives external traffic
    components:
      - name: app
        capacity: {profile: app.capacity.json}   # from headroom capacity, or
        #   perReplicaRPS: 100, cpuPerRequest: 5ms, idleCPU: 20m,
        #   latency: [{rate: 50, p50: 20ms, p90: 40ms, p99: 80ms}, ...]
        resources: {requests: {cpu: 500m, memory: 512Mi}, limits: {cpu: "1"}}
        replicas: 3
        startup: 40s                # or {schedule, imagePull, init, readiness}
        timeout: 10s                # a caller's time-out for this component
        retries: 1                  # a caller's retries of failed requests
        calls: {money: 0.6}         # calls per request to other components
        hpa: {...}                  # an autoscaling/v2 HPA spec: minReplicas,
                                    # maxReplicas, metrics, behavior
        prescale: [{at: 50m, minReplicas: 20}]
    nodes: {mode: autopilot, bursting: true, provisioningDelay: 100s,
            buffer: {cpu: "2"}}  # bursting: GKE 1.30.2+ request rules
      # or {mode: standard, machineType: e2-standard-4, minNodes: 1,
      #     maxNodes: 20, provisioningDelay: 210s, placeholders: {...}}
    slo: {availability: 99.9%, latency: {threshold: 300ms, target: 99%},
          window: 30d}              # or {ref: slo.yaml}
    pricing: {currency: EUR, vcpuHour: 0.041, gibHour: 0.0045,
              clusterFeeHour: 0.092}  # your own prices; omit it to use
                                      # the shipped catalog's, with sources
    scenarios:
      - {name: tv-spike, traffic: "spike:base=80,peak=1600,at=5m", duration: 1h}

Prices are spec.pricing as written; --region, --mode or --catalog (and a
file without spec.pricing) price from the shipped catalog instead
(us-central1 by default), and --currency JPY --rate 150 shows them in yen.
headroom plan prices the same way.

Pods metrics are read as requests per second per pod, Object and External
metrics as the requests per second arriving at the component.

With --json, --scenario NAME prints one result object; otherwise (all
scenarios) an object {"system", "slo_met", "scenarios": [results]}. A result
has at least scenario, requests, failed, slo_met, budget_burned (a fraction
of the SLO window's error budget), cost {currency, scenario, hourly,
monthly} and timeline (one entry per --step: t in seconds, arrival_rate,
served, goodput, failed, and components.NAME.{ready, desired, utilization,
p99, queue, ...}).

Exit codes: 0 every scenario met its SLO, 3 some scenario did not, 2 bad
input.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if file == "" {
				return usageErrorf("name the system with -f system.yaml", "no system file given")
			}
			if resolution <= 0 || resolution > time.Minute {
				return usageErrorf("the default is 1s", "--resolution must be positive and at most 1m")
			}
			if step < 0 {
				return usageErrorf("use 0 for no timeline", "--step must not be negative")
			}
			_, sf, _, priceNotes, err := a.readSystem(file, &prices, cmd.Flags().Changed)
			if err != nil {
				return err
			}
			sf.Notes = append(sf.Notes, priceNotes...)
			model, err := sim.Compile(sf.System)
			if err != nil {
				return usageError(err, systemFileHint)
			}
			scenarios, err := pickScenarios(sf, scenario)
			if err != nil {
				return err
			}
			opt := sim.Options{Resolution: resolution}
			if asJSON || timeline {
				opt.TimelineStep = step
			}
			results := make([]*sim.Result, 0, len(scenarios))
			for _, sc := range scenarios {
				res, err := model.Run(cmd.Context(), sc, opt)
				if err != nil {
					return withHint(fmt.Errorf("scenario %s: %w", sc.Name, err), "")
				}
				results = append(results, res)
			}
			if err := a.printSim(sf, scenario, results, asJSON, timeline); err != nil {
				return err
			}
			var missed []string
			for _, r := range results {
				if !r.SLOMet {
					missed = append(missed, fmt.Sprintf("%s (%s of the error budget)", r.Scenario, pct(r.BudgetBurned)))
				}
			}
			if len(missed) > 0 {
				return verdictError("SLO missed in %s", strings.Join(missed, ", "))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&file, "file", "f", "", "the System file (YAML)")
	f.StringVar(&scenario, "scenario", "all", "the scenario to run, or all")
	f.BoolVar(&asJSON, "json", false, "print the results as JSON (with a timeline); same as -o json")
	addFormatFlag(f, &asJSON, "text", "json")
	f.BoolVar(&timeline, "timeline", false, "also print a timeline table (text output)")
	f.DurationVar(&step, "step", sim.DefaultTimelineStep, "the timeline's step; 0 for none")
	f.DurationVar(&resolution, "resolution", sim.DefaultResolution, "the simulation's time step")
	prices.register(f)
	return cmd
}

// pickScenarios returns the scenarios --scenario names.
func pickScenarios(sf *spec.SystemFile, name string) ([]sim.Scenario, error) {
	if name == "all" || name == "" {
		return sf.Scenarios, nil
	}
	if sc, ok := sf.Scenario(name); ok {
		return []sim.Scenario{sc}, nil
	}
	return nil, usageErrorf("the file defines: "+strings.Join(sf.ScenarioNames(), ", ")+" (or all)", "no scenario %q", name)
}

// simReport is the JSON of several scenarios.
type simReport struct {
	System    string        `json:"system"`
	SLOMet    bool          `json:"slo_met"`
	Scenarios []*sim.Result `json:"scenarios"`
}

func (a *app) printSim(sf *spec.SystemFile, scenario string, results []*sim.Result, asJSON, timeline bool) error {
	if asJSON {
		if scenario != "all" && scenario != "" {
			return writeJSON(a.stdio.Out, results[0])
		}
		rep := simReport{System: sf.Name, SLOMet: true, Scenarios: results}
		for _, r := range results {
			rep.SLOMet = rep.SLOMet && r.SLOMet
		}
		return writeJSON(a.stdio.Out, rep)
	}
	w := a.stdio.Out
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeSimSummary(w, sf, r)
		if timeline {
			if err := writeSimTimeline(w, sf, r); err != nil {
				return err
			}
		}
	}
	notes := append([]string(nil), sf.Notes...)
	seen := map[string]bool{}
	for _, r := range results {
		for _, n := range r.Notes {
			if !seen[n] {
				seen[n] = true
				notes = append(notes, n)
			}
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, "note: "+n)
		}
	}
	return nil
}

func writeSimSummary(w io.Writer, sf *spec.SystemFile, r *sim.Result) {
	o := sf.System.Objectives
	name := sf.Name
	if name == "" {
		name = "system"
	}
	fmt.Fprintf(w, "%s — scenario %s (%s, %s)\n", name, r.Scenario, fmtDur(r.Duration), r.Traffic)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	verdict := "SURVIVED: the SLO held"
	switch {
	case !r.SLOMet:
		verdict = "FAILED: the SLO was missed"
	case r.Failed >= 0.5 || r.Slow >= 0.5:
		verdict = "SURVIVED, within the error budget"
	}
	if o.Availability == 0 && o.LatencyThreshold == 0 {
		verdict = "no SLO to judge by"
	}
	fmt.Fprintf(tw, "  verdict\t%s\n", verdict)
	breach := "none"
	if r.FirstBreach != nil {
		breach = "T+" + fmtDur(*r.FirstBreach)
	}
	fmt.Fprintf(tw, "  first SLO breach\t%s\n", breach)
	failed := fmt.Sprintf("%s failed", fmtCount(r.Failed))
	if r.Requests > 0 {
		failed += fmt.Sprintf(" (%s)", pct(r.Failed/r.Requests))
	}
	if o.LatencyThreshold > 0 {
		failed += fmt.Sprintf(", %s slower than %v", fmtCount(r.Slow), o.LatencyThreshold)
	}
	fmt.Fprintf(tw, "  requests\t%s; %s\n", fmtCount(r.Requests), failed)
	fmt.Fprintf(tw, "  worst p99\t%s at T+%s\n", fmtLatency(r.WorstP99), fmtDur(r.WorstP99At))
	window := o.Window
	if window == 0 {
		window = sim.DefaultSLOWindow
	}
	budget := fmt.Sprintf("%s of the %s error budget", pct(r.BudgetBurned), fmtDur(window.Seconds()))
	var parts []string
	if r.Availability != nil {
		parts = append(parts, "availability "+pct(r.Availability.BudgetBurned))
	}
	if r.Latency != nil {
		parts = append(parts, "latency "+pct(r.Latency.BudgetBurned))
	}
	if len(parts) > 0 {
		budget += " (" + strings.Join(parts, ", ") + ")"
	}
	fmt.Fprintf(tw, "  budget burned\t%s\n", budget)
	fmt.Fprintf(tw, "  bottleneck\t%s: %s\n", r.Bottleneck, r.BottleneckReason)
	var reps []string
	for _, c := range r.Components {
		s := fmt.Sprintf("%s %d→%d ready (peak %d", c.Name, c.ReadyStart, c.ReadyEnd, c.PeakReady)
		if c.MaxPending > 0 {
			s += fmt.Sprintf(", up to %d pods waited %s for a node", c.MaxPending, fmtDur(c.PendingS))
		}
		reps = append(reps, s+")")
	}
	fmt.Fprintf(tw, "  replicas\t%s\n", strings.Join(reps, "; "))
	cost := fmt.Sprintf("%s over the scenario; %s/month at its final state", money(r.Cost.Scenario, r.Cost.Currency), money(r.Cost.Monthly, r.Cost.Currency))
	if r.Cost.Mode == "standard" {
		cost += fmt.Sprintf(" (%d nodes)", r.Cost.NodesAtEnd)
	}
	fmt.Fprintf(tw, "  cost\t%s\n", cost)
	tw.Flush()
}

func writeSimTimeline(w io.Writer, sf *spec.SystemFile, r *sim.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "T\tARRIVALS/s\tGOODPUT/s\tFAILED/s\tP99\t"
	for _, c := range sf.System.Components {
		head += c.Name + " READY/DESIRED\tCPU\tQUEUE\t"
	}
	fmt.Fprintln(w)
	fmt.Fprintln(tw, head)
	for _, p := range r.Timeline {
		line := fmt.Sprintf("%s\t%.1f\t%.1f\t%.1f\t%s\t", fmtDur(p.T), p.ArrivalRate, p.Goodput, p.Failed, fmtLatency(p.P99))
		for _, c := range sf.System.Components {
			cp := p.Components[c.Name]
			line += fmt.Sprintf("%d/%d\t%s\t%.0f\t", cp.Ready, cp.Desired, pct(cp.Utilization), cp.Queue)
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// fmtDur writes seconds as a Go duration without trailing zero units:
// 90 → 1m30s, 3600 → 1h, 2592000 → 30d.
func fmtDur(s float64) string {
	if s >= 86400 && math.Mod(s, 86400) == 0 {
		return strconv.Itoa(int(s/86400)) + "d"
	}
	out := (time.Duration(math.Round(s)) * time.Second).String()
	if strings.HasSuffix(out, "m0s") {
		out = strings.TrimSuffix(out, "0s")
	}
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	return out
}

// fmtCount writes a count with thousands separators: 1234567 → 1,234,567.
func fmtCount(x float64) string { return report.Thousands(x) }

// pct writes a fraction as a percentage with sensible precision.
func pct(f float64) string {
	p := f * 100
	switch {
	case p == 0:
		return "0%"
	case p < 0.01:
		return "<0.01%"
	case p < 10:
		return strconv.FormatFloat(p, 'f', 2, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 0, 64) + "%"
}

func fmtLatency(s float64) string {
	if s < 1 {
		return strconv.FormatFloat(s*1000, 'f', 0, 64) + "ms"
	}
	return strconv.FormatFloat(s, 'f', 2, 64) + "s"
}

func money(v float64, currency string) string {
	if currency == "USD" || currency == "" {
		return "$" + strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + " " + currency
}
