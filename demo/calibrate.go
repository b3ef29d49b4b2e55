package demo

import (
	"math"
	"time"
)

// MinScale is the smallest fraction of its capacity [Calibrate] scales the
// system to: below it money's service time would pass a quarter of the
// demo's 100 ms latency objective, and the sample would stop saturating
// like a real service.
const MinScale = 0.1

// Calibration is a demo system sized to what a load generator can drive.
type Calibration struct {
	// Config is the scaled configuration.
	Config Config
	// Scale is the fraction of the original capacity kept, in
	// [MinScale, 1]: 1 when the generator can drive the system as it is.
	Scale float64
	// GeneratorRate is the rate the generator held, per second, that the
	// calibration was made for.
	GeneratorRate float64
	// Need is the rate the generator must hold to measure the original
	// system, per second: twice the higher of money's capacity and app's
	// own (a capacity search may step up to twice a knee).
	Need float64
}

// HomeCapacity returns the requests per second app serves at most when
// no request calls money (GET /api/home): Workers / IOWait. It is 0
// (unknown) when there is no I/O wait.
func (c AppConfig) HomeCapacity() float64 {
	if c.IOWait <= 0 {
		return 0
	}
	return float64(max(c.Workers, 1)) / c.IOWait.Seconds()
}

// Calibrate scales cfg so that measuring it fits a load generator that
// holds generatorRate requests per second: every capacity is multiplied by
// the same factor, Scale = generatorRate / Need (at most 1, at least
// MinScale), so the system keeps its shape — money stays the bottleneck of
// the customer mix, and a full queue adds the same waiting time.
//
// Money keeps its CPU work per request; its workers are scaled (at least
// one) and its service time set so that workers / service time is the
// scaled capacity. App keeps its I/O wait and its workers are scaled. Both
// queues are scaled with their capacity. A generatorRate of 0 or less
// (unknown) calibrates for the smallest scale.
func Calibrate(cfg Config, generatorRate float64) Calibration {
	cfg = cfg.normalized()
	money, home := cfg.Money.Capacity(), cfg.App.HomeCapacity()
	cal := Calibration{Config: cfg, Scale: 1, GeneratorRate: math.Max(generatorRate, 0), Need: 2 * math.Max(money, home)}
	if cal.Need <= 0 || generatorRate >= cal.Need {
		return cal // unknown capacities cannot be scaled; or nothing to do
	}
	k := MinScale
	if generatorRate > 0 {
		k = math.Max(generatorRate/cal.Need, MinScale)
	}
	cal.Scale = k
	scaleQueue := func(q int) int {
		if q == 0 {
			return 0
		}
		return max(1, int(math.Round(float64(q)*k)))
	}
	m := &cal.Config.Money
	if money > 0 {
		m.Workers = max(1, int(math.Ceil(float64(m.Workers)*k-1e-9)))
		m.MinServiceTime = time.Duration(float64(m.Workers) / (money * k) * float64(time.Second)).Round(time.Microsecond)
	}
	m.Queue = scaleQueue(m.Queue)
	a := &cal.Config.App
	if home > 0 {
		a.Workers = max(1, int(math.Round(float64(a.Workers)*k)))
	}
	a.Queue = scaleQueue(a.Queue)
	return cal
}
