// Package importer writes a System file (the model `headroom sim` and
// `headroom plan` read) from the real system: the workloads of a cluster
// ([Cluster]: Deployments and StatefulSets with their HPAs, requests and
// limits, replicas, disruption budgets, pod start-ups and image pulls, the
// node pool) and, when given, their history ([History]: per-pod request
// rate, latency and CPU, call rates between workloads, the entry's
// traffic).
//
// [Build] returns the document as YAML nodes with a comment on every
// value saying where it came from: "from …" for a value read, "estimate:
// …" with its evidence for a value inferred from history, and "unknown:
// <reason>; default <x> …" for a value that could not be determined and
// was given a safe default. Every value is also listed in
// [Result.Items], so a summary can show what is measured, estimated,
// assumed or unknown.
//
// Estimates refuse thin, flat or non-finite history: [EstimateCapacity]
// is the highest per-pod rate at which the latency objective held (a
// lower bound, and written as one), [EstimateCPUPerRequest] a least
// squares fit of CPU against rate, [BiggestSpike] the stretch of traffic
// around its peak, written as a replay CSV ([ReplayCSV]) that scenarios
// refer to, with × k variants.
//
// The package is values in, values out: the adapters (internal/kube,
// internal/prom) fill in Cluster and History.
package importer
