package cli_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/internal/cli"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/units"
)

var planData = filepath.Join("testdata", "plan")

// planJSON is the JSON contract of headroom plan.
type planJSON struct {
	System  string `json:"system"`
	Current *struct {
		MonthlyCost   *float64 `json:"monthly_cost"`
		SteadyMonthly *float64 `json:"steady_monthly"`
		SLOMet        *bool    `json:"slo_met"`
	} `json:"current"`
	Recommended *struct {
		MonthlyCost *float64 `json:"monthly_cost"`
		SLOMet      *bool    `json:"slo_met"`
		Scenarios   []struct {
			Name   string `json:"name"`
			SLOMet bool   `json:"slo_met"`
		} `json:"scenarios"`
		Config *struct {
			Components []struct {
				Name string `json:"name"`
			} `json:"components"`
		} `json:"config"`
	} `json:"recommended"`
	Saving  *float64 `json:"saving"`
	Changes []struct {
		Component, Setting, From, To string
	} `json:"changes"`
	Pareto *struct {
		Spike []struct {
			Survives    float64 `json:"survives"`
			MonthlyCost float64 `json:"monthly_cost"`
		} `json:"spike"`
		SLO []struct {
			Target      float64 `json:"target"`
			Found       bool    `json:"found"`
			MonthlyCost float64 `json:"monthly_cost"`
		} `json:"slo"`
	} `json:"pareto"`
	Manifests []struct {
		File string `json:"file"`
		YAML string `json:"yaml"`
	} `json:"manifests"`
}

func TestPlanJSONContract(t *testing.T) {
	code, out, stderr := simHeadroom(t, "plan", "-f", shopFile, "--json", "--quiet")
	if code != cli.ExitOK {
		t.Fatalf("exit %d; want 0; stderr:\n%s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr = %q with --quiet; want nothing", stderr)
	}
	var p planJSON
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if p.System != "shop" || p.Current == nil || p.Current.MonthlyCost == nil || *p.Current.MonthlyCost <= 0 {
		t.Fatalf("system %q, current %+v; want shop and a positive current.monthly_cost", p.System, p.Current)
	}
	r := p.Recommended
	if r == nil || r.MonthlyCost == nil || r.SLOMet == nil || r.Config == nil {
		t.Fatalf("recommended = %+v; want monthly_cost, slo_met and config", r)
	}
	if !*r.SLOMet || len(r.Scenarios) != 3 {
		t.Fatalf("recommended.slo_met %v over %d scenarios; want true over 3", *r.SLOMet, len(r.Scenarios))
	}
	for _, s := range r.Scenarios {
		if !s.SLOMet {
			t.Errorf("recommended misses the SLO in %s", s.Name)
		}
	}
	if p.Saving == nil || math.Abs(*p.Saving-(*p.Current.MonthlyCost-*r.MonthlyCost)) > 0.011 {
		t.Errorf("saving %v; want current − recommended", p.Saving)
	}
	if p.Pareto == nil || len(p.Pareto.Spike) == 0 || len(p.Pareto.SLO) != 5 {
		t.Fatalf("pareto = %+v; want a spike frontier and five SLO targets", p.Pareto)
	}
	if p.Pareto.Spike[0].MonthlyCost != *r.MonthlyCost {
		t.Errorf("the spike frontier starts at %v; want the recommendation's %v", p.Pareto.Spike[0].MonthlyCost, *r.MonthlyCost)
	}
	var files []string
	for _, m := range p.Manifests {
		files = append(files, m.File)
		if !strings.Contains(m.YAML, "apiVersion:") {
			t.Errorf("manifest %s holds no object", m.File)
		}
	}
	for _, want := range []string{"app.resources.yaml", "money.resources.yaml"} {
		if !strings.Contains(strings.Join(files, " "), want) {
			t.Errorf("manifests %v lack %s", files, want)
		}
	}
}

func TestPlanOutSimulatesAgainAndMeetsTheSLO(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := simHeadroom(t, "plan", "-f", shopFile, "--out", dir, "--no-pareto", "--prescale", "cronjob", "--quiet")
	if code != cli.ExitOK {
		t.Fatalf("plan: exit %d; stderr:\n%s", code, stderr)
	}
	for _, f := range []string{"shop.recommended.yaml", "app.resources.yaml", "money.hpa.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("--out wrote no %s: %v", f, err)
		}
	}
	// The recommended file refers to the shop's profile and replay from
	// its new place, and meets the SLO through headroom sim.
	code, out, stderr := simHeadroom(t, "sim", "-f", filepath.Join(dir, "shop.recommended.yaml"), "--json", "--step", "0")
	if code != cli.ExitOK {
		t.Fatalf("sim of the recommended file: exit %d; stderr:\n%s", code, stderr)
	}
	var all struct {
		SLOMet    bool        `json:"slo_met"`
		Scenarios []simResult `json:"scenarios"`
	}
	if err := json.Unmarshal([]byte(out), &all); err != nil || !all.SLOMet || len(all.Scenarios) != 3 {
		t.Errorf("sim of the recommended file: slo_met %v over %d scenarios (%v); want true over 3", all.SLOMet, len(all.Scenarios), err)
	}
}

// The steady bill of a system whose scenario is flat is what sim reports
// as its monthly cost: both price from the same catalog, flags included.
func TestPlanAndSimPriceFromTheSameCatalog(t *testing.T) {
	flat := filepath.Join(planData, "flat.yaml")
	tokyo := filepath.Join(planData, "tokyo.prices.yaml")
	cat := pricing.GCP()
	usc1, err := cat.Autopilot("us-central1", pricing.GeneralPurpose)
	if err != nil {
		t.Fatal(err)
	}
	fee := cat.ClusterFee.USD
	cases := []struct {
		name   string
		flags  []string
		hourly float64 // USD: three pods of 2 vCPU and 4 GiB, and the fee
		factor float64
	}{
		{"the catalog's us-central1", nil, 3*usc1.Hourly(2, 4) + fee, 1},
		{"a price file for Tokyo", []string{"--region", "asia-northeast1", "--catalog", tokyo}, 3*(2*0.0573+4*0.0063) + fee, 1},
		{"in yen", []string{"--region", "asia-northeast1", "--prices", tokyo, "--currency", "JPY", "--rate", "150"}, 3*(2*0.0573+4*0.0063) + fee, 150},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := simHeadroom(t, append([]string{"sim", "-f", flat, "--scenario", "day", "--json", "--step", "0"}, tc.flags...)...)
			if code != cli.ExitOK {
				t.Fatalf("sim: exit %d; stderr:\n%s", code, stderr)
			}
			var r simResult
			if err := json.Unmarshal([]byte(out), &r); err != nil || r.Cost == nil {
				t.Fatalf("sim output: %v\n%s", err, out)
			}
			code, out, stderr = simHeadroom(t, append([]string{"plan", "-f", flat, "--json", "--quiet", "--no-pareto"}, tc.flags...)...)
			if code != cli.ExitOK {
				t.Fatalf("plan: exit %d; stderr:\n%s", code, stderr)
			}
			var p planJSON
			if err := json.Unmarshal([]byte(out), &p); err != nil || p.Current == nil || p.Current.SteadyMonthly == nil {
				t.Fatalf("plan output: %v\n%s", err, out)
			}
			want := tc.hourly * tc.factor * 730
			if math.Abs(r.Cost.Monthly-want) > 0.02*tc.factor || math.Abs(*p.Current.SteadyMonthly-want) > 0.02*tc.factor {
				t.Errorf("monthly: sim %.2f, plan %.2f; want both %.2f", r.Cost.Monthly, *p.Current.SteadyMonthly, want)
			}
		})
	}
	// Without the price file, Tokyo's Autopilot price is unknown, to both.
	for _, cmd := range []string{"sim", "plan"} {
		code, _, stderr := simHeadroom(t, cmd, "-f", flat, "--region", "asia-northeast1", "--quiet")
		if cmd == "sim" {
			code, _, stderr = simHeadroom(t, cmd, "-f", flat, "--region", "asia-northeast1")
		}
		if code != cli.ExitUsage || !strings.Contains(stderr, "price unknown: Autopilot general-purpose") || !strings.Contains(stderr, "hint:") {
			t.Errorf("%s in Tokyo without prices: exit %d, stderr %q; want 2 and the unknown price with a hint", cmd, code, stderr)
		}
	}
}

// A cluster without bursting bills a 300m pod as 500m, in sim and plan
// alike, and --mode autopilot keeps the file's spec.nodes.bursting.
func TestPlanAndSimBillAutopilotWithoutBursting(t *testing.T) {
	file := filepath.Join(t.TempDir(), "old.yaml")
	src := `apiVersion: headroom/v1
kind: System
metadata: {name: old}
spec:
  entry: api
  components:
    - name: api
      capacity: {perReplicaRPS: 100}
      resources:
        requests: {cpu: 300m, memory: 1Gi}
      replicas: 3
  nodes: {mode: autopilot, bursting: false}
  slo: {availability: 99.9%}
  scenarios:
    - {name: day, traffic: "constant:rate=150,for=1h"}
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cat := pricing.GCP()
	rate, err := cat.Autopilot("us-central1", pricing.GeneralPurpose)
	if err != nil {
		t.Fatal(err)
	}
	vcpu, gib := pricing.AutopilotRulesFor(false, false).BillPod([]pricing.Request{{VCPU: 0.3, GiB: 1}})
	if vcpu != 0.5 {
		t.Fatalf("a 300m pod without bursting is billed %v vCPU; want 0.5", vcpu)
	}
	want := (3*rate.Hourly(vcpu, gib) + cat.ClusterFee.USD) * 730
	for _, flags := range [][]string{nil, {"--mode", "autopilot"}} {
		sim, plan := simAndPlanMonthly(t, file, flags...)
		if math.Abs(sim-want) > 0.02 || math.Abs(plan-want) > 0.02 {
			t.Errorf("%v: monthly: sim %.2f, plan %.2f; want both %.2f (three pods billed 0.5 vCPU and 1 GiB, and the fee)", flags, sim, plan, want)
		}
	}
}

// simAndPlanMonthly is what headroom sim (its scenario "day") and headroom
// plan (today's configuration) say a System file costs a month.
func simAndPlanMonthly(t *testing.T, file string, flags ...string) (sim, plan float64) {
	t.Helper()
	code, out, stderr := simHeadroom(t, append([]string{"sim", "-f", file, "--scenario", "day", "--json", "--step", "0"}, flags...)...)
	var r simResult
	if err := json.Unmarshal([]byte(out), &r); code != cli.ExitOK || err != nil || r.Cost == nil {
		t.Fatalf("sim %v: exit %d, %v; stderr:\n%s", flags, code, err, stderr)
	}
	code, out, stderr = simHeadroom(t, append([]string{"plan", "-f", file, "--json", "--quiet", "--no-pareto"}, flags...)...)
	var p planJSON
	if err := json.Unmarshal([]byte(out), &p); code != cli.ExitOK || err != nil || p.Current == nil || p.Current.SteadyMonthly == nil {
		t.Fatalf("plan %v: exit %d, %v; stderr:\n%s", flags, code, err, stderr)
	}
	return r.Cost.Monthly, *p.Current.SteadyMonthly
}

func TestPlanTextForAManager(t *testing.T) {
	code, out, stderr := simHeadroom(t, "plan", "-f", filepath.Join(planData, "launch.yaml"), "--quiet", "--per-month", "launch=2")
	if code != cli.ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"launch — plan", "For launch, in USD", "reproduce with: headroom plan -f " + filepath.Join(planData, "launch.yaml") + " --per-month launch=2",
		"Monthly cost", "Today", "Recommended", "steady state", "SLO met", "no: launch", "yes, in every scenario",
		"What changes", "launch $0.23 × 2 (pre-scaled", "Why not cheaper", "capacity", "What each extra nine costs", "Search:", "prices from the catalog"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

// --html writes the plan's document; a real browser lays it out with its
// tables, and the files --out wrote are listed in it.
func TestPlanHTMLInChromium(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "plan.html")
	code, out, stderr := simHeadroom(t, "plan", "-f", filepath.Join(planData, "launch.yaml"), "--quiet", "--no-pareto", "--html", page, "--out", filepath.Join(dir, "out"))
	if code != cli.ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	dom := chromiumDOM(t, page)
	if got := strings.Count(dom, "<section"); got != 2 {
		t.Errorf("the page has %d sections; want the plan and the files written", got)
	}
	for _, want := range []string{"What changes", "launch.recommended.yaml", "web.resources.yaml", "headroom plan -f"} {
		if !strings.Contains(dom, want) || !strings.Contains(out, want) {
			t.Errorf("the page or the terminal lacks %q", want)
		}
	}
}

func TestPlanNothingMeetsTheSLO(t *testing.T) {
	code, out, stderr := simHeadroom(t, "plan", "-f", filepath.Join(planData, "hopeless.yaml"), "--json", "--no-pareto", "--quiet")
	if code != cli.ExitVerdict {
		t.Fatalf("exit %d; want 3; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "no configuration within the search bounds meets the SLO") || !strings.Contains(stderr, "hint:") {
		t.Errorf("stderr = %q; want the verdict and a hint", stderr)
	}
	var p planJSON
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.Recommended != nil || p.Current == nil {
		t.Errorf("output %v, recommended %+v; want JSON with current and a null recommended", err, p.Recommended)
	}
}

func TestPlanProgressIsSparseWhenNotATerminal(t *testing.T) {
	code, _, stderr := simHeadroom(t, "plan", "-f", filepath.Join(planData, "launch.yaml"), "--no-pareto")
	if code != cli.ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) < 2 || len(lines) > 10 || !strings.HasPrefix(lines[0], "plan: today") || strings.Contains(stderr, "\r") {
		t.Errorf("stderr = %q; want a few plain lines, one per phase", stderr)
	}
}

func TestPlanBadInput(t *testing.T) {
	launch := filepath.Join(planData, "launch.yaml")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"plan"}, "no system file given"},
		{"a missing file", []string{"plan", "-f", "nowhere.yaml"}, "nowhere.yaml"},
		{"a bad file", []string{"plan", "-f", filepath.Join("..", "spec", "testdata", "system", "bad.yaml")}, `spec.entry: "front" is not a component`},
		{"an unknown scenario", []string{"plan", "-f", launch, "--scenario", "nope"}, `no scenario "nope"`},
		{"an unknown pre-scaler", []string{"plan", "-f", launch, "--prescale", "cron"}, "want keda or cronjob"},
		{"a bad frequency", []string{"plan", "-f", launch, "--per-month", "launch=often"}, "--per-month"},
		{"a frequency for nothing", []string{"plan", "-f", launch, "--per-month", "nope=2"}, `per month: no scenario "nope"`},
		{"events filling the month", []string{"plan", "-f", launch, "--per-month", "10000"}, "more than a month"},
		{"a bad event time", []string{"plan", "-f", launch, "--event-at", "launch=tomorrow"}, "RFC 3339"},
		{"an event time for nothing", []string{"plan", "-f", launch, "--event-at", "nope=2026-12-24T20:00:00Z"}, `event time: no scenario "nope"`},
		{"an unknown time zone", []string{"plan", "-f", launch, "--timezone", "Mars/Olympus"}, "--timezone"},
		{"a bad tolerance", []string{"plan", "-f", launch, "--tolerance", "2"}, "--tolerance"},
		{"an unannounced nothing", []string{"plan", "-f", launch, "--unannounced", "nope"}, `unannounced: no scenario "nope"`},
		{"standard without a pool", []string{"plan", "-f", launch, "--mode", "standard"}, "mode standard needs a node pool"},
		{"yen without a rate", []string{"plan", "-f", launch, "--currency", "JPY"}, "needs an exchange rate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := simHeadroom(t, append(tc.args, "--quiet")...)
			if code != cli.ExitUsage {
				t.Fatalf("exit %d; want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "hint:") {
				t.Errorf("stderr lacks %q or a hint:\n%s", tc.want, stderr)
			}
		})
	}
}

// One source of GKE billing facts: the same three 300m / 1 GiB pods cost
// the same a month in sim, plan and cost, on Autopilot clusters with
// bursting (billed 300m) and without (billed 500m), the cost command
// telling the two apart by the nodes' GKE version.
func TestSimPlanAndCostBillAPodAlike(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		bursting bool
		kubelet  string
		vcpu     float64
	}{{true, "v1.31.4-gke.1000000", 0.3}, {false, "v1.29.8-gke.1031000", 0.5}} {
		t.Run(fmt.Sprintf("bursting %v", tc.bursting), func(t *testing.T) {
			sys := filepath.Join(dir, fmt.Sprintf("sys-%v.yaml", tc.bursting))
			if err := os.WriteFile(sys, []byte(fmt.Sprintf(`apiVersion: headroom/v1
kind: System
metadata: {name: one}
spec:
  entry: api
  components:
    - name: api
      capacity: {perReplicaRPS: 100}
      resources:
        requests: {cpu: 300m, memory: 1Gi}
      replicas: 3
  nodes: {mode: autopilot, bursting: %v}
  slo: {availability: 99.9%%}
  scenarios:
    - {name: day, traffic: "constant:rate=150,for=1h"}
`, tc.bursting)), 0o644); err != nil {
				t.Fatal(err)
			}
			var pods strings.Builder
			for i := range 3 {
				fmt.Fprintf(&pods, `- apiVersion: v1
  kind: Pod
  metadata:
    name: api-7d9f8c6b5-%05d
    namespace: shop
    ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: api-7d9f8c6b5, controller: true, uid: u}]
    labels: {pod-template-hash: 7d9f8c6b5}
  spec:
    nodeName: gk3-one-pool-1-abcd
    containers: [{name: api, image: i, resources: {requests: {cpu: 300m, memory: 1Gi}}}]
  status: {phase: Running}
`, i)
			}
			snap := filepath.Join(dir, fmt.Sprintf("snap-%v.yaml", tc.bursting))
			if err := os.WriteFile(snap, []byte(fmt.Sprintf(`apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api, namespace: shop}
  spec:
    replicas: 3
    selector: {matchLabels: {app: api}}
    template:
      metadata: {labels: {app: api}}
      spec:
        containers: [{name: api, image: i, resources: {requests: {cpu: 300m, memory: 1Gi}}}]
%s- apiVersion: v1
  kind: Node
  metadata:
    name: gk3-one-pool-1-abcd
    labels: {node.kubernetes.io/instance-type: ek-standard-8, topology.kubernetes.io/region: us-central1}
  status:
    capacity: {cpu: "8", memory: 32Gi}
    nodeInfo: {kubeletVersion: %s}
`, pods.String(), tc.kubelet)), 0o644); err != nil {
				t.Fatal(err)
			}
			cat := pricing.GCP()
			rate, err := cat.Autopilot("us-central1", pricing.GeneralPurpose)
			if err != nil {
				t.Fatal(err)
			}
			want := (3*rate.Hourly(tc.vcpu, 1) + cat.ClusterFee.USD) * 730
			sim, plan := simAndPlanMonthly(t, sys)
			code, out, stderr := simHeadroom(t, "cost", "--snapshot", snap, "--json")
			var c struct {
				Mode        string  `json:"mode"`
				MonthlyCost float64 `json:"monthly_cost"`
			}
			if err := json.Unmarshal([]byte(out), &c); code != cli.ExitOK || err != nil {
				t.Fatalf("cost: exit %d, %v; stderr:\n%s", code, err, stderr)
			}
			if c.Mode != "autopilot" {
				t.Errorf("cost mode %q; want autopilot, from the gk3- node", c.Mode)
			}
			for name, got := range map[string]float64{"sim": sim, "plan": plan, "cost": c.MonthlyCost} {
				if math.Abs(got-want) > 0.02 {
					t.Errorf("%s: %.2f a month; want %.2f (three pods billed %g vCPU and 1 GiB, and the fee)", name, got, want, tc.vcpu)
				}
			}
		})
	}
}

// --price-surprise plans every event as a surprise too: the text names both
// assumptions and the price of not knowing the date, which is positive and
// agrees with the JSON.
func TestPlanPricesASurprise(t *testing.T) {
	args := []string{"plan", "-f", filepath.Join(planData, "launch.yaml"), "--quiet", "--no-pareto", "--price-surprise"}
	code, out, stderr := simHeadroom(t, args...)
	if code != cli.ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"assuming you know the date", "For a surprise", "more a month if nobody knows the dates",
		"What changes, for a surprise", "--price-surprise"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	code, js, stderr := simHeadroom(t, append(args, "-o", "json")...)
	if code != cli.ExitOK {
		t.Fatalf("-o json: exit %d; stderr:\n%s", code, stderr)
	}
	var res struct {
		Assumption    string  `json:"assumption"`
		SurpriseExtra float64 `json:"surprise_extra"`
		Surprise      *struct {
			Assumption  string `json:"assumption"`
			Recommended struct {
				MonthlyCost float64 `json:"monthly_cost"`
			} `json:"recommended"`
		} `json:"surprise"`
		Recommended struct {
			MonthlyCost float64 `json:"monthly_cost"`
		} `json:"recommended"`
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	if res.Surprise == nil || !(res.SurpriseExtra > 0) || res.Assumption != "assuming you know the date" || res.Surprise.Assumption != "for a surprise" {
		t.Fatalf("surprise %+v, extra %v, assumption %q; want a dearer surprise plan beside the announced one", res.Surprise, res.SurpriseExtra, res.Assumption)
	}
	if d := res.Surprise.Recommended.MonthlyCost - res.Recommended.MonthlyCost - res.SurpriseExtra; d > 0.01 || d < -0.01 {
		t.Errorf("surprise %.2f − announced %.2f ≠ surprise_extra %.2f", res.Surprise.Recommended.MonthlyCost, res.Recommended.MonthlyCost, res.SurpriseExtra)
	}
	if !strings.Contains(out, units.Money(res.SurpriseExtra, "USD")+" more a month") {
		t.Errorf("the text's price of a surprise differs from the JSON's %v:\n%s", res.SurpriseExtra, out)
	}
}
