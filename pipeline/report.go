package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/stats"
)

// ResultsFileHint is the hint of a results file that can't be read.
const ResultsFileHint = "give a results file that headroom load wrote"

// Opener is a Files that can also stream a file: results files of long
// runs are read line by line, never whole. Files that are not Openers are
// read with ReadFile.
type Opener interface {
	Open(name string) (io.ReadCloser, error)
}

// readResults reads one load-test results file. keep says which
// intervals are kept: all of them (keepAll: an SLO check needs every
// second), none (only the totals) or at most keep coarse ones (charts);
// without all of them memory stays bounded however long the run was. A
// file that can't be read or is not a results file is an *InputError.
func readResults(files Files, name string, keep int) (*stats.Run, error) {
	var r io.Reader
	if o, ok := files.(Opener); ok {
		f, err := o.Open(name)
		if err != nil {
			return nil, inputError(err, "check the path of the results file (headroom load writes it)")
		}
		defer f.Close()
		r = f
	} else {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, inputError(err, "check the path of the results file (headroom load writes it)")
		}
		r = bytes.NewReader(data)
	}
	var run *stats.Run
	var err error
	switch {
	case keep == keepAll:
		run, err = stats.ReadRun(r)
	case keep > 0:
		run, err = stats.ReadCoarse(r, keep)
	default:
		run, err = stats.ReadTotals(r)
	}
	if err != nil {
		return nil, inputError(fmt.Errorf("%s: %w", name, err), ResultsFileHint)
	}
	return run, nil
}

// keepAll asks readResults for every interval.
const keepAll = -1

// ReportConfig re-renders or merges load-test results files.
type ReportConfig struct {
	// Results are the results files (from headroom load --out), merged
	// when there are several: counters summed, histograms merged.
	Results []string
}

// ReportResult is one run, or several merged: its summary and the
// verdict of the thresholds stored with each file.
type ReportResult struct {
	// Run is the run, or the runs merged (totals only).
	Run *stats.Run
	// Summary is the run's summary: the JSON contract of headroom load.
	Summary stats.Summary
	// Source says where the run came from when several files were
	// merged ("3 files merged"), else "".
	Source string
	// Failed lists the stored thresholds that failed, per file ("a.jsonl:
	// p99<300ms (observed 412ms)"; without the file's name when there is
	// one).
	Failed []string
}

// Report reads load-test results files and merges them (counters summed
// and latency histograms merged, second by second and in total, so
// percentiles are exact). Intervals are kept coarse (at most
// stats.DefaultCoarseIntervals, each a power of two of seconds) for the
// charts, in bounded memory whatever the runs' length. A file cut short is read to its last complete
// line and reported as partial. Bad input is an *InputError.
func Report(files Files, cfg ReportConfig) (*ReportResult, error) {
	if len(cfg.Results) == 0 {
		return nil, inputError(errors.New("no results file given"), ResultsFileHint)
	}
	runs := make([]*stats.Run, 0, len(cfg.Results))
	res := &ReportResult{}
	for _, name := range cfg.Results {
		r, err := readResults(files, name, stats.DefaultCoarseIntervals)
		if err != nil {
			return nil, err
		}
		if fs := stats.Failed(r.Thresholds); len(fs) > 0 {
			where := ""
			if len(cfg.Results) > 1 {
				where = name + ": "
			}
			res.Failed = append(res.Failed, where+DescribeFailed(fs))
		}
		runs = append(runs, r)
	}
	width := 1
	for _, r := range runs {
		width = max(width, r.Width())
	}
	for _, r := range runs {
		stats.Coarsen(r, width) // merged interval by interval, at one width
	}
	run, err := stats.Merge(runs...)
	if err != nil {
		return nil, inputError(err, "merge only runs of the same mode")
	}
	res.Run, res.Summary = run, run.Summary()
	if len(cfg.Results) > 1 {
		res.Source = fmt.Sprintf("%d files merged", len(cfg.Results))
	}
	return res, nil
}

// Verdict is the run's verdict: a failed verdict's sentence ("" when the
// run passed), or a runtime error when the generator could send nothing.
// The thresholds stored with the files come first.
func (r *ReportResult) Verdict() (failed string, err error) {
	if len(r.Failed) > 0 {
		return "threshold failed: " + strings.Join(r.Failed, "; "), nil
	}
	return SummaryVerdict(&r.Summary)
}

// Document is the run as a report.
func (r *ReportResult) Document() report.Document {
	return report.LoadDocument(r.Run, r.Source)
}
