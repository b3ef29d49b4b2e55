package pricing_test

import (
	"fmt"

	"github.com/headroom-sre/headroom/pricing"
)

// A month of an n2-standard-4 node in Tokyo, bought three ways, shown in
// yen at 150 per dollar.
func ExampleCatalog_Machine() {
	c := pricing.GCP()
	m, _ := pricing.ParseMachineType("n2-standard-4")
	yen, _ := pricing.NewCurrency("JPY", 150)
	for _, tier := range []pricing.Tier{pricing.OnDemand, pricing.Spot, pricing.Commit3Y} {
		p, _ := c.Machine("asia-northeast1", m, tier)
		fmt.Printf("%-9s %s a month\n", tier, yen.Format(yen.FromUSD(p.MonthlyFullUse())))
	}
	_, err := c.Autopilot("asia-northeast1", pricing.GeneralPurpose)
	fmt.Println(err != nil)
	// Output:
	// on-demand ¥21,828 a month
	// spot      ¥7,162 a month
	// 3y        ¥12,278 a month
	// true
}
