package form

import (
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// specFile is the emulator's copy of Stripe's OpenAPI spec.
const specFile = "../testdata/identity-openapi.json"

// TestParamSpecsMirrorStripesSpec checks the hand-written parameter specs
// against the request schemas and query parameters of Stripe's spec: the
// same names, kinds and enum values, at every depth.
func TestParamSpecsMirrorStripesSpec(t *testing.T) {
	const sessionsURL, reportsURL = "/v1/identity/verification_sessions", "/v1/identity/verification_reports"
	doc, err := openapi3.NewLoader().LoadFromFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	body := func(path, method string) *openapi3.Schema {
		op := doc.Paths.Value(path).GetOperation(method)
		return op.RequestBody.Value.Content.Get("application/x-www-form-urlencoded").Schema.Value
	}
	query := func(path string) *openapi3.Schema {
		s := &openapi3.Schema{Properties: openapi3.Schemas{}}
		for _, p := range doc.Paths.Value(path).Get.Parameters {
			if p.Value.In == "query" {
				s.Properties[p.Value.Name] = p.Value.Schema
			}
		}
		return s
	}
	tests := []struct {
		name string
		spec *Spec
		api  *openapi3.Schema
	}{
		{"create session", CreateSession, body(sessionsURL, "POST")},
		{"update session", UpdateSession, body(sessionsURL+"/{session}", "POST")},
		{"cancel session", ExpandOnly, body(sessionsURL+"/{session}/cancel", "POST")},
		{"redact session", ExpandOnly, body(sessionsURL+"/{session}/redact", "POST")},
		{"retrieve session", ExpandOnly, query(sessionsURL + "/{session}")},
		{"list sessions", ListSessions, query(sessionsURL)},
		{"retrieve report", ExpandOnly, query(reportsURL + "/{report}")},
		{"list reports", ListReports, query(reportsURL)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, d := range mirrorDiff(tt.spec, tt.api, tt.name) {
				t.Error(d)
			}
		})
	}
}

func mirrorDiff(p *Spec, s *openapi3.Schema, path string) []string {
	var out []string
	if s.AnyOf != nil {
		// anyOf [X, enum [""]] is X that may be "" (emptyOK); the
		// range_query_specs anyOf is kIntOrRange.
		if p.kind == kIntOrRange {
			return nil
		}
		var main *openapi3.Schema
		empty := false
		for _, b := range s.AnyOf {
			if len(b.Value.Enum) == 1 && b.Value.Enum[0] == "" {
				empty = true
			} else {
				main = b.Value
			}
		}
		if empty != p.emptyOK {
			out = append(out, path+": emptyOK differs")
		}
		return append(out, mirrorDiff(p, main, path)...)
	}
	want := map[string]kind{"string": kString, "integer": kInt, "boolean": kBool, "array": kArray, "object": kObject}[typeOf(s)]
	if typeOf(s) == "object" && s.AdditionalProperties.Schema != nil {
		want = kMap
	}
	if p.kind != want {
		return []string{path + ": kind differs"}
	}
	var enum []string
	for _, e := range s.Enum {
		enum = append(enum, e.(string))
	}
	if strings.Join(sorted(enum), ",") != strings.Join(sorted(p.enum), ",") {
		out = append(out, path+": enum "+strings.Join(p.enum, ",")+" != "+strings.Join(enum, ","))
	}
	if s.MaxLength != nil && int(*s.MaxLength) != p.maxLen {
		out = append(out, path+": maxLength differs")
	}
	switch p.kind {
	case kArray:
		out = append(out, mirrorDiff(p.items, s.Items.Value, path+"[]")...)
	case kObject:
		if strings.Join(sorted(s.Required), ",") != strings.Join(sorted(p.required), ",") {
			out = append(out, path+": required differs")
		}
		for name, ps := range s.Properties {
			f, ok := p.fields[name]
			if !ok {
				out = append(out, path+"["+name+"]: missing from the mirror")
				continue
			}
			out = append(out, mirrorDiff(f, ps.Value, path+"["+name+"]")...)
		}
		for name := range p.fields {
			if _, ok := s.Properties[name]; !ok {
				out = append(out, path+"["+name+"]: not in Stripe's spec")
			}
		}
	}
	return out
}

func typeOf(s *openapi3.Schema) string {
	if s.Type == nil || len(*s.Type) == 0 {
		return "object"
	}
	return (*s.Type)[0]
}

func sorted(v []string) []string {
	c := append([]string(nil), v...)
	sort.Strings(c)
	return c
}
