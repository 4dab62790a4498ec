package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/idgraph/idgraph/internal/auth"
)

// silentStripe accepts connections and never answers, as a hung Stripe
// would; it counts the requests that reached it.
func silentStripe(t *testing.T) (base string, accepted func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c // held open, never read or answered
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		close(conns)
		for c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String(), func() int { return len(conns) }
}

// A Stripe that never answers costs a request its deadline, not minutes:
// the client gets UPSTREAM_TIMEOUT with the request's deadline long before
// any server timeout, and a mutation's error carries the idempotency key to
// retry with.
func TestOperationDeadline(t *testing.T) {
	stripeBase, accepted := silentStripe(t)
	key, hash, err := auth.NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, map[string]string{"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_API_BASE": stripeBase,
		"IDGRAPH_API_KEY_SHA256": hash, "IDGRAPH_OPERATION_TIMEOUT": "300ms", "STRIPE_MAX_NETWORK_RETRIES": "2"})
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)

	for _, tt := range []struct {
		name, query string
		wantKey     bool
	}{
		{"a query", `{ verificationSession(id: "vs_123") { id } }`, false},
		{"a mutation", `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id } } }`, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			resp := postGraphQLAs(t, srv.URL, key, tt.query, nil)
			elapsed := time.Since(start)
			var errs []struct {
				Message    string
				Extensions map[string]any
			}
			if err := json.Unmarshal(resp.Errors, &errs); err != nil || len(errs) != 1 {
				t.Fatalf("errors %s: %v", resp.Errors, err)
			}
			if code := errs[0].Extensions["code"]; code != "UPSTREAM_TIMEOUT" {
				t.Errorf("code = %v: %s", code, resp.Errors)
			}
			// Not a timing target: a bound far below stripe-go's own 80 s
			// (retried: minutes) that proves the deadline held.
			if elapsed > 5*time.Second {
				t.Errorf("answered after %v; the deadline is 300ms", elapsed)
			}
			key, _ := errs[0].Extensions["idempotencyKey"].(string)
			if tt.wantKey != strings.HasPrefix(key, "idgraph-") {
				t.Errorf("extensions.idempotencyKey = %q", key)
			}
		})
	}
	if accepted() == 0 {
		t.Error("no request reached the stand-in: the test proves nothing")
	}
}

func TestReadyz(t *testing.T) {
	s := serveOnEmulator(t)
	res, err := http.Get(s.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("a fresh idgraph on the emulator: %d", res.StatusCode)
	}

	// A JWKS that cannot be fetched: not ready, saying why.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	t.Cleanup(down.Close)
	s = startOnEmulator(t, map[string]string{"IDGRAPH_AUTH_JWKS_URL": down.URL + "/jwks.json"})
	res, err = http.Get(s.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "JWKS") {
		t.Errorf("%d %q", res.StatusCode, body)
	}
}
