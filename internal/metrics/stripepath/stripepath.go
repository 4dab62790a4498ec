package stripepath

import "strings"

// ID is what stands for a path segment that is not a known word.
const ID = "{id}"

// Other is the template of a path of more segments than any Stripe
// endpoint idgraph calls.
const Other = "(other)"

// maxSegments bounds a template; Stripe's deepest paths idgraph calls have
// 5 (/v1/identity/verification_sessions/{id}/cancel).
const maxSegments = 8

// words are the segments of Stripe's API paths that idgraph calls (and of
// the objects it may come to call: reports, events).
var words = map[string]bool{
	"v1":                    true,
	"identity":              true,
	"verification_sessions": true,
	"verification_reports":  true,
	"cancel":                true,
	"redact":                true,
	"events":                true,
}

// Template is the route template of the URL path p (escaped or not; a query
// string in it is dropped): each segment that is not a word of Stripe's
// API paths becomes {id}.
func Template(p string) string {
	p, _, _ = strings.Cut(p, "?")
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	if len(segs) > maxSegments {
		return Other
	}
	for i, s := range segs {
		if s != "" && !words[s] {
			segs[i] = ID
		}
	}
	return "/" + strings.Join(segs, "/")
}
