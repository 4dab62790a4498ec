package tracing

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v85"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/idgraph/idgraph/internal/identity"
)

// fakeStripe answers stripe-go like Stripe and keeps the requests it got.
type fakeStripe struct {
	mu   sync.Mutex
	reqs []*http.Request
	fail error // when set, every request fails with it
}

func (f *fakeStripe) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	body := `{"id":"vs_1NuGXf2eZvKYlo2C","object":"identity.verification_session","status":"canceled"}`
	if strings.HasSuffix(req.URL.Path, "/verification_sessions") && req.Method == http.MethodGet {
		body = `{"object":"list","data":[],"has_more":false,"url":"/v1/identity/verification_sessions"}`
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    req,
	}, nil
}

// The personal values of the calls below: none may be in a span.
var personal = []string{"vs_1NuGXf2eZvKYlo2C", "user_42", "client_reference_id", "expand", "sk_test_123", "?"}

func TestStripeSpans(t *testing.T) {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	fake := &fakeStripe{}
	client := identity.NewStripe(identity.Config{
		Key:     "sk_test_123",
		BaseURL: "https://api.stripe.test",
		HTTPClient: &http.Client{Transport: instrumentStripe(fake,
			otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(propagation.TraceContext{}))},
	})
	ctx, parent := tp.Tracer("test").Start(context.Background(), "graphql.query Sessions")
	_, err := client.Retrieve(ctx, "vs_1NuGXf2eZvKYlo2C", &stripe.IdentityVerificationSessionRetrieveParams{
		Expand: []*string{stripe.String("last_verification_report")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.List(ctx, &stripe.IdentityVerificationSessionListParams{ClientReferenceID: stripe.String("user_42")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Cancel(ctx, "vs_1NuGXf2eZvKYlo2C", nil); err != nil {
		t.Fatal(err)
	}
	parent.End()

	// Stripe got the real requests, with the trace context.
	if len(fake.reqs) != 3 {
		t.Fatalf("Stripe got %d requests, want 3", len(fake.reqs))
	}
	wantURLs := []string{
		"https://api.stripe.test/v1/identity/verification_sessions/vs_1NuGXf2eZvKYlo2C?expand[0]=last_verification_report",
		"https://api.stripe.test/v1/identity/verification_sessions?client_reference_id=user_42",
		"https://api.stripe.test/v1/identity/verification_sessions/vs_1NuGXf2eZvKYlo2C/cancel",
	}
	for i, req := range fake.reqs {
		got, err := url.PathUnescape(req.URL.String())
		if err != nil {
			t.Fatal(err)
		}
		if got != wantURLs[i] {
			t.Errorf("request %d went to %s, want %s", i, got, wantURLs[i])
		}
		if req.Header.Get("Traceparent") == "" {
			t.Errorf("request %d carries no traceparent", i)
		}
		if req.Header.Get("Authorization") == "" {
			t.Errorf("request %d lost its headers", i)
		}
	}

	spans := clientSpans(sr.Ended())
	want := []struct{ name, template string }{
		{"GET /v1/identity/verification_sessions/{id}", "/v1/identity/verification_sessions/{id}"},
		{"GET /v1/identity/verification_sessions", "/v1/identity/verification_sessions"},
		{"POST /v1/identity/verification_sessions/{id}/cancel", "/v1/identity/verification_sessions/{id}/cancel"},
	}
	if len(spans) != len(want) {
		t.Fatalf("%d client spans, want %d", len(spans), len(want))
	}
	for i, s := range spans {
		if s.Name() != want[i].name {
			t.Errorf("span %d named %q, want %q", i, s.Name(), want[i].name)
		}
		if s.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %d is not a child of the operation's span", i)
		}
		attrs := map[string]string{}
		for _, kv := range s.Attributes() {
			attrs[string(kv.Key)] = kv.Value.String()
		}
		if attrs["url.template"] != want[i].template {
			t.Errorf("span %d: url.template %q, want %q", i, attrs["url.template"], want[i].template)
		}
		if wantFull := "https://api.stripe.test" + want[i].template; attrs["url.full"] != wantFull {
			t.Errorf("span %d: url.full %q, want %q", i, attrs["url.full"], wantFull)
		}
		if attrs["http.response.status_code"] != "200" {
			t.Errorf("span %d: status %q, want 200", i, attrs["http.response.status_code"])
		}
		assertNoPersonalValues(t, s)
	}
}

func TestFailedStripeCallsHoldNoURL(t *testing.T) {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	fake := &fakeStripe{fail: errors.New("dial tcp 192.0.2.1:443: connect: connection refused")}
	client := identity.NewStripe(identity.Config{
		Key:        "sk_test_123",
		BaseURL:    "https://api.stripe.test",
		HTTPClient: &http.Client{Transport: instrumentStripe(fake, otelhttp.WithTracerProvider(tp))},
	})
	_, err := client.List(context.Background(), &stripe.IdentityVerificationSessionListParams{ClientReferenceID: stripe.String("user_42")})
	if err == nil {
		t.Fatal("want an error")
	}
	spans := clientSpans(sr.Ended())
	if len(spans) == 0 {
		t.Fatal("no span for a failed call")
	}
	for _, s := range spans {
		if s.Status().Description == "" {
			t.Errorf("span %q: no error status", s.Name())
		}
		assertNoPersonalValues(t, s)
	}
}

func clientSpans(spans []sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.SpanKind().String() == "client" {
			out = append(out, s)
		}
	}
	return out
}

// assertNoPersonalValues checks a span's name, attributes, status and
// events for the calls' IDs and query strings.
func assertNoPersonalValues(t *testing.T, s sdktrace.ReadOnlySpan) {
	t.Helper()
	texts := []string{s.Name(), s.Status().Description}
	for _, kv := range s.Attributes() {
		texts = append(texts, string(kv.Key)+"="+kv.Value.String())
	}
	for _, e := range s.Events() {
		texts = append(texts, e.Name)
		for _, kv := range e.Attributes {
			texts = append(texts, string(kv.Key)+"="+kv.Value.String())
		}
	}
	for _, text := range texts {
		for _, p := range personal {
			if strings.Contains(text, p) {
				t.Errorf("span %q holds %q: %s", s.Name(), p, text)
			}
		}
	}
}

// Tracing off (no Setup), the Stripe client's transport is left as it is:
// no instrumentation cost for spans nobody records.
func TestInstrumentStripeIsFreeWithTracingOff(t *testing.T) {
	rt := http.DefaultTransport
	if got := InstrumentStripe(rt); got != rt {
		t.Errorf("InstrumentStripe wrapped the transport with tracing off: %T", got)
	}
}
