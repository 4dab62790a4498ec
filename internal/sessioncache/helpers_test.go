package sessioncache

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/events"
	"github.com/idgraph/idgraph/internal/identity"
	"github.com/idgraph/idgraph/internal/redistest"
)

// stripeStandIn answers Stripe's retrieve and update of sessions whose
// status the test sets, and counts the requests it serves: the calls the
// cache saves or not. hold, when set, keeps each answer until it closes;
// the status is read when the request arrives, as Stripe would.
type stripeStandIn struct {
	mu        sync.Mutex
	status    map[string]string
	hold      chan struct{}
	arrived   chan string // each request's expand query, when set
	retrieves atomic.Int64
}

func newStandIn(t *testing.T) (*stripeStandIn, identity.Client) {
	t.Helper()
	s := &stripeStandIn{status: map[string]string{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, identity.NewStripe(identity.Config{Key: "sk_test_standin", BaseURL: srv.URL, MaxNetworkRetries: 0})
}

func (s *stripeStandIn) set(id, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[id] = status
}

// holding makes the following answers wait until the returned func runs.
func (s *stripeStandIn) holding() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	s.hold = ch
	return sync.OnceFunc(func() {
		s.mu.Lock()
		if s.hold == ch {
			s.hold = nil
		}
		s.mu.Unlock()
		close(ch)
	})
}

func (s *stripeStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/v1/identity/verification_sessions/")
	r.ParseForm()
	s.mu.Lock()
	if r.Method == http.MethodPost && r.Form.Get("metadata[step]") != "" {
		s.status[id] = r.Form.Get("metadata[step]")
	}
	status, ok := s.status[id]
	hold, arrived := s.hold, s.arrived
	s.mu.Unlock()
	if r.Method == http.MethodGet {
		s.retrieves.Add(1)
	}
	if arrived != nil {
		arrived <- r.Form.Get("expand[0]")
	}
	if hold != nil {
		<-hold
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_standin")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such verification_session"}}`))
		return
	}
	json.NewEncoder(w).Encode(map[string]any{
		"id": id, "object": "identity.verification_session", "status": status, "type": "document",
		"client_reference_id": "user_42", "client_secret": id + "_secret_abc", "url": "https://verify.example/start/" + id,
		"metadata": map[string]string{"step": status},
	})
}

// outcomes counts reads by outcome, as metrics would.
type outcomes struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *outcomes) CacheRead(outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = map[string]int{}
	}
	o.n[outcome]++
}

func (o *outcomes) get(outcome string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[outcome]
}

// manualClock is the entries' clock, moved by the test.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newHub(t *testing.T, redisURL string) *events.Hub {
	t.Helper()
	h, err := events.New(context.Background(), events.Options{RedisURL: redisURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

var eventSeq atomic.Int64

// publish delivers a change of id through hub, as a webhook would.
func publish(t *testing.T, hub *events.Hub, id string) {
	t.Helper()
	err := hub.Publish(context.Background(), events.Event{ID: fmt.Sprintf("evt_%d", eventSeq.Add(1)),
		Type: "identity.verification_session.processing", Created: time.Now(), SessionID: id, ClientReferenceID: "user_42"})
	if err != nil {
		t.Fatal(err)
	}
}

// waitUntil polls cond, for what happens in goroutines of the code under
// test (a refresh landing), up to a few seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func eventOf(id, typ, session string, created time.Time) events.Event {
	return events.Event{ID: id, Type: typ, Created: created, SessionID: session, ClientReferenceID: "user_42"}
}

// fakeStripe keeps one status for every session. A retrieve reads it as
// it arrives, an update sets it; either answer can then be held back
// (retrieveGate, updateGate), as the network would after Stripe has acted.
type fakeStripe struct {
	identity.Client // the methods the tests do not use (nil: they panic)

	mu                       sync.Mutex
	status                   string
	retrieves, updates       int
	retrieveGate, updateGate chan struct{}
}

func (f *fakeStripe) answer(id string) *stripe.IdentityVerificationSession {
	return &stripe.IdentityVerificationSession{ID: id, ClientReferenceID: "user_42", Status: stripe.IdentityVerificationSessionStatus(f.status)}
}

func (f *fakeStripe) Retrieve(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	f.mu.Lock()
	s, gate := f.answer(id), f.retrieveGate
	f.retrieves++
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return s, nil
}

func (f *fakeStripe) Update(_ context.Context, id string, p *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
	f.mu.Lock()
	f.status = p.Metadata["step"]
	s, gate := f.answer(id), f.updateGate
	f.updates++
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return s, nil
}

func (f *fakeStripe) set(status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = status
}

func (f *fakeStripe) count() (retrieves, updates int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.retrieves, f.updates
}

// eachStore runs f with the cache in process and shared in Redis (where
// redis-server is installed): o has Cache on and, for Redis, its client.
func eachStore(t *testing.T, f func(t *testing.T, o Options)) {
	t.Run("in process", func(t *testing.T) { f(t, Options{Cache: true}) })
	t.Run("in Redis", func(t *testing.T) {
		f(t, Options{Cache: true, Redis: newRedis(t, redistest.Start(t).URL())})
	})
}

// update sets the session's status through c, as idgraph's mutations do.
func update(c *Client, id, status string) error {
	p := &stripe.IdentityVerificationSessionUpdateParams{}
	p.AddMetadata("step", status)
	_, err := c.Update(context.Background(), id, p)
	return err
}
