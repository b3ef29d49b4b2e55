package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/rightsize"
)

// rightsizeFlags are the flags of `headroom rightsize` beyond the cluster's.
type rightsizeFlags struct {
	cluster clusterFlags
	policy  rightsize.Policy
	asJSON  bool
	patch   string
	system  string
	// scenarios limits --system's scenarios (default all).
	scenarios []string
}

func (a *app) newRightsizeCmd() *cobra.Command {
	var f rightsizeFlags
	cmd := &cobra.Command{
		Use:   "rightsize --prometheus URL [--snapshot FILE | --context NAME]",
		Short: "Recommend safe cuts to requests, replicas and nodes, ranked by saving",
		Long: `Recommends requests per container from usage history in Prometheus (cAdvisor
and kube-state-metrics, aggregated server-side in a bounded number of
queries), and cheaper ways to run the nodes, each with its monthly saving,
a risk and a class:

  easy   request cuts that keep the p99 of per-minute usage (+15%) and
         every peak a limit caps
  big    changes to HPA targets and minimums, idle workloads, node
         families, Spot or commitments
  raise  the safe direction: under-provisioned workloads (usage above
         requests, OOM kills, throttling, an HPA pinned at maxReplicas)

  risk low          covers every peak seen, on a week of history or more
  risk medium       covers the p99 but not every peak (those borrow spare
                    node CPU), or rests on less than a week of history
  risk unverified   changes scaling, unchecked
  risk high         can stop a live service or slow its response to a
                    spike (scale to zero, a slower HPA), unchecked
  risk slo-checked  the simulator replayed the --system file's scenarios
                    with the change and the SLO held

Safety rules: a workload needs a full daily cycle of history (--min-history);
missing or impossible data (NaN, negative) is never read as zero; a
workload is called idle only when request counters (--request-metric) or
network receive show no traffic beyond its health checks for the whole
window, never from low CPU alone, and its patch is a comment to run by
hand; Spot is never proposed for pools running StatefulSets, single
replicas or PDB-protected workloads; cuts saving under $1 a month are not
proposed.

With --system, each workload that is a component of the system (matched by
name) is simulated with its changes; changes that break the SLO in a
scenario where it held are rejected (listed under "not sized").

Where an HPA scales on CPU utilisation, the CPU request and the HPA target
move together so that the HPA still adds pods at the same CPU per pod. The
algorithm and its parameters are printed with the results. --patch writes
kubectl patch commands and the patches themselves as YAML.

The cluster comes from --snapshot FILE, else the Kubernetes API (--kubeconfig,
--context), else kube-state-metrics in the same Prometheus.

` + priceFileExample,
		Example: `  headroom rightsize --snapshot cluster.yaml --prometheus http://127.0.0.1:9090
  headroom rightsize --context prod -n shop --prometheus http://prom:9090 --window 7d --patch cuts.yaml
  headroom rightsize --prometheus http://prom:9090 --prometheus-selector 'cluster="prod"' --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runRightsize(cmd, &f)
		},
	}
	fl := cmd.Flags()
	f.cluster.register(fl)
	fl.BoolVar(&f.asJSON, "json", false, "print JSON (recommendations, total_monthly_saving, algorithm, skipped); same as -o json")
	addFormatFlag(fl, &f.asJSON, "text", "json")
	fl.StringVar(&f.patch, "patch", "", "write kubectl-patch-ready YAML to this file (- for stdout, instead of the table)")
	fl.StringVar(&f.system, "system", "", "System file (kind: System): check the recommendations with the simulator against its scenarios")
	fl.StringArrayVar(&f.scenarios, "scenario", nil, "with --system, only this scenario (repeatable; default all)")
	fl.Float64Var(&f.policy.CPUMargin, "cpu-margin", rightsize.DefaultCPUMargin, "added to the CPU percentile (and to the peak where a limit caps it), as a fraction")
	fl.Float64Var(&f.policy.MemoryMargin, "memory-margin", rightsize.DefaultMemoryMargin, "added to the peak working set, as a fraction")
	fl.Float64Var(&f.policy.CPUFloor, "cpu-floor", rightsize.DefaultCPUFloor, "smallest CPU request, in cores")
	fl.DurationVar(&f.policy.MinHistory, "min-history", rightsize.DefaultMinHistory, "least usage history a workload needs to be sized (a full daily cycle)")
	fl.Float64Var(&f.policy.MinSaving, "min-saving", rightsize.DefaultMinSaving, "smallest monthly saving, in US dollars, a cut must bring to be proposed")
	fl.Float64Var(&f.policy.MaxHPATarget, "max-hpa-target", rightsize.DefaultMaxHPATarget, "highest HPA CPU target a recommendation sets, as a fraction")
	fl.Float64Var(&f.policy.MinChange, "min-change", rightsize.DefaultMinChange, "leave requests alone when the change is smaller than this fraction")
	return cmd
}

func (a *app) runRightsize(cmd *cobra.Command, f *rightsizeFlags) error {
	if f.asJSON && f.patch == "-" {
		return usageErrorf("write the patches to a file with --patch FILE", "--json and --patch - both write to stdout")
	}
	for _, v := range []struct {
		name string
		x    float64
	}{{"--memory-margin", f.policy.MemoryMargin}, {"--cpu-margin", f.policy.CPUMargin}, {"--max-hpa-target", f.policy.MaxHPATarget}, {"--min-change", f.policy.MinChange}} {
		if !(v.x >= 0 && v.x <= 1) {
			return usageErrorf("write fractions: 0.15 for 15%", "%s %g: want a fraction in [0, 1]", v.name, v.x)
		}
	}
	if f.policy.MinHistory < time.Hour {
		return usageErrorf("for example --min-history 24h (a daily cycle) or 168h (a week)", "--min-history %v: want at least 1h", f.policy.MinHistory)
	}
	if !(f.policy.MinSaving >= 0) || !(f.policy.CPUFloor >= 0) {
		return usageErrorf("give amounts ≥ 0", "--min-saving %g / --cpu-floor %g", f.policy.MinSaving, f.policy.CPUFloor)
	}
	if f.policy.MinHistory > f.cluster.window.d {
		return usageErrorf("read a longer --window, or lower --min-history", "--min-history %v is longer than the --window %v: nothing could be sized", f.policy.MinHistory, f.cluster.window.d)
	}
	var check rightsize.SystemCheck
	if f.system != "" {
		var err error
		if check, err = a.readSystemCheck(f.system, f.scenarios); err != nil {
			return err
		}
	} else if len(f.scenarios) > 0 {
		return usageErrorf("give the System file with --system FILE", "--scenario needs --system")
	}
	in, err := a.loadClusterInputs(cmd, &f.cluster, true, func(rightsize.Mode) prom.Stats { return prom.ForRightsize })
	if err != nil {
		return err
	}
	pol := f.policy
	pol.CPUPercentile, pol.Window = in.usage.CPUPercentile, in.usage.Window
	pol.PeakResolution, pol.Step = in.usage.PeakResolution, in.usage.Step
	r, err := rightsize.Recommend(in.cluster, in.byWL, rightsize.RecommendOptions{Policy: pol, Cost: in.cost})
	if err != nil {
		return unknownPrice(err)
	}
	if f.system != "" {
		if err := rightsize.Verify(cmd.Context(), in.cluster, r, check); err != nil {
			return withHint(err, "check the System file with headroom sim -f "+f.system)
		}
	}
	r = r.In(in.currency.Code, in.currency.FromUSD(1))
	r.Notes = append(r.Notes, in.notes...)
	r.Warnings = append(r.Warnings, in.warnings...)
	if f.patch != "" {
		data, err := rightsize.Patches(r.Recommendations)
		if err != nil {
			return err
		}
		if f.patch == "-" {
			_, err := a.stdio.Out.Write(data)
			return err
		}
		if err := os.WriteFile(f.patch, data, 0o644); err != nil {
			return withHint(err, "check that the directory exists and is writable")
		}
	}
	if f.asJSON {
		return writeJSON(a.stdio.Out, r)
	}
	writeRightsizeTable(a.stdio.Out, in, r)
	if f.patch != "" {
		fmt.Fprintf(a.stdio.Out, "\npatches written to %s\n", f.patch)
	}
	return nil
}

// readSystemCheck reads a System file and picks its scenarios.
func (a *app) readSystemCheck(path string, names []string) (rightsize.SystemCheck, error) {
	data, err := readFileCapped(path, "a YAML or JSON file", maxSpecBytes)
	if err != nil {
		return rightsize.SystemCheck{}, usageError(err, "check the path of --system")
	}
	sf, err := spec.ParseSystem(path, data, relativeLoader(filepath.Dir(path)))
	if err != nil {
		return rightsize.SystemCheck{}, usageError(err, "a System file has apiVersion: headroom/v1 and kind: System")
	}
	check := rightsize.SystemCheck{System: sf.System, Scenarios: sf.Scenarios}
	if len(names) > 0 {
		check.Scenarios = nil
		for _, n := range names {
			sc, ok := sf.Scenario(n)
			if !ok {
				return check, usageErrorf("the file's scenarios are "+strings.Join(sf.ScenarioNames(), ", "), "%s: no scenario %q", path, n)
			}
			check.Scenarios = append(check.Scenarios, sc)
		}
	}
	if len(check.Scenarios) == 0 {
		return check, usageErrorf("add spec.scenarios to the System file", "%s: no scenarios to check against", path)
	}
	return check, nil
}

func writeRightsizeTable(w io.Writer, in *clusterInputs, r *rightsize.Report) {
	cur := in.currency
	fmt.Fprintln(w, in.header("rightsize"))
	writeWarnings(w, r.Warnings)
	fmt.Fprintln(w, "\nalgorithm:")
	for _, line := range r.Algorithm {
		fmt.Fprintln(w, "  "+line)
	}
	fmt.Fprintln(w)
	if len(r.Recommendations) == 0 {
		fmt.Fprintln(w, "no recommendations: every workload is sized within the policy")
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tCLASS\tRISK\tSAVING/MONTH\tWORKLOAD\tCONTAINER\tCPU\tMEMORY\tCHANGE")
		for i, x := range r.Recommendations {
			saving := cur.Format(x.MonthlySaving)
			if x.SavingUnknown {
				saving = "unknown"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, x.Class, x.Risk, saving,
				target(x), dash(x.Container), arrow(x.CurrentCPURequest, x.CPURequest, rightsize.FormatCPU),
				arrow(x.CurrentMemoryRequest, x.MemoryRequest, rightsize.FormatMemory), change(x))
		}
		tw.Flush()
		fmt.Fprintln(w, "\nwhy:")
		for i, x := range r.Recommendations {
			fmt.Fprintf(w, "  %d. %s\n", i+1, x.Reason)
		}
	}
	fmt.Fprintf(w, "\ncuts save %s a month (easy %s, big %s)", cur.Format(r.EasyMonthlySaving+r.BigMonthlySaving), cur.Format(r.EasyMonthlySaving), cur.Format(r.BigMonthlySaving))
	if r.RaiseMonthlyCost > 0 {
		fmt.Fprintf(w, "; raises for under-provisioned workloads cost %s", cur.Format(r.RaiseMonthlyCost))
	}
	fmt.Fprintf(w, "; net %s\n", cur.Format(r.TotalMonthlySaving))
	if len(r.Skipped) > 0 {
		fmt.Fprintln(w, "\nnot sized:")
		for _, s := range r.Skipped {
			fmt.Fprintf(w, "  %s %s/%s: %s\n", s.Kind, s.Namespace, s.Workload, s.Reason)
		}
	}
	writeNotes(w, r.Notes)
}

func target(x rightsize.Recommendation) string {
	if x.Nodes != nil {
		return fmt.Sprintf("pool %s (%d × %s)", x.Nodes.Pool, x.Nodes.Nodes, x.Nodes.MachineType)
	}
	return x.Namespace + "/" + x.Workload
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func arrow(from, to float64, f func(float64) string) string {
	switch {
	case from == 0 && to == 0:
		return "-"
	case from == to:
		return f(from)
	case from == 0:
		return "none → " + f(to)
	}
	return f(from) + " → " + f(to)
}

// change describes what else a recommendation changes.
func change(x rightsize.Recommendation) string {
	var parts []string
	if x.RecommendedReplicas != nil {
		parts = append(parts, fmt.Sprintf("replicas %d → %d", x.Replicas, *x.RecommendedReplicas))
	}
	if h := x.HPA; h != nil {
		if h.NewMinReplicas != h.MinReplicas {
			parts = append(parts, fmt.Sprintf("HPA min %d → %d", h.MinReplicas, h.NewMinReplicas))
		}
		if h.NewMaxReplicas != h.MaxReplicas {
			parts = append(parts, fmt.Sprintf("HPA max %d → %d", h.MaxReplicas, h.NewMaxReplicas))
		}
		if h.NewCPUTarget != h.CPUTarget {
			parts = append(parts, fmt.Sprintf("HPA CPU target %.0f%% → %.0f%%", h.CPUTarget*100, h.NewCPUTarget*100))
		}
	}
	if x.MemoryLimit > 0 {
		parts = append(parts, "memory limit → "+rightsize.FormatMemory(x.MemoryLimit))
	}
	if x.CPULimit > 0 {
		parts = append(parts, "CPU limit → "+rightsize.FormatCPU(x.CPULimit))
	}
	if n := x.Nodes; n != nil {
		if n.NewMachineType != n.MachineType {
			parts = append(parts, "→ "+n.NewMachineType)
		}
		if n.NewTier != n.Tier {
			parts = append(parts, n.Tier+" → "+n.NewTier)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}

// writeWarnings prints what the data sources warned about, up front.
func writeWarnings(w io.Writer, warnings []string) {
	if len(warnings) == 0 {
		return
	}
	fmt.Fprintln(w, "\nWARNING: Prometheus answered with warnings (the data may be partial):")
	for _, x := range warnings {
		fmt.Fprintln(w, "  "+x)
	}
}
