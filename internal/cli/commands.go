package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/headroom-sre/headroom/pipeline"
)

// The command lines printed under a result, to reproduce it, are the
// CLI's words: built here from the typed config, never in the pipeline.

// simCommand is the command line that reproduces a simulation.
func simCommand(file string, scenarios []string) string {
	cmd := "headroom sim -f " + file
	if len(scenarios) > 0 && !(len(scenarios) == 1 && scenarios[0] == "all") {
		cmd += " --scenario " + strings.Join(scenarios, ",")
	}
	return cmd
}

// planCommand is the command line that reproduces a plan: file, the
// scenarios and how often they happen, and which are unannounced.
func planCommand(file string, cfg pipeline.PlanConfig) string {
	parts := []string{"headroom plan -f " + file}
	for _, s := range cfg.Scenarios {
		if s != "all" {
			parts = append(parts, "--scenario "+s)
		}
	}
	names := make([]string, 0, len(cfg.PerMonth))
	for n := range cfg.PerMonth {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := fmt.Sprintf("%g", cfg.PerMonth[n])
		if n != "" {
			v = n + "=" + v
		}
		parts = append(parts, "--per-month "+v)
	}
	for _, n := range cfg.Unannounced {
		parts = append(parts, "--unannounced "+n)
	}
	return strings.Join(parts, " ")
}
