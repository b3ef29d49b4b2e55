// Package pricing is headroom's price catalog for GKE and Compute Engine:
// Autopilot pod prices per vCPU-hour and GiB-hour, Compute Engine machine
// families on demand, on Spot and under 1- and 3-year committed-use
// discounts, machine types, and the GKE cluster fee.
//
// # Coverage
//
// The shipped catalog ([GCP]) prices the Compute Engine families e2, n1,
// n2, n2d, c2d, c3, c3d, c4 and n4, and the Local SSD bundled with the
// -lssd types of c3, c3d and c4, in us-central1, us-east1, us-west1,
// europe-west1, europe-west3, europe-west4, asia-northeast1,
// asia-southeast1 and australia-southeast1. [ParseMachineType] knows the
// predefined types of those families and of c2 and t2d, the e2
// shared-core types and custom types (e2, n1, n2, n2d, n4). c2 and t2d are
// not priced: every type of theirs has 4 GiB per vCPU, so the source's
// machine prices cannot tell their vCPU rate from their GiB rate. Autopilot
// is priced in us-central1 only; custom types are priced at their
// family's predefined rates, a little below what Compute Engine bills
// (5 % for n1 custom types in the source).
//
// # Sources
//
// Every figure carries its source and the date it was read ([Price]). The
// Compute Engine figures and machine types come from one file: pricing.yml
// of github.com/Cyclenerd/google-cloud-pricing-cost-calculator at commit
// fd66b26, generated on 2026-07-30 from the Cloud Billing Catalog API.
// Per-vCPU and per-GiB rates are solved from two machine types with
// different memory per vCPU ([SourceCompute]); the machine types are its
// list of types with their vCPUs, memory and Local SSD
// ([SourceMachineTypes]).
//
// GKE capacity buffers ([Catalog.StandbyNode]): an active buffer's room is
// billed as running nodes; a standby buffer's suspended nodes pay no vCPU
// or memory time, only the storage of their saved memory state and boot
// disks ([SourceBufferBilling]). The source above has no such storage
// price, so the shipped catalog marks both unknown, and a standby buffer's
// cost is unknown until a price file gives them (standby.memory_state per
// GiB-hour, standby.boot_disk per node-hour).
//
// A price no trustworthy source gave is marked unknown rather than
// guessed: looking it up returns an [*UnknownPriceError] (errors.Is
// [ErrUnknownPrice]) whose message says how to supply it. A team's own
// prices (a negotiated discount, another region or family) are layered
// on top of [GCP] with [Catalog.Merge], after the shell has decoded them
// from a file with the same shape as the catalog's JSON.
//
// # Units
//
// Prices are US dollars per unit-hour: per vCPU-hour, per GiB-hour (GiB =
// 2^30 bytes), per GB-hour of Local SSD (GB as the source gives a disk:
// 375) or per cluster-hour. A month is [HoursPerMonth] (730) hours.
// Discounts are fractions in [0, 1): 0.37 means 37 % off. Amounts are
// converted for display with a [Currency] (for example JPY at 150 per USD).
//
// Everything here is a pure value; a Catalog is safe for concurrent reads.
package pricing
