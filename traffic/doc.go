// Package traffic describes how traffic arrives: arrival-rate shapes over
// time, shared by the load engine (which sends requests on their schedule)
// and the simulator (which feeds them to a model of the system).
//
// # Shapes
//
// A [Shape] gives the arrival rate at elapsed time t, in requests per second,
// and the exact cumulative count of arrivals up to t (the integral of the
// rate, in closed form). Because the n-th arrival is due when the count
// reaches n, due times are computed absolutely from the start and never
// drift, however long the run.
//
// Every kind is a [Curve], built from its one-line form with [Parse] or from
// key/value parameters with [Build]:
//
//	constant  rate, for                      a steady rate
//	ramp      from, to, for                  a linear ramp
//	steps     rates=a/b/c or start, step, count; every
//	stages    start, to=RATE@DUR/RATE@DUR…   piecewise linear; @0s is a jump
//	spike     base, peak|multiple, at, rise, hold, decay, for
//	                                         a TV-broadcast surge
//	replay    file, scale, speed, for        recorded traffic from a CSV
//
// Every kind also accepts x=K, which multiplies all rates by K.
//
// A replay reads a CSV of time and rate as Prometheus and Grafana export it
// (see [ReadReplay]): times in seconds, Unix seconds or milliseconds, or
// date-times, told apart and reported in the curve's [Curve.Notes]. It holds
// at most [MaxReplayRows] rows and lasts at most [MaxReplaySpan], recorded
// and played.
//
// # Arrivals
//
// A [Schedule] turns a shape into individual due times, either [Uniform]
// (evenly spaced) or [Poisson] (seeded and reproducible).
//
// # Units
//
// Rates are per second, times are time.Duration offsets from the start.
// Everything in this package is a pure function of its inputs; Shapes are
// safe for concurrent use, a Schedule is not.
package traffic
