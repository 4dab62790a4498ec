package sessioncache

import (
	"container/list"
	"sync"
	"time"
)

// key names one cached answer: a session and the expansions of its read
// ("" or "provided_details", the only cacheable ones).
type key struct{ id, expand string }

// entryOverhead is what an entry costs beside its JSON, roughly: the map
// slot, the list element, the strings.
const entryOverhead = 256

// memory is the in-process store: entries bounded by their bytes, least
// recently used first out, and each session's last invalidation stamp.
// Its stamps are a counter of its own; they also order merged calls
// against invalidations (Client.retrieve), in every mode.
type memory struct {
	now  func() time.Time
	ttl  time.Duration
	max  int64
	hold time.Duration // how long an invalidation is remembered

	mu      sync.Mutex
	seq     uint64
	bytes   int64
	entries map[key]*list.Element // of *memEntry
	lru     *list.List            // front: most recently used
	inv     map[string]invalidation
	pruned  time.Time
}

type memEntry struct {
	k       key
	stamp   uint64
	raw     []byte
	expires time.Time
}

type invalidation struct {
	stamp uint64
	at    time.Time
}

func newMemory(now func() time.Time, ttl time.Duration, maxBytes int64, hold time.Duration) *memory {
	return &memory{now: now, ttl: ttl, max: maxBytes, hold: hold,
		entries: map[key]*list.Element{}, lru: list.New(), inv: map[string]invalidation{}}
}

// stamp returns the next stamp: later calls, larger stamps.
func (m *memory) stamp() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	return m.seq
}

// invalidated returns the stamp of id's last invalidation, 0 for none
// remembered.
func (m *memory) invalidated(id string) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inv[id].stamp
}

func (m *memory) get(k key) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.entries[k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*memEntry)
	if !m.now().Before(e.expires) {
		m.remove(el)
		return nil, false
	}
	m.lru.MoveToFront(el)
	return e.raw, true
}

// put stores raw under k, fetched from a call that started at stamp,
// unless a later-started write or an invalidation came after that start.
func (m *memory) put(k key, stamp uint64, raw []byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if stamp <= m.inv[k.id].stamp {
		return false
	}
	if el, ok := m.entries[k]; ok {
		if el.Value.(*memEntry).stamp >= stamp {
			return false
		}
		m.remove(el)
	}
	return m.store(k, stamp, raw)
}

// store keeps raw under k at stamp, making room for it; k is not cached.
func (m *memory) store(k key, stamp uint64, raw []byte) bool {
	size := int64(len(raw)) + entryOverhead
	if size > m.max {
		return false
	}
	for m.bytes+size > m.max {
		m.remove(m.lru.Back())
	}
	m.entries[k] = m.lru.PushFront(&memEntry{k: k, stamp: stamp, raw: raw, expires: m.now().Add(m.ttl)})
	m.bytes += size
	return true
}

// invalidate forgets id's entries and refuses the writes of calls that
// started before now. It returns the expansions that were cached.
func (m *memory) invalidate(id string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	had, _ := m.invalidateLocked(id)
	return had
}

func (m *memory) invalidateLocked(id string) (had []string, prev uint64) {
	prev = m.inv[id].stamp
	m.seq++
	now := m.now()
	m.inv[id] = invalidation{stamp: m.seq, at: now}
	for _, exp := range cacheableExpansions {
		if el, ok := m.entries[key{id, exp}]; ok {
			if now.Before(el.Value.(*memEntry).expires) {
				had = append(had, exp)
			}
			m.remove(el)
		}
	}
	m.prune(now)
	return had, prev
}

// changed applies the answer of a mutation of k.id that began at since.
// The session is invalidated: a read begun before now may have fetched it
// before Stripe applied the mutation. The answer (raw, unless nil) is then
// stored as newer than all of those, but only if nothing else invalidated
// the session since the mutation began: an event meanwhile may be of a
// later change than the answer shows. fresh says whether nothing did.
func (m *memory) changed(k key, since uint64, raw []byte) (fresh bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, prev := m.invalidateLocked(k.id)
	fresh = since > prev
	if fresh && raw != nil {
		m.seq++
		m.store(k, m.seq, raw)
	}
	return fresh
}

// prune forgets invalidations older than any call still running (hold):
// such a call has ended, so no write can predate them any more. It scans
// at most once per hold.
func (m *memory) prune(now time.Time) {
	if now.Sub(m.pruned) < m.hold {
		return
	}
	m.pruned = now
	for id, inv := range m.inv {
		if now.Sub(inv.at) > m.hold {
			delete(m.inv, id)
		}
	}
}

// flush forgets every entry (not the invalidations).
func (m *memory) flush() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = map[key]*list.Element{}
	m.lru.Init()
	m.bytes = 0
}

// size returns the entries and their bytes.
func (m *memory) size() (n int, bytes int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries), m.bytes
}

func (m *memory) remove(el *list.Element) {
	e := m.lru.Remove(el).(*memEntry)
	delete(m.entries, e.k)
	m.bytes -= int64(len(e.raw)) + entryOverhead
}
