package cli

import (
	"errors"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/sim"
)

// priceFlags are the flags `headroom sim` and `headroom plan` share to
// read a System file: both price it the same way, from the same catalog,
// and take capacity profiles the same way.
type priceFlags struct {
	region, mode, catalog string
	currency              string
	rate                  float64
	acceptLowerBound      bool
}

func (f *priceFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.region, "region", "", "price from the catalog for this region (default "+spec.DefaultPriceRegion+"); overrides spec.pricing")
	fs.StringVar(&f.mode, "mode", "", "autopilot or standard: how the system runs and is billed (default: spec.nodes.mode); overrides spec.pricing")
	fs.StringVar(&f.catalog, "catalog", "", "price file laid over the shipped catalog (YAML or JSON, the catalog's shape); overrides spec.pricing")
	fs.StringVar(&f.catalog, "prices", "", "same as --catalog")
	fs.StringVar(&f.currency, "currency", "USD", "display currency (ISO code); other than USD needs --rate")
	fs.Float64Var(&f.rate, "rate", 0, "units of --currency per US dollar, e.g. 150 for JPY")
	fs.BoolVar(&f.acceptLowerBound, "accept-lower-bound", false, "take capacity profiles that are only a lower bound (limited_by generator or inconclusive) as the capacity; results say so")
}

// readSystem reads a System file and settles its prices from the flags
// (see settlePrices): what `headroom sim` and `headroom plan` start with.
func (a *app) readSystem(file string, f *priceFlags, changed func(string) bool) (*spec.Document, *spec.SystemFile, pricing.Currency, []string, error) {
	docs, err := a.readSpec(file)
	if err != nil {
		return nil, nil, pricing.USD, nil, err
	}
	d, err := spec.SystemDocument(docs)
	if err != nil {
		return nil, nil, pricing.USD, nil, usageError(err, "a System file has apiVersion: headroom/v1 and kind: System")
	}
	sf, err := spec.DecodeSystemWith(d, spec.SystemOptions{AcceptLowerBound: f.acceptLowerBound})
	if err != nil {
		return nil, nil, pricing.USD, nil, usageError(err, systemFileHint)
	}
	cur, notes, err := a.settlePrices(f, changed, d, sf)
	return d, sf, cur, notes, err
}

// settlePrices sets a System file's prices and mode from the flags:
// spec.pricing as written, unless the file has none or --region,
// --catalog or --mode ask for the catalog; then everything is converted
// into --currency. It returns the display currency and notes on where the
// prices came from.
func (a *app) settlePrices(f *priceFlags, changed func(string) bool, d *spec.Document, sf *spec.SystemFile) (pricing.Currency, []string, error) {
	cur, err := pricing.NewCurrency(f.currency, f.rate)
	if err != nil {
		return cur, nil, usageError(err, "for example --currency JPY --rate 150")
	}
	sys := &sf.System
	var notes []string
	if f.mode != "" {
		switch strings.ToLower(f.mode) {
		case "autopilot":
			if sys.Nodes.Mode != sim.Autopilot {
				notes = append(notes, "--mode autopilot: the node pool of the file is replaced by Autopilot (its provisioning and billing)")
			}
			sys.Nodes = sim.Nodes{Mode: sim.Autopilot, BufferCPU: sys.Nodes.BufferCPU, BufferMemory: sys.Nodes.BufferMemory,
				NoBursting: sys.Nodes.Mode == sim.Autopilot && sys.Nodes.NoBursting}
		case "standard":
			if sys.Nodes.Mode != sim.Standard {
				return cur, nil, usageErrorf("describe the pool in the file: spec.nodes: {mode: standard, machineType: e2-standard-4, maxNodes: 20}",
					"--mode standard needs a node pool, and %s runs on Autopilot", d.File)
			}
		default:
			return cur, nil, usageErrorf("--mode autopilot or --mode standard", "--mode %q", f.mode)
		}
	}
	hasPricing := mapHas(d.Field("spec"), "pricing")
	explicit := changed("region") || changed("catalog") || changed("prices") || changed("mode")
	if !hasPricing || explicit {
		if hasPricing {
			notes = append(notes, "spec.pricing is ignored: --region, --catalog or --mode price from the catalog")
		}
		var kept []string
		for _, n := range sf.Notes {
			if !strings.HasPrefix(n, "no spec.pricing") {
				kept = append(kept, n)
			}
		}
		sf.Notes = kept
		n, err := a.catalogPrices(f, sys)
		if err != nil {
			return cur, nil, err
		}
		notes = append(notes, n)
	}
	if cur.Code != "USD" {
		if sys.Prices.Currency != "USD" && sys.Prices.Currency != "" {
			return cur, nil, usageErrorf("drop --currency, or write spec.pricing in USD", "spec.pricing is in %s; --currency converts from USD only", sys.Prices.Currency)
		}
		p := &sys.Prices
		p.VCPUHour, p.GiBHour = cur.FromUSD(p.VCPUHour), cur.FromUSD(p.GiBHour)
		p.NodeHour, p.ClusterFeeHour = cur.FromUSD(p.NodeHour), cur.FromUSD(p.ClusterFeeHour)
		p.Currency = cur.Code
		notes = append(notes, "amounts in "+cur.String())
	} else if sys.Prices.Currency != "" && sys.Prices.Currency != "USD" {
		cur = pricing.Currency{Code: sys.Prices.Currency, PerUSD: 1}
	}
	return cur, notes, nil
}

// catalogPrices prices the system from the shipped catalog, with a price
// file laid over it, as a System file without spec.pricing is priced
// (spec.CatalogPrices), in --region. It says where the prices came from.
func (a *app) catalogPrices(f *priceFlags, sys *sim.System) (string, error) {
	cat := pricing.GCP()
	if f.catalog != "" {
		over, err := a.readPrices(f.catalog)
		if err != nil {
			return "", err
		}
		cat = cat.Merge(over)
	}
	region := f.region
	if region == "" {
		region = spec.DefaultPriceRegion
	}
	p, what, err := spec.CatalogPrices(cat, region, sys.Nodes)
	var unknown *pricing.UnknownPriceError
	switch {
	case errors.As(err, &unknown):
		return "", unknownPrice(err)
	case errors.Is(err, spec.ErrNoMachineType):
		return "", usageError(err, "give spec.nodes.machineType (like e2-standard-4), or spec.pricing.nodeHour")
	case err != nil:
		return "", usageError(err, "give spec.pricing (nodeHour) for machine types the catalog does not know")
	}
	sys.Prices = p
	return "prices from the catalog: " + what, nil
}

// mapHas tells whether mapping n has key.
func mapHas(n *yaml.Node, key string) bool {
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}
