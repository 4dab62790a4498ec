package emulator

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// Redaction as Stripe documents it
// (https://docs.stripe.com/api/identity/verification_sessions/redact): the
// session "and all objects related to it, including VerificationReports,
// Events, request logs" keep their shape, with personal data replaced by
// "[redacted]" or a similar placeholder (a date becomes 1-1-1, an address
// keeps its country) and metadata erased; file IDs and enums stay.
func TestRedactionScrubsEverythingThatHoldsPersonalData(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	// A flow session, so that every check runs: document, selfie, ID
	// number, email and phone.
	p := &stripe.IdentityVerificationSessionCreateParams{VerificationFlow: stripe.String("vf_1"),
		ProvidedDetails: &stripe.IdentityVerificationSessionCreateProvidedDetailsParams{
			Email: stripe.String("jenny@example.com"), Phone: stripe.String("+14155550123")},
		Options: &stripe.IdentityVerificationSessionCreateOptionsParams{Document: &stripe.IdentityVerificationSessionCreateOptionsDocumentParams{
			RequireMatchingSelfie: stripe.Bool(true), RequireIDNumber: stripe.Bool(true)}}}
	p.AddMetadata("order", "secret-order-42")
	p.AddExpand("provided_details")
	p.SetIdempotencyKey("create-jenny")
	vs, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	h.submit(t, vs, "")
	h.clock.Advance(testDelay)
	everything := []string{"verified_outputs", "provided_details", "last_verification_report"}
	everything = append(everything, sessionObject.sensitive...)
	before := h.retrieveWith(t, h.rk, vs.ID, everything...)
	personal := []string{"Jenny", "Rosen", "jenny@example.com", "+14155550123", "secret-order-42", "1234 Main St.", "94111",
		"San Francisco", "D1234567", "\"000000000\"", "\"0000\"", "1901", "female", "\"F\""}
	for _, s := range personal[:6] {
		if !strings.Contains(string(before.LastResponse.RawJSON), s) {
			t.Fatalf("the verified session does not hold %q to begin with", s)
		}
	}

	if _, err := h.sc.V1IdentityVerificationSessions.Redact(ctx, vs.ID, nil); err != nil {
		t.Fatal(err)
	}
	got := h.retrieveWith(t, h.rk, vs.ID, everything...)

	t.Run("the session", func(t *testing.T) {
		v := got.VerifiedOutputs
		switch {
		case len(got.Metadata) != 0:
			t.Errorf("metadata %v, want erased", got.Metadata)
		case got.ProvidedDetails.Email != redacted || got.ProvidedDetails.Phone != redacted:
			t.Errorf("provided_details %+v", got.ProvidedDetails)
		case v.FirstName != redacted || v.LastName != redacted || v.Email != redacted || v.Phone != redacted || v.IDNumber != redacted:
			t.Errorf("verified_outputs %+v", v)
		case v.Sex != redacted || v.UnparsedSex != redacted || v.UnparsedPlaceOfBirth != redacted:
			t.Errorf("verified_outputs sex %q %q place %q", v.Sex, v.UnparsedSex, v.UnparsedPlaceOfBirth)
		case v.DOB == nil || *v.DOB != (stripe.IdentityVerificationSessionVerifiedOutputsDOB{Day: 1, Month: 1, Year: 1}):
			t.Errorf("verified_outputs.dob %+v, want 1-1-1", v.DOB)
		case v.Address == nil || v.Address.Country != "US" || v.Address.City != redacted || v.Address.Line1 != redacted || v.Address.PostalCode != redacted:
			t.Errorf("verified_outputs.address %+v, want the country kept", v.Address)
		case v.IDNumberType != "us_ssn":
			t.Errorf("id_number_type %q, an enum, is kept", v.IDNumberType)
		}
	})
	t.Run("its report", func(t *testing.T) {
		r, b := got.LastVerificationReport, before.LastVerificationReport
		d := r.Document
		switch {
		case d.FirstName != redacted || d.LastName != redacted || d.Number != redacted || d.Sex != redacted || d.UnparsedPlaceOfBirth != redacted:
			t.Errorf("document %+v", d)
		case *d.DOB != (stripe.IdentityVerificationReportDocumentDOB{Day: 1, Month: 1, Year: 1}) ||
			*d.IssuedDate != (stripe.IdentityVerificationReportDocumentIssuedDate{Day: 1, Month: 1, Year: 1}) ||
			*d.ExpirationDate != (stripe.IdentityVerificationReportDocumentExpirationDate{Day: 1, Month: 1, Year: 1}):
			t.Errorf("document dates %+v %+v %+v, want 1-1-1", d.DOB, d.IssuedDate, d.ExpirationDate)
		case d.Address.Country != "US" || d.Address.Line1 != redacted || d.IssuingCountry != "US" || d.Type != b.Document.Type:
			t.Errorf("document address %+v issuing country %q type %q", d.Address, d.IssuingCountry, d.Type)
		case !slices.Equal(d.Files, b.Document.Files) || len(d.Files) == 0:
			t.Errorf("document files %v, want the file IDs %v kept", d.Files, b.Document.Files)
		case r.Selfie.Document != b.Selfie.Document || r.Selfie.Selfie != b.Selfie.Selfie || !strings.HasPrefix(r.Selfie.Selfie, "file_"):
			t.Errorf("selfie %+v, want its file IDs kept", r.Selfie)
		case r.IDNumber.IDNumber != redacted || r.IDNumber.FirstName != redacted || r.IDNumber.DOB.Year != 1 || r.IDNumber.IDNumberType != "us_ssn":
			t.Errorf("id_number %+v", r.IDNumber)
		case r.Email.Email != redacted || r.Phone.Phone != redacted || r.Email.Status != "verified":
			t.Errorf("email %+v phone %+v", r.Email, r.Phone)
		}
	})
	t.Run("the replayed create", func(t *testing.T) {
		again, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if again.LastResponse.Header.Get("Idempotent-Replayed") != "true" || again.ID != vs.ID {
			t.Fatalf("not a replay: %s %v", again.ID, again.LastResponse.Header)
		}
		if again.ProvidedDetails.Email != redacted || len(again.Metadata) != 0 || again.ClientSecret != "" || again.URL != "" {
			t.Errorf("the replay hands back %s", again.LastResponse.RawJSON)
		}
	})
	t.Run("nothing personal is left in the database", func(t *testing.T) {
		for _, q := range []string{`SELECT doc FROM sessions`, `SELECT doc FROM reports`, `SELECT doc FROM events`, `SELECT body FROM idempotency`} {
			rows, err := h.e.db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var doc string
				_ = rows.Scan(&doc)
				for _, s := range personal {
					if strings.Contains(doc, s) {
						t.Errorf("%s: %q is still there: %s", q, s, doc)
					}
				}
			}
			rows.Close()
		}
	})
	t.Run("the events", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/v1/events?limit=100", nil)
		req.Header.Set("Authorization", "Bearer sk_test_x")
		body := doJSON(t, req, http.StatusOK)
		for _, ev := range body["data"].([]any) {
			obj := ev.(map[string]any)["data"].(map[string]any)["object"].(map[string]any)
			if md := obj["metadata"].(map[string]any); len(md) != 0 {
				t.Errorf("event %v still has metadata %v", ev.(map[string]any)["type"], md)
			}
		}
	})
}

func TestRedaction(t *testing.T) {
	tests := []struct {
		name       string
		verify     bool
		wantStatus stripe.IdentityVerificationSessionStatus
	}{
		{"redacting a verified session redacts its outputs and report", true, "verified"},
		{"redacting a session in requires_input cancels it", false, "canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
				ProvidedDetails: &stripe.IdentityVerificationSessionCreateProvidedDetailsParams{Email: stripe.String("j@example.com")}}
			p.AddMetadata("k", "v")
			vs := h.create(t, p)
			if tt.verify {
				h.submit(t, vs, "")
				h.clock.Advance(testDelay)
			}
			rp := &stripe.IdentityVerificationSessionRedactParams{}
			rp.AddExpand("verified_outputs")
			got, err := h.sc.V1IdentityVerificationSessions.Redact(ctx, vs.ID, rp)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantStatus || got.Redaction == nil || got.Redaction.Status != "processing" || len(got.Metadata) != 0 {
				t.Fatalf("after redact: status %q redaction %+v metadata %v", got.Status, got.Redaction, got.Metadata)
			}
			if tt.verify && (got.VerifiedOutputs == nil || got.VerifiedOutputs.FirstName != "[redacted]") {
				t.Fatalf("verified_outputs = %+v", got.VerifiedOutputs)
			}
			h.clock.Advance(testDelay)
			got = h.retrieve(t, vs.ID, "provided_details", "last_verification_report")
			if got.Redaction.Status != "redacted" || got.ProvidedDetails.Email != "[redacted]" || got.URL != "" || got.ClientSecret != "" {
				t.Fatalf("after the delay: %+v", got)
			}
			if tt.verify && got.LastVerificationReport.Document.FirstName != "[redacted]" {
				t.Fatalf("report not redacted: %+v", got.LastVerificationReport.Document)
			}
			if last := lastEventType(t, h); last != "identity.verification_session.redacted" {
				t.Fatalf("last event %q", last)
			}
		})
	}
}
