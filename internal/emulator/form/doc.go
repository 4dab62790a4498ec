// Package form reads the parameters of a request to the emulator's Stripe
// API, statelessly: Stripe's bracketed form encoding (metadata[k]=v,
// expand[] and expand[0], created[gte]=1) decoded into a tree (Params), that
// tree checked against the endpoint's parameters (Spec, a mirror of the
// request schemas of Stripe's OpenAPI spec), and expand[] read against the
// paths the answer's object can expand (Expansion).
//
// Every refusal is an *Error: Stripe's invalid_request_error with its
// status, code, param and message, for the caller to answer with. What an
// object can expand, and what the emulator does with the parameters, are
// the caller's.
//
// Where things are:
//
//	params.go     Params, the decoded tree, and Parse
//	spec.go       Spec, the kinds of parameter, and Validate
//	endpoints.go  the Spec of each endpoint
//	decode.go     Decode: a request's query or form body, parsed and validated; MaxBodyBytes
//	expand.go     Expansion and ParseExpand
//	canonical.go  WriteCanonical, the order-free encoding an Idempotency-Key's fingerprint compares
//	error.go      Error
package form
