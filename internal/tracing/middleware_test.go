package tracing

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/idgraph/idgraph/internal/requestid"
)

func TestMiddleware(t *testing.T) {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	r := chi.NewRouter()
	r.Use(requestid.Middleware, middlewareWith(tp, propagation.TraceContext{}))
	var inner trace.SpanContext
	r.Get("/verify/{token}", func(w http.ResponseWriter, r *http.Request) {
		inner = trace.SpanContextFromContext(r.Context())
		w.WriteHeader(http.StatusBadGateway)
	})
	req := httptest.NewRequest(http.MethodGet, "/verify/vt_secret123?x=user_42", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	req.Header.Set(requestid.Header, "req-1")
	r.ServeHTTP(httptest.NewRecorder(), req)

	spans := sr.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	s := spans[0]
	if s.Name() != "GET /verify/{token}" {
		t.Errorf("span named %q, want GET /verify/{token}", s.Name())
	}
	if got := s.SpanContext().TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace %s: want the caller's trace continued", got)
	}
	if inner.SpanID() != s.SpanContext().SpanID() {
		t.Error("the handler's context does not hold the request's span")
	}
	attrs := map[string]string{}
	for _, kv := range s.Attributes() {
		attrs[string(kv.Key)] = kv.Value.String()
		if v := kv.Value.String(); strings.Contains(v, "vt_secret123") || strings.Contains(v, "user_42") {
			t.Errorf("attribute %s=%s holds the path or query", kv.Key, v)
		}
	}
	for k, want := range map[string]string{"http.route": "/verify/{token}", "http.response.status_code": "502", "http.request.method": "GET", string(RequestIDKey): "req-1"} {
		if attrs[k] != want {
			t.Errorf("%s = %q, want %q", k, attrs[k], want)
		}
	}
	if s.Status().Code.String() != "Error" {
		t.Errorf("status %v for a 502, want Error", s.Status())
	}
}

// Without Setup, the middleware passes requests straight on: no span, no
// wrapped writer, no copy of the request.
func TestMiddlewareWithoutSetupAddsNothing(t *testing.T) {
	if enabled() {
		t.Skip("a tracer provider is installed")
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if trace.SpanContextFromContext(r.Context()).IsValid() {
			t.Error("a span without Setup")
		}
		w.WriteHeader(http.StatusNoContent)
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	mw := Middleware(h)
	if allocs := testing.AllocsPerRun(100, func() { mw.ServeHTTP(rec, req) }); allocs != 0 {
		t.Errorf("%v allocations a request, want 0", allocs)
	}
}
