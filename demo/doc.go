// Package demo is headroom's built-in sample system: a small fintech
// backend to measure, on loopback, with no cluster. Its story: a team
// launched an app, a TV programme sent traffic far beyond plan, and the
// service went down.
//
// The system has two components, each an [http.Handler] ([Component]);
// the package listens on nothing, the caller does:
//
//   - money values portfolios exactly. It is CPU-bound: every position is
//     quantity × price × FX rate in fixed-point decimals (no float64),
//     rounded half to even to the minor unit of the valuation currency,
//     and the work grows with the number of positions. Portfolios are
//     generated from their ID, so the same request always gets the same
//     answer.
//   - app is the customer API. Every request waits for simulated I/O
//     (database, cache); portfolio and transfer requests also call money
//     over HTTP, through one shared keep-alive client with a timeout.
//
// # Routes
//
//	money  GET /value?portfolio=ID&positions=N&currency=EUR&lines=true
//	       GET /                     the same, every parameter optional
//	app    GET /                     the customer mix: MoneyShare of the
//	                                 requests are portfolio pages, the
//	                                 rest home pages
//	       GET /api/home             I/O wait only
//	       GET /api/portfolio?portfolio=ID
//	                                 I/O wait, then a valuation from money
//	       POST /api/transfer        {"portfolio": 7, "amount": "250.00",
//	                                 "currency": "EUR"}, all optional: I/O
//	                                 wait, then money's balance; accepted
//	                                 when the balance covers the amount
//
// Both also serve /metrics, /healthz, /readyz and /admin/stall (see
// [Component]); /admin/ answers only requests addressed to a loopback or
// bound address (Config.AdminHosts) and not sent by a page of another
// origin, so a web page cannot stall the system. Answers are JSON; amounts are strings, exact to the minor
// unit ("1234.56", "-0.05", "1500" yen). A money failure becomes an app
// 503 (money overloaded, with Retry-After), 504 (money too slow) or 502
// (money unreachable or broken).
//
// # Capacity by construction
//
// Each component has W workers and a queue of Q requests; a request that
// finds the queue full (or has waited longer than MaxWait) is rejected at
// once with 503 and Retry-After, so past its capacity a component serves
// at capacity and fails the excess fast, like a real server with a
// bounded accept queue. Money's worker is busy for the CPU work and then
// sleeps out the rest of MinServiceTime S, so its capacity is W/S
// whatever the machine, as long as the CPU part fits (W × CPU ≤ S × cores).
//
// [DefaultConfig] is sized for a 2-core laptop:
//
//	money  W=4, S=10 ms, Q=64, 2000 positions (≈ 0.3–0.4 ms of CPU on one
//	       core): 4/0.010 s = 400 req/s, using about 0.15 cores; a full
//	       queue adds 64/400 = 160 ms of waiting
//	app    W=64, 20 ms I/O wait, Q=256: 64/(0.020 + 0.6×0.010) s ≈ 2460
//	       req/s on its own, but 0.6 money calls per request of the
//	       customer mix cap it at 400/0.6 ≈ 667 req/s (Config.Capacity)
//
// [Calibrate] scales every capacity by one factor, keeping this shape,
// for a machine whose load generator cannot drive the default system.
//
// Against a base of 40 req/s of GET / (6% of the capacity), a TV spike of
// 20–30× (800–1200 req/s, so 480–720 money calls per second against 400)
// overloads money within seconds: its queue fills, latency climbs by the
// queue's 160 ms, and the excess turns into 503s at app.
//
// # Metrics
//
// Each component has its own Prometheus registry (never the global one),
// and every series carries component="money" or "app":
//
//	http_requests_total{route,code}          counter
//	http_request_duration_seconds{route}     histogram: LatencyBuckets()
//	http_requests_in_flight                  gauge: served by a worker
//	http_requests_queued                     gauge: waiting for a worker
//	http_requests_rejected_total{route,reason}
//	                                         counter: queue_full, queue_timeout
//	demo_workers                             gauge: W
//	process_cpu_seconds_total, go_*          the process and Go runtime
//
// route is the path of the route ("/api/home"), or "other" for a path the
// component does not serve; code 499 means the client went away first.
// The process counters cover the whole process: when money and app (or a
// load generator) run in one process, they share them.
//
// # Stalls
//
// A [Stall] pauses a component periodically, like a stop-the-world
// garbage collection: every Every, for For, requests arriving wait for the
// pause to end and answers that are ready are held. It is switched at run
// time with [Component.SetStall], [System.SetStall] or POST
// /admin/stall?every=1s&for=100ms. A client sending at a fixed rate to a
// component stalling 100 ms every second sees 10% of its requests delayed
// by 0–100 ms, uniformly: p95 ≈ 50 ms, p99 ≈ 90 ms. That is the truth a
// load generator free of coordinated omission must report.
//
// # Units
//
// Durations are time.Duration (seconds in JSON), rates are per second and
// MoneyShare is a fraction in [0, 1].
package demo
