package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/internal/procfs"
	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/units"
)

type capacityFlags struct {
	targets targetFlags
	prom    promFlags

	objectives, sloFile, sloName string

	hold, warmUp, cooldown time.Duration
	precision              string
	startRate, maxRate     float64
	require                float64
	maxSteps               int
	noRepeat               bool

	pid        int
	cpuMetrics string
	cpuMetric  string
	cpuQuery   string
	cpuRequest string

	usl       bool
	uslLevels []int
	uslHold   time.Duration

	out, format string
	json, quiet bool
	html        string
	output      *formatValue // -o: text, json or yaml on stdout
}

func (a *app) newCapacityCmd() *cobra.Command {
	f := &capacityFlags{}
	cmd := &cobra.Command{
		Use:   "capacity (--url URL | -f scenario.yaml) --slo 'p99<=200ms,errors<=0.1%'",
		Short: "Find one replica's capacity knee within its SLO",
		Long: `Find the highest arrival rate one replica serves within its SLO while the load
generator keeps up (late and dropped sends below 1%), and what a request costs
in CPU. The result is a capacity profile (JSON, or YAML with --format yaml) that
headroom sim and headroom plan read.

The search:
  1. warms up with short closed-loop steps (1, 4, 16, 64 connections), which
     cannot overload the target, and starts from half the best throughput
     that met the SLO there;
  2. steps the open-model rate up ×2 until the SLO breaks (so no step is more
     than 2× past the knee);
  3. bisects to --precision (default 5%);
  4. repeats the points around the knee to tell noise from a real limit.
A step far past the knee is cut short, and the target gets --cooldown to
drain before the next one. With the default 10 s steps a search typically
takes 1–3 minutes and at most --max-steps (12) steps.

The SLO is --slo (latency bounds at quantiles and an error-ratio bound, as in
headroom load --threshold) or --slo-file (an OpenSLO or headroom SLO file:
availability becomes an error bound, a latency objective "X% under T" becomes
pX<=T).

CPU per request is measured when the target's CPU can be observed: --pid
(a local process, from /proc), --cpu-metrics (its /metrics page,
process_cpu_seconds_total) or --cpu-query with --prometheus (a PromQL
expression giving cumulative CPU seconds; use steps of a minute or more so the
scrapes keep up).

A step the load generator could not hold (late and dropped sends above 1%)
is run again once; if it still cannot, the search ends there and the result
is only a lower bound: the profile says limited_by: generator and
lower_bound: true. A search that runs out of --max-steps before the SLO
breaks says limited_by: inconclusive, also a lower bound. headroom sim, plan
and System files refuse a lower-bound profile unless told to accept it
(--accept-lower-bound, or acceptLowerBound: true next to the profile).

Exit status:
  0  the knee was found (limited by latency or errors), or the SLO held up
     to --max-rate
  1  the target gave no HTTP answer (closed port, unknown host, TLS failure),
     or the search failed
  2  bad flags or input
  3  the SLO does not hold even at the lowest rate; the capacity is below
     --require; or the result is only a lower bound (generator-limited or
     inconclusive) — unless --require is given and the lower bound meets it.
--html FILE also writes the result as a single-file HTML report.
The profile (--out, --json) is written whatever the verdict, and when the
search is interrupted; not when the target never answered.`,
		Example: `  headroom capacity --url http://127.0.0.1:8081/value --slo 'p99<=200ms,errors<=0.1%'
  headroom capacity -f mix.yaml --slo-file slo.yaml --pid $(pgrep money) --cpu-request 1 --out money.json
  headroom capacity --url http://127.0.0.1:8080/ --slo 'errors<=1%' --usl --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runCapacity(cmd, f) },
	}
	fl := cmd.Flags()
	f.targets.register(fl)
	fl.StringVar(&f.objectives, "slo", "", "objectives, e.g. 'p99<=200ms,errors<=0.1%' (latency quantiles p50…p999, mean, max; errors)")
	fl.StringVar(&f.sloFile, "slo-file", "", "an SLO file (OpenSLO v1 or headroom/v1) instead of --slo")
	fl.StringVar(&f.sloName, "slo-name", "", "with --slo-file holding several SLOs: use only this one")
	fl.DurationVar(&f.hold, "hold", capacity.DefaultHold, "how long each step lasts")
	fl.DurationVar(&f.warmUp, "warmup", capacity.DefaultWarmUp, "total time of the closed-loop warm-up (0 skips it; then give --start-rate)")
	fl.DurationVar(&f.cooldown, "cooldown", capacity.DefaultCooldown, "pause after a failing step, so the target drains")
	fl.StringVar(&f.precision, "precision", "5%", "relative precision of the answer")
	fl.Float64Var(&f.startRate, "start-rate", 0, "first rate, per second (default: from the warm-up)")
	fl.Float64Var(&f.maxRate, "max-rate", capacity.DefaultMaxRate, "safety cap on the rate, per second")
	fl.Float64Var(&f.require, "require", 0, "exit 3 unless the capacity is at least this many requests per second")
	fl.IntVar(&f.maxSteps, "max-steps", capacity.DefaultMaxSteps, "most open-model steps to run")
	fl.BoolVar(&f.noRepeat, "no-repeat", false, "do not repeat the points around the knee")
	fl.IntVar(&f.pid, "pid", 0, "observe the CPU of this local process (from /proc)")
	fl.StringVar(&f.cpuMetrics, "cpu-metrics", "", "observe CPU from this /metrics URL (Prometheus text format)")
	fl.StringVar(&f.cpuMetric, "cpu-metric", "process_cpu_seconds_total", "with --cpu-metrics: the counter of CPU seconds")
	fl.StringVar(&f.cpuQuery, "cpu-query", "", "with --prometheus: a PromQL query for the target's cumulative CPU seconds")
	fl.StringVar(&f.cpuRequest, "cpu-request", "", "the replica's CPU request (500m, 1, 2): CPU utilisation at the knee is reported against it")
	fl.BoolVar(&f.usl, "usl", false, "also run a closed-loop concurrency sweep and fit the Universal Scalability Law")
	fl.IntSliceVar(&f.uslLevels, "usl-levels", []int{1, 2, 4, 8, 16, 32, 64, 128}, "concurrency levels of the sweep (at least 6)")
	fl.DurationVar(&f.uslHold, "usl-hold", 5*time.Second, "how long each sweep level lasts")
	fl.StringVar(&f.out, "out", "", "write the profile to this file (.json, or .yaml/.yml for YAML)")
	fl.StringVar(&f.format, "format", "", "profile format for --out: json or yaml (default: from the file name, else json)")
	fl.BoolVar(&f.json, "json", false, "print the profile as JSON on stdout; same as -o json")
	f.output = addFormatFlag(fl, &f.json, "text", "json", "yaml")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
	addHTMLFlag(fl, &f.html)
	f.prom.register(fl, "for --cpu-query")
	return cmd
}

func (a *app) runCapacity(cmd *cobra.Command, f *capacityFlags) error {
	ctx := cmd.Context()
	lp, err := f.targets.resolve(a, cmd)
	if err != nil {
		return err
	}
	objectives, err := a.capacitySLO(f)
	if err != nil {
		return err
	}
	search := capacity.Config{
		SLO: objectives, StartRate: f.startRate, MaxRate: f.maxRate, Hold: f.hold, WarmUp: f.warmUp,
		Cooldown: f.cooldown, MaxSteps: f.maxSteps, NoRepeat: f.noRepeat,
		Target: targetName(lp),
	}
	if f.warmUp == 0 {
		search.WarmUp = -1
		if f.startRate == 0 {
			return usageErrorf("give --start-rate, or keep the warm-up", "--warmup 0 needs --start-rate")
		}
	}
	if search.Precision, err = parseFraction(f.precision); err != nil || search.Precision <= 0 || search.Precision >= 1 {
		return usageErrorf("for example --precision 5%", "--precision %q: want a percentage between 0 and 100", f.precision)
	}
	if f.cpuRequest != "" {
		if search.CPURequest, err = parseCores(f.cpuRequest); err != nil {
			return usageError(fmt.Errorf("--cpu-request: %w", err), "write it as in a Deployment: 500m, 1 or 2")
		}
	}
	if search.CPU, err = a.cpuMeter(cmd, f); err != nil {
		return err
	}
	if !cmd.Flags().Changed("timeout") {
		lp.cfg.Timeout = pipeline.CapacityTimeout(objectives)
	}
	if err := search.Validate(); err != nil {
		return usageError(err, "")
	}
	w := a.stdio.Err
	if f.quiet {
		w = io.Discard
	}
	fmt.Fprintf(w, "capacity of %s within %s\n", search.Target, thresholdList(objectives))
	search.OnStep = func(st capacity.StepResult) { fmt.Fprintln(w, "  "+stepLine(st)) }
	res, err := pipeline.Capacity(ctx, pipeline.CapacityConfig{Search: search, Engine: lp.cfg,
		USL: f.usl, USLLevels: f.uslLevels, USLHold: f.uslHold, Require: f.require,
		OnNote: func(n string) { fmt.Fprintln(w, "  "+n) }})
	var unreachable *capacity.UnreachableError
	switch {
	case errors.As(err, &unreachable):
		// Nothing was measured: no profile, which sim could mistake for one.
		hint := "is the service running and listening there? A closed port refuses connections; check the URL's host, port and scheme"
		if unreachable.Stopped {
			hint = "the target answered earlier steps and then stopped accepting connections: did it crash or restart?"
		}
		return withHint(err, hint)
	case pipeline.IsInputError(err):
		return decideError(err)
	case err != nil:
		return err
	}
	profile := &res.Profile
	if werr := a.writeProfile(f, profile); werr != nil {
		return werr
	}
	doc := res.Document()
	if profile.CPUPerRequest == nil && len(doc.Sections) > 0 {
		doc.Sections[0].Notes = append(doc.Sections[0].Notes, "CPU per request was not observed: give --pid, --cpu-metrics or --cpu-query.")
	}
	out := f.output.Format()
	if err := a.writeResult(a.stdio.Out, out == "text", doc, func() error { return writeProfileTo(a.stdio.Out, profile, out) }, f.html); err != nil {
		return err
	}
	if res.Err != nil {
		if errors.Is(res.Err, context.Canceled) {
			return withHint(errors.New("interrupted; the profile holds the steps measured so far"), "")
		}
		return withHint(res.Err, "the profile holds the steps measured before the failure")
	}
	switch failed, lower := res.Verdict(); {
	case lower:
		return &Error{Code: ExitVerdict, Err: errors.New(failed), Hint: lowerBoundHint(profile)}
	case failed != "":
		return verdictError("%s", failed)
	}
	return nil
}

func lowerBoundHint(p *capacity.Profile) string {
	if p.LimitedBy == capacity.LimitedByInconclusive {
		return "raise --max-steps or start closer to the knee with --start-rate; sim and plan take this profile only with --accept-lower-bound"
	}
	return "measure from a quieter or bigger machine, or from several at once; sim and plan take this profile only with --accept-lower-bound"
}

// capacitySLO reads the objectives from --slo or --slo-file.
func (a *app) capacitySLO(f *capacityFlags) ([]stats.Threshold, error) {
	switch {
	case f.objectives != "" && f.sloFile != "":
		return nil, usageErrorf("give one of them", "--slo and --slo-file both given")
	case f.objectives != "":
		ths, err := stats.ParseThresholds(f.objectives)
		if err != nil {
			return nil, usageError(fmt.Errorf("--slo: %w", err), "for example --slo 'p99<=200ms,errors<=0.1%': a latency takes a unit (ms, s), a ratio a percent sign")
		}
		return ths, nil
	case f.sloFile != "":
		ths, err := pipeline.SLOObjectives(a.files(), f.sloFile, f.sloName)
		var ie *pipeline.InputError
		if errors.As(err, &ie) && ie.Hint == "check the SLO's name" {
			ie.Hint = "check --slo-name"
		}
		return ths, decideError(err)
	}
	return nil, usageErrorf("for example --slo 'p99<=200ms,errors<=0.1%'", "no objective: give --slo or --slo-file")
}

// cpuMeter builds the CPU observer the flags ask for, if any.
func (a *app) cpuMeter(cmd *cobra.Command, f *capacityFlags) (capacity.CPUMeter, error) {
	n := 0
	for _, on := range []bool{f.pid != 0, f.cpuMetrics != "", f.cpuQuery != ""} {
		if on {
			n++
		}
	}
	switch {
	case n > 1:
		return nil, usageErrorf("choose one CPU source", "--pid, --cpu-metrics and --cpu-query are exclusive")
	case f.pid != 0:
		if _, err := procfs.CPUSeconds(f.pid); err != nil {
			return nil, usageError(err, "--pid must be a running local process")
		}
		return pipeline.CPUFunc(func(context.Context) (float64, error) { return procfs.CPUSeconds(f.pid) }), nil
	case f.cpuMetrics != "":
		url, name := f.cpuMetrics, f.cpuMetric
		if _, err := prom.ScrapeCounter(cmd.Context(), nil, url, name); err != nil {
			return nil, usageError(err, "--cpu-metrics must serve "+name+" in the Prometheus text format")
		}
		return pipeline.CPUFunc(func(ctx context.Context) (float64, error) { return prom.ScrapeCounter(ctx, nil, url, name) }), nil
	case f.cpuQuery != "":
		pc := f.prom.config(a, cmd)
		if pc.URL == "" {
			return nil, usageErrorf("give --prometheus http://HOST:9090", "--cpu-query needs a Prometheus")
		}
		client, err := prom.New(pc)
		if err != nil {
			return nil, usageError(err, "")
		}
		q := f.cpuQuery
		read := func(ctx context.Context) (float64, error) {
			v, err := client.Vector(ctx, q, time.Now())
			if err != nil {
				return 0, err
			}
			if len(v) == 0 {
				return 0, fmt.Errorf("--cpu-query %s returned no series", q)
			}
			sum := 0.0
			for _, s := range v {
				sum += float64(s.Value)
			}
			return sum, nil
		}
		if _, err := read(cmd.Context()); err != nil {
			return nil, withHint(err, "the query must return the target's cumulative CPU seconds, e.g. sum(process_cpu_seconds_total{job=\"money\"})")
		}
		return pipeline.CPUFunc(read), nil
	}
	return nil, nil
}

func (a *app) writeProfile(f *capacityFlags, p *capacity.Profile) error {
	if f.out == "" {
		return nil
	}
	format := f.format
	if format == "" {
		switch strings.ToLower(filepath.Ext(f.out)) {
		case ".yaml", ".yml":
			format = "yaml"
		}
	}
	w, err := a.createOutput(f.out)
	if err != nil {
		return err
	}
	if err := writeProfileTo(w, p, format); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func writeProfileTo(w io.Writer, p *capacity.Profile, format string) error {
	switch strings.ToLower(format) {
	case "", "json":
		return writeJSON(w, p)
	case "yaml", "yml":
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(p); err != nil {
			return err
		}
		return enc.Close()
	}
	return usageErrorf("json or yaml", "--format %q: unknown profile format", format)
}

func targetName(p *loadPlan) string {
	if p.name != "" {
		return p.name
	}
	if len(p.cfg.Targets) == 1 {
		return p.cfg.Targets[0].URL
	}
	names := make([]string, len(p.cfg.Targets))
	for i, t := range p.cfg.Targets {
		names[i] = t.URL
	}
	return strings.Join(names, " + ")
}

func thresholdList(ths []stats.Threshold) string {
	parts := make([]string, len(ths))
	for i, t := range ths {
		parts[i] = t.String()
	}
	return strings.Join(parts, ",")
}

// parseFraction reads "5%" or "0.05" as 0.05.
func parseFraction(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		return v / 100, err
	}
	return strconv.ParseFloat(s, 64)
}

// parseCores reads a CPU quantity as in a Deployment: "500m", "1", "2.5".
func parseCores(s string) (float64, error) {
	s = strings.TrimSpace(s)
	div := 1.0
	if m, ok := strings.CutSuffix(s, "m"); ok {
		s, div = m, 1000
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a positive CPU quantity", s)
	}
	return v / div, nil
}

// stepLine describes one step for progress and the final table.
func stepLine(st capacity.StepResult) string {
	s := st.Summary
	verdict := "ok"
	switch {
	case st.GeneratorLimited:
		verdict = fmt.Sprintf("generator behind (%.1f%% late)", 100*s.LateRatio)
	case len(st.Failed) > 0:
		var broken []string
		for _, f := range st.Failed {
			broken = append(broken, f.Metric+" "+formatObserved(f))
		}
		verdict = "✖ " + strings.Join(broken, ", ")
	}
	what := fmt.Sprintf("%-9s %8s", st.Phase, fmt.Sprintf("%.4g/s", st.Step.Rate))
	if st.Step.Rate == 0 {
		what = fmt.Sprintf("%-9s %8s", st.Phase, fmt.Sprintf("c=%d", st.Step.Concurrency))
	}
	cpu := ""
	if st.Point.CPU != nil {
		cpu = fmt.Sprintf("  cpu %.2f", *st.Point.CPU)
	}
	return fmt.Sprintf("%s  got %8s  p50 %8s  p99 %8s  errors %6s%s  %s", what,
		fmt.Sprintf("%.4g/s", s.Throughput), units.Seconds(s.Latency.P50), units.Seconds(s.Latency.P99),
		fmt.Sprintf("%.2f%%", 100*s.ErrorRatio), cpu, verdict)
}

// formatObserved writes what a threshold observed in its own unit.
func formatObserved(f stats.ThresholdResult) string {
	return f.Threshold.Format(f.Observed)
}
