package emulator

import (
	"encoding/json"
)

// The types of the events the emulator records: one for each transition of
// a session (doc.go, "Transitions"), named as Stripe names them.
const (
	eventCreated       = "identity.verification_session.created"
	eventProcessing    = "identity.verification_session.processing"
	eventVerified      = "identity.verification_session.verified"
	eventRequiresInput = "identity.verification_session.requires_input"
	eventCanceled      = "identity.verification_session.canceled"
	eventRedacted      = "identity.verification_session.redacted"
)

// event is a stored Stripe event: the session as it was at the transition.
type event struct {
	ID      string
	Created int64
	Type    string
	ReqID   string
	IdemKey string
	Session session
	Pending int // its webhook deliveries still pending
}

// recordEvent stores an event for a transition of s. The snapshot leaves out
// the client secret and url token: events are read by other parties
// (webhook consumers) than the user the link is for.
func recordEvent(t *txn, typ string, s *session) error {
	snap := *s
	snap.ClientSecret, snap.URLToken = "", ""
	doc, err := json.Marshal(&snap)
	if err != nil {
		return err
	}
	id := newID(prefixEvent)
	_, err = t.ExecContext(t.ctx, `INSERT INTO events (id, created, type, session_id, request_id, idempotency_key, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, t.now.Unix(), typ, s.ID, nullIfEmpty(t.reqID), nullIfEmpty(t.idemKey), doc)
	if err != nil {
		return err
	}
	if err := queueDeliveries(t, id); err != nil {
		return err
	}
	if t.onEvent != nil {
		n := Event{ID: id, Type: typ, Created: t.now.Unix(), SessionID: s.ID}
		if s.ClientReferenceID != nil {
			n.ClientReferenceID = *s.ClientReferenceID
		}
		// Only once the event is durable: a listener that reads the
		// session then sees the transition.
		t.after = append(t.after, func() { t.onEvent(n) })
	}
	return nil
}

// Event tells Options.OnEvent of an event the emulator recorded: what a
// listener needs to find the session, not the session itself.
type Event struct {
	ID                string // evt_…
	Type              string // identity.verification_session.*
	Created           int64  // Unix seconds, Stripe's created
	SessionID         string // vs_…
	ClientReferenceID string // the session's, "" when it has none
}

// render returns the event in Stripe's shape.
func (ev *event) render(publicURL string) map[string]any {
	req := map[string]any{"id": nullIfEmpty(ev.ReqID), "idempotency_key": nullIfEmpty(ev.IdemKey)}
	return map[string]any{
		"id":               ev.ID,
		"object":           eventObject.object,
		"api_version":      apiVersion,
		"created":          ev.Created,
		"data":             map[string]any{"object": ev.Session.render(publicURL, nil, nil)},
		"livemode":         false,
		"pending_webhooks": ev.Pending,
		"request":          req,
		"type":             ev.Type,
	}
}
