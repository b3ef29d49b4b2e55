package pricing

// Where the shipped figures come from. Each price of the table below names
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
		"price, the same for e2, n2 and n2d in us-central1 and asia-northeast1"
	// SourceSustainedUse covers the sustained-use discount.
	SourceSustainedUse = "Cyclenerd pricing.yml at fd66b26: the monthly price is hour × 730 × 0.8 for n2 and " +
		"n2d and hour × 730 for e2"

	noteAutopilotTokyo = "no official or reliable figure was found for asia-northeast1; read the SKUs " +
		"\"Autopilot Pod mCPU Requests (asia-northeast1)\" and \"Autopilot Pod Memory Requests (asia-northeast1)\" " +
		"of the Cloud Billing Catalog (Kubernetes Engine service CCD8-9BF1-090E; mCPU prices × 1000)"
	noteAutopilotClass = "no official figure was found for this compute class; read its \"Autopilot … Pod\" SKUs " +
		"from the Cloud Billing Catalog (service CCD8-9BF1-090E)"
	spotNote = "; Spot prices are dynamic (they may change up to once every 30 days)"
)

// GCP returns the shipped catalog: Google Cloud prices in US dollars for
// us-central1 and asia-northeast1. Each call returns a fresh copy.
//
// Figures: Autopilot general-purpose in us-central1 $0.0445 per vCPU-hour
// and $0.0049225 per GiB-hour (unknown in asia-northeast1, and unknown for
// the balanced and Spot classes); the cluster fee $0.10 per hour;
// Compute Engine e2, n2 and n2d on demand and on Spot (as of 2026-07-30);
// 1- and 3-year commitments 37 % and 55 % off on demand; a 20 %
// sustained-use discount for n2 and n2d used all month.
func GCP() *Catalog {
	compute := func(usd float64) Price { return Price{USD: usd, Source: SourceCompute, Date: DateCompute} }
	spot := func(usd float64) Price { return Price{USD: usd, Source: SourceCompute + spotNote, Date: DateCompute} }
	family := func(vcpu, gib, spotVCPU, spotGiB, sud float64) Family {
		f := Family{
			OnDemand:     Rate{VCPU: compute(vcpu), GiB: compute(gib)},
			Spot:         Rate{VCPU: spot(spotVCPU), GiB: spot(spotGiB)},
			SustainedUse: Discount{Fraction: sud, Source: SourceSustainedUse, Date: DateCompute},
		}
		return f
	}
	unknown := func(note string) Rate {
		return Rate{VCPU: Price{Unknown: true, Note: note}, GiB: Price{Unknown: true, Note: note}}
	}
	return &Catalog{
		ClusterFee: Price{USD: 0.10, Source: SourceClusterFee, Date: DateClusterFee},
		Commitments: map[string]Discount{
			string(Commit1Y): {Fraction: 0.37, Source: SourceCommitment, Date: DateCompute},
			string(Commit3Y): {Fraction: 0.55, Source: SourceCommitment, Date: DateCompute},
		},
		Regions: map[string]Region{
			"us-central1": {
				Autopilot: map[string]Rate{
					GeneralPurpose: {
						VCPU: Price{USD: 0.0445, Source: SourceAutopilot, Date: DateAutopilot},
						GiB:  Price{USD: 0.0049225, Source: SourceAutopilot, Date: DateAutopilot},
					},
					"balanced": unknown(noteAutopilotClass),
					"spot":     unknown(noteAutopilotClass),
				},
				Families: map[string]Family{
					"e2":  family(0.021812, 0.002924, 0.013090, 0.001754, 0),
					"n2":  family(0.031611, 0.004237, 0.014990, 0.002010, 0.20),
					"n2d": family(0.027502, 0.003686, 0.007960, 0.001067, 0.20),
				},
			},
			"asia-northeast1": {
				Autopilot: map[string]Rate{
					GeneralPurpose: unknown(noteAutopilotTokyo),
					"balanced":     unknown(noteAutopilotClass),
					"spot":         unknown(noteAutopilotClass),
				},
				Families: map[string]Family{
					"e2":  family(0.028026, 0.003739, 0.016820, 0.002243, 0),
					"n2":  family(0.040618, 0.005419, 0.010660, 0.001423, 0.20),
					"n2d": family(0.035338, 0.004715, 0.014900, 0.001988, 0.20),
				},
			},
		},
	}
}
