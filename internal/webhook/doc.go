// Package webhook receives Stripe's webhooks at POST /webhooks/stripe and
// publishes the VerificationSession events among them to the events hub,
// which carries them to live-update subscriptions.
//
// A request is refused with 400 unless its Stripe-Signature header signs
// its body with the endpoint's secret (whsec_…), at a time within Stripe's
// default tolerance of five minutes, both checked by stripe-go's webhook
// package; a body over Options.MaxBodyBytes (256 KiB; Stripe's events are
// a few KiB) is refused with 413 before it is read whole. A refusal is
// logged with its reason only: never the body, the header or the secret.
//
// An accepted event is answered 200 at once: publishing does not wait for
// subscribers or Redis. identity.verification_session.* events are
// published with the session's ID and client_reference_id (from
// data.object); every other type, and events of connected accounts
// (Connect: their sessions are not this account's), are answered 200 and
// ignored, so that Stripe neither retries them nor disables the endpoint.
// A hub that is closing answers 503, which Stripe retries.
//
// Replays: the hub delivers each event ID once (it remembers the recent
// ones), so an event Stripe delivers again, or a captured request replayed
// within its signature's five minutes, is answered 200 and reaches no
// subscriber twice. With Redis the replicas agree too, with no shared key:
// each hub has seen the events every other published.
//
// API versions: stripe-go refuses, by default, events rendered in another
// API version than the one it pins, because it would decode their objects
// into its own types. Webhooks arrive in the endpoint's API version (the
// account's default when it was created), which an operator does not
// change with idgraph's stripe-go, so the check is off
// (IgnoreAPIVersionMismatch): the handler reads only the event's id, type,
// created and account and the object's id, object and
// client_reference_id, which every API version of Identity has in the
// same shape, and decodes nothing else.
package webhook
