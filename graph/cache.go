package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/sessioncache"
)

// This file reports how an operation's session reads were served by the
// session cache (internal/sessioncache), for debugging: extensions.cache
// {hits, misses, merged}, on every answer to a full-access caller (a
// server key, development) of a query or mutation that read a session.
// End users never see it: what the cache holds is everyone's, and a hit on
// a session that tenancy then answers as nonexistent would tell them it
// exists.

// CacheReport is the extension that adds extensions.cache.
type CacheReport struct{}

var _ graphql.ResponseInterceptor = CacheReport{}

func (CacheReport) ExtensionName() string                   { return "CacheReport" }
func (CacheReport) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse counts the reads of the answer's resolvers, for a
// full-access caller. A subscription's reads happen outside any one
// response, so its updates carry no count.
func (CacheReport) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !auth.FromContext(ctx).FullAccess() {
		return next(ctx)
	}
	if graphql.HasOperationContext(ctx) {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Subscription {
			return next(ctx)
		}
	}
	t := &sessioncache.Tally{}
	resp := next(sessioncache.WithTally(ctx, t))
	if c := t.Counts(); resp != nil && c != (sessioncache.TallyCounts{}) {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cache"] = c
	}
	return resp
}
