package sim

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/slo"
)

// A System is validated in one place: Compile reports every problem with
// the path a file format positions it at, a call cycle included, even when
// other problems are present.
func TestCompileReportsProblemsWithPaths(t *testing.T) {
	comp := func(name string, calls ...Call) Component {
		return Component{Name: name, Capacity: Capacity{PerReplicaRPS: 10}, Resources: Resources{CPURequest: 0.5}, Calls: calls,
			Replicas: 1}
	}
	sys := System{Entry: "a", Components: []Component{
		comp("a", Call{To: "b", PerRequest: 1}),
		comp("b", Call{To: "a", PerRequest: 1}, Call{To: "nowhere", PerRequest: 1}),
	}}
	sys.Components[1].Resources.CPURequest = 0
	_, err := Compile(sys)
	var me *ModelError
	if !errors.As(err, &me) {
		t.Fatalf("Compile = %v; want a *ModelError", err)
	}
	want := map[string]string{
		"components[1].calls.nowhere": `calls unknown component "nowhere"`,
		"components[1].resources":     "a CPU request is required",
		"components[1].calls.a":       "the calls form a cycle: a → b → a",
	}
	got := map[string]string{}
	for _, p := range me.Problems {
		got[p.Path] = p.Message
	}
	for path, msg := range want {
		if !strings.Contains(got[path], msg) {
			t.Errorf("problem at %s = %q; want it to say %q (all: %v)", path, got[path], msg, me.Problems)
		}
	}
}

// The one conversion from SLOs to the simulator's objectives: the
// strictest of each kind and the longest window.
func TestObjectivesFromSLOs(t *testing.T) {
	reqs := slo.Selector{Metric: "http_requests_total"}
	hist := slo.Selector{Metric: "http_request_duration_seconds_bucket"}
	o, ok := ObjectivesFromSLOs([]slo.SLO{
		{Target: 0.99, Indicator: slo.Availability(reqs, "code", "5.."), Window: slo.Window{Length: 7 * 24 * time.Hour}},
		{Target: 0.999, Indicator: slo.Availability(reqs, "code", "5.."), Window: slo.Window{Length: 30 * 24 * time.Hour}},
		{Target: 0.95, Indicator: slo.Latency(hist, time.Second)},
		{Target: 0.99, Indicator: slo.Latency(hist, 300*time.Millisecond)},
	})
	want := Objectives{Availability: 0.999, LatencyThreshold: 300 * time.Millisecond, LatencyTarget: 0.99, Window: 30 * 24 * time.Hour}
	if !ok || o != want {
		t.Errorf("ObjectivesFromSLOs = %+v, %v; want %+v, true", o, ok, want)
	}
	if _, ok := ObjectivesFromSLOs(nil); ok {
		t.Error("no SLOs: ok; want false")
	}
}

// A lower-bound capacity says why it is one: a measurement the generator
// could not push to its knee, or an estimate from history with its
// evidence.
func TestLowerBoundNotesSayWhy(t *testing.T) {
	for _, tc := range []struct {
		name string
		capa func(*Capacity)
		want string
	}{
		{"measured", func(c *Capacity) { c.LowerBound = true }, "the load generator could not drive it to its knee"},
		{"estimated", func(c *Capacity) {
			c.LowerBound, c.Source, c.Evidence = true, CapacityEstimated, "p99 held up to 42/s per pod over 14d"
		}, "estimated from history: p99 held up to 42/s per pod over 14d"},
	} {
		sys := twoComponents()
		tc.capa(&sys.Components[0].Capacity)
		m, err := Compile(sys)
		if err != nil {
			t.Fatal(err)
		}
		notes := strings.Join(m.Notes(), "\n")
		if !strings.Contains(notes, tc.want) || strings.Count(notes, "is a lower bound") != 1 {
			t.Errorf("%s: notes %q; want one lower-bound note saying %q", tc.name, notes, tc.want)
		}
	}
}
