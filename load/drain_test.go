package load

import (
	"testing"
	"time"
)

// The drain must outlast every request's own deadline, including the
// connection's slack, whatever the timeout: otherwise requests in flight
// would vanish from the run (as they did with timeouts above 8s).
func TestTheDrainOutlastsEveryRequestsDeadline(t *testing.T) {
	for _, timeout := range []time.Duration{10 * time.Millisecond, time.Second, 8 * time.Second, 9 * time.Second, DefaultTimeout, 10 * time.Minute} {
		cfg := Config{Timeout: timeout}
		slack := slackOf(timeout)
		if slack > maxSlack || slack < 0 {
			t.Errorf("timeout %v: slack %v; want within [0, %v]", timeout, slack, maxSlack)
		}
		if d := cfg.drain(); d < timeout+slack+500*time.Millisecond {
			t.Errorf("timeout %v: drain %v; want at least the timeout, its slack %v and half a second", timeout, d, slack)
		}
	}
	if d := (&Config{Timeout: time.Minute, Drain: time.Second}).drain(); d != time.Second {
		t.Errorf("an explicit drain of 1s became %v", d)
	}
}
