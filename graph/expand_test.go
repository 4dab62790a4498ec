package graph

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/identity"
)

// The selection set decides Stripe's expand[], in the one Stripe call the
// field makes, and, for Stripe's sensitive verification results, in a
// second call of their own.
func TestExpandFollowsTheSelection(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		vars      map[string]any
		op        string   // the main call expected
		expand    []string // sorted; nil: no expand parameter at all
		sensitive []string // the second call's expand; nil: no second call
	}{
		{
			name:  "scalars only send no expand parameter at all",
			query: `{ verificationSession(id: "vs_1") { id status type created metadata { key value } url clientSecret } }`,
			op:    "Retrieve",
		},
		{
			name:   "verifiedOutputs expands verified_outputs",
			query:  `{ verificationSession(id: "vs_1") { verifiedOutputs { firstName } } }`,
			op:     "Retrieve",
			expand: []string{"verified_outputs"},
		},
		{
			name:      "verifiedOutputs dob is expanded by name in a call of its own",
			query:     `{ verificationSession(id: "vs_1") { verifiedOutputs { dob { year } } } }`,
			op:        "Retrieve",
			expand:    []string{"verified_outputs"},
			sensitive: []string{"verified_outputs.dob"},
		},
		{
			name:      "verifiedOutputs idNumber is expanded by name in a call of its own",
			query:     `{ verificationSession(id: "vs_1") { verifiedOutputs { idNumber idNumberType } } }`,
			op:        "Retrieve",
			expand:    []string{"verified_outputs"},
			sensitive: []string{"verified_outputs.id_number"},
		},
		{
			name:      "every sensitive field of outputs and report is expanded by name",
			query:     `{ verificationSession(id: "vs_1") { verifiedOutputs { sex unparsedSex unparsedPlaceOfBirth } lastVerificationReport { document { number dob { year } sex } idNumber { dob { year } idNumber } } } }`,
			op:        "Retrieve",
			expand:    []string{"last_verification_report", "verified_outputs"},
			sensitive: []string{"last_verification_report.document.dob", "last_verification_report.document.number", "last_verification_report.document.sex", "last_verification_report.id_number.dob", "last_verification_report.id_number.id_number", "verified_outputs.sex", "verified_outputs.unparsed_place_of_birth", "verified_outputs.unparsed_sex"},
		},
		{
			name:   "providedDetails expands provided_details",
			query:  `{ verificationSession(id: "vs_1") { providedDetails { email phone } } }`,
			op:     "Retrieve",
			expand: []string{"provided_details"},
		},
		{
			name:  "lastVerificationReport id alone needs no expansion",
			query: `{ verificationSession(id: "vs_1") { lastVerificationReport { id } } }`,
			op:    "Retrieve",
		},
		{
			name:  "lastVerificationReport __typename alone needs no expansion",
			query: `{ verificationSession(id: "vs_1") { lastVerificationReport { __typename id } } }`,
			op:    "Retrieve",
		},
		{
			name:   "a report's document expands last_verification_report",
			query:  `{ verificationSession(id: "vs_1") { lastVerificationReport { document { status } } } }`,
			op:     "Retrieve",
			expand: []string{"last_verification_report"},
		},
		{
			name:   "a report's created expands last_verification_report",
			query:  `{ verificationSession(id: "vs_1") { lastVerificationReport { id created } } }`,
			op:     "Retrieve",
			expand: []string{"last_verification_report"},
		},
		{
			name: "everything at once",
			query: `{ verificationSession(id: "vs_1") {
				verifiedOutputs { dob { day } idNumber } providedDetails { email } lastVerificationReport { selfie { status } } } }`,
			op:        "Retrieve",
			expand:    []string{"last_verification_report", "provided_details", "verified_outputs"},
			sensitive: []string{"verified_outputs.dob", "verified_outputs.id_number"},
		},
		{
			name: "a named fragment counts",
			query: `query { verificationSession(id: "vs_1") { ...Outputs } }
				fragment Outputs on VerificationSession { verifiedOutputs { dob { year } } }`,
			op:        "Retrieve",
			expand:    []string{"verified_outputs"},
			sensitive: []string{"verified_outputs.dob"},
		},
		{
			name:   "an inline fragment counts",
			query:  `{ verificationSession(id: "vs_1") { ... on VerificationSession { providedDetails { phone } } } }`,
			op:     "Retrieve",
			expand: []string{"provided_details"},
		},
		{
			name:      "an alias counts by field name",
			query:     `{ s: verificationSession(id: "vs_1") { out: verifiedOutputs { n: idNumber } } }`,
			op:        "Retrieve",
			expand:    []string{"verified_outputs"},
			sensitive: []string{"verified_outputs.id_number"},
		},
		{
			name:  "@skip(if: true) from a variable removes the expansion",
			query: `query($s: Boolean!) { verificationSession(id: "vs_1") { id verifiedOutputs @skip(if: $s) { firstName } } }`,
			vars:  map[string]any{"s": true},
			op:    "Retrieve",
		},
		{
			name:  "@include(if: false) from a variable removes the expansion",
			query: `query($i: Boolean!) { verificationSession(id: "vs_1") { id providedDetails @include(if: $i) { email } } }`,
			vars:  map[string]any{"i": false},
			op:    "Retrieve",
		},
		{
			name:   "@include(if: true) keeps the expansion",
			query:  `query($i: Boolean!) { verificationSession(id: "vs_1") { id providedDetails @include(if: $i) { email } } }`,
			vars:   map[string]any{"i": true},
			op:     "Retrieve",
			expand: []string{"provided_details"},
		},
		{
			name: "@skip on a fragment spread removes its expansion",
			query: `query($s: Boolean!) { verificationSession(id: "vs_1") { id ...Out @skip(if: $s) } }
				fragment Out on VerificationSession { verifiedOutputs { firstName } }`,
			vars: map[string]any{"s": true},
			op:   "Retrieve",
		},
		{
			name:   "only the dob subfield skipped keeps verified_outputs",
			query:  `query($s: Boolean!) { verificationSession(id: "vs_1") { verifiedOutputs { firstName dob @skip(if: $s) { year } } } }`,
			vars:   map[string]any{"s": true},
			op:     "Retrieve",
			expand: []string{"verified_outputs"},
		},
		{
			name:   "node with an inline fragment expands",
			query:  `{ node(id: "vs_1") { id ... on VerificationSession { verifiedOutputs { firstName } } } }`,
			op:     "Retrieve",
			expand: []string{"verified_outputs"},
		},
		{
			name:  "node with only id expands nothing",
			query: `{ node(id: "vs_1") { id } }`,
			op:    "Retrieve",
		},
		{
			name:   "nodes expand for each ID the same way",
			query:  `{ nodes(ids: ["vs_1"]) { ... on VerificationSession { providedDetails { email } } } }`,
			op:     "Retrieve",
			expand: []string{"provided_details"},
		},
		{
			name:  "a list with scalars only sends no expand parameter",
			query: `{ verificationSessions { edges { cursor node { id status } } nodes { id } pageInfo { hasNextPage } } }`,
			op:    "List",
		},
		{
			name:      "a list expands edges' nodes with the data. prefix",
			query:     `{ verificationSessions { edges { node { verifiedOutputs { dob { year } } } } } }`,
			op:        "List",
			expand:    []string{"data.verified_outputs"},
			sensitive: []string{"data.verified_outputs.dob"},
		},
		{
			name:   "a list expands nodes with the data. prefix",
			query:  `{ verificationSessions { nodes { providedDetails { email } lastVerificationReport { email { status } } } } }`,
			op:     "List",
			expand: []string{"data.last_verification_report", "data.provided_details"},
		},
		{
			name: "a list's fragments on the connection count",
			query: `{ verificationSessions(first: 3) { ...Conn } }
				fragment Conn on VerificationSessionConnection { edges { node { ... on VerificationSession { verifiedOutputs { idNumber } } } } }`,
			op:        "List",
			expand:    []string{"data.verified_outputs"},
			sensitive: []string{"data.verified_outputs.id_number"},
		},
		{
			name:   "create expands what its payload selects, in the same call",
			query:  `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id providedDetails { email } } userErrors { code } } }`,
			op:     "Create",
			expand: []string{"provided_details"},
		},
		{
			name:  "create with scalars only sends no expand parameter",
			query: `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id url clientSecret } } }`,
			op:    "Create",
		},
		{
			name:      "update expands what its payload selects, and reads sensitive fields after",
			query:     `mutation { updateVerificationSession(input: {id: "vs_1"}) { verificationSession { verifiedOutputs { dob { year } } } } }`,
			op:        "Update",
			expand:    []string{"verified_outputs"},
			sensitive: []string{"verified_outputs.dob"},
		},
		{
			name:   "cancel expands what its payload selects",
			query:  `mutation { cancelVerificationSession(input: {id: "vs_1"}) { verificationSession { lastVerificationReport { document { status } } } } }`,
			op:     "Cancel",
			expand: []string{"last_verification_report"},
		},
		{
			name:   "redact expands what its payload selects",
			query:  `mutation { redactVerificationSession(input: {id: "vs_1"}) { verificationSession { providedDetails { email } } } }`,
			op:     "Redact",
			expand: []string{"provided_details"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := allOK(t)
			r := do(t, newTestClient(t, fake), tt.query, vars(tt.vars)...)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %s", r.Body)
			}
			calls := fake.Calls()
			want := 1
			if tt.sensitive != nil {
				want = 2
			}
			if len(calls) != want {
				t.Fatalf("calls = %v, want %d", ops(calls), want)
			}
			// The sensitive call runs beside a read: find the main one.
			main := slices.IndexFunc(calls, func(c call) bool { return c.op == tt.op && reflect.DeepEqual(expandOf(t, c.params), tt.expand) })
			if main < 0 {
				t.Fatalf("no %s with expand %q among %v", tt.op, tt.expand, ops(calls))
			}
			if _, sent := wire(calls[main].params)["expand[0]"]; sent != (tt.expand != nil) {
				t.Errorf("expand on the wire: %t, want %t (%v)", sent, tt.expand != nil, wire(calls[main].params))
			}
			if tt.sensitive != nil {
				other := calls[1-main]
				if got := expandOf(t, other.params); !reflect.DeepEqual(got, tt.sensitive) {
					t.Errorf("sensitive call %s expand = %q, want %q", other.op, got, tt.sensitive)
				}
			}
		})
	}
}

// allOK is a fake on which every call succeeds with a plain session.
func allOK(t *testing.T) *fakeClient {
	t.Helper()
	f := newFake(t).retrieveOK()
	ok := func(id string) (*stripe.IdentityVerificationSession, error) {
		if id == "" {
			id = "vs_new"
		}
		return session(id), nil
	}
	f.CreateFunc = func(context.Context, *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
		return ok("")
	}
	f.UpdateFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
		return ok(id)
	}
	f.CancelFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
		return ok(id)
	}
	f.RedactFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
		return ok(id)
	}
	f.ListFunc = func(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
		return identity.Page{Sessions: sessions("vs_2", "vs_1")}, nil
	}
	return f
}

// Two root fields are two calls, each with its own expansion.
func TestExpandIsPerField(t *testing.T) {
	fake := allOK(t)
	r := do(t, newTestClient(t, fake), `{
		a: verificationSession(id: "vs_a") { verifiedOutputs { firstName } }
		b: verificationSession(id: "vs_b") { id }
	}`)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	got := map[string][]string{}
	for _, c := range fake.Calls() {
		got[c.id] = expandOf(t, c.params)
	}
	want := map[string][]string{"vs_a": {"verified_outputs"}, "vs_b": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("expand by session = %v, want %v", got, want)
	}
}
