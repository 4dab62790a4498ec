package emulator

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Webhooks, as Stripe sends them (https://docs.stripe.com/webhooks): every
// event is POSTed, as the JSON GET /v1/events/{id} answers, to each of
// Options.WebhookURLs, signed (webhook_sign.go), and retried with backoff
// until the endpoint answers 2xx.
//
// A delivery is a row of webhook_deliveries, inserted in the transaction
// that records its event, so it is as durable as the event: a restart
// resumes what was pending. The row holds no payload: each attempt renders
// the event as it is stored then, so a redacted session's deliveries send
// the scrubbed event and nothing personal is kept twice. Each endpoint has
// its own worker goroutine, which makes that endpoint's attempts in the
// order of their events, so that an endpoint that hangs holds back only
// itself; the write path only wakes the workers, and the Clock's timers
// wake each for its retries.

// Delivery states, as Stripe's Dashboard names them.
const (
	deliveryPending   = "pending"
	deliverySucceeded = "succeeded"
	deliveryFailed    = "failed"
)

// webhookRetryDelays are the waits after each failed attempt: 10 s, then
// six times longer each time (1 min, 6 min, 36 min, 3 h 36 min), so six
// attempts over about 4 h 20 min before a delivery fails for good. Stripe
// retries for up to three days in live mode and "three times over a few
// hours" in a sandbox; a development backend that is down is more often
// restarting than gone, hence the quick first retries.
var webhookRetryDelays = []time.Duration{10 * time.Second, time.Minute, 6 * time.Minute, 36 * time.Minute, 216 * time.Minute}

// webhookMaxAttempts is the first attempt and its retries.
var webhookMaxAttempts = len(webhookRetryDelays) + 1

const (
	// webhookTimeout bounds one attempt, connection to answer.
	webhookTimeout = 10 * time.Second
	// webhookBatch is the most deliveries one pass of a worker reads.
	webhookBatch = 100
	// webhookUserAgent is Stripe's.
	webhookUserAgent = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
	// maxWebhookAnswer is how much of an endpoint's answer is read (and
	// discarded) so that the connection can be reused.
	maxWebhookAnswer = 64 << 10
)

// webhooks delivers events to the configured endpoints.
type webhooks struct {
	endpoints []*endpoint
	secret    string
	client    *http.Client
	ctx       context.Context    // ended by stop: in-flight attempts are abandoned
	cancel    context.CancelFunc //
	workers   sync.WaitGroup     // one per endpoint
}

// endpoint is one webhook endpoint, served by its own worker.
type endpoint struct {
	url   string
	wake  chan struct{} // capacity 1: a pass of the worker is wanted
	timer Timer         // the wake-up for the next retry, nil when none; the worker's own
}

// poke wakes the endpoint's worker; it never blocks.
func (ep *endpoint) poke() {
	select {
	case ep.wake <- struct{}{}:
	default: // a pass is wanted already
	}
}

// newWebhooks checks the endpoints and reads the secret; nil when there
// are no endpoints. An endpoint listed twice is sent to once (a delivery
// is one per event and endpoint). Deliveries still pending to endpoints no
// longer configured fail, as deleting an endpoint on Stripe ends its
// deliveries. The workers start with startWebhooks.
func newWebhooks(ctx context.Context, db *sql.DB, urls []string, secret string) (*webhooks, error) {
	var endpoints []string
	for _, u := range urls {
		if err := checkEndpoint(u); err != nil {
			return nil, err
		}
		if !slices.Contains(endpoints, u) {
			endpoints = append(endpoints, u)
		}
	}
	if err := abandonUnconfigured(ctx, db, endpoints); err != nil {
		return nil, fmt.Errorf("webhook deliveries: %w", err)
	}
	if len(endpoints) == 0 {
		if secret != "" {
			return nil, checkWebhookSecret(secret)
		}
		return nil, nil
	}
	secret, err := webhookSecret(ctx, db, secret)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	w := &webhooks{
		secret: secret,
		client: &http.Client{Transport: transport, Timeout: webhookTimeout,
			// Stripe does not follow redirects: a 3xx is a failure.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	for _, u := range endpoints {
		w.endpoints = append(w.endpoints, &endpoint{url: u, wake: make(chan struct{}, 1)})
	}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	return w, nil
}

// checkEndpoint accepts an absolute http(s) URL, as Stripe's webhook
// endpoints are.
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("webhook endpoint %q is not an absolute http or https URL", raw)
	}
	return nil
}

// abandonUnconfigured fails the pending deliveries to endpoints not in
// endpoints. It looks first, so that an emulator with nothing to abandon
// writes nothing.
func abandonUnconfigured(ctx context.Context, db *sql.DB, endpoints []string) error {
	where := "state = '" + deliveryPending + "'"
	args := make([]any, 0, len(endpoints))
	if len(endpoints) > 0 {
		where += " AND endpoint NOT IN (?" + strings.Repeat(", ?", len(endpoints)-1) + ")"
		for _, ep := range endpoints {
			args = append(args, ep)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM webhook_deliveries WHERE "+where, args...).Scan(&n); err != nil || n == 0 {
		return err
	}
	_, err := db.ExecContext(ctx, "UPDATE webhook_deliveries SET state = '"+deliveryFailed+
		"', next_attempt = NULL, last_error = 'the endpoint is no longer configured' WHERE "+where, args...)
	return err
}

// WebhookSecret is the secret the emulator signs its webhooks with
// (Options.WebhookSecret, or the one it generated and keeps in its
// database); "" when it sends none.
func (e *Emulator) WebhookSecret() string {
	if e.hooks == nil {
		return ""
	}
	return e.hooks.secret
}

// queueDeliveries records a delivery of the event id to each endpoint, in
// the event's transaction, and wakes the workers once it commits.
func queueDeliveries(t *txn, id string) error {
	w := t.hooks
	if w == nil {
		return nil
	}
	for _, ep := range w.endpoints {
		if _, err := t.ExecContext(t.ctx, `INSERT INTO webhook_deliveries (event_id, endpoint, state, next_attempt) VALUES (?, ?, ?, ?)`,
			id, ep.url, deliveryPending, t.now.UnixNano()); err != nil {
			return err
		}
	}
	t.after = append(t.after, w.poke)
	return nil
}

// poke wakes every endpoint's worker; it never blocks.
func (w *webhooks) poke() {
	for _, ep := range w.endpoints {
		ep.poke()
	}
}

// startWebhooks runs the workers, with a first pass for what was pending.
func (e *Emulator) startWebhooks() {
	w := e.hooks
	if w == nil {
		return
	}
	for _, ep := range w.endpoints {
		w.workers.Go(func() { e.runWebhooks(w, ep) })
	}
	w.poke()
}

// stopWebhooks abandons the attempts under way (they are made again at the
// next start) and waits for the workers.
func (e *Emulator) stopWebhooks() {
	w := e.hooks
	if w == nil {
		return
	}
	w.cancel()
	w.workers.Wait()
	for _, ep := range w.endpoints {
		if ep.timer != nil {
			ep.timer.Stop()
			ep.timer = nil
		}
	}
	w.client.CloseIdleConnections()
}

// runWebhooks is an endpoint's worker: a pass each time it is woken, then
// a timer for the endpoint's next retry.
func (e *Emulator) runWebhooks(w *webhooks, ep *endpoint) {
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-ep.wake:
		}
		full, err := e.deliverDue(w, ep)
		if w.ctx.Err() != nil {
			return
		}
		if err != nil {
			e.log.Error("emulator: webhook deliveries", "endpoint", redactURL(ep.url), "err", err)
		}
		if full && err == nil {
			ep.poke()
			continue
		}
		e.wakeForRetry(w, ep, err != nil)
	}
}

// delivery is a pending delivery being attempted.
type delivery struct {
	seq      int64
	eventID  string
	endpoint string
	attempts int
}

// The worker's queries name the pending state as the partial index
// webhook_deliveries_due does, so that they read only pending rows;
// "+seq" keeps SQLite from walking the whole table in seq order instead.
const (
	selectDueDeliveries = `SELECT seq, event_id, attempts FROM webhook_deliveries
		WHERE state = '` + deliveryPending + `' AND endpoint = ? AND next_attempt <= ? ORDER BY +seq LIMIT ?`
	selectNextAttempt = `SELECT MIN(next_attempt) FROM webhook_deliveries
		WHERE state = '` + deliveryPending + `' AND endpoint = ?`
)

// deliverDue attempts the endpoint's deliveries that are due, one after the
// other in the order of their events, up to webhookBatch (full says there
// may be more).
func (e *Emulator) deliverDue(w *webhooks, ep *endpoint) (full bool, err error) {
	rows, err := e.db.QueryContext(w.ctx, selectDueDeliveries, ep.url, e.clock.Now().UnixNano(), webhookBatch)
	if err != nil {
		return false, err
	}
	var due []delivery
	for rows.Next() {
		d := delivery{endpoint: ep.url}
		if err := rows.Scan(&d.seq, &d.eventID, &d.attempts); err != nil {
			rows.Close()
			return false, err
		}
		due = append(due, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	for _, d := range due {
		if err := e.attempt(w, d); err != nil {
			return false, err
		}
	}
	return len(due) == webhookBatch, nil
}

// attempt sends one delivery and records how it went. An attempt cut short
// by stopWebhooks is not recorded: it is made again at the next start.
func (e *Emulator) attempt(w *webhooks, d delivery) error {
	ev, err := selectEvent(w.ctx, e.db, d.eventID)
	if err != nil {
		return fmt.Errorf("event %s: %w", d.eventID, err)
	}
	payload := mustJSON(ev.render(e.publicURL))
	status, sendErr := w.send(d.endpoint, payload)
	if w.ctx.Err() != nil {
		return w.ctx.Err()
	}
	return e.recordAttempt(d, status, sendErr)
}

// send POSTs payload to endpoint as Stripe does, and returns the answer's
// status.
func (w *webhooks) send(endpoint string, payload []byte) (int, error) {
	req, err := http.NewRequestWithContext(w.ctx, http.MethodPost, endpoint, bytes.NewReader(payload))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("User-Agent", webhookUserAgent)
	h.Set("Accept", "*/*; q=0.5, application/xml")
	h.Set("Cache-Control", "no-cache")
	// Signed at the wall clock's time, not the emulator's Clock: the
	// receiver checks the timestamp against its own clock.
	h.Set("Stripe-Signature", signWebhook(w.secret, time.Now(), payload))
	res, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxWebhookAnswer))
	res.Body.Close()
	return res.StatusCode, nil
}

// recordAttempt records an attempt's outcome and, after a failure, when
// the next is due.
func (e *Emulator) recordAttempt(d delivery, status int, sendErr error) error {
	d.attempts++
	now := e.clock.Now()
	state, why := deliverySucceeded, ""
	var next, lastStatus any
	if status != 0 {
		lastStatus = status
	}
	switch {
	case sendErr != nil:
		why = sendErr.Error()
	case status < 200 || status > 299:
		why = fmt.Sprintf("the endpoint answered %d", status)
	}
	switch {
	case why == "":
	case d.attempts < webhookMaxAttempts:
		state = deliveryPending
		wait := webhookRetryDelays[d.attempts-1]
		next = now.Add(wait).UnixNano()
		e.log.Warn("emulator: webhook delivery failed, will retry", "event", d.eventID, "endpoint", redactURL(d.endpoint),
			"attempt", d.attempts, "why", why, "retry_in", wait)
	default:
		state = deliveryFailed
		e.log.Error("emulator: webhook delivery failed for good", "event", d.eventID, "endpoint", redactURL(d.endpoint),
			"attempts", d.attempts, "why", why)
	}
	return e.write(context.Background(), func(t *txn) error {
		_, err := t.ExecContext(t.ctx, `UPDATE webhook_deliveries SET state = ?, attempts = ?, last_attempt = ?,
			last_status = ?, last_error = ?, next_attempt = ? WHERE seq = ?`,
			state, d.attempts, now.Unix(), lastStatus, nullIfEmpty(why), next, d.seq)
		return err
	})
}

// wakeForRetry sets the endpoint's timer for its earliest pending
// delivery; after a pass that failed, no sooner than the first retry's
// delay, so that a storage failure does not turn into a busy loop.
func (e *Emulator) wakeForRetry(w *webhooks, ep *endpoint, failed bool) {
	var next sql.NullInt64
	err := e.db.QueryRowContext(w.ctx, selectNextAttempt, ep.url).Scan(&next)
	if err != nil && w.ctx.Err() == nil {
		e.log.Error("emulator: webhook deliveries", "endpoint", redactURL(ep.url), "err", err)
		next, failed = sql.NullInt64{Int64: e.clock.Now().UnixNano(), Valid: true}, true
	}
	if ep.timer != nil {
		ep.timer.Stop()
		ep.timer = nil
	}
	if !next.Valid {
		return
	}
	wait := time.Unix(0, next.Int64).Sub(e.clock.Now())
	if failed {
		wait = max(wait, webhookRetryDelays[0])
	}
	if wait <= 0 {
		ep.poke()
		return
	}
	ep.timer = e.clock.AfterFunc(wait, ep.poke)
}

// redactURL is an endpoint for the log: without a password.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Redacted()
}
