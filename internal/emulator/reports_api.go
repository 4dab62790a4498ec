package emulator

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

func (e *Emulator) retrieveReport(w http.ResponseWriter, r *http.Request) {
	_, ex, ok := decodeExpand(w, r, form.ExpandOnly, "verification_report", false)
	if !ok {
		return
	}
	id := r.PathValue("id")
	rep, err := getReport(r.Context(), e.db, id)
	if errors.Is(err, errNotFound) {
		writeError(w, errNoSuch("verification_report", id))
		return
	}
	if err != nil {
		e.fail(w, r, err)
		return
	}
	if aerr := checkWindow(e.clock.Now(), sensitiveIn(ex, "verification_report"), rep.ID, rep.Created); aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, rep.render(ex))
}

func (e *Emulator) listReports(w http.ResponseWriter, r *http.Request) {
	f, ex, ok := decodeExpand(w, r, form.ListReports, "verification_report", true)
	if !ok {
		return
	}
	q := &listQuery{table: "reports", object: "verification_report"}
	if aerr := listOptions(f, q); aerr != nil {
		writeError(w, aerr)
		return
	}
	for _, p := range []string{"client_reference_id", "type", "verification_session"} {
		q.eq(f, p, p)
	}
	docs, more, err := q.page(r.Context(), e.db, func(rows *sql.Rows) (any, error) {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		rep := new(report)
		return rep, json.Unmarshal(doc, rep)
	})
	if err != nil {
		e.fail(w, r, err)
		return
	}
	// One report past the window refuses the whole page: a list answers
	// whole or not at all.
	now, paths := e.clock.Now(), sensitiveIn(ex, "verification_report")
	data := make([]any, 0, len(docs))
	for _, d := range docs {
		rep := d.(*report)
		if aerr := checkWindow(now, paths, rep.ID, rep.Created); aerr != nil {
			writeError(w, aerr)
			return
		}
		data = append(data, rep.render(ex))
	}
	writeJSON(w, listObject(reportsURL, data, more))
}

// The events endpoints serve the Identity events the emulator records, with
// Stripe's filters but delivery_success (events.go).

const eventCols = "id, created, type, COALESCE(request_id, ''), COALESCE(idempotency_key, ''), doc"

func scanEvent(rows interface{ Scan(...any) error }) (any, error) {
	ev := new(event)
	var doc []byte
	if err := rows.Scan(&ev.ID, &ev.Created, &ev.Type, &ev.ReqID, &ev.IdemKey, &doc); err != nil {
		return nil, err
	}
	return ev, json.Unmarshal(doc, &ev.Session)
}

func (e *Emulator) listEvents(w http.ResponseWriter, r *http.Request) {
	f, ferr := form.Decode(r, form.ListEvents)
	if ferr != nil {
		writeError(w, refused(ferr))
		return
	}
	if _, aerr := parseExpand(f, "event", true); aerr != nil {
		writeError(w, aerr)
		return
	}
	q := &listQuery{table: "events", object: "event", cols: eventCols}
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

func (e *Emulator) retrieveEvent(w http.ResponseWriter, r *http.Request) {
	f, ferr := form.Decode(r, form.ExpandOnly)
	if ferr != nil {
		writeError(w, refused(ferr))
		return
	}
	if _, aerr := parseExpand(f, "event", false); aerr != nil {
		writeError(w, aerr)
		return
	}
	id := r.PathValue("id")
	v, err := scanEvent(e.db.QueryRowContext(r.Context(), "SELECT "+eventCols+" FROM events WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, errNoSuch("event", id))
		return
	}
	if err != nil {
		e.fail(w, r, err)
		return
	}
	writeJSON(w, v.(*event).render(e.publicURL))
}
