// Package rightsize answers two questions about a Kubernetes cluster:
// where the money goes ([Cost]) and which cuts are safe ([Recommend]).
//
// It works on plain values: a [Cluster] (workloads, pods, HPAs, PDBs and
// nodes, read by the internal/kube adapter from the API or a snapshot
// file) and [Usage] (per-container usage over a window, aggregated
// server-side by the internal/prom adapter), priced with a
// [pricing.Catalog].
//
// # Trust
//
// Every statistic carries a known flag ([Stat]): a value Prometheus did not
// return is unknown, never zero, and a workload missing what its sizing
// needs is listed in Report.Skipped with the reason, as is one with too
// little history (a full daily cycle by default) or impossible values
// (NaN, infinite, negative). A price the catalog lacks makes the lines that
// need it unknown — the report is still written, marked partial — rather
// than aborting or guessing.
//
// # Cost
//
// In Autopilot mode a pod is billed for its requests under Autopilot's
// rules ([pricing.AutopilotRules]: per-container defaults, per-pod
// minimums, the CPU step of clusters without bursting, 1 to 6.5 GiB per
// vCPU; DaemonSet pods by their own); Pending pods and system namespaces
// are free. In Standard mode the nodes are billed, and each node's cost is
// split into a price per core and per GiB charged to the pods on it by
// max(request, average usage) — OpenCost's rule — capped at what the node
// costs, so that the workloads and the idle capacity add up to the node
// bill. With replica history a workload is priced on its mean number of
// pods over the window (today's count beside it); a Job or CronJob without
// history is unknown rather than billed all month.
//
// # Recommendations
//
// Per container: the CPU request is the p99 of the pod's short-window
// usage (the rate between consecutive scrapes, every minute) + 15 %, the
// highest across pods; where a limit at the request caps the container
// (Guaranteed pods, Autopilot without bursting) it is the highest usage
// seen + 15 % instead. CPU limits below the peak, or throttling in more
// than 5 % of CFS periods, are raised. Memory is the peak working set +
// 15 %, never below the peak, bumped after an OOM kill to max(peak × 1.2,
// limit at the kill × 1.25). Where an HPA scales on CPU utilisation
// (Resource or ContainerResource), the request change keeps the HPA's
// scaling point in cores unchanged by moving the target with it (capped at
// 85 % by raising the request), and says so when a higher target slows
// scale-up. An HPA pinned at maxReplicas above its target gets a higher
// maximum, never a lower target. An HPA minimum is lowered only when the
// HPA sat at it all window. A workload is proposed idle only with request
// or network metrics showing no traffic beyond its health checks for
// nearly the whole window, and no CPU worth the name in any short window;
// never as easy or low risk, and its patch is a comment to run by hand.
// Spot is proposed only for pools whose every pod is known to belong to a
// replicated Deployment without a PodDisruptionBudget (or a DaemonSet).
//
// Each [Recommendation] carries its monthly saving (negative for a raise),
// a [Risk], a [Class] (easy, big or raise) and a [Confidence] whose bounds
// widen with less history, as the VPA recommender's do. Cuts that save
// less than a dollar a month are not proposed.
//
// # Units
//
// CPU in cores, memory in bytes, durations as time.Duration, ratios as
// fractions in [0, 1], money in US dollars (convert for display with
// [CostReport.In] and [Report.In]). Every function is a pure function of
// its inputs; [Usage.ByWorkload] also adds to the cluster the containers
// and workloads seen only in the usage.
package rightsize
