package emulator

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// The list of events takes Stripe's type filters
// (https://docs.stripe.com/api/events/list): type, "a specific event name,
// or group of events using * as a wildcard", and types[], "an array of up
// to 20 strings containing specific event names" — "either type or types,
// but not both".
func TestEventsFilterByTypeAsStripeDoes(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	a := h.create(t, nil)
	if _, err := h.sc.V1IdentityVerificationSessions.Cancel(ctx, a.ID, nil); err != nil {
		t.Fatal(err)
	}
	b := h.create(t, nil)
	h.submit(t, b, "")
	const (
		created    = "identity.verification_session.created"
		canceled   = "identity.verification_session.canceled"
		processing = "identity.verification_session.processing"
	)
	list := func(p *stripe.EventListParams) ([]string, error) {
		p.Limit = stripe.Int64(100)
		p.Single = true
		l := h.sc.V1Events.List(ctx, p)
		var got []string
		for _, ev := range l.Data() {
			got = append(got, string(ev.Type))
		}
		sort.Strings(got)
		return got, l.Err()
	}
	tests := []struct {
		name   string
		params *stripe.EventListParams
		want   []string
	}{
		{"an exact type", &stripe.EventListParams{Type: stripe.String(created)}, []string{created, created}},
		{"a wildcard for every session event", &stripe.EventListParams{Type: stripe.String("identity.verification_session.*")},
			[]string{canceled, created, created, processing}},
		{"a wildcard inside a name", &stripe.EventListParams{Type: stripe.String("identity.verification_session.c*d")},
			[]string{canceled, created, created}},
		{"a wildcard for a whole product", &stripe.EventListParams{Type: stripe.String("identity.*")},
			[]string{canceled, created, created, processing}},
		{"a wildcard is case-sensitive, as event names are", &stripe.EventListParams{Type: stripe.String("IDENTITY.*")}, nil},
		{"? is no wildcard", &stripe.EventListParams{Type: stripe.String("identity.verification_session.?reated")}, nil},
		{"types[] names several", &stripe.EventListParams{Types: stripe.StringSlice([]string{canceled, processing})},
			[]string{canceled, processing}},
		{"types[] takes no wildcard", &stripe.EventListParams{Types: stripe.StringSlice([]string{"identity.*"})}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := list(tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("type and types together are refused", func(t *testing.T) {
		_, err := list(&stripe.EventListParams{Type: stripe.String(created), Types: stripe.StringSlice([]string{canceled})})
		stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, stripe.ErrorCodeParametersExclusive, "types")
	})
	t.Run("more than 20 types are refused", func(t *testing.T) {
		var many []string
		for i := range 21 {
			many = append(many, "identity.verification_session.t"+strconv.Itoa(i))
		}
		_, err := list(&stripe.EventListParams{Types: stripe.StringSlice(many)})
		stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, "", "types")
	})
}
