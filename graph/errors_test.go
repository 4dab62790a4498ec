package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/identity"
)

// secretText is in every upstream error's text; it must never reach a client.
const secretText = "SECRET-UPSTREAM-TEXT sk_test_abc"

func TestBadSessionIDsNeverReachStripe(t *testing.T) {
	badIDs := []string{"", "cus_123", "vs_../x", "vs_abc/cancel", "vs_", "VS_abc", "vs_abc?expand[]=x", "vs_ab c", "vs_é"}
	tests := []struct {
		name  string
		query string
		check func(t *testing.T, id string, r result)
	}{
		{
			name:  "verificationSession(id) is a BAD_USER_INPUT error",
			query: `query($id: ID!) { verificationSession(id: $id) { id } }`,
			check: func(t *testing.T, id string, r result) {
				wantCodes(t, r, "BAD_USER_INPUT")
				wantData(t, r, `{"verificationSession":null}`)
			},
		},
		{
			name:  "node(id) is NOT_FOUND: no object has that ID",
			query: `query($id: ID!) { node(id: $id) { id } }`,
			check: func(t *testing.T, id string, r result) {
				wantCodes(t, r, "NOT_FOUND")
				wantData(t, r, `{"node":null}`)
			},
		},
		{
			name:  "nodes(ids) is null at that index with NOT_FOUND",
			query: `query($id: ID!) { nodes(ids: [$id]) { id } }`,
			check: func(t *testing.T, id string, r result) {
				wantCodes(t, r, "NOT_FOUND")
				wantData(t, r, `{"nodes":[null]}`)
			},
		},
	}
	for _, m := range []string{"update", "cancel", "redact"} {
		tests = append(tests, struct {
			name  string
			query string
			check func(t *testing.T, id string, r result)
		}{
			name:  m + " is a userError on id",
			query: fmt.Sprintf(`mutation($id: ID!) { %sVerificationSession(input: {id: $id}) { verificationSession { id } userErrors { field code } } }`, m),
			check: func(t *testing.T, id string, r result) {
				wantCodes(t, r)
				wantData(t, r, fmt.Sprintf(`{"%sVerificationSession":{"verificationSession":null,"userErrors":[{"field":["id"],"code":"INVALID"}]}}`, m))
			},
		})
	}
	for _, tt := range tests {
		for _, id := range badIDs {
			t.Run(fmt.Sprintf("%s: %q", tt.name, id), func(t *testing.T) {
				fake := allOK(t)
				r := do(t, newTestClient(t, fake), tt.query, client.Var("id", id))
				tt.check(t, id, r)
				if calls := fake.Calls(); len(calls) != 0 {
					t.Errorf("calls = %v, want none", ops(calls))
				}
			})
		}
	}
}

func wantCodes(t *testing.T, r result, codes ...string) {
	t.Helper()
	if codes == nil {
		codes = []string{}
	}
	if got := r.codes(); !reflect.DeepEqual(got, codes) {
		t.Errorf("error codes = %v, want %v; body %s", got, codes, r.Body)
	}
}

func wantData(t *testing.T, r result, want string) {
	t.Helper()
	if !jsonEqual(t, r.Data, want) {
		t.Errorf("data = %s, want %s", r.Data, want)
	}
}

func jsonEqual(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("decode %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("decode want %s: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

// upstreamErrors are the failures the identity client can return, with the
// GraphQL code each must become.
var upstreamErrors = []struct {
	name      string
	err       error
	code      string
	requestID bool
}{
	{"a 404 resource_missing is NOT_FOUND", stripeErr(404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing, "id", secretText), "NOT_FOUND", true},
	{"a 400 resource_missing on another param is BAD_USER_INPUT", stripeErr(400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing, "starting_after", secretText), "BAD_USER_INPUT", true},
	{"a 400 with a param is BAD_USER_INPUT", stripeErr(400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeParameterInvalidEmpty, "expand[0]", secretText), "BAD_USER_INPUT", true},
	{"a 400 without param or code is BAD_USER_INPUT", stripeErr(400, stripe.ErrorTypeInvalidRequest, "", "", secretText), "BAD_USER_INPUT", true},
	{"a 409 is CONFLICT", stripeErr(409, stripe.ErrorTypeInvalidRequest, "lock_timeout", "", secretText), "CONFLICT", true},
	{"an idempotency_error is CONFLICT", stripeErr(400, stripe.ErrorTypeIdempotency, "", "", secretText), "CONFLICT", true},
	{"a 429 is RATE_LIMITED", stripeErr(429, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeRateLimit, "", secretText), "RATE_LIMITED", true},
	{"a 500 is UPSTREAM_UNAVAILABLE", stripeErr(500, stripe.ErrorTypeAPI, "", "", secretText), "UPSTREAM_UNAVAILABLE", true},
	{"a 503 is UPSTREAM_UNAVAILABLE", stripeErr(503, stripe.ErrorTypeAPI, "", "", secretText), "UPSTREAM_UNAVAILABLE", true},
	{"the emulator's storage failure is UPSTREAM_UNAVAILABLE", stripeErr(503, stripe.ErrorTypeAPI, "emulator_storage_failed", "", secretText), "UPSTREAM_UNAVAILABLE", true},
	{"a 404 naming Stripe's path parameter is NOT_FOUND", stripeErr(404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing, "session", secretText), "NOT_FOUND", true},
	{"a 401 (idgraph's own Stripe key) is INTERNAL, not the caller's UNAUTHENTICATED", stripeErr(401, stripe.ErrorTypeInvalidRequest, "", "", secretText), "INTERNAL", true},
	{"a 403 outside the sensitive call is INTERNAL", stripeErr(403, stripe.ErrorTypeInvalidRequest, "", "", secretText), "INTERNAL", true},
	{"a network failure is UPSTREAM_UNAVAILABLE", &url.Error{Op: "Get", URL: "https://api.stripe.com/v1/identity/verification_sessions/vs_1", Err: fmt.Errorf("%s: %w", secretText, syscall.ECONNREFUSED)}, "UPSTREAM_UNAVAILABLE", false},
	{"a deadline is UPSTREAM_TIMEOUT", fmt.Errorf("%s: %w", secretText, context.DeadlineExceeded), "UPSTREAM_TIMEOUT", false},
	{"a deadline inside a network error is UPSTREAM_TIMEOUT", &url.Error{Op: "Get", URL: "https://api.stripe.com/v1/identity/verification_sessions?client_reference_id=" + secretText, Err: context.DeadlineExceeded}, "UPSTREAM_TIMEOUT", false},
	{"a client that went away is not logged as an error", fmt.Errorf("%s: %w", secretText, context.Canceled), "UPSTREAM_UNAVAILABLE", false},
	{"a plain Go error is INTERNAL", errors.New(secretText), "INTERNAL", false},
	{"a wrapped Stripe error keeps its meaning", fmt.Errorf("retrieve: %w", stripeErr(429, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeRateLimit, "", secretText)), "RATE_LIMITED", true},
}

func TestUpstreamErrorsInQueries(t *testing.T) {
	queries := []struct {
		name     string
		query    string
		wantData string
		fake     func(f *fakeClient, err error)
	}{
		{
			name:     "verificationSession",
			query:    `{ verificationSession(id: "vs_1") { id } }`,
			wantData: `{"verificationSession":null}`,
			fake: func(f *fakeClient, err error) {
				f.RetrieveFunc = func(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
					return nil, err
				}
			},
		},
		{
			name:     "node",
			query:    `{ node(id: "vs_1") { id } }`,
			wantData: `{"node":null}`,
			fake: func(f *fakeClient, err error) {
				f.RetrieveFunc = func(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
					return nil, err
				}
			},
		},
		{
			name:     "verificationSessions",
			query:    `{ verificationSessions { nodes { id } } }`,
			wantData: `null`,
			fake: func(f *fakeClient, err error) {
				f.ListFunc = func(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
					return identity.Page{}, err
				}
			},
		},
	}
	for _, q := range queries {
		for _, tt := range upstreamErrors {
			t.Run(q.name+": "+tt.name, func(t *testing.T) {
				fake := newFake(t)
				q.fake(fake, tt.err)
				var logs bytes.Buffer
				c := client.New(newTestHandler(fake, slog.New(slog.NewJSONHandler(&logs, nil))))
				r := do(t, c, q.query)
				wantCodes(t, r, tt.code)
				wantData(t, r, q.wantData)
				if len(r.Errors) == 1 {
					id, has := r.Errors[0].Extensions["stripeRequestId"]
					if tt.requestID && id != "req_test123" {
						t.Errorf("extensions.stripeRequestId = %v, want req_test123", id)
					}
					if !tt.requestID && has {
						t.Errorf("extensions.stripeRequestId = %v, want none", id)
					}
				}
				for _, leak := range []string{"SECRET-UPSTREAM-TEXT", "sk_test", tt.err.Error()} {
					if strings.Contains(r.Body, leak) {
						t.Errorf("response %s contains upstream text %q", r.Body, leak)
					}
				}
				if calls := fake.Calls(); len(calls) != 1 {
					t.Errorf("calls = %v, want one", ops(calls))
				}
			})
		}
	}
}

// Errors that idgraph cannot attribute to the caller are logged once, with
// Stripe's request ID when there is one.
func TestUpstreamErrorsAreLoggedOnce(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		logs    int
		contain string
	}{
		{"a 500 is logged with its request ID", stripeErr(500, stripe.ErrorTypeAPI, "", "", "boom"), 1, "req_test123"},
		{"a plain Go error is logged", errors.New("boom"), 1, "boom"},
		{"a 404 is the caller's and not logged", stripeErr(404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing, "id", "boom"), 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			fake.RetrieveFunc = func(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
				return nil, tt.err
			}
			var logs bytes.Buffer
			c := client.New(newTestHandler(fake, slog.New(slog.NewJSONHandler(&logs, nil))))
			do(t, c, `{ verificationSession(id: "vs_1") { id } }`)
			lines := strings.Count(logs.String(), "\n")
			if lines != tt.logs {
				t.Errorf("%d log lines, want %d:\n%s", lines, tt.logs, logs.String())
			}
			if !strings.Contains(logs.String(), tt.contain) {
				t.Errorf("logs do not contain %q:\n%s", tt.contain, logs.String())
			}
		})
	}
}

func TestPanicsBecomeInternal(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		wantData string
	}{
		{"a panic in verificationSession", `{ verificationSession(id: "vs_1") { id } }`, `{"verificationSession":null}`},
		{"a panic in node", `{ node(id: "vs_1") { id } }`, `{"node":null}`},
		{"a panic in verificationSessions", `{ verificationSessions { nodes { id } } }`, `null`},
		{"a panic in a mutation", `mutation { cancelVerificationSession(input: {id: "vs_1"}) { userErrors { code } } }`, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := panicking(t)
			r := do(t, newTestClient(t, fake), tt.query)
			wantCodes(t, r, "INTERNAL")
			wantData(t, r, tt.wantData)
			if strings.Contains(r.Body, secretText) {
				t.Errorf("response %s contains the panic's value", r.Body)
			}
		})
	}
}

func panicking(t *testing.T) *fakeClient {
	f := newFake(t)
	f.RetrieveFunc = func(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		panic(secretText)
	}
	f.ListFunc = func(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
		panic(secretText)
	}
	f.CancelFunc = func(context.Context, string, *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
		panic(secretText)
	}
	return f
}

// nodes(ids:) calls Stripe from its own goroutines, out of gqlgen's reach:
// a panic there must still become INTERNAL and not end the process. A crash
// would end this test binary too, so the query runs in a child process.
func TestPanicInNodesDoesNotCrash(t *testing.T) {
	if os.Getenv("IDGRAPH_NODES_PANIC_CHILD") == "1" {
		r := do(t, newTestClient(t, panicking(t)), `{ nodes(ids: ["vs_1", "vs_2"]) { id } }`)
		wantCodes(t, r, "INTERNAL", "INTERNAL")
		wantData(t, r, `{"nodes":[null,null]}`)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPanicInNodesDoesNotCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), "IDGRAPH_NODES_PANIC_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		first, _, _ := strings.Cut(string(out), "\n\n")
		t.Errorf("a panic in nodes(ids:) ended the process (%v):\n%s", err, first)
	}
}

func TestUpstreamErrorsInMutations(t *testing.T) {
	const update = `mutation($in: UpdateVerificationSessionInput!) {
		updateVerificationSession(input: $in) { verificationSession { id } userErrors { field message code } } }`
	in := map[string]any{
		"id": "vs_1",
		"metadata": []any{
			map[string]any{"key": "team", "value": "a"},
			map[string]any{"key": "owner", "value": "b"},
			map[string]any{"key": "region", "value": "c"},
			map[string]any{"key": "plan", "value": "pro"},
		},
		"options": map[string]any{"document": map[string]any{"allowedTypes": []any{"PASSPORT"}}},
	}
	type ue struct {
		Field []string `json:"field"`
		Code  string   `json:"code"`
	}
	tests := []struct {
		name       string
		err        error
		wantErrors []ue   // userErrors; nil: a GraphQL error instead
		wantCode   string // the GraphQL error's code
	}{
		{
			name:       "a 400 on metadata[plan] points at that entry",
			err:        stripeErr(400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeParameterInvalidEmpty, "metadata[plan]", secretText),
			wantErrors: []ue{{Field: []string{"metadata", "3"}, Code: "INVALID"}},
		},
		{
			name:       "a 400 on a metadata key not in the input points at metadata",
			err:        stripeErr(400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeParameterInvalidEmpty, "metadata[other]", secretText),
			wantErrors: []ue{{Field: []string{"metadata"}, Code: "INVALID"}},
		},
		{
			name:       "a 400 on options[document][allowed_types] maps to the input's camel case",
			err:        stripeErr(400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeParameterUnknown, "options[document][allowed_types]", secretText),
			wantErrors: []ue{{Field: []string{"options", "document", "allowedTypes"}, Code: "INVALID"}},
		},
		{
			name:       "a 400 on a list element keeps its index",
			err:        stripeErr(400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeParameterUnknown, "options[document][allowed_types][0]", secretText),
			wantErrors: []ue{{Field: []string{"options", "document", "allowedTypes", "0"}, Code: "INVALID"}},
		},
		{
			name:       "a 400 invalid_request_error without a param is INVALID_STATE",
			err:        stripeErr(400, stripe.ErrorTypeInvalidRequest, "", "", secretText),
			wantErrors: []ue{{Field: nil, Code: "INVALID_STATE"}},
		},
		{
			name:       "a 404 is NOT_FOUND on id",
			err:        stripeErr(404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing, "id", secretText),
			wantErrors: []ue{{Field: []string{"id"}, Code: "NOT_FOUND"}},
		},
		{
			name:       "an idempotency_error is IDEMPOTENCY_KEY_REUSED on idempotencyKey",
			err:        stripeErr(400, stripe.ErrorTypeIdempotency, "", "", secretText),
			wantErrors: []ue{{Field: []string{"idempotencyKey"}, Code: "IDEMPOTENCY_KEY_REUSED"}},
		},
		{name: "a 500 is an UPSTREAM_UNAVAILABLE error", err: stripeErr(500, stripe.ErrorTypeAPI, "", "", secretText), wantCode: "UPSTREAM_UNAVAILABLE"},
		{name: "a 409 is a CONFLICT error", err: stripeErr(409, stripe.ErrorTypeInvalidRequest, "lock_timeout", "", secretText), wantCode: "CONFLICT"},
		{name: "a retry while the first request with its key runs is a CONFLICT error", err: stripeErr(409, stripe.ErrorTypeIdempotency, "idempotency_key_in_use", "", secretText), wantCode: "CONFLICT"},
		{name: "a 429 is a RATE_LIMITED error", err: stripeErr(429, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeRateLimit, "", secretText), wantCode: "RATE_LIMITED"},
		{name: "a 401 (idgraph's own Stripe key) is an INTERNAL error", err: stripeErr(401, stripe.ErrorTypeInvalidRequest, "", "", secretText), wantCode: "INTERNAL"},
		{name: "a network failure is an UPSTREAM_UNAVAILABLE error", err: &url.Error{Op: "Post", URL: "https://api.stripe.com", Err: errors.New(secretText)}, wantCode: "UPSTREAM_UNAVAILABLE"},
		{name: "a plain Go error is an INTERNAL error", err: errors.New(secretText), wantCode: "INTERNAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			fake.UpdateFunc = func(context.Context, string, *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
				return nil, tt.err
			}
			r := do(t, newTestClient(t, fake), update, client.Var("in", in))
			if strings.Contains(r.Body, "SECRET-UPSTREAM-TEXT") {
				t.Errorf("response %s contains upstream text", r.Body)
			}
			if tt.wantErrors == nil {
				wantCodes(t, r, tt.wantCode)
				wantData(t, r, `null`)
				return
			}
			wantCodes(t, r)
			var d struct {
				UpdateVerificationSession struct {
					VerificationSession *struct{ ID string } `json:"verificationSession"`
					UserErrors          []struct {
						ue
						Message string `json:"message"`
					} `json:"userErrors"`
				} `json:"updateVerificationSession"`
			}
			decode(t, r.Data, &d)
			p := d.UpdateVerificationSession
			if p.VerificationSession != nil {
				t.Errorf("verificationSession = %v, want null with userErrors", p.VerificationSession)
			}
			var got []ue
			for _, u := range p.UserErrors {
				got = append(got, u.ue)
				if u.Message == "" {
					t.Errorf("userError %v has no message", u.ue)
				}
			}
			if !reflect.DeepEqual(got, tt.wantErrors) {
				t.Errorf("userErrors = %+v, want %+v", got, tt.wantErrors)
			}
		})
	}
}

// Stripe answers a create that names an object it does not know (a
// customer, an account, a person) with a 400 resource_missing on that
// param: the caller's input is wrong, and no session ID is involved.
func TestCreateWithAnUnknownRelatedObjectPointsAtIt(t *testing.T) {
	tests := []struct {
		name      string
		param     string
		wantField []string
	}{
		{"an unknown customer points at relatedCustomer", "related_customer", []string{"relatedCustomer"}},
		{"an unknown account points at relatedCustomerAccount", "related_customer_account", []string{"relatedCustomerAccount"}},
		{"an unknown verification flow points at verificationFlow", "verification_flow", []string{"verificationFlow"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			fake.CreateFunc = func(context.Context, *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
				return nil, stripeErr(400, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing, tt.param, "No such object: 'x_missing'")
			}
			r := do(t, newTestClient(t, fake), `mutation {
				createVerificationSession(input: {type: DOCUMENT, relatedCustomer: "cus_missing"}) { userErrors { field code } } }`)
			wantCodes(t, r)
			want, _ := json.Marshal(map[string]any{"createVerificationSession": map[string]any{
				"userErrors": []any{map[string]any{"field": tt.wantField, "code": "INVALID"}}}})
			wantData(t, r, string(want))
		})
	}
}

// Unknown enum values are the client's error, with a code, whether they come
// as literals or in variables, and never a 5xx.
func TestUnknownEnumValues(t *testing.T) {
	tests := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"an unknown status literal", `{ verificationSessions(filter: {status: ALMOST_VERIFIED}) { nodes { id } } }`, nil},
		{"an unknown status in variables", `query($f: VerificationSessionFilter) { verificationSessions(filter: $f) { nodes { id } } }`,
			map[string]any{"f": map[string]any{"status": "ALMOST_VERIFIED"}}},
		{"a lower-case status in variables", `query($s: VerificationSessionStatus) { verificationSessions(filter: {status: $s}) { nodes { id } } }`,
			map[string]any{"s": "verified"}},
		{"an unknown document type literal", `mutation { createVerificationSession(input: {type: DOCUMENT, options: {document: {allowedTypes: [LIBRARY_CARD]}}}) { userErrors { code } } }`, nil},
		{"an unknown type in variables", `mutation($in: CreateVerificationSessionInput!) { createVerificationSession(input: $in) { userErrors { code } } }`,
			map[string]any{"in": map[string]any{"type": "SELFIE"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			status, r := doHTTP(t, newTestHandler(fake, discardLogger()), tt.query, tt.vars)
			if status >= 500 {
				t.Errorf("HTTP status %d, want a client error", status)
			}
			if len(r.Errors) == 0 {
				t.Fatalf("no errors: %s", r.Body)
			}
			for _, e := range r.Errors {
				if e.code() == "" || e.code() == "INTERNAL" {
					t.Errorf("error %q has code %q, want a client error code", e.Message, e.code())
				}
			}
			if calls := fake.Calls(); len(calls) != 0 {
				t.Errorf("calls = %v, want none", ops(calls))
			}
		})
	}
}

// doHTTP posts one operation with net/http/httptest and returns the status
// with the decoded response: gqlgen's client refuses to decode the 422 that
// gqlgen answers to operations that fail validation.
func doHTTP(t testing.TB, h http.Handler, query string, variables map[string]any) (int, result) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var r result
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	r.Body = w.Body.String()
	return w.Code, r
}

// A mutation whose outcome is unknown (a timeout) carries the idempotency
// key it was sent with, so that the client can retry it safely: idgraph's
// own when the client gave none.
func TestTimedOutMutationCarriesItsIdempotencyKey(t *testing.T) {
	for _, given := range []string{"", "client-key-1"} {
		t.Run("given "+strconv.Quote(given), func(t *testing.T) {
			fake := newFake(t)
			var sent string
			fake.CreateFunc = func(_ context.Context, p *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
				sent = *p.IdempotencyKey
				return nil, &url.Error{Op: "Post", URL: "https://api.stripe.com/v1/identity/verification_sessions", Err: context.DeadlineExceeded}
			}
			input := `{type: DOCUMENT}`
			if given != "" {
				input = `{type: DOCUMENT, idempotencyKey: "` + given + `"}`
			}
			r := do(t, newTestClient(t, fake), `mutation { createVerificationSession(input: `+input+`) { verificationSession { id } } }`)
			wantCodes(t, r, "UPSTREAM_TIMEOUT")
			key := r.Errors[0].Extensions["idempotencyKey"]
			if key != sent || sent == "" || (given != "" && sent != given) {
				t.Errorf("extensions.idempotencyKey = %v, sent with %q: %s", key, sent, r.Body)
			}
			if !strings.Contains(r.Errors[0].Message, "idempotencyKey") {
				t.Errorf("message %q does not say how to retry", r.Errors[0].Message)
			}
		})
	}
}

// The emulator's storage failure names the emulator, not Stripe.
func TestEmulatorStorageFailureNamesTheEmulator(t *testing.T) {
	fake := newFake(t)
	fake.RetrieveFunc = func(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		return nil, stripeErr(503, stripe.ErrorTypeAPI, "emulator_storage_failed", "", "StorageFailed: disk I/O error")
	}
	r := do(t, newTestClient(t, fake), `{ verificationSession(id: "vs_1") { id } }`)
	wantCodes(t, r, "UPSTREAM_UNAVAILABLE")
	if msg := r.Errors[0].Message; !strings.Contains(msg, "emulator's storage") || strings.Contains(msg, "Stripe is") {
		t.Errorf("message %q", msg)
	}
}
