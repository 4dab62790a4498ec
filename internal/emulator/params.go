package emulator

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// A form is the decoded tree of Stripe's bracketed form encoding:
// metadata[key]=v, expand[]=a, expand[0]=a, created[gte]=1. Each node is
// either a string leaf or a set of named children; arrays are children named
// by index ("[]" appends the next index), because the encoding itself cannot
// tell metadata[0] (a map key) from expand[0] (an index): only the endpoint's
// parameter spec can, and it is applied afterwards by validate.
type form struct {
	str      string
	isStr    bool
	children map[string]*form
	order    []string // insertion order, for stable error messages
}

func newForm() *form { return &form{children: map[string]*form{}} }

// parseForm decodes url values into a form tree. A key that is both a
// leaf and a parent (metadata=&metadata[a]=b) is an error with that param.
func parseForm(vals url.Values) (*form, *apiError) {
	root := newForm()
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		segs, ok := splitKey(k)
		if !ok {
			return nil, invalidRequest(k, "", "Invalid parameter name: %s", k)
		}
		for _, v := range vals[k] {
			if err := root.set(segs, v, k); err != nil {
				return nil, err
			}
		}
	}
	return root, nil
}

// splitKey splits a[b][c] into [a b c]; a[] gives [a ""].
func splitKey(k string) ([]string, bool) {
	i := strings.IndexByte(k, '[')
	if i < 0 {
		return []string{k}, k != ""
	}
	segs := []string{k[:i]}
	rest := k[i:]
	for rest != "" {
		if rest[0] != '[' {
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

func (f *form) set(segs []string, v, full string) *apiError {
	n := f
	for i, s := range segs {
		if n.isStr {
			return invalidRequest(formatParam(segs[:i]), "", "Invalid object: %s is given both a value and nested parameters", formatParam(segs[:i]))
		}
		if s == "" {
			s = strconv.Itoa(len(n.children))
		}
		c, ok := n.children[s]
		if !ok {
			c = newForm()
			n.children[s] = c
			n.order = append(n.order, s)
		}
		n = c
	}
	if len(n.children) > 0 || n.isStr {
		return invalidRequest(full, "", "Invalid %s: given more than once", full)
	}
	n.isStr, n.str = true, v
	return nil
}

// get walks a path of names; nil when absent.
func (f *form) get(path ...string) *form {
	n := f
	for _, p := range path {
		if n == nil || n.isStr {
			return nil
		}
		n = n.children[p]
	}
	return n
}

// strings returns the leaves of an array node in index order.
func (f *form) list() []string {
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

// formatParam renders path segments as Stripe names params: a[b][c].
func formatParam(path []string) string {
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

// kind is the type of a parameter in an endpoint's spec.
type kind int

const (
	kString     kind = iota
	kInt             // decimal integer
	kBool            // true or false
	kObject          // named fields
	kArray           // indexed items
	kMap             // free string keys to string values (metadata)
	kIntOrRange      // created=1 or created[gte]=1 (range_query_specs)
)

// param is one node of an endpoint's parameter spec, a hand-written mirror of
// the request schema in Stripe's OpenAPI spec (params_spec_test.go checks the
// mirror against the spec, so it cannot drift).
type param struct {
	kind     kind
	enum     []string
	maxLen   int
	fields   map[string]*param
	items    *param
	emptyOK  bool     // "" is accepted and means "unset" (anyOf [..., enum [""]])
	required []string // of an object's fields
}

// validate checks f against spec p (at path) and returns the first error in
// Stripe's words, visiting fields in a stable order.
func validate(f *form, p *param, path []string) *apiError {
	name := formatParam(path)
	switch p.kind {
	case kString:
		if !f.isStr {
			return invalidRequest(name, "", "Invalid string: %s must be a string, not nested parameters", name)
		}
		if f.str == "" && !p.emptyOK {
			return errEmptyValue(name)
		}
		if p.maxLen > 0 && len(f.str) > p.maxLen {
			return invalidRequest(name, "", "Invalid string: %s; must be at most %d characters", abbreviate(f.str), p.maxLen)
		}
		if len(p.enum) > 0 && !(f.str == "" && p.emptyOK) && !contains(p.enum, f.str) {
			return invalidRequest(name, "", "Invalid %s: must be one of %s", name, oneOf(p.enum))
		}
	case kInt:
		if !f.isStr {
			return invalidRequest(name, "parameter_invalid_integer", "Invalid integer: %s must be an integer", name)
		}
		if _, err := strconv.ParseInt(f.str, 10, 64); err != nil {
			return invalidRequest(name, "parameter_invalid_integer", "Invalid integer: %s", abbreviate(f.str))
		}
	case kBool:
		if !f.isStr || (f.str != "true" && f.str != "false") {
			return invalidRequest(name, "", "Invalid boolean: %s", abbreviate(f.str))
		}
	case kIntOrRange:
		if f.isStr {
			return validate(f, &param{kind: kInt}, path)
		}
		return validate(f, rangeSpec, path)
	case kMap:
		if f.isStr {
			if f.str == "" && p.emptyOK {
				return nil
			}
			return invalidRequest(name, "", "Invalid object")
		}
		for _, k := range f.order {
			c := f.children[k]
			if !c.isStr {
				return invalidRequest(formatParam(append(path, k)), "", "Invalid string: %s must be a string, not nested parameters", formatParam(append(path, k)))
			}
		}
	case kArray:
		if f.isStr {
			if f.str == "" && p.emptyOK {
				return nil
			}
			return invalidRequest(name, "", "Invalid array")
		}
		for _, k := range f.order {
			if _, err := strconv.Atoi(k); err != nil {
				return invalidRequest(name, "", "Invalid array")
			}
			if err := validate(f.children[k], p.items, append(path, k)); err != nil {
				return err
			}
		}
	case kObject:
		if f.isStr {
			if f.str == "" && p.emptyOK {
				return nil
			}
			return invalidRequest(name, "", "Invalid object")
		}
		for _, k := range f.order {
			fp, ok := p.fields[k]
			if !ok {
				return errUnknownParam(formatParam(append(path, k)))
			}
			if err := validate(f.children[k], fp, append(path, k)); err != nil {
				return err
			}
		}
		for _, r := range p.required {
			if _, ok := f.children[r]; !ok {
				n := formatParam(append(path, r))
				return invalidRequest(n, "parameter_missing", "Missing required param: %s.", n)
			}
		}
	}
	return nil
}

var rangeSpec = &param{kind: kObject, fields: map[string]*param{
	"gt": {kind: kInt}, "gte": {kind: kInt}, "lt": {kind: kInt}, "lte": {kind: kInt},
}}

func errEmptyValue(name string) *apiError {
	return invalidRequest(name, "parameter_invalid_empty",
		"You passed an empty string for '%s'. We assume empty values are an attempt to unset a parameter; however '%s' cannot be unset. You should remove '%s' from your request or supply a non-empty value.", name, name, name)
}

// oneOf lists values as Stripe's messages do: "a, b, or c".
func oneOf(vs []string) string {
	switch len(vs) {
	case 1:
		return vs[0]
	case 2:
		return vs[0] + " or " + vs[1]
	}
	return strings.Join(vs[:len(vs)-1], ", ") + ", or " + vs[len(vs)-1]
}

func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func contains(vs []string, s string) bool {
	for _, v := range vs {
		if v == s {
			return true
		}
	}
	return false
}

// str returns the leaf at path and whether it was given.
func (f *form) leaf(path ...string) (string, bool) {
	n := f.get(path...)
	if n == nil || !n.isStr {
		return "", false
	}
	return n.str, true
}

// boolean returns the boolean leaf at path; validate has checked its syntax.
func (f *form) boolean(path ...string) (*bool, error) {
	s, ok := f.leaf(path...)
	if !ok {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, fmt.Errorf("boolean %q: %w", s, err)
	}
	return &b, nil
}
