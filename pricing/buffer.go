package pricing

import (
	"fmt"
	"strings"
)

// How GKE bills capacity buffers, from GKE's "About capacity buffers"
// page (docs.cloud.google.com/kubernetes-engine/docs/concepts/capacity-buffer,
// section on costs and pricing), read 2026-12-03: capacity buffers cost
// nothing beyond node-based compute and do not support Autopilot's
// pod-based billing; an active buffer's running VMs pay the node-based
// compute rates; a standby buffer's suspended VMs pay no vCPU or memory
// time, only storage (the boot disk and the saved memory state) and
// attached resources such as static IP addresses, and the node rate again
// once resumed. Compute Engine's suspend documentation
// (cloud.google.com/compute/docs/instances/suspend-resume-instance) says
// the same of suspended instances.
const (
	SourceBufferBilling = "docs.cloud.google.com/kubernetes-engine/docs/concepts/capacity-buffer, costs and pricing: " +
		"active buffers pay node-based compute rates; standby (suspended) nodes pay only for storage (boot disk and " +
		"saved memory state) and attached resources; pod-based billing is not supported"
	DateBufferBilling = "2026-12-03"
)

// noteStandby says why the shipped catalog has no standby price.
const noteStandby = "GKE bills a standby capacity buffer's suspended nodes for the storage of their saved memory " +
	"state and their boot disks (" + SourceBufferBilling + "), and the catalog's source (Cyclenerd pricing.yml at " +
	"fd66b26) carries no suspended-state or disk price; give the figures with their source from " +
	"cloud.google.com/compute/disks-image-pricing and cloud.google.com/compute/vm-instance-pricing"

// StandbyRate prices one suspended node of a GKE standby capacity buffer:
// the storage of its saved memory state, per GiB of the machine's memory
// per hour, and its boot disk, per node-hour. Neither is vCPU or memory
// time.
type StandbyRate struct {
	MemoryState Price `json:"memory_state"` // per GiB of saved memory, per hour
	BootDisk    Price `json:"boot_disk"`    // per node-hour
}

// StandbyNode is the hourly price of one suspended node of machine m in
// a standby capacity buffer: its memory in GiB × the saved-state rate,
// plus its boot disk. It is an [*UnknownPriceError] while either part is
// unknown, as it is in the shipped catalog: a standby buffer's cost is
// then unknown, never taken as zero or guessed.
func (c *Catalog) StandbyNode(region string, m Machine) (Price, error) {
	r := c.Standby
	for _, part := range []struct {
		p          Price
		what, path string
	}{{r.MemoryState, "a suspended node's saved memory state", "standby.memory_state"}, {r.BootDisk, "a suspended node's boot disk", "standby.boot_disk"}} {
		if part.p.Unknown || part.p.IsZero() {
			note := part.p.Note
			if note == "" {
				note = noteStandby
			}
			return Price{}, &UnknownPriceError{What: part.what, Region: region, Note: note, Path: part.path}
		}
	}
	usd := m.MemoryGiB*r.MemoryState.USD + r.BootDisk.USD
	src := []string{r.MemoryState.Source}
	if r.BootDisk.Source != r.MemoryState.Source {
		src = append(src, r.BootDisk.Source)
	}
	date := r.MemoryState.Date
	if r.BootDisk.Date < date && r.BootDisk.Date != "" {
		date = r.BootDisk.Date // the older of the two
	}
	return Price{USD: usd, Source: fmt.Sprintf("%s: %g GiB of saved memory state and a boot disk; %s", m.Name, m.MemoryGiB, strings.Join(src, "; ")), Date: date}, nil
}

// standbyUnknown is the shipped catalog's standby rate: unknown, with why.
func standbyUnknown() StandbyRate {
	p := Price{Unknown: true, Note: noteStandby}
	return StandbyRate{MemoryState: p, BootDisk: p}
}
