// Package load is headroom's load engine: it sends HTTP requests on the
// schedule of a traffic shape (the open model) and measures what comes
// back, honestly.
//
// # The open model
//
// [Run] takes the due time of each arrival from a [traffic.Schedule]:
// computed absolutely from the shape, so it never drifts. A pacer wakes
// up, hands every arrival already due to an idle worker (each keeps its
// own due time), and sleeps until the next one: one wake-up per batch, not
// one timer per request. When no worker is idle a new one starts, so
// concurrency grows as the target slows down, as it does with real users.
// With Config.MaxInFlight, arrivals that find the cap reached are dropped
// and counted (or, with Config.Queue, wait for a free slot and are counted
// late) — never hidden.
//
// Every request's latency is recorded twice: from its due time (corrected
// for coordinated omission: time spent waiting to be sent counts) and from
// its actual send. Sends more than Config.LateThreshold after their due
// time are counted late. The generator measures its own CPU (getrusage)
// and scheduling lag, and the summary warns when the generator, not the
// target, was the bottleneck.
//
// [Closed] is the closed model, for maximum throughput: N connections
// send back to back. Its results are labelled closed.
//
// # Clients
//
// Plain http:// targets go through a lean HTTP/1.1 client: requests are
// serialised once (or rendered into a reused buffer when templated),
// responses are parsed in place (Content-Length, chunked, or to the end of
// the connection), connections are kept alive and reused, and a request
// costs no allocation and no goroutine. HTTPS (HTTP/1.1 or HTTP/2 by
// ALPN), HTTP/2 only and h2c (HTTP/2 over cleartext with prior knowledge)
// go through net/http. Redirects are not followed: the target is measured,
// not where it points.
//
// # Results
//
// Measurements are collected per second and per target into
// [stats.Interval]s, passed to Config.OnInterval as each second ends (to
// stream a results file or show progress) and gathered into the returned
// [stats.Run]. Requests are counted in the second they complete; arrivals
// (scheduled, dropped) in the second they fall due. Errors are classified
// by [Classify].
//
// # Templates
//
// URLs (path and query), header values and bodies may hold {{seq}},
// {{rand MIN MAX}} and {{csv.COLUMN}}; see [CheckTemplate].
package load
