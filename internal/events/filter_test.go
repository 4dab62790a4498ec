package events

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestTypesAreSessionTypes(t *testing.T) {
	if len(Types) != 6 {
		t.Errorf("%d types, want Stripe's 6 VerificationSession event types", len(Types))
	}
	for _, typ := range Types {
		if !IsSessionType(typ) {
			t.Errorf("%q is not a session type", typ)
		}
	}
	for _, typ := range []string{"", TypePrefix, TypePrefix + "*", "identity.verification_report.created", "charge.succeeded"} {
		if IsSessionType(typ) {
			t.Errorf("IsSessionType(%q) = true", typ)
		}
	}
}

func TestFilters(t *testing.T) {
	const (
		created  = "identity.verification_session.created"
		verified = "identity.verification_session.verified"
		canceled = "identity.verification_session.canceled"
	)
	alice := func(e Event) Event { e.ClientReferenceID = "alice"; return e }
	bob := func(e Event) Event { e.ClientReferenceID = "bob"; return e }
	published := []Event{
		alice(ev("evt_1", "vs_a", created)),
		alice(ev("evt_2", "vs_a", verified)),
		bob(ev("evt_3", "vs_b", created)),
		bob(ev("evt_4", "vs_b", canceled)),
		ev("evt_5", "vs_c", verified),
	}
	tests := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"the zero filter sees every event", Filter{}, []string{"evt_1", "evt_2", "evt_3", "evt_4", "evt_5"}},
		{"a session ID selects that session's events", Filter{SessionID: "vs_b"}, []string{"evt_3", "evt_4"}},
		{"a type selects events of that type", Filter{Types: []string{verified}}, []string{"evt_2", "evt_5"}},
		{"several types select events of any of them", Filter{Types: []string{created, canceled}}, []string{"evt_1", "evt_3", "evt_4"}},
		{"Stripe's wildcard selects every session event", Filter{Types: []string{"identity.verification_session.*"}}, []string{"evt_1", "evt_2", "evt_3", "evt_4", "evt_5"}},
		{"a shorter wildcard selects every session event", Filter{Types: []string{"identity.*"}}, []string{"evt_1", "evt_2", "evt_3", "evt_4", "evt_5"}},
		{"a star selects every type", Filter{Types: []string{"*", created}}, []string{"evt_1", "evt_2", "evt_3", "evt_4", "evt_5"}},
		{"an end user sees only their own sessions", Filter{ClientReferenceID: "alice"}, []string{"evt_1", "evt_2"}},
		{"an end user does not see another user's session by its ID", Filter{SessionID: "vs_b", ClientReferenceID: "alice"}, nil},
		{"an end user does not see sessions without a reference", Filter{SessionID: "vs_c", ClientReferenceID: "alice"}, nil},
		{"session, type and owner together", Filter{SessionID: "vs_a", Types: []string{verified}, ClientReferenceID: "alice"}, []string{"evt_2"}},
		{"a session with no events sees none", Filter{SessionID: "vs_none"}, nil},
		{"Latest delivers the session's newest event", Filter{SessionID: "vs_b", Delivery: Latest}, []string{"evt_4"}},
	}
	h := newHub(t, Options{})
	subs := make([]*Subscription, len(tests))
	for i, tt := range tests {
		subs[i] = subscribe(t, h, tt.filter)
	}
	publish(t, h, published...)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buffered(subs[i]); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	tests := []struct {
		name   string
		filter Filter
		why    string
	}{
		{"an unknown type is refused", Filter{Types: []string{"identity.verification_session.approved"}}, "unknown event type"},
		{"another object's type is refused", Filter{Types: []string{"charge.succeeded"}}, "unknown event type"},
		{"a star inside a type is refused", Filter{Types: []string{"identity.*.verified"}}, "unknown event type"},
		{"a wildcard that matches no session type is refused", Filter{Types: []string{"charge.*"}}, "matches no"},
		{"a wildcard below a type is refused", Filter{Types: []string{"identity.verification_session.verified.*"}}, "matches no"},
		{"Latest without a session is refused", Filter{Delivery: Latest}, "needs a session ID"},
		{"an unknown delivery is refused", Filter{Delivery: 7}, "unknown delivery"},
	}
	h := newHub(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := h.Subscribe(t.Context(), tt.filter)
			if !errors.Is(err, ErrInvalidFilter) || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("Subscribe = %v, %v; want ErrInvalidFilter saying %q", s, err, tt.why)
			}
		})
	}
	if n := h.Stats().Subscriptions; n != 0 {
		t.Errorf("%d subscriptions after refusals, want 0", n)
	}
}
