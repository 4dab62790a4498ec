package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
)

// DefaultMaxBodyBytes is POST's body limit when MaxBodyBytes is zero: the
// largest legitimate idgraph request (50 metadata entries at Stripe's
// limits) is under 40 KiB.
const DefaultMaxBodyBytes = 256 << 10

// POST serves application/json POST requests; MaxBodyBytes bounds the body
// (over it, chunked or not: 413). Zero means DefaultMaxBodyBytes.
//
// It takes every POST without an Upgrade header and answers other
// Content-Types with 415, so a transport for another POST encoding
// (multipart uploads) must be added to the server before it. Refusing
// text/plain and form bodies also keeps out the cross-origin POSTs that a
// browser sends without a CORS preflight.
type POST struct{ MaxBodyBytes int64 }

var _ graphql.Transport = POST{}

// Supports tells whether r is a POST for this transport.
func (t POST) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("Upgrade") == ""
}

// Do serves one GraphQL request from r's JSON body.
func (t POST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	media, ok := negotiateMedia(r)
	if !ok {
		refuseHTTP(ctx, w, exec, media, errNotAcceptable)
		return
	}
	if e := checkPOSTContentType(r.Header.Get("Content-Type")); e != nil {
		refuseHTTP(ctx, w, exec, media, e)
		return
	}
	params := &graphql.RawParams{Headers: r.Header}
	params.ReadTime.Start = graphql.Now()
	body, e := t.readBody(w, r)
	if e == nil {
		e = decodePOSTBody(body, params)
	}
	if e != nil {
		refuseHTTP(ctx, w, exec, media, e)
		return
	}
	params.ReadTime.End = graphql.Now()
	executeHTTP(ctx, w, exec, media, params, false)
}

// checkPOSTContentType accepts application/json in UTF-8, the one request
// encoding the spec requires; with no charset UTF-8 is assumed.
func checkPOSTContentType(contentType string) *httpRequestError {
	unsupported := &httpRequestError{http.StatusUnsupportedMediaType, CodeUnsupportedMediaType,
		`Send the request as JSON, with "Content-Type: application/json".`, ""}
	if contentType == "" {
		return unsupported
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != mediaJSON {
		return unsupported
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		unsupported.message = "Send the request body in UTF-8 (charset=utf-8)."
		return unsupported
	}
	return nil
}

// readBody reads the body within the limit: a Content-Length over it is
// refused before reading, and a body without one (chunked) when it runs
// over.
func (t POST) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *httpRequestError) {
	limit := t.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	tooLarge := &httpRequestError{http.StatusRequestEntityTooLarge, CodeRequestTooLarge,
		fmt.Sprintf("The request body is larger than %d bytes.", limit), ""}
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	if r.Body == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge
	case err != nil:
		// The client went away or stalled (the server's read timeout):
		// Go's error text is not for the client.
		return nil, badHTTPRequest("The request body could not be read.")
	}
	return buf.Bytes(), nil
}

// decodePOSTBody reads the GraphQL-over-HTTP parameters of a JSON body into p.
// Its messages say what is wrong in idgraph's words: Go's error text and the
// body itself never go back (the body may hold what a log must not).
func decodePOSTBody(body []byte, p *graphql.RawParams) *httpRequestError {
	if !utf8.Valid(body) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return badHTTPRequest("The request body is not valid UTF-8.")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return badHTTPRequest(`The request body is empty; send a JSON object such as {"query": "{ __typename }"}.`)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return badHTTPRequest(fmt.Sprintf("The request body is not valid JSON (the error is near byte %d).", se.Offset))
		case trimmed[0] == '[':
			return badHTTPRequest("Batching is not supported: send one JSON object per request.")
		default:
			return badHTTPRequest(`The request body must be a JSON object such as {"query": "{ __typename }"}.`)
		}
	}
	hasQuery, e := decodeJSONString(fields, "query", &p.Query)
	if e != nil {
		return e
	}
	if _, e := decodeJSONString(fields, "operationName", &p.OperationName); e != nil {
		return e
	}
	if e := decodeJSONObject(fields["variables"], "variables", &p.Variables); e != nil {
		return e
	}
	if e := decodeJSONObject(fields["extensions"], "extensions", &p.Extensions); e != nil {
		return e
	}
	return checkQueryParam(hasQuery, p)
}

// decodeJSONString reads a string parameter; ok tells whether it was there
// (null is absent).
func decodeJSONString(fields map[string]json.RawMessage, name string, dst *string) (ok bool, _ *httpRequestError) {
	raw := fields[name]
	if isJSONNull(raw) {
		return false, nil
	}
	if raw[0] != '"' || json.Unmarshal(raw, dst) != nil {
		return false, badHTTPRequest(fmt.Sprintf("The %s parameter must be a string.", name))
	}
	return true, nil
}

// decodeJSONObject reads an optional map parameter (variables, extensions) from
// JSON; null is absent. Numbers stay json.Number, as in gqlgen's own
// transports, so that large Int and ID values keep every digit.
func decodeJSONObject(raw []byte, name string, dst *map[string]any) *httpRequestError {
	if isJSONNull(raw) {
		return nil
	}
	bad := badHTTPRequest(fmt.Sprintf("The %s parameter must be a JSON object.", name))
	if raw[0] != '{' {
		return bad
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(dst) != nil {
		return bad
	}
	return nil
}

func isJSONNull(raw []byte) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// checkQueryParam requires the query parameter, except for automatic persisted
// queries (Apollo's), whose first try sends only the hash in
// extensions.persistedQuery. An empty query is there: the document fails to
// parse, a GraphQL error rather than a malformed request.
func checkQueryParam(hasQuery bool, p *graphql.RawParams) *httpRequestError {
	if hasQuery {
		return nil
	}
	if _, apq := p.Extensions["persistedQuery"]; apq {
		return nil
	}
	return badHTTPRequest("The query parameter is missing: send the GraphQL document as a string in query.")
}

func badHTTPRequest(message string) *httpRequestError {
	return &httpRequestError{http.StatusBadRequest, CodeBadRequest, message, ""}
}

var errNotAcceptable = &httpRequestError{http.StatusNotAcceptable, CodeNotAcceptable,
	"idgraph answers in application/graphql-response+json or application/json; the Accept header allows neither.", ""}
