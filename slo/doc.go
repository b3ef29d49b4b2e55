// Package slo models service level objectives: what a good event is (the
// indicator, or SLI), the fraction of events that must be good (the
// target), the window that holds over, and what follows from them: the
// error budget, burn rates, the multiwindow multi-burn-rate alert windows
// and how long the budget lasts at the current burn.
//
// # Indicators
//
// An [Indicator] is a ratio of event counts (good or bad over total), a
// raw ratio query, or a threshold on a metric. Its queries are PromQL
// ([Query]), classified by [ParseQuery] so that headroom can set their
// window soundly: a counter selector becomes sum(rate(selector[window])),
// and a query that aggregates already is used as written when each of its
// ranges belongs to a rate() or increase(). [Availability] and [Latency]
// build the two common indicators from a request counter and a latency
// histogram.
//
// # Evaluation
//
// Evaluation works on neutral inputs, good and total event counts over a
// window ([Observation]), so the same code judges Prometheus data and
// load-test results ([Series]). Zero traffic is explicit: a window without
// events has no SLI, neither good nor bad, and no NaN ever comes out.
//
// # Units
//
// Targets, ratios and budgets are fractions in [0, 1] (99.9% is 0.999);
// durations are [time.Duration]; burn rates are multiples of the rate that
// spends exactly the whole budget over the period.
//
// The package opens no files and dials nothing.
package slo
