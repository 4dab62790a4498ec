package events

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// wait is how long a test waits for something that should happen soon.
const wait = 10 * time.Second

// newHub is New with o, closed with the test.
func newHub(t testing.TB, o Options) *Hub {
	t.Helper()
	h, err := New(context.Background(), o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// subscribe is h.Subscribe that must succeed; the subscription ends with
// the test.
func subscribe(t testing.TB, h *Hub, f Filter) *Subscription {
	t.Helper()
	s, err := h.Subscribe(context.Background(), f)
	if err != nil {
		t.Fatalf("Subscribe(%+v): %v", f, err)
	}
	t.Cleanup(s.Close)
	return s
}

// ev is an event of session sid, of type verified unless typ says.
func ev(id, sid string, typ ...string) Event {
	e := Event{ID: id, Type: "identity.verification_session.verified", Created: time.Unix(1_790_000_000, 0), SessionID: sid}
	if len(typ) > 0 {
		e.Type = typ[0]
	}
	return e
}

// publish publishes events that must be accepted.
func publish(t testing.TB, h *Hub, events ...Event) {
	t.Helper()
	for _, e := range events {
		if err := h.Publish(context.Background(), e); err != nil {
			t.Fatalf("Publish(%s): %v", e.ID, err)
		}
	}
}

// buffered drains what s holds now, without waiting: local delivery is
// done when Publish returns.
func buffered(s *Subscription) []string {
	var ids []string
	for {
		select {
		case e, ok := <-s.C():
			if !ok {
				return ids
			}
			ids = append(ids, e.ID)
		default:
			return ids
		}
	}
}

// receive waits for s's next event.
func receive(t testing.TB, s *Subscription) Event {
	t.Helper()
	select {
	case e, ok := <-s.C():
		if !ok {
			t.Fatal("the subscription closed; want an event")
		}
		return e
	case <-time.After(wait):
		t.Fatalf("no event within %s", wait)
	}
	return Event{}
}

// closed waits for s's channel to close, failing on an event.
func closed(t testing.TB, s *Subscription) {
	t.Helper()
	select {
	case e, ok := <-s.C():
		if ok {
			t.Fatalf("got %s; want the subscription closed", e.ID)
		}
	case <-time.After(wait):
		t.Fatalf("the subscription did not close within %s", wait)
	}
}

// waitFor polls cond until it holds, failing after wait.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, wait)
		}
		<-tick.C
	}
}

// settleGoroutines waits until no more goroutines run than before, and
// fails with their stacks if some stay.
func settleGoroutines(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf)
		}
		runtime.Gosched()
		<-time.After(time.Millisecond)
	}
}

// logBuffer is a logger whose records the test can read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) count(s string) int { return strings.Count(l.String(), s) }

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

func ids(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}
