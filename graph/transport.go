package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// This file holds what idgraph's GraphQL-over-HTTP transports (POST in
// transport_post.go, GET in transport_get.go) share: content negotiation,
// the HTTP status of a response, and writing it. They follow the
// GraphQL-over-HTTP draft as graphql-http's audit (1.23) checks it:
//
//   - application/graphql-response+json: a response without data (a request
//     error: the document does not parse or validate, the variables do not
//     coerce, a limit refuses the operation) is a 400; the body has no data
//     entry.
//   - application/json (legacy clients, and Accept */* or none): such a
//     response is a 200 with errors and no data entry, as the spec's
//     application/json section wants: a legacy client cannot trust a 4xx
//     body to be GraphQL's.
//   - Under either, a request that is not a well-formed GraphQL-over-HTTP
//     request (not JSON, not an object, parameters of the wrong type) is a
//     400; too large a body a 413; a mutation over GET a 405; an unsupported
//     Content-Type a 415; an Accept naming neither type a 406.
//   - A request error with code THROTTLED is a 429 with Retry-After under
//     either type: a budget refusal is the one request error that a client,
//     a proxy and a retry library must all recognise without reading bodies.
//
// Later drafts (2026) prefer 422 for validation and variable errors and
// drop the application/json section; graphql-http's audit still checks
// 400 and 200, and the audit is what clients are tested against.

// The media types idgraph answers GraphQL requests with.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// The codes of errors in the HTTP request itself, before GraphQL sees it.
const (
	// CodeBadRequest: the body or URL is not a well-formed GraphQL-over-HTTP
	// request (not JSON, not an object, a parameter of the wrong type, a
	// batch).
	CodeBadRequest Code = "BAD_REQUEST"
	// CodeRequestTooLarge: the request body is over the limit.
	CodeRequestTooLarge Code = "REQUEST_TOO_LARGE"
	// CodeNotAcceptable: the Accept header names no type idgraph answers in.
	CodeNotAcceptable Code = "NOT_ACCEPTABLE"
	// CodeUnsupportedMediaType: a POST body that is not application/json.
	CodeUnsupportedMediaType Code = "UNSUPPORTED_MEDIA_TYPE"
	// CodeMethodNotAllowed: a mutation (or anything but a query) over GET.
	CodeMethodNotAllowed Code = "METHOD_NOT_ALLOWED"
)

// throttledCode is the extensions.code of the cost budget's refusal; its
// extensions.retryAfter (seconds) becomes the Retry-After header.
const throttledCode = string(CodeThrottled)

// negotiateMedia picks the response's media type from the request's Accept
// headers (RFC 9110 §12.5.1): the acceptable type of highest quality; on a
// tie the one matched by the more specific range, then by the range listed
// first; on a full tie (*/*, application/*) application/json, as the spec's
// legacy advice says for clients that do not name
// application/graphql-response+json. No Accept header also means
// application/json. ok is false when Accept allows neither type.
func negotiateMedia(r *http.Request) (media string, ok bool) {
	accept := strings.Join(r.Header.Values("Accept"), ",")
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	type match struct {
		q           float64
		specificity int // 3 exact, 2 application/*, 1 */*
		index       int // of the range in the header
	}
	offers := [...]string{mediaJSON, mediaGraphQLResponse} // the tie order
	var best [len(offers)]match
	for i, part := range strings.Split(accept, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue // an unreadable range names nothing
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(s, 64); err != nil || q < 0 || q > 1 {
				continue
			}
		}
		for j, offer := range offers {
			spec := 0
			switch mt {
			case offer:
				spec = 3
			case "application/*":
				spec = 2
			case "*/*":
				spec = 1
			}
			// The most specific range decides an offer's quality, even
			// when it is lower (application/json;q=0 beats */*).
			if spec > best[j].specificity {
				best[j] = match{q: q, specificity: spec, index: i}
			}
		}
	}
	chosen := -1
	for j, m := range best {
		if m.specificity == 0 || m.q == 0 {
			continue
		}
		if chosen < 0 {
			chosen = j
			continue
		}
		c := best[chosen]
		if m.q > c.q || m.q == c.q && (m.specificity > c.specificity || m.specificity == c.specificity && m.index < c.index) {
			chosen = j
		}
	}
	if chosen < 0 {
		return mediaJSON, false
	}
	return offers[chosen], true
}

// httpRequestError is a refusal of the HTTP request before GraphQL sees it,
// with its status whatever the media type.
type httpRequestError struct {
	status  int
	code    Code
	message string
	allow   string // the Allow header of a 405
}

// refuseHTTP answers an httpRequestError; its message goes through the
// executor's error presenter like any other.
func refuseHTTP(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, media string, e *httpRequestError) {
	err := &gqlerror.Error{Message: e.message, Extensions: map[string]any{"code": string(e.code)}}
	resp := exec.DispatchError(ctx, gqlerror.List{err})
	if e.allow != "" {
		w.Header().Set("Allow", e.allow)
	}
	writeHTTP(w, e.status, media, withoutData(resp))
}

// respondHTTP answers a GraphQL response: one with data is a 200 (field
// errors included); one without is a request error, whose status depends
// on the media type.
func respondHTTP(w http.ResponseWriter, media string, resp *graphql.Response) {
	if resp == nil {
		// The client went away during execution: nobody reads an answer.
		return
	}
	if len(resp.Data) > 0 {
		writeHTTP(w, http.StatusOK, media, resp)
		return
	}
	status := http.StatusOK
	if media == mediaGraphQLResponse {
		status = http.StatusBadRequest
	}
	if retryAfter, ok := retryAfterOf(resp.Errors); ok {
		status = http.StatusTooManyRequests
		if retryAfter >= 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(retryAfter, 10))
		}
	}
	writeHTTP(w, status, media, withoutData(resp))
}

// retryAfterOf tells whether errs hold the cost budget's refusal, and the
// longest extensions.retryAfter among them in whole seconds (rounded up);
// -1 when none says.
func retryAfterOf(errs gqlerror.List) (retryAfter int64, ok bool) {
	retryAfter = -1
	for _, e := range errs {
		if code, _ := e.Extensions["code"].(string); code != throttledCode {
			continue
		}
		ok = true
		if s, valid := retrySeconds(e.Extensions["retryAfter"]); valid && s > retryAfter {
			retryAfter = s
		}
	}
	return retryAfter, ok
}

// retrySeconds reads a number of seconds as an extension holds it: an
// integer of the budget's, or a JSON number if it came through encoding.
func retrySeconds(v any) (int64, bool) {
	var f float64
	switch n := v.(type) {
	case int:
		f = float64(n)
	case int32:
		f = float64(n)
	case int64:
		f = float64(n)
	case uint:
		f = float64(n)
	case uint32:
		f = float64(n)
	case uint64:
		f = float64(n)
	case float32:
		f = float64(n)
	case float64:
		f = n
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if math.IsNaN(f) || f < 0 || f > math.MaxInt32 {
		return 0, false
	}
	return int64(math.Ceil(f)), true
}

// errorsOnly is a response without a data entry: the GraphQL spec leaves
// data out when a request error stops execution before it starts, and
// gqlgen's Response would write "data": null.
type errorsOnly struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func withoutData(resp *graphql.Response) errorsOnly {
	return errorsOnly{Errors: resp.Errors, Extensions: resp.Extensions}
}

// writeHTTP sends body as JSON with status, in the negotiated media type.
func writeHTTP(w http.ResponseWriter, status int, media string, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		// Only an extension value that JSON cannot hold gets here: idgraph's
		// bug. gqlgen's server recovers the panic, logs it through the
		// recover func and answers 500; nothing was written yet.
		panic(fmt.Errorf("encode a GraphQL response: %w", err))
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// executeHTTP runs one GraphQL request, as gqlgen's transports do: the
// executor parses, validates and applies the extensions
// (CreateOperationContext), then runs the operation. queryOnly refuses
// anything but a query (GET).
func executeHTTP(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, media string, params *graphql.RawParams, queryOnly bool) {
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		respondHTTP(w, media, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs))
		return
	}
	// GET checks the operation before this; a persisted query's document
	// is known only now.
	if op := opCtx.Operation.Operation; queryOnly && op != ast.Query {
		refuseHTTP(graphql.WithOperationContext(ctx, opCtx), w, exec, media, notOverGET(op))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	respondHTTP(w, media, responses(ctx))
}
