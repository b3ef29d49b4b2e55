// Package sim simulates a service on Kubernetes through a traffic scenario,
// second by second on a virtual clock, to tell whether it survives a spike
// and what it costs.
//
// A [System] is a set of components (Deployments, optionally with a
// HorizontalPodAutoscaler) that call each other, the nodes they run on,
// the SLOs they must meet and the prices of capacity. [Compile] checks it
// once; [Model.Run] then simulates a [Scenario] (a traffic shape from
// package traffic) and returns a [Result]: requests, failures, error
// budget burned, worst latency, the bottleneck, the cost, and optionally a
// timeline.
//
// # What is simulated
//
// The HPA is the Kubernetes algorithm, not an approximation of it:
// [MetricReplicas] is the replica calculator (usage ratio to target, the
// 0.1 tolerance, pending and unready pods counted as idle on scale-up,
// missing samples counted per direction, the CPU initialization rules and
// the conservative recomputation), and [Autoscaler] is the controller's
// normalization (the largest proposal across metrics, behavior policies
// and stabilization windows, or the legacy limits without behavior, and
// min/max replicas). Both are exported and usable on their own. They mirror
// the replica calculator and controller of Kubernetes v1.37.2 function by
// function, and each names the upstream function it mirrors.
//
// Around it the simulator models what makes a spike hurt:
//
//   - metric lag, per kind of metric ([MetricsPipeline]): CPU through
//     metrics-server (its resolution, a window that follows it, and the
//     kubelet's cAdvisor sample aged up to the housekeeping interval); a
//     saturated pod reports at most its limit. Pods, Object and External
//     metrics through Prometheus and an adapter ([CustomMetrics]): the
//     query's rate window, the scrape interval, the adapter's cache and
//     ingestion delay — minutes, not seconds;
//   - pod start-up: scheduling, image pull, application start and the
//     readiness probe, as a median and a 90th percentile;
//   - a Ready pod is not useful at once ([Serving]): endpoints and load
//     balancers take time to reach it (before Ready behind a readiness
//     gate), it may warm up at reduced capacity, and long-lived HTTP/2 or
//     gRPC connections keep a share of the traffic on older pods;
//   - nodes: pods wait while no node has room; the cluster autoscaler adds
//     Standard nodes after a provisioning delay, Autopilot provisions room
//     after a node boot; placeholder pods (a spare-capacity buffer) and
//     an active GKE CapacityBuffer hold room on running nodes that pods
//     take at once, while a standby CapacityBuffer resumes suspended nodes
//     in about 35 s before any new node is made ([CapacityBuffer]); the
//     optimize-utilization autoscaling profile removes unneeded room
//     sooner (assumed 1 minute, against balanced's 10); room is counted in
//     aggregate CPU and memory, ignoring how pods pack onto individual
//     nodes;
//   - queueing per component: arrivals beyond the ready replicas' capacity
//     queue, wait at most the client's timeout and then fail; latency is
//     the measured latency-versus-load curve plus the queueing delay, and a
//     caller's latency includes its callees'; failed calls are retried,
//     adding load; fan-out multiplies load down the call graph.
//
// # Announced events and surprises
//
// A component may pre-scale ([Component.Prescale]: its floor raised at
// given times from a scenario's start), which only makes sense before an
// event whose time is known. A [Scenario] says which it is
// ([EventNotice]): announced, and the pre-scaling applies; or a surprise,
// and nothing pre-scales before it, whatever the system says: the HPA, its
// behavior, minReplicas and spare node capacity alone absorb it. A
// scenario that does not say is announced ([DefaultEventNotice]). The
// result says which it was (Result.Event).
//
// # The verdict as a band
//
// Where scrapes and the kubelet's samples fall against the HPA's syncs,
// and how long each pod takes to start, cannot be known ahead. A run uses
// the average; with [Options.Band] the scenario is also simulated with
// samples as fresh as the pipelines allow and the median start-up, and as
// stale as they allow with the 90th-percentile start-up, and
// Result.Band gives the best and the worst of the three runs (the HPA's
// dynamics are not monotone in timing, so each end is the best or the
// worst run, whichever it was). A survival that fails at the worst end, or
// that burns more than (1 − [BorderlineMargin]) of the budget it may, is
// borderline (Result.Borderline, [Result.Verdict]). A band costs two more
// runs; a planner's search leaves it off.
//
// # Accounting
//
// A request is good for the availability objective when it succeeds end to
// end, and for the latency objective when it also finishes within the
// threshold (the latency distribution is interpolated through the curve's
// p50, p90 and p99). The error budget burned is measured against the SLO
// window's budget: the window's requests are the scenario's plus the rest
// of the window at the scenario's starting rate (or [Objectives.WindowRate]).
// Autopilot bills each pod on a node for its requests as Autopilot's rules
// adjust them ([Nodes.AutopilotRules], from package pricing: defaults for
// unset requests, per-pod minimums, CPU in steps on clusters without
// bursting, a range of memory per vCPU), and placeholder pods as
// requested; Standard bills nodes; both add the cluster fee. The monthly
// figure is the final state's hourly cost × 730.
//
// # Determinism and speed
//
// Nothing sleeps and nothing is random: the same inputs give the same
// result. A run allocates its state once and nothing per step, so memory
// does not grow with the scenario's length unless a timeline is asked for;
// a day at one-second resolution takes milliseconds. A [Model] is
// immutable and safe for concurrent runs.
//
// Units: rates per second, latencies in seconds, ratios as fractions in
// [0, 1], CPU in cores, memory in bytes, money in the prices' currency.
package sim
