package emulator

// apiObject is one kind of object that the REST API answers with, and
// what the emulator knows of it: its object name, the names Stripe's
// resource_missing errors give it, and the paths its expand[] takes.
//
// The names' sources: the spec for the path parameters; for the session's
// retrieve message, the message Stripe answers (quoted by integrations
// that match on it); for the list's, idgraph's tenancy package
// (notfound.go), which spells it "verificationsession". Stripe documents
// neither message, and none for reports: the report's follow the
// session's (doc.go).
type apiObject struct {
	// object is Stripe's name for it, its JSON's "object".
	object string
	// param is the path parameter that holds its ID (the spec's {session}
	// and {report}; /v1/events/{id}), which a 404 names.
	param string
	// retrieveName is what a retrieve's 404 calls it ("No such
	// VerificationSession: 'vs_…'"), listName what a list's unknown
	// starting_after or ending_before calls it.
	retrieveName, listName string
	// expandable are the paths its expand[] takes (expandable.go), and
	// sensitive those of them that are sensitive results (sensitive.go).
	expandable, sensitive []string
}

// The objects of the API.
var (
	sessionObject = &apiObject{object: "identity.verification_session", param: "session", retrieveName: "VerificationSession", listName: "verificationsession",
		expandable: sessionExpandable, sensitive: sessionSensitive}
	reportObject = &apiObject{object: "identity.verification_report", param: "report", retrieveName: "VerificationReport", listName: "verificationreport",
		expandable: reportExpandable, sensitive: sensitiveReportPaths}
	eventObject = &apiObject{object: "event", param: "id", retrieveName: "event", listName: "event"}
)
