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
// min/max replicas). Both are exported and usable on their own.
//
// Around it the simulator models what makes a spike hurt:
//
//   - metric lag: the kubelet averages CPU over a window and metrics-server
//     scrapes it periodically; a saturated pod reports at most its limit;
//   - pod start-up: scheduling, image pull, application start and the
//     readiness probe;
//   - nodes: pods wait while no node has room; the cluster autoscaler adds
//     Standard nodes after a provisioning delay, Autopilot provisions room
//     after a node boot; placeholder pods (a spare-capacity buffer) make
//     room at once; room is counted in aggregate CPU and memory, ignoring
//     how pods pack onto individual nodes;
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
