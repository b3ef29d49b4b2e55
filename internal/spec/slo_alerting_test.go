package spec_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

func TestSLOCompactAlerting(t *testing.T) {
	tests := []struct {
		name  string
		extra string
		check func(a slo.Alerting) string // "" when right
	}{
		{"no alerting block derives the tiers at use", "", func(a slo.Alerting) string {
			if a.Tiers != nil || a.NoBudgetAlert || a.Absent {
				return "want the zero Alerting"
			}
			return ""
		}},
		{"tiers: default is the derived tiers", "alerting: {tiers: default}\n", func(a slo.Alerting) string {
			if a.Tiers != nil {
				return "want no tiers (derived at use)"
			}
			return ""
		}},
		{"a factor becomes the budget consumed within long", "alerting: {tiers: [{severity: page, long: 1h, factor: 14.4}]}\n", func(a slo.Alerting) string {
			if math.Abs(a.Tiers[0].Consumed-0.02) > 1e-12 {
				return "want 14.4 over 1h of 30d to be 2% consumed"
			}
			return ""
		}},
		{"a short window defaults to a twelfth of long", "alerting: {tiers: [{severity: page, long: 6h, consumed: 5%}]}\n", func(a slo.Alerting) string {
			if a.Tiers[0].Short != 30*time.Minute {
				return "want 30m"
			}
			return ""
		}},
		{"for delays a tier", "alerting: {tiers: [{severity: ticket, long: 6h, consumed: 5%, for: 15m}]}\n", func(a slo.Alerting) string {
			if a.Tiers[0].For != 15*time.Minute {
				return "want for 15m"
			}
			return ""
		}},
		{"a short window is at least 2m", "alerting: {tiers: [{severity: page, long: 10m, consumed: 0.1%}]}\n", func(a slo.Alerting) string {
			if a.Tiers[0].Short != 2*time.Minute {
				return "want 2m"
			}
			return ""
		}},
		{"minEvents off turns the guard off", "alerting: {tiers: [{severity: page, long: 1h, consumed: 2%, minEvents: off}]}\n", func(a slo.Alerting) string {
			if a.Tiers[0].MinEvents >= 0 {
				return "want a negative MinEvents"
			}
			return ""
		}},
		{"budgetAlert: false leaves out the budget alert", "alerting: {budgetAlert: false}\n", func(a slo.Alerting) string {
			if !a.NoBudgetAlert {
				return "want NoBudgetAlert"
			}
			return ""
		}},
		{"budgetAlert: true keeps it", "alerting: {budgetAlert: true}\n", func(a slo.Alerting) string {
			if a.NoBudgetAlert {
				return "want the budget alert"
			}
			return ""
		}},
		{"disable by severity disables the derived tiers of it", "alerting: {disable: [page]}\n", func(a slo.Alerting) string {
			for _, b := range a.Tiers {
				if b.Disabled != (b.Severity == slo.Page) {
					return "want the page tiers disabled and only them"
				}
			}
			if len(a.Tiers) != 4 {
				return "want the four derived tiers"
			}
			return ""
		}},
		{"disable by long window disables one tier", "alerting: {disable: [3d]}\n", func(a slo.Alerting) string {
			for _, b := range a.Tiers {
				if b.Disabled != (b.Long == 72*time.Hour) {
					return "want only the 3d tier disabled"
				}
			}
			return ""
		}},
		{"disable applies to written tiers too", "alerting:\n  tiers: [{severity: page, long: 1h, consumed: 2%}, {severity: ticket, long: 1d, consumed: 10%}]\n  disable: [ticket]\n",
			func(a slo.Alerting) string {
				if a.Tiers[0].Disabled || !a.Tiers[1].Disabled {
					return "want the ticket tier disabled"
				}
				return ""
			}},
		{"names, labels and annotations are carried",
			"alerting: {name: ABurn, labels: {team: x}, annotations: {dashboard: y}, tiers: [{severity: page, long: 1h, consumed: 2%, name: AFast, labels: {tier: fast}, annotations: {summary: s}}]}\n",
			func(a slo.Alerting) string {
				b := a.Tiers[0]
				if a.Name != "ABurn" || a.Labels["team"] != "x" || a.Annotations["dashboard"] != "y" || b.Name != "AFast" || b.Labels["tier"] != "fast" || b.Annotations["summary"] != "s" {
					return "want every name, label and annotation"
				}
				return ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := mustSLOs(t, compact(tt.extra))
			if msg := tt.check(set.SLOs[0].Alerting); msg != "" {
				t.Fatalf("Alerting = %+v; %s", set.SLOs[0].Alerting, msg)
			}
		})
	}
}

func TestSLOCompactAlertingProblems(t *testing.T) {
	tier := func(s string) string { return "alerting:\n  tiers:\n    - {severity: page, " + s + "}\n" }
	runProblems(t, []problemCase{
		{"a reserved alert label", "" + compact("alerting: {labels: {severity: critical}}\n"),
			`slo.yaml:7:21: alerting.labels.severity: "severity" can't be a rule label: headroom sets slo, service, objective, severity, long, short itself`},
		{"an annotation key that is not a label name", compact("alerting: {annotations: {runbook-url: x}}\n"),
			`slo.yaml:7:26: alerting.annotations.runbook-url: "runbook-url" is not a label name`},
		{"an alert name with a space", compact("alerting: {name: Budget burn}\n"),
			`slo.yaml:7:12: alerting.name: "Budget burn" can't be an alert name`},
		{"tiers that are neither default nor a list", compact("alerting: {tiers: defaults}\n"),
			`slo.yaml:7:12: alerting.tiers: want default (the tiers derived from the window) or a list of tiers`},
		{"an empty list of tiers", compact("alerting: {tiers: []}\n"),
			"slo.yaml:7:12: alerting.tiers: no tiers: write tiers: default"},
		{"a tier with consumed and factor", compact(tier("long: 1h, consumed: 2%, factor: 14.4")),
			"slo.yaml:9:48: alerting.tiers[0].factor: give consumed or factor, not both"},
		{"a tier with neither consumed nor factor", compact(tier("long: 1h")),
			"slo.yaml:9:7: alerting.tiers[0]: give consumed (the share of the budget spent within long, such as 2%) or factor"},
		{"a tier without a long window", compact(tier("consumed: 2%")),
			"slo.yaml:9:7: alerting.tiers[0].long: want the long window, such as 1h"},
		{"a tier burning slower than allowed", compact(tier("long: 1h, consumed: 0.1%")),
			"slo.yaml:9:34: alerting.tiers[0].consumed: 0.1% of the budget in 1h is a burn rate of 0.72 over the 30d window: below 1"},
		{"a factor below 1", compact(tier("long: 1h, factor: 0.5")),
			"slo.yaml:9:34: alerting.tiers[0].factor: a burn rate below 1"},
		{"a factor spending more than the budget", compact(tier("long: 3d, factor: 20")),
			"slo.yaml:9:34: alerting.tiers[0].factor: a burn rate of 20 over 3d spends more than the whole 30d budget: want at most 10 (window / long)"},
		{"consumed above 100%", compact(tier("long: 1h, consumed: 120%")),
			"slo.yaml:9:34: alerting.tiers[0].consumed: 120%: want more than 0% and at most 100% of the budget"},
		{"a for longer than the long window", compact(tier("long: 1h, for: 2h, consumed: 2%")),
			"alerting.tiers[0].for: want a duration from 0 to the long window (1h), such as 2m"},
		{"a short window as long as the long one", compact(tier("long: 1h, short: 1h, consumed: 2%")),
			"slo.yaml:9:34: alerting.tiers[0].short: want a short window shorter than long (1h), such as 5m"},
		{"a long window longer than the SLO's", compact(tier("long: 40d, consumed: 100%")),
			"slo.yaml:9:24: alerting.tiers[0].long: 40d is longer than the SLO's 30d window"},
		{"a long window too short for a rate", compact(tier("long: 3m, factor: 1")),
			"slo.yaml:9:24: alerting.tiers[0].long: 3m is too short for a rate: want at least 5m"},
		{"a tier without a severity", compact("alerting:\n  tiers:\n    - {long: 1h, consumed: 2%}\n"),
			`slo.yaml:9:7: alerting.tiers[0]: missing required field "severity"`},
		{"minEvents of zero", compact(tier("long: 1h, consumed: 2%, minEvents: 0")),
			"slo.yaml:9:48: alerting.tiers[0].minEvents: want the least number of events the long window must hold (at least 1), or off"},
		{"a reserved tier label", compact(tier("long: 1h, consumed: 2%, labels: {long: x}")),
			`alerting.tiers[0].labels.long: "long" can't be a rule label`},
		{"disabling a tier that does not exist", compact("alerting: {disable: [warning]}\n"),
			`slo.yaml:7:22: alerting.disable[0]: no tier has severity or long window "warning"; the tiers are page 1h, page 6h, ticket 1d, ticket 3d`},
		{"a reserved rule label", compact("labels: {long: x}\n"),
			`slo.yaml:7:10: labels.long: "long" can't be a rule label`},
	})
}

func TestSLOLatencyInput(t *testing.T) {
	lat := func(fields string) string {
		return "apiVersion: headroom/v1\nkind: SLO\nname: a\nlatency: {histogram: d, " + fields + "}\nobjective: 99%\n"
	}
	runProblems(t, []problemCase{
		{"an le in the selector", lat(`threshold: 300ms, selector: '{job="x", le="0.3"}'`),
			`slo.yaml:4:43: latency.selector: the threshold sets the bucket (le); remove le from the selector and write threshold: 300ms for le="0.3"`},
		{"an le in a selector mapping", lat(`threshold: 300ms, selector: {le: "0.3"}`),
			`latency.selector: the threshold sets the bucket (le)`},
		{"a whole number without a unit", lat("threshold: 300"),
			"slo.yaml:4:25: latency.threshold: 300 has no unit: write 300ms"},
		{"a fraction without a unit is seconds", lat("threshold: 0.3"),
			"slo.yaml:4:25: latency.threshold: 0.3 has no unit: write 0.3s"},
		{"a threshold above an hour", lat("threshold: 300m"),
			"slo.yaml:4:25: latency.threshold: 5h is above 1h: if the unit is wrong, write it in ms or s (300ms); if the latency is meant, add allowLongThreshold: true"},
		{"a threshold above the window", "apiVersion: headroom/v1\nkind: SLO\nname: a\nlatency: {histogram: d, threshold: 45m}\nobjective: 99%\nwindow: 30m\n",
			"slo.yaml:4:25: latency.threshold: 45m is longer than the SLO's 30m window: if the unit is wrong, write it in ms or s (300ms); if the latency is meant, add allowLongThreshold: true"},
		{"a zero threshold", lat("threshold: 0"),
			"slo.yaml:4:25: latency.threshold: want a positive latency such as 300ms"},
		{"a native histogram's _bucket suffix", "apiVersion: headroom/v1\nkind: SLO\nname: a\nlatency: {histogram: d_bucket, native: true, threshold: 1s}\nobjective: 99%\n",
			"slo.yaml:4:11: latency.histogram: a native histogram is one series named without _bucket: write d"},
	})
	// Never the generic hint for durations, which suggests seconds or minutes.
	_, err := parseSLOs(t, lat("threshold: 300"))
	if err == nil || strings.Contains(err.Error(), "300s") || strings.Contains(err.Error(), "300m ") {
		t.Errorf("SLOs(threshold: 300) = %v; want only the hint 300ms", err)
	}

	long := mustSLOs(t, lat("threshold: 2h, allowLongThreshold: true"))
	if sel, ok := long.SLOs[0].Indicator.Good.Series(); !ok || !strings.Contains(sel.String(), `le=~"7200|7200\\.0"`) {
		t.Errorf("threshold 2h with allowLongThreshold = %v; want the bucket le 7200", long.SLOs[0].Indicator.Good.Expr)
	}
	native := mustSLOs(t, lat("threshold: 250ms, native: true, selector: {job: x}"))
	in := native.SLOs[0].Indicator
	if !in.Good.IsNative() || !in.Total.IsNative() || !strings.Contains(in.Good.At(time.Hour), `histogram_fraction(0, 0.25, sum(rate(d{job="x"}[1h])))`) {
		t.Errorf("native latency Good = %s; want histogram_fraction over d", in.Good.At(time.Hour))
	}
}
