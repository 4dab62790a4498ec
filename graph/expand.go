package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// This file decides Stripe's expand[] from the GraphQL selection set, so a
// query pays for exactly the data it asks for, in the same Stripe call.

// reportFields are the fields of VerificationReport that an unexpanded report
// (only its ID) cannot answer.
var reportFields = []string{"created", "type", "document", "idNumber", "selfie", "email", "phone"}

// expansion is one Stripe expand path and the GraphQL fields that need it.
type expansion struct {
	stripe string
	fields []string
}

// sessionExpansions lists, for a VerificationSession selection, what Stripe
// must expand. verified_outputs.dob and .id_number are returned only when
// expanded by name, even inside an expanded verified_outputs.
var sessionExpansions = func() []expansion {
	report := make([]string, len(reportFields))
	for i, f := range reportFields {
		report[i] = "lastVerificationReport." + f
	}
	return []expansion{
		{"verified_outputs", []string{"verifiedOutputs"}},
		{"verified_outputs.dob", []string{"verifiedOutputs.dob"}},
		{"verified_outputs.id_number", []string{"verifiedOutputs.idNumber"}},
		{"provided_details", []string{"providedDetails"}},
		{"last_verification_report", report},
	}
}()

// sessionExpand returns the expand[] paths for the VerificationSessions the
// current field returns. at lists where the sessions sit in the field's
// selection ("" for the field itself, "edges.node" for a connection);
// stripePrefix is "data." for lists. It returns nil when the selection needs
// nothing expanded, so that no expand parameter is sent at all.
func sessionExpand(ctx context.Context, stripePrefix string, at ...string) []*string {
	if len(at) == 0 {
		at = []string{""}
	}
	var out []*string
	for _, e := range sessionExpansions {
		paths := make([]string, 0, len(at)*len(e.fields))
		for _, a := range at {
			for _, f := range e.fields {
				if a != "" {
					f = a + "." + f
				}
				paths = append(paths, f)
			}
		}
		if graphql.AnyFieldRequested(ctx, paths...) {
			p := stripePrefix + e.stripe
			out = append(out, &p)
		}
	}
	return out
}
