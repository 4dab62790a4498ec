package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// routes builds the emulator's handler: the Stripe API under /v1/ (request
// ID, then authentication, then idempotency, then the endpoint) and the
// hosted page under /verify/.
func (e *Emulator) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /v1/identity/verification_sessions", e.createSession)
	api.HandleFunc("GET /v1/identity/verification_sessions", e.listSessions)
	api.HandleFunc("GET /v1/identity/verification_sessions/{id}", e.retrieveSession)
	api.HandleFunc("POST /v1/identity/verification_sessions/{id}", e.updateSession)
	api.HandleFunc("POST /v1/identity/verification_sessions/{id}/cancel", e.cancelSession)
	api.HandleFunc("POST /v1/identity/verification_sessions/{id}/redact", e.redactSession)
	api.HandleFunc("GET /v1/identity/verification_reports", e.listReports)
	api.HandleFunc("GET /v1/identity/verification_reports/{id}", e.retrieveReport)
	api.HandleFunc("GET /v1/events", e.listEvents)
	api.HandleFunc("GET /v1/events/{id}", e.retrieveEvent)
	// Anything else under /v1/, other methods included, is Stripe's
	// "Unrecognized request URL" 404 rather than ServeMux's 405.
	api.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) { writeError(w, errUnrecognizedURL(r)) })

	mux := http.NewServeMux()
	mux.Handle("/v1/", withRequestID(e.authenticate(e.idempotency(api))))
	e.mountHostedPage(mux)
	return mux
}

type requestIDKey struct{}

// withRequestID gives every answer a Request-Id header (req_…), as Stripe
// does, and Stripe's standard response headers.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := prefixRequest + randomString(14)
		h := w.Header()
		h.Set("Request-Id", id)
		h.Set("Stripe-Version", apiVersion)
		h.Set("Cache-Control", "no-cache, no-store")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// decodeExpand decodes a request for an endpoint that returns object (a
// list of them if list) and reads its expand[], refusing sensitive paths to
// a secret key (sensitive.go). On a bad request it writes Stripe's error and
// reports false.
func decodeExpand(w http.ResponseWriter, r *http.Request, spec *form.Spec, object string, list bool) (*form.Params, form.Expansion, bool) {
	f, ferr := form.Decode(r, spec)
	aerr := refused(ferr)
	if aerr == nil {
		var ex form.Expansion
		if ex, aerr = parseExpand(f, object, list); aerr == nil {
			if aerr = checkKeyKind(r.Context(), ex, object, list); aerr == nil {
				return f, ex, true
			}
		}
	}
	writeError(w, aerr)
	return nil, form.Expansion{}, false
}

// mutate runs fn in a write transaction and answers with the object it
// returns. With an Idempotency-Key, the key is looked up and the answer
// recorded in that same transaction (idempotency.go), so the change and
// its record commit together and a retry cannot run it twice; an
// operation that ran and failed (a state error, an unknown ID) is recorded
// too, in its own transaction, since it changed nothing.
func (e *Emulator) mutate(w http.ResponseWriter, r *http.Request, fn func(t *txn) (any, error)) {
	ctx := r.Context()
	e.wmu.Lock()
	defer e.wmu.Unlock()
	var body []byte
	err := e.writeLocked(ctx, func(t *txn) error {
		if err := checkIdempotent(t, e.idempotencyNotBefore()); err != nil {
			return err
		}
		obj, err := fn(t)
		if err != nil {
			return err
		}
		if body, err = json.Marshal(obj); err != nil {
			return err
		}
		return saveIdempotent(t, http.StatusOK, body, sessionIDOf(obj))
	})
	if err == nil {
		writeRaw(w, http.StatusOK, body)
		return
	}
	var recorded errRecorded
	if errors.As(err, &recorded) {
		answerRecorded(w, idempotencyFrom(ctx), recorded.rec)
		return
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		e.fail(w, r, err)
		return
	}
	body = mustJSON(ae.body())
	if err := e.writeLocked(ctx, func(t *txn) error { return saveIdempotent(t, ae.Status, body, "") }); err != nil {
		e.fail(w, r, err)
		return
	}
	writeRaw(w, ae.Status, body)
}

// sessionIDOf returns the ID of a rendered session, "" for anything else.
func sessionIDOf(obj any) string {
	if m, ok := obj.(map[string]any); ok && m["object"] == "identity.verification_session" {
		id, _ := m["id"].(string)
		return id
	}
	return ""
}

// fail answers an error that is not the request's fault: a storage
// failure with its 503 (storage.go), anything else with a 500; either is
// logged once.
func (e *Emulator) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeError(w, ae)
		return
	}
	if se, ok := asStorageFailure(err); ok {
		e.writeStorageFailure(w, r, se)
		return
	}
	e.log.Error("emulator: request failed", "method", r.Method, "path", r.URL.Path,
		"stripe_request_id", requestID(r.Context()), "err", err)
	writeError(w, errInternal())
}

func writeError(w http.ResponseWriter, ae *apiError) {
	writeRaw(w, ae.Status, mustJSON(ae.body()))
}

func writeJSON(w http.ResponseWriter, v any) {
	writeRaw(w, http.StatusOK, mustJSON(v))
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// mustJSON marshals values built by the emulator itself, which always
// marshal; a failure is a programming error.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("emulator: marshal response: " + err.Error())
	}
	return b
}
