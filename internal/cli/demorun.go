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
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/dashboard"
	"github.com/headroom-sre/headroom/demo"
	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/rightsize"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
	"github.com/headroom-sre/headroom/units"
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
	Fallback bool          `json:"fallback"`
	Spike    stats.Summary `json:"spike"`
	// Budget is the live spike judged against each SLO, as `headroom slo
	// check --run` judges it.
	Budget []report.BudgetRow `json:"spike_budget"`
	// Sim is the broadcast (tv-spike) simulated on the system as
	// launched, with its timeline.
	Sim *sim.Result `json:"simulation"`
	// The stages of the story, each a System file simulated through the
	// same scenarios: as launched, after the panic scale-up, as planned,
	// and the panic system after the safe cuts.
	Launched *demoStage   `json:"as_launched"`
	Panic    *demoStage   `json:"panic"`
	Plan     *plan.Result `json:"plan,omitempty"`
	// PlanSurprise is the same plan with every event a surprise (no
	// pre-scaling), as `headroom plan --unannounced all` makes it.
	PlanSurprise *plan.Result `json:"plan_surprise,omitempty"`
	Planned      *demoStage   `json:"planned,omitempty"`
	AfterCuts    *demoStage   `json:"after_cuts"`
	// Cost is the panic cluster's bill, Cuts the safe cuts found in it,
	// CostAfterCuts the bill with them applied and Saving the difference.
	Cost          *rightsize.CostReport `json:"cost"`
	Cuts          *rightsize.Report     `json:"rightsize"`
	CostAfterCuts *rightsize.CostReport `json:"cost_after_cuts"`
	Saving        float64               `json:"saving"`
	// Reproduce are the commands that reproduce the report's figures,
	// by section, with the exit code each verdict implies.
	Reproduce []demoCommand `json:"reproduce"`
	Elapsed   float64       `json:"elapsed_s"`

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
  3. measure   a TV-broadcast spike, load-tested live against the app and
               judged against the SLOs as headroom slo check --run judges it
  4. decide    the same broadcast at production scale (30× everyday traffic),
               simulated on the system as launched (system.yaml)
  5. decide    the panic scale-up after it (system.panic.yaml), simulated
               through the same scenarios, and its bill (cluster.yaml)
  6. decide    the cheapest configuration that survives (plan/)
  7. decide    the safe cuts of the panic scale-up, applied to the same
               system (system.cuts.yaml, cluster.cuts.yaml), simulated
               through the same scenarios and priced again
  8. report    report.html: one file with charts a manager can read

Every section of the summary and of the report prints the commands that
reproduce its figures, such as headroom sim -f headroom-demo/system.yaml
or headroom slo check -f headroom-demo/slo.yaml --run
headroom-demo/spike.jsonl; their exit codes follow the verdicts shown.
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
		fmt.Fprintf(progress, "\n[%d/8] %s\n", n, fmt.Sprintf(format, args...))
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
	r.command("slo", "headroom slo rules -f "+filepath.Join(f.out, "slo.yaml"), 0)
	fmt.Fprintf(progress, "  %d SLOs → %s (recording rules for %d windows, page and ticket burn-rate alerts) and a Grafana dashboard, %s\n",
		len(set.SLOs), filepath.Join(f.out, "slo-rules.yaml"), len(windows), filepath.Join(f.out, "slo-dashboard.json"))

	// 3. The TV spike, live, judged as `headroom slo check --run` judges it.
	step(3, "measure: a TV-broadcast spike against the app, live (%s)", f.spikeFor)
	if err := a.demoSpike(ctx, progress, r, servers.appURL+"/", f); err != nil {
		return err
	}
	r.Files = append(r.Files, filepath.Join(f.out, "spike.jsonl"))
	if err := demoJudgeSpike(r, set.SLOs); err != nil {
		return err
	}
	for _, b := range r.Budget {
		fmt.Fprintf(progress, "  %s: %s (SLI %s over the run, objective %s); at the everyday rate it would be %s of the 30-day error budget\n",
			b.Name, strings.ToUpper(b.Verdict), report.Percent(b.SLI), b.Objective, report.Percent(b.Burned))
	}

	// 4. The broadcast at production scale, as launched, simulated.
	step(4, "decide: the broadcast at production scale (%g×), simulated on the system as launched", demoSpikeFactor)
	appAt, moneyAt := demoLaunched()
	launched, err := a.demoStage(ctx, r, write, "as-launched", "system.yaml",
		demoSystemFile(demoLaunchedHeader, demoCapacityYAML("money", r.PerReplica["money"]), demoCapacityYAML("app", r.PerReplica["app"]), appAt, moneyAt))
	if err != nil {
		return err
	}
	r.Launched = launched
	r.Sim = launched.results[0]
	r.command("launched", launched.Command, launched.Exit)
	fmt.Fprintf(progress, "  %s\n", launched.verdicts())

	// 5. The panic scale-up, simulated, and its bill.
	step(5, "decide: the panic scale-up after the broadcast, simulated, and its bill")
	ws := demoPanicCluster(r.cpuPerRequest("app"), r.cpuPerRequest("money"))
	if r.Panic, err = a.demoStage(ctx, r, write, "panic", "system.panic.yaml", demoSystemFile(demoPanicHeader,
		demoCapacityYAML("money", r.PerReplica["money"]), demoCapacityYAML("app", r.PerReplica["app"]),
		demoWorkloadNamed(ws, "app").deploy(), demoWorkloadNamed(ws, "money").deploy())); err != nil {
		return err
	}
	r.command("panic", r.Panic.Command, r.Panic.Exit)
	if r.Cost, err = a.demoBill(r, write, "cluster.yaml", ws); err != nil {
		return err
	}
	r.command("panic", "headroom cost --snapshot "+filepath.Join(f.out, "cluster.yaml")+" --mode autopilot", 0)
	fmt.Fprintf(progress, "  %s; the bill: %s a month\n", r.Panic.verdicts(), report.Money(r.Cost.MonthlyCost, r.Cost.Currency))

	// 6. The plan.
	if !f.noPlan {
		step(6, "decide: the cheapest configuration that survives")
		if err := a.demoPlan(ctx, r, launched, progress, f.quiet); err != nil {
			return err
		}
		fmt.Fprintf(progress, "  %s\n", planVerdict(r.Plan))
	} else {
		step(6, "decide: planning skipped (--no-plan)")
	}

	// 7. The safe cuts, applied to the panic system and simulated.
	step(7, "decide: which cuts of the panic scale-up are safe, applied and simulated")
	if err := a.demoCuts(ctx, r, ws, write); err != nil {
		return err
	}
	fmt.Fprintf(progress, "  %s of %s a month cut: %s after the cuts; %s\n", report.Money(r.Saving, r.Cost.Currency), report.Money(r.Cost.MonthlyCost, r.Cost.Currency),
		report.Money(r.CostAfterCuts.MonthlyCost, r.Cost.Currency), r.AfterCuts.verdicts())

	// 8. The report.
	step(8, "report: %s", filepath.Join(f.out, "report.html"))
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
	reach, err := capacity.GeneratorReach(ctx, &pipeline.LoadProber{Base: base}, capacity.ReachConfig{
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
	objectives, _ := stats.ParseThresholds("p99<=100ms,errors<=0.1%")
	cfg := capacity.Config{
		SLO: objectives, Hold: hold, WarmUp: 2 * hold, Cooldown: hold / 2, Target: name + " " + url,
		GeneratorRetries: demoGeneratorRetries,
		CPU:              cpuFunc(func(context.Context) (float64, error) { return comp.CPUSeconds(), nil }),
		CPURequest:       0.25,
		OnStep:           func(st capacity.StepResult) { fmt.Fprintf(w, "  %-5s %s\n", name, stepLine(st)) },
	}
	base := load.Config{Targets: []load.Target{{URL: url}}, Timeout: pipeline.CapacityTimeout(objectives), Version: Version, LateThreshold: demoLateAfter}
	res, err := capacity.Search(ctx, &pipeline.LoadProber{Base: base}, cfg)
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
	exit := 0
	if len(stats.Failed(run.Thresholds)) > 0 || (r.Spike.Requests > 0 && r.Spike.ErrorRatio >= 1) {
		exit = ExitVerdict
	}
	r.command("load", "headroom report "+filepath.Join(f.out, "spike.jsonl"), exit)
	fmt.Fprintf(w, "  %s requests, %s failed, p99 %s (uncorrected %s)\n", report.Count(float64(r.Spike.Requests)),
		report.Percent(r.Spike.ErrorRatio), report.Seconds(r.Spike.Latency.P99), report.Seconds(r.Spike.LatencyUncorrected.P99))
	return nil
}

// demoStage is one configuration of the demo system in the story — as
// launched, after the panic scale-up, as planned, after the safe cuts —
// simulated through every scenario of its System file, as `headroom sim
// -f File` simulates it.
type demoStage struct {
	Name string `json:"name"`
	// File is the System file; Command the command line that reproduces
	// the simulation, and Exit its exit code (3 when a scenario misses
	// the SLO).
	File    string `json:"file"`
	Command string `json:"command"`
	Exit    int    `json:"exit"`
	// SLOMet is true when every scenario met the SLO.
	SLOMet    bool           `json:"slo_met"`
	Scenarios []demoScenario `json:"scenarios"`

	results []*sim.Result
	notes   []string
	system  *pipeline.System
}

// demoScenario is one scenario's verdict on a stage.
type demoScenario struct {
	Name string `json:"name"`
	// Event is "announced" (pre-scaling applied before it) or "surprise".
	Event        string   `json:"event"`
	SLOMet       bool     `json:"slo_met"`
	BudgetBurned float64  `json:"budget_burned"`
	Requests     float64  `json:"requests"`
	Failed       float64  `json:"failed"`
	FirstBreach  *float64 `json:"first_breach_s"`
}

// demoCommand is a command line that reproduces figures of a section of
// the demo's report, and the exit code its verdict implies.
type demoCommand struct {
	Section string `json:"section"`
	Command string `json:"command"`
	Exit    int    `json:"exit"`
}

// command records a command that reproduces figures of section.
func (r *demoRun) command(section, line string, exit int) {
	r.Reproduce = append(r.Reproduce, demoCommand{Section: section, Command: line, Exit: exit})
}

// reproduceNotes are the commands that reproduce section, as notes.
func (r *demoRun) reproduceNotes(section string) []string {
	var out []string
	for _, c := range r.Reproduce {
		if c.Section != section {
			continue
		}
		why := "exit 0"
		if c.Exit == ExitVerdict {
			why = "exit 3: the verdict fails, as above"
		}
		out = append(out, fmt.Sprintf("Reproduce: %s (%s)", c.Command, why))
	}
	return out
}

// cpuPerRequest is the CPU per request the demo went on with for a
// component, in seconds.
func (r *demoRun) cpuPerRequest(name string) float64 {
	if rep := r.PerReplica[name]; rep != nil && rep.CPUPerRequest > 0 {
		return rep.CPUPerRequest
	}
	return 0.002
}

// verdicts says how the stage fared in each scenario.
func (s *demoStage) verdicts() string {
	var parts []string
	for _, sc := range s.Scenarios {
		v := "survives"
		if !sc.SLOMet {
			v = "fails"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s of the error budget)", sc.Name, v, report.Percent(sc.BudgetBurned)))
	}
	return strings.Join(parts, "; ")
}

// scenario returns the stage's verdict on the scenario called name.
func (s *demoStage) scenario(name string) (demoScenario, bool) {
	if s == nil {
		return demoScenario{}, false
	}
	for _, sc := range s.Scenarios {
		if sc.Name == name {
			return sc, true
		}
	}
	return demoScenario{}, false
}

// demoStage writes a System file of the story and simulates it.
func (a *app) demoStage(ctx context.Context, r *demoRun, write func(string, []byte) error, name, file, text string) (*demoStage, error) {
	if err := write(file, []byte(text)); err != nil {
		return nil, err
	}
	return a.demoSimulate(ctx, name, filepath.Join(r.Out, file))
}

// demoSimulate simulates every scenario of the System file at path, as
// `headroom sim -f path` does (through the same pipeline), keeping a
// timeline for the report's charts.
func (a *app) demoSimulate(ctx context.Context, name, path string) (*demoStage, error) {
	sys, err := pipeline.ReadSystem(diskFiles{}, pipeline.SystemConfig{File: path, Prices: pipeline.PriceConfig{Currency: "USD"}})
	if err != nil {
		return nil, decideError(err)
	}
	res, err := pipeline.SimulateSystem(ctx, sys, pipeline.SimulateConfig{TimelineStep: 10 * time.Second})
	if err != nil {
		return nil, decideError(fmt.Errorf("simulate %s: %w", path, err))
	}
	st := &demoStage{Name: name, File: path, Command: simCommand(path, nil), SLOMet: res.SLOMet,
		results: res.Scenarios, notes: res.Notes(), system: sys}
	if !res.SLOMet {
		st.Exit = ExitVerdict
	}
	for _, sc := range res.Scenarios {
		st.Scenarios = append(st.Scenarios, demoScenario{Name: sc.Scenario, Event: sc.Event, SLOMet: sc.SLOMet, BudgetBurned: sc.BudgetBurned,
			Requests: sc.Requests, Failed: sc.Failed, FirstBreach: sc.FirstBreach})
	}
	if len(st.results) == 0 {
		return nil, fmt.Errorf("simulate %s: no scenarios", path)
	}
	return st, nil
}

// demoJudgeSpike judges the live spike against the SLOs exactly as
// `headroom slo check --run` does — each objective over the run, which is
// its own window — and adds what the spike's bad requests would cost of a
// 30-day budget at the everyday rate.
func demoJudgeSpike(r *demoRun, slos []slo.SLO) error {
	windowEvents := demoBaseRate * (30 * 24 * time.Hour).Seconds()
	exit := 0
	for _, s := range slos {
		series, err := slo.FromRun(s, r.run, "")
		if err != nil {
			return fmt.Errorf("SLO %s on the spike: %w", s.Name, err)
		}
		st := slo.Evaluate(s, series.Observe(s))
		sp := series.Spend(s, windowEvents)
		var good, total float64
		for _, c := range series.Counts {
			good, total = good+c.Good, total+c.Total
		}
		r.Budget = append(r.Budget, report.BudgetRow{Name: s.Name, Objective: slo.FormatPercent(s.Target), Good: good, Total: total,
			Burned: sp.Fraction, Allowed: sim.DefaultMaxBudgetBurn, Verdict: string(st.Verdict), SLI: st.SLI, Remaining: st.Budget.Remaining})
		if st.Verdict != slo.Met {
			exit = ExitVerdict
		}
	}
	r.command("slo", "headroom slo check -f "+filepath.Join(r.Out, "slo.yaml")+" --run "+filepath.Join(r.Out, "spike.jsonl"), exit)
	return nil
}

// demoCostOptions price the demo's cluster as `headroom cost --mode
// autopilot` does.
func demoCostOptions() rightsize.CostOptions {
	return rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "us-central1", Catalog: pricing.GCP()}
}

// demoBill writes a snapshot of the workloads to file and prices it as
// `headroom cost --snapshot file --mode autopilot` does: on requests,
// with no usage.
func (a *app) demoBill(r *demoRun, write func(string, []byte) error, file string, ws []demoWorkload) (*rightsize.CostReport, error) {
	cluster, err := demoCluster(r, write, file, ws)
	if err != nil {
		return nil, err
	}
	return rightsize.Cost(cluster, nil, demoCostOptions())
}

// demoCluster writes a snapshot of the workloads to file and reads it
// back as a cluster.
func demoCluster(r *demoRun, write func(string, []byte) error, file string, ws []demoWorkload) (*rightsize.Cluster, error) {
	snap, err := demoSnapshot(ws)
	if err != nil {
		return nil, err
	}
	if err := write(file, snap); err != nil {
		return nil, err
	}
	objs, err := kube.ReadSnapshot(filepath.Join(r.Out, file), snap)
	if err != nil {
		return nil, err
	}
	return objs.Cluster(""), nil
}

// demoPlan plans the system as launched, as `headroom plan -f
// system.yaml` does, writes the plan's files, and simulates the
// recommended System file through the same scenarios.
func (a *app) demoPlan(ctx context.Context, r *demoRun, launched *demoStage, progress io.Writer, quiet bool) error {
	sys := launched.system
	sf := sys.File
	prob := plan.Problem{System: sf.System}
	for _, s := range sf.Scenarios {
		prob.Scenarios = append(prob.Scenarios, plan.Scenario{Scenario: s})
	}
	prog := newPlanProgress(progress, quiet)
	res, err := plan.Plan(ctx, prob, plan.Options{Progress: prog.update, Resolution: sim.DefaultResolution, Tolerance: plan.DefaultTolerance})
	prog.done()
	if err != nil {
		return withHint(fmt.Errorf("plan: %w", err), "")
	}
	res.Notes = append(append(append([]string(nil), sf.Notes...), sys.PriceNotes...), res.Notes...)
	r.Plan = res
	exit := 0
	if res.Recommended == nil {
		exit = ExitVerdict
	}
	r.command("plan", "headroom plan -f "+launched.File, exit)
	// The same plan for a surprise: every event unannounced, so nothing
	// may be pre-scaled, as `headroom plan --unannounced all` plans it.
	// Its cost against the plan's is the price of not knowing the date.
	surprise := prob
	surprise.Scenarios = append([]plan.Scenario(nil), prob.Scenarios...)
	for i := range surprise.Scenarios {
		surprise.Scenarios[i].Unannounced = true
	}
	prog = newPlanProgress(progress, quiet)
	sur, err := plan.Plan(ctx, surprise, plan.Options{Progress: prog.update, Resolution: sim.DefaultResolution, Tolerance: plan.DefaultTolerance})
	prog.done()
	if err != nil {
		return withHint(fmt.Errorf("plan for a surprise: %w", err), "")
	}
	r.PlanSurprise = sur
	exit = 0
	if sur.Recommended == nil {
		exit = ExitVerdict
	}
	r.command("plan", "headroom plan -f "+launched.File+" --unannounced all", exit)
	if res.Recommended != nil && sur.Recommended != nil && sur != res {
		res.Surprise = sur
		res.SurpriseExtra = math.Round((sur.Recommended.MonthlyCost-res.Recommended.MonthlyCost)*100) / 100
	}
	if res.Recommended == nil {
		return nil
	}
	manifests, err := plan.Manifests(res.Recommended, plan.ManifestOptions{Prescale: plan.PrescaleKEDA, Namespace: demoNamespace, Source: sys.Document.Root})
	if err != nil {
		return err
	}
	dir := filepath.Join(r.Out, "plan")
	outputs, err := pipeline.PlanFiles(sys.Document, res.Recommended, manifests, dir)
	if err != nil {
		return err
	}
	files, err := a.writeOutputs(dir, outputs)
	if err != nil {
		return err
	}
	r.Files = append(r.Files, files...)
	if r.Planned, err = a.demoSimulate(ctx, "planned", filepath.Join(r.Out, "plan", "system.recommended.yaml")); err != nil {
		return err
	}
	r.command("plan", r.Planned.Command, r.Planned.Exit)
	return nil
}

// demoCuts finds the safe cuts of the panic cluster, checks each against
// the panic System with the simulator (rightsize.Verify), then applies
// them all to the same System and simulates it through the same
// scenarios: a cut that breaks the SLO together with the others is not
// safe either, and is withdrawn. It writes the patch, the System and the
// cluster after the cuts, and prices the latter.
func (a *app) demoCuts(ctx context.Context, r *demoRun, ws []demoWorkload, write func(string, []byte) error) error {
	snap, err := demoSnapshot(ws)
	if err != nil {
		return err
	}
	objs, err := kube.ReadSnapshot(filepath.Join(r.Out, "cluster.yaml"), snap)
	if err != nil {
		return err
	}
	cluster := objs.Cluster("")
	usage, _ := demoUsage(ws, a.now()).ByWorkload(cluster)
	if r.Cuts, err = rightsize.Recommend(cluster, usage, rightsize.RecommendOptions{Policy: rightsize.Policy{Window: 14 * 24 * time.Hour, Step: time.Minute, PeakResolution: time.Minute}, Cost: demoCostOptions()}); err != nil {
		return err
	}
	panicked := r.Panic.system.File
	if err := rightsize.Verify(ctx, cluster, r.Cuts, rightsize.SystemCheck{System: panicked.System, Scenarios: panicked.Scenarios}); err != nil {
		return err
	}
	var after []demoWorkload
	for range len(r.Cuts.Recommendations) + 1 {
		after = demoApplyCuts(ws, r.Cuts.Recommendations)
		if r.AfterCuts, err = a.demoStage(ctx, r, write, "after-cuts", "system.cuts.yaml", demoSystemFile(demoCutsHeader,
			demoCapacityYAML("money", r.PerReplica["money"]), demoCapacityYAML("app", r.PerReplica["app"]),
			demoWorkloadNamed(after, "app").deploy(), demoWorkloadNamed(after, "money").deploy())); err != nil {
			return err
		}
		broke := demoBroke(r.Panic, r.AfterCuts)
		if broke == "" || !demoWithdrawCut(r.Cuts, broke) {
			break
		}
	}
	r.command("cuts", r.AfterCuts.Command, r.AfterCuts.Exit)
	r.Cuts.Notes = append(r.Cuts.Notes, "Demo usage: CPU is the CPU per request measured on the sample system × 50 req/s of everyday traffic (its p99 and busiest minute taken as 2.2× and 3× the mean); memory figures, and the load-test runner left over from the panic serving no requests, are assumed, not measured.")
	patch, err := rightsize.Patches(r.Cuts.Recommendations)
	if err != nil {
		return err
	}
	if err := write("rightsize-patch.yaml", patch); err != nil {
		return err
	}
	if r.CostAfterCuts, err = a.demoBill(r, write, "cluster.cuts.yaml", after); err != nil {
		return err
	}
	r.Saving = math.Round((r.Cost.MonthlyCost-r.CostAfterCuts.MonthlyCost)*100) / 100
	r.command("cuts", "headroom cost --snapshot "+filepath.Join(r.Out, "cluster.cuts.yaml")+" --mode autopilot", 0)
	return nil
}

// demoBroke names the first scenario that before met the SLO and after
// does not ("" when none).
func demoBroke(before, after *demoStage) string {
	for _, sc := range after.Scenarios {
		if b, ok := before.scenario(sc.Name); ok && b.SLOMet && !sc.SLOMet {
			return sc.Name
		}
	}
	return ""
}

// demoWithdrawCut withdraws the cut of app or money that saves the least
// (those are the ones the System simulates), saying it broke the SLO in
// scenario together with the others; false when there is none left.
func demoWithdrawCut(rep *rightsize.Report, scenario string) bool {
	worst := -1
	for i, x := range rep.Recommendations {
		if (x.Workload != "app" && x.Workload != "money") || x.Class == rightsize.Raise {
			continue
		}
		if worst < 0 || x.MonthlySaving < rep.Recommendations[worst].MonthlySaving {
			worst = i
		}
	}
	if worst < 0 {
		return false
	}
	x := rep.Recommendations[worst]
	rep.Skipped = append(rep.Skipped, rightsize.Skipped{Namespace: x.Namespace, Workload: x.Workload, Kind: x.Kind,
		Reason: fmt.Sprintf("%s rejected: with the other cuts applied, the SLO breaks in scenario %s", x.Action, scenario)})
	rep.Recommendations = append(rep.Recommendations[:worst:worst], rep.Recommendations[worst+1:]...)
	rep.TotalMonthlySaving, rep.EasyMonthlySaving, rep.BigMonthlySaving, rep.RaiseMonthlyCost = 0, 0, 0, 0
	for _, x := range rep.Recommendations {
		rep.TotalMonthlySaving += x.MonthlySaving
		switch x.Class {
		case rightsize.Easy:
			rep.EasyMonthlySaving += x.MonthlySaving
		case rightsize.Big:
			rep.BigMonthlySaving += x.MonthlySaving
		case rightsize.Raise:
			rep.RaiseMonthlyCost -= x.MonthlySaving
		}
	}
	return true
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

// demoScenarioTable is the verdict of each stage in each scenario: the
// same figures `headroom sim` prints for its System file.
func demoScenarioTable(title string, stages ...*demoStage) report.Table {
	t := report.Table{Title: title, Columns: []string{"Configuration", "Scenario", "Verdict", "Requests failed", "Error budget burned", "SLO breaks at"}}
	for _, st := range stages {
		if st == nil {
			continue
		}
		for _, sc := range st.Scenarios {
			v, at := "survives", "—"
			if !sc.SLOMet {
				v = "fails"
			}
			if sc.FirstBreach != nil {
				at = "T+" + report.Duration(*sc.FirstBreach)
			}
			t.Rows = append(t.Rows, []string{demoStageTitle(st.Name), sc.Name, v, report.Percent(sc.Failed / max(sc.Requests, 1)), report.Percent(sc.BudgetBurned), at})
		}
	}
	return t
}

// demoStageTitle names a stage for people.
func demoStageTitle(name string) string {
	switch name {
	case "as-launched":
		return "as launched"
	case "panic":
		return "after the panic scale-up"
	case "planned":
		return "as planned"
	case "after-cuts":
		return "panic, after the safe cuts"
	}
	return name
}

// demoSurvives is a stage's verdict in one word, with its status.
func demoSurvives(st *demoStage) (string, report.Status) {
	if st.SLOMet {
		return "survives", report.OK
	}
	var failed []string
	for _, sc := range st.Scenarios {
		if !sc.SLOMet {
			failed = append(failed, sc.Name)
		}
	}
	return "fails " + strings.Join(failed, ", "), report.Fail
}

// demoSystemCost is what app and money cost a month in a priced cluster,
// with the cluster fee: the part a System file describes.
func demoSystemCost(c *rightsize.CostReport) float64 {
	total := c.ClusterFee
	for _, w := range c.Workloads {
		if w.Name == "app" || w.Name == "money" {
			total += w.MonthlyCost
		}
	}
	return total
}

// demoDocument assembles the report of a demo run: one story on one
// system, each section with the commands that reproduce its figures.
func demoDocument(r *demoRun, now time.Time) report.Document {
	doc := report.Document{
		Title:     "headroom demo: will the fintech app survive the broadcast?",
		Subtitle:  "A money service and a customer app, measured on loopback, then simulated, planned and right-sized at production scale: one system, one story.",
		Generated: now,
	}
	cur := r.Cost.Currency
	money := func(x float64) string { return report.Money(x, cur) }
	summary := report.Section{Title: "Summary"}
	live := demoLiveVerdict(r)
	summary.Tiles = []report.Tile{
		demoCapacityTile("money", r.PerReplica["money"]),
		demoCapacityTile("app", r.PerReplica["app"]),
		{Label: "Live spike", Value: strings.ToUpper(live), Detail: fmt.Sprintf("the SLOs over the run; %s of requests failed", report.Percent(r.Spike.ErrorRatio)),
			Status: statusOf(live != string(slo.Met))},
	}
	v, st := demoSurvives(r.Launched)
	summary.Tiles = append(summary.Tiles, report.Tile{Label: "As launched", Value: v, Detail: "the broadcast at 30×, simulated", Status: st})
	v, st = demoSurvives(r.Panic)
	summary.Tiles = append(summary.Tiles, report.Tile{Label: "Panic scale-up", Value: money(r.Cost.MonthlyCost) + "/month", Detail: v + ", simulated", Status: st})
	if r.Plan != nil && r.Plan.Recommended != nil && r.Planned != nil {
		v, st = demoSurvives(r.Planned)
		detail := "app, money and the cluster fee, " + r.Plan.Assumption + "; " + v + ", simulated"
		if sur := r.PlanSurprise; sur != nil && sur.Recommended != nil {
			detail += fmt.Sprintf("; %s for a surprise", money(sur.Recommended.MonthlyCost))
		}
		summary.Tiles = append(summary.Tiles, report.Tile{Label: "Plan", Value: money(r.Plan.Recommended.MonthlyCost) + "/month", Detail: detail, Status: st})
	}
	v, st = demoSurvives(r.AfterCuts)
	summary.Tiles = append(summary.Tiles, report.Tile{Label: "After the safe cuts", Value: money(r.CostAfterCuts.MonthlyCost) + "/month",
		Detail: fmt.Sprintf("%s saved of %s; %s, simulated", money(r.Saving), money(r.Cost.MonthlyCost), v), Status: st})
	summary.Verdict = &report.Verdict{Status: statusOf(!r.Sim.SLOMet), Text: "As first deployed, the broadcast " + simVerdict(r.Sim) + "."}
	summary.Intro = demoStoryIntro(r)
	scenarioColumn := func(name string) string {
		if sc, ok := r.Launched.scenario(name); ok && sc.Event != "" {
			return name + " (" + sc.Event + ")"
		}
		return name
	}
	story := report.Table{Title: "The story, stage by stage", Columns: []string{"Stage", "app", "money", scenarioColumn("tv-spike"), scenarioColumn("evening-peak"), "Monthly (app + money + cluster fee)", "Reproduce"}}
	row := func(st *demoStage, app, money, monthly, cmd string) {
		if st == nil {
			return
		}
		verdict := func(name string) string {
			sc, ok := st.scenario(name)
			switch {
			case !ok:
				return "—"
			case sc.SLOMet:
				return "survives (" + report.Percent(sc.BudgetBurned) + ")"
			}
			return "fails (" + report.Percent(sc.BudgetBurned) + ")"
		}
		story.Rows = append(story.Rows, []string{demoStageTitle(st.Name), app, money, verdict("tv-spike"), verdict("evening-peak"), monthly, st.Command + "; " + cmd})
	}
	deployText := func(st *demoStage, name string) string {
		for _, c := range st.system.File.System.Components {
			if c.Name != name {
				continue
			}
			out := fmt.Sprintf("cpu %s", units.CPU(c.Resources.CPURequest))
			if c.HPA != nil {
				out += fmt.Sprintf(", %d–%d replicas", c.HPA.MinReplicas, c.HPA.MaxReplicas)
				for _, m := range c.HPA.Metrics {
					if m.Source == sim.ResourceMetric && m.Target == sim.UtilizationTarget {
						out += fmt.Sprintf(" at %d%% CPU", m.AverageUtilization)
					}
				}
			}
			return out
		}
		return "—"
	}
	today := "—"
	if r.Plan != nil {
		today = money(r.Plan.Current.MonthlyCost) + " (plan: today)"
	}
	row(r.Launched, deployText(r.Launched, "app"), deployText(r.Launched, "money"), today, "headroom plan -f "+r.Launched.File)
	row(r.Panic, deployText(r.Panic, "app"), deployText(r.Panic, "money"), fmt.Sprintf("%s (whole cluster %s)", money(demoSystemCost(r.Cost)), money(r.Cost.MonthlyCost)),
		"headroom cost --snapshot "+filepath.Join(r.Out, "cluster.yaml")+" --mode autopilot")
	if r.Plan != nil && r.Plan.Recommended != nil && r.Planned != nil {
		row(r.Planned, deployText(r.Planned, "app"), deployText(r.Planned, "money"), money(r.Plan.Recommended.MonthlyCost)+" (plan: recommended)", "headroom plan -f "+r.Launched.File)
	}
	row(r.AfterCuts, deployText(r.AfterCuts, "app"), deployText(r.AfterCuts, "money"), fmt.Sprintf("%s (whole cluster %s)", money(demoSystemCost(r.CostAfterCuts)), money(r.CostAfterCuts.MonthlyCost)),
		"headroom cost --snapshot "+filepath.Join(r.Out, "cluster.cuts.yaml")+" --mode autopilot")
	summary.Tables = []report.Table{story}
	honesty := demoMeasurementNotes(r)
	summary.Notes = append(summary.Notes, honesty...)
	summary.Notes = append(summary.Notes, "Every figure is reproduced by the command printed under its section; the verdicts set those commands' exit codes (3 when a verdict fails).")

	capSec := report.CapacitySection("1. Capacity of one replica", []string{"money", "app"}, []*capacity.Profile{r.Capacity["money"], r.Capacity["app"]})
	capSec.Notes = append(capSec.Notes, honesty...)
	capSec.Notes = append(capSec.Notes, "Measure it again against `headroom demo serve`: headroom capacity --url http://127.0.0.1:8081/value --slo 'p99<=100ms,errors<=0.1%' (a measurement: it varies with the machine).")

	loadSec := report.LoadSection("2. The broadcast, live: a TV spike against the app", r.run)
	loadSec.Notes = append(loadSec.Notes, r.reproduceNotes("load")...)

	sloSec := report.SLOSection("3. The SLOs, and what the live spike did to them",
		"Availability 99.9% and latency 99% under 300ms over 30 days. Judged over the load test, its own window, as headroom slo check --run judges it; the last column is what the spike's failed requests would cost of the 30-day budget at 50 req/s of everyday traffic.",
		r.Budget, []string{filepath.Join(r.Out, "slo.yaml"), filepath.Join(r.Out, "slo-rules.yaml"), filepath.Join(r.Out, "slo-dashboard.json")})
	sloSec.Notes = append(sloSec.Notes, r.reproduceNotes("slo")...)

	simSec := report.SimSection("4. The broadcast at production scale, as launched (simulated)", r.Sim)
	// The story's monthly figures are the plan's and the bills': the cost
	// of the simulation's end state is neither, so it is left out.
	tiles := simSec.Tiles[:0]
	for _, tl := range simSec.Tiles {
		if !strings.HasPrefix(tl.Label, "Cost at the end") {
			tiles = append(tiles, tl)
		}
	}
	simSec.Tiles = tiles
	simSec.Tables = append(simSec.Tables, demoScenarioTable("Every scenario of system.yaml", r.Launched))
	simSec.Notes = append(simSec.Notes, r.Launched.notes...)
	simSec.Notes = append(simSec.Notes, r.reproduceNotes("launched")...)

	panicSec := report.CostSection("5. The panic scale-up and its bill", r.Cost, nil)
	panicSec.Intro = "After the broadcast the team scaled app and money to 12 replicas with large requests, and left a load-test runner and an admin console running. system.panic.yaml is the same system with those settings, simulated through the same scenarios; cluster.yaml is the cluster, priced."
	_, st = demoSurvives(r.Panic)
	panicSec.Verdict = &report.Verdict{Status: st, Text: fmt.Sprintf("The panic configuration %s every scenario, for %s a month: %s for app and money with the cluster fee, %s for workloads outside the system.",
		map[bool]string{true: "survives", false: "does not survive"}[r.Panic.SLOMet], money(r.Cost.MonthlyCost), money(demoSystemCost(r.Cost)), money(r.Cost.MonthlyCost-demoSystemCost(r.Cost)))}
	panicSec.Tables = append([]report.Table{demoScenarioTable("Every scenario of system.panic.yaml", r.Panic)}, panicSec.Tables...)
	panicSec.Notes = append(r.reproduceNotes("panic"), panicSec.Notes...)

	doc.Sections = append(doc.Sections, summary, capSec, loadSec, sloSec, simSec, panicSec)
	if r.Plan != nil {
		planSec := report.PlanSection("6. The cheapest configuration that survives", r.Plan)
		if r.Planned != nil {
			planSec.Tables = append([]report.Table{demoScenarioTable("The recommended System file, simulated again", r.Planned)}, planSec.Tables...)
		}
		planSec.Notes = append(r.reproduceNotes("plan"), planSec.Notes...)
		doc.Sections = append(doc.Sections, planSec)
	}
	cutSec := report.CostSection("7. The safe cuts, applied to the panic system", r.Cost, r.Cuts)
	cutSec.Intro = "Cuts found in the panic cluster's usage, each checked with the simulator, then applied together to system.panic.yaml (system.cuts.yaml) and to cluster.yaml (cluster.cuts.yaml): the same system, simulated through the same scenarios, and priced again."
	cutSec.Tiles = append(cutSec.Tiles, report.Tile{Label: "After the cuts", Value: money(r.CostAfterCuts.MonthlyCost) + "/month", Detail: money(r.Cost.MonthlyCost) + " − " + money(r.Saving), Status: report.OK})
	v, st = demoSurvives(r.AfterCuts)
	text := fmt.Sprintf("The cuts save %s of the %s bill: %s a month after them, and the system with every cut applied %s (simulated).",
		money(r.Saving), money(r.Cost.MonthlyCost), money(r.CostAfterCuts.MonthlyCost), v)
	if r.Plan != nil && r.Plan.Recommended != nil {
		text += fmt.Sprintf(" App and money cost %s with the cluster fee after the cuts, against %s as planned: the cuts trim the panic configuration; the plan starts again from the system as launched.",
			money(demoSystemCost(r.CostAfterCuts)), money(r.Plan.Recommended.MonthlyCost))
	}
	cutSec.Verdict = &report.Verdict{Status: st, Text: text}
	cutSec.Tables = append([]report.Table{demoScenarioTable("Every scenario, before and after the cuts", r.Panic, r.AfterCuts)}, cutSec.Tables...)
	if len(r.Cuts.Skipped) > 0 {
		sk := report.Table{Title: "Not offered", Columns: []string{"Workload", "Why"}}
		for _, s := range r.Cuts.Skipped {
			sk.Rows = append(sk.Rows, []string{s.Namespace + "/" + s.Workload, s.Reason})
		}
		cutSec.Tables = append(cutSec.Tables, sk)
	}
	cutSec.Notes = append(append(r.reproduceNotes("cuts"), "The usage behind the cuts is the demo's (see the last note), not Prometheus's: headroom rightsize reads it from Prometheus, so this step has no command to reproduce it here."), cutSec.Notes...)
	cutSec.Notes = append(cutSec.Notes, r.Cuts.Notes...)
	doc.Sections = append(doc.Sections, cutSec)
	return doc
}

// demoLiveVerdict is the live spike's verdict against the SLOs, as slo
// check gives it: met, missed or no_data, the worst of the objectives.
func demoLiveVerdict(r *demoRun) string {
	out := string(slo.Met)
	for _, b := range r.Budget {
		switch b.Verdict {
		case string(slo.Missed):
			return b.Verdict
		case string(slo.NoData):
			out = b.Verdict
		}
	}
	return out
}

// demoStoryIntro tells the story in a few sentences, with the figures of
// the sections below.
func demoStoryIntro(r *demoRun) string {
	cur := r.Cost.Currency
	text := fmt.Sprintf("Live, the TV spike %s the SLOs. At production scale, the system as launched: %s. The panic scale-up %s at %s a month; the safe cuts bring it to %s.",
		map[bool]string{true: "met", false: "missed"}[demoLiveVerdict(r) == string(slo.Met)], r.Launched.verdicts(),
		map[bool]string{true: "survives", false: "still fails"}[r.Panic.SLOMet], report.Money(r.Cost.MonthlyCost, cur), report.Money(r.CostAfterCuts.MonthlyCost, cur))
	if r.Plan != nil {
		text += " The plan: " + planVerdict(r.Plan) + "."
	}
	return text
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
