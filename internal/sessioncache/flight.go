package sessioncache

import (
	"context"
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v85"
)

// flight is one Stripe retrieve that several reads may share.
type flight struct {
	done  chan struct{}
	start uint64 // the local stamp of its start, against invalidations
	// mark is the session's invalidation mark in Redis when it started (0:
	// none known): a read that finds a later mark does not join it.
	mark   int64
	joined bool // another read joined it (under Client.mu)
	// Set before done closes:
	raw      []byte              // the session's JSON, without secrets
	resp     *stripe.APIResponse // Stripe's answer without its body, for request IDs
	err      error
	timedOut bool // the call ran out of its own time (Options.FetchTimeout)
	// own is Stripe's answer itself, when the read that started the
	// flight is its only reader and nothing is cached: it needs no copy,
	// and making one (withoutSecrets, then decode) was 15% of idgraph's
	// CPU time for a read of a session in front of stripe-mock.
	own *stripe.IdentityVerificationSession
}

// flightKey names what a flight fetches: the session, its expansions and
// the account it is read on.
type flightKey struct {
	id, expand, account, stripeContext string
}

// result returns a copy of the flight's session for one reader, or its
// error.
func (f *flight) result() (*stripe.IdentityVerificationSession, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.own != nil {
		return f.own, nil
	}
	s, err := decode(f.raw)
	if err != nil {
		return nil, err
	}
	s.LastResponse = f.resp
	return s, nil
}

// retrieve makes the read of fk through a flight: it joins one started
// after the session's last invalidation, here and (mark) in Redis, or
// starts one. The caller waits until the flight lands or its own ctx ends;
// the flight itself runs detached, bounded by fetchTimeout, and on success
// the cacheable answer is stored. joined says whether another read
// started it.
func (c *Client) retrieve(ctx context.Context, fk flightKey, params *stripe.IdentityVerificationSessionRetrieveParams, cacheable bool, mark int64) (f *flight, joined bool) {
	c.mu.Lock()
	if f, ok := c.flights[fk]; ok && f.start > c.store.local().invalidated(fk.id) && f.mark >= mark {
		f.joined = true
		c.mu.Unlock()
		return f, true
	}
	// The stamp is taken before the call starts, and the flight is
	// registered under the lock, so a read that arrives after an
	// invalidation never joins a flight that began before it.
	t := ticket{local: c.store.local().stamp()}
	f = &flight{done: make(chan struct{}), start: t.local, mark: mark}
	if c.closed {
		c.mu.Unlock()
		c.fetch(ctx, fk, f, t, params, cacheable) // nothing detached after Close
		return f, false
	}
	c.flights[fk] = f
	c.running.Add(1)
	c.mu.Unlock()
	go func() {
		growStack()
		defer c.running.Done()
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.fetchTimeout)
		defer cancel()
		defer context.AfterFunc(c.closing, cancel)()
		c.fetch(fctx, fk, f, t, params, cacheable)
	}()
	return f, false
}

// fetch makes f's call with ctx, then lands it.
func (c *Client) fetch(ctx context.Context, fk flightKey, f *flight, t ticket, params *stripe.IdentityVerificationSessionRetrieveParams, cacheable bool) {
	defer c.land(fk, f)
	defer func() {
		if p := recover(); p != nil {
			f.err = fmt.Errorf("sessioncache: panic in a Stripe retrieve: %v", p)
		}
	}()
	if cacheable {
		t.shared = c.store.sharedStamp(ctx) // before the call, as t.local
	}
	s, err := c.next.Retrieve(ctx, fk.id, params)
	if err == nil && s == nil {
		err = fmt.Errorf("sessioncache: retrieve of %s returned no session", fk.id)
	}
	if err != nil {
		f.err, f.timedOut = err, ctx.Err() == context.DeadlineExceeded
		return
	}
	if s.LastResponse != nil {
		// Its body holds the single-use values every read here goes
		// without; readers share the rest (the request ID).
		resp := *s.LastResponse
		resp.RawJSON = nil
		f.resp = &resp
	}
	if !cacheable && c.alone(fk, f) {
		// Without its single-use values all the same, as every read
		// here gets it.
		s.ClientSecret, s.URL, s.LastResponse = "", "", f.resp
		f.own = s
		return
	}
	if f.raw, f.err = withoutSecrets(s); f.err == nil && cacheable {
		c.store.put(ctx, key{fk.id, fk.expand}, t, f.raw)
	}
}

// alone takes f out of the table, so that no read joins it any more,
// when no read has joined it yet: its starter is then its only reader.
func (c *Client) alone(fk flightKey, f *flight) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.joined {
		return false
	}
	if c.flights[fk] == f {
		delete(c.flights, fk)
	}
	return true
}

// callStackSize is about the stack a Stripe retrieve needs: stripe-go's
// JSON decoding goes deep.
const callStackSize = 32 << 10

// growStack grows the calling goroutine's stack to callStackSize at once,
// while it holds almost nothing. A new goroutine starts with a small stack
// that otherwise doubles several times during the call, each time copying
// the frames above it: 5% of idgraph's CPU time in front of stripe-mock.
func growStack() {
	var frame [callStackSize]byte
	keepFrame(&frame)
}

// keepFrame makes growStack's frame real (escape analysis keeps it on the
// stack: the pointer goes nowhere).
//
//go:noinline
func keepFrame(*[callStackSize]byte) {}

// land ends f: it leaves the table, and its readers wake.
func (c *Client) land(fk flightKey, f *flight) {
	c.mu.Lock()
	if c.flights[fk] == f {
		delete(c.flights, fk)
	}
	c.mu.Unlock()
	close(f.done)
}

// wait returns f's result for a reader, or ctx's error should the reader
// give up first.
func wait(ctx context.Context, f *flight) (*stripe.IdentityVerificationSession, error) {
	select {
	case <-f.done:
		return f.result()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// defaultFetchTimeout bounds a detached flight when Options leave it zero.
const defaultFetchTimeout = 30 * time.Second
