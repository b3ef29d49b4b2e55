// Package rightsize answers two questions about a Kubernetes cluster:
// where the money goes ([Cost]) and which cuts are safe ([Recommend]).
//
// It works on plain values: a [Cluster] (workloads, pods, HPAs and nodes,
// read by the internal/kube adapter from the API or a snapshot file) and
// [Usage] (per-container usage over a window, aggregated server-side by the
// internal/prom adapter), priced with a [pricing.Catalog].
//
// # Cost
//
// In Autopilot mode a pod is billed for its requests, rounded to
// Autopilot's rules ([pricing.AutopilotPod]); system namespaces are free.
// In Standard mode the nodes are billed, and each node's cost is split
// into a price per core and per GiB that is charged to the pods on it by
// max(request, average usage) — OpenCost's rule. What no pod is charged is
// idle capacity, reported apart, as is the cluster fee.
//
// # Recommendations
//
// Per container: CPU is the window's high percentile of each pod's usage
// (p95 by default), the highest across pods; memory is the highest working
// set plus a margin (15 %), bumped after an OOM kill to max(peak × 1.2,
// limit at the kill × 1.25); both have floors (10m, 20 MiB) and round up to
// 1m and 1 MiB. Where an HPA scales on CPU utilisation, the request change
// keeps the HPA's scaling point in cores (target × pod request) unchanged by
// moving the target with it, so the HPA adds replicas at the same load as
// before; the target is capped (85 %) by raising the request. Each
// [Recommendation] carries its monthly saving, a [Risk] and a [Class]: easy
// cuts (idle workloads, requests that usage never approaches, HPA minimums
// larger than the p95 load needs) and big cuts (HPA targets, node families,
// Spot, commitments).
//
// # Units
//
// CPU in cores, memory in bytes, durations as time.Duration, ratios as
// fractions in [0, 1], money in US dollars (convert for display with
// [CostReport.In] and [Report.In]). Every function is a pure function of
// its inputs.
package rightsize
