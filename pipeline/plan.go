package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/units"
)

// PlanConfig is a search for the cheapest configuration of a System file
// that meets its SLO in its scenarios.
type PlanConfig struct {
	// System names the System file and how to price it.
	System SystemConfig
	// Scenarios are the scenarios to plan for, by name; none (or "all")
	// is every scenario of the file.
	Scenarios []string
	// PerMonth is how many times a month each event happens, by scenario
	// name; the key "" gives every scenario without its own. 0 is an
	// event that must be survived and costs nothing; absent is
	// plan.DefaultPerMonth.
	PerMonth map[string]float64
	// Unannounced names the scenarios that come without warning (no
	// pre-scaling before them); "all" names every one.
	Unannounced []string
	// Options are the planner's (resolution, tolerance, Pareto tables,
	// progress …).
	Options plan.Options
	// Manifests say how to write the manifests (pre-scaling, namespace,
	// schedules); their Source is the System file's.
	Manifests plan.ManifestOptions
	// OutDir, when set, is the directory the recommended System file will
	// be written to: the files it names are rebased onto it, and the
	// result's Outputs hold it and the manifests.
	OutDir string
	// StandbyNodeHour prices a suspended node of a standby CapacityBuffer
	// per hour, in the display currency; 0 means: Plan looks it up in the
	// catalog (pricing.Catalog.StandbyNode, with System.Prices.Catalog laid
	// over it), where it is unknown unless a price file gives it, and
	// standby buffers are then not searched.
	StandbyNodeHour float64
}

// PlanResult is the planner's answer. Its JSON is `headroom plan --json`:
// system, the plan (current, recommended, saving, changes, why, pareto,
// search, notes) and manifests.
type PlanResult struct {
	// System is the system's name.
	System string `json:"system"`
	*plan.Result
	// Manifests are ready to apply (none without a recommendation).
	Manifests []plan.Manifest `json:"manifests"`

	// File is the System file read.
	File *System `json:"-"`
	// Outputs are the files to write into PlanConfig.OutDir: the
	// recommended System file, then the manifests.
	Outputs []OutputFile `json:"-"`
}

// OutputFile is a file a use case produced, for the caller to write.
type OutputFile struct {
	// Name is the file's name inside the output directory.
	Name string
	// Data is its content.
	Data []byte
}

// ErrNoPlan is the verdict of a plan without a recommendation: nothing
// within the search bounds meets the SLO in every scenario.
var ErrNoPlan = errors.New("no configuration within the search bounds meets the SLO in every scenario")

// Plan reads a System file and searches for the cheapest configuration
// that meets its SLO in every scenario cfg names. A plan without a
// recommendation is a result (see [ErrNoPlan]), not an error.
func Plan(ctx context.Context, files Files, cfg PlanConfig) (*PlanResult, error) {
	sys, err := ReadSystem(files, cfg.System)
	if err != nil {
		return nil, err
	}
	if cfg.StandbyNodeHour == 0 {
		h, note, err := StandbyPrice(files, cfg.System.Prices, sys)
		if err != nil {
			return nil, err
		}
		cfg.StandbyNodeHour = h
		if note != "" {
			sys.PriceNotes = append(sys.PriceNotes, note)
		}
	}
	return PlanSystem(ctx, sys, cfg)
}

// StandbyPrice is the hourly price of one suspended node of the system's
// Standard pool in a standby CapacityBuffer, in the system's display
// currency, from the shipped catalog with cfg.Catalog laid over it, in
// cfg.Region (default spec.DefaultPriceRegion); with a note saying where
// it came from. It is 0 without a note when the price is unknown (as in
// the shipped catalog), on Autopilot, or for a pool without a machine
// type: nothing is then guessed.
func StandbyPrice(files Files, cfg PriceConfig, sys *System) (float64, string, error) {
	n := sys.File.System.Nodes
	if n.Mode != sim.Standard || n.MachineType == "" {
		return 0, "", nil
	}
	m, err := pricing.ParseMachineType(n.MachineType)
	if err != nil {
		return 0, "", nil
	}
	cat := pricing.GCP()
	if cfg.Catalog != "" {
		over, err := ReadPrices(files, cfg.Catalog)
		if err != nil {
			return 0, "", err
		}
		cat = cat.Merge(over)
	}
	region := cfg.Region
	if region == "" {
		region = spec.DefaultPriceRegion
	}
	p, err := cat.StandbyNode(region, m)
	if err != nil {
		return 0, "", nil
	}
	h := sys.Currency.FromUSD(p.USD)
	src := p.Source
	if p.Date != "" {
		src += ", as of " + p.Date
	}
	return h, fmt.Sprintf("a suspended %s node of a standby CapacityBuffer at %s an hour (%s)", n.MachineType, units.Money(h, sys.Currency.Code), src), nil
}

// PlanSystem plans a System already read (cfg.System is not used).
func PlanSystem(ctx context.Context, sys *System, cfg PlanConfig) (*PlanResult, error) {
	prob, err := planProblem(sys, cfg)
	if err != nil {
		return nil, err
	}
	for name := range cfg.Manifests.EventAt {
		if _, ok := sys.File.Scenario(name); !ok {
			return nil, unknownScenario(sys, "event time", name)
		}
	}
	res, err := plan.Plan(ctx, prob, cfg.Options)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		var me *sim.ModelError
		if errors.As(err, &me) {
			return nil, inputError(err, SystemFileHint)
		}
		var pe *plan.ProblemError
		if errors.As(err, &pe) {
			return nil, inputError(err, "check the scenarios, how often they happen and which are unannounced against the file")
		}
		return nil, err
	}
	res.Notes = append(sys.Notes(), res.Notes...)
	out := &PlanResult{System: sys.File.Name, Result: res, File: sys}
	if res.Recommended == nil {
		return out, nil
	}
	mo := cfg.Manifests
	mo.Source = sys.Document.Root
	if out.Manifests, err = plan.Manifests(res.Recommended, mo); err != nil {
		return nil, fmt.Errorf("manifests: %w", err)
	}
	if cfg.OutDir != "" {
		if out.Outputs, err = PlanFiles(sys.Document, res.Recommended, out.Manifests, cfg.OutDir); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// planProblem builds the planner's problem from the file and cfg.
func planProblem(sys *System, cfg PlanConfig) (plan.Problem, error) {
	p := plan.Problem{System: sys.File.System, StandbyNodeHour: cfg.StandbyNodeHour}
	if cb := &p.System.Nodes.CapacityBuffer; cb.Strategy == sim.StandbyBuffer && !cb.IsZero() && cb.StandbyNodeHour == 0 {
		cb.StandbyNodeHour = cfg.StandbyNodeHour // today's buffer, at the same price
	}
	chosen, err := sys.Scenarios(cfg.Scenarios...)
	if err != nil {
		return p, err
	}
	if len(chosen) == 0 {
		return p, inputError(fmt.Errorf("%s: no scenarios to plan for", sys.Document.File), "add a scenario to spec.scenarios")
	}
	for name, v := range cfg.PerMonth {
		if name != "" {
			if _, ok := sys.File.Scenario(name); !ok {
				return p, unknownScenario(sys, "per month", name)
			}
		}
		if v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return p, inputError(fmt.Errorf("%g events a month: want a number ≥ 0", v), "for example 4 a month, or 0.25 for once a quarter")
		}
	}
	unannounced := map[string]bool{}
	for _, n := range cfg.Unannounced {
		if n == "all" {
			for _, s := range sys.File.Scenarios {
				unannounced[s.Name] = true
			}
			continue
		}
		if _, ok := sys.File.Scenario(n); !ok {
			return p, unknownScenario(sys, "unannounced", n)
		}
		unannounced[n] = true
	}
	for _, sc := range chosen {
		ps := plan.Scenario{Scenario: sc, Unannounced: unannounced[sc.Name]}
		v, ok := cfg.PerMonth[sc.Name]
		if !ok {
			v, ok = cfg.PerMonth[""]
		}
		if ok {
			ps.PerMonth = v
			if v == 0 {
				ps.PerMonth = 1e-9 // it must be survived, and costs nothing
			}
		}
		p.Scenarios = append(p.Scenarios, ps)
	}
	return p, nil
}

func unknownScenario(sys *System, what, name string) error {
	return inputError(fmt.Errorf("%s: no scenario %q", what, name),
		"the file defines: "+strings.Join(sys.File.ScenarioNames(), ", ")+" (or all)")
}

// PlanFiles are the files a recommendation writes into dir: the System
// file as recommended (the files it names rebased onto dir), then the
// manifests.
func PlanFiles(d *spec.Document, rec *plan.Evaluation, manifests []plan.Manifest, dir string) ([]OutputFile, error) {
	srcDir, _ := filepath.Abs(filepath.Dir(d.File))
	outDir, _ := filepath.Abs(dir)
	sys, err := plan.SystemFile(d.Root, rec, func(name string) string {
		if filepath.IsAbs(name) {
			return name
		}
		rel, err := filepath.Rel(outDir, filepath.Join(srcDir, name))
		if err != nil {
			return filepath.Join(srcDir, name)
		}
		return filepath.ToSlash(rel)
	})
	if err != nil {
		return nil, fmt.Errorf("recommended system file: %w", err)
	}
	base := strings.TrimSuffix(filepath.Base(d.File), filepath.Ext(d.File))
	out := []OutputFile{{Name: base + ".recommended.yaml", Data: sys}}
	for _, m := range manifests {
		out = append(out, OutputFile{Name: m.File, Data: []byte(m.YAML)})
	}
	return out, nil
}

// Document is the plan as a report document; written lists the files
// written, and command is the line that reproduces the plan.
func (r *PlanResult) Document(command string, written []string) report.Document {
	return report.PlanDocument(report.PlanReport{System: r.File.Name(), Result: r.Result, Command: command, Written: written})
}
