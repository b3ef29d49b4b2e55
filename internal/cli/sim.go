package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/sim"
)

func (a *app) newSimCmd() *cobra.Command {
	var (
		file, scenario   string
		htmlFile         string
		asJSON, timeline bool
		noBand           bool
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
      - {name: tv-spike, traffic: "spike:base=80,peak=1600,at=5m", duration: 1h,
         event: announced}   # or surprise: no pre-scaling before it

Prices are spec.pricing as written; --region, --mode or --catalog (and a
file without spec.pricing) price from the shipped catalog instead
(us-central1 by default), and --currency JPY --rate 150 shows them in yen.
headroom plan prices the same way.

Pods metrics are read as requests per second per pod, Object and External
metrics as the requests per second arriving at the component.

The report shows, per scenario, the verdict, the simulator's diagnosis
(a component saturated while its HPA never asked for more replicas…),
charts of traffic, replicas and latency, and the command that reproduces
it; --html FILE also writes it as a single HTML page.

With --json, --scenario NAME prints one result object; otherwise (all
scenarios) an object {"system", "slo_met", "scenarios": [results]}. A result
has at least scenario, requests, failed, slo_met, budget_burned (a fraction
of the SLO window's error budget), cost {currency, scenario, hourly,
monthly} and timeline (one entry per --step: t in seconds, arrival_rate,
served, goodput, failed, and components.NAME.{ready, desired, utilization,
p99, queue, ...}).

Each verdict is a band: the average timing, and the best and worst of
fresh versus stale metric samples and median versus 90th-percentile
start-up. A survival that fails in the worst timing, or burns more than
80% of the budget it may, is borderline: the report says so, and the exit
code stays 0. --no-band runs the average case only.

Exit codes: 0 every scenario met its SLO (borderline or not), 3 some
scenario did not, 2 bad input.`,
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
			scenarios := []string{scenario}
			res, err := pipeline.Simulate(cmd.Context(), diskFiles{}, pipeline.SimulateConfig{System: prices.system(file),
				Scenarios: scenarios, Resolution: resolution, TimelineStep: step, NoBand: noBand})
			if err != nil {
				return decideError(err)
			}
			doc := res.Document(simCommand(file, scenarios), timeline)
			doc.Generated = a.now()
			if err := a.writeHTMLReport(htmlFile, doc); err != nil {
				return err
			}
			switch {
			case asJSON && scenario != "all" && scenario != "":
				err = writeJSON(a.stdio.Out, res.Scenarios[0])
			case asJSON:
				err = writeJSON(a.stdio.Out, res)
			default:
				err = report.WriteText(a.stdio.Out, doc, report.TextOptions{})
			}
			if err != nil {
				return err
			}
			if missed := res.Missed(); len(missed) > 0 {
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
	f.BoolVar(&timeline, "timeline", false, "also show the timeline as a table (text and HTML)")
	f.DurationVar(&step, "step", sim.DefaultTimelineStep, "the timeline's step (charts, JSON, --timeline); 0 for none")
	f.DurationVar(&resolution, "resolution", sim.DefaultResolution, "the simulation's time step")
	f.BoolVar(&noBand, "no-band", false, "simulate each scenario once, in the average timing, without the best and worst case")
	addHTMLFlag(f, &htmlFile)
	prices.register(f)
	return cmd
}
