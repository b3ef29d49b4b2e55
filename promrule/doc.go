// Package promrule turns SLOs into Prometheus rules: recording rules for
// the error ratio over the alert windows (5m, 30m, 1h, 2h, 6h, 1d, 3d) and
// over the SLO window, the objective, error budget and budget remaining;
// and multiwindow multi-burn-rate alerts after the Google SRE Workbook.
//
// # Series
//
// Every series carries the label slo (the SLO's name), objective when the
// SLO has several, and any extra labels:
//
//	slo:sli_error:ratio_rate5m … slo:sli_error:ratio_rate3d   bad events / all events
//	slo:sli_error:ratio_rate30d                               the same over the SLO window
//	slo:error_budget_remaining:ratio                          1 − window ratio / (1 − target)
//	slo:objective:ratio, slo:error_budget:ratio, slo:period:seconds, headroom_slo_info
//
// The window ratio is weighted by traffic (errors over requests across the
// whole window, from rate() over the window), not an average of 5-minute
// ratios, and it is right from the moment the rules are loaded. Ratios are
// recorded only when there were requests: zero traffic and missing data
// record nothing, so no alert fires on them (and nothing divides by zero).
//
// # Alerts
//
// ErrorBudgetBurn fires with severity page when the burn rate exceeds
// 14.4 over 1h and 5m, or 6 over 6h and 30m; with severity ticket when it
// exceeds 3 over 1d and 2h, or 1 over 3d and 6h. Those factors are for a
// 30-day window; for other windows they follow from the budget each pair
// stands for (2%, 5%, 10%, 10%): factor = share × window / long window.
// Each pair is one rule with labels severity, long and short; its value is
// the burn rate over the long window, and its annotations say how much of
// the budget that window used and how much is left. SLIMetricsAbsent
// optionally fires when the SLI's metrics are missing.
//
// The package reads no files: [File.YAML] and [File.PrometheusRule] return
// the bytes to write.
package promrule
