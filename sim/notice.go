package sim

import (
	"fmt"
	"strings"
)

// EventNotice says whether a scenario's event is known ahead: announced
// (its date and time are known, so replicas may be raised before it) or a
// surprise (nobody knows when it comes: only what runs all the time
// absorbs it, the HPA with its behavior, minReplicas and spare node
// capacity).
//
// The zero value, [EventUnsaid], is a scenario that does not say; it
// reads as [DefaultEventNotice], announced: that is what every scenario
// meant before scenarios could say, so a System file written then keeps
// its simulation and its plan. The safer reading, a surprise, was weighed
// and set aside: it would silently change every existing plan into a
// dearer one, and a surprise plan settles higher floors with many more
// simulations (seventeen times as many for the planner's two-component
// test shop). What keeps the assumption from being silent
// instead: a file's reader notes every scenario that does not say, and
// every plan output qualifies its figures ([AssumingTheDate] or
// [ForASurprise]) and can price the surprise next to them.
type EventNotice uint8

// Event notices.
const (
	// EventUnsaid: the scenario does not say; it reads as
	// [DefaultEventNotice].
	EventUnsaid EventNotice = iota
	// EventAnnounced: the event's date and time are known ahead; the
	// system's pre-scaling applies, and a planner may pre-scale for it.
	EventAnnounced
	// EventSurprise: the event comes without warning; no pre-scaling
	// applies before it.
	EventSurprise
)

// DefaultEventNotice is how a scenario that does not say is read:
// announced (see [EventNotice] for why).
const DefaultEventNotice = EventAnnounced

// Words for each notice, as plans say them.
const (
	// AssumingTheDate qualifies a figure planned for an announced event.
	AssumingTheDate = "assuming you know the date"
	// ForASurprise qualifies a figure planned for a surprise.
	ForASurprise = "for a surprise"
)

// String is "announced", "surprise", or "" when unsaid.
func (e EventNotice) String() string {
	switch e {
	case EventAnnounced:
		return "announced"
	case EventSurprise:
		return "surprise"
	}
	return ""
}

// Assumption is what a figure planned with this notice assumes:
// [AssumingTheDate] when announced, else [ForASurprise].
func (e EventNotice) Assumption() string {
	if e == EventAnnounced {
		return AssumingTheDate
	}
	return ForASurprise
}

// ParseEventNotice reads "announced" or "surprise" (any case); "" is
// [EventUnsaid].
func ParseEventNotice(s string) (EventNotice, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return EventUnsaid, nil
	case "announced":
		return EventAnnounced, nil
	case "surprise":
		return EventSurprise, nil
	}
	return EventUnsaid, fmt.Errorf("%q: want announced (its date and time are known ahead: pre-scaling is allowed before it) or surprise (no pre-scaling: the HPA, minReplicas and spare capacity absorb it)", s)
}

// UnmarshalText implements encoding.TextUnmarshaler with
// [ParseEventNotice].
func (e *EventNotice) UnmarshalText(b []byte) error {
	v, err := ParseEventNotice(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// MarshalText implements encoding.TextMarshaler: "announced", "surprise"
// or "".
func (e EventNotice) MarshalText() ([]byte, error) {
	if e > EventSurprise {
		return nil, fmt.Errorf("event notice %d: want unsaid, announced or surprise", uint8(e))
	}
	return []byte(e.String()), nil
}

// Notice is the scenario's notice: its Event, or [DefaultEventNotice]
// when it does not say.
func (sc Scenario) Notice() EventNotice {
	if sc.Event == EventUnsaid {
		return DefaultEventNotice
	}
	return sc.Event
}
