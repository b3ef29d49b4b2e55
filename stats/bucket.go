package stats

import (
	"maps"
	"time"
)

// Error classes: how a request failed when no HTTP response came back.
const (
	ErrTimeout = "timeout" // no complete response within the request timeout
	ErrRefused = "refused" // the connection was refused (nothing listening)
	ErrReset   = "reset"   // the peer reset or closed the connection mid-request
	ErrDNS     = "dns"     // the host name did not resolve
	ErrTLS     = "tls"     // the TLS handshake or certificate check failed
	ErrOther   = "other"   // anything else (a malformed response, for instance)
)

// ErrorClasses lists the error classes in the order reports show them.
var ErrorClasses = []string{ErrTimeout, ErrRefused, ErrReset, ErrDNS, ErrTLS, ErrOther}

// IsSuccess reports whether an HTTP status code counts as a success: any
// status below 400. 4xx and 5xx responses, and requests that got no
// response at all (an error class), are failures.
func IsSuccess(code int) bool { return code > 0 && code < 400 }

// Counts are the counters of one target (or of all) over an interval or a
// run.
//
// Arrivals are counted when they fall due (Scheduled, Dropped); requests
// when they complete (everything else, Late included), so a request that
// straddles two intervals is counted in the one in which it ended.
type Counts struct {
	// Scheduled is the number of arrivals that fell due, whether sent or
	// dropped.
	Scheduled int64 `json:"scheduled"`
	// Requests is the number of requests completed: a response or an error.
	Requests int64 `json:"requests"`
	// Successes is the number of responses with a status below 400.
	Successes int64 `json:"successes"`
	// StatusCodes counts responses by HTTP status code.
	StatusCodes map[int]int64 `json:"status_codes,omitempty"`
	// Errors counts requests that got no response, by error class.
	Errors map[string]int64 `json:"errors,omitempty"`
	// Late is the number of requests sent more than the late threshold
	// after their due time: the generator, not the target, delayed them.
	Late int64 `json:"late"`
	// Dropped is the number of arrivals never sent, for any reason: the sum
	// of DroppedCap, DroppedAtEnd and DroppedGenerator.
	Dropped int64 `json:"dropped"`
	// DroppedCap counts arrivals dropped because the in-flight cap was
	// reached (requests piled up: the target slowed down, or the cap is
	// low).
	DroppedCap int64 `json:"dropped_cap,omitempty"`
	// DroppedAtEnd counts arrivals that fell due but were not sent by the
	// end of the run (the generator fell behind its schedule, or waited for
	// a free slot): a run ends on time, and never sends them late.
	DroppedAtEnd int64 `json:"dropped_at_end,omitempty"`
	// DroppedGenerator counts arrivals the generator could not send for
	// lack of its own resources (too many open files, no free local port):
	// the generator's failure, not the target's.
	DroppedGenerator int64 `json:"dropped_generator,omitempty"`
	// Unfinished counts requests sent but still in flight when the run
	// ended: no outcome was recorded for them.
	Unfinished int64 `json:"unfinished,omitempty"`
	// BytesIn and BytesOut are the bytes of response and request bodies.
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
}

// Drop counts n arrivals that were never sent, under one of the reasons
// DropCap, DropAtEnd or DropGenerator.
func (c *Counts) Drop(reason DropReason, n int64) {
	c.Dropped += n
	switch reason {
	case DropCap:
		c.DroppedCap += n
	case DropAtEnd:
		c.DroppedAtEnd += n
	case DropGenerator:
		c.DroppedGenerator += n
	}
}

// DropReason says why arrivals were not sent.
type DropReason int

// Reasons for dropping an arrival.
const (
	// DropCap: the in-flight cap was reached.
	DropCap DropReason = iota
	// DropAtEnd: the run ended before the arrival could be sent.
	DropAtEnd
	// DropGenerator: the generator ran out of its own resources.
	DropGenerator
)

// Failures is the number of completed requests that failed: error
// responses (4xx, 5xx) and requests with no response.
func (c *Counts) Failures() int64 { return c.Requests - c.Successes }

// Add adds o's counters to c.
func (c *Counts) Add(o *Counts) {
	c.Scheduled += o.Scheduled
	c.Requests += o.Requests
	c.Successes += o.Successes
	c.Late += o.Late
	c.Dropped += o.Dropped
	c.DroppedCap += o.DroppedCap
	c.DroppedAtEnd += o.DroppedAtEnd
	c.DroppedGenerator += o.DroppedGenerator
	c.Unfinished += o.Unfinished
	c.BytesIn += o.BytesIn
	c.BytesOut += o.BytesOut
	for k, v := range o.StatusCodes {
		if c.StatusCodes == nil {
			c.StatusCodes = map[int]int64{}
		}
		c.StatusCodes[k] += v
	}
	for k, v := range o.Errors {
		if c.Errors == nil {
			c.Errors = map[string]int64{}
		}
		c.Errors[k] += v
	}
}

// Bucket is the measurements of one target (or of all) over an interval or
// a run: counters and two latency histograms.
//
// Latency is measured from each request's due time, so time a request
// spent waiting to be sent counts (corrected for coordinated omission);
// LatencyUncorrected from the moment it was actually sent. Both include
// every completed request, failed ones too (a timeout is recorded at the
// timeout), so a slow failure never makes latency look better.
//
// The zero value is an empty bucket. A Bucket must not be copied once
// used; use Clone.
type Bucket struct {
	Counts
	Latency            Histogram `json:"latency"`
	LatencyUncorrected Histogram `json:"latency_uncorrected"`
}

// Response records a completed request that got an HTTP response with
// status code, its latencies from the due time and from the send, and its
// body sizes.
func (b *Bucket) Response(code int, corrected, uncorrected time.Duration, bytesIn, bytesOut int64) {
	b.Requests++
	if IsSuccess(code) {
		b.Successes++
	}
	if b.StatusCodes == nil {
		b.StatusCodes = map[int]int64{}
	}
	b.StatusCodes[code]++
	b.BytesIn += bytesIn
	b.BytesOut += bytesOut
	b.Latency.Record(corrected)
	b.LatencyUncorrected.Record(uncorrected)
}

// Failure records a completed request that got no response, by error class
// (ErrTimeout…), with its latencies until the failure.
func (b *Bucket) Failure(class string, corrected, uncorrected time.Duration, bytesOut int64) {
	b.Requests++
	if b.Errors == nil {
		b.Errors = map[string]int64{}
	}
	b.Errors[class]++
	b.BytesOut += bytesOut
	b.Latency.Record(corrected)
	b.LatencyUncorrected.Record(uncorrected)
}

// Add adds o's counters and histograms to b.
func (b *Bucket) Add(o *Bucket) {
	b.Counts.Add(&o.Counts)
	b.Latency.Merge(&o.Latency)
	b.LatencyUncorrected.Merge(&o.LatencyUncorrected)
}

// Clone returns an independent copy of b.
func (b *Bucket) Clone() *Bucket {
	c := &Bucket{Counts: b.Counts}
	c.StatusCodes = maps.Clone(b.StatusCodes)
	c.Errors = maps.Clone(b.Errors)
	c.Latency.Merge(&b.Latency)
	c.LatencyUncorrected.Merge(&b.LatencyUncorrected)
	return c
}
