package emulator

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzParseExpand gives parseExpand arbitrary expand[] paths (one per line
// of paths) for each object, alone and as a list's data. It checks that it
// accepts exactly the requests whose every path is expandable (with
// "data." first for a list), that the expansion it returns is exactly
// those paths and their dotted parents, and that a refusal is a 400
// invalid_request_error.
func FuzzParseExpand(f *testing.F) {
	for _, s := range []struct {
		which uint8
		list  bool
		paths string
	}{
		{0, false, "verified_outputs"},
		{0, false, "verified_outputs.dob\nlast_verification_report.document.dob"},
		{0, false, "last_verification_report.selfie"},
		{0, true, "data.verified_outputs.id_number"},
		{0, true, "verified_outputs"},
		{0, true, "data.data.verified_outputs"},
		{0, false, "last_verification_report.last_verification_report"},
		{0, false, "last_verification_report."},
		{0, false, "verified_outputs..dob"},
		{0, false, ".verified_outputs"},
		{0, false, "verified_outputs."},
		{0, false, "Verified_Outputs"},
		{0, false, "verified_outputs "},
		{0, false, "verified_outputs\x00"},
		{0, false, ""},
		{0, false, "customer"},
		{0, false, "*"},
		{1, false, "document.dob\nid_number.id_number\nselfie"},
		{1, true, "data.document.expiration_date"},
		{1, false, "verification_session"},
		{2, true, "data.object"},
		{2, false, "request"},
	} {
		f.Add(s.which, s.list, s.paths)
	}
	objects := []string{"verification_session", "verification_report", "event"}

	f.Fuzz(func(t *testing.T, which uint8, list bool, paths string) {
		object := objects[int(which)%len(objects)]
		given := strings.Split(paths, "\n")
		form, aerr := parseForm(url.Values{"expand[]": given})
		if aerr != nil {
			t.Fatalf("parseForm(expand[] %q): %v", given, aerr)
		}
		ex, aerr := parseExpand(form, expandableOf(object), list)

		known := expandable(object)
		want := expansion{}
		ok := true
		for _, p := range given {
			path, found := p, true
			if list {
				path, found = strings.CutPrefix(p, "data.")
			}
			ok = ok && found && slices.Contains(expandableOf(object), path)
			for known[path] { // path and its parents
				want[path] = true
				i := strings.LastIndexByte(path, '.')
				if i < 0 {
					break
				}
				path = path[:i]
			}
		}
		switch {
		case ok && aerr != nil:
			t.Fatalf("parseExpand(%s, list %v, %q) refused expandable paths: %v", object, list, given, aerr)
		case !ok && aerr == nil:
			t.Fatalf("parseExpand(%s, list %v, %q) = %v; want a refusal", object, list, given, ex)
		case aerr != nil:
			if aerr.Status != http.StatusBadRequest || aerr.Type != errTypeInvalidRequest || !strings.HasPrefix(aerr.Message, "This property cannot be expanded (") {
				t.Fatalf("parseExpand(%s, list %v, %q) refused with %v; want Stripe's 400", object, list, given, aerr)
			}
		case !maps.Equal(ex, want):
			t.Fatalf("parseExpand(%s, list %v, %q) = %v; want %v", object, list, given, ex, want)
		}
	})
}
