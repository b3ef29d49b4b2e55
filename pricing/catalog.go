package pricing

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// HoursPerMonth is the length of a billing month in hours, the convention
// of Google Cloud's price lists (365 × 24 / 12 = 730).
const HoursPerMonth = 730

// Monthly converts an hourly amount into a monthly one (× 730).
func Monthly(perHour float64) float64 { return perHour * HoursPerMonth }

// Price is one figure of the catalog, in US dollars per unit-hour, with
// where it comes from. A price nobody could source is Unknown, and Note
// says why and where it could be found.
type Price struct {
	USD     float64 `json:"usd"`              // US dollars per unit-hour
	Source  string  `json:"source,omitempty"` // where the figure was read or how it was derived
	Date    string  `json:"date,omitempty"`   // when the source was read or generated (YYYY-MM-DD, or YYYY)
	Unknown bool    `json:"unknown,omitempty"`
	Note    string  `json:"note,omitempty"` // for unknown prices: why, and where to find one
}

// IsZero reports whether p is the zero Price (nothing given).
func (p Price) IsZero() bool { return p == Price{} }

// Rate is the price of compute per vCPU-hour and per GiB-hour of memory.
type Rate struct {
	VCPU Price `json:"vcpu"` // per vCPU-hour
	GiB  Price `json:"gib"`  // per GiB-hour (2^30 bytes)
}

// Hourly is the hourly price of vcpu vCPUs and gib GiB at this rate.
func (r Rate) Hourly(vcpu, gib float64) float64 { return vcpu*r.VCPU.USD + gib*r.GiB.USD }

// Known reports whether both halves of the rate are known.
func (r Rate) Known() bool {
	return !r.VCPU.Unknown && !r.GiB.Unknown && !r.VCPU.IsZero() && !r.GiB.IsZero()
}

// Discount is a sourced fraction off a list price, in [0, 1).
type Discount struct {
	Fraction float64 `json:"fraction"` // 0.37 is 37 % off
	Source   string  `json:"source,omitempty"`
	Date     string  `json:"date,omitempty"`
}

// Family is a Compute Engine machine family (e2, n1, n2, c3…) in one region.
type Family struct {
	OnDemand Rate `json:"on_demand"`
	Spot     Rate `json:"spot"`
	// SustainedUse is the discount an on-demand VM of this family earns
	// when it runs the whole month (30 % for n1, 20 % for n2 and n2d, none
	// for e2 and the newer families).
	SustainedUse Discount `json:"sustained_use"`
	// Commitments maps a term ("1y", "3y") to this family's committed-use
	// rates where they are not the catalog's discount off on demand. A
	// half not given here is the on-demand rate less that discount.
	Commitments map[string]Rate `json:"commitments,omitempty"`
	// LocalSSD is the price of the Local SSD bundled with the family's
	// -lssd machine types (c3, c3d, c4), per GB-hour.
	LocalSSD DiskPrice `json:"local_ssd,omitzero"`
}

// DiskPrice is the price of a disk per GB-hour, on demand and on Spot.
// Committed-use prices are the on-demand price less the catalog's
// discount for the term.
type DiskPrice struct {
	OnDemand Price `json:"on_demand"`
	Spot     Price `json:"spot"`
}

// Region holds the prices of one Google Cloud region.
type Region struct {
	// Autopilot maps a compute class ("general-purpose", "balanced",
	// "spot") to its pod price per requested vCPU-hour and GiB-hour.
	Autopilot map[string]Rate `json:"autopilot,omitempty"`
	// Families maps a machine family ("e2", "n1", "c3"…) to its prices.
	Families map[string]Family `json:"families,omitempty"`
}

// Catalog is a price list: the cluster fee, committed-use discounts and
// per-region prices.
type Catalog struct {
	ClusterFee Price `json:"cluster_fee"` // per cluster-hour
	// Commitments maps a term ("1y", "3y") to its resource-based
	// committed-use discount off the on-demand list price.
	Commitments map[string]Discount `json:"commitments,omitempty"`
	Regions     map[string]Region   `json:"regions"`
	// Standby prices the suspended nodes of a GKE standby capacity buffer
	// (see [Catalog.StandbyNode]); unknown in the shipped catalog.
	Standby StandbyRate `json:"standby,omitzero"`
}

// Tier is how a Compute Engine VM is bought.
type Tier string

// The ways to buy a VM.
const (
	OnDemand Tier = "on-demand" // list price, by the second
	Spot     Tier = "spot"      // preemptible capacity at a dynamic discount
	Commit1Y Tier = "1y"        // 1-year resource-based commitment
	Commit3Y Tier = "3y"        // 3-year resource-based commitment
)

// Tiers lists every Tier, cheapest commitment last.
var Tiers = []Tier{OnDemand, Spot, Commit1Y, Commit3Y}

// ParseTier reads a tier name: on-demand, spot, 1y or 3y.
func ParseTier(s string) (Tier, error) {
	for _, t := range Tiers {
		if strings.EqualFold(s, string(t)) {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown tier %q (want on-demand, spot, 1y or 3y)", s)
}

// GeneralPurpose is the default Autopilot compute class.
const GeneralPurpose = "general-purpose"

// ErrUnknownPrice is matched (errors.Is) by every [*UnknownPriceError].
var ErrUnknownPrice = errors.New("price unknown")

// UnknownPriceError says that the catalog has no sourced figure for a price.
type UnknownPriceError struct {
	What   string // e.g. "Autopilot general-purpose pod vCPU"
	Region string
	Note   string // why it is unknown, or where to find it
	Path   string // where it goes in a price file, e.g. regions.asia-northeast1.autopilot.general-purpose
}

// Error says which price is unknown, where, and why.
func (e *UnknownPriceError) Error() string {
	msg := fmt.Sprintf("price unknown: %s in %s", e.What, e.Region)
	if e.Note != "" {
		msg += ": " + e.Note
	}
	return msg
}

// Is makes errors.Is(err, ErrUnknownPrice) true.
func (e *UnknownPriceError) Is(target error) bool { return target == ErrUnknownPrice }

// Hint tells the user how to supply the missing price.
func (e *UnknownPriceError) Hint() string {
	return fmt.Sprintf("give it in a price file under %s, with its source", e.Path)
}

// RegionNames returns the regions of the catalog, sorted.
func (c *Catalog) RegionNames() []string { return slices.Sorted(maps.Keys(c.Regions)) }

func (c *Catalog) region(name string) (Region, error) {
	r, ok := c.Regions[name]
	if !ok {
		return Region{}, &UnknownPriceError{What: "every price", Region: name,
			Note: "the catalog has no prices for this region (it has " + strings.Join(c.RegionNames(), ", ") + ")",
			Path: "regions." + name}
	}
	return r, nil
}

// Autopilot returns the Autopilot pod price of a compute class ("" means
// general-purpose) in region.
func (c *Catalog) Autopilot(region, class string) (Rate, error) {
	if class == "" {
		class = GeneralPurpose
	}
	r, err := c.region(region)
	if err != nil {
		return Rate{}, err
	}
	rate, ok := r.Autopilot[class]
	path := fmt.Sprintf("regions.%s.autopilot.%s", region, class)
	what := "Autopilot " + class + " pod requests"
	if !ok {
		return Rate{}, &UnknownPriceError{What: what, Region: region, Note: "not in the catalog", Path: path}
	}
	if err := rate.check(what, region, path); err != nil {
		return Rate{}, err
	}
	return rate, nil
}

func (r Rate) check(what, region, path string) error {
	if err := r.VCPU.check(what, region, path+".vcpu", "vCPU"); err != nil {
		return err
	}
	return r.GiB.check(what, region, path+".gib", "GiB")
}

// FamilyRate returns the per-vCPU and per-GiB price of a machine family
// bought on tier in region. Committed-use rates are the family's own
// where it has them, and otherwise the on-demand list rate less the
// commitment's discount; their Source says which.
func (c *Catalog) FamilyRate(region, family string, tier Tier) (Rate, error) {
	f, path, err := c.family(region, family)
	if err != nil {
		return Rate{}, err
	}
	switch tier {
	case OnDemand, "":
		return f.OnDemand, f.OnDemand.check(family+" on-demand", region, path+".on_demand")
	case Spot:
		return f.Spot, f.Spot.check(family+" Spot", region, path+".spot")
	case Commit1Y, Commit3Y:
		own := f.Commitments[string(tier)]
		if own.Known() {
			return own, nil
		}
		d, ok := c.Commitments[string(tier)]
		if !ok {
			return Rate{}, &UnknownPriceError{What: string(tier) + " committed-use discount", Region: region,
				Note: "not in the catalog", Path: "commitments." + string(tier)}
		}
		if err := f.OnDemand.check(family+" on-demand", region, path+".on_demand"); err != nil {
			return Rate{}, err
		}
		r := Rate{VCPU: d.apply(f.OnDemand.VCPU, tier), GiB: d.apply(f.OnDemand.GiB, tier)}
		r.over(own)
		return r, r.check(family+" "+string(tier)+" committed-use", region, path+".commitments."+string(tier))
	}
	return Rate{}, fmt.Errorf("unknown tier %q", tier)
}

func (c *Catalog) family(region, family string) (Family, string, error) {
	r, err := c.region(region)
	if err != nil {
		return Family{}, "", err
	}
	f, ok := r.Families[family]
	path := fmt.Sprintf("regions.%s.families.%s", region, family)
	if !ok {
		return Family{}, "", &UnknownPriceError{What: "machine family " + family, Region: region,
			Note: "not in the catalog (it has " + strings.Join(slices.Sorted(maps.Keys(r.Families)), ", ") + ")", Path: path}
	}
	return f, path, nil
}

// LocalSSD returns the price per GB-hour of the Local SSD bundled with
// the -lssd machine types of family, bought on tier in region.
func (c *Catalog) LocalSSD(region, family string, tier Tier) (Price, error) {
	f, path, err := c.family(region, family)
	if err != nil {
		return Price{}, err
	}
	path += ".local_ssd"
	p, what := f.LocalSSD.OnDemand, family+" bundled Local SSD"
	switch tier {
	case OnDemand, "":
		path += ".on_demand"
	case Spot:
		p, path = f.LocalSSD.Spot, path+".spot"
	case Commit1Y, Commit3Y:
		d, ok := c.Commitments[string(tier)]
		if !ok {
			return Price{}, &UnknownPriceError{What: string(tier) + " committed-use discount", Region: region,
				Note: "not in the catalog", Path: "commitments." + string(tier)}
		}
		if err := p.check(what, region, path+".on_demand", "GB"); err != nil {
			return Price{}, err
		}
		return d.apply(p, tier), nil
	default:
		return Price{}, fmt.Errorf("unknown tier %q", tier)
	}
	return p, p.check(what, region, path, "GB")
}

func (p Price) check(what, region, path, unit string) error {
	if p.Unknown || p.IsZero() {
		note := p.Note
		if note == "" {
			note = "not in the catalog"
		}
		return &UnknownPriceError{What: what + " per " + unit + "-hour", Region: region, Note: note, Path: path}
	}
	return nil
}

func (d Discount) apply(p Price, tier Tier) Price {
	return Price{
		USD:    p.USD * (1 - d.Fraction),
		Source: fmt.Sprintf("on-demand $%g less the %s commitment's %.6g%% (%s; on-demand: %s)", p.USD, tier, d.Fraction*100, d.Source, p.Source),
		Date:   d.Date,
	}
}

// SustainedUse returns the discount an on-demand VM of family earns in
// region when it runs all month (zero when the family has none).
func (c *Catalog) SustainedUse(region, family string) Discount {
	return c.Regions[region].Families[family].SustainedUse
}

// ClusterFeeMonthly is the GKE cluster management fee for one month.
func (c *Catalog) ClusterFeeMonthly() float64 { return Monthly(c.ClusterFee.USD) }

// MachinePrice is the hourly price of one VM.
type MachinePrice struct {
	Machine Machine
	Tier    Tier
	Rate    Rate
	CPU     float64 // US dollars per hour for the VM's vCPUs
	Memory  float64 // US dollars per hour for the VM's memory
	// LocalSSD is US dollars per hour for the Local SSD bundled with an
	// -lssd machine type (0 for others), at LocalSSDRate per GB-hour.
	LocalSSD     float64
	LocalSSDRate Price
	// SustainedUse is the fraction off that a full month of use earns
	// (on-demand only; 0 for other tiers and for e2).
	SustainedUse float64
}

// Hourly is the VM's list price per hour (before any sustained-use
// discount): its vCPUs, memory and bundled Local SSD.
func (m MachinePrice) Hourly() float64 { return m.CPU + m.Memory + m.LocalSSD }

// MonthlyFullUse is the VM's price for a month of continuous use: 730
// hours, less the sustained-use discount where it applies.
func (m MachinePrice) MonthlyFullUse() float64 {
	return Monthly(m.Hourly()) * (1 - m.SustainedUse)
}

// Machine prices the machine m (see [ParseMachineType]) on tier in region.
func (c *Catalog) Machine(region string, m Machine, tier Tier) (MachinePrice, error) {
	rate, err := c.FamilyRate(region, m.Family, tier)
	if err != nil {
		return MachinePrice{}, err
	}
	mp := MachinePrice{Machine: m, Tier: tier, Rate: rate, CPU: m.VCPU * rate.VCPU.USD, Memory: m.MemoryGiB * rate.GiB.USD}
	if m.LocalSSDGB > 0 {
		p, err := c.LocalSSD(region, m.Family, tier)
		if err != nil {
			return MachinePrice{}, err
		}
		mp.LocalSSD, mp.LocalSSDRate = m.LocalSSDGB*p.USD, p
	}
	if tier == OnDemand || tier == "" {
		mp.Tier = OnDemand
		mp.SustainedUse = c.SustainedUse(region, m.Family).Fraction
	}
	return mp, nil
}

// Merge returns a copy of c with every price given in o laid over it. A
// price counts as given when it is not the zero Price; a region, family or
// class missing from c is added. Neither catalog is modified.
func (c *Catalog) Merge(o *Catalog) *Catalog {
	out := c.clone()
	if o == nil {
		return out
	}
	over(&out.ClusterFee, o.ClusterFee)
	over(&out.Standby.MemoryState, o.Standby.MemoryState)
	over(&out.Standby.BootDisk, o.Standby.BootDisk)
	for k, d := range o.Commitments {
		if d != (Discount{}) {
			out.Commitments[k] = d
		}
	}
	for name, or := range o.Regions {
		r := out.Regions[name]
		if r.Autopilot == nil {
			r.Autopilot = map[string]Rate{}
		}
		if r.Families == nil {
			r.Families = map[string]Family{}
		}
		for class, rate := range or.Autopilot {
			cur := r.Autopilot[class]
			cur.over(rate)
			r.Autopilot[class] = cur
		}
		for fam, f := range or.Families {
			cur := r.Families[fam]
			cur.OnDemand.over(f.OnDemand)
			cur.Spot.over(f.Spot)
			if f.SustainedUse != (Discount{}) {
				cur.SustainedUse = f.SustainedUse
			}
			if len(f.Commitments) > 0 {
				cur.Commitments = maps.Clone(cur.Commitments) // the base's map stays as it is
				if cur.Commitments == nil {
					cur.Commitments = map[string]Rate{}
				}
				for term, rate := range f.Commitments {
					c := cur.Commitments[term]
					c.over(rate)
					cur.Commitments[term] = c
				}
			}
			over(&cur.LocalSSD.OnDemand, f.LocalSSD.OnDemand)
			over(&cur.LocalSSD.Spot, f.LocalSSD.Spot)
			r.Families[fam] = cur
		}
		out.Regions[name] = r
	}
	return out
}

func over(dst *Price, p Price) {
	if !p.IsZero() {
		*dst = p
	}
}

func (r *Rate) over(o Rate) {
	over(&r.VCPU, o.VCPU)
	over(&r.GiB, o.GiB)
}

func (c *Catalog) clone() *Catalog {
	out := &Catalog{ClusterFee: c.ClusterFee, Standby: c.Standby, Commitments: maps.Clone(c.Commitments), Regions: map[string]Region{}}
	if out.Commitments == nil {
		out.Commitments = map[string]Discount{}
	}
	for name, r := range c.Regions {
		out.Regions[name] = Region{Autopilot: maps.Clone(r.Autopilot), Families: maps.Clone(r.Families)}
	}
	return out
}

// FillSource sets source on every given price and discount of c that has
// none (for prices read from a file, source is the file's name).
func (c *Catalog) FillSource(source string) {
	fill := func(p *Price) {
		if !p.IsZero() && p.Source == "" && !p.Unknown {
			p.Source = source
		}
	}
	fillRate := func(r *Rate) { fill(&r.VCPU); fill(&r.GiB) }
	fill(&c.ClusterFee)
	fill(&c.Standby.MemoryState)
	fill(&c.Standby.BootDisk)
	for k, d := range c.Commitments {
		if d.Source == "" {
			d.Source = source
		}
		c.Commitments[k] = d
	}
	for _, r := range c.Regions {
		for class, rate := range r.Autopilot {
			fillRate(&rate)
			r.Autopilot[class] = rate
		}
		for name, f := range r.Families {
			fillRate(&f.OnDemand)
			fillRate(&f.Spot)
			for term, rate := range f.Commitments {
				fillRate(&rate)
				f.Commitments[term] = rate
			}
			fill(&f.LocalSSD.OnDemand)
			fill(&f.LocalSSD.Spot)
			if f.SustainedUse != (Discount{}) && f.SustainedUse.Source == "" {
				f.SustainedUse.Source = source
			}
			r.Families[name] = f
		}
	}
}

// Problem is one thing wrong with a catalog, at a field path such as
// regions.us-central1.families.n2.spot.vcpu.usd.
type Problem struct {
	Path string
	Msg  string
}

// Check returns what is wrong with c: negative prices, discounts outside
// [0, 1), unknown prices that carry a figure. Problems come in path order.
func (c *Catalog) Check() []Problem {
	var ps []Problem
	price := func(path string, p Price) {
		switch {
		case p.USD < 0:
			ps = append(ps, Problem{path + ".usd", fmt.Sprintf("must not be negative, got %g", p.USD)})
		case p.Unknown && p.USD != 0:
			ps = append(ps, Problem{path + ".usd", "an unknown price carries no figure; drop usd or unknown"})
		}
	}
	rate := func(path string, r Rate) { price(path+".vcpu", r.VCPU); price(path+".gib", r.GiB) }
	disc := func(path string, d Discount) {
		if d.Fraction < 0 || d.Fraction >= 1 {
			ps = append(ps, Problem{path + ".fraction", fmt.Sprintf("must be a fraction in [0, 1), got %g (write 0.37 for 37%%)", d.Fraction)})
		}
	}
	price("cluster_fee", c.ClusterFee)
	price("standby.memory_state", c.Standby.MemoryState)
	price("standby.boot_disk", c.Standby.BootDisk)
	for _, k := range slices.Sorted(maps.Keys(c.Commitments)) {
		if _, err := ParseTier(k); err != nil || (k != string(Commit1Y) && k != string(Commit3Y)) {
			ps = append(ps, Problem{"commitments." + k, "unknown term (want 1y or 3y)"})
		}
		disc("commitments."+k, c.Commitments[k])
	}
	for _, name := range c.RegionNames() {
		r := c.Regions[name]
		for _, class := range slices.Sorted(maps.Keys(r.Autopilot)) {
			rate(fmt.Sprintf("regions.%s.autopilot.%s", name, class), r.Autopilot[class])
		}
		for _, fam := range slices.Sorted(maps.Keys(r.Families)) {
			f, p := r.Families[fam], fmt.Sprintf("regions.%s.families.%s", name, fam)
			for _, term := range slices.Sorted(maps.Keys(f.Commitments)) {
				if term != string(Commit1Y) && term != string(Commit3Y) {
					ps = append(ps, Problem{p + ".commitments." + term, "unknown term (want 1y or 3y)"})
				}
				rate(p+".commitments."+term, f.Commitments[term])
			}
			price(p+".local_ssd.on_demand", f.LocalSSD.OnDemand)
			price(p+".local_ssd.spot", f.LocalSSD.Spot)
			rate(p+".on_demand", f.OnDemand)
			rate(p+".spot", f.Spot)
			disc(p+".sustained_use", f.SustainedUse)
		}
	}
	return ps
}
