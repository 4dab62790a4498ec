package emulator

import (
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

// Paths that each object can expand: the spec's x-expandableFields, which
// Stripe accepts although they are always included (a no-op here too), the
// fields hidden unless expanded (verified_outputs, provided_details), and
// the sensitive verification results (sensitive.go).
var (
	sessionExpandable = append([]string{
		"last_error", "last_verification_report", "options", "provided_details", "redaction",
		"related_person", "verified_outputs",
	}, sensitiveSessionPaths...)
	reportExpandable = append([]string{
		"document", "email", "id_number", "options", "phone", "selfie",
	}, sensitiveReportPaths...)
)

// parseExpand checks the expand[] parameter against an object's expandable
// paths; list says that the object is a list's data, so every path needs the
// "data." prefix. Unknown paths fail with Stripe's message.
func parseExpand(f *form, object string, list bool) (expansion, *apiError) {
	ex := expansion{}
	for _, p := range f.get("expand").list() {
		path := p
		if list {
			rest, ok := strings.CutPrefix(p, "data.")
			if !ok {
				if validExpand(object, p) {
					return nil, invalidRequest("", "", "This property cannot be expanded (%s). You may want to try expanding 'data.%s' instead.", p, p)
				}
				return nil, invalidRequest("", "", "This property cannot be expanded (%s).", p)
			}
			path = rest
		}
		if !validExpand(object, path) {
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

func validExpand(object, path string) bool {
	switch object {
	case "verification_session":
		if rest, ok := strings.CutPrefix(path, "last_verification_report."); ok {
			return contains(reportExpandable, rest)
		}
		return contains(sessionExpandable, path)
	case "verification_report":
		return contains(reportExpandable, path)
	case "event":
		return false
	}
	return false
}
