package graph

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/budget"
)

// This file holds what the long-lived transports (the WebSocket in
// transport_ws.go, Server-Sent Events in transport_sse.go) share with the
// rest of the handler: the registry of long-lived requests that
// Handler.Shutdown ends, the per-caller count of WebSocket connections, the
// caller of an operation on a connection, and the deadline of the queries
// and mutations they carry.

// LiveOptions bound and pace the long-lived transports. Zero fields take
// the defaults.
type LiveOptions struct {
	// ConnectionsPerCaller bounds the WebSocket connections one caller (an
	// end user, or a client IP: budget.CallerKey) holds at once.
	ConnectionsPerCaller int
	// ServerConnections bounds the WebSocket connections of all server keys
	// together: they share one caller key.
	ServerConnections int
	// KeepAlive is the interval of keep-alives: graphql-transport-ws pings
	// (a client that does not answer one with a pong within two intervals
	// is disconnected), graphql-ws's ka messages and SSE comments.
	KeepAlive time.Duration
	// InitTimeout is how long a WebSocket client has to send its
	// connection_init.
	InitTimeout time.Duration
	// CloseGrace bounds how long a WebSocket that must close (its token
	// expired, or Shutdown) waits for its operations to send their last
	// messages.
	CloseGrace time.Duration
}

// The defaults of LiveOptions.
const (
	// DefaultConnectionsPerCaller is a few browser tabs, each with its own
	// connection.
	DefaultConnectionsPerCaller = 16
	// DefaultServerConnections is for every backend together.
	DefaultServerConnections = 512
	// DefaultKeepAlive is under the 30 to 60 second idle timeouts of
	// common proxies and load balancers.
	DefaultKeepAlive = 25 * time.Second
	// DefaultInitTimeout leaves a client time to fetch a token first.
	DefaultInitTimeout = 10 * time.Second
	// DefaultCloseGrace is ample for a subscription's last message.
	DefaultCloseGrace = 5 * time.Second
)

func (o LiveOptions) withDefaults() LiveOptions {
	o.ConnectionsPerCaller = defaulted(o.ConnectionsPerCaller, DefaultConnectionsPerCaller)
	o.ServerConnections = defaulted(o.ServerConnections, DefaultServerConnections)
	o.KeepAlive = defaulted(o.KeepAlive, DefaultKeepAlive)
	o.InitTimeout = defaulted(o.InitTimeout, DefaultInitTimeout)
	o.CloseGrace = defaulted(o.CloseGrace, DefaultCloseGrace)
	return o
}

func defaulted[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// live is a handler's long-lived requests: WebSocket connections and SSE
// streams.
type live struct {
	opts LiveOptions
	// draining is done when Shutdown starts: every stream completes, and
	// every WebSocket closes once its operations have finished.
	draining context.Context
	drain    context.CancelFunc

	mu       sync.Mutex
	shutdown bool
	conns    map[string]int // open WebSocket connections per caller key
	requests sync.WaitGroup // long-lived requests being served
}

func newLive(o LiveOptions) *live {
	ctx, cancel := context.WithCancel(context.Background())
	return &live{opts: o.withDefaults(), draining: ctx, drain: cancel, conns: map[string]int{}}
}

// enter registers a long-lived request, for Shutdown to wait for; false
// once Shutdown has started. Each true is followed by one leave.
func (l *live) enter() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shutdown {
		return false
	}
	l.requests.Add(1)
	return true
}

func (l *live) leave() { l.requests.Done() }

// admit counts a WebSocket connection of caller; ok is false, and nothing
// counted, past the caller's limit.
func (l *live) admit(caller string) (limit int, ok bool) {
	limit = l.opts.ConnectionsPerCaller
	if caller == budget.ServerCaller {
		limit = l.opts.ServerConnections
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conns[caller] >= limit {
		return limit, false
	}
	l.conns[caller]++
	return limit, true
}

// release uncounts a connection admit counted.
func (l *live) release(caller string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conns[caller]--; l.conns[caller] <= 0 {
		delete(l.conns, caller)
	}
}

// Shutdown ends the handler's long-lived requests gracefully: every
// subscription completes (its last message is `complete`), every
// WebSocket then closes with 1001 Going Away (graphql-ws clients reconnect,
// to another replica or to this one restarted), and a new WebSocket or SSE
// request is refused with 503. It returns when they have all ended, or
// with ctx's error when ctx ends first. Queries and mutations are not its
// business: http.Server.Shutdown waits for those, but not for hijacked
// connections, so call this first, or beside it.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.live.mu.Lock()
	h.live.shutdown = true
	h.live.mu.Unlock()
	h.live.drain()
	done := make(chan struct{})
	go func() {
		h.live.requests.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// IsLongLived tells whether r opens a long-lived stream: a WebSocket
// upgrade, or a POST for Server-Sent Events (Accept: text/event-stream).
// The HTTP server's per-operation deadline must leave these alone; the
// handler bounds the queries and mutations they carry by
// Options.OperationTimeout itself, and ends the streams on Shutdown. An SSE
// request's read and write deadlines are cleared once its body is read (a
// WebSocket's go with the upgrade), so the server's timeouts need no
// exception.
func IsLongLived(r *http.Request) bool {
	return (&webSocket{}).Supports(r) || (&serverSentEvents{}).Supports(r)
}

// IsWebSocket tells whether r asks to upgrade to a WebSocket. A browser
// cannot set a WebSocket's Authorization header: let such a request without
// one past the authentication middleware, and the handler authenticates
// the credential of its connection_init (Options.Authenticator).
func IsWebSocket(r *http.Request) bool {
	return r.Method == http.MethodGet && headerHasToken(r.Header, "Upgrade", "websocket")
}

// headerHasToken tells whether a comma-separated header holds token, in any
// case.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// liveKey is the context key of a long-lived request: its *wsConn on a
// WebSocket, nil on SSE.
type liveKey struct{}

func withLive(ctx context.Context, c *wsConn) context.Context {
	return context.WithValue(ctx, liveKey{}, c)
}

// isLongLived tells whether ctx is a long-lived request's.
func isLongLived(ctx context.Context) bool {
	_, ok := ctx.Value(liveKey{}).(*wsConn)
	return ok
}

// wsConnOf returns the WebSocket connection of ctx, or nil.
func wsConnOf(ctx context.Context) *wsConn {
	c, _ := ctx.Value(liveKey{}).(*wsConn)
	return c
}

// callerOf is the caller key of ctx, for the budgets and the limits: a
// WebSocket connection's, whose principal may come from connection_init
// after the budget's middleware keyed the request, or the middleware's.
func callerOf(ctx context.Context) string {
	if c := wsConnOf(ctx); c != nil && c.caller != "" {
		return c.caller
	}
	return budget.Caller(ctx)
}

// callerKeyFor is the caller key of p on the request of ctx: an end user's
// or the servers' own, or else the middleware's, by client IP.
func callerKeyFor(ctx context.Context, p auth.Principal) string {
	if p.Kind == auth.EndUser && p.Subject != "" || p.Kind == auth.Server {
		return budget.CallerKey(p, nil, nil)
	}
	return budget.Caller(ctx)
}

// liveOperations is the extension that follows the operations of
// long-lived requests: it counts a WebSocket's operations, so that the
// connection closes after their last messages, and holds a query or
// mutation on a long-lived request to the operation deadline, which the
// HTTP middleware does not apply to those (IsLongLived).
type liveOperations struct{ timeout time.Duration }

var _ graphql.OperationInterceptor = liveOperations{}

func (liveOperations) ExtensionName() string                   { return "LiveOperations" }
func (liveOperations) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation counts and bounds one operation.
func (l liveOperations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if !isLongLived(ctx) {
		return next(ctx)
	}
	if c := wsConnOf(ctx); c != nil {
		// gqlgen ends an operation's context once its complete (or
		// error) message is sent.
		c.opStarted()
		context.AfterFunc(ctx, c.opEnded)
	}
	op := graphql.GetOperationContext(ctx).Operation
	if l.timeout <= 0 || op == nil || op.Operation == ast.Subscription {
		return next(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp == nil || resp.HasNext == nil || !*resp.HasNext {
			cancel()
		}
		return resp
	}
}

// introspectionForFullAccess keeps introspection, in production, to
// callers with full access on the server that allows it: a WebSocket's
// server is chosen by its upgrade request, and its operations may run as
// the end user of its connection_init.
type introspectionForFullAccess struct{}

var _ graphql.OperationContextMutator = introspectionForFullAccess{}

func (introspectionForFullAccess) ExtensionName() string                   { return "IntrospectionForFullAccess" }
func (introspectionForFullAccess) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext turns introspection off for the others.
func (introspectionForFullAccess) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if !auth.FromContext(ctx).FullAccess() {
		opCtx.DisableIntrospection = true
	}
	return nil
}
