package graph

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/stripe/stripe-go/v85"
)

const nodesQuery = `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on VerificationSession { status } } }`

type nodesData struct {
	Nodes []*struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"nodes"`
}

func (d nodesData) ids() []string {
	out := make([]string, len(d.Nodes))
	for i, n := range d.Nodes {
		if n != nil {
			out[i] = n.ID
		}
	}
	return out
}

func TestNodes(t *testing.T) {
	missing := stripeErr(404, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeResourceMissing, "id", secretText)
	tests := []struct {
		name       string
		ids        []string
		missing    []string // IDs Stripe does not know
		wantIDs    []string // "" for null
		wantCalls  []string // sorted
		wantErrors []gqlError
	}{
		{
			name:      "IDs come back in the order given",
			ids:       []string{"vs_c", "vs_a", "vs_b"},
			wantIDs:   []string{"vs_c", "vs_a", "vs_b"},
			wantCalls: []string{"Retrieve vs_a", "Retrieve vs_b", "Retrieve vs_c"},
		},
		{
			name:      "a repeated ID is fetched once and returned at each position",
			ids:       []string{"vs_a", "vs_b", "vs_a", "vs_a"},
			wantIDs:   []string{"vs_a", "vs_b", "vs_a", "vs_a"},
			wantCalls: []string{"Retrieve vs_a", "Retrieve vs_b"},
		},
		{
			name:      "no IDs is an empty list and no call",
			ids:       []string{},
			wantIDs:   []string{},
			wantCalls: []string{},
		},
		{
			name:      "an ID Stripe does not know is null at its index with NOT_FOUND on its path",
			ids:       []string{"vs_a", "vs_gone", "vs_b"},
			missing:   []string{"vs_gone"},
			wantIDs:   []string{"vs_a", "", "vs_b"},
			wantCalls: []string{"Retrieve vs_a", "Retrieve vs_b", "Retrieve vs_gone"},
			wantErrors: []gqlError{
				{Path: []any{"nodes", 1.0}, Extensions: map[string]any{"code": "NOT_FOUND", "stripeRequestId": "req_test123"}},
			},
		},
		{
			name:      "a repeated unknown ID has an error at each position",
			ids:       []string{"vs_gone", "vs_a", "vs_gone"},
			missing:   []string{"vs_gone"},
			wantIDs:   []string{"", "vs_a", ""},
			wantCalls: []string{"Retrieve vs_a", "Retrieve vs_gone"},
			wantErrors: []gqlError{
				{Path: []any{"nodes", 0.0}, Extensions: map[string]any{"code": "NOT_FOUND", "stripeRequestId": "req_test123"}},
				{Path: []any{"nodes", 2.0}, Extensions: map[string]any{"code": "NOT_FOUND", "stripeRequestId": "req_test123"}},
			},
		},
		{
			name:      "an ID that is no session's is NOT_FOUND without a call",
			ids:       []string{"cus_1", "vs_a"},
			wantIDs:   []string{"", "vs_a"},
			wantCalls: []string{"Retrieve vs_a"},
			wantErrors: []gqlError{
				{Path: []any{"nodes", 0.0}, Extensions: map[string]any{"code": "NOT_FOUND"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			fake.RetrieveFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
				if slices.Contains(tt.missing, id) {
					return nil, missing
				}
				return session(id), nil
			}
			r := do(t, newTestClient(t, fake), nodesQuery, client.Var("ids", tt.ids))
			var d nodesData
			decode(t, r.Data, &d)
			if got := d.ids(); !reflect.DeepEqual(got, tt.wantIDs) {
				t.Errorf("nodes = %q, want %q", got, tt.wantIDs)
			}
			got := ops(fake.Calls())
			slices.Sort(got)
			if !reflect.DeepEqual(got, tt.wantCalls) {
				t.Errorf("calls = %v, want %v", got, tt.wantCalls)
			}
			if len(r.Errors) != len(tt.wantErrors) {
				t.Fatalf("errors = %s, want %d", r.Body, len(tt.wantErrors))
			}
			slices.SortFunc(r.Errors, func(a, b gqlError) int { return int(a.Path[1].(float64) - b.Path[1].(float64)) })
			for i, e := range r.Errors {
				if !reflect.DeepEqual(e.Path, tt.wantErrors[i].Path) || !reflect.DeepEqual(e.Extensions, tt.wantErrors[i].Extensions) {
					t.Errorf("error %d = path %v extensions %v, want path %v extensions %v",
						i, e.Path, e.Extensions, tt.wantErrors[i].Path, tt.wantErrors[i].Extensions)
				}
				if e.Message == "" || e.Message == secretText {
					t.Errorf("error %d message = %q", i, e.Message)
				}
			}
		})
	}
}

func TestNodesRejectsMoreThan100IDs(t *testing.T) {
	for _, n := range []int{101, 150} {
		t.Run(fmt.Sprintf("%d IDs are BAD_USER_INPUT and no call", n), func(t *testing.T) {
			ids := make([]string, n)
			for i := range ids {
				ids[i] = fmt.Sprintf("vs_%d", i)
			}
			fake := newFake(t).retrieveOK()
			r := do(t, newTestClient(t, fake), `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, client.Var("ids", ids))
			wantCodes(t, r, "BAD_USER_INPUT")
			wantData(t, r, `null`)
			if calls := fake.Calls(); len(calls) != 0 {
				t.Errorf("%d calls, want none", len(calls))
			}
		})
	}
}

func TestNodesAccepts100IDs(t *testing.T) {
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("vs_%d", i)
	}
	fake := newFake(t).retrieveOK()
	r := do(t, newTestClient(t, fake), nodesQuery, client.Var("ids", ids))
	wantCodes(t, r)
	var d nodesData
	decode(t, r.Data, &d)
	if !reflect.DeepEqual(d.ids(), ids) {
		t.Errorf("nodes = %v, want %v", d.ids(), ids)
	}
	if n := len(fake.Calls()); n != 100 {
		t.Errorf("%d calls, want 100", n)
	}
}

// nodes(ids:) runs its Stripe calls concurrently, at most 10 at a time. The
// fake holds every call until 10 are in flight (or, should the bound be
// lower, a generous deadline passes), so that an unbounded implementation
// shows more than 10 and a sequential one shows 1.
func TestNodesConcurrencyIsBounded(t *testing.T) {
	const limit = 10
	var (
		mu       sync.Mutex
		inFlight int
		maxSeen  int
		full     = make(chan struct{})
		fullOnce sync.Once
	)
	fake := newFake(t)
	fake.RetrieveFunc = func(ctx context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		mu.Lock()
		inFlight++
		maxSeen = max(maxSeen, inFlight)
		if inFlight >= limit {
			fullOnce.Do(func() { close(full) })
		}
		mu.Unlock()
		defer func() {
			mu.Lock()
			inFlight--
			mu.Unlock()
		}()
		select {
		case <-full:
		case <-ctx.Done():
		case <-time.After(5 * time.Second): // only a deadlock guard
		}
		return session(id), nil
	}
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = fmt.Sprintf("vs_%d", i)
	}
	r := do(t, newTestClient(t, fake), nodesQuery, client.Var("ids", ids))
	wantCodes(t, r)
	mu.Lock()
	defer mu.Unlock()
	if maxSeen > limit || maxSeen < 2 {
		t.Errorf("at most %d calls were in flight at once, want 2 to %d", maxSeen, limit)
	}
	if n := len(fake.Calls()); n != len(ids) {
		t.Errorf("%d calls, want %d", n, len(ids))
	}
}

// The expansion nodes(ids:) computes once applies to every ID's calls: the
// main one and the sensitive one.
func TestNodesExpandsEveryCall(t *testing.T) {
	fake := newFake(t).retrieveOK()
	r := do(t, newTestClient(t, fake), `{ nodes(ids: ["vs_a", "vs_b"]) { ... on VerificationSession { verifiedOutputs { dob { year } } } } }`)
	wantCodes(t, r)
	got := map[string][][]string{}
	for _, c := range fake.Calls() {
		got[c.id] = append(got[c.id], expandOf(t, c.params))
	}
	for _, id := range []string{"vs_a", "vs_b"} {
		slices.SortFunc(got[id], func(a, b []string) int { return strings.Compare(strings.Join(a, ","), strings.Join(b, ",")) })
		if want := [][]string{{"verified_outputs"}, {"verified_outputs.dob"}}; !reflect.DeepEqual(got[id], want) {
			t.Errorf("%s: expand of its calls = %v, want %v", id, got[id], want)
		}
	}
}

// The schema promises up to 100 IDs; the complexity limit must not turn that
// into "up to 100 IDs if you select little".
func TestNodes100WithABroadSelectionFitTheComplexityLimit(t *testing.T) {
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("vs_%d", i)
	}
	fake := newFake(t).retrieveOK()
	status, r := doHTTP(t, newTestHandler(fake, discardLogger()),
		`query($ids: [ID!]!) { nodes(ids: $ids) { ...Broad } }`+"\n"+broadFragment, map[string]any{"ids": ids})
	if status != 200 || len(r.Errors) > 0 {
		t.Errorf("status %d, errors %s: want 100 sessions", status, r.Body)
	}
	// The broad selection includes sensitive fields: their own call each.
	if n := len(fake.Calls()); n != 200 {
		t.Errorf("%d calls, want 200", n)
	}
}
