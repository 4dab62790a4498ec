package sessioncache

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/events"
	"github.com/idgraph/idgraph/internal/identity"
)

// Options configure a Client.
type Options struct {
	// Cache keeps sessions between reads; false merges concurrent reads
	// only (Stripe mode without an event source: nothing would tell the
	// cache of a change).
	Cache bool
	// TTL bounds how long an entry is served: the staleness when an event
	// is lost. Zero means DefaultTTL.
	TTL time.Duration
	// MaxBytes bounds the in-process store; zero means DefaultMaxBytes.
	MaxBytes int64
	// Redis, when set, shares the cache between replicas. The caller
	// owns it (Close does not close it).
	Redis *redis.Client
	// Events, when set, invalidates sessions as their events are
	// delivered.
	Events *events.Hub
	// FetchTimeout bounds a merged call, which runs detached from the
	// reads that wait for it; zero means 30 seconds.
	FetchTimeout time.Duration
	// Observer counts reads by outcome; nil counts nothing.
	Observer Observer
	// Logger hears of Redis's loss and return; nil discards.
	Logger *slog.Logger
	// Now is the clock of entries' expiry and of retrying Redis after
	// it failed; nil means time.Now.
	Now func() time.Time
}

// Defaults of Options.
const (
	// DefaultTTL: a lost event shows at most this late; a session read
	// once a second costs Stripe one call per TTL at most.
	DefaultTTL = 5 * time.Second
	// DefaultMaxBytes bounds the in-process store: some 20,000 sessions.
	DefaultMaxBytes = 64 << 20
	// maxRefreshes bounds the fetches events start at once; past it, the
	// next read fetches.
	maxRefreshes = 16
)

// Observer counts reads by outcome (the Outcome constants), for metrics.
type Observer interface {
	CacheRead(outcome string)
}

type noObserver struct{}

func (noObserver) CacheRead(string) {}

// Client is an identity.Client that merges concurrent reads and serves
// cached sessions (see the package documentation). Close ends its
// detached work.
type Client struct {
	next         identity.Client
	cache        bool
	store        store
	obs          Observer
	fetchTimeout time.Duration
	refreshes    chan struct{}
	// closing ends with Close; running counts the goroutines it waits
	// for: detached calls, and the Redis work and refreshes of events.
	closing context.Context
	close   context.CancelFunc
	running sync.WaitGroup

	mu      sync.Mutex
	flights map[flightKey]*flight
	closed  bool
}

var _ identity.Client = (*Client)(nil)

// New returns next decorated with merged reads and, when o.Cache, the
// session cache. With o.Events, events invalidate sessions from now on.
func New(next identity.Client, o Options) *Client {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = defaultFetchTimeout
	}
	if o.Observer == nil {
		o.Observer = noObserver{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	// An invalidation is remembered for twice the longest a fetch runs, so
	// that no fetch begun before it can land after it is forgotten.
	hold := 2 * o.FetchTimeout
	mem := newMemory(o.Now, o.TTL, o.MaxBytes, hold)
	c := &Client{next: next, cache: o.Cache, store: inProcess{mem}, obs: o.Observer, fetchTimeout: o.FetchTimeout,
		refreshes: make(chan struct{}, maxRefreshes), flights: map[flightKey]*flight{}}
	c.closing, c.close = context.WithCancel(context.Background())
	if o.Redis != nil && o.Cache {
		c.store = newShared(o.Redis, mem, o.TTL, hold, o.Logger)
	}
	if o.Events != nil {
		o.Events.Observe(c.onEvent)
	}
	return c
}

// Retrieve implements identity.Client: from the cache, through a merged
// call, or (Fresh, or params the cache does not key on) straight.
func (c *Client) Retrieve(ctx context.Context, id string, params *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	fk, ok := keyOf(id, params)
	if !ok || isFresh(ctx) {
		count(ctx, c.obs, OutcomeBypass)
		return c.next.Retrieve(ctx, id, params)
	}
	cacheable := c.cache && fk.account == "" && fk.stripeContext == "" && slices.Contains(cacheableExpansions, fk.expand)
	var mark int64
	if cacheable {
		var raw []byte
		if raw, mark, ok = c.store.get(ctx, key{id, fk.expand}); ok {
			if s, err := decode(raw); err == nil && servable(ctx, s) {
				count(ctx, c.obs, OutcomeHit)
				return s, nil
			} else if err == nil {
				count(ctx, c.obs, OutcomeBypass)
				return c.next.Retrieve(ctx, id, params)
			}
		}
	}
	f, joined := c.retrieve(ctx, fk, params, cacheable, mark)
	if joined {
		count(ctx, c.obs, OutcomeMerged)
	} else {
		count(ctx, c.obs, OutcomeMiss)
	}
	s, err := wait(ctx, f)
	if err != nil && ctx.Err() == nil && f.timedOut { // ctx alive: f landed
		// The call ran out of its own time, which began before this
		// read's: once more, on a call of its own time.
		f, joined = c.retrieve(ctx, fk, params, cacheable, mark)
		s, err = wait(ctx, f)
	}
	if err == nil && joined && !servable(ctx, s) {
		count(ctx, c.obs, OutcomeBypass)
		return c.next.Retrieve(ctx, id, params)
	}
	return s, err
}

// servable tells whether a session from the cache or from another read's
// call may answer ctx's read: always, but for an end user's read of a
// session not theirs. Tenancy answers that read as one of a session that
// does not exist, and such a read costs a Stripe call of the caller's own
// (their budget, their wait): so must this one, or the answer would tell
// that the session exists.
func servable(ctx context.Context, s *stripe.IdentityVerificationSession) bool {
	p := auth.FromContext(ctx)
	return p.Kind != auth.EndUser || p.Owns(s.ClientReferenceID)
}

// keyOf returns what a read fetches, or false for params the cache does
// not key on (extra parameters or headers): those go straight to Stripe.
func keyOf(id string, p *stripe.IdentityVerificationSessionRetrieveParams) (flightKey, bool) {
	fk := flightKey{id: id}
	if p == nil {
		return fk, true
	}
	//lint:ignore SA1019 the deprecated Params fields are still sent: a read that sets them is not the read the key names
	if p.Extra != nil || p.Headers != nil || p.IdempotencyKey != nil || p.Params.Metadata != nil || len(p.Params.Expand) > 0 {
		return fk, false
	}
	exp := make([]string, 0, len(p.Expand))
	for _, e := range p.Expand {
		if e != nil {
			exp = append(exp, *e)
		}
	}
	slices.Sort(exp)
	fk.expand = strings.Join(slices.Compact(exp), ",")
	if p.StripeAccount != nil {
		fk.account = *p.StripeAccount
	}
	if p.StripeContext != nil {
		fk.stripeContext = *p.StripeContext
	}
	return fk, true
}

// Create implements identity.Client, writing the answer through.
func (c *Client) Create(ctx context.Context, params *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
	var p stripe.Params
	var expand []*string
	if params != nil {
		p, expand = params.Params, params.Expand
	}
	s, err := c.next.Create(ctx, params)
	if err == nil && s != nil && s.ID != "" {
		// Stamped on arrival: no state of a new session is older than
		// its create's answer, and the one event that can come before the
		// answer is its own (created; the emulator's comes before it).
		c.changed(ctx, s.ID, c.begin(ctx), s, p, expand)
	}
	return s, err
}

// Update implements identity.Client, writing the answer through.
func (c *Client) Update(ctx context.Context, id string, params *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
	var p stripe.Params
	var expand []*string
	if params != nil {
		p, expand = params.Params, params.Expand
	}
	since := c.begin(ctx)
	s, err := c.next.Update(ctx, id, params)
	c.changed(ctx, id, since, answerOf(s, err), p, expand)
	return s, err
}

// Cancel implements identity.Client, writing the answer through.
func (c *Client) Cancel(ctx context.Context, id string, params *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
	var p stripe.Params
	var expand []*string
	if params != nil {
		p, expand = params.Params, params.Expand
	}
	since := c.begin(ctx)
	s, err := c.next.Cancel(ctx, id, params)
	c.changed(ctx, id, since, answerOf(s, err), p, expand)
	return s, err
}

// Redact implements identity.Client: the session's entries go, whatever
// the answer (a failed redaction may still have begun).
func (c *Client) Redact(ctx context.Context, id string, params *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
	s, err := c.next.Redact(ctx, id, params)
	c.store.changed(ctx, key{id: id}, ticket{}, nil)
	return s, err
}

// List implements identity.Client: lists go to Stripe (a page is not a
// session, and no event says a page changed).
func (c *Client) List(ctx context.Context, params *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
	return c.next.List(ctx, params)
}

// begin stamps the start of a mutation, whose answer is written through
// only if nothing invalidates the session before it arrives.
func (c *Client) begin(ctx context.Context) ticket {
	if !c.cache {
		return ticket{}
	}
	return ticket{local: c.store.local().stamp(), shared: c.store.sharedStamp(ctx)}
}

// answerOf is a mutation's answer, or nil when it failed: a failed
// mutation may still have happened, so its session is invalidated all the
// same.
func answerOf(s *stripe.IdentityVerificationSession, err error) *stripe.IdentityVerificationSession {
	if err != nil {
		return nil
	}
	return s
}

// changed applies a mutation of id begun at since whose answer is s (nil
// when it failed): reads begun before now are refused and the answer is
// stored unless the session was invalidated since (store.changed).
func (c *Client) changed(ctx context.Context, id string, since ticket, s *stripe.IdentityVerificationSession, p stripe.Params, expand []*string) {
	k := key{id: id}
	var raw []byte
	fk, ok := keyOf(id, &stripe.IdentityVerificationSessionRetrieveParams{Expand: expand})
	if c.cache && s != nil && s.ID == id && ok && slices.Contains(cacheableExpansions, fk.expand) &&
		p.StripeAccount == nil && p.StripeContext == nil {
		k.expand = fk.expand
		raw, _ = withoutSecrets(s) // nil on error: invalidated only
	}
	c.store.changed(ctx, k, since, raw)
}

// onEvent is the hub's Observer. It invalidates the session in this
// process at once, before any subscriber hears of the event; then, in the
// background (the hub's publisher must not wait on Redis), in Redis, which
// serves none of the session's entries here until it has, and fetches
// again what was cached. An event from another replica is also applied to
// Redis (once per event, whichever replica is first), but not fetched
// again here: the replica that received it does.
func (c *Client) onEvent(e events.Event, remote bool) {
	had := c.store.invalidate(e.SessionID)
	c.background(func(ctx context.Context) {
		shared, mark := c.store.share(ctx, e.SessionID, e.ID)
		if !c.cache || remote {
			return
		}
		for _, exp := range cacheableExpansions {
			if slices.Contains(had, exp) || slices.Contains(shared, exp) {
				c.refresh(e.SessionID, exp, mark)
			}
		}
	})
}

// background runs f in a goroutine that Close waits for, unless closed.
func (c *Client) background(f func(ctx context.Context)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.running.Add(1)
	go func() {
		defer c.running.Done()
		f(c.closing)
	}()
}

// refresh fetches a session an event invalidated, as a read would, so that
// the readers that follow find it; with too many refreshes running it
// leaves the fetch to the next read. mark is the invalidation's in Redis.
func (c *Client) refresh(id, expand string, mark int64) {
	select {
	case c.refreshes <- struct{}{}:
	default:
		return
	}
	defer func() { <-c.refreshes }()
	if _, _, ok := c.store.get(c.closing, key{id, expand}); ok {
		return // a read since the event fetched it already
	}
	params := &stripe.IdentityVerificationSessionRetrieveParams{}
	if expand != "" {
		params.AddExpand(expand)
	}
	f, joined := c.retrieve(c.closing, flightKey{id: id, expand: expand}, params, true, mark)
	if !joined {
		c.obs.CacheRead(OutcomeRefresh)
	}
	<-f.done
}

// Close ends the Client's detached work (merged calls still running, the
// Redis work and refreshes of events) and waits for it; reads after Close
// are each made on their own. The Redis client, the caller's, stays open.
func (c *Client) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.close()
	c.running.Wait()
}

// Size returns the in-process entries and their bytes (Redis's are not
// counted), for metrics and tests.
func (c *Client) Size() (entries int, bytes int64) { return c.store.local().size() }
