package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/review"
	"github.com/headroom-sre/headroom/rightsize"
)

// reviewCommands names commands as the demo's files do.
type reviewCommands struct{}

func (reviewCommands) SLORules(f string) string { return "headroom slo rules -f " + f }
func (reviewCommands) SLOCheck(f, results string) string {
	return "headroom slo check -f " + f + " " + results
}
func (reviewCommands) Report(results string) string { return "headroom report " + results }
func (reviewCommands) Sim(f string) string          { return "headroom sim -f " + f }
func (reviewCommands) Plan(f string, _ bool) string { return "headroom plan -f " + f }
func (reviewCommands) Cost(snapshot string) string  { return "headroom cost --snapshot " + snapshot }
func (reviewCommands) Capacity(url string) string   { return "headroom capacity " + url }
func (reviewCommands) Review(f, slo string) string  { return "headroom review " + f + " --slo " + slo }
func (reviewCommands) Rightsize(s, u, f string) string {
	return "headroom rightsize " + s + " " + u + " " + f
}

// demoProfile is a capacity profile of a demo component as headroom
// capacity writes it: the knee at its capacity by construction, CPU
// measured at each step.
func demoProfile(t *testing.T, name string, rate, cpuPerReq, latency float64) []byte {
	t.Helper()
	p := capacity.Profile{Target: name, SLO: "p99<=100ms,errors<=0.1%", MaxRate: rate, LimitedBy: capacity.LimitedByLatency, Converged: true,
		CPUPerRequest: &cpuPerReq, Bracket: [2]float64{rate, rate * 1.05}}
	for _, f := range []float64{0.25, 0.5, 0.75, 1} {
		cpu := 0.003 + f*rate*cpuPerReq
		p.Points = append(p.Points, capacity.Point{Rate: f * rate, AchievedRate: f * rate, P50: latency, P90: latency * 1.1, P99: latency * (1.2 + f), OK: true, CPU: &cpu})
	}
	b, err := json.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// demoFiles are the demo's System files for the stages of its story
// (as launched, after the panic, after the safe cuts) and its SLO file,
// with capacities measured at the sample's capacity by construction, or,
// when fallback, written inline as the demo does when it cannot measure.
func demoFiles(t *testing.T, fallback bool) MapFiles {
	t.Helper()
	money := &DemoReplica{Rate: 400, Source: demoMeasured, ByConstruction: 400, Construction: "4 workers × 10ms", CPUPerRequest: demoMoneyCPU.Seconds(), CPUSource: "measured", Latency: 0.01}
	app := &DemoReplica{Rate: 3200, Source: demoMeasured, ByConstruction: 3200, Construction: "64 workers, 20ms I/O wait each", CPUPerRequest: demoAppCPU.Seconds(), CPUSource: "measured", Latency: 0.02}
	if fallback {
		money.Source, money.Reason = demoFallback, "the generator fell behind"
		app.Source, app.Reason = demoFallback, "the generator fell behind"
	}
	cmds := reviewCommands{}
	files := MapFiles{
		"demo/slo.yaml":            []byte(demoSLOFile(cmds)),
		"demo/money.capacity.json": demoProfile(t, "money", 400, demoMoneyCPU.Seconds(), 0.01),
		"demo/app.capacity.json":   demoProfile(t, "app", 3200, demoAppCPU.Seconds(), 0.02),
	}
	system := func(header []string, appAt, moneyAt demoDeploy) []byte {
		return []byte(demoSystemFile(header, demoCapacityYAML("money", money), demoCapacityYAML("app", app), appAt, moneyAt))
	}
	appAt, moneyAt := demoLaunched()
	files["demo/system.yaml"] = system(demoLaunchedHeader(cmds), appAt, moneyAt)
	ws := demoPanicCluster(demoAppCPU.Seconds(), demoMoneyCPU.Seconds())
	files["demo/system.panic.yaml"] = system(demoPanicHeader(cmds), demoWorkloadNamed(ws, "app").deploy(), demoWorkloadNamed(ws, "money").deploy())

	// The safe cuts, found as the demo finds them.
	snap, err := demoSnapshot(ws)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kube.ReadSnapshot("cluster.yaml", snap)
	if err != nil {
		t.Fatal(err)
	}
	cluster := objs.Cluster("")
	usage, _ := demoUsage(ws, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)).ByWorkload(cluster)
	cuts, err := rightsize.Recommend(cluster, usage, rightsize.RecommendOptions{Policy: rightsize.Policy{Window: 14 * 24 * time.Hour, Step: time.Minute, PeakResolution: time.Minute}, Cost: demoCostOptions()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	panicked, err := Simulate(ctx, files, SimulateConfig{System: SystemConfig{File: "demo/system.panic.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := rightsize.Verify(ctx, cluster, cuts, rightsize.SystemCheck{System: panicked.File.File.System, Scenarios: panicked.File.File.Scenarios}); err != nil {
		t.Fatal(err)
	}
	// As the demo does: a cut that breaks a scenario with the others
	// applied is withdrawn, the least saving first.
	for range len(cuts.Recommendations) + 1 {
		after := demoApplyCuts(ws, cuts.Recommendations)
		files["demo/system.cuts.yaml"] = system(demoCutsHeader(cmds), demoWorkloadNamed(after, "app").deploy(), demoWorkloadNamed(after, "money").deploy())
		res, err := Simulate(ctx, files, SimulateConfig{System: SystemConfig{File: "demo/system.cuts.yaml"}})
		if err != nil {
			t.Fatal(err)
		}
		broke := ""
		for i, sc := range res.Scenarios {
			if panicked.Scenarios[i].SLOMet && !sc.SLOMet {
				broke = sc.Scenario
				break
			}
		}
		if broke == "" || !demoWithdrawCut(cuts, broke) {
			break
		}
	}
	return files
}

func reviewDemo(t *testing.T, files MapFiles, file string) *ReviewResult {
	t.Helper()
	res, err := Review(context.Background(), files, ReviewConfig{System: SystemConfig{File: "demo/" + file}, SLOFile: "demo/slo.yaml"})
	if err != nil {
		t.Fatalf("review %s: %v", file, err)
	}
	for _, f := range res.Findings {
		for _, e := range f.Evidence {
			if math.IsNaN(e.Value) || math.IsInf(e.Value, 0) {
				t.Errorf("%s: %q: %s = %v", file, f.Summary, e.What, e.Value)
			}
		}
	}
	return res
}

func blockers(res *ReviewResult) []string {
	var out []string
	for _, f := range res.Findings {
		if f.Severity == review.Blocker {
			out = append(out, f.Check+":"+f.Component)
		}
	}
	slices.Sort(out)
	return out
}

// The demo's story, reviewed: as launched and after the panic the review
// says no-go, because the HPAs scale on a CPU target that the
// worker-bound app and money never reach before they saturate (as
// launched, the broadcast also fails); after the cuts the same blocker
// stands. With capacities the demo could not measure, nothing is a go.
func TestReviewOfTheDemoSystems(t *testing.T) {
	files := demoFiles(t, false)
	for _, tc := range []struct {
		file     string
		blockers []string
		missed   []string
	}{
		{"system.yaml", []string{"hpa:app", "hpa:money", "scenario:money"}, []string{"tv-spike"}},
		{"system.panic.yaml", []string{"hpa:app", "hpa:money"}, nil},
		{"system.cuts.yaml", []string{"hpa:app", "hpa:money"}, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res := reviewDemo(t, files, tc.file)
			t.Logf("%s: %s; surprise ×%g, announced ×%g; reasons: %v", tc.file, res.Verdict, res.Surprise.Multiple, res.Announced.Multiple, res.Reasons)
			if res.Verdict != review.NoGo {
				t.Fatalf("verdict %s (%v); want no-go", res.Verdict, res.Reasons)
			}
			if got := blockers(res); !slices.Equal(got, tc.blockers) {
				t.Errorf("blockers %v; want %v", got, tc.blockers)
			}
			var missed []string
			for _, s := range res.Scenarios {
				if !s.SLOMet {
					missed = append(missed, s.Name)
				}
			}
			if !slices.Equal(missed, tc.missed) {
				t.Errorf("scenarios missed %v; want %v", missed, tc.missed)
			}
			if res.BaseRate != demoBaseRate || !res.Surprise.Known || !res.Announced.Known {
				t.Errorf("base %g, surprise %+v, announced %+v; want both searched from %g req/s", res.BaseRate, res.Surprise, res.Announced, demoBaseRate)
			}
			if res.Announced.Multiple < res.Surprise.Multiple {
				t.Errorf("announced ×%g below surprise ×%g", res.Announced.Multiple, res.Surprise.Multiple)
			}
			for _, f := range res.Findings {
				if f.Check == review.CheckCapacity {
					t.Errorf("measured capacity flagged: %q", f.Summary)
				}
			}
			doc := res.Document("headroom review demo/" + tc.file)
			if len(doc.Sections) == 0 || doc.Sections[0].Verdict == nil || !strings.HasPrefix(doc.Sections[0].Verdict.Text, "NO-GO") {
				t.Errorf("document verdict %+v; want NO-GO first", doc.Sections[0].Verdict)
			}
		})
	}
	// The panic floors (12 replicas of money at 400 req/s, 0.6 calls per
	// request) serve ×160 of 50 req/s without any scale-up: the surprise
	// survived is at most that, and the launched system's far less.
	panicked, launched := reviewDemo(t, files, "system.panic.yaml"), reviewDemo(t, files, "system.yaml")
	if s := panicked.Surprise.Multiple; s > 160 || s < 140 {
		t.Errorf("panic system survives ×%g as a surprise; its floors serve ×160 and nothing scales", s)
	}
	if launched.Surprise.Multiple >= demoSpikeFactor {
		t.Errorf("launched system survives ×%g as a surprise; the broadcast (×%g) fails it", launched.Surprise.Multiple, demoSpikeFactor)
	}

	fallback := demoFiles(t, true)
	res := reviewDemo(t, fallback, "system.cuts.yaml")
	var unknown []string
	for _, f := range res.Findings {
		if f.Severity == review.Unknowable {
			unknown = append(unknown, f.Check+":"+f.Component)
		}
	}
	slices.Sort(unknown)
	// The HPAs would not fire at the capacities by construction either,
	// but those are not measurements: unknown, not a blocker.
	if want := []string{"capacity:app", "capacity:money", "hpa:app", "hpa:money"}; !slices.Equal(unknown, want) || res.Verdict == review.Go {
		t.Errorf("fallback capacities: verdict %s, unknowns %v; want no go, and %v", res.Verdict, unknown, want)
	}
}

func TestReviewInputErrors(t *testing.T) {
	files := demoFiles(t, false)
	files["demo/broken.yaml"] = []byte("apiVersion: headroom/v1\nkind: System\nspec:\n  entry: app\n")
	for _, tc := range []struct {
		name string
		cfg  ReviewConfig
	}{
		{"no such file", ReviewConfig{System: SystemConfig{File: "demo/none.yaml"}}},
		{"an invalid system", ReviewConfig{System: SystemConfig{File: "demo/broken.yaml"}}},
		{"no such SLO file", ReviewConfig{System: SystemConfig{File: "demo/system.yaml"}, SLOFile: "demo/none.slo.yaml"}},
		{"a negative notice", ReviewConfig{System: SystemConfig{File: "demo/system.yaml"}, Notice: -time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Review(context.Background(), files, tc.cfg)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Errorf("Review = %v; want an *InputError", err)
			}
		})
	}
}
