package graph

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/sessioncache"
)

// readCounter counts the session cache's reads by outcome.
type readCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *readCounter) CacheRead(outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[outcome]++
}

func (c *readCounter) reads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[sessioncache.OutcomeMiss] + c.n[sessioncache.OutcomeMerged] + c.n[sessioncache.OutcomeBypass]
}

func cacheExtension(t *testing.T, r result) sessioncache.TallyCounts {
	t.Helper()
	var body struct {
		Extensions struct{ Cache sessioncache.TallyCounts }
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatal(err)
	}
	return body.Extensions.Cache
}

// The fields of one query that read the same session, nodes included, share
// one Stripe call: the fake answers only once all of them wait on it.
func TestTheFieldsOfOneQueryShareOneRead(t *testing.T) {
	fake := newFake(t)
	counter := &readCounter{}
	fake.RetrieveFunc = func(ctx context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		for deadline := time.Now().Add(5 * time.Second); counter.reads() < 3; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				return nil, errors.New("the three reads never waited together")
			}
		}
		return session(id), nil
	}
	c := newTestClient(t, sessioncache.New(fake, sessioncache.Options{Observer: counter}))
	r := do(t, c, `query($id: ID!) { a: verificationSession(id: $id) { status } b: node(id: $id) { id } nodes(ids: [$id, $id]) { id } }`,
		vars(map[string]any{"id": "vs_1"})...)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if got := ops(fake.Calls()); len(got) != 1 {
		t.Errorf("Stripe calls %v, want one", got)
	}
	if got := cacheExtension(t, r); got != (sessioncache.TallyCounts{Misses: 1, Merged: 2}) {
		t.Errorf("extensions.cache %+v, want 1 miss and 2 merged", got)
	}
}

// Selecting url or clientSecret reads the session for this field alone.
func TestSingleUseFieldsAreReadAlone(t *testing.T) {
	fake := newFake(t).retrieveOK()
	c := newTestClient(t, sessioncache.New(fake, sessioncache.Options{Cache: true}))
	query := `query($id: ID!) { a: verificationSession(id: $id) { url } b: verificationSession(id: $id) { clientSecret }
		c: node(id: $id) { ... on VerificationSession { lastVerificationReport { verificationSession { url } } } } }`
	for range 2 {
		r := do(t, c, query, vars(map[string]any{"id": "vs_1"})...)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
	}
	if got := ops(fake.Calls()); len(got) != 6 {
		t.Errorf("Stripe calls %v, want 6: each field of each query its own", got)
	}
}

// extensions.cache is for those who see every session: an end user's
// answer never carries it, whatever the cache did.
func TestOnlyFullAccessCallersSeeExtensionsCache(t *testing.T) {
	for _, tt := range []struct {
		name   string
		caller auth.Principal
		want   bool
	}{
		{"a server key sees it", auth.Principal{Kind: auth.Server}, true},
		{"development sees it", auth.Principal{Kind: auth.Development}, true},
		{"an end user does not", auth.Principal{Kind: auth.EndUser, Subject: "user_1"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t).retrieveOK()
			cached := sessioncache.New(fake, sessioncache.Options{Cache: true})
			c := client.New(asCaller(NewHandler(cached, discardLogger(), Options{}), tt.caller))
			for range 2 { // for a server key, a miss, then a hit
				r := do(t, c, `query($id: ID!) { verificationSession(id: $id) { status } }`, vars(map[string]any{"id": "vs_1"})...)
				if got := strings.Contains(r.Body, `"cache":`); got != tt.want {
					t.Errorf("extensions.cache shown: %v, want %v: %s", got, tt.want, r.Body)
				}
			}
		})
	}
}
