package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/redistest"
	"github.com/idgraph/idgraph/internal/requestid"
)

// Two idgraph replicas with one Redis share one bucket per caller: what a
// caller spends on one is gone on the other.
func TestReplicasShareBudgetsInRedis(t *testing.T) {
	redis := redistest.Start(t)
	vars := map[string]string{"IDGRAPH_REDIS_URL": redis.URL(), "IDGRAPH_BUDGET_CAPACITY": "5", "IDGRAPH_BUDGET_RESTORE_RATE": "0.001",
		"IDGRAPH_AUTH_HS256_SECRET": testHS256Secret}
	a, b := startOnEmulator(t, vars), startOnEmulator(t, vars)
	alice := userToken(t, "alice")
	read := func(s emulatorServer) gqlResponse {
		return postGraphQLAs(t, s.url, alice, `{ a: verificationSession(id: "vs_1") { id } b: verificationSession(id: "vs_2") { id } }`, nil)
	}
	// Each read costs 2 Stripe calls: 2 on a, 2 on b leave 1 of 5.
	read(a)
	read(b)
	resp := read(a)
	if resp.status != http.StatusTooManyRequests || !strings.Contains(string(resp.Errors), `"THROTTLED"`) {
		t.Errorf("the third read, over the shared bucket: %d %s", resp.status, resp.Errors)
	}
	// Another caller has a bucket of their own.
	if resp := postGraphQLAs(t, b.url, userToken(t, "bob"), `{ verificationSession(id: "vs_1") { id } }`, nil); resp.status != http.StatusOK {
		t.Errorf("bob: %d %s", resp.status, resp.Errors)
	}
}

// logCapture collects a whole run's log lines.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// A whole verification's traffic, errors included, leaves no token, client
// secret, url token or personal value in the log; every request's line has
// its request ID, route, operation, status and error codes; /metrics counts
// it in Prometheus's own format.
func TestOperatorsSeeWhatHappensAndNoSecrets(t *testing.T) {
	var logs logCapture
	key, hash, err := auth.NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	s := startLogging(t, map[string]string{"IDGRAPH_AUTH_HS256_SECRET": testHS256Secret, "IDGRAPH_API_KEY_SHA256": hash},
		slog.New(requestid.LogHandler(slog.NewTextHandler(&logs, nil))))
	base, clock := s.url, s.clock

	alice := userToken(t, "alice", auth.ScopeReadOutputs, auth.ScopeReadSensitive)
	resp := postGraphQLAs(t, base, alice, `mutation Start { createVerificationSession(input: {type: DOCUMENT, returnUrl: "https://shop.example/done", metadata: [{key: "email", value: "jenny@example.com"}]}) {
		verificationSession { id url clientSecret } } }`, nil)
	var created struct {
		CreateVerificationSession struct {
			VerificationSession struct{ ID, URL, ClientSecret string }
		}
	}
	if err := json.Unmarshal(resp.Data, &created); err != nil {
		t.Fatal(err)
	}
	sess := created.CreateVerificationSession.VerificationSession
	passOnHostedPage(t, sess.URL, clock)
	postGraphQLAs(t, base, alice, `query Read($id: ID!) { verificationSession(id: $id) { status verifiedOutputs { firstName lastName dob { year } idNumber address { line1 } } } }`, map[string]any{"id": sess.ID})
	postGraphQLAs(t, base, alice, `query Mine { verificationSessions(filter: {clientReferenceId: "alice"}) { nodes { id } } }`, nil)
	postGraphQLAs(t, base, alice, `query Missing { verificationSession(id: "vs_nope") { id } }`, nil)
	postGraphQLAs(t, base, "not-a-token", `{ __typename }`, nil)
	postGraphQLAs(t, base, key, `{ verificationSessions { nodes { id } } }`, nil)

	// Metrics, in Prometheus's own format.
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	ops := families["idgraph_graphql_operations_total"]
	if ops == nil {
		t.Fatal("no idgraph_graphql_operations_total")
	}
	seen := map[string]bool{}
	for _, m := range ops.Metric {
		for _, l := range m.Label {
			if l.GetName() == "operation" {
				seen[l.GetValue()] = true
			}
		}
	}
	for _, name := range []string{"Start", "Read", "Mine", "Missing"} {
		if !seen[name] {
			t.Errorf("operation %s not counted: %v", name, seen)
		}
	}
	if families["idgraph_stripe_requests_total"] == nil || families["idgraph_http_requests_in_flight"] == nil {
		t.Errorf("missing Stripe or in-flight metrics: %v", keys(families))
	}

	log := logs.String()
	for _, secret := range []string{alice, key, "not-a-token", sess.ClientSecret, sess.URL[strings.LastIndex(sess.URL, "/")+1:],
		"jenny@example.com", "Jenny", "Rosen", "shop.example", "client_reference_id=alice"} {
		if secret != "" && strings.Contains(log, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
	for _, want := range []string{"operation=Read", "operation_type=query", "error_codes=NOT_FOUND", "status=401", "caller=end_user", "caller=server", "request_id="} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if strings.Contains(line, `msg="http request"`) && !strings.Contains(line, "request_id=") {
			t.Errorf("an access line without its request ID: %s", line)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
