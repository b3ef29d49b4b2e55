package demo

import (
	"context"
	"sync/atomic"
	"time"
)

// stallClock holds a component's periodic stall. The pauses are computed
// from the time since the stall was switched on, so no goroutine ticks in
// the background.
type stallClock struct {
	state atomic.Pointer[stallState]
}

type stallState struct {
	Stall
	since time.Time // the first pause starts here
}

// set switches the stall to s (off when s is not On) and restarts its
// period: the first pause starts now.
func (c *stallClock) set(s Stall) {
	if !s.On() || s.validate() != nil {
		c.state.Store(nil)
		return
	}
	c.state.Store(&stallState{Stall: s, since: time.Now()})
}

func (c *stallClock) get() Stall {
	if st := c.state.Load(); st != nil {
		return st.Stall
	}
	return Stall{}
}

// wait blocks until the current pause, if any, is over, or ctx is done.
func (c *stallClock) wait(ctx context.Context) error {
	st := c.state.Load()
	if st == nil {
		return nil
	}
	phase := time.Since(st.since) % st.Every
	if phase >= st.For {
		return nil
	}
	return sleep(ctx, st.For-phase)
}

// sleep waits for d (nothing when d ≤ 0) or until ctx is done, and then
// returns ctx's error.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
