package emulator

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// The events endpoints serve the Identity events the emulator records
// (event.go), with Stripe's filters but delivery_success.

const eventCols = "id, created, type, COALESCE(request_id, ''), COALESCE(idempotency_key, ''), doc"

func scanEvent(rows interface{ Scan(...any) error }) (any, error) {
	ev := new(event)
	var doc []byte
	if err := rows.Scan(&ev.ID, &ev.Created, &ev.Type, &ev.ReqID, &ev.IdemKey, &doc); err != nil {
		return nil, err
	}
	return ev, json.Unmarshal(doc, &ev.Session)
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
	v, err := scanEvent(e.db.QueryRowContext(r.Context(), "SELECT "+eventCols+" FROM events WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, errNoSuch(eventObject, id))
		return
	}
	if err != nil {
		e.fail(w, r, err)
		return
	}
	writeJSON(w, v.(*event).render(e.publicURL))
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
