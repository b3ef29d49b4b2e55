// Package capacity finds the capacity knee of one replica within its SLO,
// and describes it as a [Profile]: the highest arrival rate at which the
// objectives held, what limited it, the measured latency-versus-load curve
// and, when the target's CPU could be observed, what a request costs in CPU.
//
// Profiles are the bridge from measuring to deciding: the simulator reads
// per-replica capacity and latency from them, and the planner maps requests
// per second to the CPU an HPA sees and to money.
//
// Units: rates per second, latencies in seconds (float64 in profiles),
// ratios as fractions, CPU in cores.
package capacity
