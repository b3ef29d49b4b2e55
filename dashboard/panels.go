package dashboard

import (
	"fmt"
	"slices"
	"strings"

	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/slo"
)

// Grafana's units.
const (
	unitRatio = "percentunit" // a fraction shown as a percentage
	unitRate  = "reqps"       // events per second
	unitNone  = "none"        // burn rates: plain multiples
)

// Grafana's grid is 24 columns wide; panels are this many rows high.
const (
	gridWidth   = 24
	panelHeight = 8
)

// builder lays panels out top to bottom.
type builder struct {
	panels []panel
	y      int
}

func (b *builder) add(p panel) {
	p.ID = len(b.panels) + 1
	b.panels = append(b.panels, p)
}

// line lays panels side by side at the current height, each as wide as
// its GridPos.W.
func (b *builder) line(ps ...panel) {
	x := 0
	for _, p := range ps {
		p.GridPos = gridPos{H: panelHeight, W: p.GridPos.W, X: x, Y: b.y}
		x += p.GridPos.W
		b.add(p)
	}
	b.y += panelHeight
}

func wide(p panel, w int) panel {
	p.GridPos.W = w
	return p
}

// slo adds the row of one SLO.
func (b *builder) slo(s slo.SLO, vars []groupVar) error {
	r, err := rulesOf(s)
	if err != nil {
		return err
	}
	v := newView(s, vars, r)
	b.add(panel{Type: "row", Title: fmt.Sprintf("%s: %s over %s", s.ID(), v.objective, s.Window), Collapsed: ptr(false),
		GridPos: gridPos{H: 1, W: gridWidth, Y: b.y}})
	b.y++
	b.line(wide(v.sliStat(), 4), wide(v.budgetStat(), 4), wide(v.sliOverTime(), 16))
	b.line(wide(v.budgetOverTime(), 8), wide(v.burnRates(), 16))
	if v.hasTraffic() {
		b.line(wide(v.traffic(), 12), wide(v.alerts(), 12))
	} else {
		b.line(wide(v.alerts(), gridWidth))
	}
	if len(vars) > 0 {
		b.line(wide(v.worstGroups(), gridWidth))
	}
	return nil
}

// view holds what one SLO's panels share.
type view struct {
	s    slo.SLO
	vars []groupVar
	r    rules
	// sel selects the SLO's series; groups also its groups chosen in the
	// variables.
	sel, groups string
	// period and current are the SLO window and the current-burn window
	// as the series' names spell them.
	period, current string
	objective       string // the target, "99.9%"
	budget          string // the error budget, "0.1%"
	legend          string // the group labels' legend, "{{route}} ", or ""
}

func newView(s slo.SLO, vars []groupVar, r rules) view {
	v := view{s: s, vars: vars, r: r,
		period: slo.PromDuration(s.Window.Length), current: slo.PromDuration(s.CurrentBurnWindow()),
		objective: slo.FormatPercent(s.Target), budget: slo.FormatPercent(s.ErrorBudget()),
	}
	var filters, legends []string
	for _, g := range vars {
		filters = append(filters, g.filter())
		legends = append(legends, "{{"+g.label+"}}")
	}
	v.sel, v.groups = selector(s, nil), selector(s, filters)
	if len(legends) > 0 {
		v.legend = strings.Join(legends, " ") + " "
	}
	return v
}

// labels names the grouping labels: "route", "route, tenant".
func (v view) labels() string { return strings.Join(v.s.Grouping, ", ") }

// worstOf reduces a grouped SLO's selected groups to the worst (lowest)
// value, for a stat.
func (v view) worstOf(expr string) string {
	if len(v.vars) == 0 {
		return expr
	}
	return "min(" + expr + ")"
}

// errorRatio is the recorded error ratio over window w (a duration as the
// series' names spell it) of the selected groups.
func (v view) errorRatio(w string) string { return promrule.ErrorRatioRecord + w + v.groups }

func (v view) hasTraffic() bool { return v.r.records[promrule.EventsRecord+v.current] }

func (v view) sliStat() panel {
	desc := fmt.Sprintf("The share of good events over the last %s: the number the %s objective is judged on. "+
		"Green when the objective is met, red when it is missed; no data when there were no events.", v.period, v.objective)
	if len(v.vars) > 0 {
		desc += fmt.Sprintf(" Of the %s groups selected above, the worst.", v.labels())
	}
	if v.s.Description != "" {
		desc = v.s.Description + " " + desc
	}
	return stat(fmt.Sprintf("SLI over %s", v.period), desc,
		query("A", v.worstOf("1 - "+v.errorRatio(v.period)), "SLI"),
		fieldDefaults{Unit: unitRatio, Decimals: ptr(sliDecimals(v.s.Target)), NoValue: "no data",
			Thresholds: steps("red", from(v.s.Target, "green"))})
}

func (v view) budgetStat() panel {
	desc := fmt.Sprintf("How much of the %s error budget is left: the objective allows %s of events to fail, and this is the share of that "+
		"allowance not yet spent. 100%% means no failures, 0%% that the objective is only just met, below 0%% that it is missed. "+
		"When it runs low, reliability work comes before risky changes.", v.period, v.budget)
	if len(v.vars) > 0 {
		desc += fmt.Sprintf(" Of the %s groups selected above, the lowest.", v.labels())
	}
	return stat("Error budget left", desc,
		query("A", v.worstOf(promrule.BudgetRemainingRecord+v.groups), "budget left"),
		fieldDefaults{Unit: unitRatio, Decimals: ptr(1), NoValue: "no data",
			Thresholds: steps("red", from(0, "orange"), from(0.25, "green"))})
}

func (v view) sliOverTime() panel {
	desc := fmt.Sprintf("The share of good events over the last %s (fast: shows incidents as they happen) and over the last %s "+
		"(slow: what the objective is judged on), against the %s objective (dashed). The fast line below the objective spends "+
		"error budget; the slow line below it means the objective is missed. Gaps mean no events.", v.current, v.period, v.objective)
	p := timeSeries("SLI against the objective", desc,
		fieldDefaults{Unit: unitRatio, Decimals: ptr(sliDecimals(v.s.Target))},
		query("A", "1 - "+v.errorRatio(v.current), v.legend+"SLI over "+v.current),
		query("B", "1 - "+v.errorRatio(v.period), v.legend+"SLI over "+v.period),
		query("C", promrule.ObjectiveRecord+v.sel, "objective "+v.objective))
	p.FieldConfig.Overrides = append(p.FieldConfig.Overrides, dashed("C", "green"))
	return p
}

func (v view) budgetOverTime() panel {
	desc := fmt.Sprintf("The error budget left over the trailing %s at each moment. It falls while errors run above the %s the "+
		"objective allows, and recovers as old errors leave the window. Below the red line the objective is missed.", v.period, v.budget)
	d := fieldDefaults{Unit: unitRatio, Decimals: ptr(1), Thresholds: steps("red", from(0, "transparent"))}
	p := timeSeries("Error budget left over time", desc, d,
		query("A", promrule.BudgetRemainingRecord+v.groups, v.legend+"budget left"))
	p.FieldConfig.Defaults.Custom["thresholdsStyle"] = map[string]any{"mode": "line+area"}
	return p
}

func (v view) burnRates() panel {
	tiers := v.r.tiers(v.s)
	desc := fmt.Sprintf("How fast errors spend the error budget, as a multiple of the sustainable pace: 1 spends exactly the whole "+
		"budget in %s. Lines: now (%s), over the whole %s, and over each alert's long window. ", v.period, v.current, v.period)
	if len(tiers) > 0 {
		desc += "The dashed lines are the alert thresholds: an alert fires when the burn rate over its long window and over its " +
			"short window are both above its line (a page wakes someone up; a ticket waits for working hours)."
	} else {
		desc += "The SLO has no burn-rate alerts."
	}
	targets := []target{
		query("A", promrule.CurrentBurnRecord+v.groups, v.legend+"now ("+v.current+")"),
		query("B", promrule.PeriodBurnRecord+v.groups, v.legend+"over "+v.period),
	}
	var longs []string
	for _, t := range tiers {
		long := slo.PromDuration(t.Long)
		if slices.Contains(longs, long) {
			continue // tiers sharing a long window share its line
		}
		longs = append(longs, long)
		targets = append(targets, query(refID(len(targets)), fmt.Sprintf("%s / %s", v.errorRatio(long), slo.PromNumber(v.s.ErrorBudget())), v.legend+"over "+long))
	}
	var overrides []override
	for _, t := range tiers {
		id := refID(len(targets))
		legend := fmt.Sprintf("%s above %sx (%s and %s)", t.Severity, slo.PromNumber(t.factor), slo.PromDuration(t.Long), slo.PromDuration(t.Short))
		targets = append(targets, query(id, fmt.Sprintf("vector(%s)", slo.PromNumber(t.factor)), legend))
		overrides = append(overrides, dashed(id, severityColor(t.Severity)))
	}
	p := timeSeries("Burn rate", desc, fieldDefaults{Unit: unitNone, Decimals: ptr(2), Min: ptr(0.0)}, targets...)
	p.FieldConfig.Overrides = append(p.FieldConfig.Overrides, overrides...)
	return p
}

func severityColor(s slo.Severity) string {
	switch s {
	case slo.Page:
		return "red"
	case slo.Ticket:
		return "orange"
	}
	return "yellow"
}

func (v view) traffic() panel {
	desc := fmt.Sprintf("Events per second the SLI counts, averaged over %s. Without events there is no SLI: a drop to zero shows as "+
		"a gap in the SLI, not as failures, and no alert fires on it.", v.current)
	return timeSeries("Traffic", desc, fieldDefaults{Unit: unitRate, Min: ptr(0.0)},
		query("A", promrule.EventsRecord+v.current+v.groups, v.legend+"events/s over "+v.current))
}

func (v view) alerts() panel {
	var ms []string
	for _, l := range v.s.IdentityLabels() {
		ms = append(ms, fmt.Sprintf("%s=%q", l.Name, l.Value))
	}
	names := v.r.alertNames()
	expr := fmt.Sprintf("ALERTS{alertstate=\"firing\",%s,alertname=~%q}", strings.Join(ms, ","), strings.Join(names, "|"))
	desc := "The alerts of this SLO firing now: burn-rate pages and tickets, a spent error budget, an SLI without data " +
		"(" + strings.Join(names, ", ") + "). Empty means none is firing."
	t := instant("A", expr)
	return panel{Type: "table", Title: "Alerts firing", Description: desc, Datasource: ds(),
		Targets:     []target{t},
		FieldConfig: &fieldConfig{Defaults: fieldDefaults{Unit: unitNone, NoValue: "none firing"}, Overrides: []override{}},
		Options:     map[string]any{"showHeader": true, "cellHeight": "sm"},
		Transformations: []transformation{{ID: "organize", Options: map[string]any{
			"excludeByName": map[string]bool{"Time": true, "Value": true, "__name__": true, "alertstate": true},
			"indexByName":   map[string]int{}, "renameByName": map[string]string{},
		}}},
	}
}

func (v view) worstGroups() panel {
	by := "on(" + strings.Join(v.s.Grouping, ", ") + ")"
	worst := fmt.Sprintf("bottomk(%d, %s%s)", WorstGroups, promrule.BudgetRemainingRecord, v.sel)
	sli := "SLI over " + v.period
	burn := "burn rate now (" + v.current + ")"
	targets := []target{
		instant("A", worst),
		instant("B", fmt.Sprintf("(1 - %s%s%s) and %s %s", promrule.ErrorRatioRecord, v.period, v.sel, by, worst)),
		instant("C", fmt.Sprintf("%s%s and %s %s", promrule.CurrentBurnRecord, v.sel, by, worst)),
	}
	include := append([]string{}, v.s.Grouping...)
	include = append(include, "Value #A", "Value #B", "Value #C")
	desc := fmt.Sprintf("The %d %s groups with the least error budget left over %s, with their SLI over %s and their burn rate now: "+
		"where reliability work pays off first. All groups, whatever is selected above.", WorstGroups, v.labels(), v.period, v.period)
	return panel{Type: "table", Title: fmt.Sprintf("Worst groups by error budget left (%s)", v.labels()), Description: desc, Datasource: ds(),
		Targets: targets,
		FieldConfig: &fieldConfig{
			Defaults: fieldDefaults{Unit: unitRatio, Decimals: ptr(sliDecimals(v.s.Target))},
			Overrides: []override{
				byName("Value #A", property{"displayName", "budget left"}, property{"decimals", 1},
					property{"custom.cellOptions", map[string]any{"type": "color-text"}},
					property{"thresholds", steps("red", from(0, "orange"), from(0.25, "green"))}),
				byName("Value #B", property{"displayName", sli}),
				byName("Value #C", property{"displayName", burn}, property{"unit", unitNone}, property{"decimals", 2}),
			},
		},
		Options: map[string]any{"showHeader": true, "cellHeight": "sm", "sortBy": []map[string]any{{"displayName": "budget left", "desc": false}}},
		Transformations: []transformation{
			{ID: "merge", Options: map[string]any{}},
			{ID: "filterFieldsByName", Options: map[string]any{"include": map[string]any{"names": include}}},
		},
	}
}

// query is a range query for a time series or a stat.
func query(ref, expr, legend string) target {
	return target{RefID: ref, Datasource: ds(), EditorMode: "code", Expr: expr, LegendFormat: legend, Format: "time_series", Range: true}
}

// instant is an instant query for a table.
func instant(ref, expr string) target {
	return target{RefID: ref, Datasource: ds(), EditorMode: "code", Expr: expr, Format: "table", Instant: true}
}

func refID(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return fmt.Sprintf("Q%d", i)
}

func stat(title, desc string, t target, d fieldDefaults) panel {
	d.Color = map[string]any{"mode": "thresholds"}
	return panel{Type: "stat", Title: title, Description: desc, Datasource: ds(), Targets: []target{t},
		FieldConfig: &fieldConfig{Defaults: d, Overrides: []override{}},
		Options: map[string]any{
			"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
			"colorMode":     "value", "graphMode": "area", "justifyMode": "auto", "orientation": "auto", "textMode": "value",
		},
	}
}

func timeSeries(title, desc string, d fieldDefaults, ts ...target) panel {
	d.Color = map[string]any{"mode": "palette-classic"}
	d.Custom = map[string]any{"drawStyle": "line", "lineWidth": 2, "fillOpacity": 0, "showPoints": "never", "spanNulls": false}
	if d.Thresholds == nil {
		d.Thresholds = steps("green")
	}
	return panel{Type: "timeseries", Title: title, Description: desc, Datasource: ds(), Targets: ts,
		FieldConfig: &fieldConfig{Defaults: d, Overrides: []override{}},
		Options: map[string]any{
			"legend":  map[string]any{"displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": []string{}},
			"tooltip": map[string]any{"mode": "multi", "sort": "none"},
		},
	}
}

// steps are absolute thresholds: the color below the first step, then
// the steps.
func steps(below string, rest ...step) *thresholds {
	return &thresholds{Mode: "absolute", Steps: append([]step{{Color: below}}, rest...)}
}

// from is a threshold step: color from value up.
func from(value float64, color string) step { return step{Color: color, Value: ptr(value)} }

// dashed draws the series of query ref as a dashed line of one color.
func dashed(ref, color string) override {
	return override{Matcher: matcher{ID: "byFrameRefID", Options: ref}, Properties: []property{
		{"custom.lineStyle", map[string]any{"fill": "dash", "dash": []int{10, 10}}},
		{"color", map[string]any{"mode": "fixed", "fixedColor": color}},
	}}
}

func byName(name string, ps ...property) override {
	return override{Matcher: matcher{ID: "byName", Options: name}, Properties: ps}
}
