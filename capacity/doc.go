// Package capacity finds the capacity knee of one replica within its SLO,
// and describes it as a [Profile]: the highest arrival rate at which the
// objectives held, what limited it, the measured latency-versus-load curve
// and, when the target's CPU could be observed, what a request costs in CPU.
//
// Profiles are the bridge from measuring to deciding: the simulator reads
// per-replica capacity and latency from them, and the planner maps requests
// per second to the CPU an HPA sees and to money.
//
// A search reports only what it measured. A target that gives no HTTP
// answer ends it with an [UnreachableError]. A step the load generator
// could not hold is run again; if the generator still falls behind, or
// the search runs out of steps before the objectives break, the profile's
// MaxRate is only a lower bound ([Profile.IsLowerBound]: limited_by
// generator or inconclusive), which the simulator's readers refuse unless
// told to accept it. [GeneratorReach] measures the generator itself, and
// [Settle] picks the capacity to go on with when a fallback is known.
//
// Units: rates per second, latencies in seconds (float64 in profiles),
// ratios as fractions, CPU in cores.
package capacity
