package promrule_test

import (
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/promrule"
	"github.com/headroom-sre/headroom/slo"
)

// The rules of a 99.9% availability SLO: the page pair on the fast windows.
func ExampleGenerate() {
	s := slo.SLO{
		Name:      "checkout-availability",
		Target:    0.999,
		Window:    slo.Rolling(30 * 24 * time.Hour),
		Indicator: slo.Availability(slo.LabelSelector("http_requests_total", map[string]string{"job": "checkout"}), "", ""),
	}
	f, err := promrule.Generate([]slo.SLO{s}, promrule.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range f.Groups {
		fmt.Printf("group %s: %d rules\n", g.Name, len(g.Rules))
	}
	page := f.Groups[2].Rules[0]
	fmt.Println(page.Alert, page.Labels["severity"], page.Labels["long"], page.Labels["short"])
	fmt.Println(page.Expr)
	// Output:
	// group headroom-slo-checkout-availability: 19 rules
	// group headroom-slo-checkout-availability-window: 3 rules
	// group headroom-slo-checkout-availability-alerts: 5 rules
	// ErrorBudgetBurn page 1h 5m
	// slo:sli_error:ratio_rate1h{slo="checkout-availability"} / 0.001 > 14.4
	// and
	// slo:sli_error:ratio_rate5m{slo="checkout-availability"} / 0.001 > 14.4
	// and
	// (slo:sli_events:rate1h{slo="checkout-availability"} * 3600 >= 70 or slo:sli_error:ratio_rate1h{slo="checkout-availability"} * slo:sli_events:rate1h{slo="checkout-availability"} * 3600 >= 10)
}
