package graph

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/identity"
)

const pageQuery = `query($first: Int, $after: String, $last: Int, $before: String) {
  verificationSessions(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`

type pageInfo struct {
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
	StartCursor     *string `json:"startCursor"`
	EndCursor       *string `json:"endCursor"`
}

type pageData struct {
	VerificationSessions struct {
		Edges []struct {
			Cursor string `json:"cursor"`
			Node   struct {
				ID string `json:"id"`
			} `json:"node"`
		} `json:"edges"`
		Nodes []struct {
			ID string `json:"id"`
		} `json:"nodes"`
		PageInfo pageInfo `json:"pageInfo"`
	} `json:"verificationSessions"`
}

func cursor(id string) *string { c := encodeCursor(id); return &c }

func intp(i int) *int { return &i }

func strp(s string) *string { return &s }

func TestVerificationSessionsPaging(t *testing.T) {
	tests := []struct {
		name          string
		first, last   *int
		after, before *string
		page          identity.Page // what Stripe returns, in list order
		wantWire      map[string][]string
		wantIDs       []string
		wantInfo      pageInfo
	}{
		{
			name:     "no arguments read the first 10 sessions",
			page:     identity.Page{Sessions: sessions("vs_3", "vs_2", "vs_1"), HasMore: true},
			wantWire: map[string][]string{"limit": {"10"}},
			wantIDs:  []string{"vs_3", "vs_2", "vs_1"},
			wantInfo: pageInfo{HasNextPage: true, StartCursor: cursor("vs_3"), EndCursor: cursor("vs_1")},
		},
		{
			name:     "first 2 of many has a next page and no previous one",
			first:    intp(2),
			page:     identity.Page{Sessions: sessions("vs_9", "vs_8"), HasMore: true},
			wantWire: map[string][]string{"limit": {"2"}},
			wantIDs:  []string{"vs_9", "vs_8"},
			wantInfo: pageInfo{HasNextPage: true, StartCursor: cursor("vs_9"), EndCursor: cursor("vs_8")},
		},
		{
			name:     "first 2 after a cursor maps to starting_after and has a previous page",
			first:    intp(2),
			after:    cursor("vs_8"),
			page:     identity.Page{Sessions: sessions("vs_7", "vs_6"), HasMore: false},
			wantWire: map[string][]string{"limit": {"2"}, "starting_after": {"vs_8"}},
			wantIDs:  []string{"vs_7", "vs_6"},
			wantInfo: pageInfo{HasPreviousPage: true, StartCursor: cursor("vs_7"), EndCursor: cursor("vs_6")},
		},
		{
			name:     "after alone uses the default page size",
			after:    cursor("vs_5"),
			page:     identity.Page{Sessions: sessions("vs_4"), HasMore: true},
			wantWire: map[string][]string{"limit": {"10"}, "starting_after": {"vs_5"}},
			wantIDs:  []string{"vs_4"},
			wantInfo: pageInfo{HasNextPage: true, HasPreviousPage: true, StartCursor: cursor("vs_4"), EndCursor: cursor("vs_4")},
		},
		{
			name:     "an empty page after the last cursor has null cursors",
			first:    intp(5),
			after:    cursor("vs_1"),
			page:     identity.Page{Sessions: nil, HasMore: false},
			wantWire: map[string][]string{"limit": {"5"}, "starting_after": {"vs_1"}},
			wantIDs:  []string{},
			wantInfo: pageInfo{HasPreviousPage: true},
		},
		{
			name:     "last 2 before a cursor maps to ending_before and keeps list order",
			last:     intp(2),
			before:   cursor("vs_6"),
			page:     identity.Page{Sessions: sessions("vs_8", "vs_7"), HasMore: true},
			wantWire: map[string][]string{"limit": {"2"}, "ending_before": {"vs_6"}},
			wantIDs:  []string{"vs_8", "vs_7"},
			wantInfo: pageInfo{HasNextPage: true, HasPreviousPage: true, StartCursor: cursor("vs_8"), EndCursor: cursor("vs_7")},
		},
		{
			name:     "last reaching the newest session has no previous page",
			last:     intp(3),
			before:   cursor("vs_8"),
			page:     identity.Page{Sessions: sessions("vs_10", "vs_9"), HasMore: false},
			wantWire: map[string][]string{"limit": {"3"}, "ending_before": {"vs_8"}},
			wantIDs:  []string{"vs_10", "vs_9"},
			wantInfo: pageInfo{HasNextPage: true, StartCursor: cursor("vs_10"), EndCursor: cursor("vs_9")},
		},
		{
			name:     "before alone pages backward with the default page size",
			before:   cursor("vs_5"),
			page:     identity.Page{Sessions: sessions("vs_7", "vs_6"), HasMore: false},
			wantWire: map[string][]string{"limit": {"10"}, "ending_before": {"vs_5"}},
			wantIDs:  []string{"vs_7", "vs_6"},
			wantInfo: pageInfo{HasNextPage: true, StartCursor: cursor("vs_7"), EndCursor: cursor("vs_6")},
		},
		{
			name:     "first 100 is Stripe's largest page",
			first:    intp(100),
			page:     identity.Page{Sessions: sessions("vs_1")},
			wantWire: map[string][]string{"limit": {"100"}},
			wantIDs:  []string{"vs_1"},
			wantInfo: pageInfo{StartCursor: cursor("vs_1"), EndCursor: cursor("vs_1")},
		},
		{
			name:     "last 100 before a cursor is allowed",
			last:     intp(100),
			before:   cursor("vs_1"),
			page:     identity.Page{},
			wantWire: map[string][]string{"limit": {"100"}, "ending_before": {"vs_1"}},
			wantIDs:  []string{},
			wantInfo: pageInfo{HasNextPage: true},
		},
		{
			name:     "first 1 is the smallest page",
			first:    intp(1),
			page:     identity.Page{Sessions: sessions("vs_2"), HasMore: true},
			wantWire: map[string][]string{"limit": {"1"}},
			wantIDs:  []string{"vs_2"},
			wantInfo: pageInfo{HasNextPage: true, StartCursor: cursor("vs_2"), EndCursor: cursor("vs_2")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			fake.ListFunc = func(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
				return tt.page, nil
			}
			v := map[string]any{}
			for name, p := range map[string]*int{"first": tt.first, "last": tt.last} {
				if p != nil {
					v[name] = *p
				}
			}
			for name, p := range map[string]*string{"after": tt.after, "before": tt.before} {
				if p != nil {
					v[name] = *p
				}
			}
			r := do(t, newTestClient(t, fake), pageQuery, vars(v)...)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %s", r.Body)
			}
			calls := fake.Calls()
			if len(calls) != 1 || calls[0].op != "List" {
				t.Fatalf("calls = %v, want one List", ops(calls))
			}
			if got := wire(calls[0].params); !reflect.DeepEqual(got, tt.wantWire) {
				t.Errorf("Stripe params = %v, want %v", got, tt.wantWire)
			}
			var d pageData
			decode(t, r.Data, &d)
			conn := d.VerificationSessions
			edgeIDs, nodeIDs := []string{}, []string{}
			for _, e := range conn.Edges {
				edgeIDs = append(edgeIDs, e.Node.ID)
				if e.Cursor != encodeCursor(e.Node.ID) {
					t.Errorf("cursor of %s = %q, want %q", e.Node.ID, e.Cursor, encodeCursor(e.Node.ID))
				}
			}
			for _, n := range conn.Nodes {
				nodeIDs = append(nodeIDs, n.ID)
			}
			if !reflect.DeepEqual(edgeIDs, tt.wantIDs) {
				t.Errorf("edges = %v, want %v", edgeIDs, tt.wantIDs)
			}
			if !reflect.DeepEqual(nodeIDs, edgeIDs) {
				t.Errorf("nodes = %v, edges.node = %v: they must agree", nodeIDs, edgeIDs)
			}
			if !reflect.DeepEqual(conn.PageInfo, tt.wantInfo) {
				t.Errorf("pageInfo = %s, want %s", show(conn.PageInfo), show(tt.wantInfo))
			}
		})
	}
}

func show(p pageInfo) string {
	s := func(c *string) string {
		if c == nil {
			return "null"
		}
		raw, _ := base64.RawURLEncoding.DecodeString(*c)
		return string(raw)
	}
	return fmt.Sprintf("{next:%t prev:%t start:%s end:%s}", p.HasNextPage, p.HasPreviousPage, s(p.StartCursor), s(p.EndCursor))
}

func TestVerificationSessionsRejectsBadPageArguments(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name string
		vars map[string]any
	}{
		{"first 0 is rejected", map[string]any{"first": 0}},
		{"first 101 is over Stripe's page limit", map[string]any{"first": 101}},
		{"first -1 is rejected", map[string]any{"first": -1}},
		{"last 0 is rejected", map[string]any{"last": 0, "before": encodeCursor("vs_1")}},
		{"last 101 is over Stripe's page limit", map[string]any{"last": 101, "before": encodeCursor("vs_1")}},
		{"last -5 is rejected", map[string]any{"last": -5, "before": encodeCursor("vs_1")}},
		{"first and last together are rejected", map[string]any{"first": 2, "last": 2, "before": encodeCursor("vs_1")}},
		{"after and before together are rejected", map[string]any{"after": encodeCursor("vs_2"), "before": encodeCursor("vs_1")}},
		{"first with before is rejected", map[string]any{"first": 2, "before": encodeCursor("vs_1")}},
		{"last without before is rejected", map[string]any{"last": 2}},
		{"last with after is rejected", map[string]any{"last": 2, "after": encodeCursor("vs_1")}},
		{"a garbage after cursor is rejected", map[string]any{"after": "!!not a cursor!!"}},
		{"an empty after cursor is rejected", map[string]any{"after": ""}},
		{"base64 of something else is rejected", map[string]any{"after": b64([]byte("hello world"))}},
		{"a bare session ID is not a cursor", map[string]any{"after": "vs_123"}},
		{"base64 of a bare session ID is not a cursor", map[string]any{"after": b64([]byte("vs_123"))}},
		{"a cursor wrapping a customer ID is rejected", map[string]any{"after": b64([]byte("session:cus_123"))}},
		{"a cursor wrapping a path is rejected", map[string]any{"after": b64([]byte("session:vs_../x"))}},
		{"a cursor wrapping an empty ID is rejected", map[string]any{"before": b64([]byte("session:vs_"))}},
		// "session:vs_12" is 13 bytes: standard base64 pads it with "==".
		{"a padded standard base64 cursor is rejected", map[string]any{"after": base64.StdEncoding.EncodeToString([]byte("session:vs_12"))}},
		{"an overlong cursor is rejected", map[string]any{"after": b64([]byte("session:vs_" + strings.Repeat("a", 600)))}},
		{"a garbage before cursor is rejected", map[string]any{"last": 1, "before": "%%%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			r := do(t, newTestClient(t, fake), pageQuery, vars(tt.vars)...)
			if got := r.codes(); !reflect.DeepEqual(got, []string{"BAD_USER_INPUT"}) {
				t.Errorf("codes = %v, want [BAD_USER_INPUT]; body %s", got, r.Body)
			}
			if string(r.Data) != "null" {
				t.Errorf("data = %s, want null (the connection is non-null)", r.Data)
			}
			if calls := fake.Calls(); len(calls) != 0 {
				t.Errorf("calls = %v, want none", ops(calls))
			}
		})
	}
}

func TestVerificationSessionsFilter(t *testing.T) {
	const q = `query($f: VerificationSessionFilter) { verificationSessions(filter: $f) { nodes { id } } }`
	tests := []struct {
		name   string
		filter map[string]any
		want   map[string][]string
	}{
		{
			name:   "no filter sends only the limit",
			filter: nil,
			want:   map[string][]string{"limit": {"10"}},
		},
		{
			name:   "clientReferenceId maps to client_reference_id",
			filter: map[string]any{"clientReferenceId": "user_42"},
			want:   map[string][]string{"limit": {"10"}, "client_reference_id": {"user_42"}},
		},
		{
			name:   "status maps to Stripe's lower-case value",
			filter: map[string]any{"status": "REQUIRES_INPUT"},
			want:   map[string][]string{"limit": {"10"}, "status": {"requires_input"}},
		},
		{
			name:   "status VERIFIED maps to verified",
			filter: map[string]any{"status": "VERIFIED"},
			want:   map[string][]string{"limit": {"10"}, "status": {"verified"}},
		},
		{
			name:   "relatedCustomer maps to related_customer",
			filter: map[string]any{"relatedCustomer": "cus_1"},
			want:   map[string][]string{"limit": {"10"}, "related_customer": {"cus_1"}},
		},
		{
			name:   "relatedCustomerAccount maps to related_customer_account",
			filter: map[string]any{"relatedCustomerAccount": "acct_1"},
			want:   map[string][]string{"limit": {"10"}, "related_customer_account": {"acct_1"}},
		},
		{
			name: "whole-second created bounds map unchanged",
			filter: map[string]any{"created": map[string]any{
				"gt": "2026-11-26T15:04:05Z", "gte": "2026-11-26T15:04:05Z",
				"lt": "2026-11-26T15:04:05Z", "lte": "2026-11-26T15:04:05Z",
			}},
			want: map[string][]string{"limit": {"10"},
				"created[gt]": {"1795705445"}, "created[gte]": {"1795705445"},
				"created[lt]": {"1795705445"}, "created[lte]": {"1795705445"}},
		},
		{
			name: "sub-second created bounds round so that their meaning is kept",
			// created > x.5 ⇔ created > x; created >= x.5 ⇔ created >= x+1;
			// created < x.5 ⇔ created < x+1; created <= x.5 ⇔ created <= x.
			filter: map[string]any{"created": map[string]any{
				"gt": "2026-11-26T15:04:05.5Z", "gte": "2026-11-26T15:04:05.5Z",
				"lt": "2026-11-26T15:04:05.5Z", "lte": "2026-11-26T15:04:05.5Z",
			}},
			want: map[string][]string{"limit": {"10"},
				"created[gt]": {"1795705445"}, "created[gte]": {"1795705446"},
				"created[lt]": {"1795705446"}, "created[lte]": {"1795705445"}},
		},
		{
			name:   "a nanosecond past the second rounds gte up",
			filter: map[string]any{"created": map[string]any{"gte": "2026-11-26T15:04:05.000000001Z"}},
			want:   map[string][]string{"limit": {"10"}, "created[gte]": {"1795705446"}},
		},
		{
			name:   "a time with an offset is converted to Unix time",
			filter: map[string]any{"created": map[string]any{"lt": "2026-11-26T17:04:05+02:00"}},
			want:   map[string][]string{"limit": {"10"}, "created[lt]": {"1795705445"}},
		},
		{
			name: "every criterion at once",
			filter: map[string]any{
				"clientReferenceId": "u", "status": "CANCELED", "relatedCustomer": "cus_2", "relatedCustomerAccount": "acct_2",
				"created": map[string]any{"gte": "2026-11-26T15:04:05Z"},
			},
			want: map[string][]string{"limit": {"10"}, "client_reference_id": {"u"}, "status": {"canceled"},
				"related_customer": {"cus_2"}, "related_customer_account": {"acct_2"}, "created[gte]": {"1795705445"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			fake.ListFunc = func(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
				return identity.Page{}, nil
			}
			r := do(t, newTestClient(t, fake), q, vars(map[string]any{"f": tt.filter})...)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %s", r.Body)
			}
			calls := fake.Calls()
			if len(calls) != 1 {
				t.Fatalf("calls = %v, want one List", ops(calls))
			}
			if got := wire(calls[0].params); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Stripe params = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVerificationSessionsFilterRejects(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		vars     map[string]any
		wantCode string
	}{
		{
			name:     "status UNKNOWN is never a status to filter on",
			query:    `{ verificationSessions(filter: {status: UNKNOWN}) { nodes { id } } }`,
			wantCode: "BAD_USER_INPUT",
		},
		{
			name:     "status UNKNOWN in variables is rejected too",
			query:    `query($s: VerificationSessionStatus) { verificationSessions(filter: {status: $s}) { nodes { id } } }`,
			vars:     map[string]any{"s": "UNKNOWN"},
			wantCode: "BAD_USER_INPUT",
		},
		{
			name:     "a malformed DateTime literal is the client's error",
			query:    `{ verificationSessions(filter: {created: {gt: "yesterday"}}) { nodes { id } } }`,
			wantCode: "BAD_USER_INPUT",
		},
		{
			name:     "an empty DateTime is the client's error, not the year 1",
			query:    `{ verificationSessions(filter: {created: {gte: ""}}) { nodes { id } } }`,
			wantCode: "BAD_USER_INPUT",
		},
		{
			name:     "a number as DateTime is the client's error",
			query:    `{ verificationSessions(filter: {created: {gte: 1795705445}}) { nodes { id } } }`,
			wantCode: "BAD_USER_INPUT",
		},
		{
			name:     "a malformed DateTime variable is the client's error",
			query:    `query($t: DateTime) { verificationSessions(filter: {created: {lt: $t}}) { nodes { id } } }`,
			vars:     map[string]any{"t": "26/11/2026"},
			wantCode: "BAD_USER_INPUT",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			r := do(t, newTestClient(t, fake), tt.query, vars(tt.vars)...)
			if got := r.codes(); !reflect.DeepEqual(got, []string{tt.wantCode}) {
				t.Errorf("codes = %v, want [%s]; body %s", got, tt.wantCode, r.Body)
			}
			if calls := fake.Calls(); len(calls) != 0 {
				t.Errorf("calls = %v, want none", ops(calls))
			}
		})
	}
}

// A cursor taken from one page pages on from there: the round trip through
// the schema gives Stripe back the very session ID.
func TestCursorRoundTrip(t *testing.T) {
	fake := newFake(t)
	fake.ListFunc = func(_ context.Context, p *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
		if p.StartingAfter == nil {
			return identity.Page{Sessions: sessions("vs_B2", "vs_A1"), HasMore: true}, nil
		}
		return identity.Page{Sessions: sessions("vs_Z0")}, nil
	}
	c := newTestClient(t, fake)
	var first pageData
	decode(t, do(t, c, pageQuery, vars(map[string]any{"first": 2})...).Data, &first)
	end := first.VerificationSessions.PageInfo.EndCursor
	if end == nil {
		t.Fatal("endCursor is null")
	}
	do(t, c, pageQuery, vars(map[string]any{"first": 2, "after": *end})...)
	calls := fake.Calls()
	if len(calls) != 2 {
		t.Fatalf("calls = %v, want two List", ops(calls))
	}
	if got := calls[1].params.(*stripe.IdentityVerificationSessionListParams).StartingAfter; got == nil || *got != "vs_A1" {
		t.Errorf("starting_after = %v, want vs_A1", got)
	}
}

// Example_cursor shows that a cursor is an opaque, versioned wrapper around a
// session ID, and that anything else is refused as the client's error.
func Example_cursor() {
	c := encodeCursor("vs_1Pgc76B7WZ01zgkWBdQi8PTU")
	fmt.Println(c)
	id, err := decodeCursor("after", c)
	fmt.Println(id, err)
	_, err = decodeCursor("after", "dnNfMTIz") // base64 of "vs_123": not a cursor
	fmt.Println(err)
	// Output:
	// c2Vzc2lvbjp2c18xUGdjNzZCN1daMDF6Z2tXQmRRaThQVFU
	// vs_1Pgc76B7WZ01zgkWBdQi8PTU <nil>
	// The after cursor is not one idgraph gave out; use an edge cursor, startCursor or endCursor.
}

// stripe-go's form encoder drops a zero int64, so an upper bound that rounds
// to Unix time 0 would vanish from the request and the filter would match
// every session instead of none. Either idgraph sends the bound, or it
// answers without asking Stripe; it must not widen the filter.
func TestCreatedUpperBoundAtTheEpochIsNotDropped(t *testing.T) {
	tests := []struct {
		name   string
		bounds map[string]any
		key    string
	}{
		{"lt at the epoch", map[string]any{"lt": "1970-01-01T00:00:00Z"}, "created[lt]"},
		{"lte within the epoch's first second", map[string]any{"lte": "1970-01-01T00:00:00.5Z"}, "created[lte]"},
		{"lte at the epoch", map[string]any{"lte": "1970-01-01T00:00:00Z"}, "created[lte]"},
	}
	const q = `query($f: VerificationSessionFilter) { verificationSessions(filter: $f) { nodes { id } } }`
	for _, tt := range tests {
		t.Run(tt.name+" keeps the filter empty", func(t *testing.T) {
			fake := newFake(t)
			fake.ListFunc = func(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
				return identity.Page{}, nil
			}
			r := do(t, newTestClient(t, fake), q, client.Var("f", map[string]any{"created": tt.bounds}))
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %s", r.Body)
			}
			for _, c := range fake.Calls() {
				if got := wire(c.params)[tt.key]; !reflect.DeepEqual(got, []string{"0"}) {
					t.Errorf("%s sent to Stripe = %q, want [\"0\"] (all params: %v)", tt.key, got, wire(c.params))
				}
			}
		})
	}
}
