package main

import (
	"bytes"
	"context"
	"github.com/idgraph/idgraph/internal/config"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server's log and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestRunServesAndShutsDownGracefully starts idgraph as `go run .` would,
// on the emulator, uses it, and stops it as SIGTERM would.
func TestRunServesAndShutsDownGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	db := t.TempDir() + "/emulator.db"
	go func() {
		done <- run(ctx, nil, env(map[string]string{"IDGRAPH_ADDR": "127.0.0.1:0", "IDGRAPH_EMULATOR_DB": db}), io.Discard, &logs)
	}()
	addrRE := regexp.MustCompile(`msg="idgraph listening" addr=(\S+)`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == ""; {
		if m := addrRE.FindStringSubmatch(logs.String()); m != nil {
			base = "http://" + m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v\n%s", err, logs.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("idgraph did not start:\n%s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), "backend: embedded emulator") {
		t.Errorf("the start-up log does not say which backend is in use:\n%s", logs.String())
	}
	resp := postGraphQL(t, base, `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id url } } }`, nil)
	if len(resp.Errors) > 0 || !strings.Contains(string(resp.Data), base+"/verify/") {
		t.Fatalf("create on the emulator: %s %s", resp.Data, resp.Errors)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the emulator's database file: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after the context ended")
	}
	if strings.Contains(logs.String(), "_secret_") {
		t.Errorf("the log holds a client secret:\n%s", logs.String())
	}
}

func TestRunRefusesBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"a live key without authentication", map[string]string{"STRIPE_SECRET_KEY": "sk_live_123"}, "refusing to serve a Stripe key with no authentication"},
		{"a test key without authentication", map[string]string{"STRIPE_SECRET_KEY": "sk_test_123"}, "refusing to serve a Stripe key with no authentication"},
		{"a malformed address", map[string]string{"IDGRAPH_ADDR": "localhost"}, "IDGRAPH_ADDR must be host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), nil, env(tt.env), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	s := serveOnEmulator(t)
	schema, err := os.ReadFile("schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	get := func(t *testing.T, path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	t.Run("healthz says ok", func(t *testing.T) {
		if res, body := get(t, "/healthz"); res.StatusCode != 200 || body != "ok\n" {
			t.Errorf("%d %q", res.StatusCode, body)
		}
	})
	t.Run("the SDL is served for codegen", func(t *testing.T) {
		if res, body := get(t, "/schema.graphql"); res.StatusCode != 200 || body != string(schema) {
			t.Errorf("%d, %d bytes", res.StatusCode, len(body))
		}
	})
	t.Run("GraphiQL is served under a strict CSP", func(t *testing.T) {
		res, body := get(t, "/")
		if res.StatusCode != 200 || !strings.Contains(body, "graphiql") || !strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%d %v", res.StatusCode, res.Header)
		}
	})
	t.Run("GET runs a query", func(t *testing.T) {
		res, body := get(t, "/graphql?query="+url.QueryEscape(`{ verificationSessions(first: 1) { nodes { id } } }`))
		if res.StatusCode != 200 || !strings.Contains(body, `"verificationSessions"`) {
			t.Errorf("%d %s", res.StatusCode, body)
		}
	})
	t.Run("GET refuses a mutation", func(t *testing.T) {
		res, body := get(t, "/graphql?query="+url.QueryEscape(`mutation { cancelVerificationSession(input: {id: "vs_1"}) { userErrors { code } } }`))
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" || !strings.Contains(body, `"code":"METHOD_NOT_ALLOWED"`) {
			t.Errorf("%d %s", res.StatusCode, body)
		}
	})
	t.Run("an oversized body is refused", func(t *testing.T) {
		big := `{"query":"{ __typename }","variables":{"x":"` + strings.Repeat("a", config.DefaultMaxBodyBytes) + `"}}`
		res, err := http.Post(s.url+"/graphql", "application/json", strings.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d", res.StatusCode)
		}
	})
	t.Run("the emulator's Stripe API answers at /v1 with Stripe's errors", func(t *testing.T) {
		res, body := get(t, "/v1/identity/verification_sessions")
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"type": "invalid_request_error"`) && !strings.Contains(body, `"type":"invalid_request_error"`) {
			t.Errorf("%d %s", res.StatusCode, body)
		}
	})
}

func TestCommandLine(t *testing.T) {
	t.Run("-h prints the flags and succeeds", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"-h"}, env(nil), io.Discard, &out); err != nil {
			t.Fatalf("run -h: %v", err)
		}
		if !strings.Contains(out.String(), "-operation-timeout") || !strings.Contains(out.String(), "IDGRAPH_AUTH_JWKS_URL") {
			t.Errorf("usage lacks settings:\n%s", out.String())
		}
	})
	t.Run("-version prints the version and succeeds", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"-version"}, env(nil), &out, io.Discard); err != nil {
			t.Fatalf("run -version: %v", err)
		}
		if !strings.HasPrefix(out.String(), "idgraph ") || !strings.Contains(out.String(), "go1.") {
			t.Errorf("version = %q", out.String())
		}
	})
}
