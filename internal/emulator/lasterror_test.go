package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/idgraph/idgraph/internal/emulator/hostedpage"
	"github.com/stripe/stripe-go/v85"
)

// The catalogue is the one list of last_error codes; it holds exactly the
// spec's codes, each with the check whose report error enum holds it, and
// the codes of no check are the failures of the user's session.
func TestLastErrorCatalogueMatchesTheSpec(t *testing.T) {
	doc := openAPISpec(t)
	enum := func(schema string) []string {
		var out []string
		for _, v := range doc.Components.Schemas[schema].Value.Properties["code"].Value.Enum {
			out = append(out, v.(string))
		}
		sort.Strings(out)
		return out
	}
	var all []string
	byCheck := map[string][]string{}
	for _, c := range lastErrorCodes {
		if c.Reason == "" {
			t.Errorf("%s has no reason", c.Code)
		}
		all = append(all, c.Code)
		byCheck[c.Check] = append(byCheck[c.Check], c.Code)
	}
	sort.Strings(all)
	if want := enum("gelato_session_last_error"); !slices.Equal(all, want) {
		t.Errorf("catalogue codes %v,\nspec's last_error codes %v", all, want)
	}
	inReports := map[string]bool{}
	for _, check := range []string{checkDocument, checkIDNumber, checkSelfie, checkEmail, checkPhone} {
		want := enum("gelato_" + check + "_report_error")
		got := slices.Clone(byCheck[check])
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("codes of the %s check %v, spec's gelato_%s_report_error %v", check, got, check, want)
		}
		for _, c := range want {
			inReports[c] = true
		}
	}
	for _, c := range byCheck[""] {
		if inReports[c] {
			t.Errorf("%s is a report's error code, not a failure of the user's session", c)
		}
	}
	for _, c := range all {
		if !inReports[c] && !slices.Contains(byCheck[""], c) {
			t.Errorf("%s belongs to no check and is not a session failure", c)
		}
	}
}

// The hosted page offers the failures that fit the session: those of the
// user's session, and those of the checks its type and options run.
func TestTheHostedPageOffersTheFailuresThatFitTheSession(t *testing.T) {
	session := []string{"consent_declined", "country_not_supported", "device_not_supported", "under_supported_age"}
	document := []string{"document_expired", "document_type_not_supported", "document_unverified_other"}
	idNumber := []string{"id_number_insufficient_document_data", "id_number_mismatch", "id_number_unverified_other"}
	selfie := []string{"selfie_document_missing_photo", "selfie_face_mismatch", "selfie_manipulated", "selfie_unverified_other"}
	email := []string{"email_unverified_other", "email_verification_declined"}
	phone := []string{"phone_unverified_other", "phone_verification_declined"}
	cat := func(lists ...[]string) []string {
		var out []string
		for _, l := range lists {
			out = append(out, l...)
		}
		sort.Strings(out)
		return out
	}
	docOpts := func(selfie, idNumber bool) *stripe.IdentityVerificationSessionCreateOptionsParams {
		return &stripe.IdentityVerificationSessionCreateOptionsParams{Document: &stripe.IdentityVerificationSessionCreateOptionsDocumentParams{
			RequireMatchingSelfie: stripe.Bool(selfie), RequireIDNumber: stripe.Bool(idNumber)}}
	}
	provided := &stripe.IdentityVerificationSessionCreateProvidedDetailsParams{Email: stripe.String("j@example.com"), Phone: stripe.String("+14155550100")}
	tests := []struct {
		name   string
		params *stripe.IdentityVerificationSessionCreateParams
		want   []string
	}{
		{"a document session", &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"), ProvidedDetails: provided},
			cat(session, document)},
		{"a document session with a selfie", &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"), Options: docOpts(true, false)},
			cat(session, document, selfie)},
		{"a document session with an ID number", &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"), Options: docOpts(false, true)},
			cat(session, document, idNumber)},
		{"an id_number session", &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number"), ProvidedDetails: provided},
			cat(session, idNumber)},
		{"a verification flow with an email and a phone number", &stripe.IdentityVerificationSessionCreateParams{VerificationFlow: stripe.String("vf_1"), ProvidedDetails: provided},
			cat(session, document, email, phone)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			vs := h.create(t, tt.params)
			page, err := h.e.SessionByToken(context.Background(), tokenOf(t, vs.URL))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range page.Failures {
				got = append(got, f.Code)
			}
			sort.Strings(got)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("failures %v,\nwant %v", got, tt.want)
			}
			// The page's own <select> offers those and no other.
			resp, err := http.Get(strings.Replace(vs.URL, "http://emu.test", h.srv.URL, 1))
			if err != nil {
				t.Fatal(err)
			}
			html, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			var options []string
			for _, m := range regexp.MustCompile(`<option value="([a-z_]+)">`).FindAllStringSubmatch(string(html), -1) {
				options = append(options, m[1])
			}
			sort.Strings(options)
			if !slices.Equal(options, tt.want) {
				t.Errorf("the page offers %v", options)
			}
			// A code that does not fit is refused.
			for _, c := range lastErrorCodes {
				if c.Code == codeAbandoned || slices.Contains(tt.want, c.Code) {
					continue
				}
				_, err := h.e.Submit(context.Background(), tokenOf(t, vs.URL), hostedpage.Outcome{ErrorCode: c.Code})
				if !errors.Is(err, hostedpage.ErrInvalidOutcome) {
					t.Errorf("Submit with %s: %v, want ErrInvalidOutcome", c.Code, err)
				}
			}
		})
	}
}

// A failure of the user's session (consent declined, no camera, a country
// or an age Stripe does not support) happens before anything is checked:
// the session goes back to requires_input at once, without processing, and
// no report says a document failed.
func TestSessionFailuresAreNotProcessed(t *testing.T) {
	for _, code := range []string{"consent_declined", "device_not_supported", "country_not_supported", "under_supported_age"} {
		t.Run(code, func(t *testing.T) {
			h := newHarness(t)
			vs := h.create(t, nil)
			page := h.submit(t, vs, code)
			if page.Status != "requires_input" {
				t.Fatalf("after submit: %q, want requires_input at once", page.Status)
			}
			got := h.retrieve(t, vs.ID, "last_verification_report")
			if got.Status != "requires_input" || got.LastError == nil || string(got.LastError.Code) != code || got.LastError.Reason == "" {
				t.Fatalf("status %q last_error %+v", got.Status, got.LastError)
			}
			if got.LastVerificationReport != nil || countRows(t, h, "reports") != 0 {
				t.Fatalf("a report was made: %+v", got.LastVerificationReport)
			}
			var types []string
			rows, err := h.e.db.Query(`SELECT type FROM events ORDER BY seq`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var typ string
				_ = rows.Scan(&typ)
				types = append(types, typ)
			}
			rows.Close()
			want := []string{"identity.verification_session.created", "identity.verification_session.requires_input"}
			if !slices.Equal(types, want) {
				t.Fatalf("events %v, want %v", types, want)
			}
			if got.URL == "" || got.URL == vs.URL {
				t.Errorf("no new url for another try: %q", got.URL)
			}
		})
	}
}
