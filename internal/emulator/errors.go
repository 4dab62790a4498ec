package emulator

import (
	"fmt"
	"net/http"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// Stripe's error types (api_errors.type in the spec).
const (
	errTypeInvalidRequest = "invalid_request_error"
	errTypeIdempotency    = "idempotency_error"
	errTypeAPI            = "api_error"
)

// apiError is a Stripe error object together with its HTTP status. Every
// failure a client can see is one of these; anything else is logged and
// answered as a 500 api_error.
type apiError struct {
	Status  int
	Type    string
	Code    string
	Param   string
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Type, e.Message) }

// body is the JSON error object, {"error": {...}}, with absent fields left
// out as Stripe does.
func (e *apiError) body() map[string]any {
	o := map[string]any{"type": e.Type, "message": e.Message}
	if e.Code != "" {
		o["code"] = e.Code
		if e.Code != StorageFailedCode { // the emulator's own code has no page at Stripe
			o["doc_url"] = "https://stripe.com/docs/error-codes/" + dashed(e.Code)
		}
	}
	if e.Param != "" {
		o["param"] = e.Param
	}
	return map[string]any{"error": o}
}

// dashed turns resource_missing into resource-missing, as Stripe's doc_url does.
func dashed(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '_' {
			b[i] = '-'
		}
	}
	return string(b)
}

func invalidRequest(param, code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: errTypeInvalidRequest, Code: code, Param: param, Message: fmt.Sprintf(format, args...)}
}

// refused is a refusal of a request's parameters (package form) as the
// error object it is: an invalid_request_error.
func refused(err *form.Error) *apiError {
	if err == nil {
		return nil
	}
	return &apiError{Status: err.Status, Type: errTypeInvalidRequest, Code: err.Code, Param: err.Param, Message: err.Message}
}

// errNoSuch is Stripe's answer for an unknown ID in the path: 404
// resource_missing naming the path parameter (objects.go has the names).
func errNoSuch(object *apiObject, id string) *apiError {
	return &apiError{Status: http.StatusNotFound, Type: errTypeInvalidRequest, Code: "resource_missing", Param: object.param,
		Message: fmt.Sprintf("No such %s: '%s'", object.retrieveName, id)}
}

// errNoSuchCursor is Stripe's answer for a list whose starting_after or
// ending_before (param) names no object: 400 resource_missing on param.
func errNoSuchCursor(object *apiObject, param, id string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: errTypeInvalidRequest, Code: "resource_missing", Param: param,
		Message: fmt.Sprintf("No such %s: '%s'", object.listName, id)}
}

// errState is the answer for an operation the session's status forbids.
// Stripe sends no code for these on Identity; the message names the status.
func errState(format string, args ...any) *apiError {
	return invalidRequest("", "", format, args...)
}

func errUnauthorized(msg string) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Type: errTypeInvalidRequest, Message: msg}
}

func errUnrecognizedURL(r *http.Request) *apiError {
	return &apiError{Status: http.StatusNotFound, Type: errTypeInvalidRequest,
		Message: fmt.Sprintf("Unrecognized request URL (%s: %s). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.", r.Method, r.URL.Path)}
}

// errInternal hides the cause (logged by the caller) behind Stripe's generic 500.
func errInternal() *apiError {
	return &apiError{Status: http.StatusInternalServerError, Type: errTypeAPI,
		Message: "An unknown error occurred in the emulator; see its log."}
}
