package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/graph"
	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/budget"
	"github.com/idgraph/idgraph/internal/events"
	"github.com/idgraph/idgraph/internal/identity"
	"github.com/idgraph/idgraph/internal/tenancy"
)

// Subscriptions end to end over HTTP: graph.NewHandler over a fake Stripe,
// behind the real tenancy, with a real events hub, behind a stand-in for
// the authentication middleware that lets a WebSocket upgrade without a
// credential through (its connection_init authenticates), as server.go
// wires it. Clients speak graphql-transport-ws with coder/websocket, and
// GraphQL over SSE with net/http.

// subWait bounds how long a test waits for a message that should come.
const subWait = 10 * time.Second

// The callers of these tests, by token.
const (
	aliceToken  = "alice-token"
	bobToken    = "bob-token"
	serverToken = "server-token"
)

// subAuthn is a graph.Authenticator over a table of tokens.
type subAuthn struct {
	mu     sync.Mutex
	tokens map[string]auth.Principal
}

func (a *subAuthn) Authenticate(_ context.Context, credential string) (auth.Principal, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.tokens[credential]
	if !ok {
		return auth.Principal{}, &auth.UnauthenticatedError{Message: "token signature is invalid"}
	}
	return p, nil
}

func (a *subAuthn) add(token string, p auth.Principal) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tokens[token] = p
}

// middleware stands in for auth.Middleware as server.go mounts it before
// /graphql: a WebSocket upgrade without Authorization goes on without a
// principal, anything else needs a valid credential.
func (a *subAuthn) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" && graph.IsWebSocket(r) {
			next.ServeHTTP(w, r)
			return
		}
		p, err := a.Authenticate(r.Context(), strings.TrimPrefix(h, "Bearer "))
		if err != nil {
			http.Error(w, `{"errors":[{"message":"unauthenticated","extensions":{"code":"UNAUTHENTICATED"}}]}`, http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.NewContext(r.Context(), p)))
	})
}

// wrapWriter wraps the response writer as server.go's middleware do
// (access log, metrics, tracing): the streams must reach the connection
// through it.
func wrapWriter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(middleware.NewWrapResponseWriter(w, r.ProtoMajor), r)
	})
}

// subStripe is a Stripe of sessions in memory: Retrieve only, counted, and
// held at a gate for the sessions a test names.
type subStripe struct {
	identity.Client // any other call panics: these tests make none

	mu        sync.Mutex
	sessions  map[string]*stripe.IdentityVerificationSession
	retrieves map[string]int
	gates     map[string]gate // for a retrieve after the first
	failures  map[string]error
}

// gate holds retrieves: each says it is waiting on entered, then waits for
// a release.
type gate struct {
	entered chan struct{}
	release chan struct{}
}

func newSubStripe() *subStripe {
	return &subStripe{sessions: map[string]*stripe.IdentityVerificationSession{},
		retrieves: map[string]int{}, gates: map[string]gate{}, failures: map[string]error{}}
}

// fail makes every retrieve of id fail with err.
func (f *subStripe) fail(id string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[id] = err
}

func (f *subStripe) put(id, owner string, status stripe.IdentityVerificationSessionStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[id] = &stripe.IdentityVerificationSession{ID: id, Object: "identity.verification_session",
		ClientReferenceID: owner, Status: status, Type: stripe.IdentityVerificationSessionTypeDocument,
		Created: 1_790_000_000, Metadata: map[string]string{}}
}

func (f *subStripe) setStatus(id string, status stripe.IdentityVerificationSessionStatus) (owner string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[id].Status = status
	return f.sessions[id].ClientReferenceID
}

// gate holds every retrieve of id after the first at the returned gate.
func (f *subStripe) gate(id string) gate {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := gate{entered: make(chan struct{}, 100), release: make(chan struct{})}
	f.gates[id] = g
	return g
}

func (f *subStripe) calls(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.retrieves[id]
}

func (f *subStripe) Retrieve(ctx context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	f.mu.Lock()
	f.retrieves[id]++
	n, g := f.retrieves[id], f.gates[id]
	f.mu.Unlock()
	if g.release != nil && n > 1 {
		g.entered <- struct{}{}
		select {
		case <-g.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failures[id]; err != nil {
		return nil, err
	}
	s, ok := f.sessions[id]
	if !ok {
		return nil, &stripe.Error{HTTPStatusCode: http.StatusNotFound, Type: stripe.ErrorTypeInvalidRequest,
			Code: stripe.ErrorCodeResourceMissing, Param: "session", Msg: "No such VerificationSession: '" + id + "'"}
	}
	cp := *s
	return &cp, nil
}

// subServer is idgraph's GraphQL handler on a test server.
type subServer struct {
	url    string
	hub    *events.Hub
	stripe *subStripe
	authn  *subAuthn
	gql    *graph.Handler
	events atomic.Int64
}

// serveSubscriptions serves graph.NewHandler with opts, completed with
// the test's hub, Stripe and authenticator. Alice and Bob are end users
// with every scope; server-token is a server key.
func serveSubscriptions(t *testing.T, opts graph.Options, hubOpts events.Options, configure ...func(*http.Server)) *subServer {
	t.Helper()
	hub, err := events.New(context.Background(), hubOpts)
	if err != nil {
		t.Fatal(err)
	}
	s := &subServer{hub: hub, stripe: newSubStripe(), authn: &subAuthn{tokens: map[string]auth.Principal{
		aliceToken:  {Kind: auth.EndUser, Subject: "alice", Scopes: []string{auth.ScopeReadOutputs, auth.ScopeReadSensitive}},
		bobToken:    {Kind: auth.EndUser, Subject: "bob", Scopes: []string{auth.ScopeReadOutputs, auth.ScopeReadSensitive}},
		serverToken: {Kind: auth.Server},
	}}}
	s.stripe.put("vs_alice", "alice", stripe.IdentityVerificationSessionStatusRequiresInput)
	s.stripe.put("vs_bob", "bob", stripe.IdentityVerificationSessionStatusRequiresInput)
	opts.Events = hub
	opts.Authenticator = s.authn
	// Wired as server.go wires it: tenancy above the budget's counter.
	s.gql = graph.NewHandler(tenancy.New(budget.Counting(s.stripe, opts.Budget), tenancy.Policy{}), slog.New(slog.DiscardHandler), opts)
	mux := http.NewServeMux()
	mux.Handle("/graphql", wrapWriter(s.authn.middleware(s.gql)))
	mux.HandleFunc("/page", blankPage) // for browsers: a page of idgraph's own origin
	srv := httptest.NewUnstartedServer(mux)
	for _, c := range configure {
		c(srv.Config)
	}
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		hub.Close()
	})
	s.url = srv.URL
	return s
}

// changed sets a session's status, as Stripe would, and publishes its
// event.
func (s *subServer) changed(t *testing.T, id string, status stripe.IdentityVerificationSessionStatus) {
	t.Helper()
	owner := s.stripe.setStatus(id, status)
	e := events.Event{ID: fmt.Sprintf("evt_%d", s.events.Add(1)), Type: events.TypePrefix + string(status),
		Created: time.Unix(1_790_000_100, 0), SessionID: id, ClientReferenceID: owner}
	if err := s.hub.Publish(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// update is a next message's payload: one GraphQL response.
type update struct {
	Data       json.RawMessage `json:"data"`
	Errors     []updateError   `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
}

type updateError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (u update) codes() []string {
	var out []string
	for _, e := range u.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// wsClient is a graphql-transport-ws client.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	raw  []string // every text message received, for the Go-error-text check
}

// dial opens a WebSocket to the server with header, speaking
// graphql-transport-ws.
func (s *subServer) dial(t *testing.T, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	return dialWS(t, s.url, header)
}

// dialWS opens a WebSocket to idgraph at base with header, speaking
// graphql-transport-ws.
func dialWS(t *testing.T, base string, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), subWait)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
	if err != nil {
		return nil, res, err
	}
	t.Cleanup(func() { conn.CloseNow() })
	return &wsClient{t: t, conn: conn}, res, nil
}

// connect dials and initialises with payload, and expects connection_ack.
func (s *subServer) connect(t *testing.T, payload any) *wsClient {
	t.Helper()
	return connectWS(t, s.url, payload)
}

// connectWS dials idgraph at base and initialises with payload, and
// expects connection_ack.
func connectWS(t *testing.T, base string, payload any) *wsClient {
	t.Helper()
	c, _, err := dialWS(t, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.init(payload)
	if m := c.read(); m.Type != "connection_ack" {
		t.Fatalf("got %s %s, want connection_ack", m.Type, m.Payload)
	}
	return c
}

func (c *wsClient) send(m any) {
	c.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), subWait)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *wsClient) init(payload any) {
	c.t.Helper()
	m := map[string]any{"type": "connection_init"}
	if payload != nil {
		m["payload"] = payload
	}
	c.send(m)
}

func (c *wsClient) subscribe(id, query string, vars map[string]any) {
	c.t.Helper()
	c.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
}

// readErr reads the next message that is not a ping (answered with a
// pong).
func (c *wsClient) readErr() (wsMessage, error) {
	for {
		m, err := c.readRawErr()
		if err != nil || m.Type != "ping" {
			return m, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), subWait)
		err = c.conn.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
		cancel()
		if err != nil {
			return wsMessage{}, err
		}
	}
}

// readRawErr reads the next message as it comes, pings too.
func (c *wsClient) readRawErr() (wsMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), subWait)
	defer cancel()
	_, b, err := c.conn.Read(ctx)
	if err != nil {
		return wsMessage{}, err
	}
	c.raw = append(c.raw, string(b))
	var m wsMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return wsMessage{}, fmt.Errorf("message %s: %w", b, err)
	}
	return m, nil
}

func (c *wsClient) read() wsMessage {
	c.t.Helper()
	m, err := c.readErr()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

// next reads the next message, which must be a next for id, and returns
// its payload.
func (c *wsClient) next(id string) update {
	c.t.Helper()
	m := c.read()
	if m.Type != "next" || m.ID != id {
		c.t.Fatalf("got %s (id %q) %s, want next for %q", m.Type, m.ID, m.Payload, id)
	}
	var u update
	if err := json.Unmarshal(m.Payload, &u); err != nil {
		c.t.Fatal(err)
	}
	return u
}

// complete reads the next message, which must be id's complete.
func (c *wsClient) complete(id string) {
	c.t.Helper()
	if m := c.read(); m.Type != "complete" || m.ID != id {
		c.t.Fatalf("got %s (id %q) %s, want complete for %q", m.Type, m.ID, m.Payload, id)
	}
}

// closed reads until the server closes the connection and returns its
// close status.
func (c *wsClient) closed() (websocket.StatusCode, string) {
	c.t.Helper()
	for {
		m, err := c.readErr()
		if err == nil {
			c.t.Logf("before the close: %s %s", m.Type, m.Payload)
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("read: %v, want a close frame", err)
		}
		return ce.Code, ce.Reason
	}
}

// status reads the session's status out of an update of
// verificationSessionUpdated { status }.
func status(t *testing.T, u update) string {
	t.Helper()
	var d struct {
		S struct {
			Status string `json:"status"`
		} `json:"verificationSessionUpdated"`
	}
	if len(u.Errors) > 0 {
		t.Fatalf("errors %+v", u.Errors)
	}
	if err := json.Unmarshal(u.Data, &d); err != nil {
		t.Fatalf("data %s: %v", u.Data, err)
	}
	return d.S.Status
}

const updatedQuery = `subscription($id: ID!) { verificationSessionUpdated(id: $id) { id status } }`

func bearer(token string) map[string]any { return map[string]any{"Authorization": "Bearer " + token} }

// The first update comes at once with the session as Stripe has it now;
// each later one is read again after a change, over both transports.
func TestSubscriptionSendsTheSessionNowThenAfterEachChange(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	c := s.connect(t, bearer(aliceToken))
	c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
	if got := status(t, c.next("1")); got != "REQUIRES_INPUT" {
		t.Errorf("first update: status %s, want REQUIRES_INPUT", got)
	}
	s.changed(t, "vs_alice", stripe.IdentityVerificationSessionStatusProcessing)
	if got := status(t, c.next("1")); got != "PROCESSING" {
		t.Errorf("after the event: status %s, want PROCESSING", got)
	}
	s.changed(t, "vs_alice", stripe.IdentityVerificationSessionStatusVerified)
	if got := status(t, c.next("1")); got != "VERIFIED" {
		t.Errorf("after the second event: status %s, want VERIFIED", got)
	}
	// The client stops it: complete, and the hub lets it go.
	c.send(map[string]any{"id": "1", "type": "complete"})
	waitFor(t, "the hub's subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
}

func TestSubscriptionOverSSE(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	sse := s.postSSE(t, aliceToken, updatedQuery, map[string]any{"id": "vs_alice"})
	if got := status(t, sse.next()); got != "REQUIRES_INPUT" {
		t.Errorf("first event: status %s, want REQUIRES_INPUT", got)
	}
	s.changed(t, "vs_alice", stripe.IdentityVerificationSessionStatusVerified)
	if got := status(t, sse.next()); got != "VERIFIED" {
		t.Errorf("after the event: status %s, want VERIFIED", got)
	}
	sse.close()
	waitFor(t, "the hub's subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
}

// sseStream is a GraphQL-over-SSE response being read.
type sseStream struct {
	t      *testing.T
	res    *http.Response
	events chan sseEvent
	cancel context.CancelFunc
	raw    *strings.Builder
}

type sseEvent struct{ name, data string }

// postSSE posts a subscription for Server-Sent Events.
func (s *subServer) postSSE(t *testing.T, token, query string, vars map[string]any) *sseStream {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, cancel := s.postSSEBody(t, token, "application/json", body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("status %d, %s: %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	st := &sseStream{t: t, res: res, events: make(chan sseEvent, 16), cancel: cancel, raw: &strings.Builder{}}
	go func() {
		defer close(st.events)
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					st.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	t.Cleanup(st.close)
	return st
}

func (s *subServer) postSSEBody(t *testing.T, token, contentType string, body []byte) (*http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	return res, cancel
}

// next reads the next event, which must be a next, and returns its
// payload.
func (st *sseStream) next() update {
	st.t.Helper()
	ev := st.event()
	if ev.name != "next" {
		st.t.Fatalf("got event %q %s, want next", ev.name, ev.data)
	}
	var u update
	if err := json.Unmarshal([]byte(ev.data), &u); err != nil {
		st.t.Fatal(err)
	}
	return u
}

func (st *sseStream) event() sseEvent {
	st.t.Helper()
	select {
	case ev, ok := <-st.events:
		if !ok {
			st.t.Fatal("the stream ended")
		}
		return ev
	case <-time.After(subWait):
		st.t.Fatal("no event in time")
	}
	return sseEvent{}
}

func (st *sseStream) close() {
	st.cancel()
	st.res.Body.Close()
}

// waitFor polls cond until it holds: for state that nothing signals (the
// hub's count, goroutines).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(subWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
		<-time.After(5 * time.Millisecond)
	}
}

// For an end user, another user's session is NOT_FOUND with the very error
// a query gets, at the subscription's field; a session that does not exist
// is the same; and the subscription ends there.
func TestSubscriptionToAnotherUsersSessionIsNotFound(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	query := postGraphQLAs(t, s.url, aliceToken, `query($id: ID!) { verificationSession(id: $id) { id } }`, map[string]any{"id": "vs_bob"})
	var want []updateError
	if err := json.Unmarshal(query.Errors, &want); err != nil || len(want) != 1 {
		t.Fatalf("the query's errors %s: %v", query.Errors, err)
	}
	tests := []struct {
		name, id string
	}{
		{"another user's session", "vs_bob"},
		{"a session that does not exist", "vs_nobody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s.connect(t, bearer(aliceToken))
			c.subscribe("1", updatedQuery, map[string]any{"id": tt.id})
			u := c.next("1")
			if len(u.Errors) != 1 || string(u.Data) != "null" {
				t.Fatalf("update %+v, want one error and null data", u)
			}
			got := u.Errors[0]
			if got.Message != want[0].Message || got.Extensions["code"] != want[0].Extensions["code"] || got.Extensions["code"] != "NOT_FOUND" {
				t.Errorf("error %+v, want the query's %+v", got, want[0])
			}
			if !slices.Equal(got.Path, []any{"verificationSessionUpdated"}) {
				t.Errorf("path %v, want [verificationSessionUpdated]", got.Path)
			}
			c.complete("1")
		})
	}
	waitFor(t, "no subscription left", func() bool { return s.hub.Stats().Subscriptions == 0 })
}

// A browser cannot set a WebSocket's headers: the token comes in
// connection_init, with either spelling of Authorization; the upgrade's
// own header works for other clients. A bad one closes the connection with
// 4403, as graphql-ws servers do.
func TestWebSocketAuthentication(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	tests := []struct {
		name    string
		header  http.Header
		payload any
		session string // subscribed to, when accepted
		refused string // the close reason's start, when refused
	}{
		{"a token in connection_init's Authorization", nil, bearer(aliceToken), "vs_alice", ""},
		{"a token in connection_init's authorization", nil, map[string]any{"authorization": "Bearer " + bobToken}, "vs_bob", ""},
		{"a lower-case bearer scheme", nil, map[string]any{"Authorization": "bearer " + aliceToken}, "vs_alice", ""},
		{"the upgrade's Authorization header", http.Header{"Authorization": {"Bearer " + serverToken}}, nil, "vs_bob", ""},
		{"the upgrade's header wins over connection_init's", http.Header{"Authorization": {"Bearer " + aliceToken}}, bearer(bobToken), "vs_alice", ""},
		{"a bad token is refused", nil, bearer("forged"), "", "Forbidden: token signature is invalid"},
		{"a credential without Bearer is refused", nil, map[string]any{"Authorization": aliceToken}, "", "Forbidden: Authenticate in connection_init"},
		{"no credential at all is refused", nil, nil, "", "Forbidden: Authenticate in connection_init"},
		{"a credential that is not a string is refused", nil, map[string]any{"Authorization": 42}, "", "Forbidden: Authenticate in connection_init"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := s.dial(t, tt.header)
			if err != nil {
				t.Fatal(err)
			}
			c.init(tt.payload)
			if tt.refused != "" {
				code, reason := c.closed()
				if code != 4403 || !strings.HasPrefix(reason, tt.refused) {
					t.Errorf("closed with %d %q, want 4403 %q…", code, reason, tt.refused)
				}
				return
			}
			if m := c.read(); m.Type != "connection_ack" {
				t.Fatalf("got %s %s, want connection_ack", m.Type, m.Payload)
			}
			c.subscribe("1", updatedQuery, map[string]any{"id": tt.session})
			if got := status(t, c.next("1")); got != "REQUIRES_INPUT" {
				t.Errorf("status %s", got)
			}
		})
	}
}

// A page of another origin cannot open a WebSocket: no CORS guards it,
// and the browser would give it the user's network position.
func TestWebSocketOrigin(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{AllowedOrigins: []string{"https://app.example"}}, events.Options{})
	tests := []struct {
		name   string
		origin string
		status int
	}{
		{"no Origin (not a browser) is accepted", "", http.StatusSwitchingProtocols},
		{"idgraph's own origin (GraphiQL) is accepted", s.url, http.StatusSwitchingProtocols},
		{"an allowed origin is accepted", "https://app.example", http.StatusSwitchingProtocols},
		{"another origin is refused", "https://evil.example", http.StatusForbidden},
		{"an allowed host on another scheme is refused", "http://app.example", http.StatusForbidden},
		{"the null origin is refused", "null", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			_, res, err := s.dial(t, h)
			if res == nil {
				t.Fatalf("no response: %v", err)
			}
			if res.Body != nil {
				defer res.Body.Close()
			}
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.status == http.StatusForbidden {
				b, _ := io.ReadAll(res.Body)
				if !strings.Contains(string(b), `"code":"FORBIDDEN"`) {
					t.Errorf("body %s, want a FORBIDDEN error", b)
				}
			}
		})
	}
}

// When the token expires, its subscriptions end with UNAUTHENTICATED and
// then the connection closes with 4403, which graphql-ws clients answer
// by reconnecting with a fresh token.
func TestTokenExpiryEndsTheSubscriptions(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	s.authn.add("short", auth.Principal{Kind: auth.EndUser, Subject: "alice", Expires: time.Now().Add(time.Second)})
	c := s.connect(t, bearer("short"))
	c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
	c.subscribe("2", `subscription { verificationSessionEvents { id } }`, nil)
	status(t, c.next("1"))
	got, completed := map[string][]string{}, map[string]bool{}
	for len(completed) < 2 {
		switch m := c.read(); m.Type {
		case "next":
			var u update
			if err := json.Unmarshal(m.Payload, &u); err != nil {
				t.Fatal(err)
			}
			got[m.ID] = u.codes()
			if string(u.Data) != "null" {
				t.Errorf("%s: data %s, want null", m.ID, u.Data)
			}
		case "complete":
			if got[m.ID] == nil {
				t.Errorf("%s completed without an error", m.ID)
			}
			completed[m.ID] = true
		default:
			t.Fatalf("got %s %s, want the subscriptions' last updates", m.Type, m.Payload)
		}
	}
	for _, id := range []string{"1", "2"} {
		if !slices.Equal(got[id], []string{"UNAUTHENTICATED"}) {
			t.Errorf("subscription %s ended with %v, want UNAUTHENTICATED", id, got[id])
		}
	}
	if code, reason := c.closed(); code != 4403 || !strings.Contains(reason, "expired") {
		t.Errorf("closed with %d %q, want 4403 saying the token expired", code, reason)
	}
}

// A subscriber that falls behind gets the latest state, read once for all
// the changes it missed, and holds back nobody else.
func TestSlowSubscriberGetsTheLatestState(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	s.stripe.put("vs_slow", "alice", stripe.IdentityVerificationSessionStatusRequiresInput)
	gate := s.stripe.gate("vs_slow")
	slow := s.connect(t, bearer(aliceToken))
	slow.subscribe("1", updatedQuery, map[string]any{"id": "vs_slow"})
	status(t, slow.next("1"))
	other := s.connect(t, bearer(aliceToken))
	other.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
	status(t, other.next("1"))

	// The slow subscriber's read of the first change hangs in Stripe.
	s.changed(t, "vs_slow", stripe.IdentityVerificationSessionStatusProcessing)
	<-gate.entered
	// Ten more changes meanwhile: the hub keeps only the newest for it.
	for range 5 {
		s.changed(t, "vs_slow", stripe.IdentityVerificationSessionStatusRequiresInput)
		s.changed(t, "vs_slow", stripe.IdentityVerificationSessionStatusProcessing)
	}
	s.stripe.setStatus("vs_slow", stripe.IdentityVerificationSessionStatusVerified)
	// Another subscriber is not held back.
	s.changed(t, "vs_alice", stripe.IdentityVerificationSessionStatusCanceled)
	if got := status(t, other.next("1")); got != "CANCELED" {
		t.Errorf("the other subscriber: status %s, want CANCELED", got)
	}
	gate.release <- struct{}{}
	if got := status(t, slow.next("1")); got != "VERIFIED" {
		t.Errorf("the slow subscriber's next update: status %s, want VERIFIED", got)
	}
	// One more read for the ten changes that came meanwhile.
	<-gate.entered
	gate.release <- struct{}{}
	if got := status(t, slow.next("1")); got != "VERIFIED" {
		t.Errorf("the coalesced update: status %s, want VERIFIED", got)
	}
	if n := s.stripe.calls("vs_slow"); n != 3 {
		t.Errorf("%d reads of the slow session for 11 changes, want 3: the first, the hung one, one for the rest", n)
	}
}

// The fields of a subscription obey the same scopes as a query's, with
// the errors at their paths under the subscription field.
func TestSubscriptionFieldsObeyScopes(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	s.authn.add("no-scopes", auth.Principal{Kind: auth.EndUser, Subject: "alice"})
	c := s.connect(t, bearer("no-scopes"))
	c.subscribe("1", `subscription { s: verificationSessionUpdated(id: "vs_alice") { id verifiedOutputs { firstName } } }`, nil)
	for range 2 {
		u := c.next("1")
		if string(u.Data) != `{"s":{"id":"vs_alice","verifiedOutputs":null}}` {
			t.Errorf("data %s", u.Data)
		}
		if len(u.Errors) != 1 || u.Errors[0].Extensions["code"] != "FORBIDDEN" || !slices.Equal(u.Errors[0].Path, []any{"s", "verifiedOutputs"}) {
			t.Errorf("errors %+v, want FORBIDDEN at [s verifiedOutputs]", u.Errors)
		}
		s.changed(t, "vs_alice", stripe.IdentityVerificationSessionStatusProcessing)
	}
}

// eventsQuery selects every field of an event.
const eventsQuery = `subscription($filter: VerificationSessionEventFilter) {
  verificationSessionEvents(filter: $filter) { id type created sessionId session { id status } }
}`

// event is a verificationSessionEvents update's event.
type event struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Created   string `json:"created"`
	SessionID string `json:"sessionId"`
	Session   *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"session"`
}

func eventOf(t *testing.T, u update) event {
	t.Helper()
	var d struct {
		E event `json:"verificationSessionEvents"`
	}
	if err := json.Unmarshal(u.Data, &d); err != nil {
		t.Fatalf("data %s: %v", u.Data, err)
	}
	return d.E
}

func TestVerificationSessionEvents(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	t.Run("an end user gets their own sessions' events, each with the session read after it", func(t *testing.T) {
		c := s.connect(t, bearer(aliceToken))
		c.subscribe("1", eventsQuery, nil)
		waitFor(t, "the subscription", func() bool { return s.hub.Stats().Subscriptions == 1 })
		s.changed(t, "vs_bob", stripe.IdentityVerificationSessionStatusProcessing)
		s.changed(t, "vs_alice", stripe.IdentityVerificationSessionStatusVerified)
		u := c.next("1")
		e := eventOf(t, u)
		if e.SessionID != "vs_alice" || e.Type != "VERIFIED" || e.Created != "2026-09-21T14:15:00Z" || !strings.HasPrefix(e.ID, "evt_") ||
			e.Session == nil || e.Session.Status != "VERIFIED" || len(u.Errors) != 0 {
			t.Errorf("update %s %+v, want alice's verified event with her session", u.Data, u.Errors)
		}
		c.send(map[string]any{"id": "1", "type": "complete"})
		waitFor(t, "the subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
	})
	t.Run("the types filter", func(t *testing.T) {
		c := s.connect(t, bearer(serverToken))
		c.subscribe("1", eventsQuery, map[string]any{"filter": map[string]any{"types": []string{"CANCELED"}}})
		waitFor(t, "the subscription", func() bool { return s.hub.Stats().Subscriptions == 1 })
		s.changed(t, "vs_bob", stripe.IdentityVerificationSessionStatusProcessing)
		s.changed(t, "vs_alice", stripe.IdentityVerificationSessionStatusCanceled)
		if e := eventOf(t, c.next("1")); e.Type != "CANCELED" || e.SessionID != "vs_alice" {
			t.Errorf("event %+v, want alice's cancellation", e)
		}
		c.send(map[string]any{"id": "1", "type": "complete"})
		waitFor(t, "the subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
	})
	t.Run("the statuses filter reads each event's session, sent or not", func(t *testing.T) {
		c := s.connect(t, bearer(serverToken))
		c.subscribe("1", `subscription { verificationSessionEvents(filter: {statuses: [VERIFIED, CANCELED]}) { type sessionId } }`, nil)
		waitFor(t, "the subscription", func() bool { return s.hub.Stats().Subscriptions == 1 })
		before := s.stripe.calls("vs_bob")
		s.changed(t, "vs_bob", stripe.IdentityVerificationSessionStatusProcessing)
		// Read, and left out, before the next change.
		waitFor(t, "the processing event's read", func() bool { return s.stripe.calls("vs_bob") == before+1 })
		s.changed(t, "vs_bob", stripe.IdentityVerificationSessionStatusVerified)
		if u := c.next("1"); string(u.Data) != `{"verificationSessionEvents":{"type":"VERIFIED","sessionId":"vs_bob"}}` {
			t.Errorf("data %s, want only the event after which bob's session is verified", u.Data)
		}
		if n := s.stripe.calls("vs_bob") - before; n != 2 {
			t.Errorf("%d Stripe calls, want one per event", n)
		}
		c.send(map[string]any{"id": "1", "type": "complete"})
		waitFor(t, "the subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
	})
	t.Run("without the session, no Stripe call", func(t *testing.T) {
		c := s.connect(t, bearer(serverToken))
		c.subscribe("1", `subscription { verificationSessionEvents(filter: {sessionId: "vs_bob"}) { type sessionId } }`, nil)
		waitFor(t, "the subscription", func() bool { return s.hub.Stats().Subscriptions == 1 })
		before := s.stripe.calls("vs_bob")
		s.changed(t, "vs_bob", stripe.IdentityVerificationSessionStatusVerified)
		if u := c.next("1"); string(u.Data) != `{"verificationSessionEvents":{"type":"VERIFIED","sessionId":"vs_bob"}}` {
			t.Errorf("data %s", u.Data)
		}
		if n := s.stripe.calls("vs_bob") - before; n != 0 {
			t.Errorf("%d Stripe calls, want none", n)
		}
		c.send(map[string]any{"id": "1", "type": "complete"})
		waitFor(t, "the subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
	})
	t.Run("a session that cannot be read is null, with its error at its path", func(t *testing.T) {
		c := s.connect(t, bearer(serverToken))
		c.subscribe("1", `subscription { verificationSessionEvents { sessionId s: session { id } } }`, nil)
		waitFor(t, "the subscription", func() bool { return s.hub.Stats().Subscriptions == 1 })
		s.hub.Publish(context.Background(), events.Event{ID: "evt_gone", Type: events.TypePrefix + "redacted",
			Created: time.Unix(1_790_000_000, 0), SessionID: "vs_gone"})
		u := c.next("1")
		if string(u.Data) != `{"verificationSessionEvents":{"sessionId":"vs_gone","s":null}}` ||
			len(u.Errors) != 1 || u.Errors[0].Extensions["code"] != "NOT_FOUND" || !slices.Equal(u.Errors[0].Path, []any{"verificationSessionEvents", "s"}) {
			t.Errorf("update %s %+v, want s null with NOT_FOUND at its path", u.Data, u.Errors)
		}
		c.send(map[string]any{"id": "1", "type": "complete"})
		waitFor(t, "the subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
	})
	refusals := []struct {
		name   string
		filter map[string]any
		code   string
	}{
		{"another user's session is NOT_FOUND", map[string]any{"sessionId": "vs_bob"}, "NOT_FOUND"},
		{"an ID that is no session's is BAD_USER_INPUT", map[string]any{"sessionId": "evt_1"}, "BAD_USER_INPUT"},
		{"UNKNOWN is no type to filter on", map[string]any{"types": []string{"VERIFIED", "UNKNOWN"}}, "BAD_USER_INPUT"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			c := s.connect(t, bearer(aliceToken))
			c.subscribe("1", eventsQuery, map[string]any{"filter": tt.filter})
			if u := c.next("1"); !slices.Equal(u.codes(), []string{tt.code}) {
				t.Errorf("errors %+v, want %s", u.Errors, tt.code)
			}
			c.complete("1")
		})
	}
}

// Each caller holds a bounded number of subscriptions and connections,
// and a message is bounded in bytes.
func TestSubscriptionLimits(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{MaxBodyBytes: 4096, Live: graph.LiveOptions{ConnectionsPerCaller: 2}},
		events.Options{MaxPerCaller: 1})
	t.Run("a subscription past the caller's limit is TOO_MANY_SUBSCRIPTIONS", func(t *testing.T) {
		c := s.connect(t, bearer(aliceToken))
		c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
		status(t, c.next("1"))
		c.subscribe("2", updatedQuery, map[string]any{"id": "vs_alice"})
		u := c.next("2")
		if !slices.Equal(u.codes(), []string{"TOO_MANY_SUBSCRIPTIONS"}) {
			t.Errorf("errors %+v, want TOO_MANY_SUBSCRIPTIONS", u.Errors)
		}
		c.complete("2")
		// Bob is another caller.
		b := s.connect(t, bearer(bobToken))
		b.subscribe("1", updatedQuery, map[string]any{"id": "vs_bob"})
		status(t, b.next("1"))
	})
	t.Run("a connection past the caller's limit closes with 1013 Try Again Later", func(t *testing.T) {
		s.connect(t, bearer(aliceToken))
		s.connect(t, bearer(aliceToken))
		c, _, err := s.dial(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.init(bearer(aliceToken))
		if code, reason := c.closed(); code != websocket.StatusTryAgainLater || !strings.Contains(reason, "at most 2") {
			t.Errorf("closed with %d %q, want 1013 saying the limit", code, reason)
		}
		s.connect(t, bearer(bobToken)) // another caller
	})
	t.Run("a message over the limit closes with 1009", func(t *testing.T) {
		c := s.connect(t, bearer(bobToken))
		c.subscribe("1", `subscription { verificationSessionUpdated(id: "vs_bob") { id } }`+strings.Repeat(" ", 5000), nil)
		if code, _ := c.closed(); code != websocket.StatusMessageTooBig {
			t.Errorf("closed with %d, want 1009", code)
		}
	})
}

// A query or mutation over a WebSocket keeps the operation deadline that
// the HTTP middleware does not apply to it.
func TestOperationDeadlineOverWebSocket(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{OperationTimeout: 200 * time.Millisecond}, events.Options{})
	g := s.stripe.gate("vs_alice")
	c := s.connect(t, bearer(aliceToken))
	c.subscribe("1", `{ verificationSession(id: "vs_alice") { id } }`, nil)
	if u := c.next("1"); len(u.Errors) != 0 {
		t.Fatalf("errors %+v", u.Errors)
	}
	c.complete("1")
	c.subscribe("2", `{ verificationSession(id: "vs_alice") { id } }`, nil)
	<-g.entered // Stripe hangs
	if u := c.next("2"); !slices.Equal(u.codes(), []string{"UPSTREAM_TIMEOUT"}) {
		t.Errorf("errors %+v, want UPSTREAM_TIMEOUT", u.Errors)
	}
	c.complete("2")
	// A subscription has no such deadline.
	s.stripe.put("vs_alice2", "alice", stripe.IdentityVerificationSessionStatusRequiresInput)
	c.subscribe("3", updatedQuery, map[string]any{"id": "vs_alice2"})
	status(t, c.next("3"))
}

// Each update after the first is charged to the caller's budget on its
// own, and says so; a caller whose budget is empty gets it late, not lost.
func TestSubscriptionCost(t *testing.T) {
	b, err := budget.New(context.Background(), budget.Config{Capacity: 1, RestoreRate: 10})
	if err != nil {
		t.Fatal(err)
	}
	s := serveSubscriptions(t, graph.Options{Budget: b}, events.Options{})
	c := s.connect(t, bearer(aliceToken))
	c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
	cost := func(u update) (requested, actual float64) {
		t.Helper()
		c, _ := u.Extensions["cost"].(map[string]any)
		requested, _ = c["requestedQueryCost"].(float64)
		actual, _ = c["actualQueryCost"].(float64)
		return requested, actual
	}
	for i, want := range []string{"REQUIRES_INPUT", "PROCESSING", "VERIFIED", "CANCELED"} {
		u := c.next("1")
		if got := status(t, u); got != want {
			t.Errorf("update %d: status %s, want %s", i, got, want)
		}
		if r, a := cost(u); r != 1 || a != 1 {
			t.Errorf("update %d: cost %v, want requested and actual 1", i, u.Extensions["cost"])
		}
		if i < 3 {
			s.changed(t, "vs_alice", []stripe.IdentityVerificationSessionStatus{"processing", "verified", "canceled"}[i])
		}
	}
}

// The old subscriptions-transport-ws protocol ("graphql-ws") works too:
// gqlgen speaks it.
func TestLegacyGraphQLWSProtocol(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), subWait)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	c := &wsClient{t: t, conn: conn}
	c.init(bearer(aliceToken))
	if m := c.read(); m.Type != "connection_ack" {
		t.Fatalf("got %s", m.Type)
	}
	c.send(map[string]any{"id": "1", "type": "start", "payload": map[string]any{"query": updatedQuery, "variables": map[string]any{"id": "vs_alice"}}})
	for {
		m := c.read()
		if m.Type == "ka" {
			continue
		}
		if m.Type != "data" || !strings.Contains(string(m.Payload), "REQUIRES_INPUT") {
			t.Errorf("got %s %s, want the session's data", m.Type, m.Payload)
		}
		break
	}
}

// Shutdown completes every subscription, closes each WebSocket with 1001
// Going Away (graphql-ws clients reconnect), refuses new ones, and returns
// once they have all ended.
func TestShutdownCompletesSubscriptions(t *testing.T) {
	var ops operations
	s := serveSubscriptions(t, graph.Options{Metrics: &ops}, events.Options{})
	c := s.connect(t, bearer(aliceToken))
	c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
	status(t, c.next("1"))
	sse := s.postSSE(t, bobToken, updatedQuery, map[string]any{"id": "vs_bob"})
	status(t, sse.next())

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), subWait)
		defer cancel()
		done <- s.gql.Shutdown(ctx)
	}()
	c.complete("1")
	if code, _ := c.closed(); code != websocket.StatusGoingAway {
		t.Errorf("closed with %d, want 1001", code)
	}
	if ev := sse.event(); ev.name != "complete" {
		t.Errorf("SSE event %q %s, want complete", ev.name, ev.data)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if _, res, err := s.dial(t, nil); err == nil || res == nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a new WebSocket after Shutdown: %v %v, want 503", res, err)
	}
	// Ended by the server, not by their clients.
	subscriptions := func() []string {
		return slices.DeleteFunc(ops.list(), func(op string) bool { return !strings.HasPrefix(op, "subscription ") })
	}
	waitFor(t, "both subscriptions recorded", func() bool { return len(subscriptions()) == 2 })
	if got := subscriptions(); !slices.Equal(got, []string{"subscription ok", "subscription ok"}) {
		t.Errorf("subscriptions recorded %v, want two ok", got)
	}
}

// operations is a graph.OperationRecorder that keeps what it is told.
type operations struct {
	mu  sync.Mutex
	ops []string
}

func (o *operations) Operation(_, typ, outcome string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ops = append(o.ops, typ+" "+outcome)
}

func (o *operations) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.ops)
}

// A subscriber that goes away leaves nothing behind: no goroutine, no hub
// subscription, whichever transport it used.
func TestSubscriptionsLeaveNoGoroutineBehind(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	// Warm up what stays (the HTTP client's and server's idle machinery).
	c := s.connect(t, bearer(aliceToken))
	c.conn.Close(websocket.StatusNormalClosure, "")
	http.DefaultClient.CloseIdleConnections()
	waitFor(t, "the warm-up to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
	settle := func() int {
		// Goroutines end a little after their work does: count once the
		// number stops falling.
		n := runtime.NumGoroutine()
		for range 20 {
			<-time.After(10 * time.Millisecond)
			n = min(n, runtime.NumGoroutine())
		}
		return n
	}
	tests := []struct {
		name  string
		leave func(t *testing.T)
	}{
		{"a WebSocket client that closes", func(t *testing.T) {
			c := s.connect(t, bearer(aliceToken))
			c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
			c.subscribe("2", eventsQuery, nil)
			status(t, c.next("1"))
			c.conn.Close(websocket.StatusNormalClosure, "bye")
		}},
		{"a WebSocket client that drops the connection", func(t *testing.T) {
			c := s.connect(t, bearer(aliceToken))
			c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
			status(t, c.next("1"))
			c.conn.CloseNow()
		}},
		{"a WebSocket client that stops its subscription", func(t *testing.T) {
			c := s.connect(t, bearer(aliceToken))
			c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
			status(t, c.next("1"))
			c.send(map[string]any{"id": "1", "type": "complete"})
			waitFor(t, "the subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
			c.conn.Close(websocket.StatusNormalClosure, "bye")
		}},
		{"an SSE client that goes away", func(t *testing.T) {
			sse := s.postSSE(t, aliceToken, updatedQuery, map[string]any{"id": "vs_alice"})
			status(t, sse.next())
			sse.close()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := settle()
			tt.leave(t)
			waitFor(t, "no subscription left", func() bool { return s.hub.Stats().Subscriptions == 0 })
			http.DefaultClient.CloseIdleConnections()
			deadline := time.Now().Add(subWait)
			for n := settle(); n > base; n = settle() {
				if time.Now().After(deadline) {
					buf := make([]byte, 1<<20)
					t.Fatalf("%d goroutines, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
				}
			}
		})
	}
}

// No message of idgraph's, whatever the client sends, carries Go's error
// text: not the WebSocket's messages or close reasons, not SSE's events,
// not the HTTP refusals.
func TestNoGoErrorTextInAnyMessage(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{MaxBodyBytes: 4096}, events.Options{})
	// Stripe calls that fail with Go's own error text.
	s.stripe.put("vs_broken", "alice", stripe.IdentityVerificationSessionStatusRequiresInput)
	s.stripe.fail("vs_broken", errors.New("dial tcp 10.0.0.1:443: connect: connection refused"))
	s.stripe.put("vs_breaks", "alice", stripe.IdentityVerificationSessionStatusRequiresInput)
	var said []string
	ws := []struct {
		name string
		talk func(c *wsClient)
	}{
		{"a message that is not JSON", func(c *wsClient) {
			c.conn.Write(context.Background(), websocket.MessageText, []byte("{nope"))
		}},
		{"a message of an unknown type", func(c *wsClient) { c.send(map[string]any{"type": "gimme"}) }},
		{"a subscribe whose payload is not an object", func(c *wsClient) {
			c.send(map[string]any{"id": "1", "type": "subscribe", "payload": "x"})
		}},
		{"a document that does not parse", func(c *wsClient) { c.subscribe("1", "subscription {", nil) }},
		{"variables of the wrong type", func(c *wsClient) { c.subscribe("1", updatedQuery, map[string]any{"id": []int{1}}) }},
		{"an ID that is no session's", func(c *wsClient) { c.subscribe("1", updatedQuery, map[string]any{"id": "vs_../x"}) }},
		{"a binary message", func(c *wsClient) {
			c.conn.Write(context.Background(), websocket.MessageBinary, []byte{0xff, 0x00})
		}},
		{"a message over the size limit", func(c *wsClient) { c.subscribe("1", strings.Repeat("#", 5000), nil) }},
		{"a second connection_init", func(c *wsClient) { c.init(bearer(aliceToken)) }},
		{"a session Stripe fails to read", func(c *wsClient) { c.subscribe("1", updatedQuery, map[string]any{"id": "vs_broken"}) }},
		{"an update Stripe fails to read", func(c *wsClient) {
			c.subscribe("1", updatedQuery, map[string]any{"id": "vs_breaks"})
			status(c.t, c.next("1"))
			s.stripe.fail("vs_breaks", errors.New("read tcp: i/o timeout"))
			s.changed(c.t, "vs_breaks", stripe.IdentityVerificationSessionStatusVerified)
			if u := c.next("1"); !slices.Equal(u.codes(), []string{"INTERNAL"}) || u.Errors[0].Message != "internal error" {
				c.t.Errorf("update %+v, want internal error", u.Errors)
			}
			c.send(map[string]any{"id": "1", "type": "complete"})
		}},
	}
	for _, tt := range ws {
		t.Run(tt.name, func(t *testing.T) {
			c := s.connect(t, bearer(aliceToken))
			tt.talk(c)
			for {
				m, err := c.readErr()
				if err != nil {
					var ce websocket.CloseError
					if !errors.As(err, &ce) {
						t.Errorf("no close frame: %v", err)
					}
					said = append(said, ce.Reason)
					break
				}
				if m.Type == "complete" {
					break
				}
			}
			said = append(said, c.raw...)
		})
	}
	refusedInit := []any{bearer("forged"), map[string]any{"Authorization": []int{1}}, "not an object"}
	for _, p := range refusedInit {
		c, _, err := s.dial(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.init(p)
		_, reason := c.closed()
		said = append(said, reason)
		said = append(said, c.raw...)
	}
	for _, h := range []http.Header{
		{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Version": {"8"}},
		{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Version": {"13"}},
		{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"%%%"}},
		{"Upgrade": {"h2c"}, "Connection": {"Upgrade"}},
		{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Version": {"13"},
			"Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}, "Origin": {"https://evil.example"}},
	} {
		req, _ := http.NewRequest(http.MethodGet, s.url+"/graphql", nil)
		req.Header = h
		req.Header.Set("Authorization", "Bearer "+aliceToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusForbidden {
			t.Errorf("a bad handshake: status %d %s", res.StatusCode, b)
		}
		said = append(said, string(b))
	}
	for _, body := range []struct{ contentType, body string }{
		{"application/json", "{nope"},
		{"application/json", `{"query": 1}`},
		{"application/json", `[{"query": "{ __typename }"}]`},
		{"application/json; charset=latin1", `{"query": "{ __typename }"}`},
		{"application/json", `{"query": "` + strings.Repeat("#", 5000) + `"}`},
		{"application/json", `{"query": "subscription { verificationSessionUpdated(id: \"vs_alice\") { nope } }"}`},
	} {
		res, cancel := s.postSSEBody(t, aliceToken, body.contentType, []byte(body.body))
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		cancel()
		said = append(said, string(b))
	}
	goText := []string{"json:", "invalid character", "unexpected end", "unexpected EOF", ": EOF", "failed to", "websocket:", "WebSocket protocol violation",
		"%!", "goroutine", "runtime error", "context canceled", "strconv.", "body:", "cannot unmarshal", "panic"}
	for _, m := range said {
		for _, g := range goText {
			if strings.Contains(m, g) {
				t.Errorf("a message holds %q: %s", g, m)
			}
		}
	}
	if len(said) < 20 {
		t.Errorf("only %d messages checked", len(said))
	}
}

// A stream outlives the HTTP server's read and write timeouts, which are
// for requests: the WebSocket's are cleared by the upgrade, and an SSE
// stream's once its body is read.
func TestStreamsOutliveTheServerTimeouts(t *testing.T) {
	const timeout = 300 * time.Millisecond
	s := serveSubscriptions(t, graph.Options{}, events.Options{}, func(srv *http.Server) {
		srv.ReadTimeout, srv.WriteTimeout = timeout, timeout
	})
	c := s.connect(t, bearer(aliceToken))
	c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
	status(t, c.next("1"))
	sse := s.postSSE(t, bobToken, updatedQuery, map[string]any{"id": "vs_bob"})
	status(t, sse.next())
	<-time.After(3 * timeout) // the timeouts pass
	s.changed(t, "vs_alice", stripe.IdentityVerificationSessionStatusVerified)
	s.changed(t, "vs_bob", stripe.IdentityVerificationSessionStatusVerified)
	if got := status(t, c.next("1")); got != "VERIFIED" {
		t.Errorf("WebSocket: status %s, want VERIFIED", got)
	}
	if got := status(t, sse.next()); got != "VERIFIED" {
		t.Errorf("SSE: status %s, want VERIFIED", got)
	}
}
