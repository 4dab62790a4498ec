// Package emulator is a stateful, Stripe-compatible emulator of Stripe
// Identity (API version 2026-08-26.dahlia), idgraph's default backend.
// stripe-go drives it exactly as it drives api.stripe.com: over HTTP at
// Handler, or in process through RoundTripper. Data lives in SQLite
// (modernc.org/sqlite, pure Go): a WAL file, or a private in-memory
// database for tests.
//
// # Endpoints
//
//	POST /v1/identity/verification_sessions               create
//	GET  /v1/identity/verification_sessions               list (client_reference_id, status, created, related_customer, related_customer_account)
//	GET  /v1/identity/verification_sessions/{session}     retrieve
//	POST /v1/identity/verification_sessions/{session}     update
//	POST /v1/identity/verification_sessions/{session}/cancel  cancel
//	POST /v1/identity/verification_sessions/{session}/redact  redact
//	GET  /v1/identity/verification_reports                list (client_reference_id, created, type, verification_session)
//	GET  /v1/identity/verification_reports/{report}       retrieve
//	GET  /v1/events, GET /v1/events/{id}                  the Identity events it records (type with * wildcards, types[], created, delivery_success)
//	GET, POST /verify/{token}                             the hosted verification page (package hostedpage)
//
// Parameters are form encoded with Stripe's nesting (metadata[k], expand[]
// and expand[0], created[gte]) and checked against a mirror of the spec's
// request schemas (package form): unknown parameters, bad enum values and
// bad types are 400 invalid_request_error with param, as on Stripe; so are
// the values Stripe checks beyond their types (formats.go): a return_url
// that is not an absolute http(s) URL, a malformed provided email or phone,
// and IDs of related objects or of a verification flow that are not IDs.
// An ID in the path that names nothing is Stripe's 404 resource_missing
// naming the path parameter ("No such VerificationSession: 'vs_…'"). Answers
// have the spec's shapes (shape_test.go validates them against it), a
// Request-Id header, and Stripe's error objects and statuses. Authentication
// takes test mode keys (sk_test_, rk_test_; Bearer or basic auth); with
// Options.APIKeys only those keys, any other being Stripe's 401 "Invalid API
// Key provided: sk_test_********abcd". POSTs honour Idempotency-Key
// (idempotency.go): the answer is recorded in the operation's own
// transaction and replayed for 24 hours with Idempotent-Replayed: true to
// a request with the same parameters, in whatever order they are encoded;
// other parameters are a 400 idempotency_error; a concurrent retry is a
// 409.
//
// # Transitions
//
//	create                                  → requires_input  (.created)
//	hosted page: submit                     requires_input → processing (.processing)
//	  after ProcessingDelay, passing        processing → verified (.verified), with a report and verified_outputs
//	  after ProcessingDelay, a check fails  processing → requires_input (.requires_input), report and last_error
//	hosted page: abandon, or a failure      requires_input → requires_input at once (.requires_input), last_error,
//	  of the user's session                 no processing and no report
//	cancel (requires_input only)            → canceled (.canceled)
//	redact (requires_input or verified)     redaction processing at once, redacted after ProcessingDelay (.redacted);
//	                                        from requires_input it also cancels (.canceled)
//
// Each transition is recorded as an event. Pending delayed transitions are
// kept in the database and rescheduled by New after a restart.
// ProcessingDelay 0 means no delay: the outcome is due at once.
//
// # Checks, failures and results
//
// A submission runs the checks of the session's type and options
// (checksOf, checks.go): a document session checks the document, and a
// selfie and the ID number when its options require them; an id_number
// session checks the ID number. Its report has one section per check, and
// its verified_outputs hold what those checks verified: an email address
// or a phone number only from an email or phone check, never from
// provided_details alone. A us_ssn ID number shows only its last 4 digits
// in the report, as the spec says; a report's type is its session's
// (document, id_number or verification_flow).
//
// lastErrorCodes (lasterror.go) is the one catalogue of Stripe's
// last_error codes, tested against the spec: each code with the check it
// fails, or none for a failure of the user's session (abandoned,
// consent_declined, country_not_supported, device_not_supported,
// under_supported_age), which happens before anything is checked. The
// hosted page offers only the codes that fit the session: those of the
// user's session and those of its checks.
//
// Redaction (redact.go) follows Stripe's description: personal strings
// become "[redacted]", dates (dob, issued and expiration dates) become
// {day: 1, month: 1, year: 1}, an address keeps only its country, and
// metadata is erased, in the session, its reports, its events (and so in
// the webhooks still to be sent, which render the stored event) and the
// answers recorded for its Idempotency-Keys; statuses, enums, the issuing
// country and file IDs stay.
//
// # Storage
//
// Options.Path is the SQLite file, in WAL mode (durability: database.go).
// Any file name works, '#', '?', '%' and spaces included: the driver is
// given a percent-encoded file: URI. A new database file is created 0600,
// and SQLite gives its -wal and -shm files the same mode; the lock file is
// 0600 too.
//
// One emulator at a time may use a file. New takes an flock(2) on
// Path+".lock" and refuses, with an error naming the file, a file that
// another emulator holds, whether in this process or in another (a second
// idgraph). The kernel releases the lock when the holder closes it or
// exits, however it exits (kill -9 included), so a crash leaves no stale
// lock behind. The lock is advisory: LoadDevSigningSecret ("idgraph
// token"), which only reads or adds one settings row, does not take it,
// and a program that opens the file with SQLite itself is not stopped
// (SQLite's own locking keeps the file consistent). Where flock(2) does
// not exist (Windows), the second emulator is not refused.
//
// A storage failure is reported, never hidden: a database that cannot be
// written (disk full, read-only, I/O errors) or whose file is gone
// (deleted, with its directory or alone, or replaced) makes Ready fail
// with a reason that begins StorageFailed, and the REST API answer a 503
// api_error whose code is StorageFailedCode ("emulator_storage_failed")
// and whose message begins StorageFailed, with Stripe-Should-Retry: false.
// A write whose file went while it ran is not acknowledged: it was
// committed to a nameless file that the next start would not see. The
// hosted page shows its generic error page.
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
// # Webhooks
//
// With Options.WebhookURLs, every event is also sent as Stripe sends
// webhooks (webhooks.go): a POST of the event's JSON, exactly as GET
// /v1/events/{id} renders it, with Content-Type application/json,
// Stripe's User-Agent, and a Stripe-Signature header in Stripe's scheme
// (t=<unix>,v1=<HMAC-SHA256 of "t.body">, webhook_sign.go) that any Stripe
// SDK's webhook helper verifies, stripe-go's strict webhook.ConstructEvent
// included. The secret is Options.WebhookSecret, or one made on first use
// and kept in the database (Emulator.WebhookSecret), as `stripe listen`
// makes one.
//
// Each delivery to each endpoint is recorded in the event's own
// transaction (event, endpoint, state, attempts, last HTTP status and
// error, next attempt), so that it is as durable as its event and a
// restart resumes it; the event's pending_webhooks counts those still
// pending. Each endpoint has its own worker goroutine, which makes that
// endpoint's attempts in the order of their events: the write path never
// waits for an endpoint, and one that hangs holds back only its own
// deliveries. A URL listed twice is one endpoint. A 2xx answer delivers;
// anything else (a 3xx, which is not followed, a 4xx or 5xx, a network
// error, no answer within 10 seconds) is retried after 10 s, 1 min, 6 min,
// 36 min and 3 h 36 min by the emulator's Clock; after the sixth attempt
// the delivery has failed. Close abandons the attempts under way, which
// the next New makes again; deliveries still pending to an endpoint no
// longer in WebhookURLs fail at New.
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
// Every known difference, so that a test that passes here and fails on
// Stripe is a surprise:
//
//   - Test mode only: livemode is always false and live keys are refused
//     (with the emulator's wording). One account: data and idempotency keys
//     are not scoped per API key. There are no rate limits (no 429s), no
//     request_log_url in errors, and every answer has the shapes of API
//     version 2026-08-26.dahlia whatever Stripe-Version the request asks
//     for; events and Stripe-Version say so.
//   - Verification is played by a tester on the hosted page, not performed.
//     Passing submissions yield Stripe's fixture data (Jenny Rosen, born
//     1901-01-01, San Francisco, a driving licence issued 2020-12-01 and
//     expiring 2030-12-01, or the first of allowed_types); the document
//     number D1234567, the us_ssn 000000000, and the sex and place of
//     birth ("female", "F", "San Francisco, CA, USA") are the emulator's
//     choice: Stripe documents no test fixture for them.
//   - Verification flows are not modelled: a verification_flow is accepted
//     when it is a well-formed vf_ ID and played as a document session that
//     also checks the email address and phone number of provided_details
//     (the only way to reach email and phone checks, which the API's
//     options do not offer); the flow's Dashboard settings are unknown, so
//     options show only what the request gave.
//   - A failure of the user's session (consent_declined,
//     country_not_supported, device_not_supported, under_supported_age)
//     returns to requires_input at once with no processing and no report;
//     Stripe documents the codes, not when they arise.
//   - last_error.reason and a check's error.reason are the emulator's
//     words, after Stripe's description of each code (lasterror.go).
//   - A session's url stays valid for 48 hours and its client_secret for
//     24, until a submission spends them all. Every rendering of a session
//     in requires_input carries a new client_secret and url (a retrieve, as
//     on Stripe, and also the answers of create, update and list), and the
//     earlier ones stay valid too (Stripe also renews them; whether it keeps
//     old ones valid is not documented). They are signed with a key the
//     database keeps, not stored, so a read writes nothing (tokens.go).
//     Nothing takes a client_secret, since there is no Stripe.js.
//   - Redaction scrubs the data at once (status "processing") and reaches
//     "redacted" after ProcessingDelay, not up to four days later.
//     Redacting again is a no-op. Stripe's placeholders are "[redacted] or
//     a similar placeholder"; the dates' 1-1-1 and the kept country and
//     file IDs are the emulator's reading. The emulator has no request
//     logs but its Idempotency-Key records, which it scrubs.
//   - State errors (update, cancel or redact in the wrong status) are 400
//     invalid_request_error without a code; their wording is the emulator's.
//   - Stripe documents no message for an unknown report or list cursor: a
//     report's 404 says "No such VerificationReport: 'vr_…'" (param
//     report), after the session's; an unknown starting_after or
//     ending_before is a 400 resource_missing on that param saying "No such
//     verificationsession: '…'" (verificationreport, event), as idgraph's
//     tenancy package spells it.
//   - Values: a bad return_url is Stripe's url_invalid "Not a valid URL"
//     and a bad email Stripe's email_invalid "Invalid email address: …";
//     a phone number must be E.164 (separators allowed), and its refusal
//     (no code) is worded by the emulator. Related customers, accounts,
//     persons and flows are not kept, so any well-formed ID (cus_, acct_,
//     person_, vf_) is taken as existing and another value is a
//     resource_missing "No such customer: '…'" (account, person,
//     VerificationFlow) on its param; a related person is not checked to
//     belong to its account.
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
//   - An Idempotency-Key's answer is replayed only to the same kind of key
//     (secret or restricted), so a secret key cannot read a restricted
//     key's sensitive answer by replaying it; otherwise keys are not scoped.
//     Parameters are compared as decoded (object keys in any order, arrays
//     in order), which is how the emulator reads "compares incoming
//     parameters".
//   - A request body over 1 MiB is a 413 invalid_request_error; Stripe
//     documents no limit.
//   - A storage failure is a 503 api_error with the emulator's own code,
//     emulator_storage_failed (Stripe's api_errors carry none).
//   - GET /v1/events serves only the Identity session events, with limit,
//     cursors, created, type (* wildcards), types[] and delivery_success
//     (an event sent to no endpoint counts as delivered). Events carry no
//     previous_attributes, and the events of a redacted session are
//     scrubbed with it.
//   - Webhooks: the endpoints are Options.WebhookURLs, not WebhookEndpoint
//     objects (there is no /v1/webhook_endpoints), each receives every
//     event (no enabled_events filter) in the emulator's API version, and
//     no event sent before an endpoint was configured. Retries follow the
//     emulator's schedule (six attempts over about 4 h 20 min), not
//     Stripe's (three days in live mode, a few hours in a sandbox), and
//     nothing disables a failing endpoint. A retry renders the event as it
//     is stored then: after a redaction, scrubbed. The signature's
//     timestamp is the wall clock's, not Options.Clock's, since the
//     receiver checks it against its own.
//
// # Where things are
//
// A name says its layer: an HTTP handler is handleX (handleCreateSession),
// a lifecycle operation a verb (create, retrieve, update, cancel, submit,
// redact), a store function its SQL (insertSession, selectSession).
//
//	emulator.go            Options, New, Close, Handler; the API version
//	routes.go              the routes and the API's paths
//	requestid.go           the Request-Id middleware
//	auth.go                API keys and authentication
//	idempotency.go         Idempotency-Key: the middleware, fingerprints, records
//	decode.go              an endpoint's request: its parameters, expand[], the key check
//	mutate.go              a write endpoint's transaction and its recorded answer
//	response.go            answers, and failures that are not the request's
//	errors.go              Stripe's error objects
//	sessions_api.go        the sessions' endpoints
//	reports_api.go         the reports' endpoints
//	events_api.go          the events' endpoints and their type filters
//	webhooks.go            webhook deliveries: the queue, a worker per endpoint, retries
//	webhook_sign.go        the webhooks' signing secret and Stripe-Signature
//	list.go                pagination and the list envelope
//	session_params.go      the create and update parameters applied to a session
//	formats.go             the values Stripe checks beyond their types
//	metadata.go            metadata's merge and limits
//	lifecycle.go           the transitions: create, retrieve, update, cancel, submit, runDue
//	redact.go              redaction, and its rules for personal data
//	schedule.go            the timers of delayed transitions
//	hostedpage_backend.go  the hosted page's backend: SessionByToken, Submit
//	tokens.go              a session's links: url tokens and client secrets
//	checks.go              the verification checks, the reports they make, the fixtures
//	lasterror.go           the catalogue of last_error codes
//	sensitive.go           sensitive results: who may expand them, and for how long
//	objects.go             the catalogue of the API's objects
//	expandable.go          what each object's expand[] takes
//	session.go             the session: types, statuses, model and rendering
//	report.go              the report: model and rendering
//	event.go               the event types, and recording events
//	ids.go                 object IDs
//	txn.go                 write transactions
//	store.go               sessions, reports and url tokens in SQL
//	reads.go               the prepared point reads
//	settings.go            the emulator's own settings
//	devsecret.go           the development signing secret
//	database.go            opening the SQLite file
//	migrate.go             the schema's migrations
//	lock.go                one emulator per file (lock_unix.go, lock_other.go)
//	storage.go             storage failures
//	ready.go               the readiness probe
//	clock.go               Clock and ManualClock
//	roundtripper.go        the in-process transport
//	form/                  reading request parameters: the form tree, each endpoint's spec, expand[]
//	hostedpage/            the hosted verification page
package emulator
