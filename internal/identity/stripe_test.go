package identity

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// stripeStub answers like Stripe's list endpoint and records each request.
type stripeStub struct {
	mu       sync.Mutex
	requests []*http.Request
	answer   func(w http.ResponseWriter, r *http.Request)
}

func (s *stripeStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(context.Background()))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_stub")
	s.answer(w, r)
}

func newStub(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*Stripe, *stripeStub) {
	t.Helper()
	stub := &stripeStub{answer: answer}
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	return NewStripe(Config{Key: "sk_test_stub", BaseURL: srv.URL}), stub
}

// page answers a list with these IDs, newest first as Stripe sends them.
func page(ids ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		var items []string
		for _, id := range ids {
			items = append(items, `{"id":"`+id+`","object":"identity.verification_session"}`)
		}
		w.Write([]byte(`{"object":"list","has_more":true,"url":"/v1/identity/verification_sessions","data":[` + strings.Join(items, ",") + `]}`))
	}
}

func ids(p Page) []string {
	var out []string
	for _, s := range p.Sessions {
		out = append(out, s.ID)
	}
	return out
}

func TestListIsOnePageInListOrder(t *testing.T) {
	tests := []struct {
		name   string
		params *stripe.IdentityVerificationSessionListParams
		query  string
	}{
		{"a first page", &stripe.IdentityVerificationSessionListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(3)}}, "limit=3"},
		{"a page after a cursor", &stripe.IdentityVerificationSessionListParams{ListParams: stripe.ListParams{StartingAfter: stripe.String("vs_0")}}, "starting_after=vs_0"},
		// stripe-go reverses pages read with ending_before; List must not.
		{"a page before a cursor", &stripe.IdentityVerificationSessionListParams{ListParams: stripe.ListParams{EndingBefore: stripe.String("vs_9")}}, "ending_before=vs_9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := newStub(t, page("vs_3", "vs_2", "vs_1"))
			p, err := c.List(context.Background(), tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p); !slices.Equal(got, []string{"vs_3", "vs_2", "vs_1"}) || !p.HasMore {
				t.Errorf("page %v has_more %v, want Stripe's order and has_more", got, p.HasMore)
			}
			if len(stub.requests) != 1 {
				t.Fatalf("%d requests, want one page and no auto-pagination", len(stub.requests))
			}
			if q := stub.requests[0].URL.RawQuery; !strings.Contains(q, tt.query) {
				t.Errorf("query %q lacks %q", q, tt.query)
			}
		})
	}
}

func TestCallsCarryTheKeyAndIdempotencyKey(t *testing.T) {
	c, stub := newStub(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"id":"vs_1","object":"identity.verification_session","status":"canceled"}`))
	})
	params := &stripe.IdentityVerificationSessionCancelParams{}
	params.IdempotencyKey = stripe.String("cancel-once")
	s, err := c.Cancel(context.Background(), "vs_1", params)
	if err != nil || s.Status != stripe.IdentityVerificationSessionStatusCanceled {
		t.Fatalf("cancel: %v %+v", err, s)
	}
	r := stub.requests[0]
	if r.URL.Path != "/v1/identity/verification_sessions/vs_1/cancel" || r.Method != http.MethodPost {
		t.Errorf("request %s %s", r.Method, r.URL.Path)
	}
	if got := r.Header.Get("Idempotency-Key"); got != "cancel-once" {
		t.Errorf("Idempotency-Key %q", got)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer sk_test_stub" {
		t.Errorf("Authorization %q", got)
	}
}

func TestStripeErrorsComeBackUnwrapped(t *testing.T) {
	c, _ := newStub(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such verification_session: 'vs_x'"}}`))
	})
	_, err := c.Retrieve(context.Background(), "vs_x", nil)
	var se *stripe.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v, want *stripe.Error", err, err)
	}
	if se.Code != stripe.ErrorCodeResourceMissing || se.Param != "id" || se.HTTPStatusCode != http.StatusNotFound || se.RequestID != "req_stub" {
		t.Errorf("got %+v", se)
	}
}

func TestTheHTTPClientIsIdgraphsOwn(t *testing.T) {
	tr := NewTransport()
	if tr.MaxIdleConnsPerHost < 100 || tr.ResponseHeaderTimeout == 0 || tr.TLSHandshakeTimeout == 0 {
		t.Errorf("transport %+v: too few idle connections or unbounded phases", tr)
	}
	var used bool
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"id":"vs_1","object":"identity.verification_session"}`))
	}))
	defer stub.Close()
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := NewStripe(Config{Key: "sk_test_1", BaseURL: stub.URL, HTTPClient: hc})
	if _, err := c.Retrieve(context.Background(), "vs_1", nil); err != nil || !used {
		t.Fatalf("err %v, used %v", err, used)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
