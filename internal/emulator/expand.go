package emulator

import (
	"slices"
	"strings"
)

// expansion is the set of expand[] paths of a request, relative to one
// object (the "data." prefix of lists and the "last_verification_report."
// prefix of sessions already stripped). A path implies its parents:
// verified_outputs.dob expands verified_outputs too.
type expansion map[string]bool

func (e expansion) has(path string) bool { return e[path] }

// sub returns the paths under prefix, relative to it.
func (e expansion) sub(prefix string) expansion {
	out := expansion{}
	for p := range e {
		if rest, ok := strings.CutPrefix(p, prefix+"."); ok {
			out[rest] = true
		}
	}
	return out
}

// parseExpand checks the expand[] parameter against the paths an object
// can expand (expandable); list says that the object is a list's data, so
// every path needs the "data." prefix. Unknown paths fail with Stripe's
// message.
func parseExpand(f *form, expandable []string, list bool) (expansion, *apiError) {
	ex := expansion{}
	for _, p := range f.get("expand").list() {
		path := p
		if list {
			rest, ok := strings.CutPrefix(p, "data.")
			if !ok {
				if slices.Contains(expandable, p) {
					return nil, invalidRequest("", "", "This property cannot be expanded (%s). You may want to try expanding 'data.%s' instead.", p, p)
				}
				return nil, invalidRequest("", "", "This property cannot be expanded (%s).", p)
			}
			path = rest
		}
		if !slices.Contains(expandable, path) {
			return nil, invalidRequest("", "", "This property cannot be expanded (%s).", p)
		}
		for { // record the path and its parents
			ex[path] = true
			i := strings.LastIndexByte(path, '.')
			if i < 0 {
				break
			}
			path = path[:i]
		}
	}
	return ex, nil
}
