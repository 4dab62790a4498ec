package emulator

import (
	"github.com/idgraph/idgraph/internal/emulator/form"
	"github.com/idgraph/idgraph/internal/emulator/hostedpage"
)

// Session types, statuses and redaction statuses: the spec's
// (session_test.go checks them against it). The lifecycle (lifecycle.go)
// moves a session from status to status.

// Session types.
const (
	sessionTypeDocument = "document"
	sessionTypeIDNumber = "id_number"
	sessionTypeFlow     = "verification_flow"
)

// Session statuses.
const (
	statusRequiresInput = "requires_input"
	statusProcessing    = "processing"
	statusVerified      = "verified"
	statusCanceled      = "canceled"
)

// Redaction statuses.
const (
	redactionProcessing = "processing"
	redactionRedacted   = "redacted"
)

// session is a VerificationSession as the store keeps it (JSON in the doc
// column). Wire JSON is made by render, which decides what is shown
// (client_secret and url only in requires_input, expandable fields only when
// expanded); the stored form keeps everything but the links (tokens.go).
type session struct {
	ID                     string            `json:"id"`
	Created                int64             `json:"created"`
	Status                 string            `json:"status"`
	Type                   string            `json:"type"`
	VerificationFlow       string            `json:"verification_flow,omitempty"`
	ClientReferenceID      *string           `json:"client_reference_id,omitempty"`
	RelatedCustomer        *string           `json:"related_customer,omitempty"`
	RelatedCustomerAccount *string           `json:"related_customer_account,omitempty"`
	RelatedPerson          *relatedPerson    `json:"related_person,omitempty"`
	ReturnURL              string            `json:"return_url,omitempty"`
	Metadata               map[string]string `json:"metadata,omitempty"`
	Options                sessionOptions    `json:"options"`
	ProvidedDetails        *providedDetails  `json:"provided_details,omitempty"`
	LastError              *lastError        `json:"last_error,omitempty"`
	LastReport             string            `json:"last_verification_report,omitempty"`
	Redaction              string            `json:"redaction,omitempty"` // "", processing, redacted
	VerifiedOutputs        *verifiedOutputs  `json:"verified_outputs,omitempty"`
	// ClientSecret and URLToken are minted for each rendering
	// (renderSession) and never stored (tokens.go).
	ClientSecret string `json:"-"`
	URLToken     string `json:"-"`
	// LinkGen is the generation of the session's links: a submission
	// increments it, which spends every link issued before (tokens.go).
	LinkGen int64 `json:"link_gen,omitempty"`
	// PendingError is the outcome waiting at the end of processing: "" passes.
	PendingError string `json:"pending_error,omitempty"`
	// DueAt (unix nanoseconds) is when the pending transition (processing →
	// outcome, or redaction processing → redacted) is due; 0 when none.
	DueAt int64 `json:"due_at,omitempty"`
}

type relatedPerson struct {
	Account string `json:"account"`
	Person  string `json:"person"`
}

type sessionOptions struct {
	Document *documentOptions `json:"document,omitempty"`
	IDNumber *struct{}        `json:"id_number,omitempty"`
}

type documentOptions struct {
	AllowedTypes          []string `json:"allowed_types,omitempty"`
	RequireIDNumber       *bool    `json:"require_id_number,omitempty"`
	RequireLiveCapture    *bool    `json:"require_live_capture,omitempty"`
	RequireMatchingSelfie *bool    `json:"require_matching_selfie,omitempty"`
}

type providedDetails struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

type lastError struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

type date struct {
	Day   int `json:"day"`
	Month int `json:"month"`
	Year  int `json:"year"`
}

type address struct {
	City       *string `json:"city"`
	Country    *string `json:"country"`
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	PostalCode *string `json:"postal_code"`
	State      *string `json:"state"`
}

type verifiedOutputs struct {
	FirstName            *string  `json:"first_name"`
	LastName             *string  `json:"last_name"`
	Address              *address `json:"address"`
	DOB                  *date    `json:"dob"`
	Email                *string  `json:"email"`
	Phone                *string  `json:"phone"`
	IDNumber             *string  `json:"id_number"`
	IDNumberType         *string  `json:"id_number_type"`
	Sex                  *string  `json:"sex,omitempty"`
	UnparsedPlaceOfBirth *string  `json:"unparsed_place_of_birth,omitempty"`
	UnparsedSex          *string  `json:"unparsed_sex,omitempty"`
}

// sensitive returns the sensitive fields by name (sensitive.go lists them
// as paths): they are rendered only when expanded by name.
func (v *verifiedOutputs) sensitive() map[string]any {
	return map[string]any{"dob": v.DOB, "id_number": v.IDNumber, "sex": v.Sex,
		"unparsed_place_of_birth": v.UnparsedPlaceOfBirth, "unparsed_sex": v.UnparsedSex}
}

// requiresSelfie and requiresIDNumber read the document options.
func (s *session) requiresSelfie() bool {
	d := s.Options.Document
	return d != nil && d.RequireMatchingSelfie != nil && *d.RequireMatchingSelfie
}

func (s *session) requiresIDNumber() bool {
	d := s.Options.Document
	return d != nil && d.RequireIDNumber != nil && *d.RequireIDNumber
}

// render returns the wire object. A map marshals with sorted keys, which is
// Stripe's own key order. ex says which expandable fields to include;
// report is the expanded last_verification_report, or nil to render its ID.
func (s *session) render(publicURL string, ex form.Expansion, report map[string]any) map[string]any {
	o := map[string]any{
		"id":                       s.ID,
		"object":                   sessionObject.object,
		"client_reference_id":      s.ClientReferenceID,
		"client_secret":            nil,
		"created":                  s.Created,
		"last_error":               nil,
		"last_verification_report": nil,
		"livemode":                 false,
		"metadata":                 nonNilMap(s.Metadata),
		"options":                  s.Options,
		"redaction":                nil,
		"related_customer":         s.RelatedCustomer,
		"related_customer_account": s.RelatedCustomerAccount,
		"status":                   s.Status,
		"type":                     s.Type,
		"url":                      nil,
	}
	if s.Status == statusRequiresInput && s.Redaction == "" && s.URLToken != "" {
		o["client_secret"] = s.ClientSecret
		o["url"] = publicURL + hostedpage.Path + s.URLToken
	}
	if s.LastError != nil {
		o["last_error"] = s.LastError
	}
	if s.LastReport != "" {
		o["last_verification_report"] = s.LastReport
		if report != nil {
			o["last_verification_report"] = report
		}
	}
	if s.Redaction != "" {
		o["redaction"] = map[string]any{"status": s.Redaction}
	}
	if s.RelatedPerson != nil {
		o["related_person"] = s.RelatedPerson
	}
	if s.VerificationFlow != "" {
		o["verification_flow"] = s.VerificationFlow
	}
	if ex.Has("provided_details") {
		o["provided_details"] = nil
		if s.ProvidedDetails != nil {
			o["provided_details"] = s.ProvidedDetails
		}
	}
	if ex.Has("verified_outputs") {
		o["verified_outputs"] = nil
		if v := s.VerifiedOutputs; v != nil {
			m := map[string]any{
				"first_name":     v.FirstName,
				"last_name":      v.LastName,
				"address":        v.Address,
				"email":          v.Email,
				"phone":          v.Phone,
				"id_number_type": v.IDNumberType,
			}
			// The sensitive fields are sent only when expanded by name,
			// and only to a key that may read them (sensitive.go).
			for name, val := range v.sensitive() {
				if ex.Has("verified_outputs." + name) {
					m[name] = val
				}
			}
			o["verified_outputs"] = m
		}
	}
	return o
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
