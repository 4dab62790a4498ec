package emulator

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/idgraph/idgraph/internal/emulator/hostedpage"
	"github.com/stripe/stripe-go/v85"
)

func outcomePass() hostedpage.Outcome { return hostedpage.Outcome{} }

func TestHostedPageBackend(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		prepare func(t *testing.T, h *harness) string // returns a token
		outcome hostedpage.Outcome
		wantErr error
	}{
		{"an unknown token is not found", func(t *testing.T, h *harness) string { return "vt_nope" }, outcomePass(), hostedpage.ErrNotFound},
		{"a used token is not found", func(t *testing.T, h *harness) string {
			vs := h.create(t, nil)
			h.submit(t, vs, "abandoned")
			return tokenOf(t, vs.URL)
		}, outcomePass(), hostedpage.ErrNotFound},
		{"a token older than 48 hours is not found", func(t *testing.T, h *harness) string {
			vs := h.create(t, nil)
			h.clock.Advance(48*time.Hour + time.Second)
			return tokenOf(t, vs.URL)
		}, outcomePass(), hostedpage.ErrNotFound},
		{"a canceled session is not submittable", func(t *testing.T, h *harness) string {
			vs := h.create(t, nil)
			if _, err := h.sc.V1IdentityVerificationSessions.Cancel(ctx, vs.ID, nil); err != nil {
				t.Fatal(err)
			}
			return tokenOf(t, vs.URL)
		}, outcomePass(), hostedpage.ErrNotSubmittable},
		{"an unknown error code is an invalid outcome", func(t *testing.T, h *harness) string {
			return tokenOf(t, h.create(t, nil).URL)
		}, hostedpage.Outcome{ErrorCode: "bored"}, hostedpage.ErrInvalidOutcome},
		{"a valid token and outcome are accepted", func(t *testing.T, h *harness) string {
			return tokenOf(t, h.create(t, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number"), ReturnURL: stripe.String("https://r.test")}).URL)
		}, outcomePass(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tok := tt.prepare(t, h)
			got, err := h.e.Submit(ctx, tok, tt.outcome)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Submit: %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && (got.Status != "processing" || got.Type != "id_number" || got.ReturnURL != "https://r.test") {
				t.Fatalf("Submit returned %+v", got)
			}
			if errors.Is(tt.wantErr, hostedpage.ErrNotSubmittable) {
				s, err := h.e.SessionByToken(ctx, tok)
				if err != nil || s.Status != "canceled" {
					t.Fatalf("SessionByToken: %+v %v", s, err)
				}
			}
		})
	}
}
