// Package stripepath names a Stripe API request by its route template,
// "/v1/identity/verification_sessions/{id}/cancel": the name metrics label
// Stripe calls with and traces call their spans, never holding a session ID
// (which leads to a person) or a query string (a List's
// client_reference_id is an end user's ID).
//
// It keeps only the path segments it knows as words of Stripe's API paths
// and makes every other one {id}: what a request's path holds besides
// those words came from data (an ID from a client, a cursor), so the set of
// templates stays small and free of data by construction, not by guessing
// what an ID looks like. An endpoint idgraph comes to call adds its words
// to the list; until then its templates read {id} in their places.
//
// Metrics and tracing share it (internal/metrics/stripepath is where it
// was written; internal/identity, which knows Stripe's endpoints, is its
// natural home should it move).
package stripepath
