package budget

import (
	"context"
	"sync"
	"time"
)

// sweepEvery is how often (on the budget's clock) the in-process store
// forgets buckets that have refilled.
const sweepEvery = 10 * time.Second

// memoryStore keeps buckets in a map, refilled lazily from the clock. A
// full bucket is the same as no bucket, so full ones are not kept: a
// bucket is deleted when an operation leaves it full, and by a sweep (at
// most every sweepEvery, amortised over operations) once it has refilled.
// Memory therefore follows the callers active within one refill period
// (capacity ÷ rate: 20 seconds by default), however many IPs come by.
type memoryStore struct {
	now func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

// bucket is one bucket that is not full.
type bucket struct {
	tokens float64
	at     time.Time // when tokens was true
	full   time.Time // when it will be full again
}

func newMemoryStore(now func() time.Time) *memoryStore {
	return &memoryStore{now: now, buckets: make(map[string]*bucket), swept: now()}
}

var _ store = (*memoryStore)(nil)

func (m *memoryStore) apply(_ context.Context, key string, l limit, n float64, force bool) (float64, bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	tokens, at := l.capacity, now
	if b := m.buckets[key]; b != nil {
		tokens, at = b.tokens, b.at
		// A clock that steps back refills nothing, and the bucket keeps
		// its time so that nothing is refilled twice.
		if now.After(at) {
			tokens = min(l.capacity, tokens+now.Sub(at).Seconds()*l.rate)
			at = now
		}
	}
	ok := force || tokens >= n
	if ok {
		tokens = min(l.capacity, tokens-n)
	}
	if tokens >= l.capacity {
		delete(m.buckets, key)
		return tokens, ok, nil
	}
	toFull := time.Duration((l.capacity - tokens) / l.rate * float64(time.Second))
	m.buckets[key] = &bucket{tokens: tokens, at: at, full: at.Add(toFull)}
	return tokens, ok, nil
}

// sweep forgets the buckets that are full by now, at most every
// sweepEvery.
func (m *memoryStore) sweep(now time.Time) {
	if now.Sub(m.swept) < sweepEvery {
		return
	}
	m.swept = now
	for k, b := range m.buckets {
		if !now.Before(b.full) {
			delete(m.buckets, k)
		}
	}
}

// size is the number of buckets kept (tests).
func (m *memoryStore) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.buckets)
}
