package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/demo"
)

func (a *app) newDemoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on a built-in sample system",
		Long:  demoLong,
		Args:  cobra.NoArgs,
	}
	f := a.newDemoRunFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return a.runDemo(cmd, f) }
	cmd.AddCommand(a.newDemoServeCmd())
	return cmd
}

// Defaults of `headroom demo serve` beyond the demo package's own.
const (
	defaultMoneyAddr       = "127.0.0.1:8081"
	defaultAppAddr         = "127.0.0.1:8080"
	demoShutdownTimeout    = 5 * time.Second
	demoReadHeaderTimeout  = 10 * time.Second
	demoStallOnBoth        = "both"
	demoStallOnFlagChoices = "money, app or both"
)

// demoServeFlags are the flags of `headroom demo serve`; the knobs bind
// straight into the demo configuration.
type demoServeFlags struct {
	moneyAddr, appAddr string
	cfg                demo.Config
	ioDist             string
	stall              demo.Stall
	stallOn            string
	noReject           bool
}

func (a *app) newDemoServeCmd() *cobra.Command {
	f := demoServeFlags{cfg: demo.DefaultConfig()}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the built-in sample system on loopback until interrupted",
		Long: `Serve the built-in sample system, a small fintech backend, on loopback:

  money  exact portfolio valuation, CPU-bound: GET /value (and GET /)
  app    the customer API: GET / (the customer mix), GET /api/home,
         GET /api/portfolio (calls money), POST /api/transfer (calls money)

Each has a bounded pool of workers and a bounded queue, so it saturates like
a real server: past its capacity the excess is rejected with 503. Money's
capacity is known by construction: workers / service time (400 req/s by
default). Both serve /metrics (Prometheus), /healthz, /readyz and
/admin/stall (POST ?every=1s&for=100ms switches a periodic stall on,
every=0 off; a pause of at most 5s, every 10m at most). Use port 0 for any
free port; the URLs are printed.

/admin/ answers only requests addressed to this server — a Host header
naming localhost, a loopback address or the address bound — and without a
foreign Origin (or Sec-Fetch-Site: cross-site), with 403 otherwise: a web
page open in a browser cannot stall the system, directly or through a DNS
name rebound to 127.0.0.1. curl and other command-line clients pass.
Binding beyond loopback (0.0.0.0, a LAN address) prints a warning: anyone
who can reach the port can load it.`,
		Example: `  headroom demo serve
  headroom load --url http://127.0.0.1:8080/ --shape constant:rate=300,for=30s
  headroom demo serve --money-workers 8 --stall-every 1s --stall-for 100ms`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runDemoServe(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.moneyAddr, "money-addr", defaultMoneyAddr, "address money listens on (host:port; port 0 picks a free one)")
	fl.StringVar(&f.appAddr, "app-addr", defaultAppAddr, "address app listens on (host:port; port 0 picks a free one)")

	m := &f.cfg.Money
	fl.IntVar(&m.Workers, "money-workers", demo.DefaultMoneyWorkers, "money's workers: valuations served at once")
	fl.IntVar(&m.Queue, "money-queue", demo.DefaultMoneyQueue, "valuations that may wait for a worker before money rejects with 503")
	fl.DurationVar(&m.MaxWait, "money-max-wait", 0, "reject a valuation that waited this long for a worker (0: no limit)")
	fl.DurationVar(&m.MinServiceTime, "money-service-time", demo.DefaultMoneyServiceTime, "least time a worker spends on a valuation (capacity = workers / this)")
	fl.IntVar(&m.Positions, "positions", demo.DefaultPositions, "positions per valuation: money's CPU work per request")

	p := &f.cfg.App
	fl.IntVar(&p.Workers, "app-workers", demo.DefaultAppWorkers, "app's workers: requests served at once")
	fl.IntVar(&p.Queue, "app-queue", demo.DefaultAppQueue, "requests that may wait for a worker before app rejects with 503")
	fl.DurationVar(&p.MaxWait, "app-max-wait", 0, "reject a request that waited this long for a worker (0: no limit)")
	fl.DurationVar(&p.IOWait, "io-wait", demo.DefaultAppIOWait, "app's mean simulated I/O wait per request")
	fl.StringVar(&f.ioDist, "io-dist", demo.IOFixed.String(), "distribution of the I/O wait: fixed, uniform or exponential")
	fl.Float64Var(&p.MoneyShare, "money-share", demo.DefaultMoneyShare, "fraction of GET / requests that call money, in [0, 1]")
	fl.DurationVar(&p.MoneyTimeout, "money-timeout", demo.DefaultMoneyTimeout, "app's timeout for one call to money")

	fl.DurationVar(&f.stall.Every, "stall-every", 0, "start a stop-the-world pause this often (with --stall-for)")
	fl.DurationVar(&f.stall.For, "stall-for", 0, "length of each pause (with --stall-every)")
	fl.StringVar(&f.stallOn, "stall-on", demoStallOnBoth, "which components stall: "+demoStallOnFlagChoices)
	fl.BoolVar(&f.noReject, "no-reject", false, "queue every request however long the queue, never rejecting (for latency tests)")
	return cmd
}

// config checks the flags and returns the system's configuration.
func (f demoServeFlags) config() (demo.Config, error) {
	cfg := f.cfg
	var err error
	if cfg.App.IODist, err = demo.ParseIODist(f.ioDist); err != nil {
		return cfg, usageError(fmt.Errorf("--io-dist: %w", err), "for example --io-dist exponential, for a long tail")
	}
	if (f.stall.Every == 0) != (f.stall.For == 0) {
		return cfg, usageErrorf("give both, for example --stall-every 1s --stall-for 100ms",
			"--stall-every and --stall-for go together")
	}
	switch f.stallOn {
	case "money":
		cfg.Money.Stall = f.stall
	case "app":
		cfg.App.Stall = f.stall
	case demoStallOnBoth:
		cfg.Money.Stall, cfg.App.Stall = f.stall, f.stall
	default:
		return cfg, usageErrorf("for example --stall-on money", "--stall-on %q: want %s", f.stallOn, demoStallOnFlagChoices)
	}
	cfg.Money.NoReject, cfg.App.NoReject = f.noReject, f.noReject
	if err := cfg.Validate(); err != nil {
		// One line for the user, however many problems.
		return cfg, usageErrorf("run `headroom demo serve --help` for the knobs and their ranges",
			"%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	for _, addr := range []struct{ flag, value string }{{"--money-addr", f.moneyAddr}, {"--app-addr", f.appAddr}} {
		if _, _, err := net.SplitHostPort(addr.value); err != nil {
			return cfg, usageErrorf("write host:port, for example 127.0.0.1:8080", "%s %q: %v", addr.flag, addr.value, err)
		}
	}
	return cfg, nil
}

// runDemoServe serves money and app until ctx is done, then shuts both
// down gracefully.
func (a *app) runDemoServe(ctx context.Context, f demoServeFlags) error {
	cfg, err := f.config()
	if err != nil {
		return err
	}
	d, err := startDemo(ctx, cfg, f.moneyAddr, f.appAddr)
	if err != nil {
		return err
	}
	for _, c := range []struct{ name, flag, asked, url string }{{"money", "--money-addr", f.moneyAddr, d.moneyURL}, {"app", "--app-addr", f.appAddr, d.appURL}} {
		if w := bindWarning(c.name, c.flag, c.asked, strings.TrimPrefix(c.url, "http://")); w != "" {
			fmt.Fprintln(a.stdio.Err, w)
		}
	}
	printDemoServe(a.stdio.Out, d.sys.Config(), d.moneyURL, d.appURL)
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-d.failed:
	}
	d.shutdown(context.WithoutCancel(ctx))
	if serveErr != nil {
		return withHint(fmt.Errorf("serve: %w", serveErr), "")
	}
	fmt.Fprintln(a.stdio.Out, "stopped")
	return nil
}

// demoServers is the demo system listening: money and app each on its own
// HTTP server. `headroom demo` runs its pipeline against one.
type demoServers struct {
	sys              *demo.System
	moneyURL, appURL string // http://host:port
	servers          []*http.Server
	failed           chan error // a server that stopped serving by itself
}

// startDemo builds the system from cfg and serves money on moneyAddr and
// app on appAddr (host:port; port 0 for a free one). It returns once both
// listen; their goroutines stop in shutdown.
func startDemo(ctx context.Context, cfg demo.Config, moneyAddr, appAddr string) (*demoServers, error) {
	var lc net.ListenConfig
	moneyLn, err := lc.Listen(ctx, "tcp", moneyAddr)
	if err != nil {
		return nil, withHint(fmt.Errorf("money: %w", err), "is the port taken? choose another with --money-addr, or port 0 for a free one")
	}
	appLn, err := lc.Listen(ctx, "tcp", appAddr)
	if err != nil {
		moneyLn.Close()
		return nil, withHint(fmt.Errorf("app: %w", err), "is the port taken? choose another with --app-addr, or port 0 for a free one")
	}
	// /admin/ takes requests addressed to a bound address: the one asked
	// for (a host name, perhaps) and the one listened on.
	for _, addr := range []string{moneyAddr, appAddr, moneyLn.Addr().String(), appLn.Addr().String()} {
		if h, _, err := net.SplitHostPort(addr); err == nil && h != "" {
			cfg.AdminHosts = append(cfg.AdminHosts, h)
		}
	}
	d := &demoServers{
		sys:      demo.NewSystem(cfg),
		moneyURL: "http://" + moneyLn.Addr().String(),
		appURL:   "http://" + appLn.Addr().String(),
		failed:   make(chan error, 2),
	}
	if err := d.sys.SetMoneyURL(d.moneyURL); err != nil {
		moneyLn.Close()
		appLn.Close()
		return nil, err
	}
	// App first: shutdown stops it first, as its requests may be
	// waiting for money.
	for _, c := range []struct {
		h  http.Handler
		ln net.Listener
	}{{d.sys.App(), appLn}, {d.sys.Money(), moneyLn}} {
		srv := &http.Server{Handler: c.h, ReadHeaderTimeout: demoReadHeaderTimeout}
		d.servers = append(d.servers, srv)
		go func() {
			// Serve returns ErrServerClosed once shutdown starts.
			if err := srv.Serve(c.ln); !errors.Is(err, http.ErrServerClosed) {
				d.failed <- err
			}
		}()
	}
	return d, nil
}

// bindWarning is the warning for a component listening beyond loopback,
// or "" when it listens on loopback only. asked is the address the flag
// gave (host:port), bound the one listened on.
func bindWarning(name, flag, asked, bound string) string {
	host, port, err := net.SplitHostPort(bound)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return ""
	}
	if h, _, err := net.SplitHostPort(asked); err == nil {
		host = h // as the user wrote it: 0.0.0.0 rather than [::]
	}
	where := net.JoinHostPort(host, port)
	if host == "" {
		where += " (every address)"
	}
	return fmt.Sprintf("warning: %s listens on %s, beyond loopback: anyone who can reach this port can load it (its /admin/ endpoints still answer only requests addressed to it, without a foreign Origin); use %s 127.0.0.1:PORT to keep it local",
		name, where, flag)
}

// shutdown stops the servers gracefully: each finishes its requests, for
// at most demoShutdownTimeout in all, and is then closed.
func (d *demoServers) shutdown(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, demoShutdownTimeout)
	defer cancel()
	for _, srv := range d.servers {
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close() // requests still running past the timeout are cut off
		}
	}
	d.sys.Close()
}

// printDemoServe says where the components listen and what they can take.
func printDemoServe(w io.Writer, cfg demo.Config, moneyURL, appURL string) {
	capacity := func(rate float64) string {
		if rate <= 0 {
			return "capacity depends on the machine"
		}
		return fmt.Sprintf("at most %.0f req/s", rate)
	}
	queue := func(p demo.Pool) string {
		if p.NoReject {
			return "unbounded queue"
		}
		return fmt.Sprintf("queue %d", p.Queue)
	}
	m, p := cfg.Money, cfg.App
	fmt.Fprintf(w, "money  %s  %d workers × %v, %s, %d positions: %s\n",
		moneyURL, m.Workers, m.MinServiceTime, queue(m.Pool), m.Positions, capacity(m.Capacity()))
	fmt.Fprintf(w, "app    %s  %d workers, %v %s I/O wait, %s, %.2g money calls per GET /: %s\n",
		appURL, p.Workers, p.IOWait, p.IODist, queue(p.Pool), p.MoneyShare, capacity(cfg.Capacity()))
	fmt.Fprintf(w, "stall  money %v, app %v\n", m.Stall, p.Stall)
	fmt.Fprintln(w, "Serving until interrupted (Ctrl-C).")
}
