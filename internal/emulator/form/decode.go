package form

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// MaxBodyBytes caps a request body. Stripe documents no limit; a body over
// it is refused with BodyTooLarge, with or without an Idempotency-Key.
const MaxBodyBytes = 1 << 20

// Decode reads a request's parameters (the query of a GET, the form body
// and query of a POST), decodes them (Parse) and checks them against spec
// (Validate).
func Decode(r *http.Request, spec *Spec) (*Params, *Error) {
	var vals url.Values
	if r.Method == http.MethodGet {
		var err error
		if vals, err = url.ParseQuery(r.URL.RawQuery); err != nil {
			return nil, invalid("", "", "Invalid query string.")
		}
	} else {
		r.Body = http.MaxBytesReader(nil, r.Body, MaxBodyBytes)
		if err := r.ParseForm(); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return nil, BodyTooLarge()
			}
			return nil, invalid("", "", "Invalid request body: it must be application/x-www-form-urlencoded.")
		}
		vals = r.Form
	}
	f, err := Parse(vals)
	if err != nil {
		return nil, err
	}
	if err := Validate(f, spec); err != nil {
		return nil, err
	}
	return f, nil
}

// BodyTooLarge is the refusal of a body over MaxBodyBytes: 413, HTTP's own
// status for it.
func BodyTooLarge() *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge,
		Message: fmt.Sprintf("The request body is larger than the %d bytes the emulator accepts.", MaxBodyBytes)}
}
