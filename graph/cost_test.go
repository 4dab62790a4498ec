package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/stripe/stripe-go/v85"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/budget"
	"github.com/idgraph/idgraph/internal/identity"
	"github.com/idgraph/idgraph/internal/tenancy"
)

var (
	costServerKey     = auth.Principal{Kind: auth.Server}
	costEndUser       = auth.Principal{Kind: auth.EndUser, Subject: "u_1"}
	costOutputsUser   = auth.Principal{Kind: auth.EndUser, Subject: "u_1", Scopes: []string{auth.ScopeReadOutputs}}
	costSensitiveUser = auth.Principal{Kind: auth.EndUser, Subject: "u_1", Scopes: []string{auth.ScopeReadOutputs, auth.ScopeReadSensitive}}
)

// costIDList is n distinct session IDs, as a GraphQL list literal.
func costIDList(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", fmt.Sprintf("vs_%d", i))
	}
	return "[" + strings.Join(ids, ", ") + "]"
}

func TestStripeCallsArePricedBeforeTheOperation(t *testing.T) {
	const sensitiveSel = `verifiedOutputs { firstName dob { year } }`
	tests := []struct {
		name  string
		p     auth.Principal
		query string
		vars  map[string]any
		want  int
	}{
		{"a session is one call", costServerKey, `{ verificationSession(id: "vs_1") { id status } }`, nil, 1},
		{"a session with sensitive fields is two", costServerKey, `{ verificationSession(id: "vs_1") { id ` + sensitiveSel + ` } }`, nil, 2},
		{"sensitive fields without the sensitive scope are not fetched", costOutputsUser, `{ verificationSession(id: "vs_1") { ` + sensitiveSel + ` } }`, nil, 1},
		{"sensitive fields with both scopes are", costSensitiveUser, `{ verificationSession(id: "vs_1") { ` + sensitiveSel + ` } }`, nil, 2},
		{"a report's sensitive field through a fragment", costServerKey,
			`{ node(id: "vs_1") { ...S } } fragment S on VerificationSession { lastVerificationReport { document { number } } }`, nil, 2},
		{"nodes of 10 IDs are 10 calls", costServerKey, `{ nodes(ids: ` + costIDList(10) + `) { id } }`, nil, 10},
		{"a repeated ID is fetched once", costServerKey, `{ nodes(ids: ["vs_1", "vs_1", "vs_2"]) { id } }`, nil, 2},
		{"IDs in a variable", costServerKey, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{"vs_1", "vs_2", "vs_3"}}, 3},
		{"nodes of 100 IDs with sensitive fields are 200", costServerKey,
			`{ nodes(ids: ` + costIDList(100) + `) { ... on VerificationSession { ` + sensitiveSel + ` } } }`, nil, 200},
		{"more than 100 IDs are refused before any call", costServerKey, `{ nodes(ids: ` + costIDList(101) + `) { id } }`, nil, 0},
		{"a page is one call", costServerKey, `{ verificationSessions(first: 100) { nodes { id } } }`, nil, 1},
		{"an end user's cursor is checked with a retrieve", costEndUser, `{ verificationSessions(first: 10, after: "c") { nodes { id } } }`, nil, 2},
		{"a server's cursor is not", costServerKey, `{ verificationSessions(first: 10, after: "c") { nodes { id } } }`, nil, 1},
		{"both list calls check the cursor", costSensitiveUser,
			`query($b: String) { verificationSessions(last: 10, before: $b) { edges { node { ` + sensitiveSel + ` } } } }`, map[string]any{"b": "c"}, 4},
		{"aliases add up", costServerKey, `{ a: verificationSession(id: "vs_1") { id } b: node(id: "vs_2") { id } }`, nil, 2},
		{"a create is one call", costEndUser, `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id } } }`, nil, 1},
		{"a server's update is one call", costServerKey, `mutation { updateVerificationSession(input: {id: "vs_1"}) { verificationSession { id } } }`, nil, 1},
		{"an end user's update checks ownership first", costEndUser, `mutation { updateVerificationSession(input: {id: "vs_1"}) { verificationSession { id } } }`, nil, 2},
		{"an end user's cancel checks ownership first", costEndUser, `mutation { cancelVerificationSession(input: {id: "vs_1"}) { userErrors { code } } }`, nil, 2},
		{"a redact with sensitive fields reads them after", costSensitiveUser,
			`mutation { redactVerificationSession(input: {id: "vs_1"}) { verificationSession { ` + sensitiveSel + ` } } }`, nil, 3},
		{"introspection calls nothing", costServerKey, `{ __typename __schema { types { name } } }`, nil, 0},
		{"a session's subscription is priced at its first read", costServerKey, `subscription { verificationSessionUpdated(id: "vs_1") { id } }`, nil, 1},
		{"with sensitive fields, two", costSensitiveUser, `subscription { verificationSessionUpdated(id: "vs_1") { ` + sensitiveSel + ` } }`, nil, 2},
		{"an event stream reads nothing first", costSensitiveUser, `subscription { verificationSessionEvents { session { ` + sensitiveSel + ` } } }`, nil, 0},
		{"an end user's event stream of one session checks it", costEndUser, `subscription { verificationSessionEvents(filter: {sessionId: "vs_1"}) { id } }`, nil, 1},
		{"a server's does not", costServerKey, `subscription { verificationSessionEvents(filter: {sessionId: "vs_1"}) { id } }`, nil, 0},
	}
	es := NewExecutableSchema(Config{Resolvers: &Resolver{}, Directives: directives(), Complexity: complexity()})
	cs := newCostSchema(es)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), tt.query, rules.NewDefaultRules())
			if errs != nil {
				t.Fatalf("query: %v", errs)
			}
			op := doc.Operations[0]
			vars, err := validator.VariableValues(es.Schema(), op, tt.vars)
			if err != nil {
				t.Fatalf("variables: %v", err)
			}
			if got := cs.stripeCalls(auth.NewContext(context.Background(), tt.p), op, vars); got != tt.want {
				t.Errorf("stripeCalls = %d, want %d", got, tt.want)
			}
		})
	}
}

// Every root field is priced, and only those; the sensitive fields the
// price sees are those the resolvers fetch in their own call.
func TestThePriceListFollowsTheSchema(t *testing.T) {
	es := NewExecutableSchema(Config{Resolvers: &Resolver{}, Directives: directives(), Complexity: complexity()})
	var roots []string
	for _, typ := range []string{"Query", "Mutation", "Subscription"} {
		for _, f := range es.Schema().Types[typ].Fields {
			if !strings.HasPrefix(f.Name, "__") {
				roots = append(roots, typ+"."+f.Name)
			}
		}
	}
	var priced []string
	for k := range rootPrices {
		priced = append(priced, k)
	}
	slices.Sort(roots)
	slices.Sort(priced)
	if !slices.Equal(roots, priced) {
		t.Errorf("root fields %v, priced %v", roots, priced)
	}
	cs := newCostSchema(es)
	if len(cs.sensitive) != len(sensitiveExpansions) {
		t.Errorf("%d @sensitive fields in the schema, %d sensitive expansions", len(cs.sensitive), len(sensitiveExpansions))
	}
	for _, e := range sensitiveExpansions {
		for _, path := range e.fields {
			name := path[strings.LastIndex(path, ".")+1:]
			found := false
			for k := range cs.sensitive {
				found = found || strings.HasSuffix(k, "."+name)
			}
			if !found {
				t.Errorf("%s is fetched as sensitive but no field %s is @sensitive", path, name)
			}
		}
	}
}

// costClock is a manual clock for the budget.
type costClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *costClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *costClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// costServer is idgraph's GraphQL server with budget b for caller p: the
// complexity limit, then CostLimit; the Identity client is fake behind
// Counting and tenancy, as server.go wires them.
func costServer(t *testing.T, fake identity.Client, b *budget.Budget, p auth.Principal) http.Handler {
	t.Helper()
	client := tenancy.New(budget.Counting(fake, b), tenancy.Policy{})
	es := NewExecutableSchema(Config{Resolvers: &Resolver{Identity: client}, Directives: directives(), Complexity: complexity()})
	srv := handler.New(es)
	srv.AddTransport(POST{})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.Use(CostLimit(b, es))
	srv.AroundFields(MarkResolverErrors)
	srv.SetErrorPresenter(ErrorPresenter(discardLogger()))
	srv.SetRecoverFunc(Recover(discardLogger()))
	return asCaller(b.Middleware(nil)(srv), p)
}

// newCostBudget is a budget on clock c with the defaults and cfg.
func newCostBudget(t *testing.T, c *costClock, cfg budget.Config) *budget.Budget {
	t.Helper()
	cfg.Clock = c.Now
	b, err := budget.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// costResponse is an answer with its HTTP status, Retry-After and
// extensions.cost.
type costResponse struct {
	status     int
	retryAfter string
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost *struct {
			RequestedQueryCost int  `json:"requestedQueryCost"`
			ActualQueryCost    *int `json:"actualQueryCost"`
			ThrottleStatus     struct {
				MaximumAvailable   float64 `json:"maximumAvailable"`
				CurrentlyAvailable int     `json:"currentlyAvailable"`
				RestoreRate        float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
	body string
}

func postCost(t *testing.T, h http.Handler, query string) costResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "192.0.2.1:5000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	r := costResponse{status: w.Code, retryAfter: w.Header().Get("Retry-After"), body: w.Body.String()}
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return r
}

// wantCost checks extensions.cost; actual -1 means null.
func wantCost(t *testing.T, r costResponse, requested, actual, available int) {
	t.Helper()
	c := r.Extensions.Cost
	if c == nil {
		t.Fatalf("no extensions.cost in %s", r.body)
	}
	gotActual := -1
	if c.ActualQueryCost != nil {
		gotActual = *c.ActualQueryCost
	}
	if c.RequestedQueryCost != requested || gotActual != actual || c.ThrottleStatus.CurrentlyAvailable != available {
		t.Errorf("cost requested %d, actual %d, available %d; want %d, %d, %d (%s)",
			c.RequestedQueryCost, gotActual, c.ThrottleStatus.CurrentlyAvailable, requested, actual, available, r.body)
	}
}

// costOwnedSessions is a fake whose sessions all belong to costEndUser.
func costOwnedSessions(t *testing.T) *fakeClient {
	f := allOK(t)
	f.RetrieveFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		s := session(id)
		s.ClientReferenceID = costEndUser.Subject
		return s, nil
	}
	return f
}

// Every answer says what the operation requested, what it called and what
// the caller has left; calls not made are refunded.
func TestExtensionsCost(t *testing.T) {
	tests := []struct {
		name                       string
		p                          auth.Principal
		query                      string
		requested, actual, left    int
		calls                      int
		wantMaximum, wantRestoring float64
	}{
		{"nodes of 10 IDs requested 10 and called 10", costServerKey, `{ nodes(ids: ` + costIDList(10) + `) { id } }`, 10, 10, 1990, 10, 2000, 100},
		{"an end user's update requested 2 and called 2 (tenancy's check)", costEndUser,
			`mutation { updateVerificationSession(input: {id: "vs_1", metadata: [{key: "k", value: "v"}]}) { verificationSession { id } } }`, 2, 2, 998, 2, 1000, 50},
		{"an ID that is no session costs nothing", costEndUser, `{ node(id: "nonsense") { id } }`, 1, 0, 1000, 0, 1000, 50},
		{"a repeated ID is fetched once and a bad one not at all", costEndUser, `{ nodes(ids: ["vs_1", "vs_1", "not-an-id"]) { id } }`, 2, 1, 999, 1, 1000, 50},
		{"a mutation refused by its input is refunded", costEndUser,
			`mutation { createVerificationSession(input: {type: DOCUMENT, metadata: [{key: "` + strings.Repeat("k", 41) + `", value: "v"}]}) { userErrors { code } } }`, 1, 0, 1000, 0, 1000, 50},
		{"introspection is free", costEndUser, `{ __typename }`, 0, 0, 1000, 0, 1000, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := costOwnedSessions(t)
			b := newCostBudget(t, &costClock{t: time.Unix(testCreated, 0)}, budget.Config{})
			r := postCost(t, costServer(t, fake, b, tt.p), tt.query)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			wantCost(t, r, tt.requested, tt.actual, tt.left)
			if c := r.Extensions.Cost.ThrottleStatus; c.MaximumAvailable != tt.wantMaximum || c.RestoreRate != tt.wantRestoring {
				t.Errorf("throttleStatus %+v, want maximum %v restoring %v", c, tt.wantMaximum, tt.wantRestoring)
			}
			if n := len(fake.Calls()); n != tt.calls {
				t.Errorf("Stripe saw %d calls %v, want %d", n, ops(fake.Calls()), tt.calls)
			}
		})
	}
}

// A client sending nodes of 100 IDs back to back spends its 1,000 on the
// first ten; the eleventh is THROTTLED (429, Retry-After) without a call,
// and fits again once the restore rate has brought 100 back.
func TestBackToBackNodesOf100AreThrottled(t *testing.T) {
	fake := allOK(t)
	fake.forget = true
	clock := &costClock{t: time.Unix(testCreated, 0)}
	b := newCostBudget(t, clock, budget.Config{})
	h := costServer(t, fake, b, auth.Principal{Kind: auth.Development})
	query := `{ nodes(ids: ` + costIDList(100) + `) { id } }`
	throttledAt := 0
	for i := 1; i <= 30; i++ {
		r := postCost(t, h, query)
		if r.status == http.StatusTooManyRequests {
			throttledAt = i
			if len(r.Errors) != 1 || r.Errors[0].code() != string(CodeThrottled) {
				t.Fatalf("request %d: errors %s, want one THROTTLED", i, r.body)
			}
			if got := r.Errors[0].Extensions["retryAfter"]; got != float64(2) || r.retryAfter != "2" {
				t.Errorf("retryAfter %v, Retry-After %q; want 2 (100 calls at 50 a second)", got, r.retryAfter)
			}
			if r.Data != nil {
				t.Errorf("a throttled answer has data: %s", r.body)
			}
			wantCost(t, r, 100, -1, 0)
			break
		}
		if len(r.Errors) > 0 {
			t.Fatalf("request %d: %s", i, r.body)
		}
		wantCost(t, r, 100, 100, 1000-100*i)
	}
	if throttledAt != 11 {
		t.Fatalf("throttled at request %d, want 11", throttledAt)
	}
	clock.Advance(time.Second)
	if r := postCost(t, h, query); r.status != http.StatusTooManyRequests {
		t.Errorf("a second later (50 back): status %d, want still throttled", r.status)
	}
	clock.Advance(time.Second)
	r := postCost(t, h, query)
	if r.status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("two seconds later: status %d %s, want served", r.status, r.body)
	}
	wantCost(t, r, 100, 100, 0)
}

// The global budget refuses a Stripe call before Stripe sees it; the
// operation is charged only the calls made.
func TestTheGlobalBudgetRefusesCallsBeforeStripe(t *testing.T) {
	fake := allOK(t)
	clock := &costClock{t: time.Unix(testCreated, 0)}
	b := newCostBudget(t, clock, budget.Config{Global: &budget.GlobalConfig{ReadRate: 1, ReadBurst: 1, WriteRate: 1}})
	r := postCost(t, costServer(t, fake, b, costServerKey), `{ nodes(ids: ["vs_1", "vs_2"]) { id } }`)
	if n := len(fake.Calls()); n != 1 {
		t.Errorf("Stripe saw %d calls, want 1: the global budget holds one read", n)
	}
	if len(r.Errors) != 1 {
		t.Errorf("errors %s, want one, for the refused ID", r.body)
	}
	wantCost(t, r, 2, 1, 1999)
}

// A request that fails before its cost is known (here, validation) costs
// nothing and still reports the caller's bucket.
func TestARequestErrorReportsTheBucket(t *testing.T) {
	b := newCostBudget(t, &costClock{t: time.Unix(testCreated, 0)}, budget.Config{})
	r := postCost(t, costServer(t, allOK(t), b, costEndUser), `{ nope }`)
	wantCost(t, r, 0, -1, 1000)
}

// With the budgets off nothing is computed or added.
func TestBudgetsOffAddNothing(t *testing.T) {
	fake := allOK(t)
	var off *budget.Budget
	r := postCost(t, costServer(t, fake, off, costEndUser), `{ nodes(ids: `+costIDList(100)+`) { id } }`)
	if r.Extensions.Cost != nil || strings.Contains(r.body, `"extensions":{"cost"`) {
		t.Errorf("extensions.cost with the budgets off: %s", r.body)
	}
	if budget.Counting(fake, off) != identity.Client(fake) {
		t.Error("Counting decorated the client with the budgets off")
	}
}
