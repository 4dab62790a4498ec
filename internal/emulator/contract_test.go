package emulator

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// The contract tests drive the emulator with stripe-go itself, as idgraph
// does, over HTTP.

var (
	sessionIDRe = regexp.MustCompile(`^vs_[A-Za-z0-9]{24}$`)
	reportIDRe  = regexp.MustCompile(`^vr_[A-Za-z0-9]{24}$`)
	secretRe    = regexp.MustCompile(`^vs_[A-Za-z0-9]{24}_secret_[A-Za-z0-9]{24}$`)
)

func TestCreateSessionAnswersAsStripe(t *testing.T) {
	h := newHarness(t)
	p := &stripe.IdentityVerificationSessionCreateParams{
		Type:                   stripe.String("document"),
		ClientReferenceID:      stripe.String("user_42"),
		ReturnURL:              stripe.String("https://app.test/done"),
		RelatedCustomer:        stripe.String("cus_1"),
		RelatedCustomerAccount: stripe.String("acct_1"),
		RelatedPerson:          &stripe.IdentityVerificationSessionCreateRelatedPersonParams{Account: stripe.String("acct_2"), Person: stripe.String("person_1")},
		ProvidedDetails:        &stripe.IdentityVerificationSessionCreateProvidedDetailsParams{Email: stripe.String("jenny@example.com")},
		Options: &stripe.IdentityVerificationSessionCreateOptionsParams{Document: &stripe.IdentityVerificationSessionCreateOptionsDocumentParams{
			AllowedTypes:          []*string{stripe.String("passport"), stripe.String("id_card")},
			RequireMatchingSelfie: stripe.Bool(true),
		}},
	}
	p.AddMetadata("order", "7")
	p.AddExpand("provided_details")
	vs := h.create(t, p)

	switch {
	case !sessionIDRe.MatchString(vs.ID):
		t.Errorf("id = %q", vs.ID)
	case vs.Object != "identity.verification_session" || vs.Livemode:
		t.Errorf("object %q livemode %v", vs.Object, vs.Livemode)
	case vs.Status != stripe.IdentityVerificationSessionStatusRequiresInput:
		t.Errorf("status = %q", vs.Status)
	case vs.Created != epoch.Unix():
		t.Errorf("created = %d, want the clock's %d", vs.Created, epoch.Unix())
	case !secretRe.MatchString(vs.ClientSecret) || !strings.HasPrefix(vs.ClientSecret, vs.ID):
		t.Errorf("client_secret = %q", vs.ClientSecret)
	case !strings.HasPrefix(vs.URL, "http://emu.test/verify/"):
		t.Errorf("url = %q", vs.URL)
	case vs.ClientReferenceID != "user_42" || vs.RelatedCustomer != "cus_1" || vs.RelatedCustomerAccount != "acct_1":
		t.Errorf("references = %q %q %q", vs.ClientReferenceID, vs.RelatedCustomer, vs.RelatedCustomerAccount)
	case vs.RelatedPerson == nil || vs.RelatedPerson.Person != "person_1":
		t.Errorf("related_person = %+v", vs.RelatedPerson)
	case vs.Metadata["order"] != "7":
		t.Errorf("metadata = %v", vs.Metadata)
	case vs.Options == nil || vs.Options.Document == nil || !vs.Options.Document.RequireMatchingSelfie || len(vs.Options.Document.AllowedTypes) != 2:
		t.Errorf("options = %+v", vs.Options)
	case vs.ProvidedDetails == nil || vs.ProvidedDetails.Email != "jenny@example.com":
		t.Errorf("provided_details = %+v", vs.ProvidedDetails)
	case vs.LastError != nil || vs.LastVerificationReport != nil || vs.VerifiedOutputs != nil || vs.Redaction != nil:
		t.Errorf("unexpected fields: %+v", vs)
	case vs.LastResponse.RequestID == "" || vs.LastResponse.Header.Get("Request-Id") == "":
		t.Errorf("no Request-Id")
	}
}

func TestVerificationFlowSessionHasItsType(t *testing.T) {
	h := newHarness(t)
	vs := h.create(t, &stripe.IdentityVerificationSessionCreateParams{VerificationFlow: stripe.String("vf_123")})
	if vs.Type != "verification_flow" || vs.VerificationFlow != "vf_123" {
		t.Fatalf("type %q flow %q", vs.Type, vs.VerificationFlow)
	}
}

func TestRetrieveRenewsClientSecretAndURLWhileRequiresInput(t *testing.T) {
	h := newHarness(t)
	vs := h.create(t, nil)
	got := h.retrieve(t, vs.ID)
	if got.ClientSecret == vs.ClientSecret || got.URL == vs.URL || got.ClientSecret == "" || got.URL == "" {
		t.Fatalf("retrieve did not renew: %q %q -> %q %q", vs.ClientSecret, vs.URL, got.ClientSecret, got.URL)
	}
	// Both links stay valid until one is used.
	for _, u := range []string{vs.URL, got.URL} {
		if _, err := h.e.SessionByToken(context.Background(), tokenOf(t, u)); err != nil {
			t.Errorf("token of %s: %v", u, err)
		}
	}
}

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

func TestLastReportIsAnIDUnlessExpanded(t *testing.T) {
	h := newHarness(t)
	vs := h.create(t, nil)
	h.submit(t, vs, "")
	h.clock.Advance(testDelay)
	got := h.retrieve(t, vs.ID)
	if got.LastVerificationReport == nil || got.LastVerificationReport.ID == "" || got.LastVerificationReport.Document != nil {
		t.Fatalf("last_verification_report = %+v, want only an ID", got.LastVerificationReport)
	}
	if got.VerifiedOutputs != nil {
		t.Fatalf("verified_outputs shown without expand")
	}
}

func TestUpdate(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
	p.AddMetadata("a", "1")
	p.AddMetadata("b", "2")
	vs := h.create(t, p)

	up := &stripe.IdentityVerificationSessionUpdateParams{Type: stripe.String("id_number")}
	up.AddMetadata("a", "")  // unsets a
	up.AddMetadata("c", "3") // adds c
	got, err := h.sc.V1IdentityVerificationSessions.Update(ctx, vs.ID, up)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != "id_number" || len(got.Metadata) != 2 || got.Metadata["b"] != "2" || got.Metadata["c"] != "3" {
		t.Fatalf("after update: type %q metadata %v", got.Type, got.Metadata)
	}
	// metadata= (empty) clears every key.
	clear := &stripe.IdentityVerificationSessionUpdateParams{}
	clear.AddExtra("metadata", "")
	got, err = h.sc.V1IdentityVerificationSessions.Update(ctx, vs.ID, clear)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Metadata) != 0 {
		t.Fatalf("metadata not cleared: %v", got.Metadata)
	}
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

func TestIdempotency(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
	p.SetIdempotencyKey("key-1")
	first, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.LastResponse.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay gave %s (replayed %q), want %s", again.ID, again.LastResponse.Header.Get("Idempotent-Replayed"), first.ID)
	}
	if string(again.LastResponse.RawJSON) != string(first.LastResponse.RawJSON) {
		t.Fatalf("replayed body differs")
	}
	other := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")}
	other.SetIdempotencyKey("key-1")
	_, err = h.sc.V1IdentityVerificationSessions.Create(ctx, other)
	stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeIdempotency, "", "")

	// A state error is replayed as such, even after the state has changed.
	cp := &stripe.IdentityVerificationSessionCancelParams{}
	cp.SetIdempotencyKey("key-2")
	h.submit(t, first, "")
	_, err = h.sc.V1IdentityVerificationSessions.Cancel(ctx, first.ID, cp)
	stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, "", "")
	h.clock.Advance(testDelay)
	_, err = h.sc.V1IdentityVerificationSessions.Cancel(ctx, first.ID, cp)
	se := stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, "", "")
	if !strings.Contains(se.Msg, "processing") {
		t.Fatalf("replayed message %q does not name the first status", se.Msg)
	}
}

func TestListPaginationAndFilters(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	var ids []string // oldest first
	for i := range 25 {
		p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
		if i%5 == 0 {
			p.ClientReferenceID = stripe.String("five")
			p.RelatedCustomer = stripe.String("cus_5")
			p.RelatedCustomerAccount = stripe.String("acct_5")
		}
		ids = append(ids, h.create(t, p).ID)
		h.clock.Advance(1e9) // one second apart
	}
	newest := func(from, n int) []string { // n ids newest first, from index from down
		var out []string
		for i := from; i > from-n && i >= 0; i-- {
			out = append(out, ids[i])
		}
		return out
	}
	page := func(p *stripe.IdentityVerificationSessionListParams) ([]string, bool) {
		t.Helper()
		p.Single = true
		l := h.sc.V1IdentityVerificationSessions.List(ctx, p)
		if l.Err() != nil {
			t.Fatal(l.Err())
		}
		var got []string
		for _, vs := range l.Data() {
			got = append(got, vs.ID)
		}
		return got, l.Meta().HasMore
	}
	lp := func(f func(p *stripe.IdentityVerificationSessionListParams)) *stripe.IdentityVerificationSessionListParams {
		p := &stripe.IdentityVerificationSessionListParams{}
		f(p)
		return p
	}
	tests := []struct {
		name     string
		params   *stripe.IdentityVerificationSessionListParams
		want     []string
		wantMore bool
	}{
		{"the first page holds the ten newest", lp(func(p *stripe.IdentityVerificationSessionListParams) {}), newest(24, 10), true},
		{"starting_after continues older", lp(func(p *stripe.IdentityVerificationSessionListParams) { p.StartingAfter = stripe.String(ids[15]) }), newest(14, 10), true},
		{"the last page has no more", lp(func(p *stripe.IdentityVerificationSessionListParams) { p.StartingAfter = stripe.String(ids[5]) }), newest(4, 5), false},
		// stripe-go reverses backward pages (the wire order stays newest
		// first: see TestEndingBeforeIsNewestFirstOnTheWire).
		{"ending_before gives the page just newer", lp(func(p *stripe.IdentityVerificationSessionListParams) {
			p.EndingBefore = stripe.String(ids[5])
			p.Limit = stripe.Int64(3)
		}), []string{ids[6], ids[7], ids[8]}, true},
		{"ending_before at the top has no more", lp(func(p *stripe.IdentityVerificationSessionListParams) {
			p.EndingBefore = stripe.String(ids[20])
		}), []string{ids[21], ids[22], ids[23], ids[24]}, false},
		{"client_reference_id filters", lp(func(p *stripe.IdentityVerificationSessionListParams) { p.ClientReferenceID = stripe.String("five") }),
			[]string{ids[20], ids[15], ids[10], ids[5], ids[0]}, false},
		{"related_customer filters", lp(func(p *stripe.IdentityVerificationSessionListParams) {
			p.RelatedCustomer = stripe.String("cus_5")
			p.Limit = stripe.Int64(2)
		}), []string{ids[20], ids[15]}, true},
		{"related_customer_account filters", lp(func(p *stripe.IdentityVerificationSessionListParams) {
			p.RelatedCustomerAccount = stripe.String("acct_5")
			p.StartingAfter = stripe.String(ids[10])
		}), []string{ids[5], ids[0]}, false},
		{"created equal to an instant filters", lp(func(p *stripe.IdentityVerificationSessionListParams) { p.Created = stripe.Int64(epoch.Unix() + 3) }),
			[]string{ids[3]}, false},
		{"a created range filters", lp(func(p *stripe.IdentityVerificationSessionListParams) {
			p.CreatedRange = &stripe.RangeQueryParams{GreaterThanOrEqual: epoch.Unix() + 2, LesserThan: epoch.Unix() + 5}
		}), []string{ids[4], ids[3], ids[2]}, false},
		{"status filters", lp(func(p *stripe.IdentityVerificationSessionListParams) { p.Status = stripe.String("verified") }), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, more := page(tt.params)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") || more != tt.wantMore {
				t.Fatalf("got %v more %v,\nwant %v more %v", got, more, tt.want, tt.wantMore)
			}
		})
	}
	t.Run("auto-pagination visits every session once", func(t *testing.T) {
		n := 0
		for _, err := range h.sc.V1IdentityVerificationSessions.List(ctx, &stripe.IdentityVerificationSessionListParams{}).All(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != len(ids) {
			t.Fatalf("visited %d, want %d", n, len(ids))
		}
	})
}

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

func TestRoundTripperServesStripeGoWithoutASocket(t *testing.T) {
	e, err := New(context.Background(), Options{PublicURL: "http://emu.test", Clock: NewManualClock(epoch)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	sc := newStripeClient("http://in-process.invalid", &http.Client{Transport: e.RoundTripper()})
	vs, err := sc.V1IdentityVerificationSessions.Create(context.Background(), &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sc.V1IdentityVerificationSessions.Retrieve(context.Background(), "vs_missing", nil)
	stripeErr(t, err, 404, stripe.ErrorTypeInvalidRequest, "resource_missing", "session")
	if !sessionIDRe.MatchString(vs.ID) {
		t.Fatalf("id %q", vs.ID)
	}
}

func TestEndingBeforeIsNewestFirstOnTheWire(t *testing.T) {
	h := newHarness(t)
	var ids []string
	for range 5 {
		ids = append(ids, h.create(t, nil).ID)
	}
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/v1/identity/verification_sessions?limit=2&ending_before="+ids[1], nil)
	req.Header.Set("Authorization", "Bearer sk_test_x")
	body := doJSON(t, req, http.StatusOK)
	var got []string
	for _, d := range body["data"].([]any) {
		got = append(got, d.(map[string]any)["id"].(string))
	}
	if strings.Join(got, ",") != ids[3]+","+ids[2] || body["has_more"] != true || body["url"] != "/v1/identity/verification_sessions" {
		t.Fatalf("got %v has_more %v url %v, want [%s %s] true", got, body["has_more"], body["url"], ids[3], ids[2])
	}
}
