package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
	"github.com/headroom-sre/headroom/units"
)

// defaultShape is the traffic of `headroom load` without --shape or -f.
const defaultShape = "constant:rate=50,for=10s"

type loadFlags struct {
	targets     targetFlags
	shape       string
	closed      int
	duration    time.Duration
	out         string
	format      *formatValue
	json        bool
	force       bool
	maxRate     float64
	thresholds  []string
	abortOnFail bool
	abortWindow time.Duration
	quiet       bool
	html        string
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

Safety: a run ends when its shape does, plus a drain for the requests in
flight (the timeout, and a second): arrivals the generator could not send
in time are counted dropped, never sent late, and requests still in flight
are counted unfinished. A shape peaking above --max-rate (default 50000/s)
is refused before anything is sent; at most --max-inflight requests
(default 10000) are in flight, and arrivals beyond are dropped and counted.
Running out of open files or local ports is reported as the generator's
failure, not the target's errors.

Output: -o text (default), json (the summary contract) or yaml, on stdout.
--out FILE streams the results as JSON Lines, one line per second, ending
with a summary; headroom report re-renders and merges such files. --html FILE
also writes the summary as a single-file HTML report. --out
refuses to overwrite an existing file unless --force is given. --out -
streams the results to stdout, and the human summary goes to stderr:
  headroom load --url URL --out - | headroom report -

Exit codes: 0 ok; 3 a threshold failed, every request failed,
--abort-on-fail stopped the run, or over 1% of the arrivals were never
sent (the thresholds are then unknown: they saw only what was sent); 1 interrupted (SIGINT/SIGTERM: scheduling
stops, requests in flight finish within the drain, and the partial results
are written) or a runtime failure (the generator could send nothing, the
results file could not be written); 2 bad input.`,
		Example: `  headroom load --url http://127.0.0.1:8080/ --shape constant:rate=2000,for=5s -o json
  headroom load -f checkout.yaml --out results.jsonl --threshold 'p99<300ms' --threshold 'errors<1%'
  headroom load --url http://127.0.0.1:8080/ --shape ramp:from=100,to=5000,for=2m --abort-on-fail --threshold 'p99<200ms'
  headroom load --url http://127.0.0.1:8080/ --closed 64 --duration 10s
  headroom load --url http://127.0.0.1:8080/ --out - | headroom report -o json -`,
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
	fs.StringVar(&f.out, "out", "", "stream results (JSON Lines, one line per second) to FILE; - for stdout (the summary then goes to stderr)")
	fs.BoolVar(&f.force, "force", false, "let --out overwrite an existing file")
	fs.BoolVar(&f.json, "json", false, "same as -o json")
	f.format = addFormatFlag(fs, &f.json, ldText, ldJSON, ldYAML)
	fs.Float64Var(&f.maxRate, "max-rate", load.DefaultMaxRate, "refuse a shape whose peak rate is above this, per second (a guard against typos; 0: no cap)")
	fs.StringArrayVar(&f.thresholds, "threshold", nil, "fail (exit 3) unless this holds, e.g. p99<300ms, errors<1%, late<1%, rate>=1000 (repeatable, or comma-separated)")
	fs.BoolVar(&f.abortOnFail, "abort-on-fail", false, "stop the run as soon as a threshold fails over the sliding --abort-window")
	fs.DurationVar(&f.abortWindow, "abort-window", pipeline.DefaultAbortWindow, "sliding window for --abort-on-fail")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress on stderr")
	addHTMLFlag(fs, &f.html)
	return cmd
}

// thresholdHint is the hint of a threshold that does not parse.
const thresholdHint = "write thresholds like p99<300ms or errors<1%: a latency takes a unit (ms, s), a ratio a percent sign"

// Output formats of -o.
const (
	ldText = "text"
	ldJSON = "json"
	ldYAML = "yaml"
)

// ldWriteFormatted writes v as JSON or YAML.
func ldWriteFormatted(w io.Writer, format string, v any) error {
	if format == ldYAML {
		b, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	return writeJSON(w, v)
}

// ldOpenResults opens the results file of --out, after every input was
// checked: "-" is stdout; an existing file is overwritten only with force,
// so a typo never destroys the last run's results.
func (a *app) ldOpenResults(path string, force bool) (io.WriteCloser, error) {
	if path == "-" {
		return nopCloser{a.stdio.Out}, nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, withHint(fmt.Errorf("create %s: %w", dir, err), "check that the directory can be created")
		}
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	switch {
	case errors.Is(err, os.ErrExist):
		return nil, usageErrorf("choose another --out, or pass --force to overwrite it",
			"results file %s already exists", path)
	case err != nil:
		return nil, withHint(err, "check that the directory exists and is writable")
	}
	return f, nil
}

// ldCheck validates the engine's part of the configuration (targets,
// templates, the rate cap) before anything is created or sent.
func ldCheck(cfg *load.Config, closed bool) error {
	var err error
	if closed {
		err = load.CheckClosed(*cfg)
	} else {
		err = load.Check(*cfg)
	}
	var rate *load.RateError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rate):
		return usageError(err, fmt.Sprintf("check the shape for a typo; if you mean it, raise the cap with --max-rate %.0f (or --max-rate 0 for none)", rate.Peak))
	}
	return usageError(err, "check the targets: absolute http:// or https:// URLs")
}

func (a *app) runLoad(cmd *cobra.Command, f *loadFlags) error {
	lp, err := f.targets.resolve(a, cmd)
	if err != nil {
		return err
	}
	cfg := &lp.cfg
	thresholds := lp.thresholds
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
	var shapeNotes []string // what reading a replay noticed (its time unit, gaps)
	if !closed {
		if lp.shape != nil && !cmd.Flags().Changed("shape") {
			cfg.Shape = lp.shape
			shapeNotes = lp.shape.Notes()
		} else {
			c, err := traffic.Parse(f.shape, fileLoader)
			if err != nil {
				return usageError(fmt.Errorf("--shape: %w", err), "for example --shape constant:rate=100,for=1m")
			}
			cfg.Shape = c
			shapeNotes = c.Notes()
		}
	}
	if f.abortOnFail && len(thresholds) == 0 {
		return usageErrorf("add --threshold 'p99<300ms' (for example)", "--abort-on-fail needs at least one threshold")
	}
	format := f.format.Format()
	if f.out == "-" && format != ldText {
		return usageErrorf("read the summary back with: headroom load --out - ... | headroom report -o "+format+" -",
			"--out - streams the results to stdout; -o %s would mix the summary into them", format)
	}
	if f.maxRate < 0 {
		return usageErrorf("0 removes the cap", "--max-rate must be 0 or more")
	}
	cfg.MaxRate = f.maxRate
	if err := ldCheck(cfg, closed); err != nil {
		return err
	}
	// Human text goes to stderr when stdout carries data.
	human := a.stdio.Out
	if f.out == "-" {
		human = a.stdio.Err
	}
	for _, n := range shapeNotes {
		fmt.Fprintf(a.stdio.Err, "note: %s\n", n)
	}

	// Results file: only now that every input has been checked.
	cfgLT := pipeline.LoadTestConfig{Engine: *cfg, Thresholds: thresholds, AbortOnFail: f.abortOnFail, AbortWindow: f.abortWindow, Name: lp.name}
	if closed {
		cfgLT.Closed, cfgLT.Duration = f.closed, f.duration
	}
	var out io.WriteCloser
	if f.out != "" {
		if out, err = a.ldOpenResults(f.out, f.force); err != nil {
			return err
		}
		defer out.Close()
		cfgLT.Results = out
	}
	prog := newProgress(a.stdio.Err, f.quiet, cfg.Shape, closed, f.duration)
	cfgLT.OnInterval = prog.interval
	if !closed && a.getenv("GOMAXPROCS") == "" {
		// No more cores than the rate needs: idle ones only spin.
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(min(runtime.GOMAXPROCS(0), load.ProcsFor(*cfg))))
	}
	res, err := pipeline.LoadTest(cmd.Context(), cfgLT)
	prog.done()
	if res == nil {
		if pipeline.IsInputError(err) {
			return decideError(err)
		}
		return usageError(err, "check the targets: absolute http:// or https:// URLs")
	}
	werr := res.ResultsErr
	if out != nil {
		if cerr := out.Close(); werr == nil {
			werr = cerr
		}
	}
	if err := a.writeResult(human, format == ldText, res.Document(), func() error { return ldWriteFormatted(a.stdio.Out, format, res.Summary) }, f.html); err != nil {
		return err
	}
	if werr != nil {
		return withHint(fmt.Errorf("results file %s: %w", f.out, werr), "check the disk; the summary above is complete")
	}
	if res.Interrupted {
		msg := "interrupted; partial results shown above"
		if f.out != "" && f.out != "-" {
			msg = "interrupted; partial results written to " + f.out
		}
		return withHint(errors.New(msg), "headroom report reads partial result files")
	}
	return loadVerdict(res.Verdict())
}

// ldProgressWidth is the most columns a progress line takes: it fits an
// 80-column terminal without wrapping (the cursor needs the last column).
const ldProgressWidth = 79

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
	line := p.line(iv)
	if line == "" {
		return
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.printed = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// line is the progress line of an interval, labelled and at most
// ldProgressWidth columns: sent/s counts the requests sent in the second,
// done/s those that completed (a response or an error). Fields of lesser
// interest give way first when the numbers are long.
func (p *progress) line(iv *stats.Interval) string {
	b := &iv.Total
	sec := iv.Duration.Seconds()
	if sec <= 0 {
		return ""
	}
	elapsed := iv.Start + iv.Duration
	errRatio := 0.0
	if b.Requests > 0 {
		errRatio = float64(b.Failures()) / float64(b.Requests)
	}
	type field struct {
		text string
		keep int // higher stays longer
	}
	fields := []field{{fmt.Sprintf("%s/%s", elapsed.Round(time.Second), p.total.Round(time.Second)), 9}}
	if p.closed {
		fields = append(fields, field{"done/s " + ldCount(float64(b.Requests)/sec) + " (closed)", 8})
	} else {
		fields = append(fields,
			field{"sent/s " + ldCount(float64(b.Scheduled-b.Dropped)/sec), 8},
			field{"done/s " + ldCount(float64(b.Requests)/sec), 8})
	}
	fields = append(fields,
		field{"in flight " + ldCount(float64(iv.Generator.InFlight)), 2},
		field{"p50 " + units.Seconds(b.Latency.Quantile(0.5).Seconds()), 3},
		field{"p99 " + units.Seconds(b.Latency.Quantile(0.99).Seconds()), 5},
		field{"err " + units.Percent(errRatio), 7})
	if b.Late > 0 {
		fields = append(fields, field{"late " + ldCount(float64(b.Late)), 6})
	}
	if b.Dropped > 0 {
		fields = append(fields, field{"dropped " + ldCount(float64(b.Dropped)), 6})
	}
	for {
		var parts []string
		for _, f := range fields {
			parts = append(parts, f.text)
		}
		line := strings.Join(parts, "  ")
		if utf8.RuneCountInString(line) <= ldProgressWidth || len(fields) == 1 {
			if r := []rune(line); len(r) > ldProgressWidth {
				line = string(r[:ldProgressWidth])
			}
			return line
		}
		// Drop the field of least interest (the first of them on a tie).
		low := 0
		for i, f := range fields {
			if f.keep < fields[low].keep {
				low = i
			}
		}
		fields = append(fields[:low], fields[low+1:]...)
	}
}

// ldCount writes a count or a rate per second compactly: 950, 12345,
// 123k, 1.23M.
func ldCount(v float64) string {
	switch {
	case v < 1e5:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v < 1e6:
		return strconv.FormatFloat(v/1e3, 'f', 0, 64) + "k"
	case v < 1e9:
		return strconv.FormatFloat(v/1e6, 'g', 3, 64) + "M"
	}
	return strconv.FormatFloat(v/1e9, 'g', 3, 64) + "G"
}

func (p *progress) done() {
	if p.printed {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
