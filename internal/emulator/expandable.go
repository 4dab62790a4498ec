package emulator

// Paths that each object can expand: the spec's x-expandableFields, which
// Stripe accepts although they are always included (a no-op here too), the
// fields hidden unless expanded (verified_outputs, provided_details), and
// the sensitive verification results (sensitive.go). A session also
// expands its last report's paths under last_verification_report.
var (
	reportExpandable = append([]string{
		"document", "email", "id_number", "options", "phone", "selfie",
	}, sensitiveReportPaths...)
	sessionExpandable = append(append([]string{
		"last_error", "last_verification_report", "options", "provided_details", "redaction",
		"related_person", "verified_outputs",
	}, sensitiveSessionPaths...), prefixed("last_verification_report.", reportExpandable)...)
)

// expandableOf returns the paths an object's expand[] takes: nothing for
// an event.
func expandableOf(object string) []string {
	switch object {
	case "verification_session":
		return sessionExpandable
	case "verification_report":
		return reportExpandable
	}
	return nil
}
