package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/internal/cli"
)

// sloDashboard is the part of Grafana's dashboard model the tests read.
type sloDashboard struct {
	UID           string   `json:"uid"`
	Title         string   `json:"title"`
	Tags          []string `json:"tags"`
	SchemaVersion int      `json:"schemaVersion"`
	Time          struct {
		From string `json:"from"`
	} `json:"time"`
	Templating struct {
		List []struct {
			Name    string `json:"name"`
			Type    string `json:"type"`
			Current struct {
				Value any `json:"value"`
			} `json:"current"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		Type       string `json:"type"`
		Title      string `json:"title"`
		Datasource *struct {
			Type string `json:"type"`
			UID  string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
		FieldConfig struct {
			Defaults struct {
				Unit string `json:"unit"`
			} `json:"defaults"`
		} `json:"fieldConfig"`
	} `json:"panels"`
}

func decodeSLODashboard(t *testing.T, data string) sloDashboard {
	t.Helper()
	var d sloDashboard
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		t.Fatalf("slo dashboard wrote no JSON: %v\n%s", err, data[:min(len(data), 500)])
	}
	return d
}

func TestSLODashboardWritesGrafanaJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "grafana", "slo.json")
	code, stdout, stderr := runHeadroom(t, "slo", "dashboard", "-f", "testdata/slo/multi.yaml", "--out", out)
	if code != cli.ExitOK || stdout != "" {
		t.Fatalf("slo dashboard -o: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	d := decodeSLODashboard(t, string(data))
	if d.Title != "SLOs: checkout" || !strings.HasPrefix(d.UID, "headroom-slo-") || d.SchemaVersion < 38 {
		t.Errorf("dashboard title %q, uid %q, schema %d; want SLOs: checkout, a headroom-slo- uid, schema ≥ 38", d.Title, d.UID, d.SchemaVersion)
	}
	if len(d.Templating.List) == 0 || d.Templating.List[0].Name != "datasource" || d.Templating.List[0].Type != "datasource" {
		t.Errorf("template variables %+v; want the datasource variable first", d.Templating.List)
	}
	var rows []string
	var exprs []string
	for _, p := range d.Panels {
		if p.Type == "row" {
			rows = append(rows, p.Title)
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" || p.FieldConfig.Defaults.Unit == "" {
			t.Errorf("panel %q: datasource %+v, unit %q; want ${datasource} and a unit", p.Title, p.Datasource, p.FieldConfig.Defaults.Unit)
		}
		for _, q := range p.Targets {
			exprs = append(exprs, q.Expr)
		}
	}
	wantRows := []string{
		"checkout/checkout-latency: 99% over 28d rolling",
		"checkout/checkout-availability/three-nines: 99.9% over 30d rolling",
		"checkout/checkout-availability/two-nines: 99% over 30d rolling",
	}
	if !slices.Equal(rows, wantRows) {
		t.Errorf("rows %q; want %q", rows, wantRows)
	}
	all := strings.Join(exprs, "\n")
	for _, want := range []string{
		`1 - slo:sli_error:ratio_rate28d{slo="checkout-latency",service="checkout"}`,
		`slo:error_budget_remaining:ratio{slo="checkout-availability",service="checkout",objective="three-nines"}`,
		`ALERTS{alertstate="firing",slo="checkout-availability",service="checkout",objective="two-nines",alertname=~"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the dashboard's queries lack %s", want)
		}
	}

	// The same file gives the same uid (a re-import replaces the
	// dashboard), wherever the command runs from; another file another.
	abs, err := filepath.Abs("testdata/slo/multi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runHeadroom(t, "slo", "dashboard", "-f", abs)
	if code != cli.ExitOK {
		t.Fatalf("slo dashboard to stdout: exit %d\n%s", code, stderr)
	}
	if again := decodeSLODashboard(t, stdout); again.UID != d.UID {
		t.Errorf("uid of the same file by another path = %q; want %q", again.UID, d.UID)
	}
	code, stdout, stderr = runHeadroom(t, "slo", "dashboard", "-f", "testdata/slo/availability.yaml")
	if code != cli.ExitOK {
		t.Fatalf("slo dashboard availability.yaml: exit %d\n%s", code, stderr)
	}
	if other := decodeSLODashboard(t, stdout); other.UID == d.UID {
		t.Errorf("uid of another file = %q, the same as multi.yaml's", other.UID)
	}
}

func TestSLODashboardFlags(t *testing.T) {
	code, stdout, stderr := runHeadroom(t, "slo", "dashboard", "-f", "testdata/slo/availability.yaml",
		"--title", "Checkout SLOs", "--uid", "checkout-slos", "--datasource", "prom-eu", "--tag", "team-shop", "--range", "168h")
	if code != cli.ExitOK {
		t.Fatalf("slo dashboard with flags: exit %d\n%s", code, stderr)
	}
	d := decodeSLODashboard(t, stdout)
	if d.Title != "Checkout SLOs" || d.UID != "checkout-slos" || d.Templating.List[0].Current.Value != "prom-eu" ||
		!slices.Contains(d.Tags, "team-shop") || d.Time.From != "now-7d" {
		t.Errorf("dashboard %+v; want title Checkout SLOs, uid checkout-slos, data source prom-eu, tag team-shop, from now-7d", d)
	}
}

func TestSLODashboardUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"slo", "dashboard"}, "no SLO file given"},
		{"a missing file", []string{"slo", "dashboard", "-f", "testdata/slo/nope.yaml"}, "no such file"},
		{"a bad uid", []string{"slo", "dashboard", "-f", "testdata/slo/availability.yaml", "--uid", "a/b"}, `uid "a/b"`},
		{"a tiny range", []string{"slo", "dashboard", "-f", "testdata/slo/availability.yaml", "--range", "1s"}, "time range 1s"},
		{"an argument", []string{"slo", "dashboard", "slo.yaml"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runHeadroom(t, tt.args...)
			if code != cli.ExitUsage || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("headroom %s: exit %d, stdout %q, stderr %q; want exit %d and %q", strings.Join(tt.args, " "), code, stdout, stderr, cli.ExitUsage, tt.want)
			}
		})
	}
}
