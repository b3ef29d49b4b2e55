package spec_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

// withPolicy is an OpenSLO SLO over window whose one alert policy has the
// given spec (indented by four spaces), followed by more documents.
func withPolicy(window, policy, more string) string {
	return strings.Replace(openSLO("", "  alertPolicies: [{alertPolicyRef: p}]\n"), "duration: 30d", "duration: "+window, 1) +
		"---\napiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: p}\nspec:\n" + policy + more
}

// burn is a policy alerting when breaching on one inline condition.
func burn(condition string) string {
	return "    alertWhenBreaching: true\n    conditions:\n      - kind: AlertCondition\n        metadata: {name: c}\n" +
		"        spec: {severity: page, condition: {" + condition + "}}\n"
}

func TestSLOAlertPolicies(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		tiers  []slo.BurnAlert // Severity, Long, Short, Consumed, For
		absent bool
		notes  []string // parts of the notes, in order
	}{
		{"a burn-rate condition becomes a tier", withPolicy("30d", burn("kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h"), ""),
			[]slo.BurnAlert{{Severity: "page", Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02}}, false, nil},
		{"the threshold is the burn rate over the SLO's window", withPolicy("7d", burn("op: gte, threshold: 6, lookbackWindow: 6h"), ""),
			[]slo.BurnAlert{{Severity: "page", Long: 6 * time.Hour, Short: 30 * time.Minute, Consumed: 6 * 6.0 / (7 * 24)}}, false, nil},
		{"alertAfter of zero leaves the short window at a twelfth", withPolicy("30d", burn("op: gt, threshold: 3, lookbackWindow: 1d, alertAfter: 0m"), ""),
			[]slo.BurnAlert{{Severity: "page", Long: 24 * time.Hour, Short: 2 * time.Hour, Consumed: 0.1}}, false, nil},
		{"alertAfter is how long the burn must last before the alert fires", withPolicy("30d", burn("op: gt, threshold: 3, lookbackWindow: 1d, alertAfter: 30m"), ""),
			[]slo.BurnAlert{{Severity: "page", Long: 24 * time.Hour, Short: 2 * time.Hour, Consumed: 0.1, For: 30 * time.Minute}}, false, nil},
		{"a short alertAfter", withPolicy("30d", burn("op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 1m"), ""),
			[]slo.BurnAlert{{Severity: "page", Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02, For: time.Minute}}, false, nil},
		{"a severity is lower-cased", withPolicy("30d", strings.Replace(burn("op: gt, threshold: 14.4, lookbackWindow: 1h"), "severity: page", "severity: SEV1", 1), ""),
			[]slo.BurnAlert{{Severity: "sev1", Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02}}, false, nil},
		{"alertWhenNoData turns on the absent alert", withPolicy("30d", strings.Replace(burn("op: gt, threshold: 14.4, lookbackWindow: 1h"), "alertWhenBreaching: true", "alertWhenBreaching: true\n    alertWhenNoData: true", 1), ""),
			[]slo.BurnAlert{{Severity: "page", Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02}}, true, nil},
		{"a condition by reference", withPolicy("30d", "    alertWhenBreaching: true\n    conditions: [{conditionRef: fast}]\n",
			"---\napiVersion: openslo/v1\nkind: AlertCondition\nmetadata: {name: fast}\nspec: {severity: page, condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h}}\n"),
			[]slo.BurnAlert{{Severity: "page", Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02}}, false, nil},
		{"notification targets are left to Alertmanager", withPolicy("30d", burn("op: gt, threshold: 14.4, lookbackWindow: 1h")+
			"    notificationTargets: [{targetRef: oncall}, {kind: AlertNotificationTarget, metadata: {name: mail}, spec: {target: email}}]\n", ""),
			[]slo.BurnAlert{{Severity: "page", Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02}}, false,
			[]string{"alert policy p: its notification targets (oncall, mail) are not used: headroom writes Prometheus alerts; route them with Alertmanager"}},
		{"an inline policy without a name is named by its place", openSLO("", "  alertPolicies:\n    - spec:\n        alertWhenBreaching: true\n"+
			"        conditions: [{spec: {severity: page, condition: {op: gt, threshold: 14.4, lookbackWindow: 1h}}}]\n"+
			"        notificationTargets: [{targetRef: oncall}]\n"),
			[]slo.BurnAlert{{Severity: "page", Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02}}, false,
			[]string{"alert policy at slo.yaml:18: its notification targets (oncall) are not used"}},
		{"alertWhenResolved is left to Alertmanager", withPolicy("30d", strings.Replace(burn("op: gt, threshold: 14.4, lookbackWindow: 1h"), "alertWhenBreaching: true", "alertWhenBreaching: true\n    alertWhenResolved: true", 1), ""),
			[]slo.BurnAlert{{Severity: "page", Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02}}, false,
			[]string{"alertWhenResolved is Alertmanager's to do (send_resolved in the receiver)"}},
		{"a policy alerting only on no data writes no burn-rate alert", withPolicy("30d", strings.Replace(burn("op: gt, threshold: 14.4, lookbackWindow: 1h"), "alertWhenBreaching: true", "alertWhenNoData: true", 1), ""),
			nil, true, []string{"alert policy p alerts only when the SLI has no data", "SLO a: its alert policies define no burn-rate alert, so none is written"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := mustSLOs(t, tt.src)
			s := set.SLOs[0]
			got, _ := s.Tiers() // the enabled ones
			if len(got) != len(tt.tiers) {
				t.Fatalf("Tiers() = %+v; want %+v", got, tt.tiers)
			}
			for i, w := range tt.tiers {
				g := got[i]
				if g.Severity != w.Severity || g.Long != w.Long || g.Short != w.Short || g.For != w.For || math.Abs(g.Consumed-w.Consumed) > 1e-12 {
					t.Errorf("tier %d = %+v; want %+v", i, g, w)
				}
			}
			if s.Alerting.Absent != tt.absent {
				t.Errorf("Absent = %v; want %v", s.Alerting.Absent, tt.absent)
			}
			if tt.tiers == nil && len(s.Alerting.Tiers) == 0 {
				t.Errorf("Alerting.Tiers is empty; want the derived tiers, disabled, so that none is written")
			}
			if len(set.Notes) != len(tt.notes) {
				t.Fatalf("Notes = %q; want %d notes like %q", set.Notes, len(tt.notes), tt.notes)
			}
			for i, n := range tt.notes {
				if !strings.Contains(set.Notes[i], n) {
					t.Errorf("Notes[%d] = %q; want %q", i, set.Notes[i], n)
				}
			}
			if err := s.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

// Every policy of an SLO adds its tiers.
func TestSLOAlertPoliciesAddUp(t *testing.T) {
	src := strings.Replace(openSLO("", "  alertPolicies:\n    - alertPolicyRef: fast\n    - alertPolicyRef: slow\n"), "", "", 1) +
		"---\napiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: fast}\nspec:\n" + burn("op: gt, threshold: 14.4, lookbackWindow: 1h") +
		"---\napiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: slow}\nspec:\n" + strings.Replace(burn("op: gt, threshold: 1, lookbackWindow: 3d"), "severity: page", "severity: ticket", 1)
	set := mustSLOs(t, src)
	var got []string
	for _, b := range set.SLOs[0].Alerting.Tiers {
		got = append(got, string(b.Severity)+" "+slo.PromDuration(b.Long)+"/"+slo.PromDuration(b.Short))
	}
	if want := []string{"page 1h/5m", "ticket 3d/6h"}; !slices.Equal(got, want) {
		t.Fatalf("tiers = %v; want %v", got, want)
	}
}

func TestSLOAlertPolicyProblems(t *testing.T) {
	cond := func(c string) string { return withPolicy("30d", burn(c), "") }
	// The inline condition's spec is on line 27 of withPolicy's file.
	runProblems(t, []problemCase{
		{"a condition kind other than burnrate", cond("kind: errorBudget, op: gt, threshold: 14.4, lookbackWindow: 1h"),
			`slo.yaml:27:44: spec.conditions[0].spec.condition.kind: headroom honours burnrate conditions only (alerts on the burn rate over lookbackWindow), got "errorBudget"`},
		{"op lte", cond("op: lte, threshold: 2, lookbackWindow: 1h"),
			"slo.yaml:27:44: spec.conditions[0].spec.condition.op: op lte would alert while the budget burns slowly; headroom alerts when the burn rate exceeds the threshold: write op: gt (or gte)"},
		{"an unknown op", cond("op: eq, threshold: 2, lookbackWindow: 1h"),
			`spec.conditions[0].spec.condition.op: want gt or gte, got "eq"`},
		{"no op", cond("threshold: 2, lookbackWindow: 1h"),
			"slo.yaml:27:32: spec.conditions[0].spec.condition: missing op: write op: gt"},
		{"a threshold below 1", cond("op: gt, threshold: 0.5, lookbackWindow: 1h"),
			"spec.conditions[0].spec.condition.threshold: a burn rate below 1 alerts on a service spending its budget no faster than allowed"},
		{"no lookback window", cond("op: gt, threshold: 2"),
			"spec.conditions[0].spec.condition: missing lookbackWindow"},
		{"a lookback window in months", cond("op: gt, threshold: 2, lookbackWindow: 1M"),
			`spec.conditions[0].spec.condition.lookbackWindow: want a window such as 1h or 1d, got "1M"`},
		{"a lookback window too short", cond("op: gt, threshold: 2, lookbackWindow: 2m"),
			"spec.conditions[0].spec.condition.lookbackWindow: 2m is too short for a rate: want at least 5m"},
		{"alertAfter longer than the lookback", cond("op: gt, threshold: 2, lookbackWindow: 1h, alertAfter: 2h"),
			"spec.conditions[0].spec.condition.alertAfter: 2h is longer than lookbackWindow (1h)"},
		{"a lookback longer than the SLO's window", strings.Replace(cond("op: gt, threshold: 1, lookbackWindow: 2w"), "duration: 30d", "duration: 7d", 1),
			"slo.yaml:17:19: spec.alertPolicies[0]: alert condition c (slo.yaml:25) looks back 14d, longer than the SLO's 7d window"},
		{"a burn rate that spends more than the budget", strings.Replace(cond("op: gt, threshold: 200, lookbackWindow: 1d"), "duration: 30d", "duration: 1w", 1),
			"slo.yaml:17:19: spec.alertPolicies[0]: alert condition c (slo.yaml:25): a burn rate of 200 over 1d spends more than the whole budget of the 7d window; want a threshold of at most 7 (window / lookbackWindow)"},
		{"a policy that alerts on nothing", withPolicy("30d", "    alertWhenResolved: true\n    conditions: [{conditionRef: x}]\n",
			"---\napiVersion: openslo/v1\nkind: AlertCondition\nmetadata: {name: x}\nspec: {severity: page, condition: {op: gt, threshold: 2, lookbackWindow: 1h}}\n"),
			"slo.yaml:22:1: spec: alert policy p alerts on nothing headroom can write (alertWhenResolved alone notifies of nothing that fired): set alertWhenBreaching: true"},
		{"a policy without conditions", withPolicy("30d", "    alertWhenBreaching: true\n    notificationTargets: [{targetRef: t}]\n", ""),
			`slo.yaml:22:1: spec: missing required field "conditions"`},
		{"a missing policy", openSLO("", "  alertPolicies: [{alertPolicyRef: nope}]\n"),
			`slo.yaml:17:20: spec.alertPolicies[0].alertPolicyRef: no AlertPolicy named "nope" in the files read`},
		{"a missing condition", withPolicy("30d", "    alertWhenBreaching: true\n    conditions: [{conditionRef: nope}]\n", ""),
			`slo.yaml:24:19: spec.conditions[0].conditionRef: no AlertCondition named "nope" in the files read`},
		{"a reference and an inline policy at once", openSLO("", "  alertPolicies: [{alertPolicyRef: p, kind: AlertPolicy, spec: {}}]\n"),
			"spec.alertPolicies[0].alertPolicyRef: give alertPolicyRef or an inline policy, not both"},
		{"an inline policy of the wrong kind", openSLO("", "  alertPolicies: [{kind: AlertCondition, metadata: {name: x}, spec: {}}]\n"),
			`spec.alertPolicies[0].kind: want AlertPolicy here, got "AlertCondition"`},
		{"an inline condition without a severity", withPolicy("30d", "    alertWhenBreaching: true\n    conditions: [{kind: AlertCondition, metadata: {name: c}, spec: {condition: {op: gt, threshold: 2, lookbackWindow: 1h}}}]\n", ""),
			`spec.conditions[0].spec: missing required field "severity"`},
		{"an unknown field in a condition", cond("op: gt, threshold: 2, lookbackWindow: 1h, for: 5m"),
			`spec.conditions[0].spec.condition.for: unknown field "for"`},
		{"an alert condition nothing refers to is checked too", compact("") + "---\napiVersion: openslo/v1\nkind: AlertCondition\nmetadata: {name: x}\nspec: {severity: page, condition: {op: lt, threshold: 2, lookbackWindow: 1h}}\n",
			"slo.yaml:11:36: spec.condition.op: op lt would alert while the budget burns slowly"},
		{"an alert policy defined twice", withPolicy("30d", burn("op: gt, threshold: 2, lookbackWindow: 1h"), "---\napiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: p}\nspec:\n"+burn("op: gt, threshold: 2, lookbackWindow: 1h")),
			`slo.yaml:31:12: metadata.name: AlertPolicy "p" is defined twice (first at slo.yaml:21)`},
	})
}
