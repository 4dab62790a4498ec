package graph

import (
	"github.com/idgraph/idgraph/internal/budget"
	"github.com/idgraph/idgraph/internal/events"
	"github.com/idgraph/idgraph/internal/identity"
)

// Resolver is the root of idgraph's resolvers and their one injection point.
type Resolver struct {
	// Identity performs every Stripe Identity call.
	Identity identity.Client
	// Events notifies the subscriptions of changes; nil answers them with
	// an INTERNAL error.
	Events *events.Hub
	// Budget charges each Stripe call a subscription makes after its first
	// to the caller (the first is the operation's); nil charges nothing.
	Budget *budget.Budget
	// live is the handler's long-lived requests, for their shutdown.
	live *live
}
