package traffic_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/traffic"
)

func mustParse(t *testing.T, s string) *traffic.Curve {
	t.Helper()
	c, err := traffic.Parse(s, nil)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return c
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestShapesRateAndCount(t *testing.T) {
	type probe struct {
		t     time.Duration
		rate  float64
		count float64
	}
	tests := []struct {
		name   string
		shape  string
		length time.Duration
		probes []probe
	}{
		{"a constant rate counts linearly", "constant:rate=2000,for=5s", 5 * time.Second, []probe{
			{0, 2000, 0}, {time.Second, 2000, 2000}, {4500 * time.Millisecond, 2000, 9000}, {5 * time.Second, 0, 10000}, {time.Hour, 0, 10000},
		}},
		{"a ramp's count is the area of a trapezoid", "ramp:from=10,to=110,for=10s", 10 * time.Second, []probe{
			{0, 10, 0}, {5 * time.Second, 60, 175}, {10 * time.Second, 0, 600},
		}},
		{"steps jump instantly and hold", "steps:start=100,step=100,count=3,every=10s", 30 * time.Second, []probe{
			{0, 100, 0}, {9 * time.Second, 100, 900}, {10 * time.Second, 200, 1000}, {20 * time.Second, 300, 3000}, {30 * time.Second, 0, 6000},
		}},
		{"a list of step rates", "steps:rates=5/1/3,every=1m", 3 * time.Minute, []probe{
			{30 * time.Second, 5, 150}, {90 * time.Second, 1, 330}, {150 * time.Second, 3, 450},
		}},
		{"a zero-length stage is an instant jump", "stages:start=0,to=100@10s/500@0s/500@10s/0@10s", 30 * time.Second, []probe{
			{5 * time.Second, 50, 125}, {10 * time.Second, 500, 500}, {15 * time.Second, 500, 3000}, {25 * time.Second, 250, 5500 + 1875}, {30 * time.Second, 0, 8000},
		}},
		{"a spike without decay is a plateau", "spike:base=50,peak=1500,at=1m,rise=0s,hold=1m", 2 * time.Minute, []probe{
			{30 * time.Second, 50, 1500}, {60 * time.Second, 1500, 3000}, {90 * time.Second, 1500, 3000 + 45000},
		}},
		{"a spike's multiple sets its peak", "spike:base=10,multiple=30,at=10s,rise=10s,hold=10s,decay=1m,for=5m", 5 * time.Minute, []probe{
			{5 * time.Second, 10, 50}, {15 * time.Second, 155, 100 + 5*10 + 290*25/20.0}, {25 * time.Second, 300, 100 + 1550 + 1500},
			// Decay: 10 + 290·e^(−u/60); count over u=60s is 600 + 290·60·(1−1/e).
			{90 * time.Second, 10 + 290*math.Exp(-1), 100 + 1550 + 3000 + 600 + 290*60*(1-math.Exp(-1))},
		}},
		{"x multiplies every rate", "constant:rate=10,for=10s,x=3", 10 * time.Second, []probe{{time.Second, 30, 30}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.shape)
			if c.Duration() != tt.length {
				t.Errorf("Duration() = %v; want %v", c.Duration(), tt.length)
			}
			for _, p := range tt.probes {
				if got := c.Rate(p.t); !near(got, p.rate, 1e-9*math.Max(1, p.rate)) {
					t.Errorf("Rate(%v) = %v; want %v", p.t, got, p.rate)
				}
				if got := c.Count(p.t); !near(got, p.count, 1e-7*math.Max(1, p.count)) {
					t.Errorf("Count(%v) = %v; want %v", p.t, got, p.count)
				}
			}
		})
	}
}

func TestSpikeDefaultLengthCoversTheDecay(t *testing.T) {
	c := mustParse(t, "spike:base=50,peak=1500,at=1m,rise=2m,hold=5m,decay=20m")
	if want := 8*time.Minute + 80*time.Minute; c.Duration() != want {
		t.Fatalf("Duration() = %v; want %v", c.Duration(), want)
	}
	// After four time constants the excess is e^-4 of the peak's.
	end := c.Rate(c.Duration() - time.Nanosecond)
	if want := 50 + 1450*math.Exp(-4); !near(end, want, 1e-3) {
		t.Errorf("rate at the end = %v; want %v", end, want)
	}
	if c.Max() != 1500 {
		t.Errorf("Max() = %v; want 1500", c.Max())
	}
}

// TimeOf must invert Count everywhere, including inside decays and ramps.
func TestTimeOfInvertsCount(t *testing.T) {
	for _, s := range []string{
		"constant:rate=2000,for=5s",
		"ramp:from=0,to=1000,for=1m",
		"ramp:from=1000,to=3,for=1m",
		"stages:start=0,to=100@10s/500@0s/500@10s/0@10s",
		"spike:base=50,peak=1500,at=1m,rise=2m,hold=5m,decay=20m",
		"spike:base=0,peak=100,decay=10s,for=1m",
	} {
		c := mustParse(t, s)
		for i := 1; i <= 200; i++ {
			n := c.Total() * float64(i) / 200
			at, ok := c.TimeOf(n)
			if !ok {
				t.Fatalf("%s: TimeOf(%v) not found; total %v", s, n, c.Total())
			}
			if got := c.Count(at); !near(got, n, 1e-6*math.Max(1, n)+c.Rate(at)*2e-9) {
				t.Fatalf("%s: Count(TimeOf(%v)) = %v", s, n, got)
			}
		}
		if _, ok := c.TimeOf(c.Total() + 1); ok {
			t.Errorf("%s: TimeOf(total+1) found a time", s)
		}
	}
}

// Due times are absolute: after a million arrivals at 2000/s the last one is
// due at exactly 500 s, to the nanosecond.
func TestScheduleDoesNotDrift(t *testing.T) {
	c := mustParse(t, "constant:rate=2000,for=500s")
	s := traffic.NewSchedule(c, traffic.Uniform, 0)
	var last time.Duration
	var n int64
	for {
		seq, due, ok := s.Next()
		if !ok {
			break
		}
		n = seq
		if due < last {
			t.Fatalf("arrival %d due at %v, before the previous %v", seq, due, last)
		}
		if want := time.Duration(seq) * 500 * time.Microsecond; due != want {
			t.Fatalf("arrival %d due at %v; want %v", seq, due, want)
		}
		last = due
	}
	if n != 1_000_000 {
		t.Fatalf("arrivals = %d; want 1000000", n)
	}
	if last != 500*time.Second {
		t.Fatalf("last arrival at %v; want 500s", last)
	}
}

// By any time t exactly ⌊Count(t)⌋ uniform arrivals are due.
func TestScheduleMatchesCount(t *testing.T) {
	c := mustParse(t, "spike:base=20,peak=700,at=2s,rise=3s,hold=2s,decay=4s,for=20s")
	s := traffic.NewSchedule(c, traffic.Uniform, 0)
	var dues []time.Duration
	for {
		_, due, ok := s.Next()
		if !ok {
			break
		}
		dues = append(dues, due)
	}
	for ms := 0; ms <= 20000; ms += 137 {
		at := time.Duration(ms) * time.Millisecond
		got := 0
		for _, d := range dues {
			if d <= at {
				got++
			}
		}
		if want := int(math.Floor(c.Count(at) + 1e-9)); got != want {
			t.Fatalf("arrivals by %v = %d; want ⌊Count⌋ = %d", at, got, want)
		}
	}
}

func TestPoissonIsSeededAndHasTheRightMean(t *testing.T) {
	c := mustParse(t, "constant:rate=1000,for=20s")
	run := func(seed uint64) []time.Duration {
		s := traffic.NewSchedule(c, traffic.Poisson, seed)
		var out []time.Duration
		for {
			_, due, ok := s.Next()
			if !ok {
				return out
			}
			out = append(out, due)
		}
	}
	a, b, other := run(7), run(7), run(8)
	if len(a) != len(b) || a[100] != b[100] || a[len(a)-1] != b[len(b)-1] {
		t.Fatal("the same seed gave different arrivals")
	}
	if len(other) == len(a) && other[100] == a[100] {
		t.Fatal("different seeds gave the same arrivals")
	}
	// 20000 expected; a Poisson count has σ = √20000 ≈ 141, allow 5σ.
	if n := len(a); n < 20000-710 || n > 20000+710 {
		t.Fatalf("arrivals = %d; want about 20000", n)
	}
	// Inter-arrival gaps are exponential: the coefficient of variation is 1.
	var sum, sq float64
	for i := 1; i < len(a); i++ {
		g := (a[i] - a[i-1]).Seconds()
		sum += g
		sq += g * g
	}
	n := float64(len(a) - 1)
	mean := sum / n
	cv := math.Sqrt(sq/n-mean*mean) / mean
	if cv < 0.95 || cv > 1.05 {
		t.Fatalf("coefficient of variation of gaps = %.3f; want ≈1", cv)
	}
}

func TestParseErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		in      string
		wantKey string
		wantMsg string
	}{
		{"constant:rate=2000", "for", "missing"},
		{"constant:rate=abc,for=5s", "rate", "not a number"},
		{"constant:rate=-5,for=5s", "rate", "negative"},
		{"constant:rate=5,for=5 minutes", "for", "not a duration"},
		{"constant:rate=5,for=0s", "for", "longer than zero"},
		{"spike:base=50,peek=1500", "peek", "unknown key"},
		{"spike:base=50,peak=1,multiple=2", "multiple", "either"},
		{"spike:peak=5", "base", "missing"},
		{"stages:to=500@30s/1500", "to", "TARGET@DURATION"},
		{"steps:rates=1/2,start=3,every=1s", "start", "not both"},
		{"steps:start=1,step=1,count=0,every=1s", "count", "whole number"},
		{"constant:rate=1,rate=2,for=1s", "rate", "twice"},
		{"replay:file=x.csv", "file", "cannot be read"},
		{"spke:base=1", "", "unknown shape kind"},
		{"", "", "missing shape kind"},
		{"constant:rate", "", "not key=value"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := traffic.Parse(tt.in, nil)
			var pe *traffic.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error = %v; want a *ParamError", tt.in, err)
			}
			if pe.Key != tt.wantKey {
				t.Errorf("Parse(%q) key = %q; want %q", tt.in, pe.Key, tt.wantKey)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Parse(%q) = %q; want it to mention %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

func TestStringRoundTrips(t *testing.T) {
	for _, s := range []string{
		"constant:rate=2000,for=5s",
		"ramp:from=10,to=500,for=5m",
		"steps:rates=100/400/1000,every=1m",
		"steps:start=100,step=100,count=5,every=30s",
		"stages:start=0,to=500@30s/1500@0s/1500@2m/0@1m",
		"spike:base=50,peak=1500,at=1m,rise=2m,hold=5m,decay=20m",
		"spike:base=50,multiple=30,at=1m,for=1h",
		"constant:rate=10,for=1h30m,x=2.5",
	} {
		c := mustParse(t, s)
		if c.String() != s {
			t.Errorf("Parse(%q).String() = %q", s, c.String())
		}
		again := mustParse(t, c.String())
		if again.Total() != c.Total() || again.Duration() != c.Duration() {
			t.Errorf("%q does not round-trip", s)
		}
	}
	// Inputs are normalised.
	if got := mustParse(t, "constant: rate = 120/m , for=90s").String(); got != "constant:rate=2,for=1m30s" {
		t.Errorf("normalised form = %q", got)
	}
}

func TestReplay(t *testing.T) {
	csv := "# exported from Prometheus\ntime,rate\n1732521600,100\n1732521660,200\n1732521720,200\n"
	files := map[string]string{"t.csv": csv}
	load := func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, errors.New("no such file")
	}
	c, err := traffic.Parse("replay:file=t.csv,scale=20,speed=2", load)
	if err != nil {
		t.Fatal(err)
	}
	if c.Duration() != time.Minute {
		t.Errorf("Duration() = %v; want 1m (2 minutes of data at speed 2)", c.Duration())
	}
	if got := c.Rate(15 * time.Second); got != 3000 {
		t.Errorf("Rate(15s) = %v; want 3000 (halfway from 100 to 200, ×20)", got)
	}
	if got := c.Count(time.Minute); got != 20*(150*30+200*30) {
		t.Errorf("Count(1m) = %v", got)
	}
	bad := []struct{ csv, want string }{
		{"0,1\n10,x\n", "t.csv:2: want TIME,RATE; the second column is not a rate"},
		{"0,1\n0,2\n", "t.csv:2: the time is the same as line 1's"},
		{"0,1\n", "at least two rows"},
		{"0,1\n5,-1\n", "negative"},
	}
	for _, b := range bad {
		files["t.csv"] = b.csv
		_, err := traffic.Parse("replay:file=t.csv", load)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("replay of %q: error %v; want %q", b.csv, err, b.want)
		}
	}
	if _, err := traffic.Parse("replay:file=missing.csv", load); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestScaleKeepsTheShape(t *testing.T) {
	c := mustParse(t, "spike:base=10,peak=100,at=10s,rise=10s,decay=30s")
	s := c.Scale(20)
	for _, at := range []time.Duration{0, 15 * time.Second, time.Minute} {
		if !near(s.Rate(at), 20*c.Rate(at), 1e-9) || !near(s.Count(at), 20*c.Count(at), 1e-6) {
			t.Errorf("Scale(20) at %v: rate %v count %v", at, s.Rate(at), s.Count(at))
		}
	}
	if !strings.HasSuffix(s.String(), ",x=20") {
		t.Errorf("Scale(20).String() = %q", s.String())
	}
	if got := s.Scale(0.5).String(); !strings.HasSuffix(got, ",x=10") {
		t.Errorf("scaling twice = %q; want one combined x", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"constant:rate=2000,for=5s", "spike:base=50,peak=1500,at=1m,rise=2m,hold=5m,decay=20m",
		"stages:start=0,to=500@30s/1500@0s", "steps:rates=1/2/3,every=1s", "ramp:to=5,for=1d", "x:y", ":::", "constant:rate=1e308,for=1s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4<<10 { // a shape is one line; longer inputs only slow the search
			return
		}
		c, err := traffic.Parse(s, nil)
		if err != nil {
			return
		}
		d := c.Duration()
		if d <= 0 {
			t.Fatalf("%q: non-positive duration %v", s, d)
		}
		total := c.Count(d)
		if math.IsNaN(total) || total < 0 {
			t.Fatalf("%q: bad total %v", s, total)
		}
		if again, err := traffic.Parse(c.String(), nil); err != nil {
			t.Fatalf("%q: String() %q does not parse: %v", s, c.String(), err)
		} else if again.Duration() != d {
			t.Fatalf("%q: round trip changed the duration", s)
		}
		if !math.IsInf(total, 0) && total < 1e12 {
			if at, ok := c.TimeOf(total / 2); ok && (at < 0 || at > d) {
				t.Fatalf("%q: TimeOf(total/2) = %v outside [0,%v]", s, at, d)
			}
		}
	})
}
