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
	// Now is the clock of entries' expiry; nil means time.Now.
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
// cached sessions (see the package documentation). Close releases it.
type Client struct {
	next         identity.Client
	cache        bool
	store        store
	obs          Observer
	fetchTimeout time.Duration
	refreshes    chan struct{}

	mu      sync.Mutex
	flights map[flightKey]*flight
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
	if cacheable {
		if raw, ok := c.store.get(ctx, key{id, fk.expand}); ok {
			if s, err := decode(raw); err == nil {
				count(ctx, c.obs, OutcomeHit)
				return s, nil
			}
		}
	}
	f, joined := c.retrieve(ctx, fk, params, cacheable)
	if joined {
		count(ctx, c.obs, OutcomeMerged)
	} else {
		count(ctx, c.obs, OutcomeMiss)
	}
	return wait(ctx, f)
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
	s, err := c.next.Create(ctx, params)
	if err == nil && params != nil {
		c.wrote(ctx, s, params.Params, params.Expand)
	}
	return s, err
}

// Update implements identity.Client, writing the answer through.
func (c *Client) Update(ctx context.Context, id string, params *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
	s, err := c.next.Update(ctx, id, params)
	if err == nil && params != nil {
		c.wrote(ctx, s, params.Params, params.Expand)
	}
	return s, err
}

// Cancel implements identity.Client, writing the answer through.
func (c *Client) Cancel(ctx context.Context, id string, params *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
	s, err := c.next.Cancel(ctx, id, params)
	if err == nil && params != nil {
		c.wrote(ctx, s, params.Params, params.Expand)
	}
	return s, err
}

// Redact implements identity.Client: the session's entries go, whatever
// the answer (a failed redaction may still have begun).
func (c *Client) Redact(ctx context.Context, id string, params *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
	s, err := c.next.Redact(ctx, id, params)
	c.store.invalidate(ctx, id)
	return s, err
}

// List implements identity.Client: lists go to Stripe (a page is not a
// session, and no event says a page changed).
func (c *Client) List(ctx context.Context, params *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
	return c.next.List(ctx, params)
}

// wrote invalidates the session a mutation answered with, then stores the
// answer: the invalidation refuses what any read begun before it would
// write, and the answer's stamp is later than all of them.
func (c *Client) wrote(ctx context.Context, s *stripe.IdentityVerificationSession, p stripe.Params, expand []*string) {
	if s == nil || s.ID == "" {
		return
	}
	c.store.invalidate(ctx, s.ID)
	if !c.cache || p.StripeAccount != nil || p.StripeContext != nil {
		return
	}
	fk, ok := keyOf(s.ID, &stripe.IdentityVerificationSessionRetrieveParams{Expand: expand})
	if !ok || !slices.Contains(cacheableExpansions, fk.expand) {
		return
	}
	raw, err := withoutSecrets(s)
	if err != nil {
		return
	}
	t := ticket{local: c.store.local().stamp(), shared: c.store.sharedStamp(ctx)}
	c.store.put(ctx, key{s.ID, fk.expand}, t, raw)
}

// onEvent is the hub's Observer: it invalidates the session before any
// subscriber hears of the event, and fetches again what was cached. An
// event from another replica was applied to Redis there; here it is
// forgotten in this process only.
func (c *Client) onEvent(e events.Event, remote bool) {
	if remote {
		c.store.forget(e.SessionID)
		return
	}
	had := c.store.invalidate(context.Background(), e.SessionID)
	if !c.cache {
		return
	}
	for _, exp := range had {
		c.refresh(e.SessionID, exp)
	}
}

// refresh fetches a session an event invalidated, as a read would, so that
// the readers that follow find it; with too many refreshes running it
// leaves the fetch to the next read.
func (c *Client) refresh(id, expand string) {
	select {
	case c.refreshes <- struct{}{}:
	default:
		return
	}
	params := &stripe.IdentityVerificationSessionRetrieveParams{}
	if expand != "" {
		params.AddExpand(expand)
	}
	f, joined := c.retrieve(context.Background(), flightKey{id: id, expand: expand}, params, true)
	if !joined {
		c.obs.CacheRead(OutcomeRefresh)
	}
	go func() {
		<-f.done
		<-c.refreshes
	}()
}

// Size returns the in-process entries and their bytes (Redis's are not
// counted), for metrics and tests.
func (c *Client) Size() (entries int, bytes int64) { return c.store.local().size() }
