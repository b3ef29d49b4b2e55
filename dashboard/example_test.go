package dashboard_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/dashboard"
	"github.com/headroom-sre/headroom/slo"
)

// The dashboard of a 99.9% availability SLO: a row, its panels, and what
// the SLI panel asks Prometheus.
func ExampleGrafana() {
	s := slo.SLO{
		Name:      "checkout-availability",
		Service:   "checkout",
		Target:    0.999,
		Window:    slo.Rolling(30 * 24 * time.Hour),
		Indicator: slo.Availability(slo.LabelSelector("http_requests_total", map[string]string{"job": "checkout"}), "", ""),
	}
	data, err := dashboard.Grafana([]slo.SLO{s}, dashboard.Options{Source: "checkout.yaml"})
	if err != nil {
		fmt.Println(err)
		return
	}
	var d struct {
		UID    string `json:"uid"`
		Title  string `json:"title"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Title, d.UID)
	for _, p := range d.Panels {
		fmt.Printf("%-10s %s\n", p.Type, p.Title)
	}
	for _, t := range d.Panels[3].Targets {
		fmt.Println(t.Expr)
	}
	// Output:
	// SLOs: checkout headroom-slo-4337cd76515914ea
	// row        checkout/checkout-availability: 99.9% over 30d rolling
	// stat       SLI over 30d
	// stat       Error budget left
	// timeseries SLI against the objective
	// timeseries Error budget left over time
	// timeseries Burn rate
	// timeseries Traffic
	// table      Alerts firing
	// 1 - slo:sli_error:ratio_rate1h{slo="checkout-availability",service="checkout"}
	// 1 - slo:sli_error:ratio_rate30d{slo="checkout-availability",service="checkout"}
	// slo:objective:ratio{slo="checkout-availability",service="checkout"}
}
