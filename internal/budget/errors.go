package budget

import (
	"fmt"
	"math"
	"time"
)

// ThrottledError is a refusal for want of budget: an operation whose
// requested cost its caller's bucket does not hold (Scope ScopeCaller), or
// a Stripe call that the global budget does not allow (Scope ScopeGlobal),
// refused before Stripe is asked. It is the client's THROTTLED, with
// RetryAfter as extensions.retryAfter and the Retry-After header.
type ThrottledError struct {
	// Scope is the budget that refused: ScopeCaller or ScopeGlobal.
	Scope string
	// RetryAfter is how long until the budget holds what was asked.
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("budget: the %s budget is spent; retry after %s", e.Scope, e.RetryAfter)
}

// RetryAfterSeconds is RetryAfter in whole seconds, rounded up, and at
// least 1: what Retry-After and extensions.retryAfter say.
func (e *ThrottledError) RetryAfterSeconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}

// CostExceededError is an operation that requests more Stripe calls than
// its caller's bucket holds when full: it can never run, and waiting does
// not help (Shopify's MAX_COST_EXCEEDED). With the default capacities no
// operation within the complexity limit is one.
type CostExceededError struct {
	// Requested is the operation's requested cost.
	Requested int
	// Maximum is the capacity of the caller's bucket.
	Maximum float64
}

func (e *CostExceededError) Error() string {
	return fmt.Sprintf("budget: the operation requests %d Stripe calls, more than the caller's budget of %g holds", e.Requested, e.Maximum)
}
