package demo

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Defaults of [DefaultConfig], sized for a 2-core laptop. Flags point at
// them so each default lives in one place.
const (
	DefaultMoneyWorkers     = 4                     // money's concurrent valuations
	DefaultMoneyQueue       = 64                    // valuations that may wait for a worker
	DefaultMoneyServiceTime = 10 * time.Millisecond // money's minimum service time
	DefaultPositions        = 2000                  // positions per valuation (≈ 0.3 ms of CPU)
	DefaultAppWorkers       = 64                    // app's concurrent requests
	DefaultAppQueue         = 256                   // app requests that may wait for a worker
	DefaultAppIOWait        = 20 * time.Millisecond // app's simulated I/O wait per request
	DefaultMoneyShare       = 0.6                   // money calls per request of the customer mix
	DefaultMoneyTimeout     = 1 * time.Second       // app's timeout for one call to money
	DefaultRetryAfter       = 1 * time.Second       // the Retry-After of a rejected request

	// MaxPositions bounds the positions one valuation may ask for.
	MaxPositions = 100_000

	// MaxStallFor and MaxStallEvery bound a stall, from flags or from
	// POST /admin/stall: a pause longer than a few seconds is an outage,
	// not a garbage-collection pause.
	MaxStallFor   = 5 * time.Second
	MaxStallEvery = 10 * time.Minute
)

// Config configures the two components of a [System]. The zero Config is
// valid: one worker each, no queue, no waits, no calls to money. Start
// from [DefaultConfig] for the demo.
type Config struct {
	Money MoneyConfig
	App   AppConfig
	// AdminHosts are the host names or IP addresses, besides loopback ones
	// (localhost, 127.0.0.0/8, ::1), that a request to /admin/ may name
	// in its Host header: the addresses the components are bound to. An
	// unspecified address (0.0.0.0 or ::) stands for any IP address,
	// since a server bound to it answers on all of the machine's. See
	// [Component] for why /admin/ checks Host and Origin.
	AdminHosts []string
}

// Pool is a component's concurrency: Workers serve requests, at most Queue
// more wait for a worker, and anything beyond is rejected at once with 503
// and a Retry-After header. Rejecting instead of queueing without end is
// what makes the component saturate like a real server: past its capacity
// the excess fails fast and the served rate stays at capacity.
type Pool struct {
	// Workers is the number of requests served at the same time; below 1
	// counts as 1.
	Workers int
	// Queue is the number of requests that may wait for a worker; 0 means
	// none (a request that finds every worker busy is rejected).
	Queue int
	// MaxWait rejects a request that has waited this long for a worker;
	// 0 means no limit.
	MaxWait time.Duration
	// NoReject queues every request however long the queue, ignoring Queue
	// and MaxWait: for tests of latency under queueing.
	NoReject bool
}

// Stall is a periodic stop-the-world pause, like a long garbage-collection
// pause: every Every, for For, every request of the component blocks,
// whether it is arriving or about to answer. The first pause starts when
// the stall is switched on. The zero Stall (or one with a zero field) is
// off.
type Stall struct {
	Every time.Duration // period between the starts of two pauses
	For   time.Duration // length of each pause; less than Every
}

// On reports whether the stall pauses anything.
func (s Stall) On() bool { return s.Every > 0 && s.For > 0 }

func (s Stall) String() string {
	if !s.On() {
		return "off"
	}
	return fmt.Sprintf("%v every %v", s.For, s.Every)
}

func (s Stall) validate() error {
	switch {
	case s.Every < 0 || s.For < 0:
		return fmt.Errorf("stall %v every %v: durations must not be negative", s.For, s.Every)
	case s.On() && s.For >= s.Every:
		return fmt.Errorf("stall %v every %v: the pause must be shorter than the period", s.For, s.Every)
	case s.For > MaxStallFor || s.Every > MaxStallEvery:
		return fmt.Errorf("stall %v every %v: the pause may last at most %v and the period at most %v", s.For, s.Every, MaxStallFor, MaxStallEvery)
	}
	return nil
}

// MoneyConfig configures money, the CPU-bound valuation service. One
// request values a portfolio exactly (CPU), then sleeps out the rest of
// MinServiceTime, so a worker is busy for max(CPU, MinServiceTime) and the
// capacity is Workers / MinServiceTime whenever the CPU part fits.
type MoneyConfig struct {
	Pool
	// Positions is the portfolio size when a request does not say; 0
	// means DefaultPositions. The CPU work grows linearly with it.
	Positions int
	// MinServiceTime is the least time a worker spends on a request; 0
	// means the CPU work alone.
	MinServiceTime time.Duration
	// Stall pauses money periodically.
	Stall Stall
}

// IODist is the distribution of the app's simulated I/O wait.
type IODist int

// I/O wait distributions: every wait equal to the mean, uniform on
// [0, 2×mean], or exponential with the mean (a long tail).
const (
	IOFixed IODist = iota
	IOUniform
	IOExponential
)

var ioDistNames = []string{"fixed", "uniform", "exponential"}

func (d IODist) String() string {
	if d < 0 || int(d) >= len(ioDistNames) {
		return fmt.Sprintf("IODist(%d)", int(d))
	}
	return ioDistNames[d]
}

// ParseIODist returns the distribution named fixed, uniform or
// exponential.
func ParseIODist(name string) (IODist, error) {
	for i, n := range ioDistNames {
		if n == name {
			return IODist(i), nil
		}
	}
	return 0, fmt.Errorf("unknown I/O wait distribution %q (want fixed, uniform or exponential)", name)
}

// AppConfig configures app, the customer API: every request waits for
// simulated I/O, and some call money over HTTP.
type AppConfig struct {
	Pool
	// IOWait is the mean simulated I/O wait of every request.
	IOWait time.Duration
	// IODist is how the I/O wait is distributed around IOWait.
	IODist IODist
	// MoneyShare is the fraction in [0, 1] of customer-mix requests
	// (GET /) that call money; the others are home-page requests. The
	// share is exact over any run of requests, not just on average.
	MoneyShare float64
	// MoneyURL is money's base URL (http://host:port). It usually exists
	// only once money listens: leave it empty and call
	// [System.SetMoneyURL].
	MoneyURL string
	// MoneyTimeout bounds one call to money; 0 means DefaultMoneyTimeout.
	MoneyTimeout time.Duration
	// Stall pauses app periodically.
	Stall Stall
}

// DefaultConfig returns the demo's configuration:
//
//	money  4 workers × 10 ms, queue 64, 2000 positions ≈ 400 req/s
//	app    64 workers, 20 ms I/O wait, queue 256, 0.6 money calls per
//	       customer-mix request                        ≈ 667 req/s of GET /
//
// See the package documentation for how the capacities follow.
func DefaultConfig() Config {
	return Config{
		Money: MoneyConfig{
			Pool:           Pool{Workers: DefaultMoneyWorkers, Queue: DefaultMoneyQueue},
			Positions:      DefaultPositions,
			MinServiceTime: DefaultMoneyServiceTime,
		},
		App: AppConfig{
			Pool:         Pool{Workers: DefaultAppWorkers, Queue: DefaultAppQueue},
			IOWait:       DefaultAppIOWait,
			MoneyShare:   DefaultMoneyShare,
			MoneyTimeout: DefaultMoneyTimeout,
		},
	}
}

// Validate reports every value out of range, joined. [NewSystem] accepts
// any Config and clamps what is out of range; Validate is for checking
// user input first.
func (c Config) Validate() error {
	var errs []error
	check := func(component string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", component, err))
		}
	}
	check("money", c.Money.Pool.validate())
	check("money", c.Money.Stall.validate())
	if c.Money.Positions < 0 || c.Money.Positions > MaxPositions {
		check("money", fmt.Errorf("positions %d: want 1 to %d", c.Money.Positions, MaxPositions))
	}
	if c.Money.MinServiceTime < 0 {
		check("money", fmt.Errorf("service time %v: must not be negative", c.Money.MinServiceTime))
	}
	check("app", c.App.Pool.validate())
	check("app", c.App.Stall.validate())
	if c.App.IOWait < 0 {
		check("app", fmt.Errorf("I/O wait %v: must not be negative", c.App.IOWait))
	}
	if c.App.IODist < IOFixed || c.App.IODist > IOExponential {
		check("app", fmt.Errorf("unknown I/O wait distribution %v", c.App.IODist))
	}
	if !(c.App.MoneyShare >= 0 && c.App.MoneyShare <= 1) {
		check("app", fmt.Errorf("money share %v: want a fraction in [0, 1]", c.App.MoneyShare))
	}
	if c.App.MoneyTimeout < 0 {
		check("app", fmt.Errorf("money timeout %v: must not be negative", c.App.MoneyTimeout))
	}
	if c.App.MoneyURL != "" {
		if _, err := parseBaseURL(c.App.MoneyURL); err != nil {
			check("app", err)
		}
	}
	return errors.Join(errs...)
}

func (p Pool) validate() error {
	switch {
	case p.Workers < 0:
		return fmt.Errorf("workers %d: must not be negative", p.Workers)
	case p.Queue < 0:
		return fmt.Errorf("queue %d: must not be negative", p.Queue)
	case p.MaxWait < 0:
		return fmt.Errorf("max wait %v: must not be negative", p.MaxWait)
	}
	return nil
}

// Capacity returns the requests per second money serves at most, by
// construction: Workers / MinServiceTime. It is 0 (unknown: it depends on
// the machine) when MinServiceTime is 0.
func (c MoneyConfig) Capacity() float64 {
	if c.MinServiceTime <= 0 {
		return 0
	}
	return float64(max(c.Workers, 1)) / c.MinServiceTime.Seconds()
}

// Capacity returns the customer-mix requests per second (GET /) the
// system serves at most: the lower of app's own limit, Workers / (IOWait
// + MoneyShare × money's service time), and money's limit divided by
// MoneyShare. It is 0 (unknown) when money's capacity is unknown and some
// requests call it, or when app has no I/O wait.
func (c Config) Capacity() float64 {
	share := clamp01(c.App.MoneyShare)
	perRequest := c.App.IOWait.Seconds() + share*c.Money.MinServiceTime.Seconds()
	money := c.Money.Capacity()
	if perRequest <= 0 || (share > 0 && money == 0) {
		return 0
	}
	app := float64(max(c.App.Workers, 1)) / perRequest
	if share > 0 {
		app = min(app, money/share)
	}
	return app
}

func clamp01(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	return min(x, 1)
}

// parseBaseURL checks that s is an absolute http(s) URL with a host.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("money URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("money URL %q: want http://host:port", s)
	}
	return u, nil
}
