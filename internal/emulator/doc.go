// Package emulator is a stateful, Stripe-compatible emulator of Stripe
// Identity (API version 2026-08-26), idgraph's default backend. stripe-go
// drives it exactly as it drives api.stripe.com: over HTTP at Handler, or in
// process through RoundTripper. Data lives in SQLite (modernc.org/sqlite,
// pure Go): a WAL file, or a private in-memory database for tests.
//
// # Endpoints
//
//	POST /v1/identity/verification_sessions               create
//	GET  /v1/identity/verification_sessions               list (client_reference_id, status, created, related_customer, related_customer_account)
//	GET  /v1/identity/verification_sessions/{id}          retrieve
//	POST /v1/identity/verification_sessions/{id}          update
//	POST /v1/identity/verification_sessions/{id}/cancel   cancel
//	POST /v1/identity/verification_sessions/{id}/redact   redact
//	GET  /v1/identity/verification_reports                list (client_reference_id, created, type, verification_session)
//	GET  /v1/identity/verification_reports/{id}           retrieve
//	GET  /v1/events, GET /v1/events/{id}                  the Identity events it records (type and created filters)
//	GET, POST /verify/{token}                             the hosted verification page (package hostedpage)
//
// Parameters are form encoded with Stripe's nesting (metadata[k], expand[]
// and expand[0], created[gte]) and checked against a mirror of the spec's
// request schemas (paramspec.go): unknown parameters, bad enum values and
// bad types are 400 invalid_request_error with param, as on Stripe. Answers
// have the spec's shapes (shape_test.go validates them against it), a
// Request-Id header, and Stripe's error objects and statuses. Authentication
// takes test mode keys (sk_test_, rk_test_; Bearer or basic auth); with
// Options.APIKeys only those keys, any other being Stripe's 401 "Invalid API
// Key provided: sk_test_********abcd". POSTs
// honour Idempotency-Key (replay with Idempotent-Replayed: true; other
// parameters are a 400 idempotency_error; a concurrent retry is a 409).
//
// # Transitions
//
//	create                                  → requires_input  (.created)
//	hosted page: submit                     requires_input → processing (.processing)
//	  after ProcessingDelay, passing        processing → verified (.verified), with a report and verified_outputs
//	  after ProcessingDelay, failing        processing → requires_input (.requires_input), report and last_error
//	hosted page: abandon                    requires_input → requires_input, last_error "abandoned" (.requires_input)
//	cancel (requires_input only)            → canceled (.canceled)
//	redact (requires_input or verified)     redaction processing at once, redacted after ProcessingDelay (.redacted);
//	                                        from requires_input it also cancels (.canceled)
//
// Each transition is recorded as an event. Pending delayed transitions are
// kept in the database and rescheduled by New after a restart.
//
// # Sensitive verification results
//
// As Stripe's guide "Access verification results"
// (https://docs.stripe.com/identity/access-verification-results) says, the
// sensitive results are sent only when expanded by name: on a session
// verified_outputs.dob, .id_number, .sex, .unparsed_place_of_birth and
// .unparsed_sex; on a report document.dob, .number, .sex,
// .unparsed_place_of_birth, .unparsed_sex, id_number.dob and
// id_number.id_number (through a session under last_verification_report.,
// in lists under data.). Only a restricted key (rk_test_) may expand them:
//
//   - a secret key (sk_test_) that expands any of them gets 403
//     invalid_request_error, no code, message beginning
//     SensitiveRestrictedKeyRequired and naming the paths; the request does
//     nothing;
//   - a restricted key gets them for verifications processed (the report
//     made) in the last 48 hours by the emulator's Clock; past that, 403
//     invalid_request_error, no code, message beginning
//     SensitiveWindowPassed and naming the object and the paths. A list is
//     refused whole if one object on the page is past the window, and a
//     POST (cancel, redact, update) that would render such a result is
//     refused and changes nothing.
//
// SensitiveRefusal tells the two apart from any client's error. Every
// rk_test_ key is treated as holding the "Access recent sensitive
// verification results" permission and as not IP-restricted: there is no
// Dashboard to say otherwise.
//
// # Development signing secret
//
// The database also keeps a development JWT signing secret for idgraph's own
// tokens (LoadDevSigningSecret, Emulator.DevSigningSecret): 32 random bytes
// made on first use, so that "idgraph token" and the running server agree
// on it with nothing to configure. It is not part of Stripe's API.
//
// # Differences from Stripe
//
//   - Test mode only: livemode is always false and live keys are refused.
//     One account: data and idempotency keys are not scoped per API key.
//   - Verification is played by a tester on the hosted page, not performed;
//     passing submissions yield Stripe's fixture data (Jenny Rosen, born
//     1901-01-01, San Francisco). A last_error code that belongs to no check
//     (consent_declined, under_supported_age...) fails the session's main
//     check with its *_unverified_other code in the report.
//   - A session's url stays valid for 48 hours and its client_secret for
//     24, until a submission spends them all. Every rendering of a session
//     in requires_input carries a new client_secret and url (a retrieve, as
//     on Stripe, and also the answers of create, update and list), and the
//     earlier ones stay valid too (Stripe also renews them; whether it keeps
//     old ones valid is not documented). They are signed with a key the
//     database keeps, not stored, so a read writes nothing (tokens.go).
//     Nothing takes a client_secret, since there is no Stripe.js.
//   - Redaction scrubs the data at once (status "processing") and reaches
//     "redacted" after ProcessingDelay, not days later. Redacting again is
//     a no-op.
//   - State errors (update, cancel or redact in the wrong status) are 400
//     invalid_request_error without a code; their wording is the emulator's.
//   - An unknown starting_after or ending_before is a 400 resource_missing
//     with that param.
//   - Lists are ordered by creation sequence (newest first), which matches
//     created order unless the clock goes backwards.
//   - expand accepts the hidden fields (verified_outputs, provided_details,
//     the sensitive results above) and the spec's x-expandableFields, which
//     are always included anyway.
//   - The wording of the two sensitive refusals is the emulator's: Stripe
//     documents none. Their shape (403 invalid_request_error without a
//     code) is that of Stripe's refusals of a restricted key that lacks a
//     permission. Stripe's guide also lists the document's expiration date
//     as not for secret keys (expanded by last_verification_report.
//     document.expiration_date); the emulator sends it with the report to
//     any key, and sends document.files and the selfie's files likewise.
//   - Sex and place of birth of a passing submission are the emulator's
//     choice ("female", "F", "San Francisco, CA, USA"); Stripe documents no
//     test fixture for them.
//   - An Idempotency-Key's answer is replayed only to the same kind of key
//     (secret or restricted), so a secret key cannot read a restricted
//     key's sensitive answer by replaying it; otherwise keys are not scoped.
//   - GET /v1/events serves only the Identity session events, with limit,
//     cursors, type and created.
//   - Webhooks are not sent.
package emulator
