package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	stripewebhook "github.com/stripe/stripe-go/v85/webhook"

	"github.com/idgraph/idgraph/internal/events"
)

const secret = "whsec_test_secret"

// marker is in every event's data.object: no log line may repeat it.
const marker = "user_marker_42"

// payload is a Stripe event as Stripe sends it.
func payload(id, typ, object string, extra ...string) []byte {
	account := ""
	apiVersion := "2026-03-25.dahlia"
	for _, x := range extra {
		switch {
		case strings.HasPrefix(x, "acct_"):
			account = fmt.Sprintf(`"account": %q,`, x)
		default:
			apiVersion = x
		}
	}
	return fmt.Appendf(nil, `{
  "id": %q,
  "object": "event",
  %s
  "api_version": %q,
  "created": 1790000000,
  "data": {"object": %s},
  "livemode": false,
  "pending_webhooks": 1,
  "request": {"id": "req_1", "idempotency_key": null},
  "type": %q
}`, id, account, apiVersion, object, typ)
}

// session is a VerificationSession object.
func session(id string) string {
	return fmt.Sprintf(`{"id": %q, "object": "identity.verification_session", "client_reference_id": %q,
  "status": "verified", "type": "document", "metadata": {}, "last_error": null, "url": null}`, id, marker)
}

// signed is the Stripe-Signature header of body by key at ts (now when
// zero), from stripe-go's own test helper.
func signed(body []byte, key string, ts time.Time) string {
	return stripewebhook.GenerateTestSignedPayload(&stripewebhook.UnsignedPayload{Payload: body, Secret: key, Timestamp: ts}).Header
}

type request struct {
	body   []byte
	header string // Stripe-Signature; "" sends none
	method string // POST unless set
	chunk  bool   // no Content-Length
}

func post(body []byte) request { return request{body: body, header: signed(body, secret, time.Time{})} }

// fixture is a handler on its own hub, with a subscriber to every event and
// a log the test reads.
type fixture struct {
	hub     *events.Hub
	sub     *events.Subscription
	handler http.Handler
	log     *bytes.Buffer
	mu      *sync.Mutex
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	hub, err := events.New(t.Context(), events.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Close() })
	sub, err := hub.Subscribe(t.Context(), events.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{hub: hub, sub: sub, log: new(bytes.Buffer), mu: new(sync.Mutex)}
	opts.Logger = slog.New(slog.NewTextHandler(lockedWriter{f.mu, f.log}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.handler = NewHandler(secret, hub, opts)
	return f
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (f *fixture) logged() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.log.String()
}

// do sends req and returns the status and body of the answer.
func (f *fixture) do(t *testing.T, req request) (int, string) {
	t.Helper()
	method := req.method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader = bytes.NewReader(req.body)
	if req.chunk {
		body = io.MultiReader(body) // hides the length
	}
	r := httptest.NewRequestWithContext(t.Context(), method, Path, body)
	if req.chunk {
		r.ContentLength = -1
	}
	if req.header != "" {
		r.Header.Set("Stripe-Signature", req.header)
	}
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// published is what the subscriber received so far: the hub delivers before
// Publish returns.
func (f *fixture) published() []events.Event {
	var out []events.Event
	for {
		select {
		case e := <-f.sub.C():
			out = append(out, e)
		default:
			return out
		}
	}
}

func TestWebhooks(t *testing.T) {
	verified := payload("evt_1", "identity.verification_session.verified", session("vs_1"))
	oldHeader := signed(verified, secret, time.Now().Add(-stripewebhook.DefaultTolerance-time.Minute))
	big := payload("evt_big", "identity.verification_session.verified",
		strings.Replace(session("vs_1"), `"metadata": {}`, `"metadata": {"pad": "`+strings.Repeat("x", DefaultMaxBodyBytes)+`"}`, 1))
	tests := []struct {
		name     string
		requests []request
		status   int    // of the last request
		answer   string // in the last answer
		want     []string
	}{
		{"a signed session event is published", []request{post(verified)}, 200, "ok", []string{"evt_1"}},
		{"every session event type is published", []request{
			post(payload("evt_c", "identity.verification_session.created", session("vs_1"))),
			post(payload("evt_r", "identity.verification_session.redacted", session("vs_1"))),
		}, 200, "ok", []string{"evt_c", "evt_r"}},
		{"an event of another API version is published", []request{
			post(payload("evt_old", "identity.verification_session.canceled", session("vs_1"), "2020-08-27")),
			post(payload("evt_train", "identity.verification_session.canceled", session("vs_1"), "2025-09-30.clover")),
		}, 200, "ok", []string{"evt_old", "evt_train"}},
		{"a tampered body is refused", []request{{body: bytes.Replace(verified, []byte("vs_1"), []byte("vs_2"), 1), header: signed(verified, secret, time.Time{})}},
			400, "no valid signature", nil},
		{"another secret's signature is refused", []request{{body: verified, header: signed(verified, "whsec_other", time.Time{})}},
			400, "no valid signature", nil},
		{"an old signature is refused", []request{{body: verified, header: oldHeader}}, 400, "outside the tolerance", nil},
		{"a request without a signature is refused", []request{{body: verified}}, 400, "no Stripe-Signature header", nil},
		{"a malformed signature header is refused", []request{{body: verified, header: "t=yesterday,v1=00"}}, 400, "malformed", nil},
		{"a v0 signature alone is refused", []request{{body: verified, header: strings.Replace(signed(verified, secret, time.Time{}), "v1=", "v0=", 1)}},
			400, "no valid signature", nil},
		{"a signed body that is not an event is refused", []request{post([]byte(`{"object": "list"}`))}, 400, "not a Stripe snapshot event", nil},
		{"a replayed event is answered and published once", []request{post(verified), post(verified), {body: verified, header: signed(verified, secret, time.Now().Add(-time.Minute))}},
			200, "delivered already", []string{"evt_1"}},
		{"another event type is acknowledged and ignored", []request{post(payload("evt_ch", "charge.succeeded", `{"id": "ch_1", "object": "charge"}`))},
			200, "ignored: not a VerificationSession event", nil},
		{"a report event is acknowledged and ignored", []request{post(payload("evt_rep", "identity.verification_report.created", `{"id": "vr_1", "object": "identity.verification_report"}`))},
			200, "ignored", nil},
		{"a connected account's event is acknowledged and ignored", []request{post(payload("evt_acct", "identity.verification_session.verified", session("vs_1"), "acct_123"))},
			200, "connected account", nil},
		{"a session event without a session is acknowledged and ignored", []request{post(payload("evt_odd", "identity.verification_session.verified", `{"id": "ch_1", "object": "charge"}`))},
			200, "no VerificationSession", nil},
		{"an oversize body is refused", []request{post(big)}, 413, "larger than the limit", nil},
		{"an oversize body of unknown length is refused", []request{{body: big, header: signed(big, secret, time.Time{}), chunk: true}}, 413, "larger than the limit", nil},
		{"GET is refused", []request{{method: http.MethodGet}}, 405, "POST only", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			var status int
			var answer string
			for _, req := range tt.requests {
				status, answer = f.do(t, req)
			}
			if status != tt.status || !strings.Contains(answer, tt.answer) {
				t.Errorf("answer %d %q, want %d with %q", status, answer, tt.status, tt.answer)
			}
			var got []string
			for _, e := range f.published() {
				got = append(got, e.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("published %v, want %v", got, tt.want)
			}
			log := f.logged()
			if tt.status >= 400 && tt.status != 405 && !strings.Contains(log, "reason=") {
				t.Errorf("the refusal is not logged with its reason:\n%s", log)
			}
			// Never the body, the signature or the secret.
			never := []string{marker, secret, "v1=", "xxxx"}
			for _, req := range tt.requests {
				if req.header != "" {
					never = append(never, req.header)
				}
			}
			for _, s := range never {
				if strings.Contains(log, s) {
					t.Errorf("the log holds %q:\n%s", s, log)
				}
			}
		})
	}
}

// The event published carries what subscribers filter by.
func TestAPublishedEventCarriesTheSession(t *testing.T) {
	f := newFixture(t, Options{})
	f.do(t, post(payload("evt_1", "identity.verification_session.requires_input", session("vs_42"))))
	got := f.published()
	want := events.Event{ID: "evt_1", Type: "identity.verification_session.requires_input", Created: time.Unix(1_790_000_000, 0),
		SessionID: "vs_42", ClientReferenceID: marker}
	if len(got) != 1 || got[0] != want {
		t.Errorf("published %+v, want %+v", got, want)
	}
}

// A session without a client_reference_id is published with none.
func TestASessionWithoutAReference(t *testing.T) {
	f := newFixture(t, Options{})
	obj := `{"id": "vs_1", "object": "identity.verification_session", "client_reference_id": null}`
	f.do(t, post(payload("evt_1", "identity.verification_session.created", obj)))
	if got := f.published(); len(got) != 1 || got[0].ClientReferenceID != "" {
		t.Errorf("published %+v, want one event without a reference", got)
	}
}

// Publishing never waits for subscribers: a subscriber that never reads
// does not hold webhooks up.
func TestASlowSubscriberDoesNotHoldWebhooks(t *testing.T) {
	f := newFixture(t, Options{})
	for i := range 500 {
		body := payload(fmt.Sprint("evt_", i), "identity.verification_session.processing", session("vs_1"))
		if status, _ := f.do(t, post(body)); status != 200 {
			t.Fatalf("webhook %d answered %d", i, status)
		}
	}
	if n := f.sub.Dropped(); n != 500-events.DefaultBuffer {
		t.Errorf("the subscriber dropped %d, want %d", n, 500-events.DefaultBuffer)
	}
}

// A hub that is closing answers 503: Stripe retries, another replica takes
// it.
func TestAClosingHubAsksStripeToRetry(t *testing.T) {
	f := newFixture(t, Options{})
	f.hub.Close()
	if status, _ := f.do(t, post(payload("evt_1", "identity.verification_session.verified", session("vs_1")))); status != 503 {
		t.Errorf("status %d, want 503", status)
	}
}

func TestOptionsBoundTheBody(t *testing.T) {
	f := newFixture(t, Options{MaxBodyBytes: 100})
	if status, _ := f.do(t, post(payload("evt_1", "identity.verification_session.verified", session("vs_1")))); status != 413 {
		t.Errorf("status %d, want 413", status)
	}
}

// Through a real server, as Stripe reaches it.
func TestOverHTTP(t *testing.T) {
	f := newFixture(t, Options{})
	srv := httptest.NewServer(f.handler)
	defer srv.Close()
	body := payload("evt_1", "identity.verification_session.verified", session("vs_1"))
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Stripe-Signature", signed(body, secret, time.Time{}))
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := f.published(); len(got) != 1 {
		t.Errorf("published %v", got)
	}
}
