package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/dashboard"
	"github.com/headroom-sre/headroom/demo"
	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/rightsize"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
)

// demoFlags are the flags of `headroom demo`.
type demoFlags struct {
	out      string
	hold     time.Duration
	spikeFor time.Duration
	asJSON   bool
	quiet    bool
	noPlan   bool
}

// demoRun is what the pipeline measured and decided, and where it wrote it.
type demoRun struct {
	Out   string   `json:"out"`
	Files []string `json:"files"`
	// Calibration is how the sample system was sized for this machine.
	Calibration demoCalibration `json:"calibration"`
	// Capacity holds the profiles as measured, lower bounds included;
	// PerReplica the capacity the demo went on with, measured or the
	// marked fallback.
	Capacity   map[string]*capacity.Profile `json:"capacity"`
	PerReplica map[string]*demoReplica      `json:"per_replica"`
	// Fallback is true when some capacity is not a measurement.
	Fallback bool                  `json:"fallback"`
	Spike    stats.Summary         `json:"spike"`
	Budget   []report.BudgetRow    `json:"spike_budget"`
	Sim      *sim.Result           `json:"simulation"`
	Plan     *plan.Result          `json:"plan,omitempty"`
	Cost     *rightsize.CostReport `json:"cost"`
	Cuts     *rightsize.Report     `json:"rightsize"`
	Elapsed  float64               `json:"elapsed_s"`

	run *stats.Run
}

// demoCalibration is how the demo sized its sample system to what this
// machine's load generator can drive. Rates are per second.
type demoCalibration struct {
	// GeneratorRate is the highest rate the generator held against a
	// health check; GeneratorAtMax is true when that was all that was
	// tried (it may do more).
	GeneratorRate  float64 `json:"generator_rate"`
	GeneratorAtMax bool    `json:"generator_at_max"`
	// Need is the rate the default sample system needs the generator to
	// hold; Scale the fraction of its capacity kept, in (0, 1].
	Need  float64 `json:"need"`
	Scale float64 `json:"scale"`
	// MoneyCapacity and AppCapacity are the capacities of the system as
	// run, by construction: money's, and app's alone (GET /api/home).
	MoneyCapacity float64 `json:"money_capacity"`
	AppCapacity   float64 `json:"app_capacity"`
}

// demoReplica is the capacity of one replica the demo went on with.
type demoReplica struct {
	// Rate is the capacity, per second.
	Rate float64 `json:"rate"`
	// Source is "measured", or "fallback": the capacity by construction,
	// because the measurement could not be used (Reason says why).
	Source string `json:"source"`
	Reason string `json:"reason,omitempty"`
	// ByConstruction is the capacity the sample was built with, and
	// Construction how ("4 workers × 10ms").
	ByConstruction float64 `json:"by_construction"`
	Construction   string  `json:"construction"`
	// CPUPerRequest is in seconds; CPUSource is "measured" or "assumed".
	CPUPerRequest float64 `json:"cpu_per_request_s"`
	CPUSource     string  `json:"cpu_source"`
	// Latency is the latency of one request at low load, by
	// construction, in seconds (for a fallback's latency curve).
	Latency float64 `json:"latency_s"`
}

// Sources of a demoReplica's capacity and CPU.
const (
	demoMeasured = "measured"
	demoFallback = "fallback"
	demoAssumed  = "assumed"
)

// How the demo measures on a machine that may be busy.
const (
	// demoLateAfter: a send later than this counts as late. It is a fifth
	// of the demo's 100ms latency objective, so a busy machine's
	// scheduling delays, which the objective would not notice, do not end
	// a search.
	demoLateAfter = 20 * time.Millisecond
	// demoGeneratorRetries: a step the generator could not hold is run
	// again this many times before the search ends on it.
	demoGeneratorRetries = 2
)

func (a *app) newDemoRunFlags(cmd *cobra.Command) *demoFlags {
	f := &demoFlags{}
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "headroom-demo", "directory for the files the demo writes (profiles, SLOs, rules, system, plan, report.html)")
	fl.DurationVar(&f.hold, "hold", 2*time.Second, "length of each capacity step (headroom capacity uses 10s; short steps keep the demo quick)")
	fl.DurationVar(&f.spikeFor, "spike-for", 40*time.Second, "length of the TV-spike load test")
	fl.BoolVar(&f.asJSON, "json", false, "print what the demo measured and decided as JSON instead of the summary; same as -o json")
	addFormatFlag(fl, &f.asJSON, "text", "json")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
	fl.BoolVar(&f.noPlan, "no-plan", false, "skip the planner")
	return f
}

const demoLong = `Run headroom's whole pipeline on a built-in sample of a small fintech
backend, on loopback, with no cluster: a "money" service that values
portfolios and an "app" customer API that calls it for 60% of requests.

  1. measure   the capacity knee of one replica of money and of app
  2. model     the SLOs management agreed (99.9% available, 99% under 300ms),
               as Prometheus recording rules and burn-rate alerts
  3. measure   a TV-broadcast spike, load-tested live against the app
  4. decide    the same broadcast at production scale (30× everyday traffic),
               simulated against the HPA, pod start-up and Autopilot nodes
  5. decide    the cheapest configuration that survives it
  6. decide    where the money goes after the panic scale-up, and which cuts
               are safe
  7. report    report.html: one file with charts a manager can read

Everything it measured and wrote lands in --out, ready for the other
commands: headroom sim -f headroom-demo/system.yaml, headroom plan ...,
headroom cost --snapshot headroom-demo/cluster.yaml, headroom slo check ...
It takes about two minutes. Exit status 0 unless the pipeline itself fails:
the verdicts are the demo's story, not errors.

On a busy machine the demo first measures how fast its load generator can
send (against a health check) and, when that is below what the sample
system needs, scales the sample's capacity down to fit, and says so. A
capacity step the generator could not hold is run again; if it still
cannot, the demo goes on with the component's capacity by construction,
marked as a fallback (not a measurement) in the summary, the report and
system.yaml. A generator-limited number is never shown as a capacity.`

func (a *app) runDemo(cmd *cobra.Command, f *demoFlags) error {
	ctx := cmd.Context()
	began := time.Now()
	progress := a.stdio.Err
	if f.quiet {
		progress = io.Discard
	}
	step := func(n int, format string, args ...any) {
		fmt.Fprintf(progress, "\n[%d/7] %s\n", n, fmt.Sprintf(format, args...))
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return withHint(err, "choose a writable directory with --out")
	}
	r := &demoRun{Out: f.out, Capacity: map[string]*capacity.Profile{}, PerReplica: map[string]*demoReplica{}}
	write := func(name string, data []byte) error {
		p := filepath.Join(f.out, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return withHint(err, "choose a writable directory with --out")
		}
		r.Files = append(r.Files, p)
		return nil
	}

	cfg := demo.DefaultConfig()
	servers, err := startDemo(ctx, cfg, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { servers.shutdown(context.WithoutCancel(ctx)) }() // the servers running at the end

	// 1. Capacity of one replica of each component, on a sample system
	// sized to what this machine's generator can drive.
	step(1, "measure: the capacity knee of one replica of money and of app")
	cal, err := a.demoCalibrate(ctx, progress, servers.moneyURL+"/healthz", cfg, f.hold)
	if err != nil {
		return err
	}
	r.Calibration = cal
	if cal.Scale < 1 {
		scaled := demo.Calibrate(cfg, cal.GeneratorRate).Config
		next, err := startDemo(ctx, scaled, "127.0.0.1:0", "127.0.0.1:0")
		if err != nil {
			return err
		}
		servers.shutdown(context.WithoutCancel(ctx))
		servers = next
	}
	fmt.Fprintf(progress, "  sample system on loopback: money %s, app %s\n", servers.moneyURL, servers.appURL)
	run := servers.sys.Config()
	for _, c := range []struct {
		name, url string
		comp      *demo.Component
		rep       demoReplica
	}{
		{"money", servers.moneyURL + "/value", servers.sys.Money(), demoReplica{ByConstruction: run.Money.Capacity(),
			Construction: fmt.Sprintf("%d workers × %v", run.Money.Workers, run.Money.MinServiceTime), Latency: run.Money.MinServiceTime.Seconds(),
			CPUPerRequest: demoMoneyCPU.Seconds()}},
		{"app", servers.appURL + "/api/home", servers.sys.App(), demoReplica{ByConstruction: run.App.HomeCapacity(),
			Construction: fmt.Sprintf("%d workers, %v I/O wait each", run.App.Workers, run.App.IOWait), Latency: run.App.IOWait.Seconds(),
			CPUPerRequest: demoAppCPU.Seconds()}},
	} {
		p, rep, err := a.demoCapacity(ctx, progress, c.name, c.url, c.comp, f.hold, c.rep)
		if err != nil {
			return err
		}
		r.Capacity[c.name], r.PerReplica[c.name] = p, rep
		r.Fallback = r.Fallback || rep.Source == demoFallback
		data, err := profileJSON(p)
		if err != nil {
			return err
		}
		if err := write(c.name+".capacity.json", data); err != nil {
			return err
		}
	}

	// 2. SLOs and their Prometheus rules.
	step(2, "model: the SLOs agreed with management, as Prometheus rules")
	sloText := demoSLOFile()
	if err := write("slo.yaml", []byte(sloText)); err != nil {
		return err
	}
	docs, err := spec.Parse(filepath.Join(f.out, "slo.yaml"), []byte(sloText))
	if err != nil {
		return err
	}
	set, err := spec.SLOs(docs)
	if err != nil {
		return err
	}
	rules, err := promrule.Generate(set.SLOs, promrule.Options{Runbook: "https://runbooks.example.com/fintech/%s"})
	if err != nil {
		return err
	}
	rulesYAML, err := rules.YAML()
	if err != nil {
		return err
	}
	if err := write("slo-rules.yaml", rulesYAML); err != nil {
		return err
	}
	board, err := dashboard.Grafana(set.SLOs, dashboard.Options{Source: "slo.yaml"})
	if err != nil {
		return err
	}
	if err := write("slo-dashboard.json", board); err != nil {
		return err
	}
	windows := map[time.Duration]bool{}
	for _, s := range set.SLOs {
		for _, w := range s.AlertWindows() {
			windows[w] = true
		}
	}
	fmt.Fprintf(progress, "  %d SLOs → %s (recording rules for %d windows, page and ticket burn-rate alerts) and a Grafana dashboard, %s\n",
		len(set.SLOs), filepath.Join(f.out, "slo-rules.yaml"), len(windows), filepath.Join(f.out, "slo-dashboard.json"))

	// 3. The TV spike, live.
	step(3, "measure: a TV-broadcast spike against the app, live (%s)", f.spikeFor)
	if err := a.demoSpike(ctx, progress, r, servers.appURL+"/", f); err != nil {
		return err
	}
	r.Files = append(r.Files, filepath.Join(f.out, "spike.jsonl"))
	windowEvents := demoBaseRate * (30 * 24 * time.Hour).Seconds()
	for _, s := range set.SLOs {
		series, err := slo.FromRun(s, r.run, "")
		if err != nil {
			return err
		}
		sp := series.Spend(s, windowEvents)
		var good, total float64
		for _, c := range series.Counts {
			good, total = good+c.Good, total+c.Total
		}
		r.Budget = append(r.Budget, report.BudgetRow{Name: s.Name, Objective: slo.FormatPercent(s.Target), Good: good, Total: total,
			Burned: sp.Fraction, Allowed: sim.DefaultMaxBudgetBurn})
		fmt.Fprintf(progress, "  %s: %s of the 30-day error budget burned by this %s spike\n", s.Name, report.Percent(sp.Fraction), f.spikeFor)
	}

	// 4. The broadcast at production scale, simulated.
	step(4, "decide: the broadcast at production scale (%g×), simulated", demoSpikeFactor)
	sysText := demoSystemFile(demoCapacityYAML("money", r.PerReplica["money"]), demoCapacityYAML("app", r.PerReplica["app"]))
	if err := write("system.yaml", []byte(sysText)); err != nil {
		return err
	}
	pf := priceFlags{currency: "USD"}
	noFlags := func(string) bool { return false }
	sysDoc, sf, _, priceNotes, err := a.readSystem(filepath.Join(f.out, "system.yaml"), &pf, noFlags)
	if err != nil {
		return err
	}
	model, err := sim.Compile(sf.System)
	if err != nil {
		return err
	}
	tv := sf.Scenarios[0]
	if r.Sim, err = model.Run(ctx, tv, sim.Options{TimelineStep: 10 * time.Second}); err != nil {
		return err
	}
	r.Sim.Notes = append(r.Sim.Notes, priceNotes...)
	fmt.Fprintf(progress, "  %s: %s\n", tv.Name, simVerdict(r.Sim))

	// 5. The plan.
	if !f.noPlan {
		step(5, "decide: the cheapest configuration that survives")
		prob := plan.Problem{System: sf.System}
		for _, s := range sf.Scenarios {
			prob.Scenarios = append(prob.Scenarios, plan.Scenario{Scenario: s, PerMonth: 1})
		}
		prog := newPlanProgress(progress, f.quiet)
		res, err := plan.Plan(ctx, prob, plan.Options{Progress: prog.update})
		prog.done()
		if err != nil {
			return withHint(fmt.Errorf("plan: %w", err), "")
		}
		r.Plan = res
		if res.Recommended != nil {
			manifests, err := plan.Manifests(res.Recommended, plan.ManifestOptions{Prescale: plan.PrescaleKEDA, Namespace: demoNamespace, Source: sysDoc.Root})
			if err != nil {
				return err
			}
			files, err := a.writePlanFiles(filepath.Join(f.out, "plan"), sysDoc, res.Recommended, manifests)
			if err != nil {
				return err
			}
			r.Files = append(r.Files, files...)
		}
		fmt.Fprintf(progress, "  %s\n", planVerdict(res))
	} else {
		step(5, "decide: planning skipped (--no-plan)")
	}

	// 6. Cost and safe cuts after the panic scale-up.
	step(6, "decide: where the money goes after the panic scale-up, and which cuts are safe")
	if err := a.demoCost(ctx, r, sf, write); err != nil {
		return err
	}
	fmt.Fprintf(progress, "  %s a month; %s of it can be cut (%s easily)\n", report.Money(r.Cost.MonthlyCost, r.Cost.Currency),
		report.Money(r.Cuts.TotalMonthlySaving, r.Cuts.Currency), report.Money(r.Cuts.EasyMonthlySaving, r.Cuts.Currency))

	// 7. The report.
	step(7, "report: %s", filepath.Join(f.out, "report.html"))
	r.Elapsed = time.Since(began).Seconds()
	doc := demoDocument(r, a.now())
	htmlPath := filepath.Join(f.out, "report.html")
	hf, err := os.Create(htmlPath)
	if err != nil {
		return withHint(err, "choose a writable directory with --out")
	}
	if err := report.WriteHTML(hf, doc, report.HTMLOptions{Version: buildInfo().Version}); err != nil {
		hf.Close()
		return err
	}
	if err := hf.Close(); err != nil {
		return err
	}
	r.Files = append(r.Files, htmlPath)
	if f.asJSON {
		return writeJSON(a.stdio.Out, r)
	}
	fmt.Fprintln(a.stdio.Out)
	if err := report.WriteText(a.stdio.Out, doc, report.TextOptions{}); err != nil {
		return err
	}
	fmt.Fprintf(a.stdio.Out, "\nWrote %d files to %s in %s; open %s in a browser.\n", len(r.Files), f.out,
		time.Duration(r.Elapsed*float64(time.Second)).Round(time.Second), htmlPath)
	return nil
}

// demoCalibrate measures how fast this machine's load generator can send
// (against a health check, which does no work) and sizes the sample
// system to fit: see demo.Calibrate.
func (a *app) demoCalibrate(ctx context.Context, w io.Writer, url string, cfg demo.Config, hold time.Duration) (demoCalibration, error) {
	need := demo.Calibrate(cfg, math.Inf(1)).Need
	base := load.Config{Targets: []load.Target{{URL: url}}, Timeout: 2 * time.Second, Version: Version, LateThreshold: demoLateAfter}
	reach, err := capacity.GeneratorReach(ctx, &loadProber{base: base}, capacity.ReachConfig{
		Max: need, Hold: min(max(hold/2, 500*time.Millisecond), time.Second), Retries: demoGeneratorRetries, Target: url,
		OnStep: func(st capacity.StepResult) { fmt.Fprintf(w, "  gen   %s\n", stepLine(st)) },
	})
	if err != nil {
		return demoCalibration{}, withHint(fmt.Errorf("measuring the load generator: %w", err), "")
	}
	cal := demo.Calibrate(cfg, reach.Rate)
	if reach.AtMax {
		cal = demo.Calibrate(cfg, math.Inf(1))
		cal.GeneratorRate = reach.Rate
	}
	out := demoCalibration{GeneratorRate: reach.Rate, GeneratorAtMax: reach.AtMax, Need: cal.Need, Scale: cal.Scale,
		MoneyCapacity: cal.Config.Money.Capacity(), AppCapacity: cal.Config.App.HomeCapacity()}
	if cal.Scale < 1 {
		fmt.Fprintf(w, "  the load generator holds %s here, below the %s the sample needs: the sample runs at %s of its capacity (money %s, app %s by construction)\n",
			report.Rate(reach.Rate), report.Rate(cal.Need), report.Percent(cal.Scale), report.Rate(out.MoneyCapacity), report.Rate(out.AppCapacity))
	} else {
		fmt.Fprintf(w, "  the load generator holds %s here: enough for the sample system as built\n", report.Rate(reach.Rate))
	}
	return out, nil
}

// demoMoneyCPU and demoAppCPU are the CPU per request the demo assumes
// when it could not measure one (about what an idle 2-core laptop shows).
const (
	demoMoneyCPU = 450 * time.Microsecond
	demoAppCPU   = 30 * time.Microsecond
)

// demoCapacity measures one component's knee with short steps and its CPU
// from the component's own per-thread accounting. When the search could
// not measure a capacity (the generator fell behind, or the objectives
// held at no rate on this machine), the demo goes on with the capacity by
// construction, marked as a fallback; the profile returned is always the
// one measured, lower bound or not.
func (a *app) demoCapacity(ctx context.Context, w io.Writer, name, url string, comp *demo.Component, hold time.Duration, rep demoReplica) (*capacity.Profile, *demoReplica, error) {
	slo, _ := stats.ParseThresholds("p99<=100ms,errors<=0.1%")
	cfg := capacity.Config{
		SLO: slo, Hold: hold, WarmUp: 2 * hold, Cooldown: hold / 2, Target: name + " " + url,
		GeneratorRetries: demoGeneratorRetries,
		CPU:              cpuFunc(func(context.Context) (float64, error) { return comp.CPUSeconds(), nil }),
		CPURequest:       0.25,
		OnStep:           func(st capacity.StepResult) { fmt.Fprintf(w, "  %-5s %s\n", name, stepLine(st)) },
	}
	base := load.Config{Targets: []load.Target{{URL: url}}, Timeout: capacityTimeout(slo), Version: Version, LateThreshold: demoLateAfter}
	res, err := capacity.Search(ctx, &loadProber{base: base}, cfg)
	if err != nil {
		return nil, nil, withHint(fmt.Errorf("capacity of %s: %w", name, err), "")
	}
	p := res.Profile
	rep.CPUSource = demoAssumed
	if p.CPUPerRequest != nil && *p.CPUPerRequest > 0 {
		rep.CPUPerRequest, rep.CPUSource = *p.CPUPerRequest, demoMeasured
	}
	settled := capacity.Settle(&p, rep.ByConstruction)
	rep.Rate, rep.Source = settled.Rate, demoMeasured
	cpu := fmt.Sprintf("%.3g ms CPU per request (%s)", 1000*rep.CPUPerRequest, rep.CPUSource)
	if settled.Fallback {
		rep.Source, rep.Reason = demoFallback, settled.Why
		fmt.Fprintf(w, "  %-5s → FALLBACK: %s per replica by construction (%s), NOT measured: %s; %s\n", name, report.Rate(rep.Rate), rep.Construction, rep.Reason, cpu)
		return &p, &rep, nil
	}
	fmt.Fprintf(w, "  %-5s → %s per replica, limited by %s; %s\n", name, report.Rate(p.MaxRate), p.LimitedBy, cpu)
	return &p, &rep, nil
}

// demoSpike load-tests the app with a TV-broadcast shape sized on the
// capacity just measured: the peak is twice what the mix can take.
func (a *app) demoSpike(ctx context.Context, w io.Writer, r *demoRun, url string, f *demoFlags) error {
	mix := r.PerReplica["money"].Rate / demoMoneyShare
	if app := r.PerReplica["app"].Rate; app < mix {
		mix = app
	}
	peak := math.Round(2 * mix)
	base := math.Round(peak / demoSpikeFactor)
	d := f.spikeFor
	shape, err := traffic.Spike(traffic.SpikeConfig{Base: base, Peak: peak, At: d / 8, Rise: d / 8, Hold: d / 4, Decay: d / 8, For: d})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  %s (peak %s, twice what the mix can take)\n", shape, report.Rate(peak))
	out, err := a.createOutput(filepath.Join(f.out, "spike.jsonl"))
	if err != nil {
		return err
	}
	defer out.Close()
	rw := stats.NewWriter(out)
	ths, _ := stats.ParseThresholds("p99<300ms,errors<0.1%")
	prog := newProgress(w, f.quiet, shape, false, d)
	cfg := load.Config{Targets: []load.Target{{Name: "app", URL: url}}, Shape: shape, Timeout: 5 * time.Second, Version: Version,
		OnStart:    func(h *stats.Header) { _ = rw.WriteHeader(h) },
		OnInterval: func(iv *stats.Interval) { _ = rw.WriteInterval(iv); prog.interval(iv) }}
	run, err := load.Run(ctx, cfg)
	prog.done()
	if run != nil {
		sum := run.Summary()
		run.Thresholds = stats.Evaluate(ths, &sum.Stats)
		if werr := rw.WriteSummary(run); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return withHint(errors.New("interrupted"), "partial results are in "+filepath.Join(f.out, "spike.jsonl"))
		}
		return err
	}
	r.run, r.Spike = run, run.Summary()
	fmt.Fprintf(w, "  %s requests, %s failed, p99 %s (uncorrected %s)\n", report.Count(float64(r.Spike.Requests)),
		report.Percent(r.Spike.ErrorRatio), report.Seconds(r.Spike.Latency.P99), report.Seconds(r.Spike.LatencyUncorrected.P99))
	return nil
}

// demoCost prices the cluster the team ran after the broadcast and finds
// the safe cuts, checked against the demo's scenarios with the simulator.
func (a *app) demoCost(ctx context.Context, r *demoRun, sf *spec.SystemFile, write func(string, []byte) error) error {
	cpuOf := func(name string) float64 {
		if rep := r.PerReplica[name]; rep != nil && rep.CPUPerRequest > 0 {
			return rep.CPUPerRequest
		}
		return 0.002
	}
	ws := demoPanicCluster(cpuOf("app"), cpuOf("money"))
	snap, err := demoSnapshot(ws)
	if err != nil {
		return err
	}
	snapPath := filepath.Join(r.Out, "cluster.yaml")
	if err := write("cluster.yaml", snap); err != nil {
		return err
	}
	objs, err := kube.ReadSnapshot(snapPath, snap)
	if err != nil {
		return err
	}
	cluster := objs.Cluster("")
	usage, _ := demoUsage(ws, a.now()).ByWorkload(cluster)
	copts := rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "us-central1", Catalog: pricing.GCP()}
	if r.Cost, err = rightsize.Cost(cluster, usage, copts); err != nil {
		return err
	}
	if r.Cuts, err = rightsize.Recommend(cluster, usage, rightsize.RecommendOptions{Policy: rightsize.Policy{Window: 14 * 24 * time.Hour, Step: time.Minute, PeakResolution: time.Minute}, Cost: copts}); err != nil {
		return err
	}
	check := rightsize.SystemCheck{System: sf.System, Scenarios: sf.Scenarios}
	if err := rightsize.Verify(ctx, cluster, r.Cuts, check); err != nil {
		return err
	}
	r.Cuts.Notes = append(r.Cuts.Notes, "Demo usage: CPU is the CPU per request measured on the sample system × 50 req/s of everyday traffic (its p99 and busiest minute taken as 2.2× and 3× the mean); memory figures, and the load-test runner left over from the panic serving no requests, are assumed, not measured.")
	patch, err := rightsize.Patches(r.Cuts.Recommendations)
	if err != nil {
		return err
	}
	return write("rightsize-patch.yaml", patch)
}

func simVerdict(res *sim.Result) string {
	if res.SLOMet {
		return fmt.Sprintf("survives; %s of the error budget burned", report.Percent(res.BudgetBurned))
	}
	when := ""
	if res.FirstBreach != nil {
		when = " at T+" + report.Duration(*res.FirstBreach)
	}
	return fmt.Sprintf("does not survive: the SLO breaks%s, %s of requests fail (bottleneck %s)", when,
		report.Percent(res.Failed/max(res.Requests, 1)), res.Bottleneck)
}

func planVerdict(res *plan.Result) string {
	if res.Recommended == nil {
		return "no configuration within the search bounds meets the SLO"
	}
	return fmt.Sprintf("recommended %s a month (today %s, %s the SLO)", report.Money(res.Recommended.MonthlyCost, res.Currency),
		report.Money(res.Current.MonthlyCost, res.Currency), map[bool]string{true: "meeting", false: "missing"}[res.Current.SLOMet])
}

// demoDocument assembles the report of a demo run.
func demoDocument(r *demoRun, now time.Time) report.Document {
	doc := report.Document{
		Title:     "headroom demo: will the fintech app survive the broadcast?",
		Subtitle:  "A money service and a customer app, measured on loopback, then simulated and planned at production scale.",
		Generated: now,
	}
	summary := report.Section{Title: "Summary"}
	summary.Tiles = []report.Tile{
		demoCapacityTile("money", r.PerReplica["money"]),
		demoCapacityTile("app", r.PerReplica["app"]),
		{Label: "Live spike errors", Value: report.Percent(r.Spike.ErrorRatio), Status: statusOf(r.Spike.ErrorRatio > 0.001)},
		{Label: "Broadcast at 30×", Value: map[bool]string{true: "survives", false: "fails"}[r.Sim.SLOMet], Status: statusOf(!r.Sim.SLOMet)},
	}
	if r.Plan != nil && r.Plan.Recommended != nil {
		summary.Tiles = append(summary.Tiles, report.Tile{Label: "Plan", Value: report.Money(r.Plan.Recommended.MonthlyCost, r.Plan.Currency) + "/month",
			Detail: "cheapest that survives", Status: report.OK})
	}
	summary.Tiles = append(summary.Tiles, report.Tile{Label: "Safe cuts after the panic", Value: report.Money(r.Cuts.TotalMonthlySaving, r.Cuts.Currency) + "/month",
		Detail: "of " + report.Money(r.Cost.MonthlyCost, r.Cost.Currency)})
	summary.Verdict = &report.Verdict{Status: statusOf(!r.Sim.SLOMet), Text: "As first deployed, the broadcast " + simVerdict(r.Sim) + "."}
	if r.Plan != nil {
		summary.Intro = "The plan: " + planVerdict(r.Plan) + "."
	}
	honesty := demoMeasurementNotes(r)
	summary.Notes = append(summary.Notes, honesty...)
	capSec := report.CapacitySection("1. Capacity of one replica", []string{"money", "app"}, []*capacity.Profile{r.Capacity["money"], r.Capacity["app"]})
	capSec.Notes = append(capSec.Notes, honesty...)
	doc.Sections = append(doc.Sections, summary,
		capSec,
		report.LoadSection("2. A TV spike, live against the app", r.run),
		report.SLOSection("3. The SLOs and what the spike cost", "Availability 99.9% and latency 99% under 300ms over 30 days, at 50 req/s of everyday traffic. One event may burn at most a tenth of the budget.",
			r.Budget, []string{filepath.Join(r.Out, "slo.yaml"), filepath.Join(r.Out, "slo-rules.yaml")}),
		report.SimSection("4. The broadcast at production scale (simulated)", r.Sim),
	)
	if r.Plan != nil {
		doc.Sections = append(doc.Sections, report.PlanSection("5. The cheapest configuration that survives", r.Plan))
	}
	doc.Sections = append(doc.Sections, report.CostSection("6. Where the money goes after the panic, and what is safe to cut", r.Cost, r.Cuts))
	return doc
}

// demoCapacityTile is the headline of one component's capacity: measured,
// or the fallback, marked.
func demoCapacityTile(name string, rep *demoReplica) report.Tile {
	if rep.Source == demoFallback {
		return report.Tile{Label: name + " capacity", Value: report.Rate(rep.Rate) + " (fallback)",
			Detail: "by construction, NOT measured: the measurement could not be used here", Status: report.Warn}
	}
	return report.Tile{Label: name + " capacity", Value: report.Rate(rep.Rate), Detail: "one replica, p99 ≤ 100ms, measured"}
}

// demoMeasurementNotes say how the sample was sized for this machine and
// which capacities are fallbacks rather than measurements.
func demoMeasurementNotes(r *demoRun) []string {
	var notes []string
	if c := r.Calibration; c.Scale < 1 {
		notes = append(notes, fmt.Sprintf("Calibrated: this machine's load generator held %s against a health check, below the %s the sample system needs, so the sample ran at %s of its capacity (money %s, app %s by construction). Every number here is of that scaled system.",
			report.Rate(c.GeneratorRate), report.Rate(c.Need), report.Percent(c.Scale), report.Rate(c.MoneyCapacity), report.Rate(c.AppCapacity)))
	}
	for _, name := range []string{"money", "app"} {
		rep := r.PerReplica[name]
		if rep == nil || rep.Source != demoFallback {
			continue
		}
		notes = append(notes, fmt.Sprintf("FALLBACK: %s's capacity, %s per replica, is its capacity by construction (%s), not a measurement: %s. The simulation, the plan and system.yaml use it, marked.",
			name, report.Rate(rep.Rate), rep.Construction, rep.Reason))
	}
	return notes
}

func statusOf(bad bool) report.Status {
	if bad {
		return report.Fail
	}
	return report.OK
}

func profileJSON(p *capacity.Profile) ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	return append(b, '\n'), err
}
