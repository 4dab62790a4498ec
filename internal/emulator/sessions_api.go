package emulator

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

func (e *Emulator) createSession(w http.ResponseWriter, r *http.Request) {
	f, ex, ok := decodeExpand(w, r, form.CreateSession, "verification_session", false)
	if !ok {
		return
	}
	s, aerr := sessionFromParams(f)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.mutate(w, r, func(t *txn) (any, error) {
		if err := createSession(t, s); err != nil {
			return nil, err
		}
		return e.renderSession(t.ctx, t, s, ex)
	})
}

// sessionFromParams builds a new session from the create parameters.
func sessionFromParams(f *form.Params) (*session, *apiError) {
	s := &session{}
	if aerr := checkCreateValues(f); aerr != nil {
		return nil, aerr
	}
	typ, hasType := f.Leaf("type")
	flow, hasFlow := f.Leaf("verification_flow")
	switch {
	case hasType && hasFlow:
		return nil, invalidRequest("verification_flow", "parameters_exclusive",
			"You may only specify one of these parameters: type, verification_flow.")
	case hasFlow:
		s.Type, s.VerificationFlow = "verification_flow", flow
	case hasType:
		s.Type = typ
	default:
		return nil, invalidRequest("type", "parameter_missing", "Missing required param: type.")
	}
	for param, dst := range map[string]**string{
		"client_reference_id":      &s.ClientReferenceID,
		"related_customer":         &s.RelatedCustomer,
		"related_customer_account": &s.RelatedCustomerAccount,
	} {
		if v, ok := f.Leaf(param); ok {
			*dst = ptr(v)
		}
	}
	if p := f.Get("related_person"); p != nil {
		a, _ := p.Leaf("account")
		pe, _ := p.Leaf("person")
		s.RelatedPerson = &relatedPerson{Account: a, Person: pe}
	}
	s.ReturnURL, _ = f.Leaf("return_url")
	md, aerr := applyMetadata(nil, f.Get("metadata"))
	if aerr != nil {
		return nil, aerr
	}
	s.Metadata = md
	if err := applyOptions(&s.Options, f.Get("options")); err != nil {
		return nil, err
	}
	applyProvided(s, f.Get("provided_details"))
	return s, nil
}

// applyOptions merges options[document] into o; options[document]="" unsets it.
func applyOptions(o *sessionOptions, f *form.Params) *apiError {
	d := f.Get("document")
	if d == nil {
		return nil
	}
	if _, ok := d.Leaf(); ok {
		o.Document = nil
		return nil
	}
	doc := &documentOptions{}
	if o.Document != nil {
		*doc = *o.Document
	}
	if at := d.Get("allowed_types"); at != nil {
		doc.AllowedTypes = at.List()
	}
	for param, dst := range map[string]**bool{
		"require_id_number":       &doc.RequireIDNumber,
		"require_live_capture":    &doc.RequireLiveCapture,
		"require_matching_selfie": &doc.RequireMatchingSelfie,
	} {
		b, err := d.Bool(param)
		if err != nil {
			return invalidRequest("options[document]["+param+"]", "", "Invalid boolean: %v", err)
		}
		if b != nil {
			*dst = b
		}
	}
	o.Document = doc
	return nil
}

// applyProvided merges provided_details into s.
func applyProvided(s *session, f *form.Params) {
	if f == nil {
		return
	}
	p := &providedDetails{}
	if s.ProvidedDetails != nil {
		*p = *s.ProvidedDetails
	}
	if v, ok := f.Leaf("email"); ok {
		p.Email = v
	}
	if v, ok := f.Leaf("phone"); ok {
		p.Phone = v
	}
	s.ProvidedDetails = p
}

// retrieveSession only reads: the fresh client secret and url that Stripe
// hands out on every retrieve are minted without a write (tokens.go).
func (e *Emulator) retrieveSession(w http.ResponseWriter, r *http.Request) {
	_, ex, ok := decodeExpand(w, r, form.ExpandOnly, "verification_session", false)
	if !ok {
		return
	}
	ctx := readContext(r.Context())
	id := r.PathValue("id")
	s, err := getSession(ctx, e.reads, id)
	if errors.Is(err, errNotFound) {
		writeError(w, errNoSuch("verification_session", id))
		return
	}
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

func (e *Emulator) updateSession(w http.ResponseWriter, r *http.Request) {
	f, ex, ok := decodeExpand(w, r, form.UpdateSession, "verification_session", false)
	if !ok {
		return
	}
	if aerr := checkProvidedValues(f.Get("provided_details")); aerr != nil {
		writeError(w, aerr)
		return
	}
	id := r.PathValue("id")
	e.mutate(w, r, func(t *txn) (any, error) {
		s, err := loadSession(t, id)
		if err != nil {
			return nil, err
		}
		if err := updateCheck(s); err != nil {
			return nil, err
		}
		if v, ok := f.Leaf("type"); ok {
			s.Type, s.VerificationFlow = v, ""
		}
		if aerr := applyOptions(&s.Options, f.Get("options")); aerr != nil {
			return nil, aerr
		}
		applyProvided(s, f.Get("provided_details"))
		md, aerr := applyMetadata(s.Metadata, f.Get("metadata"))
		if aerr != nil {
			return nil, aerr
		}
		s.Metadata = md
		if err := updateSession(t.ctx, t, s); err != nil {
			return nil, err
		}
		return e.renderSession(t.ctx, t, s, ex)
	})
}

func (e *Emulator) cancelSession(w http.ResponseWriter, r *http.Request) {
	e.sessionAction(w, r, cancelSession)
}

func (e *Emulator) redactSession(w http.ResponseWriter, r *http.Request) {
	e.sessionAction(w, r, e.redact)
}

// sessionAction serves the POST /{id}/action endpoints, which take only
// expand.
func (e *Emulator) sessionAction(w http.ResponseWriter, r *http.Request, act func(*txn, string) (*session, error)) {
	_, ex, ok := decodeExpand(w, r, form.ExpandOnly, "verification_session", false)
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

func (e *Emulator) listSessions(w http.ResponseWriter, r *http.Request) {
	f, ex, ok := decodeExpand(w, r, form.ListSessions, "verification_session", true)
	if !ok {
		return
	}
	q := &listQuery{table: "sessions", object: "verification_session"}
	if aerr := listOptions(f, q); aerr != nil {
		writeError(w, aerr)
		return
	}
	for _, p := range []string{"client_reference_id", "status", "related_customer", "related_customer_account"} {
		q.eq(f, p, p)
	}
	ctx := r.Context()
	docs, more, err := q.page(ctx, e.db, scanSession)
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

func scanSession(rows *sql.Rows) (any, error) {
	var doc []byte
	if err := rows.Scan(&doc); err != nil {
		return nil, err
	}
	s := new(session)
	return s, json.Unmarshal(doc, s)
}

// renderSession renders s with fresh links when it awaits input
// (tokens.go), loading its last report when that is expanded, and refuses
// sensitive results past their 48-hour window (sensitive.go).
func (e *Emulator) renderSession(ctx context.Context, q querier, s *session, ex form.Expansion) (map[string]any, error) {
	var r *report
	if ex.Has("last_verification_report") && s.LastReport != "" {
		var err error
		if r, err = getReport(ctx, q, s.LastReport); err != nil && !errors.Is(err, errNotFound) {
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
