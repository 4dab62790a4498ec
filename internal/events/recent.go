package events

import "sync"

// recent remembers the last n IDs it was given, first in first out: enough
// to tell a repeat of a recent event, in memory bounded by n.
type recent struct {
	mu   sync.Mutex
	set  map[string]struct{}
	ring []string // the IDs in set, oldest at next once full
	next int
}

func newRecent(n int) *recent {
	return &recent{set: make(map[string]struct{}, n), ring: make([]string, n)}
}

// add remembers id, forgetting the oldest one past n; it reports whether
// id is new.
func (r *recent) add(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.set[id]; ok {
		return false
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.set, old)
	}
	r.ring[r.next] = id
	r.set[id] = struct{}{}
	r.next = (r.next + 1) % len(r.ring)
	return true
}
