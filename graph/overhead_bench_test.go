package graph

import (
	"context"
	"testing"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/budget"
	"github.com/idgraph/idgraph/internal/metrics"
)

// BenchmarkOperationOverhead measures what this round added to every
// operation, the metrics and access-log extension and the cost budget,
// against the same query without them (the reference), in one run:
//
//	go test -run '^$' -bench OperationOverhead -benchmem -count 5 ./graph/
//
// The fake answers from memory, so the ratio is an upper bound: next to a
// real Stripe round trip (100 ms or more) the added microseconds vanish.
func BenchmarkOperationOverhead(b *testing.B) {
	fake := &fakeClient{forget: true}
	fake.RetrieveFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		return richSession(id), nil
	}
	bud, err := budget.New(context.Background(), budget.Config{Capacity: 1e12, RestoreRate: 1e12})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bud.Close() })
	variants := []struct {
		name string
		opts Options
	}{
		{"reference: limits only", Options{}},
		{"with metrics and access log", Options{Metrics: metrics.New()}},
		{"with metrics and the cost budget", Options{Metrics: metrics.New(), Budget: bud}},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			h := asCaller(NewHandler(budget.Counting(fake, v.opts.Budget), discardLogger(), v.opts), auth.Principal{Kind: auth.EndUser, Subject: "user_1", Scopes: []string{auth.ScopeReadOutputs, auth.ScopeReadSensitive}})
			serve := servesQuery(b, h, sessionQuery)
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
		})
	}
}
