package emulator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
)

func TestPollingASessionKeepsItsTokensBounded(t *testing.T) {
	h := newHarness(t)
	s := h.create(t, nil)
	first := s.URL
	var last string
	for range maxLiveTokens + 50 {
		r, err := h.sc.V1IdentityVerificationSessions.Retrieve(context.Background(), s.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		last = r.URL
	}
	var n int
	if err := h.e.db.QueryRow(`SELECT count(*) FROM session_tokens WHERE session_id = ?`, s.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > maxLiveTokens {
		t.Errorf("%d tokens kept for one session, want at most %d", n, maxLiveTokens)
	}
	token := func(url string) string { return url[strings.LastIndex(url, "/")+1:] }
	if _, err := h.e.SessionByToken(context.Background(), token(last)); err != nil {
		t.Errorf("the newest url no longer works: %v", err)
	}
	if _, err := h.e.SessionByToken(context.Background(), token(first)); err == nil {
		t.Errorf("the url %d retrieves old still works", maxLiveTokens+50)
	}
}

func TestExpiredTokensArePruned(t *testing.T) {
	h := newHarness(t)
	s := h.create(t, nil)
	h.clock.Advance(tokenLifetime + time.Hour)
	if _, err := h.sc.V1IdentityVerificationSessions.Retrieve(context.Background(), s.ID, &stripe.IdentityVerificationSessionRetrieveParams{}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := h.e.db.QueryRow(`SELECT count(*) FROM session_tokens WHERE session_id = ?`, s.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d tokens after the first expired, want only the new one", n)
	}
}
