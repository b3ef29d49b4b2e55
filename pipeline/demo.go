package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"time"

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
	"github.com/headroom-sre/headroom/review"
	"github.com/headroom-sre/headroom/rightsize"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
	"github.com/headroom-sre/headroom/units"
)

// ExitVerdictFailed is the exit status of a command whose verdict fails;
// the demo records it beside each command that reproduces its figures.
const ExitVerdictFailed = 3

// DemoSteps is the number of steps of the demo's story.
const DemoSteps = 8

// DemoConfig is a run of the demo: the whole pipeline on the built-in
// sample system, on loopback.
type DemoConfig struct {
	// Out is the directory the demo writes its files to.
	Out string
	// Hold is the length of each capacity step; SpikeFor the length of
	// the live TV-spike load test.
	Hold, SpikeFor time.Duration
	// NoPlan skips the planner.
	NoPlan bool
	// Version is headroom's version, stamped on the load tests' results.
	Version string
}

// DemoServers is the sample system listening on loopback.
type DemoServers struct {
	// MoneyURL and AppURL are where money and app listen
	// (http://host:port).
	MoneyURL, AppURL string
	// System is the sample system served.
	System *demo.System
	// Shutdown stops both servers gracefully.
	Shutdown func(context.Context)
}

// DemoEnv is what the demo reaches beyond values: the files it reads and
// writes, the servers it measures, the clock, the words of the command
// lines that reproduce its figures and someone watching its progress.
type DemoEnv struct {
	// Files reads back the files the demo wrote (System files and the
	// capacity profiles they name).
	Files Files
	// Outputs writes them.
	Outputs Outputs
	// Serve starts the sample system with cfg on free loopback ports.
	Serve func(ctx context.Context, cfg demo.Config) (*DemoServers, error)
	// Clock stamps the report and the usage history.
	Clock Clock
	// Commands spell the command lines that reproduce each figure.
	Commands DemoCommands
	// Observer follows the demo's progress; nil watches nothing.
	Observer DemoObserver
}

// Outputs writes the files a use case produces. Names are as the use
// case builds them from its configured directory.
type Outputs interface {
	// WriteFile writes a whole file, creating its directory.
	WriteFile(name string, data []byte) error
	// Create opens a file to stream into, creating its directory.
	Create(name string) (io.WriteCloser, error)
}

// DemoCommands spell, in the command line's words, the commands that
// reproduce the demo's figures.
type DemoCommands interface {
	// SLORules turns the SLO file into Prometheus rules.
	SLORules(sloFile string) string
	// SLOCheck judges a load test's results file against the SLO file.
	SLOCheck(sloFile, results string) string
	// Report re-renders a load test's results file.
	Report(results string) string
	// Sim simulates every scenario of a System file.
	Sim(systemFile string) string
	// Plan plans a System file; surprise plans every event as a surprise.
	Plan(systemFile string, surprise bool) string
	// Cost prices a cluster snapshot on Autopilot.
	Cost(snapshot string) string
	// Review reviews a System file's readiness with the SLO file.
	Review(systemFile, sloFile string) string
	// Rightsize finds the safe cuts of a cluster snapshot on Autopilot
	// from a usage file, checked against a System file's scenarios.
	Rightsize(snapshot, usage, systemFile string) string
	// Capacity measures one replica's capacity at url against the
	// demo's objectives (p99 ≤ 100ms, errors ≤ 0.1%).
	Capacity(url string) string
}

// DemoObserver follows the demo as it goes.
type DemoObserver interface {
	// Step starts step n of DemoSteps.
	Step(n int, title string)
	// Say reports a line of progress.
	Say(line string)
	// CapacityStep reports one step of a capacity search of component
	// ("gen" for the load generator's own reach).
	CapacityStep(component string, st capacity.StepResult)
	// LoadStarted starts a live load test of shape: onInterval sees each
	// second, done its end.
	LoadStarted(shape traffic.Shape) (onInterval func(*stats.Interval), done func())
	// PlanStarted starts a plan's search.
	PlanStarted() (update func(plan.Progress), done func())
}

// InterruptedError is a run cut short (by Ctrl-C) after it had written
// partial results.
type InterruptedError struct {
	// Partial names the file holding what was measured until then.
	Partial string
}

func (e *InterruptedError) Error() string { return "interrupted" }

// CPUFunc reads a process's CPU time, in seconds: a capacity search's CPU
// source from a plain function.
type CPUFunc func(ctx context.Context) (float64, error)

// CPUSeconds calls f.
func (f CPUFunc) CPUSeconds(ctx context.Context) (float64, error) { return f(ctx) }

// quietObserver watches nothing.
type quietObserver struct{}

func (quietObserver) Step(int, string)                         {}
func (quietObserver) Say(string)                               {}
func (quietObserver) CapacityStep(string, capacity.StepResult) {}
func (quietObserver) LoadStarted(traffic.Shape) (func(*stats.Interval), func()) {
	return func(*stats.Interval) {}, func() {}
}
func (quietObserver) PlanStarted() (func(plan.Progress), func()) {
	return func(plan.Progress) {}, func() {}
}

// demoRunner is one run of the demo.
type demoRunner struct {
	cfg DemoConfig
	env DemoEnv
	r   *DemoResult
}

// sayf reports a line of progress.
func (d *demoRunner) sayf(format string, args ...any) {
	d.env.Observer.Say(fmt.Sprintf(format, args...))
}

// write writes a file into the output directory and lists it.
func (d *demoRunner) write(name string, data []byte) error {
	p := filepath.Join(d.cfg.Out, name)
	if err := d.env.Outputs.WriteFile(p, data); err != nil {
		return err
	}
	d.r.Files = append(d.r.Files, p)
	return nil
}

// Demo runs headroom's whole pipeline on the built-in sample of a small
// fintech backend, on loopback, with no cluster: it measures the capacity
// of one replica of each component, models the SLOs as Prometheus rules,
// load-tests a TV spike live and judges it against the SLOs, simulates
// the broadcast at production scale on the system as launched and after
// the panic scale-up, prices the latter, plans the cheapest configuration
// that survives, and applies the safe cuts of the panic scale-up. Every
// figure comes with the command that reproduces it. The files it writes
// go to cfg.Out; the report is the result's Document.
func Demo(ctx context.Context, cfg DemoConfig, env DemoEnv) (*DemoResult, error) {
	if env.Observer == nil {
		env.Observer = quietObserver{}
	}
	if env.Clock == nil {
		env.Clock = SystemClock{}
	}
	began := time.Now()
	r := &DemoResult{Out: cfg.Out, Capacity: map[string]*capacity.Profile{}, PerReplica: map[string]*DemoReplica{}, commands: env.Commands}
	d := &demoRunner{cfg: cfg, env: env, r: r}
	obs := env.Observer

	sampleCfg := demo.DefaultConfig()
	servers, err := env.Serve(ctx, sampleCfg)
	if err != nil {
		return nil, err
	}
	defer func() { servers.Shutdown(context.WithoutCancel(ctx)) }() // the servers running at the end

	// 1. Capacity of one replica of each component, on a sample system
	// sized to what this machine's generator can drive.
	obs.Step(1, "measure: the capacity knee of one replica of money and of app")
	cal, err := d.calibrate(ctx, servers.MoneyURL+"/healthz", sampleCfg)
	if err != nil {
		return nil, err
	}
	r.Calibration = cal
	if cal.Scale < 1 {
		scaled := demo.Calibrate(sampleCfg, cal.GeneratorRate).Config
		next, err := env.Serve(ctx, scaled)
		if err != nil {
			return nil, err
		}
		servers.Shutdown(context.WithoutCancel(ctx))
		servers = next
	}
	d.sayf("  sample system on loopback: money %s, app %s", servers.MoneyURL, servers.AppURL)
	run := servers.System.Config()
	for _, c := range []struct {
		name, url string
		comp      *demo.Component
		rep       DemoReplica
	}{
		{"money", servers.MoneyURL + "/value", servers.System.Money(), DemoReplica{ByConstruction: run.Money.Capacity(),
			Construction: fmt.Sprintf("%d workers × %v", run.Money.Workers, run.Money.MinServiceTime), Latency: run.Money.MinServiceTime.Seconds(),
			CPUPerRequest: demoMoneyCPU.Seconds()}},
		{"app", servers.AppURL + "/api/home", servers.System.App(), DemoReplica{ByConstruction: run.App.HomeCapacity(),
			Construction: fmt.Sprintf("%d workers, %v I/O wait each", run.App.Workers, run.App.IOWait), Latency: run.App.IOWait.Seconds(),
			CPUPerRequest: demoAppCPU.Seconds()}},
	} {
		p, rep, err := d.capacity(ctx, c.name, c.url, c.comp, c.rep)
		if err != nil {
			return nil, err
		}
		r.Capacity[c.name], r.PerReplica[c.name] = p, rep
		r.Fallback = r.Fallback || rep.Source == demoFallback
		data, err := profileJSON(p)
		if err != nil {
			return nil, err
		}
		if err := d.write(c.name+".capacity.json", data); err != nil {
			return nil, err
		}
	}

	// 2. SLOs and their Prometheus rules.
	obs.Step(2, "model: the SLOs agreed with management, as Prometheus rules")
	sloText := demoSLOFile(env.Commands)
	if err := d.write("slo.yaml", []byte(sloText)); err != nil {
		return nil, err
	}
	docs, err := spec.Parse(filepath.Join(cfg.Out, "slo.yaml"), []byte(sloText))
	if err != nil {
		return nil, err
	}
	set, err := spec.SLOs(docs)
	if err != nil {
		return nil, err
	}
	rules, err := promrule.Generate(set.SLOs, promrule.Options{Runbook: "https://runbooks.example.com/fintech/%s"})
	if err != nil {
		return nil, err
	}
	rulesYAML, err := rules.YAML()
	if err != nil {
		return nil, err
	}
	if err := d.write("slo-rules.yaml", rulesYAML); err != nil {
		return nil, err
	}
	board, err := dashboard.Grafana(set.SLOs, dashboard.Options{Source: "slo.yaml"})
	if err != nil {
		return nil, err
	}
	if err := d.write("slo-dashboard.json", board); err != nil {
		return nil, err
	}
	windows := map[time.Duration]bool{}
	for _, s := range set.SLOs {
		for _, w := range s.AlertWindows() {
			windows[w] = true
		}
	}
	r.command("slo", env.Commands.SLORules(filepath.Join(cfg.Out, "slo.yaml")), 0)
	d.sayf("  %d SLOs → %s (recording rules for %d windows, page and ticket burn-rate alerts) and a Grafana dashboard, %s",
		len(set.SLOs), filepath.Join(cfg.Out, "slo-rules.yaml"), len(windows), filepath.Join(cfg.Out, "slo-dashboard.json"))

	// 3. The TV spike, live, judged as the SLO check of a results file
	// judges it.
	obs.Step(3, fmt.Sprintf("measure: a TV-broadcast spike against the app, live (%s)", cfg.SpikeFor))
	if err := d.spike(ctx, servers.AppURL+"/"); err != nil {
		return nil, err
	}
	r.Files = append(r.Files, filepath.Join(cfg.Out, "spike.jsonl"))
	if err := d.judgeSpike(set.SLOs); err != nil {
		return nil, err
	}
	for _, b := range r.Budget {
		d.sayf("  %s: %s (SLI %s over the run, objective %s); at the everyday rate it would be %s of the 30-day error budget",
			b.Name, strings.ToUpper(b.Verdict), units.Percent(b.SLI), b.Objective, units.Percent(b.Burned))
	}

	// 4. The broadcast at production scale, as launched, simulated.
	obs.Step(4, fmt.Sprintf("decide: the broadcast at production scale (%g×), simulated on the system as launched", demoSpikeFactor))
	appAt, moneyAt := demoLaunched()
	launched, err := d.stage(ctx, "as-launched", "system.yaml",
		demoSystemFile(demoLaunchedHeader(env.Commands), demoCapacityYAML("money", r.PerReplica["money"]), demoCapacityYAML("app", r.PerReplica["app"]), appAt, moneyAt))
	if err != nil {
		return nil, err
	}
	r.Launched = launched
	r.Sim = launched.results[0]
	r.command("launched", launched.Command, launched.Exit)
	d.sayf("  %s", launched.verdicts())
	// What the team wished it had checked before the launch.
	systemFile, sloFile := filepath.Join(cfg.Out, "system.yaml"), filepath.Join(cfg.Out, "slo.yaml")
	if r.Review, err = Review(ctx, env.Files, ReviewConfig{System: SystemConfig{File: systemFile, Prices: PriceConfig{Currency: "USD"}}, SLOFile: sloFile}); err != nil {
		return nil, err
	}
	exit := 0
	if r.Review.Verdict != review.Go {
		exit = ExitVerdictFailed
	}
	r.command("review", env.Commands.Review(systemFile, sloFile), exit)
	d.sayf("  readiness review before the launch: %s (%s)", strings.ToUpper(string(r.Review.Verdict)), strings.Join(r.Review.Reasons, "; "))

	// 5. The panic scale-up, simulated, and its bill.
	obs.Step(5, "decide: the panic scale-up after the broadcast, simulated, and its bill")
	ws := demoPanicCluster(r.cpuPerRequest("app"), r.cpuPerRequest("money"))
	if r.Panic, err = d.stage(ctx, "panic", "system.panic.yaml", demoSystemFile(demoPanicHeader(env.Commands),
		demoCapacityYAML("money", r.PerReplica["money"]), demoCapacityYAML("app", r.PerReplica["app"]),
		demoWorkloadNamed(ws, "app").deploy(), demoWorkloadNamed(ws, "money").deploy())); err != nil {
		return nil, err
	}
	r.command("panic", r.Panic.Command, r.Panic.Exit)
	if r.Cost, err = d.bill("cluster.yaml", ws); err != nil {
		return nil, err
	}
	r.command("panic", env.Commands.Cost(filepath.Join(cfg.Out, "cluster.yaml")), 0)
	d.sayf("  %s; the bill: %s a month", r.Panic.verdicts(), units.Money(r.Cost.MonthlyCost, r.Cost.Currency))

	// 6. The plan.
	if !cfg.NoPlan {
		obs.Step(6, "decide: the cheapest configuration that survives")
		if err := d.plan(ctx, launched); err != nil {
			return nil, err
		}
		d.sayf("  %s", planVerdict(r.Plan))
	} else {
		obs.Step(6, "decide: planning skipped, as asked")
	}

	// 7. The safe cuts, applied to the panic system and simulated.
	obs.Step(7, "decide: which cuts of the panic scale-up are safe, applied and simulated")
	if err := d.cuts(ctx, ws); err != nil {
		return nil, err
	}
	d.sayf("  %s of %s a month cut: %s after the cuts; %s", units.Money(r.Saving, r.Cost.Currency), units.Money(r.Cost.MonthlyCost, r.Cost.Currency),
		units.Money(r.CostAfterCuts.MonthlyCost, r.Cost.Currency), r.AfterCuts.verdicts())

	// 8. The report: the caller renders the result's Document.
	obs.Step(8, "report: "+filepath.Join(cfg.Out, "report.html"))
	r.Elapsed = time.Since(began).Seconds()
	r.Generated = env.Clock.Now()
	return r, nil
}

// Document is the demo's report: one story on one system, each section
// with the commands that reproduce its figures.
func (r *DemoResult) Document() report.Document { return demoDocument(r, r.Generated, r.commands) }

// DemoResult is what the pipeline measured and decided, and where it wrote it.
type DemoResult struct {
	Out   string   `json:"out"`
	Files []string `json:"files"`
	// Calibration is how the sample system was sized for this machine.
	Calibration DemoCalibration `json:"calibration"`
	// Capacity holds the profiles as measured, lower bounds included;
	// PerReplica the capacity the demo went on with, measured or the
	// marked fallback.
	Capacity   map[string]*capacity.Profile `json:"capacity"`
	PerReplica map[string]*DemoReplica      `json:"per_replica"`
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
	Launched *DemoStage `json:"as_launched"`
	// Review is the readiness review of the system as launched, with the
	// SLO file: what the team wished it had checked before the launch.
	Review *ReviewResult `json:"review"`
	Panic  *DemoStage    `json:"panic"`
	Plan   *plan.Result  `json:"plan,omitempty"`
	// PlanSurprise is the same plan with every event a surprise (no
	// pre-scaling), as `headroom plan --unannounced all` makes it.
	PlanSurprise *plan.Result `json:"plan_surprise,omitempty"`
	Planned      *DemoStage   `json:"planned,omitempty"`
	AfterCuts    *DemoStage   `json:"after_cuts"`
	// Cost is the panic cluster's bill, Cuts the safe cuts found in it,
	// CostAfterCuts the bill with them applied and Saving the difference.
	Cost          *rightsize.CostReport `json:"cost"`
	Cuts          *rightsize.Report     `json:"rightsize"`
	CostAfterCuts *rightsize.CostReport `json:"cost_after_cuts"`
	Saving        float64               `json:"saving"`
	// Reproduce are the commands that reproduce the report's figures,
	// by section, with the exit code each verdict implies.
	Reproduce []DemoCommand `json:"reproduce"`
	Elapsed   float64       `json:"elapsed_s"`
	// Generated is when the demo finished: the report's date.
	Generated time.Time `json:"-"`

	run      *stats.Run
	commands DemoCommands
}

// DemoCalibration is how the demo sized its sample system to what this
// machine's load generator can drive. Rates are per second.
type DemoCalibration struct {
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

// DemoReplica is the capacity of one replica the demo went on with.
type DemoReplica struct {
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

// Sources of a DemoReplica's capacity and CPU.
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

// demoCalibrate measures how fast this machine's load generator can send
// (against a health check, which does no work) and sizes the sample
// system to fit: see demo.Calibrate.
func (d *demoRunner) calibrate(ctx context.Context, url string, cfg demo.Config) (DemoCalibration, error) {
	hold := d.cfg.Hold
	need := demo.Calibrate(cfg, math.Inf(1)).Need
	base := load.Config{Targets: []load.Target{{URL: url}}, Timeout: 2 * time.Second, Version: d.cfg.Version, LateThreshold: demoLateAfter}
	reach, err := capacity.GeneratorReach(ctx, &LoadProber{Base: base}, capacity.ReachConfig{
		Max: need, Hold: min(max(hold/2, 500*time.Millisecond), time.Second), Retries: demoGeneratorRetries, Target: url,
		OnStep: func(st capacity.StepResult) { d.env.Observer.CapacityStep("gen", st) },
	})
	if err != nil {
		return DemoCalibration{}, fmt.Errorf("measuring the load generator: %w", err)
	}
	cal := demo.Calibrate(cfg, reach.Rate)
	if reach.AtMax {
		cal = demo.Calibrate(cfg, math.Inf(1))
		cal.GeneratorRate = reach.Rate
	}
	out := DemoCalibration{GeneratorRate: reach.Rate, GeneratorAtMax: reach.AtMax, Need: cal.Need, Scale: cal.Scale,
		MoneyCapacity: cal.Config.Money.Capacity(), AppCapacity: cal.Config.App.HomeCapacity()}
	if cal.Scale < 1 {
		d.sayf("  the load generator holds %s here, below the %s the sample needs: the sample runs at %s of its capacity (money %s, app %s by construction)",
			units.Rate(reach.Rate), units.Rate(cal.Need), units.Percent(cal.Scale), units.Rate(out.MoneyCapacity), units.Rate(out.AppCapacity))
	} else {
		d.sayf("  the load generator holds %s here: enough for the sample system as built", units.Rate(reach.Rate))
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
func (d *demoRunner) capacity(ctx context.Context, name, url string, comp *demo.Component, rep DemoReplica) (*capacity.Profile, *DemoReplica, error) {
	hold := d.cfg.Hold
	objectives, _ := stats.ParseThresholds("p99<=100ms,errors<=0.1%")
	cfg := capacity.Config{
		SLO: objectives, Hold: hold, WarmUp: 2 * hold, Cooldown: hold / 2, Target: name + " " + url,
		GeneratorRetries: demoGeneratorRetries,
		CPU:              CPUFunc(func(context.Context) (float64, error) { return comp.CPUSeconds(), nil }),
		CPURequest:       0.25,
		OnStep:           func(st capacity.StepResult) { d.env.Observer.CapacityStep(name, st) },
	}
	base := load.Config{Targets: []load.Target{{URL: url}}, Timeout: CapacityTimeout(objectives), Version: d.cfg.Version, LateThreshold: demoLateAfter}
	res, err := capacity.Search(ctx, &LoadProber{Base: base}, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("capacity of %s: %w", name, err)
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
		d.sayf("  %-5s → FALLBACK: %s per replica by construction (%s), NOT measured: %s; %s", name, units.Rate(rep.Rate), rep.Construction, rep.Reason, cpu)
		return &p, &rep, nil
	}
	d.sayf("  %-5s → %s per replica, limited by %s; %s", name, units.Rate(p.MaxRate), p.LimitedBy, cpu)
	return &p, &rep, nil
}

// demoSpike load-tests the app with a TV-broadcast shape sized on the
// capacity just measured: the peak is twice what the mix can take.
func (d *demoRunner) spike(ctx context.Context, url string) error {
	r := d.r
	mix := r.PerReplica["money"].Rate / demoMoneyShare
	if app := r.PerReplica["app"].Rate; app < mix {
		mix = app
	}
	peak := math.Round(2 * mix)
	base := math.Round(peak / demoSpikeFactor)
	length := d.cfg.SpikeFor
	shape, err := traffic.Spike(traffic.SpikeConfig{Base: base, Peak: peak, At: length / 8, Rise: length / 8, Hold: length / 4, Decay: length / 8, For: length})
	if err != nil {
		return err
	}
	d.sayf("  %s (peak %s, twice what the mix can take)", shape, units.Rate(peak))
	spikeFile := filepath.Join(d.cfg.Out, "spike.jsonl")
	out, err := d.env.Outputs.Create(spikeFile)
	if err != nil {
		return err
	}
	defer out.Close()
	rw := stats.NewWriter(out)
	ths, _ := stats.ParseThresholds("p99<300ms,errors<0.1%")
	onInterval, loadDone := d.env.Observer.LoadStarted(shape)
	cfg := load.Config{Targets: []load.Target{{Name: "app", URL: url}}, Shape: shape, Timeout: 5 * time.Second, Version: d.cfg.Version,
		OnStart:    func(h *stats.Header) { _ = rw.WriteHeader(h) },
		OnInterval: func(iv *stats.Interval) { _ = rw.WriteInterval(iv); onInterval(iv) }}
	run, err := load.Run(ctx, cfg)
	loadDone()
	if run != nil {
		sum := run.Summary()
		run.Thresholds = stats.Evaluate(ths, &sum.Stats)
		if werr := rw.WriteSummary(run); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return &InterruptedError{Partial: spikeFile}
		}
		return err
	}
	r.run, r.Spike = run, run.Summary()
	exit := 0
	if len(stats.Failed(run.Thresholds)) > 0 || (r.Spike.Requests > 0 && r.Spike.ErrorRatio >= 1) {
		exit = ExitVerdictFailed
	}
	r.command("load", d.env.Commands.Report(spikeFile), exit)
	d.sayf("  %s requests, %s failed, p99 %s (uncorrected %s)", units.Count(float64(r.Spike.Requests)),
		units.Percent(r.Spike.ErrorRatio), units.Seconds(r.Spike.Latency.P99), units.Seconds(r.Spike.LatencyUncorrected.P99))
	return nil
}

// DemoStage is one configuration of the demo system in the story — as
// launched, after the panic scale-up, as planned, after the safe cuts —
// simulated through every scenario of its System file, as `headroom sim
// -f File` simulates it.
type DemoStage struct {
	Name string `json:"name"`
	// File is the System file; Command the command line that reproduces
	// the simulation, and Exit its exit code (3 when a scenario misses
	// the SLO).
	File    string `json:"file"`
	Command string `json:"command"`
	Exit    int    `json:"exit"`
	// SLOMet is true when every scenario met the SLO.
	SLOMet    bool           `json:"slo_met"`
	Scenarios []DemoScenario `json:"scenarios"`

	results []*sim.Result
	notes   []string
	system  *System
}

// DemoScenario is one scenario's verdict on a stage.
type DemoScenario struct {
	Name string `json:"name"`
	// Event is "announced" (pre-scaling applied before it) or "surprise".
	Event        string   `json:"event"`
	SLOMet       bool     `json:"slo_met"`
	BudgetBurned float64  `json:"budget_burned"`
	Requests     float64  `json:"requests"`
	Failed       float64  `json:"failed"`
	FirstBreach  *float64 `json:"first_breach_s"`
}

// DemoCommand is a command line that reproduces figures of a section of
// the demo's report, and the exit code its verdict implies.
type DemoCommand struct {
	Section string `json:"section"`
	Command string `json:"command"`
	Exit    int    `json:"exit"`
}

// command records a command that reproduces figures of section.
func (r *DemoResult) command(section, line string, exit int) {
	r.Reproduce = append(r.Reproduce, DemoCommand{Section: section, Command: line, Exit: exit})
}

// reproduceNotes are the commands that reproduce section, as notes.
func (r *DemoResult) reproduceNotes(section string) []string {
	var out []string
	for _, c := range r.Reproduce {
		if c.Section != section {
			continue
		}
		why := "exit 0"
		if c.Exit == ExitVerdictFailed {
			why = "exit 3: the verdict fails, as above"
		}
		out = append(out, fmt.Sprintf("Reproduce: %s (%s)", c.Command, why))
	}
	return out
}

// cpuPerRequest is the CPU per request the demo went on with for a
// component, in seconds.
func (r *DemoResult) cpuPerRequest(name string) float64 {
	if rep := r.PerReplica[name]; rep != nil && rep.CPUPerRequest > 0 {
		return rep.CPUPerRequest
	}
	return 0.002
}

// verdicts says how the stage fared in each scenario.
func (s *DemoStage) verdicts() string {
	var parts []string
	for _, sc := range s.Scenarios {
		v := "survives"
		if !sc.SLOMet {
			v = "fails"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s of the error budget)", sc.Name, v, units.Percent(sc.BudgetBurned)))
	}
	return strings.Join(parts, "; ")
}

// scenario returns the stage's verdict on the scenario called name.
func (s *DemoStage) scenario(name string) (DemoScenario, bool) {
	if s == nil {
		return DemoScenario{}, false
	}
	for _, sc := range s.Scenarios {
		if sc.Name == name {
			return sc, true
		}
	}
	return DemoScenario{}, false
}

// DemoStage writes a System file of the story and simulates it.
func (d *demoRunner) stage(ctx context.Context, name, file, text string) (*DemoStage, error) {
	if err := d.write(file, []byte(text)); err != nil {
		return nil, err
	}
	return d.simulate(ctx, name, filepath.Join(d.cfg.Out, file))
}

// demoSimulate simulates every scenario of the System file at path, as
// `headroom sim -f path` does (through the same pipeline), keeping a
// timeline for the report's charts.
func (d *demoRunner) simulate(ctx context.Context, name, path string) (*DemoStage, error) {
	sys, err := ReadSystem(d.env.Files, SystemConfig{File: path, Prices: PriceConfig{Currency: "USD"}})
	if err != nil {
		return nil, err
	}
	res, err := SimulateSystem(ctx, sys, SimulateConfig{TimelineStep: 10 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("simulate %s: %w", path, err)
	}
	st := &DemoStage{Name: name, File: path, Command: d.env.Commands.Sim(path), SLOMet: res.SLOMet,
		results: res.Scenarios, notes: res.Notes(), system: sys}
	if !res.SLOMet {
		st.Exit = ExitVerdictFailed
	}
	for _, sc := range res.Scenarios {
		st.Scenarios = append(st.Scenarios, DemoScenario{Name: sc.Scenario, Event: sc.Event, SLOMet: sc.SLOMet, BudgetBurned: sc.BudgetBurned,
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
func (d *demoRunner) judgeSpike(slos []slo.SLO) error {
	r := d.r
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
			exit = ExitVerdictFailed
		}
	}
	r.command("slo", d.env.Commands.SLOCheck(filepath.Join(r.Out, "slo.yaml"), filepath.Join(r.Out, "spike.jsonl")), exit)
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
func (d *demoRunner) bill(file string, ws []demoWorkload) (*rightsize.CostReport, error) {
	cluster, err := d.cluster(file, ws)
	if err != nil {
		return nil, err
	}
	return rightsize.Cost(cluster, nil, demoCostOptions())
}

// demoCluster writes a snapshot of the workloads to file and reads it
// back as a cluster.
func (d *demoRunner) cluster(file string, ws []demoWorkload) (*rightsize.Cluster, error) {
	snap, err := demoSnapshot(ws)
	if err != nil {
		return nil, err
	}
	if err := d.write(file, snap); err != nil {
		return nil, err
	}
	objs, err := kube.ReadSnapshot(filepath.Join(d.cfg.Out, file), snap)
	if err != nil {
		return nil, err
	}
	return objs.Cluster(""), nil
}

// demoPlan plans the system as launched, as `headroom plan -f
// system.yaml` does, writes the plan's files, and simulates the
// recommended System file through the same scenarios.
func (d *demoRunner) plan(ctx context.Context, launched *DemoStage) error {
	r := d.r
	sys := launched.system
	sf := sys.File
	prob := plan.Problem{System: sf.System}
	for _, s := range sf.Scenarios {
		prob.Scenarios = append(prob.Scenarios, plan.Scenario{Scenario: s})
	}
	update, planDone := d.env.Observer.PlanStarted()
	res, err := plan.Plan(ctx, prob, plan.Options{Progress: update, Resolution: sim.DefaultResolution, Tolerance: plan.DefaultTolerance})
	planDone()
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	res.Notes = append(append(append([]string(nil), sf.Notes...), sys.PriceNotes...), res.Notes...)
	r.Plan = res
	exit := 0
	if res.Recommended == nil {
		exit = ExitVerdictFailed
	}
	r.command("plan", d.env.Commands.Plan(launched.File, false), exit)
	// The same plan for a surprise: every event unannounced, so nothing
	// may be pre-scaled, as `headroom plan --unannounced all` plans it.
	// Its cost against the plan's is the price of not knowing the date.
	surprise := prob
	surprise.Scenarios = append([]plan.Scenario(nil), prob.Scenarios...)
	for i := range surprise.Scenarios {
		surprise.Scenarios[i].Unannounced = true
	}
	update, planDone = d.env.Observer.PlanStarted()
	sur, err := plan.Plan(ctx, surprise, plan.Options{Progress: update, Resolution: sim.DefaultResolution, Tolerance: plan.DefaultTolerance})
	planDone()
	if err != nil {
		return fmt.Errorf("plan for a surprise: %w", err)
	}
	r.PlanSurprise = sur
	exit = 0
	if sur.Recommended == nil {
		exit = ExitVerdictFailed
	}
	r.command("plan", d.env.Commands.Plan(launched.File, true), exit)
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
	outputs, err := PlanFiles(sys.Document, res.Recommended, manifests, dir)
	if err != nil {
		return err
	}
	for _, o := range outputs {
		if err := d.write(filepath.Join("plan", o.Name), o.Data); err != nil {
			return err
		}
	}
	if r.Planned, err = d.simulate(ctx, "planned", filepath.Join(r.Out, "plan", "system.recommended.yaml")); err != nil {
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
func (d *demoRunner) cuts(ctx context.Context, ws []demoWorkload) error {
	r := d.r
	snap, err := demoSnapshot(ws)
	if err != nil {
		return err
	}
	objs, err := kube.ReadSnapshot(filepath.Join(r.Out, "cluster.yaml"), snap)
	if err != nil {
		return err
	}
	cluster := objs.Cluster("")
	history := demoUsage(ws, d.env.Clock.Now())
	usageFile, err := history.File()
	if err != nil {
		return err
	}
	if err := d.write("usage.json", usageFile); err != nil {
		return err
	}
	usage, _ := history.ByWorkload(cluster)
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
		if r.AfterCuts, err = d.stage(ctx, "after-cuts", "system.cuts.yaml", demoSystemFile(demoCutsHeader(d.env.Commands),
			demoCapacityYAML("money", r.PerReplica["money"]), demoCapacityYAML("app", r.PerReplica["app"]),
			demoWorkloadNamed(after, "app").deploy(), demoWorkloadNamed(after, "money").deploy())); err != nil {
			return err
		}
		broke := demoBroke(r.Panic, r.AfterCuts)
		if broke == "" || !demoWithdrawCut(r.Cuts, broke) {
			break
		}
	}
	r.command("cuts", d.env.Commands.Rightsize(filepath.Join(r.Out, "cluster.yaml"), filepath.Join(r.Out, "usage.json"), r.Panic.File), 0)
	r.command("cuts", r.AfterCuts.Command, r.AfterCuts.Exit)
	r.Cuts.Notes = append(r.Cuts.Notes, "Demo usage: CPU is the CPU per request measured on the sample system × 50 req/s of everyday traffic (its p99 and busiest minute taken as 2.2× and 3× the mean); memory figures, and the load-test runner left over from the panic serving no requests, are assumed, not measured.")
	patch, err := rightsize.Patches(r.Cuts.Recommendations)
	if err != nil {
		return err
	}
	if err := d.write("rightsize-patch.yaml", patch); err != nil {
		return err
	}
	if r.CostAfterCuts, err = d.bill("cluster.cuts.yaml", after); err != nil {
		return err
	}
	r.Saving = math.Round((r.Cost.MonthlyCost-r.CostAfterCuts.MonthlyCost)*100) / 100
	r.command("cuts", d.env.Commands.Cost(filepath.Join(r.Out, "cluster.cuts.yaml")), 0)
	return nil
}

// demoBroke names the first scenario that before met the SLO and after
// does not ("" when none).
func demoBroke(before, after *DemoStage) string {
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
