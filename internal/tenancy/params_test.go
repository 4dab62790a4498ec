package tenancy

import (
	"errors"
	"testing"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
)

func TestParamsStripeGoSendsUnseenAreHeldToo(t *testing.T) {
	tests := []struct {
		name      string
		run       func(c *Client) error
		wantParam string
	}{
		{"an extra client_reference_id on create is refused", func(c *Client) error {
			p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
			p.AddExtra("client_reference_id", "user_bob")
			_, err := c.Create(as(alice), p)
			return err
		}, "client_reference_id"},
		{"an extra options[document] on update is refused", func(c *Client) error {
			p := &stripe.IdentityVerificationSessionUpdateParams{}
			p.AddExtra("options[document]", "")
			_, err := c.Update(as(alice), "vs_alice", p)
			return err
		}, "options[document]"},
		{"an extra type on cancel is refused", func(c *Client) error {
			p := &stripe.IdentityVerificationSessionCancelParams{}
			p.AddExtra("type", "id_number")
			_, err := c.Cancel(as(alice), "vs_alice", p)
			return err
		}, "type"},
		{"a filter on client_reference_id is refused", func(c *Client) error {
			p := &stripe.IdentityVerificationSessionListParams{}
			p.Filters.AddFilter("client_reference_id", "", "user_bob")
			_, err := c.List(as(alice), p)
			return err
		}, "client_reference_id"},
		{"a filter carrying a cursor is refused", func(c *Client) error {
			p := &stripe.IdentityVerificationSessionListParams{}
			p.Filters.AddFilter("starting_after", "", "vs_bob")
			_, err := c.List(as(alice), p)
			return err
		}, "starting_after"},
		{"metadata cleared through an extra passes", func(c *Client) error {
			p := &stripe.IdentityVerificationSessionUpdateParams{}
			p.AddExtra("metadata", "")
			_, err := c.Update(as(alice), "vs_alice", p)
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			err := tt.run(New(s, Policy{}))
			if tt.wantParam == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *auth.ForbiddenError
			if !errors.As(err, &fe) || fe.Param != tt.wantParam {
				t.Fatalf("err = %v, want a ForbiddenError on %s", err, tt.wantParam)
			}
			if calls := s.ops(); len(calls) != 0 {
				t.Errorf("calls = %v, want none", calls)
			}
		})
	}
}
