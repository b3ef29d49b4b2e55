package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/stats"
)

// SLOFileHint is the hint of an SLO file that does not decode.
const SLOFileHint = "each line is file:line:col: field: problem; headroom slo's help shows the formats"

// Sources of the events Budget judges.
const (
	SourcePrometheus = "prometheus"
	SourceRun        = "run"
)

// BudgetConfig is an SLO check: which SLOs, against which events.
type BudgetConfig struct {
	// SLOFiles are the SLO files, read as one set (an SLO may refer to an
	// SLI in another file).
	SLOFiles []string
	// Only keeps these SLOs, by name or service/name; none keeps all.
	Only []string
	// Run names a load-test results file to judge the SLOs against, each
	// over the whole run. Empty: Prometheus.
	Run string
	// Prometheus is how to reach Prometheus; an empty URL takes the one
	// OpenSLO DataSource the SLOs use, if there is exactly one.
	Prometheus prom.Config
	// At is the instant evaluated against Prometheus; zero is Clock's now.
	At time.Time
	// Clock tells the time when At is zero (default SystemClock).
	Clock Clock
	// AllowNoData lets an objective without data pass the verdict.
	AllowNoData bool
}

// BudgetResult is what an SLO check found. Its JSON is the contract of
// `headroom slo check -o json`.
type BudgetResult struct {
	// At is the instant evaluated: the run's end for a results file.
	At time.Time
	// Source is SourcePrometheus or SourceRun.
	Source string
	// SLOs are the objectives checked, in file order.
	SLOs []report.SLOCheck
	// Warnings are what Prometheus warned about (a partial response).
	Warnings []string
	// Notes are what reading the SLO files noticed, one sentence each.
	Notes []string
	// Missed names the objectives missed; NoData those without data, each
	// with why: "api/latency (no series matched)". NoData is empty when
	// AllowNoData was set.
	Missed, NoData []string
	// Hints say what to try about objectives without data.
	Hints []string
}

// Met reports whether the verdict is positive: nothing missed, and
// nothing without data unless that was allowed.
func (r *BudgetResult) Met() bool { return len(r.Missed) == 0 && len(r.NoData) == 0 }

// Verdict is the failed verdict in one sentence ("" when met): "1 of 3
// objectives missed: api/availability; 1 without data: …".
func (r *BudgetResult) Verdict() string {
	var parts []string
	if len(r.Missed) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d objectives missed: %s", len(r.Missed), len(r.SLOs), strings.Join(r.Missed, ", ")))
	}
	if len(r.NoData) > 0 {
		what := fmt.Sprintf("%d of %d objectives", len(r.NoData), len(r.SLOs))
		if len(r.Missed) > 0 {
			what = fmt.Sprint(len(r.NoData))
		}
		parts = append(parts, fmt.Sprintf("%s without data: %s", what, strings.Join(r.NoData, ", ")))
	}
	return strings.Join(parts, "; ")
}

// Document is the result as a report.
func (r *BudgetResult) Document() report.Document {
	doc := report.BudgetDocument(r.SLOs, r.At, r.Source == SourceRun, r.Warnings)
	if !r.Met() {
		doc.Sections = append([]report.Section{{Title: "Verdict", Verdict: &report.Verdict{Status: report.Fail, Text: r.Verdict() + "."}, Notes: r.Hints}}, doc.Sections...)
	}
	return doc
}

// ReadSLOs reads SLO files as one set. Bad input, or files without an
// SLO, is an *InputError.
func ReadSLOs(files Files, names []string) (*spec.SLOSet, error) {
	if len(names) == 0 {
		return nil, inputError(errors.New("no SLO file given"), "name the SLO file")
	}
	var docs []*spec.Document
	for _, n := range names {
		ds, err := readSpecFile(files, n)
		if err != nil {
			return nil, err
		}
		docs = append(docs, ds...)
	}
	set, err := spec.SLOs(docs)
	if err != nil {
		return nil, inputError(err, SLOFileHint)
	}
	if len(set.SLOs) == 0 {
		return nil, inputError(fmt.Errorf("%s: no SLO found", strings.Join(names, ", ")), "an SLO file holds kind: SLO objects (OpenSLO v1 or headroom/v1)")
	}
	return set, nil
}

// SelectSLOs keeps the SLOs named in only (by name or service/name), in
// that order; none keeps all. An unknown name is an *InputError.
func SelectSLOs(all []slo.SLO, only []string) ([]slo.SLO, error) {
	if len(only) == 0 {
		return all, nil
	}
	var out []slo.SLO
	for _, name := range only {
		n := len(out)
		for _, s := range all {
			if s.Name == name || s.ID() == name {
				out = append(out, s)
			}
		}
		if len(out) == n {
			var names []string
			for _, s := range all {
				names = append(names, s.ID())
			}
			return nil, inputError(fmt.Errorf("no SLO named %q", name), "the file defines: "+strings.Join(names, ", "))
		}
	}
	return out, nil
}

// ErrNoPrometheus is Budget's error when it has no Prometheus to read:
// no URL in the config and no single DataSource in the SLO files.
var ErrNoPrometheus = errors.New("no Prometheus to read from")

// Budget checks SLOs against Prometheus or a load-test results file: for
// each, the SLI, whether the objective is met, the error budget left and
// how fast it burns; a grouped SLO per group too (missed when any group
// misses). No data (no events, no series, or good events missing while
// there is traffic) is never counted as errors. A value no count of
// events can be (NaN, ±Inf, negative) is an error naming the query.
// Bad input is an *InputError; a failed verdict is not an error (see
// BudgetResult.Met).
func Budget(ctx context.Context, files Files, cfg BudgetConfig) (*BudgetResult, error) {
	set, err := ReadSLOs(files, cfg.SLOFiles)
	if err != nil {
		return nil, err
	}
	slos, err := SelectSLOs(set.SLOs, cfg.Only)
	if err != nil {
		return nil, err
	}
	res := &BudgetResult{Notes: set.Notes}
	var observations []sloObserved
	if cfg.Run != "" {
		res.Source = SourceRun
		observations, res.At, err = observeRunFile(files, cfg.Run, slos)
	} else {
		res.Source = SourcePrometheus
		res.At = cfg.At
		if res.At.IsZero() {
			clock := cfg.Clock
			if clock == nil {
				clock = SystemClock{}
			}
			res.At = clock.Now()
		}
		observations, res.Warnings, err = observePrometheus(ctx, cfg.Prometheus, set, slos, res.At)
	}
	if err != nil {
		return nil, err
	}
	for i, s := range slos {
		c := CheckSLO(s, observations[i].whole, observations[i].groups)
		if err := checkFinite(c); err != nil {
			return nil, err
		}
		res.SLOs = append(res.SLOs, c)
	}
	res.judge(cfg.AllowNoData)
	return res, nil
}

// judge fills the verdict: what was missed, and what had no data.
func (r *BudgetResult) judge(allowNoData bool) {
	for _, c := range r.SLOs {
		switch c.Verdict {
		case slo.Missed:
			r.Missed = append(r.Missed, c.SLO.ID())
		case slo.NoData:
			if allowNoData {
				continue
			}
			r.NoData = append(r.NoData, fmt.Sprintf("%s (%s)", c.SLO.ID(), c.NoDataReason()))
			if h := noDataHint(c); h != "" && !slices.Contains(r.Hints, h) {
				r.Hints = append(r.Hints, h)
			}
		}
	}
}

// sloObserved is what was observed of one SLO: as a whole and, when it is
// grouped, each group.
type sloObserved struct {
	whole  slo.Observation
	groups []slo.Observation
}

// observedGroups gathers an SLO's observations, one per group (or one
// for an ungrouped SLO, or one without a group when nothing matched),
// into the whole and its groups.
func observedGroups(obs []slo.Observation) sloObserved {
	if len(obs) == 1 && len(obs[0].Group) == 0 {
		return sloObserved{whole: obs[0]}
	}
	return sloObserved{whole: wholeOf(obs), groups: obs}
}

// wholeOf is the observation of a grouped SLO as a whole: the sum of the
// groups that have data (a group whose good events are missing can't be
// counted, in any window). Data starts with the earliest group's; the
// coverage is the best group's (a lower bound of the whole's); restarts
// are the most any group saw (a process serves many groups, and each of
// them sees its restarts).
func wholeOf(groups []slo.Observation) slo.Observation {
	w := slo.Observation{Recent: map[time.Duration]slo.Sample{}, Window: slo.Sample{Missing: true}}
	if len(groups) == 0 {
		return w
	}
	w.Start, w.At, w.Period, w.RatioOnly = groups[0].Start, groups[0].At, groups[0].Period, groups[0].RatioOnly
	restarts, restartNote := 0, ""
	for _, g := range groups {
		if !g.DataStart.IsZero() && (w.DataStart.IsZero() || g.DataStart.Before(w.DataStart)) {
			w.DataStart = g.DataStart
		}
		w.Coverage = max(w.Coverage, g.Coverage)
		for _, n := range g.Notes {
			var k int
			if _, err := fmt.Sscanf(n, "%d restart", &k); err == nil && k > restarts {
				restarts, restartNote = k, n
			}
		}
		if g.Window.GoodMissing {
			continue
		}
		w.Window = addSample(w.Window, g.Window)
		for d, smp := range g.Recent {
			r, ok := w.Recent[d]
			if !ok {
				r = slo.Sample{Missing: true}
			}
			w.Recent[d] = addSample(r, smp)
		}
	}
	if restartNote != "" {
		w.Notes = append(w.Notes, restartNote)
	}
	return w
}

// addSample adds two samples' counts; the sum is missing only when both are.
func addSample(a, b slo.Sample) slo.Sample {
	return slo.Sample{Counts: a.Counts.Add(b.Counts), Missing: a.Missing && b.Missing}
}

// CheckSLO judges what was observed of s: as a whole, and each group (an
// ungrouped SLO has none). A grouped SLO is missed when any group misses
// it, and has no data when a group had traffic but no good events (its
// part can't be judged).
func CheckSLO(s slo.SLO, whole slo.Observation, groups []slo.Observation) report.SLOCheck {
	r := report.SLOCheck{Status: evaluateGoodMissing(s, whole), GoodMissing: whole.Window.GoodMissing}
	for _, g := range groups {
		gr := report.SLOGroup{Labels: g.Group, Status: evaluateGoodMissing(s, g), GoodMissing: g.Window.GoodMissing}
		switch {
		case gr.GoodMissing:
			gr.Notes = append(gr.Notes, leNote(s)...)
			r.GroupsGoodMissing++
		case gr.Verdict == slo.Missed:
			r.GroupsMissed++
		}
		r.Groups = append(r.Groups, gr)
	}
	sortGroups(r.Groups)
	by := strings.Join(s.Grouping, ", ")
	switch {
	case r.GroupsMissed > 0:
		if r.Verdict == slo.Met {
			r.Notes = append(r.Notes, fmt.Sprintf("all groups together are at %s and would meet the objective; the groups can't trade budget", report.Percent(r.SLI)))
		}
		r.Verdict = slo.Missed
		var worst []string
		for _, g := range r.Groups {
			if g.Verdict == slo.Missed {
				worst = append(worst, report.GroupName(g.Labels))
			}
		}
		if len(worst) > 3 {
			worst = append(worst[:3], "…")
		}
		r.Notes = append(r.Notes, fmt.Sprintf("%d of %d groups (by %s) missed the objective: %s", r.GroupsMissed, len(r.Groups), by, strings.Join(worst, ", ")))
	case r.GroupsGoodMissing > 0 && r.GroupsGoodMissing == countTraffic(r.Groups):
		r.GoodMissing = true
		r.Verdict = slo.NoData
	case r.GroupsGoodMissing > 0:
		r.Verdict = slo.NoData
		r.Notes = append(r.Notes, fmt.Sprintf("%d of %d groups (by %s) had traffic but no series of good events: their part can't be judged, and is left out of the whole",
			r.GroupsGoodMissing, len(r.Groups), by))
	}
	if r.GoodMissing && len(r.Groups) == 0 {
		r.Notes = append(r.Notes, leNote(s)...)
	}
	return r
}

// evaluateGoodMissing is slo.Evaluate, without its "no series matched"
// when the series of the total did match and only the good events are
// missing (the observation's own note says so).
func evaluateGoodMissing(s slo.SLO, obs slo.Observation) slo.Status {
	st := slo.Evaluate(s, obs)
	if obs.Window.GoodMissing {
		st.Notes = slices.DeleteFunc(st.Notes, func(n string) bool {
			return strings.HasPrefix(n, "no data over the window") && strings.HasSuffix(n, "no series matched")
		})
	}
	return st
}

// countTraffic counts the groups that had events or whose good events
// are missing while they had.
func countTraffic(gs []report.SLOGroup) int {
	n := 0
	for _, g := range gs {
		if g.GoodMissing || report.HasData(g.Status) {
			n++
		}
	}
	return n
}

// sortGroups orders groups worst first: least budget left, then groups
// without data (good events missing before no traffic), then by name.
func sortGroups(gs []report.SLOGroup) {
	rank := func(g report.SLOGroup) int {
		switch {
		case g.Verdict != slo.NoData:
			return 0
		case g.GoodMissing:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(gs, func(a, b report.SLOGroup) int {
		if c := rank(a) - rank(b); c != 0 {
			return c
		}
		if rank(a) == 0 && a.Budget.Remaining != b.Budget.Remaining {
			if a.Budget.Remaining < b.Budget.Remaining {
				return -1
			}
			return 1
		}
		return strings.Compare(report.GroupName(a.Labels), report.GroupName(b.Labels))
	})
}

// wholeLeInQuery finds an exact le matcher on a whole number in a query.
var wholeLeInQuery = regexp.MustCompile(`\ble\s*=\s*"([0-9]+)"`)

// leNote explains missing good events when the SLI's bucket is a whole
// number of seconds matched exactly.
func leNote(s slo.SLO) []string {
	if le := wholeLe(s.Indicator); le != "" {
		return []string{fmt.Sprintf("Prometheus 3 (and protobuf scrapes) store the bucket le=%q as le=\"%s.0\", which le=%q never matches", le, le, le)}
	}
	return nil
}

// wholeLe is the le value of an SLI's good events when it is a whole
// number matched exactly (le="1"): Prometheus 3 and protobuf scrapes store
// that bucket as le="1.0", which it never matches.
func wholeLe(in slo.Indicator) string {
	if sel, ok := in.Good.Series(); ok {
		for _, m := range sel.Matchers {
			if m.Label == "le" && m.Op == "=" && m.Value != "" && strings.Trim(m.Value, "0123456789") == "" {
				return m.Value
			}
		}
		return ""
	}
	if m := wholeLeInQuery.FindStringSubmatch(in.Good.Expr); m != nil {
		return m[1]
	}
	return ""
}

// noDataHint is what to try when an objective has no data because its
// good events are missing.
func noDataHint(c report.SLOCheck) string {
	if !c.GoodMissing && c.GroupsGoodMissing == 0 {
		return ""
	}
	if le := wholeLe(c.SLO.Indicator); le != "" {
		return fmt.Sprintf(`a latency bucket le="%s" is stored as le="%s.0" by Prometheus 3 (and protobuf scrapes): match both with le=~"%s|%s\\.0"`, le, le, le, le)
	}
	return "run the good events' query in Prometheus's UI: its selector matches no series"
}

// checkFinite checks that a check holds no NaN or infinity: what is shown
// must be numbers.
func checkFinite(c report.SLOCheck) error {
	statuses := []slo.Status{c.Status}
	for _, g := range c.Groups {
		statuses = append(statuses, g.Status)
	}
	for _, st := range statuses {
		for _, v := range []struct {
			name string
			f    float64
		}{{"SLI", st.SLI}, {"budget left", st.Budget.Remaining}, {"events", st.Window.Total}, {"good events", st.Window.Good}, {"current burn rate", st.CurrentBurn}} {
			if math.IsNaN(v.f) || math.IsInf(v.f, 0) {
				return fmt.Errorf("SLO %s: the %s is %v: not a number; nothing was judged from it", c.SLO.ID(), v.name, v.f)
			}
		}
	}
	return nil
}

// PrometheusError is a failure of Prometheus while checking an SLO: it
// did not answer, or answered a value no count of events can be (then
// NonFinite is set).
type PrometheusError struct {
	SLO       string
	Err       error
	NonFinite bool
}

// Error names the SLO and what went wrong.
func (e *PrometheusError) Error() string { return fmt.Sprintf("SLO %s: %v", e.SLO, e.Err) }

// Unwrap returns the underlying error.
func (e *PrometheusError) Unwrap() error { return e.Err }

// observePrometheus queries Prometheus for every SLO, and returns what it
// warned about (partial responses).
func observePrometheus(ctx context.Context, pc prom.Config, set *spec.SLOSet, slos []slo.SLO, at time.Time) ([]sloObserved, []string, error) {
	if pc.URL == "" {
		pc.URL = sloSourceURL(set, slos)
	}
	if pc.URL == "" {
		return nil, nil, inputError(ErrNoPrometheus, "name a Prometheus URL, or a results file for a load test")
	}
	client, err := prom.New(pc)
	if err != nil {
		return nil, nil, inputError(err, "a Prometheus URL is http(s)://host:port")
	}
	out := make([]sloObserved, len(slos))
	for i, s := range slos {
		obs, err := client.ObserveSLO(ctx, s, at)
		if err != nil {
			var bad *prom.NonFiniteError
			return nil, nil, &PrometheusError{SLO: s.ID(), Err: err, NonFinite: errors.As(err, &bad)}
		}
		out[i] = observedGroups(obs)
	}
	return out, client.Warnings(), nil
}

// sloSourceURL is the URL of the one DataSource the SLOs' indicators use, if
// there is exactly one.
func sloSourceURL(set *spec.SLOSet, slos []slo.SLO) string {
	urls := map[string]bool{}
	for _, s := range slos {
		if ds, ok := set.DataSources[s.Indicator.Source]; ok && ds.URL != "" {
			urls[ds.URL] = true
		}
	}
	if len(urls) != 1 {
		return ""
	}
	for u := range urls {
		return u
	}
	return ""
}

// observeRunFile judges SLOs against a load-test results file: each SLO's
// events over the run, which is its own window. It returns the run's end
// as the instant evaluated.
func observeRunFile(files Files, name string, slos []slo.SLO) ([]sloObserved, time.Time, error) {
	run, err := readResults(files, name, keepAll)
	if err != nil {
		return nil, time.Time{}, err
	}
	return observeRun(run, slos)
}

// CheckRun judges SLOs against a load test's run, each over the whole
// run, as Budget does with a results file; it returns the checks, in the
// order of slos, and the run's end. An SLO a load test can't observe (a
// threshold SLI, a raw ratio) is an *InputError.
func CheckRun(run *stats.Run, slos []slo.SLO) ([]report.SLOCheck, time.Time, error) {
	obs, end, err := observeRun(run, slos)
	if err != nil {
		return nil, time.Time{}, err
	}
	out := make([]report.SLOCheck, len(slos))
	for i, s := range slos {
		out[i] = CheckSLO(s, obs[i].whole, nil)
	}
	return out, end, nil
}

// observeRun observes SLOs in a run: each SLO's events over the run. It
// returns the observations, in the order of slos, and the run's end.
func observeRun(run *stats.Run, slos []slo.SLO) ([]sloObserved, time.Time, error) {
	out := make([]sloObserved, len(slos))
	var end time.Time
	for i, s := range slos {
		sr, err := slo.FromRun(s, run, "")
		if err != nil {
			return nil, time.Time{}, inputError(fmt.Errorf("SLO %s: %w", s.ID(), err), "check this SLO against Prometheus instead")
		}
		obs := sr.Observe(s)
		if run.Partial {
			obs.Notes = append(obs.Notes, "the run is partial: it was interrupted or its file was cut short")
		}
		out[i] = sloObserved{whole: obs}
		end = sr.End()
	}
	return out, end, nil
}

// MarshalJSON writes the result as `headroom slo check -o json` does:
// at, source, slos (with groups, worst first), warnings, and non_finite,
// the paths of numbers that were not finite and are written as null.
func (r *BudgetResult) MarshalJSON() ([]byte, error) {
	res := budgetJSON{At: r.At.UTC(), Source: r.Source, SLOs: []budgetSLOJSON{}, Warnings: r.Warnings}
	for _, c := range r.SLOs {
		s := c.SLO
		j := budgetSLOJSON{
			SLO: s.Name, Objective: s.Objective, Service: s.Service, Target: jsonFloat(s.Target),
			Window: s.Window.String(), Budgeting: string(s.BudgetingMethod()),
			Start: c.Start.UTC(), SpanSeconds: jsonFloat(c.Span.Seconds()), Period: jsonFloat(c.Period.Seconds()),
			budgetJudgement: judgementJSON(c.Status, c.GoodMissing),
			Grouping:        s.Grouping,
		}
		j.NoData = c.NoDataCode()
		for _, g := range c.Groups {
			gj := budgetGroupJSON{Labels: map[string]string{}, budgetJudgement: judgementJSON(g.Status, g.GoodMissing)}
			for _, l := range g.Labels {
				gj.Labels[l.Name] = l.Value
			}
			if g.Verdict == slo.NoData {
				gj.NoData = report.SLOCheck{Status: g.Status, GoodMissing: g.GoodMissing}.NoDataCode()
			}
			j.Groups = append(j.Groups, gj)
		}
		res.SLOs = append(res.SLOs, j)
	}
	res.NonFinite = nullNonFinite(&res)
	return json.Marshal(res)
}

// budgetJSON is the JSON of slo check.
type budgetJSON struct {
	At       time.Time       `json:"at"`
	Source   string          `json:"source"`
	SLOs     []budgetSLOJSON `json:"slos"`
	Warnings []string        `json:"warnings,omitempty"`
	// NonFinite lists the JSON paths of numbers that were not finite (NaN,
	// ±Inf) and are written as null instead.
	NonFinite []string `json:"non_finite,omitempty"`
}

type budgetSLOJSON struct {
	SLO         string    `json:"slo"`
	Objective   string    `json:"objective,omitempty"`
	Service     string    `json:"service,omitempty"`
	Target      jsonFloat `json:"target"`
	Window      string    `json:"window"`
	Budgeting   string    `json:"budgeting"`
	Start       time.Time `json:"start"`
	SpanSeconds jsonFloat `json:"span_s"`
	Period      jsonFloat `json:"period_s"`
	budgetJudgement
	// Grouping and Groups are a grouped SLO's labels and its groups, worst
	// first.
	Grouping []string          `json:"grouping,omitempty"`
	Groups   []budgetGroupJSON `json:"groups,omitempty"`
}

// budgetJudgement is what slo check says of an SLO or of one of its groups.
type budgetJudgement struct {
	Verdict string `json:"verdict"`
	Met     bool   `json:"met"`
	// NoData says why the verdict is no_data: no_traffic, no_series,
	// good_events_missing or groups_good_events_missing.
	NoData      string            `json:"no_data_reason,omitempty"`
	SLI         *jsonFloat        `json:"sli"`
	Events      *budgetEventsJSON `json:"events"`
	Coverage    jsonFloat         `json:"coverage"`
	Budget      *budgetLeftJSON   `json:"error_budget"`
	Burn        []budgetBurnJSON  `json:"burn_rates"`
	CurrentBurn *jsonFloat        `json:"current_burn_rate"`
	Exhausted   *jsonFloat        `json:"budget_exhausted_in_s"`
	Notes       []string          `json:"notes"`
}

type budgetGroupJSON struct {
	Labels map[string]string `json:"labels"`
	budgetJudgement
}

type budgetEventsJSON struct {
	Good  jsonFloat `json:"good"`
	Bad   jsonFloat `json:"bad"`
	Total jsonFloat `json:"total"`
}

type budgetLeftJSON struct {
	Allowed          *jsonFloat `json:"allowed"`
	Used             *jsonFloat `json:"used"`
	Remaining        jsonFloat  `json:"remaining"`
	RemainingEvents  *jsonFloat `json:"remaining_events"`
	RemainingSeconds jsonFloat  `json:"remaining_s"`
}

type budgetBurnJSON struct {
	Window     string     `json:"window"`
	Seconds    jsonFloat  `json:"window_s"`
	Good       jsonFloat  `json:"good"`
	Total      jsonFloat  `json:"total"`
	ErrorRatio *jsonFloat `json:"error_ratio"`
	BurnRate   *jsonFloat `json:"burn_rate"`
	NoData     bool       `json:"no_data"`
	NoTraffic  bool       `json:"no_traffic"`
}

// jsonFloat is a number in slo check's JSON: written as encoding/json
// writes a float64, and as null when it is not finite (which encoding/json
// refuses to write at all).
type jsonFloat float64

// MarshalJSON writes f, or null for NaN and ±Inf.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

func jsonPtr(f float64) *jsonFloat { j := jsonFloat(f); return &j }

// nullNonFinite returns the JSON paths of v's numbers that are not finite
// (written as null by jsonFloat), such as slos[0].sli.
func nullNonFinite(v any) []string {
	var out []string
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if !f.IsExported() && !f.Anonymous {
					continue
				}
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				switch {
				case f.Anonymous:
					walk(path, v.Field(i))
					continue
				case name == "-":
					continue
				case name == "":
					name = f.Name
				}
				p := name
				if path != "" {
					p = path + "." + name
				}
				walk(p, v.Field(i))
			}
		case reflect.Float64:
			if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
				out = append(out, path)
			}
		}
	}
	walk("", reflect.ValueOf(v))
	return out
}

// judgementJSON is the JSON of one status. goodMissing leaves out the
// events, which were not counted.
func judgementJSON(st slo.Status, goodMissing bool) budgetJudgement {
	j := budgetJudgement{Verdict: string(st.Verdict), Met: st.Verdict == slo.Met, Coverage: jsonFloat(st.Coverage),
		Burn: []budgetBurnJSON{}, Notes: st.Notes}
	if j.Notes == nil {
		j.Notes = []string{}
	}
	if !st.RatioOnly && !goodMissing {
		j.Events = &budgetEventsJSON{Good: jsonFloat(st.Window.Good), Bad: jsonFloat(st.Window.Bad()), Total: jsonFloat(st.Window.Total)}
	}
	if report.HasData(st) {
		j.SLI = jsonPtr(st.SLI)
		b := st.Budget
		j.Budget = &budgetLeftJSON{Remaining: jsonFloat(b.Remaining), RemainingSeconds: jsonFloat(b.RemainingTime.Seconds())}
		if !st.RatioOnly {
			j.Budget.Allowed, j.Budget.Used, j.Budget.RemainingEvents = jsonPtr(b.Allowed), jsonPtr(b.Used), jsonPtr(b.RemainingEvents)
		}
	}
	for _, wb := range st.Burn {
		bj := budgetBurnJSON{Window: slo.PromDuration(wb.Window), Seconds: jsonFloat(wb.Window.Seconds()), Good: jsonFloat(wb.Good), Total: jsonFloat(wb.Total),
			NoData: wb.Missing, NoTraffic: !wb.OK && !wb.Missing}
		if wb.OK {
			bj.ErrorRatio, bj.BurnRate = jsonPtr(wb.ErrorRatio), jsonPtr(wb.BurnRate)
		}
		j.Burn = append(j.Burn, bj)
	}
	if st.CurrentBurnOK {
		j.CurrentBurn = jsonPtr(st.CurrentBurn)
	}
	if st.ExhaustionOK {
		j.Exhausted = jsonPtr(st.Exhaustion.Seconds())
	}
	return j
}
