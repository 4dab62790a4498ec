package emulator

import "github.com/idgraph/idgraph/internal/emulator/form"

// report is a VerificationReport as stored (JSON in the doc column).
type report struct {
	ID                string         `json:"id"`
	Created           int64          `json:"created"`
	Type              string         `json:"type"`
	SessionID         string         `json:"verification_session"`
	ClientReferenceID *string        `json:"client_reference_id,omitempty"`
	VerificationFlow  string         `json:"verification_flow,omitempty"`
	Options           sessionOptions `json:"options"`
	Document          *documentCheck `json:"document,omitempty"`
	IDNumber          *idNumberCheck `json:"id_number,omitempty"`
	Selfie            *selfieCheck   `json:"selfie,omitempty"`
	Email             *contactCheck  `json:"email,omitempty"`
	Phone             *contactCheck  `json:"phone,omitempty"`
}

type checkError struct {
	Code   *string `json:"code"`
	Reason *string `json:"reason"`
}

type documentCheck struct {
	Status         string      `json:"status"`
	Error          *checkError `json:"error"`
	Type           *string     `json:"type"`
	FirstName      *string     `json:"first_name"`
	LastName       *string     `json:"last_name"`
	Address        *address    `json:"address"`
	DOB            *date       `json:"dob"`
	Number         *string     `json:"number"`
	IssuingCountry *string     `json:"issuing_country"`
	IssuedDate     *date       `json:"issued_date"`
	ExpirationDate *date       `json:"expiration_date"`
	Files          []string    `json:"files"`
	// Sex is one of the spec's female, male, unknown, or "[redacted]". Sex,
	// UnparsedSex and UnparsedPlaceOfBirth are read from the document and
	// copied to the verified outputs, as Stripe's changelog says
	// (https://docs.stripe.com/changelog/basil/2025-05-28/extract-sex-and-place-of-birth);
	// they are sensitive (sensitive.go).
	Sex                  *string `json:"sex,omitempty"`
	UnparsedPlaceOfBirth *string `json:"unparsed_place_of_birth,omitempty"`
	UnparsedSex          *string `json:"unparsed_sex,omitempty"`
}

// sensitive returns the document's sensitive fields by name.
func (d *documentCheck) sensitive() map[string]any {
	return map[string]any{"dob": d.DOB, "number": d.Number, "sex": d.Sex,
		"unparsed_place_of_birth": d.UnparsedPlaceOfBirth, "unparsed_sex": d.UnparsedSex}
}

type idNumberCheck struct {
	Status       string      `json:"status"`
	Error        *checkError `json:"error"`
	FirstName    *string     `json:"first_name"`
	LastName     *string     `json:"last_name"`
	DOB          *date       `json:"dob"`
	IDNumber     *string     `json:"id_number"`
	IDNumberType *string     `json:"id_number_type"`
}

// sensitive returns the ID number check's sensitive fields by name.
func (n *idNumberCheck) sensitive() map[string]any {
	return map[string]any{"dob": n.DOB, "id_number": n.IDNumber}
}

type selfieCheck struct {
	Status   string      `json:"status"`
	Error    *checkError `json:"error"`
	Document *string     `json:"document"`
	Selfie   *string     `json:"selfie"`
}

// contactCheck is the email or the phone check; Value is the address checked.
type contactCheck struct {
	Status string      `json:"status"`
	Error  *checkError `json:"error"`
	Value  *string     `json:"value"`
}

// render returns the wire object; the sensitive fields (sensitive.go)
// appear only when expanded by name, as on Stripe.
func (r *report) render(ex form.Expansion) map[string]any {
	o := map[string]any{
		"id":                   r.ID,
		"object":               reportObject.object,
		"client_reference_id":  r.ClientReferenceID,
		"created":              r.Created,
		"livemode":             false,
		"options":              r.Options,
		"type":                 r.Type,
		"verification_session": r.SessionID,
	}
	if r.VerificationFlow != "" {
		o["verification_flow"] = r.VerificationFlow
	}
	if d := r.Document; d != nil {
		m := map[string]any{
			"status": d.Status, "error": d.Error, "type": d.Type, "first_name": d.FirstName,
			"last_name": d.LastName, "address": d.Address, "issuing_country": d.IssuingCountry,
			"issued_date": d.IssuedDate, "expiration_date": d.ExpirationDate, "files": d.Files,
		}
		for name, val := range d.sensitive() {
			if ex.Has("document." + name) {
				m[name] = val
			}
		}
		o["document"] = m
	}
	if n := r.IDNumber; n != nil {
		m := map[string]any{
			"status": n.Status, "error": n.Error, "first_name": n.FirstName,
			"last_name": n.LastName, "id_number_type": n.IDNumberType,
		}
		for name, val := range n.sensitive() {
			if ex.Has("id_number." + name) {
				m[name] = val
			}
		}
		o["id_number"] = m
	}
	if s := r.Selfie; s != nil {
		o["selfie"] = s
	}
	if c := r.Email; c != nil {
		o["email"] = map[string]any{"status": c.Status, "error": c.Error, "email": c.Value}
	}
	if c := r.Phone; c != nil {
		o["phone"] = map[string]any{"status": c.Status, "error": c.Error, "phone": c.Value}
	}
	return o
}
