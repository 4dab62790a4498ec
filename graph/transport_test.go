package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stripe/stripe-go/v85"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/idgraph/idgraph/internal/auth"
)

// testBodyLimit is the POST body limit of the transport tests' server.
const testBodyLimit = 32 << 10

// Headers the test extension (transportProbe) obeys: refuse the operation
// with the cost budget's THROTTLED error, its retryAfter the header's value
// ("-" for none), from CreateOperationContext or from an operation
// middleware.
const (
	headerThrottle   = "X-Test-Throttle"
	headerThrottleOp = "X-Test-Throttle-Op"
)

// transportProbe is a handler extension that records the operations that
// reach the executor's extensions (with their headers and read times) and
// throttles on request, as the cost budget will.
type transportProbe struct {
	mu  sync.Mutex
	ops []*graphql.OperationContext
}

var (
	_ graphql.HandlerExtension        = (*transportProbe)(nil)
	_ graphql.OperationContextMutator = (*transportProbe)(nil)
	_ graphql.OperationInterceptor    = (*transportProbe)(nil)
)

func (p *transportProbe) ExtensionName() string                   { return "transportProbe" }
func (p *transportProbe) Validate(graphql.ExecutableSchema) error { return nil }

func (p *transportProbe) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	p.mu.Lock()
	p.ops = append(p.ops, rc)
	p.mu.Unlock()
	if v := rc.Headers.Get(headerThrottle); v != "" {
		return throttledError(v)
	}
	return nil
}

func (p *transportProbe) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if v := graphql.GetOperationContext(ctx).Headers.Get(headerThrottleOp); v != "" {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{throttledError(v)}})
	}
	return next(ctx)
}

func (p *transportProbe) operations() []*graphql.OperationContext {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*graphql.OperationContext(nil), p.ops...)
}

// throttledError is the budget's refusal; retryAfter "-" leaves the
// extension out, "1.5" is a float, anything else an int.
func throttledError(retryAfter string) *gqlerror.Error {
	ext := map[string]any{"code": "THROTTLED"}
	switch {
	case retryAfter == "-":
	case strings.Contains(retryAfter, "."):
		f, _ := strconv.ParseFloat(retryAfter, 64)
		ext["retryAfter"] = f
	default:
		n, _ := strconv.Atoi(retryAfter)
		ext["retryAfter"] = n
	}
	return &gqlerror.Error{Message: "The cost budget is spent; retry later.", Extensions: ext}
}

// newTransportServer is newServer (handler.go) with idgraph's own
// transports, and the probe, for a caller with a server key.
func newTransportServer(t *testing.T, fake *fakeClient, probe *transportProbe) http.Handler {
	t.Helper()
	srv := handler.New(NewExecutableSchema(Config{
		Resolvers:  &Resolver{Identity: fake},
		Directives: directives(),
		Complexity: complexity(),
	}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(GET{})
	srv.AddTransport(POST{MaxBodyBytes: testBodyLimit})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](100))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.Use(probe)
	srv.AroundFields(MarkResolverErrors)
	srv.SetErrorPresenter(ErrorPresenter(discardLogger()))
	srv.SetRecoverFunc(Recover(discardLogger()))
	return asCaller(srv, auth.Principal{Kind: auth.Server})
}

// transportFake serves vs_1 and anything else but vs_missing, which Stripe
// does not know.
func transportFake(t *testing.T) *fakeClient {
	fake := allOK(t)
	fake.RetrieveFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		if id == "vs_missing" {
			return nil, stripeErr(404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing, "id", "No such verification session")
		}
		return session(id), nil
	}
	return fake
}

// httpAnswer is a response as the transport tests read it.
type httpAnswer struct {
	status int
	header http.Header
	body   string
	fields map[string]json.RawMessage // the top level of the JSON body
	errors []gqlError
}

func (a httpAnswer) codes() []string {
	return result{Errors: a.errors}.codes()
}

func serveTransport(t *testing.T, h http.Handler, req *http.Request) httpAnswer {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	a := httpAnswer{status: w.Code, header: w.Header(), body: w.Body.String()}
	if err := json.Unmarshal(w.Body.Bytes(), &a.fields); err != nil {
		t.Fatalf("the answer is not a JSON object: %v; status %d body %q", err, w.Code, w.Body)
	}
	if raw, ok := a.fields["errors"]; ok {
		if err := json.Unmarshal(raw, &a.errors); err != nil {
			t.Fatalf("decode errors %s: %v", raw, err)
		}
	}
	return a
}

// The media types' Content-Type values.
const (
	ctJSON     = "application/json; charset=utf-8"
	ctResponse = "application/graphql-response+json; charset=utf-8"
)

// Accept values.
const (
	acceptJSON     = "application/json"
	acceptResponse = "application/graphql-response+json"
)

// dataAbsent expects an answer without a data entry.
const dataAbsent = "absent"

// postJSON is a POST with a JSON body of the given fields.
func postJSON(fields map[string]any) string {
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func getURL(params map[string]string) string {
	v := url.Values{}
	for k, s := range params {
		v.Set(k, s)
	}
	return "/?" + v.Encode()
}

const (
	querySession = `{ verificationSession(id: "vs_1") { id } }`
	dataSession  = `{"verificationSession":{"id":"vs_1"}}`
	mutationGET  = `mutation { cancelVerificationSession(input: {id: "vs_1"}) { userErrors { code } } }`
	// echoMarker is in the malformed bodies: no answer may carry it back.
	echoMarker = "ECHO-MARKER-sk_test_secret"
)

func manyAliases(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, ` s%d: verificationSession(id: "vs_1") { id }`, i)
	}
	b.WriteString(" }")
	return b.String()
}

// transportCase is one request to the transports and what must come back.
type transportCase struct {
	name string
	// The request: a POST with Content-Type application/json unless
	// method and contentType ("-" for none) say otherwise.
	method      string
	target      string
	contentType string
	accept      string
	header      map[string]string
	body        string
	chunked     bool // no Content-Length: Transfer-Encoding chunked

	status      int
	ctype       string   // the answer's Content-Type
	data        string   // dataAbsent or the JSON data
	codes       []string // errors[].extensions.code
	message     string   // a substring of the first error's message
	retryAfter  string   // the Retry-After header; "" for none
	allow       string   // the Allow header; "" for none
	notExecuted bool     // neither the extensions nor Stripe saw it
}

func (tt transportCase) request(t *testing.T) *http.Request {
	t.Helper()
	method, target := tt.method, tt.target
	if method == "" {
		method = http.MethodPost
	}
	if target == "" {
		target = "/"
	}
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(tt.body)
	}
	req := httptest.NewRequest(method, target, body)
	if tt.chunked {
		// What a server sees of a chunked body: no length.
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
		req.Body = io.NopCloser(strings.NewReader(tt.body))
	}
	switch {
	case tt.contentType == "-":
	case tt.contentType != "":
		req.Header.Set("Content-Type", tt.contentType)
	case method == http.MethodPost:
		req.Header.Set("Content-Type", "application/json")
	}
	if tt.accept != "" {
		req.Header.Set("Accept", tt.accept)
	}
	for k, v := range tt.header {
		req.Header.Set(k, v)
	}
	return req
}

// mutationGETNamed is a named mutation, for documents with two operations.
const mutationGETNamed = `mutation M { cancelVerificationSession(input: {id: "vs_1"}) { userErrors { code } } }`

func TestTransports(t *testing.T) {
	tests := []transportCase{
		// Content negotiation.
		{name: "a query without Accept is answered in application/json", body: postJSON(map[string]any{"query": querySession}),
			status: 200, ctype: ctJSON, data: dataSession},
		{name: "a query accepting application/json is answered in it", accept: acceptJSON, body: postJSON(map[string]any{"query": querySession}),
			status: 200, ctype: ctJSON, data: dataSession},
		{name: "a query accepting application/graphql-response+json is answered in it", accept: acceptResponse, body: postJSON(map[string]any{"query": querySession}),
			status: 200, ctype: ctResponse, data: dataSession},
		{name: "a query accepting */* is answered in application/json", accept: "*/*", body: postJSON(map[string]any{"query": querySession}),
			status: 200, ctype: ctJSON, data: dataSession},
		{name: "the spec's recommended Accept gets application/graphql-response+json", accept: "application/graphql-response+json, application/json;q=0.9",
			body: postJSON(map[string]any{"query": querySession}), status: 200, ctype: ctResponse, data: dataSession},
		{name: "an Accept naming neither type is a 406", accept: "text/html", body: postJSON(map[string]any{"query": querySession}),
			status: 406, ctype: ctJSON, data: dataAbsent, codes: []string{"NOT_ACCEPTABLE"}, notExecuted: true},
		{name: "a GET with an Accept naming neither type is a 406", method: http.MethodGet, target: getURL(map[string]string{"query": querySession}), accept: "text/plain",
			status: 406, ctype: ctJSON, data: dataAbsent, codes: []string{"NOT_ACCEPTABLE"}, notExecuted: true},

		// GraphQL request errors: 200 under application/json, 400 under
		// application/graphql-response+json; never a data entry.
		{name: "a document that does not parse is a 200 without data under application/json", accept: acceptJSON, body: postJSON(map[string]any{"query": "{"}),
			status: 200, ctype: ctJSON, data: dataAbsent, codes: []string{"GRAPHQL_PARSE_FAILED"}},
		{name: "a document that does not parse is a 400 without data under application/graphql-response+json", accept: acceptResponse, body: postJSON(map[string]any{"query": "{"}),
			status: 400, ctype: ctResponse, data: dataAbsent, codes: []string{"GRAPHQL_PARSE_FAILED"}},
		{name: "an empty query is a GraphQL error, not a malformed request", accept: acceptResponse, body: postJSON(map[string]any{"query": ""}),
			status: 400, ctype: ctResponse, data: dataAbsent, codes: []string{"GRAPHQL_VALIDATION_FAILED"}},
		{name: "an unknown field is a 200 without data under application/json", accept: acceptJSON, body: postJSON(map[string]any{"query": "{ nope }"}),
			status: 200, ctype: ctJSON, data: dataAbsent, codes: []string{"GRAPHQL_VALIDATION_FAILED"}},
		{name: "an unknown field is a 400 without data under application/graphql-response+json", accept: acceptResponse, body: postJSON(map[string]any{"query": "{ nope }"}),
			status: 400, ctype: ctResponse, data: dataAbsent, codes: []string{"GRAPHQL_VALIDATION_FAILED"}},
		{name: "variables that do not coerce are a 200 without data under application/json", accept: acceptJSON,
			body:   postJSON(map[string]any{"query": `query($id: ID!) { verificationSession(id: $id) { id } }`, "variables": map[string]any{"id": nil}}),
			status: 200, ctype: ctJSON, data: dataAbsent, codes: []string{"GRAPHQL_VALIDATION_FAILED"}},
		{name: "variables that do not coerce are a 400 without data under application/graphql-response+json", accept: acceptResponse,
			body:   postJSON(map[string]any{"query": `query($id: ID!) { verificationSession(id: $id) { id } }`, "variables": map[string]any{"id": nil}}),
			status: 400, ctype: ctResponse, data: dataAbsent, codes: []string{"GRAPHQL_VALIDATION_FAILED"}},
		{name: "an unknown operationName is a 400 without data under application/graphql-response+json", accept: acceptResponse,
			body:   postJSON(map[string]any{"query": querySession, "operationName": "Other"}),
			status: 400, ctype: ctResponse, data: dataAbsent, codes: []string{"GRAPHQL_VALIDATION_FAILED"}},
		{name: "the complexity limit is a 400 without data under application/graphql-response+json", accept: acceptResponse,
			body:   postJSON(map[string]any{"query": manyAliases(300)}),
			status: 400, ctype: ctResponse, data: dataAbsent, codes: []string{"COMPLEXITY_LIMIT_EXCEEDED"}},
		{name: "the complexity limit is a 200 without data under application/json", accept: acceptJSON,
			body:   postJSON(map[string]any{"query": manyAliases(300)}),
			status: 200, ctype: ctJSON, data: dataAbsent, codes: []string{"COMPLEXITY_LIMIT_EXCEEDED"}},

		// Field errors: 200 with data under both.
		{name: "a field error is a 200 with data under application/graphql-response+json", accept: acceptResponse,
			body:   postJSON(map[string]any{"query": `{ verificationSession(id: "vs_missing") { id } }`}),
			status: 200, ctype: ctResponse, data: `{"verificationSession":null}`, codes: []string{"NOT_FOUND"}},
		{name: "a field error is a 200 with data under application/json", accept: acceptJSON,
			body:   postJSON(map[string]any{"query": `{ verificationSession(id: "vs_missing") { id } }`}),
			status: 200, ctype: ctJSON, data: `{"verificationSession":null}`, codes: []string{"NOT_FOUND"}},

		// The cost budget's refusal.
		{name: "THROTTLED is a 429 with Retry-After under application/json", accept: acceptJSON, header: map[string]string{headerThrottle: "7"},
			body: postJSON(map[string]any{"query": querySession}), status: 429, ctype: ctJSON, data: dataAbsent, codes: []string{"THROTTLED"}, retryAfter: "7"},
		{name: "THROTTLED is a 429 with Retry-After under application/graphql-response+json", accept: acceptResponse, header: map[string]string{headerThrottle: "30"},
			body: postJSON(map[string]any{"query": querySession}), status: 429, ctype: ctResponse, data: dataAbsent, codes: []string{"THROTTLED"}, retryAfter: "30"},
		{name: "THROTTLED over GET is a 429 with Retry-After", method: http.MethodGet, target: getURL(map[string]string{"query": querySession}), header: map[string]string{headerThrottle: "3"},
			status: 429, ctype: ctJSON, data: dataAbsent, codes: []string{"THROTTLED"}, retryAfter: "3"},
		{name: "a retryAfter of 1.5 seconds is a Retry-After of 2", header: map[string]string{headerThrottle: "1.5"},
			body: postJSON(map[string]any{"query": querySession}), status: 429, ctype: ctJSON, data: dataAbsent, codes: []string{"THROTTLED"}, retryAfter: "2"},
		{name: "THROTTLED without retryAfter is a 429 without Retry-After", header: map[string]string{headerThrottle: "-"},
			body: postJSON(map[string]any{"query": querySession}), status: 429, ctype: ctJSON, data: dataAbsent, codes: []string{"THROTTLED"}},
		{name: "THROTTLED from an operation middleware is a 429 too", accept: acceptResponse, header: map[string]string{headerThrottleOp: "9"},
			body: postJSON(map[string]any{"query": querySession}), status: 429, ctype: ctResponse, data: dataAbsent, codes: []string{"THROTTLED"}, retryAfter: "9"},

		// Malformed bodies: 400 under either type, without the body.
		{name: "malformed JSON is a 400 without the body echoed", accept: acceptJSON, body: `{"query": "{ ` + echoMarker,
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "not valid JSON", notExecuted: true},
		{name: "malformed JSON is a 400 under application/graphql-response+json", accept: acceptResponse, body: `{"query": ` + echoMarker + `}`,
			status: 400, ctype: ctResponse, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "not valid JSON", notExecuted: true},
		{name: "JSON with trailing text is a 400", body: `{"query": "{ __typename }"} ` + echoMarker,
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "not valid JSON", notExecuted: true},
		{name: "a JSON array is a 400: batching is not supported", body: `[{"query": "{ __typename }"}, {"query": "` + echoMarker + `"}]`,
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "Batching is not supported", notExecuted: true},
		{name: "a JSON string is a 400", body: `"` + echoMarker + `"`,
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "must be a JSON object", notExecuted: true},
		{name: "invalid UTF-8 is a 400", body: "{\"query\": \"{ __typename } # \xff\xfe " + echoMarker + "\"}",
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "UTF-8", notExecuted: true},
		{name: "an empty body is a 400", body: "",
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "empty", notExecuted: true},
		{name: "a missing query is a 400", accept: acceptResponse, body: postJSON(map[string]any{"qeury": querySession}),
			status: 400, ctype: ctResponse, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "query parameter is missing", notExecuted: true},
		{name: "a null query is a 400", body: `{"query": null}`,
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "query parameter is missing", notExecuted: true},
		{name: "a query that is a number is a 400", body: `{"query": 0}`,
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "query parameter must be a string", notExecuted: true},
		{name: "a query that is an object is a 400", accept: acceptJSON, body: `{"query": {"obj": "ect"}}`,
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "query parameter must be a string", notExecuted: true},
		{name: "an operationName that is not a string is a 400", body: postJSON(map[string]any{"query": querySession, "operationName": false}),
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "operationName parameter must be a string", notExecuted: true},
		{name: "variables that are an array are a 400", body: postJSON(map[string]any{"query": querySession, "variables": []any{7}}),
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "variables parameter must be a JSON object", notExecuted: true},
		{name: "variables that are a string are a 400", body: postJSON(map[string]any{"query": querySession, "variables": `{"id": "vs_1"}`}),
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "variables parameter must be a JSON object", notExecuted: true},
		{name: "extensions that are a number are a 400", accept: acceptResponse, body: postJSON(map[string]any{"query": querySession, "extensions": 0}),
			status: 400, ctype: ctResponse, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "extensions parameter must be a JSON object", notExecuted: true},
		{name: "null operationName, variables and extensions are absent ones", accept: acceptResponse,
			body:   postJSON(map[string]any{"query": querySession, "operationName": nil, "variables": nil, "extensions": nil}),
			status: 200, ctype: ctResponse, data: dataSession},
		{name: "unknown parameters are ignored", body: postJSON(map[string]any{"query": querySession, "documentId": "x"}),
			status: 200, ctype: ctJSON, data: dataSession},
		{name: "variables and operationName are used", accept: acceptResponse,
			body:   postJSON(map[string]any{"query": `query A { __typename } query B($id: ID!) { verificationSession(id: $id) { id } }`, "operationName": "B", "variables": map[string]any{"id": "vs_1"}}),
			status: 200, ctype: ctResponse, data: dataSession},

		// Content-Type.
		{name: "a POST without Content-Type is a 415", contentType: "-", body: postJSON(map[string]any{"query": querySession}),
			status: 415, ctype: ctJSON, data: dataAbsent, codes: []string{"UNSUPPORTED_MEDIA_TYPE"}, notExecuted: true},
		{name: "a text/plain POST is a 415", contentType: "text/plain;charset=UTF-8", body: postJSON(map[string]any{"query": querySession}),
			status: 415, ctype: ctJSON, data: dataAbsent, codes: []string{"UNSUPPORTED_MEDIA_TYPE"}, notExecuted: true},
		{name: "a form POST is a 415", contentType: "application/x-www-form-urlencoded", body: "query=" + url.QueryEscape(querySession),
			status: 415, ctype: ctJSON, data: dataAbsent, codes: []string{"UNSUPPORTED_MEDIA_TYPE"}, notExecuted: true},
		{name: "a body in another charset is a 415", contentType: "application/json; charset=iso-8859-1", body: postJSON(map[string]any{"query": querySession}),
			status: 415, ctype: ctJSON, data: dataAbsent, codes: []string{"UNSUPPORTED_MEDIA_TYPE"}, message: "UTF-8", notExecuted: true},
		{name: "application/json with charset UTF-8 is served", contentType: "application/json; charset=UTF-8", body: postJSON(map[string]any{"query": querySession}),
			status: 200, ctype: ctJSON, data: dataSession},

		// Size.
		{name: "a body at the limit is served", body: postJSON(map[string]any{"query": querySession}) + strings.Repeat(" ", testBodyLimit-len(postJSON(map[string]any{"query": querySession}))),
			status: 200, ctype: ctJSON, data: dataSession},
		{name: "a Content-Length over the limit is a 413", accept: acceptResponse, body: postJSON(map[string]any{"query": querySession}) + strings.Repeat(" ", testBodyLimit),
			status: 413, ctype: ctResponse, data: dataAbsent, codes: []string{"REQUEST_TOO_LARGE"}, notExecuted: true},
		{name: "a chunked body over the limit is a 413", chunked: true, body: postJSON(map[string]any{"query": querySession}) + strings.Repeat(" ", testBodyLimit),
			status: 413, ctype: ctJSON, data: dataAbsent, codes: []string{"REQUEST_TOO_LARGE"}, notExecuted: true},
		{name: "a chunked body within the limit is served", chunked: true, body: postJSON(map[string]any{"query": querySession}),
			status: 200, ctype: ctJSON, data: dataSession},

		// GET.
		{name: "a query over GET is served", method: http.MethodGet, target: getURL(map[string]string{"query": querySession}),
			status: 200, ctype: ctJSON, data: dataSession},
		{name: "a query over GET with variables in JSON is served", method: http.MethodGet, accept: acceptResponse,
			target: getURL(map[string]string{"query": `query($id: ID!) { verificationSession(id: $id) { id } }`, "variables": `{"id": "vs_1"}`}),
			status: 200, ctype: ctResponse, data: dataSession},
		{name: "empty variables, extensions and operationName over GET are absent ones", method: http.MethodGet,
			target: getURL(map[string]string{"query": querySession, "variables": "", "extensions": "", "operationName": ""}),
			status: 200, ctype: ctJSON, data: dataSession},
		{name: "a mutation over GET is a 405 with Allow: POST", method: http.MethodGet, target: getURL(map[string]string{"query": mutationGET}),
			status: 405, ctype: ctJSON, data: dataAbsent, codes: []string{"METHOD_NOT_ALLOWED"}, allow: "POST", notExecuted: true},
		{name: "a mutation over GET is a 405 under application/graphql-response+json", method: http.MethodGet, accept: acceptResponse, target: getURL(map[string]string{"query": mutationGET}),
			status: 405, ctype: ctResponse, data: dataAbsent, codes: []string{"METHOD_NOT_ALLOWED"}, allow: "POST", notExecuted: true},
		{name: "a mutation chosen by operationName over GET is a 405", method: http.MethodGet,
			target: getURL(map[string]string{"query": "query Q { __typename } " + mutationGETNamed, "operationName": "M"}),
			status: 405, ctype: ctJSON, data: dataAbsent, codes: []string{"METHOD_NOT_ALLOWED"}, allow: "POST", notExecuted: true},
		{name: "a query chosen by operationName beside a mutation over GET is served", method: http.MethodGet,
			target: getURL(map[string]string{"query": `query Q { verificationSession(id: "vs_1") { id } } ` + mutationGETNamed, "operationName": "Q"}),
			status: 200, ctype: ctJSON, data: dataSession},
		{name: "a GET without query is a 400", method: http.MethodGet, target: "/",
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "query parameter is missing", notExecuted: true},
		{name: "a GET with the query twice is a 400", method: http.MethodGet, target: "/?query=" + url.QueryEscape(querySession) + "&query=" + url.QueryEscape(querySession),
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "more than once", notExecuted: true},
		{name: "GET variables that are not JSON are a 400", method: http.MethodGet, target: getURL(map[string]string{"query": querySession, "variables": "{" + echoMarker}),
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "variables parameter must be a JSON object", notExecuted: true},
		{name: "GET extensions that are an array are a 400", method: http.MethodGet, target: getURL(map[string]string{"query": querySession, "extensions": "[]"}),
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "extensions parameter must be a JSON object", notExecuted: true},
		{name: "a GET query of invalid UTF-8 is a 400", method: http.MethodGet, target: "/?query=%7B%20__typename%20%7D%23%FF",
			status: 400, ctype: ctJSON, data: dataAbsent, codes: []string{"BAD_REQUEST"}, message: "UTF-8", notExecuted: true},
		{name: "a document that does not parse over GET is a 400 under application/graphql-response+json", method: http.MethodGet, accept: acceptResponse,
			target: getURL(map[string]string{"query": "{"}),
			status: 400, ctype: ctResponse, data: dataAbsent, codes: []string{"GRAPHQL_PARSE_FAILED"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := transportFake(t)
			probe := &transportProbe{}
			h := newTransportServer(t, fake, probe)
			req := tt.request(t)
			a := serveTransport(t, h, req)

			if a.status != tt.status {
				t.Errorf("status %d, want %d; body %s", a.status, tt.status, a.body)
			}
			if got := a.header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			data, hasData := a.fields["data"]
			switch {
			case tt.data == dataAbsent && hasData:
				t.Errorf("the answer has a data entry (%s), want none; body %s", data, a.body)
			case tt.data != dataAbsent && !hasData:
				t.Errorf("the answer has no data entry, want %s; body %s", tt.data, a.body)
			case tt.data != dataAbsent && !jsonEqual(t, data, tt.data):
				t.Errorf("data %s, want %s", data, tt.data)
			}
			if tt.codes == nil {
				tt.codes = []string{}
			}
			if got := a.codes(); fmt.Sprint(got) != fmt.Sprint(tt.codes) {
				t.Errorf("error codes %v, want %v; body %s", got, tt.codes, a.body)
			}
			if tt.message != "" && (len(a.errors) == 0 || !strings.Contains(a.errors[0].Message, tt.message)) {
				t.Errorf("errors %s, want a first message with %q", a.body, tt.message)
			}
			if got := a.header.Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tt.retryAfter)
			}
			if got := a.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			for _, leak := range []string{echoMarker, "invalid character", "unexpected end of JSON", "json:", "body:"} {
				if strings.Contains(a.body, leak) {
					t.Errorf("the answer carries %q: %s", leak, a.body)
				}
			}
			if tt.notExecuted {
				if ops := probe.operations(); len(ops) != 0 {
					t.Errorf("%d operations reached the extensions, want none", len(ops))
				}
				if calls := fake.Calls(); len(calls) != 0 {
					t.Errorf("calls %v, want none", ops(calls))
				}
			}
		})
	}
}

// A Content-Length over the limit is refused before a byte is read: the
// client may be sending a gigabyte.
func TestTransportRefusesContentLengthBeforeReading(t *testing.T) {
	body := &countingReader{r: strings.NewReader(postJSON(map[string]any{"query": querySession}))}
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Body = io.NopCloser(body)
	req.ContentLength = testBodyLimit + 1
	a := serveTransport(t, newTransportServer(t, transportFake(t), &transportProbe{}), req)
	if a.status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413; body %s", a.status, a.body)
	}
	if body.n != 0 {
		t.Errorf("%d bytes read, want none", body.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// The extensions see what gqlgen's transports give them: the request's
// headers and the time the request took to read.
func TestTransportsPassHeadersAndReadTime(t *testing.T) {
	tests := []struct {
		name string
		req  func() *http.Request
	}{
		{"POST", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(postJSON(map[string]any{"query": querySession})))
			r.Header.Set("Content-Type", "application/json")
			return r
		}},
		{"GET", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, getURL(map[string]string{"query": querySession}), nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" passes the headers and the read time", func(t *testing.T) {
			probe := &transportProbe{}
			req := tt.req()
			req.Header.Set("X-Request-Id", "req-42")
			a := serveTransport(t, newTransportServer(t, transportFake(t), probe), req)
			if a.status != http.StatusOK {
				t.Fatalf("status %d; body %s", a.status, a.body)
			}
			ops := probe.operations()
			if len(ops) != 1 {
				t.Fatalf("%d operations, want 1", len(ops))
			}
			op := ops[0]
			if got := op.Headers.Get("X-Request-Id"); got != "req-42" {
				t.Errorf("X-Request-Id %q, want req-42", got)
			}
			read := op.Stats.Read
			if read.Start.IsZero() || read.End.Before(read.Start) {
				t.Errorf("read time %v to %v, want a start and an end after it", read.Start, read.End)
			}
		})
	}
}

// Automatic persisted queries send the hash alone once the server knows the
// document: that is no missing query.
func TestTransportsServePersistedQueries(t *testing.T) {
	sum := sha256.Sum256([]byte(querySession))
	apq := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	apqJSON := postJSON(apq)
	mutSum := sha256.Sum256([]byte(mutationGET))
	mutAPQ := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(mutSum[:])}}

	fake := transportFake(t)
	probe := &transportProbe{}
	h := newTransportServer(t, fake, probe)
	post := func(fields map[string]any) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(postJSON(fields)))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	steps := []struct {
		name   string
		req    *http.Request
		status int
		codes  []string
		data   bool
	}{
		{"an unknown hash alone asks for the document", post(map[string]any{"extensions": apq}), 200, []string{"PERSISTED_QUERY_NOT_FOUND"}, false},
		{"the document with its hash is served", post(map[string]any{"query": querySession, "extensions": apq}), 200, []string{}, true},
		{"then the hash alone is served over POST", post(map[string]any{"extensions": apq}), 200, []string{}, true},
		{"and over GET", httptest.NewRequest(http.MethodGet, getURL(map[string]string{"extensions": apqJSON}), nil), 200, []string{}, true},
		{"a mutation's document with its hash is registered over POST", post(map[string]any{"query": mutationGET, "extensions": mutAPQ}), 200, []string{}, true},
		{"a persisted mutation over GET is a 405", httptest.NewRequest(http.MethodGet, getURL(map[string]string{"extensions": postJSON(mutAPQ)}), nil), 405, []string{"METHOD_NOT_ALLOWED"}, false},
	}
	for _, s := range steps {
		a := serveTransport(t, h, s.req)
		_, hasData := a.fields["data"]
		if a.status != s.status || fmt.Sprint(a.codes()) != fmt.Sprint(s.codes) || hasData != s.data {
			t.Errorf("%s: status %d, codes %v, data %v; want %d, %v, %v; body %s", s.name, a.status, a.codes(), hasData, s.status, s.codes, s.data, a.body)
		}
	}
	if got := ops(fake.Calls()); fmt.Sprint(got) != "[Retrieve vs_1 Retrieve vs_1 Retrieve vs_1 Cancel vs_1]" {
		t.Errorf("calls %v, want three reads and the one POSTed cancel", got)
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name   string
		accept []string // one entry per Accept header
		media  string
		ok     bool
	}{
		{"no Accept is application/json", nil, mediaJSON, true},
		{"an empty Accept is application/json", []string{""}, mediaJSON, true},
		{"*/* is application/json", []string{"*/*"}, mediaJSON, true},
		{"application/* is application/json", []string{"application/*"}, mediaJSON, true},
		{"a browser's navigation Accept is application/json", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, mediaJSON, true},
		{"application/json is application/json", []string{"application/json"}, mediaJSON, true},
		{"application/graphql-response+json is itself", []string{"application/graphql-response+json"}, mediaGraphQLResponse, true},
		{"the spec's recommended Accept prefers graphql-response+json", []string{"application/graphql-response+json, application/json;q=0.9"}, mediaGraphQLResponse, true},
		{"a higher q for application/json wins", []string{"application/graphql-response+json;q=0.5, application/json"}, mediaJSON, true},
		{"at equal q the type listed first wins", []string{"application/json, application/graphql-response+json"}, mediaJSON, true},
		{"at equal q graphql-response+json listed first wins", []string{"application/graphql-response+json, application/json"}, mediaGraphQLResponse, true},
		{"a named type beats a wildcard of the same q", []string{"*/*, application/graphql-response+json"}, mediaGraphQLResponse, true},
		{"q=0 excludes a type that a wildcard allows", []string{"application/json;q=0, */*"}, mediaGraphQLResponse, true},
		{"q=0 on both is not acceptable", []string{"application/json;q=0, application/graphql-response+json;q=0, text/html"}, mediaJSON, false},
		{"a charset parameter is fine", []string{"application/graphql-response+json; charset=utf-8"}, mediaGraphQLResponse, true},
		{"media types are case-insensitive", []string{"Application/GraphQL-Response+JSON"}, mediaGraphQLResponse, true},
		{"several Accept headers count together", []string{"text/html", "application/graphql-response+json"}, mediaGraphQLResponse, true},
		{"text/html alone is not acceptable", []string{"text/html"}, mediaJSON, false},
		{"multipart/mixed alone is not acceptable", []string{"multipart/mixed"}, mediaJSON, false},
		{"an unreadable range is skipped", []string{"garbage/, application/json"}, mediaJSON, true},
		{"a malformed q skips the range", []string{"application/graphql-response+json;q=x, application/json;q=0.1"}, mediaJSON, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, a := range tt.accept {
				r.Header.Add("Accept", a)
			}
			media, ok := negotiateMedia(r)
			if media != tt.media || ok != tt.ok {
				t.Errorf("negotiateMedia(%q) = %q, %v; want %q, %v", tt.accept, media, ok, tt.media, tt.ok)
			}
		})
	}
}
