package metrics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/accesslog"
	"github.com/idgraph/idgraph/internal/identity"
)

// scrape reads m's metrics through its Handler with Prometheus's own text
// parser, and returns them with the raw text.
func scrape(t *testing.T, m *Metrics) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	m.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: status %d", rec.Code)
	}
	text := rec.Body.String()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, text)
	}
	return families, text
}

// value is the value of the counter, gauge or histogram count of family
// name whose labels are exactly labels; -1 when there is none.
func value(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f, ok := families[name]
	if !ok {
		return -1
	}
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// labelValues lists the values of label among family name's series.
func labelValues(families map[string]*dto.MetricFamily, name, label string) map[string]bool {
	out := map[string]bool{}
	for _, m := range families[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label {
				out[l.GetValue()] = true
			}
		}
	}
	return out
}

func TestOperations(t *testing.T) {
	m := New()
	for i := range maxOperationNames + 5 {
		m.Operation(fmt.Sprintf("Op%d", i), "query", accesslog.OutcomeOK, time.Millisecond)
	}
	m.Operation("Op0", "query", "NOT_FOUND", time.Millisecond) // kept: seen before the cap
	m.Operation("Op0", "query", accesslog.OutcomeClientClosed, time.Millisecond)
	m.Operation("Late", "mutation", accesslog.OutcomeOK, time.Millisecond) // past the cap
	m.Operation("", "query", accesslog.OutcomeOK, time.Millisecond)
	m.Operation("Bad-Name", "query", accesslog.OutcomeOK, time.Millisecond)
	m.Operation(strings.Repeat("A", 65), "query", accesslog.OutcomeOK, time.Millisecond)
	m.Operation("NeverParsed", "", "GRAPHQL_PARSE_FAILED", time.Millisecond)

	families, _ := scrape(t, m)
	const ops = "idgraph_graphql_operations_total"
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"a name within the cap counts as itself", map[string]string{"operation": "Op0", "type": "query", "outcome": "ok"}, 1},
		{"an error counts under its code", map[string]string{"operation": "Op0", "type": "query", "outcome": "NOT_FOUND"}, 1},
		{"a client that went away counts as client_closed", map[string]string{"operation": "Op0", "type": "query", "outcome": "client_closed"}, 1},
		{"the last name within the cap counts as itself", map[string]string{"operation": "Op99", "type": "query", "outcome": "ok"}, 1},
		{"names past the cap count as other", map[string]string{"operation": Other, "type": "query", "outcome": "ok"}, 5},
		{"a new name past the cap counts as other whatever its type", map[string]string{"operation": Other, "type": "mutation", "outcome": "ok"}, 1},
		{"an anonymous operation counts as anonymous", map[string]string{"operation": Anonymous, "type": "query", "outcome": "ok"}, 1},
		{"names that are no GraphQL names count as invalid", map[string]string{"operation": Invalid, "type": "query", "outcome": "ok"}, 2},
		{"a request that named no valid operation counts as invalid", map[string]string{"operation": Invalid, "type": Invalid, "outcome": "GRAPHQL_PARSE_FAILED"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := value(families, ops, tt.labels); got != tt.want {
				t.Errorf("%s%v = %v, want %v", ops, tt.labels, got, tt.want)
			}
		})
	}
	names := labelValues(families, ops, "operation")
	if names["Op100"] || names["Late"] || names["NeverParsed"] {
		t.Errorf("names past the cap or unchecked are labels: %v", names)
	}
	if len(names) > maxOperationNames+3 { // + other, anonymous, invalid
		t.Errorf("%d operation names, want at most %d", len(names), maxOperationNames+3)
	}
	if got := value(families, "idgraph_graphql_operation_duration_seconds", map[string]string{"operation": "Op0", "type": "query"}); got != 3 {
		t.Errorf("Op0's latency count %v, want 3", got)
	}
}

func TestAnOutcomeThatIsNoCodeIsInvalid(t *testing.T) {
	m := New()
	m.Operation("Q", "query", "not a code", time.Millisecond)
	m.Operation("Q", "query", strings.Repeat("X", 41), time.Millisecond)
	families, _ := scrape(t, m)
	if got := value(families, "idgraph_graphql_operations_total", map[string]string{"operation": "Q", "type": "query", "outcome": Invalid}); got != 2 {
		t.Errorf("count %v, want 2", got)
	}
}

func TestOutcomesAreCapped(t *testing.T) {
	m := New()
	for i := range maxOutcomes + 10 {
		m.Operation("Q", "query", fmt.Sprintf("CODE_%d", i), time.Millisecond)
	}
	families, _ := scrape(t, m)
	if got := value(families, "idgraph_graphql_operations_total", map[string]string{"operation": "Q", "type": "query", "outcome": Other}); got != 10 {
		t.Errorf("outcomes past the cap: %v, want 10 as other", got)
	}
}

func TestBudget(t *testing.T) {
	m := New()
	// The budget's package sees Metrics through its own interface.
	var b interface {
		Throttled(scope string)
		Spent(n int)
	} = m
	b.Throttled("end_user")
	b.Throttled("end_user")
	b.Throttled("global")
	b.Throttled("bad scope\n")
	b.Spent(100)
	b.Spent(250)
	b.Spent(-5)
	families, _ := scrape(t, m)
	for scope, want := range map[string]float64{"end_user": 2, "global": 1, Invalid: 1} {
		if got := value(families, "idgraph_budget_throttled_total", map[string]string{"scope": scope}); got != want {
			t.Errorf("throttled{scope=%q} = %v, want %v", scope, got, want)
		}
	}
	if got := value(families, "idgraph_budget_spent_total", map[string]string{}); got != 350 {
		t.Errorf("spent = %v, want 350", got)
	}
}

func TestInFlightAndHTTPRequests(t *testing.T) {
	m := New()
	r := chi.NewRouter()
	r.Use(m.Middleware)
	var during float64
	r.Get("/verify/{token}", func(w http.ResponseWriter, _ *http.Request) {
		families, _ := scrape(t, m)
		during = value(families, "idgraph_http_requests_in_flight", map[string]string{})
		w.WriteHeader(http.StatusTeapot)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/verify/vt_secret123", nil))
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/nowhere", nil))

	families, text := scrape(t, m)
	if during != 1 {
		t.Errorf("in flight during a request: %v, want 1", during)
	}
	if got := value(families, "idgraph_http_requests_in_flight", map[string]string{}); got != 0 {
		t.Errorf("in flight after: %v, want 0", got)
	}
	if got := value(families, "idgraph_http_requests_total", map[string]string{"method": "GET", "route": "/verify/{token}", "code": "418"}); got != 1 {
		t.Errorf("requests of /verify/{token}: %v, want 1", got)
	}
	if got := value(families, "idgraph_http_requests_total", map[string]string{"method": "GET", "route": "unmatched", "code": "404"}); got != 1 {
		t.Errorf("unmatched requests: %v, want 1", got)
	}
	if strings.Contains(text, "vt_secret123") || strings.Contains(text, "nowhere") {
		t.Errorf("a path is in the metrics:\n%s", text)
	}
}

// fakeStripe answers stripe-go like Stripe: a session, or a list.
type fakeStripe struct{}

func (fakeStripe) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	body, status := `{"id":"vs_1NuGXf2eZvKYlo2C","object":"identity.verification_session","status":"canceled"}`, http.StatusOK
	switch {
	case strings.HasSuffix(req.URL.Path, "/verification_sessions") && req.Method == http.MethodGet:
		body = `{"object":"list","data":[],"has_more":false,"url":"/v1/identity/verification_sessions"}`
	case strings.Contains(req.URL.Path, "vs_missing"):
		body, status = `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such verification session"}}`, http.StatusNotFound
	}
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": {"application/json"}, "Request-Id": {"req_1"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    req,
	}, nil
}

// Stripe calls made by stripe-go itself count under their templates,
// without IDs or query strings.
func TestStripeCalls(t *testing.T) {
	m := New()
	client := identity.NewStripe(identity.Config{
		Key:        "sk_test_123",
		BaseURL:    "http://stripe.invalid",
		HTTPClient: &http.Client{Transport: m.InstrumentStripe(fakeStripe{})},
	})
	ctx := context.Background()
	if _, err := client.Retrieve(ctx, "vs_1NuGXf2eZvKYlo2C", &stripe.IdentityVerificationSessionRetrieveParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Retrieve(ctx, "vs_missing", nil); err == nil {
		t.Fatal("retrieve of vs_missing: want an error")
	}
	if _, err := client.Cancel(ctx, "vs_1NuGXf2eZvKYlo2C", nil); err != nil {
		t.Fatal(err)
	}
	lp := &stripe.IdentityVerificationSessionListParams{ClientReferenceID: stripe.String("user_42")}
	if _, err := client.List(ctx, lp); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := client.Retrieve(canceled, "vs_gone", nil); err == nil {
		t.Fatal("retrieve with a canceled context: want an error")
	}

	families, text := scrape(t, m)
	const calls = "idgraph_stripe_requests_total"
	tests := []struct {
		endpoint, method, code string
	}{
		{"/v1/identity/verification_sessions/{id}", "GET", "200"},
		{"/v1/identity/verification_sessions/{id}", "GET", "404"},
		{"/v1/identity/verification_sessions/{id}/cancel", "POST", "200"},
		{"/v1/identity/verification_sessions", "GET", "200"},
	}
	for _, tt := range tests {
		labels := map[string]string{"endpoint": tt.endpoint, "method": tt.method, "code": tt.code}
		if got := value(families, calls, labels); got != 1 {
			t.Errorf("%s%v = %v, want 1", calls, labels, got)
		}
	}
	// stripe-go may not even send a request whose context is done; if it
	// does, it counts as canceled.
	if got := value(families, calls, map[string]string{"endpoint": "/v1/identity/verification_sessions/{id}", "method": "GET", "code": "canceled"}); got > 1 {
		t.Errorf("canceled calls %v, want at most 1", got)
	}
	if got := value(families, "idgraph_stripe_request_duration_seconds", map[string]string{"endpoint": "/v1/identity/verification_sessions/{id}", "method": "GET"}); got < 2 {
		t.Errorf("retrieve latencies %v, want at least 2", got)
	}
	for _, leak := range []string{"vs_1NuGXf2eZvKYlo2C", "vs_missing", "vs_gone", "user_42", "client_reference_id", "sk_test_123"} {
		if strings.Contains(text, leak) {
			t.Errorf("the metrics hold %q", leak)
		}
	}
	for endpoint := range labelValues(families, calls, "endpoint") {
		if strings.ContainsAny(endpoint, "?&=") {
			t.Errorf("endpoint label %q holds a query", endpoint)
		}
	}
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *Metrics
	m.Operation("Q", "query", accesslog.OutcomeOK, time.Second)
	m.Throttled("x")
	m.Spent(1)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusNoContent {
		t.Errorf("status %d through a nil Metrics' middleware", rec.Code)
	}
	if rt := m.InstrumentStripe(fakeStripe{}); rt != (fakeStripe{}) {
		t.Errorf("a nil Metrics wrapped the transport")
	}
}

func TestTheRegistryHasTheRuntimeCollectors(t *testing.T) {
	families, _ := scrape(t, New())
	want := []string{"go_goroutines"}
	if runtime.GOOS == "linux" { // the process collector reads /proc
		want = append(want, "process_start_time_seconds")
	}
	for _, name := range want {
		if _, ok := families[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
}
