package graph

import (
	"context"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/graph/model"
)

// payload builds a mutation's payload from the Stripe call's result: the
// session, or userErrors for what the caller can fix, or a GraphQL error for
// anything else. m describes the mutation, for reading Stripe's errors.
func (r *Resolver) payload(ctx context.Context, s *stripe.IdentityVerificationSession, err error, sel selection, m mutation) (*model.VerificationSessionPayload, error) {
	if err != nil {
		return failed(err, m)
	}
	return &model.VerificationSessionPayload{VerificationSession: r.mutated(ctx, s, sel), UserErrors: []model.UserError{}}, nil
}

// mutation is what reading a mutation's Stripe errors needs to know.
type mutation struct {
	// existing is true for mutations of an existing session, the only
	// ones whose status can forbid them.
	existing bool
	// metadata is the mutation's metadata input, to point Stripe's
	// "metadata[key]" params at their entry.
	metadata []model.MetadataEntryInput
	// idempotencyKey is the key the mutation was sent with, for a GraphQL
	// error to carry so that the client can retry safely.
	idempotencyKey *string
}

// mutationError is a mutation's failure that is not the caller's to fix (a
// timeout, Stripe unavailable): the outcome may be unknown, so the error
// carries the idempotency key to retry with.
type mutationError struct {
	err            error
	idempotencyKey string
}

func (e *mutationError) Error() string { return e.err.Error() }
func (e *mutationError) Unwrap() error { return e.err }

// failed is the payload of a mutation that did not happen.
func failed(err error, m mutation) (*model.VerificationSessionPayload, error) {
	ue, ok := userErrorsFrom(err, m)
	if !ok {
		if m.idempotencyKey != nil {
			return nil, &mutationError{err: err, idempotencyKey: *m.idempotencyKey}
		}
		return nil, err
	}
	return &model.VerificationSessionPayload{UserErrors: ue}, nil
}
