package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/internal/testbin"
)

var (
	shopFile  = filepath.Join("..", "spec", "testdata", "system", "shop.yaml")
	quietFile = filepath.Join("testdata", "sim", "quiet-cpu.yaml")
)

func simHeadroom(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), args, cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// simResult is the JSON contract of one scenario's result.
type simResult struct {
	Scenario     *string  `json:"scenario"`
	Requests     *float64 `json:"requests"`
	Failed       *float64 `json:"failed"`
	SLOMet       *bool    `json:"slo_met"`
	BudgetBurned *float64 `json:"budget_burned"`
	Cost         *struct {
		Currency string  `json:"currency"`
		Scenario float64 `json:"scenario"`
		Monthly  float64 `json:"monthly"`
	} `json:"cost"`
	Timeline []struct {
		T           *float64 `json:"t"`
		ArrivalRate *float64 `json:"arrival_rate"`
		Served      *float64 `json:"served"`
		Failed      *float64 `json:"failed"`
		Components  map[string]struct {
			Ready       *int     `json:"ready"`
			Desired     *int     `json:"desired"`
			Utilization *float64 `json:"utilization"`
			P99         *float64 `json:"p99"`
		} `json:"components"`
	} `json:"timeline"`
}

func (r *simResult) check(t *testing.T, name string, entries int) {
	t.Helper()
	if r.Scenario == nil || *r.Scenario != name || r.Requests == nil || r.Failed == nil || r.SLOMet == nil || r.BudgetBurned == nil || r.Cost == nil {
		t.Fatalf("result misses a field of the contract: %+v", r)
	}
	if *r.Requests <= 0 || r.Cost.Currency != "USD" || r.Cost.Scenario <= 0 || r.Cost.Monthly <= 0 {
		t.Errorf("requests %v, cost %+v; want traffic and a positive cost in USD", *r.Requests, r.Cost)
	}
	if len(r.Timeline) != entries {
		t.Fatalf("timeline has %d entries; want %d", len(r.Timeline), entries)
	}
	for i, p := range r.Timeline {
		if p.T == nil || p.ArrivalRate == nil || p.Served == nil || p.Failed == nil {
			t.Fatalf("timeline[%d] misses t, arrival_rate, served or failed", i)
		}
		for _, name := range []string{"app", "money"} {
			c, ok := p.Components[name]
			if !ok || c.Ready == nil || c.Desired == nil || c.Utilization == nil || c.P99 == nil {
				t.Fatalf("timeline[%d].components.%s misses ready, desired, utilization or p99", i, name)
			}
		}
	}
}

func TestSimJSONOneScenario(t *testing.T) {
	code, out, stderr := simHeadroom(t, "sim", "-f", shopFile, "--scenario", "tv-spike", "--json")
	if code != cli.ExitVerdict {
		t.Fatalf("exit %d; want 3 (the spike breaks the SLO); stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "SLO missed in tv-spike") {
		t.Errorf("stderr = %q; want the scenario that missed its SLO", stderr)
	}
	var r simResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not a JSON result: %v\n%s", err, out)
	}
	r.check(t, "tv-spike", 360) // 1h at the default 10 s step
	if *r.SLOMet || *r.BudgetBurned <= 1 || *r.Failed <= 0 {
		t.Errorf("slo_met %v, budget_burned %v, failed %v; want a missed SLO burning more than the budget", *r.SLOMet, *r.BudgetBurned, *r.Failed)
	}
	if first := r.Timeline[0]; *first.T != 10 || *first.ArrivalRate != 80 {
		t.Errorf("first entry t=%v arrival_rate=%v; want 10 s and the base rate of 80", *first.T, *first.ArrivalRate)
	}
}

func TestSimJSONAllScenarios(t *testing.T) {
	code, out, stderr := simHeadroom(t, "sim", "-f", shopFile, "--json", "--step", "1m")
	if code != cli.ExitVerdict {
		t.Fatalf("exit %d; want 3; stderr:\n%s", code, stderr)
	}
	var all struct {
		System    string      `json:"system"`
		SLOMet    *bool       `json:"slo_met"`
		Scenarios []simResult `json:"scenarios"`
	}
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if all.System != "shop" || all.SLOMet == nil || *all.SLOMet || len(all.Scenarios) != 3 {
		t.Fatalf("system %q, slo_met %v, %d scenarios; want shop, false, 3", all.System, all.SLOMet, len(all.Scenarios))
	}
	all.Scenarios[0].check(t, "step", 20)
	all.Scenarios[1].check(t, "tv-spike", 60)
	all.Scenarios[2].check(t, "black-friday", 180)
	if !*all.Scenarios[0].SLOMet {
		t.Error("the step scenario missed its SLO; want it met")
	}
}

func TestSimTextSummary(t *testing.T) {
	code, out, stderr := simHeadroom(t, "sim", "-f", shopFile, "--scenario", "step", "--timeline", "--step", "5m")
	if code != cli.ExitOK {
		t.Fatalf("exit %d; want 0; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"Scenario step (20m", "✔ Survives", "First SLO breach             none", "Budget burned", "of the 30d error budget: availability",
		"Bottleneck", "app        3 →", "Cost of the scenario", "$", "Timeline", "Arrivals/s", "app ready/desired", "20m",
		"reproduce with: headroom sim -f " + shopFile + " --scenario step", "prices from the catalog"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// The simulator's diagnosis reaches the terminal: a service that
// saturates while its CPU stays under the HPA's target is named, with how
// long it was saturated and how high its CPU went.
func TestSimTextShowsTheDiagnosis(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"text", []string{"sim", "-f", quietFile}, []string{
			"✖ Does not survive", "money was saturated for 16m44s and its HPA never asked for more replicas: its CPU peaked at 40% of the request"}},
		{"text without a timeline", []string{"sim", "-f", quietFile, "--step", "0"}, []string{"HPA never asked for more replicas"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := simHeadroom(t, tc.args...)
			if code != cli.ExitVerdict {
				t.Fatalf("exit %d; want 3; stderr:\n%s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// The terminal report of a simulation, whole: reviewed once, kept still.
func TestSimTextGolden(t *testing.T) {
	code, out, stderr := simHeadroom(t, "sim", "-f", quietFile, "--step", "2m")
	if code != cli.ExitVerdict {
		t.Fatalf("exit %d; want 3; stderr:\n%s", code, stderr)
	}
	path := filepath.Join("testdata", "sim", "quiet.txt")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run TestSimTextGolden -update)", err)
	}
	if out != string(want) {
		t.Errorf("output differs from %s (check, then run with -update):\n%s", path, out)
	}
}

// --html writes the same document as the terminal shows, and a real
// browser lays it out: a section per scenario (the file needs no notes),
// three charts per scenario, the diagnosis, and the command that
// reproduces it.
func TestSimHTMLInChromium(t *testing.T) {
	page := filepath.Join(t.TempDir(), "sim.html")
	code, out, stderr := simHeadroom(t, "sim", "-f", quietFile, "--html", page)
	if code != cli.ExitVerdict {
		t.Fatalf("exit %d; want 3; stderr:\n%s", code, stderr)
	}
	dom := chromiumDOM(t, page)
	for _, tc := range []struct {
		what      string
		got, want int
	}{
		{"sections", strings.Count(dom, "<section"), 1},
		{"charts", strings.Count(dom, "<svg"), 3},
	} {
		if tc.got != tc.want {
			t.Errorf("the page has %d %s; want %d", tc.got, tc.what, tc.want)
		}
	}
	for _, want := range []string{"HPA never asked for more replicas", "headroom sim -f " + quietFile, "Does not survive"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %q", want)
		}
		if !strings.Contains(out, want) {
			t.Errorf("the terminal lacks %q, which the page shows", want)
		}
	}
}

// chromiumDOM loads a page in headless Chromium, kept off the network,
// and returns the DOM it built.
func chromiumDOM(t *testing.T, page string) string {
	t.Helper()
	bin := testbin.Require(t, "chromium", "apt-get install -y chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
		"--disable-background-networking", "--disable-component-update", "--user-data-dir=" + t.TempDir(), "--dump-dom", "file://" + page}
	b, err := exec.CommandContext(ctx, bin, args...).Output()
	if err != nil {
		t.Fatalf("chromium %s: %v", page, err)
	}
	return string(b)
}

func TestSimBadInput(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"no file", []string{"sim"}, []string{"no system file given", "hint: name the system with -f"}},
		{"a missing file", []string{"sim", "-f", "nowhere.yaml"}, []string{"nowhere.yaml", "hint:"}},
		{"a bad file", []string{"sim", "-f", filepath.Join("..", "spec", "testdata", "system", "bad.yaml")},
			[]string{"bad.yaml:4:3: spec.entry: \"front\" is not a component", "spec.components[1].timout: unknown field", "hint: each line is file:line:col"}},
		{"an unknown scenario", []string{"sim", "-f", shopFile, "--scenario", "nope"}, []string{`no scenario "nope"`, "step, tv-spike, black-friday"}},
		{"a bad resolution", []string{"sim", "-f", shopFile, "--resolution", "0s"}, []string{"--resolution"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := simHeadroom(t, tc.args...)
			if code != cli.ExitUsage {
				t.Fatalf("exit %d; want 2; stderr:\n%s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}
