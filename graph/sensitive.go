package graph

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/graph/model"
	"github.com/idgraph/idgraph/internal/identity"
	"github.com/idgraph/idgraph/internal/sessioncache"
)

// This file reads Stripe's sensitive verification results (sensitiveExpansions)
// in a call of their own, beside the session's main call, and merges them in.
// Stripe refuses them to a secret key, and to a restricted key past 48 hours
// unless it is IP-restricted: a refusal then fails only the @sensitive fields
// (through model.*.SensitiveErr), never the rest of the session.

// sensitiveError is a failure of the sensitive call; the error presenter
// reads a Stripe 403 inside it as the sensitive-data rule it is.
type sensitiveError struct{ err error }

func (e *sensitiveError) Error() string { return "sensitive fields: " + e.err.Error() }
func (e *sensitiveError) Unwrap() error { return e.err }

// errSensitiveChanged is a session that left the page between the list's
// two calls.
var errSensitiveChanged = errors.New("the session changed between the list's calls")

// retrieveSession fetches one session as sel asks: the main call and, when
// sensitive fields are selected, their own call, at the same time.
func (r *Resolver) retrieveSession(ctx context.Context, id string, sel selection) (*model.VerificationSession, error) {
	var (
		wg      sync.WaitGroup
		sens    *stripe.IdentityVerificationSession
		sensErr error
	)
	if sel.sensitive != nil {
		wg.Go(func() {
			defer recoverInto(ctx, &sensErr)
			sens, sensErr = r.Identity.Retrieve(ctx, id, &stripe.IdentityVerificationSessionRetrieveParams{Expand: sel.sensitive})
		})
	}
	mainCtx := ctx
	if sel.singleUse {
		mainCtx = sessioncache.Fresh(ctx)
	}
	s, err := r.Identity.Retrieve(mainCtx, id, &stripe.IdentityVerificationSessionRetrieveParams{Expand: sel.expand})
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return withSensitive(s, sel, sens, sensErr), nil
}

// listSessions fetches one page as sel asks; the sensitive fields come from a
// second list call with the same paging, matched by ID.
func (r *Resolver) listSessions(ctx context.Context, params *stripe.IdentityVerificationSessionListParams, sel selection) (identity.Page, []*model.VerificationSession, error) {
	var (
		wg      sync.WaitGroup
		sens    identity.Page
		sensErr error
	)
	if sel.sensitive != nil {
		sp := *params // a shallow copy: only Expand differs
		sp.Expand = sel.sensitive
		wg.Go(func() {
			defer recoverInto(ctx, &sensErr)
			sens, sensErr = r.Identity.List(ctx, &sp)
		})
	}
	params.Expand = sel.expand
	page, err := r.Identity.List(ctx, params)
	wg.Wait()
	if err != nil {
		return identity.Page{}, nil, err
	}
	byID := make(map[string]*stripe.IdentityVerificationSession, len(sens.Sessions))
	for _, s := range sens.Sessions {
		byID[s.ID] = s
	}
	out := make([]*model.VerificationSession, len(page.Sessions))
	for i, s := range page.Sessions {
		from, err := byID[s.ID], sensErr
		if from == nil && err == nil {
			err = errSensitiveChanged
		}
		out[i] = withSensitive(s, sel, from, err)
	}
	return page, out, nil
}

// mutated turns a mutation's answer into the payload's session, reading its
// sensitive fields afterwards when they are selected: Stripe's mutations
// answer with the session but cannot be asked for them.
func (r *Resolver) mutated(ctx context.Context, s *stripe.IdentityVerificationSession, sel selection) *model.VerificationSession {
	if sel.sensitive == nil {
		return sessionFromStripe(s)
	}
	sens, err := r.Identity.Retrieve(ctx, s.ID, &stripe.IdentityVerificationSessionRetrieveParams{Expand: sel.sensitive})
	return withSensitive(s, sel, sens, err)
}

// withSensitive converts s, with the sensitive fields of from merged in, or
// with err recorded where they would have been.
func withSensitive(s *stripe.IdentityVerificationSession, sel selection, from *stripe.IdentityVerificationSession, err error) *model.VerificationSession {
	if sel.sensitive == nil {
		return sessionFromStripe(s)
	}
	if err == nil {
		mergeSensitive(s, from)
	}
	m := sessionFromStripe(s)
	if err != nil {
		err = &sensitiveError{err}
		if v := m.VerifiedOutputs; v != nil {
			v.SensitiveErr = err
		}
		if rep := m.LastVerificationReport; rep != nil {
			if rep.Document != nil {
				rep.Document.SensitiveErr = err
			}
			if rep.IDNumber != nil {
				rep.IDNumber.SensitiveErr = err
			}
		}
	}
	return m
}

// mergeSensitive copies the sensitive fields of from into s.
func mergeSensitive(s, from *stripe.IdentityVerificationSession) {
	if v, fv := s.VerifiedOutputs, from.VerifiedOutputs; v != nil && fv != nil {
		v.DOB, v.IDNumber, v.Sex = fv.DOB, fv.IDNumber, fv.Sex
		v.UnparsedPlaceOfBirth, v.UnparsedSex = fv.UnparsedPlaceOfBirth, fv.UnparsedSex
	}
	rep, frep := s.LastVerificationReport, from.LastVerificationReport
	if rep == nil || frep == nil || rep.ID != frep.ID {
		return
	}
	if d, fd := rep.Document, frep.Document; d != nil && fd != nil {
		d.Number, d.DOB, d.Sex = fd.Number, fd.DOB, fd.Sex
	}
	if n, fn := rep.IDNumber, frep.IDNumber; n != nil && fn != nil {
		n.DOB, n.IDNumber = fn.DOB, fn.IDNumber
	}
}

// recoverInto turns a panic of a goroutine of idgraph's own into an error
// through gqlgen's recover func: gqlgen recovers only its own goroutines,
// and a panic here would end the process.
func recoverInto(ctx context.Context, err *error) {
	if p := recover(); p != nil {
		if graphql.HasOperationContext(ctx) {
			*err = graphql.GetOperationContext(ctx).Recover(ctx, p)
			return
		}
		*err = &resolverError{fmt.Errorf("panic: %v", p)}
	}
}
