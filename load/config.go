package load

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/headroom-sre/headroom/stats"
	"github.com/headroom-sre/headroom/traffic"
)

// Defaults of a Config's zero fields.
const (
	// DefaultTimeout is the request timeout: a request with no complete
	// response this long after it was sent fails with the timeout class.
	// 30s matches common load balancer and proxy limits; a tighter SLO is
	// better checked with a latency threshold than a short timeout.
	DefaultTimeout = 30 * time.Second
	// DefaultLateThreshold is how long after its due time a request may be
	// sent before it counts as late. Go's timers wake up to about 1ms late
	// on an idle machine, so 5ms flags a generator that fell behind without
	// counting ordinary timer jitter.
	DefaultLateThreshold = 5 * time.Millisecond
	// DefaultMethod is the HTTP method of a target without one.
	DefaultMethod = http.MethodGet
	// DefaultConcurrency is the number of connections of a closed run.
	DefaultConcurrency = 64
	// DefaultMaxInFlight is the in-flight cap of a Config that sets none:
	// enough for 1000 req/s against a target taking 10 s to answer, and
	// well within a generator's open files, so a mistaken rate or a stalled
	// target cannot make the generator open connections without bound.
	DefaultMaxInFlight = 10000
	// DefaultMaxRate is the cap on a shape's peak rate, per second, that
	// the headroom command applies unless told otherwise: above what one
	// generator process sends on common hardware, so a typo such as
	// rate=1e12 is refused instead of becoming a flood. The library applies
	// no rate cap unless Config.MaxRate is set.
	DefaultMaxRate = 50000
	// NoLimit, as Config.MaxInFlight, removes the in-flight cap.
	NoLimit = -1
)

// Protocol selects the HTTP version.
type Protocol int

const (
	// ProtocolAuto speaks HTTP/1.1 with keep-alive to http:// URLs, and
	// negotiates HTTP/2 or HTTP/1.1 by ALPN with https:// URLs.
	ProtocolAuto Protocol = iota
	// ProtocolHTTP1 speaks only HTTP/1.1.
	ProtocolHTTP1
	// ProtocolHTTP2 speaks only HTTP/2 over TLS (https:// URLs).
	ProtocolHTTP2
	// ProtocolH2C speaks HTTP/2 over cleartext TCP with prior knowledge
	// (http:// URLs).
	ProtocolH2C
)

// String is the protocol's name: auto, http/1.1, h2 or h2c.
func (p Protocol) String() string {
	switch p {
	case ProtocolHTTP1:
		return "http/1.1"
	case ProtocolHTTP2:
		return "h2"
	case ProtocolH2C:
		return "h2c"
	}
	return "auto"
}

// Data is a table of values for {{csv.COLUMN}} templates: request n uses
// row n, cycling.
type Data struct {
	Columns []string
	Rows    [][]string
}

// Target is one endpoint of a load test.
type Target struct {
	// Name identifies the target in results; by default its method and URL.
	Name string
	// Method is the HTTP method; DefaultMethod when empty.
	Method string
	// URL is the absolute http:// or https:// URL. Its path and query may
	// hold templates (see CheckTemplate).
	URL string
	// Header holds extra request headers; values may hold templates.
	Header http.Header
	// Body is the request body; it may hold templates.
	Body []byte
	// Weight is the target's share of the arrivals relative to the other
	// targets' weights; 0 means 1.
	Weight float64
	// Data holds rows for {{csv.COLUMN}} templates.
	Data *Data
}

// Config is a load test. The zero values of optional fields select the
// documented defaults.
type Config struct {
	// Targets receive the arrivals, shared by weight.
	Targets []Target
	// Shape is the arrival rate over time (open model). Closed runs ignore it.
	Shape traffic.Shape
	// Arrivals spaces arrivals evenly (Uniform) or randomly (Poisson).
	Arrivals traffic.Arrivals
	// Seed seeds Poisson arrivals and {{rand}} templates.
	Seed uint64
	// Timeout bounds each request, from its send to the end of its
	// response; DefaultTimeout when 0.
	Timeout time.Duration
	// MaxInFlight caps the requests in flight; an arrival that finds the cap
	// reached is dropped and counted. Below the cap concurrency grows as the
	// target slows down (the open model). 0 means DefaultMaxInFlight;
	// NoLimit (or any negative value) removes the cap.
	MaxInFlight int
	// MaxRate, when positive, is the highest peak rate of Shape, per second,
	// that Run accepts: a shape above it is refused with a *RateError
	// before anything is sent (a guard against typos). 0 means no cap.
	MaxRate float64
	// Drain is how long Run waits, once the schedule has ended (or the run
	// was stopped), for the requests still in flight; those still in flight
	// then are counted unfinished. 0 means the timeout plus its deadline
	// slack and a second, so every request ends by its own timeout first.
	Drain time.Duration
	// NoIntervals keeps the returned Run to its totals: intervals go to
	// OnInterval only, and memory stays bounded however long the run (a
	// day-long soak). By default the Run also holds every interval.
	NoIntervals bool
	// Queue makes arrivals that find the MaxInFlight cap reached wait for a
	// free slot instead of being dropped, as with a fixed pool of
	// connections (wrk2): they, and the arrivals behind them, are sent late
	// and counted late, and their latency from the due time includes the
	// wait. Ignored without a cap.
	Queue bool
	// LateThreshold: a request sent more than this after its due time
	// counts as late; DefaultLateThreshold when 0.
	LateThreshold time.Duration
	// Protocol selects the HTTP version.
	Protocol Protocol
	// Insecure skips TLS certificate verification.
	Insecure bool
	// Version and Host are written to the results header.
	Version, Host string
	// OnStart, when set, is called once with the run's header before any
	// request is sent.
	OnStart func(*stats.Header)
	// OnInterval, when set, is called once per second with the interval
	// that just ended, in order, from a single goroutine. The interval is
	// the caller's to keep; it is also part of the returned Run unless
	// NoIntervals is set. A slow callback delays the next one, never the
	// requests.
	OnInterval func(*stats.Interval)
}

func (c *Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// maxInFlight is the in-flight cap; 0 means none.
func (c *Config) maxInFlight() int {
	switch {
	case c.MaxInFlight == 0:
		return DefaultMaxInFlight
	case c.MaxInFlight < 0:
		return 0
	}
	return c.MaxInFlight
}

// drain is how long to wait for the requests in flight at the end.
func (c *Config) drain() time.Duration {
	if c.Drain > 0 {
		return c.Drain
	}
	return c.timeout() + slackOf(c.timeout()) + time.Second
}

func (c *Config) lateThreshold() time.Duration {
	if c.LateThreshold > 0 {
		return c.LateThreshold
	}
	return DefaultLateThreshold
}

// target is a Target ready to send.
type target struct {
	Target
	name    string
	method  string
	weight  float64
	scheme  string // http or https
	host    string // host[:port] as written
	addr    string // host:port to dial
	reqPath *tmpl  // path and query
	url     *tmpl  // the whole URL (net/http path)
	headers []header
	body    *tmpl
	shown   string // the URL with its secrets redacted, for results and errors
	lean    bool   // sent by the lean HTTP/1.1 client
	static  []byte // the whole serialised request, when nothing is templated (lean)

	seq atomic.Int64 // closed model: the target's request count
}

type header struct {
	key   string
	value *tmpl
}

// ErrNoTargets is returned for a Config without targets.
var ErrNoTargets = errors.New("no targets: give at least one URL")

// prepare validates the targets and compiles their templates.
func prepare(cfg *Config) ([]*target, error) {
	if len(cfg.Targets) == 0 {
		return nil, ErrNoTargets
	}
	var out []*target
	names := map[string]int{}
	var errs []error
	for i, t := range cfg.Targets {
		pt, err := prepareTarget(cfg, i, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		names[pt.name]++
		if n := names[pt.name]; n > 1 {
			pt.name = fmt.Sprintf("%s#%d", pt.name, n)
		}
		out = append(out, pt)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func prepareTarget(cfg *Config, i int, t Target) (*target, error) {
	pt := &target{Target: t, method: strings.ToUpper(t.Method), weight: t.Weight}
	if pt.method == "" {
		pt.method = DefaultMethod
	}
	if pt.weight == 0 {
		pt.weight = 1
	}
	shown := RedactURL(t.URL) // the URL as errors and results show it
	label := t.Name
	if label == "" {
		label = shown
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("target %d (%s): %s", i+1, label, fmt.Sprintf(format, args...))
	}
	if pt.weight < 0 || math.IsNaN(pt.weight) || math.IsInf(pt.weight, 0) {
		return nil, fail("weight %g must be a positive number", t.Weight)
	}
	if !validToken(pt.method) {
		return nil, fail("method %q is not a valid HTTP method", t.Method)
	}
	scheme, rest, ok := strings.Cut(t.URL, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "http" && scheme != "https") {
		return nil, fail("URL %q must start with http:// or https://", shown)
	}
	host, pathq := rest, "/"
	if k := strings.IndexAny(rest, "/?"); k >= 0 {
		host, pathq = rest[:k], rest[k:]
		if pathq[0] == '?' {
			pathq = "/" + pathq
		}
	}
	if k := strings.IndexByte(pathq, '#'); k >= 0 {
		pathq = pathq[:k]
	}
	if strings.Contains(host, "{{") {
		return nil, fail("URL %q: the host may not hold templates", shown)
	}
	u, err := url.Parse(scheme + "://" + host + "/")
	if err != nil || u.Hostname() == "" {
		return nil, fail("URL %q has no valid host", shown)
	}
	pt.scheme, pt.host = scheme, u.Host
	if u.User != nil && t.Header.Get("Authorization") == "" {
		// user:password@ in the URL is HTTP basic authentication, as with curl.
		pass, _ := u.User.Password()
		auth := base64.StdEncoding.EncodeToString([]byte(u.User.Username() + ":" + pass))
		pt.Target.Header = t.Header.Clone()
		if pt.Target.Header == nil {
			pt.Target.Header = http.Header{}
		}
		pt.Target.Header.Set("Authorization", "Basic "+auth)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	pt.addr = joinHostPort(u.Hostname(), port)
	var cols []string
	if t.Data != nil {
		if len(t.Data.Rows) == 0 {
			return nil, fail("the data has no rows")
		}
		cols = t.Data.Columns
	}
	if pt.reqPath, err = compile(pathq, cols, 1); err != nil {
		return nil, fail("URL: %v", err)
	}
	for _, p := range pt.reqPath.parts {
		if p.kind == partLit && strings.ContainsAny(p.lit, " \r\n") {
			return nil, fail("URL %q: the path may not hold spaces or line breaks (encode them as %%20)", shown)
		}
	}
	if pt.url, err = compile(scheme+"://"+pt.host+pathq, cols, 1); err != nil {
		return nil, fail("URL: %v", err)
	}
	if pt.body, err = compile(string(t.Body), cols, 2); err != nil {
		return nil, fail("body: %v", err)
	}
	for k, key := range sortedKeys(pt.Target.Header) {
		if !validToken(key) {
			// Not quoted whole: a mistyped header may hold its secret in the name.
			return nil, fail("header name %q… is not a valid HTTP header name (no spaces or separators)", tokenPrefix(key))
		}
		for _, v := range pt.Target.Header[key] {
			if strings.ContainsAny(v, "\r\n") {
				return nil, fail("header %s: the value may not hold line breaks", key)
			}
			vt, err := compile(v, cols, uint64(3+k))
			if err != nil {
				return nil, fail("header %s: %v", key, err)
			}
			pt.headers = append(pt.headers, header{key: http.CanonicalHeaderKey(key), value: vt})
		}
	}
	pt.name = t.Name
	if pt.name == "" {
		pt.name = shown
		if pt.method != http.MethodGet {
			pt.name = pt.method + " " + shown
		}
	}
	pt.shown = shown
	switch cfg.Protocol {
	case ProtocolHTTP2:
		if scheme != "https" {
			return nil, fail("HTTP/2 over TLS needs an https:// URL; for cleartext HTTP/2 use h2c")
		}
	case ProtocolH2C:
		if scheme != "http" {
			return nil, fail("h2c is HTTP/2 over cleartext TCP and needs an http:// URL")
		}
	}
	pt.lean = scheme == "http" && (cfg.Protocol == ProtocolAuto || cfg.Protocol == ProtocolHTTP1)
	if pt.lean && pt.reqPath.static() && pt.body.static() && staticHeaders(pt.headers) {
		pt.static = pt.appendRequest(nil, nil, 1, 1, 0, cfg.Version)
	}
	return pt, nil
}

func staticHeaders(hs []header) bool {
	for _, h := range hs {
		if !h.value.static() {
			return false
		}
	}
	return true
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// tokenPrefix is the part of s before its first character that may not
// appear in an HTTP token.
func tokenPrefix(s string) string {
	for i := 0; i < len(s); i++ {
		if !validToken(s[i : i+1]) {
			return s[:i]
		}
	}
	return s
}

// validToken reports whether s is an HTTP token (a method or header name).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
