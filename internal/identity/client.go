package identity

import (
	"context"

	"github.com/stripe/stripe-go/v85"
)

// Client performs Stripe Identity VerificationSession operations. Errors
// from Stripe are returned as *stripe.Error, unwrapped, so that one place
// (the GraphQL error presenter) can map them.
type Client interface {
	// Create creates a VerificationSession.
	Create(ctx context.Context, params *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error)
	// Retrieve fetches one VerificationSession.
	Retrieve(ctx context.Context, id string, params *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error)
	// Update updates a VerificationSession (only in requires_input).
	Update(ctx context.Context, id string, params *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error)
	// Cancel cancels a VerificationSession (only in requires_input).
	Cancel(ctx context.Context, id string, params *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error)
	// Redact redacts a VerificationSession (in requires_input or verified).
	Redact(ctx context.Context, id string, params *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error)
	// List fetches one page of VerificationSessions: one Stripe call, never
	// an auto-paginating iterator.
	List(ctx context.Context, params *stripe.IdentityVerificationSessionListParams) (Page, error)
}

// Page is one page of a list, in Stripe's list order (newest first) whatever
// the direction of paging.
type Page struct {
	Sessions []*stripe.IdentityVerificationSession
	// HasMore tells whether Stripe has more sessions beyond the page, in the
	// direction of paging: older ones after starting_after (or with no
	// cursor), newer ones before ending_before.
	HasMore bool
}
