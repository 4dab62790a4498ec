package form

// The request parameters of each endpoint, mirrored from the request schemas
// of Stripe's OpenAPI spec (API version 2026-08-26). endpoints_test.go walks
// the spec and this mirror together, so a field, a type or an enum value that
// differs fails the tests.

var (
	sessionTypes   = []string{"document", "id_number"}
	sessionStatus  = []string{"canceled", "processing", "requires_input", "verified"}
	documentTypes  = []string{"driving_license", "id_card", "passport"}
	reportTypes    = []string{"document", "id_number"}
	maxLen5000     = 5000
	expandParam    = &Spec{kind: kArray, items: &Spec{kind: kString, maxLen: maxLen5000}}
	metadataParam  = &Spec{kind: kMap, emptyOK: true}
	optionsParam   = &Spec{kind: kObject, fields: map[string]*Spec{"document": documentOptionsParam}}
	providedParam  = &Spec{kind: kObject, fields: map[string]*Spec{"email": {kind: kString}, "phone": {kind: kString}}}
	listBaseFields = map[string]*Spec{
		"ending_before":  {kind: kString, maxLen: maxLen5000},
		"starting_after": {kind: kString, maxLen: maxLen5000},
		"limit":          {kind: kInt},
		"expand":         expandParam,
	}
)

// documentOptionsParam is options[document]: an object, or "" to unset it.
var documentOptionsParam = &Spec{kind: kObject, emptyOK: true, fields: map[string]*Spec{
	"allowed_types":           {kind: kArray, items: &Spec{kind: kString, enum: documentTypes}},
	"require_id_number":       {kind: kBool},
	"require_live_capture":    {kind: kBool},
	"require_matching_selfie": {kind: kBool},
}}

// CreateSession is POST /v1/identity/verification_sessions.
var CreateSession = &Spec{kind: kObject, fields: map[string]*Spec{
	"client_reference_id":      {kind: kString, maxLen: maxLen5000},
	"expand":                   expandParam,
	"metadata":                 metadataParam,
	"options":                  optionsParam,
	"provided_details":         providedParam,
	"related_customer":         {kind: kString, maxLen: maxLen5000},
	"related_customer_account": {kind: kString, maxLen: maxLen5000},
	"related_person": {kind: kObject, required: []string{"account", "person"}, fields: map[string]*Spec{
		"account": {kind: kString, maxLen: maxLen5000},
		"person":  {kind: kString, maxLen: maxLen5000},
	}},
	"return_url":        {kind: kString},
	"type":              {kind: kString, enum: sessionTypes},
	"verification_flow": {kind: kString, maxLen: maxLen5000},
}}

// UpdateSession is POST /v1/identity/verification_sessions/{session}.
var UpdateSession = &Spec{kind: kObject, fields: map[string]*Spec{
	"expand":           expandParam,
	"metadata":         metadataParam,
	"options":          optionsParam,
	"provided_details": providedParam,
	"type":             {kind: kString, enum: sessionTypes},
}}

// ExpandOnly is the endpoints whose only parameter is expand: retrieve,
// cancel and redact of a session, and retrieve of a report or an event.
var ExpandOnly = &Spec{kind: kObject, fields: map[string]*Spec{"expand": expandParam}}

// ListSessions is GET /v1/identity/verification_sessions.
var ListSessions = &Spec{kind: kObject, fields: with(listBaseFields, map[string]*Spec{
	"client_reference_id":      {kind: kString, maxLen: maxLen5000},
	"created":                  {kind: kIntOrRange},
	"related_customer":         {kind: kString, maxLen: maxLen5000},
	"related_customer_account": {kind: kString, maxLen: maxLen5000},
	"status":                   {kind: kString, enum: sessionStatus},
})}

// ListReports is GET /v1/identity/verification_reports.
var ListReports = &Spec{kind: kObject, fields: with(listBaseFields, map[string]*Spec{
	"client_reference_id":  {kind: kString, maxLen: maxLen5000},
	"created":              {kind: kIntOrRange},
	"type":                 {kind: kString, enum: reportTypes},
	"verification_session": {kind: kString, maxLen: maxLen5000},
})}

// ListEvents is the subset of GET /v1/events that the emulator serves
// (https://docs.stripe.com/api/events/list; not in the Identity spec, so
// not checked by endpoints_test.go).
var ListEvents = &Spec{kind: kObject, fields: with(listBaseFields, map[string]*Spec{
	"created":          {kind: kIntOrRange},
	"delivery_success": {kind: kBool},
	"type":             {kind: kString, maxLen: maxLen5000},
	"types":            {kind: kArray, items: &Spec{kind: kString, maxLen: maxLen5000}},
})}

// with returns a new map holding the entries of both.
func with(a, b map[string]*Spec) map[string]*Spec {
	m := make(map[string]*Spec, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}
