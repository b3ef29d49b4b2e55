package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/headroom-sre/headroom/plan"
)

// PlanReport is what `headroom plan` found.
type PlanReport struct {
	// System is the system's name.
	System string
	// Result is the planner's answer.
	Result *plan.Result
	// Command is the command line that reproduces the plan.
	Command string
	// Written lists the files the plan was written to, if any.
	Written []string
}

// PlanDocument is a plan as a document for a manager: today against the
// recommendation, what the monthly cost is made of, what changes and
// why, what more safety costs, and the files written.
func PlanDocument(r PlanReport) Document {
	res := r.Result
	var names []string
	for _, s := range res.Current.Scenarios {
		names = append(names, s.Name)
	}
	doc := Document{Title: r.System + " — plan", Subtitle: reproducible(fmt.Sprintf("For %s, in %s", strings.Join(names, ", "), res.Currency), " · ", r.Command)}
	sec := PlanSection("The cheapest configuration that meets the SLO", res)
	sec.Tables = append([]Table{planCostTable(res)}, sec.Tables...)
	if res.Recommended == nil {
		for _, s := range res.Current.Scenarios {
			if !s.SLOMet {
				sec.Notes = append(sec.Notes, fmt.Sprintf("Today, %s: %s.", s.Name, strings.TrimSuffix(s.BottleneckReason, ".")))
			}
		}
	} else {
		sec.Notes = append([]string{planCostNote(res)}, sec.Notes...)
	}
	doc.Sections = append(doc.Sections, sec)
	if len(r.Written) > 0 {
		doc.Sections = append(doc.Sections, Section{Title: "Written", Notes: r.Written})
	}
	return doc
}

// planCostTable is today's monthly cost against the recommendation's,
// steady state and events apart.
func planCostTable(res *plan.Result) Table {
	t := Table{Title: "Monthly cost", Columns: []string{"", "Today", "Recommended"}}
	rec := func(f func(*plan.Evaluation) string) string {
		if res.Recommended == nil {
			return "—"
		}
		return f(res.Recommended)
	}
	money := func(x float64) string { return Money(x, res.Currency) }
	t.Rows = [][]string{
		{"monthly cost", money(res.Current.MonthlyCost), rec(func(e *plan.Evaluation) string { return money(e.MonthlyCost) })},
		{"steady state", money(res.Current.SteadyMonthly), rec(func(e *plan.Evaluation) string { return money(e.SteadyMonthly) })},
		{"events", money(res.Current.EventsMonthly), rec(func(e *plan.Evaluation) string { return money(e.EventsMonthly) })},
		{"SLO met", planVerdict(&res.Current), rec(planVerdict)},
	}
	if res.Recommended != nil {
		t.Highlight = []int{0}
	}
	return t
}

// planCostNote says what the recommendation's monthly cost is made of.
func planCostNote(res *plan.Result) string {
	var events []string
	for _, s := range res.Recommended.Scenarios {
		e := fmt.Sprintf("%s %s × %s", s.Name, Money(s.EventCost, res.Currency), strconv.FormatFloat(s.PerMonth, 'g', 3, 64))
		var how []string
		if s.Prescaled {
			how = append(how, "pre-scaled")
		}
		if s.Assumption != "" {
			how = append(how, s.Assumption)
		}
		if len(how) > 0 {
			e += " (" + strings.Join(how, ", ") + ")"
		}
		events = append(events, e)
	}
	return fmt.Sprintf("Monthly cost: the steady state at %s for 730 hours, plus each event's own cost times how often it happens: %s.",
		Rate(res.BaselineRate), strings.Join(events, "; "))
}

// planVerdict says whether an evaluation meets the SLO, naming the
// scenarios it misses.
func planVerdict(e *plan.Evaluation) string {
	if e.SLOMet {
		return "yes, in every scenario"
	}
	var missed []string
	for _, s := range e.Scenarios {
		if !s.SLOMet {
			missed = append(missed, s.Name)
		}
	}
	sort.Strings(missed)
	return "no: " + strings.Join(missed, ", ")
}
