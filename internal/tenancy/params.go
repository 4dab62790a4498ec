package tenancy

import (
	"slices"
	"strings"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/form"

	"github.com/idgraph/idgraph/internal/auth"
)

// stripe-go sends two kinds of params that its typed fields do not show:
// Params.Extra (AddExtra) on writes and ListParams.Filters (AddFilter) on
// lists. Either could carry a client_reference_id, a type, an
// options[document] or a cursor past the checks on the typed fields, so for
// end users they may carry only what cannot: the keys below. Anything else
// is refused, naming the key, rather than sent.

// extraAllowed tells whether an end user's write may carry the extra
// parameter key: metadata (graph sends metadata="" to clear it) and expand.
func extraAllowed(key string) bool {
	top, _, _ := strings.Cut(key, "[")
	return top == "metadata" || top == "expand"
}

// filtersAllowed are the list parameters an end user's list may carry as
// filters: none of them widens the list beyond the user's sessions.
var filtersAllowed = []string{"created", "status", "related_customer", "related_customer_account", "limit", "expand"}

func checkExtra(extra *stripe.ExtraValues) error {
	if extra == nil {
		return nil
	}
	for key := range extra.Values {
		if !extraAllowed(key) {
			return notSettable(key)
		}
	}
	return nil
}

func checkFilters(f stripe.Filters) error {
	// Filters keeps its entries private; encoding them is the way to read
	// the keys, and is what stripe-go will send.
	var v form.Values
	f.AppendTo(&v, nil)
	for key := range v.ToValues() {
		top, _, _ := strings.Cut(key, "[")
		if !slices.Contains(filtersAllowed, top) {
			return notSettable(key)
		}
	}
	return nil
}

func notSettable(key string) error {
	return &auth.ForbiddenError{Param: key, Message: "End users cannot set " + key + " this way."}
}
