package tracing

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/idgraph/idgraph/internal/requestid"
)

// tracerName names the tracer of this package's spans.
const tracerName = "github.com/idgraph/idgraph/internal/tracing"

// RequestIDKey is the span attribute of the request ID.
const RequestIDKey = attribute.Key("idgraph.request_id")

// Middleware makes a server span of each HTTP request, the parent of its
// GraphQL operation's span and its Stripe calls' spans, continuing the
// caller's trace when it sends a traceparent. The span is named by the
// method and chi's route pattern ("POST /graphql"), never the path, and
// carries the request ID (requestid.Middleware goes first). It uses
// OpenTelemetry's global tracer provider and propagator, as Setup leaves
// them; without Setup it makes no spans.
func Middleware(next http.Handler) http.Handler {
	return middlewareWith(nil, nil)(next)
}

// middlewareWith is Middleware with a tracer provider and propagator of
// its own (tests); nil means the globals, looked up at each request so that
// Setup may come later.
func middlewareWith(tp trace.TracerProvider, prop propagation.TextMapPropagator) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, pr := tp, prop
			if p == nil {
				if !enabled() {
					// No spans to make: the no-op span's attributes, wrapped
					// writer and request copy were 1.5% of idgraph's CPU.
					next.ServeHTTP(w, r)
					return
				}
				p = otel.GetTracerProvider()
			}
			if pr == nil {
				pr = otel.GetTextMapPropagator()
			}
			meth := method(r.Method)
			ctx := pr.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(meth)}
			if id := requestid.FromContext(ctx); id != "" {
				attrs = append(attrs, RequestIDKey.String(id))
			}
			ctx, span := p.Tracer(tracerName).Start(ctx, meth,
				trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
			defer span.End()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r.WithContext(ctx))
			if rctx := chi.RouteContext(ctx); rctx != nil && rctx.RoutePattern() != "" {
				span.SetName(meth + " " + rctx.RoutePattern())
				span.SetAttributes(semconv.HTTPRoute(rctx.RoutePattern()))
			}
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			span.SetAttributes(semconv.HTTPResponseStatusCode(status))
			if status >= 500 {
				span.SetStatus(codes.Error, http.StatusText(status))
			}
		})
	}
}

// method is m when it is one of HTTP's methods, "_OTHER" (OpenTelemetry's
// word) otherwise.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "_OTHER"
}
