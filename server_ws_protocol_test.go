package main

import (
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/idgraph/idgraph/graph"
	"github.com/idgraph/idgraph/internal/events"
)

// A client that breaks graphql-transport-ws's rules gets the close code the
// protocol names, which graphql-ws clients act on (4400 is fatal, 4401 and
// 4409 say what went wrong), and the connection's subscriptions end.
func TestWebSocketProtocolRules(t *testing.T) {
	s := serveSubscriptions(t, graph.Options{}, events.Options{})
	sub := func(id string) map[string]any {
		m := map[string]any{"type": "subscribe", "payload": map[string]any{"query": updatedQuery, "variables": map[string]any{"id": "vs_alice"}}}
		if id != "" {
			m["id"] = id
		}
		return m
	}
	tests := []struct {
		name   string
		init   bool // connection_init first, and its ack read
		msgs   []map[string]any
		code   websocket.StatusCode
		reason string
	}{
		{"subscribe before connection_init", false, []map[string]any{sub("1")}, 4401, "Unauthorized"},
		{"a second connection_init", true, []map[string]any{{"type": "connection_init", "payload": bearer(aliceToken)}}, 4429, "Too many initialisation requests"},
		{"an unknown message type", true, []map[string]any{{"type": "start", "id": "1"}}, 4400, "Invalid message received: unknown type"},
		{"subscribe without an id", true, []map[string]any{sub("")}, 4400, `Invalid message received: subscribe needs an "id"`},
		{"subscribe without a payload", true, []map[string]any{{"type": "subscribe", "id": "1"}}, 4400, `Invalid message received: subscribe needs a "payload" object`},
		{"subscribe with the id of a running one", true, []map[string]any{sub("1"), sub("1")}, 4409, "Subscriber for 1 already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *wsClient
			if tt.init {
				c = s.connect(t, bearer(aliceToken))
			} else {
				var err error
				if c, _, err = s.dial(t, nil); err != nil {
					t.Fatal(err)
				}
			}
			for _, m := range tt.msgs {
				c.send(m)
			}
			if code, reason := c.closed(); code != tt.code || reason != tt.reason {
				t.Errorf("closed with %d %q, want %d %q", code, reason, tt.code, tt.reason)
			}
			waitFor(t, "the hub to let go of the subscriptions", func() bool { return s.hub.Stats().Subscriptions == 0 })
		})
	}

	t.Run("no connection_init in time", func(t *testing.T) {
		s := serveSubscriptions(t, graph.Options{Live: graph.LiveOptions{InitTimeout: 50 * time.Millisecond}}, events.Options{})
		c, _, err := s.dial(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		if code, reason := c.closed(); code != 4408 || reason != "Connection initialisation timeout" {
			t.Errorf("closed with %d %q, want 4408", code, reason)
		}
	})

	t.Run("an id may be used again once its operation has completed", func(t *testing.T) {
		c := s.connect(t, bearer(aliceToken))
		for range 2 {
			c.send(sub("1"))
			if got := status(t, c.next("1")); got != "REQUIRES_INPUT" {
				t.Fatalf("status %s", got)
			}
			c.send(map[string]any{"id": "1", "type": "complete"})
			c.complete("1") // gqlgen answers with its own
			waitFor(t, "the subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
		}
		c.send(map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{"query": "{ __typename }"}})
		c.next("2")
		c.complete("2") // the server's complete frees "2" too
		c.send(map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{"query": "{ __typename }"}})
		c.next("2")
		c.complete("2")
	})
}

// idgraph pings a graphql-transport-ws client every keep-alive interval,
// and lets go of one that stops answering.
func TestWebSocketPings(t *testing.T) {
	const every = 50 * time.Millisecond
	s := serveSubscriptions(t, graph.Options{Live: graph.LiveOptions{KeepAlive: every}}, events.Options{})

	t.Run("a client that answers stays connected", func(t *testing.T) {
		c := s.connect(t, bearer(aliceToken))
		c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
		c.next("1")
		pings := 0
		for pings < 5 {
			m := c.readRaw()
			if m.Type != "ping" {
				t.Fatalf("got %s, want pings", m.Type)
			}
			pings++
			c.send(map[string]any{"type": "pong"})
		}
		if n := s.hub.Stats().Subscriptions; n != 1 {
			t.Errorf("%d subscriptions after %d pings, want the one still open", n, pings)
		}
	})
	t.Run("a client that stops answering is let go", func(t *testing.T) {
		c := s.connect(t, bearer(aliceToken))
		c.subscribe("1", updatedQuery, map[string]any{"id": "vs_alice"})
		c.next("1")
		start := time.Now()
		for {
			m, err := c.readRawErr()
			if err != nil {
				break // closed
			}
			if m.Type != "ping" {
				t.Fatalf("got %s, want pings", m.Type)
			}
		}
		if d := time.Since(start); d > 20*every {
			t.Errorf("let go after %v, want about two intervals", d)
		}
		waitFor(t, "the hub to let go of its subscription", func() bool { return s.hub.Stats().Subscriptions == 0 })
	})
}

func (c *wsClient) readRaw() wsMessage {
	c.t.Helper()
	m, err := c.readRawErr()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}
