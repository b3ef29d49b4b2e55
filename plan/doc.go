// Package plan finds the cheapest configuration of a system that still
// meets its SLO in every traffic scenario the business says it must
// survive, and prices more safety.
//
// # What is searched
//
// Per component: the CPU request (a replica's capacity is taken to scale
// with it, within the range the capacity was measured over: never above
// today's request, never below the lowest measured load), the HPA's
// target, its minReplicas and maxReplicas (or the replica count without an
// HPA), its scale-up behavior (today's, or [FastScaleUp]), and a pre-scale
// floor before each announced event, raised a lead time ahead (start-up,
// node provisioning and a minute). For the system: spare node capacity, its
// kind and size: held on running nodes by placeholder pods (or, when the
// System already has one, by an active GKE CapacityBuffer: the same room,
// the same bill), or on a Standard pool by a standby CapacityBuffer of
// suspended nodes that resume in about 35 s. Standby buffers are searched
// only when the price of a suspended node is known ([Problem]'s
// StandbyNodeHour, or today's buffer's): GKE bills their saved memory
// state and boot disks, which the shipped catalog does not price, and a
// buffer of unknown price is never called the cheapest. Capacity buffers
// need node-based billing, so Autopilot plans hold spare room with
// placeholder pods only. Memory requests are kept (nothing measured says how
// low they may go). On Autopilot, candidates follow the request rules of
// the system's nodes (sim's Nodes.AutopilotRules, from package pricing):
// CPU in the rules' steps on clusters without bursting (to 0.01 vCPU
// otherwise) and at least the pod minimum; memory raised to the minimums
// per pod and per vCPU, which are billed anyway; a CPU request too small
// for the memory (above the maximum GiB per vCPU) is not searched;
// placeholder pods are the largest component's pod as Autopilot bills it.
// Every candidate is judged by simulating it with package sim, which
// bills it.
//
// # Announced events and surprises
//
// Each scenario says whether its event is announced or a surprise
// (sim.Scenario's Event; in the System file, event: announced or event:
// surprise on each of spec.scenarios). An announced event's date and time
// are known ahead, so the plan may raise a pre-scale floor before it; a
// surprise gets none, and only what runs all month absorbs it:
// minReplicas, maxReplicas, the HPA's target and behavior, the requests
// and the spare node capacity. A scenario that does not say is announced
// (sim.DefaultEventNotice, what every plan assumed before scenarios could
// say). [Scenario.Unannounced] and [Options.AsSurprise] plan an event as a
// surprise whatever it says.
//
// Nothing is assumed silently: every output says which it planned for.
// [Result.Assumption], each [ScenarioOutcome] (Event, Assumption) and the
// Pareto tables read "assuming you know the date" or "for a surprise"; the
// System file [SystemFile] writes gives every planned scenario its event,
// with that comment; the pre-scaling manifests say they assume the dates,
// and the HPAs name the surprises they are sized for.
//
// Knowing the date is what makes safety cheap: the floor rises for the
// event only, so an extra nine or a bigger spike costs a few minutes of
// pods and the Pareto tables of an announced plan are nearly flat. For a
// surprise the floor stays all month, and each nine and each spike
// multiple has a real price. [Options.PriceSurprise] plans the problem a
// second time with every event a surprise ([Result.Surprise],
// [Result.SurpriseExtra]) so a reader sees both: the price of not knowing,
// and the surprise's own tables.
//
// # Monthly cost
//
// A configuration's monthly cost is the bill of a month at the steady
// state (the configuration at the everyday rate, 730 hours) plus, for
// each scenario, the event's own cost (what the scenario costs beyond the
// steady state over the same time, never below zero) times how many times
// a month it happens ([DefaultPerMonth] unless told).
//
// # How the search works
//
// Outer options are the settings that trade steady cost against speed of
// reaction in no fixed direction: the CPU request and target per
// component, and the spare capacity. Their steady state at the lowest
// floors is a lower bound on their monthly cost; they are taken cheapest
// bound first (options closest to today's first among equal bounds), and
// once the next bound is within [DefaultTolerance] of the best found, the
// rest are pruned. Inside an option every setting is monotone (a higher
// floor, a higher maximum, a higher pre-scale, a faster scale-up, more
// spare capacity never hurt the SLO and never cost less), so each is
// bisected down to the lowest value that still meets the SLO instead of
// being enumerated; floors are capped beforehand at what the bound still
// allows, and options dominated by one already settled are skipped.
// Simulations are cached and run in parallel; batches of options have a
// fixed size, so the result does not depend on the number of workers.
//
// The Pareto searches (bigger spikes: the scenarios' traffic × k; stricter
// targets) add their configurations to a common pool: the recommendation
// is the cheapest of the pool that meets the SLO, and the tables read from
// the same pool, so a stricter target never costs less than a looser one
// and the spike frontier starts at the recommendation.
//
// # Outputs
//
// [Plan] returns today's and the recommended configuration with their
// costs and verdicts, what changes, why (the cheaper step of each binding
// setting and what breaks then: start-up time, node provisioning, max
// replicas, a downstream component, capacity), the Pareto tables, what it
// assumed about each event's date and, when asked, the surprise plan.
// [Manifests] writes the recommendation as Kubernetes objects (HPAs,
// Deployment resource patches, KEDA ScaledObjects or CronJobs for the
// pre-scaling, placeholder pods, or a CapacityBuffer with its PodTemplate
// and the GKE version it needs) and [SystemFile] as a System file.
//
// Units: rates per second, durations as time.Duration (seconds in JSON),
// CPU in cores, memory in bytes, money in the system's price currency.
package plan
