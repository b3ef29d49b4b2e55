package prom

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

// CoverageStep is the resolution at which ObserveSLO measures how much of
// a window has data: a step has data when the SLI's total could be
// computed over it.
const CoverageStep = 5 * time.Minute

// ObserveSLO reads from Prometheus what happened to s's events at the
// instant at: over its window (the trailing window, or the calendar
// period so far) and over each burn-rate window that fits in its period.
// Counts come from increase() over each window, so counter resets are
// accounted for; how much of the window has data is measured; missing
// series, zero traffic and resets are noted for people, never turned into
// NaN.
func (c *Client) ObserveSLO(ctx context.Context, s slo.SLO, at time.Time) (slo.Observation, error) {
	start, end := s.Window.Period(at)
	period, span := end.Sub(start), end.Sub(start)
	if !s.Window.IsRolling() {
		span = at.Sub(start) // the calendar period so far
	}
	span = span.Truncate(time.Second)
	obs := slo.Observation{
		Start:     at.Add(-span),
		At:        at,
		Period:    period,
		Recent:    map[time.Duration]slo.Sample{},
		RatioOnly: !s.Indicator.Raw.IsZero(),
	}
	if span <= 0 {
		return obs, fmt.Errorf("SLO %s: the window at %s is empty", s.ID(), at.Format(time.RFC3339))
	}
	var err error
	if obs.Window, err = c.sample(ctx, s, span, at, &obs.Notes); err != nil {
		return obs, err
	}
	for _, w := range slo.AlertWindows {
		if w > obs.Period {
			break
		}
		smp, err := c.sample(ctx, s, w, at, nil)
		if err != nil {
			return obs, err
		}
		obs.Recent[w] = smp
	}
	if obs.Coverage, err = c.coverage(ctx, s, span, at); err != nil {
		return obs, err
	}
	if err := c.noteResets(ctx, s, span, at, &obs.Notes); err != nil {
		return obs, err
	}
	return obs, nil
}

// sample reads s's events over the trailing w. notes, when not nil,
// receives what is odd about the series.
func (c *Client) sample(ctx context.Context, s slo.SLO, w time.Duration, at time.Time, notes *[]string) (slo.Sample, error) {
	q := s.Events(w, false)
	if q.Ratio != "" {
		r, ok, err := c.value(ctx, q.Ratio, at, false)
		switch {
		case err != nil:
			return slo.Sample{}, err
		case !ok:
			return slo.Sample{Missing: true}, nil
		case math.IsNaN(r):
			return slo.Sample{}, nil // 0/0: no traffic
		}
		r = math.Min(math.Max(r, 0), 1)
		if q.RatioFailure {
			r = 1 - r
		}
		return slo.Sample{Counts: slo.Counts{Good: r, Total: 1}}, nil
	}
	total, ok, err := c.value(ctx, q.Total, at, true)
	if err != nil {
		return slo.Sample{}, err
	}
	if !ok {
		return slo.Sample{Missing: true}, nil
	}
	var good float64
	if q.Good != "" {
		g, ok, err := c.value(ctx, q.Good, at, true)
		if err != nil {
			return slo.Sample{}, err
		}
		if !ok && total > 0 && notes != nil {
			*notes = append(*notes, "no series matched the good events while there was traffic: every event counts as bad (check the selector, or that the le bucket exists)")
		}
		good = g
	} else {
		b, _, err := c.value(ctx, q.Bad, at, true)
		if err != nil {
			return slo.Sample{}, err
		}
		good = total - b
	}
	total = math.Max(total, 0)
	return slo.Sample{Counts: slo.Counts{Good: math.Min(math.Max(good, 0), total), Total: total}}, nil
}

// value evaluates an instant query that returns at most one series (the
// sum of several when summed). ok is false when it returned nothing.
func (c *Client) value(ctx context.Context, q string, at time.Time, summed bool) (float64, bool, error) {
	v, err := c.Vector(ctx, q, at)
	if err != nil {
		return 0, false, err
	}
	switch {
	case len(v) == 0:
		return 0, false, nil
	case len(v) > 1 && !summed:
		return 0, false, fmt.Errorf("prometheus %s: query %s returned %d series; an SLI query must return one", c.url, q, len(v))
	}
	var sum float64
	for _, smp := range v {
		sum += float64(smp.Value)
	}
	return sum, true, nil
}

// coverage is the fraction of the trailing span in which the SLI's total
// (over CoverageStep) could be computed.
func (c *Client) coverage(ctx context.Context, s slo.SLO, span time.Duration, at time.Time) (float64, error) {
	step := CoverageStep
	if span < 12*step {
		step = max(span/12, time.Second).Truncate(time.Second)
	}
	q := s.Events(step, true)
	expr := q.Total
	if expr == "" {
		expr = q.Ratio
	}
	n, ok, err := c.value(ctx, fmt.Sprintf("count_over_time((%s)[%s:%s])", expr, slo.PromDuration(span), slo.PromDuration(step)), at, true)
	if err != nil || !ok {
		return 0, err
	}
	return math.Min(n*float64(step)/float64(span), 1), nil
}

// noteResets notes counter resets of the total's series in the span, when
// the total is a plain selector: increase() accounts for them, and a
// person reading the numbers should know there were restarts.
func (c *Client) noteResets(ctx context.Context, s slo.SLO, span time.Duration, at time.Time, notes *[]string) error {
	sel, ok := s.Indicator.Total.Series()
	if !ok {
		return nil
	}
	n, ok, err := c.value(ctx, fmt.Sprintf("sum(resets(%s[%s]))", sel, slo.PromDuration(span)), at, true)
	if err != nil || !ok || n < 1 {
		return err
	}
	plural := "s"
	if n == 1 {
		plural = ""
	}
	*notes = append(*notes, fmt.Sprintf("%.0f counter reset%s in the window (restarts); increase() counts across them", n, plural))
	return nil
}
