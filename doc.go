// Package headroom is the root of the headroom module. It holds no API: the
// library lives in one package per domain noun, in the order data flows
// through them (measure → model → decide → report):
//
//   - units: how quantities are written for people (one style everywhere).
//   - [traffic]: arrival-rate shapes (constant, ramp, steps, stages, spike,
//     replay) shared by the load engine and the simulator.
//   - stats: HDR latency histograms, per-second intervals, summaries and
//     thresholds.
//   - load: the open-model HTTP load engine.
//   - demo: a small fintech backend to measure, on loopback.
//   - slo, promrule, dashboard: objectives, error budgets, Prometheus rules
//     and Grafana dashboards.
//   - capacity: the capacity knee of one replica and its CPU cost.
//   - pricing: the GKE and Compute Engine price catalog.
//   - sim: the spike simulator (HPA v2, start-up, nodes, queues).
//   - plan: the cheapest configuration that still meets the SLO.
//   - rightsize: where the money goes and which cuts are safe.
//   - report: the only renderer: text and single-file HTML documents.
//   - pipeline: the use cases (LoadTest, Capacity, Budget, Simulate, Plan,
//     Cost, Rightsize, …) that tie the packages above together, typed
//     config in and typed result out.
//
// The command-line tool is cmd/headroom; its code is in internal/cli
// (flags → config → pipeline → report).
// layers_test.go in this directory enforces that imports only flow one way.
package headroom
