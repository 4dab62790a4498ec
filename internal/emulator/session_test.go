package emulator

import (
	"slices"
	"testing"
)

// The session's types, statuses and redaction statuses are the spec's.
func TestSessionStatesAreTheSpecs(t *testing.T) {
	spec := openAPISpec(t)
	enum := func(schema, property string) []string {
		var out []string
		for _, v := range spec.Components.Schemas[schema].Value.Properties[property].Value.Enum {
			out = append(out, v.(string))
		}
		return slices.Sorted(slices.Values(out))
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
