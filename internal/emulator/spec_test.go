package emulator

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseAndValidate(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		spec      *param
		wantParam string // "" means valid
		wantMsg   string
	}{
		{"indexed and bracketed expand are both arrays", "expand[0]=a&expand[1]=b", specExpandOnly, "", ""},
		{"empty brackets append", "expand[]=a&expand[]=b", specExpandOnly, "", ""},
		{"an unknown top-level parameter is named", "x=1", specExpandOnly, "x", "Received unknown parameter: x"},
		{"an unknown nested parameter is named by its path", "type=document&provided_details[fax]=1", specCreateSession, "provided_details[fax]", "Received unknown parameter: provided_details[fax]"},
		{"a string where an array belongs is rejected", "expand=a", specExpandOnly, "expand", "Invalid array"},
		{"an enum value is checked", "status=done", specListSessions, "status", "must be one of canceled, processing, requires_input, or verified"},
		{"an integer is checked", "limit=ten", specListSessions, "limit", "Invalid integer: ten"},
		{"created takes an integer", "created=12", specListSessions, "", ""},
		{"created takes a range", "created[gte]=1&created[lt]=9", specListSessions, "", ""},
		{"a created range takes known operators only", "created[after]=1", specListSessions, "created[after]", "Received unknown parameter"},
		{"an empty string cannot unset a plain string", "client_reference_id=", specCreateSession, "client_reference_id", "You passed an empty string"},
		{"options[document] may be empty to unset it", "options[document]=", specUpdateSession, "", ""},
		{"metadata may be empty to clear it", "metadata=", specUpdateSession, "", ""},
		{"nested metadata is rejected", "metadata[a][b]=c", specUpdateSession, "metadata[a]", "Invalid string"},
		{"a value and nested params for one name are rejected", "metadata=&metadata[a]=b", specUpdateSession, "metadata", "Invalid"},
		{"a malformed key is rejected", "metadata[a=b", specUpdateSession, "metadata[a", "Invalid parameter name"},
		{"a string over its maxLength is rejected", "client_reference_id=" + strings.Repeat("x", 5001), specCreateSession, "client_reference_id", "at most 5000 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			f, aerr := parseForm(vals)
			if aerr == nil {
				aerr = validate(f, tt.spec, nil)
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
