package sessioncache

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/redistest"
)

func newRedis(t *testing.T, url string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// markOf returns the session's invalidation mark in Redis, 0 for none.
func markOf(t *testing.T, rdb *redis.Client, id string) int64 {
	t.Helper()
	n, err := rdb.Get(context.Background(), markKey(id)).Int64()
	if err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	return n
}

// entryOf returns what Redis holds for the session read without
// expansions: its status, "" for nothing.
func entryOf(t *testing.T, rdb *redis.Client, id string) string {
	t.Helper()
	v, err := rdb.Get(context.Background(), entryKey(key{id: id})).Result()
	if err == redis.Nil {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	_, raw, _ := strings.Cut(v, " ")
	s, err := decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return string(s.Status)
}

func TestAMutationOnOneReplicaIsSeenByAReadOnAnother(t *testing.T) {
	srv := redistest.Start(t)
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	hubA, hubB := newHub(t, srv.URL()), newHub(t, srv.URL())
	a := New(next, Options{Cache: true, Redis: newRedis(t, srv.URL()), Events: hubA})
	obsB := &outcomes{}
	b := New(next, Options{Cache: true, Redis: newRedis(t, srv.URL()), Events: hubB, Observer: obsB})
	ctx := context.Background()

	retrieve(t, b, ctx, "vs_1") // B caches requires_input, in Redis
	if s := retrieve(t, a, ctx, "vs_1"); s.Status != "requires_input" || standIn.retrieves.Load() != 1 {
		t.Fatalf("A's read: %s after %d Stripe calls, want B's entry", s.Status, standIn.retrieves.Load())
	}
	up := &stripe.IdentityVerificationSessionUpdateParams{}
	up.AddMetadata("step", "updated")
	if _, err := a.Update(ctx, "vs_1", up); err != nil {
		t.Fatal(err)
	}
	if s := retrieve(t, b, ctx, "vs_1"); s.Status != "updated" {
		t.Fatalf("B's read after A's update: %s, want updated", s.Status)
	}
	if n := standIn.retrieves.Load(); n != 1 || obsB.get(OutcomeHit) != 1 {
		t.Errorf("%d Stripe retrieves, %d hits on B; want A's answer served from Redis", n, obsB.get(OutcomeHit))
	}

	// A webhook reaching A invalidates the session for B too, once A has
	// applied it to Redis (in the background) or B has heard of it.
	standIn.set("vs_1", "verified")
	rdb := newRedis(t, srv.URL())
	mark := markOf(t, rdb, "vs_1")
	publish(t, hubA, "vs_1")
	waitUntil(t, "the event's mark in Redis", func() bool { return markOf(t, rdb, "vs_1") > mark })
	if s := retrieve(t, b, ctx, "vs_1"); s.Status != "verified" {
		t.Fatalf("B's read after A's event: %s, want verified", s.Status)
	}
}

func TestWhileRedisIsDownEachReplicaCachesInItsOwnMemory(t *testing.T) {
	srv := redistest.Start(t)
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	hub := newHub(t, "")
	c := New(next, Options{Cache: true, Redis: newRedis(t, srv.URL()), Events: hub})
	ctx := context.Background()
	retrieve(t, c, ctx, "vs_1")
	srv.Stop()
	standIn.set("vs_1", "processing")
	for range 3 {
		if s := retrieve(t, c, ctx, "vs_1"); s.Status != "processing" {
			t.Fatalf("with Redis down: %s, want Stripe's processing (the memory starts empty)", s.Status)
		}
	}
	if n := standIn.retrieves.Load(); n != 2 {
		t.Errorf("%d retrieves, want 2: one before, one into the memory", n)
	}
	standIn.set("vs_1", "verified")
	publish(t, hub, "vs_1")
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "verified" {
		t.Fatalf("an event with Redis down: %s, want verified", s.Status)
	}
}

// failScripts makes Redis's scripts fail while on, as a Redis that times
// out on one command would; failures counts them.
type failScripts struct {
	on       atomic.Bool
	failures atomic.Int64
}

func (h *failScripts) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *failScripts) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if n := cmd.Name(); h.on.Load() && (n == "evalsha" || n == "eval") {
			h.failures.Add(1)
			err := errors.New("i/o timeout (injected)")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}
func (h *failScripts) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// blip makes the next script fail, and waits until one has.
func (h *failScripts) blip(t *testing.T, during func()) {
	t.Helper()
	h.on.Store(true)
	during()
	waitUntil(t, "a script to fail", func() bool { return h.failures.Load() > 0 })
	h.on.Store(false)
}

// An event whose invalidation Redis does not take (a timeout) is replayed
// before the replica uses Redis again, so the entry from before the event
// is never served; meanwhile the replica reads Stripe into its memory.
func TestAnInvalidationRedisMissesIsReplayedBeforeRedisIsUsedAgain(t *testing.T) {
	srv := redistest.Start(t)
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	hub := newHub(t, "")
	rdb, failing := newRedis(t, srv.URL()), &failScripts{}
	rdb.AddHook(failing)
	clock := &manualClock{now: time.Now()}
	c := New(next, Options{Cache: true, Redis: rdb, Events: hub, Now: clock.Now})
	ctx := context.Background()
	retrieve(t, c, ctx, "vs_1")

	standIn.set("vs_1", "verified")
	failing.blip(t, func() { publish(t, hub, "vs_1") })
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "verified" {
		t.Fatalf("right after the event: %s", s.Status)
	}
	check := newRedis(t, srv.URL())
	if got := entryOf(t, check, "vs_1"); got != "requires_input" {
		t.Fatalf("Redis holds %q; the test needs the entry from before the event there", got)
	}
	clock.Advance(retryAfterDown + time.Millisecond)
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "verified" {
		t.Fatalf("once Redis is used again: %s, older than the event", s.Status)
	}
	if got := entryOf(t, check, "vs_1"); got == "requires_input" {
		t.Errorf("Redis still holds the entry from before the event")
	}
}

// A replica that hears of another's event makes sure Redis holds nothing
// older, whether or not the replica that received it could.
func TestAReplicaThatHearsAnEventAppliesItToRedisToo(t *testing.T) {
	srv := redistest.Start(t)
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	hubA, hubB := newHub(t, srv.URL()), newHub(t, srv.URL())
	rdbA, failing := newRedis(t, srv.URL()), &failScripts{}
	rdbA.AddHook(failing)
	a := New(next, Options{Cache: true, Redis: rdbA, Events: hubA})
	b := New(next, Options{Cache: true, Redis: newRedis(t, srv.URL()), Events: hubB})
	ctx := context.Background()
	retrieve(t, a, ctx, "vs_1")

	standIn.set("vs_1", "verified")
	check := newRedis(t, srv.URL())
	failing.blip(t, func() { publish(t, hubA, "vs_1") }) // A's invalidation fails
	waitUntil(t, "B to apply the event to Redis", func() bool { return entryOf(t, check, "vs_1") != "requires_input" })
	if s := retrieve(t, b, ctx, "vs_1"); s.Status != "verified" {
		t.Errorf("B after the event: %s", s.Status)
	}
}

// If Redis loses its keys (a restart without persistence, an eviction),
// its stamp counter starts again and its marks are gone; a fetch begun
// before an event this replica knows of is still refused.
func TestAFetchBegunBeforeAnEventIsRefusedAfterRedisLostItsKeys(t *testing.T) {
	srv := redistest.Start(t)
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	hub := newHub(t, "")
	rdb := newRedis(t, srv.URL())
	ctx := context.Background()
	rdb.IncrBy(ctx, keyPrefix+"stamp", 1000)
	c := New(next, Options{Cache: true, Redis: rdb, Events: hub})

	release := standIn.holding()
	got := make(chan string, 1)
	go func() { got <- string(retrieve(t, c, ctx, "vs_1").Status) }()
	waitUntil(t, "the fetch to reach Stripe", func() bool { return standIn.retrieves.Load() == 1 })
	rdb.FlushDB(ctx)
	standIn.set("vs_1", "verified")
	publish(t, hub, "vs_1")
	waitUntil(t, "the event's mark in the emptied Redis", func() bool { return markOf(t, rdb, "vs_1") > 0 })
	release()
	<-got
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "verified" {
		t.Fatalf("after the verified event: %s, fetched before it", s.Status)
	}
}

// A read on replica B that starts after another replica applied an event
// to Redis, before B hears of the event, does not join B's call begun
// before the event.
func TestAReadNeverJoinsACallOlderThanTheSessionsMarkInRedis(t *testing.T) {
	srv := redistest.Start(t)
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	obs := &outcomes{}
	// B's hub does not hear A's events: the pub/sub delivery window.
	b := New(next, Options{Cache: true, Redis: newRedis(t, srv.URL()), Events: newHub(t, ""), Observer: obs})
	hubA := newHub(t, "")
	New(next, Options{Cache: true, Redis: newRedis(t, srv.URL()), Events: hubA})
	ctx := context.Background()
	release := standIn.holding()
	first := make(chan string, 1)
	go func() { first <- string(retrieve(t, b, ctx, "vs_1").Status) }()
	waitUntil(t, "B's call at Stripe", func() bool { return standIn.retrieves.Load() == 1 })

	standIn.set("vs_1", "verified")
	rdb := newRedis(t, srv.URL())
	publish(t, hubA, "vs_1")
	waitUntil(t, "A to apply the event to Redis", func() bool { return markOf(t, rdb, "vs_1") > 0 })
	second := make(chan string, 1)
	go func() { second <- string(retrieve(t, b, ctx, "vs_1").Status) }()
	waitUntil(t, "B's second read to call Stripe", func() bool { return standIn.retrieves.Load() == 2 })
	release()
	if s := <-second; s != "verified" {
		t.Errorf("B's read begun after the event reached Redis: %s", s)
	}
	<-first
	if n := obs.get(OutcomeMerged); n != 0 {
		t.Errorf("%d merged reads, want none", n)
	}
}

// The events hub's publisher (a webhook, the emulator) does not wait on
// Redis; the replica serves nothing older than the event meanwhile.
func TestAnEventDoesNotWaitOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	hub := newHub(t, "")
	rdb, slow := newRedis(t, srv.URL()), &holdScripts{release: make(chan struct{})}
	rdb.AddHook(slow)
	c := New(next, Options{Cache: true, Redis: rdb, Events: hub})
	ctx := context.Background()
	retrieve(t, c, ctx, "vs_1")

	standIn.set("vs_1", "verified")
	slow.on.Store(true)
	published := make(chan struct{})
	go func() { publish(t, hub, "vs_1"); close(published) }()
	select {
	case <-published:
	case <-time.After(2 * time.Second):
		t.Fatal("Publish waits on Redis")
	}
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "verified" {
		t.Errorf("a read while Redis has not taken the event: %s", s.Status)
	}
	slow.on.Store(false)
	close(slow.release)
}

// holdScripts holds invalidateScript while on, until release closes or
// its command's deadline passes: a slow Redis.
type holdScripts struct {
	on      atomic.Bool
	release chan struct{}
}

func (h *holdScripts) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *holdScripts) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if n := cmd.Name(); h.on.Load() && (n == "evalsha" || n == "eval") && cmd.Args()[1] == invalidateScript.Hash() {
			select {
			case <-h.release:
			case <-ctx.Done():
				cmd.SetErr(ctx.Err())
				return ctx.Err()
			}
		}
		return next(ctx, cmd)
	}
}
func (h *holdScripts) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
