package events

import (
	"fmt"
	"slices"
	"strings"
)

// Delivery is how a subscription's buffer treats a subscriber that does not
// keep up.
type Delivery uint8

const (
	// Every delivers each matching event in order, from a buffer of
	// Options.Buffer events that drops its oldest when full (counted by
	// Subscription.Dropped): verificationSessionEvents.
	Every Delivery = iota
	// Latest delivers the newest matching event of one session: an event
	// not yet received is replaced by a newer one (counted by
	// Subscription.Dropped), since the subscriber re-fetches the session
	// and only its latest state matters: verificationSessionUpdated. It
	// needs Filter.SessionID.
	Latest
)

// Filter says which events a subscription receives, on whose account, and
// how. The zero Filter is every event of every session, delivered Every,
// counted under the caller "".
type Filter struct {
	// SessionID selects one session's events; empty selects every session.
	SessionID string
	// Types selects event types: members of Types, "*" (every type) or
	// Stripe's wildcard "identity.verification_session.*"; empty selects
	// every type.
	Types []string
	// ClientReferenceID, when not empty, selects only the events of
	// sessions whose client_reference_id it is. An end user's
	// subscription must set it to their subject (tenancy's rule: they see
	// their own sessions only); empty is for callers with full access.
	ClientReferenceID string
	// Caller is the key the per-caller limit counts the subscription
	// under: the budget's CallerKey ("user:<subject>", "server",
	// "ip:<address>").
	Caller string
	// Delivery is Every (the zero value) or Latest.
	Delivery Delivery
}

// matcher is a Filter checked and compiled, held by its subscription.
type matcher struct {
	sessionID string
	cref      string
	exact     []string // nil with prefixes nil: every type
	prefixes  []string // wildcards without their "*"
	anyType   bool
}

// compile checks f and returns its matcher.
func compile(f Filter) (matcher, error) {
	m := matcher{sessionID: f.SessionID, cref: f.ClientReferenceID, anyType: len(f.Types) == 0}
	if f.Delivery != Every && f.Delivery != Latest {
		return matcher{}, fmt.Errorf("%w: unknown delivery %d", ErrInvalidFilter, f.Delivery)
	}
	if f.Delivery == Latest && f.SessionID == "" {
		// One slot per subscription keeps the newest event of one session;
		// across sessions it would lose other sessions' changes.
		return matcher{}, fmt.Errorf("%w: Latest delivery needs a session ID", ErrInvalidFilter)
	}
	for _, t := range f.Types {
		switch {
		case t == "*":
			m.anyType = true
		case strings.HasSuffix(t, ".*") && !strings.Contains(strings.TrimSuffix(t, "*"), "*"):
			p := strings.TrimSuffix(t, "*")
			if !slices.ContainsFunc(Types, func(t string) bool { return strings.HasPrefix(t, p) }) {
				return matcher{}, fmt.Errorf("%w: %q matches no VerificationSession event type", ErrInvalidFilter, t)
			}
			m.prefixes = append(m.prefixes, p)
		case knownType(t):
			m.exact = append(m.exact, t)
		default:
			return matcher{}, fmt.Errorf("%w: unknown event type %q (one of %s, \"*\" or %q)",
				ErrInvalidFilter, t, strings.Join(Types, ", "), TypePrefix+"*")
		}
	}
	if m.anyType {
		m.exact, m.prefixes = nil, nil
	}
	return m, nil
}

// matches tells whether e is one of the subscription's events.
func (m *matcher) matches(e *Event) bool {
	if m.sessionID != "" && e.SessionID != m.sessionID {
		return false
	}
	if m.cref != "" && e.ClientReferenceID != m.cref {
		return false
	}
	if m.anyType {
		return true
	}
	for _, t := range m.exact {
		if e.Type == t {
			return true
		}
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(e.Type, p) {
			return true
		}
	}
	return false
}
