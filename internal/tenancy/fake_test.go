package tenancy

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/identity"
)

// This file holds what the tests share: a fake identity.Client with
// function fields that records every call, a small Stripe in it (store)
// with Alice's and Bob's sessions, and the principals.

// call is one call the fake received.
type call struct {
	op     string // "Create", "Retrieve", "Update", "Cancel", "Redact", "List"
	id     string
	params any // as received
}

// fakeClient is an identity.Client whose behaviour each test sets through
// its function fields. A call whose field is nil fails the test.
type fakeClient struct {
	t *testing.T

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

func (f *fakeClient) record(op, id string, params any, fn any) bool {
	f.mu.Lock()
	f.calls = append(f.calls, call{op, id, params})
	f.mu.Unlock()
	if fn == nil {
		f.t.Errorf("unexpected call: %s(%q)", op, id)
		return false
	}
	return true
}

var errUnexpected = fmt.Errorf("unexpected call")

func (f *fakeClient) Create(ctx context.Context, p *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
	if !f.record("Create", "", p, f.CreateFunc) {
		return nil, errUnexpected
	}
	return f.CreateFunc(ctx, p)
}

func (f *fakeClient) Retrieve(ctx context.Context, id string, p *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	if !f.record("Retrieve", id, p, f.RetrieveFunc) {
		return nil, errUnexpected
	}
	return f.RetrieveFunc(ctx, id, p)
}

func (f *fakeClient) Update(ctx context.Context, id string, p *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
	if !f.record("Update", id, p, f.UpdateFunc) {
		return nil, errUnexpected
	}
	return f.UpdateFunc(ctx, id, p)
}

func (f *fakeClient) Cancel(ctx context.Context, id string, p *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
	if !f.record("Cancel", id, p, f.CancelFunc) {
		return nil, errUnexpected
	}
	return f.CancelFunc(ctx, id, p)
}

func (f *fakeClient) Redact(ctx context.Context, id string, p *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
	if !f.record("Redact", id, p, f.RedactFunc) {
		return nil, errUnexpected
	}
	return f.RedactFunc(ctx, id, p)
}

func (f *fakeClient) List(ctx context.Context, p *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
	if !f.record("List", "", p, f.ListFunc) {
		return identity.Page{}, errUnexpected
	}
	return f.ListFunc(ctx, p)
}

// ops lists the operations called, in order.
func (f *fakeClient) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ops []string
	for _, c := range f.calls {
		ops = append(ops, c.op)
	}
	return ops
}

// last returns the params of the last call of op.
func (f *fakeClient) last(op string) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.calls) - 1; i >= 0; i-- {
		if f.calls[i].op == op {
			return f.calls[i].params
		}
	}
	f.t.Fatalf("no %s call", op)
	return nil
}

// The callers.
var (
	alice     = auth.Principal{Kind: auth.EndUser, Subject: "user_alice"}
	bob       = auth.Principal{Kind: auth.EndUser, Subject: "user_bob"}
	serverKey = auth.Principal{Kind: auth.Server}
	devMode   = auth.Principal{Kind: auth.Development}
)

func as(p auth.Principal) context.Context { return auth.NewContext(context.Background(), p) }

// store is a small Stripe behind a fakeClient: sessions by ID, request IDs
// counting up, and Stripe's errors for IDs that name nothing.
type store struct {
	*fakeClient
	mu       sync.Mutex
	sessions map[string]*stripe.IdentityVerificationSession
	order    []string // newest first, as Stripe lists
	requests int
}

// newStore returns a store holding Alice's vs_alice (a document session
// requiring a selfie and a passport), Bob's vs_bob and vs_server, which a
// server key created without a client_reference_id.
func newStore(t *testing.T) *store {
	t.Helper()
	s := &store{fakeClient: &fakeClient{t: t}, sessions: map[string]*stripe.IdentityVerificationSession{}}
	s.put(&stripe.IdentityVerificationSession{ID: "vs_server", Type: "document"})
	s.put(&stripe.IdentityVerificationSession{ID: "vs_bob", ClientReferenceID: bob.Subject, Type: "id_number"})
	s.put(&stripe.IdentityVerificationSession{ID: "vs_alice", ClientReferenceID: alice.Subject, Type: "document",
		Options: &stripe.IdentityVerificationSessionOptions{Document: &stripe.IdentityVerificationSessionOptionsDocument{
			RequireMatchingSelfie: true,
			AllowedTypes:          []stripe.IdentityVerificationSessionOptionsDocumentAllowedType{"passport"},
		}}})

	s.CreateFunc = func(_ context.Context, p *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
		vs := &stripe.IdentityVerificationSession{ID: "vs_new", ClientReferenceID: stripe.StringValue(p.ClientReferenceID), Type: stripe.IdentityVerificationSessionType(stripe.StringValue(p.Type))}
		s.put(vs)
		return s.respond(vs), nil
	}
	s.RetrieveFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		return s.get(id)
	}
	s.UpdateFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
		return s.get(id)
	}
	s.CancelFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
		return s.get(id)
	}
	s.RedactFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
		return s.get(id)
	}
	s.ListFunc = func(_ context.Context, p *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
		if p == nil {
			p = &stripe.IdentityVerificationSessionListParams{}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range []struct {
			param string
			id    *string
		}{{"starting_after", p.StartingAfter}, {"ending_before", p.EndingBefore}} {
			if c.id != nil && s.sessions[*c.id] == nil {
				return identity.Page{}, s.wireError(http.StatusBadRequest, c.param, "No such verificationsession: '"+*c.id+"'")
			}
		}
		var page identity.Page
		for _, id := range s.order {
			if vs := s.sessions[id]; p.ClientReferenceID == nil || vs.ClientReferenceID == *p.ClientReferenceID {
				page.Sessions = append(page.Sessions, s.respondLocked(vs))
			}
		}
		return page, nil
	}
	return s
}

func (s *store) put(vs *stripe.IdentityVerificationSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs.ClientSecret = "vs_secret_" + vs.ID
	vs.URL = "https://verify.stripe.com/start/" + vs.ID
	s.sessions[vs.ID] = vs
	s.order = slices.Insert(s.order, 0, vs.ID)
}

// get answers as Stripe does for id: the session, or a 404.
func (s *store) get(id string) (*stripe.IdentityVerificationSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs, ok := s.sessions[id]
	if !ok {
		return nil, s.wireError(http.StatusNotFound, "session", "No such VerificationSession: '"+id+"'")
	}
	return s.respondLocked(vs), nil
}

func (s *store) respond(vs *stripe.IdentityVerificationSession) *stripe.IdentityVerificationSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.respondLocked(vs)
}

// respondLocked returns a copy of vs as from one response, with its own
// request ID.
func (s *store) respondLocked(vs *stripe.IdentityVerificationSession) *stripe.IdentityVerificationSession {
	s.requests++
	cp := *vs
	cp.LastResponse = &stripe.APIResponse{RequestID: fmt.Sprintf("req_%d", s.requests), StatusCode: http.StatusOK}
	return &cp
}

// wireError is the error stripe-go makes of the body Stripe sends for an ID
// that names nothing, written out here as Stripe writes it (not with
// notfound.go's helpers, which it checks).
func (s *store) wireError(status int, param, message string) error {
	s.requests++
	body := fmt.Sprintf(`{"error":{"code":"resource_missing","doc_url":"https://stripe.com/docs/error-codes/resource-missing","message":%q,"param":%q,"type":"invalid_request_error"}}`, message, param)
	res := &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header: http.Header{"Request-Id": {fmt.Sprintf("req_%d", s.requests)}}}
	return (&stripe.BackendImplementation{Type: stripe.APIBackend}).ResponseToError(res, []byte(body))
}
