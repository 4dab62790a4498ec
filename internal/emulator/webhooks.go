package emulator

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
// the scrubbed event and nothing personal is kept twice. One worker
// goroutine makes the attempts; the write path only wakes it, and the
// Clock's timers wake it for retries.

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
	// webhookBatch is the most deliveries one pass of the worker reads.
	webhookBatch = 100
	// webhookUserAgent is Stripe's.
	webhookUserAgent = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
	// maxWebhookAnswer is how much of an endpoint's answer is read (and
	// discarded) so that the connection can be reused.
	maxWebhookAnswer = 64 << 10
)

// webhooks delivers events to the configured endpoints.
type webhooks struct {
	endpoints []string
	secret    string
	client    *http.Client
	wake      chan struct{}      // capacity 1: a pass of the worker is wanted
	ctx       context.Context    // ended by stop: in-flight attempts are abandoned
	cancel    context.CancelFunc //
	done      chan struct{}      // closed when the worker has returned

	mu    sync.Mutex
	timer Timer // the wake-up for the next retry, nil when none
}

// newWebhooks checks the endpoints and reads the secret; nil when there
// are no endpoints. Deliveries still pending to endpoints no longer
// configured fail, as deleting an endpoint on Stripe ends its deliveries.
// The worker starts with start.
func newWebhooks(ctx context.Context, db *sql.DB, endpoints []string, secret string) (*webhooks, error) {
	for _, ep := range endpoints {
		if err := checkEndpoint(ep); err != nil {
			return nil, err
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
		endpoints: append([]string(nil), endpoints...),
		secret:    secret,
		client: &http.Client{Transport: transport, Timeout: webhookTimeout,
			// Stripe does not follow redirects: a 3xx is a failure.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
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
// the event's transaction, and wakes the worker once it commits.
func queueDeliveries(t *txn, id string) error {
	w := t.hooks
	if w == nil {
		return nil
	}
	for _, ep := range w.endpoints {
		if _, err := t.ExecContext(t.ctx, `INSERT INTO webhook_deliveries (event_id, endpoint, state, next_attempt) VALUES (?, ?, ?, ?)`,
			id, ep, deliveryPending, t.now.UnixNano()); err != nil {
			return err
		}
	}
	t.after = append(t.after, w.poke)
	return nil
}

// poke wakes the worker; it never blocks.
func (w *webhooks) poke() {
	select {
	case w.wake <- struct{}{}:
	default: // a pass is wanted already
	}
}

// start runs the worker, with a first pass for what was pending.
func (e *Emulator) startWebhooks() {
	if e.hooks == nil {
		return
	}
	go e.runWebhooks(e.hooks)
	e.hooks.poke()
}

// stopWebhooks abandons the attempts under way (they are made again at the
// next start) and waits for the worker.
func (e *Emulator) stopWebhooks() {
	w := e.hooks
	if w == nil {
		return
	}
	w.cancel()
	<-w.done
	w.mu.Lock()
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.mu.Unlock()
	w.client.CloseIdleConnections()
}

// runWebhooks is the worker: a pass each time it is woken, then a timer
// for the next retry.
func (e *Emulator) runWebhooks(w *webhooks) {
	defer close(w.done)
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-w.wake:
		}
		full, err := e.deliverDue(w)
		if w.ctx.Err() != nil {
			return
		}
		if err != nil {
			e.log.Error("emulator: webhook deliveries", "err", err)
		}
		if full && err == nil {
			w.poke()
			continue
		}
		e.wakeForRetry(w, err != nil)
	}
}

// delivery is a pending delivery being attempted.
type delivery struct {
	seq      int64
	eventID  string
	endpoint string
	attempts int
}

// deliverDue attempts every delivery that is due, up to webhookBatch (full
// says there may be more). Each endpoint gets its deliveries one after the
// other, in the order of their events; endpoints are served side by side,
// so a slow one does not hold the others back beyond this pass.
func (e *Emulator) deliverDue(w *webhooks) (full bool, err error) {
	rows, err := e.db.QueryContext(w.ctx, `SELECT seq, event_id, endpoint, attempts FROM webhook_deliveries
		WHERE state = ? AND next_attempt <= ? ORDER BY seq LIMIT ?`, deliveryPending, e.clock.Now().UnixNano(), webhookBatch)
	if err != nil {
		return false, err
	}
	byEndpoint := map[string][]delivery{}
	n := 0
	for rows.Next() {
		var d delivery
		if err := rows.Scan(&d.seq, &d.eventID, &d.endpoint, &d.attempts); err != nil {
			rows.Close()
			return false, err
		}
		byEndpoint[d.endpoint] = append(byEndpoint[d.endpoint], d)
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, ds := range byEndpoint {
		wg.Go(func() {
			for _, d := range ds {
				if err := e.attempt(w, d); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return n == webhookBatch, errors.Join(errs...)
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

// wakeForRetry sets the timer for the earliest pending delivery; after a
// pass that failed, no sooner than the first retry's delay, so that a
// storage failure does not turn into a busy loop.
func (e *Emulator) wakeForRetry(w *webhooks, failed bool) {
	var next sql.NullInt64
	err := e.db.QueryRowContext(w.ctx, `SELECT MIN(next_attempt) FROM webhook_deliveries WHERE state = ?`, deliveryPending).Scan(&next)
	if err != nil && w.ctx.Err() == nil {
		e.log.Error("emulator: webhook deliveries", "err", err)
		next, failed = sql.NullInt64{Int64: e.clock.Now().UnixNano(), Valid: true}, true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	if !next.Valid {
		return
	}
	wait := time.Unix(0, next.Int64).Sub(e.clock.Now())
	if failed {
		wait = max(wait, webhookRetryDelays[0])
	}
	if wait <= 0 {
		w.poke()
		return
	}
	w.timer = e.clock.AfterFunc(wait, w.poke)
}

// redactURL is an endpoint for the log: without a password.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Redacted()
}
