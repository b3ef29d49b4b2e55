package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/units"
)

func (a *app) newTrafficCmd() *cobra.Command {
	var (
		pf              promFlags
		query, from, to string
		step            time.Duration
		out             string
		force           bool
		asJSON          bool
		format          *formatValue
	)
	cmd := &cobra.Command{
		Use:   "traffic --prometheus URL --query PROMQL --from TIME [--to TIME] [--step D] --out traffic.csv",
		Short: "Export a traffic curve from Prometheus as a replay CSV",
		Long: `Reads one request rate (per second) from Prometheus over a range and writes
it as a CSV a replay shape reads (traffic: {kind: replay, file: traffic.csv}
in a System file, or replay:file=traffic.csv): RFC 3339 times and rates.

The query must return one series: sum it. Steps without a value are left
out and counted; an infinite or negative rate is refused. At most 11,000
points (Prometheus's limit for one series): without --step, the range over
1,000 points (at least 15s). Times are RFC 3339 or Unix seconds. --out -
writes the CSV on stdout (the summary then goes to stderr); a file is never
overwritten unless --force is given.`,
		Example: `  headroom traffic --prometheus http://127.0.0.1:9090 \
    --query 'sum(rate(http_requests_total{namespace="shop"}[1m]))' \
    --from 2026-11-27T18:00:00Z --to 2026-11-27T23:00:00Z --step 15s --out black-friday.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErrorf("for example --out traffic.csv (or --out - for stdout)", "--out: name the CSV to write")
			}
			if from == "" {
				return usageErrorf("for example --from 2026-11-27T18:00:00Z", "--from: give the start of the range")
			}
			start, err := parseEnd(from)
			if err != nil {
				return usageErrorf("write --from 2026-11-27T18:00:00Z or --from 1795888800", "--from %q is not a time", from)
			}
			end := a.now()
			if to != "" {
				if end, err = parseEnd(to); err != nil {
					return usageErrorf("write --to 2026-11-27T23:00:00Z or --to 1795906800", "--to %q is not a time", to)
				}
			}
			pcfg := pf.config(a, cmd)
			if pcfg.URL == "" {
				return usageErrorf("give --prometheus http://HOST:9090 (or "+envPrometheusURL+")", "no Prometheus to read the traffic from")
			}
			client, err := prom.New(pcfg)
			if err != nil {
				return usageError(err, "give --prometheus as http(s)://host:port")
			}
			res, err := pipeline.Traffic(cmd.Context(), pipeline.TrafficConfig{Prometheus: client, Query: query, From: start, To: end, Step: step})
			if err != nil {
				return importError(err)
			}
			summary := a.stdio.Out
			if out == "-" {
				if _, err := a.stdio.Out.Write(res.CSV); err != nil {
					return err
				}
				summary = a.stdio.Err
			} else if err := writeNewFiles([]outFile{{out, res.CSV}}, force); err != nil {
				return err
			}
			if format.Format() == "json" {
				return writeJSON(summary, trafficJSON{File: out, Points: res.Points, Gaps: res.Gaps, StepSeconds: res.Step.Seconds(), SpanSeconds: res.Span.Seconds(),
					Peak: res.Peak, PeakAt: res.PeakAt, Notes: res.Notes})
			}
			return writeTrafficSummary(summary, out, res)
		},
	}
	fl := cmd.Flags()
	pf.register(fl, "to read the traffic from")
	fl.StringVar(&query, "query", "", "PromQL returning one request rate per second, e.g. sum(rate(http_requests_total[1m]))")
	fl.StringVar(&from, "from", "", "start of the range: RFC 3339 or Unix seconds")
	fl.StringVar(&to, "to", "", "end of the range: RFC 3339 or Unix seconds (default now)")
	fl.DurationVar(&step, "step", 0, "resolution (default: the range over 1,000 points, at least 15s)")
	fl.StringVar(&out, "out", "", "the CSV to write, - for stdout")
	fl.BoolVar(&force, "force", false, "let --out overwrite an existing file")
	fl.BoolVar(&asJSON, "json", false, "print the summary as JSON; same as -o json")
	format = addFormatFlag(fl, &asJSON, "text", "json")
	return cmd
}

// trafficJSON is the JSON summary of an export.
type trafficJSON struct {
	File        string    `json:"file"`
	Points      int       `json:"points"`
	Gaps        int       `json:"gaps"`
	StepSeconds float64   `json:"step_seconds"`
	SpanSeconds float64   `json:"span_seconds"`
	Peak        float64   `json:"peak_rate"`
	PeakAt      time.Time `json:"peak_at"`
	Notes       []string  `json:"notes,omitempty"`
}

func writeTrafficSummary(w io.Writer, out string, res *pipeline.TrafficResult) error {
	name := out
	if out == "-" {
		name = "stdout"
	}
	_, err := fmt.Fprintf(w, "wrote %s: %d points every %s over %s, peak %s at %s\n", name, res.Points, units.Duration(res.Step), units.Duration(res.Span),
		units.Rate(res.Peak), res.PeakAt.UTC().Format(time.RFC3339))
	for _, n := range res.Notes {
		if err == nil {
			_, err = fmt.Fprintln(w, "note: "+n)
		}
	}
	if err == nil && out != "-" {
		_, err = fmt.Fprintf(w, "replay it with: traffic: {kind: replay, file: %s}\n", out)
	}
	return err
}
