package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/demo"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/report"
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
               simulated on the system as launched (system.yaml), and the
               readiness review the team wished it had run before the launch
  5. decide    the panic scale-up after it (system.panic.yaml), simulated
               through the same scenarios, and its bill (cluster.yaml)
  6. decide    the cheapest configuration that survives (plan/)
  7. decide    the safe cuts of the panic scale-up, from its usage history
               (usage.json), applied to the same system (system.cuts.yaml,
               cluster.cuts.yaml), simulated through the same scenarios and
               priced again
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
	progress := a.stdio.Err
	if f.quiet {
		progress = io.Discard
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return withHint(err, "choose a writable directory with --out")
	}
	env := pipeline.DemoEnv{
		Files:    diskFiles{},
		Outputs:  demoOutputs{a},
		Serve:    serveDemo,
		Clock:    clockFunc(a.now),
		Commands: demoCommands{},
		Observer: &demoObserver{w: progress, quiet: f.quiet},
	}
	r, err := pipeline.Demo(ctx, pipeline.DemoConfig{Out: f.out, Hold: f.hold, SpikeFor: f.spikeFor, NoPlan: f.noPlan, Version: Version}, env)
	if err != nil {
		var ie *pipeline.InterruptedError
		if errors.As(err, &ie) {
			return withHint(err, "partial results are in "+ie.Partial)
		}
		return decideError(err)
	}
	doc := r.Document()
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

// serveDemo starts the sample system on free loopback ports.
func serveDemo(ctx context.Context, cfg demo.Config) (*pipeline.DemoServers, error) {
	d, err := startDemo(ctx, cfg, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &pipeline.DemoServers{MoneyURL: d.moneyURL, AppURL: d.appURL, System: d.sys, Shutdown: d.shutdown}, nil
}

// clockFunc is a pipeline.Clock from a function.
type clockFunc func() time.Time

// Now calls c.
func (c clockFunc) Now() time.Time { return c() }

// demoOutputs writes the demo's files to disk.
type demoOutputs struct{ a *app }

func (o demoOutputs) WriteFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return withHint(err, "choose a writable directory with --out")
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return withHint(err, "choose a writable directory with --out")
	}
	return nil
}

func (o demoOutputs) Create(name string) (io.WriteCloser, error) { return o.a.createOutput(name) }

// demoCommands spell the commands that reproduce the demo's figures.
type demoCommands struct{}

func (demoCommands) SLORules(file string) string { return "headroom slo rules -f " + file }
func (demoCommands) SLOCheck(file, run string) string {
	return "headroom slo check -f " + file + " --run " + run
}
func (demoCommands) Report(run string) string { return "headroom report " + run }
func (demoCommands) Sim(file string) string   { return simCommand(file, nil) }
func (demoCommands) Cost(snapshot string) string {
	return "headroom cost --snapshot " + snapshot + " --mode autopilot"
}
func (demoCommands) Review(system, slo string) string {
	return "headroom review " + system + " --slo " + slo
}
func (demoCommands) Rightsize(snapshot, usage, system string) string {
	return "headroom rightsize --snapshot " + snapshot + " --usage " + usage + " --mode autopilot --system " + system
}
func (demoCommands) Plan(file string, surprise bool) string {
	cfg := pipeline.PlanConfig{}
	if surprise {
		cfg.Unannounced = []string{"all"}
	}
	return planCommand(file, cfg)
}
func (demoCommands) Capacity(url string) string {
	return "headroom capacity --url " + url + " --slo 'p99<=100ms,errors<=0.1%'"
}

// demoObserver prints the demo's progress on stderr.
type demoObserver struct {
	w     io.Writer
	quiet bool
}

func (o *demoObserver) Step(n int, title string) {
	fmt.Fprintf(o.w, "\n[%d/%d] %s\n", n, pipeline.DemoSteps, title)
}

func (o *demoObserver) Say(line string) { fmt.Fprintln(o.w, line) }

func (o *demoObserver) CapacityStep(component string, st capacity.StepResult) {
	fmt.Fprintf(o.w, "  %-5s %s\n", component, stepLine(st))
}

func (o *demoObserver) LoadStarted(shape traffic.Shape) (func(*stats.Interval), func()) {
	p := newProgress(o.w, o.quiet, shape, false, shape.Duration())
	return p.interval, p.done
}

func (o *demoObserver) PlanStarted() (func(plan.Progress), func()) {
	p := newPlanProgress(o.w, o.quiet)
	return p.update, p.done
}
