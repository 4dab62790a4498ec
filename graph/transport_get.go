package graph

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// GET serves queries from the URL; mutations over GET get 405 with an
// error with a code (and Allow: POST). GET is safe in HTTP's sense: caches,
// prefetchers and <img src> may send it, so it must not change anything.
type GET struct{}

// getPrecheckTokens bounds the parse that finds a GET's operation type
// before the executor: the parse is linear, and a document over this is
// one the executor's limits refuse anyway.
const getPrecheckTokens = 20000

var _ graphql.Transport = GET{}

// Supports tells whether r is a GET for this transport.
func (GET) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

// Do serves one GraphQL query from r's URL: query, operationName, and
// variables and extensions as JSON; an empty parameter is an absent one.
func (GET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	media, ok := negotiateMedia(r)
	if !ok {
		refuseHTTP(ctx, w, exec, media, errNotAcceptable)
		return
	}
	params := &graphql.RawParams{Headers: r.Header}
	params.ReadTime.Start = graphql.Now()
	if e := decodeGETQuery(r.URL.RawQuery, params); e != nil {
		refuseHTTP(ctx, w, exec, media, e)
		return
	}
	params.ReadTime.End = graphql.Now()
	// Refused before the executor sees it, so that no extension (the
	// complexity limit, the cost budget) counts an operation that will not
	// run. A document that does not parse, or is too long for this cheap
	// look, is left to the executor and its limits, which say why;
	// executeHTTP checks the operation again.
	if doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, getPrecheckTokens); err == nil {
		if op := doc.Operations.ForName(params.OperationName); op != nil && op.Operation != ast.Query {
			refuseHTTP(ctx, w, exec, media, notOverGET(op.Operation))
			return
		}
	}
	executeHTTP(ctx, w, exec, media, params, true)
}

// decodeGETQuery reads the GraphQL-over-HTTP parameters of a GET's query
// string.
func decodeGETQuery(rawQuery string, p *graphql.RawParams) *httpRequestError {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return badHTTPRequest("The URL's query string is malformed.")
	}
	get := func(name string) (string, *httpRequestError) {
		v := values[name]
		switch {
		case len(v) > 1:
			return "", badHTTPRequest(fmt.Sprintf("The %s parameter is given more than once.", name))
		case len(v) == 0:
			return "", nil
		case !utf8.ValidString(v[0]):
			return "", badHTTPRequest(fmt.Sprintf("The %s parameter is not valid UTF-8.", name))
		}
		return v[0], nil
	}
	var e *httpRequestError
	if p.Query, e = get("query"); e != nil {
		return e
	}
	if p.OperationName, e = get("operationName"); e != nil {
		return e
	}
	for _, obj := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &p.Variables}, {"extensions", &p.Extensions}} {
		s, e := get(obj.name)
		if e != nil {
			return e
		}
		if e := decodeJSONObject([]byte(strings.TrimSpace(s)), obj.name, obj.dst); e != nil {
			return e
		}
	}
	return checkQueryParam(p.Query != "", p)
}

// notOverGET is the refusal of an operation other than a query over GET.
func notOverGET(op ast.Operation) *httpRequestError {
	return &httpRequestError{http.StatusMethodNotAllowed, CodeMethodNotAllowed,
		fmt.Sprintf("A %s cannot be sent with GET; use POST.", op), http.MethodPost}
}
