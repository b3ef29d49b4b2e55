package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/importer"
	"github.com/headroom-sre/headroom/report"
)

// importResult is an import of one Deployment without history: its
// capacity and nodes unknown, its requests read.
func importResult(t *testing.T) *importer.Result {
	t.Helper()
	res, err := importer.Build(importer.Cluster{Source: "snapshot cluster.yaml", Workloads: []importer.Workload{{
		Kind: "Deployment", Namespace: "shop", Name: "web", Replicas: 3,
		Containers: []importer.Container{{Name: "app", CPURequest: 0.5, MemoryRequest: 512 << 20}},
		HPA: &importer.HPA{Name: "web", MinReplicas: 2, MaxReplicas: 20, Metrics: []importer.Metric{
			{Type: "Pods", Name: "http_requests_per_second", Target: importer.Target{Type: "AverageValue", AverageValue: "50"}}}},
	}}}, nil, importer.Options{Name: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestImportDocument(t *testing.T) {
	res := importResult(t)
	doc := report.ImportDocument(report.ImportReport{Result: res, Scenarios: []string{"spike-x10"}}, "headroom import --snapshot cluster.yaml --out system.yaml")
	doc.Generated = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var text bytes.Buffer
	if err := report.WriteText(&text, doc, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "import.txt", text.Bytes())

	sec := doc.Sections[0]
	if sec.Verdict == nil || sec.Verdict.Status != report.Warn || !strings.Contains(sec.Verdict.Text, "could not be determined") {
		t.Errorf("verdict %+v; want a warning naming the unknown values", sec.Verdict)
	}
	// Every value that is not measured is in the table, and the tiles add
	// up to every item.
	var rows, tiles int
	for _, tb := range sec.Tables {
		if tb.Title == "Values to check" {
			rows = len(tb.Rows)
		}
	}
	for _, tl := range sec.Tiles[1:] {
		var n int
		if _, err := fmt.Sscan(tl.Value, &n); err != nil {
			t.Fatalf("tile %s = %q: not a count", tl.Label, tl.Value)
		}
		tiles += n
	}
	if want := len(res.Items) - res.Count(importer.Measured); rows != want || tiles != len(res.Items) {
		t.Errorf("%d rows to check, tiles sum to %d; want %d rows and %d items", rows, tiles, want, len(res.Items))
	}

	var html bytes.Buffer
	if err := report.WriteHTML(&html, doc, report.HTMLOptions{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "Values to check") || !strings.Contains(html.String(), "spec.components[0].capacity.perReplicaRPS") {
		t.Error("the HTML report lacks the values to check")
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var back report.Document
	if err := json.Unmarshal(js, &back); err != nil || back.Sections[0].Title != sec.Title {
		t.Errorf("the document does not round-trip through JSON: %v", err)
	}
}

func TestImportDocumentWithoutUnknowns(t *testing.T) {
	res := &importer.Result{Name: "shop", Cluster: "snapshot cluster.yaml", Components: []string{"web"}, Workloads: []string{"Deployment shop/web"},
		Items: []importer.Item{{Path: "spec.components[0].replicas", Component: "web", Value: "3", Status: importer.Measured, Source: "Deployment shop/web spec.replicas"}}}
	doc := report.ImportDocument(report.ImportReport{Result: res}, "")
	if v := doc.Sections[0].Verdict; v == nil || v.Status != report.OK {
		t.Errorf("verdict %+v; want OK when every value was read", v)
	}
}
