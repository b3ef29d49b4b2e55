package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Component is one service of the demo system (money or app): an
// http.Handler with its own worker pool, queue, stall and metrics. It
// serves its API routes plus
//
//	GET /metrics          Prometheus text format, this component only
//	GET /healthz          200 while the process lives
//	GET /readyz           200 when it can serve (app: once money's URL is set)
//	GET|POST /admin/stall the periodic stall; POST ?every=1s&for=100ms sets
//	                      it (at most MaxStallFor every MaxStallEvery),
//	                      every=0 switches it off
//
// Only API routes queue for a worker and stall; the others answer at once.
//
// Paths under /admin/ answer 403 to a request whose Host header names
// neither a loopback address (localhost, 127.0.0.0/8, ::1) nor one of
// Config.AdminHosts, or that carries an Origin other than its own (or
// Sec-Fetch-Site cross-site): a web page open in a browser on the same
// machine can then neither stall the system directly (its Origin is
// foreign) nor through a DNS name rebound to 127.0.0.1 (its Host is).
// Command-line clients such as curl send neither header and pass.
//
// A Component is safe for concurrent use.
type Component struct {
	name    string
	admin   adminGuard
	routes  map[string]route
	pool    *pool
	stall   stallClock
	metrics *metrics
	scrape  http.Handler
	ready   func() error

	cpuNanos atomic.Int64
}

// route is one path of a component.
type route struct {
	path    string
	methods []string
	work    bool // an API route: stalls and queues for a worker
	serve   func(*http.Request) reply
}

// reply is what a route answers: a status code and a body encoded as
// JSON (none when nil).
type reply struct {
	code       int
	body       any
	retryAfter bool   // set Retry-After (the request may be retried later)
	allow      string // set Allow (405)
}

// statusClientClosed is recorded when the client went away before its
// answer was ready (the code nginx uses); nobody reads the answer.
const statusClientClosed = 499

var clientClosed = reply{code: statusClientClosed}

type errorBody struct {
	Error string `json:"error"`
}

func errorReply(code int, err error) reply {
	return reply{code: code, body: errorBody{Error: err.Error()}}
}

// routeOther labels requests for paths a component does not serve.
const routeOther = "other"

func newComponent(name string, cfg Pool, stall Stall, admin adminGuard, routes []route, ready func() error) *Component {
	p := newPool(cfg)
	c := &Component{
		name:   name,
		admin:  admin,
		routes: map[string]route{},
		pool:   p,
		ready:  ready,
	}
	c.metrics = newMetrics(name, p)
	c.scrape = promhttp.HandlerFor(c.metrics.registry, promhttp.HandlerOpts{})
	c.stall.set(stall)
	routes = append(routes,
		route{path: "/healthz", methods: []string{http.MethodGet}, serve: c.serveHealth},
		route{path: "/readyz", methods: []string{http.MethodGet}, serve: c.serveReady},
		route{path: "/admin/stall", methods: []string{http.MethodGet, http.MethodPost}, serve: c.serveStall},
	)
	for _, rt := range routes {
		c.routes[rt.path] = rt
	}
	return c
}

// Name returns "money" or "app", the value of the component label of its
// metrics.
func (c *Component) Name() string { return c.name }

// SetStall switches the component's periodic stall to s (off when s is
// not On). The first pause starts at once.
func (c *Component) SetStall(s Stall) { c.stall.set(s) }

// Stall returns the component's current stall.
func (c *Component) Stall() Stall { return c.stall.get() }

// ServeHTTP serves one request; see [Component] for the routes.
func (c *Component) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/metrics" {
		c.scrape.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	rt, ok := c.routes[r.URL.Path]
	label := rt.path
	var code int
	switch {
	case strings.HasPrefix(r.URL.Path, adminPrefix) && !c.admin.allows(r):
		if !ok {
			label = routeOther
		}
		code = c.write(w, errorReply(http.StatusForbidden, errAdminForbidden))
	case !ok:
		label = routeOther
		code = c.write(w, errorReply(http.StatusNotFound, fmt.Errorf("%s has no route %s", c.name, r.URL.Path)))
	case !slices.Contains(rt.methods, r.Method):
		rep := errorReply(http.StatusMethodNotAllowed, fmt.Errorf("%s %s: method not allowed", r.Method, rt.path))
		rep.allow = strings.Join(rt.methods, ", ")
		code = c.write(w, rep)
	case rt.work:
		code = c.work(w, r, rt)
	default:
		code = c.write(w, rt.serve(r))
	}
	c.metrics.observe(label, code, time.Since(start))
}

// work serves an API request: it waits out a stall, queues for a worker
// (or is rejected), and answers while still holding the worker.
func (c *Component) work(w http.ResponseWriter, r *http.Request, rt route) int {
	ctx := r.Context()
	if c.stall.wait(ctx) != nil {
		return c.write(w, clientClosed)
	}
	if err := c.pool.acquire(ctx); err != nil {
		if errors.Is(err, errQueueFull) || errors.Is(err, errQueueTimeout) {
			c.metrics.rejected.WithLabelValues(rt.path, err.Error()).Inc()
			rep := errorReply(http.StatusServiceUnavailable, fmt.Errorf("%s is overloaded (%s)", c.name, err))
			rep.retryAfter = true
			return c.write(w, rep)
		}
		return c.write(w, clientClosed)
	}
	defer c.pool.release()
	rep := c.serveCounted(r, rt)
	// A stop-the-world pause also holds answers that are ready.
	if c.stall.wait(ctx) != nil {
		rep = clientClosed
	}
	return c.write(w, rep)
}

// serveCounted runs a route on a thread of its own and adds the thread's
// CPU time to the component's CPU counter, so the CPU per request of one
// component can be measured even when it shares a process.
func (c *Component) serveCounted(r *http.Request, rt route) reply {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0, ok0 := threadCPU()
	rep := rt.serve(r)
	if t1, ok1 := threadCPU(); ok0 && ok1 && t1 >= t0 {
		c.metrics.cpu.Add(t1 - t0)
		c.cpuNanos.Add(int64((t1 - t0) * 1e9))
	}
	return rep
}

// CPUSeconds is the CPU time this component's workers have spent serving
// API requests (0 where threads' CPU cannot be read). It is the counter
// demo_cpu_seconds_total, for in-process readers.
func (c *Component) CPUSeconds() float64 { return float64(c.cpuNanos.Load()) / 1e9 }

// write sends rep and returns its status code.
func (c *Component) write(w http.ResponseWriter, rep reply) int {
	h := w.Header()
	if rep.retryAfter {
		h.Set("Retry-After", strconv.Itoa(int(DefaultRetryAfter/time.Second)))
	}
	if rep.allow != "" {
		h.Set("Allow", rep.allow)
	}
	if rep.body == nil {
		w.WriteHeader(rep.code)
		return rep.code
	}
	data, err := json.Marshal(rep.body)
	if err != nil {
		// Every body is a plain struct of strings and numbers; this is
		// a bug, reported as one.
		data, _ = json.Marshal(errorBody{Error: fmt.Sprintf("encode answer: %v", err)})
		rep.code = http.StatusInternalServerError
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(rep.code)
	_, _ = w.Write(append(data, '\n')) // a client that went away is not our error
	return rep.code
}

type statusBody struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

func (c *Component) serveHealth(*http.Request) reply {
	return reply{code: http.StatusOK, body: statusBody{Status: "ok"}}
}

func (c *Component) serveReady(*http.Request) reply {
	if c.ready != nil {
		if err := c.ready(); err != nil {
			return reply{code: http.StatusServiceUnavailable, body: statusBody{Status: "not ready", Error: err.Error()}}
		}
	}
	return reply{code: http.StatusOK, body: statusBody{Status: "ready"}}
}

// stallBody is the JSON of /admin/stall; durations in seconds.
type stallBody struct {
	On           bool    `json:"on"`
	EverySeconds float64 `json:"every_s"`
	ForSeconds   float64 `json:"for_s"`
}

// serveStall shows the stall (GET) or sets it from the query parameters
// every and for, Go durations such as 1s or 100ms (POST).
func (c *Component) serveStall(r *http.Request) reply {
	if r.Method == http.MethodPost {
		var s Stall
		q := r.URL.Query()
		for _, p := range []struct {
			name string
			d    *time.Duration
		}{{"every", &s.Every}, {"for", &s.For}} {
			v := q.Get(p.name)
			if v == "" {
				continue
			}
			d, err := time.ParseDuration(v)
			if err != nil {
				return errorReply(http.StatusBadRequest, fmt.Errorf("%s=%q: want a duration such as 100ms", p.name, v))
			}
			*p.d = d
		}
		if err := s.validate(); err != nil {
			return errorReply(http.StatusBadRequest, err)
		}
		c.SetStall(s)
	}
	s := c.Stall()
	return reply{code: http.StatusOK, body: stallBody{On: s.On(), EverySeconds: s.Every.Seconds(), ForSeconds: s.For.Seconds()}}
}
