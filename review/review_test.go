package review_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/review"
	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/slo"
)

func run(t *testing.T, sys sim.System, cfg review.Config) *review.Result {
	t.Helper()
	res, err := review.Review(context.Background(), sys, cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	return res
}

func withSLO(scenarios []sim.Scenario) review.Config {
	return review.Config{Scenarios: scenarios, SLOs: fintechSLOs(), SLOGiven: true, SLOSource: "slo.yaml"}
}

// checkInvariants asserts what holds for every review: finite numbers, a
// verdict that follows from the findings, figures that agree.
func checkInvariants(t *testing.T, res *review.Result) {
	t.Helper()
	finite := func(what string, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			t.Errorf("%s = %v; want a finite non-negative number", what, x)
		}
	}
	for _, f := range res.Findings {
		if f.Summary == "" || f.Check == "" {
			t.Errorf("finding %+v lacks a summary or a check", f)
		}
		if f.Severity != review.Info && f.Fix == "" {
			t.Errorf("%s finding %q has no fix", f.Severity, f.Summary)
		}
		for _, e := range f.Evidence {
			finite(f.Summary+": "+e.What, e.Value)
			if e.Source == "" || e.Text == "" {
				t.Errorf("evidence %q of %q has no source or text", e.What, f.Summary)
			}
		}
	}
	for _, s := range []review.Spike{res.Surprise, res.Announced} {
		finite(s.Event+" multiple", s.Multiple)
		finite(s.Event+" fails at", s.FailsAt)
		if s.Known && s.Multiple > 0 && s.FailsAt > 0 && s.FailsAt/s.Multiple > review.SearchPrecision*1.02 {
			t.Errorf("%s: survived ×%g, fails at ×%g: the search stopped short of its precision", s.Event, s.Multiple, s.FailsAt)
		}
		if s.Known && s.FailsAt > 0 && s.FailsAt <= s.Multiple {
			t.Errorf("%s: fails at ×%g, at or below ×%g survived", s.Event, s.FailsAt, s.Multiple)
		}
		if !s.Known && s.Reason == "" {
			t.Errorf("%s spike unknown without a reason", s.Event)
		}
	}
	for _, s := range res.ScaleUp {
		for _, x := range []float64{s.TotalS, s.DetectS, s.PoliciesS, s.NodesS, s.StartupS} {
			finite(s.Component+" scale-up", x)
		}
		if s.Known && math.Abs(s.TotalS-(s.DetectS+s.PoliciesS+s.NodesS+s.StartupS)) > 1e-9 {
			t.Errorf("%s: total %gs is not the sum of its parts", s.Component, s.TotalS)
		}
		if s.From < 1 {
			t.Errorf("%s scales from %d replicas; nothing live runs zero", s.Component, s.From)
		}
	}
	want := review.Go
	switch {
	case res.Count(review.Blocker) > 0:
		want = review.NoGo
	case res.Count(review.Unknowable) > 0:
		want = review.Unknown
	}
	if res.Verdict != want {
		t.Errorf("verdict %s with %d blockers and %d unknowns; want %s", res.Verdict, res.Count(review.Blocker), res.Count(review.Unknowable), want)
	}
	if res.Verdict != review.Go && len(res.Reasons) == 0 {
		t.Errorf("verdict %s without reasons", res.Verdict)
	}
}

func findings(res *review.Result, check string, sev review.Severity) []review.Finding {
	var out []review.Finding
	for _, f := range res.Findings {
		if f.Check == check && f.Severity == sev {
			out = append(out, f)
		}
	}
	return out
}

func components(fs []review.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Component)
	}
	slices.Sort(out)
	return out
}

// floorBound is the largest multiple of the normal rate the system's
// floors serve without any scale-up: each component's floor × capacity
// over its share of the entry's traffic.
func floorBound(sys sim.System, floors map[string]int) float64 {
	share := map[string]float64{"app": 1, "money": 0.6}
	bound := math.Inf(1)
	for _, c := range sys.Components {
		bound = min(bound, float64(floors[c.Name])*c.Capacity.PerReplicaRPS/share[c.Name]/sys.Objectives.WindowRate)
	}
	return bound
}

// The fintech system as launched: its HPAs scale on a CPU target a
// saturated replica never reaches (app uses 38% of its request at
// capacity, money 72% against 70% × 1.1), so they never add a replica; the
// broadcast (×30, announced) fails; without warning it survives only what
// two replicas of money serve.
func TestTheLaunchedSystemIsNoGo(t *testing.T) {
	sys := fintech(launched, launched, true)
	res := run(t, sys, withSLO(tvScenarios()))
	if res.Verdict != review.NoGo {
		t.Fatalf("verdict %s; want no-go", res.Verdict)
	}
	if got := components(findings(res, review.CheckHPA, review.Blocker)); !slices.Equal(got, []string{"app", "money"}) {
		t.Errorf("HPAs that cannot fire: %v; want app and money", got)
	}
	missed := findings(res, review.CheckScenario, review.Blocker)
	if len(missed) != 1 || !strings.Contains(missed[0].Summary, "tv-spike") {
		t.Errorf("scenario blockers %v; want tv-spike only (the evening peak, ×3, is served by the floors)", missed)
	}
	bound := floorBound(sys, map[string]int{"app": 2, "money": 2})
	if s := res.Surprise; s.Multiple > bound || s.Multiple < 0.9*bound {
		t.Errorf("surprise survived ×%g; the floors serve ×%.3g and nothing scales, so want within 10%% below it", s.Multiple, bound)
	}
	if a := res.Announced; a.Multiple > floorBound(sys, map[string]int{"app": 20, "money": 20}) || a.Multiple < res.Surprise.Multiple {
		t.Errorf("announced survived ×%g; want between the surprise's ×%g and what maxReplicas serve", a.Multiple, res.Surprise.Multiple)
	}
	if w := findings(res, review.CheckSpike, review.Warning); len(w) != 1 || !strings.Contains(w[0].Summary, "tv-spike") {
		t.Errorf("spike warnings %v; want the tv-spike as a surprise", w)
	}
	if got := components(findings(res, review.CheckPDB, review.Warning)); !slices.Equal(got, []string{"app", "money"}) {
		t.Errorf("missing PDBs: %v; want app and money", got)
	}
	for _, s := range res.ScaleUp {
		if s.Fires || s.From != 2 || s.Target != 20 || !s.Reaches {
			t.Errorf("%s scale-up %+v; want 2 → 20 replicas, reached, with an HPA that does not fire", s.Component, s)
		}
	}
}

// After the panic the floors are 12 replicas: the file's scenarios pass,
// but the HPAs still cannot fire, which blocks: beyond the floors nothing
// scales.
func TestThePanicSystemIsNoGoForItsHPAs(t *testing.T) {
	sys := fintech(panicked, panicked, true)
	res := run(t, sys, withSLO(tvScenarios()))
	if res.Verdict != review.NoGo {
		t.Fatalf("verdict %s; want no-go", res.Verdict)
	}
	for _, s := range res.Scenarios {
		if !s.SLOMet {
			t.Errorf("scenario %s missed; the panic floors serve it", s.Name)
		}
	}
	var blockers []string
	for _, f := range res.Findings {
		if f.Severity == review.Blocker {
			blockers = append(blockers, f.Check+":"+f.Component)
		}
	}
	if want := []string{"hpa:app", "hpa:money"}; !slices.Equal(blockers, want) {
		t.Errorf("blockers %v; want %v", blockers, want)
	}
	bound := floorBound(sys, map[string]int{"app": 12, "money": 12})
	if s := res.Surprise; s.Multiple > bound || s.Multiple < 0.9*bound {
		t.Errorf("surprise survived ×%g; the floors serve ×%.3g", s.Multiple, bound)
	}
	for _, s := range res.ScaleUp {
		if s.Reaches || s.Target != 40 {
			t.Errorf("%s: %+v; want capped at maxReplicas 40, short of ×10 of 12", s.Component, s)
		}
	}
}

// ready is the fintech system as it should have launched: HPAs on
// requests per second per pod well below capacity, three replicas at
// least, a disruption budget each, capacities measured.
func ready() sim.System {
	sys := fintech(deploy{cpu: 0.25, limit: 1, min: 3, max: 60}, deploy{cpu: 0.25, limit: 1, min: 3, max: 60}, true)
	for i := range sys.Components {
		c := &sys.Components[i]
		target := int64(0.6 * c.Capacity.PerReplicaRPS * 1000)
		c.HPA.Metrics = []sim.Metric{{Source: sim.PodsMetric, Name: "http_requests_per_second", Target: sim.AverageValueTarget, Value: target}}
		c.PDB = &sim.PDB{MaxUnavailable: sim.PodCount{Value: 1, Set: true}}
	}
	return sys
}

func TestAReadySystemIsAGo(t *testing.T) {
	res := run(t, ready(), withSLO(tvScenarios()))
	if res.Verdict != review.Go {
		t.Fatalf("verdict %s (%v); want go", res.Verdict, res.Reasons)
	}
	if !res.Surprise.Known || res.Surprise.Multiple < 30 {
		t.Errorf("surprise survived ×%g; the ready system takes the ×30 broadcast unannounced", res.Surprise.Multiple)
	}
	if res.Announced.Multiple < res.Surprise.Multiple {
		t.Errorf("announced ×%g below surprise ×%g: pre-scaling never hurts", res.Announced.Multiple, res.Surprise.Multiple)
	}
	for _, s := range res.ScaleUp {
		if !s.Fires || !s.Known || s.TotalS <= 0 {
			t.Errorf("%s scale-up %+v; want a firing HPA and a positive time", s.Component, s)
		}
	}
}

// What the review cannot know, it does not guess: each of these makes a
// ready system's verdict unknown, with the reason.
func TestUnknownsNeverGiveAGo(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*sim.System, *review.Config)
		check  string
	}{
		{"a capacity written by hand", func(s *sim.System, _ *review.Config) { s.Components[1].Capacity.Source = sim.CapacityWritten }, review.CheckCapacity},
		{"a capacity estimated from history", func(s *sim.System, _ *review.Config) {
			s.Components[0].Capacity.Source = sim.CapacityEstimated
		}, review.CheckCapacity},
		{"no SLO file", func(_ *sim.System, c *review.Config) { c.SLOGiven, c.SLOs = false, nil }, review.CheckAlerts},
		{"no objectives anywhere", func(s *sim.System, c *review.Config) {
			s.Objectives = sim.Objectives{WindowRate: 50}
			c.SLOGiven, c.SLOs = false, nil
		}, review.CheckObjectives},
		{"a CPU target with CPU per request unmeasured", func(s *sim.System, _ *review.Config) {
			c := &s.Components[1]
			c.Capacity.CPUPerRequest = 0
			c.HPA.Metrics = []sim.Metric{{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 60}}
		}, review.CheckHPA},
		{"no normal rate", func(s *sim.System, c *review.Config) {
			s.Objectives.WindowRate = 0
			c.Scenarios = nil
		}, review.CheckSpike},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys, cfg := ready(), withSLO(tvScenarios())
			tc.change(&sys, &cfg)
			res := run(t, sys, cfg)
			if res.Verdict != review.Unknown {
				t.Fatalf("verdict %s (%v); want unknown", res.Verdict, res.Reasons)
			}
			if len(findings(res, tc.check, review.Unknowable)) == 0 {
				t.Errorf("no unknown %s finding among %v", tc.check, res.Reasons)
			}
		})
	}
}

// The SLO file's alerting: no burn-rate alert blocks; tickets only warn.
func TestAlerts(t *testing.T) {
	disabled := fintechSLOs()
	disabled[0].Alerting.Tiers = []slo.BurnAlert{{Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Consumed: 0.02, Disabled: true}}
	tickets := fintechSLOs()
	tickets[0].Alerting.Tiers = []slo.BurnAlert{{Severity: slo.Ticket, Long: 24 * time.Hour, Short: 2 * time.Hour, Consumed: 0.1}}
	for _, tc := range []struct {
		name string
		slos []slo.SLO
		want review.Severity
	}{
		{"every tier disabled", disabled, review.Blocker},
		{"no SLO in the file", []slo.SLO{}, review.Blocker},
		{"tickets only", tickets, review.Warning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := withSLO(tvScenarios())
			cfg.SLOs = tc.slos
			res := run(t, ready(), cfg)
			if len(findings(res, review.CheckAlerts, tc.want)) != 1 {
				t.Errorf("findings %v; want one %s alerts finding", res.Findings, tc.want)
			}
		})
	}
	if res := run(t, ready(), withSLO(tvScenarios())); len(findings(res, review.CheckAlerts, review.Blocker))+len(findings(res, review.CheckAlerts, review.Warning)) != 0 {
		t.Errorf("the default tiers (two pages, two tickets) drew an alerts finding")
	}
}

// HPAs whose metric cannot fire before a replica saturates.
func TestHPAsThatCannotFire(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*sim.Component)
		want   review.Severity
	}{
		{"a Pods target above capacity", func(c *sim.Component) {
			c.HPA.Metrics = []sim.Metric{{Source: sim.PodsMetric, Name: "rps", Target: sim.AverageValueTarget, Value: 450_000}}
		}, review.Blocker},
		{"a Pods target within the tolerance of capacity", func(c *sim.Component) {
			c.HPA.Metrics = []sim.Metric{{Source: sim.PodsMetric, Name: "rps", Target: sim.AverageValueTarget, Value: 370_000}}
		}, review.Blocker},
		{"a CPU limit below what the target needs", func(c *sim.Component) {
			c.Capacity.CPUPerRequest = 0.004 // CPU-bound: 1.6 cores at capacity, capped by the limit
			c.Resources.CPULimit = 1
			c.Resources.CPURequest = 1
			c.HPA.Metrics = []sim.Metric{{Source: sim.ResourceMetric, Name: "cpu", Target: sim.UtilizationTarget, AverageUtilization: 95}}
		}, review.Blocker},
		{"an Object target for the whole component above what the floor serves", func(c *sim.Component) {
			c.HPA.Metrics = []sim.Metric{{Source: sim.ObjectMetric, Name: "ingress_rps", Target: sim.ValueTarget, Value: 1_300_000}}
		}, review.Blocker},
		{"a Pods target at 95% of capacity", func(c *sim.Component) {
			c.HPA.Metrics = []sim.Metric{{Source: sim.PodsMetric, Name: "rps", Target: sim.AverageValueTarget, Value: 345_000}}
		}, review.Warning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := ready()
			tc.change(&sys.Components[1]) // money: 400 req/s per replica, floor 3
			res := run(t, sys, withSLO(tvScenarios()))
			got := findings(res, review.CheckHPA, tc.want)
			if len(got) != 1 || got[0].Component != "money" {
				t.Fatalf("hpa findings %v; want one %s for money", res.Findings, tc.want)
			}
		})
	}
}

// PodDisruptionBudgets, as the disruption controller counts allowed
// disruptions (percentages of the pods, rounded up).
func TestAllowedDisruptions(t *testing.T) {
	n := func(v int) sim.PodCount { return sim.PodCount{Value: v, Set: true} }
	pct := func(v int) sim.PodCount { return sim.PodCount{Value: v, Percent: true, Set: true} }
	for _, tc := range []struct {
		name string
		pdb  sim.PDB
		pods int
		want int
	}{
		{"minAvailable 2 of 3", sim.PDB{MinAvailable: n(2)}, 3, 1},
		{"minAvailable 50% of 3 keeps 2", sim.PDB{MinAvailable: pct(50)}, 3, 1},
		{"maxUnavailable 50% of 3 allows 2", sim.PDB{MaxUnavailable: pct(50)}, 3, 2},
		{"maxUnavailable 1", sim.PDB{MaxUnavailable: n(1)}, 3, 1},
		{"maxUnavailable 0", sim.PDB{MaxUnavailable: n(0)}, 3, 0},
		{"minAvailable 100%", sim.PDB{MinAvailable: pct(100)}, 4, 0},
		{"minAvailable above the pods", sim.PDB{MinAvailable: n(5)}, 3, 0},
		{"maxUnavailable above the pods", sim.PDB{MaxUnavailable: n(5)}, 3, 3},
		{"minAvailable 0", sim.PDB{MinAvailable: n(0)}, 2, 2},
	} {
		if got := review.AllowedDisruptions(tc.pdb, tc.pods); got != tc.want {
			t.Errorf("AllowedDisruptions(%s, %d) = %d; want %d", tc.name, tc.pods, got, tc.want)
		}
	}
}

func TestReplicasAndPDBs(t *testing.T) {
	sys := ready()
	sys.Components[0].HPA.MinReplicas = 1
	sys.Components[0].PDB = &sim.PDB{MinAvailable: sim.PodCount{Value: 1, Set: true}}
	sys.Components[1].PDB = &sim.PDB{MaxUnavailable: sim.PodCount{Value: 100, Percent: true, Set: true}}
	res := run(t, sys, withSLO(tvScenarios()))
	if got := components(findings(res, review.CheckReplicas, review.Warning)); !slices.Equal(got, []string{"app"}) {
		t.Errorf("single replicas: %v; want app", got)
	}
	pdbs := findings(res, review.CheckPDB, review.Warning)
	if len(pdbs) != 2 || !strings.Contains(pdbs[0].Summary+pdbs[1].Summary, "allows no eviction") || !strings.Contains(pdbs[0].Summary+pdbs[1].Summary, "protects nothing") {
		t.Errorf("PDB findings %v; want app's blocking every eviction and money's protecting nothing", pdbs)
	}
	if res.Verdict != review.Go {
		t.Errorf("verdict %s; warnings alone do not block", res.Verdict)
	}
}

// The scale-up policies, driven through the controller's normalisation:
// the defaults (4 pods or 100% per 15 s) double 2 → 20 in four steps; a
// policy of one pod a minute takes eighteen.
func TestScaleUpPolicies(t *testing.T) {
	minute := time.Minute
	for _, tc := range []struct {
		name      string
		behavior  *sim.Behavior
		steps     int
		policiesS float64
	}{
		{"legacy limits", nil, 4, 45},
		{"default behavior", &sim.Behavior{}, 3, 30},
		{"one pod a minute", &sim.Behavior{ScaleUp: &sim.ScalingRules{Policies: []sim.Policy{{Type: sim.PodsPolicy, Value: 1, Period: minute}}}}, 18, 17 * 60},
		{"a 60 s stabilization window", &sim.Behavior{ScaleUp: &sim.ScalingRules{StabilizationWindow: &minute}}, 3, 60 + 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := ready()
			sys.Components[0].HPA.MinReplicas = 2
			sys.Components[0].HPA.Behavior = tc.behavior
			res := run(t, sys, withSLO(tvScenarios()))
			su := res.ScaleUp[0]
			if su.From != 2 || su.Target != 20 || su.Steps != tc.steps || su.PoliciesS != tc.policiesS {
				t.Errorf("app: %d → %d in %d steps over %gs; want 2 → 20 in %d steps over %gs", su.From, su.Target, su.Steps, su.PoliciesS, tc.steps, tc.policiesS)
			}
			// Autopilot provisions room for the new pods (no buffer).
			if su.NodesS != sim.DefaultAutopilotProvisioning.Seconds() {
				t.Errorf("nodes %gs; want Autopilot's %v", su.NodesS, sim.DefaultAutopilotProvisioning)
			}
		})
	}
}

// Spare room that holds the new pods saves the node provisioning.
func TestScaleUpWithABuffer(t *testing.T) {
	sys := ready()
	sys.Nodes.BufferCPU, sys.Nodes.BufferMemory = 64, 256<<30
	res := run(t, sys, withSLO(tvScenarios()))
	for _, s := range res.ScaleUp {
		if s.NodesS != 0 {
			t.Errorf("%s waits %gs for nodes; the buffer holds the new pods", s.Component, s.NodesS)
		}
	}
}

func TestBadConfig(t *testing.T) {
	if _, err := review.Review(context.Background(), ready(), review.Config{Notice: -time.Hour}); err == nil {
		t.Error("a negative notice was accepted")
	}
	sys := ready()
	sys.Entry = "nowhere"
	if _, err := review.Review(context.Background(), sys, review.Config{}); err == nil {
		t.Error("a system with an unknown entry was reviewed")
	}
	// sim.Compile validates a PodDisruptionBudget as the API server does.
	for _, pdb := range []sim.PDB{
		{MinAvailable: sim.PodCount{Value: 1, Set: true}, MaxUnavailable: sim.PodCount{Value: 1, Set: true}},
		{},
		{MaxUnavailable: sim.PodCount{Value: 101, Percent: true, Set: true}},
		{MinAvailable: sim.PodCount{Value: -1, Set: true}},
	} {
		sys := ready()
		sys.Components[0].PDB = &pdb
		_, err := review.Review(context.Background(), sys, review.Config{})
		var me *sim.ModelError
		if !errors.As(err, &me) || me.Problems[0].Path != "components[0].pdb" {
			t.Errorf("pdb %+v: error %v; want a problem at components[0].pdb", pdb, err)
		}
	}
}

func BenchmarkReview(b *testing.B) {
	sys := fintech(launched, launched, true)
	cfg := withSLO(tvScenarios())
	for b.Loop() {
		if _, err := review.Review(context.Background(), sys, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// The metric's lag until a step in load shows in full, plus one sync:
// metrics-server's pipeline for CPU (15 s window, 10 s housekeeping, 15 s
// resolution), the adapter's for a Pods metric (a 5m rate window and a 1m
// scrape by default, or the System's).
func TestScaleUpMetricLag(t *testing.T) {
	custom := ready()
	custom.Metrics.Custom = sim.CustomMetrics{RateWindow: time.Minute, Scrape: 30 * time.Second}
	override := ready()
	override.Components[0].CustomMetrics = &sim.CustomMetrics{RateWindow: 2 * time.Minute}
	for _, tc := range []struct {
		name    string
		sys     sim.System
		detectS float64
	}{
		{"CPU through metrics-server", fintech(launched, launched, true), 15 + 15 + 10 + 15},
		{"a Pods metric through an adapter, by default", ready(), 15 + 300 + 60},
		{"a Pods metric with the System's pipeline", custom, 15 + 60 + 30},
		{"a component's own rate window", override, 15 + 120 + 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.sys, withSLO(tvScenarios()))
			if got := res.ScaleUp[0].DetectS; got != tc.detectS {
				t.Errorf("app's lag and sync %gs; want %gs", got, tc.detectS)
			}
		})
	}
}

// On a Standard pool, a ×10 scale-up waits for new nodes (the cluster
// autoscaler's scan and provisioning), and a pool too small for it says
// so.
func TestScaleUpOnAStandardPool(t *testing.T) {
	sys := ready()
	sys.Nodes = sim.Nodes{Mode: sim.Standard, MachineType: "e2-standard-4", NodeCPU: 4, NodeMemory: 16 << 30, MinNodes: 1, MaxNodes: 3}
	sys.Prices.NodeHour = 0.134
	res := run(t, sys, withSLO(tvScenarios()))
	want := (sim.DefaultStandardProvisioning + sim.DefaultScanInterval).Seconds()
	for _, s := range res.ScaleUp {
		if s.NodesS != want {
			t.Errorf("%s waits %gs for nodes; want the scan and provisioning, %gs", s.Component, s.NodesS, want)
		}
	}
	capped := 0
	for _, f := range findings(res, review.CheckScaleUp, review.Warning) {
		if strings.Contains(f.Summary, "maxNodes is 3") {
			capped++
		}
	}
	if capped != 1 {
		t.Errorf("findings %v; want one saying the pool of 3 nodes cannot hold the scale-up", res.Findings)
	}
}

// Notice buys time to pre-scale: with ten seconds of it the new pods
// (node provisioning and start-up, minutes) are not ready when the spike
// comes, and less is survived than with a day's.
func TestNoticeMatters(t *testing.T) {
	sys := fintech(launched, launched, true)
	day := withSLO(tvScenarios())
	short := withSLO(tvScenarios())
	short.Notice = 10 * time.Second
	d, s := run(t, sys, day), run(t, sys, short)
	if !(s.Announced.Multiple < d.Announced.Multiple) || s.Announced.Multiple < s.Surprise.Multiple {
		t.Errorf("announced ×%g with 10s notice, ×%g with a day's, ×%g as a surprise; want surprise ≤ 10s < a day", s.Announced.Multiple, d.Announced.Multiple, s.Surprise.Multiple)
	}
	if s.NoticeS != 10 || d.NoticeS != review.DefaultNotice.Seconds() {
		t.Errorf("notice %gs and %gs; want 10s and a day", s.NoticeS, d.NoticeS)
	}
}

// A capacity that is not a measured knee cannot carry a blocker: an HPA
// target above a placeholder capacity is unknown, not "cannot fire".
func TestHPACheckOnACapacityNotMeasured(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*sim.Capacity)
	}{
		{"a placeholder", func(c *sim.Capacity) {
			c.PerReplicaRPS, c.Source, c.Evidence = 1, sim.CapacityEstimated, "placeholder, not a measurement: no capacity profile and no Prometheus history"
		}},
		{"written by hand", func(c *sim.Capacity) { c.PerReplicaRPS, c.Source = 10, sim.CapacityWritten }},
		{"a lower bound", func(c *sim.Capacity) { c.PerReplicaRPS, c.LowerBound = 10, true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := ready()
			tc.change(&sys.Components[1].Capacity) // money's Pods target is 240 req/s
			res := run(t, sys, withSLO(tvScenarios()))
			if b := findings(res, review.CheckHPA, review.Blocker); len(b) > 0 {
				t.Errorf("blocker %q on a capacity that is not measured", b[0].Summary)
			}
			if u := findings(res, review.CheckHPA, review.Unknowable); len(u) != 1 || u[0].Component != "money" {
				t.Errorf("hpa findings %v; want money's unknown", res.Findings)
			}
			if res.Verdict == review.Go {
				t.Error("a go on a capacity that is not measured")
			}
		})
	}
}
