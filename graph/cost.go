package graph

import (
	"context"
	"errors"
	"fmt"

	gqlcomplexity "github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/budget"
)

// This file prices an operation in Stripe calls before it runs and holds
// it to its caller's budget (internal/budget), as Shopify's calculated
// query cost does: the requested cost is reserved up front, the operation
// is refused with THROTTLED when the caller's bucket does not hold it, and
// afterwards the bucket is charged the Stripe calls actually made.

// The codes of the budget's refusals.
const (
	// CodeThrottled: the caller's budget does not hold the operation's
	// cost now; extensions.retryAfter says in how many seconds it will
	// (the HTTP transport answers 429 with Retry-After).
	CodeThrottled Code = "THROTTLED"
	// CodeMaxCostExceeded: the operation costs more than the caller's
	// budget holds even when full; it never runs as it is.
	CodeMaxCostExceeded Code = "MAX_COST_EXCEEDED"
)

// costStatsKey is the name of the operation's reservation in
// OperationContext.Stats, from the mutator to the interceptor.
const costStatsKey = "idgraph.cost"

// CostLimit is the extension that holds each operation to its caller's
// budget b (budget.Caller finds the caller; budget.Middleware puts them in
// the request). Before the operation runs it reserves the Stripe calls the
// operation may make (StripeCalls over es) and refuses it, as a request
// error, with THROTTLED (extensions.retryAfter in seconds) when they do not
// fit; after, it settles what was called, and every answer carries
// extensions.cost with Shopify's names: requestedQueryCost,
// actualQueryCost, throttleStatus {maximumAvailable, currentlyAvailable,
// restoreRate}. Add it after the complexity limit, so that operations the
// limit refuses reserve nothing. With a nil b (budgets off) it does
// nothing.
func CostLimit(b *budget.Budget, es graphql.ExecutableSchema) graphql.HandlerExtension {
	if b == nil {
		return noCostLimit{}
	}
	return &costLimit{b: b, schema: newCostSchema(es)}
}

type costLimit struct {
	b      *budget.Budget
	schema costSchema
}

var (
	_ graphql.OperationContextMutator = (*costLimit)(nil)
	_ graphql.ResponseInterceptor     = (*costLimit)(nil)
)

func (*costLimit) ExtensionName() string                   { return "CostLimit" }
func (*costLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext reserves the operation's cost.
func (c *costLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	requested := c.schema.stripeCalls(ctx, opCtx.Operation, opCtx.Variables)
	res, err := c.b.Reserve(ctx, callerOf(ctx), requested)
	opCtx.Stats.SetExtension(costStatsKey, res)
	if err != nil {
		return refusal(err, res)
	}
	return nil
}

// InterceptResponse meters the operation's Stripe calls, settles its
// reservation and adds extensions.cost. An answer to a request that failed
// before the reservation (it does not parse, validate, or fit the
// complexity limit) reports a cost of 0 and the caller's bucket.
func (c *costLimit) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	var res *budget.Reservation
	if graphql.HasOperationContext(ctx) {
		res, _ = graphql.GetOperationContext(ctx).Stats.GetExtension(costStatsKey).(*budget.Reservation)
	}
	if res == nil {
		resp := next(ctx)
		if resp != nil {
			setCost(resp, budget.Cost{ThrottleStatus: c.b.Status(ctx, callerOf(ctx))})
		}
		return resp
	}
	resp := next(res.Metered(ctx))
	if resp != nil && resp.HasNext != nil && *resp.HasNext {
		return resp // deferred parts are still running: settle on the last
	}
	cost := res.Settle(ctx)
	if resp != nil && resp.Extensions["cost"] == nil {
		// A subscription's later updates carry their own (subscription.go).
		setCost(resp, cost)
	}
	return resp
}

// operationMetered returns ctx metered for the operation's reservation:
// for the Stripe calls a subscription's resolver makes, outside the
// response that InterceptResponse meters.
func operationMetered(ctx context.Context) context.Context {
	if !graphql.HasOperationContext(ctx) {
		return ctx
	}
	if res, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(costStatsKey).(*budget.Reservation); ok && res != nil {
		return res.Metered(ctx)
	}
	return ctx
}

func setCost(resp *graphql.Response, cost budget.Cost) {
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = cost
}

// refusal is the request error of a reservation refused with err.
func refusal(err error, res *budget.Reservation) *gqlerror.Error {
	var (
		te *budget.ThrottledError
		ce *budget.CostExceededError
	)
	switch {
	case errors.As(err, &te):
		s := te.RetryAfterSeconds()
		return &gqlerror.Error{
			Message: fmt.Sprintf("Throttled: this operation may make %d Stripe calls and your budget holds %d now; retry in %d seconds.",
				res.Requested(), res.Status().CurrentlyAvailable, s),
			Extensions: map[string]any{"code": string(CodeThrottled), "retryAfter": s},
		}
	case errors.As(err, &ce):
		return &gqlerror.Error{
			Message:    fmt.Sprintf("This operation may make %d Stripe calls, more than your budget of %g holds; split it.", ce.Requested, ce.Maximum),
			Extensions: map[string]any{"code": string(CodeMaxCostExceeded)},
		}
	default:
		return &gqlerror.Error{Message: "internal error", Extensions: map[string]any{"code": string(CodeInternal)}}
	}
}

// noCostLimit is CostLimit with the budgets off. gqlgen refuses an
// extension without a hook, so it has one that does nothing.
type noCostLimit struct{}

func (noCostLimit) ExtensionName() string                   { return "CostLimit" }
func (noCostLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (noCostLimit) MutateOperationContext(context.Context, *graphql.OperationContext) *gqlerror.Error {
	return nil
}

// costSchema is the schema as the budget prices it: the complexity of an
// operation is the Stripe calls it may make, in units of callUnit. gqlgen's
// walk sums the complexities of a selection's fields, and ignores one
// below 1, so every other field counts 1 (noise, well below
// sensitiveUnit), and a selected @sensitive field counts sensitiveUnit so
// that the root field above it sees it in its child complexity. Root
// fields, the only ones that call Stripe, return their calls in callUnit
// (plus 1 of noise, so that a field of no call still counts), which is
// where sensitive units stop.
type costSchema struct {
	graphql.ExecutableSchema
	sensitive map[string]bool // "Type.field" of the @sensitive fields
}

// The units of costSchema's complexities (64-bit ints). The complexity
// limit (MaxComplexity) bounds the fields an operation walks far below
// sensitiveUnit; were the noise ever to pass it, the cost would only be
// overestimated.
const (
	callUnit      = 1 << 40
	sensitiveUnit = 1 << 20
)

func newCostSchema(es graphql.ExecutableSchema) costSchema {
	s := costSchema{ExecutableSchema: es, sensitive: map[string]bool{}}
	for _, t := range es.Schema().Types {
		for _, f := range t.Fields {
			if f.Directives.ForName("sensitive") != nil {
				s.sensitive[t.Name+"."+f.Name] = true
			}
		}
	}
	return s
}

// stripeCalls is the number of Stripe calls op may make with vars, for the
// caller of ctx.
func (s costSchema) stripeCalls(ctx context.Context, op *ast.OperationDefinition, vars map[string]any) int {
	if op == nil {
		return 0
	}
	return gqlcomplexity.Calculate(ctx, s, op, vars) / callUnit
}

// Complexity implements graphql.ExecutableSchema.
func (s costSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	p := auth.FromContext(ctx)
	if price, ok := rootPrices[typeName+"."+field]; ok {
		sensitive := child%callUnit >= sensitiveUnit
		return price(p, args, sensitive)*callUnit + 1, true
	}
	if s.sensitive[typeName+"."+field] && readsSensitive(p) {
		return sensitiveUnit, true
	}
	return max(child, 1), true
}

// rootPrices are the Stripe calls of each root field, by its arguments,
// the caller, and whether sensitive fields are selected below it (they
// need a second call: sensitive.go). The calls of tenancy count too: an
// end user's update, cancel and redact retrieve the session first, and so
// does their list with a cursor (each of its calls). An upper bound where
// a call may not happen (an ID not found before the call, a mutation
// refused by its input); the operation is charged what it called. Every
// root field of the schema is here (cost_test.go checks).
var rootPrices = map[string]price{
	"Query.node":                         oneRead,
	"Query.verificationSession":          oneRead,
	"Query.nodes":                        nodesRead,
	"Query.verificationSessions":         listRead,
	"Mutation.createVerificationSession": newWrite,
	"Mutation.updateVerificationSession": ownedWrite,
	"Mutation.cancelVerificationSession": ownedWrite,
	"Mutation.redactVerificationSession": ownedWrite,
	// A subscription's first read; each later read is reserved on its own
	// when it happens (subscription.go).
	"Subscription.verificationSessionUpdated": oneRead,
	"Subscription.verificationSessionEvents":  eventsCheck,
}

// price is the Stripe calls of a root field for caller p, with its
// arguments, when sensitive fields are selected below it or not.
type price func(p auth.Principal, args map[string]any, sensitive bool) int

var (
	// oneRead is a read of one session.
	oneRead price = func(p auth.Principal, _ map[string]any, sens bool) int { return readCalls(1, p, sens) }
	// nodesRead is nodes(ids:): a read per distinct ID.
	nodesRead price = func(p auth.Principal, args map[string]any, sens bool) int {
		return readCalls(distinctIDs(args["ids"]), p, sens)
	}
	// listRead is a list: one call, after an end user's cursor check.
	listRead price = func(p auth.Principal, args map[string]any, sens bool) int {
		calls := 1
		if p.Kind == auth.EndUser {
			calls += cursors(args["after"], args["before"])
		}
		return readCalls(calls, p, sens)
	}
	// eventsCheck is verificationSessionEvents: an end user's ownership
	// check of the session they filter on.
	eventsCheck price = func(p auth.Principal, args map[string]any, _ bool) int {
		f, _ := args["filter"].(map[string]any)
		if id, _ := f["sessionId"].(string); id != "" && p.Kind == auth.EndUser {
			return 1
		}
		return 0
	}
	// newWrite is a create.
	newWrite price = func(p auth.Principal, _ map[string]any, sens bool) int { return writeCalls(0, p, sens) }
	// ownedWrite is an update, cancel or redact, after an end user's
	// ownership check.
	ownedWrite price = func(p auth.Principal, _ map[string]any, sens bool) int {
		return writeCalls(ownershipChecks(p), p, sens)
	}
)

// readCalls is the calls of a read of calls calls: twice as many when
// sensitive fields are selected, for each call has its sensitive twin.
func readCalls(calls int, p auth.Principal, sensitive bool) int {
	if sensitive && readsSensitive(p) {
		return 2 * calls
	}
	return calls
}

// writeCalls is the calls of a mutation with checks calls before it: one more
// after it when sensitive fields are selected (Stripe's mutations cannot
// return them).
func writeCalls(checks int, p auth.Principal, sensitive bool) int {
	calls := checks + 1
	if sensitive && readsSensitive(p) {
		calls++
	}
	return calls
}

// readsSensitive mirrors sessionSelection: the sensitive call is made only
// for a caller who may read both the outputs and the sensitive fields.
func readsSensitive(p auth.Principal) bool {
	return p.HasScope(auth.ScopeReadOutputs) && p.HasScope(auth.ScopeReadSensitive)
}

// ownershipChecks is the ownership check tenancy makes before an end user's write.
func ownershipChecks(p auth.Principal) int {
	if p.Kind == auth.EndUser {
		return 1
	}
	return 0
}

// distinctIDs is the number of calls of nodes(ids:): one per distinct ID,
// none past maxNodes (the resolver refuses those).
func distinctIDs(v any) int {
	var ids []string
	switch v := v.(type) {
	case string: // a single value coerced to a list
		ids = []string{v}
	case []string:
		ids = v
	case []any:
		for _, id := range v {
			if s, ok := id.(string); ok {
				ids = append(ids, s)
			}
		}
	}
	if len(ids) > maxNodes {
		return 0
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		seen[id] = true
	}
	return len(seen)
}

// cursors is the number of cursors given, each of which tenancy checks
// with a retrieve for an end user.
func cursors(vs ...any) int {
	n := 0
	for _, v := range vs {
		if s, ok := v.(string); ok && s != "" {
			n++
		}
	}
	return n
}
