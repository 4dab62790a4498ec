package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
)

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

// writeError answers with Stripe's error object and its status.
func writeError(w http.ResponseWriter, ae *apiError) {
	writeRaw(w, ae.Status, mustJSON(ae.body()))
}

// writeJSON answers 200 with v.
func writeJSON(w http.ResponseWriter, v any) {
	writeRaw(w, http.StatusOK, mustJSON(v))
}

// writeRaw answers with a JSON body already marshalled (or recorded).
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
