package graph

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/form"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/identity"
)

// This file holds what the GraphQL tests share: a fake identity.Client with
// function fields that records the stripe-go params of every call, and
// helpers that run operations through the real handler (NewHandler) with
// gqlgen's client package.

// call is one call the fake received.
type call struct {
	op     string // "Create", "Retrieve", "Update", "Cancel", "Redact", "List"
	id     string // the session ID, for the calls that take one
	params any    // the stripe-go params, as received
}

// fakeClient is an identity.Client whose behaviour each test sets through
// its function fields. A call whose field is nil fails the test.
type fakeClient struct {
	t      *testing.T
	forget bool // keep no call log (benchmarks)

	CreateFunc   func(ctx context.Context, p *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error)
	RetrieveFunc func(ctx context.Context, id string, p *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error)
	UpdateFunc   func(ctx context.Context, id string, p *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error)
	CancelFunc   func(ctx context.Context, id string, p *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error)
	RedactFunc   func(ctx context.Context, id string, p *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error)
	ListFunc     func(ctx context.Context, p *stripe.IdentityVerificationSessionListParams) (identity.Page, error)

	mu    sync.Mutex
	calls []call
}

var _ identity.Client = (*fakeClient)(nil)

func newFake(t *testing.T) *fakeClient {
	t.Helper()
	return &fakeClient{t: t}
}

func (f *fakeClient) record(op, id string, params any) {
	if f.forget {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{op: op, id: id, params: params})
}

// Calls returns a copy of the calls so far.
func (f *fakeClient) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeClient) unexpected(op string) error {
	f.t.Errorf("unexpected %s call to the identity client", op)
	return stripeErr(500, stripe.ErrorTypeAPI, "", "", "fake: no "+op+" set")
}

func (f *fakeClient) Create(ctx context.Context, p *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
	f.record("Create", "", p)
	if f.CreateFunc == nil {
		return nil, f.unexpected("Create")
	}
	return f.CreateFunc(ctx, p)
}

func (f *fakeClient) Retrieve(ctx context.Context, id string, p *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	f.record("Retrieve", id, p)
	if f.RetrieveFunc == nil {
		return nil, f.unexpected("Retrieve")
	}
	return f.RetrieveFunc(ctx, id, p)
}

func (f *fakeClient) Update(ctx context.Context, id string, p *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
	f.record("Update", id, p)
	if f.UpdateFunc == nil {
		return nil, f.unexpected("Update")
	}
	return f.UpdateFunc(ctx, id, p)
}

func (f *fakeClient) Cancel(ctx context.Context, id string, p *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
	f.record("Cancel", id, p)
	if f.CancelFunc == nil {
		return nil, f.unexpected("Cancel")
	}
	return f.CancelFunc(ctx, id, p)
}

func (f *fakeClient) Redact(ctx context.Context, id string, p *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
	f.record("Redact", id, p)
	if f.RedactFunc == nil {
		return nil, f.unexpected("Redact")
	}
	return f.RedactFunc(ctx, id, p)
}

func (f *fakeClient) List(ctx context.Context, p *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
	f.record("List", "", p)
	if f.ListFunc == nil {
		return identity.Page{}, f.unexpected("List")
	}
	return f.ListFunc(ctx, p)
}

// retrieveOK makes Retrieve return a plain session with the asked ID.
func (f *fakeClient) retrieveOK() *fakeClient {
	f.RetrieveFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		return session(id), nil
	}
	return f
}

// testCreated is the created time of the sessions session builds:
// 2026-11-26T15:04:05Z.
const testCreated = 1795705445

// session is a plain requires_input document session.
func session(id string) *stripe.IdentityVerificationSession {
	return &stripe.IdentityVerificationSession{
		ID:       id,
		Object:   "identity.verification_session",
		Created:  testCreated,
		Status:   stripe.IdentityVerificationSessionStatusRequiresInput,
		Type:     stripe.IdentityVerificationSessionTypeDocument,
		Metadata: map[string]string{},
	}
}

// sessions builds sessions with the given IDs, in the given order.
func sessions(ids ...string) []*stripe.IdentityVerificationSession {
	out := make([]*stripe.IdentityVerificationSession, len(ids))
	for i, id := range ids {
		out[i] = session(id)
	}
	return out
}

func stripeErr(status int, typ stripe.ErrorType, code stripe.ErrorCode, param, msg string) *stripe.Error {
	return &stripe.Error{HTTPStatusCode: status, Type: typ, Code: code, Param: param, Msg: msg, RequestID: "req_test123"}
}

// newTestClient returns gqlgen's test client over the real handler, with
// logs discarded.
func newTestClient(t testing.TB, fake identity.Client) *client.Client {
	t.Helper()
	return client.New(newTestHandler(fake, discardLogger()))
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// gqlError is one entry of a response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// result is a response as the client sees it.
type result struct {
	Data   json.RawMessage
	Errors []gqlError
	Body   string // the whole response, re-encoded
}

// codes lists the errors' extensions.code in order.
func (r result) codes() []string {
	out := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		out[i] = e.code()
	}
	return out
}

// do posts one operation through gqlgen's client and decodes the response,
// errors included. The HTTP status must be below 400 (gqlgen's client
// refuses others; see doHTTP for those).
func do(t testing.TB, c *client.Client, query string, opts ...client.Option) result {
	t.Helper()
	resp, err := c.RawPost(query, opts...)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	var r result
	if r.Data, err = json.Marshal(resp.Data); err != nil {
		t.Fatalf("encode data: %v", err)
	}
	if len(resp.Errors) > 0 {
		if err := json.Unmarshal(resp.Errors, &r.Errors); err != nil {
			t.Fatalf("decode errors %s: %v", resp.Errors, err)
		}
	}
	body, err := json.Marshal(resp)
	if err != nil {
		t.Fatalf("encode response: %v", err)
	}
	r.Body = string(body)
	return r
}

// vars is shorthand for a list of client.Var options.
func vars(kv map[string]any) []client.Option {
	opts := make([]client.Option, 0, len(kv))
	for k, v := range kv {
		opts = append(opts, client.Var(k, v))
	}
	return opts
}

// decode unmarshals the data of a response into v.
func decode(t testing.TB, data json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}

// wire is the form stripe-go would send for params (expand[] included,
// headers and UnsetFields not), decoded for comparison.
func wire(params any) map[string][]string {
	v := &form.Values{}
	form.AppendTo(v, params)
	return v.ToValues()
}

// expandOf returns the expand[] paths of any session params, sorted.
func expandOf(t testing.TB, params any) []string {
	t.Helper()
	var e []*string
	switch p := params.(type) {
	case *stripe.IdentityVerificationSessionRetrieveParams:
		e = p.Expand
	case *stripe.IdentityVerificationSessionListParams:
		e = p.Expand
	case *stripe.IdentityVerificationSessionCreateParams:
		e = p.Expand
	case *stripe.IdentityVerificationSessionUpdateParams:
		e = p.Expand
	case *stripe.IdentityVerificationSessionCancelParams:
		e = p.Expand
	case *stripe.IdentityVerificationSessionRedactParams:
		e = p.Expand
	default:
		t.Fatalf("expandOf: unexpected params %T", params)
	}
	if e == nil {
		return nil
	}
	out := make([]string, len(e))
	for i, s := range e {
		out[i] = *s
	}
	slices.Sort(out)
	return out
}

// ops lists the operations of calls, e.g. "Retrieve vs_1".
func ops(calls []call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = strings.TrimSpace(c.op + " " + c.id)
	}
	return out
}

// newTestHandler is NewHandler for a caller with a server key: the tests of
// this package that are not about callers see everything.
func newTestHandler(c identity.Client, logger *slog.Logger) http.Handler {
	return asCaller(NewHandler(c, logger, Options{}), auth.Principal{Kind: auth.Server})
}

// asCaller serves h to requests of principal p.
func asCaller(h http.Handler, p auth.Principal) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.NewContext(r.Context(), p)))
	})
}
