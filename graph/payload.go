package graph

import (
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/graph/model"
)

// payload builds a mutation's payload from the Stripe call's result: the
// session, or userErrors for what the caller can fix, or a GraphQL error for
// anything else. metadata is the mutation's metadata input, to point
// Stripe's "metadata[key]" params at their entry.
func payload(s *stripe.IdentityVerificationSession, err error, metadata []model.MetadataEntryInput) (*model.VerificationSessionPayload, error) {
	if err != nil {
		return failed(err, metadata)
	}
	return &model.VerificationSessionPayload{VerificationSession: sessionFromStripe(s), UserErrors: []model.UserError{}}, nil
}

// failed is the payload of a mutation that did not happen.
func failed(err error, metadata []model.MetadataEntryInput) (*model.VerificationSessionPayload, error) {
	ue, ok := userErrorsFrom(err, inputField(metadata))
	if !ok {
		return nil, err
	}
	return &model.VerificationSessionPayload{UserErrors: ue}, nil
}
