package budget

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// The defaults of Config.
const (
	// DefaultCapacity lets a caller burst about 1,000 Stripe calls: ten
	// nodes(ids:) of 100 IDs.
	DefaultCapacity = 1000
	// DefaultRestoreRate then sustains 50 Stripe calls a second.
	DefaultRestoreRate = 50
	// DefaultServerCapacity is the bucket that every server key shares:
	// backends act for many users, so it is larger.
	DefaultServerCapacity = 2000
	// DefaultServerRestoreRate matches Stripe's live-mode rate limit: more
	// would only meet the global budget.
	DefaultServerRestoreRate = 100
)

// Config configures a Budget. Zero fields take their defaults.
type Config struct {
	// Capacity is the most Stripe calls an end user or an anonymous client
	// (per IP) can spend at once; RestoreRate how many a second come back.
	Capacity, RestoreRate float64
	// ServerCapacity and ServerRestoreRate size the one bucket that all
	// server keys share (CallerKey's "server").
	ServerCapacity, ServerRestoreRate float64
	// Global is the budget of all of idgraph's Stripe calls, enforced per
	// call by Counting; nil means none (the emulator, or a Stripe-compatible
	// API at STRIPE_API_BASE). StripeLimits gives Stripe's documented ones.
	Global *GlobalConfig
	// RedisURL ("redis://[:password@]host:port/db", or rediss:// for TLS)
	// keeps the buckets in Redis, shared by every replica; empty keeps them
	// in this process.
	RedisURL string
	// Clock is the time of the buckets; nil means time.Now in process and
	// Redis's own TIME in Redis, so that replicas' clocks need not agree.
	// Tests pass a manual clock.
	Clock func() time.Time
	// Logger receives the fallback to in-process buckets and the return to
	// Redis; nil discards.
	Logger *slog.Logger
	// Observer hears of refusals and spending (metrics); nil is none.
	Observer Observer
}

// GlobalConfig is the budget of all of idgraph's Stripe calls: rates in
// calls a second and bursts in calls, for reads (Retrieve, List) and
// writes (Create, Update, Cancel, Redact) apart, as Stripe counts them. A
// zero burst is one second's worth of its rate.
type GlobalConfig struct {
	ReadRate, ReadBurst   float64
	WriteRate, WriteBurst float64
}

// StripeLimits is the global budget Stripe's rate limits documentation
// gives for an account: 100 reads and 100 writes a second in live mode,
// 25 and 25 in test mode. The account's other traffic shares them, and
// Stripe limits some endpoints further (by default 25 requests a second
// each, in the current documentation): lower the rates to leave room.
func StripeLimits(live bool) *GlobalConfig {
	if live {
		return &GlobalConfig{ReadRate: 100, ReadBurst: 100, WriteRate: 100, WriteBurst: 100}
	}
	return &GlobalConfig{ReadRate: 25, ReadBurst: 25, WriteRate: 25, WriteBurst: 25}
}

// Observer hears what the budget does, for metrics. Its methods must be
// fast and safe for concurrent use.
type Observer interface {
	// Throttled is called for each refusal: scope is ScopeCaller for an
	// operation refused by its caller's bucket, ScopeGlobal for a Stripe
	// call refused by the global budget.
	Throttled(scope string)
	// Spent is called once per operation that ran, with the Stripe calls
	// it actually made.
	Spent(n int)
}

// The scopes of a ThrottledError.
const (
	// ScopeCaller is the caller's own bucket.
	ScopeCaller = "caller"
	// ScopeGlobal is the global budget of idgraph's Stripe calls.
	ScopeGlobal = "global"
)

// limit is the size and refill of one bucket.
type limit struct {
	capacity float64 // tokens (Stripe calls)
	rate     float64 // tokens a second
}

// retryAfter is how long the bucket needs to hold n tokens from tokens.
func (l limit) retryAfter(tokens, n float64) time.Duration {
	if tokens >= n {
		return 0
	}
	return time.Duration(math.Ceil((n - tokens) / l.rate * float64(time.Second)))
}

// Budget holds callers and idgraph to their budgets of Stripe calls. A nil
// *Budget is the budgets switched off. Its methods are safe for concurrent
// use.
type Budget struct {
	caller, server   limit
	globalR, globalW limit
	global           bool
	now              func() time.Time
	logger           *slog.Logger
	observer         Observer
	stores           *stores

	probeCtx   context.Context // canceled by Close
	stopProbes context.CancelFunc
	probes     sync.WaitGroup
	onProbe    func(ok bool) // tests: called after each probe of Redis
	closeOnce  sync.Once
	closeErr   error
}

// New returns a Budget configured by cfg. With a RedisURL that does not
// parse it fails; with a Redis that does not answer it starts on
// in-process buckets (logged, and in Ready) and moves to Redis when it
// answers. Close releases it.
func New(ctx context.Context, cfg Config) (*Budget, error) {
	caller, err := newLimit("", cfg.Capacity, cfg.RestoreRate, DefaultCapacity, DefaultRestoreRate)
	if err != nil {
		return nil, err
	}
	server, err := newLimit("Server", cfg.ServerCapacity, cfg.ServerRestoreRate, DefaultServerCapacity, DefaultServerRestoreRate)
	if err != nil {
		return nil, err
	}
	b := &Budget{caller: caller, server: server, now: cfg.Clock, logger: cfg.Logger, observer: cfg.Observer}
	if g := cfg.Global; g != nil {
		if b.globalR, err = globalLimit("Read", g.ReadRate, g.ReadBurst); err != nil {
			return nil, err
		}
		if b.globalW, err = globalLimit("Write", g.WriteRate, g.WriteBurst); err != nil {
			return nil, err
		}
		b.global = true
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.logger == nil {
		b.logger = slog.New(slog.DiscardHandler)
	}
	if b.observer == nil {
		b.observer = noObserver{}
	}
	b.probeCtx, b.stopProbes = context.WithCancel(context.WithoutCancel(ctx))
	b.stores = &stores{mem: newMemoryStore(b.now)}
	if cfg.RedisURL != "" {
		rs, err := newRedisStore(cfg.RedisURL, cfg.Clock) // nil: Redis's TIME
		if err != nil {
			b.stopProbes()
			return nil, err
		}
		b.stores.redis = rs
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		err = rs.ping(pctx)
		cancel()
		if err != nil {
			b.fellBack(err)
		}
	}
	return b, nil
}

func newLimit(prefix string, capacity, rate, defCapacity, defRate float64) (limit, error) {
	if capacity == 0 {
		capacity = defCapacity
	}
	if rate == 0 {
		rate = defRate
	}
	if !(capacity > 0) || !(rate > 0) || math.IsInf(capacity, 0) || math.IsInf(rate, 0) {
		return limit{}, fmt.Errorf("budget: %sCapacity and %sRestoreRate must be positive, got %v and %v", prefix, prefix, capacity, rate)
	}
	return limit{capacity: capacity, rate: rate}, nil
}

func globalLimit(kind string, rate, burst float64) (limit, error) {
	if burst == 0 {
		burst = rate
	}
	if !(rate > 0) || !(burst >= 1) || math.IsInf(rate, 0) || math.IsInf(burst, 0) {
		return limit{}, fmt.Errorf("budget: Global.%sRate must be positive and %sBurst at least 1, got %v and %v", kind, kind, rate, burst)
	}
	return limit{capacity: burst, rate: rate}, nil
}

// Close stops the Redis probe and closes the Redis client. A nil Budget
// closes nothing.
func (b *Budget) Close() error {
	if b == nil {
		return nil
	}
	b.closeOnce.Do(func() {
		b.stores.mu.Lock()
		b.stores.closed = true
		b.stores.mu.Unlock()
		b.stopProbes()
		b.probes.Wait()
		if b.stores.redis != nil {
			b.closeErr = b.stores.redis.close()
		}
	})
	return b.closeErr
}

// limitOf is the bucket size of caller.
func (b *Budget) limitOf(caller string) limit {
	if caller == ServerCaller {
		return b.server
	}
	return b.caller
}

// Status is a caller's bucket as Shopify's throttleStatus shows it.
type Status struct {
	// MaximumAvailable is the bucket's capacity, in Stripe calls.
	MaximumAvailable float64 `json:"maximumAvailable"`
	// CurrentlyAvailable is what it holds now, rounded down.
	CurrentlyAvailable int `json:"currentlyAvailable"`
	// RestoreRate is how many Stripe calls come back each second.
	RestoreRate float64 `json:"restoreRate"`
}

func (l limit) status(tokens float64) Status {
	return Status{MaximumAvailable: l.capacity, CurrentlyAvailable: max(0, int(math.Floor(tokens))), RestoreRate: l.rate}
}

// Cost is what an operation cost, as Shopify's extensions.cost shows it.
type Cost struct {
	// RequestedQueryCost is the Stripe calls the operation may make,
	// reserved before it ran.
	RequestedQueryCost int `json:"requestedQueryCost"`
	// ActualQueryCost is the Stripe calls it made; null when it did not
	// run (refused).
	ActualQueryCost *int `json:"actualQueryCost"`
	// ThrottleStatus is the caller's bucket afterwards.
	ThrottleStatus Status `json:"throttleStatus"`
}

// Status returns caller's bucket without taking from it: for answers to
// requests that failed before their cost was known.
func (b *Budget) Status(ctx context.Context, caller string) Status {
	l := b.limitOf(caller)
	tokens, _ := b.apply(ctx, caller, l, 0, false)
	return l.status(tokens)
}

// Reservation is an operation's requested cost, taken from its caller's
// bucket before it runs. Metered carries its meter to the Identity client
// (Counting); Settle charges what was called and refunds the rest.
type Reservation struct {
	b         *Budget
	caller    string
	limit     limit
	requested int
	granted   bool
	status    Status
	calls     atomic.Int64
	settle    sync.Once
	cost      Cost
}

// Reserve takes requested Stripe calls from caller's bucket, atomically.
// When the bucket does not hold them it takes nothing and fails with a
// *ThrottledError (Scope ScopeCaller; RetryAfter is when it will), or with
// a *CostExceededError when even a full bucket would not. The Reservation
// is returned in every case, for Settle to report the bucket.
func (b *Budget) Reserve(ctx context.Context, caller string, requested int) (*Reservation, error) {
	l := b.limitOf(caller)
	r := &Reservation{b: b, caller: caller, limit: l, requested: max(requested, 0)}
	n := float64(r.requested)
	if n > l.capacity {
		r.status = b.Status(ctx, caller)
		return r, &CostExceededError{Requested: r.requested, Maximum: l.capacity}
	}
	tokens, ok := b.apply(ctx, caller, l, n, false)
	r.status = l.status(tokens)
	if !ok {
		b.observer.Throttled(ScopeCaller)
		return r, &ThrottledError{Scope: ScopeCaller, RetryAfter: l.retryAfter(tokens, n)}
	}
	r.granted = true
	return r, nil
}

// Requested is the Stripe calls reserved.
func (r *Reservation) Requested() int { return r.requested }

// Status is the caller's bucket when the reservation was made (or
// refused).
func (r *Reservation) Status() Status { return r.status }

// Metered returns ctx carrying the reservation's meter: the Stripe calls
// that Counting makes with it, or with a context derived from it, are the
// operation's actual cost.
func (r *Reservation) Metered(ctx context.Context) context.Context {
	return context.WithValue(ctx, meterKey{}, &r.calls)
}

// Settle ends the reservation: it charges the Stripe calls actually made
// and refunds the rest of the requested ones (or charges the excess, should
// the operation have made more), once; later calls return the same Cost.
// A refused reservation charges nothing.
func (r *Reservation) Settle(ctx context.Context) Cost {
	r.settle.Do(func() {
		r.cost = Cost{RequestedQueryCost: r.requested, ThrottleStatus: r.status}
		if !r.granted {
			return
		}
		actual := int(r.calls.Load())
		r.cost.ActualQueryCost = &actual
		r.b.observer.Spent(actual)
		if delta := float64(actual - r.requested); delta != 0 {
			tokens, _ := r.b.apply(ctx, r.caller, r.limit, delta, true)
			r.cost.ThrottleStatus = r.limit.status(tokens)
		}
	})
	return r.cost
}

// meterKey is the context key of a reservation's meter.
type meterKey struct{}

// meterOf returns the meter of ctx, or nil.
func meterOf(ctx context.Context) *atomic.Int64 {
	m, _ := ctx.Value(meterKey{}).(*atomic.Int64)
	return m
}

type noObserver struct{}

func (noObserver) Throttled(string) {}
func (noObserver) Spent(int)        {}
