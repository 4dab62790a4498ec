package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// testNow is the tests' present.
var testNow = time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)

// testClock is a clock the test moves by hand.
type testClock struct{ t atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.t.Store(testNow.UnixNano())
	return c
}

func (c *testClock) Now() time.Time          { return time.Unix(0, c.t.Load()).UTC() }
func (c *testClock) Advance(d time.Duration) { c.t.Add(int64(d)) }

// testSecret is an HS256 secret of the right size.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// signingKey is one of the test identity provider's keys.
type signingKey struct {
	alg     jwa.SignatureAlgorithm
	kid     string
	private jwk.Key
	public  jwk.Key
}

// newSigningKey makes a key for alg (RS256, ES256 or EdDSA) named kid.
func newSigningKey(t *testing.T, alg jwa.SignatureAlgorithm, kid string) signingKey {
	t.Helper()
	var raw any
	var err error
	switch alg {
	case jwa.RS256():
		raw, err = rsa.GenerateKey(rand.Reader, 2048)
	case jwa.ES256():
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jwa.EdDSA():
		_, raw, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("no test keys for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	private, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := private.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	public, err := private.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{alg: alg, kid: kid, private: private, public: public}
}

// claims are a token's claims; times are time.Time.
type claims map[string]any

// userClaims are valid claims for user_42 at testNow, with iss and aud of
// testConfig.
func userClaims() claims {
	return claims{
		"sub": "user_42",
		"iss": "https://idp.test/",
		"aud": "idgraph",
		"iat": testNow.Add(-time.Minute),
		"exp": testNow.Add(time.Hour),
	}
}

// with returns c with name set to v, or removed when v is nil.
func (c claims) with(name string, v any) claims {
	out := make(claims, len(c)+1)
	for k, x := range c {
		out[k] = x
	}
	if v == nil {
		delete(out, name)
	} else {
		out[name] = v
	}
	return out
}

// sign makes a token of c signed with k (its kid in the header).
func (k signingKey) sign(t *testing.T, c claims) string {
	t.Helper()
	return signToken(t, c, jwt.WithKey(k.alg, k.private))
}

// signWithoutKid makes a token signed with k whose header names no key.
func (k signingKey) signWithoutKid(t *testing.T, c claims) string {
	t.Helper()
	var raw any
	if err := jwk.Export(k.private, &raw); err != nil {
		t.Fatal(err)
	}
	return signToken(t, c, jwt.WithKey(k.alg, raw))
}

// signHS256 makes a token of c signed with secret.
func signHS256(t *testing.T, secret []byte, c claims) string {
	t.Helper()
	return signToken(t, c, jwt.WithKey(jwa.HS256(), secret))
}

func signToken(t *testing.T, c claims, key jwt.SignOption) string {
	t.Helper()
	b := jwt.NewBuilder()
	for name, v := range c {
		b = b.Claim(name, v)
	}
	tok, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// unsignedToken is a token with alg none and c as its payload.
func unsignedToken(t *testing.T, c claims) string {
	t.Helper()
	return encodeSegment(t, map[string]any{"alg": "none", "typ": "JWT"}) + "." + encodeClaims(t, c) + "."
}

// encodeClaims is c as a JWT payload segment, times in seconds.
func encodeClaims(t *testing.T, c claims) string {
	t.Helper()
	m := map[string]any{}
	for k, v := range c {
		if tv, ok := v.(time.Time); ok {
			v = tv.Unix()
		}
		m[k] = v
	}
	return encodeSegment(t, m)
}

func encodeSegment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// testIdP is an identity provider's JWKS endpoint that counts its fetches
// and whose keys the test changes.
type testIdP struct {
	srv     *httptest.Server
	fetches atomic.Int32
	mu      sync.Mutex
	set     []byte
	status  int
}

// newTestIdP serves the public keys of keys.
func newTestIdP(t *testing.T, keys ...signingKey) *testIdP {
	t.Helper()
	p := &testIdP{status: http.StatusOK}
	p.publish(t, keys...)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		p.fetches.Add(1)
		p.mu.Lock()
		status, set := p.status, p.set
		p.mu.Unlock()
		if status != http.StatusOK {
			http.Error(w, "unavailable", status)
			return
		}
		// A long max-age: in these tests only refetches fetch again.
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(set)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// publish replaces the JWKS with the public keys of keys.
func (p *testIdP) publish(t *testing.T, keys ...signingKey) {
	t.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		if err := set.AddKey(k.public); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.set = b
	p.mu.Unlock()
}

// publishExtra publishes keys along with raw JWKs (JSON objects).
func (p *testIdP) publishExtra(t *testing.T, raw []string, keys ...signingKey) {
	t.Helper()
	p.publish(t, keys...)
	p.mu.Lock()
	defer p.mu.Unlock()
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(p.set, &set); err != nil {
		t.Fatal(err)
	}
	for _, r := range raw {
		set.Keys = append([]json.RawMessage{json.RawMessage(r)}, set.Keys...)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	p.set = b
}

// setStatus makes the endpoint answer status (other than 200: an error).
func (p *testIdP) setStatus(status int) {
	p.mu.Lock()
	p.status = status
	p.mu.Unlock()
}

func (p *testIdP) url() string { return p.srv.URL + "/.well-known/jwks.json" }

// testConfig is a configuration that checks iss and aud.
func testConfig(jwksURL string) Config {
	return Config{
		JWKSURL:        jwksURL,
		Issuer:         "https://idp.test/",
		Audience:       "idgraph",
		JWKSMinRefetch: 30 * time.Second,
	}
}

// newTestAuthenticator makes an Authenticator on clock, closed at the end
// of the test.
func newTestAuthenticator(t *testing.T, cfg Config, clock *testClock) *Authenticator {
	t.Helper()
	a, err := newAuthenticator(t.Context(), cfg, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	return a
}

// refusal is the message of err, which must be an *UnauthenticatedError.
func refusal(t *testing.T, err error) string {
	t.Helper()
	ue, ok := err.(*UnauthenticatedError)
	if !ok {
		t.Fatalf("error %v (%T) is not an *UnauthenticatedError", err, err)
	}
	return ue.Message
}

// tamper changes one character of the token's segment i (0 header, 1
// payload, 2 signature), keeping it base64url.
func tamper(token string, i int) string {
	segs := splitSegments(token)
	s := []byte(segs[i])
	pos := len(s) / 2
	if s[pos] == 'A' {
		s[pos] = 'B'
	} else {
		s[pos] = 'A'
	}
	segs[i] = string(s)
	return segs[0] + "." + segs[1] + "." + segs[2]
}

func splitSegments(token string) []string {
	return strings.SplitN(token, ".", 3)
}
