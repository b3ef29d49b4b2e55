package spec_test

import (
	"fmt"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/slo"
)

// A compact SLO broken down by route, with its own alert name and labels,
// and the tiers derived from its 28-day window without the ticket ones.
func ExampleSLOs() {
	docs, err := spec.Parse("checkout.yaml", []byte(`
apiVersion: headroom/v1
kind: SLO
name: availability
service: checkout
availability: {metric: http_requests_total, selector: {job: checkout}}
grouping: [route]
objective: 99.9%
window: 28d
alerting:
  name: CheckoutBudgetBurn
  labels: {team: payments}
  disable: [ticket]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	set, err := spec.SLOs(docs)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := set.SLOs[0]
	fmt.Println(s.ID(), "grouped by", s.Grouping, "alerts as", s.Alerting.Name, s.Alerting.Labels)
	tiers, _ := s.Tiers()
	for _, b := range tiers {
		fmt.Printf("%s: %s of the budget in %s (burn rate %.1f), %s confirming\n",
			b.Severity, slo.FormatPercent(b.Consumed), slo.PromDuration(b.Long), b.Factor(s.Window.Length), slo.PromDuration(b.Short))
	}
	// Output:
	// checkout/availability grouped by [route] alerts as CheckoutBudgetBurn map[team:payments]
	// page: 2% of the budget in 56m (burn rate 14.4), 5m confirming
	// page: 5% of the budget in 5h36m (burn rate 6.0), 28m confirming
}

// An OpenSLO alert policy's burn-rate condition becomes headroom's tier;
// what headroom leaves to Alertmanager is said in the set's notes.
func ExampleSLOs_alertPolicy() {
	docs, err := spec.Parse("ledger.yaml", []byte(`
apiVersion: openslo/v1
kind: SLO
metadata: {name: ledger-writes}
spec:
  service: ledger
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  indicator:
    metadata: {name: ledger-errors}
    spec:
      ratioMetric:
        counter: true
        bad: {metricSource: {type: Prometheus, spec: {query: 'ledger_writes_total{result="error"}'}}}
        total: {metricSource: {type: Prometheus, spec: {query: ledger_writes_total}}}
  objectives: [{target: 0.999}]
  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: ledger-paging}
      spec:
        alertWhenBreaching: true
        conditions:
          - kind: AlertCondition
            metadata: {name: ledger-fast-burn}
            spec:
              severity: page
              condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h}
        notificationTargets: [{targetRef: ledger-pager}]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	set, err := spec.SLOs(docs)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range set.SLOs[0].Alerting.Tiers {
		fmt.Printf("%s %s/%s at %s of the budget\n", b.Severity, slo.PromDuration(b.Long), slo.PromDuration(b.Short), slo.FormatPercent(b.Consumed))
	}
	for _, n := range set.Notes {
		fmt.Println("note:", n)
	}
	// Output:
	// page 1h/5m at 2% of the budget
	// note: alert policy ledger-paging: its notification targets (ledger-pager) are not used: headroom writes Prometheus alerts; route them with Alertmanager (on the slo and severity labels)
}
