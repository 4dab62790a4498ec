package sessioncache

import "context"

// cacheableExpansions are the expansions whose answers are kept, as the
// key's expand string: none, and provided_details (what the user typed,
// part of the session itself). Verified outputs and reports are merged
// only.
var cacheableExpansions = []string{"", "provided_details"}

// ticket is a fetch's start, in each store's stamps: local orders it in
// this process, shared (0 when Redis did not answer) among replicas.
type ticket struct {
	local  uint64
	shared int64
}

// store keeps the cached answers. memory is one; shared (redis.go) keeps
// them in Redis, falling back to a memory of its own.
type store interface {
	// sharedStamp stamps the start of a fetch among replicas: 0 without
	// Redis, or while it does not answer.
	sharedStamp(ctx context.Context) int64
	// get returns k's JSON when cached.
	get(ctx context.Context, k key) ([]byte, bool)
	// put stores k's JSON fetched by the call that began at t, unless a
	// later-started write or an invalidation came after t.
	put(ctx context.Context, k key, t ticket, raw []byte)
	// invalidate forgets id and refuses the writes of calls begun before;
	// it returns the expansions that were cached.
	invalidate(ctx context.Context, id string) []string
	// forget forgets id in this process only: for an event another
	// replica has already applied to the shared store.
	forget(id string)
	// local is the process's own memory, which also orders merged calls.
	local() *memory
}

// inProcess is the store without Redis.
type inProcess struct{ m *memory }

func (inProcess) sharedStamp(context.Context) int64 { return 0 }
func (s inProcess) get(_ context.Context, k key) ([]byte, bool) {
	return s.m.get(k)
}
func (s inProcess) put(_ context.Context, k key, t ticket, raw []byte) { s.m.put(k, t.local, raw) }
func (s inProcess) invalidate(_ context.Context, id string) []string   { return s.m.invalidate(id) }
func (s inProcess) forget(id string)                                   { s.m.invalidate(id) }
func (s inProcess) local() *memory                                     { return s.m }
