package stats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"time"
)

// Format is the results file format's name and version, in its header.
const Format = "headroom-results/1"

// Line types of a results file.
const (
	lineHeader   = "header"
	lineInterval = "interval"
	lineSummary  = "summary"
)

// seconds converts a duration to JSON seconds and back.
func seconds(d time.Duration) float64 { return d.Seconds() }

func duration(s float64) time.Duration {
	if math.IsNaN(s) || s <= 0 {
		return 0
	}
	if s >= math.MaxInt64/1e9 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(math.Round(s * 1e9))
}

type headerJSON struct {
	Type        string        `json:"type"`
	Format      string        `json:"format"`
	Version     string        `json:"version"`
	Started     time.Time     `json:"started"`
	Mode        string        `json:"mode"`
	Shape       string        `json:"shape,omitempty"`
	Arrivals    string        `json:"arrivals,omitempty"`
	Seed        uint64        `json:"seed"`
	Concurrency int           `json:"concurrency,omitempty"`
	Targets     []TargetInfo  `json:"targets"`
	Generator   generatorJSON `json:"generator"`
}

type generatorJSON struct {
	Host           string  `json:"host,omitempty"`
	GOMAXPROCS     int     `json:"gomaxprocs"`
	NumCPU         int     `json:"num_cpu"`
	MaxInFlight    int     `json:"max_inflight"`
	MaxRate        float64 `json:"max_rate,omitempty"`
	TimeoutS       float64 `json:"timeout_s"`
	DrainS         float64 `json:"drain_s,omitempty"`
	LateThresholdS float64 `json:"late_threshold_s"`
	Protocol       string  `json:"protocol,omitempty"`
	FileLimit      int64   `json:"file_limit,omitempty"`
}

func (h *Header) toJSON() headerJSON {
	g := h.Generator
	return headerJSON{
		Type: lineHeader, Format: Format, Version: h.Version, Started: h.Started, Mode: h.Mode,
		Shape: h.Shape, Arrivals: h.Arrivals, Seed: h.Seed, Concurrency: h.Concurrency, Targets: h.Targets,
		Generator: generatorJSON{Host: g.Host, GOMAXPROCS: g.GOMAXPROCS, NumCPU: g.NumCPU, MaxInFlight: g.MaxInFlight,
			MaxRate: g.MaxRate, TimeoutS: seconds(g.Timeout), DrainS: seconds(g.Drain), LateThresholdS: seconds(g.LateThreshold),
			Protocol: g.Protocol, FileLimit: g.FileLimit},
	}
}

func (j *headerJSON) header() Header {
	g := j.Generator
	return Header{
		Version: j.Version, Started: j.Started, Mode: j.Mode, Shape: j.Shape, Arrivals: j.Arrivals, Seed: j.Seed,
		Concurrency: j.Concurrency, Targets: j.Targets,
		Generator: GeneratorInfo{Host: g.Host, GOMAXPROCS: g.GOMAXPROCS, NumCPU: g.NumCPU, MaxInFlight: g.MaxInFlight,
			MaxRate: g.MaxRate, Timeout: duration(g.TimeoutS), Drain: duration(g.DrainS), LateThreshold: duration(g.LateThresholdS),
			Protocol: g.Protocol, FileLimit: g.FileLimit},
	}
}

type intervalJSON struct {
	Type      string  `json:"type"`
	T         int     `json:"t"`
	StartS    float64 `json:"start_s"`
	DurationS float64 `json:"duration_s"`
	*Bucket
	Targets   map[string]*Bucket `json:"targets,omitempty"`
	Generator sampleJSON         `json:"generator"`
}

type sampleJSON struct {
	CPUS        float64    `json:"cpu_s"`
	Lag         *Histogram `json:"lag"`
	InFlight    int        `json:"in_flight"`
	MaxInFlight int        `json:"max_in_flight"`
}

// MarshalJSON writes the interval as one line of a results file.
func (iv *Interval) MarshalJSON() ([]byte, error) {
	g := &iv.Generator
	return json.Marshal(intervalJSON{
		Type: lineInterval, T: iv.Index, StartS: seconds(iv.Start), DurationS: seconds(iv.Duration),
		Bucket: &iv.Total, Targets: iv.Targets,
		Generator: sampleJSON{CPUS: seconds(g.CPU), Lag: &g.Lag, InFlight: g.InFlight, MaxInFlight: g.MaxInFlight},
	})
}

// UnmarshalJSON reads an interval line of a results file.
func (iv *Interval) UnmarshalJSON(b []byte) error {
	j := intervalJSON{Bucket: &iv.Total, Generator: sampleJSON{Lag: &iv.Generator.Lag}}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Type != lineInterval {
		return fmt.Errorf("not an interval line (type %q)", j.Type)
	}
	iv.Index, iv.Start, iv.Duration = j.T, duration(j.StartS), duration(j.DurationS)
	iv.Targets = j.Targets
	for name, b := range iv.Targets {
		if b == nil {
			delete(iv.Targets, name)
		}
	}
	iv.Generator.CPU = duration(j.Generator.CPUS)
	iv.Generator.InFlight, iv.Generator.MaxInFlight = j.Generator.InFlight, j.Generator.MaxInFlight
	return nil
}

// summaryJSON is the last line of a results file: the Summary contract
// plus the run's histograms, so the totals can be read back exactly.
type summaryJSON struct {
	Type string `json:"type"`
	Summary
	Histograms histogramsJSON `json:"histograms"`
}

type histogramsJSON struct {
	Latency            *Histogram                `json:"latency"`
	LatencyUncorrected *Histogram                `json:"latency_uncorrected"`
	Lag                *Histogram                `json:"lag"`
	Targets            map[string]histogramsPair `json:"targets,omitempty"`
}

type histogramsPair struct {
	Latency            *Histogram `json:"latency"`
	LatencyUncorrected *Histogram `json:"latency_uncorrected"`
}

// Writer writes a results file as JSON Lines: a header, one line per
// interval, and a summary. Each line goes to the underlying writer in one
// Write call as soon as it is ready, so a crash loses at most the line being
// written. A Writer is not safe for concurrent use.
type Writer struct {
	w   io.Writer
	buf bytes.Buffer
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

func (w *Writer) line(v any) error {
	w.buf.Reset()
	enc := json.NewEncoder(&w.buf)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if _, err := w.w.Write(w.buf.Bytes()); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// WriteHeader writes the header line.
func (w *Writer) WriteHeader(h *Header) error { return w.line(h.toJSON()) }

// WriteInterval writes one interval line.
func (w *Writer) WriteInterval(iv *Interval) error { return w.line(iv) }

// WriteSummary writes the summary line of r: its Summary and its total
// histograms.
func (w *Writer) WriteSummary(r *Run) error {
	s := summaryJSON{Type: lineSummary, Summary: r.Summary()}
	s.Histograms = histogramsJSON{Latency: &r.Total.Latency, LatencyUncorrected: &r.Total.LatencyUncorrected, Lag: &r.Generator.Lag}
	for _, name := range slices.Sorted(maps.Keys(r.Targets)) {
		if s.Histograms.Targets == nil {
			s.Histograms.Targets = map[string]histogramsPair{}
		}
		b := r.Targets[name]
		s.Histograms.Targets[name] = histogramsPair{&b.Latency, &b.LatencyUncorrected}
	}
	return w.line(s)
}

// WriteRun writes a whole run: header, intervals and summary.
func (w *Writer) WriteRun(r *Run) error {
	if err := w.WriteHeader(&r.Header); err != nil {
		return err
	}
	for _, iv := range r.Intervals {
		if err := w.WriteInterval(iv); err != nil {
			return err
		}
	}
	return w.WriteSummary(r)
}

// ErrNoHeader is returned by ReadRun for input that does not start with a
// results header.
var ErrNoHeader = errors.New("not a headroom results file (no header line)")

// ReadRun reads a results file written by a Writer, intervals included.
//
// It tolerates a crashed run: a truncated last line is ignored, and when
// the summary line is missing the totals are rebuilt from the intervals.
// Either way the run is marked Partial. Any other malformed line is an
// error naming its line number.
func ReadRun(r io.Reader) (*Run, error) { return readRun(r, -1) }

// ReadTotals reads a results file like ReadRun but keeps only the header
// and the totals, not the intervals: memory stays bounded whatever the
// run's length (a day-long soak has 86,400 intervals).
func ReadTotals(r io.Reader) (*Run, error) { return readRun(r, 0) }

// readRun reads a results file, keeping every interval (keep < 0), none
// (0) or at most keep coarse ones.
func readRun(r io.Reader, keep int) (*Run, error) {
	kept := coarse{width: 1, max: keep}
	br := bufio.NewReaderSize(r, 64*1024)
	run := &Run{}
	acc := &Run{} // the totals rebuilt from the intervals, for a run without a summary
	var lastIv *Interval
	var (
		sum     *summaryJSON
		haveHdr bool
		lineNo  int
	)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read results: %w", err)
		}
		lineNo++
		last := err == io.EOF // no newline: the writer may have been cut off
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		iv, perr := run.readLine(line, &sum, &haveHdr)
		if iv != nil {
			acc.Accumulate(iv)
			acc.Duration = max(acc.Duration, iv.Start+iv.Duration)
			lastIv = iv
			if keep != 0 {
				kept.add(iv)
			}
		}
		if perr != nil {
			if last && haveHdr {
				run.Partial = true // a truncated final line
				break
			}
			return nil, fmt.Errorf("results line %d: %w", lineNo, perr)
		}
		if last {
			break
		}
	}
	if !haveHdr {
		return nil, ErrNoHeader
	}
	run.Intervals = kept.ivs
	if sum == nil {
		run.Partial = true
		run.Total, run.Targets, run.Generator, run.Duration = acc.Total, acc.Targets, acc.Generator, acc.Duration
		return run, nil
	}
	run.fromSummary(sum)
	if lastIv != nil {
		run.Generator.InFlight = lastIv.Generator.InFlight
	}
	return run, nil
}

// readLine decodes one line into the run; an interval line is returned,
// not kept.
func (run *Run) readLine(line []byte, sum **summaryJSON, haveHdr *bool) (*Interval, error) {
	var probe struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(line, &probe); err != nil {
		if !*haveHdr {
			return nil, ErrNoHeader
		}
		return nil, err
	}
	if !*haveHdr && probe.Type != lineHeader {
		return nil, ErrNoHeader
	}
	switch probe.Type {
	case lineHeader:
		if *haveHdr {
			return nil, errors.New("a second header line")
		}
		var h headerJSON
		if err := json.Unmarshal(line, &h); err != nil {
			return nil, err
		}
		if h.Format != Format {
			return nil, fmt.Errorf("unsupported results format %q (this headroom reads %s)", h.Format, Format)
		}
		run.Header = h.header()
		*haveHdr = true
	case lineInterval:
		iv := &Interval{}
		if err := json.Unmarshal(line, iv); err != nil {
			return nil, err
		}
		return iv, nil
	case lineSummary:
		s := &summaryJSON{}
		if err := json.Unmarshal(line, s); err != nil {
			return nil, err
		}
		*sum = s
	default:
		return nil, fmt.Errorf("unknown line type %q", probe.Type)
	}
	return nil, nil
}

// fromSummary takes the totals from the summary line.
func (run *Run) fromSummary(s *summaryJSON) {
	run.Duration = duration(s.DurationS)
	run.Partial = run.Partial || s.Partial
	run.Thresholds = s.Thresholds
	run.Total = bucketOf(&s.Stats, s.Histograms.Latency, s.Histograms.LatencyUncorrected)
	run.Targets = map[string]*Bucket{}
	for name, st := range s.PerTarget {
		h := s.Histograms.Targets[name]
		b := bucketOf(&st, h.Latency, h.LatencyUncorrected)
		run.Targets[name] = &b
	}
	run.Generator = GeneratorSample{CPU: duration(s.Generator.CPUSeconds), MaxInFlight: s.Generator.MaxInFlightSeen}
	run.Generator.Lag.Merge(s.Histograms.Lag)
}

func bucketOf(s *Stats, lat, unc *Histogram) Bucket {
	b := Bucket{Counts: Counts{
		Scheduled: s.Scheduled, Requests: s.Requests, Successes: s.Successes, Late: s.Late, Dropped: s.Dropped,
		DroppedCap: s.DroppedCap, DroppedAtEnd: s.DroppedAtEnd, DroppedGenerator: s.DroppedGenerator, Unfinished: s.Unfinished,
		BytesIn: s.BytesIn, BytesOut: s.BytesOut, StatusCodes: maps.Clone(s.StatusCodes), Errors: maps.Clone(s.Errors),
	}}
	b.Latency.Merge(lat)
	b.LatencyUncorrected.Merge(unc)
	return b
}

// Merge combines runs made at the same time by several load generators
// into one: counters are summed and histograms merged, interval by
// interval (aligned by their offset from each run's start) and in total.
// Percentiles are read from the merged histograms, never averaged. The
// merged run starts at the earliest start and lasts as long as the longest
// run; it is partial if any run is.
func Merge(runs ...*Run) (*Run, error) {
	if len(runs) == 0 {
		return nil, errors.New("merge: no runs")
	}
	if len(runs) == 1 {
		return runs[0], nil
	}
	out := &Run{Header: runs[0].Header}
	out.Header.Targets = nil
	out.Header.Generator.GOMAXPROCS, out.Header.Generator.NumCPU, out.Header.Generator.MaxInFlight = 0, 0, 0
	out.Header.Generator.MaxRate, out.Header.Generator.FileLimit = 0, 0
	seen := map[string]bool{}
	byIndex := map[int]*Interval{}
	for _, r := range runs {
		h := &r.Header
		if h.Mode != out.Header.Mode {
			return nil, fmt.Errorf("merge: cannot merge a %s run with a %s run", h.Mode, out.Header.Mode)
		}
		if h.Started.Before(out.Header.Started) {
			out.Header.Started = h.Started
		}
		if h.Shape != out.Header.Shape {
			out.Header.Shape = "" // several shapes: no single one describes the whole
		}
		out.Header.Concurrency += h.Concurrency
		out.Header.Generator.GOMAXPROCS += h.Generator.GOMAXPROCS
		out.Header.Generator.NumCPU += h.Generator.NumCPU
		out.Header.Generator.MaxInFlight += h.Generator.MaxInFlight
		out.Header.Generator.MaxRate += h.Generator.MaxRate
		out.Header.Generator.Drain = max(out.Header.Generator.Drain, h.Generator.Drain)
		for _, t := range h.Targets {
			if !seen[t.Name] {
				seen[t.Name] = true
				out.Header.Targets = append(out.Header.Targets, t)
			}
		}
		for _, iv := range r.Intervals {
			m := byIndex[iv.Index]
			if m == nil {
				m = &Interval{Index: iv.Index, Start: iv.Start}
				byIndex[iv.Index] = m
			}
			m.Duration = max(m.Duration, iv.Duration)
			m.Total.Add(&iv.Total)
			for name, b := range iv.Targets {
				m.Target(name).Add(b)
			}
			m.Generator.sum(&iv.Generator)
		}
		out.Total.Add(&r.Total)
		for name, b := range r.Targets {
			out.Target(name).Add(b)
		}
		out.Generator.sum(&r.Generator)
		out.Duration = max(out.Duration, r.Duration)
		out.Partial = out.Partial || r.Partial
	}
	for _, i := range slices.Sorted(maps.Keys(byIndex)) {
		out.Intervals = append(out.Intervals, byIndex[i])
	}
	return out, nil
}
