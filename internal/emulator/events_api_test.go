package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"
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

// An event carries the spec's API version with its release train, as
// Stripe's do: stripe-go's webhook.ConstructEvent, without options, accepts
// the very answer of GET /v1/events/{id} once signed, and the answers say
// the same version in Stripe-Version.
func TestEventsCarryTheAPIVersionStripeGoExpects(t *testing.T) {
	h := newHarness(t)
	vs := h.create(t, nil)
	want := openAPISpec(t).Info.Version
	l := h.sc.V1Events.List(context.Background(), &stripe.EventListParams{ListParams: stripe.ListParams{Single: true}})
	var id string
	for ev := range l.All(context.Background()) {
		id = ev.ID
	}
	if err := l.Err(); err != nil || id == "" {
		t.Fatalf("list: %v (id %q)", err, id)
	}
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/v1/events/"+id, nil)
	req.SetBasicAuth("sk_test_emulator", "")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/events/%s: %d %v %s", id, res.StatusCode, err, body)
	}
	if got := res.Header.Get("Stripe-Version"); got != want {
		t.Errorf("Stripe-Version %q, want the spec's %q", got, want)
	}
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_test", Timestamp: time.Now()})
	ev, err := webhook.ConstructEvent(signed.Payload, signed.Header, "whsec_test")
	if err != nil {
		t.Fatalf("stripe-go refuses the event: %v", err)
	}
	if ev.APIVersion != want || ev.ID != id || string(ev.Type) != "identity.verification_session.created" {
		t.Errorf("event %s %s %s, want %s %s created", ev.ID, ev.APIVersion, ev.Type, id, want)
	}
	var obj stripe.IdentityVerificationSession
	if err := json.Unmarshal(ev.Data.Raw, &obj); err != nil || obj.ID != vs.ID {
		t.Errorf("data.object: %v %s", err, ev.Data.Raw)
	}
}
