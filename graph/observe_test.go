package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/go-chi/chi/v5"
	"github.com/stripe/stripe-go/v85"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/idgraph/idgraph/internal/accesslog"
	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/requestid"
)

// recordedOp is one call of OperationRecorder.Operation.
type recordedOp struct{ name, typ, outcome string }

// fakeRecorder is an OperationRecorder that keeps what it is told.
type fakeRecorder struct {
	mu  sync.Mutex
	ops []recordedOp
}

func (f *fakeRecorder) Operation(name, typ, outcome string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d < 0 {
		panic("negative duration")
	}
	f.ops = append(f.ops, recordedOp{name, typ, outcome})
}

func (f *fakeRecorder) recorded() []recordedOp {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recordedOp(nil), f.ops...)
}

// observed is a GraphQL server with Observe, behind the request ID and
// access log middleware as server.go mounts them, and what it records.
type observed struct {
	handler http.Handler
	log     *bytes.Buffer
	rec     *fakeRecorder
	spans   *tracetest.SpanRecorder
}

func newObserved(t *testing.T, client *fakeClient, caller auth.Principal) *observed {
	t.Helper()
	o := &observed{log: &bytes.Buffer{}, rec: &fakeRecorder{}, spans: tracetest.NewSpanRecorder()}
	logger := slog.New(requestid.LogHandler(slog.NewJSONHandler(o.log, nil)))
	srv := handler.New(NewExecutableSchema(Config{
		Resolvers:  &Resolver{Identity: client},
		Directives: directives(),
		Complexity: complexity(),
	}))
	srv.AddTransport(transport.POST{})
	srv.Use(&observer{metrics: o.rec, tracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(o.spans))})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.AroundFields(MarkResolverErrors)
	srv.SetErrorPresenter(ErrorPresenter(logger))
	srv.SetRecoverFunc(Recover(logger))
	r := chi.NewRouter()
	r.Use(requestid.Middleware, accesslog.Middleware(logger))
	r.Handle("/graphql", asCaller(srv, caller))
	o.handler = r
	return o
}

// post sends body to /graphql with ctx and returns the access line.
func (o *observed) post(t *testing.T, ctx context.Context, body string) map[string]any {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body)).WithContext(ctx)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(requestid.Header, "req-observe-1")
	o.handler.ServeHTTP(httptest.NewRecorder(), req)
	var access map[string]any
	for _, line := range strings.Split(strings.TrimSpace(o.log.String()), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if l["msg"] == "http request" {
			access = l
		}
	}
	if access == nil {
		t.Fatalf("no access line: %s", o.log.String())
	}
	return access
}

func queryBody(query string, variables map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	return string(b)
}

func TestObserve(t *testing.T) {
	notFound := func(t *testing.T) *fakeClient {
		f := newFake(t)
		f.RetrieveFunc = func(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
			return nil, stripeErr(http.StatusNotFound, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing, "", "No such verification session")
		}
		return f
	}
	tests := []struct {
		name     string
		client   func(*testing.T) *fakeClient
		caller   auth.Principal
		body     string
		access   map[string]any // fields of the access line; nil: absent
		op       recordedOp
		spanName string
	}{
		{
			name:   "a query that succeeds is logged and counted by name and type",
			client: allOK,
			caller: auth.Principal{Kind: auth.Server},
			body:   queryBody(`query Session { verificationSession(id: "vs_1") { id } }`, nil),
			access: map[string]any{"operation": "Session", "operation_type": "query", "caller": "server",
				"outcome": "ok", "error_codes": nil, "status": 200.0, "level": "INFO"},
			op:       recordedOp{"Session", "query", "ok"},
			spanName: "graphql.query Session",
		},
		{
			name:   "a query whose answer holds an error is logged with its code, at Info, under a 200",
			client: notFound,
			caller: auth.Principal{Kind: auth.EndUser, Subject: "user_42"},
			body:   queryBody(`query Session($id: ID!) { verificationSession(id: $id) { id } }`, map[string]any{"id": "vs_missing"}),
			access: map[string]any{"operation": "Session", "caller": "end_user", "outcome": "error",
				"error_codes": "NOT_FOUND", "status": 200.0, "level": "INFO"},
			op:       recordedOp{"Session", "query", "NOT_FOUND"},
			spanName: "graphql.query Session",
		},
		{
			name:   "an anonymous mutation is logged by its type",
			client: allOK,
			caller: auth.Principal{Kind: auth.Development},
			body:   queryBody(`mutation { cancelVerificationSession(input: {id: "vs_1"}) { verificationSession { id } } }`, nil),
			access: map[string]any{"operation": "", "operation_type": "mutation", "caller": "development", "outcome": "ok"},
			op:     recordedOp{"", "mutation", "ok"}, spanName: "graphql.mutation",
		},
		{
			name:   "a document that does not parse is a request error with its code",
			client: newFake,
			caller: auth.Principal{Kind: auth.Server},
			body:   queryBody(`query Broken { verificationSession(`, nil),
			access: map[string]any{"operation": nil, "operation_type": nil, "outcome": "error", "error_codes": "GRAPHQL_PARSE_FAILED"},
			op:     recordedOp{"", "", "GRAPHQL_PARSE_FAILED"}, spanName: "graphql.invalid",
		},
		{
			name:   "a document that does not validate is a request error with its code",
			client: newFake,
			caller: auth.Principal{Kind: auth.Server},
			body:   `{"query":"query Bad { nothingHere }","operationName":"Bad"}`,
			access: map[string]any{"operation": "Bad", "operation_type": "", "error_codes": "GRAPHQL_VALIDATION_FAILED"},
			op:     recordedOp{"Bad", "", "GRAPHQL_VALIDATION_FAILED"}, spanName: "graphql.invalid",
		},
		{
			name:   "variables that do not coerce are a request error of a known operation",
			client: newFake,
			caller: auth.Principal{Kind: auth.Server},
			body:   queryBody(`query Session($id: ID!) { verificationSession(id: $id) { id } }`, map[string]any{"id": map[string]any{"x": 1}}),
			access: map[string]any{"operation": "Session", "operation_type": "query", "error_codes": "GRAPHQL_VALIDATION_FAILED"},
			op:     recordedOp{"Session", "query", "GRAPHQL_VALIDATION_FAILED"}, spanName: "graphql.query Session",
		},
		{
			name:   "an operation over the complexity limit is refused with its code",
			client: newFake,
			caller: auth.Principal{Kind: auth.Server},
			body:   queryBody(`query Greedy { nodes(ids: [`+strings.Repeat(`"vs_1",`, 300)+`]) { id } }`, nil),
			access: map[string]any{"operation": "Greedy", "operation_type": "query", "error_codes": "COMPLEXITY_LIMIT_EXCEEDED"},
			op:     recordedOp{"Greedy", "query", "COMPLEXITY_LIMIT_EXCEEDED"}, spanName: "graphql.query Greedy",
		},
		{
			name:   "a body that is not JSON is a request error without an operation",
			client: newFake,
			caller: auth.Principal{Kind: auth.Server},
			body:   `{"query":`,
			access: map[string]any{"operation": nil, "outcome": "error", "status": 400.0},
			op:     recordedOp{"", "", "BAD_USER_INPUT"}, spanName: "graphql.invalid",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newObserved(t, tt.client(t), tt.caller)
			access := o.post(t, context.Background(), tt.body)
			for k, want := range tt.access {
				got, ok := access[k]
				switch {
				case want == nil && ok:
					t.Errorf("access line: %s = %v, want it absent", k, got)
				case want != nil && got != want:
					t.Errorf("access line: %s = %#v, want %#v", k, got, want)
				}
			}
			if access[requestid.LogKey] != "req-observe-1" {
				t.Errorf("access line without the request ID: %v", access)
			}
			if ops := o.rec.recorded(); len(ops) != 1 || ops[0] != tt.op {
				t.Errorf("recorded %v, want [%v]", ops, tt.op)
			}
			spans := o.spans.Ended()
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1", len(spans))
			}
			s := spans[0]
			if s.Name() != tt.spanName {
				t.Errorf("span %q, want %q", s.Name(), tt.spanName)
			}
			attrs := map[string]string{}
			for _, kv := range s.Attributes() {
				attrs[string(kv.Key)] = kv.Value.String()
			}
			if attrs["idgraph.request_id"] != "req-observe-1" {
				t.Errorf("span attributes %v: want the request ID", attrs)
			}
			if tt.op.outcome != "ok" && s.Status().Description != tt.op.outcome {
				t.Errorf("span status %v, want an error of %s", s.Status(), tt.op.outcome)
			}
		})
	}
}

// A client that hangs up while Stripe is asked is no error: the access
// line is Info with outcome client_closed, and the operation counts as
// client_closed, not as the upstream error its canceled call became.
func TestAClientThatWentAwayIsNoError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFake(t)
	f.RetrieveFunc = func(ctx context.Context, _ string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		cancel() // the client hangs up
		<-ctx.Done()
		return nil, ctx.Err()
	}
	o := newObserved(t, f, auth.Principal{Kind: auth.Server})
	access := o.post(t, ctx, queryBody(`query Session { verificationSession(id: "vs_1") { id } }`, nil))
	if access["level"] != "INFO" || access["outcome"] != "client_closed" {
		t.Errorf("access line %v: want INFO, client_closed", access)
	}
	if ops := o.rec.recorded(); len(ops) != 1 || ops[0].outcome != "client_closed" {
		t.Errorf("recorded %v, want one client_closed", ops)
	}
	for _, line := range strings.Split(o.log.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("an error logged for a client that went away: %s", line)
		}
	}
}

// What identifies a person or opens a session never reaches the log or a
// span: not the caller's token, not the end user's ID, not a client secret
// or a session URL in the answer, not the variables.
func TestObserveRecordsNoPersonalValues(t *testing.T) {
	const (
		bearer       = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyXzQyIn0.c2lnbmF0dXJl"
		subject      = "user_4242"
		clientSecret = "vs_1Secret_secret_Xyz789"
		urlToken     = "vt_Q2xpZW50VG9rZW4"
	)
	f := newFake(t)
	f.CreateFunc = func(context.Context, *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
		s := session("vs_1Secret")
		s.ClientSecret = clientSecret
		s.URL = "https://verify.stripe.com/start/" + urlToken
		s.ClientReferenceID = subject
		return s, nil
	}
	o := newObserved(t, f, auth.Principal{Kind: auth.EndUser, Subject: subject})
	req := httptest.NewRequest(http.MethodPost, "/graphql?client_reference_id="+subject, strings.NewReader(queryBody(
		`mutation Start($ref: String) { createVerificationSession(input: {type: DOCUMENT, clientReferenceId: $ref}) { verificationSession { clientSecret url clientReferenceId } } }`,
		map[string]any{"ref": subject})))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+bearer)
	rec := httptest.NewRecorder()
	o.handler.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), clientSecret) {
		t.Fatalf("the mutation failed: %s", rec.Body.String())
	}
	var texts []string
	texts = append(texts, o.log.String())
	for _, s := range o.spans.Ended() {
		texts = append(texts, s.Name(), s.Status().Description)
		for _, kv := range s.Attributes() {
			texts = append(texts, string(kv.Key)+"="+kv.Value.String())
		}
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "operation=Start") && !strings.Contains(all, `"operation":"Start"`) {
		t.Errorf("the operation is not in the log: %s", all)
	}
	for _, secret := range []string{bearer, subject, clientSecret, urlToken, "vs_1Secret"} {
		if strings.Contains(all, secret) {
			t.Errorf("%q is in the log or a span:\n%s", secret, all)
		}
	}
}

func TestCallerKind(t *testing.T) {
	for p, want := range map[auth.Kind]string{auth.EndUser: "end_user", auth.Server: "server", auth.Development: "development", 0: "none"} {
		if got := callerKind(auth.Principal{Kind: p, Subject: "user_1"}); got != want {
			t.Errorf("callerKind(%v) = %q, want %q", p, got, want)
		}
	}
}
