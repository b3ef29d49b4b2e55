package pricing

// Where the shipped figures come from. Each price of the tables below names
// one of these; pricing_test.go restates every figure with its source.
const (
	// SourceCompute covers the Compute Engine per-vCPU and per-GiB rates.
	SourceCompute = "Cyclenerd google-cloud-pricing-cost-calculator pricing.yml at fd66b26, generated from " +
		"the Cloud Billing Catalog API; per-vCPU and per-GiB rates solved from <family>-standard-8 against " +
		"<family>-highcpu-8 and checked against <family>-highmem-8"
	// DateCompute is when that file was generated.
	DateCompute = "2026-07-30"

	// SourceAutopilot covers the Autopilot general-purpose prices.
	SourceAutopilot = "infracost golden file internal/providers/terraform/google/testdata/container_cluster_test/" +
		"container_cluster_test.golden, us-central1 (10 vCPU = $324.85/month, 50 GiB = $179.67/month); " +
		"consistent with c3x.dev"
	// DateAutopilot is the year of those sources (no finer date is known).
	DateAutopilot = "2026"

	// SourceClusterFee covers the GKE cluster management fee.
	SourceClusterFee = "cloud.google.com/kubernetes-engine/pricing: $0.10 per cluster-hour for every mode and " +
		"topology, Autopilot included (the free tier's $74.40 monthly credit per billing account is not applied)"
	// DateClusterFee is the year of that page's wording.
	DateClusterFee = "2026"

	// SourceCommitment covers the 1- and 3-year committed-use discounts.
	SourceCommitment = "Cyclenerd pricing.yml at fd66b26: month_1y and month_3y against the hourly on-demand " +
		"price, 37 % and 55 % off (to the file's rounding) for every family and region of the catalog, " +
		"bundled Local SSD included, except n4's vCPU on 3 years in europe-west4 and australia-southeast1"
	// SourceCommitmentN4 covers n4's 3-year vCPU rate where it is not 55 % off.
	SourceCommitmentN4 = "Cyclenerd pricing.yml at fd66b26: n4 3-year vCPU rate solved from month_3y / 730 of " +
		"n4-standard-8 against n4-highcpu-8; 53 % off on demand in this region (the GiB is 55 % off)"
	// SourceSustainedUse covers the sustained-use discount of e2, n2 and n2d.
	SourceSustainedUse = "Cyclenerd pricing.yml at fd66b26: the monthly price is hour × 730 × 0.8 for n2 and " +
		"n2d and hour × 730 for e2"
	// SourceSustainedUseN1 covers the sustained-use discount of n1.
	SourceSustainedUseN1 = "Cyclenerd pricing.yml at fd66b26: the monthly price is hour × 730 × 0.7 for n1 " +
		"(build/pricing.pl bills its four quarter-months at 100, 80, 60 and 40 % of the hourly price)"
	// SourceSustainedUseNone covers the families without a sustained-use discount.
	SourceSustainedUseNone = "Cyclenerd pricing.yml at fd66b26: the monthly price is hour × 730 for c2d, c3, " +
		"c3d, c4 and n4 (no sustained-use discount)"
	// SourceLocalSSD covers the Local SSD bundled with -lssd machine types.
	SourceLocalSSD = "Cyclenerd pricing.yml at fd66b26: compute.storage.local (c3, c3d) and local-c4 (c4) " +
		"per GB-month / 730; the file prices an -lssd type as its plain type plus its local-ssd GB at this price"

	noteAutopilotClass = "no official figure was found for this compute class; read its \"Autopilot … Pod\" SKUs " +
		"from the Cloud Billing Catalog (service CCD8-9BF1-090E)"
	spotNote = "; Spot prices are dynamic (they may change up to once every 30 days)"
)

// noteAutopilot says where to find the Autopilot general-purpose prices
// of a region the catalog has none for.
func noteAutopilot(region string) string {
	why := "no official or reliable figure was found for " + region
	if region != "asia-northeast1" {
		why = "the catalog's sources have no Autopilot figure for " + region + " (pricing.yml has no GKE prices)"
	}
	return why + "; read the SKUs \"Autopilot Pod mCPU Requests (" + region + ")\" and \"Autopilot Pod Memory " +
		"Requests (" + region + ")\" of the Cloud Billing Catalog (Kubernetes Engine service CCD8-9BF1-090E; " +
		"mCPU prices × 1000)"
}

// computeRates are the Compute Engine rates of each region and family
// ([SourceCompute]), in US dollars: on demand per vCPU-hour and per
// GiB-hour, then Spot per vCPU-hour and per GiB-hour. c2 and t2d are
// missing: pricing.yml lists them only with 4 GiB per vCPU, so their
// vCPU and GiB rates cannot be told apart.
var computeRates = map[string]map[string][4]float64{
	"us-central1": {
		"e2":  {0.021812, 0.002924, 0.013090, 0.001754},
		"n1":  {0.031611, 0.004237, 0.011150, 0.001494},
		"n2":  {0.031611, 0.004237, 0.014990, 0.002010},
		"n2d": {0.027502, 0.003686, 0.007960, 0.001067},
		"c2d": {0.029563, 0.003959, 0.009930, 0.001330},
		"c3":  {0.034650, 0.003938, 0.008490, 0.000965},
		"c3d": {0.029563, 0.003959, 0.006590, 0.000882},
		"c4":  {0.034650, 0.003938, 0.020790, 0.002363},
		"n4":  {0.031190, 0.003540, 0.015400, 0.001748},
	},
	"us-east1": {
		"e2":  {0.021812, 0.002924, 0.013090, 0.001754},
		"n1":  {0.031611, 0.004237, 0.011150, 0.001494},
		"n2":  {0.031611, 0.004237, 0.014990, 0.002010},
		"n2d": {0.027502, 0.003686, 0.007960, 0.001067},
		"c2d": {0.029563, 0.003959, 0.009930, 0.001330},
		"c3":  {0.034650, 0.003938, 0.008490, 0.000965},
		"c3d": {0.029563, 0.003959, 0.006590, 0.000882},
		"c4":  {0.034650, 0.003938, 0.020790, 0.002363},
		"n4":  {0.031190, 0.003540, 0.015400, 0.001748},
	},
	"us-west1": {
		"e2":  {0.021812, 0.002924, 0.013090, 0.001754},
		"n1":  {0.031611, 0.004237, 0.011150, 0.001494},
		"n2":  {0.031611, 0.004237, 0.014990, 0.002010},
		"n2d": {0.027502, 0.003686, 0.007960, 0.001067},
		"c2d": {0.029563, 0.003959, 0.009930, 0.001330},
		"c3":  {0.034650, 0.003938, 0.008490, 0.000965},
		"c3d": {0.029563, 0.003959, 0.006590, 0.000882},
		"c4":  {0.034650, 0.003938, 0.020790, 0.002363},
		"n4":  {0.031190, 0.003540, 0.015400, 0.001748},
	},
	"europe-west1": {
		"e2":  {0.023993, 0.003216, 0.011620, 0.001558},
		"n1":  {0.034773, 0.004661, 0.014500, 0.001944},
		"n2":  {0.034773, 0.004661, 0.007630, 0.001023},
		"n2d": {0.030253, 0.004055, 0.013130, 0.001760},
		"c2d": {0.032551, 0.004359, 0.004170, 0.000559},
		"c3":  {0.038153, 0.004336, 0.014570, 0.001656},
		"c3d": {0.032552, 0.004359, 0.008390, 0.001124},
		"c4":  {0.038153, 0.004336, 0.020920, 0.002377},
		"n4":  {0.034343, 0.003898, 0.005060, 0.000574},
	},
	"europe-west3": {
		"e2":  {0.028104, 0.003766, 0.013650, 0.001829},
		"n1":  {0.040730, 0.005458, 0.014320, 0.001918},
		"n2":  {0.040730, 0.005458, 0.016210, 0.002172},
		"n2d": {0.035435, 0.004748, 0.021260, 0.002849},
		"c2d": {0.038088, 0.005100, 0.010080, 0.001349},
		"c3":  {0.040887, 0.004647, 0.014490, 0.001647},
		"c3d": {0.034884, 0.004672, 0.018130, 0.002429},
		"c4":  {0.040887, 0.004647, 0.016280, 0.001851},
		"n4":  {0.036804, 0.004177, 0.016920, 0.001920},
	},
	"europe-west4": {
		"e2":  {0.024013, 0.003218, 0.011480, 0.001538},
		"n1":  {0.034802, 0.004664, 0.020220, 0.002710},
		"n2":  {0.034802, 0.004664, 0.012650, 0.001696},
		"n2d": {0.030278, 0.004058, 0.010600, 0.001420},
		"c2d": {0.032551, 0.004359, 0.012560, 0.001682},
		"c3":  {0.036382, 0.004135, 0.015360, 0.001746},
		"c3d": {0.031041, 0.004157, 0.016240, 0.002176},
		"c4":  {0.036382, 0.004135, 0.013130, 0.001492},
		"n4":  {0.032749, 0.003717, 0.007350, 0.000834},
	},
	"asia-northeast1": {
		"e2":  {0.028026, 0.003739, 0.016820, 0.002243},
		"n1":  {0.040618, 0.005419, 0.013500, 0.001801},
		"n2":  {0.040618, 0.005419, 0.010660, 0.001423},
		"n2d": {0.035338, 0.004715, 0.014900, 0.001988},
		"c2d": {0.037964, 0.005084, 0.013600, 0.001821},
		"c3":  {0.044498, 0.005057, 0.006670, 0.000758},
		"c3d": {0.037965, 0.005084, 0.005050, 0.000676},
		"c4":  {0.044498, 0.005057, 0.023290, 0.002647},
		"n4":  {0.040054, 0.004546, 0.020970, 0.002380},
	},
	"asia-southeast1": {
		"e2":  {0.026909, 0.003606, 0.014050, 0.001883},
		"n1":  {0.038999, 0.005226, 0.007810, 0.001047},
		"n2":  {0.038999, 0.005226, 0.015190, 0.002035},
		"n2d": {0.033929, 0.004547, 0.006960, 0.000933},
		"c2d": {0.036471, 0.004884, 0.015110, 0.002024},
		"c3":  {0.042748, 0.004858, 0.020110, 0.002286},
		"c3d": {0.036472, 0.004884, 0.017280, 0.002314},
		"c4":  {0.042748, 0.004858, 0.019740, 0.002244},
		"n4":  {0.038479, 0.004367, 0.017490, 0.001986},
	},
	"australia-southeast1": {
		"e2":  {0.030951, 0.004148, 0.014430, 0.001933},
		"n1":  {0.044856, 0.006011, 0.014500, 0.001943},
		"n2":  {0.044856, 0.006011, 0.017190, 0.002304},
		"n2d": {0.039025, 0.005230, 0.016900, 0.002265},
		"c2d": {0.041964, 0.005619, 0.004600, 0.000617},
		"c3":  {0.043313, 0.004922, 0.011500, 0.001307},
		"c3d": {0.036954, 0.004949, 0.004990, 0.000668},
		"c4":  {0.043313, 0.004922, 0.019130, 0.002175},
		"n4":  {0.038987, 0.004425, 0.017120, 0.001944},
	},
}

// sustainedUse is the discount of each family for a full month on demand.
var sustainedUse = map[string]Discount{
	"e2":  {Fraction: 0, Source: SourceSustainedUse, Date: DateCompute},
	"n1":  {Fraction: 0.30, Source: SourceSustainedUseN1, Date: DateCompute},
	"n2":  {Fraction: 0.20, Source: SourceSustainedUse, Date: DateCompute},
	"n2d": {Fraction: 0.20, Source: SourceSustainedUse, Date: DateCompute},
	"c2d": {Fraction: 0, Source: SourceSustainedUseNone, Date: DateCompute},
	"c3":  {Fraction: 0, Source: SourceSustainedUseNone, Date: DateCompute},
	"c3d": {Fraction: 0, Source: SourceSustainedUseNone, Date: DateCompute},
	"c4":  {Fraction: 0, Source: SourceSustainedUseNone, Date: DateCompute},
	"n4":  {Fraction: 0, Source: SourceSustainedUseNone, Date: DateCompute},
}

// localSSDMonthly are the prices of bundled Local SSD per GB-month
// ([SourceLocalSSD]): c3 and c3d on demand and on Spot, then c4 on demand
// and on Spot.
var localSSDMonthly = map[string][4]float64{
	"us-central1":          {0.08, 0.0428, 0.16, 0.096},
	"us-east1":             {0.08, 0.0428, 0.16, 0.096},
	"us-west1":             {0.08, 0.0428, 0.16, 0.096},
	"europe-west1":         {0.08, 0.0428, 0.17618, 0.0966},
	"europe-west3":         {0.096, 0.0528, 0.1888, 0.0752},
	"europe-west4":         {0.088, 0.0494, 0.168, 0.0606},
	"asia-northeast1":      {0.104, 0.0624, 0.20547, 0.1075},
	"asia-southeast1":      {0.088, 0.0407, 0.19739, 0.0912},
	"australia-southeast1": {0.108, 0.035, 0.2, 0.0884},
}

// n4ThreeYearVCPU is n4's 3-year rate per vCPU-hour where it is not 55 %
// off on demand ([SourceCommitmentN4]).
var n4ThreeYearVCPU = map[string]float64{
	"europe-west4":         0.015393,
	"australia-southeast1": 0.018325,
}

// GCP returns the shipped catalog: Google Cloud prices in US dollars. Each
// call returns a fresh copy.
//
// Figures: Compute Engine on demand and on Spot, per vCPU-hour and per
// GiB-hour, for the families e2, n1, n2, n2d, c2d, c3, c3d, c4 and n4 in
// us-central1, us-east1, us-west1, europe-west1, europe-west3,
// europe-west4, asia-northeast1, asia-southeast1 and australia-southeast1,
// and the Local SSD bundled with c3, c3d and c4 -lssd types, all from
// pricing.yml as of 2026-07-30 (c2 and t2d are not priced: see
// computeRates); 1- and 3-year commitments 37 % and 55 % off on demand
// (n4's vCPU 53 % on 3 years in europe-west4 and australia-southeast1); a
// sustained-use discount of 30 % for n1 and 20 % for n2 and n2d used all
// month; Autopilot general-purpose in us-central1 $0.0445 per vCPU-hour
// and $0.0049225 per GiB-hour (unknown in the other regions, and unknown
// for the balanced and Spot classes); the cluster fee $0.10 per hour.
func GCP() *Catalog {
	compute := func(usd float64) Price { return Price{USD: usd, Source: SourceCompute, Date: DateCompute} }
	spot := func(usd float64) Price { return Price{USD: usd, Source: SourceCompute + spotNote, Date: DateCompute} }
	ssd := func(monthly float64, note string) Price {
		return Price{USD: monthly / HoursPerMonth, Source: SourceLocalSSD + note, Date: DateCompute}
	}
	unknown := func(note string) Rate {
		return Rate{VCPU: Price{Unknown: true, Note: note}, GiB: Price{Unknown: true, Note: note}}
	}
	c := &Catalog{
		ClusterFee: Price{USD: 0.10, Source: SourceClusterFee, Date: DateClusterFee},
		Standby:    standbyUnknown(),
		Commitments: map[string]Discount{
			string(Commit1Y): {Fraction: 0.37, Source: SourceCommitment, Date: DateCompute},
			string(Commit3Y): {Fraction: 0.55, Source: SourceCommitment, Date: DateCompute},
		},
		Regions: map[string]Region{},
	}
	for region, families := range computeRates {
		r := Region{
			Autopilot: map[string]Rate{
				GeneralPurpose: unknown(noteAutopilot(region)),
				"balanced":     unknown(noteAutopilotClass),
				"spot":         unknown(noteAutopilotClass),
			},
			Families: map[string]Family{},
		}
		for name, x := range families {
			f := Family{
				OnDemand:     Rate{VCPU: compute(x[0]), GiB: compute(x[1])},
				Spot:         Rate{VCPU: spot(x[2]), GiB: spot(x[3])},
				SustainedUse: sustainedUse[name],
			}
			switch ssdM := localSSDMonthly[region]; name {
			case "c3", "c3d":
				f.LocalSSD = DiskPrice{OnDemand: ssd(ssdM[0], ""), Spot: ssd(ssdM[1], spotNote)}
			case "c4":
				f.LocalSSD = DiskPrice{OnDemand: ssd(ssdM[2], ""), Spot: ssd(ssdM[3], spotNote)}
			}
			if v, ok := n4ThreeYearVCPU[region]; ok && name == "n4" {
				f.Commitments = map[string]Rate{string(Commit3Y): {
					VCPU: Price{USD: v, Source: SourceCommitmentN4, Date: DateCompute}}}
			}
			r.Families[name] = f
		}
		c.Regions[region] = r
	}
	c.Regions["us-central1"].Autopilot[GeneralPurpose] = Rate{
		VCPU: Price{USD: 0.0445, Source: SourceAutopilot, Date: DateAutopilot},
		GiB:  Price{USD: 0.0049225, Source: SourceAutopilot, Date: DateAutopilot},
	}
	return c
}
