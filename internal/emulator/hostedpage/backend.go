package hostedpage

import (
	"context"
	"errors"
)

// Session is what the hosted page shows of a VerificationSession.
type Session struct {
	ID string
	// Type is Stripe's session type: document, id_number or verification_flow.
	Type string
	// Status is Stripe's session status: requires_input, processing, verified or canceled.
	Status string
	// ReturnURL is where the browser goes after a submission; may be empty.
	ReturnURL string
	// Failures are the last_error codes a tester may fail this session
	// with: those that fit its type and options (a session without a
	// selfie check cannot fail one), in the order to offer them. The
	// backend decides; the page only offers them.
	Failures []Failure
}

// Failure is one last_error code a submission may fail with, and the
// reason shown next to it.
type Failure struct {
	Code   string
	Reason string
}

// Outcome is what the tester playing the end user chose on the page.
type Outcome struct {
	// Abandon leaves the session in requires_input with last_error.code
	// "abandoned", at once, as Stripe does when a user gives up.
	Abandon bool
	// ErrorCode, when not empty and Abandon is false, is one of the
	// session's Failures: the session returns to requires_input with that
	// last_error (through processing, unless the code is a failure of the
	// user's session rather than of a check). Empty means the submission
	// passes and the session becomes verified.
	ErrorCode string
}

// ErrNotFound means that no session has this token: it never existed, or it
// was used up (a session's url is single use, as on Stripe).
var ErrNotFound = errors.New("hostedpage: no session for this link")

// ErrNotSubmittable means that the session exists but cannot be submitted in
// its current status (processing, verified, canceled or redacted).
var ErrNotSubmittable = errors.New("hostedpage: session cannot be submitted")

// Backend is what the page needs of the emulator. The token is the last path
// segment of a session's url ({public}/verify/{token}); the emulator renews it
// while the session can be submitted.
type Backend interface {
	// SessionByToken resolves the token of a session's url.
	SessionByToken(ctx context.Context, token string) (Session, error)
	// Submit records the tester's choice. Unless the outcome is Abandon, the
	// session moves to processing now and to its outcome after the
	// emulator's processing delay. It returns the session as it is after the
	// call. An invalid ErrorCode is an error wrapping ErrInvalidOutcome.
	Submit(ctx context.Context, token string, o Outcome) (Session, error)
}

// ErrInvalidOutcome means that Outcome.ErrorCode is not one of the session's
// Failures.
var ErrInvalidOutcome = errors.New("hostedpage: this last_error code does not fit the session")
