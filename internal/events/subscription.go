package events

import (
	"context"
	"sync"
	"sync/atomic"
)

// Subscription is one subscriber's stream of events. Receive from C until
// it closes; Close (or the subscription's context) ends it.
type Subscription struct {
	hub    *Hub
	m      matcher
	caller string
	ch     chan Event
	idx    int // place in the hub's list; -1 once removed (hub.mu)

	dropped atomic.Uint64

	mu     sync.Mutex // guards sending on ch and the fields below
	closed bool
	stop   func() bool // stops the context's AfterFunc
}

// C is the subscription's events. It closes when the subscription ends:
// its context done, Close, or the hub closed.
func (s *Subscription) C() <-chan Event { return s.ch }

// Dropped counts the events this subscriber lost by not receiving fast
// enough: the oldest dropped from a full Every buffer, or events replaced
// by a newer one in a Latest buffer.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription and closes C. It is safe to call more than
// once, and concurrently with a receive.
func (s *Subscription) Close() {
	s.hub.remove(s)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.ch)
	stop := s.stop
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// watch ends the subscription when ctx is done. context.AfterFunc runs no
// goroutine until then.
func (s *Subscription) watch(ctx context.Context) {
	stop := context.AfterFunc(ctx, s.Close)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		stop()
		return
	}
	s.stop = stop
	s.mu.Unlock()
}

// offer puts e in the buffer without blocking, dropping the oldest event
// when it is full; it reports whether one was dropped. A Latest buffer holds
// one event and its filter one session, so dropping the oldest is keeping
// the session's newest.
func (s *Subscription) offer(e *Event) (dropped bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	select {
	case s.ch <- *e:
		return false
	default:
	}
	select {
	case <-s.ch:
		dropped = true
		s.dropped.Add(1)
	default:
		// The subscriber took one meanwhile.
	}
	// Only offers send, under s.mu, so there is room now.
	s.ch <- *e
	return dropped
}
