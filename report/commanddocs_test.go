package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/capacity"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/stats"
)

// docText renders doc as text.
func docText(t *testing.T, doc report.Document) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteText(&b, doc, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// budgetChecks are a met SLO with a burn over its alert windows, and a
// grouped one missed by one group.
func budgetChecks() []report.SLOCheck {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	obs := func(good, total float64, group ...slo.Label) slo.Observation {
		return slo.Observation{Start: at.Add(-24 * time.Hour), At: at, Period: 24 * time.Hour, Coverage: 1, Group: group,
			Window: slo.Sample{Counts: slo.Counts{Good: good, Total: total}},
			Recent: map[time.Duration]slo.Sample{time.Hour: {Counts: slo.Counts{Good: 990, Total: 1000}}, 5 * time.Minute: {}}}
	}
	met := slo.SLO{Name: "availability", Service: "api", Target: 0.99, Window: slo.Rolling(24 * time.Hour)}
	grouped := slo.SLO{Name: "by-route", Service: "api", Target: 0.99, Window: slo.Rolling(24 * time.Hour), Grouping: []string{"route"}}
	pay := report.SLOGroup{Labels: []slo.Label{{Name: "route", Value: "/pay"}}, Status: slo.Evaluate(grouped, obs(80, 100))}
	browse := report.SLOGroup{Labels: []slo.Label{{Name: "route", Value: "/browse"}}, Status: slo.Evaluate(grouped, obs(100000, 100000))}
	whole := slo.Evaluate(grouped, obs(100080, 100100))
	whole.Verdict = slo.Missed
	return []report.SLOCheck{
		{Status: slo.Evaluate(met, obs(166980-1380, 166980))},
		{Status: whole, Groups: []report.SLOGroup{pay, browse}, GroupsMissed: 1},
	}
}

func TestBudgetDocumentGolden(t *testing.T) {
	doc := report.BudgetDocument(budgetChecks(), time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), false, []string{"partial response"})
	text := docText(t, doc)
	golden(t, "budget.txt", []byte(text))
	for _, want := range []string{"MET", "MISSED (1 of 2 groups)", "/pay", "80%", "/browse", "100%", "290 of 1,670"} {
		if !strings.Contains(text, want) {
			t.Errorf("budget document lacks %q", want)
		}
	}
}

// A check without data says why, and shows no SLI or budget.
func TestBudgetDocumentNoData(t *testing.T) {
	s := slo.SLO{Name: "idle", Target: 0.99, Window: slo.Rolling(24 * time.Hour)}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		check  report.SLOCheck
		reason string
	}{
		{"no series", report.SLOCheck{Status: slo.Evaluate(s, slo.Observation{Start: at.Add(-time.Hour), At: at, Window: slo.Sample{Missing: true}})}, "no series matched"},
		{"no traffic", report.SLOCheck{Status: slo.Evaluate(s, slo.Observation{Start: at.Add(-time.Hour), At: at})}, "no events in the window"},
		{"good events missing", report.SLOCheck{GoodMissing: true, Status: slo.Evaluate(s, slo.Observation{Start: at.Add(-time.Hour), At: at, Window: slo.Sample{Missing: true, GoodMissing: true}})},
			"no series of good events while there was traffic"},
	} {
		sec := report.BudgetDocument([]report.SLOCheck{tt.check}, at, false, nil).Sections[0]
		if sec.Verdict == nil || sec.Verdict.Status != report.Warn || !strings.Contains(sec.Verdict.Text, tt.reason) || len(sec.Tiles) != 1 || sec.Tiles[0].Value != "no data" {
			t.Errorf("%s: verdict %+v, tiles %+v; want a warning saying %q and only the SLI tile, without data", tt.name, sec.Verdict, sec.Tiles, tt.reason)
		}
	}
}

// loadRun is a three-second open run over two targets with a timeout, a
// few 503s, late sends and thresholds, one failed.
func loadRun(t *testing.T) *stats.Run {
	t.Helper()
	r := &stats.Run{Header: stats.Header{Started: time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC), Mode: stats.ModeOpen,
		Shape: "constant:rate=100,for=3s", Arrivals: "uniform"}}
	for i := 0; i < 3; i++ {
		iv := &stats.Interval{Index: i, Start: time.Duration(i) * time.Second, Duration: time.Second}
		for name, n := range map[string]int{"quote": 75, "pay": 25} {
			b := iv.Target(name)
			b.Scheduled = int64(n)
			for k := 0; k < n; k++ {
				d := time.Duration(1000+k*37) * time.Microsecond
				switch {
				case name == "pay" && k == 7:
					b.Response(503, d, d, 0, 64)
				case name == "pay" && k == 13 && i == 1:
					b.Failure(stats.ErrTimeout, 2*time.Second, 2*time.Second, 64)
				default:
					b.Response(200, d, d-d/10, 512, 64)
				}
			}
			if i == 2 {
				b.Late = 2
			}
			iv.Total.Add(b)
		}
		iv.Total.Drop(stats.DropCap, 1)
		r.Add(iv)
	}
	r.Duration = 3 * time.Second
	ths, err := stats.ParseThresholds("p99<3ms,errors<5%")
	if err != nil {
		t.Fatal(err)
	}
	s := r.Summary()
	r.Thresholds = stats.Evaluate(ths, &s.Stats)
	return r
}

func TestLoadDocumentGolden(t *testing.T) {
	text := docText(t, report.LoadDocument(loadRun(t), "checkout scenario"))
	golden(t, "load.txt", []byte(text))
	for _, want := range []string{"checkout scenario", "300", "503 × 3", "timeout × 1", "3 by the in-flight cap", "from due time", "from send",
		"pay", "quote", "p99<3ms", "FAIL", "errors<5%", "pass", "Thresholds broken: p99<3ms"} {
		if !strings.Contains(text, want) {
			t.Errorf("load document lacks %q", want)
		}
	}
}

// A partial run and unfinished requests are said plainly.
func TestLoadDocumentPartialAndUnfinished(t *testing.T) {
	r := loadRun(t)
	r.Partial = true
	r.Total.Unfinished = 4
	text := docText(t, report.LoadDocument(r, ""))
	for _, want := range []string{"PARTIAL", "4 requests UNFINISHED", "Unfinished"} {
		if !strings.Contains(text, want) {
			t.Errorf("load document of a partial run lacks %q:\n%s", want, text)
		}
	}
}

func capacityProfile() *capacity.Profile {
	cpu, knee, util := 0.0021, 0.84, 0.84
	return &capacity.Profile{Target: "http://127.0.0.1:8081/value", SLO: "p99<=200ms,errors<=0.1%", MaxRate: 400, LimitedBy: capacity.LimitedByLatency,
		Precision: 0.05, Converged: true, Bracket: [2]float64{400, 420}, Steps: 7, DurationS: 95,
		CPUPerRequest: &cpu, CPUAtKnee: &knee, CPUUtilizationAtKnee: &util,
		Points: []capacity.Point{
			{Rate: 100, AchievedRate: 100, P50: 0.01, P90: 0.02, P99: 0.03, OK: true},
			{Rate: 200, AchievedRate: 200, P50: 0.012, P90: 0.025, P99: 0.05, OK: true},
			{Rate: 400, AchievedRate: 399, P50: 0.02, P90: 0.06, P99: 0.15, OK: true},
			{Rate: 420, AchievedRate: 401, P50: 0.05, P90: 0.2, P99: 0.35, ErrorRatio: 0.002},
			{Rate: 800, AchievedRate: 405, P50: 0.9, P90: 1.5, P99: 2.1, ErrorRatio: 0.03, GeneratorLimited: true},
		},
		Endpoints: []capacity.Endpoint{{Name: "GET /value", BreaksAt: 420, Broken: []string{"p99 350ms"}, P99AtKnee: 0.15}, {Name: "GET /health", P99AtKnee: 0.002}},
	}
}

func TestCapacityDocumentGolden(t *testing.T) {
	text := docText(t, report.CapacityDocument(capacityProfile()))
	golden(t, "capacity.txt", []byte(text))
	for _, want := range []string{"400 req/s per replica, limited by latency", "knee in [400 req/s, 420 req/s]", "p99<=200ms,errors<=0.1%",
		"7 steps", "2.1ms per request", "84% of the request", "1 step(s) the generator could not hold", "GET /value", "holds to the knee"} {
		if !strings.Contains(text, want) {
			t.Errorf("capacity document lacks %q", want)
		}
	}
}

// A lower bound is never shown as a capacity.
func TestCapacityDocumentLowerBound(t *testing.T) {
	p := capacityProfile()
	p.LimitedBy, p.LowerBound, p.Note = capacity.LimitedByGenerator, true, "the generator fell behind at 420/s"
	sec := report.CapacityDocument(p).Sections[0]
	if sec.Verdict == nil || sec.Verdict.Status != report.Warn || !strings.Contains(sec.Verdict.Text, "a lower bound") || strings.Contains(sec.Verdict.Text, "knee in") {
		t.Errorf("verdict = %+v; want a warning that it is a lower bound", sec.Verdict)
	}
}
