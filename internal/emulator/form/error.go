package form

import (
	"fmt"
	"net/http"
)

// Error is a refusal of a request's parameters. Every refusal is one of
// Stripe's invalid_request_errors: Status is its HTTP status (400, or 413
// for a body over MaxBodyBytes), Code its code ("" when Stripe sends none),
// Param the parameter it names ("" for none) and Message Stripe's words.
type Error struct {
	Status  int
	Code    string
	Param   string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d invalid_request_error: %s", e.Status, e.Message)
}

// invalid is a 400 refusal of param.
func invalid(param, code, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Param: param, Message: fmt.Sprintf(format, args...)}
}
