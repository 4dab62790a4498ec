package hostedpage

import "strings"

// codeLabels are the human labels shown next to each last_error code in the
// page's <select>. Stripe's OpenAPI spec lists the codes without words, so
// these paraphrase Stripe's Identity docs.
var codeLabels = map[string]string{
	"consent_declined":                     "The user declined to give consent",
	"country_not_supported":                "The document's country is not supported",
	"device_not_supported":                 "The user's device is not supported",
	"document_expired":                     "The document has expired",
	"document_type_not_supported":          "The document type is not supported",
	"document_unverified_other":            "The document could not be verified",
	"email_unverified_other":               "The email address could not be verified",
	"email_verification_declined":          "The user declined email verification",
	"id_number_insufficient_document_data": "Too little data to verify the ID number",
	"id_number_mismatch":                   "The ID number does not match the records",
	"id_number_unverified_other":           "The ID number could not be verified",
	"phone_unverified_other":               "The phone number could not be verified",
	"phone_verification_declined":          "The user declined phone verification",
	"selfie_document_missing_photo":        "The document has no photo of a face",
	"selfie_face_mismatch":                 "The selfie does not match the document's photo",
	"selfie_manipulated":                   "The selfie was manipulated",
	"selfie_unverified_other":              "The selfie could not be verified",
	"under_supported_age":                  "The user is under the supported age",
}

// codeChoice is one <option> of the failure <select>.
type codeChoice struct {
	Code  string
	Label string
}

// codeChoices lists every code in LastErrorCodes, in its order, with its
// label. A code added to LastErrorCodes without a label still shows, with
// its words spelled out, so the page never hides a code the backend accepts.
func codeChoices() []codeChoice {
	choices := make([]codeChoice, 0, len(LastErrorCodes))
	for _, code := range LastErrorCodes {
		label, ok := codeLabels[code]
		if !ok {
			label = strings.ReplaceAll(code, "_", " ")
		}
		choices = append(choices, codeChoice{Code: code, Label: label})
	}
	return choices
}
