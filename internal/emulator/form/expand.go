package form

import (
	"slices"
	"strings"
)

// Expansion is the set of expand[] paths of a request, relative to one
// object (the "data." prefix of lists already stripped). A path implies its
// parents: verified_outputs.dob expands verified_outputs too.
type Expansion map[string]bool

// Has tells whether path is expanded.
func (e Expansion) Has(path string) bool { return e[path] }

// Sub returns the paths under prefix, relative to it: what is expanded of
// the object at prefix.
func (e Expansion) Sub(prefix string) Expansion {
	out := Expansion{}
	for p := range e {
		if rest, ok := strings.CutPrefix(p, prefix+"."); ok {
			out[rest] = true
		}
	}
	return out
}

// ParseExpand reads the expand[] parameter of f against the paths the
// answer's object can expand (expandable; none for nil); list says that the
// object is a list's data, so every path needs the "data." prefix. A path
// not in expandable is refused with Stripe's message.
func ParseExpand(f *Params, expandable []string, list bool) (Expansion, *Error) {
	ex := Expansion{}
	for _, p := range f.Get("expand").List() {
		path := p
		if list {
			rest, ok := strings.CutPrefix(p, "data.")
			if !ok {
				if slices.Contains(expandable, p) {
					return nil, invalid("", "", "This property cannot be expanded (%s). You may want to try expanding 'data.%s' instead.", p, p)
				}
				return nil, invalid("", "", "This property cannot be expanded (%s).", p)
			}
			path = rest
		}
		if !slices.Contains(expandable, path) {
			return nil, invalid("", "", "This property cannot be expanded (%s).", p)
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
