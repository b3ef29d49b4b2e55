package cli

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

// slo check --json never fails to encode because of a NaN: a number that
// is not finite is written as null, and the field non_finite names it.
// (Prometheus's NaN and ±Inf are refused before anything is evaluated;
// this is the net under that.)
func TestSLOCheckJSONWritesNonFiniteAsNull(t *testing.T) {
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
	res := sloCheckJSON("prometheus", at, []sloResult{{Status: st}})
	res.NonFinite = nullNonFinite(&res)
	var buf bytes.Buffer
	if err := writeJSON(&buf, res); err != nil {
		t.Fatalf("writeJSON: %v", err)
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
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("the JSON does not decode: %v\n%s", err, buf.String())
	}
	j := got.SLOs[0]
	if j.SLI != nil || j.Events == nil || j.Events.Good != nil || j.Events.Total != nil || j.CurrentBurn != nil || j.Budget == nil || j.Budget.Remaining != nil {
		t.Errorf("non-finite numbers are not null:\n%s", buf.String())
	}
	want := "slos[0].sli slos[0].events.good slos[0].events.bad slos[0].events.total slos[0].error_budget.remaining slos[0].burn_rates[0].error_ratio slos[0].burn_rates[0].burn_rate slos[0].current_burn_rate"
	if strings.Join(got.NonFinite, " ") != want {
		t.Errorf("non_finite = %q; want %q", got.NonFinite, want)
	}
	if strings.Contains(buf.String(), "NaN") || strings.Contains(buf.String(), "Inf") {
		t.Errorf("the JSON shows a non-finite value:\n%s", buf.String())
	}
	// The check itself refuses such a status: exit 1, never a verdict.
	if err := (sloResult{Status: st}).finite(); err == nil || !strings.Contains(err.Error(), "SLO api: the SLI is NaN") {
		t.Errorf("finite() = %v; want the NaN SLI named", err)
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
