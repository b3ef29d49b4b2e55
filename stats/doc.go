// Package stats is headroom's vocabulary for measurements: latency
// histograms, per-second intervals, run summaries, thresholds and the
// results file. It is values in, values out: it reads and writes
// io.Readers and io.Writers, never files.
//
// # Histograms
//
// A [Histogram] is an HDR Histogram of latencies from 1µs to 1h with 3
// significant digits (every value within 0.1%), stored sparsely. Histograms
// merge exactly, across seconds, targets, runs and machines; percentiles
// are always read from a merged histogram and never averaged.
//
// # Buckets, intervals, runs
//
// A [Bucket] holds the counters of one target (or all) over a span of time
// and two histograms: latency from each request's due time (corrected for
// coordinated omission) and from its actual send (uncorrected). An
// [Interval] is one second of a run, in total and per target; a [Run] is a
// whole load test. A request is a success when it got an HTTP response
// with a status below 400 ([IsSuccess]); 4xx and 5xx responses and
// requests with no response (an error class: timeout, refused, reset, dns,
// tls, other) are failures.
//
// # Summary
//
// [Run.Summary] computes the JSON contract printed by `headroom load
// --json` and `headroom report --format json`: requests, duration_s,
// target_rate, achieved_rate, throughput, success_ratio, latency and
// latency_uncorrected (p50, p90, p95, p99, p999, max, mean, min, in
// seconds), status_codes, errors, late, dropped, partial, per_target, the
// generator's own health and the thresholds checked.
//
// # Thresholds
//
// [ParseThresholds] reads conditions such as "p99<300ms,errors<1%";
// [Evaluate] checks them against a run's (or a [Window]'s) figures.
//
// # The results file
//
// A results file is JSON Lines, written by a [Writer] and read by
// [ReadRun]. Durations are in seconds, histograms are HDR V2 compressed
// base64 strings (empty when nothing was recorded), status codes are
// object keys ("200"). The lines are:
//
// The header, first:
//
//	type        "header"
//	format      "headroom-results/1"
//	version     the headroom version that wrote it
//	started     the start, RFC 3339
//	mode        "open" (a schedule) or "closed" (fixed connections)
//	shape       the traffic shape's one-line form; arrivals: uniform|poisson
//	seed        the random seed; concurrency: connections of a closed run
//	targets     [{name, method, url, weight}]
//	generator   {host, gomaxprocs, num_cpu, max_inflight, timeout_s,
//	             late_threshold_s, protocol}
//
// One interval per second of the run:
//
//	type        "interval"
//	t           the interval's number: it covers [t, t+1) s from the start
//	start_s, duration_s
//	scheduled   arrivals due; late: sent late; dropped: not sent (cap)
//	requests    completed (responses and errors); successes: status < 400
//	status_codes, errors   {code: n}, {class: n}
//	bytes_in, bytes_out    body bytes
//	latency, latency_uncorrected   histograms
//	targets     {name: the same fields, per target}
//	generator   {cpu_s, lag (histogram of send − due), in_flight (at the
//	             end), max_in_flight}
//
// The summary, last: the [Summary] fields with "type": "summary" and
//
//	histograms  {latency, latency_uncorrected, lag,
//	             targets: {name: {latency, latency_uncorrected}}}
//
// A run that crashed has no summary line and perhaps a truncated last
// line: ReadRun rebuilds the totals from the intervals and marks the run
// partial. [Merge] combines the runs of several generators.
package stats
