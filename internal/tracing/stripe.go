package tracing

import (
	"context"
	"net/http"
	"net/url"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/idgraph/idgraph/internal/metrics/stripepath"
)

// InstrumentStripe wraps the transport of stripe-go's HTTP client so that
// each request to Stripe (each retry too) is a client span of the
// operation that made it, named by its method and endpoint template
// ("GET /v1/identity/verification_sessions/{id}"), and carries the trace
// context to Stripe in traceparent.
//
// otelhttp, which makes the span, never sees the request's real URL: it
// gets a copy whose URL is the template (no ID, no query string:
// client_reference_id is an end user's ID), and the real URL is put back
// only below it, for the request that goes out. So url.full, the span's
// name and otelhttp's metrics hold the template whatever otelhttp records.
//
// Without Setup's tracer provider (tracing off) it returns rt as it is:
// the instrumentation would cost a Stripe call some microseconds for spans
// nobody records.
func InstrumentStripe(rt http.RoundTripper) http.RoundTripper {
	if !enabled() {
		return rt
	}
	return instrumentStripe(rt)
}

func instrumentStripe(rt http.RoundTripper, opts ...otelhttp.Option) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	opts = append([]otelhttp.Option{
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			return r.Method + " " + r.URL.Path // the template, set by templateURL
		}),
	}, opts...)
	return templateURL{next: otelhttp.NewTransport(realURL{next: rt}, opts...)}
}

type realURLKey struct{}

// templateURL hands next a copy of the request whose URL is its template,
// with the real URL in the context for realURL.
type templateURL struct{ next http.RoundTripper }

func (t templateURL) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(context.WithValue(req.Context(), realURLKey{}, req.URL))
	out.URL = &url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: stripepath.Template(req.URL.EscapedPath())}
	return t.next.RoundTrip(out)
}

// realURL puts the real URL back on the request otelhttp passes down, and
// names the template on otelhttp's span (whose url.full otherwise shows the
// braces of {id} escaped).
type realURL struct{ next http.RoundTripper }

func (t realURL) RoundTrip(req *http.Request) (*http.Response, error) {
	u, ok := req.Context().Value(realURLKey{}).(*url.URL)
	if !ok {
		return t.next.RoundTrip(req)
	}
	if span := trace.SpanFromContext(req.Context()); span.IsRecording() {
		span.SetAttributes(
			semconv.URLTemplate(req.URL.Path),
			semconv.URLFull(req.URL.Scheme+"://"+req.URL.Host+req.URL.Path),
		)
	}
	out := req.WithContext(req.Context()) // a shallow copy: req is otelhttp's
	out.URL = u
	return t.next.RoundTrip(out)
}
