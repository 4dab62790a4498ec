// Package metrics holds idgraph's Prometheus metrics, in a registry of its
// own (with the Go runtime's and the process's collectors) served by
// Handler: GraphQL operations by name, type and outcome with their latency;
// Stripe calls by endpoint template, method and status with their latency
// (InstrumentStripe); HTTP requests by route and those in flight
// (Middleware); the cost budget's throttled operations and spent cost
// (Throttled, Spent); the live-updates hub's open subscriptions and event
// counters (Events); and the session cache's reads by outcome, the Stripe
// calls it saved and its size (CacheRead, CacheSize).
//
// Every label value is bounded: routes and Stripe endpoints are templates,
// never paths; what a client chooses (an operation's name) is checked and
// capped, the first 100 distinct names kept and the rest counted as
// "(other)". Values idgraph makes up itself are in parentheses, which no
// GraphQL name holds, so that none can pass for a client's.
//
// A nil *Metrics records nothing, so that code under test can go without.
package metrics
