package form

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Params is a request's parameters, decoded from Stripe's bracketed form
// encoding into a tree: metadata[key]=v, expand[]=a, expand[0]=a,
// created[gte]=1. Each node is either a string leaf or a set of named
// children; arrays are children named by index ("[]" appends the next
// index), because the encoding itself cannot tell metadata[0] (a map key)
// from expand[0] (an index): only the endpoint's Spec can, and Validate
// applies it afterwards.
type Params struct {
	str      string
	isStr    bool
	children map[string]*Params
	order    []string // insertion order, for stable error messages
}

func newParams() *Params { return &Params{children: map[string]*Params{}} }

// Parse decodes url values into a tree. A key that is not a name followed
// by bracketed segments is refused, and so is a key that is both a leaf and
// a parent (metadata=&metadata[a]=b), naming that param.
func Parse(vals url.Values) (*Params, *Error) {
	root := newParams()
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		segs, ok := splitKey(k)
		if !ok {
			return nil, invalid(Abbreviate(k), "", "Invalid parameter name: %s", Abbreviate(k))
		}
		for _, v := range vals[k] {
			if err := root.set(segs, v, k); err != nil {
				return nil, err
			}
		}
	}
	return root, nil
}

// maxKeyDepth bounds a parameter name's nesting: the deepest real one,
// options[document][allowed_types][0], has 4 parts. Without a bound, 1 MiB
// of type[][][]… built a tree of 200 MB before Validate refused it.
const maxKeyDepth = 8

// splitKey splits a[b][c] into [a b c]; a[] gives [a ""].
func splitKey(k string) ([]string, bool) {
	i := strings.IndexByte(k, '[')
	if i < 0 {
		return []string{k}, k != ""
	}
	segs := []string{k[:i]}
	rest := k[i:]
	for rest != "" {
		if len(segs) == maxKeyDepth || rest[0] != '[' {
			return nil, false
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return nil, false
		}
		segs = append(segs, rest[1:j])
		rest = rest[j+1:]
	}
	return segs, segs[0] != ""
}

func (f *Params) set(segs []string, v, full string) *Error {
	n := f
	for i, s := range segs {
		if n.isStr {
			return invalid(ParamName(segs[:i]), "", "Invalid object: %s is given both a value and nested parameters", ParamName(segs[:i]))
		}
		if s == "" {
			s = strconv.Itoa(len(n.children))
		}
		c, ok := n.children[s]
		if !ok {
			c = newParams()
			n.children[s] = c
			n.order = append(n.order, s)
		}
		n = c
	}
	if len(n.children) > 0 || n.isStr {
		return invalid(full, "", "Invalid %s: given more than once", full)
	}
	n.isStr, n.str = true, v
	return nil
}

// Get walks a path of names; nil when absent.
func (f *Params) Get(path ...string) *Params {
	n := f
	for _, p := range path {
		if n == nil || n.isStr {
			return nil
		}
		n = n.children[p]
	}
	return n
}

// Leaf returns the string at path (f itself when path is empty) and
// whether it was given.
func (f *Params) Leaf(path ...string) (string, bool) {
	n := f.Get(path...)
	if n == nil || !n.isStr {
		return "", false
	}
	return n.str, true
}

// Names returns the names of f's children in the order they were given.
func (f *Params) Names() []string {
	if f == nil {
		return nil
	}
	return slices.Clone(f.order)
}

// List returns the leaves of an array node in index order; nil for nil or
// a leaf.
func (f *Params) List() []string {
	if f == nil {
		return nil
	}
	if f.isStr {
		return nil
	}
	idx := make([]int, 0, len(f.order))
	byIdx := map[int]string{}
	for _, k := range f.order {
		i, _ := strconv.Atoi(k) // validated by validate
		idx = append(idx, i)
		byIdx[i] = f.children[k].str
	}
	sort.Ints(idx)
	out := make([]string, 0, len(idx))
	for _, i := range idx {
		out = append(out, byIdx[i])
	}
	return out
}

// Bool returns the boolean leaf at path, nil when it was not given;
// Validate has checked its syntax.
func (f *Params) Bool(path ...string) (*bool, error) {
	s, ok := f.Leaf(path...)
	if !ok {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, fmt.Errorf("boolean %q: %w", s, err)
	}
	return &b, nil
}

// ParamName renders path segments as Stripe names params: a[b][c].
func ParamName(path []string) string {
	if len(path) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(path[0])
	for _, p := range path[1:] {
		b.WriteString("[" + p + "]")
	}
	return b.String()
}
