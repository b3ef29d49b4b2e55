package report

import (
	"fmt"
	"strconv"

	"github.com/headroom-sre/headroom/importer"
)

// ImportReport is what `headroom import` wrote.
type ImportReport struct {
	// Result is the import: its components and every value with its
	// source.
	Result *importer.Result
	// Scenarios are the scenarios of the System file as read back.
	Scenarios []string
	// Replay is the replay CSV written beside it ("" for none).
	Replay string
	// Queries is the number of Prometheus queries sent.
	Queries int64
}

// ImportDocument summarises an import: what was read, what was
// estimated (with its evidence), what is unknown (with the default
// written), the components and the notes.
func ImportDocument(r ImportReport, command string) Document {
	res := r.Result
	sub := "from " + res.Cluster
	if res.History != "" {
		sub += fmt.Sprintf(" and %s (%d queries)", res.History, r.Queries)
	}
	doc := Document{Title: "Imported system " + res.Name, Subtitle: reproducible(sub, "\n", command)}
	sec := Section{Title: "What was imported"}
	unknown, estimated, assumed := res.Count(importer.Unknown), res.Count(importer.Estimated), res.Count(importer.Assumed)
	sec.Tiles = []Tile{
		{Label: "Components", Value: strconv.Itoa(len(res.Components))},
		{Label: "Measured", Value: strconv.Itoa(res.Count(importer.Measured)), Detail: "read from the cluster, profiles or history"},
		{Label: "Estimated", Value: strconv.Itoa(estimated), Detail: "inferred from history, with evidence"},
		{Label: "Assumed", Value: strconv.Itoa(assumed), Detail: "read, meaning assumed"},
		{Label: "Unknown", Value: strconv.Itoa(unknown), Detail: "safe defaults to check"},
	}
	switch {
	case unknown > 0:
		sec.Tiles[4].Status = Warn
		sec.Verdict = &Verdict{Status: Warn, Text: fmt.Sprintf("%d values could not be determined and were written with safe defaults (marked unknown: in the file): check them before trusting a verdict of headroom sim.", unknown)}
	case estimated > 0:
		sec.Verdict = &Verdict{Status: Warn, Text: fmt.Sprintf("Every value was read, and %d were estimated from history: estimates are lower bounds, not measurements.", estimated)}
	default:
		sec.Verdict = &Verdict{Status: OK, Text: "Every value was read from the cluster, profiles or history."}
	}
	ct := Table{Title: "Components", Columns: []string{"Component", "Workload"}}
	for i, c := range res.Components {
		ct.Rows = append(ct.Rows, []string{c, res.Workloads[i]})
	}
	sec.Tables = append(sec.Tables, ct)
	vt := Table{Title: "Values to check", Columns: []string{"Status", "Component", "Field", "Value", "Source or reason"}}
	for _, st := range []importer.Status{importer.Unknown, importer.Estimated, importer.Assumed} {
		for _, it := range res.Items {
			if it.Status != st {
				continue
			}
			comp := it.Component
			if comp == "" {
				comp = "—"
			}
			val := it.Value
			if val == "" {
				val = "—"
			}
			vt.Rows = append(vt.Rows, []string{string(it.Status), comp, it.Path, val, it.Source})
		}
	}
	if len(vt.Rows) > 0 {
		sec.Tables = append(sec.Tables, vt)
	}
	if len(r.Scenarios) > 0 {
		st := Table{Title: "Scenarios", Columns: []string{"Scenario"}}
		for _, s := range r.Scenarios {
			st.Rows = append(st.Rows, []string{s})
		}
		sec.Tables = append(sec.Tables, st)
	}
	if r.Replay != "" {
		sec.Notes = append(sec.Notes, "the biggest spike's traffic is written to "+r.Replay+", beside the System file")
	}
	sec.Notes = append(sec.Notes, res.Skipped...)
	sec.Notes = append(sec.Notes, res.Notes...)
	doc.Sections = append(doc.Sections, sec)
	return doc
}
