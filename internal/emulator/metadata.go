package emulator

import (
	"strings"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// Stripe's metadata limits (https://docs.stripe.com/api/metadata).
const (
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 500
)

// applyMetadata merges the metadata parameter into cur as Stripe does: an
// empty value unsets its key, metadata="" clears every key, and the limits
// apply to the result. cur is not modified.
func applyMetadata(cur map[string]string, f *form.Params) (map[string]string, *apiError) {
	out := make(map[string]string, len(cur))
	for k, v := range cur {
		out[k] = v
	}
	if f == nil {
		return out, nil
	}
	if _, ok := f.Leaf(); ok { // metadata= : the spec allows only "" here
		return map[string]string{}, nil
	}
	for _, k := range f.Names() {
		v, _ := f.Leaf(k)
		param := "metadata[" + k + "]"
		switch {
		case strings.ContainsAny(k, "[]"):
			return nil, invalidRequest(param, "", "Metadata keys cannot contain '[' or ']'.")
		case len(k) > maxMetadataKeyLen:
			return nil, invalidRequest(param, "", "Metadata keys can have a maximum length of %d characters.", maxMetadataKeyLen)
		case len(v) > maxMetadataValueLen:
			return nil, invalidRequest(param, "", "Metadata values can have a maximum length of %d characters.", maxMetadataValueLen)
		}
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	if len(out) > maxMetadataKeys {
		return nil, invalidRequest("metadata", "", "Invalid metadata: metadata cannot have more than %d keys.", maxMetadataKeys)
	}
	return out, nil
}
