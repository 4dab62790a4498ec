package budget

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"
)

// step is one bucket operation of a store test: the clock moves by
// advance, then n is taken (forced or not).
type step struct {
	advance    time.Duration
	n          float64
	force      bool
	wantOK     bool
	wantTokens float64
}

// bucketCases are the bucket's rules, which every store keeps: a bucket of
// 10 tokens refilled at 2 a second.
var bucketCases = []struct {
	name  string
	steps []step
}{
	{"a new bucket is full and gives all it holds", []step{
		{n: 10, wantOK: true, wantTokens: 0},
	}},
	{"a take beyond what the bucket holds takes nothing", []step{
		{n: 4, wantOK: true, wantTokens: 6},
		{n: 7, wantOK: false, wantTokens: 6},
	}},
	{"the bucket refills at its rate", []step{
		{n: 10, wantOK: true, wantTokens: 0},
		{advance: 1500 * time.Millisecond, n: 3.5, wantOK: false, wantTokens: 3},
		{n: 3, wantOK: true, wantTokens: 0},
	}},
	{"refilling stops at the capacity", []step{
		{n: 5, wantOK: true, wantTokens: 5},
		{advance: time.Hour, n: 0, wantOK: true, wantTokens: 10},
	}},
	{"a forced take may go below zero and is repaid at the rate", []step{
		{n: 12, force: true, wantOK: true, wantTokens: -2},
		{advance: time.Second, n: 0, wantOK: true, wantTokens: 0},
		{advance: time.Second, n: 1, wantOK: true, wantTokens: 1},
	}},
	{"a refund gives tokens back up to the capacity", []step{
		{n: 8, wantOK: true, wantTokens: 2},
		{n: -5, force: true, wantOK: true, wantTokens: 7},
		{n: -100, force: true, wantOK: true, wantTokens: 10},
	}},
	{"a clock that steps back refills nothing, and nothing twice", []step{
		{n: 10, wantOK: true, wantTokens: 0},
		{advance: -5 * time.Second, n: 0, wantOK: true, wantTokens: 0},
		{advance: 6 * time.Second, n: 0, wantOK: true, wantTokens: 2},
	}},
}

// testStore runs bucketCases on the store that newStore makes on c.
func testStore(t *testing.T, newStore func(c *clock) store) {
	l := limit{capacity: 10, rate: 2}
	for i, tc := range bucketCases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			s := newStore(c)
			key := fmt.Sprintf("test:%s:%d", t.Name(), i)
			for j, st := range tc.steps {
				c.Advance(st.advance)
				tokens, ok, err := s.apply(context.Background(), key, l, st.n, st.force)
				if err != nil {
					t.Fatalf("step %d: %v", j, err)
				}
				if ok != st.wantOK || math.Abs(tokens-st.wantTokens) > 1e-9 {
					t.Errorf("step %d: take %v (force %v) = %v tokens, ok %v; want %v, ok %v",
						j, st.n, st.force, tokens, ok, st.wantTokens, st.wantOK)
				}
			}
		})
	}
}
