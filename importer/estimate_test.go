package importer_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/importer"
	"github.com/headroom-sre/headroom/traffic"
)

var t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// day is a day of 5-minute steps of a replica that serves a daily curve
// peaking at peak requests per second per pod, with a knee at knee: below
// it p99 is 40ms plus a little per request, above it latency climbs
// steeply. CPU is 5ms per request plus 20m idle, with some noise.
func day(peak, knee float64) []importer.LoadSample {
	var out []importer.LoadSample
	for i := range 288 {
		x := float64(i) / 288
		rate := peak * (0.2 + 0.8*math.Pow(math.Sin(math.Pi*x), 2))
		lat := 0.040 + 0.0005*rate
		if rate > knee {
			lat += 0.05 * (rate - knee)
		}
		noise := 0.004 * math.Sin(float64(i)*1.7)
		out = append(out, importer.LoadSample{T: t0.Add(time.Duration(i) * 5 * time.Minute), PerPodRPS: rate, Latency: lat, CPUPerPod: 0.02 + 0.005*rate + noise})
	}
	return out
}

func TestEstimateCapacity(t *testing.T) {
	withNaN := day(60, 1000)
	for i := range withNaN {
		if i%3 == 0 {
			withNaN[i].Latency = math.NaN() // gaps: left out
		}
	}
	inf := day(60, 1000)
	inf[10].PerPodRPS = math.Inf(1)
	for _, tc := range []struct {
		name      string
		samples   []importer.LoadSample
		threshold time.Duration
		known     bool
		lo, hi    float64 // the estimate's range when known
		reason    string  // part of the reason when unknown
	}{
		{"a knee that was crossed: the rate just below it", day(120, 90), 300 * time.Millisecond, true, 80, 96, ""},
		{"a knee never reached: the busiest step, a lower bound", day(60, 1000), 300 * time.Millisecond, true, 59, 60, ""},
		{"gaps are left out", withNaN, 300 * time.Millisecond, true, 55, 60, ""},
		{"an objective below every step's latency", day(60, 1000), 10 * time.Millisecond, false, 0, 0, "never held"},
		{"thin history", day(60, 1000)[:5], 300 * time.Millisecond, false, 0, 0, "fewer than"},
		{"an infinite rate", inf, 300 * time.Millisecond, false, 0, 0, "infinite"},
		{"no traffic", func() []importer.LoadSample {
			s := day(60, 1000)
			for i := range s {
				s[i].PerPodRPS = 0
			}
			return s
		}(), 300 * time.Millisecond, false, 0, 0, "fewer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := importer.EstimateCapacity(tc.samples, tc.threshold)
			if e.Known != tc.known {
				t.Fatalf("EstimateCapacity = %+v; want known %v", e, tc.known)
			}
			if tc.known {
				if !(e.Value >= tc.lo && e.Value <= tc.hi) || !strings.Contains(e.Evidence, "lower bound") {
					t.Errorf("EstimateCapacity = %v (%s); want in [%v, %v], said to be a lower bound", e.Value, e.Evidence, tc.lo, tc.hi)
				}
				for _, s := range tc.samples {
					if s.PerPodRPS <= e.Value && s.Latency > tc.threshold.Seconds() {
						t.Errorf("latency %v at %v per pod, below the estimate %v, missed the objective", s.Latency, s.PerPodRPS, e.Value)
					}
				}
				return
			}
			if e.Value != 0 || !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("EstimateCapacity = %+v; want unknown because %q", e, tc.reason)
			}
		})
	}
}

func TestEstimateCPUPerRequest(t *testing.T) {
	flat := day(60, 1000)
	for i := range flat {
		flat[i].PerPodRPS = 50 + 0.01*float64(i%3)
	}
	noisy := day(60, 1000)
	for i := range noisy {
		noisy[i].CPUPerPod = 0.3 + 0.2*math.Sin(float64(i)*2.3)
	}
	falling := day(60, 1000)
	for i := range falling {
		falling[i].CPUPerPod = 0.5 - 0.004*falling[i].PerPodRPS
	}
	neg := day(60, 1000)
	neg[3].CPUPerPod = -1
	for _, tc := range []struct {
		name    string
		samples []importer.LoadSample
		known   bool
		reason  string
	}{
		{"CPU that follows the rate", day(60, 1000), true, ""},
		{"flat traffic", flat, false, "hardly varies"},
		{"CPU unrelated to the rate", noisy, false, "too loosely"},
		{"CPU that falls as the rate rises", falling, false, "does not rise"},
		{"a negative CPU", neg, false, "negative"},
		{"thin history", day(60, 1000)[:4], false, "fewer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := importer.EstimateCPUPerRequest(tc.samples)
			if r.Known != tc.known {
				t.Fatalf("EstimateCPUPerRequest = %+v; want known %v", r, tc.known)
			}
			if tc.known {
				if math.Abs(r.Slope-0.005) > 0.0005 || math.Abs(r.Intercept-0.02) > 0.01 || r.R2 < 0.9 {
					t.Errorf("slope %v s, intercept %v cores, R² %v; want about 5ms and 20m", r.Slope, r.Intercept, r.R2)
				}
				return
			}
			if !strings.Contains(r.Reason, tc.reason) || r.Value != 0 {
				t.Errorf("EstimateCPUPerRequest = %+v; want unknown because %q", r, tc.reason)
			}
		})
	}
}

func TestStartups(t *testing.T) {
	pods := []importer.PodStartup{
		{Pod: "a", Schedule: time.Second, Init: 2 * time.Second, Start: 20 * time.Second, Gates: 2 * time.Second},
		{Pod: "b", Schedule: 2 * time.Second, Init: 2 * time.Second, Start: 26 * time.Second, Gates: 3 * time.Second},
		{Pod: "c", Schedule: time.Second, Init: time.Second, Start: 38 * time.Second, Gates: 2 * time.Second},
		{Pod: "d", Schedule: 90 * time.Second, Init: time.Second, Start: 30 * time.Second, Gates: 2 * time.Second}, // waited for a node
	}
	st := importer.Startups(pods)
	want := importer.StartupStats{N: 4, Schedule: time.Second, Init: time.Second, Start: 26 * time.Second, Gates: 2 * time.Second,
		Total: 33 * time.Second, TotalP90: 123 * time.Second, ScheduleP90: 90 * time.Second, StartP90: 38 * time.Second, GateP90: 3 * time.Second}
	if st != want {
		t.Errorf("Startups = %+v;\nwant %+v", st, want)
	}
	if st.TotalP90 < st.Total {
		t.Errorf("p90 %v below the median %v", st.TotalP90, st.Total)
	}
	if _, ok := importer.Percentile(nil, 0.5); ok {
		t.Error("Percentile of nothing is known")
	}
}

func TestBiggestSpike(t *testing.T) {
	var h []importer.Sample
	for i := range 3 * 24 * 60 { // three days at one minute
		v := 100 + 50*math.Sin(float64(i)/1440*2*math.Pi)
		if i >= 2*1440+1200 && i < 2*1440+1230 {
			v = 1500 // a half-hour spike on the third evening
		}
		h = append(h, importer.Sample{T: t0.Add(time.Duration(i) * time.Minute), V: v})
	}
	h[50].V = math.NaN() // a gap
	sp, err := importer.BiggestSpike(h, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if sp.Peak != 1500 || !sp.PeakAt.Equal(t0.Add((2*1440+1200)*time.Minute)) {
		t.Errorf("peak %v at %v; want 1500 at the third evening", sp.Peak, sp.PeakAt)
	}
	if n := len(sp.Points); n != 121 || !sp.Points[0].T.Equal(sp.PeakAt.Add(-time.Hour)) {
		t.Errorf("%d points from %v; want two hours around the peak", n, sp.Points[0].T)
	}
	if sp.Base < 90 || sp.Base > 110 {
		t.Errorf("base %v; want the median, about 100", sp.Base)
	}
	csv := string(importer.ReplayCSV(sp.Points))
	if !strings.HasPrefix(csv, "seconds,rate\n0,") || strings.Count(csv, "\n") != 122 {
		t.Errorf("ReplayCSV = %q…; want a header and 121 rows from 0", csv[:40])
	}
	for _, tc := range []struct {
		name string
		h    []importer.Sample
		want string
	}{
		{"an infinite rate", []importer.Sample{{t0, 1}, {t0.Add(time.Minute), math.Inf(1)}, {t0.Add(2 * time.Minute), 1}}, "finite"},
		{"a negative rate", []importer.Sample{{t0, 1}, {t0.Add(time.Minute), -3}, {t0.Add(2 * time.Minute), 1}}, "finite"},
		{"two points", h[:2], "fewer than"},
		{"no traffic", []importer.Sample{{t0, 0}, {t0.Add(time.Minute), 0}, {t0.Add(2 * time.Minute), 0}}, "no traffic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := importer.BiggestSpike(tc.h, time.Hour, time.Hour); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("BiggestSpike = %v; want an error saying %q", err, tc.want)
			}
		})
	}
}

// What ReplayCSV writes reads back as the same replay, whatever finite
// rates and increasing times it is given.
func FuzzReplayCSV(f *testing.F) {
	f.Add(int64(0), 0.5, 1500.25, uint16(60))
	f.Add(int64(1795888800), 1e-9, 1e9, uint16(1))
	f.Fuzz(func(t *testing.T, start int64, a, b float64, stepSeconds uint16) {
		if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) || a < 0 || b < 0 || a > 1e12 || b > 1e12 || stepSeconds == 0 || start < 0 || start > 1e10 {
			return
		}
		t0 := time.Unix(start, 0)
		var pts []importer.Sample
		for i := range 20 {
			v := a
			if i%3 == 1 {
				v = b
			}
			pts = append(pts, importer.Sample{T: t0.Add(time.Duration(i) * time.Duration(stepSeconds) * time.Second), V: v})
		}
		rec, err := traffic.ReadReplay("spike.csv", importer.ReplayCSV(pts))
		if err != nil {
			t.Fatalf("ReplayCSV does not read back: %v", err)
		}
		if len(rec.Points) != len(pts) {
			t.Fatalf("%d points read back; want %d", len(rec.Points), len(pts))
		}
		for i, p := range rec.Points {
			if want := pts[i].T.Sub(t0); p.T != want || math.Abs(p.Rate-pts[i].V) > 1e-7*math.Max(1, pts[i].V) {
				t.Fatalf("point %d = %v at %v; want %v at %v", i, p.Rate, p.T, pts[i].V, want)
			}
		}
	})
}
