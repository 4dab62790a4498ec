package tenancy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
)

// The session types a Policy names; "verification_flow" stands for a
// session created from a Dashboard verification flow.
const (
	typeDocument         = "document"
	typeVerificationFlow = "verification_flow"
)

// Policy is what end users may create: which types, and which document
// options are imposed. It binds end users only; server keys and development
// are not held to it.
//
// Document requirements apply to sessions of type document, the only ones
// with a document check: an id_number session has no document options, and
// a verification flow carries the options set in the Dashboard. So a policy
// that requires a selfie binds every end user's session only if Types is
// ["document"]; with Types empty (any), an end user may choose an id_number
// session or a flow instead.
type Policy struct {
	// Types are the session types end users may create or change a session
	// to: "document", "id_number", "verification_flow". Empty means any.
	Types []string
	// Document is imposed on end users' document sessions.
	Document DocumentPolicy
}

// DocumentPolicy is the document check options end users' document sessions
// must have. A requirement that is set is imposed where the caller leaves
// the option out and refused where the caller turns it off.
type DocumentPolicy struct {
	// RequireMatchingSelfie, RequireLiveCapture and RequireIDNumber are
	// Stripe's options[document][require_matching_selfie],
	// [require_live_capture] and [require_id_number]: true imposes the
	// option, false leaves it to the caller.
	RequireMatchingSelfie, RequireLiveCapture, RequireIDNumber bool
	// AllowedTypes are the document types a session may allow at most:
	// "passport", "driving_license", "id_card". Empty means any.
	AllowedTypes []string
}

// Empty tells whether the policy leaves end users free to create any type
// with any options.
func (p Policy) Empty() bool { return len(p.Types) == 0 && p.Document.empty() }

func (d DocumentPolicy) empty() bool {
	return !d.RequireMatchingSelfie && !d.RequireLiveCapture && !d.RequireIDNumber && len(d.AllowedTypes) == 0
}

// clone keeps the policy's lists from changing under New's Client.
func (p Policy) clone() Policy {
	p.Types = slices.Clone(p.Types)
	p.Document.AllowedTypes = slices.Clone(p.Document.AllowedTypes)
	return p
}

func (p Policy) allows(typ string) bool { return len(p.Types) == 0 || slices.Contains(p.Types, typ) }

// create holds an end user's create to the policy, imposing the document
// options it requires on cp (a copy of the caller's params; what it points
// to is copied before it is changed).
func (p Policy) create(cp *stripe.IdentityVerificationSessionCreateParams) error {
	if cp.VerificationFlow != nil && !p.allows(typeVerificationFlow) {
		return p.typeRefused("verification_flow", "start verification flows")
	}
	if cp.Type != nil && !p.allows(*cp.Type) {
		return p.typeRefused("type", "create "+*cp.Type+" sessions")
	}
	if cp.Type == nil || *cp.Type != typeDocument || cp.VerificationFlow != nil || p.Document.empty() {
		// No document check, or nothing to impose on one. (Without type or
		// with both type and flow, Stripe refuses the create.)
		return nil
	}
	var opts stripe.IdentityVerificationSessionCreateOptionsParams
	if cp.Options != nil {
		opts = *cp.Options
	}
	if slices.Contains(opts.UnsetFields, stripe.IdentityVerificationSessionCreateOptionsParamsUnsetFieldDocument) {
		return p.Document.removalRefused()
	}
	doc, err := p.Document.enforce((*stripe.IdentityVerificationSessionOptionsDocumentParams)(opts.Document), nil)
	if err != nil {
		return err
	}
	opts.Document = (*stripe.IdentityVerificationSessionCreateOptionsDocumentParams)(doc)
	cp.Options = &opts
	return nil
}

// update holds an end user's update of their session current to the
// policy, imposing the document options it requires on up (a copy of the
// caller's params).
//
// Leaving options out changes nothing and is allowed, even on a session
// that predates the policy. Given options.document is held to the rules and
// its left-out requirements are imposed: whether Stripe merges the given
// options into the session's or replaces them, the result complies. A change
// of type to document imposes them too, since the session may have no
// document options at all.
func (p Policy) update(up *stripe.IdentityVerificationSessionUpdateParams, current *stripe.IdentityVerificationSession) error {
	if up.Type != nil && !p.allows(*up.Type) {
		return p.typeRefused("type", "change a session to "+*up.Type)
	}
	typ := string(current.Type)
	if up.Type != nil {
		typ = *up.Type
	}
	if typ != typeDocument || p.Document.empty() {
		return nil
	}
	var opts stripe.IdentityVerificationSessionUpdateOptionsParams
	if up.Options != nil {
		opts = *up.Options
	}
	if slices.Contains(opts.UnsetFields, stripe.IdentityVerificationSessionUpdateOptionsParamsUnsetFieldDocument) {
		return p.Document.removalRefused()
	}
	becomesDocument := string(current.Type) != typeDocument
	if opts.Document == nil && !becomesDocument {
		return nil
	}
	var kept []stripe.IdentityVerificationSessionOptionsDocumentAllowedType
	if current.Options != nil && current.Options.Document != nil {
		kept = current.Options.Document.AllowedTypes
	}
	doc, err := p.Document.enforce((*stripe.IdentityVerificationSessionOptionsDocumentParams)(opts.Document), kept)
	if err != nil {
		return err
	}
	opts.Document = (*stripe.IdentityVerificationSessionUpdateOptionsDocumentParams)(doc)
	up.Options = &opts
	return nil
}

// enforce returns a copy of given (nil: left out) that complies with d: a
// requirement left out is set, one turned off is refused; allowed_types left
// out becomes current (the session's, on an update) if that complies and is
// not empty, else d's list; one that is cleared or names a type outside d's
// list is refused.
func (d DocumentPolicy) enforce(given *stripe.IdentityVerificationSessionOptionsDocumentParams, current []stripe.IdentityVerificationSessionOptionsDocumentAllowedType) (*stripe.IdentityVerificationSessionOptionsDocumentParams, error) {
	var doc stripe.IdentityVerificationSessionOptionsDocumentParams
	if given != nil {
		doc = *given
	}
	for _, r := range d.requirements(&doc) {
		switch {
		case !r.required:
		case *r.field == nil:
			*r.field = stripe.Bool(true)
		case !**r.field:
			return nil, &auth.ForbiddenError{Param: "options[document][" + r.param + "]",
				Message: fmt.Sprintf("This app requires %s (%s); it cannot be turned off.", r.what, r.gqlName)}
		}
	}
	if len(d.AllowedTypes) == 0 {
		return &doc, nil
	}
	switch {
	case doc.AllowedTypes == nil:
		doc.AllowedTypes = d.imposedTypes(current)
	case len(doc.AllowedTypes) == 0:
		// stripe-go sends an empty, non-nil list as allowed_types= : any type.
		return nil, d.typesRefused("the list cannot be cleared")
	default:
		for _, t := range doc.AllowedTypes {
			if t == nil || !slices.Contains(d.AllowedTypes, *t) {
				return nil, d.typesRefused(fmt.Sprintf("%q is not one of them", stripe.StringValue(t)))
			}
		}
	}
	return &doc, nil
}

// requirement is one of the document options a DocumentPolicy can require.
type requirement struct {
	required bool
	field    **bool // in the params being enforced
	param    string // Stripe's name, in options[document][...]
	gqlName  string // GraphQL's name, which the client knows
	what     string // what it asks of the user, for messages
}

func (d DocumentPolicy) requirements(doc *stripe.IdentityVerificationSessionOptionsDocumentParams) []requirement {
	return []requirement{
		{d.RequireMatchingSelfie, &doc.RequireMatchingSelfie, "require_matching_selfie", "requireMatchingSelfie", "a selfie check"},
		{d.RequireLiveCapture, &doc.RequireLiveCapture, "require_live_capture", "requireLiveCapture", "documents captured live by the camera"},
		{d.RequireIDNumber, &doc.RequireIDNumber, "require_id_number", "requireIdNumber", "an ID number check"},
	}
}

// imposedTypes is the allowed_types imposed when the caller leaves it out:
// current if it is a non-empty subset of d's list (on an update, so that
// the session keeps a narrower list), else d's list.
func (d DocumentPolicy) imposedTypes(current []stripe.IdentityVerificationSessionOptionsDocumentAllowedType) []*string {
	from := d.AllowedTypes
	if len(current) > 0 && !slices.ContainsFunc(current, func(t stripe.IdentityVerificationSessionOptionsDocumentAllowedType) bool {
		return !slices.Contains(d.AllowedTypes, string(t))
	}) {
		from = make([]string, len(current))
		for i, t := range current {
			from[i] = string(t)
		}
	}
	return stripe.StringSlice(from)
}

func (d DocumentPolicy) typesRefused(why string) error {
	return &auth.ForbiddenError{Param: "options[document][allowed_types]",
		Message: fmt.Sprintf("This app accepts only these documents: %s (allowedTypes); %s.", strings.Join(d.AllowedTypes, ", "), why)}
}

func (d DocumentPolicy) removalRefused() error {
	var what []string
	for _, r := range d.requirements(&stripe.IdentityVerificationSessionOptionsDocumentParams{}) {
		if r.required {
			what = append(what, r.what)
		}
	}
	if len(d.AllowedTypes) > 0 {
		what = append(what, "only these documents: "+strings.Join(d.AllowedTypes, ", "))
	}
	return &auth.ForbiddenError{Param: "options[document]",
		Message: fmt.Sprintf("This app requires document options (%s); they cannot be removed.", strings.Join(what, "; "))}
}

func (p Policy) typeRefused(param, action string) error {
	return &auth.ForbiddenError{Param: param,
		Message: fmt.Sprintf("This app does not let users %s; it allows: %s.", action, strings.Join(p.Types, ", "))}
}
