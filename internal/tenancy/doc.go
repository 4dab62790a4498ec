// Package tenancy confines end users to their own VerificationSessions and
// to what the app's Policy lets them create. It is a decorator of
// identity.Client, so the rule holds in one place below the resolvers and no
// resolver, field or future operation can forget it.
//
// A session belongs to the end user whose subject is its
// client_reference_id. For each call, tenancy reads the caller's
// auth.Principal from the context:
//
//   - no principal (the zero Kind, or an end user without a subject): every
//     method fails with *auth.UnauthenticatedError and calls nothing;
//   - a server key or development (Principal.FullAccess): every call goes
//     through unchanged, with no extra call and no policy;
//   - an end user: creates are stamped with their subject and held to the
//     Policy; retrieve, update, cancel and redact of another user's session
//     fail exactly as for a session that does not exist (the same
//     *stripe.Error, built by stripe-go from the body Stripe sends, without
//     a request ID: an end user gets Stripe's own not-found without its
//     request ID too, as a session read from the cache has none; and the
//     session cache makes another's session cost them a Stripe call of
//     their own, as a nonexistent one does); lists are filtered to their
//     subject, and a cursor naming another user's session fails as a
//     nonexistent one does. The params stripe-go sends beyond its typed
//     fields (Params.Extra on writes, ListParams.Filters on lists) may
//     carry only keys that cannot widen what the user reaches (params.go).
//
// What tenancy does not do: it does not check scopes (the GraphQL layer
// hides fields by scope), it does not validate IDs or params beyond what
// ownership and the Policy need (Stripe does), and it does not translate
// errors (graph/errors.go does, in one place). Errors of the wrapped client
// are returned unchanged.
//
// Checking ownership costs one retrieve before an update, cancel or redact,
// and before a list with a cursor; Stripe's API has no conditional write.
package tenancy
