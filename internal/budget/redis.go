package budget

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// keyPrefix namespaces the budget's keys in a Redis shared with others.
const keyPrefix = "idgraph:budget:"

// applyScript is store.apply in one atomic step. A bucket is a hash of
// its tokens and the time (milliseconds) they were counted at; a missing
// key is a full bucket, so a bucket that would be full is deleted and
// every other one expires when it would be full, and idle callers cost
// Redis nothing.
//
// KEYS[1] the bucket; ARGV capacity, rate (tokens a second), n, force
// ("1" or "0"), now (milliseconds; empty: Redis's TIME, one clock for
// every replica). It returns {1 if taken else 0, tokens left as a string}
// (Lua numbers would come back truncated to integers).
var applyScript = redis.NewScript(`
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local force = ARGV[4] == "1"
local now
if ARGV[5] ~= "" then
  now = tonumber(ARGV[5])
else
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local tokens, at = capacity, now
local b = redis.call("HMGET", KEYS[1], "tokens", "at")
if b[1] then
  tokens, at = tonumber(b[1]), tonumber(b[2])
  if now > at then
    tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
    at = now
  end
end
local ok = 0
if force or tokens >= n then
  tokens = math.min(capacity, tokens - n)
  ok = 1
end
if tokens >= capacity then
  redis.call("DEL", KEYS[1])
else
  redis.call("HSET", KEYS[1], "tokens", tostring(tokens), "at", tostring(at))
  redis.call("PEXPIRE", KEYS[1], math.ceil((capacity - tokens) * 1000 / rate) + 1000)
end
return {ok, tostring(tokens)}
`)

// redisStore keeps buckets in Redis, shared by every replica.
type redisStore struct {
	client *redis.Client
	now    func() time.Time // nil: Redis's TIME
}

var _ store = (*redisStore)(nil)

// newRedisStore connects lazily to the Redis at url. Failures must be
// quick, for the budget to fall back rather than hold requests: short
// timeouts unless the URL sets them (dial_timeout, read_timeout, ...), one
// dial attempt, and no retries of a command (a retried script could take
// twice).
func newRedisStore(url string, now func() time.Time) (*redisStore, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password: do not repeat it.
		return nil, fmt.Errorf("budget: the Redis URL does not parse (redis://[:password@]host:port/db)")
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 500 * time.Millisecond
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = 500 * time.Millisecond
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = 500 * time.Millisecond
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1
	}
	opts.DialerRetries = 1
	opts.ContextTimeoutEnabled = true
	return &redisStore{client: redis.NewClient(opts), now: now}, nil
}

func (s *redisStore) apply(ctx context.Context, key string, l limit, n float64, force bool) (float64, bool, error) {
	now, f := "", "0"
	if s.now != nil {
		now = strconv.FormatInt(s.now().UnixMilli(), 10)
	}
	if force {
		f = "1"
	}
	res, err := applyScript.Run(ctx, s.client, []string{keyPrefix + key}, l.capacity, l.rate, n, f, now).Slice()
	if err != nil {
		return 0, false, err
	}
	if len(res) != 2 {
		return 0, false, fmt.Errorf("budget: the bucket script answered %d values", len(res))
	}
	took, _ := res[0].(int64)
	left, _ := res[1].(string)
	tokens, err := strconv.ParseFloat(left, 64)
	if err != nil {
		return 0, false, fmt.Errorf("budget: the bucket script answered tokens %q", left)
	}
	return tokens, took == 1, nil
}

func (s *redisStore) ping(ctx context.Context) error { return s.client.Ping(ctx).Err() }

func (s *redisStore) close() error { return s.client.Close() }
