package pipeline

import (
	"context"
	"fmt"

	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/rightsize"
)

// RightsizeConfig is a search for safe cuts (and needed raises) in a
// cluster, from its usage history.
type RightsizeConfig struct {
	// Cluster says where the cluster and its usage come from and how it
	// is priced; it needs Prometheus.
	Cluster ClusterConfig
	// Policy bounds the recommendations; its window, step, percentile and
	// peak resolution are taken from the usage read.
	Policy rightsize.Policy
	// System, when its File is set, is a System file whose scenarios the
	// recommendations are simulated through (those that break the SLO
	// where it held are rejected).
	System SystemConfig
	// Scenarios limits the System file's scenarios (default all).
	Scenarios []string
	// Patches asks for the recommendations as kubectl-patch-ready YAML.
	Patches bool
}

// RightsizeResult is the recommendations.
type RightsizeResult struct {
	// Report is the recommendations, in the display currency; its JSON is
	// `headroom rightsize --json`.
	Report *rightsize.Report
	// Cluster is the cluster read.
	Cluster *Cluster
	// Patches is the recommendations as YAML patches, when asked for.
	Patches []byte
}

// Rightsize reads a cluster and its usage history and recommends
// requests, replicas and nodes, each with its saving and risk; with a
// System file, it checks them with the simulator.
func Rightsize(ctx context.Context, files Files, cfg RightsizeConfig) (*RightsizeResult, error) {
	var check rightsize.SystemCheck
	if cfg.System.File != "" {
		sys, err := ReadSystem(files, cfg.System)
		if err != nil {
			return nil, err
		}
		if check.Scenarios, err = sys.Scenarios(cfg.Scenarios...); err != nil {
			return nil, err
		}
		if len(check.Scenarios) == 0 {
			return nil, inputError(fmt.Errorf("%s: no scenarios to check against", cfg.System.File), "add spec.scenarios to the System file")
		}
		check.System = sys.File.System
	} else if len(cfg.Scenarios) > 0 {
		return nil, inputError(fmt.Errorf("scenarios %v without a System file", cfg.Scenarios), "give the System file the scenarios are in")
	}
	c, err := ReadCluster(ctx, files, cfg.Cluster, true, func(rightsize.Mode) prom.Stats { return prom.ForRightsize })
	if err != nil {
		return nil, err
	}
	pol := cfg.Policy
	pol.CPUPercentile, pol.Window = c.Usage.CPUPercentile, c.Usage.Window
	pol.PeakResolution, pol.Step = c.Usage.PeakResolution, c.Usage.Step
	r, err := rightsize.Recommend(c.Objects, c.ByWorkload, rightsize.RecommendOptions{Policy: pol, Cost: c.Cost})
	if err != nil {
		return nil, ClusterPriceError(err)
	}
	if cfg.System.File != "" {
		if err := rightsize.Verify(ctx, c.Objects, r, check); err != nil {
			return nil, fmt.Errorf("check against %s (simulate it alone to see why): %w", cfg.System.File, err)
		}
	}
	r = r.In(c.Currency.Code, c.Currency.FromUSD(1))
	r.Notes = append(r.Notes, c.Notes...)
	r.Warnings = append(r.Warnings, c.Warnings...)
	out := &RightsizeResult{Report: r, Cluster: c}
	if cfg.Patches {
		if out.Patches, err = rightsize.Patches(r.Recommendations); err != nil {
			return nil, fmt.Errorf("patches: %w", err)
		}
	}
	return out, nil
}

// Document is the recommendations as a report document.
func (r *RightsizeResult) Document(command string) report.Document {
	return report.RightsizeDocument(report.RightsizeReport{Header: r.Cluster.Header("rightsize"), Recommendations: r.Report,
		Currency: r.Cluster.Currency, Command: command})
}
