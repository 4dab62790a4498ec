package sessioncache

import (
	"context"
	"testing"

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

	// A webhook reaching A invalidates the session for B too.
	standIn.set("vs_1", "verified")
	publish(t, hubA, "vs_1")
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
