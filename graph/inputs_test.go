package graph

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/stripe/stripe-go/v85"
)

const (
	createMutation = `mutation($in: CreateVerificationSessionInput!) {
		createVerificationSession(input: $in) { verificationSession { id } userErrors { field message code } } }`
	updateMutation = `mutation($in: UpdateVerificationSessionInput!) {
		updateVerificationSession(input: $in) { verificationSession { id } userErrors { field message code } } }`
)

// userError is a userError as the tests compare it.
type userError struct {
	Field []string `json:"field"`
	Code  string   `json:"code"`
}

// payloadErrors runs a mutation and returns its payload's userErrors,
// failing on GraphQL errors.
func payloadErrors(t *testing.T, c *client.Client, mutation, field string, in map[string]any) []userError {
	t.Helper()
	r := do(t, c, mutation, client.Var("in", in))
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Body)
	}
	var d map[string]struct {
		VerificationSession *struct{ ID string } `json:"verificationSession"`
		UserErrors          []struct {
			userError
			Message string `json:"message"`
		} `json:"userErrors"`
	}
	decode(t, r.Data, &d)
	p := d[field]
	out := []userError{}
	for _, u := range p.UserErrors {
		out = append(out, u.userError)
		if u.Message == "" {
			t.Errorf("userError %v has no message", u.userError)
		}
	}
	if (p.VerificationSession == nil) == (len(out) == 0) {
		t.Errorf("verificationSession = %v with userErrors %v: exactly one must be set", p.VerificationSession, out)
	}
	return out
}

func TestCreateMapsInputToParams(t *testing.T) {
	tests := []struct {
		name    string
		in      map[string]any
		want    map[string][]string
		wantKey *string // params.IdempotencyKey
	}{
		{
			name: "type alone",
			in:   map[string]any{"type": "DOCUMENT"},
			want: map[string][]string{"type": {"document"}},
		},
		{
			name: "type ID_NUMBER is id_number",
			in:   map[string]any{"type": "ID_NUMBER"},
			want: map[string][]string{"type": {"id_number"}},
		},
		{
			name: "verificationFlow without type",
			in:   map[string]any{"verificationFlow": "vf_123"},
			want: map[string][]string{"verification_flow": {"vf_123"}},
		},
		{
			name: "every field",
			in: map[string]any{
				"type":              "DOCUMENT",
				"clientReferenceId": "user_42",
				"metadata": []any{
					map[string]any{"key": "plan", "value": "pro"},
					map[string]any{"key": "team", "value": "growth"},
				},
				"options": map[string]any{"document": map[string]any{
					"allowedTypes":          []any{"PASSPORT", "DRIVING_LICENSE", "ID_CARD"},
					"requireIdNumber":       true,
					"requireLiveCapture":    false,
					"requireMatchingSelfie": true,
				}},
				"providedDetails":        map[string]any{"email": "jenny@example.com", "phone": "+15555550100"},
				"relatedCustomer":        "cus_1",
				"relatedCustomerAccount": "acct_1",
				"relatedPerson":          map[string]any{"account": "acct_2", "person": "person_1"},
				"returnUrl":              "https://example.com/done?x=1",
				"idempotencyKey":         "key-1",
			},
			want: map[string][]string{
				"type":                                       {"document"},
				"client_reference_id":                        {"user_42"},
				"metadata[plan]":                             {"pro"},
				"metadata[team]":                             {"growth"},
				"options[document][allowed_types][0]":        {"passport"},
				"options[document][allowed_types][1]":        {"driving_license"},
				"options[document][allowed_types][2]":        {"id_card"},
				"options[document][require_id_number]":       {"true"},
				"options[document][require_live_capture]":    {"false"},
				"options[document][require_matching_selfie]": {"true"},
				"provided_details[email]":                    {"jenny@example.com"},
				"provided_details[phone]":                    {"+15555550100"},
				"related_customer":                           {"cus_1"},
				"related_customer_account":                   {"acct_1"},
				"related_person[account]":                    {"acct_2"},
				"related_person[person]":                     {"person_1"},
				"return_url":                                 {"https://example.com/done?x=1"},
			},
			wantKey: strp("key-1"),
		},
		{
			name: "metadata entries with empty or null values are skipped on create",
			in: map[string]any{"type": "DOCUMENT", "metadata": []any{
				map[string]any{"key": "a", "value": ""},
				map[string]any{"key": "b", "value": nil},
				map[string]any{"key": "c"},
				map[string]any{"key": "d", "value": "kept"},
			}},
			want: map[string][]string{"type": {"document"}, "metadata[d]": {"kept"}},
		},
		{
			name: "an empty metadata list sends no metadata",
			in:   map[string]any{"type": "DOCUMENT", "metadata": []any{}},
			want: map[string][]string{"type": {"document"}},
		},
		{
			name: "empty document options send only what was given",
			in:   map[string]any{"type": "DOCUMENT", "options": map[string]any{"document": map[string]any{"requireLiveCapture": true}}},
			want: map[string][]string{"type": {"document"}, "options[document][require_live_capture]": {"true"}},
		},
		{
			name: "providedDetails with email only",
			in:   map[string]any{"type": "DOCUMENT", "providedDetails": map[string]any{"email": "a@example.com"}},
			want: map[string][]string{"type": {"document"}, "provided_details[email]": {"a@example.com"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := allOK(t)
			if ue := payloadErrors(t, newTestClient(t, fake), createMutation, "createVerificationSession", tt.in); len(ue) > 0 {
				t.Fatalf("userErrors = %v", ue)
			}
			calls := fake.Calls()
			if len(calls) != 1 || calls[0].op != "Create" {
				t.Fatalf("calls = %v, want one Create", ops(calls))
			}
			p := calls[0].params.(*stripe.IdentityVerificationSessionCreateParams)
			if got := wire(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Stripe params:\n got %v\nwant %v", got, tt.want)
			}
			checkIdempotencyKeySent(t, p.IdempotencyKey, tt.wantKey)
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%q", *s)
}

func TestCreateWithNullDocumentOptionsUnsetsThem(t *testing.T) {
	fake := allOK(t)
	in := map[string]any{"type": "DOCUMENT", "options": map[string]any{"document": nil}}
	if ue := payloadErrors(t, newTestClient(t, fake), createMutation, "createVerificationSession", in); len(ue) > 0 {
		t.Fatalf("userErrors = %v", ue)
	}
	p := fake.Calls()[0].params.(*stripe.IdentityVerificationSessionCreateParams)
	if p.Options == nil || !slices.Contains(p.Options.UnsetFields, stripe.IdentityVerificationSessionCreateOptionsParamsUnsetFieldDocument) {
		t.Errorf("options = %+v, want UnsetFields with document", p.Options)
	}
}

func TestUpdateMapsInputToParams(t *testing.T) {
	tests := []struct {
		name      string
		in        map[string]any
		want      map[string][]string
		wantKey   *string
		wantUnset bool // options.UnsetFields holds document
	}{
		{
			name: "metadata left out sends no metadata at all",
			in:   map[string]any{"id": "vs_1"},
			want: map[string][]string{},
		},
		{
			name: "an empty metadata list clears every key",
			in:   map[string]any{"id": "vs_1", "metadata": []any{}},
			want: map[string][]string{"metadata": {""}},
		},
		{
			name: "null metadata clears every key",
			in:   map[string]any{"id": "vs_1", "metadata": nil},
			want: map[string][]string{"metadata": {""}},
		},
		{
			name: "an entry sets its key and leaves the others alone",
			in:   map[string]any{"id": "vs_1", "metadata": []any{map[string]any{"key": "plan", "value": "pro"}}},
			want: map[string][]string{"metadata[plan]": {"pro"}},
		},
		{
			name: "an entry with an empty value unsets its key",
			in:   map[string]any{"id": "vs_1", "metadata": []any{map[string]any{"key": "plan", "value": ""}}},
			want: map[string][]string{"metadata[plan]": {""}},
		},
		{
			name: "an entry with a null value unsets its key",
			in:   map[string]any{"id": "vs_1", "metadata": []any{map[string]any{"key": "plan", "value": nil}}},
			want: map[string][]string{"metadata[plan]": {""}},
		},
		{
			name: "an entry without a value unsets its key",
			in: map[string]any{"id": "vs_1", "metadata": []any{
				map[string]any{"key": "plan"}, map[string]any{"key": "team", "value": "a"}}},
			want: map[string][]string{"metadata[plan]": {""}, "metadata[team]": {"a"}},
		},
		{
			name:      "null document options are unset",
			in:        map[string]any{"id": "vs_1", "options": map[string]any{"document": nil}},
			want:      map[string][]string{},
			wantUnset: true,
		},
		{
			name: "options without document change nothing",
			in:   map[string]any{"id": "vs_1", "options": map[string]any{}},
			want: map[string][]string{},
		},
		{
			name: "document options with allowed types lower-cased",
			in: map[string]any{"id": "vs_1", "options": map[string]any{"document": map[string]any{
				"allowedTypes": []any{"ID_CARD", "PASSPORT"}, "requireMatchingSelfie": false}}},
			want: map[string][]string{
				"options[document][allowed_types][0]":        {"id_card"},
				"options[document][allowed_types][1]":        {"passport"},
				"options[document][require_matching_selfie]": {"false"},
			},
		},
		{
			name: "type ID_NUMBER is id_number",
			in:   map[string]any{"id": "vs_1", "type": "ID_NUMBER"},
			want: map[string][]string{"type": {"id_number"}},
		},
		{
			name: "providedDetails map to provided_details",
			in:   map[string]any{"id": "vs_1", "providedDetails": map[string]any{"email": "e@example.com", "phone": "+15555550100"}},
			want: map[string][]string{"provided_details[email]": {"e@example.com"}, "provided_details[phone]": {"+15555550100"}},
		},
		{
			name:    "idempotencyKey goes to the header, not the body",
			in:      map[string]any{"id": "vs_1", "idempotencyKey": "k-2"},
			want:    map[string][]string{},
			wantKey: strp("k-2"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := allOK(t)
			if ue := payloadErrors(t, newTestClient(t, fake), updateMutation, "updateVerificationSession", tt.in); len(ue) > 0 {
				t.Fatalf("userErrors = %v", ue)
			}
			calls := fake.Calls()
			if len(calls) != 1 || calls[0].op != "Update" || calls[0].id != "vs_1" {
				t.Fatalf("calls = %v, want one Update vs_1", ops(calls))
			}
			p := calls[0].params.(*stripe.IdentityVerificationSessionUpdateParams)
			if got := wire(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Stripe params:\n got %v\nwant %v", got, tt.want)
			}
			checkIdempotencyKeySent(t, p.IdempotencyKey, tt.wantKey)
			unset := p.Options != nil && slices.Contains(p.Options.UnsetFields, stripe.IdentityVerificationSessionUpdateOptionsParamsUnsetFieldDocument)
			if unset != tt.wantUnset {
				t.Errorf("options[document] unset = %t, want %t", unset, tt.wantUnset)
			}
		})
	}
}

func TestCancelAndRedactSendTheIdempotencyKey(t *testing.T) {
	for _, m := range []string{"cancel", "redact"} {
		t.Run(m+" sends its idempotency key as a header and nothing in the body", func(t *testing.T) {
			fake := allOK(t)
			r := do(t, newTestClient(t, fake), fmt.Sprintf(`mutation {
				%sVerificationSession(input: {id: "vs_1", idempotencyKey: "k-3"}) { verificationSession { id status } userErrors { code } } }`, m))
			wantCodes(t, r)
			calls := fake.Calls()
			if len(calls) != 1 || calls[0].id != "vs_1" || !strings.EqualFold(calls[0].op, m) {
				t.Fatalf("calls = %v, want one %s vs_1", ops(calls), m)
			}
			var key *string
			switch p := calls[0].params.(type) {
			case *stripe.IdentityVerificationSessionCancelParams:
				key = p.IdempotencyKey
			case *stripe.IdentityVerificationSessionRedactParams:
				key = p.IdempotencyKey
			}
			if key == nil || *key != "k-3" {
				t.Errorf("IdempotencyKey = %s, want \"k-3\"", deref(key))
			}
			if w := wire(calls[0].params); len(w) != 0 {
				t.Errorf("body = %v, want empty", w)
			}
		})
	}
}

// Input that Stripe would reject is reported precisely, before any call.
func TestMutationInputRules(t *testing.T) {
	entries := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"key": fmt.Sprintf("k%d", i), "value": "v"}
		}
		return out
	}
	withEntry := func(i int, e map[string]any) []any {
		out := entries(5)
		out[i] = e
		return out
	}
	tests := []struct {
		name string
		in   map[string]any // the update input without id; also run as create input with type DOCUMENT
		want []userError    // nil: accepted
	}{
		{"51 metadata entries are too many", map[string]any{"metadata": entries(51)},
			[]userError{{Field: []string{"metadata"}, Code: "INVALID"}}},
		{"50 metadata entries are allowed", map[string]any{"metadata": entries(50)}, nil},
		{"a 41-character key is too long", map[string]any{"metadata": withEntry(2, map[string]any{"key": strings.Repeat("k", 41), "value": "v"})},
			[]userError{{Field: []string{"metadata", "2", "key"}, Code: "INVALID"}}},
		{"a 40-character key is allowed", map[string]any{"metadata": withEntry(2, map[string]any{"key": strings.Repeat("k", 40), "value": "v"})}, nil},
		{"40 two-byte characters are 40 characters", map[string]any{"metadata": withEntry(2, map[string]any{"key": strings.Repeat("é", 40), "value": "v"})}, nil},
		{"a key with [ is rejected", map[string]any{"metadata": withEntry(3, map[string]any{"key": "a[b", "value": "v"})},
			[]userError{{Field: []string{"metadata", "3", "key"}, Code: "INVALID"}}},
		{"a key with ] is rejected", map[string]any{"metadata": withEntry(3, map[string]any{"key": "a]", "value": "v"})},
			[]userError{{Field: []string{"metadata", "3", "key"}, Code: "INVALID"}}},
		{"an empty key is rejected", map[string]any{"metadata": withEntry(0, map[string]any{"key": "", "value": "v"})},
			[]userError{{Field: []string{"metadata", "0", "key"}, Code: "INVALID"}}},
		{"a 501-character value is too long", map[string]any{"metadata": withEntry(4, map[string]any{"key": "long", "value": strings.Repeat("v", 501)})},
			[]userError{{Field: []string{"metadata", "4", "value"}, Code: "INVALID"}}},
		{"a 500-character value is allowed", map[string]any{"metadata": withEntry(4, map[string]any{"key": "long", "value": strings.Repeat("v", 500)})}, nil},
		{"a duplicate key points at its second entry", map[string]any{"metadata": withEntry(3, map[string]any{"key": "k1", "value": "again"})},
			[]userError{{Field: []string{"metadata", "3", "key"}, Code: "INVALID"}}},
		{"type UNKNOWN cannot be requested", map[string]any{"type": "UNKNOWN"},
			[]userError{{Field: []string{"type"}, Code: "INVALID"}}},
		{"type VERIFICATION_FLOW cannot be requested", map[string]any{"type": "VERIFICATION_FLOW"},
			[]userError{{Field: []string{"type"}, Code: "INVALID"}}},
		{"a 255-character idempotency key is allowed", map[string]any{"idempotencyKey": strings.Repeat("k", 255)}, nil},
		{"a 256-character idempotency key is too long for Stripe", map[string]any{"idempotencyKey": strings.Repeat("k", 256)},
			[]userError{{Field: []string{"idempotencyKey"}, Code: "INVALID"}}},
		{"an empty idempotency key is rejected", map[string]any{"idempotencyKey": ""},
			[]userError{{Field: []string{"idempotencyKey"}, Code: "INVALID"}}},
		{"an idempotency key cannot break the header line", map[string]any{"idempotencyKey": "a\r\nX-Injected: 1"},
			[]userError{{Field: []string{"idempotencyKey"}, Code: "INVALID"}}},
	}
	for _, tt := range tests {
		for _, m := range []string{"update", "create"} {
			t.Run(m+": "+tt.name, func(t *testing.T) {
				in := map[string]any{}
				for k, v := range tt.in {
					in[k] = v
				}
				mutation, field := updateMutation, "updateVerificationSession"
				if m == "create" {
					mutation, field = createMutation, "createVerificationSession"
					if _, ok := in["type"]; !ok {
						in["type"] = "DOCUMENT"
					}
				} else {
					in["id"] = "vs_1"
				}
				fake := allOK(t)
				got := payloadErrors(t, newTestClient(t, fake), mutation, field, in)
				want := tt.want
				if want == nil {
					want = []userError{}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("userErrors = %v, want %v", got, want)
				}
				if n := len(fake.Calls()); (n == 0) != (tt.want != nil) {
					t.Errorf("%d calls, want %d", n, map[bool]int{true: 0, false: 1}[tt.want != nil])
				}
			})
		}
	}
}

// checkIdempotencyKeySent checks the key a mutation was sent with: the
// client's, or one idgraph made ("idgraph-…") when the client gave none.
func checkIdempotencyKeySent(t *testing.T, got, want *string) {
	t.Helper()
	switch {
	case want != nil && (got == nil || *got != *want):
		t.Errorf("IdempotencyKey = %v, want %v", deref(got), *want)
	case want == nil && (got == nil || !strings.HasPrefix(*got, "idgraph-") || len(*got) < len("idgraph-")+20):
		t.Errorf("IdempotencyKey = %v, want one of idgraph's own", deref(got))
	}
}

// A returnUrl Stripe would refuse is refused before any call, on its field:
// the user is sent there after verifying, so a javascript: URL would run.
func TestCreateRefusesAReturnURLStripeRefuses(t *testing.T) {
	for _, bad := range []string{"not a url", "javascript:alert(1)", "/relative/path", "ftp://shop.example/x", "https://", "data:text/html,hi"} {
		t.Run(bad, func(t *testing.T) {
			fake := allOK(t)
			ue := payloadErrors(t, newTestClient(t, fake), createMutation, "createVerificationSession", map[string]any{"type": "DOCUMENT", "returnUrl": bad})
			if want := []userError{{Field: []string{"returnUrl"}, Code: "INVALID"}}; !reflect.DeepEqual(ue, want) {
				t.Errorf("userErrors = %v, want %v", ue, want)
			}
			if n := len(fake.Calls()); n != 0 {
				t.Errorf("%d Stripe calls, want none", n)
			}
		})
	}
	for _, good := range []string{"https://shop.example/done?x=1", "http://localhost:5173/back"} {
		t.Run(good, func(t *testing.T) {
			if ue := payloadErrors(t, newTestClient(t, allOK(t)), createMutation, "createVerificationSession", map[string]any{"type": "DOCUMENT", "returnUrl": good}); len(ue) > 0 {
				t.Errorf("userErrors = %v", ue)
			}
		})
	}
}
