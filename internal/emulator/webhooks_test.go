package emulator

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"
)

const testWebhookSecret = "whsec_test_emulator_webhooks"

// receiver is a webhook endpoint that records what it is sent and answers
// with the status answer gives the n-th request (from 1).
type receiver struct {
	srv    *httptest.Server
	got    chan received
	answer func(n int) int
	mu     sync.Mutex
	n      int
}

type received struct {
	body   []byte
	header http.Header
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	t.Helper()
	r := &receiver{got: make(chan received, 100), answer: answer}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.n++
		n := r.n
		r.mu.Unlock()
		r.got <- received{body: body, header: req.Header.Clone()}
		w.WriteHeader(r.answer(n))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func always(status int) func(int) int { return func(int) int { return status } }

// next waits for the next delivery.
func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case d := <-r.got:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook arrived")
		return received{}
	}
}

// newWebhookHarness is newHarness with webhooks to urls.
func newWebhookHarness(t *testing.T, o Options) *harness {
	t.Helper()
	clock := NewManualClock(epoch)
	o.PublicURL, o.ProcessingDelay, o.Clock = "http://emu.test", testDelay, clock
	e, err := New(context.Background(), o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &harness{e: e, clock: clock, srv: srv, sc: newStripeClient(srv.URL, nil)}
}

// deliveryRow is a recorded delivery.
type deliveryRow struct {
	State      string
	Attempts   int
	LastStatus sql.NullInt64
	LastError  sql.NullString
	Next       sql.NullInt64 // unix ns
}

func (h *harness) delivery(t *testing.T, eventID, endpoint string) deliveryRow {
	t.Helper()
	var d deliveryRow
	err := h.e.db.QueryRow(`SELECT state, attempts, last_status, last_error, next_attempt FROM webhook_deliveries WHERE event_id = ? AND endpoint = ?`,
		eventID, endpoint).Scan(&d.State, &d.Attempts, &d.LastStatus, &d.LastError, &d.Next)
	if err != nil {
		t.Fatalf("delivery of %s to %s: %v", eventID, endpoint, err)
	}
	return d
}

// waitUntil polls cond, for what the worker does in its own goroutine.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-time.After(2 * time.Millisecond)
	}
}

// pendingWebhooks is the event's pending_webhooks as GET /v1/events/{id}
// says.
func (h *harness) pendingWebhooks(t *testing.T, id string) int64 {
	t.Helper()
	ev, err := h.sc.V1Events.Retrieve(context.Background(), id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ev.PendingWebhooks
}

// listedWith is the IDs of the events GET /v1/events lists with
// delivery_success=success.
func (h *harness) listedWith(t *testing.T, success bool) []string {
	t.Helper()
	l := h.sc.V1Events.List(context.Background(), &stripe.EventListParams{DeliverySuccess: stripe.Bool(success)})
	var ids []string
	for ev, err := range l.All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	return ids
}

// A delivery is what Stripe sends: the event as GET /v1/events/{id}
// renders it, POSTed with Stripe's headers and signed so that stripe-go's
// strict webhook.ConstructEvent (signature, tolerance, API version)
// accepts it; with another secret it is refused.
func TestWebhooksAreSignedAsStripeSigns(t *testing.T) {
	rcv := newReceiver(t, always(http.StatusOK))
	h := newWebhookHarness(t, Options{WebhookURLs: []string{rcv.srv.URL + "/hooks"}, WebhookSecret: testWebhookSecret})
	vs := h.create(t, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"), ClientReferenceID: stripe.String("user_42")})

	d := rcv.next(t)
	ev, err := webhook.ConstructEvent(d.body, d.header.Get("Stripe-Signature"), testWebhookSecret)
	if err != nil {
		t.Fatalf("stripe-go refuses the delivery: %v\n%s", err, d.body)
	}
	if ev.Type != "identity.verification_session.created" || ev.APIVersion != apiVersion || ev.Livemode || ev.PendingWebhooks != 1 {
		t.Errorf("event %s %s livemode %v pending %d", ev.Type, ev.APIVersion, ev.Livemode, ev.PendingWebhooks)
	}
	var obj stripe.IdentityVerificationSession
	if err := json.Unmarshal(ev.Data.Raw, &obj); err != nil || obj.ID != vs.ID || obj.ClientReferenceID != "user_42" || obj.ClientSecret != "" || obj.URL != "" {
		t.Errorf("data.object %s: %v", ev.Data.Raw, err)
	}
	for name, want := range map[string]string{"Content-Type": "application/json; charset=utf-8", "User-Agent": webhookUserAgent} {
		if got := d.header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if !regexp.MustCompile(`^t=\d+,v1=[0-9a-f]{64}$`).MatchString(d.header.Get("Stripe-Signature")) {
		t.Errorf("Stripe-Signature %q", d.header.Get("Stripe-Signature"))
	}
	if _, err := webhook.ConstructEvent(d.body, d.header.Get("Stripe-Signature"), "whsec_another"); err == nil {
		t.Error("another secret verified the delivery")
	}

	// Recorded as delivered, and no longer pending on the event.
	waitUntil(t, "the delivery recorded", func() bool { return h.delivery(t, ev.ID, rcv.srv.URL+"/hooks").State == deliverySucceeded })
	if got := h.delivery(t, ev.ID, rcv.srv.URL+"/hooks"); got.Attempts != 1 || got.LastStatus.Int64 != 200 || got.Next.Valid {
		t.Errorf("delivery %+v", got)
	}
	if n := h.pendingWebhooks(t, ev.ID); n != 0 {
		t.Errorf("pending_webhooks %d after the delivery", n)
	}
	// The body is GET /v1/events/{id}'s, but for pending_webhooks.
	res := doJSONAuth(t, h.srv.URL+"/v1/events/"+ev.ID)
	var sent map[string]any
	if err := json.Unmarshal(d.body, &sent); err != nil {
		t.Fatal(err)
	}
	sent["pending_webhooks"] = float64(0)
	if a, b := mustJSON(sent), mustJSON(res); string(a) != string(b) {
		t.Errorf("delivered %s\nGET answers %s", a, b)
	}
}

// doJSONAuth GETs url with the harness's key and decodes the answer.
func doJSONAuth(t *testing.T, url string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth("sk_test_emulator", "")
	return doJSON(t, req, http.StatusOK)
}

// Without WebhookSecret the emulator makes one, shaped as `stripe listen`
// prints them, keeps it in its database, and signs with it after a
// restart too.
func TestWebhookSecretIsGeneratedAndKept(t *testing.T) {
	rcv := newReceiver(t, always(http.StatusOK))
	path := filepath.Join(t.TempDir(), "w.db")
	var secrets []string
	for range 2 {
		e, err := New(context.Background(), Options{Path: path, Clock: NewManualClock(epoch), WebhookURLs: []string{rcv.srv.URL}})
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, e.WebhookSecret())
		if _, err := inProcessClient(e).V1IdentityVerificationSessions.Create(context.Background(),
			&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}); err != nil {
			t.Fatal(err)
		}
		d := rcv.next(t)
		if _, err := webhook.ConstructEvent(d.body, d.header.Get("Stripe-Signature"), e.WebhookSecret()); err != nil {
			t.Errorf("not signed with WebhookSecret: %v", err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if !regexp.MustCompile(`^whsec_[0-9a-f]{64}$`).MatchString(secrets[0]) || secrets[1] != secrets[0] {
		t.Errorf("secrets %q", secrets)
	}
}

// An endpoint that fails twice gets the event a third time: after 10 s,
// then after a minute more, by the emulator's clock; each attempt is
// recorded, and the event's pending_webhooks counts the delivery until it
// succeeds.
func TestWebhookRetriesWithBackoff(t *testing.T) {
	rcv := newReceiver(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	h := newWebhookHarness(t, Options{WebhookURLs: []string{rcv.srv.URL}, WebhookSecret: testWebhookSecret})
	h.create(t, nil)
	first := rcv.next(t)
	ev, err := webhook.ConstructEvent(first.body, first.header.Get("Stripe-Signature"), testWebhookSecret)
	if err != nil {
		t.Fatal(err)
	}
	row := func() deliveryRow { return h.delivery(t, ev.ID, rcv.srv.URL) }
	// retried waits for the attempt's record and the timer of the next.
	retried := func(attempts int, wait time.Duration) {
		t.Helper()
		waitUntil(t, "the retry scheduled", func() bool { return row().Attempts == attempts && h.clock.Pending() == 1 })
		got := row()
		if got.State != deliveryPending || got.LastStatus.Int64 != 500 || !strings.Contains(got.LastError.String, "500") ||
			got.Next.Int64 != h.clock.Now().Add(wait).UnixNano() {
			t.Fatalf("after attempt %d: %+v, want the next in %v", attempts, got, wait)
		}
		if n := h.pendingWebhooks(t, ev.ID); n != 1 {
			t.Errorf("pending_webhooks %d while retrying", n)
		}
		if ok, notYet := h.listedWith(t, true), h.listedWith(t, false); len(ok) != 0 || len(notYet) != 1 || notYet[0] != ev.ID {
			t.Errorf("while retrying, delivery_success=true lists %v and false %v", ok, notYet)
		}
		// Not a moment before its time.
		h.clock.Advance(wait - time.Second)
		if got := row(); got.Attempts != attempts || h.clock.Pending() != 1 {
			t.Fatalf("retried early: %+v", got)
		}
		h.clock.Advance(time.Second)
	}
	retried(1, 10*time.Second)
	second := rcv.next(t)
	retried(2, time.Minute)
	third := rcv.next(t)
	for i, d := range []received{second, third} {
		again, err := webhook.ConstructEvent(d.body, d.header.Get("Stripe-Signature"), testWebhookSecret)
		if err != nil || again.ID != ev.ID {
			t.Errorf("retry %d: %s, %v", i+1, again.ID, err)
		}
	}
	waitUntil(t, "the success recorded", func() bool { return row().State == deliverySucceeded })
	if got := row(); got.Attempts != 3 || got.LastStatus.Int64 != 200 || got.LastError.Valid || got.Next.Valid {
		t.Errorf("delivered: %+v", got)
	}
	if n := h.pendingWebhooks(t, ev.ID); n != 0 {
		t.Errorf("pending_webhooks %d once delivered", n)
	}
	if ok, notYet := h.listedWith(t, true), h.listedWith(t, false); len(ok) != 1 || ok[0] != ev.ID || len(notYet) != 0 {
		t.Errorf("once delivered, delivery_success=true lists %v and false %v", ok, notYet)
	}
	select {
	case d := <-rcv.got:
		t.Errorf("a fourth delivery: %s", d.body)
	default:
	}
}

// An endpoint that never answers 2xx (here, none listens) gets six
// attempts over the schedule of webhookRetryDelays; then the delivery has
// failed for good and is no longer pending.
func TestWebhookDeliveryFailsAfterItsLastAttempt(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := "http://" + ln.Addr().String() + "/hooks"
	ln.Close()
	h := newWebhookHarness(t, Options{WebhookURLs: []string{gone}, WebhookSecret: testWebhookSecret})
	h.create(t, nil)
	var id string
	waitUntil(t, "the first attempt", func() bool {
		return h.e.db.QueryRow(`SELECT event_id FROM webhook_deliveries`).Scan(&id) == nil
	})
	for i, wait := range webhookRetryDelays {
		waitUntil(t, "the attempt recorded and the next scheduled", func() bool {
			return h.delivery(t, id, gone).Attempts == i+1 && h.clock.Pending() == 1
		})
		if got := h.delivery(t, id, gone); got.State != deliveryPending || got.LastStatus.Valid || got.LastError.String == "" {
			t.Fatalf("after attempt %d: %+v", i+1, got)
		}
		h.clock.Advance(wait)
	}
	waitUntil(t, "the last attempt recorded", func() bool { return h.delivery(t, id, gone).State != deliveryPending })
	if got := h.delivery(t, id, gone); got.State != deliveryFailed || got.Attempts != webhookMaxAttempts || got.Next.Valid {
		t.Errorf("after the last attempt: %+v", got)
	}
	if n := h.pendingWebhooks(t, id); n != 0 {
		t.Errorf("pending_webhooks %d after failing for good", n)
	}
	waitUntil(t, "no timer left", func() bool { return h.clock.Pending() == 0 })
}

// Pending deliveries are kept in the database: after a restart they are
// attempted when due; those to an endpoint no longer configured fail.
func TestWebhookDeliveriesResumeAfterRestart(t *testing.T) {
	var mu sync.Mutex
	up := false
	rcv := newReceiver(t, func(int) int {
		mu.Lock()
		defer mu.Unlock()
		if up {
			return http.StatusOK
		}
		return http.StatusServiceUnavailable
	})
	other := newReceiver(t, always(http.StatusServiceUnavailable))
	path := filepath.Join(t.TempDir(), "w.db")
	open := func(urls ...string) *harness {
		e, err := New(context.Background(), Options{Path: path, Clock: NewManualClock(epoch), WebhookURLs: urls, WebhookSecret: testWebhookSecret})
		if err != nil {
			t.Fatal(err)
		}
		return &harness{e: e, clock: e.clock.(*ManualClock), sc: inProcessClient(e)}
	}
	h := open(rcv.srv.URL, other.srv.URL)
	h.create(t, nil)
	first := rcv.next(t)
	other.next(t)
	waitUntil(t, "both attempts recorded", func() bool {
		var n int
		return h.e.db.QueryRow(`SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1`).Scan(&n) == nil && n == 2
	})
	if err := h.e.Close(); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	up = true
	mu.Unlock()
	h = open(rcv.srv.URL) // other is no longer an endpoint
	defer h.e.Close()
	ev, err := webhook.ConstructEvent(first.body, first.header.Get("Stripe-Signature"), testWebhookSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.delivery(t, ev.ID, other.srv.URL); got.State != deliveryFailed || !strings.Contains(got.LastError.String, "no longer configured") {
		t.Errorf("the delivery to the removed endpoint: %+v", got)
	}
	waitUntil(t, "the retry's timer", func() bool { return h.clock.Pending() == 1 })
	h.clock.Advance(webhookRetryDelays[0])
	if again := rcv.next(t); string(again.body) == "" {
		t.Fatal("empty retry")
	}
	waitUntil(t, "the delivery recorded", func() bool { return h.delivery(t, ev.ID, rcv.srv.URL).State == deliverySucceeded })
}

// A delivery keeps no payload: a retry after the session is redacted
// sends the scrubbed event, and the deliveries table holds nothing
// personal.
func TestRedactionScrubsWebhookDeliveries(t *testing.T) {
	rcv := newReceiver(t, func(n int) int {
		if n == 1 {
			return http.StatusBadGateway
		}
		return http.StatusOK
	})
	h := newWebhookHarness(t, Options{WebhookURLs: []string{rcv.srv.URL}, WebhookSecret: testWebhookSecret})
	// An event's session shows no provided_details (expanded only): its
	// metadata is what it holds of the user.
	p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
	p.AddMetadata("order", "secret-order-42")
	vs := h.create(t, p)
	first := rcv.next(t)
	if !strings.Contains(string(first.body), "secret-order-42") {
		t.Fatalf("the first attempt lacks the session's data: %s", first.body)
	}
	waitUntil(t, "the retry scheduled", func() bool { return h.clock.Pending() == 1 })
	if _, err := h.sc.V1IdentityVerificationSessions.Redact(context.Background(), vs.ID, nil); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(webhookRetryDelays[0])
	// .canceled (redacting from requires_input cancels), at once; the
	// retry of .created and .redacted (once processing is over) after the
	// clock moved.
	for range 3 {
		d := rcv.next(t)
		ev, err := webhook.ConstructEvent(d.body, d.header.Get("Stripe-Signature"), testWebhookSecret)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(d.body), "secret-order-42") {
			t.Errorf("%s after redaction: %s", ev.Type, d.body)
		}
		var obj stripe.IdentityVerificationSession
		if err := json.Unmarshal(ev.Data.Raw, &obj); err != nil || obj.Metadata == nil || len(obj.Metadata) != 0 {
			t.Errorf("%s: data.object %s", ev.Type, ev.Data.Raw)
		}
	}
	rows, err := h.e.db.Query(`SELECT * FROM webhook_deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if s := string(mustJSON(vals)); strings.Contains(s, "secret-order") {
			t.Errorf("a delivery row holds personal data: %s", s)
		}
	}
}

// An endpoint that hangs holds back only itself: while its deliveries
// wait out their timeouts one after another, a healthy endpoint gets each
// new event at once, and in the order of the events.
func TestAHungWebhookEndpointHoldsBackOnlyItself(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hung.Close()
	defer close(release)
	ok := newReceiver(t, always(http.StatusOK))
	h := newWebhookHarness(t, Options{WebhookURLs: []string{hung.URL, ok.srv.URL}, WebhookSecret: testWebhookSecret})
	h.e.hooks.client.Timeout = 300 * time.Millisecond // webhookTimeout (10 s) scaled down
	for range 10 {
		h.create(t, nil)
	}
	var got []string
	for range 10 {
		got = append(got, eventID(t, ok.next(t)))
	}
	start := time.Now()
	h.create(t, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")})
	got = append(got, eventID(t, ok.next(t)))
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the healthy endpoint got the new event %v late (the hung one holds 10 deliveries of 300 ms each)", d)
	}
	// GET /v1/events lists the newest first.
	var want []string
	for ev, err := range h.sc.V1Events.List(context.Background(), &stripe.EventListParams{}).All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		want = append([]string{ev.ID}, want...)
	}
	if !slices.Equal(got, want) {
		t.Errorf("the healthy endpoint got\n%v\nwant the events' order\n%v", got, want)
	}
}

// eventID is the ID of the event a delivery carries.
func eventID(t *testing.T, d received) string {
	t.Helper()
	var ev struct{ ID string }
	if err := json.Unmarshal(d.body, &ev); err != nil || ev.ID == "" {
		t.Fatalf("delivery %s: %v", d.body, err)
	}
	return ev.ID
}

// An endpoint listed twice in WebhookURLs is one endpoint: writes that
// record events succeed, and each event is sent to it once.
func TestDuplicateWebhookURLsAreSentToOnce(t *testing.T) {
	rcv := newReceiver(t, always(http.StatusOK))
	h := newWebhookHarness(t, Options{WebhookURLs: []string{rcv.srv.URL, rcv.srv.URL}, WebhookSecret: testWebhookSecret})
	if _, err := h.sc.V1IdentityVerificationSessions.Create(context.Background(),
		&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}); err != nil {
		t.Fatalf("create with a webhook URL listed twice: %v", err)
	}
	id := eventID(t, rcv.next(t))
	waitUntil(t, "the delivery recorded", func() bool { return h.delivery(t, id, rcv.srv.URL).State == deliverySucceeded })
	if n := h.pendingWebhooks(t, id); n != 0 {
		t.Errorf("pending_webhooks %d", n)
	}
	select {
	case d := <-rcv.got:
		t.Errorf("a second delivery: %s", d.body)
	case <-time.After(50 * time.Millisecond):
	}
}

// The workers' queries read the pending deliveries through their partial
// index, not the whole table, which keeps every delivery ever made.
func TestWebhookQueriesUseTheDueIndex(t *testing.T) {
	h := newWebhookHarness(t, Options{WebhookURLs: []string{"http://127.0.0.1:1/x"}, WebhookSecret: testWebhookSecret})
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{selectDueDeliveries, []any{"http://127.0.0.1:1/x", 1, webhookBatch}},
		{selectNextAttempt, []any{"http://127.0.0.1:1/x"}},
	} {
		rows, err := h.e.db.Query("EXPLAIN QUERY PLAN "+q.sql, q.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "USING INDEX webhook_deliveries_due") || strings.Contains(p, "SCAN") {
			t.Errorf("%s\nplan: %s", q.sql, p)
		}
	}
}

// The write path never waits for an endpoint: with two that hang, API
// calls answer at once; Close abandons the attempts under way (they are
// made again at the next start) without waiting for their timeouts, and
// leaves no goroutine behind.
func TestWebhooksNeverBlockAndCloseLeavesNoGoroutine(t *testing.T) {
	hung := make(chan struct{}, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // then the server notices the client going
		select {
		case hung <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	settle := func() int {
		n := runtime.NumGoroutine()
		for range 20 {
			<-time.After(5 * time.Millisecond)
			n = min(n, runtime.NumGoroutine())
		}
		return n
	}
	base := settle()

	e, err := New(context.Background(), Options{PublicURL: "http://emu.test", WebhookURLs: []string{srv.URL + "/a", srv.URL + "/b"}, WebhookSecret: testWebhookSecret})
	if err != nil {
		t.Fatal(err)
	}
	sc := inProcessClient(e)
	start := time.Now()
	for range 5 {
		if _, err := sc.V1IdentityVerificationSessions.Create(context.Background(), &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}); err != nil {
			t.Fatal(err)
		}
	}
	<-hung // the first deliveries are stuck at both endpoints
	<-hung
	if took := time.Since(start); took > webhookTimeout/2 {
		t.Errorf("5 creates took %v with the endpoint hung", took)
	}
	start = time.Now()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > webhookTimeout/2 {
		t.Errorf("Close took %v", took)
	}
	deadline := time.Now().Add(10 * time.Second)
	for n := settle(); n > base; n = settle() {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
		}
	}
}

// New refuses endpoints and secrets Stripe would not take, saying which.
func TestWebhookOptionsAreChecked(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"a relative URL", Options{WebhookURLs: []string{"/webhooks"}}, `"/webhooks" is not an absolute http or https URL`},
		{"another scheme", Options{WebhookURLs: []string{"ftp://example.com/x"}}, "not an absolute http or https URL"},
		{"a secret without whsec_", Options{WebhookURLs: []string{"http://127.0.0.1:1/x"}, WebhookSecret: "s3cret"}, "whsec_"},
		{"a secret without endpoints, still checked", Options{WebhookSecret: "whsec_"}, "whsec_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(context.Background(), tt.o)
			if err == nil {
				e.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q, want it to say %q (and never the secret)", err, tt.want)
			}
		})
	}
}
