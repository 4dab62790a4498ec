package graph

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/idgraph/idgraph/graph/model"
	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/budget"
	"github.com/idgraph/idgraph/internal/events"
	"github.com/idgraph/idgraph/internal/identity"
)

const (
	// stripeCallCost is the complexity of a field that makes a Stripe call,
	// so that the complexity limit also bounds Stripe calls per request
	// (aliases can repeat a field).
	stripeCallCost = 100
	// MaxComplexity is the complexity limit of one operation: a full page of
	// 100 sessions, or nodes of 100 IDs, with every field and __typename
	// everywhere (Apollo Client's habit; 25,800) fits; more than 300 Stripe
	// calls do not. The query limits (limits.go) bound the walk that
	// computes it.
	MaxComplexity = 30000
)

// Options configure the GraphQL handler.
type Options struct {
	// Production hides the schema from end users: no introspection and no
	// "Did you mean" suggestions in validation errors. Server keys (and
	// development) keep both, for codegen and tooling.
	Production bool
	// MaxBodyBytes bounds a request body; zero is DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Limits bound each GraphQL document; zero fields are the defaults.
	Limits Limits
	// Metrics records each operation; nil records nothing.
	Metrics OperationRecorder
	// Budget is the callers' cost budget; nil turns budgets off.
	Budget *budget.Budget

	// Events is the hub whose notifications drive the subscriptions; nil
	// answers every subscription with an INTERNAL error.
	Events *events.Hub
	// Authenticator verifies the credential a WebSocket client sends in
	// connection_init's payload (a browser cannot set headers on a
	// WebSocket): *auth.Authenticator. Nil accepts only connections whose
	// upgrade request the HTTP middleware authenticated.
	Authenticator Authenticator
	// AllowedOrigins are the web origins, besides idgraph's own, whose pages
	// may open a WebSocket: CORS's list, matched by websafe.OriginAllowed.
	// A WebSocket is not subject to CORS, so without this check any page a
	// user visits could open one with their network position.
	AllowedOrigins []string
	// OperationTimeout bounds a query or mutation sent over a WebSocket or
	// SSE, which the HTTP deadline middleware leaves alone (IsLongLived);
	// zero is no bound.
	OperationTimeout time.Duration
	// Live bounds and paces the long-lived transports; zero fields are the
	// defaults.
	Live LiveOptions
}

// Authenticator tells whose a credential (a bearer token, "" for none) is;
// *auth.Authenticator is one. Its errors must be *auth.UnauthenticatedError,
// whose message the client may read.
type Authenticator interface {
	Authenticate(ctx context.Context, credential string) (auth.Principal, error)
}

// Handler is idgraph's GraphQL HTTP handler (NewHandler).
type Handler struct {
	serve http.Handler
	live  *live
}

// NewHandler returns idgraph's GraphQL HTTP handler over client: POST for
// every operation, GET for queries only, WebSocket (graphql-transport-ws)
// and Server-Sent Events for subscriptions, a parsed-query cache, automatic
// persisted queries, the complexity limit, and errors presented in one
// place. It expects the caller's principal in the request's context
// (auth.Middleware), except on a WebSocket, which may authenticate in
// connection_init instead (Options.Authenticator).
func NewHandler(client identity.Client, logger *slog.Logger, opts Options) *Handler {
	lv := newLive(opts.Live)
	resolver := &Resolver{Identity: client, Events: opts.Events, Budget: opts.Budget, live: lv}
	queries := lru.New[*ast.QueryDocument](1000)
	apq := lru.New[string](1000)
	full := newServer(resolver, logger, queries, apq, opts, lv, true)
	if !opts.Production {
		return &Handler{serve: full, live: lv}
	}
	restricted := newServer(resolver, logger, queries, apq, opts, lv, false)
	return &Handler{live: lv, serve: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A WebSocket authenticated in connection_init has no principal
		// here: it gets the restricted server, whoever it turns out to be
		// (a server key that wants introspection over a WebSocket sends
		// it in the upgrade's Authorization header).
		if auth.FromContext(r.Context()).FullAccess() {
			full.ServeHTTP(w, r)
			return
		}
		restricted.ServeHTTP(w, r)
	})}
}

// ServeHTTP serves one GraphQL request, or a WebSocket or SSE stream.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve.ServeHTTP(w, r) }

// newServer builds one gqlgen server; open tells whether it shows the schema
// (introspection, suggestions). Both servers of a handler share the
// resolver and the caches: the parsed documents do not depend on who asks.
func newServer(resolver *Resolver, logger *slog.Logger, queries graphql.Cache[*ast.QueryDocument], apq graphql.Cache[string], opts Options, lv *live, open bool) *handler.Server {
	es := NewExecutableSchema(Config{
		Resolvers:  resolver,
		Directives: directives(),
		Complexity: complexity(),
	})
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	// The long-lived transports first: POST takes every POST, and the
	// WebSocket every request with an Upgrade header.
	srv.AddTransport(newWebSocket(opts, lv, logger))
	srv.AddTransport(GET{})
	srv.AddTransport(newServerSentEvents(opts, lv))
	srv.AddTransport(POST{MaxBodyBytes: opts.MaxBodyBytes})
	srv.SetQueryCache(queries)
	// First, so outermost: it sees what every later extension refuses.
	srv.Use(Observe(opts.Metrics))
	srv.Use(liveOperations{timeout: opts.OperationTimeout})
	if open {
		srv.Use(extension.Introspection{})
		if opts.Production {
			srv.Use(introspectionForFullAccess{})
		}
	} else {
		srv.SetDisableSuggestion(true)
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: apq})
	// After APQ, which turns a hash into its query; before gqlgen's parse,
	// validation and complexity walk, which a hostile document makes slow.
	srv.Use(NewQueryLimits(opts.Limits, queries))
	srv.SetParserTokenLimit(opts.Limits.withDefaults().Tokens)
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	// After the limits: what they refuse reserves nothing.
	srv.Use(CostLimit(opts.Budget, es))
	srv.Use(CacheReport{})
	// Last, so innermost: a subscription's update is read from Stripe
	// here, inside the cost budget's metering and Observe's span.
	srv.Use(streams{})
	srv.AroundFields(MarkResolverErrors)
	srv.SetErrorPresenter(ErrorPresenter(logger))
	srv.SetRecoverFunc(Recover(logger))
	return srv
}

// complexity prices the fields that call Stripe, and lists by their length.
func complexity() ComplexityRoot {
	var c ComplexityRoot
	call := func(child int) int { return stripeCallCost + child }
	c.Query.Node = func(child int, _ string) int { return call(child) }
	c.Query.VerificationSession = func(child int, _ string) int { return call(child) }
	c.Query.Nodes = func(child int, ids []string) int { return len(ids) * call(child) }
	c.Query.VerificationSessions = func(child int, first *int, _ *string, last *int, _ *string, _ *model.VerificationSessionFilter) int {
		return stripeCallCost + pageComplexity(first, last)*child
	}
	c.Mutation.CreateVerificationSession = func(child int, _ model.CreateVerificationSessionInput) int { return call(child) }
	c.Mutation.UpdateVerificationSession = func(child int, _ model.UpdateVerificationSessionInput) int { return call(child) }
	c.Mutation.CancelVerificationSession = func(child int, _ model.CancelVerificationSessionInput) int { return call(child) }
	c.Mutation.RedactVerificationSession = func(child int, _ model.RedactVerificationSessionInput) int { return call(child) }
	// A subscription's first read; each later one is priced on its own
	// when it happens (subscription.go).
	c.Subscription.VerificationSessionUpdated = func(child int, _ string) int { return call(child) }
	c.Subscription.VerificationSessionEvents = func(child int, _ *model.VerificationSessionEventFilter) int { return call(child) }
	return c
}
