package auth

import (
	"crypto/x509"
	"encoding/pem"
	"reflect"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// testKeys are the test identity provider's keys, one of each algorithm.
type testKeys struct{ rsa, ec, ed signingKey }

func newTestKeys(t *testing.T) testKeys {
	t.Helper()
	return testKeys{
		rsa: newSigningKey(t, jwa.RS256(), "rsa-1"),
		ec:  newSigningKey(t, jwa.ES256(), "ec-1"),
		ed:  newSigningKey(t, jwa.EdDSA(), "ed-1"),
	}
}

func TestJWTAccepted(t *testing.T) {
	keys := newTestKeys(t)
	idp := newTestIdP(t, keys.rsa, keys.ec, keys.ed)
	cfg := testConfig(idp.url())
	cfg.HS256Secret = testSecret
	a := newTestAuthenticator(t, cfg, newTestClock())
	exp := testNow.Add(time.Hour)
	user := func(scopes ...string) Principal {
		return Principal{Kind: EndUser, Subject: "user_42", Scopes: scopes, Expires: exp}
	}

	tests := []struct {
		name  string
		token string
		want  Principal
	}{
		{"an RS256 token from the JWKS is the end user it names", keys.rsa.sign(t, userClaims()), user()},
		{"an ES256 token from the JWKS is the end user it names", keys.ec.sign(t, userClaims()), user()},
		{"an EdDSA token from the JWKS is the end user it names", keys.ed.sign(t, userClaims()), user()},
		{"an HS256 token signed with the configured secret is accepted", signHS256(t, testSecret, userClaims()), user()},
		{"a token without kid is verified by the one key fit for its algorithm", keys.ec.signWithoutKid(t, userClaims()), user()},
		{"an audience list that includes the audience is accepted",
			keys.rsa.sign(t, userClaims().with("aud", []string{"other", "idgraph"})), user()},
		{"scopes come from a space-separated scope claim",
			keys.rsa.sign(t, userClaims().with("scope", "identity:read_outputs identity:read_sensitive")),
			user(ScopeReadOutputs, ScopeReadSensitive)},
		{"scopes come from an scp string",
			keys.rsa.sign(t, userClaims().with("scp", "identity:read_outputs")), user(ScopeReadOutputs)},
		{"scopes come from an scp list",
			keys.ec.sign(t, userClaims().with("scp", []string{"identity:read_sensitive", "identity:read_outputs"})),
			user(ScopeReadOutputs, ScopeReadSensitive)},
		{"scope and scp together are merged without repeats",
			keys.ed.sign(t, userClaims().with("scope", "identity:read_outputs").with("scp", []string{"identity:read_outputs", "identity:read_sensitive"})),
			user(ScopeReadOutputs, ScopeReadSensitive)},
		{"a token valid since a second ago is accepted",
			keys.rsa.sign(t, userClaims().with("nbf", testNow.Add(-time.Second))), user()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := a.Authenticate(t.Context(), tt.token)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("principal = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestJWTCustomSubjectClaim(t *testing.T) {
	keys := newTestKeys(t)
	idp := newTestIdP(t, keys.rsa)
	cfg := testConfig(idp.url())
	cfg.SubjectClaim = "user_id"
	a := newTestAuthenticator(t, cfg, newTestClock())

	t.Run("the configured claim names the user", func(t *testing.T) {
		p, err := a.Authenticate(t.Context(), keys.rsa.sign(t, userClaims().with("user_id", "u_7")))
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != EndUser || p.Subject != "u_7" {
			t.Errorf("principal = %+v, want end user u_7", p)
		}
	})
	t.Run("sub alone is no subject", func(t *testing.T) {
		_, err := a.Authenticate(t.Context(), keys.rsa.sign(t, userClaims()))
		if got := refusal(t, err); got != msgNoSubject {
			t.Errorf("refusal = %q, want %q", got, msgNoSubject)
		}
	})
}

func TestJWTRefused(t *testing.T) {
	keys := newTestKeys(t)
	idp := newTestIdP(t, keys.rsa, keys.ec, keys.ed)
	cfg := testConfig(idp.url())
	cfg.HS256Secret = testSecret
	a := newTestAuthenticator(t, cfg, newTestClock())
	stranger := newSigningKey(t, jwa.RS256(), "stranger-1")
	// An EC key that claims to be the published RSA key.
	impostor := newSigningKey(t, jwa.ES256(), keys.rsa.kid)

	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"an expired token is refused", keys.rsa.sign(t, userClaims().with("exp", testNow.Add(-time.Hour))), msgExpired},
		{"a token not valid yet is refused", keys.rsa.sign(t, userClaims().with("nbf", testNow.Add(time.Hour))), msgNotYetValid},
		{"a token issued in the future is refused", keys.rsa.sign(t, userClaims().with("iat", testNow.Add(time.Hour))), msgIssuedInFuture},
		{"a token for another audience is refused", keys.rsa.sign(t, userClaims().with("aud", "another-app")), msgAudience},
		{"a token without an audience is refused", keys.rsa.sign(t, userClaims().with("aud", nil)), msgAudience},
		{"a token from another issuer is refused", keys.ec.sign(t, userClaims().with("iss", "https://evil.test/")), msgIssuer},
		{"a token without an issuer is refused", keys.ec.sign(t, userClaims().with("iss", nil)), msgIssuer},
		{"a token without exp is refused", keys.ed.sign(t, userClaims().with("exp", nil)), msgNoExpiry},
		{"a token without sub is refused", keys.rsa.sign(t, userClaims().with("sub", nil)), msgNoSubject},
		{"a token with an empty sub is refused", keys.rsa.sign(t, userClaims().with("sub", "")), msgNoSubject},
		{"a token whose subject claim is not a string is refused", signHS256(t, testSecret, userClaims().with("sub", nil).with("user_id", 42)), msgNoSubject},
		{"alg none is refused", unsignedToken(t, userClaims()), msgAlgNone},
		{"alg none in another case is refused",
			encodeSegment(t, map[string]string{"alg": "nOnE"}) + "." + encodeClaims(t, userClaims()) + ".", msgAlgNone},
		{"an HS256 token signed with the RSA public key as secret is refused", rsaAsHMACSecret(t, keys.rsa), msgSignature},
		{"a tampered payload is refused", tamper(keys.rsa.sign(t, userClaims()), 1), msgSignature},
		{"a tampered ES256 signature is refused", tamper(keys.ec.sign(t, userClaims()), 2), msgSignature},
		{"a tampered EdDSA signature is refused", tamper(keys.ed.sign(t, userClaims()), 2), msgSignature},
		{"an HS256 token signed with another secret is refused", signHS256(t, []byte("another secret of thirty-two bytes!!"), userClaims()), msgSignature},
		{"an unknown kid is refused", stranger.sign(t, userClaims()), msgUnknownKey},
		{"a kid of a key of another kind is refused", impostor.sign(t, userClaims()), msgKeyMismatch},
		{"an algorithm that is not accepted is refused", signToken(t, userClaims(), jwt.WithKey(jwa.RS512(), keys.rsa.private)), msgAlgorithm},
		{"a made-up algorithm is refused",
			encodeSegment(t, map[string]string{"alg": "XX999"}) + "." + encodeClaims(t, userClaims()) + ".c2ln", msgAlgorithm},
		{"a crit header is refused",
			encodeSegment(t, map[string]any{"alg": "RS256", "kid": keys.rsa.kid, "crit": []string{"exp"}, "exp": 1}) + "." + encodeClaims(t, userClaims()) + ".c2ln", msgHeaderParams},
		{"a word is malformed", "hello", msgMalformed},
		{"two segments are malformed", "eyJhbGciOiJSUzI1NiJ9.e30", msgMalformed},
		{"four segments are malformed", keys.rsa.sign(t, userClaims()) + ".x", msgMalformed},
		{"a header that is not base64url is malformed", "e*J.e30.c2ln", msgMalformed},
		{"a header that is not JSON is malformed", encodeSegment(t, "text") + ".e30.c2ln", msgMalformed},
		{"a header without alg is malformed", encodeSegment(t, map[string]string{"kid": keys.rsa.kid}) + ".e30.c2ln", msgMalformed},
		{"a kid that is not a string is malformed", encodeSegment(t, map[string]any{"alg": "RS256", "kid": 7}) + ".e30.c2ln", msgMalformed},
		{"a scope that is not a string is refused", keys.rsa.sign(t, userClaims().with("scope", 12)), msgClaims},
		{"an scp list holding a number is refused", keys.rsa.sign(t, userClaims().with("scp", []any{"identity:read_outputs", 3})), msgClaims},
		{"a signed payload that is not a JSON object is refused", signPayload(t, keys.rsa, `["user_42"]`), msgClaims},
		{"an exp that is not a date is refused", signPayload(t, keys.rsa, `{"sub":"user_42","exp":"soon"}`), msgClaims},
		{"a signed payload that is itself a token is refused", signPayload(t, keys.rsa, unsignedToken(t, userClaims())), msgClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := a.Authenticate(t.Context(), tt.token)
			if err == nil {
				t.Fatalf("accepted as %+v", p)
			}
			if got := refusal(t, err); got != tt.want {
				t.Errorf("refusal = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestJWTAlgorithmsNotConfigured: what is not configured is not accepted.
func TestJWTAlgorithmsNotConfigured(t *testing.T) {
	keys := newTestKeys(t)
	idp := newTestIdP(t, keys.rsa, keys.ec, keys.ed, octKey(t, "oct-1"))
	jwksOnly := newTestAuthenticator(t, testConfig(idp.url()), newTestClock())
	secretOnly := newTestAuthenticator(t, Config{HS256Secret: testSecret, Issuer: "https://idp.test/", Audience: "idgraph"}, newTestClock())

	tests := []struct {
		name  string
		a     *Authenticator
		token string
		want  string
	}{
		{"without a secret, HS256 is refused", jwksOnly, signHS256(t, testSecret, userClaims()), msgAlgorithm},
		{"without a secret, HS256 signed with the RSA public key is refused", jwksOnly, rsaAsHMACSecret(t, keys.rsa), msgAlgorithm},
		{"a symmetric key in the JWKS never verifies HS256", jwksOnly, signToken(t, userClaims(), jwt.WithKey(jwa.HS256(), octKey(t, "oct-1").private)), msgAlgorithm},
		{"without a JWKS, RS256 is refused", secretOnly, keys.rsa.sign(t, userClaims()), msgAlgorithm},
		{"without a JWKS, EdDSA is refused", secretOnly, keys.ed.sign(t, userClaims()), msgAlgorithm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.a.Authenticate(t.Context(), tt.token)
			if got := refusal(t, err); got != tt.want {
				t.Errorf("refusal = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestJWTClockSkew(t *testing.T) {
	tests := []struct {
		name string
		skew time.Duration
		c    claims
		want string // "" accepted
	}{
		{"a token expired 10s ago passes with 30s of skew", 30 * time.Second, userClaims().with("exp", testNow.Add(-10*time.Second)), ""},
		{"a token expired 10s ago fails with no skew", 0, userClaims().with("exp", testNow.Add(-10*time.Second)), msgExpired},
		{"a token expired 40s ago fails with 30s of skew", 30 * time.Second, userClaims().with("exp", testNow.Add(-40*time.Second)), msgExpired},
		{"a token valid in 10s passes with 30s of skew", 30 * time.Second, userClaims().with("nbf", testNow.Add(10*time.Second)), ""},
		{"a token valid in 10s fails with no skew", 0, userClaims().with("nbf", testNow.Add(10*time.Second)), msgNotYetValid},
		{"a token issued 10s ahead passes with 30s of skew", 30 * time.Second, userClaims().with("iat", testNow.Add(10*time.Second)), ""},
		{"a token issued 10s ahead fails with no skew", 0, userClaims().with("iat", testNow.Add(10*time.Second)), msgIssuedInFuture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAuthenticator(t, Config{HS256Secret: testSecret, ClockSkew: tt.skew}, newTestClock())
			_, err := a.Authenticate(t.Context(), signHS256(t, testSecret, tt.c))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "":
				if got := refusal(t, err); got != tt.want {
					t.Errorf("refusal = %q, want %q", got, tt.want)
				}
			}
		})
	}
}

// rsaAsHMACSecret is the classic confusion attack: an HS256 token whose
// secret is the RSA public key, as PEM, with the RSA key's kid.
func rsaAsHMACSecret(t *testing.T, k signingKey) string {
	t.Helper()
	var pub any
	if err := jwk.Export(k.public, &pub); err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.KeyIDKey, k.kid); err != nil {
		t.Fatal(err)
	}
	return signToken(t, userClaims(), jwt.WithKey(jwa.HS256(), secret, jws.WithProtectedHeaders(hdr)))
}

// signPayload signs an arbitrary payload with k, as a compact JWS.
func signPayload(t *testing.T, k signingKey, payload string) string {
	t.Helper()
	signed, err := jws.Sign([]byte(payload), jws.WithKey(k.alg, k.private))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// octKey is a symmetric JWK, as a careless JWKS might publish.
func octKey(t *testing.T, kid string) signingKey {
	t.Helper()
	k, err := jwk.Import(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	return signingKey{alg: jwa.HS256(), kid: kid, private: k, public: k}
}
