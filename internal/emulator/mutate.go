package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
)

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
	if m, ok := obj.(map[string]any); ok && m["object"] == sessionObject.object {
		id, _ := m["id"].(string)
		return id
	}
	return ""
}
