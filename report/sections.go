package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/plan"
	"github.com/headroom-sre/headroom/rightsize"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/units"
)

// LoadSection describes a load test: its verdict against the thresholds,
// the headline numbers (with latency corrected for coordinated omission
// next to the uncorrected figure), and per-second charts of rates and
// latency.
func LoadSection(title string, run *stats.Run) Section {
	sum := run.Summary()
	sec := Section{Title: title}
	if sum.Shape != "" {
		sec.Intro = "Open-model load test: requests were sent on the schedule of " + sum.Shape +
			", whatever the target's speed, and latency is measured from each request's due time."
	}
	switch failed := stats.Failed(sum.Thresholds); {
	case len(sum.Thresholds) == 0:
	case len(failed) == 0:
		sec.Verdict = &Verdict{Status: OK, Text: fmt.Sprintf("Every threshold held (%d).", len(sum.Thresholds))}
	default:
		var names []string
		for _, f := range failed {
			names = append(names, f.Threshold.String())
		}
		sec.Verdict = &Verdict{Status: Fail, Text: "Thresholds broken: " + strings.Join(names, ", ") + "."}
	}
	errStatus := Neutral
	if sum.ErrorRatio > 0.01 {
		errStatus = Fail
	} else if sum.ErrorRatio > 0.001 {
		errStatus = Warn
	}
	sec.Tiles = []Tile{
		{Label: "Requests", Value: units.Count(float64(sum.Requests)), Detail: fmt.Sprintf("over %s", units.Seconds(sum.DurationS))},
		{Label: "Achieved rate", Value: units.Rate(sum.AchievedRate), Detail: "asked " + units.Rate(sum.TargetRate)},
		{Label: "Errors", Value: units.Percent(sum.ErrorRatio), Status: errStatus, Detail: errorDetail(sum.Stats)},
		{Label: "p50 latency", Value: units.Seconds(sum.Latency.P50), Detail: "uncorrected " + units.Seconds(sum.LatencyUncorrected.P50)},
		{Label: "p99 latency", Value: units.Seconds(sum.Latency.P99), Detail: "uncorrected " + units.Seconds(sum.LatencyUncorrected.P99)},
	}
	if sum.Late+sum.Dropped > 0 || len(sum.Generator.Warnings) > 0 {
		st := Neutral
		if len(sum.Generator.Warnings) > 0 {
			st = Warn
		}
		sec.Tiles = append(sec.Tiles, Tile{Label: "Late or dropped", Value: units.Percent(sum.LateRatio), Status: st, Detail: "sends the generator could not make on time"})
	}
	if sum.Partial {
		sec.Notes = append(sec.Notes, "The run was interrupted: these are the results measured until then.")
	}
	sec.Notes = append(sec.Notes, sum.Generator.Warnings...)

	var t, target, through, failed, p50, p99 []float64
	for _, iv := range run.Intervals {
		d := iv.Duration.Seconds()
		if d <= 0 {
			continue
		}
		t = append(t, iv.Start.Seconds()+d)
		target = append(target, float64(iv.Total.Scheduled)/d)
		through = append(through, float64(iv.Total.Successes)/d)
		failed = append(failed, float64(iv.Total.Requests-iv.Total.Successes)/d)
		if iv.Total.Latency.Count() > 0 {
			p50 = append(p50, iv.Total.Latency.Quantile(0.5).Seconds()*1000)
			p99 = append(p99, iv.Total.Latency.Quantile(0.99).Seconds()*1000)
		} else {
			p50, p99 = append(p50, math.NaN()), append(p99, math.NaN())
		}
	}
	if len(t) > 1 {
		per := ""
		if w := run.Width(); w > 1 {
			per = fmt.Sprintf(", each point %s", units.Duration(time.Duration(w)*time.Second))
		}
		sec.Charts = append(sec.Charts,
			Chart{Title: "Requests per second" + per, XLabel: "time", YLabel: "req/s", XTime: true, Series: []Series{
				{Name: "asked", X: t, Y: target, Dashed: true},
				{Name: "succeeded", X: t, Y: through, Kind: Area, Color: Good},
				{Name: "failed", X: t, Y: failed, Color: Bad},
			}},
			Chart{Title: "Latency from the due time (ms)" + per, XLabel: "time", YLabel: "ms", XTime: true, Series: []Series{
				{Name: "p50", X: t, Y: p50},
				{Name: "p99", X: t, Y: p99},
			}, Limits: latencyLimits(sum.Thresholds)},
		)
	}
	return sec
}

// latencyLimits turns latency thresholds into chart limits, in ms.
func latencyLimits(rs []stats.ThresholdResult) []Marker {
	var out []Marker
	for _, r := range rs {
		th := r.Threshold
		if !strings.HasPrefix(th.Metric, "p") {
			continue
		}
		out = append(out, Marker{At: th.Value * 1000, Label: th.String()})
	}
	return out
}

func errorDetail(s stats.Stats) string {
	type kv struct {
		k string
		n int64
	}
	var all []kv
	for code, n := range s.StatusCodes {
		if code >= 400 {
			all = append(all, kv{fmt.Sprint(code), n})
		}
	}
	for class, n := range s.Errors {
		all = append(all, kv{class, n})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n || (all[i].n == all[j].n && all[i].k < all[j].k) })
	var parts []string
	for i, e := range all {
		if i == 3 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s ×%s", e.k, units.Count(float64(e.n))))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// CapacitySection describes measured capacity profiles: one replica's knee
// per component and the latency-versus-load curves behind them. A profile
// that is only a lower bound (limited by the generator, or inconclusive)
// shows as "≥ X (lower bound)", never as a capacity.
func CapacitySection(title string, names []string, profiles []*capacity.Profile) Section {
	sec := Section{Title: title,
		Intro: "Each component was driven alone, one replica, with open-model steps up to its knee: the highest rate at which its objectives held."}
	tbl := Table{Columns: []string{"Component", "Capacity per replica", "Limited by", "Objective", "CPU per request", "Steps"}}
	for i, p := range profiles {
		cpu := "—"
		if p.CPUPerRequest != nil {
			cpu = units.Seconds(*p.CPUPerRequest)
		}
		value, tile, knee := units.Rate(p.MaxRate), Tile{Label: names[i] + " capacity", Value: units.Rate(p.MaxRate), Detail: "per replica, " + p.SLO}, "knee "+units.Rate(p.MaxRate)
		if p.IsLowerBound() {
			// Not a capacity: what the generator (or the steps) reached.
			value = "≥ " + units.Rate(p.MaxRate) + " (lower bound)"
			tile.Value, tile.Status, tile.Detail = value, Warn, "not a capacity: limited_by "+string(p.LimitedBy)
			knee = "lower bound " + units.Rate(p.MaxRate)
		}
		tbl.Rows = append(tbl.Rows, []string{names[i], value, string(p.LimitedBy), p.SLO, cpu, fmt.Sprint(p.Steps)})
		sec.Tiles = append(sec.Tiles, tile)
		curve := p.Curve()
		var x, p50, p99 []float64
		for _, c := range curve {
			x = append(x, c.Rate)
			p50 = append(p50, c.P50*1000)
			p99 = append(p99, c.P99*1000)
		}
		ch := Chart{Title: names[i] + ": latency against load (ms)", XLabel: "offered req/s", YLabel: "ms",
			Series:  []Series{{Name: "p50", X: x, Y: p50}, {Name: "p99", X: x, Y: p99}},
			Markers: []Marker{{At: p.MaxRate, Label: knee}}}
		if ths, err := stats.ParseThresholds(p.SLO); err == nil {
			for _, th := range ths {
				if strings.HasPrefix(th.Metric, "p") {
					ch.Limits = append(ch.Limits, Marker{At: th.Value * 1000, Label: th.String()})
				}
			}
		}
		// Keep the knee readable: cap the y axis at a few times the limit.
		if _, top := minMax(p99); len(ch.Limits) > 0 && top > 4*ch.Limits[0].At {
			ch.YMin, ch.YMax = 0, 4*ch.Limits[0].At
		}
		sec.Charts = append(sec.Charts, ch)
	}
	sec.Tables = []Table{tbl}
	return sec
}

// SimSection describes a simulated scenario: survived or not, when the SLO
// first broke, what failed, and the timeline of traffic, replicas and
// latency per component.
func SimSection(title string, res *sim.Result) Section {
	sec := Section{Title: title, Intro: "Simulated minute by minute against the HPA v2 algorithm, metric lag, pod start-up and node provisioning, with the capacity measured above."}
	failedRatio := 0.0
	if res.Requests > 0 {
		failedRatio = res.Failed / res.Requests
	}
	if res.SLOMet {
		sec.Verdict = &Verdict{Status: OK, Text: fmt.Sprintf("Survives: %s of requests fail and %s of the error budget is burned.", units.Percent(failedRatio), units.Percent(res.BudgetBurned))}
	} else {
		when := ""
		if res.FirstBreach != nil {
			when = " from T+" + units.Seconds(*res.FirstBreach)
		}
		sec.Verdict = &Verdict{Status: Fail, Text: fmt.Sprintf("Does not survive: the SLO breaks%s; %s of requests fail and %s of the error budget is burned.",
			when, units.Percent(failedRatio), units.Percent(res.BudgetBurned))}
	}
	sec.Tiles = []Tile{
		{Label: "Requests", Value: units.Count(res.Requests), Detail: "over " + units.Seconds(res.Duration)},
		{Label: "Failed", Value: units.Count(res.Failed), Status: statusIf(!res.SLOMet), Detail: units.Percent(failedRatio)},
		{Label: "Budget burned", Value: units.Percent(res.BudgetBurned), Status: statusIf(!res.SLOMet), Detail: "of the SLO window's error budget"},
		{Label: "Worst p99", Value: units.Seconds(res.WorstP99), Detail: "at T+" + units.Seconds(res.WorstP99At)},
	}
	if res.Bottleneck != "" {
		sec.Tiles = append(sec.Tiles, Tile{Label: "Bottleneck", Value: res.Bottleneck, Detail: res.BottleneckReason})
	}
	sec.Tiles = append(sec.Tiles, Tile{Label: "Cost at the end state", Value: units.Money(res.Cost.Monthly, res.Cost.Currency) + "/month"})
	if len(res.Timeline) > 1 {
		var t, arr, good, fail, p99 []float64
		names := componentNames(res)
		ready := make([][]float64, len(names))
		desired := make([][]float64, len(names))
		for _, pt := range res.Timeline {
			t = append(t, pt.T)
			arr = append(arr, pt.ArrivalRate)
			good = append(good, pt.Goodput)
			fail = append(fail, pt.Failed)
			p99 = append(p99, pt.P99*1000)
			for i, n := range names {
				c := pt.Components[n]
				ready[i] = append(ready[i], float64(c.Ready))
				desired[i] = append(desired[i], float64(c.Desired))
			}
		}
		var markers []Marker
		if res.FirstBreach != nil {
			markers = append(markers, Marker{At: *res.FirstBreach, Label: "SLO breaks"})
		}
		sec.Charts = append(sec.Charts, Chart{Title: "Traffic: arrivals, goodput and failures (req/s)", XLabel: "time", YLabel: "req/s", XTime: true,
			Series:  []Series{{Name: "arrivals", X: t, Y: arr, Dashed: true}, {Name: "goodput", X: t, Y: good, Kind: Area, Color: Good}, {Name: "failed", X: t, Y: fail, Color: Bad}},
			Markers: markers})
		var rs []Series
		for i, n := range names {
			rs = append(rs, Series{Name: n + " ready", X: t, Y: ready[i], Kind: Steps}, Series{Name: n + " desired", X: t, Y: desired[i], Kind: Steps, Dashed: true})
		}
		sec.Charts = append(sec.Charts, Chart{Title: "Replicas: ready against what the HPA asked for", XLabel: "time", YLabel: "pods", XTime: true, Series: rs, Markers: markers})
		sec.Charts = append(sec.Charts, Chart{Title: "End-to-end p99 latency (ms)", XLabel: "time", YLabel: "ms", XTime: true, Series: []Series{{Name: "p99", X: t, Y: p99}}, Markers: markers})
	}
	tbl := Table{Columns: []string{"Component", "Ready start→peak", "Peak desired", "Peak CPU", "Worst p99", "Failed", "Saturated"}}
	for _, c := range res.Components {
		tbl.Rows = append(tbl.Rows, []string{c.Name, fmt.Sprintf("%d → %d", c.ReadyStart, c.PeakReady), fmt.Sprint(c.PeakDesired),
			units.Percent(c.PeakUtilization), units.Seconds(c.WorstP99), units.Count(c.Failed), units.Seconds(c.SaturatedS)})
	}
	sec.Tables = []Table{tbl}
	for _, c := range res.Components {
		if c.SaturatedS > 0 && c.PeakDesired <= c.ReadyStart {
			sec.Notes = append(sec.Notes, fmt.Sprintf("%s was saturated for %s and its HPA never asked for more replicas: its CPU peaked at %s of the request, "+
				"below what the HPA scales at. A service that saturates before its CPU does needs a lower target, a requests-per-second metric, or pre-scaling.",
				c.Name, units.Seconds(c.SaturatedS), units.Percent(c.PeakUtilization)))
		}
	}
	sec.Notes = append(sec.Notes, res.Notes...)
	return sec
}

func componentNames(res *sim.Result) []string {
	var out []string
	for _, c := range res.Components {
		out = append(out, c.Name)
	}
	return out
}

func statusIf(bad bool) Status {
	if bad {
		return Fail
	}
	return OK
}

// Count writes a count for people: units.Count (kept for callers outside
// report).
func Count(n float64) string { return units.Count(n) }

// Thousands writes n rounded to a whole number with thousands separators:
// units.Count (kept for callers outside report).
func Thousands(n float64) string { return units.Count(n) }

// Rate writes requests per second: units.Rate (kept for callers outside
// report).
func Rate(r float64) string { return units.Rate(r) }

// Percent writes a fraction as a percentage: units.Percent (kept for
// callers outside report).
func Percent(f float64) string { return units.Percent(f) }

// Seconds writes a latency given in seconds: units.Seconds (kept for
// callers outside report).
func Seconds(s float64) string { return units.Seconds(s) }

// Duration writes a length given in seconds: units.Seconds (kept for
// callers outside report).
func Duration(s float64) string { return units.Seconds(s) }

// Money writes an amount in a currency: units.Money (kept for callers
// outside report).
func Money(amount float64, currency string) string { return units.Money(amount, currency) }

// CostSection shows where the money goes, per workload, and which cuts
// are safe: easy cuts first, then big ones, each with its saving and risk;
// then what under-provisioned workloads need, which costs money.
func CostSection(title string, cost *rightsize.CostReport, recs *rightsize.Report) Section {
	sec := Section{Title: title}
	cur := cost.Currency
	sec.Intro = fmt.Sprintf("Monthly cost on GKE %s in %s (billed on %s), and the cuts the measured usage allows.", cost.Mode, cost.Region, cost.Basis)
	total := units.Money(cost.MonthlyCost, cur)
	if cost.Partial {
		total += " + unknown"
	}
	sec.Tiles = []Tile{{Label: "Monthly cost", Value: total}}
	if recs != nil {
		sec.Tiles = append(sec.Tiles,
			Tile{Label: "Easy cuts", Value: units.Money(recs.EasyMonthlySaving, cur) + "/month", Status: OK, Detail: "requests above the p99 of per-minute usage + 15%"},
			Tile{Label: "Big cuts", Value: units.Money(recs.BigMonthlySaving, cur) + "/month", Detail: "HPA targets and minimums, idle workloads, nodes, commitments"})
		if recs.RaiseMonthlyCost > 0 {
			sec.Tiles = append(sec.Tiles, Tile{Label: "Under-provisioned", Value: units.Money(recs.RaiseMonthlyCost, cur) + "/month", Status: Warn,
				Detail: "usage above requests, OOM kills, HPAs pinned at their maximum"})
		}
		if cost.MonthlyCost > 0 {
			cuts := recs.EasyMonthlySaving + recs.BigMonthlySaving
			text := fmt.Sprintf("%s of the %s monthly bill (%s) can be cut; %s of it with easy changes that keep every workload's p99 load.",
				units.Money(cuts, cur), units.Money(cost.MonthlyCost, cur), units.Percent(cuts/cost.MonthlyCost), units.Money(recs.EasyMonthlySaving, cur))
			if recs.RaiseMonthlyCost > 0 {
				text += fmt.Sprintf(" Under-provisioned workloads need %s a month more first.", units.Money(recs.RaiseMonthlyCost, cur))
			}
			sec.Verdict = &Verdict{Status: OK, Text: text}
		}
	}
	ws := append([]rightsize.WorkloadCost(nil), cost.Workloads...)
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].MonthlyCost > ws[j].MonthlyCost })
	tbl := Table{Title: "Where the money goes", Columns: []string{"Workload", "Namespace", "Replicas", "CPU per pod", "Memory per pod", "Monthly"}}
	for _, w := range ws {
		reps := fmt.Sprint(w.Replicas)
		if w.AvgReplicas != nil {
			reps += " (mean " + units.Number(*w.AvgReplicas) + ")"
		}
		monthly := units.Money(w.MonthlyCost, cur)
		if w.Unknown {
			monthly = "unknown"
		}
		tbl.Rows = append(tbl.Rows, []string{w.Name, w.Namespace, reps, units.CPU(w.Requests.CPU), bytesText(w.Requests.Memory), monthly})
	}
	if cost.Idle.MonthlyCost > 0 {
		tbl.Rows = append(tbl.Rows, []string{"idle node capacity", "", "", "", "", units.Money(cost.Idle.MonthlyCost, cur)})
	}
	if cost.ClusterFee > 0 {
		tbl.Rows = append(tbl.Rows, []string{"cluster fee", "", "", "", "", units.Money(cost.ClusterFee, cur)})
	}
	sec.Tables = append(sec.Tables, tbl)
	if recs != nil && len(recs.Recommendations) > 0 {
		cuts := Table{Title: "Safe cuts, largest first", Columns: []string{"Class", "Workload", "Change", "Saving", "Risk", "Why"}}
		raises := Table{Title: "Under-provisioned: raise these first", Columns: []string{"Workload", "Change", "Cost", "Why"}}
		for _, r := range recs.Recommendations {
			if r.Class == rightsize.Raise {
				raises.Rows = append(raises.Rows, []string{r.Namespace + "/" + r.Workload, changeText(r), units.Money(-r.MonthlySaving, cur) + "/mo", r.Reason})
				continue
			}
			if r.MonthlySaving < 0.5 && !r.SavingUnknown {
				continue // worth doing for other reasons, perhaps, but not a cut
			}
			saving := units.Money(r.MonthlySaving, cur) + "/mo"
			if r.SavingUnknown {
				saving = "unknown"
			}
			cuts.Rows = append(cuts.Rows, []string{string(r.Class), r.Namespace + "/" + r.Workload, changeText(r), saving, string(r.Risk), r.Reason})
		}
		sec.Tables = append(sec.Tables, cuts)
		if len(raises.Rows) > 0 {
			sec.Tables = append(sec.Tables, raises)
		}
		sec.Notes = append(sec.Notes, recs.Algorithm...)
	}
	for _, s := range cost.Sources {
		if s.Unit == rightsize.RulesUnit {
			sec.Notes = append(sec.Notes, fmt.Sprintf("Billing rules, %s: %s (%s).", s.Item, s.Source, s.Date))
			continue
		}
		note := fmt.Sprintf("Price: %s $%g %s (%s", s.Item, s.USD, s.Unit, s.Source)
		if s.Date != "" {
			note += ", " + s.Date
		}
		sec.Notes = append(sec.Notes, note+").")
	}
	sec.Notes = append(sec.Notes, cost.Unpriced...)
	sec.Notes = append(sec.Notes, cost.Notes...)
	return sec
}

func changeText(r rightsize.Recommendation) string {
	switch {
	case r.RecommendedReplicas != nil:
		return fmt.Sprintf("scale %d → %d replicas (by hand, once its owners confirm)", r.Replicas, *r.RecommendedReplicas)
	case r.HPA != nil && (r.HPA.NewMinReplicas != r.HPA.MinReplicas || r.HPA.NewCPUTarget != r.HPA.CPUTarget || r.HPA.NewMaxReplicas != r.HPA.MaxReplicas):
		var parts []string
		if r.HPA.NewMinReplicas != r.HPA.MinReplicas {
			parts = append(parts, fmt.Sprintf("HPA minReplicas %d → %d", r.HPA.MinReplicas, r.HPA.NewMinReplicas))
		}
		if r.HPA.NewMaxReplicas != r.HPA.MaxReplicas {
			parts = append(parts, fmt.Sprintf("HPA maxReplicas %d → %d", r.HPA.MaxReplicas, r.HPA.NewMaxReplicas))
		}
		if r.HPA.NewCPUTarget != r.HPA.CPUTarget {
			parts = append(parts, fmt.Sprintf("HPA CPU target %s → %s", units.Percent(r.HPA.CPUTarget), units.Percent(r.HPA.NewCPUTarget)))
		}
		if r.CPURequest != r.CurrentCPURequest && r.Action == rightsize.ActionRequests {
			parts = append(parts, "cpu "+units.CPU(r.CurrentCPURequest)+" → "+units.CPU(r.CPURequest))
		}
		// The patch sets the memory request too: say so.
		if r.MemoryRequest != r.CurrentMemoryRequest && r.MemoryRequest > 0 && r.Action == rightsize.ActionRequests {
			parts = append(parts, "memory "+bytesText(r.CurrentMemoryRequest)+" → "+bytesText(r.MemoryRequest))
		}
		return strings.Join(parts, ", ")
	case r.Nodes != nil:
		n := r.Nodes
		return fmt.Sprintf("%d× %s %s → %s %s", n.Nodes, n.MachineType, n.Tier, n.NewMachineType, n.NewTier)
	}
	var parts []string
	if r.CPURequest != r.CurrentCPURequest {
		parts = append(parts, "cpu "+units.CPU(r.CurrentCPURequest)+" → "+units.CPU(r.CPURequest))
	}
	if r.MemoryRequest != r.CurrentMemoryRequest {
		parts = append(parts, fmt.Sprintf("memory %s → %s", bytesText(r.CurrentMemoryRequest), bytesText(r.MemoryRequest)))
	}
	if r.CPULimit > 0 {
		parts = append(parts, "cpu limit → "+units.CPU(r.CPULimit))
	}
	if r.MemoryLimit > 0 {
		parts = append(parts, "memory limit → "+bytesText(r.MemoryLimit))
	}
	if r.Container != "" && len(parts) > 0 {
		return r.Container + ": " + strings.Join(parts, ", ")
	}
	return strings.Join(parts, ", ")
}

// bytesText writes a memory size, "—" for none.
func bytesText(b float64) string {
	if b == 0 {
		return units.Unknown
	}
	return units.Bytes(b)
}

// PlanSection shows the planner's answer for management: today against
// the recommendation, what changes, why, and what more safety costs. It
// says what the plan assumes about the events' dates ("assuming you know
// the date", "for a surprise"); with res.Surprise (the same problem, every
// event a surprise), the surprise's cost, changes and tables follow, so a
// reader sees the price of not knowing.
func PlanSection(title string, res *plan.Result) Section {
	cur := res.Currency
	sec := Section{Title: title, Intro: "The cheapest configuration whose simulation meets the SLO in every scenario, searched over replicas, HPA targets, scale-up behaviour, requests, pre-scaling and node headroom."}
	today := res.Current
	sec.Tiles = []Tile{{Label: "Today", Value: Money(today.MonthlyCost, cur) + "/month", Status: statusIf(!today.SLOMet),
		Detail: map[bool]string{true: "meets the SLO", false: "misses the SLO"}[today.SLOMet]}}
	switch rec := res.Recommended; {
	case rec == nil:
		text := "No configuration within the search bounds meets the SLO in every scenario."
		if res.Assumption != "" {
			text = "No configuration within the search bounds meets the SLO in every scenario, " + res.Assumption + "."
		}
		sec.Verdict = &Verdict{Status: Fail, Text: text}
	default:
		sec.Tiles = append(sec.Tiles, Tile{Label: "Recommended", Value: Money(rec.MonthlyCost, cur) + "/month", Status: OK, Detail: "meets the SLO in every scenario, " + res.Assumption})
		text := ""
		switch {
		case !today.SLOMet && res.Saving < 0:
			text = fmt.Sprintf("Today's configuration misses the SLO; meeting it costs %s more a month.", Money(-res.Saving, cur))
		case !today.SLOMet:
			text = fmt.Sprintf("Today's configuration misses the SLO; the recommendation meets it and saves %s a month.", Money(res.Saving, cur))
		case res.Saving > 0:
			text = fmt.Sprintf("The recommendation keeps the SLO and saves %s a month (%s).", Money(res.Saving, cur), Percent(res.Saving/math.Max(today.MonthlyCost, 1e-9)))
		default:
			text = "Today's configuration is already the cheapest that meets the SLO."
		}
		if res.Assumption != "" {
			text += " Planned " + res.Assumption + "."
		}
		sec.Verdict = &Verdict{Status: OK, Text: text}
		if res.Saving != 0 {
			sec.Tiles = append(sec.Tiles, Tile{Label: "Saving", Value: Money(res.Saving, cur) + "/month"})
		}
		t := Table{Title: "What the plan assumes about each event", Columns: []string{"Scenario", "Planned", "Pre-scaled before it"}}
		for _, o := range rec.Scenarios {
			t.Rows = append(t.Rows, []string{o.Name, o.Assumption, map[bool]string{true: "yes", false: "no"}[o.Prescaled]})
		}
		sec.Tables = append(sec.Tables, t)
	}
	sur := res.Surprise
	if sur != nil {
		tile := Tile{Label: "For a surprise", Value: "not reachable", Status: Warn, Detail: "nothing within the search bounds meets the SLO without pre-scaling"}
		if sr := sur.Recommended; sr != nil {
			tile = Tile{Label: "For a surprise", Value: Money(sr.MonthlyCost, cur) + "/month", Detail: "no pre-scaling: the configuration if nobody knows the dates"}
			if res.Recommended != nil {
				tile.Detail = fmt.Sprintf("%s more a month if nobody knows the dates", Money(res.SurpriseExtra, cur))
			}
		}
		sec.Tiles = append(sec.Tiles, tile)
	}
	if len(res.Changes) > 0 {
		t := Table{Title: "What changes", Columns: []string{"Component", "Setting", "Today", "Recommended"}}
		for _, c := range res.Changes {
			t.Rows = append(t.Rows, []string{c.Component, c.Setting, c.From, c.To})
		}
		sec.Tables = append(sec.Tables, t)
	}
	if sur != nil && sur.Recommended != nil && len(sur.Changes) > 0 {
		t := Table{Title: "What changes, " + sur.Assumption, Columns: []string{"Component", "Setting", "Today", "Recommended"}}
		for _, c := range sur.Changes {
			t.Rows = append(t.Rows, []string{c.Component, c.Setting, c.From, c.To})
		}
		sec.Tables = append(sec.Tables, t)
	}
	if len(res.Why) > 0 {
		t := Table{Title: "Why not cheaper", Columns: []string{"Component", "Setting", "Recommended", "Cheaper step", "Binding constraint", "Fails in"}}
		for _, r := range res.Why {
			t.Rows = append(t.Rows, []string{r.Component, r.Setting, r.Value, r.Cheaper, r.Constraint, r.Scenario})
		}
		sec.Tables = append(sec.Tables, t)
	}
	planPareto(&sec, res.Pareto, cur)
	if sur != nil {
		planPareto(&sec, sur.Pareto, cur)
	}
	sec.Notes = append(sec.Notes, fmt.Sprintf("Search: %s configurations decided with %s simulations in %s.",
		Count(float64(res.Search.Candidates)), Count(float64(res.Search.Simulations)), Duration(res.Search.Elapsed)))
	if sur != nil {
		sec.Notes = append(sec.Notes, fmt.Sprintf("For a surprise: %s configurations decided with %s simulations in %s.",
			Count(float64(sur.Search.Candidates)), Count(float64(sur.Search.Simulations)), Duration(sur.Search.Elapsed)))
	}
	sec.Notes = append(sec.Notes, res.Notes...)
	return sec
}

// planPareto adds a plan's Pareto tables (and the spike chart), their
// titles saying what they assume about the events' dates.
func planPareto(sec *Section, p plan.Pareto, cur string) {
	suffix := ""
	if p.Assumption != "" {
		suffix = ", " + p.Assumption
	}
	if len(p.Spike) > 0 {
		t := Table{Title: "Cost against the largest spike survived" + suffix, Columns: []string{"Planned for", "Survives up to", "Monthly cost"}}
		var x, y []float64
		for i, pt := range p.Spike {
			t.Rows = append(t.Rows, []string{fmt.Sprintf("×%g", pt.PlannedFor), fmt.Sprintf("×%g", pt.Survives), Money(pt.MonthlyCost, cur)})
			if pt.PlannedFor == 1 {
				t.Highlight = append(t.Highlight, i)
			}
			x, y = append(x, pt.Survives), append(y, pt.MonthlyCost)
		}
		sec.Tables = append(sec.Tables, t)
		if lo, hi := minMax(y); len(y) >= 3 && hi > lo*1.01 {
			sec.Charts = append(sec.Charts, Chart{Title: "Monthly cost against the spike multiple survived" + suffix, XLabel: "× the scenarios' traffic", YLabel: cur,
				Series: []Series{{Name: "cheapest configuration", X: x, Y: y, Kind: Steps}, {Name: "plans", X: x, Y: y, Kind: Points}}})
		}
	}
	if len(p.SLO) > 0 {
		t := Table{Title: "What each extra nine costs" + suffix, Columns: []string{"Availability target", "Monthly cost", "Extra"}}
		for i, pt := range p.SLO {
			cost, extra := "not reachable", "—"
			if pt.Found {
				cost = Money(pt.MonthlyCost, cur)
				if i > 0 {
					extra = "+" + Money(pt.Extra, cur)
				}
			}
			t.Rows = append(t.Rows, []string{slo.FormatPercent(pt.Target), cost, extra})
			if pt.Current {
				t.Highlight = append(t.Highlight, i)
			}
		}
		sec.Tables = append(sec.Tables, t)
	}
}

// BudgetRow is one SLO's verdict on a stretch of events (a load test or a
// simulated scenario).
type BudgetRow struct {
	Name      string  `json:"name"`      // the SLO's name
	Objective string  `json:"objective"` // e.g. "99.9%"
	Good      float64 `json:"good"`      // good events
	Total     float64 `json:"total"`     // all events
	// Verdict is the SLO judged over the stretch itself, its own window,
	// as `headroom slo check --run` judges a load test: "met", "missed"
	// or "no_data"; "" when the stretch is judged by Burned alone. SLI is
	// the good fraction and Remaining the fraction of the stretch's own
	// error budget left (negative when overspent).
	Verdict   string  `json:"verdict,omitempty"`
	SLI       float64 `json:"sli"`
	Remaining float64 `json:"budget_remaining"`
	// Burned is the fraction of the SLO window's error budget the
	// stretch's bad events would use at the everyday rate; Allowed what
	// one event may use.
	Burned  float64 `json:"burned"`
	Allowed float64 `json:"allowed"`
}

// SLOSection shows each SLO's verdict on a stretch of traffic, how much
// error budget it burned, and the files written for Prometheus. Rows with
// a Verdict are judged by it, as slo check judges them; others by the
// share of the window's budget they burned.
func SLOSection(title, intro string, rows []BudgetRow, files []string) Section {
	sec := Section{Title: title, Intro: intro}
	worst := 0.0
	var missed, noData []string
	judged := false
	t := Table{Columns: []string{"SLO", "Objective", "Good", "Total", "SLI", "Verdict", "Budget left", "Of the 30-day budget"}}
	for _, r := range rows {
		sli := "—"
		if r.Total > 0 {
			sli = units.Percent(r.Good / r.Total)
		}
		verdict, left := "—", "—"
		if r.Verdict != "" {
			judged = true
			verdict = strings.ToUpper(strings.ReplaceAll(r.Verdict, "_", " "))
			if r.Verdict != "no_data" {
				left = units.Percent(r.Remaining)
			}
			switch r.Verdict {
			case "missed":
				missed = append(missed, fmt.Sprintf("%s (SLI %s, objective %s)", r.Name, sli, r.Objective))
			case "no_data":
				noData = append(noData, r.Name)
			}
			sec.Tiles = append(sec.Tiles, Tile{Label: r.Name, Value: verdict, Detail: fmt.Sprintf("SLI %s, objective %s; %s of the 30-day budget", sli, r.Objective, units.Percent(r.Burned)),
				Status: map[string]Status{"met": OK, "missed": Fail}[r.Verdict]})
		} else {
			sec.Tiles = append(sec.Tiles, Tile{Label: r.Name, Value: units.Percent(r.Burned), Detail: "of the 30-day error budget", Status: statusIf(r.Allowed > 0 && r.Burned > r.Allowed)})
		}
		t.Rows = append(t.Rows, []string{r.Name, r.Objective, units.Count(r.Good), units.Count(r.Total), sli, verdict, left, units.Percent(r.Burned)})
		if r.Allowed > 0 {
			worst = math.Max(worst, r.Burned/r.Allowed)
		}
	}
	sec.Tables = []Table{t}
	switch {
	case len(rows) == 0:
	case len(missed) > 0:
		sec.Verdict = &Verdict{Status: Fail, Text: "MISSED: " + strings.Join(missed, "; ") + "."}
	case len(noData) > 0:
		sec.Verdict = &Verdict{Status: Warn, Text: "No data: " + strings.Join(noData, ", ") + "."}
	case judged:
		sec.Verdict = &Verdict{Status: OK, Text: "Every objective was met."}
	case worst > 1:
		sec.Verdict = &Verdict{Status: Fail, Text: "The spike burned more error budget than one event may."}
	default:
		sec.Verdict = &Verdict{Status: OK, Text: "The spike stayed within the error budget one event may burn."}
	}
	for _, f := range files {
		sec.Notes = append(sec.Notes, "Wrote "+f)
	}
	return sec
}

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}
