package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// CustomMetrics is how Pods, Object and External metrics reach the HPA:
// Prometheus (or Google Cloud Managed Service for Prometheus) scrapes the
// pods' counters every Scrape; the adapter (prometheus-adapter, KEDA's
// metrics server, the Stackdriver adapter) answers the HPA with a
// rate(counter[RateWindow]) query, evaluated Delay behind (ingestion) and
// cached for Adapter (when the adapter caches). Each stage adds lag: a step
// in traffic shows in full only a rate window and a scrape later — minutes,
// where metrics-server takes seconds.
//
// A Pods metric is the per-pod request rate the component serves; an
// Object or External metric is the rate of requests it receives.
type CustomMetrics struct {
	// RateWindow is the range of the query's rate(); 0 means
	// [DefaultCustomRateWindow]. It must hold two scrapes.
	RateWindow time.Duration
	// Scrape is the Prometheus scrape interval of the pods; 0 means
	// [DefaultCustomScrape].
	Scrape time.Duration
	// Adapter is how long the adapter caches a value (KEDA with
	// useCachedMetrics: its pollingInterval, 30 s by default); 0 means
	// none: the query runs on each of the HPA's requests, as
	// prometheus-adapter and KEDA do by default.
	Adapter time.Duration
	// Delay is the time from a scrape to the sample being queryable
	// (ingestion into a managed backend); 0 means none.
	Delay time.Duration
}

// Defaults of the metrics pipelines, with their sources.
const (
	// DefaultHousekeeping is the kubelet's cAdvisor housekeeping interval
	// (kubelet --housekeeping-interval, 10s): the sample metrics-server
	// scrapes is up to that old, 5 s on average.
	DefaultHousekeeping = 10 * time.Second
	// DefaultCustomRateWindow is the rate() range of prometheus-adapter's
	// default rules (the prometheus-community/prometheus-adapter chart:
	// sum(rate(<series>[5m]))). Queries written by hand often use 1m or
	// 2m: set it to yours.
	DefaultCustomRateWindow = 5 * time.Minute
	// DefaultCustomScrape is Prometheus' default global scrape_interval
	// (1m). Managed Service for Prometheus' PodMonitoring examples and
	// most ServiceMonitors use 30s: set it to yours.
	DefaultCustomScrape = time.Minute
)

// Serving is how a pod that is Ready comes to take its full share of
// traffic. The zero value is at once and in full, which is optimistic.
//
// Where the values come from: inside a cluster, kube-proxy applies
// endpoint changes at most every --iptables-min-sync-period (1s by
// default). Behind GKE's container-native load balancing with the
// readiness gate cloud.google.com/load-balancer-neg-ready (set by the
// Ingress and Gateway controllers), a pod is Ready only once the load
// balancer's health check passes on it (ReadinessGate): its endpoint is
// attached to the network endpoint group, then must pass the health
// check's healthy threshold times its interval (2 × 5 s with Compute
// Engine's health-check defaults), so at least about 10 s; measure yours
// from the pods' Ready transitions against ContainersReady. A JVM or a
// cache-backed service warms up for tens of seconds to minutes; gRPC and
// HTTP/2 clients keep their connections until the server's max
// connection age (none unless set).
type Serving struct {
	// Propagation is the time from a pod's readiness to its first
	// requests: endpoints reach the proxies or the load balancer.
	Propagation time.Duration
	// ReadinessGate tells that the pod has a readiness gate on the load
	// balancer (GKE container-native load balancing): Propagation then
	// happens before the pod is Ready, and the HPA counts it unready
	// meanwhile.
	ReadinessGate bool
	// WarmUp is how long a new pod takes to reach full capacity once it
	// receives traffic; its capacity rises linearly from WarmUpCapacity.
	WarmUp time.Duration
	// WarmUpCapacity is the fraction of its capacity a pod serves when it
	// first receives traffic, in [0, 1]; it matters only with WarmUp.
	WarmUpCapacity float64
	// Pinned is the fraction of traffic on long-lived connections (HTTP/2,
	// gRPC) that stays on the pods the clients connected to, in [0, 1): new
	// pods get none of it until the connections are re-established.
	Pinned float64
	// ConnectionAge is how long a pinned connection lives (gRPC's
	// MaxConnectionAge, an HTTP/2 server's max connection age): a new pod
	// takes its share of pinned traffic once it has served that long. 0
	// means the connections outlive the scenario: pinned traffic stays on
	// the pods that served at its start.
	ConnectionAge time.Duration
}

// timing is the compiled Resource metrics pipeline, in seconds.
type timing struct {
	window, resolution, housekeeping float64
	// custom tells that some HPA reads a Pods, Object or External metric.
	custom bool
}

// customTiming is a component's compiled custom metrics pipeline, in
// seconds.
type customTiming struct {
	rateWindow, scrape, adapter, delay float64
}

// serving is a component's compiled Serving, in seconds.
type serving struct {
	active     bool    // some field is set: count serving capacity per cohort
	prop       float64 // after Ready (0 with a readiness gate)
	gated      float64 // before Ready, with a readiness gate
	warm, from float64
	pinned     float64
	connAge    float64
	forever    bool // pinned connections are never re-established
	custom     bool // its HPA reads a Pods, Object or External metric
	cm         customTiming
}

// compileTiming checks and resolves the metrics pipelines, each
// component's serving and its start-up tail.
func compileTiming(c *compiled) []Problem {
	var errs []Problem
	fail := func(path, format string, args ...any) {
		errs = append(errs, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	m := c.sys.Metrics
	durs := []struct {
		path string
		d    time.Duration
	}{{"metrics.resource.window", m.Window}, {"metrics.resource.resolution", m.Resolution}, {"metrics.resource.housekeeping", m.Housekeeping},
		{"metrics.custom.rateWindow", m.Custom.RateWindow}, {"metrics.custom.scrape", m.Custom.Scrape},
		{"metrics.custom.adapter", m.Custom.Adapter}, {"metrics.custom.delay", m.Custom.Delay}}
	for _, f := range durs {
		if f.d < 0 || f.d > 2*time.Hour {
			fail(f.path, "metrics: %s must be within 0 and 2h, got %v", f.path[len("metrics."):], f.d)
		}
	}
	t := timing{resolution: m.Resolution.Seconds(), window: m.Window.Seconds(), housekeeping: m.Housekeeping.Seconds()}
	if m.Resolution <= 0 {
		t.resolution = DefaultMetricResolution.Seconds()
	}
	if m.Window <= 0 {
		t.window = t.resolution
	}
	if m.Housekeeping <= 0 {
		t.housekeeping = DefaultHousekeeping.Seconds()
	}
	if ct := resolveCustom(m.Custom, CustomMetrics{}); ct.rateWindow < 2*ct.scrape {
		fail("metrics.custom.rateWindow", "metrics: the rate window (%s) must hold two scrapes (2 × %s): a rate needs two samples",
			units.Seconds(ct.rateWindow), units.Seconds(ct.scrape))
	}
	// The compiled window and resolution are those of the Resource
	// pipeline (the node pool's compilation set them from the same
	// fields; the window now follows the resolution).
	c.window, c.resolution = t.window, t.resolution
	for i := range c.comps {
		cc := &c.comps[i]
		at := fmt.Sprintf("components[%d]", i)
		sv := cc.Serving
		for _, f := range []struct {
			name string
			d    time.Duration
		}{{"propagation", sv.Propagation}, {"warmUp", sv.WarmUp}, {"connectionAge", sv.ConnectionAge}} {
			if f.d < 0 || f.d > time.Hour {
				fail(at+".serving."+f.name, "component %s: serving: %s must be within 0 and 1h, got %v", cc.Name, f.name, f.d)
			}
		}
		if !(sv.WarmUpCapacity >= 0 && sv.WarmUpCapacity <= 1) {
			fail(at+".serving.warmUpCapacity", "component %s: serving: warm-up capacity must be a fraction in [0, 1], got %v", cc.Name, sv.WarmUpCapacity)
		}
		if !(sv.Pinned >= 0 && sv.Pinned < 1) {
			fail(at+".serving.pinned", "component %s: serving: the pinned share must be a fraction in [0, 1), got %v", cc.Name, sv.Pinned)
		}
		s := serving{warm: max(sv.WarmUp.Seconds(), 0), from: sv.WarmUpCapacity, pinned: sv.Pinned, connAge: max(sv.ConnectionAge.Seconds(), 0)}
		if sv.ReadinessGate {
			s.gated = max(sv.Propagation.Seconds(), 0)
			cc.toReady += s.gated
		} else {
			s.prop = max(sv.Propagation.Seconds(), 0)
		}
		if s.warm == 0 {
			s.from = 1
		}
		s.forever = s.pinned > 0 && s.connAge == 0
		s.active = s.prop > 0 || s.warm > 0 || s.pinned > 0
		if cc.HPA != nil {
			for _, met := range cc.HPA.Metrics {
				if met.Source != ResourceMetric {
					s.custom, t.custom = true, true
				}
			}
		}
		s.cm = resolveCustom(m.Custom, CustomMetrics{})
		if o := cc.CustomMetrics; o != nil {
			for _, f := range []struct {
				name string
				d    time.Duration
			}{{"rateWindow", o.RateWindow}, {"scrape", o.Scrape}, {"adapter", o.Adapter}, {"delay", o.Delay}} {
				if f.d < 0 || f.d > 2*time.Hour {
					fail(at+".customMetrics."+f.name, "component %s: customMetrics: %s must be within 0 and 2h, got %v", cc.Name, f.name, f.d)
				}
			}
			s.cm = resolveCustom(m.Custom, *o)
			if s.cm.rateWindow < 2*s.cm.scrape {
				fail(at+".customMetrics.rateWindow", "component %s: customMetrics: the rate window (%s) must hold two scrapes (2 × %s): a rate needs two samples",
					cc.Name, units.Seconds(s.cm.rateWindow), units.Seconds(s.cm.scrape))
			}
		}
		cc.sv = s
		if p90, total := cc.startup.P90, cc.startup.Total(); p90 != 0 && p90 < total {
			fail(at+".startup.p90", "component %s: startup: the 90th percentile (%v) is below the median start-up, the parts' total (%v)", cc.Name, p90, total)
		}
	}
	c.tm = t
	return errs
}

// resolveCustom is a component's custom pipeline: its own settings, else
// the system's, else the defaults.
func resolveCustom(sys, own CustomMetrics) customTiming {
	pick := func(own, sys, def time.Duration) float64 {
		switch {
		case own > 0:
			return own.Seconds()
		case sys > 0:
			return sys.Seconds()
		}
		return def.Seconds()
	}
	return customTiming{rateWindow: pick(own.RateWindow, sys.RateWindow, DefaultCustomRateWindow), scrape: pick(own.Scrape, sys.Scrape, DefaultCustomScrape),
		adapter: pick(own.Adapter, sys.Adapter, 0), delay: pick(own.Delay, sys.Delay, 0)}
}

// fraction is the share of its capacity a pod ready for age seconds
// serves, and the time from now until it changes (+Inf when it no longer
// does; 0 while it changes every step).
func (s *serving) fraction(age float64) (f, next float64) {
	if age < s.prop {
		return 0, s.prop - age
	}
	if w := age - s.prop; w < s.warm {
		return s.from + (1-s.from)*w/s.warm, 0
	}
	return 1, math.Inf(1)
}

// effective is the capacity, in replicas, of a component whose pods serve
// all replicas in total, old of them on pods the pinned connections
// reach: the pinned share stays on the old pods, the rest spreads over all
// in proportion to their capacity, and the component saturates when the
// old pods do.
func (s *serving) effective(all, old float64) float64 {
	if s.pinned == 0 || old <= 0 || old >= all {
		return all
	}
	return min(all, old/(s.pinned+(1-s.pinned)*old/all))
}

// phase is where a run's periodic events fall against the HPA's syncs,
// and which start-up it uses.
type phase uint8

const (
	// phaseAverage: each sample as old as on average (the nominal run).
	phaseAverage phase = iota
	// phaseBest: samples scraped just before each sync, from fresh
	// kubelet stats and a fresh adapter cache; the median start-up.
	phaseBest
	// phaseWorst: samples as old as they get; the 90th percentile
	// start-up.
	phaseWorst
)

// lag is how many steps before a sync an event of the given period last
// happened, in this phase.
func (p phase) lag(period int64) int64 {
	switch p {
	case phaseBest:
		return 0
	case phaseWorst:
		return period - 1
	}
	return (period + 1) / 2
}

// age is how many steps old the kubelet's sample is when scraped.
func (p phase) age(housekeeping, dt float64) int64 {
	switch p {
	case phaseBest:
		return 0
	case phaseWorst:
		return int64(math.Round(housekeeping / dt))
	}
	return int64(math.Round(housekeeping / 2 / dt))
}

// firstCountdown is the countdown that makes an event of the given period
// happen lag steps before each of the syncs at steps syncK−1, 2·syncK−1…
func firstCountdown(syncK, period, lag int64) int64 {
	e := (syncK - 1 - lag) % period
	if e < 0 {
		e += period
	}
	return e + 1
}

// withTail is the model with every start-up stretched to its 90th
// percentile (the worst case of a band), or c itself when no component
// gives one.
func (c *compiled) withTail() *compiled {
	tail := false
	for i := range c.comps {
		tail = tail || c.comps[i].startup.P90 > c.comps[i].startup.Total()
	}
	if !tail {
		return c
	}
	out := *c
	out.comps = append([]compComponent(nil), c.comps...)
	for i := range out.comps {
		cc := &out.comps[i]
		total := cc.startup.Total()
		if cc.startup.P90 <= total || total <= 0 {
			continue
		}
		k := cc.startup.P90.Seconds() / total.Seconds()
		cc.schedule *= k
		cc.pull *= k
		cc.toReady = (cc.toReady-cc.sv.gated)*k + cc.sv.gated
	}
	return &out
}

// BorderlineMargin is how close to the budget burn it may spend a
// scenario may come and still survive without being called borderline:
// a survival that burns more than (1 − BorderlineMargin) of what it may
// burn is borderline.
const BorderlineMargin = 0.2
