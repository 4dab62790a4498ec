package events

import (
	"errors"
	"fmt"
)

// ErrTooManySubscriptions is the refusal of a subscription past a limit:
// errors.Is matches every *LimitError with it. GraphQL answers it as a
// client error (a caller can end a subscription and try again).
var ErrTooManySubscriptions = errors.New("events: too many subscriptions")

// The scopes of a LimitError.
const (
	// ScopeHub is the hub's limit, Options.MaxSubscriptions.
	ScopeHub = "hub"
	// ScopeCaller is one caller's limit, Options.MaxPerCaller or its entry
	// in Options.CallerLimits.
	ScopeCaller = "caller"
)

// LimitError is a subscription refused because its hub or its caller has
// as many as allowed.
type LimitError struct {
	// Scope is the limit reached: ScopeHub or ScopeCaller.
	Scope string
	// Limit is that limit's value.
	Limit int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("events: too many subscriptions: the %s limit of %d is reached", e.Scope, e.Limit)
}

// Is makes errors.Is(err, ErrTooManySubscriptions) true.
func (e *LimitError) Is(target error) bool { return target == ErrTooManySubscriptions }

var (
	// ErrClosed is Publish or Subscribe on a closed hub (the server is
	// shutting down).
	ErrClosed = errors.New("events: the hub is closed")
	// ErrDuplicate is Publish of an event ID the hub has delivered already
	// (a webhook Stripe sent twice): nothing was delivered again, and the
	// caller has nothing to do. It is not a failure.
	ErrDuplicate = errors.New("events: the event was delivered already")
	// ErrInvalidEvent is Publish of an event without an ID, a session ID
	// or a session event type; errors wrapping it say which.
	ErrInvalidEvent = errors.New("events: invalid event")
	// ErrInvalidFilter is Subscribe with a filter it cannot serve; errors
	// wrapping it say why.
	ErrInvalidFilter = errors.New("events: invalid filter")
)
