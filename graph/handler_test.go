package graph

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestComplexityLimit(t *testing.T) {
	aliases := func(n int, field string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " s%d: %s", i, field)
		}
		b.WriteString(" }")
		return b.String()
	}
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", fmt.Sprintf("vs_%d", i))
	}
	nodes100 := `nodes(ids: [` + strings.Join(ids, ",") + `]) { ...Broad }`
	tests := []struct {
		name     string
		query    string
		rejected string // the code, or "" when served
	}{
		{"verificationSession aliased 300 times is rejected, by the alias limit first", aliases(300, `verificationSession(id: "vs_1") { id }`), "ALIAS_LIMIT_EXCEEDED"},
		{"node aliased 300 times is rejected", aliases(300, `node(id: "vs_1") { id }`), "ALIAS_LIMIT_EXCEEDED"},
		{"a list aliased 300 times is rejected", aliases(300, `verificationSessions(first: 1) { nodes { id } }`), "ALIAS_LIMIT_EXCEEDED"},
		{"two nodes of 100 IDs with a broad selection are over the complexity limit", aliases(2, nodes100) + "\n" + broadFragment, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"verificationSession aliased 10 times is allowed", aliases(10, `verificationSession(id: "vs_1") { id }`), ""},
		{"a full page of 100 with a broad selection is allowed", page100Query, ""},
		{"one nodes of 100 IDs with a broad selection is allowed", "{ " + nodes100 + " }\n" + broadFragment, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := allOK(t)
			status, r := doHTTP(t, newTestHandler(fake, discardLogger()), tt.query, nil)
			calls := fake.Calls()
			if tt.rejected == "" {
				if len(r.Errors) > 0 || len(calls) == 0 {
					t.Errorf("status %d, %d calls, errors %s: want it served", status, len(calls), r.Body)
				}
				return
			}
			if status >= 500 {
				t.Errorf("HTTP status %d, want a client error", status)
			}
			wantCodes(t, r, tt.rejected)
			if len(calls) != 0 {
				t.Errorf("%d calls, want none", len(calls))
			}
		})
	}
}

// GET serves queries only: a mutation over GET must not reach Stripe.
func TestMutationOverGETIsRefused(t *testing.T) {
	fake := allOK(t)
	h := newTestHandler(fake, discardLogger())
	q := url.Values{"query": {`mutation { cancelVerificationSession(input: {id: "vs_1"}) { userErrors { code } } }`}}
	req := httptest.NewRequest(http.MethodGet, "/?"+q.Encode(), nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code < 400 || w.Code >= 500 {
		t.Errorf("status %d, want a 4xx", w.Code)
	}
	if calls := fake.Calls(); len(calls) != 0 {
		t.Errorf("calls = %v, want none", ops(calls))
	}
}

func TestQueryOverGETIsServed(t *testing.T) {
	fake := allOK(t)
	h := newTestHandler(fake, discardLogger())
	q := url.Values{"query": {`{ verificationSession(id: "vs_1") { id } }`}}
	req := httptest.NewRequest(http.MethodGet, "/?"+q.Encode(), nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"vs_1"`) {
		t.Errorf("status %d body %s, want the session", w.Code, w.Body)
	}
}

// page100Query reads a full page with a broad selection.
const page100Query = `{ verificationSessions(first: 100) {
  edges { cursor node { ...Broad } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
` + broadFragment

// sessionQuery reads one session with a broad selection.
const sessionQuery = `{ verificationSession(id: "vs_1") { ...Broad } }
` + broadFragment

// broadFragment selects about everything a session has, for the complexity
// test and the benchmarks.
const broadFragment = `fragment Broad on VerificationSession {
  id clientReferenceId clientSecret created livemode status type url verificationFlow relatedCustomer relatedCustomerAccount
  metadata { key value }
  lastError { code reason }
  options { document { allowedTypes requireIdNumber requireLiveCapture requireMatchingSelfie } idNumber
    matching { dob name } email { requireVerification } phone { requireVerification } }
  providedDetails { email phone }
  redaction { status }
  relatedPerson { account person }
  verifiedOutputs { firstName lastName email phone idNumber idNumberType sex unparsedSex unparsedPlaceOfBirth
    address { city country line1 line2 postalCode state } dob { day month year } }
  lastVerificationReport { id created type
    document { status type issuingCountry firstName lastName number files error { code reason }
      address { city country line1 line2 postalCode state } dob { day month year } issuedDate { day month year } expirationDate { day month year } }
    idNumber { status firstName lastName idNumber idNumberType error { code reason } dob { day month year } }
    selfie { status document selfie error { code reason } }
    email { status email error { code reason } }
    phone { status phone error { code reason } } }
}`
