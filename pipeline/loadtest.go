package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/units"
)

// GeneratorError says the load generator could not send a single request:
// every arrival failed for lack of open files or local ports. It is a
// failure of the machine running the test, not a verdict on the target.
type GeneratorError struct {
	// Dropped is how many arrivals the generator dropped.
	Dropped int64
}

// Error says how many arrivals the generator could not send.
func (e *GeneratorError) Error() string {
	return fmt.Sprintf("the generator could not send a single request: %d arrivals failed for lack of open files or local ports", e.Dropped)
}

// SummaryVerdict is the verdict of a finished run's summary: a failed
// verdict's sentence when every request failed, none completed, or a
// threshold failed ("" when the run passed); a *GeneratorError when the
// generator could send nothing at all.
func SummaryVerdict(sum *stats.Summary) (failed string, err error) {
	switch {
	case sum.Scheduled > 0 && sum.Requests == 0 && sum.DroppedGenerator > 0:
		return "", &GeneratorError{Dropped: sum.DroppedGenerator}
	case sum.Requests > 0 && sum.Successes == 0:
		return fmt.Sprintf("every request failed (%s)", failureCauses(sum)), nil
	case sum.Scheduled > 0 && sum.Requests == 0 && sum.Unfinished > 0:
		return fmt.Sprintf("no request completed: %d were still in flight when the run ended", sum.Unfinished), nil
	}
	if failed := stats.Failed(sum.Thresholds); len(failed) > 0 {
		return "threshold failed: " + DescribeFailed(failed), nil
	}
	if len(sum.Thresholds) > 0 && sum.Scheduled > 0 && float64(sum.Dropped) > maxUnsentShare*float64(sum.Scheduled) {
		// The thresholds saw only what was sent: they say nothing of the
		// load asked for.
		return fmt.Sprintf("thresholds unknown: %s of the arrivals were never sent (%s), so the thresholds held only for the load that was",
			units.Percent(float64(sum.Dropped)/float64(sum.Scheduled)), unsentCauses(sum)), nil
	}
	return "", nil
}

// maxUnsentShare is the share of a run's arrivals that may go unsent (in
// the open model) before its passing thresholds stop meaning anything.
const maxUnsentShare = 0.01

// unsentCauses says why arrivals were not sent.
func unsentCauses(sum *stats.Summary) string {
	var parts []string
	if sum.DroppedCap > 0 {
		parts = append(parts, fmt.Sprintf("%d by the in-flight cap", sum.DroppedCap))
	}
	if sum.DroppedAtEnd > 0 {
		parts = append(parts, fmt.Sprintf("%d the generator could not send in time", sum.DroppedAtEnd))
	}
	if sum.DroppedGenerator > 0 {
		parts = append(parts, fmt.Sprintf("%d for lack of open files or ports", sum.DroppedGenerator))
	}
	return strings.Join(parts, ", ")
}

// failureCauses lists what the failed requests got: error classes and
// status codes.
func failureCauses(sum *stats.Summary) string {
	var parts []string
	if len(sum.Errors) > 0 {
		parts = append(parts, errorList(sum.Errors))
	}
	if len(sum.StatusCodes) > 0 {
		var codes []string
		for _, c := range slices.Sorted(maps.Keys(sum.StatusCodes)) {
			codes = append(codes, fmt.Sprintf("%d × %d", c, sum.StatusCodes[c]))
		}
		parts = append(parts, "status "+strings.Join(codes, ", "))
	}
	return strings.Join(parts, "; ")
}

// errorList writes error classes with their counts, known classes first.
func errorList(m map[string]int64) string {
	var parts []string
	for _, c := range stats.ErrorClasses {
		if n := m[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s × %d", c, n))
		}
	}
	for _, c := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(stats.ErrorClasses, c) {
			parts = append(parts, fmt.Sprintf("%s × %d", c, m[c]))
		}
	}
	return strings.Join(parts, ", ")
}

// DescribeFailed writes failed thresholds with what was observed:
// "p99<300ms (observed 412ms), errors<1% (no data)".
func DescribeFailed(rs []stats.ThresholdResult) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		if r.NoData {
			parts[i] = r.Threshold.String() + " (no data)"
			continue
		}
		parts[i] = fmt.Sprintf("%s (observed %s)", r.Threshold, r.Threshold.Format(r.Observed))
	}
	return strings.Join(parts, ", ")
}

// DefaultAbortWindow is the sliding window over which AbortOnFail judges
// the thresholds.
const DefaultAbortWindow = 10 * time.Second

// LoadTestConfig is a load test: the engine's configuration (targets,
// shape, caps), the thresholds to judge it by, and where its results
// stream.
type LoadTestConfig struct {
	// Engine is the load engine's configuration. Its OnStart, OnInterval
	// and NoIntervals are the pipeline's: the results stream and are not
	// kept, so a day-long soak runs in bounded memory.
	Engine load.Config
	// Closed, when above 0, runs a closed loop of that many connections
	// for Duration instead of the open-model shape.
	Closed   int
	Duration time.Duration
	// Thresholds are judged on the whole run, and stored with it.
	Thresholds []stats.Threshold
	// AbortOnFail stops the run as soon as a threshold fails over the
	// last AbortWindow (default DefaultAbortWindow).
	AbortOnFail bool
	AbortWindow time.Duration
	// Results, when set, receives the run as JSON Lines (a header, a line
	// per second, the summary): what Report reads back.
	Results io.Writer
	// OnInterval, when set, sees each second as it ends (a progress line).
	OnInterval func(*stats.Interval)
	// Name says where the targets came from (a scenario's name), if
	// anywhere.
	Name string
}

// LoadTestResult is a finished (or stopped) load test.
type LoadTestResult struct {
	// Run is the run's totals; Summary its summary with the thresholds
	// judged (the JSON contract of headroom load).
	Run     *stats.Run
	Summary stats.Summary
	// Name is LoadTestConfig.Name.
	Name string
	// Aborted holds the thresholds that failed over the abort window when
	// AbortOnFail stopped the run; AbortWindow is that window.
	Aborted     []stats.ThresholdResult
	AbortWindow time.Duration
	// Interrupted says the context was cancelled: the results are partial.
	Interrupted bool
	// ResultsErr is the first error writing Results: the run went on, and
	// the summary is complete, but the stream is not.
	ResultsErr error
}

// LoadTest runs a load test: the open-model shape (or a closed loop),
// each second streamed to Results and OnInterval as it ends, the
// thresholds judged on the whole run and stored with it. The engine's
// error is returned with no result when nothing ran (a bad target); an
// interrupted run returns its partial result and no error.
func LoadTest(ctx context.Context, cfg LoadTestConfig) (*LoadTestResult, error) {
	if cfg.AbortOnFail && len(cfg.Thresholds) == 0 {
		return nil, inputError(errors.New("aborting on a failed threshold needs at least one threshold"), "add a threshold such as p99<300ms")
	}
	if cfg.AbortWindow <= 0 {
		cfg.AbortWindow = DefaultAbortWindow
	}
	var rw *stats.Writer
	if cfg.Results != nil {
		rw = stats.NewWriter(cfg.Results)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	res := &LoadTestResult{Name: cfg.Name, AbortWindow: cfg.AbortWindow}
	window := stats.NewWindow(int(max(1, cfg.AbortWindow.Round(time.Second)/time.Second)))
	engine := cfg.Engine
	engine.NoIntervals = true
	engine.OnStart = func(h *stats.Header) {
		if rw != nil && res.ResultsErr == nil {
			res.ResultsErr = rw.WriteHeader(h)
		}
	}
	var chart chartIntervals
	engine.OnInterval = func(iv *stats.Interval) {
		chart.add(iv)
		if rw != nil && res.ResultsErr == nil {
			res.ResultsErr = rw.WriteInterval(iv)
		}
		if cfg.OnInterval != nil {
			cfg.OnInterval(iv)
		}
		if cfg.AbortOnFail {
			window.Add(iv)
			if window.Full() && res.Aborted == nil {
				st := window.Stats()
				if failed := stats.Failed(stats.Evaluate(cfg.Thresholds, &st)); len(failed) > 0 {
					res.Aborted = failed
					cancel()
				}
			}
		}
	}
	var (
		run *stats.Run
		err error
	)
	if cfg.Closed > 0 {
		run, err = load.Closed(ctx, engine, cfg.Closed, cfg.Duration)
	} else {
		run, err = load.Run(ctx, engine)
	}
	if run == nil {
		return nil, err
	}
	res.Run, res.Summary = run, run.Summary()
	if len(run.Intervals) == 0 {
		run.Intervals = chart.ivs // for the charts only: the results stream has every second
	}
	if len(cfg.Thresholds) > 0 {
		run.Thresholds = stats.Evaluate(cfg.Thresholds, &res.Summary.Stats)
		res.Summary.Thresholds = run.Thresholds
	}
	if rw != nil && res.ResultsErr == nil {
		res.ResultsErr = rw.WriteSummary(run)
	}
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled):
		res.Interrupted = res.Aborted == nil
	default:
		return res, err
	}
	return res, nil
}

// Verdict is the run's verdict: a failed verdict's sentence ("" when the
// run passed), or a *GeneratorError when the generator could send
// nothing. A run stopped by AbortOnFail failed.
func (r *LoadTestResult) Verdict() (failed string, err error) {
	if r.Aborted != nil {
		return fmt.Sprintf("aborted after %s: %s failed over the last %v", units.Seconds(r.Summary.DurationS), DescribeFailed(r.Aborted), r.AbortWindow), nil
	}
	return SummaryVerdict(&r.Summary)
}

// Document is the run as a report.
func (r *LoadTestResult) Document() report.Document {
	return report.LoadDocument(r.Run, r.Name)
}

// ScenarioHint is the hint of a scenario file that does not decode.
const ScenarioHint = "headroom load's help describes the scenario format"

// ReadScenario reads and checks a scenario file (kind: Scenario): its
// targets, shape, thresholds and settings. The files it names (bodies,
// CSV data, a replay) are read relative to it. Bad input is an
// *InputError.
func ReadScenario(files Files, name string) (*spec.Scenario, error) {
	docs, err := readSpecFile(files, name)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 {
		return nil, inputError(fmt.Errorf("%s: holds %d YAML documents; want one Scenario", name, len(docs)), "keep one scenario per file")
	}
	sc, err := spec.DecodeScenario(docs[0], load.CheckTemplate)
	if err != nil {
		return nil, inputError(err, ScenarioHint)
	}
	return sc, nil
}

// ScenarioTargets are a scenario's targets for the load engine, each
// with the scenario's headers and then its own.
func ScenarioTargets(sc *spec.Scenario) []load.Target {
	var out []load.Target
	for _, t := range sc.Spec.Targets {
		lt := load.Target{Name: t.Name, Method: t.Method, URL: t.URL, Body: t.BodyBytes, Weight: t.Weight, Header: map[string][]string{}}
		for _, hs := range []map[string]string{sc.Spec.Headers, t.Headers} {
			for k, v := range hs {
				lt.Header[textproto.CanonicalMIMEHeaderKey(k)] = []string{v}
			}
		}
		if t.Rows != nil {
			lt.Data = &load.Data{Columns: t.Columns, Rows: t.Rows}
		}
		out = append(out, lt)
	}
	return out
}

// maxChartIntervals bounds the intervals a load test keeps for its
// charts: longer runs keep them merged, two seconds into one, four…
const maxChartIntervals = 240

// chartIntervals keeps a run's per-second totals for its charts in
// bounded memory: at most maxChartIntervals intervals, each merging
// span seconds.
type chartIntervals struct {
	ivs  []*stats.Interval
	span time.Duration
}

func (c *chartIntervals) add(iv *stats.Interval) {
	if c.span == 0 {
		c.span = time.Second
	}
	if n := len(c.ivs); n > 0 && c.ivs[n-1].Duration < c.span {
		last := c.ivs[n-1]
		last.Total.Add(&iv.Total)
		last.Duration += iv.Duration
		return
	}
	c.ivs = append(c.ivs, &stats.Interval{Index: len(c.ivs), Start: iv.Start, Duration: iv.Duration, Total: *iv.Total.Clone()})
	if len(c.ivs) <= maxChartIntervals {
		return
	}
	merged := c.ivs[:0]
	for i := 0; i < len(c.ivs); i += 2 {
		a := c.ivs[i]
		if i+1 < len(c.ivs) {
			a.Total.Add(&c.ivs[i+1].Total)
			a.Duration += c.ivs[i+1].Duration
		}
		a.Index = len(merged)
		merged = append(merged, a)
	}
	clear(c.ivs[len(merged):])
	c.ivs = merged
	c.span *= 2
}
