package sessioncache

import (
	"context"
	"sync/atomic"
)

type freshKey struct{}

// Fresh returns ctx marked so that the reads made with it go to Stripe
// themselves, neither merged nor cached: for a selection of url or
// clientSecret, single-use values for one caller.
func Fresh(ctx context.Context) context.Context {
	return context.WithValue(ctx, freshKey{}, true)
}

func isFresh(ctx context.Context) bool {
	v, _ := ctx.Value(freshKey{}).(bool)
	return v
}

// Tally counts how one operation's reads were served, for the GraphQL
// response's extensions.cache.
type Tally struct {
	hits, misses, merged atomic.Int64
}

// TallyCounts are a Tally's counts, as extensions.cache shows them.
type TallyCounts struct {
	// Hits are reads served from the cache.
	Hits int64 `json:"hits"`
	// Misses are reads that called Stripe.
	Misses int64 `json:"misses"`
	// Merged are reads that shared another read's Stripe call.
	Merged int64 `json:"merged"`
}

// Counts returns the counts so far.
func (t *Tally) Counts() TallyCounts {
	return TallyCounts{Hits: t.hits.Load(), Misses: t.misses.Load(), Merged: t.merged.Load()}
}

type tallyKey struct{}

// WithTally returns ctx carrying t: the reads made with it count in t.
func WithTally(ctx context.Context, t *Tally) context.Context {
	return context.WithValue(ctx, tallyKey{}, t)
}

func tallyOf(ctx context.Context) *Tally {
	t, _ := ctx.Value(tallyKey{}).(*Tally)
	return t
}

// The outcomes of a read, as Observer.CacheRead is told them.
const (
	OutcomeHit    = "hit"
	OutcomeMiss   = "miss"
	OutcomeMerged = "merged"
	// OutcomeBypass is a Fresh read, or one with params the cache does
	// not key on: straight to Stripe.
	OutcomeBypass = "bypass"
	// OutcomeRefresh is a fetch an event started, not a caller.
	OutcomeRefresh = "refresh"
)

// count records a read's outcome in ctx's tally and o.
func count(ctx context.Context, o Observer, outcome string) {
	if t := tallyOf(ctx); t != nil {
		switch outcome {
		case OutcomeHit:
			t.hits.Add(1)
		case OutcomeMiss, OutcomeBypass:
			t.misses.Add(1)
		case OutcomeMerged:
			t.merged.Add(1)
		}
	}
	o.CacheRead(outcome)
}
