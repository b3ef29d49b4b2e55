package demo

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// LatencyBuckets returns the upper bounds, in seconds, of the
// http_request_duration_seconds histogram: dense where latency SLOs
// usually sit (100–500 ms). A latency objective whose threshold is one of
// them is measured exactly from the histogram.
func LatencyBuckets() []float64 {
	return []float64{.005, .01, .025, .05, .1, .2, .3, .5, 1, 2.5, 5}
}

// metrics are one component's Prometheus series, in a registry of its
// own. Every series carries the constant label component.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec   // route, code
	duration *prometheus.HistogramVec // route
	rejected *prometheus.CounterVec   // route, reason
	cpu      prometheus.Counter       // CPU seconds spent serving API requests
}

func newMetrics(component string, p *pool) *metrics {
	labels := prometheus.Labels{"component": component}
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        "http_requests_total",
			Help:        "HTTP requests answered, by route and status code.",
			ConstLabels: labels,
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:        "http_request_duration_seconds",
			Help:        "Time from a request's arrival to its answer, queueing and stalls included.",
			ConstLabels: labels,
			Buckets:     LatencyBuckets(),
		}, []string{"route"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        "http_requests_rejected_total",
			Help:        "Requests rejected with 503 because the queue was full (queue_full) or the wait too long (queue_timeout).",
			ConstLabels: labels,
		}, []string{"route", "reason"}),
		cpu: prometheus.NewCounter(prometheus.CounterOpts{
			Name:        "demo_cpu_seconds_total",
			Help:        "CPU time spent by this component's workers serving API requests (Linux: per-thread accounting; 0 elsewhere). Unlike process_cpu_seconds_total it excludes other components and load generators sharing the process.",
			ConstLabels: labels,
		}),
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: labels}, f)
	}
	m.registry.MustRegister(
		m.requests, m.duration, m.rejected, m.cpu,
		gauge("http_requests_in_flight", "Requests being served by a worker.",
			func() float64 { return float64(p.busy.Load()) }),
		gauge("http_requests_queued", "Requests waiting for a worker.",
			func() float64 { return float64(p.queued.Load()) }),
		gauge("demo_workers", "Workers of the component: at most this many requests are served at once.",
			func() float64 { return float64(p.cfg.Workers) }),
		// The whole process: when both components (or a load generator)
		// share a process, they share this counter.
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector(),
	)
	return m
}

// observe records one answered request.
func (m *metrics) observe(route string, code int, took time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route).Observe(took.Seconds())
}
