package sessioncache

import "context"

// cacheableExpansions are the expansions whose answers are kept, as the
// key's expand string: none, and provided_details (what the user typed,
// part of the session itself). Verified outputs and reports are merged
// only.
var cacheableExpansions = []string{"", "provided_details"}

// ticket is a moment, a fetch's or a mutation's start, in each store's
// stamps: local orders it in this process, shared (0 when Redis did not
// answer) among replicas.
type ticket struct {
	local  uint64
	shared int64
}

// store keeps the cached answers. memory is one; shared (redis.go) keeps
// them in Redis, falling back to a memory of its own.
type store interface {
	// sharedStamp stamps a moment among replicas: 0 without Redis, or
	// while it does not answer.
	sharedStamp(ctx context.Context) int64
	// get returns k's JSON when cached, and the shared stamp of the
	// session's last invalidation (0: none known).
	get(ctx context.Context, k key) (raw []byte, mark int64, ok bool)
	// put stores k's JSON fetched by the call that began at t, unless a
	// later-started write or an invalidation came after t.
	put(ctx context.Context, k key, t ticket, raw []byte)
	// invalidate forgets id in this process at once, refusing the writes
	// of calls begun before; it returns the expansions cached here. Each
	// invalidate is followed by one share.
	invalidate(id string) []string
	// share applies id's invalidation to the store the replicas share,
	// once per event (event "": always). It returns the expansions that
	// were cached there and the invalidation's mark.
	share(ctx context.Context, id, event string) (had []string, mark int64)
	// changed applies the answer of a mutation of k.id begun at since,
	// in every store at once (memory.changed): the session is
	// invalidated, and raw (unless nil) is stored unless the session was
	// invalidated since.
	changed(ctx context.Context, k key, since ticket, raw []byte)
	// local is the process's own memory, which also orders merged calls.
	local() *memory
}

// inProcess is the store without Redis.
type inProcess struct{ m *memory }

func (inProcess) sharedStamp(context.Context) int64 { return 0 }
func (s inProcess) get(_ context.Context, k key) ([]byte, int64, bool) {
	raw, ok := s.m.get(k)
	return raw, 0, ok
}
func (s inProcess) put(_ context.Context, k key, t ticket, raw []byte) { s.m.put(k, t.local, raw) }
func (s inProcess) invalidate(id string) []string                      { return s.m.invalidate(id) }
func (inProcess) share(context.Context, string, string) ([]string, int64) {
	return nil, 0
}
func (s inProcess) changed(_ context.Context, k key, since ticket, raw []byte) {
	s.m.changed(k, since.local, raw)
}
func (s inProcess) local() *memory { return s.m }
