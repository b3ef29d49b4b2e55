// Package review is a readiness review of a System before a launch: what
// a team wishes it had checked before its service was featured on TV and
// the traffic went far beyond plan.
//
// [Review] takes a [sim.System] (imported from a cluster or written by
// hand) and answers, with the simulator and the system's own settings:
//
//   - the largest spike the system survives without warning (a surprise:
//     nothing pre-scales) and with notice (announced: every HPA raised to
//     its maxReplicas before the event), each found by searching a spike
//     multiple on the simulator's virtual clock;
//   - how long each component takes to reach ten times the replicas it runs
//     at the normal rate: metric lag, the HPA's scale-up policies, node
//     provisioning and pod start-up;
//   - HPAs whose metric cannot fire before a replica saturates (a
//     worker-bound service scaling on CPU that its CPU never reaches);
//   - single replicas, missing or ineffective PodDisruptionBudgets,
//     missing SLO alerts, and capacities that were not measured;
//   - the file's own scenarios, each run as written.
//
// Every [Finding] has a severity, the component, its evidence with where
// each number came from, and the fix. The [Verdict] is no-go when a
// finding blocks, unknown when something the review needs is not known
// (a capacity not measured, no objectives, alerting not checked), and go
// otherwise: an unknown never gives a go.
//
// Units: rates per second, durations as time.Duration (seconds in JSON),
// fractions in [0, 1].
package review
