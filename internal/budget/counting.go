package budget

import (
	"context"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/identity"
)

// counting is an identity.Client that counts its calls to the operation's
// meter and holds them to the global budget.
type counting struct {
	next identity.Client
	b    *Budget
}

// Counting returns next decorated for b: each call first takes one token
// from the global read budget (Retrieve, List) or write budget (Create,
// Update, Cancel, Redact), and with none left returns a *ThrottledError
// (Scope ScopeGlobal) without calling next; then it counts itself to the
// meter of its context (Reservation.Metered) and calls next. Put it
// directly above the client that calls Stripe, below tenancy, so that
// tenancy's own calls count too. With a nil b it returns next.
func Counting(next identity.Client, b *Budget) identity.Client {
	if b == nil {
		return next
	}
	return &counting{next: next, b: b}
}

var _ identity.Client = (*counting)(nil)

// admit holds one call to the global budget and counts it.
func (c *counting) admit(ctx context.Context, write bool) error {
	if err := c.b.takeGlobal(ctx, write); err != nil {
		return err
	}
	if m := meterOf(ctx); m != nil {
		m.Add(1)
	}
	return nil
}

// takeGlobal takes one call from the global read or write budget.
func (b *Budget) takeGlobal(ctx context.Context, write bool) error {
	if !b.global {
		return nil
	}
	key, l := "global:read", b.globalR
	if write {
		key, l = "global:write", b.globalW
	}
	tokens, ok := b.apply(ctx, key, l, 1, false)
	if !ok {
		b.observer.Throttled(ScopeGlobal)
		return &ThrottledError{Scope: ScopeGlobal, RetryAfter: l.retryAfter(tokens, 1)}
	}
	return nil
}

func (c *counting) Create(ctx context.Context, params *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
	if err := c.admit(ctx, true); err != nil {
		return nil, err
	}
	return c.next.Create(ctx, params)
}

func (c *counting) Retrieve(ctx context.Context, id string, params *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	if err := c.admit(ctx, false); err != nil {
		return nil, err
	}
	return c.next.Retrieve(ctx, id, params)
}

func (c *counting) Update(ctx context.Context, id string, params *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
	if err := c.admit(ctx, true); err != nil {
		return nil, err
	}
	return c.next.Update(ctx, id, params)
}

func (c *counting) Cancel(ctx context.Context, id string, params *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
	if err := c.admit(ctx, true); err != nil {
		return nil, err
	}
	return c.next.Cancel(ctx, id, params)
}

func (c *counting) Redact(ctx context.Context, id string, params *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
	if err := c.admit(ctx, true); err != nil {
		return nil, err
	}
	return c.next.Redact(ctx, id, params)
}

func (c *counting) List(ctx context.Context, params *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
	if err := c.admit(ctx, false); err != nil {
		return identity.Page{}, err
	}
	return c.next.List(ctx, params)
}
