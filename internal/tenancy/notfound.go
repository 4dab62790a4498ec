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
// LastResponse, RequestID from the Request-Id header) is what a real one
// has. Stripe's request_log_url is left out: it is per account and mode, and
// no client of idgraph sees it.

// errNoSuchSession is Stripe's answer to a retrieve, update, cancel or
// redact of a session that does not exist: 404 resource_missing naming the
// path parameter ("session"). requestID is that of the call tenancy made, so
// that the error carries a real one, as Stripe's does.
func errNoSuchSession(id, requestID string) error {
	return stripeError(http.StatusNotFound, "session", fmt.Sprintf("No such VerificationSession: '%s'", id), requestID)
}

// errNoSuchCursor is Stripe's answer to a list whose starting_after or
// ending_before (param) names no session: 400 resource_missing on that
// param. Stripe's list spells the object differently from its retrieve.
func errNoSuchCursor(param, id, requestID string) error {
	return stripeError(http.StatusBadRequest, param, fmt.Sprintf("No such verificationsession: '%s'", id), requestID)
}

func stripeError(status int, param, message, requestID string) error {
	body, _ := json.Marshal(map[string]map[string]string{"error": { // a map of strings always marshals
		"code":    string(stripe.ErrorCodeResourceMissing),
		"doc_url": "https://stripe.com/docs/error-codes/resource-missing",
		"message": message,
		"param":   param,
		"type":    string(stripe.ErrorTypeInvalidRequest),
	}})
	header := http.Header{}
	if requestID != "" {
		header.Set("Request-Id", requestID)
	}
	res := &http.Response{
		Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode: status,
		Header:     header,
	}
	// ResponseToError reads only the response and body given; the backend
	// is never used to send anything.
	return (&stripe.BackendImplementation{Type: stripe.APIBackend}).ResponseToError(res, body)
}

// requestID is the Stripe request ID of the call that returned s, if known.
func requestID(s *stripe.IdentityVerificationSession) string {
	if s == nil || s.LastResponse == nil {
		return ""
	}
	return s.LastResponse.RequestID
}

// isNoSuch tells Stripe's answer for an ID that names nothing.
func isNoSuch(err error) (*stripe.Error, bool) {
	var se *stripe.Error
	ok := errors.As(err, &se) && se.Code == stripe.ErrorCodeResourceMissing
	return se, ok
}
