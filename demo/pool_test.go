package demo

import (
	"context"
	"errors"
	"testing"
	"time"
)

// waitQueued waits until n requests wait in p's queue.
func waitQueued(t *testing.T, p *pool, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.queued.Load() != n {
		if time.Now().After(deadline) {
			t.Fatalf("queue length = %d; want %d", p.queued.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPoolRejectsWhenTheQueueIsFull(t *testing.T) {
	p := newPool(Pool{Workers: 1, Queue: 1})
	ctx := context.Background()
	if err := p.acquire(ctx); err != nil {
		t.Fatalf("first acquire = %v; want a worker", err)
	}
	queued := make(chan error)
	go func() { queued <- p.acquire(ctx) }()
	waitQueued(t, p, 1)
	if err := p.acquire(ctx); !errors.Is(err, errQueueFull) {
		t.Fatalf("acquire with a full queue = %v; want errQueueFull", err)
	}
	p.release()
	if err := <-queued; err != nil {
		t.Fatalf("queued acquire = %v; want the released worker", err)
	}
	if got := p.busy.Load(); got != 1 {
		t.Errorf("busy = %d; want 1", got)
	}
	p.release()
	if got, q := p.busy.Load(), p.queued.Load(); got != 0 || q != 0 {
		t.Errorf("after releasing all: busy = %d, queued = %d; want 0, 0", got, q)
	}
}

func TestPoolWithoutQueueRejectsAtOnce(t *testing.T) {
	p := newPool(Pool{Workers: 2})
	ctx := context.Background()
	for i := range 2 {
		if err := p.acquire(ctx); err != nil {
			t.Fatalf("acquire %d = %v; want a worker", i, err)
		}
	}
	if err := p.acquire(ctx); !errors.Is(err, errQueueFull) {
		t.Errorf("third acquire = %v; want errQueueFull", err)
	}
}

func TestPoolRejectsAfterMaxWait(t *testing.T) {
	const maxWait = 30 * time.Millisecond
	p := newPool(Pool{Workers: 1, Queue: 5, MaxWait: maxWait})
	ctx := context.Background()
	if err := p.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := p.acquire(ctx)
	if waited := time.Since(start); !errors.Is(err, errQueueTimeout) || waited < maxWait {
		t.Errorf("acquire = %v after %v; want errQueueTimeout after at least %v", err, waited, maxWait)
	}
	if q := p.queued.Load(); q != 0 {
		t.Errorf("queued = %d after the timeout; want 0", q)
	}
}

func TestPoolWithoutRejectionQueuesBeyondTheLimit(t *testing.T) {
	p := newPool(Pool{Workers: 1, Queue: 0, MaxWait: time.Nanosecond, NoReject: true})
	ctx := context.Background()
	if err := p.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 3)
	for range 3 {
		go func() { done <- p.acquire(ctx) }()
	}
	waitQueued(t, p, 3)
	for range 3 {
		p.release()
		if err := <-done; err != nil {
			t.Fatalf("queued acquire = %v; want a worker", err)
		}
	}
}

func TestPoolServesTheQueueInOrder(t *testing.T) {
	p := newPool(Pool{Workers: 1, Queue: 10})
	ctx := context.Background()
	if err := p.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 5)
	for i := range 5 {
		go func() {
			if err := p.acquire(ctx); err != nil {
				t.Errorf("acquire %d = %v", i, err)
				return
			}
			order <- i
		}()
		waitQueued(t, p, int64(i+1))
	}
	for want := range 5 {
		p.release()
		if got := <-order; got != want {
			t.Fatalf("request %d got the worker; want request %d (first come, first served)", got, want)
		}
	}
}

func TestPoolGivesUpWithTheCaller(t *testing.T) {
	p := newPool(Pool{Workers: 1, Queue: 1})
	if err := p.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.acquire(ctx) }()
	waitQueued(t, p, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("acquire after cancel = %v; want context.Canceled", err)
	}
	if q := p.queued.Load(); q != 0 {
		t.Errorf("queued = %d; want 0", q)
	}
}
