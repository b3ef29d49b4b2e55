package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/rightsize"
)

func (a *app) newCostCmd() *cobra.Command {
	var (
		f             clusterFlags
		asJSON, asCSV bool
		format        *formatValue
		htmlFile      string
	)
	cmd := &cobra.Command{
		Use:   "cost [--snapshot FILE | --context NAME] [--prometheus URL]",
		Short: "Show the monthly cost per workload, namespace and component",
		Long: `Where the money goes, per month (730 hours), from the shipped GKE and Compute
Engine price catalog.

  --mode autopilot   pods are billed for their requests, rounded to
                     Autopilot's rules; system namespaces are free.
  --mode standard    nodes are billed; each node's cost is charged to its
                     pods by max(request, mean usage) per container (usage
                     from --prometheus, else requests) — the OpenCost rule.
                     What no pod is charged is idle capacity, shown apart.

The cluster fee ($0.10 an hour) is shown apart in both modes. The component
of a workload is its app.kubernetes.io/component, app.kubernetes.io/name or
app label, else its name.

The cluster comes from --snapshot FILE (` + kube.SnapshotCommand + `),
else from the Kubernetes API (--kubeconfig, --context), else — when only
--prometheus is given — from kube-state-metrics. Autopilot clusters are
recognised by their nodes (gk3-… names, ek-… machine types); Autopilot's
request rules follow the nodes' GKE version (--autopilot-bursting).

With --prometheus, each workload is priced on its mean number of pods over
the --window (today's count is shown beside it), and a CronJob on the time
its runs were running; without it, a CronJob or Job is shown as unknown
rather than billed all month. A price the catalog lacks (a machine family,
a region) marks its lines unknown and the total a lower bound, with a hint.

--html FILE also writes the report as a single HTML page.

` + priceFileExample,
		Example: `  ` + kube.SnapshotCommand + ` > cluster.yaml
  headroom cost --snapshot cluster.yaml --mode standard
  headroom cost --context prod --prometheus http://127.0.0.1:9090 --json
  headroom cost --snapshot cluster.yaml --mode autopilot --currency JPY --rate 150 --csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && asCSV {
				return usageErrorf("give one of them", "--json and --csv both given")
			}
			asCSV = asCSV || format.Format() == "csv"
			cfg, err := f.config(a, cmd, false)
			if err != nil {
				return err
			}
			res, err := pipeline.Cost(cmd.Context(), diskFiles{limit: maxSnapshotBytes}, pipeline.CostConfig{Cluster: cfg})
			if err != nil {
				return clusterError(err)
			}
			doc := res.Document(commandLine(cmd))
			doc.Generated = a.now()
			if err := a.writeHTMLReport(htmlFile, doc); err != nil {
				return err
			}
			switch {
			case asJSON:
				return writeJSON(a.stdio.Out, res.Report)
			case asCSV:
				return writeCostCSV(a.stdio.Out, res.Report)
			}
			return report.WriteText(a.stdio.Out, doc, report.TextOptions{})
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (monthly_cost, workloads, namespaces, components, nodes, idle, cluster_fee, sources); same as -o json")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV, one row per workload, namespace, component, node and total; same as -o csv")
	format = addFormatFlag(cmd.Flags(), &asJSON, "text", "json", "csv")
	addHTMLFlag(cmd.Flags(), &htmlFile)
	return cmd
}

// commandLine is the command as run, flags as given: what reproduces its
// result (credentials are never flags' values shown: they are left out).
func commandLine(cmd *cobra.Command) string {
	parts := []string{cmd.CommandPath()}
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		switch fl.Name {
		case "prometheus-token", "prometheus-password", "html", "json", "csv", "output", "patch":
			return
		}
		if fl.Value.Type() == "bool" {
			if v := fl.Value.String(); v != "true" {
				parts = append(parts, "--"+fl.Name+"="+v)
				return
			}
			parts = append(parts, "--"+fl.Name)
			return
		}
		v := fl.Value.String()
		if u, err := url.Parse(v); err == nil && fl.Name == "prometheus" {
			u.User = nil // credentials are never shown
			v = u.String()
		}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			for _, x := range sv.GetSlice() {
				parts = append(parts, "--"+fl.Name+" "+shellQuote(x))
			}
			return
		}
		parts = append(parts, "--"+fl.Name+" "+shellQuote(v))
	})
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func writeCostCSV(w io.Writer, r *rightsize.CostReport) error {
	cw := csv.NewWriter(w)
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	money := func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
	rows := [][]string{{"type", "namespace", "name", "kind", "component", "replicas", "cpu_request", "memory_request", "monthly_cost", "currency"}}
	for _, wc := range r.Workloads {
		cost := money(wc.MonthlyCost)
		if wc.Unknown {
			cost = "unknown"
		}
		rows = append(rows, []string{"workload", wc.Namespace, wc.Name, wc.Kind, wc.Component, strconv.Itoa(wc.Replicas),
			num(wc.Requests.CPU), num(wc.Requests.Memory), cost, r.Currency})
	}
	for _, g := range r.Namespaces {
		rows = append(rows, []string{"namespace", g.Name, g.Name, "", "", "", "", "", money(g.MonthlyCost), r.Currency})
	}
	for _, g := range r.Components {
		rows = append(rows, []string{"component", "", g.Name, "", g.Name, "", "", "", money(g.MonthlyCost), r.Currency})
	}
	for _, n := range r.Nodes {
		cost := money(n.MonthlyCost)
		if n.Unknown {
			cost = "unknown"
		}
		rows = append(rows, []string{"node", "", n.Name, n.MachineType, "", "", "", "", cost, r.Currency})
	}
	rows = append(rows,
		[]string{"idle", "", "idle", "", "", "", "", "", money(r.Idle.MonthlyCost), r.Currency},
		[]string{"cluster_fee", "", "cluster fee", "", "", "", "", "", money(r.ClusterFee), r.Currency},
		[]string{"total", "", "total", "", "", "", "", "", money(r.MonthlyCost), r.Currency})
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}
