package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/sync/errgroup"

	"github.com/idgraph/idgraph/graph/model"
)

const (
	// maxNodes caps nodes(ids:): each distinct ID is one Stripe call.
	maxNodes = 100
	// nodesConcurrency bounds the Stripe calls one nodes(ids:) makes at once.
	nodesConcurrency = 10
)

// fetchNodes retrieves sessions by ID for nodes(ids:): each distinct ID once,
// concurrently within a bound. An ID that fails is null in the result, with
// its own error at its position in the list.
func (r *Resolver) fetchNodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > maxNodes {
		return nil, badInput([]string{"ids"}, fmt.Sprintf("nodes takes at most %d IDs; got %d.", maxNodes, len(ids)))
	}
	sel := sessionSelection(ctx, "")
	type result struct {
		node model.Node
		err  error
	}
	results := make(map[string]*result, len(ids))
	for _, id := range ids {
		results[id] = &result{}
	}
	g := new(errgroup.Group)
	g.SetLimit(nodesConcurrency)
	for id, res := range results {
		g.Go(func() error {
			// A panic here would end the process: gqlgen recovers only
			// its own goroutines. Hand it to gqlgen's recover func.
			defer func() {
				if p := recover(); p != nil {
					res.err = graphql.GetOperationContext(ctx).Recover(ctx, p)
				}
			}()
			res.node, res.err = r.retrieveNode(ctx, id, sel)
			return nil
		})
	}
	_ = g.Wait() // errors are per ID, in results
	out := make([]model.Node, len(ids))
	path := graphql.GetPath(ctx)
	for i, id := range ids {
		res := results[id]
		if res.err != nil {
			err := &resolverError{res.err}
			graphql.AddError(ctx, &gqlerror.Error{Err: err, Message: err.Error(), Path: append(path[:len(path):len(path)], ast.PathIndex(i))})
			continue
		}
		out[i] = res.node
	}
	return out, nil
}

// retrieveNode fetches one object by global ID. Only VerificationSessions
// are nodes today, so any other ID is not found.
func (r *Resolver) retrieveNode(ctx context.Context, id string, sel selection) (model.Node, error) {
	if checkSessionID(nil, id) != nil {
		return nil, notFound(fmt.Sprintf("No object has the ID %q.", truncate(id)))
	}
	s, err := r.retrieveSession(ctx, id, sel)
	if err != nil {
		return nil, err
	}
	return s, nil
}
