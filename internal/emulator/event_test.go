package emulator

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// TestOnEventAfterCommit: each recorded event reaches Options.OnEvent once
// its transaction has committed, so a listener that retrieves the session
// sees the transition; in order, with the IDs GET /v1/events lists.
func TestOnEventAfterCommit(t *testing.T) {
	clock := NewManualClock(epoch)
	var (
		mu   sync.Mutex
		got  []Event
		seen []string // the session's status as OnEvent's listener reads it
		e    *Emulator
	)
	e, err := New(context.Background(), Options{PublicURL: "http://emu.test", ProcessingDelay: testDelay, Clock: clock,
		OnEvent: func(ev Event) {
			vs, err := inProcessClient(e).V1IdentityVerificationSessions.Retrieve(context.Background(), ev.SessionID, nil)
			mu.Lock()
			defer mu.Unlock()
			got = append(got, ev)
			if err != nil {
				seen = append(seen, "error: "+err.Error())
				return
			}
			seen = append(seen, string(vs.Status))
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() { srv.Close(); e.Close() })
	h := &harness{e: e, clock: clock, srv: srv, sc: newStripeClient(srv.URL, nil)}

	vs := h.create(t, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
		ClientReferenceID: stripe.String("user_42")})
	h.submit(t, vs, "")
	clock.Advance(testDelay)
	e.jobs.Wait()

	mu.Lock()
	defer mu.Unlock()
	wantTypes := []string{eventCreated, eventProcessing, eventVerified}
	wantStatus := []string{"requires_input", "processing", "verified"}
	if len(got) != len(wantTypes) {
		t.Fatalf("OnEvent got %d events %+v, want %d", len(got), got, len(wantTypes))
	}
	list := h.sc.V1Events.List(context.Background(), &stripe.EventListParams{})
	var listed []string
	for ev, err := range list.All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append([]string{ev.ID}, listed...) // newest first
	}
	for i, ev := range got {
		if ev.Type != wantTypes[i] || ev.SessionID != vs.ID || ev.ClientReferenceID != "user_42" || ev.Created != epoch.Unix() && i < 2 {
			t.Errorf("event %d = %+v, want type %s for %s (user_42)", i, ev, wantTypes[i], vs.ID)
		}
		if seen[i] != wantStatus[i] {
			t.Errorf("event %d (%s): the listener read status %q, want %q", i, ev.Type, seen[i], wantStatus[i])
		}
		if i < len(listed) && listed[i] != ev.ID {
			t.Errorf("event %d has ID %s, GET /v1/events lists %s", i, ev.ID, listed[i])
		}
	}
}
