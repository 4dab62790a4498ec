package graph

import (
	"context"
	"encoding/json"
	"maps"
	"testing"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/graph/model"
)

// stripeSession decodes Stripe's JSON for a session, as stripe-go does,
// over a minimal session: Stripe's nulls arrive as stripe-go's zero values.
func stripeSession(t *testing.T, fields map[string]any) *stripe.IdentityVerificationSession {
	t.Helper()
	base := map[string]any{
		"id": "vs_1", "object": "identity.verification_session", "created": testCreated,
		"status": "requires_input", "type": "document", "livemode": false, "metadata": map[string]any{},
	}
	maps.Copy(base, fields)
	raw, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	var s stripe.IdentityVerificationSession
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return &s
}

// Stripe's JSON → stripe-go → convert.go → the GraphQL response.
func TestConversionFromStripe(t *testing.T) {
	tests := []struct {
		name   string
		stripe map[string]any // Stripe's fields over a minimal session
		query  string         // selection on the session
		want   string         // JSON of the session in data
	}{
		{
			name: "Stripe's nulls are GraphQL nulls",
			stripe: map[string]any{
				"client_reference_id": nil, "client_secret": nil, "url": nil, "last_error": nil,
				"last_verification_report": nil, "options": nil, "redaction": nil, "related_customer": nil,
				"related_customer_account": nil, "related_person": nil, "verification_flow": nil, "verified_outputs": nil,
				"provided_details": nil,
			},
			query: `clientReferenceId clientSecret url lastError { code } lastVerificationReport { id } options { idNumber }
				redaction { status } relatedCustomer relatedCustomerAccount relatedPerson { person } verificationFlow
				verifiedOutputs { firstName } providedDetails { email }`,
			want: `{"clientReferenceId":null,"clientSecret":null,"url":null,"lastError":null,"lastVerificationReport":null,
				"options":null,"redaction":null,"relatedCustomer":null,"relatedCustomerAccount":null,"relatedPerson":null,
				"verificationFlow":null,"verifiedOutputs":null,"providedDetails":null}`,
		},
		{
			name:   "empty strings are nulls",
			stripe: map[string]any{"client_reference_id": "", "url": "", "verification_flow": ""},
			query:  `clientReferenceId url verificationFlow`,
			want:   `{"clientReferenceId":null,"url":null,"verificationFlow":null}`,
		},
		{
			name:   "strings are kept",
			stripe: map[string]any{"client_reference_id": "user_42", "url": "https://verify.stripe.com/start/x", "livemode": true},
			query:  `clientReferenceId url livemode`,
			want:   `{"clientReferenceId":"user_42","url":"https://verify.stripe.com/start/x","livemode":true}`,
		},
		{
			name:   "created is RFC 3339 in UTC",
			stripe: map[string]any{"created": 1795705445},
			query:  `created`,
			want:   `{"created":"2026-11-26T15:04:05Z"}`,
		},
		{
			name:   "metadata is sorted by key",
			stripe: map[string]any{"metadata": map[string]any{"zeta": "1", "alpha": "2", "Mid": "3", "beta": ""}},
			query:  `metadata { key value }`,
			want:   `{"metadata":[{"key":"Mid","value":"3"},{"key":"alpha","value":"2"},{"key":"beta","value":""},{"key":"zeta","value":"1"}]}`,
		},
		{
			name:   "empty metadata is an empty list",
			stripe: map[string]any{"metadata": nil},
			query:  `metadata { key }`,
			want:   `{"metadata":[]}`,
		},
		{
			name:   "known enum values are upper case",
			stripe: map[string]any{"status": "requires_input", "type": "id_number"},
			query:  `status type`,
			want:   `{"status":"REQUIRES_INPUT","type":"ID_NUMBER"}`,
		},
		{
			name:   "enum values Stripe adds later are UNKNOWN",
			stripe: map[string]any{"status": "some_new_status", "type": "some_new_type"},
			query:  `status type`,
			want:   `{"status":"UNKNOWN","type":"UNKNOWN"}`,
		},
		{
			name:   "an upper-case Stripe value is not mistaken for a known one",
			stripe: map[string]any{"status": "VERIFIED"},
			query:  `status`,
			want:   `{"status":"UNKNOWN"}`,
		},
		{
			name:   "last_error with null code and reason is null",
			stripe: map[string]any{"last_error": map[string]any{"code": nil, "reason": nil}},
			query:  `lastError { code reason }`,
			want:   `{"lastError":null}`,
		},
		{
			name:   "a known last_error code",
			stripe: map[string]any{"last_error": map[string]any{"code": "document_expired", "reason": "The document is expired."}},
			query:  `lastError { code reason }`,
			want:   `{"lastError":{"code":"DOCUMENT_EXPIRED","reason":"The document is expired."}}`,
		},
		{
			name:   "a last_error code Stripe adds later is UNKNOWN",
			stripe: map[string]any{"last_error": map[string]any{"code": "some_new_code", "reason": nil}},
			query:  `lastError { code reason }`,
			want:   `{"lastError":{"code":"UNKNOWN","reason":null}}`,
		},
		{
			name: "verified outputs with nulls, new and redacted values",
			stripe: map[string]any{"verified_outputs": map[string]any{
				"first_name": "Jenny", "last_name": nil, "email": "", "phone": nil,
				"address":        map[string]any{"city": "Berlin", "country": "DE", "line1": nil, "line2": nil, "postal_code": "10115", "state": nil},
				"dob":            map[string]any{"day": nil, "month": 3, "year": 1990},
				"id_number":      "[redacted]",
				"id_number_type": "some_new_id_type",
				"sex":            "[redacted]",
				"unparsed_sex":   nil, "unparsed_place_of_birth": "Hamburg",
			}},
			query: `verifiedOutputs { firstName lastName email phone address { city country line1 line2 postalCode state }
				dob { day month year } idNumber idNumberType sex unparsedSex unparsedPlaceOfBirth }`,
			want: `{"verifiedOutputs":{"firstName":"Jenny","lastName":null,"email":null,"phone":null,
				"address":{"city":"Berlin","country":"DE","line1":null,"line2":null,"postalCode":"10115","state":null},
				"dob":{"day":null,"month":3,"year":1990},"idNumber":"[redacted]","idNumberType":"UNKNOWN","sex":"REDACTED",
				"unparsedSex":null,"unparsedPlaceOfBirth":"Hamburg"}}`,
		},
		{
			name:   "known sex and ID number type values",
			stripe: map[string]any{"verified_outputs": map[string]any{"sex": "female", "id_number_type": "br_cpf", "address": nil, "dob": nil}},
			query:  `verifiedOutputs { sex idNumberType address { city } dob { year } }`,
			want:   `{"verifiedOutputs":{"sex":"FEMALE","idNumberType":"BR_CPF","address":null,"dob":null}}`,
		},
		{
			name:   "sex unknown is UNKNOWN and a new sex value is UNKNOWN too",
			stripe: map[string]any{"verified_outputs": map[string]any{"sex": "some_new_sex"}},
			query:  `verifiedOutputs { sex }`,
			want:   `{"verifiedOutputs":{"sex":"UNKNOWN"}}`,
		},
		{
			name:   "an unexpanded report is its ID, and its session the one it belongs to",
			stripe: map[string]any{"last_verification_report": "vr_1"},
			query:  `id lastVerificationReport { id verificationSession { id status } }`,
			want:   `{"id":"vs_1","lastVerificationReport":{"id":"vr_1","verificationSession":{"id":"vs_1","status":"REQUIRES_INPUT"}}}`,
		},
		{
			name: "an expanded report carries Stripe's every field",
			stripe: map[string]any{"last_verification_report": map[string]any{
				"id": "vr_1", "object": "identity.verification_report", "created": 1795705445, "type": "verification_flow",
				"client_reference_id": "user_7", "livemode": false, "verification_flow": "vf_1abc", "verification_session": "vs_1",
				"options": map[string]any{"document": map[string]any{"allowed_types": []string{"passport"}, "require_matching_selfie": true}, "id_number": map[string]any{}},
			}},
			query: `lastVerificationReport { created type clientReferenceId livemode verificationFlow
				options { document { allowedTypes requireMatchingSelfie requireIdNumber } idNumber } verificationSession { id } }`,
			want: `{"lastVerificationReport":{"created":"2026-11-26T15:04:05Z","type":"VERIFICATION_FLOW","clientReferenceId":"user_7","livemode":false,
				"verificationFlow":"vf_1abc","options":{"document":{"allowedTypes":["PASSPORT"],"requireMatchingSelfie":true,"requireIdNumber":false},"idNumber":true},
				"verificationSession":{"id":"vs_1"}}}`,
		},
		{
			name: "an expanded report converts its checks",
			stripe: map[string]any{"last_verification_report": map[string]any{
				"id": "vr_1", "object": "identity.verification_report", "created": 1795705445, "type": "document",
				"document": map[string]any{
					"status": "unverified", "type": "passport", "issuing_country": "DE", "first_name": nil,
					"error":           map[string]any{"code": "some_new_code", "reason": "Unreadable."},
					"dob":             nil,
					"expiration_date": map[string]any{"day": 1, "month": 2, "year": 2030},
					"files":           []any{"file_1", "file_2"},
				},
				"selfie": map[string]any{"status": "verified", "error": map[string]any{"code": nil, "reason": nil}, "document": "file_1", "selfie": nil},
				"email":  map[string]any{"status": "some_new_status", "error": nil, "email": "j@example.com"},
				"phone":  nil,
			}},
			query: `lastVerificationReport { id created type
				document { status type issuingCountry firstName error { code reason } dob { year } expirationDate { day month year } files }
				selfie { status error { code } document selfie } email { status error { code } email } phone { status } idNumber { status } }`,
			want: `{"lastVerificationReport":{"id":"vr_1","created":"2026-11-26T15:04:05Z","type":"DOCUMENT",
				"document":{"status":"UNVERIFIED","type":"PASSPORT","issuingCountry":"DE","firstName":null,
					"error":{"code":"UNKNOWN","reason":"Unreadable."},"dob":null,"expirationDate":{"day":1,"month":2,"year":2030},"files":["file_1","file_2"]},
				"selfie":{"status":"VERIFIED","error":null,"document":"file_1","selfie":null},
				"email":{"status":"UNKNOWN","error":null,"email":"j@example.com"},"phone":null,"idNumber":null}}`,
		},
		{
			name: "options with new allowed types and matching policies",
			stripe: map[string]any{"options": map[string]any{
				"document":  map[string]any{"allowed_types": []any{"passport", "residence_permit"}, "require_id_number": true, "require_live_capture": false, "require_matching_selfie": true},
				"id_number": map[string]any{},
				"matching":  map[string]any{"dob": "similar", "name": "strict"},
				"email":     map[string]any{"require_verification": true},
				"phone":     nil,
			}},
			query: `options { document { allowedTypes requireIdNumber requireLiveCapture requireMatchingSelfie } idNumber
				matching { dob name } email { requireVerification } phone { requireVerification } }`,
			want: `{"options":{"document":{"allowedTypes":["PASSPORT","UNKNOWN"],"requireIdNumber":true,"requireLiveCapture":false,"requireMatchingSelfie":true},
				"idNumber":true,"matching":{"dob":"SIMILAR","name":"UNKNOWN"},"email":{"requireVerification":true},"phone":null}}`,
		},
		{
			name:   "empty options have no checks",
			stripe: map[string]any{"options": map[string]any{}},
			query:  `options { document { requireIdNumber } idNumber matching { dob } email { requireVerification } }`,
			want:   `{"options":{"document":null,"idNumber":false,"matching":null,"email":null}}`,
		},
		{
			name:   "redaction status",
			stripe: map[string]any{"redaction": map[string]any{"status": "processing"}},
			query:  `redaction { status }`,
			want:   `{"redaction":{"status":"PROCESSING"}}`,
		},
		{
			name:   "a redaction status Stripe adds later is UNKNOWN",
			stripe: map[string]any{"redaction": map[string]any{"status": "some_new_status"}},
			query:  `redaction { status }`,
			want:   `{"redaction":{"status":"UNKNOWN"}}`,
		},
		{
			name:   "related person",
			stripe: map[string]any{"related_person": map[string]any{"account": "acct_1", "person": "person_1"}},
			query:  `relatedPerson { account person }`,
			want:   `{"relatedPerson":{"account":"acct_1","person":"person_1"}}`,
		},
		{
			name:   "provided details with a null email",
			stripe: map[string]any{"provided_details": map[string]any{"email": nil, "phone": "+15555550100"}},
			query:  `providedDetails { email phone }`,
			want:   `{"providedDetails":{"email":null,"phone":"+15555550100"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stripeSession(t, tt.stripe)
			fake := newFake(t)
			fake.RetrieveFunc = func(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
				return s, nil
			}
			r := do(t, newTestClient(t, fake), `{ verificationSession(id: "vs_1") { `+tt.query+` } }`)
			wantCodes(t, r)
			var d struct {
				VerificationSession json.RawMessage `json:"verificationSession"`
			}
			decode(t, r.Data, &d)
			if !jsonEqual(t, d.VerificationSession, tt.want) {
				t.Errorf("session =\n%s\nwant\n%s", d.VerificationSession, tt.want)
			}
		})
	}
}

// sessionFromStripe is nil-safe: a nil session is no session.
func TestSessionFromStripeNil(t *testing.T) {
	if got := sessionFromStripe(nil); got != nil {
		t.Errorf("sessionFromStripe(nil) = %+v, want nil", got)
	}
}

func TestEnumFromStripe(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for nil
	}{
		{"", ""},
		{"male", "MALE"},
		{"unknown", "UNKNOWN"},
		{"[redacted]", "REDACTED"},
		{"redacted", "REDACTED"},
		{"some_new_code", "UNKNOWN"},
		{"Male", "UNKNOWN"},
		{"MALE", "UNKNOWN"},
	}
	for _, tt := range tests {
		t.Run(tt.in+" is "+tt.want, func(t *testing.T) {
			got := enumFromStripe(stripe.IdentityVerificationSessionVerifiedOutputsSex(tt.in), model.SexUnknown)
			switch {
			case tt.want == "" && got != nil:
				t.Errorf("enumFromStripe(%q) = %v, want nil", tt.in, *got)
			case tt.want != "" && (got == nil || string(*got) != tt.want):
				t.Errorf("enumFromStripe(%q) = %v, want %s", tt.in, got, tt.want)
			}
		})
	}
}
