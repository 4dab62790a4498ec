package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/idgraph/idgraph/internal/emulator/form"
	"github.com/stripe/stripe-go/v85"
)

// Stripe's idempotency layer "compares incoming parameters to those of the
// original request and errors if they're not the same"
// (https://docs.stripe.com/api/idempotent_requests): parameters, not the
// bytes that encode them.
func TestIdempotencyComparesParametersNotBytes(t *testing.T) {
	first := "type=document&client_reference_id=u1&metadata[a]=1&metadata[b]=2&expand[]=provided_details&provided_details[email]=j%40example.com"
	tests := []struct {
		name   string
		again  string
		replay bool
	}{
		{"the same bytes replay", first, true},
		{"the same parameters in another order replay",
			"metadata[b]=2&provided_details[email]=j%40example.com&expand[]=provided_details&metadata[a]=1&client_reference_id=u1&type=document", true},
		{"an array written with indexes is the same array",
			"type=document&client_reference_id=u1&metadata[a]=1&metadata[b]=2&expand[0]=provided_details&provided_details[email]=j%40example.com", true},
		{"another value is another request",
			"type=document&client_reference_id=u2&metadata[a]=1&metadata[b]=2&expand[]=provided_details&provided_details[email]=j%40example.com", false},
		{"a parameter more is another request", first + "&metadata[c]=3", false},
		{"a parameter less is another request", "type=document", false},
		{"other, invalid, parameters are still an idempotency error", "type=selfie", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			orig := doJSON(t, h.formPost(t, "k", first), http.StatusOK)
			if !tt.replay {
				body := doJSON(t, h.formPost(t, "k", tt.again), http.StatusBadRequest)
				if e := body["error"].(map[string]any); e["type"] != "idempotency_error" {
					t.Fatalf("got %v, want Stripe's idempotency_error", e)
				}
				return
			}
			resp, err := http.DefaultClient.Do(h.formPost(t, "k", tt.again))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("status %d, Idempotent-Replayed %q; want the first answer replayed", resp.StatusCode, resp.Header.Get("Idempotent-Replayed"))
			}
			if n := countRows(t, h, "sessions"); n != 1 {
				t.Fatalf("%d sessions, want 1 (%v)", n, orig["id"])
			}
		})
	}
}

// The lookup that decides whether a request runs is made in the same write
// transaction as its record: a record that appears after the middleware's
// read-ahead (another request with the key that got there first) is found
// there, and the request is answered from it instead of running again.
func TestTheIdempotencyLookupIsInTheCreatesTransaction(t *testing.T) {
	h := newHarness(t)
	form := "type=document"
	first := doJSON(t, h.formPost(t, "k", form), http.StatusOK)

	// The endpoint itself, past the middleware, with the key in its context
	// as the middleware puts it there.
	req := h.formPost(t, "k", form)
	ic := &idemCtx{key: "k", fingerprint: fingerprint(req.WithContext(context.WithValue(req.Context(), keyKindKey{}, secretKey)), []byte(form))}
	ctx := context.WithValue(context.WithValue(req.Context(), keyKindKey{}, secretKey), idemCtxKey{}, ic)
	rec := httptest.NewRecorder()
	h.e.handleCreateSession(rec, req.WithContext(ctx))
	if rec.Code != http.StatusOK || rec.Header().Get("Idempotent-Replayed") != "true" || !strings.Contains(rec.Body.String(), first["id"].(string)) {
		t.Fatalf("got %d %s, want the first answer replayed", rec.Code, rec.Body)
	}
	if n := countRows(t, h, "sessions"); n != 1 {
		t.Fatalf("%d sessions: the create ran twice under one key", n)
	}
}

func TestAnOversizedBodyWithAnIdempotencyKeyIsRefused(t *testing.T) {
	h := newHarness(t)
	// Valid up to the limit, so that a truncated copy would parse.
	big := "type=document&metadata[a]=" + strings.Repeat("x", form.MaxBodyBytes)
	body := doJSON(t, h.formPost(t, "big", big), http.StatusRequestEntityTooLarge)
	if e := body["error"].(map[string]any); e["type"] != "invalid_request_error" {
		t.Fatalf("got %v", e)
	}
	// Without a key, the same answer.
	doJSON(t, h.formPost(t, "", big), http.StatusRequestEntityTooLarge)
	// Nothing was recorded: the key still works.
	doJSON(t, h.formPost(t, "big", "type=document"), http.StatusOK)
}

func countRows(t *testing.T, h *harness, table string) int {
	t.Helper()
	var n int
	if err := h.e.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIdempotencyOnTheWire(t *testing.T) {
	h := newHarness(t)
	form := url.Values{"type": {"document"}}.Encode()
	t.Run("a retry while the first request runs is a 409", func(t *testing.T) {
		h.e.mu.Lock()
		h.e.inflight["busy"] = true
		h.e.mu.Unlock()
		body := doJSON(t, h.formPost(t, "busy", form), http.StatusConflict)
		if e := body["error"].(map[string]any); e["type"] != "idempotency_error" || e["code"] != "idempotency_key_in_use" {
			t.Fatalf("got %v", e)
		}
	})
	t.Run("a request rejected for its parameters is not recorded", func(t *testing.T) {
		doJSON(t, h.formPost(t, "fix-me", "type=selfie"), http.StatusBadRequest)
		// The same key with corrected parameters runs instead of failing
		// with idempotency_error.
		body := doJSON(t, h.formPost(t, "fix-me", form), http.StatusOK)
		if body["object"] != "identity.verification_session" {
			t.Fatalf("got %v", body)
		}
	})
	t.Run("a replay says so and names the original request", func(t *testing.T) {
		first, _ := http.DefaultClient.Do(h.formPost(t, "k", form))
		first.Body.Close()
		again, _ := http.DefaultClient.Do(h.formPost(t, "k", form))
		again.Body.Close()
		if again.Header.Get("Idempotent-Replayed") != "true" || again.Header.Get("Original-Request") != first.Header.Get("Request-Id") {
			t.Fatalf("replay headers %v", again.Header)
		}
	})
}

// formPost builds an authenticated form POST that creates a session.
func (h *harness) formPost(t *testing.T, key, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", h.srv.URL+sessionsURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer sk_test_abc")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return req
}

func TestIdempotency(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
	p.SetIdempotencyKey("key-1")
	first, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.sc.V1IdentityVerificationSessions.Create(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.LastResponse.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay gave %s (replayed %q), want %s", again.ID, again.LastResponse.Header.Get("Idempotent-Replayed"), first.ID)
	}
	if string(again.LastResponse.RawJSON) != string(first.LastResponse.RawJSON) {
		t.Fatalf("replayed body differs")
	}
	other := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")}
	other.SetIdempotencyKey("key-1")
	_, err = h.sc.V1IdentityVerificationSessions.Create(ctx, other)
	stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeIdempotency, "", "")

	// A state error is replayed as such, even after the state has changed.
	cp := &stripe.IdentityVerificationSessionCancelParams{}
	cp.SetIdempotencyKey("key-2")
	h.submit(t, first, "")
	_, err = h.sc.V1IdentityVerificationSessions.Cancel(ctx, first.ID, cp)
	stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, "", "")
	h.clock.Advance(testDelay)
	_, err = h.sc.V1IdentityVerificationSessions.Cancel(ctx, first.ID, cp)
	se := stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, "", "")
	if !strings.Contains(se.Msg, "processing") {
		t.Fatalf("replayed message %q does not name the first status", se.Msg)
	}
}
