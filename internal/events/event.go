package events

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
)

// Event is one change of a VerificationSession: what Stripe's event (or the
// emulator's) says about it, without the session itself.
type Event struct {
	// ID is the Stripe event's ID (evt_…); the hub delivers each ID once.
	ID string
	// Type is the Stripe event type, one of Types (or a newer
	// identity.verification_session.* type Stripe adds).
	Type string
	// Created is when the event happened (Stripe's created).
	Created time.Time
	// SessionID is the VerificationSession that changed (vs_…).
	SessionID string
	// ClientReferenceID is the session's client_reference_id, the end user
	// it belongs to under tenancy; empty when it has none.
	ClientReferenceID string
}

// TypePrefix begins every VerificationSession event type.
const TypePrefix = "identity.verification_session."

// Types are the VerificationSession event types, from stripe-go's catalogue
// and in lifecycle order: the one list the hub, the webhook and the GraphQL
// schema derive theirs from.
var Types = []string{
	string(stripe.EventTypeIdentityVerificationSessionCreated),
	string(stripe.EventTypeIdentityVerificationSessionProcessing),
	string(stripe.EventTypeIdentityVerificationSessionRequiresInput),
	string(stripe.EventTypeIdentityVerificationSessionVerified),
	string(stripe.EventTypeIdentityVerificationSessionCanceled),
	string(stripe.EventTypeIdentityVerificationSessionRedacted),
}

// IsSessionType tells whether an event type is a VerificationSession's:
// one of Types or a newer one with TypePrefix.
func IsSessionType(t string) bool {
	return strings.HasPrefix(t, TypePrefix) && len(t) > len(TypePrefix) && !strings.Contains(t, "*")
}

// validate checks what delivery relies on: an ID to deliver once, a
// session to select by, and a session event type.
func (e Event) validate() error {
	switch {
	case e.ID == "":
		return fmt.Errorf("%w: no ID", ErrInvalidEvent)
	case e.SessionID == "":
		return fmt.Errorf("%w: %s has no session ID", ErrInvalidEvent, e.ID)
	case !IsSessionType(e.Type):
		return fmt.Errorf("%w: %s has type %q, not %s*", ErrInvalidEvent, e.ID, e.Type, TypePrefix)
	}
	return nil
}

// knownType tells whether t is in Types.
func knownType(t string) bool { return slices.Contains(Types, t) }
