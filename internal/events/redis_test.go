package events

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idgraph/idgraph/internal/redistest"
)

// Two replicas on one Redis: each one's subscribers see the other's events,
// and their own once.
func TestReplicasShareEventsThroughRedis(t *testing.T) {
	srv := redistest.Start(t)
	a := newHub(t, Options{RedisURL: srv.URL()})
	b := newHub(t, Options{RedisURL: srv.URL()})
	onA := subscribe(t, a, Filter{})
	onB := subscribe(t, b, Filter{ClientReferenceID: "alice"})

	sent := Event{ID: "evt_1", Type: Types[3], Created: time.Unix(1_790_000_000, 123), SessionID: "vs_1", ClientReferenceID: "alice"}
	publish(t, a, sent)
	got := receive(t, onB)
	if got.ID != sent.ID || got.Type != sent.Type || !got.Created.Equal(sent.Created) ||
		got.SessionID != sent.SessionID || got.ClientReferenceID != sent.ClientReferenceID {
		t.Errorf("B received %+v, want %+v", got, sent)
	}
	// A delivered its own event at once, and ignores it when Redis echoes
	// it back.
	waitFor(t, "A hears its own event back", func() bool { return a.Stats().Echoes == 1 })
	if got := buffered(onA); !slices.Equal(got, []string{"evt_1"}) {
		t.Errorf("A's subscriber got %v, want evt_1 once", got)
	}

	publish(t, b, ev("evt_2", "vs_2"))
	if e := receive(t, onA); e.ID != "evt_2" {
		t.Errorf("A received %s, want B's evt_2", e.ID)
	}
	if got := buffered(onB); got != nil {
		t.Errorf("B's subscriber for alice got %v, an event of no one's session", got)
	}
	// Stripe delivering evt_1 again, to B this time: B has seen it.
	if err := b.Publish(t.Context(), sent); !errors.Is(err, ErrDuplicate) {
		t.Errorf("B publishing A's event again = %v, want ErrDuplicate", err)
	}
	for _, h := range []*Hub{a, b} {
		if ok, reason := h.Ready(); !ok {
			t.Errorf("Ready = false, %q", reason)
		}
	}
	if st := a.Stats(); st.Remote != 1 || st.RedisDropped != 0 {
		t.Errorf("A's stats %+v, want 1 remote and none dropped", st)
	}
}

// When Redis dies each replica delivers its own events, says so once in the
// log and in Ready; when it is back, both subscribe again by themselves.
func TestRedisOutageFallsBackAndRecovers(t *testing.T) {
	srv := redistest.Start(t)
	var logA logBuffer
	a := newHub(t, Options{RedisURL: srv.URL(), Logger: logA.logger(), RedisHealthInterval: 100 * time.Millisecond})
	b := newHub(t, Options{RedisURL: srv.URL(), RedisHealthInterval: 100 * time.Millisecond})
	onA := subscribe(t, a, Filter{})
	onB := subscribe(t, b, Filter{})

	srv.Stop()
	publish(t, a, ev("evt_down_0", "vs_1"))
	if e := receive(t, onA); e.ID != "evt_down_0" {
		t.Fatalf("A's own subscriber got %s, want evt_down_0", e.ID)
	}
	waitFor(t, "A says Redis is down", func() bool { ok, _ := a.Ready(); return !ok })
	waitFor(t, "B says Redis is down", func() bool { ok, _ := b.Ready(); return !ok })
	if _, reason := a.Ready(); !strings.Contains(reason, "Redis has not answered since") {
		t.Errorf("reason %q", reason)
	}
	for _, id := range ids("evt_down_", 1, 5) {
		publish(t, a, ev(id, "vs_1"))
		if e := receive(t, onA); e.ID != id {
			t.Fatalf("A's own subscriber got %s during the outage, want %s", e.ID, id)
		}
	}
	if n := logA.count("Redis does not answer"); n != 1 {
		t.Errorf("the outage was logged %d times, want once:\n%s", n, logA.String())
	}
	// The outage's events are lost to other replicas, not sent late.
	waitFor(t, "A gives up sending the outage's events", func() bool { return a.Stats().RedisDropped == 5 })

	srv.Restart()
	waitFor(t, "A says Redis is back", func() bool { ok, _ := a.Ready(); return ok })
	waitFor(t, "B says Redis is back", func() bool { ok, _ := b.Ready(); return ok })
	publish(t, a, ev("evt_back", "vs_1"))
	if e := receive(t, onB); e.ID != "evt_back" {
		t.Errorf("B received %s after the outage, want evt_back (what A published while Redis was down is lost)", e.ID)
	}
	publish(t, b, ev("evt_back_b", "vs_1"))
	receive(t, onA) // evt_back
	if e := receive(t, onA); e.ID != "evt_back_b" {
		t.Errorf("A received %s, want B's evt_back_b", e.ID)
	}
	if n := logA.count("Redis answers again"); n != 1 {
		t.Errorf("the return was logged %d times, want once:\n%s", n, logA.String())
	}
	if st := a.Stats(); st.RedisDropped != 5 {
		t.Errorf("A's RedisDropped = %d, want only the 5 events of the outage", st.RedisDropped)
	}
}

// A hub started while Redis is down serves its own process and joins the
// others when Redis comes.
func TestAHubStartsWithoutRedis(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	var log logBuffer
	a := newHub(t, Options{RedisURL: srv.URL(), Logger: log.logger()})
	if ok, _ := a.Ready(); ok {
		t.Fatal("Ready with no Redis")
	}
	onA := subscribe(t, a, Filter{})
	publish(t, a, ev("evt_1", "vs_1"))
	if got := buffered(onA); !slices.Equal(got, []string{"evt_1"}) {
		t.Errorf("got %v, want evt_1", got)
	}
	srv.Restart()
	waitFor(t, "A finds Redis", func() bool { ok, _ := a.Ready(); return ok })
	b := newHub(t, Options{RedisURL: srv.URL()})
	publish(t, b, ev("evt_2", "vs_1"))
	if e := receive(t, onA); e.ID != "evt_2" {
		t.Errorf("A received %s, want evt_2", e.ID)
	}
	if n := log.count("Redis does not answer"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, log.String())
	}
}

// A subscription connection that stops answering without closing (here,
// Redis pausing every client) is noticed by its ping, and replaced.
func TestASilentRedisIsNoticedByPing(t *testing.T) {
	srv := redistest.Start(t)
	a := newHub(t, Options{RedisURL: srv.URL(), RedisHealthInterval: 100 * time.Millisecond})
	b := newHub(t, Options{RedisURL: srv.URL()})
	onA := subscribe(t, a, Filter{})
	admin := newRedisClient(t, srv)
	if err := admin.Do(t.Context(), "CLIENT", "PAUSE", "1500", "ALL").Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "A says Redis is down", func() bool { ok, _ := a.Ready(); return !ok })
	waitFor(t, "A says Redis is back", func() bool { ok, _ := a.Ready(); return ok })
	publish(t, b, ev("evt_1", "vs_1"))
	if e := receive(t, onA); e.ID != "evt_1" {
		t.Errorf("A received %s, want evt_1", e.ID)
	}
}

func TestARedisURLThatDoesNotParseIsRefused(t *testing.T) {
	_, err := New(t.Context(), Options{RedisURL: "http://:hunter2@localhost"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("New = %v; want an error that does not repeat the password", err)
	}
}

// A message on the channel that is not an event is ignored, with a line in
// the log and not its content.
func TestForeignRedisMessagesAreIgnored(t *testing.T) {
	srv := redistest.Start(t)
	var log logBuffer
	a := newHub(t, Options{RedisURL: srv.URL(), Logger: log.logger()})
	onA := subscribe(t, a, Filter{})
	admin := newRedisClient(t, srv)
	for _, payload := range []string{"secret-garbage", `{"origin":"x","id":"evt_1","type":"charge.succeeded","session":"vs_1"}`} {
		if err := admin.Publish(t.Context(), "idgraph:events:db0", payload).Err(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "both are logged", func() bool { return log.count("events: ignored") == 2 })
	if strings.Contains(log.String(), "secret-garbage") {
		t.Errorf("the log repeats a message:\n%s", log.String())
	}
	if got := buffered(onA); got != nil {
		t.Errorf("got %v", got)
	}
}

// Hubs on Redis leave nothing running when closed.
func TestRedisHubsLeaveNothingBehind(t *testing.T) {
	srv := redistest.Start(t)
	before := runtime.NumGoroutine()
	a, err := New(t.Context(), Options{RedisURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(t.Context(), Options{RedisURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	s, err := b.Subscribe(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	publish(t, a, ev("evt_1", "vs_1"))
	receive(t, s)
	cancel()
	closed(t, s)
	a.Close()
	b.Close()
	settleGoroutines(t, before)
}

func newRedisClient(t *testing.T, srv *redistest.Server) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}
