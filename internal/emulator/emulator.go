package emulator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idgraph/idgraph/internal/emulator/hostedpage"
)

// apiVersion is the Stripe API version whose shapes the emulator answers
// with, as the spec's info.version and Stripe's Stripe-Version header spell
// it: the date and, after the dot, the release train. An event carries it
// as api_version, and stripe-go's webhook.ConstructEvent refuses an event
// whose release train is not its own ("dahlia" for stripe-go v85).
const apiVersion = "2026-08-26.dahlia"

// Options configure an Emulator.
type Options struct {
	// Path is the SQLite file; "" means a private in-memory database (tests).
	// Any file name works, with spaces, '#' or '?' in it. A new file (and its
	// -wal and -shm) is created 0600. One emulator at a time may open a
	// file: New refuses a file that another emulator, in this process or
	// another, holds (doc.go, "Storage").
	Path string
	// PublicURL is the base of session urls, e.g. "http://127.0.0.1:8080":
	// a session's url is PublicURL + "/verify/" + token.
	PublicURL string
	// ProcessingDelay is the time a submission spends in processing, and a
	// redaction in redaction.status "processing". Zero means no delay: the
	// transition is due at once (with a ManualClock, at its next Advance).
	// Negative is an error. There is no default: the caller chooses.
	ProcessingDelay time.Duration
	// Clock is the source of time and of delayed transitions; nil means the
	// real clock.
	Clock Clock
	// Logger receives the emulator's log; nil discards it. Secrets (client
	// secrets, url tokens, API keys) are never logged.
	Logger *slog.Logger
	// APIKeys, when not empty, are the only API keys the REST API accepts
	// (test mode secret or restricted keys, compared in constant time); any
	// other key is a 401 "Invalid API Key provided", as on Stripe. Empty
	// accepts every well-formed test mode key.
	APIKeys []string
	// OnEvent, when set, is called with each event the emulator records,
	// after its transaction commits, in the goroutine that wrote it (an
	// API request, the hosted page or a timer): it must not block.
	OnEvent func(Event)
	// WebhookURLs are the endpoints every event is sent to, as Stripe
	// sends webhooks (webhooks.go): absolute http(s) URLs. Empty sends
	// none.
	WebhookURLs []string
	// WebhookSecret signs the webhooks (whsec_…); "" means one generated
	// on first use and kept in the database (Emulator.WebhookSecret).
	WebhookSecret string
}

// Emulator is a stateful, Stripe-compatible emulator of Stripe Identity's
// VerificationSession and VerificationReport API. Its methods are safe for
// concurrent use.
type Emulator struct {
	db        *sql.DB
	file      fileIdentity // the database file, to tell when it is gone
	unlock    func() error // releases the database's lock; nil in memory
	publicURL string
	delay     time.Duration
	clock     Clock
	log       *slog.Logger
	apiKeys   keyList
	handler   http.Handler
	links     *linkSigner // mints and checks session links (tokens.go)
	reads     *readDB     // db, with the hot reads prepared (reads.go)
	onEvent   func(Event) // Options.OnEvent
	hooks     *webhooks   // webhook delivery, nil without endpoints

	// writeTxns counts the write transactions begun, so that tests can
	// hold reads to writing nothing.
	writeTxns atomic.Int64

	// wmu serialises write transactions: SQLite has one writer anyway, and
	// waiting here is cheaper and fairer than SQLITE_BUSY retries.
	wmu sync.Mutex

	mu       sync.Mutex // guards the fields below
	timers   map[string]Timer
	inflight map[string]bool // idempotency keys of requests being served
	closed   bool
	jobs     sync.WaitGroup // delayed transitions running now
}

var _ hostedpage.Backend = (*Emulator)(nil)

// New opens (creating and migrating as needed) the database and schedules
// again the transitions that were pending when the emulator last stopped.
func New(ctx context.Context, o Options) (*Emulator, error) {
	if o.ProcessingDelay < 0 {
		return nil, fmt.Errorf("emulator: negative ProcessingDelay %v", o.ProcessingDelay)
	}
	e := &Emulator{
		publicURL: strings.TrimSuffix(o.PublicURL, "/"),
		delay:     o.ProcessingDelay,
		clock:     o.Clock,
		log:       o.Logger,
		onEvent:   o.OnEvent,
		timers:    map[string]Timer{},
		inflight:  map[string]bool{},
	}
	keys, err := newKeyList(o.APIKeys)
	if err != nil {
		return nil, err
	}
	e.apiKeys = keys
	if e.clock == nil {
		e.clock = realClock{}
	}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Path != "" {
		if e.unlock, err = lockDB(o.Path); err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
	}
	fail := func(err error) (*Emulator, error) {
		if e.db != nil {
			_ = e.db.Close()
		}
		if e.unlock != nil {
			_ = e.unlock()
		}
		return nil, fmt.Errorf("emulator: %w", err)
	}
	db, err := openDB(ctx, o.Path)
	if err != nil {
		return fail(err)
	}
	e.db = db
	if e.file, err = identify(o.Path); err != nil {
		return fail(err)
	}
	if err := migrate(ctx, db); err != nil {
		return fail(err)
	}
	if e.links, err = loadLinkSigner(ctx, db); err != nil {
		return fail(err)
	}
	if e.reads, err = newReadDB(ctx, db); err != nil {
		return fail(err)
	}
	if e.hooks, err = newWebhooks(ctx, db, o.WebhookURLs, o.WebhookSecret); err != nil {
		return fail(err)
	}
	due, err := selectDueSessions(ctx, db)
	if err != nil {
		return fail(fmt.Errorf("pending transitions: %w", err))
	}
	for id, at := range due {
		e.schedule(id, at)
	}
	e.handler = e.routes()
	e.startWebhooks()
	return e, nil
}

// Close stops the pending timers (they run again at the next New on the same
// file), waits for running transitions, stops webhook delivery (what is
// pending is sent after the next New), closes the database and releases
// its lock.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	for _, t := range e.timers {
		t.Stop()
	}
	e.timers = nil
	e.mu.Unlock()
	e.jobs.Wait()
	e.stopWebhooks()
	err := e.db.Close()
	if e.unlock != nil {
		err = errors.Join(err, e.unlock())
	}
	return err
}

// Handler serves Stripe's /v1/identity/... API (and GET /v1/events) and the
// hosted verification page at /verify/.
func (e *Emulator) Handler() http.Handler { return e.handler }
