package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/headroom-sre/headroom/review"
	"github.com/headroom-sre/headroom/units"
)

// ReviewReport is what `headroom review` found.
type ReviewReport struct {
	// System is the system's name.
	System string
	// Review is the review.
	Review *review.Result
	// Command is the command line that reproduces it.
	Command string
}

// ReviewDocument is a readiness review as a document: the go/no-go with
// its reasons and headline figures, every finding with its evidence and
// fix, the spikes survived, the time to ten times the replicas, the
// file's scenarios, and the notes.
func ReviewDocument(r ReviewReport) Document {
	rv := r.Review
	doc := Document{Title: r.System + " — readiness review",
		Subtitle: reproducible("Go/no-go before a launch: spikes survived, scale-up, HPAs, replicas, disruption budgets, alerts and capacities", " · ", r.Command)}
	doc.Sections = append(doc.Sections, reviewVerdictSection(rv), reviewFindingsSection(rv), reviewSpikeSection(rv), reviewScaleUpSection(rv))
	if len(rv.Scenarios) > 0 {
		t := Table{Title: "The System file's scenarios, simulated as written", Columns: []string{"Scenario", "Event", "Peak", "Budget burned", "SLO", "Bottleneck"}}
		for _, s := range rv.Scenarios {
			met := "met"
			if !s.SLOMet {
				met = "MISSED"
			}
			t.Rows = append(t.Rows, []string{s.Name, s.Event, reviewTimes(s.Multiple), Percent(s.BudgetBurned), met, s.Bottleneck})
		}
		doc.Sections = append(doc.Sections, Section{Title: "Scenarios", Tables: []Table{t}})
	}
	if len(rv.Notes) > 0 {
		doc.Sections = append(doc.Sections, Section{Title: "Notes", Notes: rv.Notes})
	}
	return doc
}

func reviewTimes(x float64) string {
	if x <= 0 {
		return units.Unknown
	}
	return "×" + units.Number(x)
}

func reviewVerdictSection(rv *review.Result) Section {
	sec := Section{Title: "Verdict"}
	switch rv.Verdict {
	case review.Go:
		sec.Verdict = &Verdict{Status: OK, Text: "GO: nothing blocks the launch and nothing the review needs is unknown."}
		if n := rv.Count(review.Warning); n > 0 {
			sec.Verdict.Text = fmt.Sprintf("GO, with %d warning(s) to fix or accept knowingly.", n)
		}
	case review.NoGo:
		sec.Verdict = &Verdict{Status: Fail, Text: fmt.Sprintf("NO-GO: %d finding(s) block the launch.", rv.Count(review.Blocker))}
	default:
		sec.Verdict = &Verdict{Status: Warn, Text: fmt.Sprintf("UNKNOWN, not a go: %d thing(s) the review needs are not known.", rv.Count(review.Unknowable))}
	}
	sec.Notes = append(sec.Notes, rv.Reasons...)
	spike := func(s review.Spike) (string, Status) {
		switch {
		case !s.Known:
			return "unknown", Warn
		case s.AtLeast:
			return "≥ ×" + units.Number(s.Multiple), OK
		}
		return reviewTimes(s.Multiple), Neutral
	}
	sv, ss := spike(rv.Surprise)
	av, as := spike(rv.Announced)
	base := "normal rate unknown"
	if rv.BaseRate > 0 {
		base = "× the normal " + Rate(rv.BaseRate) + ", " + rv.BaseSource
	}
	notice := units.Seconds(rv.NoticeS) + " notice, pre-scaled to maxReplicas"
	if len(rv.Unmeasured) > 0 {
		// The figures rest on capacities that are not measured: say so
		// where they are read.
		caveat := "; capacities not measured: " + strings.Join(rv.Unmeasured, ", ")
		base, notice, ss, as = base+caveat, notice+caveat, Warn, Warn
	}
	slowest, slowName := -1.0, ""
	var silent, unsure []string
	for _, f := range rv.Findings {
		if f.Check == review.CheckHPA && f.Severity == review.Unknowable {
			unsure = append(unsure, f.Component)
		}
	}
	for _, s := range rv.ScaleUp {
		if s.Known && s.TotalS > slowest {
			slowest, slowName = s.TotalS, s.Component
		}
		if s.Known && !s.Fires {
			silent = append(silent, s.Component)
		}
	}
	scale := Tile{Label: fmt.Sprintf("Time to ×%d replicas", review.ScaleFactor), Value: units.Unknown, Detail: "no component can scale"}
	switch {
	case len(silent) > 0:
		// The safe reading: a time that never starts is no time.
		scale.Value, scale.Status = "never", Fail
		scale.Detail = fmt.Sprintf("the HPA of %s cannot fire; %s once asked", strings.Join(silent, ", "), Seconds(slowest))
	case slowest >= 0:
		scale.Value, scale.Detail = Seconds(slowest), "slowest: "+slowName+", once its HPA asks"
		if len(unsure) > 0 {
			scale.Status = Warn
			scale.Detail += "; whether the HPA of " + strings.Join(unsure, ", ") + " fires is unknown"
		}
	}
	sec.Tiles = []Tile{
		{Label: "Surprise survived", Value: sv, Detail: base, Status: ss},
		{Label: "Announced survived", Value: av, Detail: notice, Status: as},
		scale,
		{Label: "Blockers", Value: strconv.Itoa(rv.Count(review.Blocker)), Status: countStatus(rv.Count(review.Blocker), Fail)},
		{Label: "Unknowns", Value: strconv.Itoa(rv.Count(review.Unknowable)), Status: countStatus(rv.Count(review.Unknowable), Warn)},
		{Label: "Warnings", Value: strconv.Itoa(rv.Count(review.Warning)), Status: countStatus(rv.Count(review.Warning), Warn)},
	}
	return sec
}

func countStatus(n int, bad Status) Status {
	if n > 0 {
		return bad
	}
	return OK
}

func reviewFindingsSection(rv *review.Result) Section {
	sec := Section{Title: "Findings", Intro: "Heaviest first. A blocker makes the review a no-go; an unknown keeps it from being a go."}
	t := Table{Columns: []string{"#", "Severity", "Check", "Component", "Finding", "Fix"}}
	ev := Table{Title: "Evidence", Columns: []string{"#", "What", "Value", "Source"}}
	for i, f := range rv.Findings {
		n := strconv.Itoa(i + 1)
		t.Rows = append(t.Rows, []string{n, strings.ToUpper(string(f.Severity)), f.Check, f.Component, f.Summary, f.Fix})
		if f.Severity == review.Blocker {
			t.Highlight = append(t.Highlight, i)
		}
		for _, e := range f.Evidence {
			ev.Rows = append(ev.Rows, []string{n, e.What, e.Text, e.Source})
		}
	}
	sec.Tables = []Table{t}
	if len(ev.Rows) > 0 {
		sec.Tables = append(sec.Tables, ev)
	}
	return sec
}

func reviewSpikeSection(rv *review.Result) Section {
	sec := Section{Title: "Largest spike survived",
		Intro: fmt.Sprintf("Spikes from the normal rate, rising within %s and held %s, simulated on a virtual clock; the multiple is searched by doubling, then bisection to within %s. Announced: every HPA pre-scaled to its maxReplicas %s before the event.",
			units.Duration(review.ProbeRise), units.Duration(review.ProbeHold), units.Percent(review.SearchPrecision-1), units.Seconds(rv.NoticeS))}
	t := Table{Columns: []string{"Event", "Survived", "Peak rate", "Fails at", "Bottleneck there", "Simulations"}}
	for _, s := range []review.Spike{rv.Surprise, rv.Announced} {
		if !s.Known {
			t.Rows = append(t.Rows, []string{s.Event, "unknown", units.Unknown, units.Unknown, s.Reason, strconv.Itoa(s.Runs)})
			continue
		}
		surv := reviewTimes(s.Multiple)
		if s.AtLeast {
			surv = "≥ " + surv
		}
		if s.Multiple == 0 {
			surv = "not even ×1"
		}
		fails := "not within the search"
		if s.FailsAt > 0 {
			fails = reviewTimes(s.FailsAt)
		}
		bn := s.Bottleneck
		if s.BottleneckReason != "" {
			bn += ": " + s.BottleneckReason
		}
		t.Rows = append(t.Rows, []string{s.Event, surv, Rate(s.PeakRate), fails, bn, strconv.Itoa(s.Runs)})
	}
	sec.Tables = []Table{t}
	return sec
}

func reviewScaleUpSection(rv *review.Result) Section {
	sec := Section{Title: fmt.Sprintf("Time to ×%d replicas", review.ScaleFactor),
		Intro: "From the replicas each component runs at the normal rate, once its HPA asks: metric lag and a sync, the HPA's scale-up policies, node provisioning, pod start-up — the path of the last replicas."}
	t := Table{Columns: []string{"Component", "From", "To", "Lag + sync", "Policies", "Nodes", "Start-up", "Total", "HPA fires"}}
	for _, s := range rv.ScaleUp {
		if !s.Known {
			t.Rows = append(t.Rows, []string{s.Component, strconv.Itoa(s.From), units.Unknown, "", "", "", "", units.Unknown, s.Reason})
			continue
		}
		to := strconv.Itoa(s.Target)
		if !s.Reaches {
			to += " (maxReplicas)"
		}
		fires := "yes"
		if !s.Fires {
			fires = "NO"
		}
		t.Rows = append(t.Rows, []string{s.Component, strconv.Itoa(s.From), to, Seconds(s.DetectS), Seconds(s.PoliciesS), Seconds(s.NodesS), Seconds(s.StartupS), Seconds(s.TotalS), fires})
	}
	sec.Tables = []Table{t}
	return sec
}
