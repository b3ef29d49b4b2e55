package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/rightsize"
)

// RightsizeReport is what `headroom rightsize` found.
type RightsizeReport struct {
	// Header says what was read and from where (one or two lines).
	Header string
	// Recommendations are the cuts and raises.
	Recommendations *rightsize.Report
	// Currency formats their amounts.
	Currency pricing.Currency
	// Command is the command line that reproduces it.
	Command string
}

// RightsizeDocument is right-sizing as a document: what the cuts save,
// each recommendation with its class, risk and reason, what could not be
// sized, and the algorithm with its parameters.
func RightsizeDocument(r RightsizeReport) Document {
	rep := r.Recommendations
	money := r.Currency.Format
	doc := Document{Title: "Safe cuts", Subtitle: reproducible(r.Header, "\n", r.Command)}
	sec := Section{Title: "Recommendations, largest saving first"}
	cuts := rep.EasyMonthlySaving + rep.BigMonthlySaving
	text := fmt.Sprintf("Cuts save %s a month (easy %s, big %s)", money(cuts), money(rep.EasyMonthlySaving), money(rep.BigMonthlySaving))
	if rep.RaiseMonthlyCost > 0 {
		text += fmt.Sprintf("; raises for under-provisioned workloads cost %s", money(rep.RaiseMonthlyCost))
	}
	sec.Verdict = &Verdict{Status: OK, Text: text + fmt.Sprintf("; net %s.", money(rep.TotalMonthlySaving))}
	if len(rep.Warnings) > 0 {
		sec.Verdict.Status = Warn
		sec.Verdict.Text += " Prometheus answered with warnings: the data may be partial. " + strings.Join(rep.Warnings, "; ")
	}
	sec.Tiles = []Tile{{Label: "Easy cuts", Value: money(rep.EasyMonthlySaving) + "/month", Detail: "requests that keep every peak seen"},
		{Label: "Big cuts", Value: money(rep.BigMonthlySaving) + "/month", Detail: "HPAs, idle workloads, nodes, commitments"}}
	if rep.RaiseMonthlyCost > 0 {
		sec.Tiles = append(sec.Tiles, Tile{Label: "Raises", Value: money(rep.RaiseMonthlyCost) + "/month", Status: Warn, Detail: "under-provisioned workloads"})
	}
	if len(rep.Recommendations) == 0 {
		sec.Intro = "No recommendations: every workload is sized within the policy."
	} else {
		t := Table{Columns: []string{"#", "Class", "Risk", "Saving/month", "Workload", "Container", "CPU", "Memory", "Change"}}
		for i, x := range rep.Recommendations {
			saving := money(x.MonthlySaving)
			if x.SavingUnknown {
				saving = "unknown"
			}
			t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), string(x.Class), string(x.Risk), saving, rightsizeTarget(x), orDash(x.Container),
				fromTo(x.CurrentCPURequest, x.CPURequest, rightsize.FormatCPU), fromTo(x.CurrentMemoryRequest, x.MemoryRequest, rightsize.FormatMemory),
				rightsizeChange(x)})
			sec.Notes = append(sec.Notes, fmt.Sprintf("%d. %s", i+1, x.Reason))
		}
		sec.Tables = append(sec.Tables, t)
	}
	doc.Sections = append(doc.Sections, sec)
	if len(rep.Skipped) > 0 {
		s := Section{Title: "Not sized"}
		t := Table{Columns: []string{"Kind", "Workload", "Why"}}
		for _, x := range rep.Skipped {
			t.Rows = append(t.Rows, []string{x.Kind, x.Namespace + "/" + x.Workload, x.Reason})
		}
		s.Tables = []Table{t}
		doc.Sections = append(doc.Sections, s)
	}
	doc.Sections = append(doc.Sections, Section{Title: "Algorithm", Notes: append(append([]string(nil), rep.Algorithm...), rep.Notes...)})
	return doc
}

func rightsizeTarget(x rightsize.Recommendation) string {
	if x.Nodes != nil {
		return fmt.Sprintf("pool %s (%d × %s)", x.Nodes.Pool, x.Nodes.Nodes, x.Nodes.MachineType)
	}
	return x.Namespace + "/" + x.Workload
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// fromTo writes a change of a quantity: "500m → 250m", "none → 128Mi".
func fromTo(from, to float64, f func(float64) string) string {
	switch {
	case from == 0 && to == 0:
		return "—"
	case from == to:
		return f(from)
	case from == 0:
		return "none → " + f(to)
	}
	return f(from) + " → " + f(to)
}

// rightsizeChange says what else a recommendation changes: replicas, the
// HPA, limits, the node pool.
func rightsizeChange(x rightsize.Recommendation) string {
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
			parts = append(parts, fmt.Sprintf("HPA CPU target %s → %s", Percent(h.CPUTarget), Percent(h.NewCPUTarget)))
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
			parts = append(parts, string(n.Tier)+" → "+string(n.NewTier))
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "; ")
}
