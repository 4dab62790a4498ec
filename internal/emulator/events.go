package emulator

import (
	"encoding/json"
	"strings"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// apiVersion is the Stripe API version whose shapes the emulator answers with.
const apiVersion = "2026-08-26"

// event is a stored Stripe event: the session as it was at the transition.
type event struct {
	ID      string
	Created int64
	Type    string
	ReqID   string
	IdemKey string
	Session session
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
	_, err = t.ExecContext(t.ctx, `INSERT INTO events (id, created, type, session_id, request_id, idempotency_key, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, newID(prefixEvent), t.now.Unix(), typ, s.ID, nullStr(t.reqID), nullStr(t.idemKey), doc)
	return err
}

// render returns the event in Stripe's shape.
func (ev *event) render(publicURL string) map[string]any {
	req := map[string]any{"id": nilIfEmpty(ev.ReqID), "idempotency_key": nilIfEmpty(ev.IdemKey)}
	return map[string]any{
		"id":               ev.ID,
		"object":           "event",
		"api_version":      apiVersion,
		"created":          ev.Created,
		"data":             map[string]any{"object": ev.Session.render(publicURL, nil, nil)},
		"livemode":         false,
		"pending_webhooks": 0,
		"request":          req,
		"type":             ev.Type,
	}
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nilIfEmpty(s string) any { return nullStr(s) }

// maxEventTypes is the most types[] that Stripe's list of events takes.
const maxEventTypes = 20

// filterEventTypes applies the list's type and types[] filters, as Stripe's
// API reference describes them (https://docs.stripe.com/api/events/list):
// type is "a specific event name, or group of events using * as a
// wildcard" (identity.verification_session.*); types[] is "an array of up
// to 20 strings containing specific event names"; "you may pass either
// type or types, but not both".
func filterEventTypes(f *form.Params, q *listQuery) *apiError {
	typ, hasType := f.Leaf("type")
	types := f.Get("types")
	switch {
	case hasType && types != nil:
		return invalidRequest("types", "parameters_exclusive", "You may only specify one of these parameters: type, types.")
	case hasType && strings.Contains(typ, "*"):
		q.filter("type GLOB ?", globPattern(typ))
	case hasType:
		q.filter("type = ?", typ)
	case types != nil:
		names := types.List()
		if len(names) > maxEventTypes {
			return invalidRequest("types", "", "Invalid array: types can have at most %d items, not %d.", maxEventTypes, len(names))
		}
		q.where = append(q.where, "type IN (?"+strings.Repeat(", ?", len(names)-1)+")")
		for _, n := range names {
			q.args = append(q.args, n)
		}
	}
	return nil
}

// globPattern turns a type with * wildcards into a GLOB pattern that
// matches the rest literally (and case-sensitively, as LIKE would not):
// GLOB's own special characters are bracketed.
func globPattern(typ string) string {
	var b strings.Builder
	for _, c := range typ {
		switch c {
		case '?', '[':
			b.WriteString("[" + string(c) + "]")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
