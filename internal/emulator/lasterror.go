package emulator

import (
	"slices"
)

// lastErrorCode is one of Stripe's last_error codes (the spec's
// gelato_session_last_error.code) with what the emulator knows of it.
type lastErrorCode struct {
	Code string
	// Check is the verification check the code fails, whose report section
	// carries it as error.code (the spec's gelato_<check>_report_error
	// enums); "" for a failure of the user's session, before any check
	// ran: such a failure is not processed and makes no report.
	Check string
	// Reason is last_error.reason (and the check's error.reason). Stripe
	// documents no reasons, only a description of each code in the API
	// reference (https://docs.stripe.com/api/identity/verification_sessions/object);
	// the reasons follow those descriptions where the emulator has them
	// (abandoned to document_unverified_other) and paraphrase the code
	// elsewhere. The hosted page shows them next to each choice.
	Reason string
}

// lastErrorCodes is the one catalogue of Stripe's last_error codes: the
// hosted page's choices, the reasons, the checks they fail and which
// failures skip processing all derive from it. lasterror_test.go checks it
// against the spec: every code of the spec's enum, each with the check
// whose report error enum holds it.
var lastErrorCodes = []lastErrorCode{
	{"abandoned", "", "The user began the verification but didn't submit it."},
	{"consent_declined", "", "The user declined to be verified by Stripe."},
	{"country_not_supported", "", "Stripe does not verify users from the provided country."},
	{"device_not_supported", "", "The user's device didn't have a camera or they declined to grant Stripe permission to access it."},
	{"under_supported_age", "", "The user is under the age that Stripe supports."},
	{"document_expired", checkDocument, "The provided identity document has expired."},
	{"document_type_not_supported", checkDocument, "The provided identity document isn't one of the session's allowed document types."},
	{"document_unverified_other", checkDocument, "Stripe couldn't verify the provided identity document."},
	{"id_number_insufficient_document_data", checkIDNumber, "The provided document didn't contain enough data to match against the ID number."},
	{"id_number_mismatch", checkIDNumber, "The information provided couldn't be matched against global databases."},
	{"id_number_unverified_other", checkIDNumber, "Stripe couldn't verify the provided ID number."},
	{"selfie_document_missing_photo", checkSelfie, "The provided identity document didn't contain a picture of a face."},
	{"selfie_face_mismatch", checkSelfie, "The captured face image didn't match with the document's face."},
	{"selfie_manipulated", checkSelfie, "The captured face image was manipulated."},
	{"selfie_unverified_other", checkSelfie, "Stripe couldn't verify the provided selfie."},
	{"email_unverified_other", checkEmail, "Stripe couldn't verify the provided email address."},
	{"email_verification_declined", checkEmail, "The user declined to verify their email address."},
	{"phone_unverified_other", checkPhone, "Stripe couldn't verify the provided phone number."},
	{"phone_verification_declined", checkPhone, "The user declined to verify their phone number."},
}

// codeAbandoned is the code of a user who left: the hosted page's Abandon,
// not one of its failures.
const codeAbandoned = "abandoned"

// lastErrorOf looks a code up in the catalogue.
func lastErrorOf(code string) (lastErrorCode, bool) {
	i := slices.IndexFunc(lastErrorCodes, func(c lastErrorCode) bool { return c.Code == code })
	if i < 0 {
		return lastErrorCode{}, false
	}
	return lastErrorCodes[i], true
}

// newLastError is the session's last_error for a code of the catalogue.
func newLastError(code string) *lastError {
	c, _ := lastErrorOf(code)
	return &lastError{Code: code, Reason: c.Reason}
}

// failuresOf returns the codes a submission of s may fail with: the
// failures of the user's session, and those of the checks s runs (a
// session without a selfie check cannot fail with selfie_face_mismatch).
func failuresOf(s *session) []lastErrorCode {
	checks := checksOf(s)
	var out []lastErrorCode
	for _, c := range lastErrorCodes {
		if c.Code == codeAbandoned {
			continue
		}
		if c.Check == "" || slices.Contains(checks, c.Check) {
			out = append(out, c)
		}
	}
	return out
}
