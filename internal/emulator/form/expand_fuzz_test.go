package form

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzParseExpand gives ParseExpand arbitrary expand[] paths (one per line
// of paths) for each of testObjects' catalogues, alone and as a list's data.
// It checks that it accepts exactly the requests whose every path is
// expandable (with "data." first for a list), that the expansion it returns
// is exactly those paths and their dotted parents, and that a refusal is a
// 400 invalid_request_error.
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
	objects := testObjects(f)

	f.Fuzz(func(t *testing.T, which uint8, list bool, paths string) {
		object := objects[int(which)%len(objects)]
		given := strings.Split(paths, "\n")
		form, aerr := Parse(url.Values{"expand[]": given})
		if aerr != nil {
			t.Fatalf("Parse(expand[] %q): %v", given, aerr)
		}
		ex, aerr := ParseExpand(form, object.expandable, list)

		known := withParents(object.expandable)
		want := Expansion{}
		ok := true
		for _, p := range given {
			path, found := p, true
			if list {
				path, found = strings.CutPrefix(p, "data.")
			}
			ok = ok && found && slices.Contains(object.expandable, path)
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
			t.Fatalf("ParseExpand(%s, list %v, %q) refused expandable paths: %v", object.name, list, given, aerr)
		case !ok && aerr == nil:
			t.Fatalf("ParseExpand(%s, list %v, %q) = %v; want a refusal", object.name, list, given, ex)
		case aerr != nil:
			if aerr.Status != http.StatusBadRequest || !strings.HasPrefix(aerr.Message, "This property cannot be expanded (") {
				t.Fatalf("ParseExpand(%s, list %v, %q) refused with %v; want Stripe's 400", object.name, list, given, aerr)
			}
		case !maps.Equal(ex, want):
			t.Fatalf("ParseExpand(%s, list %v, %q) = %v; want %v", object.name, list, given, ex, want)
		}
	})
}

// testObject is a catalogue of expandable paths to fuzz ParseExpand with.
type testObject struct {
	name       string
	expandable []string
}

// testObjects are catalogues of the shapes the emulator's objects have,
// taken from Stripe's spec rather than from the emulator (which adds the
// sensitive results): a session's x-expandableFields with its report's
// under last_verification_report., a report's, and an event's, which
// expands nothing. ParseExpand takes whatever catalogue it is given; the
// emulator's own is tested there.
func testObjects(tb testing.TB) []testObject {
	tb.Helper()
	b, err := os.ReadFile(specFile)
	if err != nil {
		tb.Fatal(err)
	}
	var spec struct {
		Components struct {
			Schemas map[string]struct {
				Expandable []string `json:"x-expandableFields"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		tb.Fatal(err)
	}
	session := spec.Components.Schemas["identity.verification_session"].Expandable
	report := spec.Components.Schemas["identity.verification_report"].Expandable
	if len(session) == 0 || len(report) == 0 {
		tb.Fatalf("%s: no x-expandableFields for sessions or reports", specFile)
	}
	session = slices.Clone(session)
	for _, p := range report {
		session = append(session, "last_verification_report."+p)
	}
	return []testObject{{"verification_session", session}, {"verification_report", report}, {"event", nil}}
}

// withParents is every path that an expand[] of a catalogue may leave in
// an expansion: the expandable paths and their dotted parents.
func withParents(expandable []string) map[string]bool {
	known := map[string]bool{}
	for _, p := range expandable {
		for {
			known[p] = true
			i := strings.LastIndexByte(p, '.')
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	return known
}
