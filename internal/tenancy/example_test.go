package tenancy_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/identity"
	"github.com/idgraph/idgraph/internal/tenancy"
)

// echo is a stand-in for Stripe: it creates what it is asked to, and holds
// one session of user_bob.
type echo struct{ identity.Client }

func (echo) Create(_ context.Context, p *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
	return &stripe.IdentityVerificationSession{ID: "vs_new", ClientReferenceID: *p.ClientReferenceID,
		Options: &stripe.IdentityVerificationSessionOptions{Document: &stripe.IdentityVerificationSessionOptionsDocument{
			RequireMatchingSelfie: *p.Options.Document.RequireMatchingSelfie}}}, nil
}

func (echo) Retrieve(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	return &stripe.IdentityVerificationSession{ID: id, ClientReferenceID: "user_bob"}, nil
}

// New wraps the client that reaches Stripe, once, where the server wires
// the resolvers; each request's principal then decides what it may do.
func ExampleNew() {
	client := tenancy.New(echo{}, tenancy.Policy{
		Types:    []string{"document"},
		Document: tenancy.DocumentPolicy{RequireMatchingSelfie: true},
	})
	alice := auth.NewContext(context.Background(), auth.Principal{Kind: auth.EndUser, Subject: "user_alice"})

	s, _ := client.Create(alice, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
	fmt.Println(s.ClientReferenceID, s.Options.Document.RequireMatchingSelfie)

	_, err := client.Create(alice, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")})
	fmt.Println(err)

	_, err = client.Retrieve(alice, "vs_bobs", nil)
	var se *stripe.Error
	if errors.As(err, &se) {
		fmt.Println(se.HTTPStatusCode, se.Code, se.Param, se.Msg)
	}

	_, err = client.Retrieve(context.Background(), "vs_bobs", nil)
	fmt.Println(err)
	// Output:
	// user_alice true
	// This app does not let users create id_number sessions; it allows: document.
	// 404 resource_missing session No such VerificationSession: 'vs_bobs'
	// This operation needs an authenticated caller.
}
