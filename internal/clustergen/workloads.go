package clustergen

import (
	"math"
	"slices"
	"time"
)

const (
	mi = float64(1 << 20)
	gi = float64(1 << 30)
	d  = 24 * time.Hour
)

// res is an amount of CPU (cores) and memory (bytes); 0 is unset.
type res struct{ cpu, mem float64 }

// ctrSpec is a container: its resources and how it uses them.
type ctrSpec struct {
	name, image string
	port        int32
	req, lim    res
	// cpu is the CPU the container wants in the minute, in cores (a CPU
	// limit caps it and counts throttled periods).
	cpu func(m *minuteCtx) float64
	// mem is its working set, in bytes (at the memory limit it is killed).
	mem func(m *minuteCtx) float64
}

// hpaSpec is an HPA on CPU utilisation.
type hpaSpec struct {
	min, max  int
	target    float64 // a fraction
	container string  // a ContainerResource metric's container; "" is Resource
	request   float64 // the request the target is a fraction of, cores
	// load is the expected CPU of what the HPA measures, all pods
	// together, in cores.
	load func(t int64) float64
}

// spec is a workload of the generated cluster.
type spec struct {
	kind, ns, name string
	component      string
	roles          []Role
	desc           string
	hasTraffic     bool
	pool           string
	replicas       int
	replicasFn     func(g *gen, t int64) int
	createdAgo     time.Duration
	rolloutsAgo    []time.Duration
	ctrs           []ctrSpec
	hpa            *hpaSpec
	pdbMinAvail    int
	// rps is the workload's expected requests per second, all pods.
	rps        func(g *gen, t int64) float64
	httpMetric bool    // pods export http_requests_total
	reqBytes   float64 // bytes received per request
	// netExtra is received traffic beyond probes and requests, B/s a pod.
	netExtra func(m *minuteCtx) float64
	// crashSlot's pod is replaced crashAgo before the end by one that
	// crash-loops.
	crashSlot int
	crashAgo  time.Duration
	// pendingSlot's pod, created pendingAgo before the end, is Pending.
	pendingSlot int
	pendingAgo  time.Duration
	// CronJobs.
	schedule   string
	runMinutes int
}

func (s *spec) has(r Role) bool { return slices.Contains(s.roles, r) }

// diurnal is the daily cycle in [0, 1]: lowest at 04:00, highest at 16:00
// local time; weekends are scaled by weekend.
func diurnal(t int64, weekend float64) float64 {
	h, we := local(t)
	x := 0.5 - 0.5*math.Cos(2*math.Pi*(h-4)/24)
	v := math.Pow(x, 1.5)
	if we {
		v *= weekend
	}
	return v
}

// business is 1 in weekday office hours (08:30–18:00 local, ramping over
// half an hour at each end), else 0.
func business(t int64) float64 {
	h, we := local(t)
	if we {
		return 0
	}
	switch {
	case h < 8.5 || h >= 18.5:
		return 0
	case h < 9:
		return (h - 8.5) * 2
	case h >= 18:
		return (18.5 - h) * 2
	}
	return 1
}

// saw is a sawtooth in [0, 1) of the given period: garbage collection.
func saw(up int64, period int64) float64 { return float64(up%period) / float64(period) }

// pinnedShape is the recommendations service's load: full from 06:00 to
// 01:00, a quarter at night.
func pinnedShape(t int64) float64 {
	h, we := local(t)
	v := 1.0
	switch {
	case h >= 1 && h < 2:
		v = 1 - 0.74*(h-1)
	case h >= 2 && h < 5:
		v = 0.26
	case h >= 5 && h < 6:
		v = 0.26 + 0.74*(h-5)
	}
	if we {
		v *= 0.92
	}
	return v
}

// searchLoad is the search app containers' CPU, all pods: 2 pods' worth at
// night, more than 8 at the daily peak.
func searchLoad(t int64) float64 { return 0.45 + 2.6*diurnal(t, 0.88) }

// recommendationsLoad pins its HPA at 4 replicas of 500m at 60%.
func recommendationsLoad(t int64) float64 { return 3.1 * pinnedShape(t) }

// flashSale reports whether the minute ending at t is in the daily flash
// sale (15:00–15:20 local) and which minute of it.
func flashSale(t int64) (bool, int) {
	h, _ := local(t - minute)
	if h >= 15 && h < 15+20.0/60 {
		return true, int(math.Round((h - 15) * 60))
	}
	return false, 0
}

// adminSession reports whether the admin tool is in use at t: 45 minutes
// a day, starting between 09:00 and 15:30 local.
func (g *gen) adminSession(t int64) bool {
	dn := localDay(t)
	_, off := time.Unix(t, 0).In(Local).Zone()
	r := g.rng("admin-session", time.Unix(dn*day, 0).UTC().Format("2006-01-02"))
	start := dn*day - int64(off) + 9*hour + int64(r.Float64()*6.5*float64(hour))
	return t >= start && t < start+45*minute
}

// webhookRate is 3 to 5 calls an hour, a new rate every hour.
func (g *gen) webhookRate(t int64) float64 {
	r := g.rng("webhook-rate", time.Unix(t-t%hour, 0).UTC().Format(time.RFC3339))
	return (3 + 2*r.Float64()) / 3600
}

func img(repo, tag string) string { return "us-docker.pkg.dev/shop-prod/" + repo + ":" + tag }

func constant(v float64) func(*minuteCtx) float64 { return func(*minuteCtx) float64 { return v } }

// specs are the workloads, in snapshot order.
var specs = []spec{
	{
		kind: "Deployment", ns: "shop", name: "frontend", component: "web",
		roles: []Role{RoleDiurnal}, hasTraffic: true,
		desc: "the storefront: a daily cycle, quieter weekends, two rollouts",
		pool: PoolStateless, replicas: 2, createdAgo: 210 * d, rolloutsAgo: []time.Duration{9*d + 10*time.Hour, 2*d + 5*time.Hour},
		rps:        func(g *gen, t int64) float64 { return 4 + 56*diurnal(t, 0.65) },
		httpMetric: true, reqBytes: 1800,
		ctrs: []ctrSpec{{name: "app", image: img("shop/frontend", "2.14.1"), port: 8080, req: res{0.5, 512 * mi},
			cpu: func(m *minuteCtx) float64 { return (0.012 + m.reqs*0.011/60) * m.noise(0.1) * (1 + 0.04*m.w) },
			mem: func(m *minuteCtx) float64 { return 300*mi + 0.8*mi*m.rps + 20*mi*saw(m.up, 600) + mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "shop", name: "catalog", component: "catalog",
		roles: []Role{RoleFlat}, hasTraffic: true,
		desc: "a JVM service with flat load, no request counter, a CPU limit it never reaches",
		pool: PoolStateless, replicas: 2, createdAgo: 400 * d, rolloutsAgo: []time.Duration{6*d + 3*time.Hour},
		rps: func(g *gen, t int64) float64 {
			v := 24 * (0.9 + 0.2*diurnal(t, 1))
			if _, we := local(t); we {
				v *= 0.9
			}
			return v
		},
		reqBytes: 700,
		ctrs: []ctrSpec{{name: "app", image: img("shop/catalog", "5.2.0"), port: 8080, req: res{0.5, gi}, lim: res{1, gi},
			cpu: func(m *minuteCtx) float64 { return (0.05 + m.reqs*0.007/60) * m.noise(0.08) * (1 + 0.03*m.w) },
			mem: func(m *minuteCtx) float64 { return 640*mi + 60*mi*saw(m.up, 1200) + 2*mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "shop", name: "flash-sale", component: "promotions",
		roles: []Role{RoleSpiky}, hasTraffic: true,
		desc: "a flash sale at 15:00 every day: 1.81 cores for 20 minutes, about 60m otherwise",
		pool: PoolStateless, replicas: 2, createdAgo: 120 * d, rolloutsAgo: []time.Duration{10 * d},
		rps: func(g *gen, t int64) float64 {
			if on, _ := flashSale(t + minute/2); on {
				return 260
			}
			return 1.2
		},
		httpMetric: true, reqBytes: 900,
		ctrs: []ctrSpec{{name: "app", image: img("shop/flash-sale", "1.8.3"), port: 8080, req: res{2, gi},
			cpu: func(m *minuteCtx) float64 {
				if on, k := flashSale(m.t); on {
					if k == 10 {
						return 1.81
					}
					return 1.81 * (1 - 0.025*math.Abs(m.w))
				}
				return 0.056 * m.noise(0.12) * (0.85 + 0.3*diurnal(m.t, 1)) * (1 + 0.05*m.w)
			},
			mem: func(m *minuteCtx) float64 {
				v := 390*mi + 3*mi*m.w
				if on, _ := flashSale(m.t); on {
					v += 140 * mi
				}
				return v
			}}},
	},
	{
		kind: "Deployment", ns: "shop", name: "search", component: "search",
		roles: []Role{RoleHPAChurn, RoleContainerResourceHPA, RoleDiurnal}, hasTraffic: true,
		desc: "an HPA on its app container's CPU (ContainerResource) that goes 2 ↔ 8 replicas every day",
		pool: PoolStateless, createdAgo: 300 * d, rolloutsAgo: []time.Duration{5*d + 20*time.Hour},
		hpa:        &hpaSpec{min: 2, max: 8, target: 0.7, container: "app", request: 0.5, load: searchLoad},
		rps:        func(g *gen, t int64) float64 { return 45 * searchLoad(t) },
		httpMetric: true, reqBytes: 1100,
		ctrs: []ctrSpec{
			{name: "app", image: img("shop/search", "3.1.0"), port: 8080, req: res{0.5, 768 * mi},
				cpu: func(m *minuteCtx) float64 {
					return searchLoad(m.t-30) / float64(m.replicas) * m.noise(0.1) * (1 + 0.03*m.w)
				},
				mem: func(m *minuteCtx) float64 { return 520*mi + 160*mi*m.rps/60 + 2*mi*m.w }},
			{name: "envoy", image: "docker.io/envoyproxy/envoy:v1.32.3", port: 15001, req: res{0.1, 128 * mi},
				cpu: func(m *minuteCtx) float64 { return (0.006 + m.reqs*0.0005/60) * m.noise(0.1) },
				mem: func(m *minuteCtx) float64 { return 48*mi + mi*m.w }},
		},
	},
	{
		kind: "Deployment", ns: "shop", name: "recommendations", component: "recommendations",
		roles: []Role{RoleHPAPinned}, hasTraffic: true,
		desc: "an HPA pinned at maxReplicas 4 most of the day, pods at about 155% of their CPU request",
		pool: PoolStateless, createdAgo: 150 * d, rolloutsAgo: []time.Duration{11*d + 2*time.Hour},
		hpa:      &hpaSpec{min: 2, max: 4, target: 0.6, request: 0.5, load: recommendationsLoad},
		rps:      func(g *gen, t int64) float64 { return 20 * recommendationsLoad(t) },
		reqBytes: 1300,
		ctrs: []ctrSpec{{name: "app", image: img("shop/recommendations", "0.9.12"), port: 8080, req: res{0.5, gi},
			cpu: func(m *minuteCtx) float64 {
				return recommendationsLoad(m.t-30) / float64(m.replicas) * m.noise(0.08) * (1 + 0.03*m.w)
			},
			mem: func(m *minuteCtx) float64 { return 760*mi + 30*mi*saw(m.up, 900) + 2*mi*m.w }}},
	},
	{
		kind: "StatefulSet", ns: "shop", name: "redis", component: "cache",
		roles: []Role{RoleStatefulSet, RoleSingleReplica}, hasTraffic: true,
		desc: "a single redis: a StatefulSet, growing slowly",
		pool: PoolDefault, replicas: 1, createdAgo: 380 * d,
		netExtra: func(m *minuteCtx) float64 { return 20000 + 60000*diurnal(m.t, 0.7) },
		ctrs: []ctrSpec{{name: "redis", image: "docker.io/library/redis:7.4.1", port: 6379, req: res{0.25, 2 * gi}, lim: res{0, 2 * gi},
			cpu: func(m *minuteCtx) float64 { return (0.02 + 0.06*diurnal(m.t, 0.7)) * m.noise(0.1) },
			mem: func(m *minuteCtx) float64 {
				return 1.10 * gi * (1 + 0.012*float64(m.t-m.g.start)/float64(day)) * (1 + 0.002*m.w)
			}}},
	},
	{
		kind: "Deployment", ns: "shop", name: "static-site", component: "web",
		roles: []Role{RoleQuiet}, hasTraffic: true,
		desc: "an nginx static site: steady low traffic, network only (no request counter)",
		pool: PoolStateless, replicas: 2, createdAgo: 500 * d,
		rps:      func(g *gen, t int64) float64 { return 0.5 + 1.5*diurnal(t, 0.8) },
		reqBytes: 650,
		ctrs: []ctrSpec{{name: "nginx", image: "docker.io/library/nginx:1.27.3", port: 80, req: res{0.1, 128 * mi},
			cpu: func(m *minuteCtx) float64 { return 0.0015*m.noise(0.2) + m.reqs*0.0006/60 },
			mem: func(m *minuteCtx) float64 { return 24*mi + 0.3*mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "payments", name: "ledger-api", component: "ledger",
		roles: []Role{RolePDB, RoleBusinessHours}, hasTraffic: true,
		desc: "a PodDisruptionBudget-protected JVM service, busy in office hours; its metrics are not http_requests_total",
		pool: PoolDefault, replicas: 2, createdAgo: 450 * d, rolloutsAgo: []time.Duration{4*d + 2*time.Hour}, pdbMinAvail: 1,
		rps:      func(g *gen, t int64) float64 { return 2 + 38*business(t) },
		reqBytes: 2200,
		ctrs: []ctrSpec{{name: "app", image: img("payments/ledger-api", "7.3.2"), port: 8080, req: res{1, 2 * gi}, lim: res{2, 2 * gi},
			cpu: func(m *minuteCtx) float64 { return (0.04 + m.reqs*0.009/60) * m.noise(0.08) * (1 + 0.03*m.w) },
			mem: func(m *minuteCtx) float64 { return 1.25*gi + 100*mi*saw(m.up, 1800) + 2*mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "payments", name: "gateway", component: "gateway",
		roles: []Role{RoleThrottled, RoleDiurnal}, hasTraffic: true,
		desc: "a CPU limit of 1 core its daily peak exceeds: throttled; no request counter",
		pool: PoolStateless, replicas: 2, createdAgo: 330 * d, rolloutsAgo: []time.Duration{7 * d},
		rps:      func(g *gen, t int64) float64 { return 6 + 140*diurnal(t, 0.7) },
		reqBytes: 1500,
		ctrs: []ctrSpec{{name: "app", image: img("payments/gateway", "2.2.0"), port: 8443, req: res{0.5, 512 * mi}, lim: res{1, 512 * mi},
			cpu: func(m *minuteCtx) float64 { return (0.02 + m.reqs*0.0145/60) * m.noise(0.08) * (1 + 0.03*m.w) },
			mem: func(m *minuteCtx) float64 { return 330*mi + 20*mi*saw(m.up, 900) + mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "payments", name: "webhook", component: "webhook",
		roles: []Role{RoleQuiet, RoleSingleReplica, RolePauseSeries}, hasTraffic: true,
		desc: "the payment provider's webhook: 3–5 calls an hour, a few KB and 45ms of CPU each",
		pool: PoolDefault, replicas: 1, createdAgo: 600 * d, rolloutsAgo: []time.Duration{13 * d},
		rps:        func(g *gen, t int64) float64 { return g.webhookRate(t) },
		httpMetric: true, reqBytes: 3500,
		ctrs: []ctrSpec{{name: "app", image: img("payments/webhook", "1.4.0"), port: 8080, req: res{0.25, 256 * mi},
			cpu: func(m *minuteCtx) float64 { return 0.0009*m.noise(0.2) + m.reqs*0.045/60 },
			mem: func(m *minuteCtx) float64 { return 72*mi + 0.5*mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "payments", name: "fraud-score", component: "fraud",
		roles: []Role{RoleOOMKilled}, hasTraffic: true,
		desc: "a memory leak up to its 512Mi limit: one pod OOM-killed twice",
		pool: PoolStateless, replicas: 2, createdAgo: 95 * d, rolloutsAgo: []time.Duration{12 * d},
		rps:      func(g *gen, t int64) float64 { return 3 + 30*diurnal(t, 0.8) },
		reqBytes: 1200,
		ctrs: []ctrSpec{{name: "app", image: img("payments/fraud-score", "0.31.0"), port: 8080, req: res{0.3, 384 * mi}, lim: res{0, 512 * mi},
			cpu: func(m *minuteCtx) float64 { return (0.03 + m.reqs*0.004/60) * m.noise(0.1) },
			mem: func(m *minuteCtx) float64 {
				leak := 332 * mi / (4.55 * float64(day))
				if m.slot == 1 {
					leak = 332 * mi / (13.5 * float64(day))
				}
				return 185*mi + leak*float64(m.up) + 12*mi*saw(m.up, 900) + 2*mi*m.w
			}}},
	},
	{
		kind: "DaemonSet", ns: "platform", name: "log-agent", component: "logging",
		roles: []Role{RoleDaemonSet}, hasTraffic: true,
		desc:       "fluent-bit on every node",
		createdAgo: 700 * d, rolloutsAgo: []time.Duration{8*d + 7*time.Hour},
		netExtra: constant(400),
		ctrs: []ctrSpec{{name: "fluent-bit", image: "cr.fluentbit.io/fluent/fluent-bit:3.2.2", port: 2020, req: res{0.1, 200 * mi}, lim: res{0, 400 * mi},
			cpu: func(m *minuteCtx) float64 { return (0.02 + 0.04*diurnal(m.t, 0.7)) * m.noise(0.15) },
			mem: func(m *minuteCtx) float64 { return 130*mi + 8*mi*m.noise(0.3) }}},
	},
	{
		kind: "Deployment", ns: "platform", name: "cert-manager", component: "cert-manager",
		roles: []Role{RoleController, RoleSingleReplica}, hasTraffic: true,
		desc: "a controller: little CPU, bursts every ten minutes, API watches",
		pool: PoolDefault, replicas: 1, createdAgo: 650 * d,
		netExtra: constant(1500),
		ctrs: []ctrSpec{{name: "cert-manager-controller", image: "quay.io/jetstack/cert-manager-controller:v1.16.2", port: 9402, req: res{0.05, 128 * mi},
			cpu: func(m *minuteCtx) float64 {
				v := 0.003 * m.noise(0.2)
				if (m.t/minute)%10 == 0 {
					v += 0.02
				}
				return v
			},
			mem: func(m *minuteCtx) float64 { return 96*mi + mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "platform", name: "external-dns", component: "external-dns",
		roles: []Role{RoleController, RoleSingleReplica}, hasTraffic: true,
		desc: "a controller syncing DNS every minute: about 1.5m of CPU",
		pool: PoolDefault, replicas: 1, createdAgo: 640 * d,
		netExtra: constant(900),
		ctrs: []ctrSpec{{name: "external-dns", image: "registry.k8s.io/external-dns/external-dns:v0.15.1", port: 7979, req: res{0.05, 64 * mi},
			cpu: func(m *minuteCtx) float64 { return 0.0015 * m.noise(0.15) * (1 + 0.1*m.w) },
			mem: func(m *minuteCtx) float64 { return 38*mi + 0.3*mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "platform", name: "event-router", component: "events",
		roles: []Role{RoleCrashLoop}, hasTraffic: true,
		desc: "one pod replaced 8 hours before the end crash-loops: 2–3 minutes up, then CrashLoopBackOff",
		pool: PoolStateless, replicas: 2, createdAgo: 180 * d, crashSlot: 1, crashAgo: 8 * time.Hour,
		netExtra: constant(5000),
		ctrs: []ctrSpec{{name: "app", image: img("platform/event-router", "0.7.1"), port: 8080, req: res{0.2, 256 * mi},
			cpu: func(m *minuteCtx) float64 {
				if m.pod.crashLoop {
					return 0.26 * (1 + 0.05*m.w)
				}
				return 0.04 * m.noise(0.12) * (0.8 + 0.4*diurnal(m.t, 0.8))
			},
			mem: func(m *minuteCtx) float64 {
				if m.pod.crashLoop {
					return 60*mi + 110*mi*math.Min(1, float64(m.up)/120)
				}
				return 185*mi + 4*mi*m.w
			}}},
	},
	{
		kind: "Deployment", ns: "tools", name: "admin", component: "admin",
		roles: []Role{RoleQuiet, RoleSingleReplica}, hasTraffic: true,
		desc: "an admin tool used 45 minutes a day: CPU and network only then",
		pool: PoolDefault, replicas: 1, createdAgo: 300 * d,
		netExtra: func(m *minuteCtx) float64 {
			if m.g.adminSession(m.t - 30) {
				return 25000 * (1 + 0.3*math.Abs(m.w))
			}
			return 0
		},
		ctrs: []ctrSpec{{name: "admin", image: img("tools/admin", "3.0.4"), port: 8080, req: res{0.5, 512 * mi},
			cpu: func(m *minuteCtx) float64 {
				if m.g.adminSession(m.t - 30) {
					return 0.12 * m.noise(0.3) * (1 + 0.2*math.Abs(m.w))
				}
				return 0.0007 * m.noise(0.2)
			},
			mem: func(m *minuteCtx) float64 {
				if m.g.adminSession(m.t - 30) {
					return 260*mi + 4*mi*m.w
				}
				return 150*mi + mi*m.w
			}}},
	},
	{
		kind: "Deployment", ns: "tools", name: "legacy-reports", component: "reports",
		roles: []Role{RoleIdle, RoleSingleReplica, RolePauseSeries}, hasTraffic: false,
		desc: "truly idle: no request in the window, only probes (50 B/s) and 0.4m of CPU",
		pool: PoolDefault, replicas: 1, createdAgo: 800 * d,
		ctrs: []ctrSpec{{name: "app", image: img("tools/legacy-reports", "1.0.9"), port: 8080, req: res{0.2, 256 * mi},
			cpu: func(m *minuteCtx) float64 { return 0.0004 * m.noise(0.3) },
			mem: func(m *minuteCtx) float64 { return 61*mi + 0.2*mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "tools", name: "wiki", component: "wiki",
		roles: []Role{RoleNoRequests, RoleSingleReplica}, hasTraffic: true,
		desc: "the app container sets no requests (about 23m of CPU) beside an oauth-proxy sidecar that does",
		pool: PoolDefault, replicas: 1, createdAgo: 420 * d, rolloutsAgo: []time.Duration{6 * d},
		rps:      func(g *gen, t int64) float64 { return 0.2 + 1.5*business(t) },
		reqBytes: 900,
		ctrs: []ctrSpec{
			{name: "app", image: "docker.io/requarks/wiki:2.5.305", port: 3000,
				cpu: func(m *minuteCtx) float64 { return (0.021 + 0.004*business(m.t)) * m.noise(0.15) },
				mem: func(m *minuteCtx) float64 { return 230*mi + 2*mi*m.w }},
			{name: "oauth-proxy", image: "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1", port: 4180, req: res{0.05, 64 * mi},
				cpu: func(m *minuteCtx) float64 { return 0.0025*m.noise(0.1) + m.reqs*0.001/60 },
				mem: func(m *minuteCtx) float64 { return 22*mi + 0.2*mi*m.w }},
		},
	},
	{
		kind: "Deployment", ns: "tools", name: "preview-env", component: "preview",
		roles: []Role{RoleShortHistory, RoleSingleReplica}, hasTraffic: true,
		desc: "created 3 hours before the end, at night: low usage against 1 core / 1Gi of requests",
		pool: PoolDefault, replicas: 1, createdAgo: 3 * time.Hour,
		rps:      func(g *gen, t int64) float64 { return 0.01 },
		reqBytes: 1500,
		ctrs: []ctrSpec{{name: "app", image: img("tools/preview-env", "pr-4812"), port: 8080, req: res{1, gi},
			cpu: func(m *minuteCtx) float64 { return 0.005*m.noise(0.2) + m.reqs*0.02/60 },
			mem: func(m *minuteCtx) float64 { return 112*mi + mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "tools", name: "grafana", component: "grafana",
		roles: []Role{RoleBusinessHours, RoleSingleReplica}, hasTraffic: true,
		desc: "dashboards, used in office hours",
		pool: PoolDefault, replicas: 1, createdAgo: 520 * d, rolloutsAgo: []time.Duration{9 * d},
		netExtra: func(m *minuteCtx) float64 { return 300 + 15000*business(m.t) },
		ctrs: []ctrSpec{{name: "grafana", image: "docker.io/grafana/grafana:11.4.0", port: 3000, req: res{0.25, 512 * mi},
			cpu: func(m *minuteCtx) float64 { return 0.008*m.noise(0.1) + 0.07*business(m.t)*m.noise(0.25) },
			mem: func(m *minuteCtx) float64 { return 210*mi + 60*mi*business(m.t) + mi*m.w }}},
	},
	{
		kind: "CronJob", ns: "data", name: "hourly-export", component: "export",
		roles: []Role{RoleCronJob}, hasTraffic: true,
		desc: "a CronJob running 10 minutes every hour: a new Job and pod each run",
		pool: PoolDefault, createdAgo: 200 * d, schedule: "0 * * * *", runMinutes: 10,
		netExtra: constant(200000),
		ctrs: []ctrSpec{{name: "export", image: img("data/exporter", "2.0.1"), req: res{1, gi},
			cpu: func(m *minuteCtx) float64 {
				if m.up <= 60 {
					return 0.25
				}
				return 0.55 * m.noise(0.1) * (1 + 0.03*m.w)
			},
			mem: func(m *minuteCtx) float64 { return 150*mi + 560*mi*math.Min(1, float64(m.up)/300) + 4*mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "data", name: "report-builder", component: "reports",
		roles: []Role{RolePending, RoleBusinessHours}, hasTraffic: true,
		desc: "scaled from 1 to 2 replicas 40 minutes before the end: the new pod is Pending, unschedulable",
		pool: PoolDefault, createdAgo: 60 * d, pendingSlot: 1, pendingAgo: 40 * time.Minute,
		replicasFn: func(g *gen, t int64) int {
			if t >= g.end-40*minute {
				return 2
			}
			return 1
		},
		netExtra: func(m *minuteCtx) float64 { return 4000 * business(m.t) },
		ctrs: []ctrSpec{{name: "builder", image: img("data/report-builder", "0.4.2"), req: res{1, 4 * gi},
			cpu: func(m *minuteCtx) float64 { return 0.02 + 0.35*business(m.t)*m.noise(0.2) },
			mem: func(m *minuteCtx) float64 { return 2.4*gi + 50*mi*m.w }}},
	},
	{
		kind: "Deployment", ns: "data", name: "ingest-api", component: "ingest",
		roles: []Role{RoleThrottled, RoleDiurnal}, hasTraffic: true,
		desc: "a CPU limit equal to its 250m request, exceeded every afternoon",
		pool: PoolStateless, replicas: 2, createdAgo: 170 * d, rolloutsAgo: []time.Duration{2*d + 20*time.Hour},
		rps:      func(g *gen, t int64) float64 { return 3 + 50*diurnal(t, 0.75) },
		reqBytes: 2500,
		ctrs: []ctrSpec{{name: "app", image: img("data/ingest-api", "1.19.0"), port: 8080, req: res{0.25, 512 * mi}, lim: res{0.25, 512 * mi},
			cpu: func(m *minuteCtx) float64 { return (0.015 + m.reqs*0.011/60) * m.noise(0.08) },
			mem: func(m *minuteCtx) float64 { return 300*mi + 10*mi*saw(m.up, 600) + mi*m.w }}},
	},
}
