package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/promtest"
	"github.com/headroom-sre/headroom/internal/testbin"
)

// The whole pipeline on the sample system, with short steps: it measures,
// models, decides and reports, and every file it writes is usable by the
// other commands.
func TestDemoRunsThePipeline(t *testing.T) {
	out, stdout := sharedDemo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var r struct {
		demoHonesty
		Files []string
		Spike struct {
			Requests   int64   `json:"requests"`
			ErrorRatio float64 `json:"error_ratio"`
		}
		SpikeBudget []struct{ Burned float64 } `json:"spike_budget"`
		Simulation  struct {
			SLOMet   bool              `json:"slo_met"`
			Timeline []json.RawMessage `json:"timeline"`
		}
		Plan struct {
			Recommended *struct {
				SLOMet      bool    `json:"slo_met"`
				MonthlyCost float64 `json:"monthly_cost"`
			}
		}
		Cost struct {
			MonthlyCost float64 `json:"monthly_cost"`
		}
		Rightsize struct {
			Total float64 `json:"total_monthly_saving"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("demo --json: %v\n%s", err, stdout)
	}
	r.check(t, out)
	// money is 4 workers × 10 ms, 400 req/s by construction, on a machine
	// whose generator can drive it; less when the demo had to scale it.
	if m := r.PerReplica["money"]; m.Source == "measured" && (m.Rate < 0.5*m.ByConstruction || m.Rate > 1.1*m.ByConstruction) {
		t.Errorf("money capacity %.0f req/s; want at most %.0f (%s), and not far below", m.Rate, m.ByConstruction, m.Construction)
	}
	// The live spike peaks at twice what the mix takes: it must fail some.
	if r.Spike.Requests == 0 || r.Spike.ErrorRatio < 0.05 {
		t.Errorf("spike: %d requests, %.3f errors; want an overload", r.Spike.Requests, r.Spike.ErrorRatio)
	}
	if len(r.SpikeBudget) != 2 || r.SpikeBudget[0].Burned <= 0 {
		t.Errorf("spike budget = %+v", r.SpikeBudget)
	}
	if len(r.Simulation.Timeline) < 100 {
		t.Errorf("simulation timeline has %d points", len(r.Simulation.Timeline))
	}
	if r.Plan.Recommended == nil || !r.Plan.Recommended.SLOMet || r.Plan.Recommended.MonthlyCost <= 0 {
		t.Errorf("plan = %+v; want a recommendation that meets the SLO", r.Plan.Recommended)
	}
	if r.Cost.MonthlyCost <= 0 || r.Rightsize.Total <= 0 || r.Rightsize.Total >= r.Cost.MonthlyCost {
		t.Errorf("cost %.2f, safe cuts %.2f; want cuts below the bill", r.Cost.MonthlyCost, r.Rightsize.Total)
	}

	// The files work with the other commands.
	for _, args := range [][]string{
		{"sim", "-f", filepath.Join(out, "system.yaml"), "--json"},
		{"report", filepath.Join(out, "spike.jsonl"), "-o", "json"},
		{"cost", "--snapshot", filepath.Join(out, "cluster.yaml"), "--json"},
		{"slo", "check", "-f", filepath.Join(out, "slo.yaml"), "--run", filepath.Join(out, "spike.jsonl")},
		{"sim", "-f", filepath.Join(out, "plan", "system.recommended.yaml"), "--json"},
	} {
		code, _, stderr := ldRun(ctx, t, args...)
		// sim exits 3 when the system as first deployed misses its SLO, and
		// slo check when the spike missed the objectives: verdicts, not errors.
		if code != 0 && code != 3 {
			t.Errorf("headroom %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
		if args[0] == "sim" && strings.Contains(args[2], "plan") && code != 0 {
			t.Errorf("the planned system misses its SLO when simulated again (exit %d)", code)
		}
	}
	promtool := promtest.Promtool(t)
	if b, err := exec.Command(promtool, "check", "rules", filepath.Join(out, "slo-rules.yaml")).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules: %v\n%s", err, b)
	}

	// The report renders in a real browser, every section in place.
	chromium := testbin.Require(t, "chromium", "apt-get install -y chromium")
	cctx, ccancel := context.WithTimeout(ctx, 90*time.Second)
	defer ccancel()
	cmd := exec.CommandContext(cctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+t.TempDir(),
		"--dump-dom", "file://"+filepath.Join(out, "report.html"))
	var dom bytes.Buffer
	cmd.Stdout = &dom
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if n := strings.Count(dom.String(), "<section"); n != 9 {
		t.Errorf("report has %d sections; want 9 (the review among them)", n)
	}
	if n := strings.Count(dom.String(), "<svg"); n < 7 {
		t.Errorf("report has %d charts; want at least 7", n)
	}
	for _, f := range []string{"report.html", "system.yaml", "system.panic.yaml", "system.cuts.yaml", "cluster.cuts.yaml", "money.capacity.json", "app.capacity.json", "slo.yaml", "slo-rules.yaml", "slo-dashboard.json", "spike.jsonl", "cluster.yaml", "rightsize-patch.yaml", "usage.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}

// demoHonesty is what `headroom demo --json` says about its own
// measurements: how it sized the sample, what it measured, and what it
// went on with.
type demoHonesty struct {
	Calibration struct {
		GeneratorRate float64 `json:"generator_rate"`
		Need          float64 `json:"need"`
		Scale         float64 `json:"scale"`
		MoneyCapacity float64 `json:"money_capacity"`
		AppCapacity   float64 `json:"app_capacity"`
	}
	Capacity map[string]struct {
		MaxRate    float64  `json:"max_rate"`
		LimitedBy  string   `json:"limited_by"`
		LowerBound bool     `json:"lower_bound"`
		Note       string   `json:"note"`
		CPU        *float64 `json:"cpu_per_request_s"`
	}
	PerReplica map[string]struct {
		Rate           float64 `json:"rate"`
		Source         string  `json:"source"`
		Reason         string  `json:"reason"`
		ByConstruction float64 `json:"by_construction"`
		Construction   string  `json:"construction"`
		CPU            float64 `json:"cpu_per_request_s"`
		CPUSource      string  `json:"cpu_source"`
	} `json:"per_replica"`
	Fallback bool
}

// check holds the demo to its word: every capacity it went on with is a
// measured knee or the capacity by construction marked as a fallback —
// never a lower bound passed off as a capacity — and the files say which.
func (r *demoHonesty) check(t *testing.T, out string) {
	t.Helper()
	c := r.Calibration
	if c.Scale < 0.1-1e-9 || c.Scale > 1 || c.Need <= 0 || c.MoneyCapacity <= 0 || c.AppCapacity <= 0 {
		t.Errorf("calibration = %+v; want a scale in [0.1, 1] and capacities by construction", c)
	}
	if c.Scale < 1 && c.GeneratorRate >= c.Need {
		t.Errorf("scaled to %.2f with a generator holding %.0f/s of the %.0f/s needed", c.Scale, c.GeneratorRate, c.Need)
	}
	sysYAML, _ := os.ReadFile(filepath.Join(out, "system.yaml"))
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	fallbacks := 0
	for _, name := range []string{"money", "app"} {
		p, rep := r.Capacity[name], r.PerReplica[name]
		if rep.CPU <= 0 || (rep.CPUSource != "measured" && rep.CPUSource != "assumed") {
			t.Errorf("%s: CPU per request %g (%s); want a measured or assumed value", name, rep.CPU, rep.CPUSource)
		}
		want := map[string]float64{"money": c.MoneyCapacity, "app": c.AppCapacity}[name]
		if rep.ByConstruction != want {
			t.Errorf("%s: by construction %.1f; the calibration says %.1f", name, rep.ByConstruction, want)
		}
		switch rep.Source {
		case "measured":
			lower := p.LowerBound || p.LimitedBy == "generator" || p.LimitedBy == "inconclusive"
			if lower || p.MaxRate <= 0 || rep.Rate != p.MaxRate {
				t.Errorf("%s: went on with %.1f/s as measured from a profile of %.1f/s limited by %s (lower bound %v)", name, rep.Rate, p.MaxRate, p.LimitedBy, p.LowerBound)
			}
			if p.CPU == nil || *p.CPU <= 0 {
				t.Errorf("%s: measured, with no CPU per request", name)
			}
			if p.MaxRate > 1.1*rep.ByConstruction {
				t.Errorf("%s: measured %.1f/s, beyond its %.1f/s by construction", name, p.MaxRate, rep.ByConstruction)
			}
		case "fallback":
			fallbacks++
			lower := p.LowerBound || p.LimitedBy == "generator" || p.LimitedBy == "inconclusive"
			if !lower && p.MaxRate > 0 {
				t.Errorf("%s: fell back although the profile measured %.1f/s limited by %s", name, p.MaxRate, p.LimitedBy)
			}
			if rep.Rate != rep.ByConstruction || rep.Reason == "" {
				t.Errorf("%s: fallback %+v; want the capacity by construction and why", name, rep)
			}
			if !strings.Contains(string(sysYAML), "FALLBACK, NOT MEASURED: "+name+"'s capacity") {
				t.Errorf("system.yaml does not mark %s's capacity as a fallback:\n%s", name, sysYAML)
			}
		default:
			t.Errorf("%s: source %q; want measured or fallback", name, rep.Source)
		}
	}
	if r.Fallback != (fallbacks > 0) {
		t.Errorf("fallback = %v with %d fallbacks", r.Fallback, fallbacks)
	}
	if strings.Contains(string(html), "FALLBACK") != (fallbacks > 0) {
		t.Errorf("report.html mentions FALLBACK: %v; want %v", !(fallbacks > 0), fallbacks > 0)
	}
	if strings.Contains(string(html), "Calibrated:") != (c.Scale < 1) {
		t.Errorf("report.html says it calibrated: %v; scale %.2f", !(c.Scale < 1), c.Scale)
	}
}

// TestBusyLoopHelper is not a test: run as a child process of
// TestDemoCompletesOnABusyMachine with HEADROOM_TEST_BUSY_LOOP set to a
// duration, it keeps one core busy for that long, then exits.
func TestBusyLoopHelper(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("HEADROOM_TEST_BUSY_LOOP"))
	if err != nil {
		t.Skip("a helper process, not a test")
	}
	deadline := time.Now().Add(d)
	n := 0
	for time.Now().Before(deadline) {
		for i := 0; i < 1_000_000; i++ {
			n += i
		}
	}
	if n == 42 {
		t.Log(n) // keep the loop
	}
}

// busyMachine starts n processes that each keep a core busy for at most
// d, and returns a function that stops them (by PID) and returns the CPU
// time they used.
func busyMachine(t *testing.T, n int, d time.Duration) (stop func() time.Duration) {
	t.Helper()
	var cmds []*exec.Cmd
	for range n {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBusyLoopHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), "HEADROOM_TEST_BUSY_LOOP="+d.String())
		if err := cmd.Start(); err != nil {
			t.Fatalf("start a busy process: %v", err)
		}
		cmds = append(cmds, cmd)
	}
	stopped := false
	var used time.Duration
	stop = func() time.Duration {
		if stopped {
			return used
		}
		stopped = true
		for _, cmd := range cmds {
			_ = cmd.Process.Kill() // by PID; it may have ended by itself
			_ = cmd.Wait()
			if st := cmd.ProcessState; st != nil {
				used += st.UserTime() + st.SystemTime()
			}
		}
		return used
	}
	t.Cleanup(func() { stop() })
	return stop
}

// On a busy machine — many more runnable processes than cores, a load
// average of 10 or more — the demo still completes: it scales the sample
// system to what the generator can drive, retries steps the generator
// could not hold, and goes on with a marked fallback when it still cannot,
// never passing a generator-limited number off as a capacity.
func TestDemoCompletesOnABusyMachine(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the machine for a minute")
	}
	cores := runtime.NumCPU()
	stop := busyMachine(t, 6*cores, 4*time.Minute)
	time.Sleep(time.Second) // let them get going
	out := filepath.Join(t.TempDir(), "demo")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	began := time.Now()
	code, stdout, stderr := ldRun(ctx, t, "demo", "--out", out, "--hold", "800ms", "--spike-for", "8s", "--no-plan", "--json", "-q")
	elapsed := time.Since(began)
	busy := stop()
	if code != 0 {
		t.Fatalf("demo on a busy machine: exit %d\n%s", code, stderr)
	}
	// The machine was busy: the helpers used most of its cores meanwhile.
	if busy < time.Duration(float64(elapsed)*0.5*float64(min(cores, 2))) {
		t.Errorf("the busy processes used %v of CPU in %v; the machine was not busy", busy, elapsed)
	}
	var r demoHonesty
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("demo --json: %v\n%s", err, stdout)
	}
	r.check(t, out)
	// Whatever it measured or fell back on, the System file it wrote works.
	if code, _, stderr := ldRun(ctx, t, "sim", "-f", filepath.Join(out, "system.yaml"), "--json"); code != 0 && code != 3 {
		t.Errorf("sim of the demo's system.yaml: exit %d\n%s", code, stderr)
	}
	t.Logf("generator held %.0f/s (scale %.2f); money %s %.1f/s, app %s %.1f/s; helpers used %v of CPU in %v",
		r.Calibration.GeneratorRate, r.Calibration.Scale, r.PerReplica["money"].Source, r.PerReplica["money"].Rate,
		r.PerReplica["app"].Source, r.PerReplica["app"].Rate, busy, elapsed)
}
