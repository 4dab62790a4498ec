package tracing

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace/noop"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

func TestConfigured(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"no endpoint is no tracing", nil, false},
		{"an endpoint turns tracing on", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{"a traces endpoint turns tracing on", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true},
		{"OTEL_SDK_DISABLED turns it off", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "TRUE"}, false},
		{"OTEL_TRACES_EXPORTER=none turns it off", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := configured(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("configured = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSetupWithoutAnEndpointDoesNothing(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	before := otel.GetTracerProvider()
	shutdown, enabled, err := Setup(context.Background(), "idgraph", "test")
	if err != nil || enabled {
		t.Fatalf("Setup = %v, %v: want disabled without error", enabled, err)
	}
	if otel.GetTracerProvider() != before {
		t.Error("Setup changed the global tracer provider")
	}
	if err := shutdown(context.Background()); err != nil {
		t.Error(err)
	}
}

// With an endpoint, spans reach it over OTLP/HTTP, with the service's
// name and version, by the time shutdown returns.
func TestSetupExportsToTheEndpoint(t *testing.T) {
	var (
		mu   sync.Mutex
		reqs []*coltracepb.ExportTraceServiceRequest
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		reqs = append(reqs, &req)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(nil)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_SERVICE_NAME", "")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})

	ctx := context.Background()
	shutdown, enabled, err := Setup(ctx, "idgraph", "v1.2.3")
	if err != nil || !enabled {
		t.Fatalf("Setup = %v, %v: want enabled", enabled, err)
	}
	_, span := otel.Tracer("test").Start(ctx, "graphql.query Sessions")
	span.End()
	if err := shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(reqs) == 0 {
		t.Fatal("the collector got nothing")
	}
	rs := reqs[0].GetResourceSpans()[0]
	res := map[string]string{}
	for _, kv := range rs.GetResource().GetAttributes() {
		res[kv.GetKey()] = kv.GetValue().GetStringValue()
	}
	if res["service.name"] != "idgraph" || res["service.version"] != "v1.2.3" {
		t.Errorf("resource %v: want service.name idgraph, service.version v1.2.3", res)
	}
	if name := rs.GetScopeSpans()[0].GetSpans()[0].GetName(); name != "graphql.query Sessions" {
		t.Errorf("span %q exported", name)
	}
	// W3C trace context, and only it: no baggage goes on to Stripe.
	if fields := otel.GetTextMapPropagator().Fields(); len(fields) != 2 || fields[0] != "traceparent" {
		t.Errorf("propagated fields %v, want traceparent and tracestate", fields)
	}
}
