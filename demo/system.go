package demo

import (
	"errors"
	"net/http"
)

// System is the demo system: money and app, each an http.Handler. The
// caller listens (the CLI, or httptest in tests), then tells app where
// money is:
//
//	sys := demo.NewSystem(demo.DefaultConfig())
//	money := httptest.NewServer(sys.Money())
//	sys.SetMoneyURL(money.URL)
//	app := httptest.NewServer(sys.App())
//
// A System is safe for concurrent use and starts no goroutines of its
// own.
type System struct {
	cfg   Config
	money *Component
	app   *Component
	calls *app
}

// NewSystem builds the system. Values out of range are clamped (workers
// below 1 count as 1, a share above 1 as 1, an invalid stall is off); use
// [Config.Validate] to report them instead.
func NewSystem(cfg Config) *System {
	cfg = cfg.normalized()
	s := &System{cfg: cfg}
	m := &money{cfg: cfg.Money}
	admin := newAdminGuard(cfg.AdminHosts)
	s.money = newComponent("money", cfg.Money.Pool, cfg.Money.Stall, admin, []route{
		{path: "/", methods: []string{http.MethodGet}, work: true, serve: m.serveValue},
		{path: "/value", methods: []string{http.MethodGet}, work: true, serve: m.serveValue},
	}, nil)
	a := newApp(cfg.App)
	s.calls = a
	s.app = newComponent("app", cfg.App.Pool, cfg.App.Stall, admin, []route{
		{path: "/", methods: []string{http.MethodGet}, work: true, serve: a.serveMix},
		{path: "/api/home", methods: []string{http.MethodGet}, work: true, serve: a.serveHome},
		{path: "/api/portfolio", methods: []string{http.MethodGet}, work: true, serve: a.servePortfolio},
		{path: "/api/transfer", methods: []string{http.MethodPost}, work: true, serve: a.serveTransfer},
	}, func() error {
		if a.moneyURL.Load() == nil {
			return errors.New("money's URL is not set")
		}
		return nil
	})
	return s
}

// normalized clamps every value into range and fills the zero values that
// stand for a default.
func (c Config) normalized() Config {
	pool := func(p Pool) Pool {
		p.Workers = max(p.Workers, 1)
		p.Queue = max(p.Queue, 0)
		p.MaxWait = max(p.MaxWait, 0)
		return p
	}
	stall := func(s Stall) Stall {
		if s.validate() != nil {
			return Stall{}
		}
		return s
	}
	c.Money.Pool = pool(c.Money.Pool)
	c.Money.Stall = stall(c.Money.Stall)
	if c.Money.Positions <= 0 {
		c.Money.Positions = DefaultPositions
	}
	c.Money.Positions = min(c.Money.Positions, MaxPositions)
	c.Money.MinServiceTime = max(c.Money.MinServiceTime, 0)
	c.App.Pool = pool(c.App.Pool)
	c.App.Stall = stall(c.App.Stall)
	c.App.IOWait = max(c.App.IOWait, 0)
	if c.App.IODist < IOFixed || c.App.IODist > IOExponential {
		c.App.IODist = IOFixed
	}
	c.App.MoneyShare = clamp01(c.App.MoneyShare)
	if c.App.MoneyTimeout <= 0 {
		c.App.MoneyTimeout = DefaultMoneyTimeout
	}
	return c
}

// Config returns the configuration the system runs with, after clamping.
func (s *System) Config() Config { return s.cfg }

// Money returns the money component: GET /value (and GET /) values a
// portfolio.
func (s *System) Money() *Component { return s.money }

// App returns the app component, the customer API: GET / (the customer
// mix), GET /api/home, GET /api/portfolio and POST /api/transfer.
func (s *System) App() *Component { return s.app }

// SetMoneyURL tells app where money listens, as a base URL such as
// http://127.0.0.1:8081. Until it is set, app's /readyz fails and its
// requests that need money get 503.
func (s *System) SetMoneyURL(moneyURL string) error {
	u, err := parseBaseURL(moneyURL)
	if err != nil {
		return err
	}
	s.calls.moneyURL.Store(u)
	return nil
}

// SetStall switches the periodic stall of both components to st (off when
// st is not On); their pauses start together, now.
func (s *System) SetStall(st Stall) {
	s.money.SetStall(st)
	s.app.SetStall(st)
}

// Close releases app's idle connections to money. The handlers keep
// working; a later call to money opens a new connection.
func (s *System) Close() {
	s.calls.client.CloseIdleConnections()
}
