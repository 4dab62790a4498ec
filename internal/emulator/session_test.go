package emulator

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// The session's types, statuses and redaction statuses are the spec's.
func TestSessionStatesAreTheSpecs(t *testing.T) {
	b, err := os.ReadFile("testdata/identity-openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	enum := func(schema, property string) []string {
		return slices.Sorted(slices.Values(spec.Components.Schemas[schema].Properties[property].Enum))
	}
	sorted := func(v ...string) []string { return slices.Sorted(slices.Values(v)) }

	if got, want := sorted(sessionTypeDocument, sessionTypeIDNumber, sessionTypeFlow), enum("identity.verification_session", "type"); !slices.Equal(got, want) {
		t.Errorf("session types %v, the spec's %v", got, want)
	}
	if got, want := sorted(statusRequiresInput, statusProcessing, statusVerified, statusCanceled), enum("identity.verification_session", "status"); !slices.Equal(got, want) {
		t.Errorf("session statuses %v, the spec's %v", got, want)
	}
	// The spec also has "validated", which the emulator's redaction never
	// reaches.
	want := enum("verification_session_redaction", "status")
	for _, s := range []string{redactionProcessing, redactionRedacted} {
		if !slices.Contains(want, s) {
			t.Errorf("redaction status %q is not one of the spec's %v", s, want)
		}
	}
}
