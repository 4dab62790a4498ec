package budget

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// A caller who spends their bucket is throttled, told when enough will be
// back, and is served again at the restore rate.
func TestACallerWhoSpendsTheirBucketIsThrottledAndRecovers(t *testing.T) {
	c := newClock()
	b := newBudget(t, c, Config{}) // 1000, 50 a second
	ctx := context.Background()
	steps := []struct {
		name      string
		advance   time.Duration
		requested int
		wantRetry time.Duration // 0: granted
		wantLeft  int
	}{
		{"a first operation fits the full bucket", 0, 600, 0, 400},
		{"one that needs more than is left is refused until 100 more come back", 0, 500, 2 * time.Second, 400},
		{"after a second, 50 came back: still 50 short", time.Second, 500, time.Second, 450},
		{"after two seconds it fits", time.Second, 500, 0, 0},
		{"an empty bucket refuses even one call for 1/50 s", 0, 1, 20 * time.Millisecond, 0},
		{"an operation of no Stripe call always fits", 0, 0, 0, 0},
	}
	for _, st := range steps {
		c.Advance(st.advance)
		res, err := b.Reserve(ctx, "user:alice", st.requested)
		var te *ThrottledError
		switch {
		case st.wantRetry == 0 && err != nil:
			t.Errorf("%s: %v, want it granted", st.name, err)
		case st.wantRetry != 0 && !errors.As(err, &te):
			t.Errorf("%s: %v, want a ThrottledError", st.name, err)
		case st.wantRetry != 0 && (te.Scope != ScopeCaller || te.RetryAfter != st.wantRetry):
			t.Errorf("%s: %+v, want scope caller, RetryAfter %v", st.name, te, st.wantRetry)
		}
		if got := res.Status(); got != (Status{MaximumAvailable: 1000, CurrentlyAvailable: st.wantLeft, RestoreRate: 50}) {
			t.Errorf("%s: status %+v, want %d left of 1000 at 50/s", st.name, got, st.wantLeft)
		}
	}
}

// Settle charges the Stripe calls made and refunds the rest: a call not
// made (a cache hit, a session not found before the call) is free.
func TestSettleChargesWhatWasCalled(t *testing.T) {
	tests := []struct {
		name                string
		requested, called   int
		wantActual, wantNow int
	}{
		{"all requested calls made: no refund", 100, 100, 100, 900},
		{"fewer calls than requested: the rest is refunded", 100, 10, 10, 990},
		{"no call at all: all refunded", 100, 0, 0, 1000},
		{"more calls than requested: the excess is charged", 10, 15, 15, 985},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			b := newBudget(t, c, Config{})
			ctx := context.Background()
			res, err := b.Reserve(ctx, "user:alice", tt.requested)
			if err != nil {
				t.Fatal(err)
			}
			m := meterOf(res.Metered(ctx))
			for range tt.called {
				m.Add(1)
			}
			cost := res.Settle(ctx)
			if cost.RequestedQueryCost != tt.requested || cost.ActualQueryCost == nil || *cost.ActualQueryCost != tt.wantActual {
				t.Errorf("cost %+v, want requested %d, actual %d", cost, tt.requested, tt.wantActual)
			}
			if got := cost.ThrottleStatus.CurrentlyAvailable; got != tt.wantNow {
				t.Errorf("currently available %d after settling, want %d", got, tt.wantNow)
			}
			if got := b.Status(ctx, "user:alice").CurrentlyAvailable; got != tt.wantNow {
				t.Errorf("the bucket holds %d, want %d", got, tt.wantNow)
			}
			if again := res.Settle(ctx); again.ThrottleStatus != cost.ThrottleStatus {
				t.Errorf("a second Settle changed the cost: %+v, then %+v", cost, again)
			}
		})
	}
}

// A refused operation did not run: it is charged nothing and its actual
// cost is null, as Shopify's is.
func TestARefusedReservationChargesNothing(t *testing.T) {
	c := newClock()
	b := newBudget(t, c, Config{Capacity: 10, RestoreRate: 1})
	ctx := context.Background()
	b.Reserve(ctx, "ip:192.0.2.1", 8)
	res, err := b.Reserve(ctx, "ip:192.0.2.1", 5)
	if err == nil {
		t.Fatal("granted 5 of 2 left")
	}
	cost := res.Settle(ctx)
	if cost.ActualQueryCost != nil || cost.RequestedQueryCost != 5 || cost.ThrottleStatus.CurrentlyAvailable != 2 {
		t.Errorf("cost %+v, want requested 5, actual null, 2 left", cost)
	}
}

func TestBucketsByCaller(t *testing.T) {
	c := newClock()
	b := newBudget(t, c, Config{})
	ctx := context.Background()
	tests := []struct {
		name      string
		caller    string
		requested int
		wantErr   any
	}{
		{"server keys share a larger bucket", ServerCaller, 1500, nil},
		{"an end user's bucket is their own", "user:alice", 1000, nil},
		{"another user's bucket is full", "user:bob", 1000, nil},
		{"an end user's bucket holds 1000", "user:carol", 1001, &CostExceededError{}},
		{"more than a full bucket is refused for good", ServerCaller, 2001, &CostExceededError{}},
	}
	for _, tt := range tests {
		_, err := b.Reserve(ctx, tt.caller, tt.requested)
		var ce *CostExceededError
		switch {
		case tt.wantErr == nil && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != nil && !errors.As(err, &ce):
			t.Errorf("%s: %v, want a CostExceededError", tt.name, err)
		}
	}
	if got := b.Status(ctx, ServerCaller); got != (Status{MaximumAvailable: 2000, CurrentlyAvailable: 500, RestoreRate: 100}) {
		t.Errorf("server status %+v", got)
	}
}

// recorder is an Observer that keeps what it hears.
type recorder struct {
	mu        sync.Mutex
	throttled []string
	spent     []int
}

func (r *recorder) Throttled(scope string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.throttled = append(r.throttled, scope)
}

func (r *recorder) Spent(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spent = append(r.spent, n)
}

func TestTheObserverHearsRefusalsAndSpending(t *testing.T) {
	c := newClock()
	rec := &recorder{}
	b := newBudget(t, c, Config{Capacity: 10, RestoreRate: 1, Observer: rec})
	ctx := context.Background()
	res, _ := b.Reserve(ctx, "user:alice", 10)
	meterOf(res.Metered(ctx)).Add(7)
	res.Settle(ctx)
	b.Reserve(ctx, "user:alice", 5) // 3 left: refused
	if len(rec.spent) != 1 || rec.spent[0] != 7 {
		t.Errorf("Spent heard %v, want [7]", rec.spent)
	}
	if len(rec.throttled) != 1 || rec.throttled[0] != ScopeCaller {
		t.Errorf("Throttled heard %v, want [caller]", rec.throttled)
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{"zero is the defaults", Config{}, false},
		{"Stripe's live limits", Config{Global: StripeLimits(true)}, false},
		{"a zero burst is a second of the rate", Config{Global: &GlobalConfig{ReadRate: 10, WriteRate: 5}}, false},
		{"a negative capacity", Config{Capacity: -1}, true},
		{"a negative server rate", Config{ServerRestoreRate: -1}, true},
		{"a global budget without a read rate", Config{Global: &GlobalConfig{WriteRate: 5}}, true},
		{"a global burst below one call", Config{Global: &GlobalConfig{ReadRate: 10, ReadBurst: 0.5, WriteRate: 5}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := New(context.Background(), tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New: %v, want error %v", err, tt.wantErr)
			}
			if b != nil {
				b.Close()
			}
		})
	}
	b, _ := New(context.Background(), Config{})
	defer b.Close()
	if b.caller != (limit{1000, 50}) || b.server != (limit{2000, 100}) || b.global {
		t.Errorf("defaults: caller %+v, server %+v, global %v", b.caller, b.server, b.global)
	}
	if g := StripeLimits(false); *g != (GlobalConfig{25, 25, 25, 25}) {
		t.Errorf("test-mode limits %+v", *g)
	}
}

// A nil Budget is the budgets switched off: nothing is computed or added.
func TestANilBudgetIsOff(t *testing.T) {
	var b *Budget
	if ok, reason := b.Ready(); !ok || reason != "" {
		t.Errorf("Ready = %v, %q", ok, reason)
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	next := &fakeClient{}
	if Counting(next, b) != next {
		t.Error("Counting with a nil budget decorated the client")
	}
}
