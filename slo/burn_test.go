package slo_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

const week = 7 * day

// The tiers of every window spend the same budget fractions as the
// Workbook's 30-day ones (2%, 5%, 10%, 10%), their windows scaled with the
// period, so their burn-rate factors stay 14.4, 6, 3 and 1; below the
// shortest sensible windows the factor is recomputed, and never below 1.
// This is the table the README documents.
func TestTiersForEveryWindow(t *testing.T) {
	quarter, err := slo.CalendarWindow(1, slo.Quarter, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	month, _ := slo.CalendarWindow(1, slo.Month, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	calWeek, _ := slo.CalendarWindow(1, slo.Week, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		name   string
		window time.Duration
		want   string // severity long/short×factor, one tier each
	}{
		{"1 day", day, "page 5m/2m×5.76 page 12m/2m×6 ticket 48m/4m×3 ticket 2h24m/12m×1"},
		{"7 days", week, "page 14m/2m×14.4 page 1h24m/7m×6 ticket 5h36m/28m×3 ticket 16h48m/1h24m×1"},
		{"14 days", 2 * week, "page 28m/2m×14.4 page 2h48m/14m×6 ticket 11h12m/56m×3 ticket 1d9h36m/2h48m×1"},
		{"28 days", 4 * week, "page 56m/5m×14.4 page 5h36m/28m×6 ticket 22h24m/1h52m×3 ticket 2d19h12m/5h36m×1"},
		{"30 days (the Workbook's table)", 30 * day, "page 1h/5m×14.4 page 6h/30m×6 ticket 1d/2h×3 ticket 3d/6h×1"},
		{"90 days", 90 * day, "page 3h/15m×14.4 page 18h/1h30m×6 ticket 3d/6h×3 ticket 9d/18h×1"},
		{"a calendar week (7 days nominal)", calWeek.Length, "page 14m/2m×14.4 page 1h24m/7m×6 ticket 5h36m/28m×3 ticket 16h48m/1h24m×1"},
		{"a calendar month (30 days nominal)", month.Length, "page 1h/5m×14.4 page 6h/30m×6 ticket 1d/2h×3 ticket 3d/6h×1"},
		{"a calendar quarter (90 days nominal)", quarter.Length, "page 3h/15m×14.4 page 18h/1h30m×6 ticket 3d/6h×3 ticket 9d/18h×1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tiers, why := slo.TiersFor(tc.window)
			var got []string
			for _, b := range tiers {
				f := b.Factor(tc.window)
				if f < 1 {
					t.Errorf("tier %v alerts at burn %g < 1", b, f)
				}
				got = append(got, fmt.Sprintf("%s %s/%s×%s", b.Severity, slo.PromDuration(b.Long), slo.PromDuration(b.Short), trimFloat(f)))
			}
			if strings.Join(got, " ") != tc.want || len(why) > 0 {
				t.Errorf("TiersFor(%s) = %s (%q)\n want %s", slo.PromDuration(tc.window), strings.Join(got, " "), why, tc.want)
			}
		})
	}
	// An hour-long SLO keeps only the tiers that stay at or above burn 1.
	tiers, why := slo.TiersFor(time.Hour)
	if len(tiers) != 2 || len(why) != 2 || !strings.Contains(why[0], "below 1") {
		t.Errorf("TiersFor(1h) = %v, %q; want the two ticket tiers, and why the pages are left out", tiers, why)
	}
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.4f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func TestMinimumEventsGuard(t *testing.T) {
	for _, tc := range []struct {
		name   string
		b      slo.BurnAlert
		budget float64
		want   float64
	}{
		{"one failure must not cross 14.4 × 0.1%: 70 events", slo.BurnAlerts[0], 0.001, 70},
		{"the slow ticket at 99.9%: 1000 events", slo.BurnAlerts[3], 0.001, 1000},
		{"a 90% objective's fast page (144%) can't fire: no guard", slo.BurnAlerts[0], 0.1, 0},
		{"an explicit minimum wins", slo.BurnAlert{Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02, MinEvents: 500}, 0.001, 500},
		{"a negative minimum turns it off", slo.BurnAlert{Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02, MinEvents: -1}, 0.001, 0},
	} {
		if got := tc.b.GuardEvents(30*day, tc.budget); got != tc.want {
			t.Errorf("%s: GuardEvents = %g; want %g", tc.name, got, tc.want)
		}
	}
}

func TestLatencyMatchesBothSpellingsOfWholeSeconds(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{time.Second, `le=~"1|1\\.0"`},
		{10 * time.Second, `le=~"10|10\\.0"`},
		{300 * time.Millisecond, `le="0.3"`},
		{2500 * time.Millisecond, `le="2.5"`},
	} {
		in := slo.Latency(slo.LabelSelector("d_seconds", map[string]string{"job": "api"}), tc.d)
		if sel, _ := in.Good.Series(); !strings.Contains(sel.String(), tc.want) {
			t.Errorf("Latency(%v) good = %s; want %s", tc.d, sel, tc.want)
		}
	}
}

func TestGroupedEventsKeepTheGroups(t *testing.T) {
	s := slo.SLO{Name: "api", Service: "shop", Target: 0.999, Window: slo.Rolling(30 * day), Grouping: []string{"route"},
		Indicator: slo.Availability(slo.LabelSelector("http_requests_total", map[string]string{"job": "api"}), "", "")}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	got := s.ErrorRatio(time.Hour)
	want := `((sum by (route)(rate(http_requests_total{job="api",code=~"5.."}[1h])) or 0 * sum by (route)(rate(http_requests_total{job="api"}[1h]))) / (sum by (route)(rate(http_requests_total{job="api"}[1h])) > 0))`
	if got != want {
		t.Errorf("ErrorRatio =\n %s\nwant\n %s", got, want)
	}
	// A query that groups by itself must agree with the SLO.
	q, err := slo.ParseQuery(`sum by (route) (rate(http_requests_total{job="api"}[5m]))`, slo.Events, true)
	if err != nil {
		t.Fatal(err)
	}
	bad := s
	bad.Grouping = nil
	bad.Indicator = slo.Indicator{Total: q, Bad: s.Indicator.Bad}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "declare the grouping (route)") {
		t.Errorf("Validate = %v; want the grouping the query writes asked for", err)
	}
}

func TestIDsCarryTheService(t *testing.T) {
	a := slo.SLO{Name: "availability", Service: "checkout"}
	b := slo.SLO{Name: "availability", Service: "payments", Objective: "fast"}
	if a.ID() == b.ID() || a.ID() != "checkout/availability" || b.ID() != "payments/availability/fast" {
		t.Errorf("IDs %q, %q", a.ID(), b.ID())
	}
	if got := fmt.Sprint(b.IdentityLabels()); got != "[{slo availability} {service payments} {objective fast}]" {
		t.Errorf("IdentityLabels = %s", got)
	}
}

func TestAlertingValidation(t *testing.T) {
	base := slo.SLO{Name: "api", Service: "shop", Target: 0.999, Window: slo.Rolling(30 * day), Grouping: []string{"route"},
		Indicator: slo.Availability(slo.LabelSelector("http_requests_total", map[string]string{"job": "api"}), "", "")}
	fast := slo.BurnAlert{Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02}
	for _, tc := range []struct {
		name string
		a    slo.Alerting
		want string // "" when valid
	}{
		{"severity may be renamed", slo.Alerting{Labels: map[string]string{"severity": "critical", "team": "pay"}}, ""},
		{"for and a tier name", slo.Alerting{Tiers: []slo.BurnAlert{func() slo.BurnAlert { b := fast; b.For = 2 * time.Minute; b.Name = "FastBurn"; return b }()}}, ""},
		{"slo label", slo.Alerting{Labels: map[string]string{"slo": "x"}}, `alert label "slo"`},
		{"service label on a tier", slo.Alerting{Tiers: []slo.BurnAlert{func() slo.BurnAlert { b := fast; b.Labels = map[string]string{"service": "x"}; return b }()}}, `alert tier 1 label "service"`},
		{"grouping label", slo.Alerting{Labels: map[string]string{"route": "/"}}, `alert label "route"`},
		{"alert name", slo.Alerting{Name: "error budget"}, `alert name "error budget"`},
		{"negative for", slo.Alerting{Tiers: []slo.BurnAlert{func() slo.BurnAlert { b := fast; b.For = -time.Minute; return b }()}}, "negative"},
	} {
		s := base
		s.Alerting = tc.a
		err := s.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: Validate = %v; want nil", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: Validate = %v; want %s", tc.name, err, tc.want)
		}
	}
}
