package emulator

import (
	"context"
	"net/http"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

func TestRoundTripperServesStripeGoWithoutASocket(t *testing.T) {
	e, err := New(context.Background(), Options{PublicURL: "http://emu.test", Clock: NewManualClock(epoch)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	sc := newStripeClient("http://in-process.invalid", &http.Client{Transport: e.RoundTripper()})
	vs, err := sc.V1IdentityVerificationSessions.Create(context.Background(), &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sc.V1IdentityVerificationSessions.Retrieve(context.Background(), "vs_missing", nil)
	stripeErr(t, err, 404, stripe.ErrorTypeInvalidRequest, "resource_missing", "session")
	if !sessionIDRe.MatchString(vs.ID) {
		t.Fatalf("id %q", vs.ID)
	}
}
