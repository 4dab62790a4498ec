package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
)

func TestNewRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"a negative clock skew", Config{ClockSkew: -time.Second}},
		{"an HS256 secret under 32 bytes", Config{HS256Secret: []byte("short")}},
		{"a JWKS URL that is not absolute", Config{JWKSURL: "/jwks.json"}},
		{"a JWKS URL that is not http", Config{JWKSURL: "ftp://idp.test/jwks.json"}},
		{"a JWKS URL that does not parse", Config{JWKSURL: "https://idp.test/%zz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			a, err := New(t.Context(), tt.cfg)
			if err == nil {
				a.Close()
				t.Fatal("accepted")
			}
		})
	}
}

func TestAuthenticateWithoutCredential(t *testing.T) {
	t.Run("outside development no credential is refused", func(t *testing.T) {
		a := newTestAuthenticator(t, Config{HS256Secret: testSecret}, newTestClock())
		_, err := a.Authenticate(t.Context(), "")
		if got := refusal(t, err); got != msgMissing {
			t.Errorf("refusal = %q, want %q", got, msgMissing)
		}
	})
	t.Run("in development no credential is full access", func(t *testing.T) {
		a := newTestAuthenticator(t, Config{Development: true}, newTestClock())
		p, err := a.Authenticate(t.Context(), "")
		if err != nil || p.Kind != Development || !p.FullAccess() {
			t.Errorf("Authenticate = %+v, %v; want Development", p, err)
		}
	})
	t.Run("in development without a secret a token is still verified, and refused", func(t *testing.T) {
		a := newTestAuthenticator(t, Config{Development: true}, newTestClock())
		_, err := a.Authenticate(t.Context(), signHS256(t, testSecret, userClaims()))
		if got := refusal(t, err); got != msgAlgorithm {
			t.Errorf("refusal = %q, want %q", got, msgAlgorithm)
		}
	})
	t.Run("a credential over 8 KiB is refused unread", func(t *testing.T) {
		a := newTestAuthenticator(t, Config{Development: true}, newTestClock())
		_, err := a.Authenticate(t.Context(), APIKeyPrefix+strings.Repeat("a", maxCredentialLen))
		if got := refusal(t, err); got != msgTooLong {
			t.Errorf("refusal = %q, want %q", got, msgTooLong)
		}
	})
}

func TestClose(t *testing.T) {
	key := newSigningKey(t, jwa.EdDSA(), "k")
	idp := newTestIdP(t, key)
	a, err := newAuthenticator(t.Context(), testConfig(idp.url()), newTestClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	t.Run("closing twice is fine", func(t *testing.T) {
		if err := a.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
	t.Run("after Close the keys fetched still verify", func(t *testing.T) {
		if _, err := a.Authenticate(t.Context(), key.sign(t, userClaims())); err != nil {
			t.Errorf("refused: %v", err)
		}
	})
	t.Run("after Close an unknown kid is refused at once, not refetched", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		_, err := a.Authenticate(ctx, newSigningKey(t, jwa.EdDSA(), "other").sign(t, userClaims()))
		if got := refusal(t, err); got != msgUnknownKey {
			t.Errorf("refusal = %q, want %q", got, msgUnknownKey)
		}
		if idp.fetches.Load() != 1 {
			t.Errorf("fetches = %d, want 1", idp.fetches.Load())
		}
	})
	t.Run("an authenticator without JWKS closes", func(t *testing.T) {
		b, err := New(t.Context(), Config{HS256Secret: testSecret})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
}
