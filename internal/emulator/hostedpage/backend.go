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
}

// Outcome is what the tester playing the end user chose on the page.
type Outcome struct {
	// Abandon leaves the session in requires_input with last_error.code
	// "abandoned", at once, as Stripe does when a user gives up.
	Abandon bool
	// ErrorCode, when not empty and Abandon is false, is one of Stripe's
	// last_error codes (see LastErrorCodes): the submission is processed and
	// the session returns to requires_input with that error. Empty means the
	// submission passes and the session becomes verified.
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

// ErrInvalidOutcome means that Outcome.ErrorCode is not one of LastErrorCodes.
var ErrInvalidOutcome = errors.New("hostedpage: unknown last_error code")

// LastErrorCodes are Stripe's last_error codes (API version 2026-08-26) that a
// tester may fail a submission with; "abandoned" is reached through Abandon.
var LastErrorCodes = []string{
	"consent_declined",
	"country_not_supported",
	"device_not_supported",
	"document_expired",
	"document_type_not_supported",
	"document_unverified_other",
	"email_unverified_other",
	"email_verification_declined",
	"id_number_insufficient_document_data",
	"id_number_mismatch",
	"id_number_unverified_other",
	"phone_unverified_other",
	"phone_verification_declined",
	"selfie_document_missing_photo",
	"selfie_face_mismatch",
	"selfie_manipulated",
	"selfie_unverified_other",
	"under_supported_age",
}
