package tracing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Setup turns tracing on when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (and neither
// OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none says otherwise):
// spans go in batches to that endpoint over OTLP/HTTP, the exporter
// reading the other standard variables itself (OTEL_EXPORTER_OTLP_HEADERS,
// _TIMEOUT, _COMPRESSION, ...) and the SDK the sampler's
// (OTEL_TRACES_SAMPLER, default parent-based always-on). The resource names
// serviceName and version, which OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES override. Setup installs the tracer provider and
// the W3C trace-context propagator as OpenTelemetry's globals.
//
// Without an endpoint it does nothing and says so (enabled false); tracers
// taken from the globals then make no spans, at no cost. shutdown flushes
// the spans still batched and stops the exporter: call it at exit, with a
// deadline.
func Setup(ctx context.Context, serviceName, version string) (shutdown func(context.Context) error, enabled bool, err error) {
	noop := func(context.Context) error { return nil }
	if !configured(os.Getenv) {
		return noop, false, nil
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return noop, false, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName(serviceName), semconv.ServiceVersion(version)),
		resource.WithFromEnv(), // last: the environment's names win
	)
	// A partial resource (a malformed OTEL_RESOURCE_ATTRIBUTES) is still
	// usable; anything else is not.
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		exporter.Shutdown(ctx)
		return noop, false, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return tp.Shutdown, true, nil
}

// configured tells whether the environment asks for traces.
func configured(getenv func(string) string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") ||
		strings.EqualFold(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")), "none") {
		return false
	}
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Enabled tells whether Setup installed a tracer provider that records
// spans: without one, callers can skip building spans that go nowhere.
func Enabled() bool { return enabled() }

// enabled tells whether Setup installed a tracer provider of the SDK, one
// that records spans.
func enabled() bool {
	_, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider)
	return ok
}
