package graph

import (
	"context"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/idgraph/idgraph/internal/auth"
)

// This file decides Stripe's expand[] from the GraphQL selection set, so a
// query pays for exactly the data it asks for and the caller may read.

// reportFields are the fields of VerificationReport that an unexpanded report
// (only its ID) cannot answer.
var reportFields = []string{"created", "type", "clientReferenceId", "livemode", "options", "verificationFlow",
	"document", "idNumber", "selfie", "email", "phone"}

// expansion is one Stripe expand path, the GraphQL fields that need it, and
// the scope a caller must hold to read them.
type expansion struct {
	stripe string
	fields []string
	scope  string
}

// sessionExpansions lists, for a VerificationSession selection, what Stripe
// must expand in the session's own call.
var sessionExpansions = func() []expansion {
	report := make([]string, len(reportFields))
	for i, f := range reportFields {
		report[i] = "lastVerificationReport." + f
	}
	return []expansion{
		{"verified_outputs", []string{"verifiedOutputs"}, auth.ScopeReadOutputs},
		{"provided_details", []string{"providedDetails"}, ""},
		{"last_verification_report", report, auth.ScopeReadOutputs},
	}
}()

// sensitiveExpansions are Stripe's sensitive verification results: returned
// only when expanded by name, and only to a restricted key with the sensitive
// read permission, so they go in a call of their own (sensitive.go). The
// caller needs both scopes: the parent's and the sensitive one.
var sensitiveExpansions = []expansion{
	{"verified_outputs.dob", []string{"verifiedOutputs.dob"}, auth.ScopeReadSensitive},
	{"verified_outputs.id_number", []string{"verifiedOutputs.idNumber"}, auth.ScopeReadSensitive},
	{"verified_outputs.sex", []string{"verifiedOutputs.sex"}, auth.ScopeReadSensitive},
	{"verified_outputs.unparsed_place_of_birth", []string{"verifiedOutputs.unparsedPlaceOfBirth"}, auth.ScopeReadSensitive},
	{"verified_outputs.unparsed_sex", []string{"verifiedOutputs.unparsedSex"}, auth.ScopeReadSensitive},
	{"last_verification_report.document.number", []string{"lastVerificationReport.document.number"}, auth.ScopeReadSensitive},
	{"last_verification_report.document.dob", []string{"lastVerificationReport.document.dob"}, auth.ScopeReadSensitive},
	{"last_verification_report.document.sex", []string{"lastVerificationReport.document.sex"}, auth.ScopeReadSensitive},
	{"last_verification_report.id_number.dob", []string{"lastVerificationReport.idNumber.dob"}, auth.ScopeReadSensitive},
	{"last_verification_report.id_number.id_number", []string{"lastVerificationReport.idNumber.idNumber"}, auth.ScopeReadSensitive},
}

// selection is what a field's selection of sessions asks Stripe for: the
// expansions of the main call, and the sensitive ones of a second call;
// singleUse when it selects url or clientSecret, which the main call must
// then fetch for this caller alone (never merged nor cached).
type selection struct {
	expand    []*string
	sensitive []*string
	singleUse bool
}

// singleUseFields are the session's fields that are single-use values for
// one caller: Stripe's client_secret and url.
var singleUseFields = []string{"url", "clientSecret"}

// sessionSelection reads the selection for the VerificationSessions the
// current field returns. at lists where the sessions sit in the field's
// selection ("" for the field itself, "edges.node" for a connection);
// stripePrefix is "data." for lists. Each list is nil when nothing is to be
// expanded, so that no expand parameter is sent at all.
func sessionSelection(ctx context.Context, stripePrefix string, at ...string) selection {
	if len(at) == 0 {
		at = []string{""}
	}
	sel := selection{singleUse: singleUseRequested(ctx, at)}
	// Most selections expand nothing: one look at the fields that every
	// expansion path starts with spares a walk of the selection per path
	// (46 for a session).
	if !anySelectedUnder(ctx, at, expansionRoots) {
		return sel
	}
	p := auth.FromContext(ctx)
	sel.expand = expandPaths(ctx, p, stripePrefix, sessionExpansions, at)
	if p.HasScope(auth.ScopeReadOutputs) {
		sel.sensitive = expandPaths(ctx, p, stripePrefix, sensitiveExpansions, at)
	}
	return sel
}

func expandPaths(ctx context.Context, p auth.Principal, stripePrefix string, expansions []expansion, at []string) []*string {
	// A report's verificationSession is the session itself (convert.go):
	// what is selected through it is fetched with the session.
	for _, a := range at {
		at = append(at, join(a, "lastVerificationReport.verificationSession"))
	}
	var out []*string
	for _, e := range expansions {
		if e.scope != "" && !p.HasScope(e.scope) {
			continue // the field answers FORBIDDEN: fetch nothing for it
		}
		paths := make([]string, 0, len(at)*len(e.fields))
		for _, a := range at {
			for _, f := range e.fields {
				paths = append(paths, join(a, f))
			}
		}
		if graphql.AnyFieldRequested(ctx, paths...) {
			s := stripePrefix + e.stripe
			out = append(out, &s)
		}
	}
	return out
}

// singleUseRequested tells whether the sessions at (and their reports'
// sessions) have a singleUseField selected.
func singleUseRequested(ctx context.Context, at []string) bool {
	if anySelectedUnder(ctx, at, singleUseFields) {
		return true
	}
	for _, a := range at {
		if anySelectedUnder(ctx, []string{join(a, "lastVerificationReport.verificationSession")}, singleUseFields) {
			return true
		}
	}
	return false
}

// expansionRoots are the first fields of every expansion's paths, and
// lastVerificationReport, through which the session is selected again: no
// expansion is selected unless one of them is.
var expansionRoots = func() []string {
	roots := []string{"lastVerificationReport"}
	for _, list := range [][]expansion{sessionExpansions, sensitiveExpansions} {
		for _, e := range list {
			for _, f := range e.fields {
				if first, _, _ := strings.Cut(f, "."); !slices.Contains(roots, first) {
					roots = append(roots, first)
				}
			}
		}
	}
	return roots
}()

// anySelectedUnder tells whether one of names is selected directly under
// one of the dot paths at of the current field's selection, fragments and
// @skip/@include counted as gqlgen counts them (graphql.FieldRequested,
// which allocates a split path per call).
func anySelectedUnder(ctx context.Context, at []string, names []string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	opCtx := graphql.GetOperationContext(ctx)
	for _, a := range at {
		if anyNamed(opCtx, fc.Field.Selections, a, names) {
			return true
		}
	}
	return false
}

func anyNamed(opCtx *graphql.OperationContext, sel ast.SelectionSet, path string, names []string) bool {
	seg, rest, _ := strings.Cut(path, ".")
	for _, f := range graphql.CollectFields(opCtx, sel, nil) {
		switch {
		case path == "":
			if slices.Contains(names, f.Name) {
				return true
			}
		case f.Name == seg:
			if anyNamed(opCtx, f.Selections, rest, names) {
				return true
			}
		}
	}
	return false
}

// join joins two dot paths; either may be empty.
func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
