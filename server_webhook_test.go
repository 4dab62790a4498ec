package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/events"
)

// In Stripe mode, POST /webhooks/stripe takes Stripe's signed events, with
// no credential but the signature, into the live-updates hub; anything
// unsigned or tampered is refused.
func TestStripeWebhooksReachTheHub(t *testing.T) {
	const secret = "whsec_test_secret_for_idgraph"
	_, hash, err := auth.NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, map[string]string{"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_API_BASE": "http://127.0.0.1:1",
		"IDGRAPH_API_KEY_SHA256": hash, "STRIPE_WEBHOOK_SECRET": secret})
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := a.hub.Subscribe(ctx, events.Filter{SessionID: "vs_1abc"})
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(fmt.Sprintf(`{"id":"evt_1","object":"event","api_version":"2026-08-26.dahlia","created":%d,"type":"identity.verification_session.verified",
		"data":{"object":{"id":"vs_1abc","object":"identity.verification_session","client_reference_id":"user_42","status":"verified"}}}`, time.Now().Unix()))
	send := func(body []byte, header string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set("Stripe-Signature", header)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: time.Now()})
	if status := send(payload, ""); status != http.StatusBadRequest {
		t.Errorf("unsigned: %d", status)
	}
	tampered := bytes.Replace(payload, []byte("user_42"), []byte("user_43"), 1)
	if status := send(tampered, signed.Header); status != http.StatusBadRequest {
		t.Errorf("tampered: %d", status)
	}
	if status := send(payload, signed.Header); status != http.StatusOK {
		t.Fatalf("signed: %d", status)
	}
	select {
	case e := <-sub.C():
		if e.ID != "evt_1" || e.Type != "identity.verification_session.verified" || e.ClientReferenceID != "user_42" {
			t.Errorf("event %+v", e)
		}
	case <-ctx.Done():
		t.Fatal("the signed event never reached the hub")
	}
	select {
	case e := <-sub.C():
		t.Errorf("a refused request reached the hub: %+v", e)
	default:
	}
}
