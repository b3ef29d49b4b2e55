package pipeline

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/review"
	"github.com/headroom-sre/headroom/rightsize"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/units"
)

func simVerdict(res *sim.Result) string {
	if res.SLOMet {
		return fmt.Sprintf("survives; %s of the error budget burned", units.Percent(res.BudgetBurned))
	}
	when := ""
	if res.FirstBreach != nil {
		when = " at T+" + units.Seconds(*res.FirstBreach)
	}
	return fmt.Sprintf("does not survive: the SLO breaks%s, %s of requests fail (bottleneck %s)", when,
		units.Percent(res.Failed/max(res.Requests, 1)), res.Bottleneck)
}

func planVerdict(res *plan.Result) string {
	if res.Recommended == nil {
		return "no configuration within the search bounds meets the SLO"
	}
	return fmt.Sprintf("recommended %s a month (today %s, %s the SLO)", units.Money(res.Recommended.MonthlyCost, res.Currency),
		units.Money(res.Current.MonthlyCost, res.Currency), map[bool]string{true: "meeting", false: "missing"}[res.Current.SLOMet])
}

// demoScenarioTable is the verdict of each stage in each scenario: the
// same figures `headroom sim` prints for its System file.
func demoScenarioTable(title string, stages ...*DemoStage) report.Table {
	t := report.Table{Title: title, Columns: []string{"Configuration", "Scenario", "Verdict", "Requests failed", "Error budget burned", "SLO breaks at"}}
	for _, st := range stages {
		if st == nil {
			continue
		}
		for _, sc := range st.Scenarios {
			v, at := "survives", "—"
			if !sc.SLOMet {
				v = "fails"
			}
			if sc.FirstBreach != nil {
				at = "T+" + units.Seconds(*sc.FirstBreach)
			}
			t.Rows = append(t.Rows, []string{demoStageTitle(st.Name), sc.Name, v, units.Percent(sc.Failed / max(sc.Requests, 1)), units.Percent(sc.BudgetBurned), at})
		}
	}
	return t
}

// demoStageTitle names a stage for people.
func demoStageTitle(name string) string {
	switch name {
	case "as-launched":
		return "as launched"
	case "panic":
		return "after the panic scale-up"
	case "planned":
		return "as planned"
	case "after-cuts":
		return "panic, after the safe cuts"
	}
	return name
}

// demoSurvives is a stage's verdict in one word, with its status.
func demoSurvives(st *DemoStage) (string, report.Status) {
	if st.SLOMet {
		return "survives", report.OK
	}
	var failed []string
	for _, sc := range st.Scenarios {
		if !sc.SLOMet {
			failed = append(failed, sc.Name)
		}
	}
	return "fails " + strings.Join(failed, ", "), report.Fail
}

// demoSystemCost is what app and money cost a month in a priced cluster,
// with the cluster fee: the part a System file describes.
func demoSystemCost(c *rightsize.CostReport) float64 {
	total := c.ClusterFee
	for _, w := range c.Workloads {
		if w.Name == "app" || w.Name == "money" {
			total += w.MonthlyCost
		}
	}
	return total
}

// demoDocument assembles the report of a demo run: one story on one
// system, each section with the commands that reproduce its figures.
func demoDocument(r *DemoResult, now time.Time, cmds DemoCommands) report.Document {
	doc := report.Document{
		Title:     "headroom demo: will the fintech app survive the broadcast?",
		Subtitle:  "A money service and a customer app, measured on loopback, then simulated, planned and right-sized at production scale: one system, one story.",
		Generated: now,
	}
	cur := r.Cost.Currency
	money := func(x float64) string { return units.Money(x, cur) }
	summary := report.Section{Title: "Summary"}
	live := demoLiveVerdict(r)
	summary.Tiles = []report.Tile{
		demoCapacityTile("money", r.PerReplica["money"]),
		demoCapacityTile("app", r.PerReplica["app"]),
		{Label: "Live spike", Value: strings.ToUpper(live), Detail: fmt.Sprintf("the SLOs over the run; %s of requests failed", units.Percent(r.Spike.ErrorRatio)),
			Status: statusOf(live != string(slo.Met))},
	}
	v, st := demoSurvives(r.Launched)
	summary.Tiles = append(summary.Tiles, report.Tile{Label: "As launched", Value: v, Detail: "the broadcast at 30×, simulated", Status: st})
	if rv := r.Review; rv != nil {
		summary.Tiles = append(summary.Tiles, report.Tile{Label: "Readiness review", Value: strings.ToUpper(string(rv.Verdict)),
			Detail: fmt.Sprintf("before the launch: survives %s without warning, %s with a day's notice", spikeSurvived(rv.Surprise), spikeSurvived(rv.Announced)),
			Status: statusOf(rv.Verdict != review.Go)})
	}
	v, st = demoSurvives(r.Panic)
	summary.Tiles = append(summary.Tiles, report.Tile{Label: "Panic scale-up", Value: money(r.Cost.MonthlyCost) + "/month", Detail: v + ", simulated", Status: st})
	if r.Plan != nil && r.Plan.Recommended != nil && r.Planned != nil {
		v, st = demoSurvives(r.Planned)
		detail := "app, money and the cluster fee, " + r.Plan.Assumption + "; " + v + ", simulated"
		if sur := r.PlanSurprise; sur != nil && sur.Recommended != nil {
			detail += fmt.Sprintf("; %s for a surprise", money(sur.Recommended.MonthlyCost))
		}
		summary.Tiles = append(summary.Tiles, report.Tile{Label: "Plan", Value: money(r.Plan.Recommended.MonthlyCost) + "/month", Detail: detail, Status: st})
	}
	v, st = demoSurvives(r.AfterCuts)
	summary.Tiles = append(summary.Tiles, report.Tile{Label: "After the safe cuts", Value: money(r.CostAfterCuts.MonthlyCost) + "/month",
		Detail: fmt.Sprintf("%s saved of %s; %s, simulated", money(r.Saving), money(r.Cost.MonthlyCost), v), Status: st})
	summary.Verdict = &report.Verdict{Status: statusOf(!r.Sim.SLOMet), Text: "As first deployed, the broadcast " + simVerdict(r.Sim) + "."}
	summary.Intro = demoStoryIntro(r)
	scenarioColumn := func(name string) string {
		if sc, ok := r.Launched.scenario(name); ok && sc.Event != "" {
			return name + " (" + sc.Event + ")"
		}
		return name
	}
	story := report.Table{Title: "The story, stage by stage", Columns: []string{"Stage", "app", "money", scenarioColumn("tv-spike"), scenarioColumn("evening-peak"), "Monthly (app + money + cluster fee)", "Reproduce"}}
	row := func(st *DemoStage, app, money, monthly, cmd string) {
		if st == nil {
			return
		}
		verdict := func(name string) string {
			sc, ok := st.scenario(name)
			switch {
			case !ok:
				return "—"
			case sc.SLOMet:
				return "survives (" + units.Percent(sc.BudgetBurned) + ")"
			}
			return "fails (" + units.Percent(sc.BudgetBurned) + ")"
		}
		story.Rows = append(story.Rows, []string{demoStageTitle(st.Name), app, money, verdict("tv-spike"), verdict("evening-peak"), monthly, st.Command + "; " + cmd})
	}
	deployText := func(st *DemoStage, name string) string {
		for _, c := range st.system.File.System.Components {
			if c.Name != name {
				continue
			}
			out := fmt.Sprintf("cpu %s", units.CPU(c.Resources.CPURequest))
			if c.HPA != nil {
				out += fmt.Sprintf(", %d–%d replicas", c.HPA.MinReplicas, c.HPA.MaxReplicas)
				for _, m := range c.HPA.Metrics {
					if m.Source == sim.ResourceMetric && m.Target == sim.UtilizationTarget {
						out += fmt.Sprintf(" at %d%% CPU", m.AverageUtilization)
					}
				}
			}
			return out
		}
		return "—"
	}
	today := "—"
	if r.Plan != nil {
		today = money(r.Plan.Current.MonthlyCost) + " (plan: today)"
	}
	row(r.Launched, deployText(r.Launched, "app"), deployText(r.Launched, "money"), today, cmds.Plan(r.Launched.File, false))
	row(r.Panic, deployText(r.Panic, "app"), deployText(r.Panic, "money"), fmt.Sprintf("%s (whole cluster %s)", money(demoSystemCost(r.Cost)), money(r.Cost.MonthlyCost)),
		cmds.Cost(filepath.Join(r.Out, "cluster.yaml")))
	if r.Plan != nil && r.Plan.Recommended != nil && r.Planned != nil {
		row(r.Planned, deployText(r.Planned, "app"), deployText(r.Planned, "money"), money(r.Plan.Recommended.MonthlyCost)+" (plan: recommended)", cmds.Plan(r.Launched.File, false))
	}
	row(r.AfterCuts, deployText(r.AfterCuts, "app"), deployText(r.AfterCuts, "money"), fmt.Sprintf("%s (whole cluster %s)", money(demoSystemCost(r.CostAfterCuts)), money(r.CostAfterCuts.MonthlyCost)),
		cmds.Cost(filepath.Join(r.Out, "cluster.cuts.yaml")))
	summary.Tables = []report.Table{story}
	honesty := demoMeasurementNotes(r)
	summary.Notes = append(summary.Notes, honesty...)
	summary.Notes = append(summary.Notes, "Every figure is reproduced by the command printed under its section; the verdicts set those commands' exit codes (3 when a verdict fails).")

	capSec := report.CapacitySection("1. Capacity of one replica", []string{"money", "app"}, []*capacity.Profile{r.Capacity["money"], r.Capacity["app"]})
	capSec.Notes = append(capSec.Notes, honesty...)
	capSec.Notes = append(capSec.Notes, "Measure it again against the sample system served on its own (headroom demo serve): "+cmds.Capacity("http://127.0.0.1:8081/value")+" (a measurement: it varies with the machine).")

	loadSec := report.LoadSection("2. The broadcast, live: a TV spike against the app", r.run)
	loadSec.Notes = append(loadSec.Notes, r.reproduceNotes("load")...)

	sloSec := report.SLOSection("3. The SLOs, and what the live spike did to them",
		"Availability 99.9% and latency 99% under 300ms over 30 days. Judged over the load test, its own window, as the SLO check of its results file judges it; the last column is what the spike's failed requests would cost of the 30-day budget at 50 req/s of everyday traffic.",
		r.Budget, []string{filepath.Join(r.Out, "slo.yaml"), filepath.Join(r.Out, "slo-rules.yaml"), filepath.Join(r.Out, "slo-dashboard.json")})
	sloSec.Notes = append(sloSec.Notes, r.reproduceNotes("slo")...)

	simSec := report.SimSection("4. The broadcast at production scale, as launched (simulated)", r.Sim)
	// The story's monthly figures are the plan's and the bills': the cost
	// of the simulation's end state is neither, so it is left out.
	tiles := simSec.Tiles[:0]
	for _, tl := range simSec.Tiles {
		if !strings.HasPrefix(tl.Label, "Cost at the end") {
			tiles = append(tiles, tl)
		}
	}
	simSec.Tiles = tiles
	simSec.Tables = append(simSec.Tables, demoScenarioTable("Every scenario of system.yaml", r.Launched))
	simSec.Notes = append(simSec.Notes, r.Launched.notes...)
	simSec.Notes = append(simSec.Notes, r.reproduceNotes("launched")...)

	panicSec := report.CostSection("5. The panic scale-up and its bill", r.Cost, nil)
	panicSec.Intro = "After the broadcast the team scaled app and money to 12 replicas with large requests, and left a load-test runner and an admin console running. system.panic.yaml is the same system with those settings, simulated through the same scenarios; cluster.yaml is the cluster, priced."
	_, st = demoSurvives(r.Panic)
	panicSec.Verdict = &report.Verdict{Status: st, Text: fmt.Sprintf("The panic configuration %s every scenario, for %s a month: %s for app and money with the cluster fee, %s for workloads outside the system.",
		map[bool]string{true: "survives", false: "does not survive"}[r.Panic.SLOMet], money(r.Cost.MonthlyCost), money(demoSystemCost(r.Cost)), money(r.Cost.MonthlyCost-demoSystemCost(r.Cost)))}
	panicSec.Tables = append([]report.Table{demoScenarioTable("Every scenario of system.panic.yaml", r.Panic)}, panicSec.Tables...)
	panicSec.Notes = append(r.reproduceNotes("panic"), panicSec.Notes...)

	doc.Sections = append(doc.Sections, summary, capSec, loadSec, sloSec, simSec)
	if rd := r.Review.docOrNil(); len(rd.Sections) >= 2 {
		// The readiness review before the launch: its verdict with the
		// headline figures, and its findings.
		verdict, findings := rd.Sections[0], rd.Sections[1]
		verdict.Title = "4b. Before the launch: the readiness review of system.yaml"
		verdict.Intro = "What the team wished it had checked before the broadcast, on the system as launched with the SLOs agreed: the largest spike it survives without warning and with a day's notice, how fast each component reaches ten times its replicas, HPAs that cannot fire, disruption budgets, alerts and capacities."
		verdict.Tables = append(verdict.Tables, findings.Tables...)
		verdict.Notes = append(r.reproduceNotes("review"), verdict.Notes...)
		doc.Sections = append(doc.Sections, verdict)
	}
	doc.Sections = append(doc.Sections, panicSec)
	if r.Plan != nil {
		planSec := report.PlanSection("6. The cheapest configuration that survives", r.Plan)
		if r.Planned != nil {
			planSec.Tables = append([]report.Table{demoScenarioTable("The recommended System file, simulated again", r.Planned)}, planSec.Tables...)
		}
		planSec.Notes = append(r.reproduceNotes("plan"), planSec.Notes...)
		doc.Sections = append(doc.Sections, planSec)
	}
	cutSec := report.CostSection("7. The safe cuts, applied to the panic system", r.Cost, r.Cuts)
	cutSec.Intro = "Cuts found in the panic cluster's usage, each checked with the simulator, then applied together to system.panic.yaml (system.cuts.yaml) and to cluster.yaml (cluster.cuts.yaml): the same system, simulated through the same scenarios, and priced again."
	cutSec.Tiles = append(cutSec.Tiles, report.Tile{Label: "After the cuts", Value: money(r.CostAfterCuts.MonthlyCost) + "/month", Detail: money(r.Cost.MonthlyCost) + " − " + money(r.Saving), Status: report.OK})
	v, st = demoSurvives(r.AfterCuts)
	text := fmt.Sprintf("The cuts save %s of the %s bill: %s a month after them, and the system with every cut applied %s (simulated).",
		money(r.Saving), money(r.Cost.MonthlyCost), money(r.CostAfterCuts.MonthlyCost), v)
	if r.Plan != nil && r.Plan.Recommended != nil {
		text += fmt.Sprintf(" App and money cost %s with the cluster fee after the cuts, against %s as planned: the cuts trim the panic configuration; the plan starts again from the system as launched.",
			money(demoSystemCost(r.CostAfterCuts)), money(r.Plan.Recommended.MonthlyCost))
	}
	cutSec.Verdict = &report.Verdict{Status: st, Text: text}
	cutSec.Tables = append([]report.Table{demoScenarioTable("Every scenario, before and after the cuts", r.Panic, r.AfterCuts)}, cutSec.Tables...)
	if len(r.Cuts.Skipped) > 0 {
		sk := report.Table{Title: "Not offered", Columns: []string{"Workload", "Why"}}
		for _, s := range r.Cuts.Skipped {
			sk.Rows = append(sk.Rows, []string{s.Namespace + "/" + s.Workload, s.Reason})
		}
		cutSec.Tables = append(cutSec.Tables, sk)
	}
	cutSec.Notes = append(append(r.reproduceNotes("cuts"), "The usage behind the cuts is the demo's (see the last note), written to usage.json in the form a right-sizing reads instead of Prometheus. Each cut is checked alone against system.panic.yaml; a cut that breaks the SLO together with the others is withdrawn here, not by the right-sizing alone."), cutSec.Notes...)
	cutSec.Notes = append(cutSec.Notes, r.Cuts.Notes...)
	doc.Sections = append(doc.Sections, cutSec)
	return doc
}

// demoLiveVerdict is the live spike's verdict against the SLOs, as slo
// check gives it: met, missed or no_data, the worst of the objectives.
func demoLiveVerdict(r *DemoResult) string {
	out := string(slo.Met)
	for _, b := range r.Budget {
		switch b.Verdict {
		case string(slo.Missed):
			return b.Verdict
		case string(slo.NoData):
			out = b.Verdict
		}
	}
	return out
}

// demoStoryIntro tells the story in a few sentences, with the figures of
// the sections below.
func demoStoryIntro(r *DemoResult) string {
	cur := r.Cost.Currency
	text := fmt.Sprintf("Live, the TV spike %s the SLOs. At production scale, the system as launched: %s. The panic scale-up %s at %s a month; the safe cuts bring it to %s.",
		map[bool]string{true: "met", false: "missed"}[demoLiveVerdict(r) == string(slo.Met)], r.Launched.verdicts(),
		map[bool]string{true: "survives", false: "still fails"}[r.Panic.SLOMet], units.Money(r.Cost.MonthlyCost, cur), units.Money(r.CostAfterCuts.MonthlyCost, cur))
	if r.Plan != nil {
		text += " The plan: " + planVerdict(r.Plan) + "."
	}
	return text
}

// demoCapacityTile is the headline of one component's capacity: measured,
// or the fallback, marked.
func demoCapacityTile(name string, rep *DemoReplica) report.Tile {
	if rep.Source == demoFallback {
		return report.Tile{Label: name + " capacity", Value: units.Rate(rep.Rate) + " (fallback)",
			Detail: "by construction, NOT measured: the measurement could not be used here", Status: report.Warn}
	}
	return report.Tile{Label: name + " capacity", Value: units.Rate(rep.Rate), Detail: "one replica, p99 ≤ 100ms, measured"}
}

// demoMeasurementNotes say how the sample was sized for this machine and
// which capacities are fallbacks rather than measurements.
func demoMeasurementNotes(r *DemoResult) []string {
	var notes []string
	if c := r.Calibration; c.Scale < 1 {
		notes = append(notes, fmt.Sprintf("Calibrated: this machine's load generator held %s against a health check, below the %s the sample system needs, so the sample ran at %s of its capacity (money %s, app %s by construction). Every number here is of that scaled system.",
			units.Rate(c.GeneratorRate), units.Rate(c.Need), units.Percent(c.Scale), units.Rate(c.MoneyCapacity), units.Rate(c.AppCapacity)))
	}
	for _, name := range []string{"money", "app"} {
		rep := r.PerReplica[name]
		if rep == nil || rep.Source != demoFallback {
			continue
		}
		notes = append(notes, fmt.Sprintf("FALLBACK: %s's capacity, %s per replica, is its capacity by construction (%s), not a measurement: %s. The simulation, the plan and system.yaml use it, marked.",
			name, units.Rate(rep.Rate), rep.Construction, rep.Reason))
	}
	return notes
}

func statusOf(bad bool) report.Status {
	if bad {
		return report.Fail
	}
	return report.OK
}

func profileJSON(p *capacity.Profile) ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	return append(b, '\n'), err
}

// docOrNil is the review's document, or none without a review.
func (r *ReviewResult) docOrNil() report.Document {
	if r == nil || r.Result == nil {
		return report.Document{}
	}
	return r.Document("")
}

// spikeSurvived is the largest spike survived, for people: ×26.9, at
// least ×1000, or unknown.
func spikeSurvived(sp review.Spike) string {
	if !sp.Known {
		return "an unknown spike"
	}
	out := "×" + units.Number(sp.Multiple)
	if sp.AtLeast {
		out = "at least " + out
	}
	return out
}
