package emulator

import (
	"errors"
	"net/http"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// handleRetrieveReport serves GET /v1/identity/verification_reports/{id}.
func (e *Emulator) handleRetrieveReport(w http.ResponseWriter, r *http.Request) {
	_, ex, ok := decodeExpand(w, r, form.ExpandOnly, reportObject, false)
	if !ok {
		return
	}
	id := r.PathValue("id")
	rep, err := selectReport(r.Context(), e.db, id)
	if errors.Is(err, errNotFound) {
		writeError(w, errNoSuch(reportObject, id))
		return
	}
	if err != nil {
		e.fail(w, r, err)
		return
	}
	if aerr := checkWindow(e.clock.Now(), sensitiveIn(ex, reportObject), rep.ID, rep.Created); aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, rep.render(ex))
}

// handleListReports serves GET /v1/identity/verification_reports.
func (e *Emulator) handleListReports(w http.ResponseWriter, r *http.Request) {
	f, ex, ok := decodeExpand(w, r, form.ListReports, reportObject, true)
	if !ok {
		return
	}
	q := &listQuery{table: "reports", object: reportObject}
	if aerr := listOptions(f, q); aerr != nil {
		writeError(w, aerr)
		return
	}
	for _, p := range []string{"client_reference_id", "type", "verification_session"} {
		q.eq(f, p, p)
	}
	docs, more, err := q.page(r.Context(), e.db, scanDoc[report])
	if err != nil {
		e.fail(w, r, err)
		return
	}
	// One report past the window refuses the whole page: a list answers
	// whole or not at all.
	now, paths := e.clock.Now(), sensitiveIn(ex, reportObject)
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
