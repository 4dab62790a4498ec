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
		"object":               "identity.verification_report",
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

// Test data of a passing submission: Stripe's own fixtures (Jenny Rosen,
// born 1901-01-01, San Francisco) so that screenshots look familiar. Sex and
// place of birth are the emulator's own choice (Stripe documents no fixture
// for them); sex is one of the spec's enum values (female, male, unknown).
var (
	testFirstName    = "Jenny"
	testLastName     = "Rosen"
	testDOB          = date{Day: 1, Month: 1, Year: 1901}
	testSex          = "female"
	testUnparsedSex  = "F"
	testPlaceOfBirth = "San Francisco, CA, USA"
	testIDNumber     = "000000000"
	testIDType       = "us_ssn"
	testDocNumber    = "D1234567"
	testCountry      = "US"
)

func testAddress() *address {
	return &address{City: ptr("San Francisco"), Country: ptr("US"), Line1: ptr("1234 Main St."),
		Line2: nil, PostalCode: ptr("94111"), State: ptr("CA")}
}

// newReport builds the report of a submission of s: one section for each
// check s runs (checksOf), each verified but the one that code fails (a
// check's code of the catalogue, lasterror.go); code "" passes them all.
// Failures of the user's session make no report (Submit).
func newReport(s *session, id string, created int64, code string) *report {
	r := &report{ID: id, Created: created, Type: s.Type, SessionID: s.ID,
		ClientReferenceID: s.ClientReferenceID, VerificationFlow: s.VerificationFlow, Options: s.Options}
	failed, _ := lastErrorOf(code)
	result := func(check string) (string, *checkError) {
		if code == "" || failed.Check != check {
			return "verified", nil
		}
		return "unverified", &checkError{Code: ptr(code), Reason: ptr(failed.Reason)}
	}
	for _, check := range checksOf(s) {
		st, e := result(check)
		switch check {
		case checkDocument:
			docType := "driving_license"
			if d := s.Options.Document; d != nil && len(d.AllowedTypes) > 0 {
				docType = d.AllowedTypes[0]
			}
			r.Document = &documentCheck{Status: st, Error: e, Type: ptr(docType), FirstName: ptr(testFirstName),
				LastName: ptr(testLastName), Address: testAddress(), DOB: ptr(testDOB), Number: ptr(testDocNumber),
				IssuingCountry: ptr(testCountry), IssuedDate: &date{Day: 1, Month: 12, Year: 2020},
				ExpirationDate: &date{Day: 1, Month: 12, Year: 2030},
				Files:          []string{newID(prefixFile), newID(prefixFile)},
				Sex:            ptr(testSex), UnparsedSex: ptr(testUnparsedSex), UnparsedPlaceOfBirth: ptr(testPlaceOfBirth)}
		case checkIDNumber:
			r.IDNumber = &idNumberCheck{Status: st, Error: e, FirstName: ptr(testFirstName), LastName: ptr(testLastName),
				DOB: ptr(testDOB), IDNumber: ptr(reportedIDNumber(testIDNumber, testIDType)), IDNumberType: ptr(testIDType)}
		case checkSelfie:
			r.Selfie = &selfieCheck{Status: st, Error: e, Document: ptr(newID(prefixFile)), Selfie: ptr(newID(prefixFile))}
		case checkEmail:
			r.Email = &contactCheck{Status: st, Error: e, Value: providedEmail(s)}
		case checkPhone:
			r.Phone = &contactCheck{Status: st, Error: e, Value: providedPhone(s)}
		}
	}
	return r
}

// reportedIDNumber is an ID number as a report shows it: "When
// id_number_type is us_ssn, only the last 4 digits are present" (the spec's
// gelato_id_number_report.id_number).
func reportedIDNumber(number, typ string) string {
	if typ == "us_ssn" && len(number) > 4 {
		return number[len(number)-4:]
	}
	return number
}

// outputsOf returns the verified outputs of a passing report: what its
// checks verified, and nothing else. The email and phone number are
// outputs only when an email or phone check verified them, not because
// provided_details held them.
func outputsOf(r *report) *verifiedOutputs {
	v := &verifiedOutputs{FirstName: ptr(testFirstName), LastName: ptr(testLastName)}
	if d := r.Document; d != nil { // address, sex and place of birth are read from the document
		v.Address = testAddress()
		v.DOB = d.DOB
		v.Sex, v.UnparsedSex, v.UnparsedPlaceOfBirth = d.Sex, d.UnparsedSex, d.UnparsedPlaceOfBirth
	}
	if n := r.IDNumber; n != nil {
		v.DOB = n.DOB
		v.IDNumber, v.IDNumberType = ptr(testIDNumber), n.IDNumberType
	}
	if c := r.Email; c != nil {
		v.Email = c.Value
	}
	if c := r.Phone; c != nil {
		v.Phone = c.Value
	}
	return v
}

func providedEmail(s *session) *string {
	if s.ProvidedDetails == nil || s.ProvidedDetails.Email == "" {
		return nil
	}
	return ptr(s.ProvidedDetails.Email)
}

func providedPhone(s *session) *string {
	if s.ProvidedDetails == nil || s.ProvidedDetails.Phone == "" {
		return nil
	}
	return ptr(s.ProvidedDetails.Phone)
}

func ptr[T any](v T) *T { return &v }
