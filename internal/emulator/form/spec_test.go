package form

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseAndValidate(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		spec      *Spec
		wantParam string // "" means valid
		wantMsg   string
	}{
		{"indexed and bracketed expand are both arrays", "expand[0]=a&expand[1]=b", ExpandOnly, "", ""},
		{"empty brackets append", "expand[]=a&expand[]=b", ExpandOnly, "", ""},
		{"an unknown top-level parameter is named", "x=1", ExpandOnly, "x", "Received unknown parameter: x"},
		{"an unknown nested parameter is named by its path", "type=document&provided_details[fax]=1", CreateSession, "provided_details[fax]", "Received unknown parameter: provided_details[fax]"},
		{"a string where an array belongs is rejected", "expand=a", ExpandOnly, "expand", "Invalid array"},
		{"an enum value is checked", "status=done", ListSessions, "status", "must be one of canceled, processing, requires_input, or verified"},
		{"an integer is checked", "limit=ten", ListSessions, "limit", "Invalid integer: ten"},
		{"created takes an integer", "created=12", ListSessions, "", ""},
		{"created takes a range", "created[gte]=1&created[lt]=9", ListSessions, "", ""},
		{"a created range takes known operators only", "created[after]=1", ListSessions, "created[after]", "Received unknown parameter"},
		{"an empty string cannot unset a plain string", "client_reference_id=", CreateSession, "client_reference_id", "You passed an empty string"},
		{"options[document] may be empty to unset it", "options[document]=", UpdateSession, "", ""},
		{"metadata may be empty to clear it", "metadata=", UpdateSession, "", ""},
		{"nested metadata is rejected", "metadata[a][b]=c", UpdateSession, "metadata[a]", "Invalid string"},
		{"a value and nested params for one name are rejected", "metadata=&metadata[a]=b", UpdateSession, "metadata", "Invalid"},
		{"a malformed key is rejected", "metadata[a=b", UpdateSession, "metadata[a", "Invalid parameter name"},
		{"a string over its maxLength is rejected", "client_reference_id=" + strings.Repeat("x", 5001), CreateSession, "client_reference_id", "at most 5000 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			f, aerr := Parse(vals)
			if aerr == nil {
				aerr = Validate(f, tt.spec)
			}
			switch {
			case tt.wantParam == "" && aerr != nil:
				t.Fatalf("got %v", aerr)
			case tt.wantParam != "" && aerr == nil:
				t.Fatalf("accepted")
			case aerr != nil && (aerr.Param != tt.wantParam || !strings.Contains(aerr.Message, tt.wantMsg) || aerr.Status != 400):
				t.Fatalf("got param %q message %q, want %q containing %q", aerr.Param, aerr.Message, tt.wantParam, tt.wantMsg)
			}
		})
	}
}
