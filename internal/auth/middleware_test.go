package auth

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
)

func TestBearerCredential(t *testing.T) {
	long := strings.Repeat("a", maxCredentialLen+1)
	tests := []struct {
		name    string
		values  []string
		want    string
		refusal string
	}{
		{"no header is no credential", nil, "", ""},
		{"an empty header is no credential", []string{""}, "", ""},
		{"Bearer and a token is the token", []string{"Bearer abc.def.ghi"}, "abc.def.ghi", ""},
		{"the scheme is case-insensitive", []string{"bEaReR abc.def.ghi"}, "abc.def.ghi", ""},
		{"extra spaces before the token are tolerated", []string{"Bearer   idg_abc"}, "idg_abc", ""},
		{"a token with base64 padding is a token", []string{"Bearer abc+/=="}, "abc+/==", ""},
		{"Basic is malformed", []string{"Basic dXNlcjpwYXNz"}, "", msgHeader},
		{"a bare token is malformed", []string{"abc.def.ghi"}, "", msgHeader},
		{"Bearer alone is malformed", []string{"Bearer"}, "", msgHeader},
		{"Bearer and a space is malformed", []string{"Bearer "}, "", msgHeader},
		{"two tokens are malformed", []string{"Bearer abc def"}, "", msgHeader},
		{"a comma in the token is malformed", []string{"Bearer abc,def"}, "", msgHeader},
		{"padding alone is malformed", []string{"Bearer =="}, "", msgHeader},
		{"two Authorization headers are malformed", []string{"Bearer abc", "Bearer def"}, "", msgHeader},
		{"a token over 8 KiB is too long", []string{"Bearer " + long}, "", msgTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("Authorization", v)
			}
			got, err := bearerCredential(h)
			if tt.refusal == "" {
				if err != nil || got != tt.want {
					t.Errorf("bearerCredential = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if msg := refusal(t, err); msg != tt.refusal {
				t.Errorf("refusal = %q, want %q", msg, tt.refusal)
			}
		})
	}
}

// middlewareServer serves a's Middleware in front of a handler that
// records the principal it is given.
func middlewareServer(t *testing.T, a *Authenticator) (*httptest.Server, *Principal) {
	t.Helper()
	var seen Principal
	srv := httptest.NewServer(a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = FromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})))
	t.Cleanup(srv.Close)
	return srv, &seen
}

// get requests srv with the Authorization headers given and Accept.
func get(t *testing.T, srv *httptest.Server, accept string, authorization ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{__typename}"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range authorization {
		req.Header.Add("Authorization", v)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

func TestMiddlewareRefuses(t *testing.T) {
	keys := newTestKeys(t)
	idp := newTestIdP(t, keys.rsa, keys.ec)
	apiKey, hash, err := NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ParseKeyHash(hash)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(idp.url())
	cfg.APIKeyHashes = [][32]byte{sum}
	a := newTestAuthenticator(t, cfg, newTestClock())
	srv, seen := middlewareServer(t, a)
	wrongKey, _, err := NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		authorization []string
		token         string // the credential, which nothing may echo
		want          string
	}{
		{"no Authorization is 401 with a bare challenge", nil, "", msgMissing},
		{"Basic is 401 malformed", []string{"Basic dXNlcjpzZWNyZXRwYXNzd29yZA=="}, "dXNlcjpzZWNyZXRwYXNzd29yZA==", msgHeader},
		{"two tokens are 401 malformed", []string{"Bearer " + apiKey + " " + apiKey}, apiKey, msgHeader},
		{"an expired token is 401 expired", nil, keys.rsa.sign(t, userClaims().with("exp", testNow.Add(-time.Hour))), msgExpired},
		{"a token for another audience is 401 wrong audience", nil, keys.ec.sign(t, userClaims().with("aud", "other")), msgAudience},
		{"a token from another issuer is 401 wrong issuer", nil, keys.ec.sign(t, userClaims().with("iss", "https://other.test/")), msgIssuer},
		{"a tampered token is 401 bad signature", nil, tamper(keys.rsa.sign(t, userClaims()), 1), msgSignature},
		{"an unknown kid is 401 unknown key", nil, newSigningKey(t, jwa.EdDSA(), "who").sign(t, userClaims()), msgUnknownKey},
		{"alg none is 401", nil, unsignedToken(t, userClaims()), msgAlgNone},
		{"an HS256 token is 401 when no secret is configured", nil, signHS256(t, testSecret, userClaims()), msgAlgorithm},
		{"a token without subject is 401 no subject", nil, keys.rsa.sign(t, userClaims().with("sub", nil)), msgNoSubject},
		{"garbage is 401 malformed", nil, "not-a-token-at-all", msgMalformed},
		{"a wrong API key is 401", nil, wrongKey, msgAPIKeyNotAllowed},
		{"a huge token is 401 too long", nil, strings.Repeat("x", 10<<10), msgTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			*seen = Principal{}
			authorization := tt.authorization
			if authorization == nil && tt.token != "" {
				authorization = []string{"Bearer " + tt.token}
			}
			res, body := get(t, srv, "", authorization...)
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", res.StatusCode)
			}
			if seen.Kind != 0 {
				t.Error("the request reached the handler")
			}
			challenge := `Bearer realm="idgraph"`
			if tt.want != msgMissing {
				challenge += `, error="invalid_token", error_description="` + tt.want + `"`
			}
			if got := res.Header.Get("WWW-Authenticate"); got != challenge {
				t.Errorf("WWW-Authenticate = %s, want %s", got, challenge)
			}
			if got := res.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			wantBody(t, body, tt.want)
			for _, secret := range credentialParts(tt.token) {
				if strings.Contains(body, secret) {
					t.Errorf("the body echoes the credential: %s", body)
				}
				for name, values := range res.Header {
					if strings.Contains(strings.Join(values, " "), secret) {
						t.Errorf("header %s echoes the credential", name)
					}
				}
			}
		})
	}
}

func TestMiddlewarePassesPrincipal(t *testing.T) {
	keys := newTestKeys(t)
	idp := newTestIdP(t, keys.ed)
	apiKey, hash, err := NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ParseKeyHash(hash)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(idp.url())
	cfg.APIKeyHashes = [][32]byte{sum}
	strict := newTestAuthenticator(t, cfg, newTestClock())
	dev := newTestAuthenticator(t, Config{Development: true, HS256Secret: testSecret}, newTestClock())

	tests := []struct {
		name          string
		a             *Authenticator
		authorization []string
		want          Principal
		refusal       string
	}{
		{"an end user's token puts the end user in the context", strict,
			[]string{"Bearer " + keys.ed.sign(t, userClaims().with("scope", ScopeReadOutputs))},
			Principal{Kind: EndUser, Subject: "user_42", Scopes: []string{ScopeReadOutputs}, Expires: testNow.Add(time.Hour)}, ""},
		{"an API key puts a server in the context", strict, []string{"Bearer " + apiKey}, Principal{Kind: Server}, ""},
		{"in development no Authorization is full access", dev, nil, Principal{Kind: Development}, ""},
		{"in development a token of the secret is that end user", dev,
			[]string{"bearer " + signHS256(t, testSecret, claims{"sub": "dev_user", "exp": testNow.Add(time.Minute)})},
			Principal{Kind: EndUser, Subject: "dev_user", Expires: testNow.Add(time.Minute)}, ""},
		{"in development a bad token is still refused", dev,
			[]string{"Bearer " + signHS256(t, []byte("not the development secret, 32+ bytes"), claims{"sub": "dev_user", "exp": testNow.Add(time.Minute)})},
			Principal{}, msgSignature},
		{"in development an expired token is still refused", dev,
			[]string{"Bearer " + signHS256(t, testSecret, claims{"sub": "dev_user", "exp": testNow.Add(-time.Hour)})},
			Principal{}, msgExpired},
		{"in development a malformed header is still refused", dev, []string{"Basic Zm9vOmJhcg=="}, Principal{}, msgHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := middlewareServer(t, tt.a)
			res, body := get(t, srv, "", tt.authorization...)
			if tt.refusal != "" {
				if res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status = %d, want 401", res.StatusCode)
				}
				wantBody(t, body, tt.refusal)
				return
			}
			if res.StatusCode != http.StatusNoContent {
				t.Fatalf("status = %d (%s), want the handler's 204", res.StatusCode, body)
			}
			if seen.Kind != tt.want.Kind || seen.Subject != tt.want.Subject || !seen.Expires.Equal(tt.want.Expires) || strings.Join(seen.Scopes, " ") != strings.Join(tt.want.Scopes, " ") {
				t.Errorf("principal = %+v, want %+v", *seen, tt.want)
			}
		})
	}
}

func TestMiddlewareContentType(t *testing.T) {
	a := newTestAuthenticator(t, Config{HS256Secret: testSecret}, newTestClock())
	srv, _ := middlewareServer(t, a)
	tests := []struct {
		accept string
		want   string
	}{
		{"", mediaJSON},
		{"*/*", mediaJSON},
		{"application/json", mediaJSON},
		{"application/graphql-response+json", mediaGraphQLResponse},
		{"application/graphql-response+json, application/json;q=0.9", mediaGraphQLResponse},
		{"application/json, application/graphql-response+json", mediaGraphQLResponse},
		{"application/json, application/graphql-response+json;q=0.5", mediaJSON},
		{"application/graphql-response+json;q=0", mediaJSON},
		{"text/html, application/GRAPHQL-RESPONSE+JSON", mediaGraphQLResponse},
		{"application/graphql-response+json;q=nonsense", mediaJSON},
	}
	for _, tt := range tests {
		t.Run("Accept "+tt.accept+" is answered in "+tt.want, func(t *testing.T) {
			res, body := get(t, srv, tt.accept)
			if got, _, _ := strings.Cut(res.Header.Get("Content-Type"), ";"); got != tt.want {
				t.Errorf("Content-Type = %q, want %s", res.Header.Get("Content-Type"), tt.want)
			}
			wantBody(t, body, msgMissing)
		})
	}
}

func TestQuoteEscape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain text stays", "token has expired", "token has expired"},
		{"quotes are escaped", `say "hi"`, `say \"hi\"`},
		{"backslashes are escaped", `a\b`, `a\\b`},
		{"control characters are dropped", "a\r\nWWW-Authenticate: x\x00", "aWWW-Authenticate: x"},
		{"non-ASCII is dropped", "caf\u00e9", "caf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quoteEscape(tt.in); got != tt.want {
				t.Errorf("quoteEscape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestMessagesFitErrorDescription: every message of the catalogue can stand
// in error_description as it is (RFC 6750 §3: %x20-21 / %x23-5B / %x5D-7E).
func TestMessagesFitErrorDescription(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "messages.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(file, func(node ast.Node) bool {
		lit, ok := node.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		msg, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if msg == "" || quoteEscape(msg) != msg {
			t.Errorf("message %q does not fit error_description", msg)
		}
		return true
	})
	if n < 10 {
		t.Errorf("found %d messages in messages.go", n)
	}
}

// wantBody checks a 401's body: one GraphQL error with msg and the code
// UNAUTHENTICATED.
func wantBody(t *testing.T, body, msg string) {
	t.Helper()
	var got struct {
		Errors []struct {
			Message    string            `json:"message"`
			Extensions map[string]string `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if len(got.Errors) != 1 || got.Errors[0].Message != msg || got.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Errorf("body = %s, want one UNAUTHENTICATED error %q", body, msg)
	}
}

// credentialParts are the credential and its pieces long enough to be
// recognised if echoed.
func credentialParts(credential string) []string {
	var parts []string
	if credential != "" {
		parts = append(parts, credential)
	}
	for _, p := range strings.Split(credential, ".") {
		if len(p) >= 8 && p != credential {
			parts = append(parts, p)
		}
	}
	return parts
}
