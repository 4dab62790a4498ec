package sessioncache

import (
	"context"
	"testing"
)

// Stripe applies an update; the session then moves on (the user submits
// on the hosted page) and its event arrives; only then does the update's
// answer reach idgraph. The answer is older than the event: it must not
// replace what the event's fetch found.
func TestALateMutationAnswerNeverRollsBackAnEvent(t *testing.T) {
	eachStore(t, func(t *testing.T, o Options) {
		next := &fakeStripe{status: "requires_input"}
		hub := newHub(t, "")
		o.Events = hub
		c := New(next, o)
		ctx := context.Background()
		retrieve(t, c, ctx, "vs_1")

		next.updateGate = make(chan struct{})
		done := make(chan error, 1)
		go func() { done <- update(c, "vs_1", "updated") }()
		waitUntil(t, "Stripe to apply the update", func() bool { _, n := next.count(); return n == 1 })
		next.set("processing")
		publish(t, hub, "vs_1")
		waitUntil(t, "a read to show the event's state", func() bool { return retrieve(t, c, ctx, "vs_1").Status == "processing" })
		close(next.updateGate) // the update's answer arrives at last
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if s := retrieve(t, c, ctx, "vs_1"); s.Status != "processing" {
			t.Fatalf("after the processing event and the late update answer, a read shows %q", s.Status)
		}
	})
}

// A read that fetched the session before Stripe applied a mutation lands
// after the mutation's answer: it must not hide the answer.
func TestAReadBegunBeforeAMutationNeverHidesItsAnswer(t *testing.T) {
	eachStore(t, func(t *testing.T, o Options) {
		next := &fakeStripe{status: "requires_input"}
		c := New(next, o)
		ctx := context.Background()
		next.retrieveGate = make(chan struct{})
		read := make(chan string, 1)
		go func() { read <- string(retrieve(t, c, ctx, "vs_1").Status) }()
		waitUntil(t, "the read to reach Stripe", func() bool { n, _ := next.count(); return n == 1 })
		if err := update(c, "vs_1", "updated"); err != nil {
			t.Fatal(err)
		}
		close(next.retrieveGate)
		if s := <-read; s != "requires_input" {
			t.Fatalf("the read begun before the update: %s", s)
		}
		if s := retrieve(t, c, ctx, "vs_1"); s.Status != "updated" {
			t.Fatalf("a read after the update's answer shows %q", s.Status)
		}
	})
}

// A mutation's answer replaces every cached expansion of its session, not
// only the one it was asked with.
func TestAMutationDropsTheSessionsOtherExpansions(t *testing.T) {
	eachStore(t, func(t *testing.T, o Options) {
		next := &fakeStripe{status: "requires_input"}
		c := New(next, o)
		ctx := context.Background()
		retrieve(t, c, ctx, "vs_1", "provided_details")
		if err := update(c, "vs_1", "updated"); err != nil {
			t.Fatal(err)
		}
		if s := retrieve(t, c, ctx, "vs_1", "provided_details"); s.Status != "updated" {
			t.Fatalf("the provided_details read after the update shows %q", s.Status)
		}
		if s := retrieve(t, c, ctx, "vs_1"); s.Status != "updated" {
			t.Fatalf("the plain read after the update shows %q", s.Status)
		}
		if n, _ := next.count(); n != 2 {
			t.Errorf("%d retrieves, want 2: the first read, and provided_details after the update (the plain read is the answer)", n)
		}
	})
}
