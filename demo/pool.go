package demo

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Why a request was rejected; the reason label of
// http_requests_rejected_total.
var (
	errQueueFull    = errors.New("queue_full")
	errQueueTimeout = errors.New("queue_timeout")
)

// pool admits requests to a fixed number of workers through a bounded
// first-come, first-served queue.
type pool struct {
	cfg Pool

	mu      sync.Mutex
	free    int             // idle workers
	waiters []chan struct{} // the queue, oldest first; closed when granted a worker

	busy, queued atomic.Int64 // for the gauges
}

func newPool(cfg Pool) *pool {
	return &pool{cfg: cfg, free: cfg.Workers}
}

// acquire returns once a worker is free for the caller, who must call
// release when done. It returns errQueueFull or errQueueTimeout when the
// request is rejected, and ctx's error when the caller gives up waiting.
func (p *pool) acquire(ctx context.Context) error {
	p.mu.Lock()
	if p.free > 0 {
		p.free--
		p.mu.Unlock()
		p.busy.Add(1)
		return nil
	}
	if !p.cfg.NoReject && len(p.waiters) >= p.cfg.Queue {
		p.mu.Unlock()
		return errQueueFull
	}
	granted := make(chan struct{})
	p.waiters = append(p.waiters, granted)
	p.queued.Add(1)
	p.mu.Unlock()

	var timeout <-chan time.Time
	if p.cfg.MaxWait > 0 && !p.cfg.NoReject {
		t := time.NewTimer(p.cfg.MaxWait)
		defer t.Stop()
		timeout = t.C
	}
	var err error
	select {
	case <-granted:
		return nil // release handed its worker over and counted it
	case <-timeout:
		err = errQueueTimeout
	case <-ctx.Done():
		err = ctx.Err()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	i := slices.Index(p.waiters, granted)
	if i < 0 {
		return nil // granted while giving up: take the worker after all
	}
	p.waiters = slices.Delete(p.waiters, i, i+1)
	p.queued.Add(-1)
	return err
}

// release frees the caller's worker, handing it straight to the oldest
// waiting request if there is one.
func (p *pool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.waiters) == 0 {
		p.free++
		p.busy.Add(-1)
		return
	}
	close(p.waiters[0])
	p.waiters = slices.Delete(p.waiters, 0, 1)
	p.queued.Add(-1)
}
