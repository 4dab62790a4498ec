// Package identity is idgraph's one way to Stripe Identity: a small Client
// interface with one method per VerificationSession operation, named as
// stripe-go names them, and Stripe, its implementation over the official
// stripe-go client. The same implementation talks to api.stripe.com, to
// stripe-mock and to idgraph's embedded emulator; only the base URL and the
// HTTP transport differ.
package identity
