package form

import (
	"slices"
	"strconv"
	"strings"
)

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

// Spec is one node of an endpoint's parameter spec, a hand-written mirror of
// the request schema in Stripe's OpenAPI spec (endpoints.go holds each
// endpoint's; endpoints_test.go checks them against the spec, so they
// cannot drift).
type Spec struct {
	kind     kind
	enum     []string
	maxLen   int
	fields   map[string]*Spec
	items    *Spec
	emptyOK  bool     // "" is accepted and means "unset" (anyOf [..., enum [""]])
	required []string // of an object's fields
}

// Validate checks f against spec and returns the first refusal in Stripe's
// words, visiting fields in a stable order.
func Validate(f *Params, spec *Spec) *Error { return validate(f, spec, nil) }

// validate checks f against spec p at path.
func validate(f *Params, p *Spec, path []string) *Error {
	name := ParamName(path)
	if container := containerName(p.kind); container != "" && f.isStr {
		// A value where a map, an array or an object belongs: "" unsets
		// it where the spec allows that.
		if f.str == "" && p.emptyOK {
			return nil
		}
		return invalid(name, "", "Invalid %s", container)
	}
	switch p.kind {
	case kString:
		if !f.isStr {
			return invalid(name, "", "Invalid string: %s must be a string, not nested parameters", name)
		}
		if f.str == "" && !p.emptyOK {
			return errEmptyValue(name)
		}
		if p.maxLen > 0 && len(f.str) > p.maxLen {
			return invalid(name, "", "Invalid string: %s; must be at most %d characters", Abbreviate(f.str), p.maxLen)
		}
		if len(p.enum) > 0 && !(f.str == "" && p.emptyOK) && !slices.Contains(p.enum, f.str) {
			return invalid(name, "", "Invalid %s: must be one of %s", name, oneOf(p.enum))
		}
	case kInt:
		if !f.isStr {
			return invalid(name, "parameter_invalid_integer", "Invalid integer: %s must be an integer", name)
		}
		if _, err := strconv.ParseInt(f.str, 10, 64); err != nil {
			return invalid(name, "parameter_invalid_integer", "Invalid integer: %s", Abbreviate(f.str))
		}
	case kBool:
		if !f.isStr || (f.str != "true" && f.str != "false") {
			return invalid(name, "", "Invalid boolean: %s", Abbreviate(f.str))
		}
	case kIntOrRange:
		if f.isStr {
			return validate(f, &Spec{kind: kInt}, path)
		}
		return validate(f, rangeSpec, path)
	case kMap:
		for _, k := range f.order {
			c := f.children[k]
			if !c.isStr {
				return invalid(ParamName(append(path, k)), "", "Invalid string: %s must be a string, not nested parameters", ParamName(append(path, k)))
			}
		}
	case kArray:
		for _, k := range f.order {
			// Canonical indexes only: "01" and "1" would be one item twice.
			if i, err := strconv.Atoi(k); err != nil || i < 0 || strconv.Itoa(i) != k {
				return invalid(name, "", "Invalid array")
			}
			if err := validate(f.children[k], p.items, append(path, k)); err != nil {
				return err
			}
		}
	case kObject:
		for _, k := range f.order {
			fp, ok := p.fields[k]
			if !ok {
				return errUnknownParam(ParamName(append(path, k)))
			}
			if err := validate(f.children[k], fp, append(path, k)); err != nil {
				return err
			}
		}
		for _, r := range p.required {
			if _, ok := f.children[r]; !ok {
				n := ParamName(append(path, r))
				return invalid(n, "parameter_missing", "Missing required param: %s.", n)
			}
		}
	}
	return nil
}

// containerName is what a refusal calls a kind that holds parameters
// rather than a value; "" for the others.
func containerName(k kind) string {
	switch k {
	case kMap, kObject:
		return "object"
	case kArray:
		return "array"
	}
	return ""
}

var rangeSpec = &Spec{kind: kObject, fields: map[string]*Spec{
	"gt": {kind: kInt}, "gte": {kind: kInt}, "lt": {kind: kInt}, "lte": {kind: kInt},
}}

// errUnknownParam is Stripe's answer for a parameter the endpoint does not take.
func errUnknownParam(param string) *Error {
	return invalid(param, "parameter_unknown", "Received unknown parameter: %s", param)
}

// errEmptyValue is Stripe's answer for "" where a value cannot be unset.
func errEmptyValue(name string) *Error {
	return invalid(name, "parameter_invalid_empty",
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

// Abbreviate shortens a value quoted in a refusal to its first 40 bytes.
func Abbreviate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
