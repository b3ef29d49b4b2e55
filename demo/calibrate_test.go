package demo_test

import (
	"math"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/demo"
)

// Calibrate scales every capacity by one factor, so the sample keeps its
// shape, and never beyond what the generator holds.
func TestCalibrate(t *testing.T) {
	def := demo.DefaultConfig()
	need := 2 * math.Max(def.Money.Capacity(), def.App.HomeCapacity()) // 6400/s
	tests := []struct {
		name      string
		generator float64
		scale     float64
	}{
		{"a generator that holds enough changes nothing", 10000, 1},
		{"exactly enough", need, 1},
		{"a quarter of the need", need / 4, 0.25},
		{"a busy machine", 800, 0.125},
		{"a hopeless machine stops at the smallest scale", 50, demo.MinScale},
		{"an unknown generator takes the smallest scale", 0, demo.MinScale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := demo.Calibrate(def, tt.generator)
			if cal.Need != need {
				t.Errorf("need %g; want %g", cal.Need, need)
			}
			if math.Abs(cal.Scale-tt.scale) > 1e-9 {
				t.Fatalf("scale %g; want %g", cal.Scale, tt.scale)
			}
			c := cal.Config
			if err := c.Validate(); err != nil {
				t.Fatalf("the calibrated config is invalid: %v", err)
			}
			money, home := c.Money.Capacity(), c.App.HomeCapacity()
			if math.Abs(money-tt.scale*def.Money.Capacity()) > 1e-6*def.Money.Capacity() {
				t.Errorf("money capacity %g; want %g × %g", money, tt.scale, def.Money.Capacity())
			}
			// App's workers are whole: within one worker's worth.
			if perWorker := 1 / def.App.IOWait.Seconds(); math.Abs(home-tt.scale*def.App.HomeCapacity()) > perWorker/2+1e-9 {
				t.Errorf("app capacity %g; want about %g × %g", home, tt.scale, def.App.HomeCapacity())
			}
			if tt.generator > 0 && tt.scale > demo.MinScale && 2*math.Max(money, home) > tt.generator*1.01 {
				t.Errorf("the calibrated system needs %g/s; the generator holds %g/s", 2*math.Max(money, home), tt.generator)
			}
			// The shape holds: money stays the bottleneck of the customer
			// mix, its CPU work is unchanged, its latency stays well inside
			// the demo's 100ms objective, and a full queue waits about as
			// long as before.
			if mix := c.Capacity(); math.Abs(mix-money/c.App.MoneyShare) > 1e-6*mix {
				t.Errorf("mix capacity %g; want money's %g / %g", mix, money, c.App.MoneyShare)
			}
			if c.Money.Positions != def.Money.Positions || c.App.IOWait != def.App.IOWait || c.App.MoneyShare != def.App.MoneyShare {
				t.Errorf("per-request work changed: %+v", c)
			}
			if c.Money.MinServiceTime < def.Money.MinServiceTime || c.Money.MinServiceTime > 25*time.Millisecond {
				t.Errorf("money's service time %v; want between %v and 25ms", c.Money.MinServiceTime, def.Money.MinServiceTime)
			}
			wait := func(q int, capacity float64) float64 { return float64(q) / capacity }
			if w0, w := wait(def.Money.Queue, def.Money.Capacity()), wait(c.Money.Queue, money); math.Abs(w-w0) > 0.35*w0 {
				t.Errorf("a full money queue waits %.0fms; want about %.0fms as before", 1000*w, 1000*w0)
			}
		})
	}
}
