package graph

import "github.com/idgraph/idgraph/internal/identity"

// Resolver is the root of idgraph's resolvers and their one injection point.
type Resolver struct {
	// Identity performs every Stripe Identity call.
	Identity identity.Client
}
