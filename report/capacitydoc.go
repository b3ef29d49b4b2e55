package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/units"
)

// CapacityDocument is the report of one capacity search: the capacity
// section (the knee, or a lower bound, and the latency curve) and what
// else the profile holds — the result in a sentence with its bracket and
// precision, the search's length, the CPU a request costs, the curve
// step by step, which endpoint breaks first, and the scalability fit.
func CapacityDocument(p *capacity.Profile) Document {
	sec := CapacitySection("Capacity of "+p.Target, []string{p.Target}, []*capacity.Profile{p})
	sec.Verdict = capacityVerdict(p)
	sec.Tiles = append(sec.Tiles,
		Tile{Label: "Objective", Value: p.SLO},
		Tile{Label: "Search", Value: fmt.Sprintf("%d steps", p.Steps), Detail: "in " + units.Duration(time.Duration(p.DurationS*float64(time.Second)))},
		capacityCPUTile(p))
	if p.Note != "" {
		sec.Notes = append(sec.Notes, p.Note)
	}
	if curve := p.Curve(); len(curve) > 0 {
		t := Table{Title: "Steps, by rate", Columns: []string{"Rate", "Achieved", "p50", "p90", "p99", "Errors", "Held"}}
		for _, c := range curve {
			held := "yes"
			if !c.OK {
				held = "✖ no"
			}
			t.Rows = append(t.Rows, []string{units.Rate(c.Rate), units.Rate(c.AchievedRate), units.Seconds(c.P50), units.Seconds(c.P90),
				units.Seconds(c.P99), units.Percent(c.ErrorRatio), held})
		}
		sec.Tables = append(sec.Tables, t)
		n := 0
		for _, pt := range p.Points {
			if pt.GeneratorLimited {
				n++
			}
		}
		if n > 0 {
			sec.Notes = append(sec.Notes, fmt.Sprintf("%d step(s) the generator could not hold are left out of the curve.", n))
		}
	}
	if len(p.Endpoints) > 0 {
		sec.Tables = append(sec.Tables, capacityEndpointTable(p.Endpoints))
	}
	if u := p.Scalability; u != nil {
		sec.Notes = append(sec.Notes, fmt.Sprintf("Scalability (Universal Scalability Law): %s; %s dominates.", u, u.Dominant))
	}
	return Document{Title: "headroom capacity", Sections: []Section{sec}}
}

// capacityVerdict says what the search found, in one sentence.
func capacityVerdict(p *capacity.Profile) *Verdict {
	switch {
	case p.IsLowerBound() && p.MaxRate == 0:
		return &Verdict{Status: Warn, Text: fmt.Sprintf("Capacity unknown: limited by %s. %s", p.LimitedBy, p.Note)}
	case p.IsLowerBound():
		return &Verdict{Status: Warn, Text: fmt.Sprintf("At least %s per replica: a lower bound, limited by %s, not the capacity.", units.Rate(p.MaxRate), p.LimitedBy)}
	case p.MaxRate == 0:
		lowest := "the lowest rate tried"
		if curve := p.Curve(); len(curve) > 0 {
			lowest = units.Rate(curve[0].Rate)
		}
		return &Verdict{Status: Fail, Text: fmt.Sprintf("The SLO does not hold even at %s.", lowest)}
	}
	within := "within " + units.Percent(p.Precision)
	if !p.Converged {
		within = "not converged"
	}
	hi := "∞"
	if p.Bracket[1] > 0 {
		hi = units.Rate(p.Bracket[1])
	}
	return &Verdict{Status: OK, Text: fmt.Sprintf("%s per replica, limited by %s (%s: knee in [%s, %s]).",
		units.Rate(p.MaxRate), p.LimitedBy, within, units.Rate(p.Bracket[0]), hi)}
}

func capacityCPUTile(p *capacity.Profile) Tile {
	if p.CPUPerRequest == nil {
		return Tile{Label: "CPU", Value: "not observed", Detail: "no CPU source was given"}
	}
	t := Tile{Label: "CPU", Value: units.Seconds(*p.CPUPerRequest) + " per request"}
	var detail []string
	if p.CPUAtKnee != nil {
		detail = append(detail, units.Number(*p.CPUAtKnee)+" cores at the knee")
	}
	if p.CPUUtilizationAtKnee != nil {
		detail = append(detail, units.Percent(*p.CPUUtilizationAtKnee)+" of the request")
	}
	t.Detail = strings.Join(detail, ", ")
	return t
}

// capacityEndpointTable lists endpoints by the rate they break at, those
// that hold up to the knee last.
func capacityEndpointTable(eps []capacity.Endpoint) Table {
	eps = append([]capacity.Endpoint(nil), eps...)
	at := func(e capacity.Endpoint) float64 {
		if e.BreaksAt == 0 {
			return math.Inf(1)
		}
		return e.BreaksAt
	}
	sort.SliceStable(eps, func(i, j int) bool { return at(eps[i]) < at(eps[j]) })
	t := Table{Title: "Endpoints, which breaks first", Columns: []string{"Endpoint", "Breaks at", "What breaks", "p99 at the knee"}}
	for _, e := range eps {
		if e.BreaksAt == 0 {
			t.Rows = append(t.Rows, []string{e.Name, "holds to the knee", "—", units.Seconds(e.P99AtKnee)})
			continue
		}
		t.Rows = append(t.Rows, []string{e.Name, units.Rate(e.BreaksAt), strings.Join(e.Broken, "; "), units.Seconds(e.P99AtKnee)})
	}
	return t
}
