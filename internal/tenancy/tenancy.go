package tenancy

import (
	"context"
	"slices"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/identity"
)

// Client is an identity.Client that holds end users to their own sessions
// and to a Policy, and passes full-access callers through to the client it
// wraps (see the package documentation for the rules).
type Client struct {
	next   identity.Client
	policy Policy
}

var _ identity.Client = (*Client)(nil)

// New returns a Client that enforces tenancy and policy on every call to
// next. An empty Policy lets end users create any type with any options.
func New(next identity.Client, policy Policy) *Client {
	return &Client{next: next, policy: policy.clone()}
}

// caller returns the principal of ctx, or an UnauthenticatedError when it
// may do nothing: no principal, an unknown kind, or an end user without a
// subject (whose sessions would be those with no client_reference_id).
func caller(ctx context.Context) (auth.Principal, error) {
	p := auth.FromContext(ctx)
	switch {
	case p.FullAccess():
		return p, nil
	case p.Kind == auth.EndUser && p.Subject != "":
		return p, nil
	case p.Kind == auth.EndUser:
		return p, &auth.UnauthenticatedError{Message: "The credential names no user."}
	default:
		return p, &auth.UnauthenticatedError{Message: "This operation needs an authenticated caller."}
	}
}

// Create implements identity.Client. An end user's session gets their
// subject as client_reference_id, and the Policy's rules.
func (c *Client) Create(ctx context.Context, params *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.FullAccess() {
		return c.next.Create(ctx, params)
	}
	var cp stripe.IdentityVerificationSessionCreateParams
	if params != nil {
		cp = *params
	}
	if err := checkExtra(cp.Extra); err != nil {
		return nil, err
	}
	switch {
	case cp.ClientReferenceID == nil:
		cp.ClientReferenceID = stripe.String(p.Subject)
	case *cp.ClientReferenceID != p.Subject:
		return nil, &auth.ForbiddenError{Param: "client_reference_id",
			Message: "You can create sessions only for yourself: leave clientReferenceId out or give your own user ID."}
	}
	if err := c.policy.create(&cp); err != nil {
		return nil, err
	}
	s, err := c.next.Create(ctx, &cp)
	if err != nil {
		return nil, err
	}
	return withoutSecrets(p, s), nil
}

// Retrieve implements identity.Client. Another user's session is an error
// equal to Stripe's for a session that does not exist.
func (c *Client) Retrieve(ctx context.Context, id string, params *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.FullAccess() {
		return c.next.Retrieve(ctx, id, params)
	}
	return c.retrieveOwned(ctx, p, id, params)
}

// Update implements identity.Client. After the ownership check, the update
// is held to the Policy, which may add document options it imposes.
func (c *Client) Update(ctx context.Context, id string, params *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.FullAccess() {
		return c.next.Update(ctx, id, params)
	}
	var cp stripe.IdentityVerificationSessionUpdateParams
	if params != nil {
		cp = *params
	}
	if err := checkExtra(cp.Extra); err != nil {
		return nil, err
	}
	current, err := c.retrieveOwned(ctx, p, id, probe(cp.StripeAccount, cp.StripeContext))
	if err != nil {
		return nil, err
	}
	if err := c.policy.update(&cp, current); err != nil {
		return nil, err
	}
	s, err := c.next.Update(ctx, id, &cp)
	if err != nil {
		return nil, err
	}
	return withoutSecrets(p, s), nil
}

// Cancel implements identity.Client.
func (c *Client) Cancel(ctx context.Context, id string, params *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.FullAccess() {
		return c.next.Cancel(ctx, id, params)
	}
	var base stripe.Params
	if params != nil {
		base = params.Params
	}
	if err := c.checkWrite(ctx, p, id, base); err != nil {
		return nil, err
	}
	s, err := c.next.Cancel(ctx, id, params)
	if err != nil {
		return nil, err
	}
	return withoutSecrets(p, s), nil
}

// Redact implements identity.Client.
func (c *Client) Redact(ctx context.Context, id string, params *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.FullAccess() {
		return c.next.Redact(ctx, id, params)
	}
	var base stripe.Params
	if params != nil {
		base = params.Params
	}
	if err := c.checkWrite(ctx, p, id, base); err != nil {
		return nil, err
	}
	s, err := c.next.Redact(ctx, id, params)
	if err != nil {
		return nil, err
	}
	return withoutSecrets(p, s), nil
}

// List implements identity.Client. An end user's list is filtered to their
// subject; a filter naming another user finds nothing, without a call.
func (c *Client) List(ctx context.Context, params *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
	p, err := caller(ctx)
	if err != nil {
		return identity.Page{}, err
	}
	if p.FullAccess() {
		return c.next.List(ctx, params)
	}
	// A copy: the caller's params stay as they were (and the adapter sets
	// Single on what it is given).
	var cp stripe.IdentityVerificationSessionListParams
	if params != nil {
		cp = *params
	}
	if cp.ClientReferenceID != nil && *cp.ClientReferenceID != p.Subject {
		return identity.Page{}, nil
	}
	if err := checkFilters(cp.Filters); err != nil {
		return identity.Page{}, err
	}
	for _, cursor := range []struct {
		param string
		id    *string
	}{{stripe.StartingAfter, cp.StartingAfter}, {stripe.EndingBefore, cp.EndingBefore}} {
		if err := c.checkCursor(ctx, p, cursor.param, cursor.id, &cp); err != nil {
			return identity.Page{}, err
		}
	}
	cp.ClientReferenceID = stripe.String(p.Subject)
	page, err := c.next.List(ctx, &cp)
	if err != nil {
		return identity.Page{}, err
	}
	// Stripe filtered the page; this only makes sure.
	page.Sessions = slices.DeleteFunc(slices.Clone(page.Sessions), func(s *stripe.IdentityVerificationSession) bool {
		return s == nil || !p.Owns(s.ClientReferenceID)
	})
	return page, nil
}

// retrieveOwned retrieves the session id for an end user p: theirs, or the
// error Stripe gives for a session that does not exist, the same whether
// it does not or is another's (notfound.go). Other errors of next pass
// unchanged.
func (c *Client) retrieveOwned(ctx context.Context, p auth.Principal, id string, params *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	s, err := c.next.Retrieve(ctx, id, params)
	if isNoSuch(err) || (err == nil && (s == nil || !p.Owns(s.ClientReferenceID))) {
		return nil, errNoSuchSession(id)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// checkWrite is what an end user's cancel or redact needs first: params
// within what end users may send, and a session of theirs.
func (c *Client) checkWrite(ctx context.Context, p auth.Principal, id string, base stripe.Params) error {
	if err := checkExtra(base.Extra); err != nil {
		return err
	}
	_, err := c.retrieveOwned(ctx, p, id, probe(base.StripeAccount, base.StripeContext))
	return err
}

// checkCursor fails a list whose cursor (param) names a session that is not
// the end user's exactly as Stripe fails one naming a nonexistent session:
// both cost one retrieve and give the same 400. An empty cursor names no
// session, and goes to Stripe as it is.
func (c *Client) checkCursor(ctx context.Context, p auth.Principal, param string, id *string, lp *stripe.IdentityVerificationSessionListParams) error {
	if id == nil || *id == "" {
		return nil
	}
	s, err := c.next.Retrieve(ctx, *id, probe(lp.StripeAccount, lp.StripeContext))
	if isNoSuch(err) || (err == nil && (s == nil || !p.Owns(s.ClientReferenceID))) {
		return errNoSuchCursor(param, *id)
	}
	return err
}

// probe returns the params of the retrieve that learns a session's owner:
// no expand (client_reference_id is on the plain object), on the same
// account as the call it guards, so that a connected account's session is
// looked up where it lives.
func probe(stripeAccount, stripeContext *string) *stripe.IdentityVerificationSessionRetrieveParams {
	rp := &stripe.IdentityVerificationSessionRetrieveParams{}
	rp.StripeAccount, rp.StripeContext = stripeAccount, stripeContext
	return rp
}

// withoutSecrets returns s, or, if p does not own it, a copy without its
// client secret and URL. Tenancy has already made sure that p owns it; this
// is the last line, should Stripe ever return something else.
func withoutSecrets(p auth.Principal, s *stripe.IdentityVerificationSession) *stripe.IdentityVerificationSession {
	if s == nil || p.Owns(s.ClientReferenceID) {
		return s
	}
	cp := *s
	cp.ClientSecret, cp.URL = "", ""
	return &cp
}
