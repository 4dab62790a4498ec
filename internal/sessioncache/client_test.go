package sessioncache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
)

func retrieve(t *testing.T, c *Client, ctx context.Context, id string, expand ...string) *stripe.IdentityVerificationSession {
	t.Helper()
	p := &stripe.IdentityVerificationSessionRetrieveParams{}
	for _, e := range expand {
		p.AddExpand(e)
	}
	s, err := c.Retrieve(ctx, id, p)
	if err != nil {
		t.Fatalf("retrieve %s: %v", id, err)
	}
	return s
}

func TestConcurrentIdenticalReadsMakeOneStripeCall(t *testing.T) {
	for _, cache := range []bool{true, false} {
		name := map[bool]string{true: "with the cache", false: "merged only"}[cache]
		t.Run(name, func(t *testing.T) {
			standIn, next := newStandIn(t)
			standIn.set("vs_1", "requires_input")
			obs := &outcomes{}
			c := New(next, Options{Cache: cache, Observer: obs})
			release := standIn.holding()
			const readers = 200
			var wg sync.WaitGroup
			errs := make(chan error, readers)
			for range readers {
				wg.Go(func() {
					s, err := c.Retrieve(context.Background(), "vs_1", nil)
					if err == nil && (s.Status != "requires_input" || s.ClientSecret != "" || s.URL != "") {
						err = errors.New("a reader got " + string(s.Status) + " or a secret")
					}
					errs <- err
				})
			}
			// Every reader is waiting on a call before Stripe answers.
			waitUntil(t, "every reader in", func() bool { return obs.get(OutcomeMiss)+obs.get(OutcomeMerged) == readers })
			release()
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := standIn.retrieves.Load(); n != 1 {
				t.Errorf("%d Stripe retrieves for %d concurrent reads, want 1", n, readers)
			}
			if obs.get(OutcomeMerged) != readers-1 {
				t.Errorf("%d merged reads, want %d", obs.get(OutcomeMerged), readers-1)
			}
		})
	}
}

func TestAReaderThatHangsUpFailsNoOneElse(t *testing.T) {
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "verified")
	obs := &outcomes{}
	c := New(next, Options{Observer: obs})
	release := standIn.holding()
	first, hangUp := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := c.Retrieve(first, "vs_1", nil)
		firstErr <- err
	}()
	waitUntil(t, "the first read's call", func() bool { return obs.get(OutcomeMiss) == 1 })
	second := make(chan *stripe.IdentityVerificationSession, 1)
	go func() { second <- retrieve(t, c, context.Background(), "vs_1") }()
	waitUntil(t, "the second read merged", func() bool { return obs.get(OutcomeMerged) == 1 })
	hangUp()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("the reader that hung up: %v, want context.Canceled", err)
	}
	release()
	if s := <-second; s.Status != "verified" {
		t.Fatalf("the reader that waited: %s", s.Status)
	}
	if n := standIn.retrieves.Load(); n != 1 {
		t.Errorf("%d Stripe retrieves, want 1", n)
	}
}

func TestAnEventMakesTheNextReadShowTheNewState(t *testing.T) {
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	hub := newHub(t, "")
	c := New(next, Options{Cache: true, Events: hub})
	ctx := context.Background()
	retrieve(t, c, ctx, "vs_1")
	standIn.set("vs_1", "processing") // Stripe changed; nothing said so yet
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "requires_input" || standIn.retrieves.Load() != 1 {
		t.Fatalf("a second read: %s after %d calls, want the cached requires_input after 1", s.Status, standIn.retrieves.Load())
	}
	publish(t, hub, "vs_1")
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "processing" {
		t.Fatalf("the read after the event: %s, want processing", s.Status)
	}
	// The event's own fetch served that read (or it merged into it), and
	// the cache keeps what it fetched.
	retrieve(t, c, ctx, "vs_1")
	if n := standIn.retrieves.Load(); n != 2 {
		t.Errorf("%d Stripe retrieves, want 2: the first read and the event's", n)
	}
}

// An event's refresh that comes after a read has fetched the session since
// the event makes no call of its own: with many subscribers of a session,
// an event costs one retrieve whichever starts first.
func TestARefreshAfterAReadThatFetchedMakesNoCall(t *testing.T) {
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	hub := newHub(t, "")
	c := New(next, Options{Cache: true, Events: hub})
	ctx := context.Background()
	retrieve(t, c, ctx, "vs_1")
	c.store.invalidate("vs_1") // an event, without its own refresh
	standIn.set("vs_1", "processing")
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "processing" {
		t.Fatalf("the read after the event: %s", s.Status)
	}
	c.refresh("vs_1", "", 0) // the event's refresh, late
	if n := standIn.retrieves.Load(); n != 2 {
		t.Errorf("%d Stripe retrieves, want 2: the read before the event and the one after", n)
	}
}

// A fetch that began before an event answers with the state before it; it
// must neither be joined by the reads after the event nor overwrite what
// they fetched, however late it lands.
func TestAFetchBegunBeforeAnEventNeverRollsTheSessionBack(t *testing.T) {
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	standIn.arrived = make(chan string, 10)
	hub := newHub(t, "")
	obs := &outcomes{}
	c := New(next, Options{Cache: true, Events: hub, Observer: obs})
	ctx := context.Background()
	releaseOld := standIn.holding()
	early := make(chan *stripe.IdentityVerificationSession, 1)
	go func() { early <- retrieve(t, c, ctx, "vs_1") }()
	<-standIn.arrived // Stripe read requires_input for the early fetch
	standIn.mu.Lock()
	standIn.hold = nil // later answers come at once
	standIn.mu.Unlock()
	standIn.set("vs_1", "verified")
	publish(t, hub, "vs_1")
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "verified" {
		t.Fatalf("the read after the event: %s, want verified", s.Status)
	}
	releaseOld()
	if s := <-early; s.Status != "requires_input" {
		t.Fatalf("the early read: %s", s.Status)
	}
	for range 3 {
		if s := retrieve(t, c, ctx, "vs_1"); s.Status != "verified" {
			t.Fatalf("a read after the early fetch landed: %s, want verified", s.Status)
		}
	}
	if obs.get(OutcomeHit) != 3 {
		t.Errorf("%d hits, want 3 (the later fetch's answer, kept)", obs.get(OutcomeHit))
	}
}

// Events themselves may come late and out of order: each only
// invalidates, and what is fetched after it is Stripe's state then.
func TestReorderedEventsNeverRollBack(t *testing.T) {
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "verified")
	hub := newHub(t, "")
	c := New(next, Options{Cache: true, Events: hub})
	ctx := context.Background()
	retrieve(t, c, ctx, "vs_1")
	// The processing event, older than the verified state read above,
	// arrives now.
	if err := hub.Publish(ctx, eventOf("evt_old", "identity.verification_session.processing", "vs_1", time.Now().Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "verified" {
		t.Fatalf("after a late event: %s, want verified", s.Status)
	}
}

func TestALostEventIsHealedByTheTTL(t *testing.T) {
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "processing")
	clock := &manualClock{now: time.Unix(1_800_000_000, 0)}
	c := New(next, Options{Cache: true, TTL: 5 * time.Second, Now: clock.Now})
	ctx := context.Background()
	retrieve(t, c, ctx, "vs_1")
	standIn.set("vs_1", "verified") // its event is lost
	clock.Advance(4 * time.Second)
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "processing" {
		t.Fatalf("within the TTL: %s, want the cached processing", s.Status)
	}
	clock.Advance(time.Second)
	if s := retrieve(t, c, ctx, "vs_1"); s.Status != "verified" {
		t.Fatalf("at the TTL: %s, want verified", s.Status)
	}
	if n := standIn.retrieves.Load(); n != 2 {
		t.Errorf("%d retrieves, want 2", n)
	}
}

func TestWhatIsNeverCached(t *testing.T) {
	tests := []struct {
		name   string
		fresh  bool
		expand []string
		cache  bool
	}{
		{"a read that selects url or clientSecret", true, nil, true},
		{"a read of verified outputs", false, []string{"verified_outputs"}, true},
		{"a read of sensitive fields", false, []string{"verified_outputs.dob"}, true},
		{"a read of the report", false, []string{"last_verification_report"}, true},
		{"any read with the cache off", false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			standIn, next := newStandIn(t)
			standIn.set("vs_1", "verified")
			c := New(next, Options{Cache: tt.cache})
			ctx := context.Background()
			retrieve(t, c, ctx, "vs_1") // cached when the cache is on
			if tt.fresh {
				ctx = Fresh(ctx)
			}
			for range 2 {
				s := retrieve(t, c, ctx, "vs_1", tt.expand...)
				if tt.fresh && (s.ClientSecret == "" || s.URL == "") {
					t.Errorf("a fresh read lacks Stripe's client secret or url")
				}
			}
			if n := standIn.retrieves.Load(); n != 3 {
				t.Errorf("%d Stripe retrieves, want 3: each of the later reads asked Stripe", n)
			}
		})
	}
}

func TestProvidedDetailsAreCachedApart(t *testing.T) {
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "verified")
	c := New(next, Options{Cache: true})
	ctx := context.Background()
	retrieve(t, c, ctx, "vs_1", "provided_details")
	retrieve(t, c, ctx, "vs_1", "provided_details")
	retrieve(t, c, ctx, "vs_1")
	if n := standIn.retrieves.Load(); n != 2 {
		t.Errorf("%d Stripe retrieves, want 2: one per expansion", n)
	}
}

func TestMutationsWriteThroughAndRedactionForgets(t *testing.T) {
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	c := New(next, Options{Cache: true})
	ctx := context.Background()
	retrieve(t, c, ctx, "vs_1")
	up := &stripe.IdentityVerificationSessionUpdateParams{}
	up.AddMetadata("step", "updated")
	s, err := c.Update(ctx, "vs_1", up)
	if err != nil || s.ClientSecret == "" {
		t.Fatalf("update: %v; the caller gets Stripe's answer whole (client secret %q)", err, s.ClientSecret)
	}
	got := retrieve(t, c, ctx, "vs_1")
	if got.Status != "updated" || got.ClientSecret != "" || got.URL != "" {
		t.Fatalf("the read after the update: %s, secret %q, url %q; want the update's answer without its secrets", got.Status, got.ClientSecret, got.URL)
	}
	if n := standIn.retrieves.Load(); n != 1 {
		t.Errorf("%d retrieves, want 1: the update's answer was written through", n)
	}
	if _, err := c.Redact(ctx, "vs_1", nil); err != nil {
		t.Logf("redact: %v (the stand-in does not redact; the entries go anyway)", err)
	}
	if n, _ := c.Size(); n != 0 {
		t.Errorf("%d entries after a redaction, want 0", n)
	}
}

func TestTheStoreIsBoundedByItsBytes(t *testing.T) {
	m := newMemory(time.Now, time.Minute, 10*(entryOverhead+100), time.Minute)
	raw := make([]byte, 100)
	for i := range 50 {
		m.put(key{id: fmt.Sprintf("vs_%d", i)}, m.stamp(), raw)
	}
	n, bytes := m.size()
	if n != 10 || bytes > 10*(entryOverhead+100) {
		t.Errorf("%d entries in %d bytes, want 10 within the bound", n, bytes)
	}
	if _, ok := m.get(key{id: "vs_49"}); !ok {
		t.Error("the newest entry was evicted")
	}
	if _, ok := m.get(key{id: "vs_0"}); ok {
		t.Error("the oldest entry was kept")
	}
}

// A read that no other joins, of a session that is not cached, gets
// Stripe's answer without a copy, and without its secrets like any read.
func TestASoleReadGetsStripesAnswerWithoutSecrets(t *testing.T) {
	for _, cache := range []bool{true, false} {
		t.Run(map[bool]string{true: "with the cache", false: "merged only"}[cache], func(t *testing.T) {
			standIn, next := newStandIn(t)
			standIn.set("vs_1", "requires_input")
			c := New(next, Options{Cache: cache})
			for _, expand := range [][]string{nil, {"verified_outputs"}} {
				s := retrieve(t, c, context.Background(), "vs_1", expand...)
				if s.Status != "requires_input" || s.ClientSecret != "" || s.URL != "" {
					t.Errorf("expand %v: status %q, secret %q, url %q", expand, s.Status, s.ClientSecret, s.URL)
				}
				if s.LastResponse == nil || s.LastResponse.RequestID != "req_standin" {
					t.Errorf("expand %v: Stripe's request ID is lost", expand)
				}
			}
		})
	}
}
