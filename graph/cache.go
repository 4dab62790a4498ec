package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/idgraph/idgraph/internal/sessioncache"
)

// This file reports how an operation's session reads were served by the
// session cache (internal/sessioncache), for debugging: extensions.cache
// {hits, misses, merged}, on every answer that read a session.

// CacheReport is the extension that adds extensions.cache.
type CacheReport struct{}

var _ graphql.ResponseInterceptor = CacheReport{}

func (CacheReport) ExtensionName() string                   { return "CacheReport" }
func (CacheReport) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse counts the reads of the answer's resolvers.
func (CacheReport) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
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
