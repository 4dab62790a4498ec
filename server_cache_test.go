package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/identity"
	"github.com/idgraph/idgraph/internal/metrics"
)

// cachedAnswer is a GraphQL answer with its extensions.cache.
type cachedAnswer struct {
	Data       json.RawMessage
	Errors     json.RawMessage
	Extensions struct {
		Cache struct{ Hits, Misses, Merged int }
	}
}

func (s emulatorServer) ask(t *testing.T, query, id string) cachedAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"id": id}})
	res, err := http.Post(s.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a cachedAnswer
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	if len(a.Errors) > 0 {
		t.Fatalf("errors: %s", a.Errors)
	}
	return a
}

// retrieves counts the session retrieves idgraph sent to Stripe (here the
// emulator), from its own /metrics.
func (s emulatorServer) retrieves(t *testing.T) float64 {
	t.Helper()
	res, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, m := range families["idgraph_stripe_requests_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["method"] == http.MethodGet && labels["endpoint"] == "/v1/identity/verification_sessions/{id}" {
			n += m.GetCounter().GetValue()
		}
	}
	return n
}

// On the emulator, reads of a session are served from the cache until an
// event says it changed; single-use values and sensitive results are
// always asked of Stripe.
func TestTheSessionCacheOnTheEmulator(t *testing.T) {
	s := serveOnEmulator(t)
	sess := s.create(t, map[string]any{"type": "DOCUMENT"})
	const statusQuery = `query($id: ID!) { verificationSession(id: $id) { id status } }`

	before := s.retrieves(t)
	for range 3 {
		if a := s.ask(t, statusQuery, sess.ID); a.Extensions.Cache.Hits != 1 || !strings.Contains(string(a.Data), `"REQUIRES_INPUT"`) {
			t.Fatalf("a read after the create: %s, cache %+v; want a hit on the create's answer", a.Data, a.Extensions.Cache)
		}
	}
	if n := s.retrieves(t) - before; n != 0 {
		t.Errorf("%g retrieves for three reads after a create, want 0", n)
	}

	t.Run("url and clientSecret are asked of Stripe after a cached read", func(t *testing.T) {
		for _, field := range []string{"url", "clientSecret", "lastVerificationReport { verificationSession { url } }"} {
			before := s.retrieves(t)
			a := s.ask(t, `query($id: ID!) { verificationSession(id: $id) { status `+field+` } }`, sess.ID)
			if n := s.retrieves(t) - before; n != 1 || a.Extensions.Cache.Hits != 0 {
				t.Errorf("selecting %s: %g retrieves, cache %+v; want Stripe asked", field, n, a.Extensions.Cache)
			}
			if field != "lastVerificationReport { verificationSession { url } }" && strings.Contains(string(a.Data), `:null`) {
				t.Errorf("selecting %s: %s, want Stripe's value", field, a.Data)
			}
		}
	})

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(sess.URL, url.Values{"action": {"pass"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	t.Run("an event makes the next read show the new state", func(t *testing.T) {
		a := s.ask(t, statusQuery, sess.ID)
		if !strings.Contains(string(a.Data), `"PROCESSING"`) || a.Extensions.Cache.Misses != 0 {
			t.Fatalf("after the submission: %s, cache %+v; want PROCESSING from the event's own fetch", a.Data, a.Extensions.Cache)
		}
		s.clock.Advance(10 * time.Second)
		if a := s.ask(t, statusQuery, sess.ID); !strings.Contains(string(a.Data), `"VERIFIED"`) {
			t.Fatalf("after processing: %s, want VERIFIED", a.Data)
		}
	})

	t.Run("sensitive results are asked of Stripe every time", func(t *testing.T) {
		for range 2 {
			before := s.retrieves(t)
			a := s.ask(t, `query($id: ID!) { verificationSession(id: $id) { status verifiedOutputs { firstName dob { year } } } }`, sess.ID)
			if n := s.retrieves(t) - before; n != 2 || a.Extensions.Cache.Hits != 0 {
				t.Errorf("%g retrieves, cache %+v; want the outputs' call and the sensitive call", n, a.Extensions.Cache)
			}
			if !strings.Contains(string(a.Data), `"year":`) {
				t.Errorf("sensitive read: %s", a.Data)
			}
		}
	})
}

// countingClient answers every retrieve with a session and counts them.
type countingClient struct {
	identity.Client
	n atomic.Int64
}

func (c *countingClient) Retrieve(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	c.n.Add(1)
	return &stripe.IdentityVerificationSession{ID: id, Status: stripe.IdentityVerificationSessionStatusVerified}, nil
}

// On Stripe the cache keeps sessions only when webhooks tell it of changes.
func TestTheCacheKeepsSessionsOnlyWithAnEventSource(t *testing.T) {
	tests := []struct {
		name  string
		vars  map[string]string
		calls int64
	}{
		{"on the emulator", nil, 1},
		{"on Stripe with a webhook secret", map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "IDGRAPH_ALLOW_UNAUTHENTICATED": "true", "STRIPE_WEBHOOK_SECRET": "whsec_1"}, 1},
		{"on Stripe without one", map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "IDGRAPH_ALLOW_UNAUTHENTICATED": "true"}, 2},
		{"turned off", map[string]string{"IDGRAPH_CACHE": "off"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, tt.vars)
			next := &countingClient{}
			c, release, err := newSessionCache(cfg, next, nil, metrics.New(), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			for range 2 {
				if _, err := c.Retrieve(context.Background(), "vs_1", nil); err != nil {
					t.Fatal(err)
				}
			}
			if n := next.n.Load(); n != tt.calls {
				t.Errorf("%d Stripe calls for two reads, want %d", n, tt.calls)
			}
		})
	}
}
