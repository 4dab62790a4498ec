package emulator

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

func TestListPaginationAndFilters(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	var ids []string // oldest first
	for i := range 25 {
		p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
		if i%5 == 0 {
			p.ClientReferenceID = stripe.String("five")
			p.RelatedCustomer = stripe.String("cus_5")
			p.RelatedCustomerAccount = stripe.String("acct_5")
		}
		ids = append(ids, h.create(t, p).ID)
		h.clock.Advance(1e9) // one second apart
	}
	newest := func(from, n int) []string { // n ids newest first, from index from down
		var out []string
		for i := from; i > from-n && i >= 0; i-- {
			out = append(out, ids[i])
		}
		return out
	}
	page := func(p *stripe.IdentityVerificationSessionListParams) ([]string, bool) {
		t.Helper()
		p.Single = true
		l := h.sc.V1IdentityVerificationSessions.List(ctx, p)
		if l.Err() != nil {
			t.Fatal(l.Err())
		}
		var got []string
		for _, vs := range l.Data() {
			got = append(got, vs.ID)
		}
		return got, l.Meta().HasMore
	}
	lp := func(f func(p *stripe.IdentityVerificationSessionListParams)) *stripe.IdentityVerificationSessionListParams {
		p := &stripe.IdentityVerificationSessionListParams{}
		f(p)
		return p
	}
	tests := []struct {
		name     string
		params   *stripe.IdentityVerificationSessionListParams
		want     []string
		wantMore bool
	}{
		{"the first page holds the ten newest", lp(func(p *stripe.IdentityVerificationSessionListParams) {}), newest(24, 10), true},
		{"starting_after continues older", lp(func(p *stripe.IdentityVerificationSessionListParams) { p.StartingAfter = stripe.String(ids[15]) }), newest(14, 10), true},
		{"the last page has no more", lp(func(p *stripe.IdentityVerificationSessionListParams) { p.StartingAfter = stripe.String(ids[5]) }), newest(4, 5), false},
		// stripe-go reverses backward pages (the wire order stays newest
		// first: see TestEndingBeforeIsNewestFirstOnTheWire).
		{"ending_before gives the page just newer", lp(func(p *stripe.IdentityVerificationSessionListParams) {
			p.EndingBefore = stripe.String(ids[5])
			p.Limit = stripe.Int64(3)
		}), []string{ids[6], ids[7], ids[8]}, true},
		{"ending_before at the top has no more", lp(func(p *stripe.IdentityVerificationSessionListParams) {
			p.EndingBefore = stripe.String(ids[20])
		}), []string{ids[21], ids[22], ids[23], ids[24]}, false},
		{"client_reference_id filters", lp(func(p *stripe.IdentityVerificationSessionListParams) { p.ClientReferenceID = stripe.String("five") }),
			[]string{ids[20], ids[15], ids[10], ids[5], ids[0]}, false},
		{"related_customer filters", lp(func(p *stripe.IdentityVerificationSessionListParams) {
			p.RelatedCustomer = stripe.String("cus_5")
			p.Limit = stripe.Int64(2)
		}), []string{ids[20], ids[15]}, true},
		{"related_customer_account filters", lp(func(p *stripe.IdentityVerificationSessionListParams) {
			p.RelatedCustomerAccount = stripe.String("acct_5")
			p.StartingAfter = stripe.String(ids[10])
		}), []string{ids[5], ids[0]}, false},
		{"created equal to an instant filters", lp(func(p *stripe.IdentityVerificationSessionListParams) { p.Created = stripe.Int64(epoch.Unix() + 3) }),
			[]string{ids[3]}, false},
		{"a created range filters", lp(func(p *stripe.IdentityVerificationSessionListParams) {
			p.CreatedRange = &stripe.RangeQueryParams{GreaterThanOrEqual: epoch.Unix() + 2, LesserThan: epoch.Unix() + 5}
		}), []string{ids[4], ids[3], ids[2]}, false},
		{"status filters", lp(func(p *stripe.IdentityVerificationSessionListParams) { p.Status = stripe.String("verified") }), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, more := page(tt.params)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") || more != tt.wantMore {
				t.Fatalf("got %v more %v,\nwant %v more %v", got, more, tt.want, tt.wantMore)
			}
		})
	}
	t.Run("auto-pagination visits every session once", func(t *testing.T) {
		n := 0
		for _, err := range h.sc.V1IdentityVerificationSessions.List(ctx, &stripe.IdentityVerificationSessionListParams{}).All(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != len(ids) {
			t.Fatalf("visited %d, want %d", n, len(ids))
		}
	})
}

func TestEndingBeforeIsNewestFirstOnTheWire(t *testing.T) {
	h := newHarness(t)
	var ids []string
	for range 5 {
		ids = append(ids, h.create(t, nil).ID)
	}
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/v1/identity/verification_sessions?limit=2&ending_before="+ids[1], nil)
	req.Header.Set("Authorization", "Bearer sk_test_x")
	body := doJSON(t, req, http.StatusOK)
	var got []string
	for _, d := range body["data"].([]any) {
		got = append(got, d.(map[string]any)["id"].(string))
	}
	if strings.Join(got, ",") != ids[3]+","+ids[2] || body["has_more"] != true || body["url"] != "/v1/identity/verification_sessions" {
		t.Fatalf("got %v has_more %v url %v, want [%s %s] true", got, body["has_more"], body["url"], ids[3], ids[2])
	}
}
