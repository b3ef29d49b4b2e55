package prom

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/units"
)

// CoverageStep is the resolution at which ObserveSLO measures how much of
// a window has data: a step has data when the SLI's total could be
// computed over it.
const CoverageStep = 5 * time.Minute

// NonFiniteError is returned when Prometheus answers an SLI query with NaN,
// an infinity or a negative count: an SLO is never judged on such a number
// (NaN compares false with every target, and would pass; a negative count
// of events is a broken recording rule or query, not traffic).
type NonFiniteError struct {
	Query  string  // the PromQL sent
	Series string  // the series' labels, {} when it has none
	Value  float64 // NaN, +Inf, -Inf or negative
}

// Error names the value, the series and the query.
func (e *NonFiniteError) Error() string {
	if e.Value < 0 && !math.IsInf(e.Value, 0) {
		return fmt.Sprintf("query %s returned %v for %s: a count of events can't be negative", shorten(e.Query), e.Value, e.Series)
	}
	return fmt.Sprintf("query %s returned %v for %s: an SLI needs finite counts", shorten(e.Query), e.Value, e.Series)
}

// GoodMissingNote starts the note of an observation whose good events'
// query matched no series over the window while the total counted events:
// its window is no data (Window.Missing), never 100% errors — a
// misspelled le matches nothing, and must not page.
const GoodMissingNote = "no series matched the good events"

// ObserveSLO reads from Prometheus what happened to s's events at the
// instant at: over its window (the trailing window, or the calendar
// period so far) and over each burn-rate window that fits in its period.
// Counts come from increase() over each window, so counter resets are
// accounted for; how much of the window has data, and when the data
// begins, are measured; missing series, zero traffic and restarts are
// noted for people, never turned into NaN.
//
// A grouped SLO (s.Grouping) gives one observation per group that had
// events in the window, sorted by the group's labels, each with Group
// set; an ungrouped SLO gives one. When nothing matched at all, one
// observation without a group says so (Window.Missing). NaN or an
// infinity in a count is a *NonFiniteError.
func (c *Client) ObserveSLO(ctx context.Context, s slo.SLO, at time.Time) ([]slo.Observation, error) {
	start, end := s.Window.Period(at)
	period, span := end.Sub(start), end.Sub(start)
	if !s.Window.IsRolling() {
		span = at.Sub(start) // the calendar period so far
	}
	span = span.Truncate(time.Second)
	base := slo.Observation{
		Start:     at.Add(-span),
		At:        at,
		Period:    period,
		RatioOnly: !s.Indicator.Raw.IsZero(),
	}
	if span <= 0 {
		return nil, fmt.Errorf("SLO %s: the window at %s is empty", s.ID(), at.Format(time.RFC3339))
	}
	window, err := c.events(ctx, s, span, at)
	if err != nil {
		return nil, err
	}
	keys := window.groups()
	if len(keys) == 0 {
		obs := base
		obs.Window = slo.Sample{Missing: true}
		obs.Recent = map[time.Duration]slo.Sample{}
		return []slo.Observation{obs}, nil
	}
	out := make([]slo.Observation, len(keys))
	index := map[string]*slo.Observation{}
	for i, k := range keys {
		out[i] = base
		out[i].Group = window.labels[k]
		out[i].Recent = map[time.Duration]slo.Sample{}
		var events float64
		out[i].Window, events = window.sample(s, k, nil)
		if out[i].Window.GoodMissing {
			out[i].Notes = append(out[i].Notes, fmt.Sprintf("%s while the total counted %.0f events: no data, not 100%% errors (check the good query's selector, or that its le bucket exists)",
				GoodMissingNote, events))
		}
		index[k] = &out[i]
	}
	for _, w := range recentWindows(s) {
		if w > period {
			break
		}
		recent, err := c.events(ctx, s, w, at)
		if err != nil {
			return nil, err
		}
		for i, k := range keys {
			out[i].Recent[w], _ = recent.sample(s, k, window)
		}
	}
	if err := c.describe(ctx, s, span, at, func(k string) *slo.Observation { return index[k] }); err != nil {
		return nil, err
	}
	return out, nil
}

// recentWindows are the windows burn rates are read over: the SLO's alert
// windows, which include its current-burn window (over which slo.Evaluate
// estimates how long the budget lasts), shortest first.
func recentWindows(s slo.SLO) []time.Duration { return s.AlertWindows() }

// describe measures, per group (key "" for an SLO without grouping), how
// much of the span has data and where it begins, and notes restarts. obs
// returns the observation of a group, or nil to skip it.
func (c *Client) describe(ctx context.Context, s slo.SLO, span time.Duration, at time.Time, obs func(string) *slo.Observation) error {
	cov, first, err := c.coverage(ctx, s, span, at)
	if err != nil {
		return err
	}
	resets, err := c.resets(ctx, s, span, at)
	if err != nil {
		return err
	}
	for k, v := range cov {
		if o := obs(k); o != nil {
			o.Coverage = math.Min(v, 1)
		}
	}
	for k, t := range first {
		if o := obs(k); o != nil {
			o.DataStart = t
			if t.Before(o.Start) {
				o.DataStart = o.Start
			}
		}
	}
	for k, n := range resets {
		if o := obs(k); o != nil && n >= 1 {
			plural := "s"
			if n == 1 {
				plural = ""
			}
			o.Notes = append(o.Notes, fmt.Sprintf("%s restart%s in the window (counter resets); increase() counts across them", units.Count(n), plural))
		}
	}
	return nil
}

// eventResults are the answers to one window's event queries, by group.
type eventResults struct {
	labels             map[string][]slo.Label
	total, good, bad   map[string]float64
	ratio              map[string]float64 // a raw SLI's ratio, failure-side already turned to good
	ratioNaN           map[string]bool    // a raw SLI's ratio was NaN: 0/0, no traffic
	goodCounts, hasBad bool               // the SLI counts good events (else bad); it has a bad query
	raw                bool
}

// events runs s's event queries over the trailing w.
func (c *Client) events(ctx context.Context, s slo.SLO, w time.Duration, at time.Time) (*eventResults, error) {
	q := s.Events(w, false)
	r := &eventResults{labels: map[string][]slo.Label{}, goodCounts: q.Good != "", hasBad: q.Bad != ""}
	if q.Ratio != "" {
		r.raw = true
		v, err := c.Vector(ctx, q.Ratio, at)
		if err != nil {
			return nil, err
		}
		if len(v) > 1 {
			return nil, fmt.Errorf("prometheus %s: query %s returned %d series; a raw SLI query must return one", c.url, shorten(q.Ratio), len(v))
		}
		r.ratio, r.ratioNaN = map[string]float64{}, map[string]bool{}
		for _, smp := range v {
			x := float64(smp.Value)
			switch {
			case math.IsNaN(x):
				r.ratioNaN[""] = true
			case math.IsInf(x, 0):
				return nil, &NonFiniteError{Query: q.Ratio, Series: sloSeriesName(smp.Metric), Value: x}
			default:
				x = math.Min(math.Max(x, 0), 1)
				if q.RatioFailure {
					x = 1 - x
				}
				r.ratio[""] = x
			}
			r.labels[""] = nil
		}
		return r, nil
	}
	var err error
	if r.total, err = c.grouped(ctx, q.Total, s.Grouping, at, r.labels); err != nil {
		return nil, err
	}
	if q.Good != "" {
		r.good, err = c.grouped(ctx, q.Good, s.Grouping, at, nil)
	} else {
		r.bad, err = c.grouped(ctx, q.Bad, s.Grouping, at, nil)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// groups are the keys of the groups with data, sorted.
func (r *eventResults) groups() []string {
	var out []string
	if r.raw {
		for k := range r.labels {
			out = append(out, k)
		}
		return out
	}
	for k := range r.total {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sample is group k's events. window, when not nil, holds the same
// queries over the SLO's window: a ratio SLI's good series that existed
// there and are missing here count as zero good events (every request in
// this window failed). Over the SLO's window itself (window nil), a ratio
// SLI's good series missing while there is traffic is no data: it returns
// a sample marked GoodMissing and the events counted.
func (r *eventResults) sample(s slo.SLO, k string, window *eventResults) (slo.Sample, float64) {
	if r.raw {
		if x, ok := r.ratio[k]; ok {
			return slo.Sample{Counts: slo.Counts{Good: x, Total: 1}}, 0
		}
		if r.ratioNaN[k] {
			return slo.Sample{}, 0 // 0/0: no traffic
		}
		return slo.Sample{Missing: true}, 0
	}
	total, ok := r.total[k]
	if !ok {
		return slo.Sample{Missing: true}, 0
	}
	var good float64
	switch {
	case !r.goodCounts:
		good = total - r.bad[k] // a missing count of bad events is zero
	default:
		g, ok := r.good[k]
		// A Timeslices or threshold SLI counts slices or points that
		// passed: none is a count of zero. A ratio SLI's good series
		// missing while there is traffic is either every request
		// failing or a good query that matches nothing (a misspelled le).
		counted := s.BudgetingMethod() == slo.Timeslices || s.Indicator.IsThreshold()
		switch {
		case ok:
			good = g
		case counted || total == 0:
		case window != nil && window.hasGood(k):
		case window != nil:
			return slo.Sample{Missing: true}, 0
		default:
			return slo.Sample{Missing: true, GoodMissing: true}, total
		}
	}
	return slo.Sample{Counts: slo.Counts{Good: math.Min(math.Max(good, 0), total), Total: total}}, 0
}

func (r *eventResults) hasGood(k string) bool {
	_, ok := r.good[k]
	return ok
}

// grouped evaluates q and returns its values by group (the values of the
// grouping labels), summing series of the same group. labels, when not
// nil, receives each group's labels. NaN, infinities and negative values
// (every query read this way counts something) are errors.
func (c *Client) grouped(ctx context.Context, q string, grouping []string, at time.Time, labels map[string][]slo.Label) (map[string]float64, error) {
	v, err := c.Vector(ctx, q, at)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, smp := range v {
		x := float64(smp.Value)
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return nil, &NonFiniteError{Query: q, Series: sloSeriesName(smp.Metric), Value: x}
		}
		k, ls := groupOf(smp.Metric, grouping)
		out[k] += x
		if labels != nil {
			labels[k] = ls
		}
	}
	return out, nil
}

// groupOf returns the key and the labels of a series' group: the values
// of the grouping labels, in order ("" for a label the series lacks).
func groupOf(m model.Metric, grouping []string) (string, []slo.Label) {
	if len(grouping) == 0 {
		return "", nil
	}
	ls := make([]slo.Label, len(grouping))
	parts := make([]string, len(grouping))
	for i, g := range grouping {
		v := string(m[model.LabelName(g)])
		ls[i] = slo.Label{Name: g, Value: v}
		parts[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(parts, ","), ls
}

// sloSeriesName writes a series' labels for messages.
func sloSeriesName(m model.Metric) string {
	if len(m) == 0 {
		return "{}"
	}
	return m.String()
}

// coverage measures, per group, the fraction of the trailing span in which
// the SLI's total (over CoverageStep) could be computed, and the first
// instant it could.
func (c *Client) coverage(ctx context.Context, s slo.SLO, span time.Duration, at time.Time) (map[string]float64, map[string]time.Time, error) {
	step := CoverageStep
	if span < 12*step {
		step = max(span/12, time.Second).Truncate(time.Second)
	}
	q := s.Events(step, true)
	expr := q.Total
	if expr == "" {
		expr = q.Ratio
	}
	rng := fmt.Sprintf("[%s:%s]", slo.PromDuration(span), slo.PromDuration(step))
	counts, err := c.grouped(ctx, fmt.Sprintf("count_over_time((%s)%s)", expr, rng), s.Grouping, at, nil)
	if err != nil {
		return nil, nil, err
	}
	cov := map[string]float64{}
	for k, n := range counts {
		cov[k] = n * float64(step) / float64(span)
	}
	firsts, err := c.grouped(ctx, fmt.Sprintf("min_over_time(timestamp(%s)%s)", expr, rng), s.Grouping, at, nil)
	if err != nil {
		return nil, nil, err
	}
	first := map[string]time.Time{}
	for k, ts := range firsts {
		// The first step with data ends a step window that began up to
		// a step earlier: data begins within that step.
		first[k] = time.Unix(0, int64(ts*1e9)).Add(-step)
	}
	return cov, first, nil
}

// resets counts, per group, the restarts in the span of the processes
// behind the total's series, when the total is a plain selector: the
// counters of one target (job, instance, and namespace and pod when the
// series carry them) reset together when it restarts, so a restart counts
// once however many series it resets (one per route and status code).
func (c *Client) resets(ctx context.Context, s slo.SLO, span time.Duration, at time.Time) (map[string]float64, error) {
	sel, ok := s.Indicator.Total.Series()
	if !ok {
		return nil, nil
	}
	target := slices.Clone(s.Grouping)
	for _, l := range []string{"job", "instance", "namespace", "pod"} {
		if !slices.Contains(target, l) {
			target = append(target, l)
		}
	}
	q := fmt.Sprintf("sum%s(max%s(resets(%s[%s])))", slo.ByClause(s.Grouping), slo.ByClause(target), sel, slo.PromDuration(span))
	return c.grouped(ctx, q, s.Grouping, at, nil)
}
