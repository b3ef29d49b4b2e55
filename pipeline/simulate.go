package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/sim"
)

// SimulateConfig is a simulation of a System file's scenarios.
type SimulateConfig struct {
	// System names the System file and how to price it.
	System SystemConfig
	// Scenarios are the scenarios to run, by name; none (or "all") runs
	// every scenario of the file.
	Scenarios []string
	// Resolution is the simulation's time step (default
	// sim.DefaultResolution, at most a minute).
	Resolution time.Duration
	// TimelineStep is the step of each result's timeline; 0 keeps none.
	TimelineStep time.Duration
	// NoBand simulates each scenario once, in the average timing. By
	// default each is also simulated in the best and the worst timing
	// (sim.Options.Band: metric samples as fresh and as stale as the
	// pipelines allow, the median and the 90th-percentile start-up), and
	// the result gives the range and says when a survival is borderline.
	NoBand bool
}

// SimulateResult is what the scenarios did. Its JSON is `headroom sim
// --json` for several scenarios: system, slo_met and scenarios.
type SimulateResult struct {
	// System is the system's name.
	System string `json:"system"`
	// SLOMet tells whether every scenario met the SLO.
	SLOMet bool `json:"slo_met"`
	// Scenarios are the results, in the order run.
	Scenarios []*sim.Result `json:"scenarios"`

	// File is the System file read.
	File *System `json:"-"`
}

// Missed names the scenarios that missed the SLO, each with the budget it
// burned: "tv-spike (340% of the error budget)".
func (r *SimulateResult) Missed() []string {
	var out []string
	for _, s := range r.Scenarios {
		if !s.SLOMet {
			out = append(out, fmt.Sprintf("%s (%s of the error budget)", s.Scenario, report.Percent(s.BudgetBurned)))
		}
	}
	return out
}

// Borderline names the scenarios that met the SLO narrowly, each with
// why: "tv-spike (in the worst timing … it does not survive …)".
func (r *SimulateResult) Borderline() []string {
	var out []string
	for _, s := range r.Scenarios {
		if s.SLOMet && s.Borderline {
			out = append(out, fmt.Sprintf("%s (%s)", s.Scenario, s.BorderlineReason))
		}
	}
	return out
}

// Notes are the System file's notes and the simulations', each once.
func (r *SimulateResult) Notes() []string {
	out := r.File.Notes()
	seen := map[string]bool{}
	for _, n := range out {
		seen[n] = true
	}
	for _, s := range r.Scenarios {
		for _, n := range s.Notes {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// Simulate reads a System file and runs its scenarios through the
// simulator. A missed SLO is a result, not an error.
func Simulate(ctx context.Context, files Files, cfg SimulateConfig) (*SimulateResult, error) {
	if cfg.Resolution < 0 || cfg.Resolution > time.Minute {
		return nil, inputError(fmt.Errorf("resolution %v: must be positive and at most 1m", cfg.Resolution), "the default is 1s")
	}
	if cfg.TimelineStep < 0 {
		return nil, inputError(fmt.Errorf("timeline step %v: must not be negative", cfg.TimelineStep), "use 0 for no timeline")
	}
	sys, err := ReadSystem(files, cfg.System)
	if err != nil {
		return nil, err
	}
	return SimulateSystem(ctx, sys, cfg)
}

// SimulateSystem runs the scenarios cfg names of a System already read
// (cfg.System is not used).
func SimulateSystem(ctx context.Context, sys *System, cfg SimulateConfig) (*SimulateResult, error) {
	model, err := sim.Compile(sys.File.System)
	if err != nil {
		return nil, inputError(err, SystemFileHint)
	}
	scenarios, err := sys.Scenarios(cfg.Scenarios...)
	if err != nil {
		return nil, err
	}
	opt := sim.Options{Resolution: cfg.Resolution, TimelineStep: cfg.TimelineStep, Band: !cfg.NoBand}
	out := &SimulateResult{System: sys.File.Name, SLOMet: true, File: sys}
	for _, sc := range scenarios {
		res, err := model.Run(ctx, sc, opt)
		if err != nil {
			var me *sim.ModelError
			if errors.As(err, &me) {
				return nil, inputError(fmt.Errorf("scenario %s: %w", sc.Name, err), SystemFileHint)
			}
			return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
		out.Scenarios = append(out.Scenarios, res)
		out.SLOMet = out.SLOMet && res.SLOMet
	}
	return out, nil
}

// Document is the result as a report document, with the command that
// reproduces it.
func (r *SimulateResult) Document(command string, timeline bool) report.Document {
	return report.SimDocument(report.SimReport{
		System:     r.File.Name(),
		Objectives: r.File.File.System.Objectives,
		Components: componentOrder(r.File.File.System),
		Results:    r.Scenarios,
		Notes:      r.Notes(),
		Command:    command,
		Timeline:   timeline,
	})
}

// componentOrder lists the system's components in file order.
func componentOrder(s sim.System) []string {
	out := make([]string, len(s.Components))
	for i, c := range s.Components {
		out[i] = c.Name
	}
	return out
}
