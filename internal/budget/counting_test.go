package budget

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/identity"
)

// fakeClient is an identity.Client that answers every call with a session
// and counts the calls it saw.
type fakeClient struct {
	mu    sync.Mutex
	calls []string
}

var _ identity.Client = (*fakeClient)(nil)

func (f *fakeClient) saw(op string) *stripe.IdentityVerificationSession {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op)
	return &stripe.IdentityVerificationSession{ID: "vs_1"}
}

func (f *fakeClient) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeClient) Create(context.Context, *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
	return f.saw("Create"), nil
}

func (f *fakeClient) Retrieve(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	return f.saw("Retrieve"), nil
}

func (f *fakeClient) Update(context.Context, string, *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
	return f.saw("Update"), nil
}

func (f *fakeClient) Cancel(context.Context, string, *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
	return f.saw("Cancel"), nil
}

func (f *fakeClient) Redact(context.Context, string, *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
	return f.saw("Redact"), nil
}

func (f *fakeClient) List(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
	f.saw("List")
	return identity.Page{}, nil
}

// op is one call through the Counting client.
type op struct {
	name  string
	write bool
	call  func(ctx context.Context, c identity.Client) error
}

var (
	retrieve = op{"Retrieve", false, func(ctx context.Context, c identity.Client) error {
		_, err := c.Retrieve(ctx, "vs_1", nil)
		return err
	}}
	list = op{"List", false, func(ctx context.Context, c identity.Client) error {
		_, err := c.List(ctx, nil)
		return err
	}}
	create = op{"Create", true, func(ctx context.Context, c identity.Client) error {
		_, err := c.Create(ctx, nil)
		return err
	}}
	update = op{"Update", true, func(ctx context.Context, c identity.Client) error {
		_, err := c.Update(ctx, "vs_1", nil)
		return err
	}}
	cancel = op{"Cancel", true, func(ctx context.Context, c identity.Client) error {
		_, err := c.Cancel(ctx, "vs_1", nil)
		return err
	}}
	redact = op{"Redact", true, func(ctx context.Context, c identity.Client) error {
		_, err := c.Redact(ctx, "vs_1", nil)
		return err
	}}
)

// The global budget refuses a call before Stripe sees it, reads and writes
// apart, and allows calls again at its rate.
func TestTheGlobalBudgetRefusesCallsBeforeStripe(t *testing.T) {
	for _, o := range []op{retrieve, list, create, update, cancel, redact} {
		t.Run(o.name, func(t *testing.T) {
			c := newClock()
			rec := &recorder{}
			b := newBudget(t, c, Config{Observer: rec, Global: &GlobalConfig{ReadRate: 2, ReadBurst: 2, WriteRate: 1, WriteBurst: 1}})
			fake := &fakeClient{}
			client := Counting(fake, b)
			ctx := context.Background()
			burst := 2
			if o.write {
				burst = 1
			}
			for i := range burst {
				if err := o.call(ctx, client); err != nil {
					t.Fatalf("call %d within the burst: %v", i, err)
				}
			}
			err := o.call(ctx, client)
			var te *ThrottledError
			if !errors.As(err, &te) || te.Scope != ScopeGlobal {
				t.Fatalf("the call past the burst: %v, want a global ThrottledError", err)
			}
			if want := time.Second / time.Duration(burst); te.RetryAfter != want {
				t.Errorf("RetryAfter %v, want %v", te.RetryAfter, want)
			}
			if n := len(fake.Calls()); n != burst {
				t.Errorf("Stripe saw %d calls, want %d: the refused one never reaches it", n, burst)
			}
			other := retrieve
			if !o.write {
				other = create
			}
			if err := other.call(ctx, client); err != nil {
				t.Errorf("%s, of the other budget: %v", other.name, err)
			}
			c.Advance(time.Second)
			if err := o.call(ctx, client); err != nil {
				t.Errorf("a second later: %v", err)
			}
			if len(rec.throttled) != 1 || rec.throttled[0] != ScopeGlobal {
				t.Errorf("the observer heard %v, want [global]", rec.throttled)
			}
		})
	}
}

// The calls made with a reservation's context are its actual cost; a call
// the global budget refused is not one.
func TestCallsCountToTheOperationsMeter(t *testing.T) {
	c := newClock()
	b := newBudget(t, c, Config{Global: &GlobalConfig{ReadRate: 2, WriteRate: 1}})
	fake := &fakeClient{}
	client := Counting(fake, b)
	ctx := context.Background()
	res, err := b.Reserve(ctx, "user:alice", 5)
	if err != nil {
		t.Fatal(err)
	}
	mctx := res.Metered(ctx)
	retrieve.call(mctx, client)
	list.call(mctx, client)
	retrieve.call(mctx, client) // refused: the read burst is 2
	create.call(mctx, client)
	retrieve.call(ctx, client) // another operation's context
	cost := res.Settle(ctx)
	if cost.ActualQueryCost == nil || *cost.ActualQueryCost != 3 {
		t.Errorf("actual cost %v, want 3 (Retrieve, List, Create)", cost.ActualQueryCost)
	}
	if cost.ThrottleStatus.CurrentlyAvailable != 997 {
		t.Errorf("%d left, want 997 (2 of the 5 refunded)", cost.ThrottleStatus.CurrentlyAvailable)
	}
}
