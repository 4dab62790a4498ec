package emulator

import (
	"context"
	"net/http"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

func TestLifecycle(t *testing.T) {
	tests := []struct {
		name       string
		outcome    string // "" passes, "abandoned", or a last_error code
		wantStatus stripe.IdentityVerificationSessionStatus
		wantEvent  string
		wantReport bool
	}{
		{"a passing submission is processed then verified", "", "verified", "identity.verification_session.verified", true},
		{"a failing submission returns to requires_input with its code", "selfie_face_mismatch", "requires_input", "identity.verification_session.requires_input", true},
		{"a failure of the user's session returns to requires_input at once, without a report", "under_supported_age", "requires_input", "identity.verification_session.requires_input", false},
		{"an abandoned session stays in requires_input without processing", "abandoned", "requires_input", "identity.verification_session.requires_input", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
				Options: &stripe.IdentityVerificationSessionCreateOptionsParams{Document: &stripe.IdentityVerificationSessionCreateOptionsDocumentParams{
					RequireMatchingSelfie: stripe.Bool(true), RequireIDNumber: stripe.Bool(true)}}}
			vs := h.create(t, p)
			page := h.submit(t, vs, tt.outcome)
			if tt.wantReport { // processed
				if page.Status != "processing" {
					t.Fatalf("after submit: status %q", page.Status)
				}
				mid := h.retrieve(t, vs.ID)
				if mid.Status != "processing" || mid.ClientSecret != "" || mid.URL != "" {
					t.Fatalf("processing session: status %q secret %q url %q", mid.Status, mid.ClientSecret, mid.URL)
				}
				h.clock.Advance(testDelay)
			}
			// A restricted key, since verified_outputs.dob is a sensitive result.
			got := h.retrieveWith(t, h.rk, vs.ID, "verified_outputs", "verified_outputs.dob", "last_verification_report")
			if got.Status != tt.wantStatus {
				t.Fatalf("status = %q, want %q", got.Status, tt.wantStatus)
			}
			if _, err := h.e.SessionByToken(context.Background(), tokenOf(t, vs.URL)); err == nil {
				t.Errorf("the submitted url is still valid")
			}
			switch tt.wantStatus {
			case "verified":
				v := got.VerifiedOutputs
				if v == nil || v.FirstName != "Jenny" || v.LastName != "Rosen" || v.DOB == nil || v.DOB.Year != 1901 || v.Address == nil || v.Address.Country != "US" {
					t.Errorf("verified_outputs = %+v", v)
				}
				if v != nil && v.IDNumber != "" {
					t.Errorf("id_number shown without being expanded by name")
				}
				if got.ClientSecret != "" || got.URL != "" || got.LastError != nil {
					t.Errorf("verified session shows secret %q url %q last_error %+v", got.ClientSecret, got.URL, got.LastError)
				}
			case "requires_input":
				if got.LastError == nil || string(got.LastError.Code) != tt.outcome || got.LastError.Reason == "" {
					t.Errorf("last_error = %+v, want %q", got.LastError, tt.outcome)
				}
				if got.VerifiedOutputs != nil {
					t.Errorf("verified_outputs = %+v", got.VerifiedOutputs)
				}
				if got.URL == "" || got.URL == vs.URL {
					t.Errorf("no new url: %q", got.URL)
				}
			}
			rep := got.LastVerificationReport
			if (rep != nil) != tt.wantReport {
				t.Fatalf("last_verification_report = %+v, want one: %v", rep, tt.wantReport)
			}
			if rep != nil {
				if !reportIDRe.MatchString(rep.ID) || rep.VerificationSession != vs.ID || rep.Document == nil || rep.Selfie == nil || rep.IDNumber == nil {
					t.Fatalf("report = %+v", rep)
				}
				if rep.Document.Status != stripe.IdentityVerificationReportDocumentStatusVerified {
					t.Errorf("document status %q, want verified", rep.Document.Status)
				}
				if tt.outcome == "selfie_face_mismatch" && (rep.Selfie.Status != "unverified" || rep.Selfie.Error == nil || rep.Selfie.Error.Code != "selfie_face_mismatch") {
					t.Errorf("selfie = %+v", rep.Selfie)
				}
				byID, err := h.sc.V1IdentityVerificationReports.Retrieve(context.Background(), rep.ID, nil)
				if err != nil || byID.ID != rep.ID {
					t.Errorf("retrieve report: %v", err)
				}
			}
			if last := lastEventType(t, h); last != tt.wantEvent {
				t.Errorf("last event %q, want %q", last, tt.wantEvent)
			}
		})
	}
}

func lastEventType(t *testing.T, h *harness) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/v1/events?limit=1", nil)
	req.Header.Set("Authorization", "Bearer sk_test_x")
	body := doJSON(t, req, http.StatusOK)
	data := body["data"].([]any)
	if len(data) == 0 {
		return ""
	}
	return data[0].(map[string]any)["type"].(string)
}

func TestStateRules(t *testing.T) {
	ctx := context.Background()
	type op func(h *harness, id string) error
	update := func(h *harness, id string) error {
		p := &stripe.IdentityVerificationSessionUpdateParams{}
		p.AddMetadata("k", "v")
		_, err := h.sc.V1IdentityVerificationSessions.Update(ctx, id, p)
		return err
	}
	cancel := func(h *harness, id string) error {
		_, err := h.sc.V1IdentityVerificationSessions.Cancel(ctx, id, nil)
		return err
	}
	redact := func(h *harness, id string) error {
		_, err := h.sc.V1IdentityVerificationSessions.Redact(ctx, id, nil)
		return err
	}
	// states bring a fresh session into a state.
	states := map[string]func(t *testing.T, h *harness) string{
		"requires_input": func(t *testing.T, h *harness) string { return h.create(t, nil).ID },
		"processing": func(t *testing.T, h *harness) string {
			vs := h.create(t, nil)
			h.submit(t, vs, "")
			return vs.ID
		},
		"verified": func(t *testing.T, h *harness) string {
			vs := h.create(t, nil)
			h.submit(t, vs, "")
			h.clock.Advance(testDelay)
			return vs.ID
		},
		"canceled": func(t *testing.T, h *harness) string {
			vs := h.create(t, nil)
			if err := cancel(h, vs.ID); err != nil {
				t.Fatal(err)
			}
			return vs.ID
		},
		"redacted": func(t *testing.T, h *harness) string {
			vs := h.create(t, nil)
			h.submit(t, vs, "")
			h.clock.Advance(testDelay)
			if err := redact(h, vs.ID); err != nil {
				t.Fatal(err)
			}
			return vs.ID
		},
	}
	tests := []struct {
		name  string
		state string
		op    op
		ok    bool
	}{
		{"update in requires_input is allowed", "requires_input", update, true},
		{"update in processing is rejected", "processing", update, false},
		{"update in verified is rejected", "verified", update, false},
		{"update in canceled is rejected", "canceled", update, false},
		{"update of a redacted session is rejected", "redacted", update, false},
		{"cancel in requires_input is allowed", "requires_input", cancel, true},
		{"cancel in processing is rejected", "processing", cancel, false},
		{"cancel from verified is rejected", "verified", cancel, false},
		{"cancel of a canceled session is rejected", "canceled", cancel, false},
		{"redact in requires_input is allowed", "requires_input", redact, true},
		{"redact in verified is allowed", "verified", redact, true},
		{"redact in processing is rejected", "processing", redact, false},
		{"redact of a canceled session is rejected", "canceled", redact, false},
		{"redact of a redacted session is a no-op", "redacted", redact, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			id := states[tt.state](t, h)
			err := tt.op(h, id)
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			se := stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, "", "")
			if se.Msg == "" {
				t.Fatalf("empty message")
			}
		})
	}
}
