package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/review"
	"github.com/headroom-sre/headroom/sim"
)

// ReviewConfig is a readiness review of a System file.
type ReviewConfig struct {
	// System names the System file and how to read it.
	System SystemConfig
	// SLOFile names the SLO file whose alerts are deployed; "" means none
	// given (alerting is then not checked, and the review cannot be a go).
	SLOFile string
	// Notice is how long ahead an announced event is known; 0 means
	// review.DefaultNotice.
	Notice time.Duration
}

// ReviewResult is a readiness review. Its JSON is `headroom review -o
// json`: system, then the review's fields (verdict, reasons, base_rate,
// surprise, announced, scale_up, scenarios, findings, notes).
type ReviewResult struct {
	// System is the system's name.
	System string `json:"system"`
	// SLOFile is the SLO file reviewed with, "" when none.
	SLOFile string `json:"slo_file"`
	*review.Result

	// File is the System file read.
	File *System `json:"-"`
}

// Review reads a System file (and an SLO file, when named) and reviews
// the system's readiness. A no-go is a result, not an error; bad input is
// an *InputError.
func Review(ctx context.Context, files Files, cfg ReviewConfig) (*ReviewResult, error) {
	if cfg.Notice < 0 {
		return nil, inputError(fmt.Errorf("notice %v: must not be negative", cfg.Notice), "give how long ahead an announced event is known, such as 24h")
	}
	sys, err := ReadSystem(files, cfg.System)
	if err != nil {
		return nil, err
	}
	rc := review.Config{Scenarios: sys.File.Scenarios, Notice: cfg.Notice}
	if cfg.SLOFile != "" {
		set, err := ReadSLOs(files, []string{cfg.SLOFile})
		if err != nil {
			return nil, err
		}
		rc.SLOs, rc.SLOGiven, rc.SLOSource = set.SLOs, true, cfg.SLOFile
	}
	res, err := review.Review(ctx, sys.File.System, rc)
	if err != nil {
		var me *sim.ModelError
		if errors.As(err, &me) {
			return nil, inputError(err, SystemFileHint)
		}
		return nil, fmt.Errorf("review %s: %w", cfg.System.File, err)
	}
	res.Notes = append(sys.Notes(), res.Notes...)
	return &ReviewResult{System: sys.Name(), SLOFile: cfg.SLOFile, Result: res, File: sys}, nil
}

// Document is the review as a report document, with the command that
// reproduces it.
func (r *ReviewResult) Document(command string) report.Document {
	return report.ReviewDocument(report.ReviewReport{System: r.System, Review: r.Result, Command: command})
}
