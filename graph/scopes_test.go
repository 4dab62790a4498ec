package graph

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/identity"
)

// verified is a verified session as Stripe returns it for the expansions
// asked: sensitive fields only when expanded by name.
func verified(id string, expand []*string) *stripe.IdentityVerificationSession {
	s := session(id)
	s.Status = stripe.IdentityVerificationSessionStatusVerified
	has := func(p string) bool {
		for _, e := range expand {
			if *e == p {
				return true
			}
		}
		return false
	}
	if has("verified_outputs") || has("verified_outputs.dob") || has("verified_outputs.id_number") {
		s.VerifiedOutputs = &stripe.IdentityVerificationSessionVerifiedOutputs{FirstName: "Jenny", LastName: "Rosen"}
		if has("verified_outputs.dob") {
			s.VerifiedOutputs.DOB = &stripe.IdentityVerificationSessionVerifiedOutputsDOB{Day: 2, Month: 3, Year: 1990}
		}
		if has("verified_outputs.id_number") {
			s.VerifiedOutputs.IDNumber = "123-45-6789"
		}
	}
	s.LastVerificationReport = &stripe.IdentityVerificationReport{ID: "vr_1"}
	if has("last_verification_report") || has("last_verification_report.document.number") {
		s.LastVerificationReport.Created = testCreated
		s.LastVerificationReport.Document = &stripe.IdentityVerificationReportDocument{Status: "verified", FirstName: "Jenny"}
		if has("last_verification_report.document.number") {
			s.LastVerificationReport.Document.Number = "D1234567"
		}
	}
	return s
}

// sensitiveFake answers retrieves as Stripe would, and fails the call that
// asks for sensitive fields with refuse, when set.
func sensitiveFake(t *testing.T, refuse error) *fakeClient {
	f := newFake(t)
	f.RetrieveFunc = func(_ context.Context, id string, p *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		for _, e := range p.Expand {
			if refuse != nil && (strings.Contains(*e, "dob") || strings.Contains(*e, "number")) {
				return nil, refuse
			}
		}
		return verified(id, p.Expand), nil
	}
	return f
}

const outputsQuery = `{ verificationSession(id: "vs_1") {
	status
	verifiedOutputs { firstName dob { year } idNumber }
	lastVerificationReport { document { firstName number } }
} }`

func asUser(fake identity.Client, scopes ...string) *client.Client {
	p := auth.Principal{Kind: auth.EndUser, Subject: "user_1", Scopes: scopes}
	return client.New(asCaller(NewHandler(fake, discardLogger(), Options{}), p))
}

// errorsAt maps each error's path to its code.
func errorsAt(r result) map[string]string {
	out := map[string]string{}
	for _, e := range r.Errors {
		b, _ := json.Marshal(e.Path)
		out[string(b)] = e.code()
	}
	return out
}

// sensitiveNull is outputsQuery's answer with the sensitive fields null.
const sensitiveNull = `{"verificationSession":{"status":"VERIFIED","verifiedOutputs":{"firstName":"Jenny","dob":null,"idNumber":null},"lastVerificationReport":{"document":{"firstName":"Jenny","number":null}}}}`

// sensitiveErrors is code at each sensitive field of outputsQuery.
func sensitiveErrors(code string) map[string]string {
	return map[string]string{
		`["verificationSession","verifiedOutputs","dob"]`:                      code,
		`["verificationSession","verifiedOutputs","idNumber"]`:                 code,
		`["verificationSession","lastVerificationReport","document","number"]`: code,
	}
}

func TestScopesGuardPersonalData(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		refuse error
		// want is the data; wantErrors the code at each failing path.
		want       string
		wantErrors map[string]string
		wantCalls  int
		message    string // a substring of every error's message
	}{
		{
			name:      "without read_outputs, outputs and report are FORBIDDEN and nothing is fetched for them",
			wantCalls: 1,
			want:      `{"verificationSession":{"status":"VERIFIED","verifiedOutputs":null,"lastVerificationReport":null}}`,
			wantErrors: map[string]string{
				`["verificationSession","verifiedOutputs"]`:        "FORBIDDEN",
				`["verificationSession","lastVerificationReport"]`: "FORBIDDEN",
			},
			message: "identity:read_outputs",
		},
		{
			name:       "with read_outputs only, names arrive and sensitive fields are FORBIDDEN without a call",
			scopes:     []string{auth.ScopeReadOutputs},
			wantCalls:  1,
			want:       sensitiveNull,
			wantErrors: sensitiveErrors("FORBIDDEN"),
			message:    "identity:read_sensitive",
		},
		{
			name:      "with both scopes, dob, idNumber and the document number arrive from their own call",
			scopes:    []string{auth.ScopeReadOutputs, auth.ScopeReadSensitive},
			wantCalls: 2,
			want:      `{"verificationSession":{"status":"VERIFIED","verifiedOutputs":{"firstName":"Jenny","dob":{"year":1990},"idNumber":"123-45-6789"},"lastVerificationReport":{"document":{"firstName":"Jenny","number":"D1234567"}}}}`,
		},
		{
			name:       "Stripe's 403 to a secret key fails only the sensitive fields, naming the fix",
			scopes:     []string{auth.ScopeReadOutputs, auth.ScopeReadSensitive},
			refuse:     stripeErr(403, stripe.ErrorTypeInvalidRequest, "", "", "You cannot expand verified_outputs.dob with a secret key"),
			wantCalls:  2,
			want:       sensitiveNull,
			wantErrors: sensitiveErrors("FORBIDDEN"),
			message:    "restricted API key",
		},
		{
			name:       "Stripe's 403 past the 48-hour window says so",
			scopes:     []string{auth.ScopeReadOutputs, auth.ScopeReadSensitive},
			refuse:     stripeErr(403, stripe.ErrorTypeInvalidRequest, "", "", "Sensitive verification results are only available for 48 hours unless the key is IP restricted"),
			wantCalls:  2,
			want:       sensitiveNull,
			wantErrors: sensitiveErrors("FORBIDDEN"),
			message:    "48 hours",
		},
		{
			name:       "Stripe down for the sensitive call is UPSTREAM_UNAVAILABLE on those fields only",
			scopes:     []string{auth.ScopeReadOutputs, auth.ScopeReadSensitive},
			refuse:     stripeErr(503, stripe.ErrorTypeAPI, "", "", "down"),
			wantCalls:  2,
			want:       sensitiveNull,
			wantErrors: sensitiveErrors("UPSTREAM_UNAVAILABLE"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := sensitiveFake(t, tt.refuse)
			r := do(t, asUser(fake, tt.scopes...), outputsQuery)
			var got, want any
			if json.Unmarshal(r.Data, &got) != nil || json.Unmarshal([]byte(tt.want), &want) != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("data = %s\nwant   %s", r.Data, tt.want)
			}
			at := errorsAt(r)
			if len(at) != len(tt.wantErrors) {
				t.Errorf("errors = %v, want %v", at, tt.wantErrors)
			}
			for path, code := range tt.wantErrors {
				if at[path] != code {
					t.Errorf("error at %s = %q, want %q (%s)", path, at[path], code, r.Body)
				}
			}
			for _, e := range r.Errors {
				if !strings.Contains(e.Message, tt.message) {
					t.Errorf("message %q lacks %q", e.Message, tt.message)
				}
				if strings.Contains(e.Message, "secret key") && tt.refuse != nil && strings.Contains(e.Message, "You cannot") {
					t.Errorf("Stripe's own message reached the client: %q", e.Message)
				}
			}
			if n := len(fake.Calls()); n != tt.wantCalls {
				t.Errorf("%d Stripe calls (%v), want %d", n, ops(fake.Calls()), tt.wantCalls)
			}
		})
	}
}

// A zero principal (no authentication middleware ran) reads nothing
// personal: the directives fail closed.
func TestScopesFailClosedWithoutAPrincipal(t *testing.T) {
	fake := sensitiveFake(t, nil)
	c := client.New(NewHandler(fake, discardLogger(), Options{}))
	r := do(t, c, outputsQuery)
	if got := errorsAt(r)[`["verificationSession","verifiedOutputs"]`]; got != "FORBIDDEN" {
		t.Errorf("verifiedOutputs error = %q, want FORBIDDEN: %s", got, r.Body)
	}
}

// In production, end users cannot read the schema; server keys can.
func TestProductionHidesTheSchemaFromEndUsers(t *testing.T) {
	h := NewHandler(newFake(t), discardLogger(), Options{Production: true})
	user := asCaller(h, auth.Principal{Kind: auth.EndUser, Subject: "u"})
	server := asCaller(h, auth.Principal{Kind: auth.Server})

	_, r := doHTTP(t, user, `{ __schema { queryType { name } } }`, nil)
	if len(r.Errors) == 0 {
		t.Errorf("an end user introspected the schema in production: %s", r.Body)
	}
	_, r = doHTTP(t, server, `{ __schema { queryType { name } } }`, nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"Query"`) {
		t.Errorf("a server key could not introspect: %s", r.Body)
	}

	// A misspelt field: suggestions would reveal field names.
	_, r = doHTTP(t, user, `{ verificationSession(id: "vs_1") { statu } }`, nil)
	if len(r.Errors) == 0 || strings.Contains(r.Body, "Did you mean") {
		t.Errorf("an end user got suggestions in production: %s", r.Body)
	}
	_, r = doHTTP(t, server, `{ verificationSession(id: "vs_1") { statu } }`, nil)
	if !strings.Contains(r.Body, "Did you mean") {
		t.Errorf("a server key got no suggestion: %s", r.Body)
	}
}
