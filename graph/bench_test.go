package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/identity"
)

// richSession is a verified session with every part filled in, so that the
// benchmarks convert and marshal a realistic amount of data.
func richSession(id string) *stripe.IdentityVerificationSession {
	s := session(id)
	s.Status = stripe.IdentityVerificationSessionStatusVerified
	s.ClientReferenceID = "user_" + id
	s.Metadata = map[string]string{"plan": "pro", "team": "growth", "region": "eu", "owner": "jenny"}
	s.Options = &stripe.IdentityVerificationSessionOptions{
		Document: &stripe.IdentityVerificationSessionOptionsDocument{
			AllowedTypes:          []stripe.IdentityVerificationSessionOptionsDocumentAllowedType{"passport", "driving_license"},
			RequireMatchingSelfie: true,
		},
	}
	s.ProvidedDetails = &stripe.IdentityVerificationSessionProvidedDetails{Email: "jenny@example.com", Phone: "+15555550100"}
	s.VerifiedOutputs = &stripe.IdentityVerificationSessionVerifiedOutputs{
		FirstName: "Jenny", LastName: "Rosen", Sex: "female", IDNumber: "123", IDNumberType: "us_ssn",
		Address: &stripe.Address{City: "Berlin", Country: "DE", Line1: "Unter den Linden 1", PostalCode: "10117"},
		DOB:     &stripe.IdentityVerificationSessionVerifiedOutputsDOB{Day: 1, Month: 2, Year: 1990},
	}
	s.LastVerificationReport = &stripe.IdentityVerificationReport{
		ID: "vr_" + id, Created: testCreated, Type: "document",
		Document: &stripe.IdentityVerificationReportDocument{
			Status: "verified", Type: "passport", IssuingCountry: "DE", FirstName: "Jenny", LastName: "Rosen",
			Files: []string{"file_1", "file_2"},
		},
		Selfie: &stripe.IdentityVerificationReportSelfie{Status: "verified", Document: "file_1", Selfie: "file_3"},
	}
	return s
}

func benchHandler(b *testing.B) http.Handler {
	b.Helper()
	page := make([]*stripe.IdentityVerificationSession, 100)
	for i := range page {
		page[i] = richSession(fmt.Sprintf("vs_%03d", 100-i))
	}
	// The call log would grow with b.N and skew the allocations measured.
	fake := &fakeClient{forget: true}
	fake.RetrieveFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		return richSession(id), nil
	}
	fake.ListFunc = func(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
		return identity.Page{Sessions: page, HasMore: true}, nil
	}
	return newTestHandler(fake, discardLogger())
}

func benchQuery(b *testing.B, query string) {
	h := benchHandler(b)
	serve := servesQuery(b, h, query)
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
}

// BenchmarkSessionQuery reads one session with a broad selection.
func BenchmarkSessionQuery(b *testing.B) { benchQuery(b, sessionQuery) }

// BenchmarkNarrowSessionQuery reads four fields of one session, the query
// of bench/throughput: what idgraph adds to every small read.
func BenchmarkNarrowSessionQuery(b *testing.B) {
	benchQuery(b, `{ verificationSession(id: "vs_1") { id status type created } }`)
}

// BenchmarkPage100 reads a full page of 100 sessions with cursors, a broad
// selection and pageInfo.
func BenchmarkPage100(b *testing.B) { benchQuery(b, page100Query) }

// servesQuery returns a function that serves query through h in process,
// having checked once that it is served without errors.
func servesQuery(b *testing.B, h http.Handler, query string) func() *httptest.ResponseRecorder {
	b.Helper()
	body, err := json.Marshal(map[string]any{"query": query})
	if err != nil {
		b.Fatal(err)
	}
	serve := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := serve(); w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) {
		b.Fatalf("status %d: %s", w.Code, w.Body)
	}
	return serve
}
