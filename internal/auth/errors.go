package auth

// ForbiddenError is a refusal of something the caller is authenticated for
// but not allowed to do: a missing scope, a policy's rule, another user's
// client_reference_id. The GraphQL layer presents it as FORBIDDEN, and in a
// mutation as a userError on Param's field.
type ForbiddenError struct {
	// Param is the Stripe parameter at fault, such as "type" or
	// "options[document][require_matching_selfie]"; empty when no single
	// parameter is.
	Param string
	// Message says what is not allowed and why, for the caller.
	Message string
}

func (e *ForbiddenError) Error() string { return e.Message }

// UnauthenticatedError is a request without a usable credential that reached
// code needing one.
type UnauthenticatedError struct {
	// Message says what is wrong with the credential, never echoing it.
	Message string
}

func (e *UnauthenticatedError) Error() string { return e.Message }
