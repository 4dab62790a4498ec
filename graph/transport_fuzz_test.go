package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/idgraph/idgraph/internal/auth"
)

// fuzzBodyLimit is the POST body limit of the fuzzed server: small, so that
// the fuzzer reaches the 413 too.
const fuzzBodyLimit = 4 << 10

// fuzzMarker is what the fuzzer may plant in a body: no refusal of a body
// may carry it back.
const fuzzMarker = "FUZZ-MARKER-sk_test_secret"

// fuzzAccepts are the Accept headers tried, and the media type each gets.
var fuzzAccepts = []struct{ accept, media string }{
	{"", mediaJSON},
	{mediaJSON, mediaJSON},
	{mediaGraphQLResponse, mediaGraphQLResponse},
	{"*/*", mediaJSON},
}

// FuzzPOSTBody sends arbitrary bytes as the body of a JSON POST through
// idgraph's POST transport, over the real schema and a fake Stripe on which
// every call succeeds. It checks that:
//   - the answer is never a 5xx (nor gqlgen's 422 for a panic), is one of
//     200, 400 and 413, and nothing is logged at ERROR (a recovered panic
//     or an internal error would be);
//   - the answer is always one JSON object in the negotiated media type,
//     with data, errors or both, and no data unless it is a 200;
//   - a body that is not UTF-8, not JSON or over the limit is refused with
//     BAD_REQUEST or REQUEST_TOO_LARGE before anything runs;
//   - the answer never holds the body itself, and a refusal of the body
//     (BAD_REQUEST, REQUEST_TOO_LARGE) never holds any of it (the planted
//     marker) nor Go's JSON error text.
func FuzzPOSTBody(f *testing.F) {
	for _, s := range []string{
		`{"query": "{ __typename }"}`,
		`{"query": "query Q($id: ID!) { verificationSession(id: $id) { id status } }", "variables": {"id": "vs_1"}, "operationName": "Q"}`,
		`{"query": "{ verificationSessions(first: 2) { edges { cursor } pageInfo { endCursor } } }"}`,
		`{"query": "mutation { cancelVerificationSession(input: {id: \"vs_1\"}) { userErrors { code } } }"}`,
		`{"query": "{ node(id: \"vs_1/cancel\") { id } }"}`,
		`{"query": "{ __typename }", "variables": null, "extensions": null, "operationName": null}`,
		`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}}`,
		`{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}`,
		`{"query": "query($n: Int) { verificationSessions(first: $n) { nodes { id } } }", "variables": {"n": 1e400}}`,
		`{"query": "query($n: Int) { verificationSessions(first: $n) { nodes { id } } }", "variables": {"n": 99999999999999999999}}`,
		`{"query": "query($t: DateTime) { verificationSessions(filter: {created: {gt: $t}}) { nodes { id } } }", "variables": {"t": "9999-12-31T23:59:59-01:00"}}`,
		`{"query": "{ __typename }", "query": "{ x }"}`,
		`{"query": "{ a" }`,
		`{"query": ""}`,
		`{"query": 1}`,
		`{"query": ["{ __typename }"]}`,
		`{"query": "{ __typename }", "variables": []}`,
		`{"query": "{ __typename }", "variables": "{}"}`,
		`{"query": "{ __typename }", "extensions": 1}`,
		`{"query": "{ __typename }"} {"query": "{ __typename }"}`,
		`[{"query": "{ __typename }"}]`,
		`{}`,
		`null`,
		`""`,
		``,
		`   `,
		"\ufeff{\"query\": \"{ __typename }\"}",
		"{\"query\": \"{ __typename } # \xff\"}",
		"{\"query\": \"\\ud800\"}",
		`{"query": "{ __typename }"`,
		strings.Repeat("[", 5000),
		`{"query": "` + strings.Repeat("{ a ", 900) + `"}`,
		`{"query": "{ __typename }", "variables": {"a": ` + strings.Repeat(`{"a":`, 500) + `1` + strings.Repeat("}", 500) + `}}`,
		`{"query": "{ __typename }", "pad": "` + strings.Repeat("x", fuzzBodyLimit) + `"}`,
	} {
		f.Add([]byte(s), uint16(0), false, uint8(0), false)
		f.Add([]byte(s), uint16(len(s)/2), true, uint8(2), true)
	}

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError}))

	f.Fuzz(func(t *testing.T, body []byte, at uint16, mark bool, accept uint8, chunked bool) {
		if mark {
			i := int(at) % (len(body) + 1)
			body = slices.Concat(body[:i], []byte(fuzzMarker), body[i:])
		}
		a := fuzzAccepts[int(accept)%len(fuzzAccepts)]
		logs.Reset()
		h := fuzzPOSTServer(t, logger)

		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if a.accept != "" {
			req.Header.Set("Accept", a.accept)
		}
		if chunked {
			req.ContentLength = -1
			req.TransferEncoding = []string{"chunked"}
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		answer := rec.Body.Bytes()

		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest && rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d for body %q: %s", rec.Code, body, answer)
		}
		if logs.Len() > 0 {
			t.Fatalf("ERROR logged for body %q: %s", body, logs.String())
		}
		if got, want := rec.Header().Get("Content-Type"), a.media+"; charset=utf-8"; got != want {
			t.Fatalf("Content-Type %q; want %q", got, want)
		}
		var fields map[string]json.RawMessage
		if !utf8.Valid(answer) || json.Unmarshal(answer, &fields) != nil {
			t.Fatalf("the answer to body %q is not a JSON object: %q", body, answer)
		}
		_, hasData := fields["data"]
		_, hasErrors := fields["errors"]
		if !hasData && !hasErrors || hasData && rec.Code != http.StatusOK {
			t.Fatalf("status %d with data %v, errors %v: %s", rec.Code, hasData, hasErrors, answer)
		}
		if len(body) >= 16 && bytes.Contains(answer, body) {
			t.Fatalf("the answer holds the body %q: %s", body, answer)
		}

		var errs []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		}
		if hasErrors {
			if err := json.Unmarshal(fields["errors"], &errs); err != nil {
				t.Fatalf("errors is not a list of errors: %s", answer)
			}
		}
		refused := len(errs) == 1 && !hasData &&
			(errs[0].Extensions.Code == string(CodeBadRequest) || errs[0].Extensions.Code == string(CodeRequestTooLarge))
		switch {
		case len(body) > fuzzBodyLimit:
			if rec.Code != http.StatusRequestEntityTooLarge || !refused || errs[0].Extensions.Code != string(CodeRequestTooLarge) {
				t.Fatalf("a body of %d bytes, over %d: status %d %s", len(body), fuzzBodyLimit, rec.Code, answer)
			}
		case !utf8.Valid(body) || !json.Valid(body):
			if rec.Code != http.StatusBadRequest || !refused || errs[0].Extensions.Code != string(CodeBadRequest) {
				t.Fatalf("body %q is not UTF-8 JSON: status %d %s", body, rec.Code, answer)
			}
		}
		if refused {
			for _, leak := range []string{fuzzMarker, "invalid character", "unexpected end of JSON", "json:", "cannot unmarshal"} {
				if bytes.Contains(answer, []byte(leak)) {
					t.Fatalf("the refusal of body %q holds %q: %s", body, leak, answer)
				}
			}
		}
	})
}

// fuzzPOSTServer is newServer (handler.go) with the POST transport only,
// its body limit fuzzBodyLimit, for a caller with a server key, over a fake
// Stripe on which every call succeeds.
func fuzzPOSTServer(t *testing.T, logger *slog.Logger) http.Handler {
	srv := handler.New(NewExecutableSchema(Config{
		Resolvers:  &Resolver{Identity: allOK(t)},
		Directives: directives(),
		Complexity: complexity(),
	}))
	srv.AddTransport(POST{MaxBodyBytes: fuzzBodyLimit})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](100))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.AroundFields(MarkResolverErrors)
	srv.SetErrorPresenter(ErrorPresenter(logger))
	srv.SetRecoverFunc(Recover(logger))
	return asCaller(srv, auth.Principal{Kind: auth.Server})
}
