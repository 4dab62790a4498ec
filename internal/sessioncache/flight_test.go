package sessioncache

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
)

// A read that joins a call near the end of the call's own time does not
// fail with it while its own deadline is far: it asks once more.
func TestAReadOutlivesTheTimeoutOfTheCallItJoined(t *testing.T) {
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	obs := &outcomes{}
	const timeout = 300 * time.Millisecond
	c := New(next, Options{Cache: true, FetchTimeout: timeout, Observer: obs})
	release := standIn.holding()
	defer release()

	// The first reader's deadline is the call's, as idgraph's operation
	// timeout is.
	first, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	firstErr := make(chan error, 1)
	go func() { _, err := c.Retrieve(first, "vs_1", nil); firstErr <- err }()
	waitUntil(t, "the call to reach Stripe", func() bool { return standIn.retrieves.Load() == 1 })
	later, cancelLater := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelLater()
	second := make(chan error, 1)
	go func() { _, err := c.Retrieve(later, "vs_1", nil); second <- err }()
	waitUntil(t, "the second read to join", func() bool { return obs.get(OutcomeMerged) == 1 })

	if err := <-firstErr; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the first reader: %v, want its deadline", err)
	}
	waitUntil(t, "the second read's own call", func() bool { return standIn.retrieves.Load() == 2 })
	release()
	if err := <-second; err != nil {
		t.Fatalf("the read that joined, 10 s before its deadline: %v", err)
	}
}

// Readers get Stripe's request ID, but not Stripe's answer as sent: it
// holds the client secret and url that no read here gets.
func TestNoReaderGetsTheSingleUseValuesInStripesRawAnswer(t *testing.T) {
	for _, expand := range []string{"", "verified_outputs"} {
		t.Run("expand "+expand, func(t *testing.T) {
			standIn, next := newStandIn(t)
			standIn.set("vs_1", "requires_input")
			obs := &outcomes{}
			c := New(next, Options{Cache: true, Observer: obs})
			params := &stripe.IdentityVerificationSessionRetrieveParams{}
			if expand != "" {
				params.AddExpand(expand)
			}
			check := func(who string, s *stripe.IdentityVerificationSession, err error) {
				if err != nil {
					t.Fatalf("%s: %v", who, err)
				}
				if s.LastResponse == nil || s.LastResponse.RequestID != "req_standin" {
					t.Errorf("%s: Stripe's request ID is lost", who)
				} else if bytes.Contains(s.LastResponse.RawJSON, []byte("secret")) || bytes.Contains(s.LastResponse.RawJSON, []byte("verify.example")) {
					t.Errorf("%s: the raw answer holds the single-use values: %s", who, s.LastResponse.RawJSON)
				}
			}
			s, err := c.Retrieve(context.Background(), "vs_1", params)
			check("a sole read", s, err)

			standIn.set("vs_2", "requires_input")
			release := standIn.holding()
			var wg sync.WaitGroup
			for i := range 3 {
				wg.Go(func() {
					s, err := c.Retrieve(context.Background(), "vs_2", params)
					check([]string{"the first", "a merged", "another merged"}[min(i, 2)]+" reader", s, err)
				})
			}
			waitUntil(t, "the readers to wait together", func() bool { return obs.get(OutcomeMerged) == 2 })
			release()
			wg.Wait()
		})
	}
}

// An end user is served a session from the cache, or from another read's
// call, only when it is theirs: another user's session costs them a Stripe
// call of their own, as a session that does not exist does.
func TestAnEndUserGetsOnlyTheirOwnSessionsFromOthersReads(t *testing.T) {
	standIn, next := newStandIn(t) // its sessions belong to user_42
	standIn.set("vs_1", "requires_input")
	obs := &outcomes{}
	c := New(next, Options{Cache: true, Observer: obs})
	owner := auth.NewContext(context.Background(), auth.Principal{Kind: auth.EndUser, Subject: "user_42"})
	other := auth.NewContext(context.Background(), auth.Principal{Kind: auth.EndUser, Subject: "user_7"})
	server := auth.NewContext(context.Background(), auth.Principal{Kind: auth.Server})

	retrieve(t, c, owner, "vs_1") // cached
	calls := func() int64 { return standIn.retrieves.Load() }
	for _, r := range []struct {
		name  string
		ctx   context.Context
		calls int64
	}{
		{"the owner reads it from the cache", owner, 0},
		{"a server key reads it from the cache", server, 0},
		{"another user's read goes to Stripe", other, 1},
	} {
		before := calls()
		retrieve(t, c, r.ctx, "vs_1")
		if n := calls() - before; n != r.calls {
			t.Errorf("%s: %d Stripe calls, want %d", r.name, n, r.calls)
		}
	}

	// Merged: another user's read that joins the owner's call makes its own.
	standIn.set("vs_2", "requires_input")
	base := calls()
	release := standIn.holding()
	done := make(chan struct{})
	go func() { defer close(done); retrieve(t, c, owner, "vs_2") }()
	waitUntil(t, "the owner's call", func() bool { return calls() == base+1 })
	joined := make(chan struct{})
	go func() { defer close(joined); retrieve(t, c, other, "vs_2") }()
	waitUntil(t, "the other user's read to join", func() bool { return obs.get(OutcomeMerged) == 1 })
	release()
	<-done
	<-joined
	if n := calls() - base; n != 2 {
		t.Errorf("%d Stripe calls, want 2: the other user's read joined the owner's and then made its own", n)
	}
}

// Close ends the calls still running detached (their reader hung up), and
// does not wait for Stripe to answer them.
func TestCloseEndsTheDetachedCalls(t *testing.T) {
	standIn, next := newStandIn(t)
	standIn.set("vs_1", "requires_input")
	c := New(next, Options{Cache: true})
	release := standIn.holding()
	defer release()
	ctx, hangUp := context.WithCancel(context.Background())
	read := make(chan error, 1)
	go func() { _, err := c.Retrieve(ctx, "vs_1", nil); read <- err }()
	waitUntil(t, "the call to reach Stripe", func() bool { return standIn.retrieves.Load() == 1 })
	hangUp()
	<-read
	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for Stripe to answer a call nobody reads")
	}
	release()
	if s := retrieve(t, c, context.Background(), "vs_1"); s.Status != "requires_input" {
		t.Errorf("a read after Close: %s", s.Status)
	}
}
