// Package tracing sets up OpenTelemetry tracing when an OTLP endpoint is
// configured (Setup) and traces what idgraph does: each HTTP request
// (Middleware) and each call to Stripe (InstrumentStripe); graph.Observe
// adds a span per GraphQL operation between the two.
//
// Spans carry templates, never data: a route pattern, not a path (the
// hosted page's paths carry a session's secret token); a Stripe endpoint
// template, "/v1/identity/verification_sessions/{id}", not its URL (a
// session ID leads to a person, and a List's query string holds an end
// user's ID as client_reference_id). Only the W3C trace context is
// propagated, not baggage: baggage a client sent would travel on to
// Stripe.
package tracing
