// Package prom is headroom's adapter to the Prometheus HTTP API: instant and
// range queries with bearer-token or basic auth, returning plain values for
// the core packages. Credentials are never printed: errors and String()
// show the server URL only.
package prom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Config is how to reach a Prometheus server.
type Config struct {
	URL         string        // e.g. http://127.0.0.1:9090
	BearerToken string        // sent as "Authorization: Bearer …" when set
	Username    string        // basic auth, when set
	Password    string        // basic auth
	Timeout     time.Duration // per query; default 2 minutes
	// Headers are extra request headers (for example a tenant ID for Mimir).
	Headers map[string]string
	// MaxResponseBytes caps the size of one response; a larger one is an
	// error (ErrResponseTooLarge). Default DefaultMaxResponseBytes.
	MaxResponseBytes int64
}

// DefaultMaxResponseBytes is the default cap on one response: far above
// what headroom's aggregated queries return for a large cluster (tens of
// MiB for 100,000 containers), far below what would exhaust memory.
const DefaultMaxResponseBytes = 256 << 20

// ErrResponseTooLarge is returned (wrapped) when a response is larger
// than Config.MaxResponseBytes.
var ErrResponseTooLarge = errors.New("response too large")

// Client queries one Prometheus server. It is safe for concurrent use.
type Client struct {
	api     v1.API
	url     string
	timeout time.Duration
	queries atomic.Int64

	mu       sync.Mutex
	warnings []string
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus URL %q: want http(s)://host:port", cfg.URL)
	}
	if u.User != nil {
		return nil, errors.New("prometheus URL: put credentials in --prometheus-user/--prometheus-password or a bearer token, not in the URL")
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	rt := &authTransport{next: http.DefaultTransport, cfg: cfg, host: u.Host}
	hc := &http.Client{Transport: rt, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		// Credentials go to the server named, never to another host.
		if req.URL.Host != u.Host {
			return fmt.Errorf("prometheus %s redirected to another host (%s): not followed", u.Host, req.URL.Host)
		}
		if len(via) >= 5 {
			return errors.New("prometheus: too many redirects")
		}
		return nil
	}}
	c, err := api.NewClient(api.Config{Address: cfg.URL, Client: hc})
	if err != nil {
		return nil, fmt.Errorf("prometheus client: %w", err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	return &Client{api: v1.NewAPI(c), url: strings.TrimRight(cfg.URL, "/"), timeout: timeout}, nil
}

// String names the server (without credentials).
func (c *Client) String() string { return c.url }

// Queries is the number of queries sent so far.
func (c *Client) Queries() int64 { return c.queries.Load() }

// Warnings returns what the server warned about so far (partial
// responses, dropped series…), each once, in the order first seen.
func (c *Client) Warnings() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.warnings)
}

func (c *Client) warn(ws v1.Warnings) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range ws {
		if !slices.Contains(c.warnings, w) {
			c.warnings = append(c.warnings, w)
		}
	}
}

// shorten keeps error messages readable: a PromQL query can run to
// kilobytes.
func shorten(q string) string {
	if len(q) > 160 {
		return q[:157] + "..."
	}
	return q
}

// Query evaluates an instant query at time at.
func (c *Client) Query(ctx context.Context, q string, at time.Time) (model.Value, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.queries.Add(1)
	v, warnings, _, err := c.api.Query(ctx, q, at)
	c.warn(warnings)
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: query %s: %w", c.url, shorten(q), err)
	}
	return v, nil
}

// QueryRange evaluates a range query from start to end every step.
func (c *Client) QueryRange(ctx context.Context, q string, start, end time.Time, step time.Duration) (model.Matrix, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.queries.Add(1)
	v, warnings, _, err := c.api.QueryRange(ctx, q, v1.Range{Start: start, End: end, Step: step})
	c.warn(warnings)
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: range query %s: %w", c.url, shorten(q), err)
	}
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("prometheus %s: range query %s: got %s, want a matrix", c.url, q, v.Type())
	}
	return m, nil
}

// Vector evaluates an instant query that must return an instant vector.
func (c *Client) Vector(ctx context.Context, q string, at time.Time) (model.Vector, error) {
	v, err := c.Query(ctx, q, at)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case model.Vector:
		return x, nil
	case *model.Scalar:
		return model.Vector{&model.Sample{Value: x.Value, Timestamp: x.Timestamp, Metric: model.Metric{}}}, nil
	}
	return nil, fmt.Errorf("prometheus %s: query %s: got %s, want a vector", c.url, q, v.Type())
}

// authTransport adds credentials to requests for the configured host
// (only: a redirect elsewhere goes without them, and is refused anyway)
// and caps the size of responses.
type authTransport struct {
	next http.RoundTripper
	cfg  Config
	host string
}

func (t *authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if r.URL.Host == t.host {
		switch {
		case t.cfg.BearerToken != "":
			r.Header.Set("Authorization", "Bearer "+t.cfg.BearerToken)
		case t.cfg.Username != "":
			r.SetBasicAuth(t.cfg.Username, t.cfg.Password)
		}
		for k, v := range t.cfg.Headers {
			r.Header.Set(k, v)
		}
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.cfg.MaxResponseBytes {
		resp.Body.Close()
		return nil, t.tooLarge()
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: t.cfg.MaxResponseBytes, err: t.tooLarge()}
	return resp, nil
}

func (t *authTransport) tooLarge() error {
	return fmt.Errorf("%w: more than %d MiB; narrow the query with -n or --prometheus-selector", ErrResponseTooLarge, t.cfg.MaxResponseBytes>>20)
}

// cappedBody fails a read once more than left bytes have been read.
type cappedBody struct {
	io.ReadCloser
	left int64
	err  error
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the cap from a larger one.
		var one [1]byte
		if n, _ := b.ReadCloser.Read(one[:]); n > 0 {
			return 0, b.err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}
