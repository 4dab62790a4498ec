package budget

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// This file chooses where buckets live: in Redis when it is configured and
// answers, else in process. A Redis failure moves every bucket to the
// process (logged once per outage, shown by Ready); a probe, at most one at
// a time and after a growing backoff on the budget's clock, moves them back
// when Redis answers again. The in-process buckets do not know what the
// Redis ones held, and the other way round: during an outage each replica
// grants its own capacity, and back on Redis a caller finds their bucket as
// they left it there (or full, if it expired).

const (
	// storeTimeout bounds one bucket operation in Redis, whatever the
	// request's context: a refund is owed even to a client that left.
	storeTimeout = time.Second
	// probeTimeout bounds a probe of Redis (and the first ping in New).
	probeTimeout = time.Second
	// The backoff between probes of a Redis that does not answer.
	minBackoff = time.Second
	maxBackoff = 30 * time.Second
)

// store keeps buckets. apply refills key's bucket (of size l) to now and
// then takes n tokens from it: only if it holds them, or whatever it holds
// when force is set (a negative n gives tokens back, up to the capacity).
// It returns the tokens left and whether it took them.
type store interface {
	apply(ctx context.Context, key string, l limit, n float64, force bool) (tokens float64, ok bool, err error)
}

// stores are a Budget's buckets: in process, and in Redis when configured.
type stores struct {
	mem   *memoryStore
	redis *redisStore // nil: in process only

	mu      sync.Mutex
	down    bool      // Redis failed: serve from mem
	since   time.Time // when it failed
	retryAt time.Time // when to probe it next
	backoff time.Duration
	probing bool
	closed  bool
}

// apply is store.apply on the store that serves now; a Redis failure is
// served in process.
func (b *Budget) apply(ctx context.Context, key string, l limit, n float64, force bool) (tokens float64, ok bool) {
	if rs := b.redisStore(); rs != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		tokens, ok, err := rs.apply(sctx, key, l, n, force)
		cancel()
		if err == nil {
			return tokens, ok
		}
		b.fellBack(err)
	}
	tokens, ok, _ = b.stores.mem.apply(ctx, key, l, n, force)
	return tokens, ok
}

// redisStore returns the Redis store when it serves; nil when there is
// none or it is down, in which case it starts a probe once the backoff has
// passed.
func (b *Budget) redisStore() *redisStore {
	s := b.stores
	if s.redis == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	if !s.down {
		return s.redis
	}
	if !s.probing && !b.now().Before(s.retryAt) {
		s.probing = true
		b.probes.Add(1)
		go b.probe()
	}
	return nil
}

// fellBack records that Redis failed with err; the first failure of an
// outage is logged.
func (b *Budget) fellBack(err error) {
	s := b.stores
	s.mu.Lock()
	if s.down || s.closed {
		s.mu.Unlock()
		return
	}
	s.down, s.since = true, b.now()
	s.backoff = minBackoff
	s.retryAt = s.since.Add(s.backoff)
	s.mu.Unlock()
	b.logger.Warn("budget: Redis does not answer; budgets are per process until it does",
		"error", err.Error(), "retry_in", minBackoff.String())
}

// probe pings Redis once: an answer moves the buckets back to it, silence
// doubles the backoff.
func (b *Budget) probe() {
	defer b.probes.Done()
	ctx, cancel := context.WithTimeout(b.probeCtx, probeTimeout)
	err := b.stores.redis.ping(ctx)
	cancel()
	s := b.stores
	s.mu.Lock()
	s.probing = false
	back := err == nil && !s.closed
	if back {
		s.down = false
	} else {
		s.backoff = min(2*s.backoff, maxBackoff)
		s.retryAt = b.now().Add(s.backoff)
	}
	since := s.since
	hook := b.onProbe
	s.mu.Unlock()
	if back {
		b.logger.Info("budget: Redis answers again; budgets are shared again", "down_for", b.now().Sub(since).Round(time.Millisecond).String())
	}
	if hook != nil {
		hook(back)
	}
}

// Ready tells whether the budget works as configured: false, with the
// reason, while Redis does not answer and buckets are per process. Requests
// are served either way; a /readyz that fails on it would take every
// replica out of the load balancer together, so report the reason rather
// than fail. A nil Budget, or one without Redis, is always ready.
func (b *Budget) Ready() (ok bool, reason string) {
	if b == nil || b.stores.redis == nil {
		return true, ""
	}
	s := b.stores
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.down {
		return true, ""
	}
	return false, fmt.Sprintf("budget: Redis has not answered since %s; budgets are per process until it does",
		s.since.UTC().Format(time.RFC3339))
}
