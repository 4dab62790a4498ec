package sessioncache

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// keyPrefix namespaces the cache's keys in a Redis shared with others (the
// database number keeps deployments apart).
const keyPrefix = "idgraph:cache:"

const (
	// redisTimeout bounds one Redis command: a cache that waits longer
	// than Stripe would answer is no help.
	redisTimeout = 250 * time.Millisecond
	// retryAfterDown is how long a replica uses its own memory after
	// Redis failed, before it tries Redis again.
	retryAfterDown = time.Second
)

// putScript stores a fetched session unless a later-started write or an
// invalidation came after its fetch began. KEYS[1] the entry, KEYS[2] the
// session's invalidation mark; ARGV stamp, JSON, TTL in milliseconds. The
// value is "<stamp> <json>".
var putScript = redis.NewScript(`
local s = tonumber(ARGV[1])
local inv = tonumber(redis.call("GET", KEYS[2]) or "0")
if s <= inv then return 0 end
local cur = redis.call("GET", KEYS[1])
if cur then
  local cs = tonumber(string.match(cur, "^(%d+) "))
  if cs and cs >= s then return 0 end
end
redis.call("SET", KEYS[1], ARGV[1] .. " " .. ARGV[2], "PX", ARGV[3])
return 1
`)

// invalidateScript marks a session invalidated at a new stamp (the mark
// lives ARGV[1] milliseconds, longer than any fetch runs) and deletes its
// entries. With ARGV[2] "1" it does so once per event (KEYS[3] remembers
// the event), so that the replicas that all hear an event do not each
// refuse the fetch the first one started after it. With a since (ARGV[3]
// > 0) it then stores a mutation's answer, as memory.changed does: ARGV[5]
// under the ARGV[4]th entry, for ARGV[6] milliseconds, newer than the mark,
// unless the previous mark came after since. KEYS[1] is the stamp counter,
// KEYS[2] the mark, KEYS[4…] the entries. It returns the mark, then the
// 1-based positions of the entries that existed.
var invalidateScript = redis.NewScript(`
if ARGV[2] == "1" and not redis.call("SET", KEYS[3], "1", "NX", "PX", ARGV[1]) then
  return {tonumber(redis.call("GET", KEYS[2]) or "0")}
end
local prev = tonumber(redis.call("GET", KEYS[2]) or "0")
local s = redis.call("INCR", KEYS[1])
redis.call("SET", KEYS[2], s, "PX", ARGV[1])
local out = {s}
for i = 4, #KEYS do
  if redis.call("DEL", KEYS[i]) == 1 then table.insert(out, i - 3) end
end
local since = tonumber(ARGV[3])
if since > 0 and since > prev then
  local a = redis.call("INCR", KEYS[1])
  redis.call("SET", KEYS[3 + tonumber(ARGV[4])], a .. " " .. ARGV[5], "PX", ARGV[6])
end
return out
`)

// shared keeps the cache in Redis for every replica, and in mem while
// Redis does not answer.
//
// An invalidation reaches Redis after this process has applied it (share
// follows invalidate): until Redis has taken it, this process serves none
// of the session's Redis entries, which may predate it. One Redis did not
// take is replayed before this process uses Redis again. And a write
// begun before an invalidation this process remembers is refused even if
// Redis's own mark would let it in (Redis lost its keys, or has not taken
// the invalidation yet).
type shared struct {
	rdb    *redis.Client
	mem    *memory
	ttl    time.Duration
	hold   time.Duration
	logger *slog.Logger

	mu        sync.Mutex
	down      bool
	downUntil time.Time
	replaying bool
	// sending counts each session's invalidations on their way to Redis;
	// failed holds the sessions whose invalidation Redis did not take.
	// Whenever failed is not empty, down is true.
	sending map[string]int
	failed  map[string]bool
}

func newShared(rdb *redis.Client, mem *memory, ttl, hold time.Duration, logger *slog.Logger) *shared {
	return &shared{rdb: rdb, mem: mem, ttl: ttl, hold: hold, logger: logger,
		sending: map[string]int{}, failed: map[string]bool{}}
}

func entryKey(k key) string        { return keyPrefix + "v:" + k.id + ":" + k.expand }
func markKey(id string) string     { return keyPrefix + "inv:" + id }
func eventKey(event string) string { return keyPrefix + "evt:" + event }

// owes tells whether Redis has yet to take an invalidation of id.
func (s *shared) owes(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sending[id] > 0 || s.failed[id]
}

func (s *shared) isDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

// ready tells whether to use Redis now. After a failure it waits
// retryAfterDown, then replays the invalidations Redis missed before
// anything else reaches it; only then is Redis used again.
func (s *shared) ready(ctx context.Context) bool {
	s.mu.Lock()
	if !s.down {
		s.mu.Unlock()
		return true
	}
	if s.replaying || s.mem.now().Before(s.downUntil) {
		s.mu.Unlock()
		return false
	}
	s.replaying = true
	missed := s.failed
	s.failed = map[string]bool{} // what fails meanwhile is replayed next time
	s.mu.Unlock()

	var err error
	for id := range missed {
		if _, _, err = s.invalidateRedis(ctx, id, "", nil); err != nil {
			break
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.replaying = false
	if err != nil {
		for id := range missed {
			s.failed[id] = true
		}
		s.failLocked(err)
		return false
	}
	if len(s.failed) > 0 {
		return false
	}
	s.down = false
	s.mem.flush() // its entries were never invalidated in other replicas
	s.logger.Info("session cache: Redis answers again; the cache is shared again", "replayed", len(missed))
	return true
}

// failLocked notes that Redis failed: each replica caches in its own
// memory, emptied at each switch, until Redis answers again.
func (s *shared) failLocked(err error) {
	s.downUntil = s.mem.now().Add(retryAfterDown)
	if !s.down {
		s.down = true
		s.mem.flush()
		s.logger.Warn("session cache: Redis does not answer; each replica caches in its own memory until it does", "error", err.Error())
	}
}

// call runs f against Redis, if Redis is to be used now, and says whether
// it answered.
func (s *shared) call(ctx context.Context, f func(context.Context) error) bool {
	if !s.ready(ctx) {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	if err := f(ctx); err != nil && err != redis.Nil {
		s.mu.Lock()
		s.failLocked(err)
		s.mu.Unlock()
		return false
	}
	return true
}

func (s *shared) sharedStamp(ctx context.Context) int64 {
	var n int64
	s.call(ctx, func(ctx context.Context) (err error) {
		n, err = s.rdb.Incr(ctx, keyPrefix+"stamp").Result()
		return err
	})
	return n
}

func (s *shared) get(ctx context.Context, k key) ([]byte, int64, bool) {
	var vals []any
	// ready first: it may replay what this process owes Redis.
	if s.ready(ctx) && !s.owes(k.id) && s.call(ctx, func(ctx context.Context) (err error) {
		vals, err = s.rdb.MGet(ctx, entryKey(k), markKey(k.id)).Result()
		return err
	}) {
		var mark int64
		if m, ok := vals[1].(string); ok {
			mark, _ = strconv.ParseInt(m, 10, 64)
		}
		val, ok := vals[0].(string)
		if !ok {
			return nil, mark, false
		}
		_, raw, found := strings.Cut(val, " ")
		return []byte(raw), mark, found
	}
	if !s.isDown() {
		return nil, 0, false // owed: Redis's entries may predate the invalidation
	}
	raw, ok := s.mem.get(k)
	return raw, 0, ok
}

func (s *shared) put(ctx context.Context, k key, t ticket, raw []byte) {
	if t.local <= s.mem.invalidated(k.id) {
		return // refused here even should Redis have lost its counter and marks
	}
	if t.shared == 0 {
		// Not stamped by Redis: it was down, and the memory serves.
		if s.isDown() {
			s.mem.put(k, t.local, raw)
		}
		return
	}
	s.call(ctx, func(ctx context.Context) error {
		return putScript.Run(ctx, s.rdb, []string{entryKey(k), markKey(k.id)},
			t.shared, raw, s.ttl.Milliseconds()).Err()
	})
}

func (s *shared) invalidate(id string) []string {
	s.owe(id)
	return s.mem.invalidate(id)
}

func (s *shared) share(ctx context.Context, id, event string) (had []string, mark int64) {
	s.send(ctx, id, func(ctx context.Context) (err error) {
		had, mark, err = s.invalidateRedis(ctx, id, event, nil)
		return err
	})
	return had, mark
}

func (s *shared) changed(ctx context.Context, k key, since ticket, raw []byte) {
	s.owe(k.id)
	var memRaw []byte
	if s.isDown() {
		memRaw = raw // the memory serves while Redis is down
	}
	if !s.mem.changed(k, since.local, memRaw) || since.shared == 0 {
		raw = nil // an invalidation since the mutation began, here or in a Redis that was down
	}
	s.send(ctx, k.id, func(ctx context.Context) error {
		_, _, err := s.invalidateRedis(ctx, k.id, "", &answer{k.expand, since.shared, raw})
		return err
	})
}

// owe notes an invalidation of id on its way to Redis (send).
func (s *shared) owe(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sending[id]++
}

// send runs f, an invalidation of id that owe noted, against Redis; when
// Redis does not take it, it is replayed before Redis is used again.
func (s *shared) send(ctx context.Context, id string, f func(context.Context) error) {
	for {
		ok := s.call(ctx, f)
		s.mu.Lock()
		if ok || s.down {
			if !ok {
				s.failed[id] = true
			}
			break
		}
		s.mu.Unlock() // Redis came back between the skip and now: again
	}
	defer s.mu.Unlock()
	if s.sending[id]--; s.sending[id] <= 0 {
		delete(s.sending, id)
	}
}

// answer is a mutation's answer for invalidateScript to store.
type answer struct {
	expand string
	since  int64
	raw    []byte
}

// invalidateRedis runs invalidateScript for id: once per event when event
// is not "", storing a (unless nil, or its raw is) after the invalidation.
func (s *shared) invalidateRedis(ctx context.Context, id, event string, a *answer) (had []string, mark int64, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	keys := []string{keyPrefix + "stamp", markKey(id), eventKey(event)}
	for _, exp := range cacheableExpansions {
		keys = append(keys, entryKey(key{id, exp}))
	}
	once := "0"
	if event != "" {
		once = "1"
	}
	args := []any{(s.hold + s.ttl).Milliseconds(), once, 0, 0, "", 0}
	if a != nil && a.raw != nil {
		args[2], args[3], args[4], args[5] = a.since, slices.Index(cacheableExpansions, a.expand)+1, a.raw, s.ttl.Milliseconds()
	}
	out, err := invalidateScript.Run(ctx, s.rdb, keys, args...).Int64Slice()
	if err != nil || len(out) == 0 {
		return nil, 0, err
	}
	for _, p := range out[1:] {
		had = append(had, cacheableExpansions[p-1])
	}
	return had, out[0], nil
}

func (s *shared) local() *memory { return s.mem }
