package cli

import (
	"context"
	"errors"

	"github.com/spf13/pflag"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/pipeline"
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

// system is the pipeline's System config for file.
func (f *priceFlags) system(file string) pipeline.SystemConfig {
	return pipeline.SystemConfig{File: file, AcceptLowerBound: f.acceptLowerBound,
		Prices: pipeline.PriceConfig{Region: f.region, Mode: f.mode, Catalog: f.catalog, Currency: f.currency, Rate: f.rate}}
}

// decideError maps an error of the pipeline to the CLI's: bad input exits
// 2 with its hint, anything else 1.
func decideError(err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	var ie *pipeline.InputError
	if errors.As(err, &ie) {
		return usageError(ie.Err, ie.Hint)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return withHint(err, "")
}
