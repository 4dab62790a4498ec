package tenancy_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/identity"
	"github.com/idgraph/idgraph/internal/tenancy"
)

// These benchmarks show what tenancy adds to a call: each compares the
// client called directly (the reference) with the same client behind
// tenancy.New, in the same run, as the machines are shared and noisy.
// The client answers at once from memory, so the difference is tenancy's
// own CPU, to be set against a Stripe round trip of 100ms or more; calls/op
// counts the Stripe calls each operation costs.

// stripeStub is the client behind tenancy: it answers Retrieve and List
// with sessions of benchUser, and counts its calls. It keeps no call log
// (unlike fake_test.go's fakeClient), which would grow with b.N and skew
// the allocations measured.
type stripeStub struct {
	identity.Client // the operations not benchmarked: nil, they panic
	page            identity.Page
	calls           int
}

const benchUser = "user_alice"

func newStripeStub() *stripeStub {
	// A page of Stripe's default size, all the user's: as Stripe returns
	// it with the client_reference_id filter tenancy adds.
	s := &stripeStub{page: identity.Page{HasMore: true}}
	for i := range 10 {
		s.page.Sessions = append(s.page.Sessions, &stripe.IdentityVerificationSession{
			ID: fmt.Sprintf("vs_%02d", i), ClientReferenceID: benchUser, Status: "verified"})
	}
	return s
}

func (s *stripeStub) Retrieve(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	s.calls++
	return s.page.Sessions[0], nil
}

func (s *stripeStub) List(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
	s.calls++
	return s.page, nil
}

// The callers: a server key and the end user who owns every session.
var (
	asServer  = auth.NewContext(context.Background(), auth.Principal{Kind: auth.Server})
	asEndUser = auth.NewContext(context.Background(), auth.Principal{Kind: auth.EndUser, Subject: benchUser,
		Scopes: []string{auth.ScopeReadOutputs}})
)

func BenchmarkRetrieve(b *testing.B) {
	stub := newStripeStub()
	guarded := tenancy.New(stub, tenancy.Policy{})
	params := &stripe.IdentityVerificationSessionRetrieveParams{}
	tests := []struct {
		name string
		c    identity.Client
		ctx  context.Context
	}{
		{"reference: the client called directly", stub, asServer},
		{"server key through tenancy", guarded, asServer},
		{"end user owning the session through tenancy", guarded, asEndUser},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			benchCalls(b, stub, 1, func() (int, error) {
				s, err := tt.c.Retrieve(tt.ctx, "vs_00", params)
				if s == nil {
					return 0, err
				}
				return 1, err
			})
		})
	}
}

func BenchmarkList(b *testing.B) {
	stub := newStripeStub()
	guarded := tenancy.New(stub, tenancy.Policy{})
	params := &stripe.IdentityVerificationSessionListParams{}
	params.Limit = stripe.Int64(10)
	// A cursor costs an end user one more call: the retrieve that makes
	// sure it names one of their sessions (doc.go).
	afterParams := &stripe.IdentityVerificationSessionListParams{}
	afterParams.Limit = stripe.Int64(10)
	afterParams.StartingAfter = stripe.String("vs_00")
	tests := []struct {
		name   string
		c      identity.Client
		ctx    context.Context
		params *stripe.IdentityVerificationSessionListParams
	}{
		{"reference: the client called directly", stub, asServer, params},
		{"server key through tenancy", guarded, asServer, params},
		{"end user through tenancy (forced filter)", guarded, asEndUser, params},
		{"end user through tenancy with a cursor (ownership retrieve)", guarded, asEndUser, afterParams},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			benchCalls(b, stub, len(stub.page.Sessions), func() (int, error) {
				page, err := tt.c.List(tt.ctx, tt.params)
				return len(page.Sessions), err
			})
		})
	}
}

// benchCalls checks once that call returns want sessions, then times it
// and reports the stub's calls per operation.
func benchCalls(b *testing.B, stub *stripeStub, want int, call func() (int, error)) {
	b.Helper()
	if n, err := call(); n != want || err != nil {
		b.Fatalf("got %d sessions, %v; want %d", n, err, want)
	}
	stub.calls = 0
	b.ReportAllocs()
	for b.Loop() {
		_, _ = call()
	}
	b.ReportMetric(float64(stub.calls)/float64(b.N), "calls/op")
}
