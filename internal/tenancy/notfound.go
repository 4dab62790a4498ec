package tenancy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/stripe/stripe-go/v85"
)

// This file builds the errors Stripe returns for an ID that names no
// VerificationSession, which tenancy returns for another user's session, so
// that a guessed ID cannot be told from a nonexistent one. The error is not
// a hand-filled struct: stripe-go's own ResponseToError decodes the body
// Stripe sends, so every field (Err's typed *stripe.InvalidRequestError,
// LastResponse) is what a real one has. It carries no request ID, and
// tenancy gives end users Stripe's own not-found errors without theirs: a
// session read from the cache has none, so a request ID would tell a
// cached (existing) session from a nonexistent one. Stripe's
// request_log_url is left out: it is per account and mode, and no client
// of idgraph sees it.

// errNoSuchSession is Stripe's answer to a retrieve, update, cancel or
// redact of a session that does not exist: 404 resource_missing naming the
// path parameter ("session").
func errNoSuchSession(id string) error {
	return stripeError(http.StatusNotFound, "session", fmt.Sprintf("No such VerificationSession: '%s'", id))
}

// errNoSuchCursor is Stripe's answer to a list whose starting_after or
// ending_before (param) names no session: 400 resource_missing on that
// param. Stripe's list spells the object differently from its retrieve.
func errNoSuchCursor(param, id string) error {
	return stripeError(http.StatusBadRequest, param, fmt.Sprintf("No such verificationsession: '%s'", id))
}

func stripeError(status int, param, message string) error {
	body, _ := json.Marshal(map[string]map[string]string{"error": { // a map of strings always marshals
		"code":    string(stripe.ErrorCodeResourceMissing),
		"doc_url": "https://stripe.com/docs/error-codes/resource-missing",
		"message": message,
		"param":   param,
		"type":    string(stripe.ErrorTypeInvalidRequest),
	}})
	res := &http.Response{
		Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode: status,
		Header:     http.Header{},
	}
	// ResponseToError reads only the response and body given; the backend
	// is never used to send anything.
	return (&stripe.BackendImplementation{Type: stripe.APIBackend}).ResponseToError(res, body)
}

// isNoSuch tells Stripe's answer for an ID that names nothing.
func isNoSuch(err error) bool {
	var se *stripe.Error
	return errors.As(err, &se) && se.Code == stripe.ErrorCodeResourceMissing
}
