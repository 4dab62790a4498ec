package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/emulator"
	"github.com/idgraph/idgraph/internal/redistest"
)

const emulatorWebhookSecret = "whsec_shared_by_the_two_idgraphs"

// startOnStripe serves idgraph in Stripe mode, configured by vars, at srv,
// which is not started yet so that its URL could be given to its peers
// first. It returns the app and the API key that authenticates a server.
func startOnStripe(t *testing.T, srv *httptest.Server, vars map[string]string) (*app, string) {
	t.Helper()
	key, hash, err := auth.NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, mergeVars(map[string]string{"STRIPE_SECRET_KEY": "sk_test_123", "IDGRAPH_API_KEY_SHA256": hash,
		"IDGRAPH_PUBLIC_URL": "http://" + srv.Listener.Addr().String()}, vars))
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv.Config.Handler = a.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	return a, key
}

// createThrough creates a document session through idgraph at base and
// returns its ID and url.
func createThrough(t *testing.T, base, key string) (id, sessionURL string) {
	t.Helper()
	resp := postGraphQLAs(t, base, key, `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id url } } }`, nil)
	var out struct {
		CreateVerificationSession struct{ VerificationSession struct{ ID, URL string } }
	}
	if err := json.Unmarshal(resp.Data, &out); err != nil || out.CreateVerificationSession.VerificationSession.URL == "" {
		t.Fatalf("create: %s %s", resp.Data, resp.Errors)
	}
	return out.CreateVerificationSession.VerificationSession.ID, out.CreateVerificationSession.VerificationSession.URL
}

// submitPass passes the session on its hosted page, without moving the
// clock: the session is then processing.
func submitPass(t *testing.T, sessionURL string) {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(sessionURL, map[string][]string{"action": {"pass"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusOK {
		t.Fatalf("hosted page submit: %d", res.StatusCode)
	}
}

// nextStatus reads verificationSessionUpdated's updates until the status
// differs from last: an event that changes nothing (the .created one
// arriving late) may repeat the current state.
func nextStatus(t *testing.T, c *wsClient, id, last string) string {
	t.Helper()
	for {
		if got := status(t, c.next(id)); got != last {
			return got
		}
	}
}

// The proof of both halves: idgraph #1 in Stripe mode, pointed at
// idgraph #2's emulator (STRIPE_API_BASE), receives #2's signed webhooks
// at /webhooks/stripe and pushes the session's changes to a subscriber.
func TestEmulatorWebhooksReachAnotherIdgraph(t *testing.T) {
	srv1 := httptest.NewUnstartedServer(nil)
	url1 := "http://" + srv1.Listener.Addr().String()
	two := startOnEmulator(t, map[string]string{"IDGRAPH_EMULATOR_PROCESSING_DELAY": "2s",
		"IDGRAPH_EMULATOR_WEBHOOK_URLS": url1 + "/webhooks/stripe", "IDGRAPH_EMULATOR_WEBHOOK_SECRET": emulatorWebhookSecret})
	one, key := startOnStripe(t, srv1, map[string]string{"STRIPE_API_BASE": two.url, "STRIPE_WEBHOOK_SECRET": emulatorWebhookSecret})

	id, sessionURL := createThrough(t, url1, key)
	if !strings.HasPrefix(sessionURL, two.url+"/verify/") {
		t.Fatalf("the session's url %s is not #2's hosted page", sessionURL)
	}
	c := connectWS(t, url1, bearer(key))
	c.subscribe("1", updatedQuery, map[string]any{"id": id})
	if got := status(t, c.next("1")); got != "REQUIRES_INPUT" {
		t.Fatalf("first update: %s", got)
	}
	waitFor(t, "the subscription in #1's hub", func() bool { return one.hub.Stats().Subscriptions == 1 })

	submitPass(t, sessionURL)
	if got := nextStatus(t, c, "1", "REQUIRES_INPUT"); got != "PROCESSING" {
		t.Fatalf("after the submission on #2's page: %s, want PROCESSING", got)
	}
	two.clock.Advance(2 * time.Second)
	if got := nextStatus(t, c, "1", "PROCESSING"); got != "VERIFIED" {
		t.Fatalf("after #2's processing: %s, want VERIFIED", got)
	}
}

// capture is a webhook endpoint that keeps what it is sent.
func capture(t *testing.T) (*httptest.Server, chan webhookRequest) {
	t.Helper()
	got := make(chan webhookRequest, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- webhookRequest{body: body, signature: r.Header.Get("Stripe-Signature")}
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

type webhookRequest struct {
	body      []byte
	signature string
}

// The emulator's deliveries pass stripe-go's strict webhook.ConstructEvent
// with the secret idgraph printed at start-up (it made one, as `stripe
// listen` does); idgraph in Stripe mode takes them at /webhooks/stripe,
// and refuses them altered or under another secret.
func TestEmulatorWebhooksVerify(t *testing.T) {
	endpoint, got := capture(t)
	var log syncBuffer
	emu := startLogging(t, map[string]string{"IDGRAPH_EMULATOR_WEBHOOK_URLS": endpoint.URL}, slog.New(slog.NewTextHandler(&log, nil)))
	secret := regexp.MustCompile(`secret=(whsec_[0-9a-f]{64})`).FindStringSubmatch(log.String())
	if secret == nil {
		t.Fatalf("no signing secret in the start-up log:\n%s", log.String())
	}
	emu.create(t, map[string]any{"type": "DOCUMENT", "clientReferenceId": "user_42"})
	var d webhookRequest
	select {
	case d = <-got:
	case <-time.After(subWait):
		t.Fatal("no webhook")
	}
	ev, err := webhook.ConstructEvent(d.body, d.signature, secret[1])
	if err != nil {
		t.Fatalf("stripe-go's webhook.ConstructEvent refuses the delivery: %v", err)
	}
	if ev.Type != "identity.verification_session.created" {
		t.Errorf("event type %s", ev.Type)
	}

	send := func(base string, body []byte) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Stripe-Signature", d.signature)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	right := httptest.NewUnstartedServer(nil)
	startOnStripe(t, right, map[string]string{"STRIPE_API_BASE": emu.url, "STRIPE_WEBHOOK_SECRET": secret[1]})
	wrong := httptest.NewUnstartedServer(nil)
	startOnStripe(t, wrong, map[string]string{"STRIPE_API_BASE": emu.url, "STRIPE_WEBHOOK_SECRET": "whsec_another_endpoints_secret"})
	tampered := bytes.Replace(d.body, []byte("user_42"), []byte("user_43"), 1)
	if bytes.Equal(tampered, d.body) {
		t.Fatal("nothing to tamper with")
	}
	if status := send(right.URL, tampered); status != http.StatusBadRequest {
		t.Errorf("a tampered delivery: %d, want 400", status)
	}
	if status := send(wrong.URL, d.body); status != http.StatusBadRequest {
		t.Errorf("under another secret: %d, want 400", status)
	}
	if status := send(right.URL, d.body); status != http.StatusOK {
		t.Errorf("the delivery as sent: %d, want 200", status)
	}
}

// Two replicas in Stripe mode share one real Redis: a webhook delivered to
// replica A (signed, by the emulator standing in for Stripe) reaches a
// subscriber on replica B.
func TestWebhookOnOneReplicaUpdatesASubscriberOnAnother(t *testing.T) {
	redis := redistest.Start(t)
	srvA, srvB := httptest.NewUnstartedServer(nil), httptest.NewUnstartedServer(nil)
	urlA := "http://" + srvA.Listener.Addr().String()

	clock := emulator.NewManualClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	stripeSrv := httptest.NewUnstartedServer(nil)
	stripeBase := "http://" + stripeSrv.Listener.Addr().String()
	em, err := emulator.New(context.Background(), emulator.Options{PublicURL: stripeBase, Clock: clock, ProcessingDelay: 2 * time.Second,
		WebhookURLs: []string{urlA + "/webhooks/stripe"}, WebhookSecret: emulatorWebhookSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { em.Close() })
	stripeSrv.Config.Handler = em.Handler()
	stripeSrv.Start()
	t.Cleanup(stripeSrv.Close)

	vars := map[string]string{"STRIPE_API_BASE": stripeBase, "STRIPE_WEBHOOK_SECRET": emulatorWebhookSecret, "IDGRAPH_REDIS_URL": redis.URL()}
	startOnStripe(t, srvA, vars)
	b, keyB := startOnStripe(t, srvB, vars)

	id, sessionURL := createThrough(t, srvB.URL, keyB)
	c := connectWS(t, srvB.URL, bearer(keyB))
	c.subscribe("1", updatedQuery, map[string]any{"id": id})
	if got := status(t, c.next("1")); got != "REQUIRES_INPUT" {
		t.Fatalf("first update: %s", got)
	}
	waitFor(t, "the subscription in B's hub", func() bool { return b.hub.Stats().Subscriptions == 1 })
	submitPass(t, sessionURL)
	if got := nextStatus(t, c, "1", "REQUIRES_INPUT"); got != "PROCESSING" {
		t.Fatalf("on B after the webhook to A: %s, want PROCESSING", got)
	}
	clock.Advance(2 * time.Second)
	if got := nextStatus(t, c, "1", "PROCESSING"); got != "VERIFIED" {
		t.Fatalf("on B after the webhook to A: %s, want VERIFIED", got)
	}
}
