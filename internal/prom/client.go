// Package prom is headroom's adapter to the Prometheus HTTP API: instant and
// range queries with bearer-token or basic auth, returning plain values for
// the core packages. Credentials are never printed: errors and String()
// show the server URL only.
package prom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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
}

// Client queries one Prometheus server. It is safe for concurrent use.
type Client struct {
	api     v1.API
	url     string
	timeout time.Duration
	queries atomic.Int64
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
	rt := http.DefaultTransport
	rt = &authTransport{next: rt, cfg: cfg}
	c, err := api.NewClient(api.Config{Address: cfg.URL, RoundTripper: rt})
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

// Query evaluates an instant query at time at.
func (c *Client) Query(ctx context.Context, q string, at time.Time) (model.Value, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.queries.Add(1)
	v, _, _, err := c.api.Query(ctx, q, at)
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: query %s: %w", c.url, q, err)
	}
	return v, nil
}

// QueryRange evaluates a range query from start to end every step.
func (c *Client) QueryRange(ctx context.Context, q string, start, end time.Time, step time.Duration) (model.Matrix, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.queries.Add(1)
	v, _, _, err := c.api.QueryRange(ctx, q, v1.Range{Start: start, End: end, Step: step})
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: range query %s: %w", c.url, q, err)
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

type authTransport struct {
	next http.RoundTripper
	cfg  Config
}

func (t *authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	switch {
	case t.cfg.BearerToken != "":
		r.Header.Set("Authorization", "Bearer "+t.cfg.BearerToken)
	case t.cfg.Username != "":
		r.SetBasicAuth(t.cfg.Username, t.cfg.Password)
	}
	for k, v := range t.cfg.Headers {
		r.Header.Set(k, v)
	}
	return t.next.RoundTrip(r)
}
