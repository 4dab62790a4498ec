package emulator

import (
	"context"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
)

func TestProcessingDelayZeroMeansNoDelay(t *testing.T) {
	clock := NewManualClock(epoch)
	e, err := New(context.Background(), Options{PublicURL: "http://emu.test", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	sc := inProcessClient(e)
	vs, err := sc.V1IdentityVerificationSessions.Create(context.Background(), &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Submit(context.Background(), tokenOf(t, vs.URL), outcomePass()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(0) // runs what is due now, and no later
	got, err := sc.V1IdentityVerificationSessions.Retrieve(context.Background(), vs.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "verified" {
		t.Fatalf("status %q with ProcessingDelay 0, want verified at once", got.Status)
	}
	if _, err := New(context.Background(), Options{ProcessingDelay: -time.Second}); err == nil {
		t.Fatal("a negative ProcessingDelay is accepted")
	}
}
