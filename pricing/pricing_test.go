package pricing_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/pricing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Every shipped figure, restated from its source. A change to the catalog
// must change this table too, and say where the new figure comes from.
func TestCatalogPricesMatchTheirSources(t *testing.T) {
	const (
		cyclenerd = "Cyclenerd google-cloud-pricing-cost-calculator pricing.yml at fd66b26"
		infracost = "infracost golden file"
		gkePage   = "cloud.google.com/kubernetes-engine/pricing"
	)
	c := pricing.GCP()
	type row struct {
		name         string
		price        func() (pricing.Price, error)
		usd          float64
		source, date string
	}
	rate := func(region, family string, tier pricing.Tier, gib bool) func() (pricing.Price, error) {
		return func() (pricing.Price, error) {
			r, err := c.FamilyRate(region, family, tier)
			if gib {
				return r.GiB, err
			}
			return r.VCPU, err
		}
	}
	autopilot := func(gib bool) func() (pricing.Price, error) {
		return func() (pricing.Price, error) {
			r, err := c.Autopilot("us-central1", "")
			if gib {
				return r.GiB, err
			}
			return r.VCPU, err
		}
	}
	rows := []row{
		{"Autopilot general-purpose vCPU in us-central1 is $0.0445", autopilot(false), 0.0445, infracost, "2026"},
		{"Autopilot general-purpose GiB in us-central1 is $0.0049225", autopilot(true), 0.0049225, infracost, "2026"},
		{"the cluster fee is $0.10 an hour", func() (pricing.Price, error) { return c.ClusterFee, nil }, 0.10, gkePage, "2026"},
	}
	// Region, family, on-demand vCPU and GiB, Spot vCPU and GiB: the
	// reference's table 3.3, derived from Cyclenerd's pricing.yml.
	for _, f := range []struct {
		region, family          string
		vcpu, gib, spotV, spotG float64
	}{
		{"us-central1", "e2", 0.021812, 0.002924, 0.013090, 0.001754},
		{"asia-northeast1", "e2", 0.028026, 0.003739, 0.016820, 0.002243},
		{"us-central1", "n2", 0.031611, 0.004237, 0.014990, 0.002010},
		{"asia-northeast1", "n2", 0.040618, 0.005419, 0.010660, 0.001423},
		{"us-central1", "n2d", 0.027502, 0.003686, 0.007960, 0.001067},
		{"asia-northeast1", "n2d", 0.035338, 0.004715, 0.014900, 0.001988},
	} {
		p := f.region + " " + f.family
		rows = append(rows,
			row{p + " on-demand vCPU", rate(f.region, f.family, pricing.OnDemand, false), f.vcpu, cyclenerd, "2026-07-30"},
			row{p + " on-demand GiB", rate(f.region, f.family, pricing.OnDemand, true), f.gib, cyclenerd, "2026-07-30"},
			row{p + " Spot vCPU", rate(f.region, f.family, pricing.Spot, false), f.spotV, cyclenerd, "2026-07-30"},
			row{p + " Spot GiB", rate(f.region, f.family, pricing.Spot, true), f.spotG, cyclenerd, "2026-07-30"},
		)
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p, err := r.price()
			if err != nil {
				t.Fatal(err)
			}
			if p.USD != r.usd {
				t.Errorf("USD = %g; want %g", p.USD, r.usd)
			}
			if !strings.Contains(p.Source, r.source) {
				t.Errorf("Source = %q; want it to name %q", p.Source, r.source)
			}
			if p.Date != r.date {
				t.Errorf("Date = %q; want %q", p.Date, r.date)
			}
		})
	}
}

// The per-vCPU and per-GiB rates must rebuild the machine prices the
// source lists as they are (on-demand $/h, rounded to 5 decimals there).
func TestRatesRebuildTheSourcesMachinePrices(t *testing.T) {
	c := pricing.GCP()
	for _, tc := range []struct {
		region, machine string
		hourly          float64
	}{
		{"us-central1", "e2-standard-4", 0.13402},
		{"asia-northeast1", "e2-standard-4", 0.17193},
		{"us-central1", "n2-standard-4", 0.19424},
		{"asia-northeast1", "n2-standard-4", 0.24918},
		{"us-central1", "n2d-standard-4", 0.16898},
		{"asia-northeast1", "n2d-standard-4", 0.21679},
	} {
		m, err := pricing.ParseMachineType(tc.machine)
		if err != nil {
			t.Fatal(err)
		}
		mp, err := c.Machine(tc.region, m, pricing.OnDemand)
		if err != nil {
			t.Fatal(err)
		}
		if !near(mp.Hourly(), tc.hourly, 0.00002) { // the rates are rounded to 6 decimals
			t.Errorf("%s in %s = $%.6f/h; the source lists $%.5f", tc.machine, tc.region, mp.Hourly(), tc.hourly)
		}
	}
}

func TestMonthsAre730Hours(t *testing.T) {
	if got := pricing.Monthly(0.10); !near(got, 73, 1e-9) {
		t.Errorf("Monthly(0.10) = %g; want 73 (the cluster fee)", got)
	}
	c := pricing.GCP()
	if got := c.ClusterFeeMonthly(); !near(got, 73, 1e-9) {
		t.Errorf("ClusterFeeMonthly = %g; want 73", got)
	}
	// The infracost golden file's Autopilot figures are monthly: 10 vCPU
	// cost $324.85 and 50 GiB cost $179.67 a month.
	r, _ := c.Autopilot("us-central1", pricing.GeneralPurpose)
	if got := pricing.Monthly(r.Hourly(10, 0)); !near(got, 324.85, 0.005) {
		t.Errorf("10 Autopilot vCPU a month = %g; want 324.85", got)
	}
	if got := pricing.Monthly(r.Hourly(0, 50)); !near(got, 179.67, 0.005) {
		t.Errorf("50 Autopilot GiB a month = %g; want 179.67", got)
	}
}

// Commitments are 37 % and 55 % off on demand; the results must match the
// resource-based CUD prices of the reference's table.
func TestCommitmentsAreTheirDiscountOffOnDemand(t *testing.T) {
	c := pricing.GCP()
	for _, tc := range []struct {
		name           string
		region, family string
		tier           pricing.Tier
		vcpu, gib      float64
	}{
		{"e2 us-central1 1y", "us-central1", "e2", pricing.Commit1Y, 0.013741, 0.001842},
		{"e2 us-central1 3y", "us-central1", "e2", pricing.Commit3Y, 0.009815, 0.001316},
		{"n2 asia-northeast1 1y", "asia-northeast1", "n2", pricing.Commit1Y, 0.025589, 0.003414},
		{"n2 asia-northeast1 3y", "asia-northeast1", "n2", pricing.Commit3Y, 0.018278, 0.002438},
		{"n2d us-central1 1y", "us-central1", "n2d", pricing.Commit1Y, 0.017326, 0.002322},
		{"n2d asia-northeast1 3y", "asia-northeast1", "n2d", pricing.Commit3Y, 0.015902, 0.002121},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.FamilyRate(tc.region, tc.family, tc.tier)
			if err != nil {
				t.Fatal(err)
			}
			if !near(r.VCPU.USD, tc.vcpu, 0.0000015) || !near(r.GiB.USD, tc.gib, 0.0000015) {
				t.Errorf("rate = %g/%g; want %g/%g", r.VCPU.USD, r.GiB.USD, tc.vcpu, tc.gib)
			}
			if !strings.Contains(r.VCPU.Source, "commitment") || !strings.Contains(r.VCPU.Source, "Cyclenerd") {
				t.Errorf("Source = %q; want it to say it was derived from the commitment's discount", r.VCPU.Source)
			}
		})
	}
	if d := c.Commitments["1y"].Fraction; d != 0.37 {
		t.Errorf("1y discount = %g; want 0.37", d)
	}
	if d := c.Commitments["3y"].Fraction; d != 0.55 {
		t.Errorf("3y discount = %g; want 0.55", d)
	}
}

func TestSustainedUseAppliesToN2AndN2dOnly(t *testing.T) {
	c := pricing.GCP()
	for _, tc := range []struct {
		machine string
		tier    pricing.Tier
		want    float64
	}{
		{"n2-standard-4", pricing.OnDemand, 0.2},
		{"n2d-highmem-8", pricing.OnDemand, 0.2},
		{"e2-standard-4", pricing.OnDemand, 0},
		{"n2-standard-4", pricing.Spot, 0},
		{"n2-standard-4", pricing.Commit1Y, 0},
	} {
		m, _ := pricing.ParseMachineType(tc.machine)
		mp, err := c.Machine("us-central1", m, tc.tier)
		if err != nil {
			t.Fatal(err)
		}
		if mp.SustainedUse != tc.want {
			t.Errorf("%s %s: SustainedUse = %g; want %g", tc.machine, tc.tier, mp.SustainedUse, tc.want)
		}
		if want := pricing.Monthly(mp.Hourly()) * (1 - tc.want); !near(mp.MonthlyFullUse(), want, 1e-9) {
			t.Errorf("%s %s: MonthlyFullUse = %g; want %g", tc.machine, tc.tier, mp.MonthlyFullUse(), want)
		}
	}
}

func TestUnknownPricesErrorClearly(t *testing.T) {
	c := pricing.GCP()
	for _, tc := range []struct {
		name     string
		err      error
		wantMsg  string
		wantPath string
	}{
		{"Autopilot in Tokyo is unknown", second(c.Autopilot("asia-northeast1", "")),
			"price unknown: Autopilot general-purpose pod requests per vCPU-hour in asia-northeast1", "regions.asia-northeast1.autopilot.general-purpose.vcpu"},
		{"Autopilot Spot pods are unknown", second(c.Autopilot("us-central1", "spot")),
			"price unknown: Autopilot spot pod requests per vCPU-hour in us-central1", "regions.us-central1.autopilot.spot.vcpu"},
		{"an unlisted compute class is unknown", second(c.Autopilot("us-central1", "accelerator")),
			"Autopilot accelerator pod requests in us-central1: not in the catalog", "regions.us-central1.autopilot.accelerator"},
		{"a region outside the catalog is unknown", second(c.FamilyRate("europe-west1", "n2", pricing.OnDemand)),
			"the catalog has no prices for this region (it has asia-northeast1, us-central1)", "regions.europe-west1"},
		{"a family outside the catalog is unknown", second(c.FamilyRate("us-central1", "c3", pricing.OnDemand)),
			"machine family c3 in us-central1: not in the catalog (it has e2, n2, n2d)", "regions.us-central1.families.c3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, pricing.ErrUnknownPrice) {
				t.Fatalf("err = %v; want ErrUnknownPrice", tc.err)
			}
			if !strings.Contains(tc.err.Error(), tc.wantMsg) {
				t.Errorf("err = %q; want it to contain %q", tc.err, tc.wantMsg)
			}
			var u *pricing.UnknownPriceError
			errors.As(tc.err, &u)
			if u.Path != tc.wantPath || !strings.Contains(u.Hint(), "--prices") {
				t.Errorf("Path = %q, Hint = %q; want path %q and a hint naming --prices", u.Path, u.Hint(), tc.wantPath)
			}
		})
	}
	// The Tokyo note says where the figure can be found.
	_, err := c.Autopilot("asia-northeast1", "")
	if !strings.Contains(err.Error(), "CCD8-9BF1-090E") {
		t.Errorf("err = %q; want the Billing Catalog service to look in", err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestMergeLaysGivenPricesOverTheCatalog(t *testing.T) {
	base := pricing.GCP()
	o := &pricing.Catalog{Regions: map[string]pricing.Region{
		"asia-northeast1": {Autopilot: map[string]pricing.Rate{
			pricing.GeneralPurpose: {VCPU: pricing.Price{USD: 0.057}, GiB: pricing.Price{USD: 0.0063}},
		}},
		"us-central1": {Families: map[string]pricing.Family{
			"n2": {Spot: pricing.Rate{VCPU: pricing.Price{USD: 0.02}}},
		}},
	}}
	o.FillSource("prices.yaml")
	m := base.Merge(o)
	r, err := m.Autopilot("asia-northeast1", "")
	if err != nil {
		t.Fatalf("merged Tokyo Autopilot: %v", err)
	}
	if r.VCPU.USD != 0.057 || r.VCPU.Source != "prices.yaml" {
		t.Errorf("merged vCPU = %+v; want 0.057 from prices.yaml", r.VCPU)
	}
	s, _ := m.FamilyRate("us-central1", "n2", pricing.Spot)
	if s.VCPU.USD != 0.02 || s.GiB.USD != 0.002010 {
		t.Errorf("merged n2 Spot = %g/%g; want the given vCPU 0.02 and the shipped GiB 0.00201", s.VCPU.USD, s.GiB.USD)
	}
	od, _ := m.FamilyRate("us-central1", "n2", pricing.OnDemand)
	if od.VCPU.USD != 0.031611 {
		t.Errorf("n2 on-demand after merge = %g; want it untouched", od.VCPU.USD)
	}
	if _, err := base.Autopilot("asia-northeast1", ""); err == nil {
		t.Error("Merge modified the base catalog")
	}
}

func TestCheckFindsBadPrices(t *testing.T) {
	if ps := pricing.GCP().Check(); len(ps) != 0 {
		t.Errorf("the shipped catalog has problems: %v", ps)
	}
	c := &pricing.Catalog{
		ClusterFee:  pricing.Price{USD: -1},
		Commitments: map[string]pricing.Discount{"1y": {Fraction: 37}, "2y": {Fraction: 0.5}},
		Regions: map[string]pricing.Region{"x": {Families: map[string]pricing.Family{
			"n2": {OnDemand: pricing.Rate{VCPU: pricing.Price{USD: 1, Unknown: true}}},
		}}},
	}
	var got []string
	for _, p := range c.Check() {
		got = append(got, p.Path)
	}
	want := []string{"cluster_fee.usd", "commitments.1y.fraction", "commitments.2y", "regions.x.families.n2.on_demand.vcpu.usd"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Check paths = %v; want %v", got, want)
	}
}

func TestAutopilotPodRounding(t *testing.T) {
	for _, tc := range []struct {
		name             string
		cpu, gib         float64
		wantCPU, wantGiB float64
	}{
		{"requests on the grid are billed as they are", 0.5, 2, 0.5, 2},
		{"CPU rounds up to a quarter vCPU", 0.3, 1, 0.5, 1},
		{"too little memory is raised to 1 GiB per vCPU", 1, 0.5, 1, 1},
		{"too much memory raises the CPU", 0.25, 4, 0.75, 4},
		{"no requests take the defaults", 0, 0, 0.5, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, g := pricing.AutopilotPod(tc.cpu, tc.gib)
			if !near(c, tc.wantCPU, 1e-9) || !near(g, tc.wantGiB, 1e-9) {
				t.Errorf("AutopilotPod(%g, %g) = %g, %g; want %g, %g", tc.cpu, tc.gib, c, g, tc.wantCPU, tc.wantGiB)
			}
		})
	}
}

func TestCurrency(t *testing.T) {
	jpy, err := pricing.NewCurrency("jpy", 150)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    pricing.Currency
		usd  float64
		want string
	}{
		{pricing.USD, 1234.567, "$1,234.57"},
		{pricing.USD, -73, "-$73.00"},
		{pricing.USD, 0.001, "$0.00"},
		{jpy, 1234.567, "¥185,185"},
		{pricing.Currency{Code: "CHF", PerUSD: 0.9}, 1000, "900.00 CHF"},
	} {
		if got := tc.c.Format(tc.c.FromUSD(tc.usd)); got != tc.want {
			t.Errorf("%s.Format(%g USD) = %q; want %q", tc.c, tc.usd, got, tc.want)
		}
	}
	for _, tc := range []struct {
		code string
		rate float64
		want string
	}{
		{"JPY", 0, "needs an exchange rate"},
		{"USD", 150, "the rate must be 1"},
		{"yens", 150, "three-letter ISO 4217 code"},
	} {
		if _, err := pricing.NewCurrency(tc.code, tc.rate); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewCurrency(%q, %g) = %v; want an error saying %q", tc.code, tc.rate, err, tc.want)
		}
	}
}
