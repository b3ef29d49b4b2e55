package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/sim"
)

// SystemFileHint is the hint given with the problems of a System file.
const SystemFileHint = "each line is file:line:col: field: problem; headroom sim's help describes the System file"

// PriceConfig says how a System file is priced. Its zero value prices it
// as the file says: spec.pricing as written, else the shipped catalog's
// list prices in spec.DefaultPriceRegion, in US dollars.
type PriceConfig struct {
	// Region, Mode or Catalog, when set, price the system from the shipped
	// catalog (spec.pricing is then ignored). Region is the catalog's
	// region (default spec.DefaultPriceRegion).
	Region string
	// Mode is "autopilot" or "standard": how the system runs and is
	// billed. Autopilot replaces the file's node pool; standard needs one.
	Mode string
	// Catalog names a price file (the catalog's shape, YAML or JSON) laid
	// over the shipped catalog, read through the use case's Files.
	Catalog string
	// Currency is the display currency (default USD); other than USD it
	// needs Rate, units of Currency per US dollar.
	Currency string
	Rate     float64
}

// fromCatalog tells whether the config asks for catalog prices.
func (c PriceConfig) fromCatalog() bool { return c.Region != "" || c.Mode != "" || c.Catalog != "" }

// SystemConfig names a System file and how to read it.
type SystemConfig struct {
	// File is the System file's name; the capacity profiles, replays and
	// SLO file it names are read relative to its directory.
	File string
	// Prices says how to price it.
	Prices PriceConfig
	// AcceptLowerBound takes capacity profiles that are only a lower bound
	// (limited_by generator or inconclusive) as the capacity; the notes
	// say so.
	AcceptLowerBound bool
}

// System is a System file read, checked and priced: what `headroom sim`,
// `headroom plan` and `headroom rightsize --system` start from.
type System struct {
	// Document is the file's System document, as parsed (its Root is what
	// plan.SystemFile rewrites).
	Document *spec.Document
	// File is the decoded file: the model, its scenarios, its notes.
	File *spec.SystemFile
	// Currency is the display currency every amount is in.
	Currency pricing.Currency
	// PriceNotes say where the prices came from and in what currency they
	// are shown.
	PriceNotes []string
}

// Name is the system's metadata.name, or "system".
func (s *System) Name() string {
	if s.File.Name == "" {
		return "system"
	}
	return s.File.Name
}

// Notes are the file's notes followed by the price notes.
func (s *System) Notes() []string {
	return append(append([]string(nil), s.File.Notes...), s.PriceNotes...)
}

// Scenarios returns the scenarios named, in the order given; none, or the
// one name "all", is every scenario in file order.
func (s *System) Scenarios(names ...string) ([]sim.Scenario, error) {
	if len(names) == 0 || (len(names) == 1 && (names[0] == "all" || names[0] == "")) {
		return s.File.Scenarios, nil
	}
	out := make([]sim.Scenario, 0, len(names))
	for _, n := range names {
		sc, ok := s.File.Scenario(n)
		if !ok {
			return nil, inputError(fmt.Errorf("%s: no scenario %q", s.Document.File, n),
				"the file defines: "+strings.Join(s.File.ScenarioNames(), ", ")+" (or all)")
		}
		out = append(out, sc)
	}
	return out, nil
}

// ReadSystem reads, checks and prices a System file: the one place a
// System file is read. The files it names are read through files,
// relative to its directory. Bad input is an *InputError with a hint.
func ReadSystem(files Files, cfg SystemConfig) (*System, error) {
	docs, err := readSpecFile(files, cfg.File)
	if err != nil {
		return nil, err
	}
	d, err := spec.SystemDocument(docs)
	if err != nil {
		return nil, inputError(err, "a System file has apiVersion: headroom/v1 and kind: System")
	}
	sf, err := spec.DecodeSystemWith(d, spec.SystemOptions{AcceptLowerBound: cfg.AcceptLowerBound})
	if err != nil {
		return nil, inputError(err, SystemFileHint)
	}
	sys := &System{Document: d, File: sf}
	if err := sys.settlePrices(files, cfg.Prices); err != nil {
		return nil, err
	}
	return sys, nil
}

// readSpecFile reads and parses a YAML or JSON spec file; the files its
// documents name are read relative to its directory.
func readSpecFile(files Files, name string) ([]*spec.Document, error) {
	if name == "" {
		return nil, inputError(errors.New("no file named"), "name the file")
	}
	data, err := files.ReadFile(name)
	if err != nil {
		hint := "check the path; relative paths are taken from the current directory"
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
			hint = "check that this is the file you meant; a System, scenario, SLO or price file is a few KiB"
		}
		return nil, inputError(err, hint)
	}
	docs, err := spec.Parse(name, data)
	if err != nil {
		return nil, inputError(err, "")
	}
	dir := filepath.Dir(name)
	load := func(n string) ([]byte, error) {
		if !filepath.IsAbs(n) {
			n = filepath.Join(dir, n)
		}
		return files.ReadFile(n)
	}
	for _, d := range docs {
		d.Load = load
	}
	return docs, nil
}

// settlePrices sets the system's prices and mode from cfg: spec.pricing
// as written, unless the file has none or cfg asks for the catalog; then
// everything is converted into cfg.Currency.
func (s *System) settlePrices(files Files, cfg PriceConfig) error {
	code := cfg.Currency
	if code == "" {
		code = "USD"
	}
	cur, err := pricing.NewCurrency(code, cfg.Rate)
	if err != nil {
		return inputError(err, "give the currency's code and its rate per US dollar, such as JPY at 150")
	}
	s.Currency = cur
	sys := &s.File.System
	var notes []string
	switch strings.ToLower(cfg.Mode) {
	case "":
	case "autopilot":
		if sys.Nodes.Mode != sim.Autopilot {
			notes = append(notes, "mode autopilot: the node pool of the file is replaced by Autopilot (its provisioning and billing)")
		}
		if !sys.Nodes.CapacityBuffer.IsZero() {
			notes = append(notes, "mode autopilot: the file's capacity buffer is dropped: GKE does not support capacity buffers with Autopilot's pod-based billing")
		}
		sys.Nodes = sim.Nodes{Mode: sim.Autopilot, BufferCPU: sys.Nodes.BufferCPU, BufferMemory: sys.Nodes.BufferMemory,
			NoBursting: sys.Nodes.Mode == sim.Autopilot && sys.Nodes.NoBursting, AutoscalingProfile: sys.Nodes.AutoscalingProfile}
	case "standard":
		if sys.Nodes.Mode != sim.Standard {
			return inputError(fmt.Errorf("mode standard needs a node pool, and %s runs on Autopilot", s.Document.File),
				"describe the pool in the file: spec.nodes: {mode: standard, machineType: e2-standard-4, maxNodes: 20}")
		}
	default:
		return inputError(fmt.Errorf("mode %q: want autopilot or standard", cfg.Mode), "the mode is autopilot or standard")
	}
	// Decoding marks the position of every key it meets: spec.pricing has
	// its own only when the file writes it.
	hasPricing := s.Document.Pos("spec.pricing") != s.Document.Pos("spec")
	if !hasPricing || cfg.fromCatalog() {
		if hasPricing {
			notes = append(notes, "spec.pricing is ignored: a region, price catalog or mode given prices from the catalog")
		}
		var kept []string
		for _, n := range s.File.Notes {
			if !strings.HasPrefix(n, "no spec.pricing") {
				kept = append(kept, n)
			}
		}
		s.File.Notes = kept
		n, err := CatalogPrices(files, cfg, sys)
		if err != nil {
			return err
		}
		notes = append(notes, n)
	}
	if cur.Code != "USD" {
		if sys.Prices.Currency != "USD" && sys.Prices.Currency != "" {
			return inputError(fmt.Errorf("spec.pricing is in %s; a display currency converts from USD only", sys.Prices.Currency),
				"drop the display currency, or write spec.pricing in USD")
		}
		p := &sys.Prices
		p.VCPUHour, p.GiBHour = cur.FromUSD(p.VCPUHour), cur.FromUSD(p.GiBHour)
		p.NodeHour, p.ClusterFeeHour = cur.FromUSD(p.NodeHour), cur.FromUSD(p.ClusterFeeHour)
		b := &sys.Nodes.CapacityBuffer
		b.StandbyNodeHour = cur.FromUSD(b.StandbyNodeHour)
		p.Currency = cur.Code
		notes = append(notes, "amounts in "+cur.String())
	} else if sys.Prices.Currency != "" && sys.Prices.Currency != "USD" {
		s.Currency = pricing.Currency{Code: sys.Prices.Currency, PerUSD: 1}
	}
	s.PriceNotes = notes
	return nil
}

// CatalogPrices prices sys from the shipped catalog, with cfg.Catalog laid
// over it, in cfg.Region (default spec.DefaultPriceRegion), as a System
// file without spec.pricing is priced. It returns a note saying where the
// prices came from.
func CatalogPrices(files Files, cfg PriceConfig, sys *sim.System) (string, error) {
	cat := pricing.GCP()
	if cfg.Catalog != "" {
		over, err := ReadPrices(files, cfg.Catalog)
		if err != nil {
			return "", err
		}
		cat = cat.Merge(over)
	}
	region := cfg.Region
	if region == "" {
		region = spec.DefaultPriceRegion
	}
	p, what, err := spec.CatalogPrices(cat, region, sys.Nodes)
	switch {
	case errors.Is(err, spec.ErrNoMachineType):
		return "", inputError(err, "give spec.nodes.machineType (like e2-standard-4), or spec.pricing.nodeHour")
	case err != nil:
		if perr := PriceError(err); perr != err {
			return "", perr
		}
		return "", inputError(err, "give spec.pricing (nodeHour) for machine types the catalog does not know")
	}
	sys.Prices = p
	what = "prices from the catalog: " + what
	if hour, note := spec.StandbyPrice(cat, region, sys.Nodes); note != "" {
		sys.Nodes.CapacityBuffer.StandbyNodeHour = hour
		what += "; " + note
	}
	return what, nil
}

// PriceFileHint says what a price file looks like.
const PriceFileHint = "a price file has the catalog's shape: regions.REGION.families.FAMILY.on_demand.vcpu.usd and so on; headroom cost's help shows one"

// ReadPrices reads a price file (the catalog's shape, YAML or JSON)
// strictly, every problem positioned; each price without a source is
// attributed to the file.
func ReadPrices(files Files, name string) (*pricing.Catalog, error) {
	docs, err := readSpecFile(files, name)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 {
		return nil, inputError(fmt.Errorf("%s: %d documents", name, len(docs)), "a price file holds one document")
	}
	d := docs[0]
	var c pricing.Catalog
	d.Decode(&c)
	for _, p := range c.Check() {
		d.Errorf(p.Path, "%s", p.Msg)
	}
	if err := d.Err(); err != nil {
		return nil, inputError(err, PriceFileHint)
	}
	c.FillSource("price file " + name)
	return &c, nil
}

// PriceError gives a price the catalog lacks its hint, as an *InputError;
// other errors come back as they are.
func PriceError(err error) error {
	var u *pricing.UnknownPriceError
	if errors.As(err, &u) {
		return inputError(err, u.Hint())
	}
	return err
}
