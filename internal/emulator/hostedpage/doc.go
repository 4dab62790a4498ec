// Package hostedpage is the emulator's stand-in for Stripe's hosted
// verification page: the page a VerificationSession's url opens
// ({public}/verify/{token}) in emulator mode.
//
// A tester plays the end user there and picks one of three endings, as Stripe
// test mode allows: submit and pass (the session goes through processing to
// verified), submit and fail with one of the last_error codes that fit the
// session (back to requires_input, through processing when a check failed;
// the backend lists them in Session.Failures), or abandon (back to
// requires_input at once, with last_error code "abandoned"). The browser then goes on to the session's
// return_url with 303 See Other, or sees a short "thanks" page when there is
// none.
//
// The package only renders and parses: it holds no state and knows nothing
// of the store or of lifecycle timing. Both come through [Backend]
// (backend.go), the contract with the emulator.
//
// Scope and differences from Stripe:
//   - No document capture, selfie or consent screens: the tester chooses the
//     outcome directly.
//   - The page is plain HTML with no JavaScript, served under a strict
//     Content-Security-Policy. Its one style sheet is embedded in the binary.
//   - The token in the url is the only credential, so the page sends
//     Referrer-Policy: no-referrer and Cache-Control: no-store, and the
//     token is never logged. There is no CSRF token: a forged POST would
//     need the url's token, which is the capability itself.
package hostedpage
