package emulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"time"
)

// Stripe keeps an idempotency key's result for 24 hours and caps keys at 255
// characters.
const (
	idempotencyTTL    = 24 * time.Hour
	maxIdempotencyKey = 255
	maxBodyBytes      = 1 << 20
)

// idemCtx is the Idempotency-Key of the request being served, with the
// fingerprint of its method, path and parameters.
type idemCtx struct {
	key, fingerprint string
}

type idemCtxKey struct{}

func idempotencyFrom(ctx context.Context) *idemCtx {
	ic, _ := ctx.Value(idemCtxKey{}).(*idemCtx)
	return ic
}

// idempotency gives POST requests with an Idempotency-Key Stripe's
// semantics: the first answer is kept and replayed (with
// Idempotent-Replayed: true) to a retry with the same method, path and
// body; a reuse with other parameters is a 400 idempotency_error; a retry
// while the first is still running is a 409. The answer is recorded by
// mutate in the same transaction as the change it reports, so a crash cannot
// leave a change without its record (and a retry would not repeat it).
// Requests rejected before they ran (bad parameters, bad key) are not
// recorded, as on Stripe.
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
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
		if err != nil {
			writeError(w, invalidRequest("", "", "Could not read the request body."))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		// The kind of key is part of the fingerprint: an answer made for a
		// restricted key may hold sensitive results (sensitive.go), which a
		// secret key must not get by replaying its Idempotency-Key.
		kind := []byte{byte(keyKindFrom(r.Context()))}
		h := sha256.New()
		for _, part := range [][]byte{[]byte(r.Method), []byte(r.URL.Path), []byte(r.URL.RawQuery), body, kind} {
			h.Write(part)
			h.Write([]byte{0})
		}
		ic := &idemCtx{key: key, fingerprint: hex.EncodeToString(h.Sum(nil))}

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

		rec, err := lookupIdempotent(r.Context(), e.db, key, e.clock.Now().Add(-idempotencyTTL).Unix())
		switch {
		case errors.Is(err, errNotFound):
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), idemCtxKey{}, ic)))
		case err != nil:
			e.log.Error("emulator: idempotency lookup", "err", err)
			writeError(w, errInternal())
		case rec.fingerprint != ic.fingerprint:
			writeError(w, &apiError{Status: http.StatusBadRequest, Type: errTypeIdempotency,
				Message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '" + key + "' if you meant to execute a different request."})
		default:
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Original-Request", rec.requestID)
			writeRaw(w, rec.status, rec.body)
		}
	})
}

type idemRecord struct {
	fingerprint string
	status      int
	body        []byte
	requestID   string
}

func lookupIdempotent(ctx context.Context, q querier, key string, notBefore int64) (*idemRecord, error) {
	rec := new(idemRecord)
	err := q.QueryRowContext(ctx, `SELECT fingerprint, status, body, request_id FROM idempotency WHERE key = ? AND created >= ?`,
		key, notBefore).Scan(&rec.fingerprint, &rec.status, &rec.body, &rec.requestID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return rec, err
}

// saveIdempotent records the answer to the current request, if it has an
// Idempotency-Key, and drops expired records.
func saveIdempotent(t *txn, status int, body []byte) error {
	ic := idempotencyFrom(t.ctx)
	if ic == nil {
		return nil
	}
	if _, err := t.ExecContext(t.ctx, `DELETE FROM idempotency WHERE created < ?`, t.now.Add(-idempotencyTTL).Unix()); err != nil {
		return err
	}
	_, err := t.ExecContext(t.ctx, `INSERT OR REPLACE INTO idempotency (key, fingerprint, status, body, request_id, created)
		VALUES (?, ?, ?, ?, ?, ?)`, ic.key, ic.fingerprint, status, body, t.reqID, t.now.Unix())
	return err
}
