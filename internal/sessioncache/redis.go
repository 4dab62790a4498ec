package sessioncache

import (
	"context"
	"log/slog"
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

// invalidateScript marks a session invalidated at a new stamp (kept for
// ARGV[1] milliseconds, longer than any fetch runs) and deletes its
// entries. KEYS[1] the stamp counter, KEYS[2] the mark, KEYS[3…] the
// entries; it returns the 1-based positions of the entries that existed.
var invalidateScript = redis.NewScript(`
local s = redis.call("INCR", KEYS[1])
redis.call("SET", KEYS[2], s, "PX", ARGV[1])
local had = {}
for i = 3, #KEYS do
  if redis.call("DEL", KEYS[i]) == 1 then table.insert(had, i - 2) end
end
return had
`)

// shared keeps the cache in Redis for every replica, and in mem while
// Redis does not answer.
type shared struct {
	rdb    *redis.Client
	mem    *memory
	ttl    time.Duration
	hold   time.Duration
	logger *slog.Logger

	mu        sync.Mutex
	down      bool
	downUntil time.Time
}

func newShared(rdb *redis.Client, mem *memory, ttl, hold time.Duration, logger *slog.Logger) *shared {
	return &shared{rdb: rdb, mem: mem, ttl: ttl, hold: hold, logger: logger}
}

func entryKey(k key) string    { return keyPrefix + "v:" + k.id + ":" + k.expand }
func markKey(id string) string { return keyPrefix + "inv:" + id }

// usable tells whether to try Redis now.
func (s *shared) usable() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.down || time.Now().After(s.downUntil)
}

// answered and failed follow Redis's health; each switch empties the
// memory, whose entries the other replicas never saw invalidated.
func (s *shared) answered() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		s.down = false
		s.mem.flush()
		s.logger.Info("session cache: Redis answers again; the cache is shared again")
	}
}

func (s *shared) failed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.downUntil = time.Now().Add(retryAfterDown)
	if !s.down {
		s.down = true
		s.mem.flush()
		s.logger.Warn("session cache: Redis does not answer; each replica caches in its own memory until it does", "error", err.Error())
	}
}

func (s *shared) call(ctx context.Context, f func(context.Context) error) bool {
	if !s.usable() {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	if err := f(ctx); err != nil && err != redis.Nil {
		s.failed(err)
		return false
	}
	s.answered()
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

func (s *shared) get(ctx context.Context, k key) ([]byte, bool) {
	var (
		val string
		ok  bool
	)
	if s.call(ctx, func(ctx context.Context) (err error) {
		val, err = s.rdb.Get(ctx, entryKey(k)).Result()
		ok = err == nil
		return err
	}) {
		if !ok {
			return nil, false
		}
		_, raw, found := strings.Cut(val, " ")
		return []byte(raw), found
	}
	return s.mem.get(k)
}

func (s *shared) put(ctx context.Context, k key, t ticket, raw []byte) {
	if t.shared == 0 {
		if !s.usable() {
			s.mem.put(k, t.local, raw)
		}
		return
	}
	s.call(ctx, func(ctx context.Context) error {
		return putScript.Run(ctx, s.rdb, []string{entryKey(k), markKey(k.id)},
			strconv.FormatInt(t.shared, 10), raw, s.ttl.Milliseconds()).Err()
	})
}

func (s *shared) invalidate(ctx context.Context, id string) []string {
	had := s.mem.invalidate(id)
	keys := []string{keyPrefix + "stamp", markKey(id)}
	for _, exp := range cacheableExpansions {
		keys = append(keys, entryKey(key{id, exp}))
	}
	var positions []int64
	if s.call(ctx, func(ctx context.Context) (err error) {
		positions, err = invalidateScript.Run(ctx, s.rdb, keys, (s.hold + s.ttl).Milliseconds()).Int64Slice()
		return err
	}) {
		had = had[:0]
		for _, p := range positions {
			had = append(had, cacheableExpansions[p-1])
		}
	}
	return had
}

func (s *shared) forget(id string) { s.mem.invalidate(id) }
func (s *shared) local() *memory   { return s.mem }
