package events

import (
	"context"
	"sync"
	"testing"

	"github.com/idgraph/idgraph/internal/redistest"
)

// observed records what an Observer was told.
type observed struct {
	mu   sync.Mutex
	seen []string // event ID, with " remote" when from another replica
}

func (o *observed) observe(e Event, remote bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	id := e.ID
	if remote {
		id += " remote"
	}
	o.seen = append(o.seen, id)
}

func (o *observed) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.seen...)
}

// An observer hears of each event once, before any subscriber can: what
// it does (the session cache forgets the session) is done by the time a
// subscriber reads the session again.
func TestObserversHearOfEachEventBeforeSubscribers(t *testing.T) {
	h := newHub(t, Options{})
	o := &observed{}
	h.Observe(o.observe)
	s := subscribe(t, h, Filter{})
	publish(t, h, ev("evt_1", "vs_1"))
	if err := h.Publish(context.Background(), ev("evt_1", "vs_1")); err != ErrDuplicate {
		t.Fatalf("a repeated event: %v, want ErrDuplicate", err)
	}
	if got := o.list(); len(got) != 1 || got[0] != "evt_1" {
		t.Fatalf("observed %v before the subscriber's receive, want [evt_1] once", got)
	}
	if e := receive(t, s); e.ID != "evt_1" {
		t.Fatalf("the subscriber got %s", e.ID)
	}
}

func TestObserversHearOfOtherReplicasEventsAsRemote(t *testing.T) {
	srv := redistest.Start(t)
	a, b := newHub(t, Options{RedisURL: srv.URL()}), newHub(t, Options{RedisURL: srv.URL()})
	oa, ob := &observed{}, &observed{}
	a.Observe(oa.observe)
	b.Observe(ob.observe)
	onB := subscribe(t, b, Filter{})
	waitFor(t, "both hubs on Redis", func() bool { okA, _ := a.Ready(); okB, _ := b.Ready(); return okA && okB })
	publish(t, a, ev("evt_r", "vs_1"))
	receive(t, onB)
	if got := ob.list(); len(got) != 1 || got[0] != "evt_r remote" {
		t.Errorf("B observed %v, want [evt_r remote]", got)
	}
	if got := oa.list(); len(got) != 1 || got[0] != "evt_r" {
		t.Errorf("A observed %v, want [evt_r] (its own echo ignored)", got)
	}
}
