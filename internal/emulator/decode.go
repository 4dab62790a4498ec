package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// maxBodyBytes caps a request body, with or without an Idempotency-Key.
const maxBodyBytes = 1 << 20

// decode reads the request's parameters (the query of a GET, the form body
// and query of a POST) and checks them against spec.
func decode(r *http.Request, spec *param) (*form, *apiError) {
	var vals url.Values
	if r.Method == http.MethodGet {
		var err error
		if vals, err = url.ParseQuery(r.URL.RawQuery); err != nil {
			return nil, invalidRequest("", "", "Invalid query string.")
		}
	} else {
		r.Body = http.MaxBytesReader(nil, r.Body, maxBodyBytes)
		if err := r.ParseForm(); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return nil, errBodyTooLarge()
			}
			return nil, invalidRequest("", "", "Invalid request body: it must be application/x-www-form-urlencoded.")
		}
		vals = r.Form
	}
	f, aerr := parseForm(vals)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := validate(f, spec, nil); aerr != nil {
		return nil, aerr
	}
	return f, nil
}

// errBodyTooLarge answers a body over maxBodyBytes, with or without an
// Idempotency-Key. Stripe documents no limit; the status is HTTP's own.
func errBodyTooLarge() *apiError {
	return &apiError{Status: http.StatusRequestEntityTooLarge, Type: errTypeInvalidRequest,
		Message: fmt.Sprintf("The request body is larger than the %d bytes the emulator accepts.", maxBodyBytes)}
}
