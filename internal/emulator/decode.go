package emulator

import (
	"net/http"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// decodeExpand decodes a request for an endpoint that returns object (a
// list of them if list) and reads its expand[], refusing sensitive paths to
// a secret key (sensitive.go). On a bad request it writes Stripe's error and
// reports false.
func decodeExpand(w http.ResponseWriter, r *http.Request, spec *form.Spec, object *apiObject, list bool) (*form.Params, form.Expansion, bool) {
	f, ferr := form.Decode(r, spec)
	aerr := refused(ferr)
	if aerr == nil {
		var ex form.Expansion
		if ex, aerr = parseExpand(f, object, list); aerr == nil {
			if aerr = checkKeyKind(r.Context(), ex, object, list); aerr == nil {
				return f, ex, true
			}
		}
	}
	writeError(w, aerr)
	return nil, form.Expansion{}, false
}

// parseExpand reads the expand[] parameter of a request whose answer is
// object (a list of them if list).
func parseExpand(f *form.Params, object *apiObject, list bool) (form.Expansion, *apiError) {
	ex, err := form.ParseExpand(f, object.expandable, list)
	return ex, refused(err)
}
