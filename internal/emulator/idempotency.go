package emulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// Stripe keeps an idempotency key's result for 24 hours and caps keys at 255
// characters (https://docs.stripe.com/api/idempotent_requests).
const (
	idempotencyTTL    = 24 * time.Hour
	maxIdempotencyKey = 255
)

// idemCtx is the Idempotency-Key of the request being served, with the
// fingerprint of its method, path, parameters and kind of key.
type idemCtx struct {
	key, fingerprint string
}

type idemCtxKey struct{}

func idempotencyFrom(ctx context.Context) *idemCtx {
	ic, _ := ctx.Value(idemCtxKey{}).(*idemCtx)
	return ic
}

// idempotency gives POST requests with an Idempotency-Key Stripe's
// semantics (https://docs.stripe.com/api/idempotent_requests): the first
// answer is kept for 24 hours and replayed (with Idempotent-Replayed: true)
// to a retry with the same parameters; a reuse with other parameters is a
// 400 idempotency_error; a retry while the first is still running is a
// 409. "The idempotency layer compares incoming parameters to those of the
// original request": parameters, not bytes, so the same parameters in
// another order (as another SDK, or another run of one, may encode them)
// are the same request.
//
// The authoritative lookup and the record are made by mutate inside the
// write transaction of the operation itself, so that the change and its
// record commit together and no other request can come between the
// lookup and the record. This middleware only reads ahead: it answers a
// replay or a reuse with other parameters before the endpoint decodes the
// request, as Stripe's idempotency layer does, so that a reuse with other,
// invalid, parameters is an idempotency_error rather than a parameter
// error. Requests rejected before they ran (bad parameters, bad key) are
// not recorded, as on Stripe.
func (e *Emulator) idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost || key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > maxIdempotencyKey {
			writeError(w, invalidRequest("", "", "Idempotency-Key must be at most %d characters long.", maxIdempotencyKey))
			return
		}
		// One byte more than the limit tells a body over it from one at it:
		// a truncated body would be fingerprinted (and run) as another
		// request.
		body, err := io.ReadAll(io.LimitReader(r.Body, form.MaxBodyBytes+1))
		if err != nil {
			writeError(w, invalidRequest("", "", "Could not read the request body."))
			return
		}
		if len(body) > form.MaxBodyBytes {
			writeError(w, refused(form.BodyTooLarge()))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		ic := &idemCtx{key: key, fingerprint: fingerprint(r, body)}

		e.mu.Lock()
		busy := e.inflight[key]
		e.inflight[key] = true
		e.mu.Unlock()
		if busy {
			writeError(w, &apiError{Status: http.StatusConflict, Type: errTypeIdempotency, Code: "idempotency_key_in_use",
				Message: "There is currently another in-progress request using this Idempotency-Key (that probably means you submitted twice, and the other request is still going through): " + key + ". Please try again later."})
			return
		}
		defer func() {
			e.mu.Lock()
			delete(e.inflight, key)
			e.mu.Unlock()
		}()

		rec, err := selectIdempotent(r.Context(), e.db, key, e.idempotencyNotBefore())
		switch {
		case errors.Is(err, errNotFound):
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), idemCtxKey{}, ic)))
		case err != nil:
			e.fail(w, r, err)
		default:
			answerRecorded(w, ic, rec)
		}
	})
}

// answerRecorded answers a request whose key has a record: the recorded
// answer for the same parameters, Stripe's idempotency_error for others.
func answerRecorded(w http.ResponseWriter, ic *idemCtx, rec *idemRecord) {
	if rec.fingerprint != ic.fingerprint {
		writeError(w, &apiError{Status: http.StatusBadRequest, Type: errTypeIdempotency,
			Message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '" + ic.key + "' if you meant to execute a different request."})
		return
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.Header().Set("Original-Request", rec.requestID)
	writeRaw(w, rec.status, rec.body)
}

func (e *Emulator) idempotencyNotBefore() int64 { return e.clock.Now().Add(-idempotencyTTL).Unix() }

// fingerprint identifies a request for its Idempotency-Key: its method,
// path, parameters and the kind of API key. The parameters are those of
// the query and the form body, decoded into the form tree that the
// endpoints read (package form) and written out in a canonical order: object
// keys sorted, array items in index order, so that metadata[a]=1&type=x
// and type=x&metadata[a]=1 are one request, and expand[]=a with
// expand[0]=a too. Parameters that do not decode are fingerprinted as
// their bytes (they are refused anyway, and not recorded).
//
// The kind of key is part of it: an answer made for a restricted key may
// hold sensitive results (sensitive.go), which a secret key must not get by
// replaying its Idempotency-Key.
func fingerprint(r *http.Request, body []byte) string {
	h := sha256.New()
	part := func(b []byte) {
		fmt.Fprintf(h, "%d:", len(b))
		h.Write(b)
	}
	part([]byte(r.Method))
	part([]byte(r.URL.Path))
	part([]byte{byte(keyKindFrom(r.Context()))})
	if f, ok := formOf(r.URL.RawQuery, body); ok {
		part([]byte("form"))
		f.WriteCanonical(h)
	} else {
		part([]byte("raw"))
		part([]byte(r.URL.RawQuery))
		part(body)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// formOf decodes the query and form body as r.ParseForm and form.Decode do.
func formOf(query string, body []byte) (*form.Params, bool) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, false
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, false
	}
	for k, vs := range q {
		vals[k] = append(vals[k], vs...)
	}
	f, aerr := form.Parse(vals)
	return f, aerr == nil
}

type idemRecord struct {
	fingerprint string
	status      int
	body        []byte
	requestID   string
}

func selectIdempotent(ctx context.Context, q querier, key string, notBefore int64) (*idemRecord, error) {
	rec := new(idemRecord)
	err := q.QueryRowContext(ctx, `SELECT fingerprint, status, body, request_id FROM idempotency WHERE key = ? AND created >= ?`,
		key, notBefore).Scan(&rec.fingerprint, &rec.status, &rec.body, &rec.requestID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return rec, err
}

// errRecorded stops a write transaction whose Idempotency-Key turned out to
// have a record: nothing is written, the record answers.
type errRecorded struct{ rec *idemRecord }

func (errRecorded) Error() string { return "idempotency key already recorded" }

// checkIdempotent is the authoritative lookup, made inside the operation's
// write transaction: an errRecorded when the request's key has a record.
func checkIdempotent(t *txn, notBefore int64) error {
	ic := idempotencyFrom(t.ctx)
	if ic == nil {
		return nil
	}
	rec, err := selectIdempotent(t.ctx, t, ic.key, notBefore)
	if errors.Is(err, errNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return errRecorded{rec}
}

// saveIdempotent records the answer to the current request, if it has an
// Idempotency-Key, and drops expired records. sessionID is the session the
// answer shows, if any, so that redacting it can scrub the answer too
// (redact.go).
func saveIdempotent(t *txn, status int, body []byte, sessionID string) error {
	ic := idempotencyFrom(t.ctx)
	if ic == nil {
		return nil
	}
	if _, err := t.ExecContext(t.ctx, `DELETE FROM idempotency WHERE created < ?`, t.now.Add(-idempotencyTTL).Unix()); err != nil {
		return err
	}
	_, err := t.ExecContext(t.ctx, `INSERT OR REPLACE INTO idempotency (key, fingerprint, status, body, request_id, created, session_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ic.key, ic.fingerprint, status, body, t.reqID, t.now.Unix(), nullIfEmpty(sessionID))
	return err
}
