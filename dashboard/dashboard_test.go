package dashboard_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/headroom-sre/headroom/dashboard"
	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/slo"
)

var update = flag.Bool("update", false, "rewrite golden files")

const day = 24 * time.Hour

// availabilitySLO is an ungrouped availability SLO over 30 days, with an
// extra label on its rules.
func availabilitySLO() slo.SLO {
	return slo.SLO{
		Name: "checkout-availability", Service: "checkout", Target: 0.999, Window: slo.Rolling(30 * day),
		Description: "Checkout requests succeed.",
		Indicator:   slo.Availability(slo.LabelSelector("http_requests_total", map[string]string{"job": "checkout"}), "", ""),
		Labels:      map[string]string{"team": "shop"},
	}
}

// latencySLO is a latency SLO over 28 days (its alert windows scale: 5m,
// 28m, 56m, 1h52m, 5h36m, 22h24m, 2d19h12m) with a named objective.
func latencySLO() slo.SLO {
	return slo.SLO{
		Name: "api-latency", Service: "api", Objective: "fast", Target: 0.99, Window: slo.Rolling(28 * day),
		Indicator: slo.Latency(slo.LabelSelector("http_request_duration_seconds", map[string]string{"job": "api"}), 300*time.Millisecond),
	}
}

// groupedSLO is an availability SLO per route, whose burn-rate alerts have
// their own name.
func groupedSLO() slo.SLO {
	return slo.SLO{
		Name: "shop-availability", Service: "shop", Target: 0.995, Window: slo.Rolling(30 * day),
		Indicator: slo.Availability(slo.LabelSelector("http_requests_total", map[string]string{"job": "shop"}), "", ""),
		Grouping:  []string{"route"},
		Alerting:  slo.Alerting{Name: "ShopBudgetBurn"},
	}
}

// goldenSets are the SLOs of the golden files, one file each.
func goldenSets() map[string][]slo.SLO {
	return map[string][]slo.SLO{
		"availability": {availabilitySLO()},
		"latency-28d":  {latencySLO()},
		"grouped":      {groupedSLO()},
	}
}

func generate(t *testing.T, slos []slo.SLO, opts dashboard.Options) []byte {
	t.Helper()
	data, err := dashboard.Grafana(slos, opts)
	if err != nil {
		t.Fatalf("Grafana(%d SLOs) = %v", len(slos), err)
	}
	return data
}

func TestDashboardGolden(t *testing.T) {
	for name, slos := range goldenSets() {
		t.Run(name, func(t *testing.T) {
			got := generate(t, slos, dashboard.Options{Source: name + ".yaml"})
			path := filepath.Join("testdata", name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./dashboard -update to create it)", err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("%s differs from the golden file (-want +got; check, then run go test ./dashboard -update):\n%s", path, d)
			}
		})
	}
}

// grafanaDashboard is the part of Grafana's dashboard model the tests read.
type grafanaDashboard struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Time          struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []grafanaVariable `json:"list"`
	} `json:"templating"`
	Panels []grafanaPanel `json:"panels"`
}

type grafanaVariable struct {
	Name       string             `json:"name"`
	Type       string             `json:"type"`
	Query      string             `json:"query"`
	Datasource *grafanaDatasource `json:"datasource"`
	Multi      bool               `json:"multi"`
	IncludeAll bool               `json:"includeAll"`
}

type grafanaDatasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type grafanaPanel struct {
	ID          int                `json:"id"`
	Type        string             `json:"type"`
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Datasource  *grafanaDatasource `json:"datasource"`
	GridPos     struct {
		H int `json:"h"`
		W int `json:"w"`
		X int `json:"x"`
		Y int `json:"y"`
	} `json:"gridPos"`
	Targets []struct {
		RefID      string             `json:"refId"`
		Expr       string             `json:"expr"`
		Datasource *grafanaDatasource `json:"datasource"`
		Instant    bool               `json:"instant"`
	} `json:"targets"`
	FieldConfig struct {
		Defaults struct {
			Unit string `json:"unit"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
}

func decode(t *testing.T, data []byte) grafanaDashboard {
	t.Helper()
	var d grafanaDashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	return d
}

// panelsOf returns the panels of the dashboard other than rows.
func panelsOf(d grafanaDashboard) []grafanaPanel {
	var out []grafanaPanel
	for _, p := range d.Panels {
		if p.Type != "row" {
			out = append(out, p)
		}
	}
	return out
}

func TestDashboardFollowsGrafanasModel(t *testing.T) {
	all := []slo.SLO{availabilitySLO(), latencySLO(), groupedSLO()}
	d := decode(t, generate(t, all, dashboard.Options{Source: "shop.yaml"}))
	if d.SchemaVersion < 38 || d.Title != "SLOs: api, checkout, shop" || d.Time.From != "now-1d" || d.Time.To != "now" {
		t.Errorf("dashboard = schema %d, title %q, time %s to %s; want schema ≥ 38 (Grafana 10), SLOs: api, checkout, shop, now-1d to now",
			d.SchemaVersion, d.Title, d.Time.From, d.Time.To)
	}
	vars := map[string]grafanaVariable{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	if v := vars["datasource"]; v.Type != "datasource" || v.Query != "prometheus" {
		t.Errorf("datasource variable = %+v; want type datasource, query prometheus", v)
	}
	route := vars["route"]
	if want := `label_values(slo:error_budget_remaining:ratio{slo="shop-availability",service="shop"}, route)`; route.Type != "query" ||
		route.Query != want || !route.Multi || !route.IncludeAll || route.Datasource == nil || route.Datasource.UID != "${datasource}" {
		t.Errorf("route variable = %+v; want a multi-value query variable %s on ${datasource}", route, want)
	}
	if len(d.Templating.List) != 2 {
		t.Errorf("%d template variables; want 2 (datasource and route)", len(d.Templating.List))
	}

	rows := 0
	ids := map[int]bool{}
	grid := map[[2]int]int{} // cell → panel id
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d is used twice", p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X < 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q at %+v: outside Grafana's 24-column grid", p.Title, p.GridPos)
		}
		for x := p.GridPos.X; x < p.GridPos.X+p.GridPos.W; x++ {
			for y := p.GridPos.Y; y < p.GridPos.Y+p.GridPos.H; y++ {
				if other, ok := grid[[2]int{x, y}]; ok {
					t.Errorf("panels %d and %d overlap at %d,%d", other, p.ID, x, y)
				}
				grid[[2]int{x, y}] = p.ID
			}
		}
		if p.Type == "row" {
			rows++
			continue
		}
		if p.Title == "" || p.Description == "" {
			t.Errorf("panel %d (%s) has title %q and description %q; want both", p.ID, p.Type, p.Title, p.Description)
		}
		if p.Datasource == nil || p.Datasource.Type != "prometheus" || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q datasource = %+v; want prometheus ${datasource}", p.Title, p.Datasource)
		}
		if p.FieldConfig.Defaults.Unit == "" {
			t.Errorf("panel %q has no unit", p.Title)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			if q.Expr == "" || q.RefID == "" || q.Datasource == nil || q.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q query %+v: want a refId, an expr and the ${datasource} reference", p.Title, q)
			}
		}
	}
	if rows != 3 {
		t.Errorf("%d rows; want one per SLO (3)", rows)
	}
}

func TestDashboardPanelUnits(t *testing.T) {
	units := map[string]string{
		"SLI over 30d": "percentunit", "Error budget left": "percentunit", "SLI against the objective": "percentunit",
		"Error budget left over time": "percentunit", "Burn rate": "none", "Traffic": "reqps", "Alerts firing": "none",
		"Worst groups by error budget left (route)": "percentunit",
	}
	d := decode(t, generate(t, []slo.SLO{groupedSLO()}, dashboard.Options{}))
	var titles []string
	for _, p := range panelsOf(d) {
		titles = append(titles, p.Title)
		if want, ok := units[p.Title]; !ok {
			t.Errorf("unexpected panel %q", p.Title)
		} else if p.FieldConfig.Defaults.Unit != want {
			t.Errorf("panel %q unit = %q; want %q", p.Title, p.FieldConfig.Defaults.Unit, want)
		}
	}
	if len(titles) != len(units) {
		t.Errorf("panels %q; want one of each of %v", titles, units)
	}
}

// exprsOf returns every query of the dashboard, by panel title.
func exprsOf(d grafanaDashboard) map[string][]string {
	out := map[string][]string{}
	for _, p := range panelsOf(d) {
		for _, q := range p.Targets {
			out[p.Title] = append(out[p.Title], q.Expr)
		}
	}
	return out
}

var seriesName = regexp.MustCompile(`\b(slo:[a-z_]+:[a-z_]+[0-9a-z]*|headroom_[a-z_]+|ALERTS)\b`)

// Every series a query reads is one the rules record for that SLO (or
// Prometheus' ALERTS): a renamed record breaks this test, not a manager's
// dashboard.
func TestDashboardReadsOnlyRecordedSeries(t *testing.T) {
	for name, slos := range goldenSets() {
		t.Run(name, func(t *testing.T) {
			f, err := promrule.Generate(slos, promrule.Options{})
			if err != nil {
				t.Fatal(err)
			}
			recorded := map[string]bool{"ALERTS": true}
			for _, g := range f.Groups {
				for _, r := range g.Rules {
					recorded[r.Record] = true
				}
			}
			d := decode(t, generate(t, slos, dashboard.Options{}))
			exprs := exprsOf(d)
			for _, v := range d.Templating.List {
				exprs["variable "+v.Name] = []string{v.Query}
			}
			for title, es := range exprs {
				for _, e := range es {
					for _, m := range seriesName.FindAllString(e, -1) {
						if !recorded[m] {
							t.Errorf("panel %q reads %s, which the rules do not record:\n%s", title, m, e)
						}
					}
				}
			}
		})
	}
}

// The 28-day SLO's panels read its own, scaled windows: the 56m current
// burn (its fastest tier's long window), the 28d window, and the tiers' long windows (56m, 5h36m, 22h24m,
// 2d19h12m) with their thresholds.
func TestDashboardWindowsScaleWithTheSLO(t *testing.T) {
	s := latencySLO()
	exprs := exprsOf(decode(t, generate(t, []slo.SLO{s}, dashboard.Options{})))
	sel := `{slo="api-latency",service="api",objective="fast"}`
	burn := strings.Join(exprs["Burn rate"], "\n")
	var want []string
	tiers, _ := s.Tiers()
	for _, b := range tiers {
		want = append(want, "slo:sli_error:ratio_rate"+slo.PromDuration(b.Long)+sel+" / 0.01")
	}
	want = append(want, "vector(14.4)", "vector(6)", "vector(3)", "vector(1)", "slo:current_burn_rate:ratio"+sel, "slo:period_burn_rate:ratio"+sel)
	for _, w := range want {
		if !strings.Contains(burn, w) {
			t.Errorf("burn rate panel lacks %s; its queries:\n%s", w, burn)
		}
	}
	if got := exprs["SLI over 28d"]; !slices.Equal(got, []string{"1 - slo:sli_error:ratio_rate28d" + sel}) {
		t.Errorf("SLI over 28d queries %q", got)
	}
	if got := exprs["Traffic"]; !slices.Equal(got, []string{"slo:sli_events:rate" + slo.PromDuration(s.CurrentBurnWindow()) + sel}) || s.CurrentBurnWindow() != 56*time.Minute {
		t.Errorf("traffic queries %q", got)
	}
	for title, es := range exprs {
		for _, e := range es {
			if strings.Contains(e, "30d") {
				t.Errorf("panel %q of the 28-day SLO reads a 30d series: %s", title, e)
			}
		}
	}
}

// A grouped SLO's time series are filtered by its variable; its stats show
// the worst selected group; the worst-groups table ranks all groups; and
// the alerts table lists its alerts by their own name.
func TestDashboardGroupedQueries(t *testing.T) {
	exprs := exprsOf(decode(t, generate(t, []slo.SLO{groupedSLO()}, dashboard.Options{})))
	sel := `{slo="shop-availability",service="shop"}`
	filtered := `{slo="shop-availability",service="shop",route=~"$route"}`
	tests := []struct {
		panel string
		want  []string
	}{
		{"SLI over 30d", []string{"min(1 - slo:sli_error:ratio_rate30d" + filtered + ")"}},
		{"Error budget left", []string{"min(slo:error_budget_remaining:ratio" + filtered + ")"}},
		{"SLI against the objective", []string{"1 - slo:sli_error:ratio_rate1h" + filtered, "1 - slo:sli_error:ratio_rate30d" + filtered, "slo:objective:ratio" + sel}},
		{"Traffic", []string{"slo:sli_events:rate1h" + filtered}},
		{"Alerts firing", []string{`ALERTS{alertstate="firing",slo="shop-availability",service="shop",alertname=~"ErrorBudgetExhausted|SLIMetricsAbsent|ShopBudgetBurn"}`}},
		{"Worst groups by error budget left (route)", []string{
			"bottomk(10, slo:error_budget_remaining:ratio" + sel + ")",
			"(1 - slo:sli_error:ratio_rate30d" + sel + ") and on(route) bottomk(10, slo:error_budget_remaining:ratio" + sel + ")",
			"slo:current_burn_rate:ratio" + sel + " and on(route) bottomk(10, slo:error_budget_remaining:ratio" + sel + ")",
		}},
	}
	for _, tt := range tests {
		if got := exprs[tt.panel]; !slices.Equal(got, tt.want) {
			t.Errorf("panel %q queries\n%s\nwant\n%s", tt.panel, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
	}
}

// Two SLOs grouped by the same label each get their own variable.
func TestDashboardVariablesDoNotCollide(t *testing.T) {
	other := groupedSLO()
	other.Name = "shop-latency"
	other.Indicator = slo.Latency(slo.LabelSelector("http_request_duration_seconds", map[string]string{"job": "shop"}), time.Second)
	d := decode(t, generate(t, []slo.SLO{groupedSLO(), other}, dashboard.Options{}))
	var names []string
	for _, v := range d.Templating.List {
		names = append(names, v.Name)
	}
	if want := []string{"datasource", "route_1", "route_2"}; !slices.Equal(names, want) {
		t.Fatalf("variables %q; want %q", names, want)
	}
	for _, p := range panelsOf(d) {
		for _, q := range p.Targets {
			if strings.Contains(q.Expr, `"$route"`) {
				t.Errorf("panel %q reads $route, which does not exist: %s", p.Title, q.Expr)
			}
		}
	}
}

// The uid is Grafana's (at most 40 characters), the same for the same file
// and services even when objectives change, and different for another file
// or service.
func TestDashboardUID(t *testing.T) {
	uid := func(opts dashboard.Options, slos ...slo.SLO) string {
		t.Helper()
		return decode(t, generate(t, slos, opts)).UID
	}
	a := availabilitySLO()
	base := uid(dashboard.Options{Source: "checkout.yaml"}, a)
	if len(base) > 40 || !strings.HasPrefix(base, dashboard.UIDPrefix) {
		t.Fatalf("uid %q: want at most 40 characters starting %s", base, dashboard.UIDPrefix)
	}
	tighter := a
	tighter.Target = 0.9995
	if got := uid(dashboard.Options{Source: "checkout.yaml"}, tighter, latencySLO()); got == base {
		// Another service joined the file: another dashboard.
		t.Errorf("uid with another service = %q; want a new one", got)
	}
	if got := uid(dashboard.Options{Source: "checkout.yaml"}, tighter); got != base {
		t.Errorf("uid after changing the objective = %q; want %q (re-imports replace)", got, base)
	}
	if got := uid(dashboard.Options{Source: "payments.yaml"}, a); got == base {
		t.Errorf("uid of another file = %q; want another uid than %q", got, base)
	}
	if got := uid(dashboard.Options{UID: "my-slos"}, a); got != "my-slos" {
		t.Errorf("uid with Options.UID = %q; want my-slos", got)
	}
}

func TestDashboardOptions(t *testing.T) {
	data := generate(t, []slo.SLO{availabilitySLO()}, dashboard.Options{Title: "Checkout", Datasource: "prom-eu", Tags: []string{"team-shop", "slo"}, Range: 7 * day})
	var d struct {
		Title string   `json:"title"`
		Tags  []string `json:"tags"`
		Time  struct {
			From string `json:"from"`
		} `json:"time"`
		Templating struct {
			List []struct {
				Current struct {
					Value string `json:"value"`
				} `json:"current"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Title != "Checkout" || !slices.Equal(d.Tags, []string{"headroom", "slo", "team-shop"}) || d.Time.From != "now-7d" ||
		d.Templating.List[0].Current.Value != "prom-eu" {
		t.Errorf("dashboard = %+v; want title Checkout, tags headroom, slo, team-shop, from now-7d, data source prom-eu", d)
	}
}

func TestDashboardErrors(t *testing.T) {
	bad := availabilitySLO()
	bad.Target = 1
	tests := []struct {
		name string
		slos []slo.SLO
		opts dashboard.Options
		want string
	}{
		{"no SLO", nil, dashboard.Options{}, "no SLO"},
		{"an invalid SLO", []slo.SLO{bad}, dashboard.Options{}, "SLO checkout/checkout-availability: target 1"},
		{"an SLO twice", []slo.SLO{availabilitySLO(), availabilitySLO()}, dashboard.Options{}, "is given twice"},
		{"a bad uid", []slo.SLO{availabilitySLO()}, dashboard.Options{UID: "a/b"}, `uid "a/b"`},
		{"a tiny range", []slo.SLO{availabilitySLO()}, dashboard.Options{Range: time.Second}, "time range 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := dashboard.Grafana(tt.slos, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || data != nil {
				t.Errorf("Grafana() = %d bytes, %v; want an error with %q", len(data), err, tt.want)
			}
		})
	}
}

// The output is stable: the same SLOs give the same bytes.
func TestDashboardIsDeterministic(t *testing.T) {
	all := []slo.SLO{availabilitySLO(), latencySLO(), groupedSLO()}
	first := generate(t, all, dashboard.Options{})
	for range 5 {
		if again := generate(t, all, dashboard.Options{}); !bytes.Equal(first, again) {
			t.Fatal("two runs wrote different dashboards")
		}
	}
}
