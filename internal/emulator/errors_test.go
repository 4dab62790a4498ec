package emulator

import (
	"context"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

func TestErrorsAnswerAsStripe(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("x", 41)
	tests := []struct {
		name   string
		call   func(h *harness) error
		status int
		typ    stripe.ErrorType
		code   stripe.ErrorCode
		param  string
	}{
		{"retrieving an unknown session is 404 with param session", func(h *harness) error {
			_, err := h.sc.V1IdentityVerificationSessions.Retrieve(ctx, "vs_nope", nil)
			return err
		}, 404, stripe.ErrorTypeInvalidRequest, "resource_missing", "session"},
		{"updating an unknown session is 404", func(h *harness) error {
			_, err := h.sc.V1IdentityVerificationSessions.Update(ctx, "vs_nope", &stripe.IdentityVerificationSessionUpdateParams{Type: stripe.String("document")})
			return err
		}, 404, stripe.ErrorTypeInvalidRequest, "resource_missing", "session"},
		{"canceling an unknown session is 404", func(h *harness) error {
			_, err := h.sc.V1IdentityVerificationSessions.Cancel(ctx, "vs_nope", nil)
			return err
		}, 404, stripe.ErrorTypeInvalidRequest, "resource_missing", "session"},
		{"redacting an unknown session is 404", func(h *harness) error {
			_, err := h.sc.V1IdentityVerificationSessions.Redact(ctx, "vs_nope", nil)
			return err
		}, 404, stripe.ErrorTypeInvalidRequest, "resource_missing", "session"},
		{"retrieving an unknown report is 404", func(h *harness) error {
			_, err := h.sc.V1IdentityVerificationReports.Retrieve(ctx, "vr_nope", nil)
			return err
		}, 404, stripe.ErrorTypeInvalidRequest, "resource_missing", "report"},
		{"an unknown parameter is rejected", func(h *harness) error {
			p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
			p.AddExtra("colour", "blue")
			_, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
			return err
		}, 400, stripe.ErrorTypeInvalidRequest, "parameter_unknown", "colour"},
		{"an unknown nested parameter is rejected with its path", func(h *harness) error {
			p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
			p.AddExtra("options[document][colour]", "blue")
			_, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
			return err
		}, 400, stripe.ErrorTypeInvalidRequest, "parameter_unknown", "options[document][colour]"},
		{"a bad type is rejected", func(h *harness) error {
			_, err := h.sc.V1IdentityVerificationSessions.Create(ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("selfie")})
			return err
		}, 400, stripe.ErrorTypeInvalidRequest, "", "type"},
		{"a bad allowed type is rejected", func(h *harness) error {
			_, err := h.sc.V1IdentityVerificationSessions.Create(ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
				Options: &stripe.IdentityVerificationSessionCreateOptionsParams{Document: &stripe.IdentityVerificationSessionCreateOptionsDocumentParams{
					AllowedTypes: []*string{stripe.String("library_card")}}}})
			return err
		}, 400, stripe.ErrorTypeInvalidRequest, "", "options[document][allowed_types][0]"},
		{"a missing type is rejected", func(h *harness) error {
			_, err := h.sc.V1IdentityVerificationSessions.Create(ctx, &stripe.IdentityVerificationSessionCreateParams{})
			return err
		}, 400, stripe.ErrorTypeInvalidRequest, "parameter_missing", "type"},
		{"a related person without person is rejected", func(h *harness) error {
			_, err := h.sc.V1IdentityVerificationSessions.Create(ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
				RelatedPerson: &stripe.IdentityVerificationSessionCreateRelatedPersonParams{Account: stripe.String("acct_1")}})
			return err
		}, 400, stripe.ErrorTypeInvalidRequest, "parameter_missing", "related_person[person]"},
		{"a metadata key over 40 characters is rejected", func(h *harness) error {
			p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
			p.AddMetadata(long, "v")
			_, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
			return err
		}, 400, stripe.ErrorTypeInvalidRequest, "", "metadata[" + long + "]"},
		{"a bad boolean is rejected", func(h *harness) error {
			p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
			p.AddExtra("options[document][require_matching_selfie]", "maybe")
			_, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
			return err
		}, 400, stripe.ErrorTypeInvalidRequest, "", "options[document][require_matching_selfie]"},
		{"a list limit over 100 is rejected", func(h *harness) error {
			p := &stripe.IdentityVerificationSessionListParams{}
			p.Limit = stripe.Int64(101)
			return h.sc.V1IdentityVerificationSessions.List(ctx, p).Err()
		}, 400, stripe.ErrorTypeInvalidRequest, "", "limit"},
		{"a list limit of 0 is rejected", func(h *harness) error {
			p := &stripe.IdentityVerificationSessionListParams{}
			p.Limit = stripe.Int64(0)
			return h.sc.V1IdentityVerificationSessions.List(ctx, p).Err()
		}, 400, stripe.ErrorTypeInvalidRequest, "", "limit"},
		{"a bad status filter is rejected", func(h *harness) error {
			return h.sc.V1IdentityVerificationSessions.List(ctx, &stripe.IdentityVerificationSessionListParams{Status: stripe.String("done")}).Err()
		}, 400, stripe.ErrorTypeInvalidRequest, "", "status"},
		{"an unknown cursor is rejected", func(h *harness) error {
			p := &stripe.IdentityVerificationSessionListParams{}
			p.StartingAfter = stripe.String("vs_nope")
			return h.sc.V1IdentityVerificationSessions.List(ctx, p).Err()
		}, 400, stripe.ErrorTypeInvalidRequest, "resource_missing", "starting_after"},
		{"an unknown expand path is rejected", func(h *harness) error {
			p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
			p.AddExpand("customer")
			_, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
			return err
		}, 400, stripe.ErrorTypeInvalidRequest, "", ""},
		{"a list expand without data. is rejected", func(h *harness) error {
			p := &stripe.IdentityVerificationSessionListParams{}
			p.AddExpand("verified_outputs")
			return h.sc.V1IdentityVerificationSessions.List(ctx, p).Err()
		}, 400, stripe.ErrorTypeInvalidRequest, "", ""},
		{"a live key is refused", func(h *harness) error {
			sc := stripe.NewClient("sk_live_abc", stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
				URL: stripe.String(h.srv.URL), MaxNetworkRetries: stripe.Int64(0), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}})))
			_, err := sc.V1IdentityVerificationSessions.Retrieve(ctx, "vs_x", nil)
			return err
		}, 401, stripe.ErrorTypeInvalidRequest, "", ""},
		{"a key that is not Stripe's is refused", func(h *harness) error {
			sc := stripe.NewClient("hunter2hunter2", stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
				URL: stripe.String(h.srv.URL), MaxNetworkRetries: stripe.Int64(0), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}})))
			_, err := sc.V1IdentityVerificationSessions.Retrieve(ctx, "vs_x", nil)
			return err
		}, 401, stripe.ErrorTypeInvalidRequest, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			stripeErr(t, tt.call(h), tt.status, tt.typ, tt.code, tt.param)
		})
	}
}

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
