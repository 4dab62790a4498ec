package events

import (
	"context"
	"crypto/rand"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// The defaults of Options.
const (
	// DefaultMaxSubscriptions bounds a hub's subscriptions: with the
	// default Buffer, about 30 MB of buffers at most.
	DefaultMaxSubscriptions = 10_000
	// DefaultMaxPerCaller bounds one caller's: a few browser tabs with a
	// few subscriptions each.
	DefaultMaxPerCaller = 32
	// DefaultBuffer is an Every subscription's buffer, in events: a burst
	// a subscriber gets whole while it is busy elsewhere.
	DefaultBuffer = 32
	// DefaultRecentIDs is how many event IDs the hub remembers to deliver
	// each once: well over the events of Stripe's five-minute signature
	// tolerance at any rate Identity sees, in about 1 MB.
	DefaultRecentIDs = 10_000
	// DefaultRedisHealthInterval is how long the Redis subscription may be
	// silent before the hub pings it.
	DefaultRedisHealthInterval = time.Second
)

// Options configure a Hub. Zero fields take their defaults.
type Options struct {
	// RedisURL ("redis://[:password@]host:port/db", rediss:// for TLS)
	// shares events with every replica on that Redis; empty keeps them in
	// this process.
	RedisURL string
	// Logger receives the loss and return of Redis; nil discards.
	Logger *slog.Logger
	// MaxSubscriptions is the most subscriptions the hub holds at once.
	MaxSubscriptions int
	// MaxPerCaller is the most one caller (Filter.Caller) holds at once.
	MaxPerCaller int
	// CallerLimits replaces MaxPerCaller for the callers it names, such as
	// the one key all server keys share ("server").
	CallerLimits map[string]int
	// Buffer is an Every subscription's buffer, in events.
	Buffer int
	// RecentIDs is how many event IDs the hub remembers, to deliver each
	// once.
	RecentIDs int
	// RedisHealthInterval is how long the Redis subscription may be silent
	// before the hub pings it; a ping unanswered by the next interval
	// counts as Redis down.
	RedisHealthInterval time.Duration
}

// Hub delivers Events from publishers to subscriptions. Its methods are
// safe for concurrent use.
type Hub struct {
	maxSubs      int
	maxPerCaller int
	callerLimits map[string]int
	buffer       int
	logger       *slog.Logger
	origin       string  // this hub's ID in Redis messages
	recent       *recent // IDs delivered
	redis        *bridge // nil: this process only
	observers    atomic.Pointer[[]Observer]

	mu         sync.RWMutex // guards the fields below; Publish reads
	closed     bool
	bySession  map[string][]*Subscription // Filter.SessionID set
	anySession []*Subscription            // Filter.SessionID empty
	perCaller  map[string]int
	total      int

	published, delivered, dropped, duplicates, remote, echoes atomic.Uint64
}

// Stats are a hub's counters since New, for metrics.
type Stats struct {
	// Subscriptions is the number open now.
	Subscriptions int
	// Published counts events accepted by Publish.
	Published uint64
	// Delivered counts events put in a subscription's buffer.
	Delivered uint64
	// Dropped counts events lost by slow subscribers: dropped from a full
	// Every buffer or replaced in a Latest one.
	Dropped uint64
	// Duplicates counts events ignored as delivered already, published
	// here or received from Redis.
	Duplicates uint64
	// Remote counts events received from other replicas through Redis.
	Remote uint64
	// Echoes counts this hub's own events back from Redis, ignored.
	Echoes uint64
	// RedisDropped counts events not sent to Redis: it was down or the
	// queue to it was full. Other replicas never saw them.
	RedisDropped uint64
}

// New returns a Hub configured by o. With a RedisURL that does not parse it
// fails; with a Redis that does not answer it starts delivering in process
// only (logged, and in Ready) and shares events once Redis answers. Close
// releases it.
func New(ctx context.Context, o Options) (*Hub, error) {
	h := &Hub{
		maxSubs:      defaulted(o.MaxSubscriptions, DefaultMaxSubscriptions),
		maxPerCaller: defaulted(o.MaxPerCaller, DefaultMaxPerCaller),
		callerLimits: o.CallerLimits,
		buffer:       defaulted(o.Buffer, DefaultBuffer),
		logger:       o.Logger,
		origin:       rand.Text(),
		recent:       newRecent(defaulted(o.RecentIDs, DefaultRecentIDs)),
		bySession:    map[string][]*Subscription{},
		perCaller:    map[string]int{},
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if o.RedisURL != "" {
		b, err := newBridge(ctx, h, o.RedisURL, defaulted(o.RedisHealthInterval, DefaultRedisHealthInterval))
		if err != nil {
			return nil, err
		}
		h.redis = b
	}
	return h, nil
}

func defaulted[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Close ends every subscription (their channels close) and stops sharing
// through Redis. Publish and Subscribe then fail with ErrClosed.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	subs := append([]*Subscription(nil), h.anySession...)
	for _, b := range h.bySession {
		subs = append(subs, b...)
	}
	h.mu.Unlock()
	for _, s := range subs {
		s.Close()
	}
	if h.redis != nil {
		return h.redis.close()
	}
	return nil
}

// Publish delivers e to the matching subscriptions of every replica. It
// never blocks: a subscriber's full buffer loses an event (Delivery says
// which), and the event goes to Redis through a bounded queue. It fails
// with ErrInvalidEvent for an event without an ID, a session ID or a
// session event type, with ErrDuplicate (not a failure) for an ID
// delivered already, and with ErrClosed after Close. ctx is not used
// today: nothing waits.
func (h *Hub) Publish(ctx context.Context, e Event) error {
	if err := e.validate(); err != nil {
		return err
	}
	h.mu.RLock()
	closed := h.closed
	h.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	if !h.recent.add(e.ID) {
		h.duplicates.Add(1)
		return ErrDuplicate
	}
	h.published.Add(1)
	h.observe(e, false)
	h.deliver(&e)
	if h.redis != nil {
		h.redis.send(e)
	}
	return nil
}

// receive delivers an event another replica published.
func (h *Hub) receive(e Event) {
	if !h.recent.add(e.ID) {
		h.duplicates.Add(1)
		return
	}
	h.remote.Add(1)
	h.observe(e, true)
	h.deliver(&e)
}

// Observer is told of each event the hub delivers, once per event ID,
// before any subscription is offered it; remote says it came from another
// replica through Redis. It runs in the publisher's goroutine, so it must
// be quick; it is how the session cache (internal/sessioncache) forgets a
// session before anyone can hear of its change and read it again.
type Observer func(e Event, remote bool)

// Observe adds o to the hub's observers, for the rest of the hub's life.
func (h *Hub) Observe(o Observer) {
	for {
		old := h.observers.Load()
		var next []Observer
		if old != nil {
			next = append(next, *old...)
		}
		next = append(next, o)
		if h.observers.CompareAndSwap(old, &next) {
			return
		}
	}
}

func (h *Hub) observe(e Event, remote bool) {
	if obs := h.observers.Load(); obs != nil {
		for _, o := range *obs {
			o(e, remote)
		}
	}
}

// deliver offers e to each matching subscription. Offers do not block, so
// holding the read lock through them is short; a Subscribe or Close waits
// for the fan-out in progress, and no offer reaches a subscription after
// its removal.
func (h *Hub) deliver(e *Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.closed {
		return
	}
	for _, s := range h.bySession[e.SessionID] {
		if s.m.matches(e) {
			h.offer(s, e)
		}
	}
	for _, s := range h.anySession {
		if s.m.matches(e) {
			h.offer(s, e)
		}
	}
}

func (h *Hub) offer(s *Subscription, e *Event) {
	h.delivered.Add(1)
	if s.offer(e) {
		h.dropped.Add(1)
	}
}

// Subscribe opens a subscription to the events f selects, until ctx is
// done or Close. It fails with ErrInvalidFilter for a filter it cannot
// serve, with a *LimitError (errors.Is ErrTooManySubscriptions) past the
// hub's or the caller's limit, and with ErrClosed after Close.
func (h *Hub) Subscribe(ctx context.Context, f Filter) (*Subscription, error) {
	m, err := compile(f)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	size := h.buffer
	if f.Delivery == Latest {
		size = 1
	}
	s := &Subscription{hub: h, m: m, caller: f.Caller, ch: make(chan Event, size)}
	if err := h.add(s); err != nil {
		return nil, err
	}
	s.watch(ctx)
	return s, nil
}

// add registers s within the limits.
func (h *Hub) add(s *Subscription) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	if h.total >= h.maxSubs {
		return &LimitError{Scope: ScopeHub, Limit: h.maxSubs}
	}
	limit := h.maxPerCaller
	if l, ok := h.callerLimits[s.caller]; ok {
		limit = l
	}
	if h.perCaller[s.caller] >= limit {
		return &LimitError{Scope: ScopeCaller, Limit: limit}
	}
	h.total++
	h.perCaller[s.caller]++
	if id := s.m.sessionID; id != "" {
		s.idx = len(h.bySession[id])
		h.bySession[id] = append(h.bySession[id], s)
	} else {
		s.idx = len(h.anySession)
		h.anySession = append(h.anySession, s)
	}
	return nil
}

// remove unregisters s, once.
func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.idx < 0 {
		return
	}
	id := s.m.sessionID
	list := h.anySession
	if id != "" {
		list = h.bySession[id]
	}
	// Swap the last one into s's place: order does not matter, and
	// removal stays O(1) with thousands on one session.
	last := list[len(list)-1]
	list[s.idx], last.idx = last, s.idx
	list[len(list)-1] = nil
	list = list[:len(list)-1]
	switch {
	case id == "":
		h.anySession = list
	case len(list) == 0:
		delete(h.bySession, id)
	default:
		h.bySession[id] = list
	}
	s.idx = -1
	h.total--
	if h.perCaller[s.caller]--; h.perCaller[s.caller] == 0 {
		delete(h.perCaller, s.caller)
	}
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	n := h.total
	h.mu.RUnlock()
	st := Stats{
		Subscriptions: n,
		Published:     h.published.Load(),
		Delivered:     h.delivered.Load(),
		Dropped:       h.dropped.Load(),
		Duplicates:    h.duplicates.Load(),
		Remote:        h.remote.Load(),
		Echoes:        h.echoes.Load(),
	}
	if h.redis != nil {
		st.RedisDropped = h.redis.dropped.Load()
	}
	return st
}

// Ready tells whether events reach every replica: false, with the reason,
// while Redis does not answer and each replica's subscribers see only the
// events published in their process. Subscriptions are served either way,
// so /readyz should say it and stay ready. A hub without Redis is always
// ready.
func (h *Hub) Ready() (ok bool, reason string) {
	if h.redis == nil {
		return true, ""
	}
	return h.redis.ready()
}
