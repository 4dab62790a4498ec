package graph

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/websafe"
)

// This file serves GraphQL over a WebSocket: gqlgen's transport.Websocket,
// which speaks graphql-ws's graphql-transport-ws protocol (and, for old
// clients, subscriptions-transport-ws's "graphql-ws"), with what idgraph's
// rules add around it:
//
//   - the upgrade is checked before gqlgen sees it: a malformed handshake
//     gets idgraph's own 400 (coder/websocket would echo its Go error), and
//     an Origin that is neither idgraph's own nor an allowed one a 403;
//   - connection_init authenticates: {"Authorization": "Bearer <token>"}
//     (or "authorization") in its payload, as graphql-ws clients send
//     connectionParams, unless the upgrade request carried a credential of
//     its own; a refusal closes with 4403 Forbidden, as graphql-ws servers
//     do, with the reason in idgraph's words;
//   - each caller holds a bounded number of connections (1013 Try Again
//     Later past it), each message a bounded number of bytes (1009), and a
//     client that stops answering pings is disconnected;
//   - when the token expires, its subscriptions end with UNAUTHENTICATED
//     and then the connection closes with 4403, which graphql-ws clients
//     answer by reconnecting (with a fresh token, when connectionParams is
//     a function); Shutdown closes with 1001 Going Away after every
//     subscription has completed;
//   - the protocol's own rules, which gqlgen does not keep, are checked on
//     each message (transport_ws_protocol.go): 4400, 4401, 4408, 4409 and
//     4429 as graphql-transport-ws names them.

// The close codes idgraph uses beside gqlgen's.
const (
	// closeForbidden is graphql-ws's Forbidden: the credential of
	// connection_init is refused, or expired. graphql-ws clients retry it.
	closeForbidden = 4403
	// closeGoingAway is RFC 6455's: the server is shutting down.
	closeGoingAway = 1001
	// closeTryAgainLater is RFC 6455's: too many connections for now.
	closeTryAgainLater = 1013
	// closeBadRequest is graphql-ws's BadRequest: a malformed message.
	closeBadRequest = 4400
	// closeInternalError is graphql-ws's InternalServerError.
	closeInternalError = 4500
)

// maxCloseReason is the most bytes of a close frame's reason (RFC 6455
// §5.5: 125 bytes of payload, 2 of them the code).
const maxCloseReason = 123

// webSocket is the WebSocket transport.
type webSocket struct {
	gql     transport.Websocket
	live    *live
	authn   Authenticator
	origins []string
	logger  *slog.Logger
}

var _ graphql.Transport = (*webSocket)(nil)

func newWebSocket(opts Options, lv *live, logger *slog.Logger) *webSocket {
	limit := opts.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	t := &webSocket{live: lv, authn: opts.Authenticator, origins: opts.AllowedOrigins, logger: logger}
	t.gql = transport.Websocket{
		Implementation: wsImplementation{writeTimeout: 2 * lv.opts.KeepAlive, pingEvery: lv.opts.KeepAlive},
		InitFunc:       t.init,
		InitTimeout:    lv.opts.InitTimeout,
		ErrorFunc:      t.logError,
		// graphql-ws's ka messages (the legacy protocol).
		// graphql-transport-ws's pings, which also find dead peers, are
		// wsAdapter's: a timer, where gqlgen's take a goroutine per
		// connection.
		KeepAlivePingInterval: lv.opts.KeepAlive,
		// A message is a request: the POST body's limit holds.
		PayloadReadLimit: &limit,
	}
	return t
}

// Supports takes every request with an Upgrade header, so that any upgrade
// but a WebSocket's is refused here, in idgraph's words.
func (*webSocket) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

// Do checks the upgrade and hands it to gqlgen.
func (t *webSocket) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	if e := checkUpgrade(r); e != nil {
		refuseHTTP(ctx, w, exec, mediaJSON, e)
		return
	}
	if !t.originAllowed(r) {
		refuseHTTP(ctx, w, exec, mediaJSON, &httpRequestError{http.StatusForbidden, CodeForbidden,
			"This page's origin may not open a WebSocket to idgraph: add it to IDGRAPH_CORS_ORIGINS.", ""})
		return
	}
	if !t.live.enter() {
		refuseHTTP(ctx, w, exec, mediaJSON, errShuttingDown)
		return
	}
	// The connection runs on a goroutine of its own, and the request's
	// returns once the connection is accepted (hijacked): an idle
	// connection then holds the stack of a shallow read loop, not that of
	// the server's whole middleware chain, which is about a third of an
	// idle subscription's memory (bench/subscriptions). The request's
	// values (principal, request ID) go on; its cancellation, which comes
	// when the handler returns, does not.
	c := &wsConn{live: t.live, accepted: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer t.live.leave()
		defer t.recoverConn(ctx, c)
		defer c.release()
		// gqlgen's connection context, and init's, cancel what runs
		// on the connection when it ends.
		t.gql.Do(w, r.WithContext(withLive(context.WithoutCancel(ctx), c)), exec)
		if conn := c.conn; conn != nil && c.caller == "" {
			// gqlgen gives up on a connection_init whose payload is not a
			// JSON object without closing the connection (it closes it on
			// every other way out).
			conn.WriteClose(closeBadRequest, "Bad request: connection_init's payload must be a JSON object")
		}
	}()
	select {
	case <-c.accepted: // w is the connection's now
	case <-done: // refused before the upgrade: w was answered
	}
}

// recoverConn keeps a panic on a connection's goroutine, which the
// server's Recoverer does not cover, from taking idgraph down: it is
// logged, and the connection closed.
func (t *webSocket) recoverConn(ctx context.Context, c *wsConn) {
	v := recover()
	if v == nil {
		return
	}
	t.logger.LogAttrs(ctx, slog.LevelError, "websocket: panic", slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
	if c.conn != nil {
		c.conn.WriteClose(closeInternalError, "Internal error")
	}
}

// checkUpgrade refuses what coder/websocket's Accept would refuse with its
// Go error text as the body.
func checkUpgrade(r *http.Request) *httpRequestError {
	key := r.Header.Values("Sec-WebSocket-Key")
	switch {
	case !IsWebSocket(r):
		return badHTTPRequest("idgraph upgrades only GET requests, and only to a WebSocket (Upgrade: websocket).")
	case !r.ProtoAtLeast(1, 1) || !headerHasToken(r.Header, "Connection", "Upgrade"):
		return badHTTPRequest("A WebSocket handshake needs HTTP/1.1 and Connection: Upgrade.")
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return badHTTPRequest("idgraph speaks WebSocket version 13 (Sec-WebSocket-Version: 13).")
	case len(key) != 1:
		return badHTTPRequest("A WebSocket handshake needs one Sec-WebSocket-Key.")
	}
	if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(key[0])); err != nil || len(b) != 16 {
		return badHTTPRequest("The Sec-WebSocket-Key is not 16 bytes in base64.")
	}
	return nil
}

// originAllowed lets in a request without Origin (not a browser's, so no
// page's), one from idgraph's own origin (GraphiQL), and one from an
// allowed origin. Browsers send Origin with every WebSocket handshake, and
// a page cannot forge it.
func (t *webSocket) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if u, err := url.Parse(origin); err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host) {
		// The Host check (websafe.HostCheck) vouched for r.Host.
		return true
	}
	return websafe.OriginAllowed(t.origins, origin)
}

// errShuttingDown refuses a long-lived request during Shutdown.
var errShuttingDown = &httpRequestError{http.StatusServiceUnavailable, CodeUnavailable,
	"idgraph is shutting down; connect again.", ""}

// logError logs what goes wrong on a connection, for the operator: the
// client never sees these (gqlgen's messages to clients carry no Go error
// text, and idgraph's InitFunc errors are its own words).
func (t *webSocket) logError(ctx context.Context, err error) {
	t.logger.LogAttrs(ctx, slog.LevelDebug, "websocket", slog.String("error", err.Error()))
}

// init authenticates connection_init, counts the connection against its
// caller's limit, and schedules its end when the credential expires and
// when the handler shuts down. Its errors are sent to a graphql-ws
// (legacy) client as connection_error, so they are idgraph's own words.
func (t *webSocket) init(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	c := wsConnOf(ctx)
	p, err := t.principal(ctx, payload)
	if err != nil {
		var ue *auth.UnauthenticatedError
		if !errors.As(err, &ue) {
			ue = &auth.UnauthenticatedError{Message: "The credential could not be verified."}
		}
		return refuseConnection(ctx, closeForbidden, "Forbidden: "+ue.Message), nil, ue
	}
	if !p.Expires.IsZero() && !time.Now().Before(p.Expires) {
		ue := &auth.UnauthenticatedError{Message: "The token has expired."}
		return refuseConnection(ctx, closeForbidden, "Forbidden: "+ue.Message), nil, ue
	}
	caller := callerKeyFor(ctx, p)
	if limit, ok := t.live.admit(caller); !ok {
		err := fmt.Errorf("too many WebSocket connections: at most %d at once; close one or retry later", limit)
		return refuseConnection(ctx, closeTryAgainLater, err.Error()), nil, err
	}
	c.caller = caller
	ctx, c.cancel = context.WithCancel(auth.NewContext(ctx, p))
	if !p.Expires.IsZero() {
		expiry := time.AfterFunc(time.Until(p.Expires), func() { c.end(closeForbidden, "Forbidden: the token has expired; connect with a fresh one") })
		c.stops = append(c.stops, expiry.Stop)
	}
	c.stops = append(c.stops, context.AfterFunc(t.live.draining, func() { c.end(closeGoingAway, "idgraph is shutting down") }))
	return ctx, nil, nil
}

// principal is who the connection acts for: the upgrade request's
// principal when it carried a credential, else that of connection_init's
// payload, else the request's own (Development without a credential, in
// development) or, with none, a refusal.
func (t *webSocket) principal(ctx context.Context, payload transport.InitPayload) (auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p.Kind != 0 && p.Kind != auth.Development {
		return p, nil
	}
	header := payload.Authorization()
	if header == "" {
		if p.Kind != 0 {
			return p, nil
		}
		if t.authn == nil {
			return auth.Principal{}, &auth.UnauthenticatedError{Message: msgInitCredential}
		}
		// Development lets a connection without a credential in; anything
		// else wants one, and the HTTP middleware's message about
		// headers would mislead a browser.
		p, err := t.authn.Authenticate(ctx, "")
		if err != nil {
			return auth.Principal{}, &auth.UnauthenticatedError{Message: msgInitCredential}
		}
		return p, nil
	}
	token, ok := bearerToken(header)
	if !ok {
		return auth.Principal{}, &auth.UnauthenticatedError{Message: msgInitCredential}
	}
	if t.authn == nil {
		return auth.Principal{}, &auth.UnauthenticatedError{Message: "idgraph does not take credentials in connection_init here."}
	}
	return t.authn.Authenticate(ctx, token)
}

// msgInitCredential says how a WebSocket client authenticates.
const msgInitCredential = `Authenticate in connection_init's payload: {"Authorization": "Bearer <token>"}.`

// bearerToken reads "Bearer <token>", the scheme in any case.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// refuseConnection is the context of an InitFunc refusal: gqlgen closes the
// connection with its code and reason.
func refuseConnection(ctx context.Context, code int, reason string) context.Context {
	return transport.WithWebsocketCloseCode(transport.AppendCloseReason(ctx, closeReason(reason)), code)
}

// closeReason cuts reason to what a close frame holds, on a rune boundary.
func closeReason(reason string) string {
	if len(reason) <= maxCloseReason {
		return reason
	}
	cut := maxCloseReason
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return reason[:cut]
}

// wsConn is one WebSocket connection: its caller, its operations, and how
// it closes.
type wsConn struct {
	accepted chan struct{} // closed once Accept has the connection
	live     *live
	conn     *wsAdapter         // set by Accept: nil until then
	caller   string             // set by init: "" until then
	cancel   context.CancelFunc // ends the connection (gqlgen closes it)
	stops    []func() bool      // the expiry and shutdown timers

	mu      sync.Mutex
	ops     int           // operations running
	idle    chan struct{} // closed when ops drops to 0
	closing bool          // end has begun: close with code and reason
	code    int
	reason  string
}

func (c *wsConn) opStarted() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ops == 0 {
		c.idle = make(chan struct{})
	}
	c.ops++
}

func (c *wsConn) opEnded() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ops--; c.ops == 0 {
		close(c.idle)
	}
}

// whenIdle is closed once no operation runs.
func (c *wsConn) whenIdle() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ops == 0 {
		idle := make(chan struct{})
		close(idle)
		return idle
	}
	return c.idle
}

// end closes the connection with code and reason once its operations have
// sent their last messages (a subscription ends by itself on expiry and on
// shutdown), or after the grace period. Only the first call counts.
func (c *wsConn) end(code int, reason string) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.closing, c.code, c.reason = true, code, closeReason(reason)
	c.mu.Unlock()
	grace := time.NewTimer(c.live.opts.CloseGrace)
	defer grace.Stop()
	select {
	case <-c.whenIdle():
	case <-grace.C:
	}
	c.cancel() // gqlgen closes the connection: closeStatus gives the code
}

// closeStatus is the code and reason the connection closes with: end's,
// or else gqlgen's.
func (c *wsConn) closeStatus(code int, reason string) (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return c.code, c.reason
	}
	return code, reason
}

// release undoes what init set up, once the connection has ended.
func (c *wsConn) release() {
	for _, stop := range c.stops {
		stop()
	}
	if c.caller != "" {
		c.live.release(c.caller)
	}
	if c.cancel != nil {
		c.cancel()
	}
}
