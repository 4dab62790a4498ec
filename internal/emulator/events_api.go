package emulator

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// The events endpoints serve the Identity events the emulator records
// (event.go), with Stripe's filters.

// eventCols are an event's columns, and its pending webhook deliveries
// (webhooks.go) counted for pending_webhooks.
const eventCols = "id, created, type, COALESCE(request_id, ''), COALESCE(idempotency_key, ''), doc, " +
	"(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.event_id = events.id AND d.state = '" + deliveryPending + "')"

func scanEvent(rows interface{ Scan(...any) error }) (any, error) {
	ev := new(event)
	var doc []byte
	if err := rows.Scan(&ev.ID, &ev.Created, &ev.Type, &ev.ReqID, &ev.IdemKey, &doc, &ev.Pending); err != nil {
		return nil, err
	}
	return ev, json.Unmarshal(doc, &ev.Session)
}

// selectEvent reads the event id: sql.ErrNoRows when there is none.
func selectEvent(ctx context.Context, q querier, id string) (*event, error) {
	v, err := scanEvent(q.QueryRowContext(ctx, "SELECT "+eventCols+" FROM events WHERE id = ?", id))
	if err != nil {
		return nil, err
	}
	return v.(*event), nil
}

// handleListEvents serves GET /v1/events.
func (e *Emulator) handleListEvents(w http.ResponseWriter, r *http.Request) {
	f, _, ok := decodeExpand(w, r, form.ListEvents, eventObject, true) // events expand nothing
	if !ok {
		return
	}
	q := &listQuery{table: "events", object: eventObject, cols: eventCols}
	if aerr := listOptions(f, q); aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := filterEventTypes(f, q); aerr != nil {
		writeError(w, aerr)
		return
	}
	filterDeliverySuccess(f, q)
	docs, more, err := q.page(r.Context(), e.db, func(rows *sql.Rows) (any, error) { return scanEvent(rows) })
	if err != nil {
		e.fail(w, r, err)
		return
	}
	data := make([]any, 0, len(docs))
	for _, d := range docs {
		data = append(data, d.(*event).render(e.publicURL))
	}
	writeJSON(w, listObject(eventsURL, data, more))
}

// handleRetrieveEvent serves GET /v1/events/{id}.
func (e *Emulator) handleRetrieveEvent(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := decodeExpand(w, r, form.ExpandOnly, eventObject, false); !ok {
		return
	}
	id := r.PathValue("id")
	ev, err := selectEvent(r.Context(), e.db, id)
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, errNoSuch(eventObject, id))
		return
	}
	if err != nil {
		e.fail(w, r, err)
		return
	}
	writeJSON(w, ev.render(e.publicURL))
}

// filterDeliverySuccess applies delivery_success, "whether all webhooks
// were successfully delivered. If false, events which are still pending
// or did not succeed in their delivery attempts are returned"
// (https://docs.stripe.com/api/events/list). An event with no delivery
// (sent to no endpoint) counts as delivered: none failed.
func filterDeliverySuccess(f *form.Params, q *listQuery) {
	v, ok := f.Leaf("delivery_success")
	if !ok {
		return
	}
	cond := "EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = events.id AND d.state != '" + deliverySucceeded + "')"
	if v == "true" {
		cond = "NOT " + cond
	}
	q.where = append(q.where, cond)
}

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
