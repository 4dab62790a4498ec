package emulator

import (
	"slices"
)

// The spec's x-expandableFields of each object: fields that Stripe accepts
// in expand[] although it always includes them (a no-op here too), but for
// a session's provided_details and verified_outputs, which it shows only
// when expanded. expandable_test.go checks them against the spec.
var (
	sessionExpandableFields = []string{
		"last_error", "last_verification_report", "options", "provided_details", "redaction",
		"related_person", "verified_outputs",
	}
	reportExpandableFields = []string{"document", "email", "id_number", "options", "phone", "selfie"}
)

// The paths each object's expand[] takes: its x-expandableFields and its
// sensitive verification results (sensitive.go), which are sent only when
// expanded by name. A session also takes its last report's paths under
// last_verification_report.
var (
	reportExpandable  = slices.Concat(reportExpandableFields, sensitiveReportPaths)
	sessionExpandable = slices.Concat(sessionExpandableFields, sensitiveOutputPaths,
		prefixed("last_verification_report.", reportExpandable))
)
