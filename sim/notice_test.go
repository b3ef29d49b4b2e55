package sim

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Pre-scaling applies before an announced event only: a surprise runs
// with the HPA alone, whatever the system's prescale says; a scenario that
// does not say is announced.
func TestASurpriseIsNeverPrescaled(t *testing.T) {
	const spike = "spike:base=50,peak=3000,at=10m,rise=30s,hold=5m,decay=1m"
	hpa := &HPA{MinReplicas: 2, MaxReplicas: 40, Behavior: &Behavior{}}
	bare := oneComponent(2, hpa)
	prescaled := oneComponent(2, hpa)
	prescaled.Components[0].Prescale = []Prescale{{At: 5 * time.Minute, MinReplicas: 32}}
	runIt := func(sys System, ev EventNotice) *Result {
		t.Helper()
		res, err := mustCompile(t, sys).Run(context.Background(), Scenario{Name: "tv", Traffic: shape(t, spike), Event: ev}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	without := runIt(bare, EventSurprise)
	cases := []struct {
		name      string
		sys       System
		ev        EventNotice
		prescaled bool
		event     string
	}{
		{"an announced event in a system that pre-scales", prescaled, EventAnnounced, true, "announced"},
		{"an unsaid event in a system that pre-scales", prescaled, EventUnsaid, true, "announced"},
		{"a surprise in a system that pre-scales", prescaled, EventSurprise, false, "surprise"},
		{"an unsaid event in a system that does not pre-scale", bare, EventUnsaid, false, "announced"},
		{"an announced event in a system that does not pre-scale", bare, EventAnnounced, false, "announced"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runIt(tc.sys, tc.ev)
			if res.Event != tc.event {
				t.Errorf("Event = %q; want %q", res.Event, tc.event)
			}
			got := res.Failed < without.Failed/10
			if got != tc.prescaled {
				t.Errorf("failed = %v, %v without pre-scaling; pre-scaled = %v, want %v", res.Failed, without.Failed, got, tc.prescaled)
			}
			if !tc.prescaled && res.Failed != without.Failed {
				t.Errorf("failed = %v; want exactly %v, as without pre-scaling", res.Failed, without.Failed)
			}
			noted := strings.Contains(strings.Join(res.Notes, "\n"), "is a surprise")
			if want := tc.ev == EventSurprise && len(tc.sys.Components[0].Prescale) > 0; noted != want {
				t.Errorf("notes = %q; a note on the pre-scaling not applied: %v, want %v", res.Notes, noted, want)
			}
		})
	}
}

func TestParseEventNotice(t *testing.T) {
	cases := []struct {
		in   string
		want EventNotice
		ok   bool
	}{
		{"announced", EventAnnounced, true},
		{" Surprise ", EventSurprise, true},
		{"", EventUnsaid, true},
		{"known", EventUnsaid, false},
		{"true", EventUnsaid, false},
	}
	for _, tc := range cases {
		got, err := ParseEventNotice(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseEventNotice(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "announced") {
			t.Errorf("ParseEventNotice(%q): %v; want the error to name the values", tc.in, err)
		}
	}
	for _, e := range []EventNotice{EventAnnounced, EventSurprise} {
		b, err := e.MarshalText()
		var back EventNotice
		if err != nil || back.UnmarshalText(b) != nil || back != e {
			t.Errorf("%v does not round-trip through text: %q, %v, %v", e, b, err, back)
		}
	}
	if a, s := EventAnnounced.Assumption(), EventSurprise.Assumption(); a != AssumingTheDate || s != ForASurprise {
		t.Errorf("assumptions = %q, %q; want %q, %q", a, s, AssumingTheDate, ForASurprise)
	}
}

func TestRunRejectsAnUnknownNotice(t *testing.T) {
	_, err := mustCompile(t, oneComponent(2, nil)).Run(context.Background(), Scenario{Name: "x", Traffic: shape(t, "constant:rate=1,for=1m"), Event: 7}, Options{})
	if err == nil || !strings.Contains(err.Error(), "event") {
		t.Errorf("Run with notice 7: %v; want an error naming the event", err)
	}
}

func FuzzParseEventNotice(f *testing.F) {
	for _, s := range []string{"announced", "surprise", " SURPRISE ", "", "soon", "announced\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEventNotice(s)
		if err != nil {
			if e != EventUnsaid {
				t.Errorf("ParseEventNotice(%q) = %v with an error; want unsaid", s, e)
			}
			return
		}
		if e > EventSurprise {
			t.Errorf("ParseEventNotice(%q) = %d; want a known notice", s, e)
		}
		back, err := ParseEventNotice(e.String())
		if err != nil || back != e {
			t.Errorf("ParseEventNotice(%q) = %v, which reads back as %v, %v", s, e, back, err)
		}
	})
}

// A run that stops at the first breach gives the verdict of the whole
// run, sooner; a run that never breaches is the whole run.
func TestStopAtBreachKeepsTheVerdict(t *testing.T) {
	hpa := &HPA{MinReplicas: 2, MaxReplicas: 40, Behavior: &Behavior{}}
	cases := []struct {
		name, traffic string
		met           bool
	}{
		{"a spike the HPA cannot follow", "spike:base=50,peak=3000,at=10m,rise=30s,hold=5m,decay=1m", false},
		{"a gentle ramp", "ramp:from=50,to=100,for=30m", true},
	}
	m := mustCompile(t, oneComponent(2, hpa))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := Scenario{Name: "x", Traffic: shape(t, tc.traffic)}
			whole, err := m.Run(context.Background(), sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			early, err := m.Run(context.Background(), sc, Options{StopAtBreach: true})
			if err != nil {
				t.Fatal(err)
			}
			if whole.SLOMet != tc.met || early.SLOMet != whole.SLOMet {
				t.Fatalf("SLO met: whole run %v, stopped run %v; want %v for both", whole.SLOMet, early.SLOMet, tc.met)
			}
			if early.Stopped == tc.met || whole.Stopped {
				t.Errorf("stopped: %v (whole run %v); want %v", early.Stopped, whole.Stopped, !tc.met)
			}
			if tc.met && !reflect.DeepEqual(early, whole) {
				t.Error("a run that never breaches differs from the whole run")
			}
			if !tc.met && (early.Duration >= whole.Duration || *early.FirstBreach != *whole.FirstBreach || early.Duration != *early.FirstBreach) {
				t.Errorf("stopped at %vs after a breach at %v; the whole run lasts %vs, breached at %v; want a stop at the same breach",
					early.Duration, *early.FirstBreach, whole.Duration, *whole.FirstBreach)
			}
		})
	}
}
