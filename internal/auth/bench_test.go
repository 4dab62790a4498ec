package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// BenchmarkAuthenticate measures what authentication adds to each request.
// Its reference, "development, no credential", is what a request paid
// before authentication existed; compare ratios to it within one run, as
// the machines are shared and noisy. The JWKS is fetched before the timed
// loops, and fetches/op shows that none happens inside them, not even for a
// flood of tokens naming unknown keys.
//
// helpers_test.go's key and IdP helpers take a *testing.T, so this file has
// testing.TB twins of the few it needs.
func BenchmarkAuthenticate(b *testing.B) {
	rsaKey := benchKey(b, jwa.RS256(), "rsa-1")
	ecKey := benchKey(b, jwa.ES256(), "ec-1")
	edKey := benchKey(b, jwa.EdDSA(), "ed-1")
	jwksURL, fetches := benchIdP(b, rsaKey, ecKey, edKey)

	apiKey, hash, err := NewAPIKey()
	if err != nil {
		b.Fatal(err)
	}
	sum, err := ParseKeyHash(hash)
	if err != nil {
		b.Fatal(err)
	}
	cfg := testConfig(jwksURL)
	cfg.HS256Secret = testSecret
	cfg.APIKeyHashes = [][32]byte{sum}
	prod := benchAuthenticator(b, cfg)
	dev := benchAuthenticator(b, Config{Development: true})
	rs256 := benchSign(b, jwt.WithKey(rsaKey.alg, rsaKey.private))

	tests := []struct {
		name       string
		a          *Authenticator
		credential string
		want       Kind // 0: refused
	}{
		{"development, no credential", dev, "", Development},
		{"API key", prod, apiKey, Server},
		{"HS256 JWT", prod, benchSign(b, jwt.WithKey(jwa.HS256(), testSecret)), EndUser},
		{"RS256 JWT (JWKS, cached)", prod, rs256, EndUser},
		{"ES256 JWT (JWKS, cached)", prod, benchSign(b, jwt.WithKey(ecKey.alg, ecKey.private)), EndUser},
		{"EdDSA JWT (JWKS, cached)", prod, benchSign(b, jwt.WithKey(edKey.alg, edKey.private)), EndUser},
		// Signed by a key the IdP never published: the untimed first call
		// spends the one refetch allowed per JWKSMinRefetch, and the test
		// clock never lets another one come due.
		{"unknown kid (refetch rate-limited)", prod, benchSign(b, jwt.WithKey(jwa.EdDSA(), benchKey(b, jwa.EdDSA(), "made-up").private)), 0},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			ctx := b.Context()
			if p, err := tt.a.Authenticate(ctx, tt.credential); p.Kind != tt.want || (err == nil) != (tt.want != 0) {
				b.Fatalf("Authenticate = %+v, %v; want kind %d", p, err, tt.want)
			}
			before := fetches.Load()
			b.ReportAllocs()
			for b.Loop() {
				_, _ = tt.a.Authenticate(ctx, tt.credential)
			}
			b.ReportMetric(float64(fetches.Load()-before)/float64(b.N), "fetches/op")
		})
	}

	// The whole HTTP step for the commonest end user token: header parsing,
	// the principal in the context and the recorder the handler writes to.
	b.Run("Middleware, RS256 JWT (JWKS, cached)", func(b *testing.B) {
		h := prod.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if FromContext(r.Context()).Kind != EndUser {
				b.Error("no end user in the context")
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		req.Header.Set("Authorization", "Bearer "+rs256)
		before := fetches.Load()
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusNoContent {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
		b.ReportMetric(float64(fetches.Load()-before)/float64(b.N), "fetches/op")
	})
}

// benchKey makes a signing key for alg (RS256, ES256 or EdDSA) named kid.
func benchKey(tb testing.TB, alg jwa.SignatureAlgorithm, kid string) signingKey {
	tb.Helper()
	var raw any
	var err error
	switch alg {
	case jwa.RS256():
		raw, err = rsa.GenerateKey(rand.Reader, 2048)
	case jwa.ES256():
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		_, raw, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		tb.Fatal(err)
	}
	k := signingKey{alg: alg, kid: kid}
	if k.private, err = jwk.Import(raw); err == nil {
		if err = k.private.Set(jwk.KeyIDKey, kid); err == nil {
			k.public, err = k.private.PublicKey()
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// benchSign makes a token of userClaims signed with key.
func benchSign(tb testing.TB, key jwt.SignOption) string {
	tb.Helper()
	builder := jwt.NewBuilder()
	for name, v := range userClaims() {
		builder = builder.Claim(name, v)
	}
	tok, err := builder.Build()
	if err != nil {
		tb.Fatal(err)
	}
	signed, err := jwt.Sign(tok, key)
	if err != nil {
		tb.Fatal(err)
	}
	return string(signed)
}

// benchIdP serves the public keys of keys as a JWKS and counts its fetches.
func benchIdP(tb testing.TB, keys ...signingKey) (string, *atomic.Int32) {
	tb.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		if err := set.AddKey(k.public); err != nil {
			tb.Fatal(err)
		}
	}
	body, err := json.Marshal(set)
	if err != nil {
		tb.Fatal(err)
	}
	fetches := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL + "/.well-known/jwks.json", fetches
}

// benchAuthenticator makes an Authenticator at testNow, when userClaims
// are valid, closed at the end of the benchmark.
func benchAuthenticator(tb testing.TB, cfg Config) *Authenticator {
	tb.Helper()
	a, err := newAuthenticator(tb.Context(), cfg, newTestClock().Now)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := a.Close(); err != nil {
			tb.Error(err)
		}
	})
	return a
}
