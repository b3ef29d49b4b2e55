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
// concurrency grows as the target slows down, as it does with real users,
// up to Config.MaxInFlight (DefaultMaxInFlight unless set): arrivals that
// find the cap reached are dropped and counted (or, with Config.Queue, wait
// for a free slot and are counted late) — never hidden.
//
// # Safety
//
// A run ends when its shape does, plus the drain, whatever the rate asked
// for: arrivals the generator could not send by the end (it fell behind, or
// waited for a slot) are counted dropped at the end, never sent late, and
// requests still in flight after the drain are counted unfinished. The
// drain (Config.Drain) defaults to the timeout plus the connections'
// deadline slack and a second, so every request ends first by its own
// timeout, recorded at the timeout. Config.MaxRate refuses a shape whose
// peak is above it before anything is sent (the headroom command applies
// DefaultMaxRate). Running out of open files or local ports is the
// generator's failure: counted dropped by the generator, not as the
// target's errors. [Check] validates a Config without sending anything.
//
// Every request's latency is recorded twice: from its due time (corrected
// for coordinated omission: time spent waiting to be sent counts) and from
// its actual send. Sends more than Config.LateThreshold after their due
// time are counted late. The generator measures its own CPU (getrusage;
// GetProcessTimes on Windows; zero where neither exists) and scheduling
// lag, and the summary warns when the generator, not the target, was the
// bottleneck.
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
// costs no allocation and no goroutine. On Linux it reads and writes its
// sockets with raw, non-blocking system calls, sparing the scheduler its
// bookkeeping around each call; elsewhere it uses the connections' own
// Read and Write, with the same results at a higher cost. HTTPS (HTTP/1.1
// or HTTP/2 by ALPN), HTTP/2 only and h2c (HTTP/2 over cleartext with
// prior knowledge) go through net/http. Redirects are not followed: the
// target is measured, not where it points, so a request's credentials
// (Authorization, cookies, URL user information sent as basic
// authentication) never reach another host.
//
// Secrets are never shown: errors, target names and results carry URLs
// through [RedactURL] (user information and credential-like query values
// replaced), and never quote header values.
//
// # Results
//
// Measurements are collected per second and per target into
// [stats.Interval]s, passed to Config.OnInterval as each second ends (to
// stream a results file or show progress) and gathered into the returned
// [stats.Run] — or, with Config.NoIntervals, only added to its totals, so a
// day-long soak runs in bounded memory. Requests are counted in the second
// they complete; arrivals (scheduled, dropped) in the second they fall due,
// except those dropped at the end, counted in the last second of the
// schedule. Errors are classified by [Classify].
//
// # Templates
//
// URLs (path and query), header values and bodies may hold {{seq}},
// {{rand MIN MAX}} and {{csv.COLUMN}}; see [CheckTemplate].
package load
