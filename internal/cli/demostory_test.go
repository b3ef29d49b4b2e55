package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/cli"
)

// sharedDemoRun is one run of `headroom demo` with short steps, shared by
// the tests that read what it wrote (a run takes about a minute).
var sharedDemoRun struct {
	once           sync.Once
	dir, out       string
	code           int
	stdout, stderr string
}

// TestMain removes the shared demo run's files once every test is done.
func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDemoRun.dir != "" {
		os.RemoveAll(sharedDemoRun.dir)
	}
	os.Exit(code)
}

// sharedDemo runs the demo once for every test that asks (short steps,
// JSON on stdout) and returns where it wrote its files and its JSON.
func sharedDemo(t *testing.T) (out, stdout string) {
	t.Helper()
	sharedDemoRun.once.Do(func() {
		dir, err := os.MkdirTemp("", "headroom-demo-test-")
		if err != nil {
			sharedDemoRun.code, sharedDemoRun.stderr = -1, err.Error()
			return
		}
		sharedDemoRun.dir, sharedDemoRun.out = dir, filepath.Join(dir, "demo")
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		var o, e bytes.Buffer
		sharedDemoRun.code = cli.Run(ctx, []string{"demo", "--out", sharedDemoRun.out, "--hold", "800ms", "--spike-for", "12s", "--json", "-q"},
			cli.Stdio{In: strings.NewReader(""), Out: &o, Err: &e})
		sharedDemoRun.stdout, sharedDemoRun.stderr = o.String(), e.String()
	})
	if sharedDemoRun.code != 0 {
		t.Fatalf("demo exit %d\n%s", sharedDemoRun.code, sharedDemoRun.stderr)
	}
	return sharedDemoRun.out, sharedDemoRun.stdout
}

// demoStory is what `headroom demo --json` says about its story: each
// stage simulated, the SLO verdicts of the live spike, the plan, the
// bills and the commands that reproduce them.
type demoStory struct {
	SpikeBudget []struct {
		Name      string  `json:"name"`
		Verdict   string  `json:"verdict"`
		SLI       float64 `json:"sli"`
		Remaining float64 `json:"budget_remaining"`
	} `json:"spike_budget"`
	Launched     *demoStoryStage `json:"as_launched"`
	Panic        *demoStoryStage `json:"panic"`
	Planned      *demoStoryStage `json:"planned"`
	AfterCuts    *demoStoryStage `json:"after_cuts"`
	PlanSurprise *struct {
		Recommended *struct {
			MonthlyCost float64 `json:"monthly_cost"`
		} `json:"recommended"`
	} `json:"plan_surprise"`
	Plan struct {
		Current struct {
			MonthlyCost float64 `json:"monthly_cost"`
		} `json:"current"`
		Recommended *struct {
			MonthlyCost float64 `json:"monthly_cost"`
		} `json:"recommended"`
	} `json:"plan"`
	Cost struct {
		MonthlyCost float64 `json:"monthly_cost"`
	} `json:"cost"`
	CostAfterCuts struct {
		MonthlyCost float64 `json:"monthly_cost"`
	} `json:"cost_after_cuts"`
	Saving    float64 `json:"saving"`
	Rightsize struct {
		Total   float64 `json:"total_monthly_saving"`
		Skipped []struct {
			Reason string `json:"reason"`
		} `json:"skipped"`
	} `json:"rightsize"`
	Review struct {
		Verdict string `json:"verdict"`
	} `json:"review"`
	Reproduce []struct {
		Section string `json:"section"`
		Command string `json:"command"`
		Exit    int    `json:"exit"`
	} `json:"reproduce"`
}

type demoStoryStage struct {
	File      string `json:"file"`
	Command   string `json:"command"`
	Exit      int    `json:"exit"`
	SLOMet    bool   `json:"slo_met"`
	Scenarios []struct {
		Name         string  `json:"name"`
		SLOMet       bool    `json:"slo_met"`
		BudgetBurned float64 `json:"budget_burned"`
	} `json:"scenarios"`
}

// The demo tells one story, and every figure of it is what the command
// printed under its section gives: each reproduce command, run through
// the CLI, exits as the verdict shown says and prints the same plan cost,
// SLO verdicts and budgets, simulated verdicts per scenario, bills and
// saving.
func TestDemoFiguresAgreeWithTheCommandsThatReproduceThem(t *testing.T) {
	out, stdout := sharedDemo(t)
	var s demoStory
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("demo --json: %v", err)
	}
	stages := map[string]*demoStoryStage{}
	for name, st := range map[string]*demoStoryStage{"as launched": s.Launched, "panic": s.Panic, "planned": s.Planned, "after cuts": s.AfterCuts} {
		if st == nil {
			t.Fatalf("the demo did not simulate the stage %s", name)
		}
		stages[st.Command] = st
		want := 0
		if !st.SLOMet {
			want = 3
		}
		if st.Exit != want || len(st.Scenarios) < 2 {
			t.Errorf("%s: exit %d with slo_met %v over %d scenarios; want exit %d over every scenario", name, st.Exit, st.SLOMet, len(st.Scenarios), want)
		}
	}

	// The story itself: the launch fails the broadcast, the panic and the
	// plan survive it, and the cuts keep every scenario the panic met.
	if s.Launched.SLOMet {
		t.Errorf("the system as launched survives every scenario; the story wants the broadcast to break it")
	}
	if s.Review.Verdict != "no-go" {
		t.Errorf("the readiness review of the system as launched says %q; the broadcast breaks it, so it must be no-go", s.Review.Verdict)
	}
	if !s.Panic.SLOMet || !s.Planned.SLOMet {
		t.Errorf("panic slo_met %v, planned %v; want both to survive", s.Panic.SLOMet, s.Planned.SLOMet)
	}
	for i, sc := range s.AfterCuts.Scenarios {
		if s.Panic.Scenarios[i].SLOMet && !sc.SLOMet {
			t.Errorf("the cuts offered as safe break the SLO in %s", sc.Name)
		}
	}
	if d := s.Cost.MonthlyCost - s.CostAfterCuts.MonthlyCost - s.Saving; math.Abs(d) > 0.01 {
		t.Errorf("bill %.2f − after the cuts %.2f ≠ saving %.2f", s.Cost.MonthlyCost, s.CostAfterCuts.MonthlyCost, s.Saving)
	}
	if math.Abs(s.Saving-s.Rightsize.Total) > 1 {
		t.Errorf("the cuts' savings add up to %.2f; the bills differ by %.2f", s.Rightsize.Total, s.Saving)
	}
	if s.Saving <= 0 || s.Plan.Recommended == nil || s.Plan.Recommended.MonthlyCost <= 0 || s.CostAfterCuts.MonthlyCost <= 0 || len(s.SpikeBudget) == 0 {
		t.Fatalf("saving %.2f, plan %+v, bill after the cuts %.2f, %d SLO verdicts; want cuts, a recommendation, a bill and verdicts",
			s.Saving, s.Plan.Recommended, s.CostAfterCuts.MonthlyCost, len(s.SpikeBudget))
	}

	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sections := map[string]bool{}
	for _, c := range s.Reproduce {
		sections[c.Section] = true
		if !strings.Contains(string(page), html.EscapeString("Reproduce: "+c.Command)) {
			t.Errorf("report.html does not print %q under its section", c.Command)
		}
		args := strings.Fields(c.Command)
		if len(args) < 2 || args[0] != "headroom" {
			t.Errorf("reproduce %q: not a headroom command", c.Command)
			continue
		}
		args = args[1:]
		asJSON := !(args[0] == "slo" && args[1] == "rules")
		if asJSON {
			args = append(args, "-o", "json")
		}
		code, got, stderr := ldRun(ctx, t, args...)
		if code != c.Exit {
			t.Errorf("%s: exit %d; the report's verdict says %d\n%s", c.Command, code, c.Exit, stderr)
		}
		if !asJSON || args[0] == "report" {
			continue
		}
		switch args[0] {
		case "sim":
			var res struct {
				Scenarios []struct {
					Scenario     string  `json:"scenario"`
					SLOMet       bool    `json:"slo_met"`
					BudgetBurned float64 `json:"budget_burned"`
				} `json:"scenarios"`
			}
			st := stages[c.Command]
			if err := json.Unmarshal([]byte(got), &res); err != nil || st == nil {
				t.Errorf("%s: %v (stage %v)", c.Command, err, st)
				continue
			}
			if len(res.Scenarios) != len(st.Scenarios) {
				t.Errorf("%s: %d scenarios; the demo shows %d", c.Command, len(res.Scenarios), len(st.Scenarios))
				continue
			}
			for i, sc := range res.Scenarios {
				want := st.Scenarios[i]
				if sc.Scenario != want.Name || sc.SLOMet != want.SLOMet || math.Abs(sc.BudgetBurned-want.BudgetBurned) > 1e-6 {
					t.Errorf("%s: %s met %v burning %.6f; the demo shows %s met %v burning %.6f", c.Command,
						sc.Scenario, sc.SLOMet, sc.BudgetBurned, want.Name, want.SLOMet, want.BudgetBurned)
				}
			}
		case "slo":
			var res struct {
				SLOs []struct {
					SLO         string  `json:"slo"`
					Verdict     string  `json:"verdict"`
					SLI         float64 `json:"sli"`
					ErrorBudget struct {
						Remaining float64 `json:"remaining"`
					} `json:"error_budget"`
				} `json:"slos"`
			}
			if err := json.Unmarshal([]byte(got), &res); err != nil || len(res.SLOs) != len(s.SpikeBudget) {
				t.Errorf("%s: %v; %d SLOs, the demo shows %d", c.Command, err, len(res.SLOs), len(s.SpikeBudget))
				continue
			}
			for i, o := range res.SLOs {
				want := s.SpikeBudget[i]
				if o.SLO != want.Name || o.Verdict != want.Verdict || math.Abs(o.SLI-want.SLI) > 1e-9 || math.Abs(o.ErrorBudget.Remaining-want.Remaining) > 1e-6 {
					t.Errorf("%s: %s %s, SLI %.6f, budget left %.4f; the demo shows %s %s, SLI %.6f, budget left %.4f", c.Command,
						o.SLO, o.Verdict, o.SLI, o.ErrorBudget.Remaining, want.Name, want.Verdict, want.SLI, want.Remaining)
				}
			}
		case "cost":
			var res struct {
				MonthlyCost float64 `json:"monthly_cost"`
			}
			want := s.Cost.MonthlyCost
			if strings.Contains(c.Command, "cluster.cuts.yaml") {
				want = s.CostAfterCuts.MonthlyCost
			}
			if err := json.Unmarshal([]byte(got), &res); err != nil || math.Abs(res.MonthlyCost-want) > 0.005 {
				t.Errorf("%s: %v; monthly cost %.2f, the demo shows %.2f", c.Command, err, res.MonthlyCost, want)
			}
		case "rightsize":
			// The same cuts from the usage file, each checked alone; the
			// demo withdraws those that break the SLO together, so the
			// command offers at least the demo's savings, and exactly them
			// when none was withdrawn.
			var res struct {
				Total float64 `json:"total_monthly_saving"`
			}
			withdrawn := false
			for _, sk := range s.Rightsize.Skipped {
				withdrawn = withdrawn || strings.Contains(sk.Reason, "with the other cuts applied")
			}
			if err := json.Unmarshal([]byte(got), &res); err != nil || res.Total < s.Rightsize.Total-0.01 ||
				(!withdrawn && math.Abs(res.Total-s.Rightsize.Total) > 0.01) {
				t.Errorf("%s: %v; saves %.2f a month, the demo shows %.2f (a cut withdrawn together: %v)", c.Command, err, res.Total, s.Rightsize.Total, withdrawn)
			}
		case "plan":
			var res struct {
				Current struct {
					MonthlyCost float64 `json:"monthly_cost"`
				} `json:"current"`
				Recommended *struct {
					MonthlyCost float64 `json:"monthly_cost"`
				} `json:"recommended"`
			}
			if err := json.Unmarshal([]byte(got), &res); err != nil || res.Recommended == nil {
				t.Errorf("%s: %v; recommended %v", c.Command, err, res.Recommended)
				continue
			}
			if strings.Contains(c.Command, "--unannounced all") {
				if s.PlanSurprise == nil || s.PlanSurprise.Recommended == nil || math.Abs(res.Recommended.MonthlyCost-s.PlanSurprise.Recommended.MonthlyCost) > 0.005 {
					t.Errorf("%s: recommended %.2f; the demo shows %+v for a surprise", c.Command, res.Recommended.MonthlyCost, s.PlanSurprise)
				}
				continue
			}
			if math.Abs(res.Recommended.MonthlyCost-s.Plan.Recommended.MonthlyCost) > 0.005 || math.Abs(res.Current.MonthlyCost-s.Plan.Current.MonthlyCost) > 0.005 {
				t.Errorf("%s: today %.2f, recommended %.2f; the demo shows %.2f and %.2f", c.Command,
					res.Current.MonthlyCost, res.Recommended.MonthlyCost, s.Plan.Current.MonthlyCost, s.Plan.Recommended.MonthlyCost)
			}
		}
	}
	t.Logf("%d commands reproduce the report: %v", len(s.Reproduce), s.Reproduce)
	for _, want := range []string{"load", "slo", "launched", "review", "panic", "plan", "cuts"} {
		if !sections[want] {
			t.Errorf("no command reproduces the section %q", want)
		}
	}
}
