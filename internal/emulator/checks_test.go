package emulator

import (
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// Verified outputs hold what the checks verified: an email address or a
// phone number only when an email or phone check ran, not because
// provided_details held one.
func TestVerifiedOutputsHoldWhatTheChecksVerified(t *testing.T) {
	provided := &stripe.IdentityVerificationSessionCreateProvidedDetailsParams{Email: stripe.String("j@example.com"), Phone: stripe.String("+14155550100")}
	tests := []struct {
		name                  string
		params                *stripe.IdentityVerificationSessionCreateParams
		email, phone, address bool
		idNumber              bool
	}{
		{"a document session given an email and a phone number", &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"), ProvidedDetails: provided},
			false, false, true, false},
		{"an id_number session given an email and a phone number", &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number"), ProvidedDetails: provided},
			false, false, false, true},
		{"a verification flow that checks the email and the phone number", &stripe.IdentityVerificationSessionCreateParams{VerificationFlow: stripe.String("vf_1"), ProvidedDetails: provided},
			true, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			vs := h.create(t, tt.params)
			h.submit(t, vs, "")
			h.clock.Advance(testDelay)
			got := h.retrieveWith(t, h.rk, vs.ID, "verified_outputs", "verified_outputs.id_number", "last_verification_report")
			v, r := got.VerifiedOutputs, got.LastVerificationReport
			if v == nil || r == nil {
				t.Fatalf("verified_outputs %+v report %+v", v, r)
			}
			if (v.Email != "") != tt.email || (tt.email && v.Email != "j@example.com") {
				t.Errorf("verified_outputs.email = %q, want one: %v", v.Email, tt.email)
			}
			if (v.Phone != "") != tt.phone || (tt.phone && v.Phone != "+14155550100") {
				t.Errorf("verified_outputs.phone = %q, want one: %v", v.Phone, tt.phone)
			}
			if (r.Email != nil) != tt.email || (r.Phone != nil) != tt.phone {
				t.Errorf("report email %+v phone %+v", r.Email, r.Phone)
			}
			if (v.Address != nil) != tt.address || (v.IDNumber != "") != tt.idNumber {
				t.Errorf("verified_outputs address %+v id_number %q", v.Address, v.IDNumber)
			}
		})
	}
}

// "ID number. When id_number_type is us_ssn, only the last 4 digits are
// present." (the spec's gelato_id_number_report.id_number).
func TestAUSSSNReportHoldsItsLastFourDigits(t *testing.T) {
	h := newHarness(t)
	vs := h.create(t, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")})
	h.submit(t, vs, "")
	h.clock.Advance(testDelay)
	got := h.retrieveWith(t, h.rk, vs.ID, "verified_outputs", "verified_outputs.id_number",
		"last_verification_report", "last_verification_report.id_number.id_number")
	n := got.LastVerificationReport.IDNumber
	if n == nil || n.IDNumberType != "us_ssn" || len(n.IDNumber) != 4 || !strings.HasSuffix(got.VerifiedOutputs.IDNumber, n.IDNumber) {
		t.Fatalf("report id_number %+v, verified %q: want the last 4 digits of a us_ssn", n, got.VerifiedOutputs.IDNumber)
	}
}

// A report's type is one of the spec's document, id_number and
// verification_flow: that of the session it reports on.
func TestAVerificationFlowsReportHasItsType(t *testing.T) {
	h := newHarness(t)
	vs := h.create(t, &stripe.IdentityVerificationSessionCreateParams{VerificationFlow: stripe.String("vf_1")})
	h.submit(t, vs, "")
	h.clock.Advance(testDelay)
	got := h.retrieve(t, vs.ID, "last_verification_report")
	if r := got.LastVerificationReport; r == nil || r.Type != "verification_flow" || r.VerificationFlow != "vf_1" {
		t.Fatalf("report %+v, want type verification_flow", r)
	}
}
