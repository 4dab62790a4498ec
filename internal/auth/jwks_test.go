package auth

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
)

// TestJWKSRotation follows an identity provider that rotates its keys while
// idgraph runs, and a flood of tokens with made-up kids.
func TestJWKSRotation(t *testing.T) {
	old := newSigningKey(t, jwa.RS256(), "2031-old")
	idp := newTestIdP(t, old)
	clock := newTestClock()
	a := newTestAuthenticator(t, testConfig(idp.url()), clock)
	wantFetches := func(t *testing.T, n int32) {
		t.Helper()
		if got := idp.fetches.Load(); got != n {
			t.Fatalf("the JWKS was fetched %d times, want %d", got, n)
		}
	}
	accept := func(t *testing.T, token string) {
		t.Helper()
		if _, err := a.Authenticate(t.Context(), token); err != nil {
			t.Fatalf("refused: %v", err)
		}
	}
	refuse := func(t *testing.T, token, want string) {
		t.Helper()
		_, err := a.Authenticate(t.Context(), token)
		if got := refusal(t, err); got != want {
			t.Fatalf("refusal = %q, want %q", got, want)
		}
	}

	t.Run("New fetches the JWKS once and a token of its key needs no other fetch", func(t *testing.T) {
		accept(t, old.sign(t, userClaims()))
		wantFetches(t, 1)
	})

	rotated := newSigningKey(t, jwa.ES256(), "2031-new")
	idp.publish(t, rotated)
	t.Run("a token of a key rotated in is accepted after one refetch", func(t *testing.T) {
		accept(t, rotated.sign(t, userClaims()))
		wantFetches(t, 2)
	})
	t.Run("a token of the key rotated out is refused without another fetch", func(t *testing.T) {
		refuse(t, old.sign(t, userClaims()), msgUnknownKey)
		wantFetches(t, 2)
	})

	t.Run("a flood of unknown kids fetches nothing within the interval", func(t *testing.T) {
		tokens := make([]string, 100)
		for i := range tokens {
			tokens[i] = newSigningKey(t, jwa.EdDSA(), fmt.Sprintf("made-up-%d", i)).sign(t, userClaims())
		}
		var wg sync.WaitGroup
		errs := make([]error, len(tokens))
		for i, tok := range tokens {
			wg.Go(func() { _, errs[i] = a.Authenticate(t.Context(), tok) })
		}
		wg.Wait()
		for _, err := range errs {
			if got := refusal(t, err); got != msgUnknownKey {
				t.Fatalf("refusal = %q, want %q", got, msgUnknownKey)
			}
		}
		wantFetches(t, 2)
	})

	t.Run("after the interval an unknown kid fetches once more", func(t *testing.T) {
		clock.Advance(31 * time.Second)
		stranger := newSigningKey(t, jwa.EdDSA(), "made-up-again").sign(t, userClaims())
		refuse(t, stranger, msgUnknownKey)
		refuse(t, stranger, msgUnknownKey)
		wantFetches(t, 3)
	})

	next := newSigningKey(t, jwa.EdDSA(), "2031-next")
	idp.publish(t, rotated, next)
	t.Run("a key rotated in within the interval waits for its end", func(t *testing.T) {
		token := next.sign(t, userClaims())
		refuse(t, token, msgUnknownKey)
		wantFetches(t, 3)
		clock.Advance(30 * time.Second)
		accept(t, token)
		accept(t, rotated.sign(t, userClaims()))
		wantFetches(t, 4)
	})
}

func TestJWKSUnavailableAtStart(t *testing.T) {
	key := newSigningKey(t, jwa.RS256(), "k")
	idp := newTestIdP(t, key)
	idp.setStatus(http.StatusServiceUnavailable)
	clock := newTestClock()
	var logs syncBuffer
	cfg := testConfig(idp.url())
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	a := newTestAuthenticator(t, cfg, clock)
	token := key.sign(t, userClaims())

	t.Run("New succeeds and warns", func(t *testing.T) {
		if !strings.Contains(logs.String(), "JWKS unavailable at start") {
			t.Errorf("no warning in the log:\n%s", logs.String())
		}
	})
	t.Run("tokens are refused while the keys are unavailable", func(t *testing.T) {
		_, err := a.Authenticate(t.Context(), token)
		if got := refusal(t, err); got != msgKeysUnavailable {
			t.Errorf("refusal = %q, want %q", got, msgKeysUnavailable)
		}
	})
	t.Run("not ready, saying why, while the keys are unavailable", func(t *testing.T) {
		if ok, reason := a.Ready(); ok || !strings.Contains(reason, "JWKS") {
			t.Errorf("Ready() = %v, %q", ok, reason)
		}
	})
	t.Run("once the JWKS is back, tokens are accepted after the interval", func(t *testing.T) {
		idp.setStatus(http.StatusOK)
		clock.Advance(30 * time.Second)
		if _, err := a.Authenticate(t.Context(), token); err != nil {
			t.Fatalf("refused: %v", err)
		}
		if ok, reason := a.Ready(); !ok {
			t.Errorf("not ready once loaded: %s", reason)
		}
	})
	t.Run("the JWKS was fetched once at start and once per interval since", func(t *testing.T) {
		if got := idp.fetches.Load(); got != 3 {
			t.Errorf("fetches = %d, want 3", got)
		}
	})
}

func TestJWKSWithKeysNotUnderstood(t *testing.T) {
	key := newSigningKey(t, jwa.ES256(), "good")
	idp := newTestIdP(t)
	idp.publishExtra(t, []string{
		`{"kty":"PQC","kid":"future"}`,
		`{"kty":"EC","crv":"P-256","kid":"broken","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"}`,
		`{"kty":"OKP","crv":"X25519","use":"enc","kid":"enc","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}`,
	}, key)
	a := newTestAuthenticator(t, testConfig(idp.url()), newTestClock())
	if _, err := a.Authenticate(t.Context(), key.sign(t, userClaims())); err != nil {
		t.Errorf("a JWKS with keys not understood lost its good key: %v", err)
	}
}

func TestJWKSUnreachable(t *testing.T) {
	idp := newTestIdP(t)
	url := idp.url()
	idp.srv.Close() // nothing listens there any more
	a := newTestAuthenticator(t, testConfig(url), newTestClock())
	_, err := a.Authenticate(t.Context(), newSigningKey(t, jwa.EdDSA(), "k").sign(t, userClaims()))
	if got := refusal(t, err); got != msgKeysUnavailable {
		t.Errorf("refusal = %q, want %q", got, msgKeysUnavailable)
	}
}

// syncBuffer is a log the cache's goroutines and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
