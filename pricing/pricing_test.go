package pricing_test

import (
	"errors"
	"maps"
	"math"
	"slices"
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
	// Region, family, on-demand vCPU and GiB, Spot vCPU and GiB, solved
	// from Cyclenerd's pricing.yml: <family>-standard-8 against
	// <family>-highcpu-8 (TestRatesRebuildTheSourcesMachinePrices checks
	// them against the machine prices).
	for _, f := range []struct {
		region, family          string
		vcpu, gib, spotV, spotG float64
	}{
		{"us-central1", "e2", 0.021812, 0.002924, 0.013090, 0.001754},
		{"us-east1", "e2", 0.021812, 0.002924, 0.013090, 0.001754},
		{"us-west1", "e2", 0.021812, 0.002924, 0.013090, 0.001754},
		{"europe-west1", "e2", 0.023993, 0.003216, 0.011620, 0.001558},
		{"europe-west3", "e2", 0.028104, 0.003766, 0.013650, 0.001829},
		{"europe-west4", "e2", 0.024013, 0.003218, 0.011480, 0.001538},
		{"asia-northeast1", "e2", 0.028026, 0.003739, 0.016820, 0.002243},
		{"asia-southeast1", "e2", 0.026909, 0.003606, 0.014050, 0.001883},
		{"australia-southeast1", "e2", 0.030951, 0.004148, 0.014430, 0.001933},
		{"us-central1", "n1", 0.031611, 0.004237, 0.011150, 0.001494},
		{"us-east1", "n1", 0.031611, 0.004237, 0.011150, 0.001494},
		{"us-west1", "n1", 0.031611, 0.004237, 0.011150, 0.001494},
		{"europe-west1", "n1", 0.034773, 0.004661, 0.014500, 0.001944},
		{"europe-west3", "n1", 0.040730, 0.005458, 0.014320, 0.001918},
		{"europe-west4", "n1", 0.034802, 0.004664, 0.020220, 0.002710},
		{"asia-northeast1", "n1", 0.040618, 0.005419, 0.013500, 0.001801},
		{"asia-southeast1", "n1", 0.038999, 0.005226, 0.007810, 0.001047},
		{"australia-southeast1", "n1", 0.044856, 0.006011, 0.014500, 0.001943},
		{"us-central1", "n2", 0.031611, 0.004237, 0.014990, 0.002010},
		{"us-east1", "n2", 0.031611, 0.004237, 0.014990, 0.002010},
		{"us-west1", "n2", 0.031611, 0.004237, 0.014990, 0.002010},
		{"europe-west1", "n2", 0.034773, 0.004661, 0.007630, 0.001023},
		{"europe-west3", "n2", 0.040730, 0.005458, 0.016210, 0.002172},
		{"europe-west4", "n2", 0.034802, 0.004664, 0.012650, 0.001696},
		{"asia-northeast1", "n2", 0.040618, 0.005419, 0.010660, 0.001423},
		{"asia-southeast1", "n2", 0.038999, 0.005226, 0.015190, 0.002035},
		{"australia-southeast1", "n2", 0.044856, 0.006011, 0.017190, 0.002304},
		{"us-central1", "n2d", 0.027502, 0.003686, 0.007960, 0.001067},
		{"us-east1", "n2d", 0.027502, 0.003686, 0.007960, 0.001067},
		{"us-west1", "n2d", 0.027502, 0.003686, 0.007960, 0.001067},
		{"europe-west1", "n2d", 0.030253, 0.004055, 0.013130, 0.001760},
		{"europe-west3", "n2d", 0.035435, 0.004748, 0.021260, 0.002849},
		{"europe-west4", "n2d", 0.030278, 0.004058, 0.010600, 0.001420},
		{"asia-northeast1", "n2d", 0.035338, 0.004715, 0.014900, 0.001988},
		{"asia-southeast1", "n2d", 0.033929, 0.004547, 0.006960, 0.000933},
		{"australia-southeast1", "n2d", 0.039025, 0.005230, 0.016900, 0.002265},
		{"us-central1", "c2d", 0.029563, 0.003959, 0.009930, 0.001330},
		{"us-east1", "c2d", 0.029563, 0.003959, 0.009930, 0.001330},
		{"us-west1", "c2d", 0.029563, 0.003959, 0.009930, 0.001330},
		{"europe-west1", "c2d", 0.032551, 0.004359, 0.004170, 0.000559},
		{"europe-west3", "c2d", 0.038088, 0.005100, 0.010080, 0.001349},
		{"europe-west4", "c2d", 0.032551, 0.004359, 0.012560, 0.001682},
		{"asia-northeast1", "c2d", 0.037964, 0.005084, 0.013600, 0.001821},
		{"asia-southeast1", "c2d", 0.036471, 0.004884, 0.015110, 0.002024},
		{"australia-southeast1", "c2d", 0.041964, 0.005619, 0.004600, 0.000617},
		{"us-central1", "c3", 0.034650, 0.003938, 0.008490, 0.000965},
		{"us-east1", "c3", 0.034650, 0.003938, 0.008490, 0.000965},
		{"us-west1", "c3", 0.034650, 0.003938, 0.008490, 0.000965},
		{"europe-west1", "c3", 0.038153, 0.004336, 0.014570, 0.001656},
		{"europe-west3", "c3", 0.040887, 0.004647, 0.014490, 0.001647},
		{"europe-west4", "c3", 0.036382, 0.004135, 0.015360, 0.001746},
		{"asia-northeast1", "c3", 0.044498, 0.005057, 0.006670, 0.000758},
		{"asia-southeast1", "c3", 0.042748, 0.004858, 0.020110, 0.002286},
		{"australia-southeast1", "c3", 0.043313, 0.004922, 0.011500, 0.001307},
		{"us-central1", "c3d", 0.029563, 0.003959, 0.006590, 0.000882},
		{"us-east1", "c3d", 0.029563, 0.003959, 0.006590, 0.000882},
		{"us-west1", "c3d", 0.029563, 0.003959, 0.006590, 0.000882},
		{"europe-west1", "c3d", 0.032552, 0.004359, 0.008390, 0.001124},
		{"europe-west3", "c3d", 0.034884, 0.004672, 0.018130, 0.002429},
		{"europe-west4", "c3d", 0.031041, 0.004157, 0.016240, 0.002176},
		{"asia-northeast1", "c3d", 0.037965, 0.005084, 0.005050, 0.000676},
		{"asia-southeast1", "c3d", 0.036472, 0.004884, 0.017280, 0.002314},
		{"australia-southeast1", "c3d", 0.036954, 0.004949, 0.004990, 0.000668},
		{"us-central1", "c4", 0.034650, 0.003938, 0.020790, 0.002363},
		{"us-east1", "c4", 0.034650, 0.003938, 0.020790, 0.002363},
		{"us-west1", "c4", 0.034650, 0.003938, 0.020790, 0.002363},
		{"europe-west1", "c4", 0.038153, 0.004336, 0.020920, 0.002377},
		{"europe-west3", "c4", 0.040887, 0.004647, 0.016280, 0.001851},
		{"europe-west4", "c4", 0.036382, 0.004135, 0.013130, 0.001492},
		{"asia-northeast1", "c4", 0.044498, 0.005057, 0.023290, 0.002647},
		{"asia-southeast1", "c4", 0.042748, 0.004858, 0.019740, 0.002244},
		{"australia-southeast1", "c4", 0.043313, 0.004922, 0.019130, 0.002175},
		{"us-central1", "n4", 0.031190, 0.003540, 0.015400, 0.001748},
		{"us-east1", "n4", 0.031190, 0.003540, 0.015400, 0.001748},
		{"us-west1", "n4", 0.031190, 0.003540, 0.015400, 0.001748},
		{"europe-west1", "n4", 0.034343, 0.003898, 0.005060, 0.000574},
		{"europe-west3", "n4", 0.036804, 0.004177, 0.016920, 0.001920},
		{"europe-west4", "n4", 0.032749, 0.003717, 0.007350, 0.000834},
		{"asia-northeast1", "n4", 0.040054, 0.004546, 0.020970, 0.002380},
		{"asia-southeast1", "n4", 0.038479, 0.004367, 0.017490, 0.001986},
		{"australia-southeast1", "n4", 0.038987, 0.004425, 0.017120, 0.001944},
	} {
		p := f.region + " " + f.family
		rows = append(rows,
			row{p + " on-demand vCPU", rate(f.region, f.family, pricing.OnDemand, false), f.vcpu, cyclenerd, "2026-07-30"},
			row{p + " on-demand GiB", rate(f.region, f.family, pricing.OnDemand, true), f.gib, cyclenerd, "2026-07-30"},
			row{p + " Spot vCPU", rate(f.region, f.family, pricing.Spot, false), f.spotV, cyclenerd, "2026-07-30"},
			row{p + " Spot GiB", rate(f.region, f.family, pricing.Spot, true), f.spotG, cyclenerd, "2026-07-30"},
		)
	}
	// Local SSD bundled with -lssd types, per GB-month: compute.storage.local
	// (c3, c3d) and local-c4 (c4), on demand and Spot.
	ssd := func(region, family string, tier pricing.Tier) func() (pricing.Price, error) {
		return func() (pricing.Price, error) { return c.LocalSSD(region, family, tier) }
	}
	const storage = "pricing.yml at fd66b26: compute.storage.local"
	for _, d := range []struct {
		region                       string
		local, localSpot, c4, c4Spot float64
	}{
		{"us-central1", 0.08, 0.0428, 0.16, 0.096},
		{"us-east1", 0.08, 0.0428, 0.16, 0.096},
		{"us-west1", 0.08, 0.0428, 0.16, 0.096},
		{"europe-west1", 0.08, 0.0428, 0.17618, 0.0966},
		{"europe-west3", 0.096, 0.0528, 0.1888, 0.0752},
		{"europe-west4", 0.088, 0.0494, 0.168, 0.0606},
		{"asia-northeast1", 0.104, 0.0624, 0.20547, 0.1075},
		{"asia-southeast1", 0.088, 0.0407, 0.19739, 0.0912},
		{"australia-southeast1", 0.108, 0.035, 0.2, 0.0884},
	} {
		p := d.region + " "
		rows = append(rows,
			row{p + "c3 Local SSD on demand", ssd(d.region, "c3", pricing.OnDemand), d.local / 730, storage, "2026-07-30"},
			row{p + "c3 Local SSD Spot", ssd(d.region, "c3", pricing.Spot), d.localSpot / 730, storage, "2026-07-30"},
			row{p + "c3d Local SSD on demand", ssd(d.region, "c3d", pricing.OnDemand), d.local / 730, storage, "2026-07-30"},
			row{p + "c3d Local SSD Spot", ssd(d.region, "c3d", pricing.Spot), d.localSpot / 730, storage, "2026-07-30"},
			row{p + "c4 Local SSD on demand", ssd(d.region, "c4", pricing.OnDemand), d.c4 / 730, storage, "2026-07-30"},
			row{p + "c4 Local SSD Spot", ssd(d.region, "c4", pricing.Spot), d.c4Spot / 730, storage, "2026-07-30"},
		)
	}
	// n4's 3-year vCPU rate where it is not 55 % off on demand: month_3y /
	// 730, solved from n4-standard-8 against n4-highcpu-8.
	for _, n4 := range []struct {
		region string
		vcpu   float64
	}{{"europe-west4", 0.015393}, {"australia-southeast1", 0.018325}} {
		rows = append(rows, row{n4.region + " n4 3-year vCPU", rate(n4.region, "n4", pricing.Commit3Y, false), n4.vcpu,
			"pricing.yml at fd66b26: n4 3-year vCPU rate solved from month_3y", "2026-07-30"})
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
// source lists as they are: hour and hour_spot of pricing.yml, for
// <family>-standard-8, -highcpu-8 and -highmem-8 in every region. The rates
// are rounded to 6 decimals, so a price may be off by half a millionth of
// a dollar per vCPU and per GiB.
func TestRatesRebuildTheSourcesMachinePrices(t *testing.T) {
	c := pricing.GCP()
	check := func(t *testing.T, region, machine string, tier pricing.Tier, want float64) {
		t.Helper()
		m, err := pricing.ParseMachineType(machine)
		if err != nil {
			t.Fatal(err)
		}
		mp, err := c.Machine(region, m, tier)
		if err != nil {
			t.Fatal(err)
		}
		if tol := 0.5e-6*(m.VCPU+m.MemoryGiB) + 1e-9; !near(mp.Hourly(), want, tol) {
			t.Errorf("%s %s in %s = $%.8f/h; the source lists $%.8f", machine, tier, region, mp.Hourly(), want)
		}
	}
	for _, tc := range []struct {
		region, family                         string
		standard, highcpu, highmem             float64 // on demand, $/h
		spotStandard, spotHighcpu, spotHighmem float64
	}{
		{"us-central1", "e2", 0.26804568, 0.19788096, 0.36159864, 0.160848, 0.118752, 0.216976},
		{"us-east1", "e2", 0.26804568, 0.19788096, 0.36159864, 0.160848, 0.118752, 0.216976},
		{"us-west1", "e2", 0.26804568, 0.19788096, 0.36159864, 0.160848, 0.118752, 0.216976},
		{"europe-west1", "e2", 0.29486184, 0.21767568, 0.39777672, 0.142816, 0.105424, 0.192672},
		{"europe-west3", "e2", 0.34534224, 0.25495776, 0.46585488, 0.167728, 0.123832, 0.226256},
		{"europe-west4", "e2", 0.29508816, 0.21785232, 0.39806928, 0.141056, 0.104144, 0.190272},
		{"asia-northeast1", "e2", 0.34386288, 0.25412424, 0.4635144, 0.206336, 0.152504, 0.278112},
		{"asia-southeast1", "e2", 0.33066456, 0.244122, 0.44605464, 0.172656, 0.127464, 0.232912},
		{"australia-southeast1", "e2", 0.380328, 0.28078584, 0.51305088, 0.177296, 0.130904, 0.239152},
		{"us-central1", "n1", 0.379998, 0.2833944, 0.473212, 0.13402, 0.0999568, 0.166888},
		{"us-east1", "n1", 0.379998, 0.2833944, 0.473212, 0.13402, 0.0999568, 0.166888},
		{"us-west1", "n1", 0.379998, 0.2833944, 0.473212, 0.13402, 0.0999568, 0.166888},
		{"europe-west1", "n1", 0.418014, 0.3117432, 0.520556, 0.17432, 0.1299968, 0.217088},
		{"europe-west3", "n1", 0.48958, 0.3651376, 0.609656, 0.1721, 0.1283696, 0.214296},
		{"europe-west4", "n1", 0.418336, 0.3119968, 0.520944, 0.24306, 0.181272, 0.30268},
		{"asia-northeast1", "n1", 0.487514, 0.3639608, 0.606732, 0.16203, 0.1209672, 0.201652},
		{"asia-southeast1", "n1", 0.468772, 0.3496192, 0.583744, 0.09389, 0.0700184, 0.116924},
		{"australia-southeast1", "n1", 0.539178, 0.4021272, 0.67142, 0.17429, 0.1299896, 0.217036},
		{"us-central1", "n2", 0.388472, 0.286784, 0.524056, 0.18424, 0.136, 0.24856},
		{"us-east1", "n2", 0.388472, 0.286784, 0.524056, 0.18424, 0.136, 0.24856},
		{"us-west1", "n2", 0.388472, 0.286784, 0.524056, 0.18424, 0.136, 0.24856},
		{"europe-west1", "n2", 0.427336, 0.315472, 0.576488, 0.093776, 0.069224, 0.126512},
		{"europe-west3", "n2", 0.500496, 0.369504, 0.675152, 0.199184, 0.147056, 0.268688},
		{"europe-west4", "n2", 0.427664, 0.315728, 0.576912, 0.155472, 0.114768, 0.209744},
		{"asia-northeast1", "n2", 0.498352, 0.368296, 0.67176, 0.130816, 0.096664, 0.176352},
		{"asia-southeast1", "n2", 0.479224, 0.3538, 0.646456, 0.18664, 0.1378, 0.25176},
		{"australia-southeast1", "n2", 0.5512, 0.406936, 0.743552, 0.211248, 0.155952, 0.284976},
		{"us-central1", "n2d", 0.337968, 0.249504, 0.45592, 0.097824, 0.072216, 0.131968},
		{"us-east1", "n2d", 0.337968, 0.249504, 0.45592, 0.097824, 0.072216, 0.131968},
		{"us-west1", "n2d", 0.337968, 0.249504, 0.45592, 0.097824, 0.072216, 0.131968},
		{"europe-west1", "n2d", 0.371784, 0.274464, 0.501544, 0.16136, 0.11912, 0.21768},
		{"europe-west3", "n2d", 0.435416, 0.321464, 0.587352, 0.261248, 0.192872, 0.352416},
		{"europe-west4", "n2d", 0.37208, 0.274688, 0.501936, 0.13024, 0.09616, 0.17568},
		{"asia-northeast1", "n2d", 0.433584, 0.320424, 0.584464, 0.182816, 0.135104, 0.246432},
		{"asia-southeast1", "n2d", 0.416936, 0.307808, 0.56244, 0.085536, 0.063144, 0.115392},
		{"australia-southeast1", "n2d", 0.47956, 0.35404, 0.64692, 0.20768, 0.15332, 0.28016},
		{"us-central1", "c2d", 0.363192, 0.299848, 0.48988, 0.122, 0.10072, 0.16456},
		{"us-east1", "c2d", 0.363192, 0.299848, 0.48988, 0.122, 0.10072, 0.16456},
		{"us-west1", "c2d", 0.363192, 0.299848, 0.48988, 0.122, 0.10072, 0.16456},
		{"europe-west1", "c2d", 0.399896, 0.330152, 0.539384, 0.051248, 0.042304, 0.069136},
		{"europe-west3", "c2d", 0.467904, 0.386304, 0.631104, 0.123808, 0.102224, 0.166976},
		{"europe-west4", "c2d", 0.399896, 0.330152, 0.539384, 0.154304, 0.127392, 0.208128},
		{"asia-northeast1", "c2d", 0.4664, 0.385056, 0.629088, 0.167072, 0.137936, 0.225344},
		{"asia-southeast1", "c2d", 0.448056, 0.369912, 0.604344, 0.185648, 0.153264, 0.250416},
		{"australia-southeast1", "c2d", 0.51552, 0.425616, 0.695328, 0.056544, 0.046672, 0.076288},
		{"us-central1", "c3", 0.403216, 0.340208, 0.529232, 0.0988, 0.08336, 0.12968},
		{"us-east1", "c3", 0.403216, 0.340208, 0.529232, 0.0988, 0.08336, 0.12968},
		{"us-west1", "c3", 0.403216, 0.340208, 0.529232, 0.0988, 0.08336, 0.12968},
		{"europe-west1", "c3", 0.44398112, 0.37460304, 0.58273728, 0.169552, 0.143056, 0.222544},
		{"europe-west3", "c3", 0.47579488, 0.40144544, 0.62449376, 0.168624, 0.142272, 0.221328},
		{"europe-west4", "c3", 0.4233768, 0.3572184, 0.5556936, 0.178752, 0.150816, 0.234624},
		{"asia-northeast1", "c3", 0.51781, 0.43689512, 0.67963976, 0.077616, 0.065488, 0.101872},
		{"asia-southeast1", "c3", 0.4974476, 0.41971464, 0.65291352, 0.234032, 0.197456, 0.307184},
		{"australia-southeast1", "c3", 0.50402, 0.42526, 0.66154, 0.133824, 0.112912, 0.175648},
		{"us-central1", "c3d", 0.363192, 0.299848, 0.48988, 0.080944, 0.066832, 0.109168},
		{"us-east1", "c3d", 0.363192, 0.299848, 0.48988, 0.080944, 0.066832, 0.109168},
		{"us-west1", "c3d", 0.363192, 0.299848, 0.48988, 0.080944, 0.066832, 0.109168},
		{"europe-west1", "c3d", 0.39991072, 0.33016264, 0.53940688, 0.103088, 0.085104, 0.139056},
		{"europe-west3", "c3d", 0.42856656, 0.35382064, 0.5780584, 0.222768, 0.183904, 0.300496},
		{"europe-west4", "c3d", 0.3813516, 0.3148404, 0.514374, 0.199552, 0.164736, 0.269184},
		{"asia-northeast1", "c3d", 0.466411136, 0.385064768, 0.629103872, 0.062032, 0.051216, 0.083664},
		{"asia-southeast1", "c3d", 0.448069936, 0.369922448, 0.604364912, 0.212288, 0.175264, 0.286336},
		{"australia-southeast1", "c3d", 0.45399, 0.37481, 0.61235, 0.061296, 0.050608, 0.082672},
		{"us-central1", "c4", 0.39534, 0.340208, 0.521356, 0.23721, 0.204128, 0.312826},
		{"us-east1", "c4", 0.39534, 0.340208, 0.521356, 0.23721, 0.204128, 0.312826},
		{"us-west1", "c4", 0.39534, 0.340208, 0.521356, 0.23721, 0.204128, 0.312826},
		{"europe-west1", "c4", 0.43530892, 0.374603072, 0.574065144, 0.23867, 0.205392, 0.314734},
		{"europe-west3", "c4", 0.4665012, 0.40144544, 0.61520008, 0.18577, 0.159856, 0.245002},
		{"europe-west4", "c4", 0.415107, 0.3572184, 0.5474238, 0.1498, 0.128912, 0.197544},
		{"asia-northeast1", "c4", 0.50769564, 0.43689512, 0.6695254, 0.26573, 0.228672, 0.350434},
		{"asia-southeast1", "c4", 0.48773101, 0.419714656, 0.643196962, 0.22524, 0.193824, 0.297048},
		{"australia-southeast1", "c4", 0.494175, 0.42526, 0.651695, 0.21829, 0.18784, 0.28789},
		{"us-central1", "n4", 0.3628, 0.30616, 0.47608, 0.179136, 0.151168, 0.235072},
		{"us-east1", "n4", 0.3628, 0.30616, 0.47608, 0.179136, 0.151168, 0.235072},
		{"us-west1", "n4", 0.3628, 0.30616, 0.47608, 0.179136, 0.151168, 0.235072},
		{"europe-west1", "n4", 0.399479088, 0.337112784, 0.524211696, 0.058848, 0.049664, 0.077216},
		{"europe-west3", "n4", 0.428104, 0.3612688, 0.5617744, 0.1968, 0.16608, 0.25824},
		{"europe-west4", "n4", 0.38094, 0.321468, 0.499884, 0.085488, 0.072144, 0.112176},
		{"asia-northeast1", "n4", 0.465907776, 0.393170688, 0.611381952, 0.24392, 0.20584, 0.32008},
		{"asia-southeast1", "n4", 0.447586336, 0.377709568, 0.587339872, 0.203472, 0.171696, 0.267024},
		{"australia-southeast1", "n4", 0.4535, 0.3827, 0.5951, 0.199168, 0.168064, 0.261376},
	} {
		t.Run(tc.region+" "+tc.family, func(t *testing.T) {
			for _, m := range []struct {
				shape      string
				hour, spot float64
			}{{"standard", tc.standard, tc.spotStandard}, {"highcpu", tc.highcpu, tc.spotHighcpu}, {"highmem", tc.highmem, tc.spotHighmem}} {
				name := tc.family + "-" + m.shape + "-8"
				check(t, tc.region, name, pricing.OnDemand, m.hour)
				check(t, tc.region, name, pricing.Spot, m.spot)
			}
		})
	}
	// -lssd types: the plain type plus its Local SSD.
	for _, tc := range []struct {
		region, machine string
		hour, spot      float64
	}{
		{"us-central1", "c3-standard-8-lssd", 0.485407780821918, 0.142772602739726},
		{"us-east1", "c3-standard-8-lssd", 0.485407780821918, 0.142772602739726},
		{"us-west1", "c3-standard-8-lssd", 0.485407780821918, 0.142772602739726},
		{"europe-west1", "c3-standard-8-lssd", 0.526172900821918, 0.213524602739726},
		{"europe-west3", "c3-standard-8-lssd", 0.574425016986301, 0.222870575342466},
		{"europe-west4", "c3-standard-8-lssd", 0.51378775890411, 0.229505424657534},
		{"asia-northeast1", "c3-standard-8-lssd", 0.624659315068493, 0.141725589041096},
		{"asia-southeast1", "c3-standard-8-lssd", 0.58785855890411, 0.275847068493151},
		{"australia-southeast1", "c3-standard-8-lssd", 0.614978904109589, 0.169782904109589},
		{"us-central1", "c3d-standard-8-lssd", 0.404287890410959, 0.102930301369863},
		{"us-east1", "c3d-standard-8-lssd", 0.404287890410959, 0.102930301369863},
		{"us-west1", "c3d-standard-8-lssd", 0.404287890410959, 0.102930301369863},
		{"europe-west1", "c3d-standard-8-lssd", 0.441006610410959, 0.125074301369863},
		{"europe-west3", "c3d-standard-8-lssd", 0.477881628493151, 0.249891287671233},
		{"europe-west4", "c3d-standard-8-lssd", 0.426557079452055, 0.224928712328767},
		{"asia-northeast1", "c3d-standard-8-lssd", 0.519835793534247, 0.094086794520548},
		{"asia-southeast1", "c3d-standard-8-lssd", 0.493275415452055, 0.233195534246575},
		{"australia-southeast1", "c3d-standard-8-lssd", 0.509469452054795, 0.0792754520547945},
		{"us-central1", "c4-standard-8-lssd", 0.477531780821918, 0.286525068493151},
		{"us-east1", "c4-standard-8-lssd", 0.477531780821918, 0.286525068493151},
		{"us-west1", "c4-standard-8-lssd", 0.477531780821918, 0.286525068493151},
		{"europe-west1", "c4-standard-8-lssd", 0.525812344657534, 0.288293287671233},
		{"europe-west3", "c4-standard-8-lssd", 0.563487501369863, 0.224400136986301},
		{"europe-west4", "c4-standard-8-lssd", 0.501408369863014, 0.180930136986301},
		{"asia-northeast1", "c4-standard-8-lssd", 0.613245297534247, 0.320952602739726},
		{"asia-southeast1", "c4-standard-8-lssd", 0.58912998260274, 0.272089315068493},
		{"australia-southeast1", "c4-standard-8-lssd", 0.596914726027397, 0.26370095890411},
	} {
		t.Run(tc.region+" "+tc.machine, func(t *testing.T) {
			check(t, tc.region, tc.machine, pricing.OnDemand, tc.hour)
			check(t, tc.region, tc.machine, pricing.Spot, tc.spot)
		})
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

// Committed prices must rebuild the source's month_1y and month_3y (÷ 730),
// n4's own 3-year vCPU rate and bundled Local SSD included. The source's
// discounts are 37 % and 55 % only to its rounding (36.97 % to 37.06 %), so
// the check is to 0.1 %.
func TestCommittedRatesRebuildTheSourcesMachinePrices(t *testing.T) {
	c := pricing.GCP()
	for _, tc := range []struct {
		region, machine string
		tier            pricing.Tier
		monthly         float64
	}{
		{"europe-west4", "n4-standard-8", pricing.Commit3Y, 128.9688664},
		{"australia-southeast1", "n4-highmem-8", pricing.Commit3Y, 200.0499592},
		{"us-central1", "n4-standard-8", pricing.Commit3Y, 119.18272},
		{"europe-west4", "n4-highcpu-8", pricing.Commit1Y, 147.84252},
		{"europe-west1", "n1-standard-8", pricing.Commit1Y, 192.23528},
		{"asia-southeast1", "c3d-highmem-8", pricing.Commit3Y, 198.4996728},
		{"us-central1", "c4-standard-8-lssd", pricing.Commit1Y, 219.6211},
		{"asia-northeast1", "c3-standard-8-lssd", pricing.Commit3Y, 205.2012712},
		{"europe-west3", "c2d-standard-8", pricing.Commit1Y, 215.19232},
		{"australia-southeast1", "e2-standard-8", pricing.Commit3Y, 124.93773632},
	} {
		t.Run(tc.region+" "+tc.machine+" "+string(tc.tier), func(t *testing.T) {
			m, err := pricing.ParseMachineType(tc.machine)
			if err != nil {
				t.Fatal(err)
			}
			mp, err := c.Machine(tc.region, m, tc.tier)
			if err != nil {
				t.Fatal(err)
			}
			if got := pricing.Monthly(mp.Hourly()); !near(got, tc.monthly, tc.monthly*0.001) {
				t.Errorf("%s %s in %s = $%.4f a month; the source lists $%.4f", tc.machine, tc.tier, tc.region, got, tc.monthly)
			}
		})
	}
	// Where n4's own rate applies, the vCPU says so and the GiB is the
	// catalog's 55 % off on demand.
	r, err := c.FamilyRate("europe-west4", "n4", pricing.Commit3Y)
	if err != nil {
		t.Fatal(err)
	}
	if r.VCPU.USD != 0.015393 || r.VCPU.Source != pricing.SourceCommitmentN4 {
		t.Errorf("n4 3y vCPU in europe-west4 = %+v; want 0.015393 from SourceCommitmentN4", r.VCPU)
	}
	if !near(r.GiB.USD, 0.003717*0.45, 1e-12) || !strings.Contains(r.GiB.Source, "55%") {
		t.Errorf("n4 3y GiB in europe-west4 = %+v; want the on-demand 0.003717 less 55%%", r.GiB)
	}
}

// The sustained-use discount is the source's month against hour × 730:
// 30 % for n1, 20 % for n2 and n2d, none for the other families, and only
// on demand.
func TestSustainedUseIsPerFamily(t *testing.T) {
	c := pricing.GCP()
	for _, tc := range []struct {
		machine string
		tier    pricing.Tier
		want    float64
	}{
		{"n1-standard-4", pricing.OnDemand, 0.3},
		{"n2-standard-4", pricing.OnDemand, 0.2},
		{"n2d-highmem-8", pricing.OnDemand, 0.2},
		{"e2-standard-4", pricing.OnDemand, 0},
		{"c2d-standard-4", pricing.OnDemand, 0},
		{"c3-standard-4", pricing.OnDemand, 0},
		{"c3d-standard-4", pricing.OnDemand, 0},
		{"c4-standard-4", pricing.OnDemand, 0},
		{"n4-standard-4", pricing.OnDemand, 0},
		{"n2-standard-4", pricing.Spot, 0},
		{"n1-standard-4", pricing.Spot, 0},
		{"n2-standard-4", pricing.Commit1Y, 0},
	} {
		t.Run(tc.machine+" "+string(tc.tier), func(t *testing.T) {
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
			if d := c.SustainedUse("us-central1", m.Family); !strings.Contains(d.Source, "pricing.yml at fd66b26") || d.Date != "2026-07-30" {
				t.Errorf("%s sustained use = %+v; want it sourced to pricing.yml of 2026-07-30", m.Family, d)
			}
		})
	}
	// The source's month for a full month of use: n1-standard-8 in
	// us-central1 is $0.379998 an hour and $194.178978 a month (0.7 of
	// hour × 730); n2-standard-8 is $0.388472 and $226.924364912 (0.8002:
	// the catalog's 20 % is 0.02 points more than the file's 19.98 %).
	for _, tc := range []struct {
		machine string
		monthly float64
		tol     float64
	}{
		{"n1-standard-8", 194.178978, 0.001},
		{"n2-standard-8", 226.924364912, 0.06},
	} {
		m, _ := pricing.ParseMachineType(tc.machine)
		mp, _ := c.Machine("us-central1", m, pricing.OnDemand)
		if got := mp.MonthlyFullUse(); !near(got, tc.monthly, tc.tol) {
			t.Errorf("%s a full month = $%.6f; the source lists $%.6f", tc.machine, got, tc.monthly)
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
		{"Autopilot outside us-central1 is unknown", second(c.Autopilot("europe-west1", "")),
			"Autopilot general-purpose pod requests per vCPU-hour in europe-west1: the catalog's sources have no Autopilot figure",
			"regions.europe-west1.autopilot.general-purpose.vcpu"},
		{"a region outside the catalog is unknown", second(c.FamilyRate("southamerica-east1", "n2", pricing.OnDemand)),
			"the catalog has no prices for this region (it has asia-northeast1, asia-southeast1, australia-southeast1, " +
				"europe-west1, europe-west3, europe-west4, us-central1, us-east1, us-west1)", "regions.southamerica-east1"},
		{"c2 is not priced: pricing.yml lists only c2-standard", second(c.FamilyRate("us-central1", "c2", pricing.OnDemand)),
			"machine family c2 in us-central1: not in the catalog (it has c2d, c3, c3d, c4, e2, n1, n2, n2d, n4)", "regions.us-central1.families.c2"},
		{"t2d is not priced: pricing.yml lists only t2d-standard", second(c.Machine("asia-southeast1", pricing.MachineTypes("t2d")[0], pricing.Spot)),
			"machine family t2d in asia-southeast1: not in the catalog", "regions.asia-southeast1.families.t2d"},
		{"a family without -lssd types has no Local SSD price", second(c.LocalSSD("us-central1", "n2", pricing.OnDemand)),
			"n2 bundled Local SSD per GB-hour in us-central1: not in the catalog", "regions.us-central1.families.n2.local_ssd.on_demand"},
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
			if u.Path != tc.wantPath || !strings.Contains(u.Hint(), "price file under "+tc.wantPath) {
				t.Errorf("Path = %q, Hint = %q; want path %q and a hint to give it in a price file there", u.Path, u.Hint(), tc.wantPath)
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

// A price file may give a family's own committed rates and Local SSD
// prices; laying them over the catalog leaves the catalog as it was.
func TestMergeLaysFamilyCommitmentsAndLocalSSDOver(t *testing.T) {
	base := pricing.GCP()
	o := &pricing.Catalog{Regions: map[string]pricing.Region{"europe-west4": {Families: map[string]pricing.Family{
		"n4": {Commitments: map[string]pricing.Rate{"3y": {GiB: pricing.Price{USD: 0.0015}}}},
		"c3": {LocalSSD: pricing.DiskPrice{Spot: pricing.Price{USD: 0.00005}}},
	}}}}
	o.FillSource("prices.yaml")
	m := base.Merge(o)
	r, err := m.FamilyRate("europe-west4", "n4", pricing.Commit3Y)
	if err != nil {
		t.Fatal(err)
	}
	if r.VCPU.USD != 0.015393 || r.GiB.USD != 0.0015 || r.GiB.Source != "prices.yaml" {
		t.Errorf("merged n4 3y = %+v; want the shipped vCPU 0.015393 and the given GiB 0.0015 from prices.yaml", r)
	}
	ssd, err := m.LocalSSD("europe-west4", "c3", pricing.Spot)
	if err != nil || ssd.USD != 0.00005 {
		t.Errorf("merged c3 Spot Local SSD = %+v, %v; want 0.00005", ssd, err)
	}
	if od, _ := m.LocalSSD("europe-west4", "c3", pricing.OnDemand); od.USD != 0.088/730 {
		t.Errorf("merged c3 on-demand Local SSD = %g; want the shipped 0.088/730", od.USD)
	}
	r, _ = base.FamilyRate("europe-west4", "n4", pricing.Commit3Y)
	if ssd, _ := base.LocalSSD("europe-west4", "c3", pricing.Spot); r.GiB.USD == 0.0015 || ssd.USD == 0.00005 {
		t.Error("Merge modified the base catalog")
	}
}

// Every region and family of the shipped catalog is priced on demand and
// on Spot, positive and sourced, and every predefined machine type of its
// families prices on every tier.
func TestShippedCatalogPricesEveryFamilyEverywhere(t *testing.T) {
	c := pricing.GCP()
	regions := []string{"asia-northeast1", "asia-southeast1", "australia-southeast1", "europe-west1", "europe-west3",
		"europe-west4", "us-central1", "us-east1", "us-west1"}
	families := []string{"c2d", "c3", "c3d", "c4", "e2", "n1", "n2", "n2d", "n4"}
	if got := c.RegionNames(); !slices.Equal(got, regions) {
		t.Errorf("regions = %v; want %v", got, regions)
	}
	sourced := func(what string, p pricing.Price) {
		t.Helper()
		if p.Unknown || p.USD <= 0 || p.Source == "" || p.Date == "" {
			t.Errorf("%s = %+v; want a known positive price with its source and date", what, p)
		}
	}
	for _, region := range regions {
		if got := slices.Sorted(maps.Keys(c.Regions[region].Families)); !slices.Equal(got, families) {
			t.Errorf("%s families = %v; want %v", region, got, families)
		}
		for _, fam := range families {
			where := region + " " + fam
			f := c.Regions[region].Families[fam]
			sourced(where+" on-demand vCPU", f.OnDemand.VCPU)
			sourced(where+" on-demand GiB", f.OnDemand.GiB)
			sourced(where+" Spot vCPU", f.Spot.VCPU)
			sourced(where+" Spot GiB", f.Spot.GiB)
			if f.Spot.VCPU.USD >= f.OnDemand.VCPU.USD || f.Spot.GiB.USD >= f.OnDemand.GiB.USD {
				t.Errorf("%s: Spot %+v is not below on demand %+v", where, f.Spot, f.OnDemand)
			}
			if d := f.SustainedUse; d.Source == "" || d.Date == "" {
				t.Errorf("%s sustained use = %+v; want its source and date", where, d)
			}
			for term, r := range f.Commitments {
				if !r.VCPU.IsZero() {
					sourced(where+" "+term+" vCPU", r.VCPU)
				}
				if !r.GiB.IsZero() {
					sourced(where+" "+term+" GiB", r.GiB)
				}
			}
			if fam == "c3" || fam == "c3d" || fam == "c4" {
				sourced(where+" Local SSD on demand", f.LocalSSD.OnDemand)
				sourced(where+" Local SSD Spot", f.LocalSSD.Spot)
			}
			for _, m := range pricing.MachineTypes(fam) {
				for _, tier := range pricing.Tiers {
					mp, err := c.Machine(region, m, tier)
					if err != nil || mp.Hourly() <= 0 || (m.LocalSSDGB > 0) != (mp.LocalSSD > 0) {
						t.Errorf("%s %s %s = %+v, %v; want a positive price, Local SSD where bundled", region, m.Name, tier, mp, err)
					}
				}
			}
		}
	}
	if ps := c.Check(); len(ps) != 0 {
		t.Errorf("the shipped catalog has problems: %v", ps)
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
			"n2": {
				OnDemand: pricing.Rate{VCPU: pricing.Price{USD: 1, Unknown: true}},
				Commitments: map[string]pricing.Rate{
					"3y": {VCPU: pricing.Price{USD: -0.01}},
					"5y": {VCPU: pricing.Price{USD: 0.01}},
				},
				LocalSSD: pricing.DiskPrice{Spot: pricing.Price{USD: -1}},
			},
		}}},
	}
	var got []string
	for _, p := range c.Check() {
		got = append(got, p.Path)
	}
	want := []string{"cluster_fee.usd", "commitments.1y.fraction", "commitments.2y",
		"regions.x.families.n2.commitments.3y.vcpu.usd", "regions.x.families.n2.commitments.5y",
		"regions.x.families.n2.local_ssd.spot.usd", "regions.x.families.n2.on_demand.vcpu.usd"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Check paths = %v; want %v", got, want)
	}
}

func TestAutopilotBillsPodsByTheRequestRules(t *testing.T) {
	const mi = 1.0 / 1024
	burst, old := pricing.AutopilotRulesFor(true, false), pricing.AutopilotRulesFor(false, false)
	dsBurst := pricing.AutopilotRulesFor(true, true)
	req := func(vcpu, gib float64) pricing.Request { return pricing.Request{VCPU: vcpu, GiB: gib} }
	for _, tc := range []struct {
		name             string
		rules            pricing.AutopilotRules
		cs               []pricing.Request
		wantCPU, wantGiB float64
	}{
		{"requests on the grid are billed as they are", burst, []pricing.Request{req(0.5, 2)}, 0.5, 2},
		{"bursting: a 300m pod is billed 300m", burst, []pricing.Request{req(0.3, 1)}, 0.3, 1},
		{"no bursting: CPU rounds up to a quarter vCPU", old, []pricing.Request{req(0.3, 1)}, 0.5, 1},
		{"bursting minimums: 50m and 52 MiB", burst, []pricing.Request{req(0.01, 20*mi)}, 0.05, 52 * mi},
		{"no bursting minimums: 250m and 512 MiB", old, []pricing.Request{req(0.01, 20*mi)}, 0.25, 0.5},
		{"too little memory is raised to 1 GiB per vCPU", burst, []pricing.Request{req(1, 0.5)}, 1, 1},
		{"too much memory raises the CPU (bursting: no step)", burst, []pricing.Request{req(0.25, 6.5)}, 1, 6.5},
		{"too much memory raises the CPU to the next step", old, []pricing.Request{req(0.25, 4)}, 0.75, 4},
		{"a container without requests takes the defaults", burst, []pricing.Request{{}}, 0.5, 2},
		{"defaults apply per container: the app container with none, beside a sized sidecar",
			burst, []pricing.Request{{}, req(0.1, 0.125)}, 0.6, 2.125},
		{"CPU set and memory not: the 2 GiB default raises the CPU to 1/6.5 of it", burst, []pricing.Request{req(0.2, 0)}, 2 / 6.5, 2},
		{"DaemonSet defaults are small", dsBurst, []pricing.Request{{}}, 0.05, 100 * mi},
		{"a pod with no containers is billed nothing", burst, nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, g := tc.rules.BillPod(tc.cs)
			if !near(c, tc.wantCPU, 1e-9) || !near(g, tc.wantGiB, 1e-9) {
				t.Errorf("%s BillPod(%v) = %g vCPU, %g GiB; want %g, %g", tc.rules.Name, tc.cs, c, g, tc.wantCPU, tc.wantGiB)
			}
		})
	}
}

func TestSupportsBursting(t *testing.T) {
	for _, tc := range []struct {
		v        string
		want, ok bool
	}{
		{"v1.30.2-gke.1587003", true, true},
		{"1.30.1-gke.1329003", false, true},
		{"v1.31.0", true, true},
		{"v1.29.8-gke.1031000", false, true},
		{"v2.0.0", true, true},
		{"", false, false},
		{"v1.x.2", false, false},
	} {
		got, ok := pricing.SupportsBursting(tc.v)
		if got != tc.want || ok != tc.ok {
			t.Errorf("SupportsBursting(%q) = %v, %v; want %v, %v", tc.v, got, ok, tc.want, tc.ok)
		}
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
