package emulator

import (
	"context"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// An ID that names nothing is Stripe's resource_missing: in the path, a 404
// that names the path parameter as the spec does ({session}, {report}) with
// the message "No such VerificationSession: 'vs_…'"; as a list cursor, a
// 400 naming starting_after or ending_before.
func TestUnknownIDsAnswerAsStripe(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		call   func(sc *stripe.Client) error
		status int
		param  string
		msg    string
	}{
		{"retrieving an unknown session", func(sc *stripe.Client) error {
			_, err := sc.V1IdentityVerificationSessions.Retrieve(ctx, "vs_nope", nil)
			return err
		}, 404, "session", "No such VerificationSession: 'vs_nope'"},
		{"updating an unknown session", func(sc *stripe.Client) error {
			_, err := sc.V1IdentityVerificationSessions.Update(ctx, "vs_nope", &stripe.IdentityVerificationSessionUpdateParams{Type: stripe.String("document")})
			return err
		}, 404, "session", "No such VerificationSession: 'vs_nope'"},
		{"canceling an unknown session", func(sc *stripe.Client) error {
			_, err := sc.V1IdentityVerificationSessions.Cancel(ctx, "vs_nope", nil)
			return err
		}, 404, "session", "No such VerificationSession: 'vs_nope'"},
		{"redacting an unknown session", func(sc *stripe.Client) error {
			_, err := sc.V1IdentityVerificationSessions.Redact(ctx, "vs_nope", nil)
			return err
		}, 404, "session", "No such VerificationSession: 'vs_nope'"},
		{"retrieving an unknown report", func(sc *stripe.Client) error {
			_, err := sc.V1IdentityVerificationReports.Retrieve(ctx, "vr_nope", nil)
			return err
		}, 404, "report", "No such VerificationReport: 'vr_nope'"},
		{"retrieving an unknown event", func(sc *stripe.Client) error {
			_, err := sc.V1Events.Retrieve(ctx, "evt_nope", nil)
			return err
		}, 404, "id", "No such event: 'evt_nope'"},
		{"listing sessions after an unknown one", func(sc *stripe.Client) error {
			p := &stripe.IdentityVerificationSessionListParams{}
			p.StartingAfter = stripe.String("vs_nope")
			return sc.V1IdentityVerificationSessions.List(ctx, p).Err()
		}, 400, "starting_after", "No such verificationsession: 'vs_nope'"},
		{"listing sessions before an unknown one", func(sc *stripe.Client) error {
			p := &stripe.IdentityVerificationSessionListParams{}
			p.EndingBefore = stripe.String("vs_nope")
			return sc.V1IdentityVerificationSessions.List(ctx, p).Err()
		}, 400, "ending_before", "No such verificationsession: 'vs_nope'"},
		{"listing reports after an unknown one", func(sc *stripe.Client) error {
			p := &stripe.IdentityVerificationReportListParams{}
			p.StartingAfter = stripe.String("vr_nope")
			return sc.V1IdentityVerificationReports.List(ctx, p).Err()
		}, 400, "starting_after", "No such verificationreport: 'vr_nope'"},
		{"listing events before an unknown one", func(sc *stripe.Client) error {
			p := &stripe.EventListParams{}
			p.EndingBefore = stripe.String("evt_nope")
			return sc.V1Events.List(ctx, p).Err()
		}, 400, "ending_before", "No such event: 'evt_nope'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			se := stripeErr(t, tt.call(h.sc), tt.status, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing, tt.param)
			if se.Msg != tt.msg {
				t.Errorf("message %q, want %q", se.Msg, tt.msg)
			}
			if se.DocURL != "https://stripe.com/docs/error-codes/resource-missing" {
				t.Errorf("doc_url %q", se.DocURL)
			}
			if se.HTTPStatusCode != tt.status {
				t.Errorf("status %d", se.HTTPStatusCode)
			}
		})
	}
}
