// Package pricing is headroom's price catalog for GKE and Compute Engine:
// Autopilot pod prices per vCPU-hour and GiB-hour, Compute Engine machine
// families (e2, n2, n2d) on demand, on Spot and under 1- and 3-year
// committed-use discounts, machine types, and the GKE cluster fee.
//
// # Sources
//
// Every figure carries its source and the date it was read ([Price]). A
// price no trustworthy source gave is marked unknown rather than guessed:
// looking it up returns an [*UnknownPriceError] (errors.Is
// [ErrUnknownPrice]) whose message says how to supply it. The shipped
// catalog is [GCP]; a team's own prices (a negotiated discount, another
// region) are layered on top with [Catalog.Merge], after the shell has
// decoded them from a file with the same shape as the catalog's JSON.
//
// # Units
//
// Prices are US dollars per unit-hour: per vCPU-hour, per GiB-hour (GiB =
// 2^30 bytes) or per cluster-hour. A month is [HoursPerMonth] (730) hours.
// Discounts are fractions in [0, 1): 0.37 means 37 % off. Amounts are
// converted for display with a [Currency] (for example JPY at 150 per USD).
//
// Everything here is a pure value; a Catalog is safe for concurrent reads.
package pricing
