package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/rightsize"
)

func (a *app) newCostCmd() *cobra.Command {
	var (
		f             clusterFlags
		asJSON, asCSV bool
		format        *formatValue
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
			// Standard mode charges max(request, mean usage); Autopilot
			// bills requests and needs no usage.
			in, err := a.loadClusterInputs(cmd, &f, false, func(m rightsize.Mode) prom.Stats {
				if m == rightsize.Standard {
					return prom.Means | prom.Replicas
				}
				return prom.Replicas
			})
			if err != nil {
				return err
			}
			r, err := rightsize.Cost(in.cluster, in.byWL, in.cost)
			if err != nil {
				return unknownPrice(err)
			}
			r = r.In(in.currency)
			r.Notes = append(r.Notes, in.notes...)
			r.Warnings = append(r.Warnings, in.warnings...)
			switch {
			case asJSON:
				return writeJSON(a.stdio.Out, r)
			case asCSV:
				return writeCostCSV(a.stdio.Out, r)
			}
			return writeCostTable(a.stdio.Out, in, r)
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (monthly_cost, workloads, namespaces, components, nodes, idle, cluster_fee, sources); same as -o json")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV, one row per workload, namespace, component, node and total; same as -o csv")
	format = addFormatFlag(cmd.Flags(), &asJSON, "text", "json", "csv")
	return cmd
}

func writeCostTable(w io.Writer, in *clusterInputs, r *rightsize.CostReport) error {
	cur := in.currency
	money := func(x float64) string { return cur.Format(x) }
	fmt.Fprintln(w, in.header("cost"))
	writeWarnings(w, r.Warnings)
	fmt.Fprintf(w, "pods are charged for %s\n\n", r.Basis)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tWORKLOAD\tKIND\tCOMPONENT\tREPLICAS\tCPU/POD\tMEMORY/POD\tMONTHLY")
	for _, wc := range r.Workloads {
		reps := strconv.Itoa(wc.Replicas)
		if wc.AvgReplicas != nil {
			reps += fmt.Sprintf(" (mean %.2f)", *wc.AvgReplicas)
		}
		monthly := money(wc.MonthlyCost)
		if wc.Unknown {
			monthly = "unknown"
			if wc.MonthlyCost > 0 {
				monthly = money(wc.MonthlyCost) + " + unknown"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", wc.Namespace, wc.Name, wc.Kind, wc.Component, reps,
			rightsize.FormatCPU(wc.Requests.CPU), rightsize.FormatMemory(wc.Requests.Memory), monthly)
	}
	tw.Flush()
	for _, g := range []struct {
		title string
		rows  []rightsize.GroupCost
	}{{"NAMESPACE", r.Namespaces}, {"COMPONENT", r.Components}} {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "%s\tWORKLOADS\tMONTHLY\tSHARE\n", g.title)
		for _, row := range g.rows {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%.1f%%\n", row.Name, row.Workloads, money(row.MonthlyCost), row.Share*100)
		}
		tw.Flush()
	}
	if len(r.Nodes) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NODE\tMACHINE\tPOOL\tTIER\tMONTHLY\tALLOCATED\tIDLE")
		for _, n := range r.Nodes {
			if n.Unknown {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\tunknown\t-\t-\n", n.Name, n.MachineType, n.Pool, n.Tier)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.MachineType, n.Pool, n.Tier, money(n.MonthlyCost), money(n.Allocated), money(n.Idle))
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var workloads float64
	for _, wc := range r.Workloads {
		workloads += wc.MonthlyCost
	}
	fmt.Fprintf(tw, "workloads\t%s\n", money(workloads))
	if r.Mode == rightsize.Standard {
		fmt.Fprintf(tw, "idle capacity\t%s\n", money(r.Idle.MonthlyCost))
	}
	fmt.Fprintf(tw, "cluster fee\t%s\n", money(r.ClusterFee))
	total := money(r.MonthlyCost)
	if r.Partial {
		total += " + unknown (a lower bound)"
	}
	fmt.Fprintf(tw, "total a month\t%s\n", total)
	tw.Flush()
	if len(r.Unpriced) > 0 {
		fmt.Fprintln(w, "\nnot priced:")
		for _, u := range r.Unpriced {
			fmt.Fprintln(w, "  "+u)
		}
	}
	writeSources(w, r.Sources, cur)
	writeNotes(w, r.Notes)
	return nil
}

// writeSources lists the prices used, each with a numbered source.
func writeSources(w io.Writer, sources []rightsize.PriceSource, cur pricing.Currency) {
	fmt.Fprintln(w, "\nprices (USD):")
	index := map[string]int{}
	var refs []string
	for _, s := range sources {
		ref := s.Source
		if s.Date != "" {
			ref += " (" + s.Date + ")"
		}
		if _, ok := index[ref]; !ok {
			refs = append(refs, ref)
			index[ref] = len(refs)
		}
		if s.Unit == rightsize.RulesUnit {
			fmt.Fprintf(w, "  %s [%d]\n", s.Item, index[ref])
			continue
		}
		fmt.Fprintf(w, "  %s: %g %s [%d]\n", s.Item, s.USD, s.Unit, index[ref])
	}
	for i, ref := range refs {
		fmt.Fprintf(w, "  [%d] %s\n", i+1, ref)
	}
	if cur.Code != "USD" {
		fmt.Fprintf(w, "  shown in %s at %g per USD\n", cur.Code, cur.PerUSD)
	}
}

func writeNotes(w io.Writer, notes []string) {
	if len(notes) == 0 {
		return
	}
	fmt.Fprintln(w, "\nnotes:")
	for _, n := range notes {
		fmt.Fprintln(w, "  "+n)
	}
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
