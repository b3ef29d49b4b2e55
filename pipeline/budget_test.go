package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/stats"
)

// budgetRun is a two-minute run of 100 requests a second: 98 fast 200s
// and 2 fast 500s each second.
func budgetRun(t *testing.T) []byte {
	t.Helper()
	run := &stats.Run{Header: stats.Header{Started: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Mode: stats.ModeOpen},
		Duration: 2 * time.Minute}
	for i := 0; i < 120; i++ {
		iv := &stats.Interval{Index: i, Start: time.Duration(i) * time.Second, Duration: time.Second}
		for range 98 {
			iv.Total.Response(200, 10*time.Millisecond, 10*time.Millisecond, 0, 0)
		}
		for range 2 {
			iv.Total.Response(500, 10*time.Millisecond, 10*time.Millisecond, 0, 0)
		}
		run.Add(iv)
	}
	var b bytes.Buffer
	if err := stats.NewWriter(&b).WriteRun(run); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const budgetSLOs = `apiVersion: headroom/v1
kind: SLO
name: loose
service: api
availability: {metric: http_requests_total, selector: {job: api}, errorCodes: "5.."}
objective: 97%
window: 30d
---
apiVersion: headroom/v1
kind: SLO
name: strict
service: api
availability: {metric: http_requests_total, selector: {job: api}, errorCodes: "5.."}
objective: 99.9%
window: 30d
`

func TestBudgetAgainstARun(t *testing.T) {
	files := MapFiles{"slo.yaml": []byte(budgetSLOs), "run.jsonl": budgetRun(t)}
	for _, tt := range []struct {
		name       string
		cfg        BudgetConfig
		met        bool
		missed     string
		inputError string
	}{
		{"a loose objective holds", BudgetConfig{SLOFiles: []string{"slo.yaml"}, Run: "run.jsonl", Only: []string{"loose"}}, true, "", ""},
		{"a strict one is missed", BudgetConfig{SLOFiles: []string{"slo.yaml"}, Run: "run.jsonl"}, false, "api/strict", ""},
		{"an unknown SLO is bad input", BudgetConfig{SLOFiles: []string{"slo.yaml"}, Run: "run.jsonl", Only: []string{"nope"}}, false, "", `no SLO named "nope"`},
		{"a missing results file is bad input", BudgetConfig{SLOFiles: []string{"slo.yaml"}, Run: "gone.jsonl"}, false, "", "gone.jsonl"},
		{"a missing SLO file is bad input", BudgetConfig{SLOFiles: []string{"gone.yaml"}, Run: "run.jsonl"}, false, "", "gone.yaml"},
		{"no SLO file is bad input", BudgetConfig{Run: "run.jsonl"}, false, "", "no SLO file given"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Budget(context.Background(), files, tt.cfg)
			if tt.inputError != "" {
				if !IsInputError(err) || !strings.Contains(err.Error(), tt.inputError) {
					t.Fatalf("Budget() error = %v; want an input error about %q", err, tt.inputError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Met() != tt.met || strings.Join(res.Missed, ",") != tt.missed {
				t.Errorf("Budget() met %v, missed %q; want %v, %q", res.Met(), res.Missed, tt.met, tt.missed)
			}
			if res.Source != SourceRun || !res.At.Equal(time.Date(2026, 3, 1, 12, 2, 0, 0, time.UTC)) {
				t.Errorf("Budget() source %q at %v; want run at the run's end", res.Source, res.At)
			}
			if c := res.SLOs[0]; math.Abs(c.SLI-0.98) > 1e-9 || c.Window.Total != 12000 {
				t.Errorf("Budget() SLI %v of %v events; want 98%% of 12,000", c.SLI, c.Window.Total)
			}
		})
	}
}

// Without a Prometheus URL in the config or the files, Budget says so
// before anything is asked.
func TestBudgetNeedsAPrometheus(t *testing.T) {
	_, err := Budget(context.Background(), MapFiles{"slo.yaml": []byte(budgetSLOs)}, BudgetConfig{SLOFiles: []string{"slo.yaml"}, Clock: FixedClock(time.Unix(1e9, 0))})
	if !errors.Is(err, ErrNoPrometheus) || !IsInputError(err) {
		t.Errorf("Budget() without Prometheus = %v; want ErrNoPrometheus as bad input", err)
	}
}

// A grouped SLO is missed when one group misses it, however well the
// whole does, and the worst group comes first.
func TestCheckSLOGroups(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := slo.SLO{Name: "api", Target: 0.99, Window: slo.Rolling(24 * time.Hour), Grouping: []string{"route"}}
	group := func(route string, good, total float64) slo.Observation {
		return slo.Observation{Start: at.Add(-24 * time.Hour), At: at, Period: 24 * time.Hour, Coverage: 1,
			Group: []slo.Label{{Name: "route", Value: route}}, Window: slo.Sample{Counts: slo.Counts{Good: good, Total: total}}}
	}
	groups := []slo.Observation{group("/browse", 100000, 100000), group("/pay", 80, 100)}
	c := CheckSLO(s, wholeOf(groups), groups)
	if c.Verdict != slo.Missed || c.GroupsMissed != 1 || len(c.Groups) != 2 || c.Groups[0].Labels[0].Value != "/pay" {
		t.Fatalf("CheckSLO() = %s, %d missed, groups %v; want missed by /pay, listed first", c.Verdict, c.GroupsMissed, c.Groups)
	}
	if math.Abs(c.SLI-100080.0/100100) > 1e-12 {
		t.Errorf("CheckSLO() whole SLI = %v; want %v", c.SLI, 100080.0/100100)
	}
	if !strings.Contains(strings.Join(c.Notes, "\n"), "1 of 2 groups (by route) missed the objective") {
		t.Errorf("CheckSLO() notes %q; want the missed group named", c.Notes)
	}
}

// slo check's JSON never fails to encode because of a NaN: a number that
// is not finite is written as null, and the field non_finite names it.
// (Prometheus's NaN and ±Inf are refused before anything is evaluated;
// this is the net under that.)
func TestBudgetJSONWritesNonFiniteAsNull(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := slo.SLO{Name: "api", Target: 0.99, Window: slo.Rolling(24 * time.Hour)}
	st := slo.Status{SLO: s, Span: 24 * time.Hour, Verdict: slo.Met, SLI: math.NaN(),
		Observation: slo.Observation{Start: at.Add(-24 * time.Hour), At: at, Coverage: 1,
			Window: slo.Sample{Counts: slo.Counts{Good: math.Inf(1), Total: math.Inf(1)}}},
		Budget:      slo.Budget{Remaining: math.NaN()},
		Burn:        []slo.WindowBurn{{Window: time.Hour, OK: true, ErrorRatio: math.NaN(), BurnRate: math.Inf(1)}},
		Notes:       []string{"x"},
		CurrentBurn: math.NaN(), CurrentBurnOK: true,
	}
	res := &BudgetResult{At: at, Source: SourcePrometheus, SLOs: []report.SLOCheck{{Status: st}}}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var got struct {
		SLOs []struct {
			SLI    *float64 `json:"sli"`
			Events *struct {
				Good, Total *float64
			} `json:"events"`
			CurrentBurn *float64 `json:"current_burn_rate"`
			Budget      *struct {
				Remaining *float64 `json:"remaining"`
			} `json:"error_budget"`
		} `json:"slos"`
		NonFinite []string `json:"non_finite"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("the JSON does not decode: %v\n%s", err, data)
	}
	j := got.SLOs[0]
	if j.SLI != nil || j.Events == nil || j.Events.Good != nil || j.Events.Total != nil || j.CurrentBurn != nil || j.Budget == nil || j.Budget.Remaining != nil {
		t.Errorf("non-finite numbers are not null:\n%s", data)
	}
	want := "slos[0].sli slos[0].events.good slos[0].events.bad slos[0].events.total slos[0].error_budget.remaining slos[0].burn_rates[0].error_ratio slos[0].burn_rates[0].burn_rate slos[0].current_burn_rate"
	if strings.Join(got.NonFinite, " ") != want {
		t.Errorf("non_finite = %q; want %q", got.NonFinite, want)
	}
	if bytes.Contains(data, []byte("NaN")) || bytes.Contains(data, []byte("Inf")) {
		t.Errorf("the JSON shows a non-finite value:\n%s", data)
	}
	// The check itself refuses such a status: exit 1, never a verdict.
	if err := checkFinite(report.SLOCheck{Status: st}); err == nil || !strings.Contains(err.Error(), "SLO api: the SLI is NaN") {
		t.Errorf("checkFinite() = %v; want the NaN SLI named", err)
	}
}

// Finite numbers are written exactly as encoding/json writes a float64.
func TestJSONFloatWritesLikeFloat64(t *testing.T) {
	for _, f := range []float64{0, 1, -2.5, 864000.0 / 869760, 1e21, 1e-7, 123456789.125} {
		want, _ := json.Marshal(f)
		got, err := json.Marshal(jsonFloat(f))
		if err != nil || string(got) != string(want) {
			t.Errorf("jsonFloat(%v) = %s, %v; want %s", f, got, err, want)
		}
	}
}
