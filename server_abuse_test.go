package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
)

// The abuse suite: each attack on idgraph that the first round measured (and
// its neighbours), sent to the whole server as a stranger would, is refused
// with its code, makes no Stripe call and costs bounded work. Work is
// counted (bytes allocated while serving, sessions created), not timed.

// nestedFragments is n fragments, each spreading the previous one twice:
// 2^n fields if expanded naively, in about 60 bytes a level.
func nestedFragments(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query { verificationSessions { nodes { ...F%d } } }\n", n)
	b.WriteString("fragment F0 on VerificationSession { id }\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on VerificationSession { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

func repeat(n int, s, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(s, i)
	}
	return strings.Join(parts, sep)
}

func graphqlBody(query string) string {
	b, _ := json.Marshal(map[string]any{"query": query})
	return string(b)
}

// chunked is a body of unknown length, as a chunked upload sends it.
type chunked struct{ io.Reader }

func TestAbuseIsRefusedCheaply(t *testing.T) {
	// Budgets off: the attacks are refused by the limits, not by a spent
	// bucket.
	s := startOnEmulator(t, map[string]string{"IDGRAPH_BUDGET": "off"})
	app := s.handler
	attacks := []struct {
		name   string
		method string
		body   io.Reader // nil with GET
		query  string    // GET's query
		status int
		code   string
		// maxAlloc bounds the bytes allocated to serve it.
		maxAlloc uint64
	}{
		{name: "24 levels of nested fragments", body: strings.NewReader(graphqlBody(nestedFragments(24))), status: 200, code: "FIELD_LIMIT_EXCEEDED"},
		{name: "40 levels of nested fragments (days of work if expanded)", body: strings.NewReader(graphqlBody(nestedFragments(40))), status: 200, code: "FIELD_LIMIT_EXCEEDED"},
		{name: "nested fragments as a GET", method: http.MethodGet, query: nestedFragments(30), status: 200, code: "FIELD_LIMIT_EXCEEDED"},
		{name: "20 aliased __schema roots", body: strings.NewReader(graphqlBody("{ " + repeat(20, "s%d: __schema { types { name fields { name } } }", " ") + " }")), status: 200, code: "INTROSPECTION_LIMIT_EXCEEDED"},
		{name: "one __schema root with 40 aliased types", body: strings.NewReader(graphqlBody("{ __schema { " + repeat(40, "t%d: types { name fields { name type { name } } }", " ") + " } }")), status: 200, code: "ALIAS_LIMIT_EXCEEDED"},
		{name: "two __schema roots", body: strings.NewReader(graphqlBody("{ a: __schema { queryType { name } } b: __schema { queryType { name } } }")), status: 200, code: "INTROSPECTION_LIMIT_EXCEEDED"},
		{name: "23,000 repeated __typename (253 KB) is over the body limit", body: strings.NewReader(graphqlBody("{ " + strings.Repeat("__typename ", 23000) + "}")), status: 413, code: "REQUEST_TOO_LARGE"},
		{name: "a token flood under the body limit", body: strings.NewReader(graphqlBody("{ " + strings.Repeat("id ", 20000) + "}")), status: 200, code: "TOKEN_LIMIT_EXCEEDED"},
		{name: "4,000 repeated id fields, under the token limit", body: strings.NewReader(graphqlBody(`{ verificationSession(id: "vs_1") { ` + strings.Repeat("id ", 4000) + "} }")), status: 200, code: "FIELD_LIMIT_EXCEEDED"},
		{name: "an alias bomb", body: strings.NewReader(graphqlBody("{ " + repeat(100, `a%d: verificationSession(id: "vs_1") { id }`, " ") + " }")), status: 200, code: "ALIAS_LIMIT_EXCEEDED"},
		{name: "100 aliased creates (a mutation bomb)", body: strings.NewReader(graphqlBody("mutation { " + repeat(100, "c%d: createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id } }", " ") + " }")), status: 200, code: "MUTATION_LIMIT_EXCEEDED"},
		{name: "six creates, one over the default", body: strings.NewReader(graphqlBody("mutation { " + repeat(6, "c%d: createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id } }", " ") + " }")), status: 200, code: "MUTATION_LIMIT_EXCEEDED"},
		{name: "deep nesting through inline fragments", body: strings.NewReader(graphqlBody("{ verificationSessions { nodes { " + strings.Repeat("... on VerificationSession { lastVerificationReport { document { address { ", 12) + "city" + strings.Repeat(" } } } }", 12) + " } } }")), status: 200, code: "DEPTH_LIMIT_EXCEEDED"},
		{name: "a fragment cycle", body: strings.NewReader(graphqlBody("{ verificationSessions { nodes { ...A } } } fragment A on VerificationSession { ...B } fragment B on VerificationSession { ...A }")), status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "a batch body", body: strings.NewReader(`[{"query":"{ __typename }"},{"query":"{ __typename }"}]`), status: 400, code: "BAD_REQUEST"},
		{name: "malformed JSON", body: strings.NewReader(`{"query": "{ __typename }", oops}`), status: 400, code: "BAD_REQUEST"},
		{name: "invalid UTF-8", body: strings.NewReader("{\"query\": \"{ __typename \xff\xfe }\"}"), status: 400, code: "BAD_REQUEST"},
		{name: "a body over the limit", body: strings.NewReader(graphqlBody("{ __typename }" + strings.Repeat(" ", 70<<10))), status: 413, code: "REQUEST_TOO_LARGE"},
		{name: "a chunked body over the limit", body: chunked{strings.NewReader(graphqlBody("{ __typename }" + strings.Repeat(" ", 1<<20)))}, status: 413, code: "REQUEST_TOO_LARGE"},
		{name: "a mutation over GET", method: http.MethodGet, query: `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id } } }`, status: 405, code: "METHOD_NOT_ALLOWED"},
	}
	for _, tt := range attacks {
		t.Run(tt.name, func(t *testing.T) {
			if tt.method == "" {
				tt.method = http.MethodPost
			}
			if tt.maxAlloc == 0 {
				tt.maxAlloc = 4 << 20 // the largest refusal allocates about 1.5 MiB
			}
			target := "/graphql"
			if tt.method == http.MethodGet {
				target += "?query=" + url.QueryEscape(tt.query)
			}
			req := httptest.NewRequest(tt.method, target, tt.body)
			req.Host = "127.0.0.1:8080"
			if tt.body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			if _, ok := tt.body.(chunked); ok {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			app.ServeHTTP(rec, req)
			runtime.ReadMemStats(&after)

			var body struct {
				Data   json.RawMessage
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("status %d, not JSON: %.200s", rec.Code, rec.Body.String())
			}
			if rec.Code != tt.status || len(body.Errors) == 0 || body.Errors[0].Extensions["code"] != tt.code {
				t.Errorf("status %d, errors %+v; want %d %s", rec.Code, body.Errors, tt.status, tt.code)
			}
			if len(body.Errors) > 0 && body.Errors[0].Extensions["requestId"] == nil && rec.Header().Get("X-Request-Id") == "" {
				t.Error("no request ID")
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > tt.maxAlloc {
				t.Errorf("serving it allocated %d KiB, want at most %d KiB", alloc>>10, tt.maxAlloc>>10)
			}
			if bytes.Contains(rec.Body.Bytes(), []byte("oops")) || bytes.Contains(rec.Body.Bytes(), []byte("json:")) {
				t.Errorf("the answer echoes the body or Go's error text: %.300s", rec.Body.String())
			}
		})
	}
	// Not one of the creates above reached the emulator.
	var out struct {
		VerificationSessions struct{ Nodes []struct{ ID string } }
	}
	s.gql(t, `{ verificationSessions(first: 100) { nodes { id } } }`, nil, &out)
	if n := len(out.VerificationSessions.Nodes); n != 0 {
		t.Errorf("%d sessions were created by refused mutations", n)
	}
}
