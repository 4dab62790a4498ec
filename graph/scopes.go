package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/idgraph/idgraph/internal/auth"
)

// This file implements the schema's directives on personal data:
// @requiresScope and @sensitive. A field the caller may not read is null
// with FORBIDDEN at its path; the rest of the query answers.

func directives() DirectiveRoot {
	return DirectiveRoot{RequiresScope: requiresScope, Sensitive: sensitive}
}

func requiresScope(ctx context.Context, _ any, next graphql.Resolver, scope string) (any, error) {
	if err := checkScope(ctx, scope); err != nil {
		return nil, err
	}
	return next(ctx)
}

// sensitive needs the sensitive scope, and reads why the parent's sensitive
// fields could not be fetched, if they could not (sensitive.go).
func sensitive(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
	if err := checkScope(ctx, auth.ScopeReadSensitive); err != nil {
		return nil, err
	}
	if p, ok := obj.(interface{ SensitiveError() error }); ok {
		if err := p.SensitiveError(); err != nil {
			return nil, err
		}
	}
	return next(ctx)
}

func checkScope(ctx context.Context, scope string) error {
	if auth.FromContext(ctx).HasScope(scope) {
		return nil
	}
	return &auth.ForbiddenError{Message: fmt.Sprintf("Reading this field needs the %s scope.", scope)}
}
