package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/rightsize"
)

// CostReport is what `headroom cost` found.
type CostReport struct {
	// Header says what was priced and from where (one or two lines).
	Header string
	// Cost is the bill.
	Cost *rightsize.CostReport
	// Currency formats its amounts.
	Currency pricing.Currency
	// Command is the command line that reproduces it.
	Command string
}

// CostDocument is a cluster's bill as a document: the total and what it
// is made of, then per workload, namespace, component and node, the
// prices used with their sources, and the notes.
func CostDocument(r CostReport) Document {
	c := r.Cost
	money := r.Currency.Format
	doc := Document{Title: "Where the money goes", Subtitle: reproducible(r.Header, "\n", r.Command)}
	sec := Section{Title: "Monthly cost", Intro: fmt.Sprintf("GKE %s in %s, 730 hours a month; pods are charged for %s.", c.Mode, c.Region, c.Basis)}
	total := money(c.MonthlyCost)
	if c.Partial {
		total += " + unknown"
	}
	var workloads float64
	for _, w := range c.Workloads {
		workloads += w.MonthlyCost
	}
	sec.Tiles = []Tile{{Label: "Total a month", Value: total}, {Label: "Workloads", Value: money(workloads)}}
	if c.Partial {
		sec.Tiles[0].Status, sec.Tiles[0].Detail = Warn, "a lower bound: some prices are unknown"
	}
	if c.Mode == rightsize.Standard {
		sec.Tiles = append(sec.Tiles, Tile{Label: "Idle capacity", Value: money(c.Idle.MonthlyCost), Detail: "node capacity no pod is charged for"})
	}
	sec.Tiles = append(sec.Tiles, Tile{Label: "Cluster fee", Value: money(c.ClusterFee)})
	if len(c.Warnings) > 0 {
		sec.Verdict = &Verdict{Status: Warn, Text: "Prometheus answered with warnings: the data may be partial. " + strings.Join(c.Warnings, "; ")}
	}
	wt := Table{Title: "Workloads", Columns: []string{"Namespace", "Workload", "Kind", "Component", "Replicas", "CPU/pod", "Memory/pod", "Monthly"}}
	for _, w := range c.Workloads {
		reps := strconv.Itoa(w.Replicas)
		if w.AvgReplicas != nil {
			reps += fmt.Sprintf(" (mean %.2f)", *w.AvgReplicas)
		}
		monthly := money(w.MonthlyCost)
		if w.Unknown {
			monthly = "unknown"
			if w.MonthlyCost > 0 {
				monthly = money(w.MonthlyCost) + " + unknown"
			}
		}
		wt.Rows = append(wt.Rows, []string{w.Namespace, w.Name, w.Kind, w.Component, reps,
			rightsize.FormatCPU(w.Requests.CPU), rightsize.FormatMemory(w.Requests.Memory), monthly})
	}
	sec.Tables = append(sec.Tables, wt)
	for _, g := range []struct {
		title string
		rows  []rightsize.GroupCost
	}{{"Namespace", c.Namespaces}, {"Component", c.Components}} {
		t := Table{Title: "Per " + strings.ToLower(g.title), Columns: []string{g.title, "Workloads", "Monthly", "Share"}}
		for _, row := range g.rows {
			t.Rows = append(t.Rows, []string{row.Name, strconv.Itoa(row.Workloads), money(row.MonthlyCost), Percent(row.Share)})
		}
		sec.Tables = append(sec.Tables, t)
	}
	if len(c.Nodes) > 0 {
		t := Table{Title: "Nodes", Columns: []string{"Node", "Machine", "Pool", "Tier", "Monthly", "Allocated", "Idle"}}
		for _, n := range c.Nodes {
			if n.Unknown {
				t.Rows = append(t.Rows, []string{n.Name, n.MachineType, n.Pool, string(n.Tier), "unknown", "—", "—"})
				continue
			}
			t.Rows = append(t.Rows, []string{n.Name, n.MachineType, n.Pool, string(n.Tier), money(n.MonthlyCost), money(n.Allocated), money(n.Idle)})
		}
		sec.Tables = append(sec.Tables, t)
	}
	for _, u := range c.Unpriced {
		sec.Notes = append(sec.Notes, "Not priced: "+u)
	}
	sec.Notes = append(sec.Notes, c.Notes...)
	doc.Sections = append(doc.Sections, sec, PricesSection(c.Sources, r.Currency))
	return doc
}

// reproducible is a subtitle followed, after sep, by the command that
// reproduces the document (when there is one).
func reproducible(subtitle, sep, command string) string {
	if command == "" {
		return subtitle
	}
	return subtitle + sep + "reproduce with: " + command
}

// PricesSection lists the prices used, in US dollars, each with a
// numbered source.
func PricesSection(sources []rightsize.PriceSource, cur pricing.Currency) Section {
	sec := Section{Title: "Prices (USD)"}
	t := Table{Columns: []string{"Item", "Price", "Unit", "Source"}}
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
		price, unit := strconv.FormatFloat(s.USD, 'g', -1, 64), s.Unit
		if s.Unit == rightsize.RulesUnit {
			price, unit = "", "billing rules"
		}
		t.Rows = append(t.Rows, []string{s.Item, price, unit, fmt.Sprintf("[%d]", index[ref])})
	}
	sec.Tables = []Table{t}
	for i, ref := range refs {
		sec.Notes = append(sec.Notes, fmt.Sprintf("[%d] %s", i+1, ref))
	}
	if cur.Code != "USD" {
		sec.Notes = append(sec.Notes, fmt.Sprintf("Shown in %s at %g per USD.", cur.Code, cur.PerUSD))
	}
	return sec
}
