package emulator

import (
	"context"
	"errors"
	"net/http"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// handleCreateSession serves POST /v1/identity/verification_sessions.
func (e *Emulator) handleCreateSession(w http.ResponseWriter, r *http.Request) {
	f, ex, ok := decodeExpand(w, r, form.CreateSession, sessionObject, false)
	if !ok {
		return
	}
	s, aerr := sessionFromParams(f)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.mutate(w, r, func(t *txn) (any, error) {
		if err := create(t, s); err != nil {
			return nil, err
		}
		return e.renderSession(t.ctx, t, s, ex)
	})
}

// handleRetrieveSession serves GET /v1/identity/verification_sessions/{id}.
// It only reads: the fresh client secret and url that Stripe
// hands out on every retrieve are minted without a write (tokens.go).
func (e *Emulator) handleRetrieveSession(w http.ResponseWriter, r *http.Request) {
	_, ex, ok := decodeExpand(w, r, form.ExpandOnly, sessionObject, false)
	if !ok {
		return
	}
	ctx := readContext(r.Context())
	s, err := retrieve(ctx, e.reads, r.PathValue("id"))
	if err != nil {
		e.fail(w, r, err)
		return
	}
	o, err := e.renderSession(ctx, e.reads, s, ex)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	writeJSON(w, o)
}

// handleUpdateSession serves POST /v1/identity/verification_sessions/{id}.
func (e *Emulator) handleUpdateSession(w http.ResponseWriter, r *http.Request) {
	f, ex, ok := decodeExpand(w, r, form.UpdateSession, sessionObject, false)
	if !ok {
		return
	}
	if aerr := checkProvidedValues(f.Get("provided_details")); aerr != nil {
		writeError(w, aerr)
		return
	}
	id := r.PathValue("id")
	e.mutate(w, r, func(t *txn) (any, error) {
		s, err := update(t, id, func(s *session) *apiError { return applyUpdate(s, f) })
		if err != nil {
			return nil, err
		}
		return e.renderSession(t.ctx, t, s, ex)
	})
}

// handleCancelSession serves POST /v1/identity/verification_sessions/{id}/cancel.
func (e *Emulator) handleCancelSession(w http.ResponseWriter, r *http.Request) {
	e.handleSessionAction(w, r, cancel)
}

// handleRedactSession serves POST /v1/identity/verification_sessions/{id}/redact.
func (e *Emulator) handleRedactSession(w http.ResponseWriter, r *http.Request) {
	e.handleSessionAction(w, r, e.redact)
}

// handleSessionAction serves the POST /{id}/action endpoints, which take only
// expand.
func (e *Emulator) handleSessionAction(w http.ResponseWriter, r *http.Request, act func(*txn, string) (*session, error)) {
	_, ex, ok := decodeExpand(w, r, form.ExpandOnly, sessionObject, false)
	if !ok {
		return
	}
	id := r.PathValue("id")
	e.mutate(w, r, func(t *txn) (any, error) {
		s, err := act(t, id)
		if err != nil {
			return nil, err
		}
		return e.renderSession(t.ctx, t, s, ex)
	})
}

// handleListSessions serves GET /v1/identity/verification_sessions.
func (e *Emulator) handleListSessions(w http.ResponseWriter, r *http.Request) {
	f, ex, ok := decodeExpand(w, r, form.ListSessions, sessionObject, true)
	if !ok {
		return
	}
	q := &listQuery{table: "sessions", object: sessionObject}
	if aerr := listOptions(f, q); aerr != nil {
		writeError(w, aerr)
		return
	}
	for _, p := range []string{"client_reference_id", "status", "related_customer", "related_customer_account"} {
		q.eq(f, p, p)
	}
	ctx := r.Context()
	docs, more, err := q.page(ctx, e.db, scanDoc[session])
	if err != nil {
		e.fail(w, r, err)
		return
	}
	data := make([]any, 0, len(docs))
	for _, d := range docs {
		o, err := e.renderSession(ctx, e.db, d.(*session), ex)
		if err != nil {
			e.fail(w, r, err)
			return
		}
		data = append(data, o)
	}
	writeJSON(w, listObject(sessionsURL, data, more))
}

// renderSession renders s with fresh links when it awaits input
// (tokens.go), loading its last report when that is expanded, and refuses
// sensitive results past their 48-hour window (sensitive.go).
func (e *Emulator) renderSession(ctx context.Context, q querier, s *session, ex form.Expansion) (map[string]any, error) {
	var r *report
	if ex.Has("last_verification_report") && s.LastReport != "" {
		var err error
		if r, err = selectReport(ctx, q, s.LastReport); err != nil && !errors.Is(err, errNotFound) {
			return nil, err
		}
	}
	if err := e.checkSessionWindow(ctx, q, s, ex, r); err != nil {
		return nil, err
	}
	var rep map[string]any
	if r != nil {
		rep = r.render(ex.Sub("last_verification_report"))
	}
	e.issueLinks(s)
	return s.render(e.publicURL, ex, rep), nil
}
