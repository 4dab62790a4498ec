package events

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
)

func TestPublishErrors(t *testing.T) {
	tests := []struct {
		name  string
		event Event
		want  error
	}{
		{"an event without an ID is refused", Event{Type: Types[0], SessionID: "vs_1"}, ErrInvalidEvent},
		{"an event without a session is refused", Event{ID: "evt_1", Type: Types[0]}, ErrInvalidEvent},
		{"another object's event is refused", Event{ID: "evt_1", Type: "charge.succeeded", SessionID: "vs_1"}, ErrInvalidEvent},
		{"a wildcard type is refused", Event{ID: "evt_1", Type: TypePrefix + "*", SessionID: "vs_1"}, ErrInvalidEvent},
		{"a newer session type Stripe may add is accepted", Event{ID: "evt_1", Type: TypePrefix + "expired", SessionID: "vs_1"}, nil},
		{"an ID seen already is a duplicate", Event{ID: "evt_1", Type: Types[0], SessionID: "vs_1"}, ErrDuplicate},
	}
	h := newHub(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := h.Publish(t.Context(), tt.event); !errors.Is(err, tt.want) {
				t.Errorf("Publish = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAnEventIDIsDeliveredOnce(t *testing.T) {
	h := newHub(t, Options{RecentIDs: 2})
	s := subscribe(t, h, Filter{})
	publish(t, h, ev("evt_1", "vs_1"))
	if err := h.Publish(t.Context(), ev("evt_1", "vs_1")); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second Publish = %v, want ErrDuplicate", err)
	}
	// Two more IDs push evt_1 out of the hub's memory of two.
	publish(t, h, ev("evt_2", "vs_1"), ev("evt_3", "vs_1"), ev("evt_1", "vs_1"))
	if got, want := buffered(s), []string{"evt_1", "evt_2", "evt_3", "evt_1"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if st := h.Stats(); st.Published != 4 || st.Duplicates != 1 {
		t.Errorf("stats %+v, want 4 published and 1 duplicate", st)
	}
}

// A Latest subscriber that does not read keeps only the newest event of its
// session, and holds up no one.
func TestLatestStateWinsUnderASlowReader(t *testing.T) {
	h := newHub(t, Options{})
	slow := subscribe(t, h, Filter{SessionID: "vs_1", Delivery: Latest})
	other := subscribe(t, h, Filter{SessionID: "vs_2", Delivery: Latest})
	for i := range 100 {
		publish(t, h, ev(fmt.Sprint("evt_", i), "vs_1"))
	}
	publish(t, h, ev("evt_other", "vs_2"))
	e := receive(t, slow)
	if e.ID != "evt_99" {
		t.Errorf("the slow reader got %s, want the newest, evt_99", e.ID)
	}
	if got := buffered(slow); got != nil {
		t.Errorf("then %v, want nothing more", got)
	}
	if n := slow.Dropped(); n != 99 {
		t.Errorf("Dropped = %d, want 99 replaced", n)
	}
	if got := buffered(other); !slices.Equal(got, []string{"evt_other"}) || other.Dropped() != 0 {
		t.Errorf("another session's subscriber got %v and dropped %d, want [evt_other] and 0", got, other.Dropped())
	}
	// Read, then a new change: it arrives.
	publish(t, h, ev("evt_100", "vs_1"))
	if e := receive(t, slow); e.ID != "evt_100" {
		t.Errorf("after reading, got %s, want evt_100", e.ID)
	}
}

// An Every subscriber that does not read loses its oldest events, counted;
// a subscriber that reads loses none.
func TestEveryDropsOldestAndCounts(t *testing.T) {
	h := newHub(t, Options{Buffer: 4})
	slow := subscribe(t, h, Filter{})
	fast := subscribe(t, h, Filter{})
	var got []string
	for _, id := range ids("evt_", 0, 10) {
		publish(t, h, ev(id, "vs_1"))
		got = append(got, receive(t, fast).ID)
	}
	if want := ids("evt_", 0, 10); !slices.Equal(got, want) {
		t.Errorf("the fast reader got %v, want %v", got, want)
	}
	if got, want := buffered(slow), ids("evt_", 6, 10); !slices.Equal(got, want) {
		t.Errorf("the slow reader got %v, want the newest four %v", got, want)
	}
	if slow.Dropped() != 6 || fast.Dropped() != 0 {
		t.Errorf("Dropped = %d (slow), %d (fast); want 6 and 0", slow.Dropped(), fast.Dropped())
	}
	if st := h.Stats(); st.Dropped != 6 || st.Delivered != 20 {
		t.Errorf("stats %+v, want 20 delivered and 6 dropped", st)
	}
}

func TestLimits(t *testing.T) {
	type open struct {
		caller string
		scope  string // "" when it succeeds
	}
	tests := []struct {
		name  string
		opts  Options
		opens []open
	}{
		{"a caller may open up to the per-caller limit", Options{MaxPerCaller: 2},
			[]open{{"user:a", ""}, {"user:a", ""}, {"user:a", ScopeCaller}, {"user:b", ""}}},
		{"the hub refuses past its limit, whoever asks", Options{MaxSubscriptions: 3},
			[]open{{"user:a", ""}, {"user:b", ""}, {"user:c", ""}, {"user:d", ScopeHub}}},
		{"a caller limit replaces the default for its caller", Options{MaxPerCaller: 1, CallerLimits: map[string]int{"server": 3}},
			[]open{{"server", ""}, {"server", ""}, {"server", ""}, {"server", ScopeCaller}, {"user:a", ""}, {"user:a", ScopeCaller}}},
		{"callers without a key share one limit", Options{MaxPerCaller: 1},
			[]open{{"", ""}, {"", ScopeCaller}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHub(t, tt.opts)
			var last *Subscription
			for i, o := range tt.opens {
				s, err := h.Subscribe(t.Context(), Filter{Caller: o.caller})
				var le *LimitError
				switch {
				case o.scope == "" && err != nil:
					t.Fatalf("open %d (%s): %v", i, o.caller, err)
				case o.scope == "":
					last = s
				case !errors.Is(err, ErrTooManySubscriptions) || !errors.As(err, &le) || le.Scope != o.scope:
					t.Fatalf("open %d (%s) = %v; want a %s LimitError", i, o.caller, err, o.scope)
				}
			}
			// Ending one makes room for its caller again.
			last.Close()
			if _, err := h.Subscribe(t.Context(), Filter{Caller: tt.opens[len(tt.opens)-1].caller}); err != nil {
				t.Errorf("after closing one: %v", err)
			}
		})
	}
}

func TestSubscriptionsEnd(t *testing.T) {
	tests := []struct {
		name string
		end  func(h *Hub, s *Subscription, cancel context.CancelFunc)
	}{
		{"a canceled context ends it", func(_ *Hub, _ *Subscription, cancel context.CancelFunc) { cancel() }},
		{"Close ends it", func(_ *Hub, s *Subscription, _ context.CancelFunc) { s.Close() }},
		{"Close twice is fine", func(_ *Hub, s *Subscription, _ context.CancelFunc) { s.Close(); s.Close() }},
		{"closing the hub ends it", func(h *Hub, _ *Subscription, _ context.CancelFunc) { h.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHub(t, Options{MaxPerCaller: 1})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			s, err := h.Subscribe(ctx, Filter{SessionID: "vs_1", Caller: "user:a"})
			if err != nil {
				t.Fatal(err)
			}
			tt.end(h, s, cancel)
			closed(t, s)
			waitFor(t, "the hub forgets it", func() bool { return h.Stats().Subscriptions == 0 })
			h.Publish(t.Context(), ev("evt_after", "vs_1")) // reaches no one, panics nowhere
		})
	}
}

func TestASubscriptionWithADoneContextIsRefused(t *testing.T) {
	h := newHub(t, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := h.Subscribe(ctx, Filter{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Subscribe = %v, want context.Canceled", err)
	}
}

func TestAClosedHubRefuses(t *testing.T) {
	h := newHub(t, Options{})
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.Publish(t.Context(), ev("evt_1", "vs_1")); !errors.Is(err, ErrClosed) {
		t.Errorf("Publish = %v, want ErrClosed", err)
	}
	if _, err := h.Subscribe(t.Context(), Filter{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe = %v, want ErrClosed", err)
	}
	if err := h.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// Subscribing, publishing and ending at once, from many goroutines: the
// race detector's test, and nothing is left running.
func TestConcurrentUseLeavesNothingBehind(t *testing.T) {
	before := runtime.NumGoroutine()
	h, err := New(t.Context(), Options{Buffer: 2})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				ctx, cancel := context.WithCancel(context.Background())
				f := Filter{SessionID: fmt.Sprint("vs_", i%5), Delivery: Delivery(i % 2)}
				if i%3 == 0 {
					f = Filter{Types: []string{TypePrefix + "*"}}
				}
				s, err := h.Subscribe(ctx, f)
				if err != nil {
					t.Error(err)
					cancel()
					return
				}
				h.Publish(ctx, ev(fmt.Sprintf("evt_%d_%d", g, i), fmt.Sprint("vs_", i%5)))
				switch i % 3 {
				case 0:
					cancel()
				case 1:
					s.Close()
					cancel()
				default:
					go cancel() // ends while the others publish
				}
				for range s.C() {
				}
			}
		})
	}
	wg.Wait()
	waitFor(t, "every subscription ends", func() bool { return h.Stats().Subscriptions == 0 })
	h.Close()
	settleGoroutines(t, before)
}

// Idle subscriptions run nothing: no goroutine per subscription, and none
// left after they end.
func TestSubscriptionsRunNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	h, err := New(t.Context(), Options{MaxPerCaller: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	for i := range 1000 {
		if _, err := h.Subscribe(ctx, Filter{SessionID: fmt.Sprint("vs_", i), Delivery: Latest}); err != nil {
			t.Fatal(err)
		}
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines with 1,000 subscriptions, %d before", n, before)
	}
	cancel()
	waitFor(t, "every subscription ends", func() bool { return h.Stats().Subscriptions == 0 })
	h.Close()
	settleGoroutines(t, before)
}
