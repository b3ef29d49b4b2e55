package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/traffic"
)

// TrafficConfig says which traffic curve to export from Prometheus.
type TrafficConfig struct {
	Prometheus *prom.Client
	// Query is PromQL returning one series: a request rate per second,
	// such as sum(rate(http_requests_total[1m])).
	Query string
	// From, To and Step: the range (Step 0 picks one: the range over
	// 1,000 points, at least 15s).
	From, To time.Time
	Step     time.Duration
}

// TrafficResult is an exported curve: a replay CSV (RFC 3339 times, the
// rate per second) and what it holds.
type TrafficResult struct {
	CSV []byte
	// Points, Gaps (steps without a value, left out), Step and the peak
	// rate and when.
	Points int
	Gaps   int
	Step   time.Duration
	Peak   float64
	PeakAt time.Time
	// Span is the time from the first point to the last, as a replay
	// reads it back.
	Span time.Duration
	// Notes say what the reader should know.
	Notes []string
}

// Traffic reads a traffic curve from Prometheus as a replay CSV, and
// checks that it reads back as a replay shape.
func Traffic(ctx context.Context, cfg TrafficConfig) (*TrafficResult, error) {
	switch {
	case cfg.Prometheus == nil:
		return nil, inputError(errors.New("no Prometheus to read the traffic from"), "give the Prometheus URL")
	case strings.TrimSpace(cfg.Query) == "":
		return nil, inputError(errors.New("no query"), "give a query returning one request rate, such as sum(rate(http_requests_total[1m]))")
	case !cfg.To.After(cfg.From):
		return nil, inputError(fmt.Errorf("the range from %s to %s is empty", cfg.From.UTC().Format(time.RFC3339), cfg.To.UTC().Format(time.RFC3339)), "the end must come after the start")
	case cfg.To.Sub(cfg.From) > traffic.MaxReplaySpan:
		return nil, inputError(fmt.Errorf("the range spans %s, more than a replay may (%s)", cfg.To.Sub(cfg.From), traffic.MaxReplaySpan), "export a shorter range")
	case cfg.Step < 0:
		return nil, inputError(fmt.Errorf("step %s: want a positive step", cfg.Step), "leave the step out to pick one")
	}
	c, err := prom.FetchCurve(ctx, cfg.Prometheus, cfg.Query, prom.CurveOptions{From: cfg.From, To: cfg.To, Step: cfg.Step})
	var rateErr *prom.RateError
	switch {
	case errors.Is(err, prom.ErrNoSeries):
		return nil, inputError(err, "check the metric name and labels in Prometheus's expression browser")
	case errors.As(err, &rateErr):
		return nil, err
	case err != nil && strings.Contains(err.Error(), "more than the"):
		return nil, inputError(err, "give a coarser step or a shorter range")
	case err != nil && strings.Contains(err.Error(), "wrap it in sum()"):
		return nil, inputError(err, "sum the series into one: sum(rate(…))")
	case err != nil:
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("time,rate\n")
	out := &TrafficResult{Points: len(c.Points), Gaps: c.Gaps, Step: c.Step}
	for _, p := range c.Points {
		fmt.Fprintf(&b, "%s,%s\n", p.T.UTC().Format(time.RFC3339), strconv.FormatFloat(p.V, 'g', 8, 64))
		if p.V > out.Peak {
			out.Peak, out.PeakAt = p.V, p.T
		}
	}
	out.CSV = b.Bytes()
	rec, err := traffic.ReadReplay("traffic.csv", out.CSV)
	if err != nil {
		return nil, fmt.Errorf("the exported curve does not read back as a replay (a bug, please report it): %w", err)
	}
	out.Span = rec.Span()
	if c.Gaps > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d steps had no value (no series, or NaN) and are left out: a replay moves straight across them", c.Gaps))
	}
	return out, nil
}
