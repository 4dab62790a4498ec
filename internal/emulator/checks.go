package emulator

// The verification checks: which a submission of a session runs, and what
// each yields when it is processed: a section of the report, with Stripe's
// fixture data, verified or failed with a code of the catalogue
// (lasterror.go), and, when all pass, the verified outputs.

// The verification checks a submission can run (report.go renders one
// section of the report for each): the checks of Stripe's report, named as
// its sections are.
const (
	checkDocument = "document"
	checkIDNumber = "id_number"
	checkSelfie   = "selfie"
	checkEmail    = "email"
	checkPhone    = "phone"
)

// checksOf returns the checks a submission of s runs, as Stripe's
// verification checks guide describes them
// (https://docs.stripe.com/identity/verification-checks): a document
// session checks the document, plus a selfie and the ID number when its
// options require them; an id_number session checks the ID number. A
// verification_flow session is played as a document session (the emulator
// does not model flows, which are configured in the Dashboard) that also
// checks the email address and the phone number it was given in
// provided_details: email and phone checks are only reachable through
// flows, as the API's options have no email or phone.
func checksOf(s *session) []string {
	var out []string
	if s.Type != sessionTypeIDNumber {
		out = append(out, checkDocument)
		if s.requiresSelfie() {
			out = append(out, checkSelfie)
		}
	}
	if s.Type == sessionTypeIDNumber || s.requiresIDNumber() {
		out = append(out, checkIDNumber)
	}
	if s.Type == sessionTypeFlow {
		if providedEmail(s) != nil {
			out = append(out, checkEmail)
		}
		if providedPhone(s) != nil {
			out = append(out, checkPhone)
		}
	}
	return out
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
