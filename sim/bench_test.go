package sim

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/traffic"
)

// diurnal is a day of traffic as a replay would give it: one point a
// minute, a daily swing between 40 and 200 req/s, and a TV spike at 20:00
// that reaches 25× the evening rate within two minutes.
func diurnal(tb testing.TB) *traffic.Curve {
	tb.Helper()
	var b strings.Builder
	b.WriteString("time,rate\n")
	for m := 0; m <= 24*60; m++ {
		h := float64(m) / 60
		rate := 120 - 80*math.Cos(2*math.Pi*(h-2)/24)
		if since := float64(m - 20*60); since >= 0 {
			switch {
			case since < 2:
				rate *= 1 + 24*since/2
			default:
				rate *= 1 + 24*math.Exp(-(since-2)/15)
			}
		}
		fmt.Fprintf(&b, "%d,%.3f\n", m*60, rate)
	}
	points, err := traffic.ParseReplayCSV("day.csv", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	c, err := traffic.Replay(points, 1, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func benchmarkDay(b *testing.B, shape traffic.Shape) { benchmarkDayOn(b, twoComponents(), shape) }

func benchmarkDayOn(b *testing.B, sys System, shape traffic.Shape) {
	m, err := Compile(sys)
	if err != nil {
		b.Fatal(err)
	}
	sc := Scenario{Name: "day", Traffic: shape, Duration: 24 * time.Hour}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Run(ctx, sc, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSim24h simulates a replayed day (one point a minute, with a TV
// spike) at 1 s resolution for a two-component system.
func BenchmarkSim24h(b *testing.B) { benchmarkDay(b, diurnal(b)) }

// BenchmarkSim24hDecay is the same day as an analytic spike whose
// exponential decay lasts the whole day: every step evaluates exponentials
// in the traffic shape.
func BenchmarkSim24hDecay(b *testing.B) {
	c, err := traffic.Parse("spike:base=60,peak=1500,at=6h,rise=2m,hold=10m,decay=30m,for=24h", nil)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkDay(b, c)
}

// BenchmarkSim24hAutopilot is the replayed day on Autopilot, where the
// cost of every change of state is the pods' billed requests.
func BenchmarkSim24hAutopilot(b *testing.B) {
	sys := twoComponents()
	sys.Nodes = Nodes{Mode: Autopilot}
	benchmarkDayOn(b, sys, diurnal(b))
}
