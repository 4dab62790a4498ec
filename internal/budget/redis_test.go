package budget

import (
	"github.com/idgraph/idgraph/internal/redistest"

	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// newRedisStoreFor is a redisStore on srv with the clock c (nil: Redis's
// TIME), closed with the test.
func newRedisStoreFor(t *testing.T, srv *redistest.Server, c *clock) *redisStore {
	t.Helper()
	var now func() time.Time
	if c != nil {
		now = c.Now
	}
	s, err := newRedisStore(srv.URL(), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.close() })
	return s
}

func TestRedisBuckets(t *testing.T) {
	srv := redistest.Start(t)
	testStore(t, func(c *clock) store { return newRedisStoreFor(t, srv, c) })
}

// A bucket's key expires when the bucket would be full, and a full bucket
// is no key at all: idle callers cost Redis nothing.
func TestRedisKeysExpireWhenTheBucketWouldBeFull(t *testing.T) {
	srv := redistest.Start(t)
	c := newClock()
	s := newRedisStoreFor(t, srv, c)
	ctx := context.Background()
	l := limit{capacity: 10, rate: 2}
	if _, _, err := s.apply(ctx, "user:ttl", l, 4, false); err != nil {
		t.Fatal(err)
	}
	ttl, err := s.client.PTTL(ctx, keyPrefix+"user:ttl").Result()
	if err != nil {
		t.Fatal(err)
	}
	// 4 tokens at 2 a second: full in 2s; the key lives 1s more.
	if ttl <= 2*time.Second || ttl > 3*time.Second {
		t.Errorf("TTL %v, want in (2s, 3s]", ttl)
	}
	if _, _, err := s.apply(ctx, "user:ttl", l, -4, true); err != nil {
		t.Fatal(err)
	}
	if n, err := s.client.Exists(ctx, keyPrefix+"user:ttl").Result(); err != nil || n != 0 {
		t.Errorf("a full bucket's key exists (%d, %v), want it deleted", n, err)
	}
}

// Without a clock, buckets run on Redis's TIME, one clock for every
// replica.
func TestRedisTimeWithoutAClock(t *testing.T) {
	srv := redistest.Start(t)
	s := newRedisStoreFor(t, srv, nil)
	ctx := context.Background()
	l := limit{capacity: 10, rate: 0.001}
	tokens, ok, err := s.apply(ctx, "user:time", l, 10, false)
	if err != nil || !ok || tokens > 0.01 {
		t.Fatalf("take 10 = %v, %v, %v; want about 0 tokens left", tokens, ok, err)
	}
	if _, ok, _ := s.apply(ctx, "user:time", l, 1, false); ok {
		t.Errorf("a second take of 1 succeeded; the bucket should be empty")
	}
}

// Two replicas on one Redis spend one bucket.
func TestReplicasShareOneBucketInRedis(t *testing.T) {
	srv := redistest.Start(t)
	c := newClock()
	ctx := context.Background()
	a := newBudget(t, c, Config{RedisURL: srv.URL()})
	b := newBudget(t, c, Config{RedisURL: srv.URL()})
	if _, err := a.Reserve(ctx, "user:alice", 600); err != nil {
		t.Fatalf("replica a: %v", err)
	}
	_, err := b.Reserve(ctx, "user:alice", 500)
	var te *ThrottledError
	if !errors.As(err, &te) {
		t.Fatalf("replica b reserved 500 after a took 600 of 1000: %v; want a ThrottledError", err)
	}
	if te.RetryAfter != 2*time.Second {
		t.Errorf("RetryAfter %v, want 2s (100 more at 50 a second)", te.RetryAfter)
	}
	if _, err := b.Reserve(ctx, "user:bob", 500); err != nil {
		t.Errorf("another user's bucket: %v", err)
	}
	for _, r := range []*Budget{a, b} {
		if ok, reason := r.Ready(); !ok {
			t.Errorf("Ready = false, %q; want ready", reason)
		}
	}
}

// When Redis dies, requests are served from per-process buckets, the
// fallback is logged once and Ready says why; when Redis is back, a probe
// after the backoff finds it and the buckets are shared again.
func TestRedisOutageFallsBackAndReturns(t *testing.T) {
	srv := redistest.Start(t)
	c := newClock()
	ctx := context.Background()
	var log logBuffer
	a := newBudget(t, c, Config{RedisURL: srv.URL(), Logger: log.logger()})
	other := newBudget(t, c, Config{RedisURL: srv.URL()})
	probed := make(chan bool, 10)
	a.stores.mu.Lock()
	a.onProbe = func(ok bool) { probed <- ok }
	a.stores.mu.Unlock()

	if _, err := a.Reserve(ctx, "user:alice", 100); err != nil {
		t.Fatalf("before the outage: %v", err)
	}
	srv.Stop()
	for i := range 3 {
		if _, err := a.Reserve(ctx, "user:alice", 100); err != nil {
			t.Fatalf("reservation %d during the outage: %v; want it served in process", i, err)
		}
	}
	ok, reason := a.Ready()
	if ok || !strings.Contains(reason, "Redis") {
		t.Errorf("Ready = %v, %q during the outage; want false with the reason", ok, reason)
	}
	if n := strings.Count(log.String(), "does not answer"); n != 1 {
		t.Errorf("the fallback was logged %d times, want once:\n%s", n, log.String())
	}
	// Still down at the first probe: the backoff grows.
	c.Advance(minBackoff)
	a.Reserve(ctx, "user:alice", 1)
	if ok := <-probed; ok {
		t.Fatal("a probe of the dead Redis succeeded")
	}

	srv.Restart()
	c.Advance(2 * minBackoff)
	a.Reserve(ctx, "user:alice", 1) // served in process; starts the probe
	if ok := <-probed; !ok {
		t.Fatal("the probe did not find Redis back")
	}
	if ok, reason := a.Ready(); !ok {
		t.Errorf("Ready = false, %q after Redis came back", reason)
	}
	if !strings.Contains(log.String(), "answers again") {
		t.Errorf("the return was not logged:\n%s", log.String())
	}
	// Back on Redis: what a spends, the other replica sees.
	if _, err := a.Reserve(ctx, "user:carol", 900); err != nil {
		t.Fatalf("on Redis again: %v", err)
	}
	var te *ThrottledError
	if _, err := other.Reserve(ctx, "user:carol", 200); !errors.As(err, &te) {
		t.Errorf("the other replica reserved 200 of carol's 100 left: %v; want throttled", err)
	}
}

// A Redis that does not answer at start is an outage, not a failure to
// start.
func TestRedisDownAtStart(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	c := newClock()
	var log logBuffer
	b := newBudget(t, c, Config{RedisURL: srv.URL(), Logger: log.logger()})
	if _, err := b.Reserve(context.Background(), "user:alice", 10); err != nil {
		t.Errorf("Reserve: %v; want it served in process", err)
	}
	if ok, _ := b.Ready(); ok {
		t.Error("Ready = true with Redis down")
	}
	if n := strings.Count(log.String(), "does not answer"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, log.String())
	}
}

func TestABadRedisURLFailsWithoutItsPassword(t *testing.T) {
	_, err := New(context.Background(), Config{RedisURL: "redis://:s3cret@host:notaport/x"})
	if err == nil {
		t.Fatal("New accepted a Redis URL that does not parse")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error repeats the password: %v", err)
	}
}
