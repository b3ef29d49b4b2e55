package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reviewSystem is the fintech demo's System as the team launched it
// (HPAs on 70% of a 250m CPU request, which the worker-bound app and money
// never reach), or as it should have launched (HPAs on requests per
// second per pod, three replicas at least, a PodDisruptionBudget each).
func reviewSystem(ready bool) string {
	hpa := func(capacity float64) string {
		if !ready {
			return `      hpa:
        minReplicas: 2
        maxReplicas: 20
        metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}`
		}
		return fmt.Sprintf(`      hpa:
        minReplicas: 3
        maxReplicas: 60
        metrics:
          - type: Pods
            pods:
              metric: {name: http_requests_per_second}
              target: {type: AverageValue, averageValue: "%g"}
      pdb: {maxUnavailable: 1}`, 0.6*capacity)
	}
	return fmt.Sprintf(`apiVersion: headroom/v1
kind: System
metadata: {name: fintech-demo}
spec:
  entry: app
  components:
    - name: app
      capacity: {profile: app.capacity.json}
      resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: "1"}}
      startup: {schedule: 2s, imagePull: 8s, init: 5s, readiness: 10s}
      timeout: 10s
      retries: 1
      calls: {money: 0.6}
%s
    - name: money
      capacity: {profile: money.capacity.json}
      resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: "1"}}
      startup: {schedule: 2s, imagePull: 15s, init: 20s, readiness: 10s}
      timeout: 5s
%s
  nodes: {mode: autopilot}
  slo:
    availability: 99.9%%
    latency: {threshold: 300ms, target: 99%%}
    window: 30d
    windowRate: 50
  scenarios:
    - name: tv-spike
      traffic: spike:base=50,multiple=30,at=10m,rise=2m,hold=5m,decay=15m,for=1h30m
      duration: 1h30m
      event: announced
    - name: evening-peak
      traffic: stages:start=50,to=150@2h/150@1h/50@2h
      duration: 5h
      event: surprise
`, hpa(3200), hpa(400))
}

const reviewSLO = `apiVersion: headroom/v1
kind: SLO
name: app-availability
service: app
objective: 99.9%
window: 30d
availability:
  metric: http_requests_total
  selector: {component: app}
  errorCodes: "5.."
`

// reviewProfile is a capacity profile as headroom capacity writes it:
// the knee at rate, CPU measured at each step.
func reviewProfile(rate, cpuPerReq float64) string {
	var pts []string
	for _, f := range []float64{0.25, 0.5, 0.75, 1} {
		pts = append(pts, fmt.Sprintf(`{"rate": %g, "achieved_rate": %g, "p50": 0.02, "p90": 0.022, "p99": 0.03, "error_ratio": 0, "ok": true, "cpu_cores": %g}`,
			f*rate, f*rate, 0.003+f*rate*cpuPerReq))
	}
	return fmt.Sprintf(`{"target": "x", "slo": "p99<=100ms,errors<=0.1%%", "max_rate": %g, "limited_by": "latency", "converged": true, "bracket": [%g, %g], "cpu_per_request_s": %g, "points": [%s]}`,
		rate, rate, rate*1.05, cpuPerReq, strings.Join(pts, ", "))
}

func writeReviewFiles(t *testing.T, ready bool) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"system.yaml":         reviewSystem(ready),
		"slo.yaml":            reviewSLO,
		"app.capacity.json":   reviewProfile(3200, 30e-6),
		"money.capacity.json": reviewProfile(400, 450e-6),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// reviewJSON is the JSON contract of headroom review.
type reviewJSON struct {
	System   *string  `json:"system"`
	Verdict  *string  `json:"verdict"`
	Reasons  []string `json:"reasons"`
	BaseRate *float64 `json:"base_rate"`
	Surprise *struct {
		Known    bool    `json:"known"`
		Multiple float64 `json:"multiple"`
	} `json:"surprise"`
	Announced *struct {
		Multiple float64 `json:"multiple"`
	} `json:"announced"`
	ScaleUp []struct {
		Component string  `json:"component"`
		TotalS    float64 `json:"total_s"`
		Fires     bool    `json:"fires"`
	} `json:"scale_up"`
	Findings []struct {
		Check     string `json:"check"`
		Severity  string `json:"severity"`
		Component string `json:"component"`
		Evidence  []struct {
			Value  float64 `json:"value"`
			Source string  `json:"source"`
		} `json:"evidence"`
	} `json:"findings"`
}

func TestReviewCommand(t *testing.T) {
	launched, ready := writeReviewFiles(t, false), writeReviewFiles(t, true)
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		verdict  string
		stdout   []string
		stderr   string
		blockers []string
	}{
		{"the launched system is a no-go", []string{"review", filepath.Join(launched, "system.yaml"), "--slo", filepath.Join(launched, "slo.yaml"), "-o", "json"},
			3, "no-go", nil, "no-go: scenario tv-spike", []string{"scenario:money", "hpa:app", "hpa:money"}},
		{"the ready system is a go", []string{"review", "-f", filepath.Join(ready, "system.yaml"), "--slo", filepath.Join(ready, "slo.yaml"), "-o", "json"},
			0, "go", nil, "", nil},
		{"without an SLO file it is not a go", []string{"review", filepath.Join(ready, "system.yaml"), "-o", "json"},
			3, "unknown", nil, "unknown, not a go: no SLO file", nil},
		{"text", []string{"review", filepath.Join(launched, "system.yaml"), "--slo", filepath.Join(launched, "slo.yaml"), "--notice", "1h"},
			3, "", []string{"NO-GO", "Largest spike survived", "Time to ×10 replicas", "HPA cannot fire", "reproduce with: headroom review " + filepath.Join(launched, "system.yaml") + " --slo " + filepath.Join(launched, "slo.yaml") + " --notice 1h0m0s"}, "", nil},
		{"no file", []string{"review"}, 2, "", nil, "no system file given", nil},
		{"a missing file", []string{"review", filepath.Join(launched, "none.yaml")}, 2, "", nil, "none.yaml", nil},
		{"a negative notice", []string{"review", filepath.Join(launched, "system.yaml"), "--notice", "-1h"}, 2, "", nil, "--notice", nil},
		{"a file that is not an output format", []string{"review", filepath.Join(launched, "system.yaml"), "-o", "review.json"}, 2, "", nil, "not an output format", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := simHeadroom(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d; want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errs)
			}
			if !strings.Contains(errs, tc.stderr) {
				t.Errorf("stderr %q; want it to contain %q", errs, tc.stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			if tc.verdict == "" {
				return
			}
			var r reviewJSON
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if r.System == nil || *r.System != "fintech-demo" || r.Verdict == nil || *r.Verdict != tc.verdict || r.BaseRate == nil || r.Surprise == nil || r.Announced == nil {
				t.Fatalf("JSON misses the contract or the verdict (want %s): %s", tc.verdict, out)
			}
			var blockers []string
			for _, f := range r.Findings {
				if f.Severity == "blocker" {
					blockers = append(blockers, f.Check+":"+f.Component)
				}
				for _, e := range f.Evidence {
					if e.Source == "" {
						t.Errorf("%s finding has evidence without a source", f.Check)
					}
				}
			}
			if strings.Join(blockers, ",") != strings.Join(tc.blockers, ",") {
				t.Errorf("blockers %v; want %v", blockers, tc.blockers)
			}
			// The reasons in the JSON are the blockers' (or unknowns')
			// summaries, and the exit message says them.
			for _, reason := range r.Reasons {
				if !strings.Contains(errs, reason) {
					t.Errorf("stderr does not give the reason %q", reason)
				}
			}
		})
	}
}

// The HTML report says the same as the text: the verdict and the
// surprise survived.
func TestReviewHTMLAgreesWithJSON(t *testing.T) {
	dir := writeReviewFiles(t, false)
	page := filepath.Join(dir, "review.html")
	code, out, errs := simHeadroom(t, "review", filepath.Join(dir, "system.yaml"), "--slo", filepath.Join(dir, "slo.yaml"), "-o", "json", "--html", page)
	if code != 3 {
		t.Fatalf("exit %d; want 3: %s", code, errs)
	}
	var r reviewJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("×%g", r.Surprise.Multiple)
	if !strings.Contains(string(html), "NO-GO") || !strings.Contains(string(html), want) {
		t.Errorf("the HTML report lacks NO-GO or the surprise survived (%s)", want)
	}
}

// A PodDisruptionBudget is decoded as policy/v1 writes it; a bad one is
// bad input, positioned.
func TestReviewBadPDB(t *testing.T) {
	dir := writeReviewFiles(t, true)
	file := filepath.Join(dir, "system.yaml")
	text := strings.Replace(reviewSystem(true), "pdb: {maxUnavailable: 1}", "pdb: {maxUnavailable: 1, minAvailable: 150%}", 1)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := simHeadroom(t, "review", file)
	if code != 2 || !strings.Contains(errs, "spec.components[0].pdb") {
		t.Errorf("exit %d, stderr %q; want 2 naming spec.components[0].pdb", code, errs)
	}
}
