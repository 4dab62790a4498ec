package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/stripemock"
)

// TestAgainstStripeMock runs every query and mutation through the whole
// server against stripe-mock, which validates each request against Stripe's
// OpenAPI spec (unknown params, bad enum values, bad expansions are
// rejected) and answers with Stripe's fixtures: proof that idgraph's
// stripe-go calls are ones Stripe accepts and that their answers decode.
//
// Two documented Stripe behaviours are left to the emulator's tests because
// stripe-mock's validator is stricter than Stripe: clearing all metadata with
// an empty `metadata` (the spec's description allows it, its schema type
// does not), and expanding the sensitive results that are not objects
// (verified_outputs.id_number, .sex, .unparsed_*, and the report's
// document.number and .sex, id_number.id_number): Stripe's "Access
// verification results" guide names them as expand properties, while
// stripe-mock, which expands only the spec's x-expandableFields, answers
// them with an internal error. The dates of birth, which are objects, are
// expanded here.
func TestAgainstStripeMock(t *testing.T) {
	url, key := serveOnStripeMock(t)

	const full = `id clientReferenceId clientSecret created livemode status type url verificationFlow
		lastError { code reason } metadata { key value } redaction { status }
		relatedCustomer relatedCustomerAccount relatedPerson { account person }
		options { document { allowedTypes requireIdNumber requireLiveCapture requireMatchingSelfie }
			email { requireVerification } phone { requireVerification } idNumber matching { dob name } }`
	const expanded = full + `
		providedDetails { email phone }
		verifiedOutputs { firstName lastName email phone dob { day month year } idNumberType
			address { line1 line2 city state postalCode country } }
		lastVerificationReport { id created type document { status error { code reason } type firstName dob { year } }
			idNumber { status } selfie { status } email { status } phone { status } }`

	tests := []struct {
		name  string
		query string
		vars  map[string]any
		// want are substrings of the response's data.
		want []string
	}{
		{
			name:  "a session is retrieved with every field and every expansion",
			query: `query($id: ID!) { verificationSession(id: $id) { ` + expanded + ` } }`,
			vars:  map[string]any{"id": "vs_1Pgc76B7WZ01zgkWBdQi8PTU"},
			want:  []string{`"id":"vs_`, `"status":"`, `"created":"`},
		},
		{
			name:  "a session is fetched as a node",
			query: `query($id: ID!) { node(id: $id) { id ... on VerificationSession { status verifiedOutputs { firstName dob { year } } } } }`,
			vars:  map[string]any{"id": "vs_123"},
			want:  []string{`"node":{"id":"vs_`},
		},
		{
			name:  "several sessions are fetched as nodes",
			query: `{ nodes(ids: ["vs_1", "vs_2", "vs_1"]) { id } }`,
			want:  []string{`"nodes":[{"id":"vs_`},
		},
		{
			name: "a page of sessions is listed with every filter",
			query: `{ verificationSessions(first: 5, filter: {clientReferenceId: "user_1", status: VERIFIED,
				created: {gt: "2026-01-01T00:00:00Z", gte: "2026-01-01T00:00:00Z", lt: "2027-01-01T00:00:00Z", lte: "2027-01-01T00:00:00Z"},
				relatedCustomer: "cus_123", relatedCustomerAccount: "acct_123"}) {
				edges { cursor node { ` + expanded + ` } } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
			want: []string{`"edges":[{"cursor":"`, `"pageInfo":{`},
		},
		{
			name: "a page is read backward from a cursor",
			query: `{ verificationSessions(last: 3, before: "c2Vzc2lvbjp2c18xMjM") {
				edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage } } }`,
			want: []string{`"hasNextPage":true`},
		},
		{
			name:  "a page is read forward from a cursor",
			query: `{ verificationSessions(first: 3, after: "c2Vzc2lvbjp2c18xMjM") { nodes { id } pageInfo { hasPreviousPage } } }`,
			want:  []string{`"hasPreviousPage":true`},
		},
		{
			name: "a session is created with every input",
			query: `mutation { createVerificationSession(input: {
				type: DOCUMENT, clientReferenceId: "user_1", returnUrl: "https://example.com/done",
				metadata: [{key: "plan", value: "pro"}, {key: "skip", value: ""}],
				options: {document: {allowedTypes: [PASSPORT, ID_CARD], requireIdNumber: true, requireLiveCapture: true, requireMatchingSelfie: true}},
				providedDetails: {email: "jenny@example.com", phone: "+14155550100"},
				relatedCustomer: "cus_123", relatedPerson: {account: "acct_123", person: "person_123"},
				idempotencyKey: "create-1"}) {
				verificationSession { ` + full + ` providedDetails { email } } userErrors { field message code } } }`,
			want: []string{`"userErrors":[]`, `"verificationSession":{"id":"vs_`},
		},
		{
			name: "a session is created from a verification flow",
			query: `mutation { createVerificationSession(input: {verificationFlow: "vf_123", relatedCustomerAccount: "acct_123"}) {
				verificationSession { id } userErrors { code } } }`,
			want: []string{`"userErrors":[]`},
		},
		{
			name: "a session is updated: metadata set and unset, options, provided details, type",
			query: `mutation { updateVerificationSession(input: {id: "vs_123", type: ID_NUMBER,
				metadata: [{key: "plan", value: "team"}, {key: "old", value: ""}, {key: "older", value: null}],
				options: {document: {allowedTypes: [DRIVING_LICENSE]}}, providedDetails: {email: "j@example.com"}, idempotencyKey: "update-1"}) {
				verificationSession { id metadata { key value } } userErrors { code } } }`,
			want: []string{`"userErrors":[]`},
		},
		{
			name:  "a session's document options are removed",
			query: `mutation { updateVerificationSession(input: {id: "vs_123", options: {document: null}}) { verificationSession { id } userErrors { code } } }`,
			want:  []string{`"userErrors":[]`},
		},
		{
			name:  "a session is canceled",
			query: `mutation { cancelVerificationSession(input: {id: "vs_123", idempotencyKey: "cancel-1"}) { verificationSession { id status } userErrors { code } } }`,
			want:  []string{`"userErrors":[]`},
		},
		{
			name:  "a session is redacted",
			query: `mutation { redactVerificationSession(input: {id: "vs_123"}) { verificationSession { id redaction { status } verifiedOutputs { firstName } } userErrors { code } } }`,
			want:  []string{`"userErrors":[]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := postGraphQLAs(t, url, key, tt.query, tt.vars)
			if len(resp.Errors) > 0 {
				t.Fatalf("errors: %s", resp.Errors)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(resp.Data), w) {
					t.Errorf("data lacks %s:\n%s", w, resp.Data)
				}
			}
		})
	}
}

// serveOnStripeMock starts stripe-mock and idgraph in front of it, and
// returns idgraph's base URL and a server API key that idgraph accepts.
func serveOnStripeMock(t *testing.T) (base, key string) {
	t.Helper()
	if testing.Short() {
		t.Skip("stripe-mock tests build and run stripe-mock; skipped with -short")
	}
	key, hash, err := auth.NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, map[string]string{"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_API_BASE": stripemock.Start(t), "IDGRAPH_API_KEY_SHA256": hash})
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	return srv.URL, key
}

// TestBadInputAgainstStripeMock checks that what a new user gets wrong
// comes back as a clear error with a code, never a 5xx.
func TestBadInputAgainstStripeMock(t *testing.T) {
	url, key := serveOnStripeMock(t)
	long := strings.Repeat("x", 41)
	tests := []struct {
		name  string
		query string
		// want is a substring of the whole response.
		want string
	}{
		{"a bad ID", `{ verificationSession(id: "cus_123") { id } }`, `"code":"BAD_USER_INPUT"`},
		{"an ID that would reach another path", `{ verificationSession(id: "vs_1/cancel") { id } }`, `"code":"BAD_USER_INPUT"`},
		{"a bad node ID", `{ node(id: "nope") { id } }`, `"code":"NOT_FOUND"`},
		{"first: 101", `{ verificationSessions(first: 101) { nodes { id } } }`, `"code":"BAD_USER_INPUT"`},
		{"first and last together", `{ verificationSessions(first: 1, last: 1, before: "x") { nodes { id } } }`, `"code":"BAD_USER_INPUT"`},
		{"an unknown enum value", `{ verificationSessions(filter: {status: DONE}) { nodes { id } } }`, `"code":"GRAPHQL_VALIDATION_FAILED"`},
		{"a malformed cursor", `{ verificationSessions(after: "not-a-cursor") { nodes { id } } }`, `"code":"BAD_USER_INPUT"`},
		// stripe-mock rejects an empty metadata (see TestAgainstStripeMock),
		// which makes it a real Stripe-side validation error to test with.
		{"a Stripe validation error", `mutation { updateVerificationSession(input: {id: "vs_123", metadata: []}) { verificationSession { id } userErrors { field code message } } }`, `"verificationSession":null,"userErrors":[{"field":null,"code":"`},
		{"a metadata rule", `mutation { createVerificationSession(input: {type: DOCUMENT, metadata: [{key: "` + long + `", value: "v"}]}) { userErrors { field code } } }`, `"userErrors":[{"field":["metadata","0","key"],"code":"INVALID"}]`},
		{"a mutation on a bad ID", `mutation { cancelVerificationSession(input: {id: "vs_"}) { userErrors { field code message } } }`, `"field":["id"],"code":"INVALID"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := postGraphQLAs(t, url, key, tt.query, nil)
			all := string(resp.Data) + string(resp.Errors)
			if !strings.Contains(all, tt.want) {
				t.Errorf("response lacks %s: data %s errors %s", tt.want, resp.Data, resp.Errors)
			}
		})
	}
}
