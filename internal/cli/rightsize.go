package cli

import (
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/rightsize"
)

// rightsizeFlags are the flags of `headroom rightsize` beyond the cluster's.
type rightsizeFlags struct {
	cluster clusterFlags
	policy  rightsize.Policy
	asJSON  bool
	patch   string
	system  string
	html    string
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

--html FILE also writes the report as a single HTML page.

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
	addHTMLFlag(fl, &f.html)
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
	if len(f.scenarios) > 0 && f.system == "" {
		return usageErrorf("give the System file with --system FILE", "--scenario needs --system")
	}
	cfg, err := f.cluster.config(a, cmd, true)
	if err != nil {
		return err
	}
	res, err := pipeline.Rightsize(cmd.Context(), diskFiles{limit: maxSnapshotBytes}, pipeline.RightsizeConfig{Cluster: cfg, Policy: f.policy,
		System: pipeline.SystemConfig{File: f.system}, Scenarios: f.scenarios, Patches: f.patch != ""})
	if err != nil {
		return clusterError(err)
	}
	if f.patch == "-" {
		_, err := a.stdio.Out.Write(res.Patches)
		return err
	}
	if f.patch != "" {
		if err := os.WriteFile(f.patch, res.Patches, 0o644); err != nil {
			return withHint(err, "check that the directory exists and is writable")
		}
	}
	doc := res.Document(commandLine(cmd))
	doc.Generated = a.now()
	if f.patch != "" {
		doc.Sections = append(doc.Sections, report.Section{Title: "Written", Notes: []string{"patches: " + f.patch}})
	}
	if err := a.writeHTMLReport(f.html, doc); err != nil {
		return err
	}
	if f.asJSON {
		return writeJSON(a.stdio.Out, res.Report)
	}
	return report.WriteText(a.stdio.Out, doc, report.TextOptions{})
}
