package emulator

import (
	"context"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"
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
