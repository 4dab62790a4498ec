package emulator

import (
	"context"
	"net/http"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// What Stripe refuses in a create's values, refused: a return_url that is
// not an absolute http(s) URL (Stripe's url_invalid, "Not a valid URL"), a
// malformed email (email_invalid) or phone, and IDs of related objects or
// of a verification flow that are not IDs (resource_missing "No such …").
func TestCreateRefusesMalformedValues(t *testing.T) {
	doc := func(f func(p *stripe.IdentityVerificationSessionCreateParams)) *stripe.IdentityVerificationSessionCreateParams {
		p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
		f(p)
		return p
	}
	email := func(v string) *stripe.IdentityVerificationSessionCreateParams {
		return doc(func(p *stripe.IdentityVerificationSessionCreateParams) {
			p.ProvidedDetails = &stripe.IdentityVerificationSessionCreateProvidedDetailsParams{Email: stripe.String(v)}
		})
	}
	phone := func(v string) *stripe.IdentityVerificationSessionCreateParams {
		return doc(func(p *stripe.IdentityVerificationSessionCreateParams) {
			p.ProvidedDetails = &stripe.IdentityVerificationSessionCreateProvidedDetailsParams{Phone: stripe.String(v)}
		})
	}
	returnURL := func(v string) *stripe.IdentityVerificationSessionCreateParams {
		return doc(func(p *stripe.IdentityVerificationSessionCreateParams) { p.ReturnURL = stripe.String(v) })
	}
	person := func(account, person string) *stripe.IdentityVerificationSessionCreateParams {
		return doc(func(p *stripe.IdentityVerificationSessionCreateParams) {
			p.RelatedPerson = &stripe.IdentityVerificationSessionCreateRelatedPersonParams{Account: stripe.String(account), Person: stripe.String(person)}
		})
	}
	tests := []struct {
		name   string
		params *stripe.IdentityVerificationSessionCreateParams
		param  string // "" when accepted
		code   stripe.ErrorCode
		msg    string // the whole message, when it is Stripe's
	}{
		{"a return_url that is not a URL", returnURL("not a url"), "return_url", "url_invalid", "Not a valid URL"},
		{"a javascript: return_url", returnURL("javascript:alert(1)"), "return_url", "url_invalid", "Not a valid URL"},
		{"a relative return_url", returnURL("/done"), "return_url", "url_invalid", "Not a valid URL"},
		{"an ftp return_url", returnURL("ftp://files.test/x"), "return_url", "url_invalid", "Not a valid URL"},
		{"a return_url without a host", returnURL("https:///done"), "return_url", "url_invalid", "Not a valid URL"},
		{"an https return_url", returnURL("https://app.test/done?x=1#y"), "", "", ""},
		{"a local http return_url", returnURL("http://localhost:3000/verified"), "", "", ""},
		{"an email without @", email("jenny.example.com"), "provided_details[email]", "email_invalid", "Invalid email address: jenny.example.com"},
		{"an email without a domain", email("jenny@"), "provided_details[email]", "email_invalid", "Invalid email address: jenny@"},
		{"an email with a display name", email("Jenny <jenny@example.com>"), "provided_details[email]", "email_invalid", ""},
		{"an email with a space", email("jenny rosen@example.com"), "provided_details[email]", "email_invalid", ""},
		{"a well-formed email", email("jenny.rosen+id@example.com"), "", "", ""},
		{"a phone with letters", phone("call me"), "provided_details[phone]", "", ""},
		{"a phone without a country code", phone("4155550100"), "provided_details[phone]", "", ""},
		{"a phone too long for E.164", phone("+1234567890123456"), "provided_details[phone]", "", ""},
		{"an E.164 phone", phone("+14155550100"), "", "", ""},
		{"an E.164 phone with separators", phone("+1 (415) 555-0100"), "", "", ""},
		{"a verification_flow that is not a vf_ ID", &stripe.IdentityVerificationSessionCreateParams{VerificationFlow: stripe.String("my-flow")},
			"verification_flow", "resource_missing", "No such VerificationFlow: 'my-flow'"},
		{"a related_customer that is not a cus_ ID", doc(func(p *stripe.IdentityVerificationSessionCreateParams) { p.RelatedCustomer = stripe.String("jenny") }),
			"related_customer", "resource_missing", "No such customer: 'jenny'"},
		{"a related_customer_account that is not an acct_ ID", doc(func(p *stripe.IdentityVerificationSessionCreateParams) {
			p.RelatedCustomerAccount = stripe.String("cus_1")
		}), "related_customer_account", "resource_missing", "No such account: 'cus_1'"},
		{"a related_person account that is not an acct_ ID", person("person_1", "person_1"), "related_person[account]", "resource_missing", "No such account: 'person_1'"},
		{"a related_person person that is not a person_ ID", person("acct_1", "acct_1"), "related_person[person]", "resource_missing", "No such person: 'acct_1'"},
		{"well-formed related IDs", person("acct_1Nv0FGQ9RKHgCVdK", "person_1Nv0FGQ9RKHgCVdK"), "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			_, err := h.sc.V1IdentityVerificationSessions.Create(context.Background(), tt.params)
			if tt.param == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			se := stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, tt.code, tt.param)
			if tt.msg != "" && se.Msg != tt.msg {
				t.Errorf("message %q, want %q", se.Msg, tt.msg)
			}
			if n := countRows(t, h, "sessions"); n != 0 {
				t.Errorf("%d sessions made by a refused create", n)
			}
		})
	}
}

func TestUpdateRefusesMalformedProvidedDetails(t *testing.T) {
	h := newHarness(t)
	vs := h.create(t, nil)
	_, err := h.sc.V1IdentityVerificationSessions.Update(context.Background(), vs.ID, &stripe.IdentityVerificationSessionUpdateParams{
		ProvidedDetails: &stripe.IdentityVerificationSessionUpdateProvidedDetailsParams{Email: stripe.String("nope")}})
	stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, "email_invalid", "provided_details[email]")
	_, err = h.sc.V1IdentityVerificationSessions.Update(context.Background(), vs.ID, &stripe.IdentityVerificationSessionUpdateParams{
		ProvidedDetails: &stripe.IdentityVerificationSessionUpdateProvidedDetailsParams{Phone: stripe.String("555")}})
	stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, "", "provided_details[phone]")
}
