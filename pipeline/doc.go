// Package pipeline runs headroom's use cases: one function per question a
// team asks (LoadTest, Capacity, Budget, Import, Traffic, Simulate,
// Review, Plan, Cost, Rightsize, Demo …), each with a typed config in and a typed result out, which package
// report renders as text, JSON or HTML.
//
// It sits between the command line (internal/cli: flags → config →
// pipeline → report) and the domain packages (traffic, load, stats,
// capacity, slo, importer, sim, review, plan, pricing, rightsize). It holds the glue that
// turns those into use cases — reading a System file and the profiles it
// names, pricing a snapshot, checking an SLO against a results file — so a
// program other than the headroom command can run capacity → simulate →
// plan → report end to end.
//
// The pipeline touches no files, environment or clock of its own: files
// come through a [Files] (the command passes one reading the disk with
// size caps; tests and examples pass [MapFiles]), the time through a
// [Clock], and Prometheus or a cluster through the adapters a config
// carries.
package pipeline
