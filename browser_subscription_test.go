package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/graph"
	"github.com/idgraph/idgraph/internal/browsertest"
	"github.com/idgraph/idgraph/internal/events"
)

// blankPage is a page for a browser to run a test's script in, on the
// origin of the server that serves it.
func blankPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<!doctype html><title>page</title>")
}

// pageOrigin serves blankPage at /page on an origin of its own.
func pageOrigin(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(blankPage))
	t.Cleanup(srv.Close)
	return srv.URL
}

// browserSubscribe is a script that subscribes to a session's updates over
// a WebSocket as graphql-ws does, the token in connection_init (a browser
// cannot set a WebSocket's headers), and keeps the statuses it receives in
// window.__updates, or how the socket closed in window.__closed.
const browserSubscribe = `(() => {
  window.__updates = []; window.__closed = '';
  const ws = new WebSocket(%q, 'graphql-transport-ws');
  ws.onopen = () => ws.send(JSON.stringify({type: 'connection_init', payload: {Authorization: 'Bearer ' + %q}}));
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.type === 'connection_ack') {
      ws.send(JSON.stringify({id: '1', type: 'subscribe', payload: {
        query: 'subscription($id: ID!) { verificationSessionUpdated(id: $id) { status } }', variables: {id: %q}}}));
    } else if (m.type === 'ping') {
      ws.send(JSON.stringify({type: 'pong'}));
    } else if (m.type === 'next') {
      window.__updates.push(m.payload.data ? m.payload.data.verificationSessionUpdated.status : JSON.stringify(m.payload.errors));
    }
  };
  ws.onclose = (e) => { window.__closed = 'closed ' + e.code; };
  return true;
})()`

// browserSSE reads the first update of a subscription over SSE with fetch,
// which sends the Authorization header as for any request.
const browserSSE = `(async () => {
  const res = await fetch('/graphql', {method: 'POST', headers: {
      'Content-Type': 'application/json', 'Accept': 'text/event-stream', 'Authorization': 'Bearer ' + %q},
    body: JSON.stringify({query: 'subscription($id: ID!) { verificationSessionUpdated(id: $id) { status } }', variables: {id: %q}})});
  const reader = res.body.getReader(), text = new TextDecoder();
  let buf = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return 'the stream ended: ' + buf;
    buf += text.decode(value, {stream: true});
    const at = buf.indexOf('event: next\ndata: '), end = buf.indexOf('\n\n', at);
    if (at >= 0 && end > at) {
      reader.cancel();
      return JSON.parse(buf.slice(at + 'event: next\ndata: '.length, end)).data.verificationSessionUpdated.status;
    }
  }
})()`

// A browser subscribes with the token in connection_init, from idgraph's
// own origin or an allowed one, and gets the session now and after each
// change; a page of another origin cannot open the WebSocket at all.
func TestBrowserSubscription(t *testing.T) {
	allowed, other := pageOrigin(t), pageOrigin(t)
	s := serveSubscriptions(t, graph.Options{AllowedOrigins: []string{allowed}}, events.Options{})
	ctx := browsertest.Start(t, 60*time.Second)
	wsURL := "ws" + strings.TrimPrefix(s.url, "http") + "/graphql"

	run := func(t *testing.T, page, session string) (updates []string, closed string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(page+"/page")); err != nil {
			t.Fatalf("open %s: %v", page, err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(browserSubscribe, wsURL, aliceToken, session))); err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`window.__updates.length > 0 || window.__closed`,
			chromedp.WithPollingTimeout(subWait))); err != nil {
			t.Fatalf("waiting for an update: %v", err)
		}
		updates, _ = chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__updates`))
		closed, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`window.__closed`))
		return updates, closed
	}
	tests := []struct {
		name   string
		page   string
		update string // the first update's status, or "" when refused
	}{
		{"a page of idgraph's own origin (GraphiQL's) subscribes", s.url, "REQUIRES_INPUT"},
		{"a page of an allowed origin subscribes", allowed, "REQUIRES_INPUT"},
		{"a page of another origin cannot open the WebSocket", other, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			updates, closed := run(t, tt.page, "vs_alice")
			switch {
			case tt.update == "" && (len(updates) != 0 || closed != "closed 1006"):
				t.Errorf("updates %v, %s; want the handshake refused (1006 in a browser)", updates, closed)
			case tt.update != "" && (len(updates) != 1 || updates[0] != tt.update):
				t.Errorf("updates %v, %s; want %s", updates, closed, tt.update)
			}
		})
	}

	t.Run("an update follows a change", func(t *testing.T) {
		if updates, _ := run(t, s.url, "vs_bob"); len(updates) != 1 || !strings.Contains(updates[0], "NOT_FOUND") {
			t.Errorf("another user's session: %v, want NOT_FOUND", updates)
		}
		run(t, s.url, "vs_alice")
		s.changed(t, "vs_alice", stripe.IdentityVerificationSessionStatusVerified)
		got, err := chromedp.Run(ctx, chromedp.Poll[[]string](`window.__updates.length > 1 && window.__updates`,
			chromedp.WithPollingTimeout(subWait)))
		if err != nil || len(got) != 2 || got[1] != "VERIFIED" {
			t.Errorf("updates %v (%v), want the change", got, err)
		}
	})

	t.Run("SSE with fetch sends the session now", func(t *testing.T) {
		if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.url+"/page")); err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithTimeout(ctx, subWait)
		defer cancel()
		got, err := chromedp.Run(sctx, chromedp.Evaluate[string](fmt.Sprintf(browserSSE, aliceToken, "vs_alice"), chromedp.EvalAwaitPromise))
		if err != nil || got != "VERIFIED" {
			t.Errorf("first SSE update %q (%v), want VERIFIED", got, err)
		}
	})
}
