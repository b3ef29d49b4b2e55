package demo_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/demo"
)

// sent is one request of a burst: when it was sent and how it went.
type sent struct {
	at   time.Time
	done time.Time
	resp response
}

// offer sends n GET requests to url, the i-th due at i×gap after the start
// (gap 0: all at once), each from its own goroutine, and returns them once
// all are answered. The loop is bounded by n and by the client's timeout.
func offer(t *testing.T, url string, n int, gap time.Duration) []sent {
	t.Helper()
	out := make([]sent, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range out {
		time.Sleep(time.Until(start.Add(time.Duration(i) * gap)))
		wg.Go(func() {
			out[i].at = time.Now()
			out[i].resp = get(t, url)
			out[i].done = time.Now()
		})
	}
	wg.Wait()
	return out
}

// bounds returns when the first and the last request were sent, and when
// the last answer came.
func bounds(reqs []sent) (firstSent, lastSent, lastDone time.Time) {
	for i, r := range reqs {
		if i == 0 || r.at.Before(firstSent) {
			firstSent = r.at
		}
		if r.at.After(lastSent) {
			lastSent = r.at
		}
		if r.done.After(lastDone) {
			lastDone = r.done
		}
	}
	return firstSent, lastSent, lastDone
}

func TestAComponentServesItsCapacityAndRejectsTheExcess(t *testing.T) {
	const (
		workers = 4
		service = 50 * time.Millisecond
		offered = 2 * workers * float64(time.Second) / float64(service) // 160 req/s, twice the capacity
		n       = 240                                                   // 1.5 s of it
	)
	cfg := fastConfig()
	cfg.Money.Pool = demo.Pool{Workers: workers, Queue: 0}
	cfg.Money.MinServiceTime = service
	sys := start(t, cfg)
	capacity := cfg.Money.Capacity()
	if capacity != 80 {
		t.Fatalf("Capacity() = %v; want 4/50ms = 80", capacity)
	}

	reqs := offer(t, sys.moneyURL+"/value", n, time.Duration(float64(time.Second)/offered))
	var ok, rejected int
	for _, r := range reqs {
		switch r.resp.code {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
			rejected++
			if r.resp.header.Get("Retry-After") != "1" {
				t.Errorf("a 503 has Retry-After %q; want 1", r.resp.header.Get("Retry-After"))
			}
		default:
			t.Errorf("status %d (%s); want 200 or 503", r.resp.code, r.resp.body)
		}
	}
	first, lastSent, last := bounds(reqs)
	span := last.Sub(first)
	served := float64(ok) / span.Seconds()
	t.Logf("offered %d at %.0f/s: %d served (%.1f/s over %v), %d rejected; capacity %.0f/s", n, offered, ok, served, span, rejected, capacity)

	// No more than the workers can do: each request holds one for at
	// least the service time.
	if most := workers * (span.Seconds()/service.Seconds() + 1); float64(ok) > most {
		t.Errorf("%d served in %v; at most %.0f are possible", ok, span, most)
	}
	// About the capacity: generous, as the machine may be busy.
	if served < 0.5*capacity || served > 1.1*capacity {
		t.Errorf("served %.1f req/s; want about the capacity, %.0f", served, capacity)
	}
	// Rejections, if the requests went out about as fast as offered.
	if sentRate := float64(n-1) / lastSent.Sub(first).Seconds(); sentRate < 1.5*capacity {
		t.Logf("the machine is busy: sent only %.0f req/s; not checking the rejections", sentRate)
	} else if rejected < n/4 {
		t.Errorf("%d of %d rejected at %.0f req/s, %.1f× the capacity; want about half", rejected, n, sentRate, sentRate/capacity)
	}

	mfs := scrape(t, sys.moneyURL)
	if got := metricValue(t, mfs, "http_requests_rejected_total", map[string]string{"route": "/value", "reason": "queue_full"}); int(got) != rejected {
		t.Errorf("http_requests_rejected_total = %v; want %d", got, rejected)
	}
	if got := metricValue(t, mfs, "http_requests_total", map[string]string{"route": "/value", "code": "200"}); int(got) != ok {
		t.Errorf("http_requests_total{code=200} = %v; want %d", got, ok)
	}
}

func TestLatencyGrowsWithTheQueue(t *testing.T) {
	const (
		n       = 8
		service = 40 * time.Millisecond
	)
	cfg := fastConfig()
	cfg.Money.Pool = demo.Pool{Workers: 1, NoReject: true}
	cfg.Money.MinServiceTime = service
	sys := start(t, cfg)

	reqs := offer(t, sys.moneyURL+"/value", n, 0)
	for _, r := range reqs {
		if r.resp.code != http.StatusOK {
			t.Fatalf("status %d (%s); want 200: nothing is rejected without rejection", r.resp.code, r.resp.body)
		}
	}
	firstSent, lastSent, _ := bounds(reqs)
	spread := lastSent.Sub(firstSent)
	slices.SortFunc(reqs, func(a, b sent) int { return a.done.Compare(b.done) })
	var sum time.Duration
	for k, r := range reqs {
		// One worker: the k-th answer cannot come before k+1 service times.
		if got, least := r.done.Sub(firstSent), time.Duration(k+1)*service; got < least {
			t.Errorf("answer %d came %v after the first request; want at least %v", k+1, got, least)
		}
		sum += r.resp.took
	}
	maxLatency := reqs[n-1].resp.took
	mean := sum / n
	t.Logf("%d requests sent within %v: mean latency %v, max %v, service time %v", n, spread, mean, maxLatency, service)
	if least := n*service - spread; maxLatency < least {
		t.Errorf("max latency %v; want at least %v: the last in the queue waits for all the others", maxLatency, least)
	}
	if least := (n+1)*service/2 - spread; mean < least {
		t.Errorf("mean latency %v; want at least %v, (n+1)/2 service times", mean, least)
	}
}
