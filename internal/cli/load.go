package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
)

// defaultShape is the traffic of `headroom load` without --shape or -f.
const defaultShape = "constant:rate=50,for=10s"

// defaultAbortWindow is the sliding window of --abort-on-fail.
const defaultAbortWindow = 10 * time.Second

type loadFlags struct {
	targets     targetFlags
	shape       string
	closed      int
	duration    time.Duration
	out         string
	json        bool
	thresholds  []string
	abortOnFail bool
	abortWindow time.Duration
	quiet       bool
}

func (a *app) newLoadCmd() *cobra.Command {
	f := &loadFlags{}
	cmd := &cobra.Command{
		Use:   "load",
		Short: "Run an open-model load test",
		Long: `Run an open-model load test: requests are sent on the schedule of a traffic
shape, whatever the target's response times, as real users arrive. Latency is
measured from each request's due time (corrected for coordinated omission)
and from its actual send; late sends and dropped arrivals are counted, and the
generator reports its own CPU and scheduling lag.

Targets come from --url (repeatable) or a scenario file (-f) with weighted
targets, headers, bodies and CSV data. Requests can differ: {{seq}},
{{rand MIN MAX}} and {{csv.COLUMN}} work in URLs, headers and bodies.

--closed N switches to a closed loop for maximum throughput: N connections
send back to back for --duration. Its latencies do not describe any rate.

Results: a text summary (or --json: the summary contract), and with --out a
JSON Lines file streamed one line per second, flushed each line, ending with a
summary. headroom report re-renders and merges such files.

Exit codes: 0 ok; 3 a threshold failed (or --abort-on-fail stopped the run);
1 interrupted (SIGINT/SIGTERM: scheduling stops, requests in flight finish
within the timeout, and the partial results are written); 2 bad input.`,
		Example: `  headroom load --url http://127.0.0.1:8080/ --shape constant:rate=2000,for=5s --json
  headroom load -f checkout.yaml --out results.jsonl --threshold 'p99<300ms' --threshold 'errors<1%'
  headroom load --url http://127.0.0.1:8080/ --shape ramp:from=100,to=5000,for=2m --abort-on-fail --threshold 'p99<200ms'
  headroom load --url http://127.0.0.1:8080/ --closed 64 --duration 10s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLoad(cmd, f)
		},
	}
	fs := cmd.Flags()
	f.targets.register(fs)
	fs.StringVar(&f.shape, "shape", defaultShape, "traffic shape, KIND:key=value,... (constant, ramp, steps, stages, spike, replay)")
	fs.IntVar(&f.closed, "closed", 0, "closed-loop max-throughput mode with N connections (ignores --shape)")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "length of a --closed run")
	fs.StringVarP(&f.out, "out", "o", "", "stream results (JSON Lines, one line per second) to FILE")
	fs.BoolVar(&f.json, "json", false, "print the summary as JSON on stdout")
	fs.StringArrayVar(&f.thresholds, "threshold", nil, "fail (exit 3) unless this holds, e.g. p99<300ms, errors<1%, late<1%, rate>=1000 (repeatable, or comma-separated)")
	fs.BoolVar(&f.abortOnFail, "abort-on-fail", false, "stop the run as soon as a threshold fails over the sliding --abort-window")
	fs.DurationVar(&f.abortWindow, "abort-window", defaultAbortWindow, "sliding window for --abort-on-fail")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
	return cmd
}

// thresholdHint is the hint of a threshold that does not parse.
const thresholdHint = "write thresholds like p99<300ms or errors<1%: a latency takes a unit (ms, s), a ratio a percent sign"

func (a *app) runLoad(cmd *cobra.Command, f *loadFlags) error {
	plan, err := f.targets.resolve(a, cmd)
	if err != nil {
		return err
	}
	cfg := &plan.cfg
	thresholds := plan.thresholds
	for _, s := range f.thresholds {
		ths, err := stats.ParseThresholds(s)
		if err != nil {
			return usageError(err, thresholdHint)
		}
		thresholds = append(thresholds, ths...)
	}
	closed := cmd.Flags().Changed("closed")
	if closed && f.closed <= 0 {
		return usageErrorf("", "--closed needs a number of connections above 0")
	}
	if closed && f.duration <= 0 {
		return usageErrorf("", "--duration must be positive")
	}
	if !closed {
		if plan.shape != nil && !cmd.Flags().Changed("shape") {
			cfg.Shape = plan.shape
		} else {
			c, err := traffic.Parse(f.shape, fileLoader)
			if err != nil {
				return usageError(fmt.Errorf("--shape: %w", err), "for example --shape constant:rate=100,for=1m")
			}
			cfg.Shape = c
		}
	}
	if f.abortOnFail && len(thresholds) == 0 {
		return usageErrorf("add --threshold 'p99<300ms' (for example)", "--abort-on-fail needs at least one threshold")
	}

	// Results file.
	var (
		rw      *stats.Writer
		out     io.WriteCloser
		werr    error
		outName = f.out
	)
	if f.out != "" {
		if out, err = a.createOutput(f.out); err != nil {
			return err
		}
		defer out.Close()
		rw = stats.NewWriter(out)
	}
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	var (
		aborted []stats.ThresholdResult
		window  = stats.NewWindow(int(max(1, f.abortWindow.Round(time.Second)/time.Second)))
		prog    = newProgress(a.stdio.Err, f.quiet, cfg.Shape, closed, f.duration)
	)
	cfg.OnStart = func(h *stats.Header) {
		if rw != nil && werr == nil {
			werr = rw.WriteHeader(h)
		}
	}
	cfg.OnInterval = func(iv *stats.Interval) {
		if rw != nil && werr == nil {
			werr = rw.WriteInterval(iv)
		}
		prog.interval(iv)
		if f.abortOnFail {
			window.Add(iv)
			if window.Full() && aborted == nil {
				st := window.Stats()
				if failed := stats.Failed(stats.Evaluate(thresholds, &st)); len(failed) > 0 {
					aborted = failed
					cancel()
				}
			}
		}
	}
	var run *stats.Run
	if closed {
		run, err = load.Closed(ctx, *cfg, f.closed, f.duration)
	} else {
		run, err = load.Run(ctx, *cfg)
	}
	prog.done()
	if run == nil {
		return usageError(err, "check the targets: absolute http:// or https:// URLs")
	}
	sum := run.Summary()
	if len(thresholds) > 0 {
		run.Thresholds = stats.Evaluate(thresholds, &sum.Stats)
		sum.Thresholds = run.Thresholds
	}
	if rw != nil && werr == nil {
		werr = rw.WriteSummary(run)
	}
	if out != nil {
		if cerr := out.Close(); werr == nil {
			werr = cerr
		}
	}
	if f.json {
		if err := writeJSON(a.stdio.Out, sum); err != nil {
			return err
		}
	} else {
		writeSummaryText(a.stdio.Out, &sum, plan.name)
	}
	if werr != nil {
		return withHint(fmt.Errorf("results file %s: %w", outName, werr), "check the disk; the summary above is complete")
	}
	switch {
	case aborted != nil:
		return verdictError("aborted after %s: %s failed over the last %v", rptSeconds(sum.DurationS), describeFailed(aborted), f.abortWindow)
	case err != nil && errors.Is(err, context.Canceled):
		msg := "interrupted; partial results shown above"
		if outName != "" {
			msg = "interrupted; partial results written to " + outName
		}
		return withHint(errors.New(msg), "headroom report reads partial result files")
	case err != nil:
		return err
	}
	if failed := stats.Failed(run.Thresholds); len(failed) > 0 {
		return verdictError("threshold failed: %s", describeFailed(failed))
	}
	return nil
}

func describeFailed(rs []stats.ThresholdResult) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		th, _ := stats.ParseThreshold(r.Threshold)
		if r.NoData {
			parts[i] = r.Threshold + " (no data)"
			continue
		}
		parts[i] = fmt.Sprintf("%s (observed %s)", r.Threshold, th.Format(r.Observed))
	}
	return strings.Join(parts, ", ")
}

// progress prints a line per interval on stderr: rewritten in place on a
// terminal, every few seconds otherwise.
type progress struct {
	w       io.Writer
	quiet   bool
	tty     bool
	total   time.Duration
	closed  bool
	printed bool
	every   int
}

func newProgress(w io.Writer, quiet bool, shape traffic.Shape, closed bool, d time.Duration) *progress {
	p := &progress{w: w, quiet: quiet, tty: isTerminal(w), closed: closed, total: d, every: 5}
	if !closed && shape != nil {
		p.total = shape.Duration()
	}
	if p.tty {
		p.every = 1
	}
	return p
}

func (p *progress) interval(iv *stats.Interval) {
	if p.quiet || (iv.Index+1)%p.every != 0 {
		return
	}
	b := &iv.Total
	sec := iv.Duration.Seconds()
	if sec <= 0 {
		return
	}
	elapsed := iv.Start + iv.Duration
	var line strings.Builder
	fmt.Fprintf(&line, "%6s/%s", elapsed.Round(time.Second), p.total.Round(time.Second))
	if p.closed {
		fmt.Fprintf(&line, "  rate %.0f/s (closed)", float64(b.Requests)/sec)
	} else {
		fmt.Fprintf(&line, "  rate %.0f/%.0f/s", float64(b.Requests)/sec, float64(b.Scheduled)/sec)
	}
	fmt.Fprintf(&line, "  in flight %d  p50 %s  p99 %s", iv.Generator.InFlight,
		rptSeconds(b.Latency.Quantile(0.5).Seconds()), rptSeconds(b.Latency.Quantile(0.99).Seconds()))
	errRatio := 0.0
	if b.Requests > 0 {
		errRatio = float64(b.Failures()) / float64(b.Requests)
	}
	fmt.Fprintf(&line, "  errors %s", rptPercent(errRatio))
	if b.Late+b.Dropped > 0 {
		fmt.Fprintf(&line, "  late %d  dropped %d", b.Late, b.Dropped)
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line.String())
		p.printed = true
		return
	}
	fmt.Fprintln(p.w, line.String())
}

func (p *progress) done() {
	if p.printed {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
