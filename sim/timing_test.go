package sim

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// tvSpike is the realistic surprise of these tests: ten times the evening
// rate within two minutes, held for ten.
const tvSpike = "spike:base=100,peak=1000,at=2m,rise=2m,hold=10m,decay=5m,for=20m"

// cpuScaled is a web service of 100 req/s per replica scaled on CPU at
// 60% with the default behavior, on Autopilot with room to spare (pods
// never wait for a node), its start-up 30 s.
func cpuScaled() System {
	return oneComponent(0, &HPA{MinReplicas: 2, MaxReplicas: 100, Metrics: []Metric{cpuTarget(60)}, Behavior: &Behavior{}})
}

// podsScaled is the same service scaled on its request rate per pod (a
// Pods metric through an adapter), 60 req/s per pod.
func podsScaled() System {
	sys := cpuScaled()
	sys.Components[0].HPA.Metrics = []Metric{{Source: PodsMetric, Name: "http_requests", Target: AverageValueTarget, Value: 60_000}}
	return sys
}

// firstScaleUp is when the HPA first asked for more replicas than at the
// start, from a timeline at one-second steps (-1 if never).
func firstScaleUp(res *Result, name string) float64 {
	start := -1
	for _, p := range res.Timeline {
		c := p.Components[name]
		if start < 0 {
			start = c.Desired
		}
		if c.Desired > start {
			return p.T
		}
	}
	return -1
}

// firstDesired is when the HPA first asked for at least n replicas (-1 if
// never).
func firstDesired(res *Result, name string, n int) float64 {
	for _, p := range res.Timeline {
		if p.Components[name].Desired >= n {
			return p.T
		}
	}
	return -1
}

func finiteResult(t *testing.T, what string, res *Result) {
	t.Helper()
	for name, v := range map[string]float64{"requests": res.Requests, "failed": res.Failed, "budget": res.BudgetBurned, "p99": res.WorstP99, "cost": res.Cost.Scenario} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Errorf("%s: %s = %v; want a finite, non-negative number", what, name, v)
		}
	}
	for _, p := range res.Timeline {
		for n, c := range p.Components {
			if c.Ready < 1 && c.Desired >= 1 && p.T < 30 {
				t.Errorf("%s: %s has %d ready replicas at %vs: nothing live scales to zero", what, n, c.Ready, p.T)
			}
		}
	}
}

// The kubelet's sample is up to cAdvisor's housekeeping interval old when
// metrics-server scrapes it: the staler it is, the later the HPA sees a
// spike, never sooner.
func TestKubeletSampleAgeDelaysTheFirstScaleUp(t *testing.T) {
	var prev float64
	var first, last float64
	for i, hk := range []time.Duration{time.Second, 10 * time.Second, 30 * time.Second, time.Minute} {
		sys := cpuScaled()
		sys.Metrics.Housekeeping = hk
		res := run(t, mustCompile(t, sys), tvSpike, Options{TimelineStep: time.Second})
		finiteResult(t, hk.String(), res)
		at := firstScaleUp(res, "web")
		if at < 0 {
			t.Fatalf("housekeeping %v: the HPA never scaled up for a 10× spike", hk)
		}
		if at < prev {
			t.Errorf("housekeeping %v: first scale-up at %vs, before %vs with a fresher sample", hk, at, prev)
		}
		prev = at
		if i == 0 {
			first = at
		}
		last = at
	}
	if last-first < 30 {
		t.Errorf("first scale-up at %vs with a 1s-old sample and %vs with a 1m-old one; want at least 30 s later", first, last)
	}
}

// The CPU window follows metrics-server's resolution unless set: the HPA's
// view changes once a resolution.
func TestMetricWindowFollowsTheResolution(t *testing.T) {
	cases := []struct {
		name               string
		window, resolution time.Duration
		want               float64
	}{
		{"defaults", 0, 0, 15},
		{"a 30s resolution", 0, 30 * time.Second, 30},
		{"a 60s resolution", 0, time.Minute, 60},
		{"a window set apart", 20 * time.Second, time.Minute, 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sys := cpuScaled()
			sys.Metrics.Window, sys.Metrics.Resolution = tc.window, tc.resolution
			m := mustCompile(t, sys)
			if m.c.window != tc.want {
				t.Errorf("window = %vs; want %vs", m.c.window, tc.want)
			}
			res := run(t, m, "ramp:from=100,to=400,for=10m", Options{TimelineStep: time.Second})
			res0 := m.c.resolution
			last, lastAt := -1.0, -1.0
			for _, p := range res.Timeline {
				u := p.Components["web"].HPAUtilization
				if last >= 0 && u != last {
					if lastAt >= 0 && p.T-lastAt < res0-1e-9 {
						t.Fatalf("the HPA's utilization changed at %vs and %vs: more often than the %vs resolution", lastAt, p.T, res0)
					}
					lastAt = p.T
				}
				last = u
			}
			if lastAt < 0 {
				t.Error("the HPA's utilization never changed on a ramp")
			}
		})
	}
}

// Pods, Object and External metrics go through Prometheus and an adapter:
// a rate window and a scrape interval, minutes where metrics-server takes
// seconds. The longer the rate window, the later the HPA reaches what the
// spike needs; a cache in the adapter delays it further.
func TestCustomMetricsLagByTheirPipeline(t *testing.T) {
	// The same metric read almost at once: a 2 s rate of 1 s scrapes.
	instant := podsScaled()
	instant.Metrics.Custom = CustomMetrics{RateWindow: 2 * time.Second, Scrape: time.Second}
	fast := run(t, mustCompile(t, instant), tvSpike, Options{TimelineStep: time.Second})
	fastAt := firstDesired(fast, "web", 12)
	if fastAt < 0 {
		t.Fatal("read at once, the HPA never reached 12 replicas for 1000 req/s")
	}
	cases := []struct {
		name   string
		custom CustomMetrics
	}{
		{"1m rate, 15s scrape", CustomMetrics{RateWindow: time.Minute, Scrape: 15 * time.Second}},
		{"2m rate, 30s scrape", CustomMetrics{RateWindow: 2 * time.Minute, Scrape: 30 * time.Second}},
		{"2m rate, 30s scrape, 30s adapter cache", CustomMetrics{RateWindow: 2 * time.Minute, Scrape: 30 * time.Second, Adapter: 30 * time.Second}},
		{"defaults: 5m rate, 1m scrape", CustomMetrics{}},
	}
	prev := 0.0
	for _, tc := range cases {
		sys := podsScaled()
		sys.Metrics.Custom = tc.custom
		res := run(t, mustCompile(t, sys), tvSpike, Options{TimelineStep: time.Second})
		finiteResult(t, tc.name, res)
		at := firstDesired(res, "web", 12)
		if at < 0 {
			t.Fatalf("%s: the HPA never reached 12 replicas", tc.name)
		}
		if at < prev {
			t.Errorf("%s: 12 replicas asked at %vs, sooner than %vs with a faster pipeline", tc.name, at, prev)
		}
		if at <= fastAt {
			t.Errorf("%s: 12 replicas asked at %vs; read at once at %vs: want later", tc.name, at, fastAt)
		}
		prev = at
	}
	if prev-fastAt < 120 {
		t.Errorf("with the default custom pipeline the HPA asked for 12 replicas %vs after it did reading the metric at once; want minutes", prev-fastAt)
	}
}

// A pod is not useful the instant it is Ready: each delay before it
// serves in full costs failures on a spike, never fewer, and a readiness
// gate shows as later readiness.
func TestServingDelaysCostFailures(t *testing.T) {
	base := run(t, mustCompile(t, cpuScaled()), tvSpike, Options{TimelineStep: time.Second})
	cases := []struct {
		name    string
		serving Serving
	}{
		{"20s propagation", Serving{Propagation: 20 * time.Second}},
		{"20s propagation behind a readiness gate", Serving{Propagation: 20 * time.Second, ReadinessGate: true}},
		{"1m warm-up from half capacity", Serving{WarmUp: time.Minute, WarmUpCapacity: 0.5}},
		{"1m warm-up from nothing", Serving{WarmUp: time.Minute}},
		{"half the traffic pinned, connections recycled every 2m", Serving{Pinned: 0.5, ConnectionAge: 2 * time.Minute}},
		{"half the traffic pinned for good", Serving{Pinned: 0.5}},
	}
	results := map[string]*Result{}
	for _, tc := range cases {
		sys := cpuScaled()
		sys.Components[0].Serving = tc.serving
		res := run(t, mustCompile(t, sys), tvSpike, Options{TimelineStep: time.Second})
		finiteResult(t, tc.name, res)
		results[tc.name] = res
		if res.Failed < base.Failed {
			t.Errorf("%s: %v requests failed, fewer than %v when pods serve in full once Ready", tc.name, res.Failed, base.Failed)
		}
		if res.Failed > res.Requests {
			t.Errorf("%s: %v failed of %v requests", tc.name, res.Failed, res.Requests)
		}
	}
	less := func(a, b string) {
		if results[a].Failed > results[b].Failed {
			t.Errorf("%s: %v failed; %s: %v; want no more for the first", a, results[a].Failed, b, results[b].Failed)
		}
	}
	less("1m warm-up from half capacity", "1m warm-up from nothing")
	less("half the traffic pinned, connections recycled every 2m", "half the traffic pinned for good")
	if pinned := results["half the traffic pinned for good"]; pinned.Failed < 2*base.Failed+1000 {
		t.Errorf("half the traffic pinned to the 2 starting pods: %v failed; without pinning %v: want far more", pinned.Failed, base.Failed)
	}
	gated, open := results["20s propagation behind a readiness gate"], results["20s propagation"]
	if g, o := firstReadyAbove(gated, "web", 2), firstReadyAbove(open, "web", 2); g-o < 15 {
		t.Errorf("a readiness gate on the load balancer: first new pod Ready at %vs, without one at %vs; want the propagation later", g, o)
	}
}

func firstReadyAbove(res *Result, name string, n int) float64 {
	for _, p := range res.Timeline {
		if p.Components[name].Ready > n {
			return p.T
		}
	}
	return math.Inf(1)
}

// Serving fields that do nothing by themselves (a warm-up capacity with no
// warm-up, a connection age with nothing pinned) change nothing, and the
// 90th percentile start-up changes nothing outside a band's worst end.
func TestInertTimingSettingsChangeNothing(t *testing.T) {
	want := run(t, mustCompile(t, cpuScaled()), tvSpike, Options{TimelineStep: 10 * time.Second})
	for name, edit := range map[string]func(*System){
		"warm-up capacity without a warm-up": func(s *System) { s.Components[0].Serving.WarmUpCapacity = 0.3 },
		"connection age with nothing pinned": func(s *System) { s.Components[0].Serving.ConnectionAge = time.Minute },
		"a start-up tail":                    func(s *System) { s.Components[0].Startup.P90 = 2 * time.Minute },
		"a custom pipeline no HPA reads":     func(s *System) { s.Metrics.Custom = CustomMetrics{RateWindow: time.Minute, Scrape: 10 * time.Second} },
	} {
		sys := cpuScaled()
		edit(&sys)
		if got := run(t, mustCompile(t, sys), tvSpike, Options{TimelineStep: 10 * time.Second}); !reflect.DeepEqual(got, want) {
			t.Errorf("%s changed the result: failed %v, burned %v; want %v, %v", name, got.Failed, got.BudgetBurned, want.Failed, want.BudgetBurned)
		}
	}
}

// The band brackets the average case: the best timing burns no more than
// it, the worst no less; asking for a band does not change the average
// case; its ends are finite.
func TestBandBracketsTheAverageCase(t *testing.T) {
	for _, tc := range []struct {
		name string
		sys  func() System
	}{
		{"CPU through metrics-server", cpuScaled},
		{"request rate through an adapter", podsScaled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := tc.sys()
			sys.Components[0].Startup = Startup{ImagePull: 5 * time.Second, Init: 25 * time.Second, P90: 75 * time.Second}
			m := mustCompile(t, sys)
			plain := run(t, m, tvSpike, Options{})
			if plain.Band != nil {
				t.Fatal("a band without Options.Band")
			}
			res := run(t, m, tvSpike, Options{Band: true})
			b := res.Band
			if b == nil {
				t.Fatal("no band with Options.Band")
			}
			for _, x := range []float64{b.Best.BudgetBurned, b.Worst.BudgetBurned, b.Best.Failed, b.Worst.Failed, b.Best.WorstP99, b.Worst.WorstP99} {
				if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
					t.Fatalf("band %+v: want finite, non-negative figures", b)
				}
			}
			if b.Best.BudgetBurned > res.BudgetBurned || res.BudgetBurned > b.Worst.BudgetBurned {
				t.Errorf("budget burned: best %v, average %v, worst %v; want them in that order", b.Best.BudgetBurned, res.BudgetBurned, b.Worst.BudgetBurned)
			}
			if b.Worst.Failed <= b.Best.Failed {
				t.Errorf("failed: best %v, worst %v; stale metrics and slow starts should cost more", b.Best.Failed, b.Worst.Failed)
			}
			for _, a := range []string{b.Best.Assumes, b.Worst.Assumes} {
				if a != BestTiming && a != WorstTiming && a != AverageTiming {
					t.Errorf("a band end assumes %q; want one of the timings run", a)
				}
			}
			res.Band, res.Borderline, res.BorderlineReason = nil, false, ""
			plain.Borderline, plain.BorderlineReason = false, ""
			if !reflect.DeepEqual(res, plain) {
				t.Error("asking for a band changed the average case")
			}
		})
	}
}

// A survival that fails in the worst timing, or that burns nearly all it
// may, says it is borderline; a clear survival and a failure do not.
func TestBorderlineSurvival(t *testing.T) {
	// Search the peak at which the average case still survives and the
	// worst timing does not: on a realistic service such a band exists.
	var found *Result
	for peak := 300; peak <= 2000 && found == nil; peak += 50 {
		sys := cpuScaled()
		sys.Components[0].Startup = Startup{ImagePull: 5 * time.Second, Init: 25 * time.Second, P90: 90 * time.Second}
		sys.Objectives.MaxBudgetBurn = 1
		res := run(t, mustCompile(t, sys), "spike:base=100,peak="+itoa(peak)+",at=2m,rise=2m,hold=10m,decay=5m,for=20m", Options{Band: true})
		if res.SLOMet && !res.Band.Worst.SLOMet {
			found = res
		}
		switch {
		case !res.SLOMet && res.Verdict() != DoesNotSurvive, res.SLOMet && res.Verdict() == DoesNotSurvive:
			t.Fatalf("peak %d: verdict %q with SLO met %v", peak, res.Verdict(), res.SLOMet)
		}
	}
	if found == nil {
		t.Fatal("no peak survives on average and fails in the worst timing: the band says nothing")
	}
	if !found.Borderline || found.Verdict() != Borderline || !strings.Contains(found.BorderlineReason, "worst timing") {
		t.Errorf("survives on average, not in the worst timing: borderline %v (%q), verdict %q; want borderline, saying why", found.Borderline, found.BorderlineReason, found.Verdict())
	}

	clear := run(t, mustCompile(t, cpuScaled()), "constant:rate=100,for=10m", Options{Band: true})
	if clear.Borderline || clear.Verdict() != Survives {
		t.Errorf("a calm 10 minutes: verdict %q (%s); want survives", clear.Verdict(), clear.BorderlineReason)
	}

	r := &Result{SLOMet: true, BudgetBurned: 0.09}
	r.judgeBorderline(0.1)
	if !r.Borderline || !strings.Contains(r.BorderlineReason, "within 20%") {
		t.Errorf("9%% burned of the 10%% allowed: borderline %v (%q); want borderline", r.Borderline, r.BorderlineReason)
	}
	r = &Result{SLOMet: true, BudgetBurned: 0.05}
	if r.judgeBorderline(0.1); r.Borderline {
		t.Errorf("5%% burned of the 10%% allowed: borderline (%q)", r.BorderlineReason)
	}
}

func itoa(n int) string {
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// Compile checks the timing settings and positions each problem.
func TestCompileChecksTiming(t *testing.T) {
	cases := []struct {
		name string
		edit func(*System)
		path string
		msg  string
	}{
		{"a rate window shorter than two scrapes", func(s *System) { s.Metrics.Custom = CustomMetrics{RateWindow: time.Minute, Scrape: time.Minute} },
			"metrics.custom.rateWindow", "must hold two scrapes"},
		{"a negative housekeeping", func(s *System) { s.Metrics.Housekeeping = -time.Second }, "metrics.resource.housekeeping", "within 0 and 2h"},
		{"all traffic pinned", func(s *System) { s.Components[0].Serving.Pinned = 1 }, "components[0].serving.pinned", "fraction in [0, 1)"},
		{"a warm-up capacity above 1", func(s *System) { s.Components[0].Serving.WarmUpCapacity = 1.5 }, "components[0].serving.warmUpCapacity", "fraction in [0, 1]"},
		{"a negative propagation", func(s *System) { s.Components[0].Serving.Propagation = -time.Second }, "components[0].serving.propagation", "within 0 and 1h"},
		{"a p90 below the median", func(s *System) { s.Components[0].Startup.P90 = 10 * time.Second }, "components[0].startup.p90", "below the median"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sys := cpuScaled()
			tc.edit(&sys)
			_, err := Compile(sys)
			var me *ModelError
			if !errors.As(err, &me) {
				t.Fatalf("Compile = %v; want a *ModelError", err)
			}
			for _, p := range me.Problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.msg) {
					return
				}
			}
			t.Errorf("problems %+v; want one at %s saying %q", me.Problems, tc.path, tc.msg)
		})
	}
}

// A Model stays safe for concurrent runs with bands and the custom
// pipeline (go test -race checks it).
func TestBandRunsConcurrently(t *testing.T) {
	sys := podsScaled()
	sys.Components[0].Startup.P90 = time.Minute
	m := mustCompile(t, sys)
	sc := Scenario{Name: "tv", Traffic: shape(t, tvSpike)}
	want, err := m.Run(context.Background(), sc, Options{Band: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *Result, 3)
	for range 3 {
		go func() {
			res, err := m.Run(context.Background(), sc, Options{Band: true})
			if err != nil {
				t.Error(err)
			}
			done <- res
		}()
	}
	for range 3 {
		if got := <-done; !reflect.DeepEqual(got, want) {
			t.Error("a concurrent run with a band differs from a lone one")
		}
	}
}

// BenchmarkSim24hBand is the replayed day with its band: three runs.
func BenchmarkSim24hBand(b *testing.B) {
	m, err := Compile(twoComponents())
	if err != nil {
		b.Fatal(err)
	}
	sc := Scenario{Name: "day", Traffic: diurnal(b), Duration: 24 * time.Hour}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Run(context.Background(), sc, Options{Band: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSim24hCustomAndServing is the replayed day with the app scaled
// on its request rate through an adapter, warming up for a minute with
// a fifth of its traffic pinned.
func BenchmarkSim24hCustomAndServing(b *testing.B) {
	sys := twoComponents()
	sys.Components[0].HPA.Metrics = []Metric{{Source: PodsMetric, Name: "http_requests", Target: AverageValueTarget, Value: 60_000}}
	sys.Components[0].Serving = Serving{Propagation: 5 * time.Second, WarmUp: time.Minute, WarmUpCapacity: 0.5, Pinned: 0.2, ConnectionAge: 5 * time.Minute}
	benchmarkDayOn(b, sys, diurnal(b))
}

// A component's own custom pipeline (one on KEDA, another on
// prometheus-adapter) overrides the system's field by field, and the
// model keeps its own copy.
func TestComponentCustomMetricsOverrideTheSystems(t *testing.T) {
	fast := CustomMetrics{RateWindow: time.Minute, Scrape: 15 * time.Second}
	atSystem := podsScaled()
	atSystem.Metrics.Custom = fast
	want := run(t, mustCompile(t, atSystem), tvSpike, Options{TimelineStep: 10 * time.Second})

	own := podsScaled()
	own.Metrics.Custom = CustomMetrics{RateWindow: 10 * time.Minute, Scrape: 15 * time.Second}
	override := CustomMetrics{RateWindow: time.Minute}
	own.Components[0].CustomMetrics = &override
	m := mustCompile(t, own)
	override.RateWindow = 20 * time.Minute // after Compile: no effect
	got := run(t, m, tvSpike, Options{TimelineStep: 10 * time.Second})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("a 1m rate window of the component's own over the system's 15s scrape: failed %v, burned %v; the same set for the system: %v, %v",
			got.Failed, got.BudgetBurned, want.Failed, want.BudgetBurned)
	}
	slow := run(t, mustCompile(t, podsScaled()), tvSpike, Options{TimelineStep: 10 * time.Second})
	if firstDesired(got, "web", 12) >= firstDesired(slow, "web", 12) {
		t.Errorf("the component's 1m rate window scaled to 12 at %vs, the default 5m at %vs; want sooner", firstDesired(got, "web", 12), firstDesired(slow, "web", 12))
	}

	bad := podsScaled()
	bad.Components[0].CustomMetrics = &CustomMetrics{RateWindow: 30 * time.Second}
	if _, err := Compile(bad); err == nil || !strings.Contains(err.Error(), "must hold two scrapes") {
		t.Errorf("a component's 30s rate window over the default 1m scrape: Compile = %v; want it refused", err)
	}
}
