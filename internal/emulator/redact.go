package emulator

import (
	"bytes"
	"encoding/json"
)

// Redaction, as Stripe's API reference describes it
// (https://docs.stripe.com/api/identity/verification_sessions/redact and
// https://docs.stripe.com/identity/verification-sessions#redact): it
// "will redact the VerificationSession and all objects related to it,
// including VerificationReports, Events, request logs, etc."; redacted
// objects stay readable, but "all the fields that contain personal data
// will be replaced by the string [redacted] or a similar placeholder. The
// metadata field will also be erased."
//
// The placeholders: a string becomes "[redacted]" (also a value of the
// spec's sex enum); a date (dob, issued and expiration dates) becomes
// {day: 1, month: 1, year: 1}; an address keeps its country and loses the
// rest. What is not personal stays: statuses, errors, enums (document
// type, id_number_type), the document's issuing country, and the IDs of
// the files the report points to. The client secret and url of a session
// that awaits input are spent.
//
// The emulator's "request logs" are its Idempotency-Key records, which
// keep a request's answer for 24 hours to replay it: their answers are
// scrubbed too, so a replay of the create does not hand back the personal
// data.
//
// Webhook deliveries keep no payload (webhooks.go): an attempt after the
// redaction sends the scrubbed event.
//
// The rules work on the JSON of an object, the stored form and the wire
// form alike (they share the names of every personal field), so that the
// store, the events and the recorded answers are scrubbed by one set of
// rules.

// redact scrubs a session, its reports, its events and the recorded
// answers that show it at once, and sets redaction.status to processing;
// after the processing delay it becomes redacted and the .redacted event
// is sent (see runDue). Redacting a session in requires_input cancels it.
// Redacting again is a no-op.
func (e *Emulator) redact(t *txn, id string) (*session, error) {
	s, err := retrieve(t.ctx, t, id)
	if err != nil {
		return nil, err
	}
	if s.Redaction != "" {
		return s, nil
	}
	if s.Status != statusRequiresInput && s.Status != statusVerified {
		return nil, errState("You can only redact a VerificationSession when its status is requires_input or verified. This VerificationSession has a status of %s.", s.Status)
	}
	if s.Status == statusRequiresInput {
		s.Status = statusCanceled
		if err := recordEvent(t, eventCanceled, s); err != nil {
			return nil, err
		}
	}
	if err := scrub(s, redactSessionJSON); err != nil {
		return nil, err
	}
	s.Redaction = redactionProcessing
	s.DueAt = t.now.Add(e.delay).UnixNano()
	if err := updateSession(t.ctx, t, s); err != nil {
		return nil, err
	}
	reports, err := selectSessionReports(t.ctx, t, s.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range reports {
		if err := scrub(r, redactReportJSON); err != nil {
			return nil, err
		}
		if err := updateReport(t.ctx, t, r); err != nil {
			return nil, err
		}
	}
	if err := scrubRows(t, `SELECT seq, doc FROM events WHERE session_id = ?`, `UPDATE events SET doc = ? WHERE seq = ?`, s.ID); err != nil {
		return nil, err
	}
	if err := scrubRows(t, `SELECT key, body FROM idempotency WHERE session_id = ?`, `UPDATE idempotency SET body = ? WHERE key = ?`, s.ID); err != nil {
		return nil, err
	}
	due := s.DueAt
	t.after = append(t.after, func() { e.schedule(id, due) })
	return s, nil
}

// scrub applies rules to v (a session or report) through its JSON. The
// result is decoded into a new value, since decoding into v would merge
// maps (metadata) rather than replace them.
func scrub[T any](v *T, rules func(map[string]any)) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if doc, err = scrubJSON(doc, rules); err != nil {
		return err
	}
	var fresh T
	if err := json.Unmarshal(doc, &fresh); err != nil {
		return err
	}
	*v = fresh
	return nil
}

// scrubJSON applies rules to a JSON object. Numbers are kept as written
// (a due_at in nanoseconds does not fit a float64).
func scrubJSON(doc []byte, rules func(map[string]any)) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var o map[string]any
	if err := dec.Decode(&o); err != nil {
		return nil, err
	}
	rules(o)
	return json.Marshal(o)
}

// scrubRows redacts, as a session, the JSON column of the rows that query
// selects (a key and the JSON) for sessionID, writing each back with
// update (the JSON, then the key).
func scrubRows(t *txn, query, update, sessionID string) error {
	rows, err := t.QueryContext(t.ctx, query, sessionID)
	if err != nil {
		return err
	}
	type row struct {
		key any
		doc []byte
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.key, &r.doc); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		doc, err := scrubJSON(r.doc, redactSessionJSON)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, update, doc, r.key); err != nil {
			return err
		}
	}
	return nil
}

// redactSessionJSON scrubs a session object; an error object (a recorded
// answer that failed) has nothing personal and is left as it is.
func redactSessionJSON(o map[string]any) {
	if _, isError := o["error"]; isError {
		return
	}
	if _, ok := o["metadata"]; ok {
		o["metadata"] = map[string]any{}
	}
	for _, k := range []string{"client_secret", "url"} {
		if _, ok := o[k]; ok {
			o[k] = nil
		}
	}
	if p, ok := o["provided_details"].(map[string]any); ok {
		redactStrings(p)
	}
	if v, ok := o["verified_outputs"].(map[string]any); ok {
		redactPerson(v)
	}
	if r, ok := o["last_verification_report"].(map[string]any); ok { // expanded
		redactReportJSON(r)
	}
}

// redactReportJSON scrubs a report object.
func redactReportJSON(o map[string]any) {
	for _, k := range []string{"document", "id_number"} {
		if m, ok := o[k].(map[string]any); ok {
			redactPerson(m)
		}
	}
	// The email and phone checks' values: "email" and "phone" on the wire,
	// "value" as stored. The selfie check holds only file IDs.
	for _, k := range []string{"email", "phone"} {
		if m, ok := o[k].(map[string]any); ok {
			for _, f := range []string{k, "value"} {
				redactString(m, f)
			}
		}
	}
}

// redacted replaces personal data, as Stripe does.
const redacted = "[redacted]"

// notPersonal are the fields of verified outputs and of the document and
// ID number checks that redaction keeps.
var notPersonal = map[string]bool{
	"status": true, "error": true, "type": true, "id_number_type": true, "issuing_country": true, "files": true,
}

// datePlaceholder is what a redacted date becomes.
var datePlaceholder = map[string]any{"day": 1, "month": 1, "year": 1}

// redactPerson scrubs verified outputs, or a document or ID number check.
func redactPerson(o map[string]any) {
	for k, v := range o {
		switch {
		case notPersonal[k] || v == nil:
		case k == "dob" || k == "issued_date" || k == "expiration_date":
			o[k] = datePlaceholder
		case k == "address":
			if a, ok := v.(map[string]any); ok {
				country := a["country"]
				redactStrings(a)
				a["country"] = country
			}
		default:
			redactString(o, k)
		}
	}
}

// redactStrings replaces every string field of o.
func redactStrings(o map[string]any) {
	for k := range o {
		redactString(o, k)
	}
}

// redactString replaces o[k] if it is a string that is not empty.
func redactString(o map[string]any, k string) {
	if s, ok := o[k].(string); ok && s != "" {
		o[k] = redacted
	}
}
