package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// request sends method path to base with the given headers and returns the
// status, headers and body.
func request(t *testing.T, base, method, path, body string, headers map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestBrowserSafety(t *testing.T) {
	s := serveOnEmulator(t)
	const query = `{"query":"{ __typename }"}`
	jsonType := map[string]string{"Content-Type": "application/json"}

	t.Run("a request for another Host is refused with nothing of idgraph", func(t *testing.T) {
		for _, path := range []string{"/graphql", "/", "/v1/identity/verification_sessions", "/schema.graphql"} {
			status, _, body := request(t, s.url, http.MethodPost, path, query, map[string]string{"Host": "attacker.example", "Content-Type": "application/json"})
			if status != http.StatusMisdirectedRequest || strings.Contains(body, "__typename") || strings.Contains(body, "data") {
				t.Errorf("%s: %d %q", path, status, body)
			}
		}
	})
	t.Run("health probes answer any Host", func(t *testing.T) {
		if status, _, _ := request(t, s.url, http.MethodGet, "/healthz", "", map[string]string{"Host": "10.0.0.7:8080"}); status != http.StatusOK {
			t.Errorf("healthz: %d", status)
		}
	})
	t.Run("loopback names are served", func(t *testing.T) {
		for _, host := range []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080"} {
			if status, _, _ := request(t, s.url, http.MethodPost, "/graphql", query, map[string]string{"Host": host, "Content-Type": "application/json"}); status != http.StatusOK {
				t.Errorf("%s: %d", host, status)
			}
		}
	})
	t.Run("every /graphql answer is no-store and nosniff, errors too", func(t *testing.T) {
		for _, body := range []string{query, `{"query":"{"}`, `not json`} {
			_, h, _ := request(t, s.url, http.MethodPost, "/graphql", body, jsonType)
			if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%q: %v", body, h)
			}
		}
	})
	t.Run("a dev server on localhost may call from the browser", func(t *testing.T) {
		status, h, _ := request(t, s.url, http.MethodOptions, "/graphql", "", map[string]string{
			"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"})
		if status >= 300 || h.Get("Access-Control-Allow-Origin") != "http://localhost:5173" || !strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") {
			t.Errorf("%d %v", status, h)
		}
		_, h, _ = request(t, s.url, http.MethodPost, "/graphql", query, map[string]string{"Origin": "http://localhost:5173", "Content-Type": "application/json"})
		if h.Get("Access-Control-Allow-Origin") != "http://localhost:5173" || !strings.Contains(h.Get("Access-Control-Expose-Headers"), "Retry-After") {
			t.Errorf("%v", h)
		}
	})
	t.Run("another site may not", func(t *testing.T) {
		_, h, _ := request(t, s.url, http.MethodOptions, "/graphql", "", map[string]string{
			"Origin": "https://evil.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})
		if h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%v", h)
		}
	})
}

// With authentication configured, the emulator's Stripe API at /v1 takes
// only its own key, not any sk_test_ string.
func TestEmulatorAPIKeyWithAuthentication(t *testing.T) {
	const key = "rk_test_my_backend_key"
	s := serveSecured(t, map[string]string{"IDGRAPH_EMULATOR_API_KEY": key})
	for _, tt := range []struct {
		key  string
		want int
	}{
		{"sk_test_123", http.StatusUnauthorized},
		{"rk_test_idgraph_emulator", http.StatusUnauthorized},
		{key, http.StatusOK},
	} {
		status, _, body := request(t, s.url, http.MethodGet, "/v1/identity/verification_sessions", "", map[string]string{"Authorization": "Bearer " + tt.key})
		if status != tt.want {
			t.Errorf("%s: %d %s", tt.key, status, body)
		}
	}
}

// testIdP is an identity provider with one RS256 key, published as a JWKS.
type testIdP struct {
	url string
	key jwk.Key
}

func newTestIdP(t *testing.T) testIdP {
	t.Helper()
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	private, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	private.Set(jwk.KeyIDKey, "k1")
	private.Set(jwk.AlgorithmKey, jwa.RS256())
	public, err := private.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	set := jwk.NewSet()
	set.AddKey(public)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	return testIdP{url: srv.URL + "/jwks.json", key: private}
}

// token signs a token for sub with the issuer and audience that
// serveProduction configures.
func (p testIdP) token(t *testing.T, sub string) string {
	t.Helper()
	tok, err := jwt.NewBuilder().Subject(sub).Issuer("https://idp.test/").Audience([]string{"idgraph"}).
		IssuedAt(time.Now()).Expiration(time.Now().Add(time.Hour)).Build()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), p.key))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// In production, end users see no schema and no GraphiQL; server keys keep
// the schema for codegen.
func TestProductionMode(t *testing.T) {
	idp := newTestIdP(t)
	s := serveSecured(t, map[string]string{"IDGRAPH_ENV": "production", "IDGRAPH_AUTH_HS256_SECRET": "",
		"IDGRAPH_AUTH_JWKS_URL": idp.url, "IDGRAPH_AUTH_ISSUER": "https://idp.test/", "IDGRAPH_AUTH_AUDIENCE": "idgraph"})
	user := idp.token(t, "alice")
	auth := func(credential string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + credential, "Content-Type": "application/json"}
	}
	const introspect = `{"query":"{ __schema { queryType { name } } }"}`

	if status, _, body := request(t, s.url, http.MethodGet, "/", "", nil); status != http.StatusNotFound {
		t.Errorf("GraphiQL in production: %d %.80s", status, body)
	}
	if status, _, _ := request(t, s.url, http.MethodGet, "/schema.graphql", "", auth(user)); status != http.StatusNotFound {
		t.Errorf("an end user read the SDL: %d", status)
	}
	if status, _, body := request(t, s.url, http.MethodGet, "/schema.graphql", "", auth(s.server)); status != http.StatusOK || !strings.Contains(body, "type Query") {
		t.Errorf("a server key could not read the SDL: %d", status)
	}
	if _, _, body := request(t, s.url, http.MethodPost, "/graphql", introspect, auth(user)); !strings.Contains(body, `"errors"`) || strings.Contains(body, `"Query"`) {
		t.Errorf("an end user introspected: %s", body)
	}
	if _, _, body := request(t, s.url, http.MethodPost, "/graphql", introspect, auth(s.server)); !strings.Contains(body, `"Query"`) {
		t.Errorf("a server key could not introspect: %s", body)
	}
	// The end user's JWT from the provider works for their own data.
	if _, _, body := request(t, s.url, http.MethodPost, "/graphql", `{"query":"{ verificationSessions { nodes { id } } }"}`, auth(user)); !strings.Contains(body, `{"data":{"verificationSessions":{"nodes":[]}}`) {
		t.Errorf("an end user's query: %s", body)
	}
}
