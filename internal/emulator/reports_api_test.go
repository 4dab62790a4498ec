package emulator

import (
	"context"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

func TestListReports(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.create(t, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
	b := h.create(t, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number"), ClientReferenceID: stripe.String("b")})
	h.submit(t, a, "document_expired")
	h.submit(t, b, "")
	h.clock.Advance(testDelay)
	a = h.retrieve(t, a.ID)
	h.submit(t, a, "")
	h.clock.Advance(testDelay)
	count := func(p *stripe.IdentityVerificationReportListParams) int {
		t.Helper()
		l := h.sc.V1IdentityVerificationReports.List(ctx, p)
		if l.Err() != nil {
			t.Fatal(l.Err())
		}
		return len(l.Data())
	}
	tests := []struct {
		name   string
		params *stripe.IdentityVerificationReportListParams
		want   int
	}{
		{"every report", &stripe.IdentityVerificationReportListParams{}, 3},
		{"by session", &stripe.IdentityVerificationReportListParams{VerificationSession: stripe.String(a.ID)}, 2},
		{"by type", &stripe.IdentityVerificationReportListParams{Type: stripe.String("id_number")}, 1},
		{"by client_reference_id", &stripe.IdentityVerificationReportListParams{ClientReferenceID: stripe.String("b")}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := count(tt.params); got != tt.want {
				t.Fatalf("got %d reports, want %d", got, tt.want)
			}
		})
	}
	if got := h.retrieve(t, a.ID); got.Status != "verified" {
		t.Fatalf("second submission: %q", got.Status)
	}
}
