package emulator

// The request parameters of each endpoint, mirrored from the request schemas
// of Stripe's OpenAPI spec (API version 2026-08-26). params_spec_test.go walks
// the spec and this mirror together, so a field, a type or an enum value that
// differs fails the tests.

var (
	sessionTypes   = []string{"document", "id_number"}
	sessionStatus  = []string{"canceled", "processing", "requires_input", "verified"}
	documentTypes  = []string{"driving_license", "id_card", "passport"}
	reportTypes    = []string{"document", "id_number"}
	maxLen5000     = 5000
	expandParam    = &param{kind: kArray, items: &param{kind: kString, maxLen: maxLen5000}}
	metadataParam  = &param{kind: kMap, emptyOK: true}
	optionsParam   = &param{kind: kObject, fields: map[string]*param{"document": documentOptionsParam}}
	providedParam  = &param{kind: kObject, fields: map[string]*param{"email": {kind: kString}, "phone": {kind: kString}}}
	listBaseFields = map[string]*param{
		"ending_before":  {kind: kString, maxLen: maxLen5000},
		"starting_after": {kind: kString, maxLen: maxLen5000},
		"limit":          {kind: kInt},
		"expand":         expandParam,
	}
)

// documentOptionsParam is options[document]: an object, or "" to unset it.
var documentOptionsParam = &param{kind: kObject, emptyOK: true, fields: map[string]*param{
	"allowed_types":           {kind: kArray, items: &param{kind: kString, enum: documentTypes}},
	"require_id_number":       {kind: kBool},
	"require_live_capture":    {kind: kBool},
	"require_matching_selfie": {kind: kBool},
}}

// specCreateSession is POST /v1/identity/verification_sessions.
var specCreateSession = &param{kind: kObject, fields: map[string]*param{
	"client_reference_id":      {kind: kString, maxLen: maxLen5000},
	"expand":                   expandParam,
	"metadata":                 metadataParam,
	"options":                  optionsParam,
	"provided_details":         providedParam,
	"related_customer":         {kind: kString, maxLen: maxLen5000},
	"related_customer_account": {kind: kString, maxLen: maxLen5000},
	"related_person": {kind: kObject, required: []string{"account", "person"}, fields: map[string]*param{
		"account": {kind: kString, maxLen: maxLen5000},
		"person":  {kind: kString, maxLen: maxLen5000},
	}},
	"return_url":        {kind: kString},
	"type":              {kind: kString, enum: sessionTypes},
	"verification_flow": {kind: kString, maxLen: maxLen5000},
}}

// specUpdateSession is POST /v1/identity/verification_sessions/{session}.
var specUpdateSession = &param{kind: kObject, fields: map[string]*param{
	"expand":           expandParam,
	"metadata":         metadataParam,
	"options":          optionsParam,
	"provided_details": providedParam,
	"type":             {kind: kString, enum: sessionTypes},
}}

// specExpandOnly is retrieve, cancel and redact: expand is their only parameter.
var specExpandOnly = &param{kind: kObject, fields: map[string]*param{"expand": expandParam}}

// specListSessions is GET /v1/identity/verification_sessions.
var specListSessions = &param{kind: kObject, fields: with(listBaseFields, map[string]*param{
	"client_reference_id":      {kind: kString, maxLen: maxLen5000},
	"created":                  {kind: kIntOrRange},
	"related_customer":         {kind: kString, maxLen: maxLen5000},
	"related_customer_account": {kind: kString, maxLen: maxLen5000},
	"status":                   {kind: kString, enum: sessionStatus},
})}

// specListReports is GET /v1/identity/verification_reports.
var specListReports = &param{kind: kObject, fields: with(listBaseFields, map[string]*param{
	"client_reference_id":  {kind: kString, maxLen: maxLen5000},
	"created":              {kind: kIntOrRange},
	"type":                 {kind: kString, enum: reportTypes},
	"verification_session": {kind: kString, maxLen: maxLen5000},
})}

// specListEvents is the subset of GET /v1/events that the emulator serves
// (https://docs.stripe.com/api/events/list; not in the Identity spec, so
// not checked by params_spec_test.go). delivery_success is left out:
// there are no webhooks.
var specListEvents = &param{kind: kObject, fields: with(listBaseFields, map[string]*param{
	"created": {kind: kIntOrRange},
	"type":    {kind: kString, maxLen: maxLen5000},
	"types":   {kind: kArray, items: &param{kind: kString, maxLen: maxLen5000}},
})}

// with returns a new map holding the entries of both.
func with(a, b map[string]*param) map[string]*param {
	m := make(map[string]*param, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}
