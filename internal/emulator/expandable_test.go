package emulator

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

func TestParseExpand(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		object  *apiObject
		list    bool
		want    []string // paths that must be expanded
		wantErr string
	}{
		{"a nested path expands its parents", "expand[]=verified_outputs.dob", sessionObject, false, []string{"verified_outputs", "verified_outputs.dob"}, ""},
		{"a report path under the session expands the report", "expand[]=last_verification_report.document.dob", sessionObject, false, []string{"last_verification_report", "last_verification_report.document.dob"}, ""},
		{"lists take the data. prefix", "expand[]=data.verified_outputs", sessionObject, true, []string{"verified_outputs"}, ""},
		{"lists without data. are told so", "expand[]=verified_outputs", sessionObject, true, nil, "You may want to try expanding 'data.verified_outputs' instead."},
		{"an unknown path is rejected", "expand[]=customer", sessionObject, false, nil, "This property cannot be expanded (customer)."},
		{"events expand nothing", "expand[]=data.request", eventObject, true, nil, "cannot be expanded"},
		{"a report's sensitive fields expand", "expand[]=id_number.id_number", reportObject, false, []string{"id_number.id_number"}, ""},
		{"the document's sex expands", "expand[]=document.sex&expand[]=document.unparsed_place_of_birth", reportObject, false, []string{"document", "document.sex", "document.unparsed_place_of_birth"}, ""},
		{"the verified sex expands under a list", "expand[]=data.verified_outputs.unparsed_sex", sessionObject, true, []string{"verified_outputs", "verified_outputs.unparsed_sex"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, _ := url.ParseQuery(tt.query)
			f, _ := form.Parse(vals)
			ex, aerr := parseExpand(f, tt.object, tt.list)
			if tt.wantErr != "" {
				if aerr == nil || !strings.Contains(aerr.Message, tt.wantErr) || aerr.Status != 400 {
					t.Fatalf("got %v, want %q", aerr, tt.wantErr)
				}
				return
			}
			if aerr != nil {
				t.Fatal(aerr)
			}
			for _, p := range tt.want {
				if !ex.Has(p) {
					t.Errorf("%s not expanded (%v)", p, ex)
				}
			}
		})
	}
}

// The expandable fields are the spec's x-expandableFields; the sensitive
// paths are tested against the spec in sensitive_test.go.
func TestExpandableFieldsAreTheSpecs(t *testing.T) {
	spec := openAPISpec(t)
	expandable := func(schema string) []string {
		var out []string
		for _, f := range spec.Components.Schemas[schema].Value.Extensions["x-expandableFields"].([]any) {
			out = append(out, f.(string))
		}
		return out
	}
	sameSet := func(what string, got, want []string) {
		t.Helper()
		if g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)); !slices.Equal(g, w) {
			t.Errorf("%s: %v, want %v", what, g, w)
		}
	}
	sessionFields := expandable("identity.verification_session")
	reportFields := expandable("identity.verification_report")
	sameSet("a session's x-expandableFields", sessionExpandableFields, sessionFields)
	sameSet("a report's x-expandableFields", reportExpandableFields, reportFields)

	if got := eventObject.expandable; len(got) != 0 {
		t.Errorf("an event expands %v", got)
	}
}
