package budget

import (
	"context"
	"fmt"
	"testing"
)

func TestMemoryBuckets(t *testing.T) {
	testStore(t, func(c *clock) store { return newMemoryStore(c.Now) })
}

// Many callers, each seen once, must not grow the map for good: a bucket
// left full is not kept, and one that refills is swept.
func TestMemoryForgetsFullBuckets(t *testing.T) {
	c := newClock()
	m := newMemoryStore(c.Now)
	l := limit{capacity: 10, rate: 2}
	ctx := context.Background()
	for i := range 10000 {
		m.apply(ctx, fmt.Sprintf("ip:10.0.%d.%d", i/256, i%256), l, 1, false)
	}
	if n := m.size(); n != 10000 {
		t.Fatalf("%d buckets after 10,000 callers, want 10,000", n)
	}
	m.apply(ctx, "ip:peek", l, 0, false)
	if n := m.size(); n != 10000 {
		t.Errorf("a full bucket was kept: %d buckets", n)
	}
	c.Advance(sweepEvery)
	m.apply(ctx, "ip:192.0.2.1", l, 1, false)
	if n := m.size(); n != 1 {
		t.Errorf("%d buckets after they all refilled, want 1 (the last caller's)", n)
	}
}
