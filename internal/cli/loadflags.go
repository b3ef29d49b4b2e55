package cli

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
)

// targetFlags say what to send and how. `headroom load` uses them, and so
// will `headroom capacity`.
type targetFlags struct {
	urls        []string
	file        string
	method      string
	headers     []string
	body        string
	http1       bool
	http2       bool
	h2c         bool
	insecure    bool
	timeout     time.Duration
	maxInFlight int
	lateAfter   time.Duration
	queue       bool
	arrivals    string
	seed        uint64
}

func (f *targetFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.urls, "url", nil, "target URL (repeatable; arrivals are shared evenly); path and query may hold {{seq}} and {{rand MIN MAX}}")
	fs.StringVarP(&f.file, "file", "f", "", "scenario file (YAML, kind: Scenario) with weighted targets, shape and thresholds")
	fs.StringVarP(&f.method, "method", "X", load.DefaultMethod, "HTTP method for --url targets")
	fs.StringArrayVarP(&f.headers, "header", "H", nil, `request header "Name: value" (repeatable; added to every target)`)
	fs.StringVar(&f.body, "body", "", "request body for --url targets, or @FILE to read it from a file")
	fs.BoolVar(&f.http1, "http1", false, "speak only HTTP/1.1 (also over TLS)")
	fs.BoolVar(&f.http2, "http2", false, "speak only HTTP/2 over TLS (https:// URLs)")
	fs.BoolVar(&f.h2c, "h2c", false, "speak HTTP/2 over cleartext TCP with prior knowledge (http:// URLs)")
	fs.BoolVarP(&f.insecure, "insecure", "k", false, "skip TLS certificate verification")
	fs.DurationVar(&f.timeout, "timeout", load.DefaultTimeout, "request timeout, from send to the end of the response")
	fs.IntVar(&f.maxInFlight, "max-inflight", load.DefaultMaxInFlight, "cap on requests in flight; arrivals beyond it are dropped and counted (0: no cap)")
	fs.BoolVar(&f.queue, "queue", false, "with --max-inflight: arrivals wait for a free slot instead of being dropped (sent late, like a fixed connection pool)")
	fs.StringVar(&f.arrivals, "arrivals", "uniform", "arrival process: uniform or poisson")
	fs.Uint64Var(&f.seed, "seed", 1, "seed for poisson arrivals and {{rand}} templates")
	fs.DurationVar(&f.lateAfter, "late-after", load.DefaultLateThreshold, "a request sent more than this after its due time counts as late (the generator fell behind)")
}

// loadPlan is what the target flags and an optional scenario resolve to.
type loadPlan struct {
	cfg        load.Config
	shape      *traffic.Curve    // from the scenario, if any
	thresholds []stats.Threshold // from the scenario, if any
	name       string            // the scenario's name, if any
}

// resolve turns the flags (and the scenario file, if any) into a load
// configuration. Flags given explicitly win over the scenario.
func (f *targetFlags) resolve(a *app, cmd *cobra.Command) (*loadPlan, error) {
	changed := cmd.Flags().Changed
	p := &loadPlan{}
	cfg := &p.cfg
	cfg.Version, cfg.Timeout, cfg.MaxInFlight, cfg.Queue, cfg.Seed, cfg.Insecure = Version, f.timeout, f.maxInFlight, f.queue, f.seed, f.insecure
	if f.maxInFlight == 0 {
		cfg.MaxInFlight = load.NoLimit // --max-inflight 0: the open model without a cap
	}
	cfg.LateThreshold = f.lateAfter
	if host, err := os.Hostname(); err == nil {
		cfg.Host = host
	}
	switch {
	case f.file != "" && len(f.urls) > 0:
		return nil, usageErrorf("put every target in the scenario file, or use --url without -f", "--url and -f cannot be used together")
	case f.file == "" && len(f.urls) == 0:
		return nil, usageErrorf("for example: --url http://127.0.0.1:8080/", "no target: give --url or -f scenario.yaml")
	}
	arrivals := f.arrivals
	if f.file != "" {
		sc, err := a.readScenario(f.file)
		if err != nil {
			return nil, err
		}
		s := &sc.Spec
		p.shape, p.thresholds, p.name = s.Shape.Curve, s.Thresholds, sc.Metadata.Name
		if s.Arrivals != "" && !changed("arrivals") {
			arrivals = s.Arrivals
		}
		if s.Timeout > 0 && !changed("timeout") {
			cfg.Timeout = s.Timeout
		}
		if s.MaxInFlight > 0 && !changed("max-inflight") {
			cfg.MaxInFlight = s.MaxInFlight
		}
		if s.Seed != 0 && !changed("seed") {
			cfg.Seed = s.Seed
		}
		cfg.Targets = pipeline.ScenarioTargets(sc)
	} else {
		body := []byte(f.body)
		if name, ok := strings.CutPrefix(f.body, "@"); ok {
			data, err := readNamed(name)
			if err != nil {
				return nil, usageError(fmt.Errorf("--body: %w", err), "--body @FILE reads the body from FILE")
			}
			body = data
		}
		for _, u := range f.urls {
			cfg.Targets = append(cfg.Targets, load.Target{Method: f.method, URL: u, Body: body, Header: http.Header{}})
		}
	}
	for i, h := range f.headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			// Never echo it: a mistyped header is often a credential.
			return nil, usageErrorf(`write headers as -H "Name: value", with a colon after the name`,
				"header %d of -H is malformed (its text is not shown: it may hold a secret)", i+1)
		}
		for i := range cfg.Targets {
			cfg.Targets[i].Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	var err error
	if cfg.Arrivals, err = traffic.ParseArrivals(arrivals); err != nil {
		return nil, usageError(err, "")
	}
	n := 0
	for _, on := range []bool{f.http1, f.http2, f.h2c} {
		if on {
			n++
		}
	}
	switch {
	case n > 1:
		return nil, usageErrorf("", "choose one of --http1, --http2 and --h2c")
	case f.http1:
		cfg.Protocol = load.ProtocolHTTP1
	case f.http2:
		cfg.Protocol = load.ProtocolHTTP2
	case f.h2c:
		cfg.Protocol = load.ProtocolH2C
	}
	if f.maxInFlight < 0 {
		return nil, usageErrorf("", "--max-inflight must be 0 (no cap) or more")
	}
	if cfg.LateThreshold <= 0 {
		return nil, usageErrorf("the default is 5ms", "--late-after must be positive")
	}
	if cfg.Timeout <= 0 {
		return nil, usageErrorf("", "--timeout must be positive")
	}
	return p, nil
}

// readScenario reads and checks a scenario file.
func (a *app) readScenario(path string) (*spec.Scenario, error) {
	sc, err := pipeline.ReadScenario(a.files(), path)
	return sc, decideError(err)
}
