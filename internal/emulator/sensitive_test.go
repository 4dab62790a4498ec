package emulator

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idgraph/idgraph/internal/emulator/form"
	"github.com/stripe/stripe-go/v85"
)

// These tests pin what Stripe's guide "Access verification results"
// (https://docs.stripe.com/identity/access-verification-results) says of
// sensitive verification results: they are sent only when expanded by name,
// only to a restricted key, and to a restricted key that is not
// IP-restricted only for verifications processed in the last 48 hours.

func TestSensitivePathsFollowStripesGuide(t *testing.T) {
	sessionSide := sessionObject.sensitive // every sensitive path a session can expand
	// The guide's table: date of birth, ID number and document ID number are
	// not for secret keys and are expanded by these paths; sex and place of
	// birth come from the same document and are treated alike, as are the
	// report's own dob and ID number fields.
	documented := []string{
		"verified_outputs.dob", "verified_outputs.id_number", "last_verification_report.document.number",
		"verified_outputs.sex", "verified_outputs.unparsed_place_of_birth", "verified_outputs.unparsed_sex",
		"last_verification_report.document.dob", "last_verification_report.document.sex",
		"last_verification_report.id_number.dob", "last_verification_report.id_number.id_number",
	}
	for _, p := range documented {
		if !slices.Contains(sessionSide, p) {
			t.Errorf("%s is not treated as sensitive", p)
		}
	}
	t.Run("every sensitive path can be expanded", func(t *testing.T) {
		for _, p := range sessionSide {
			if !slices.Contains(sessionObject.expandable, p) {
				t.Errorf("a session cannot expand %s", p)
			}
		}
		for _, p := range sensitiveReportPaths {
			if !slices.Contains(reportObject.expandable, p) {
				t.Errorf("a report cannot expand %s", p)
			}
		}
	})
	t.Run("every sensitive field is one of the spec's", func(t *testing.T) {
		spec := openAPISpec(t)
		schemaOf := map[string]string{"verified_outputs": "gelato_verified_outputs",
			"document": "gelato_document_report", "id_number": "gelato_id_number_report"}
		for _, p := range append(slices.Clone(sensitiveOutputPaths), sensitiveReportPaths...) {
			parent, field, _ := strings.Cut(p, ".")
			if _, ok := spec.Components.Schemas[schemaOf[parent]].Value.Properties[field]; !ok {
				t.Errorf("%s: the spec's %s has no %s", p, schemaOf[parent], field)
			}
		}
	})
}

func TestSensitiveFieldsAreHiddenUnlessExpandedByName(t *testing.T) {
	s := &session{ID: "vs_1", Status: statusVerified, Type: "document",
		Options: sessionOptions{Document: &documentOptions{RequireIDNumber: ptr(true)}}}
	r := newReport(s, "vr_1", epoch.Unix(), "")
	s.VerifiedOutputs = outputsOf(r)
	// withParents is the expansion of expand[] naming paths.
	withParents := func(paths ...string) form.Expansion {
		f, ferr := form.Parse(url.Values{"expand[]": paths})
		if ferr != nil {
			t.Fatal(ferr)
		}
		ex, ferr := form.ParseExpand(f, paths, false)
		if ferr != nil {
			t.Fatal(ferr)
		}
		return ex
	}
	// lookup reads a dotted path in a rendered object; ok says the key is there.
	lookup := func(o map[string]any, path string) (any, bool) {
		parts := strings.Split(path, ".")
		for _, k := range parts[:len(parts)-1] {
			o, _ = o[k].(map[string]any)
		}
		v, ok := o[parts[len(parts)-1]]
		return v, ok
	}
	for _, p := range sensitiveOutputPaths {
		t.Run(p, func(t *testing.T) {
			if _, ok := lookup(s.render("", withParents("verified_outputs"), nil), p); ok {
				t.Errorf("shown when only its parent is expanded")
			}
			if v, ok := lookup(s.render("", withParents(p), nil), p); !ok || v == nil {
				t.Errorf("expanded by name: %v, %v", v, ok)
			}
		})
	}
	for _, p := range sensitiveReportPaths {
		t.Run(p, func(t *testing.T) {
			if _, ok := lookup(r.render(form.Expansion{}), p); ok {
				t.Errorf("shown without being expanded")
			}
			if v, ok := lookup(r.render(withParents(p)), p); !ok || v == nil {
				t.Errorf("expanded by name: %v, %v", v, ok)
			}
		})
	}
}

// sensitiveCall is one request that expands one sensitive path.
type sensitiveCall struct {
	name    string
	written string // the expand path as sent
	call    func(sc *stripe.Client) error
}

// sensitiveCalls returns a request for every sensitive path, through every
// endpoint that can expand it: retrieve and list sessions, retrieve and
// list reports.
func sensitiveCalls(sessionID, reportID string) []sensitiveCall {
	ctx := context.Background()
	retrieveSession := func(p string) func(*stripe.Client) error {
		return func(sc *stripe.Client) error {
			params := &stripe.IdentityVerificationSessionRetrieveParams{}
			params.AddExpand(p)
			_, err := sc.V1IdentityVerificationSessions.Retrieve(ctx, sessionID, params)
			return err
		}
	}
	listSessions := func(p string) func(*stripe.Client) error {
		return func(sc *stripe.Client) error {
			params := &stripe.IdentityVerificationSessionListParams{}
			params.AddExpand(p)
			return sc.V1IdentityVerificationSessions.List(ctx, params).Err()
		}
	}
	retrieveReport := func(p string) func(*stripe.Client) error {
		return func(sc *stripe.Client) error {
			params := &stripe.IdentityVerificationReportRetrieveParams{}
			params.AddExpand(p)
			_, err := sc.V1IdentityVerificationReports.Retrieve(ctx, reportID, params)
			return err
		}
	}
	listReports := func(p string) func(*stripe.Client) error {
		return func(sc *stripe.Client) error {
			params := &stripe.IdentityVerificationReportListParams{}
			params.AddExpand(p)
			return sc.V1IdentityVerificationReports.List(ctx, params).Err()
		}
	}
	var out []sensitiveCall
	add := func(name, written string, call func(*stripe.Client) error) {
		out = append(out, sensitiveCall{name + " " + written, written, call})
	}
	for _, p := range sensitiveOutputPaths {
		add("retrieving a session expanding", p, retrieveSession(p))
		add("listing sessions expanding", "data."+p, listSessions("data."+p))
	}
	for _, p := range sensitiveReportPaths {
		add("retrieving a session expanding", "last_verification_report."+p, retrieveSession("last_verification_report."+p))
		add("listing sessions expanding", "data.last_verification_report."+p, listSessions("data.last_verification_report."+p))
		add("retrieving a report expanding", p, retrieveReport(p))
		add("listing reports expanding", "data."+p, listReports("data."+p))
	}
	return out
}

// verifiedSession makes a document session with an ID number check, passes
// it, and returns it with its report's ID. The clock then reads the time the
// verification was processed.
func (h *harness) verifiedSession(t *testing.T) (*stripe.IdentityVerificationSession, string) {
	t.Helper()
	vs := h.create(t, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
		Options: &stripe.IdentityVerificationSessionCreateOptionsParams{Document: &stripe.IdentityVerificationSessionCreateOptionsDocumentParams{
			RequireIDNumber: stripe.Bool(true)}}})
	h.submit(t, vs, "")
	h.clock.Advance(testDelay)
	got := h.retrieve(t, vs.ID)
	if got.Status != "verified" || got.LastVerificationReport == nil {
		t.Fatalf("session %s: status %q", vs.ID, got.Status)
	}
	return got, got.LastVerificationReport.ID
}

// refusal asserts that err is a sensitive refusal by rule: Stripe's shape
// of a permission refusal (403 invalid_request_error, no code, no param)
// with the rule's message prefix and the path named.
func refusal(t *testing.T, err error, rule, path string) {
	t.Helper()
	se := stripeErr(t, err, http.StatusForbidden, stripe.ErrorTypeInvalidRequest, "", "")
	if !strings.HasPrefix(se.Msg, rule+": ") || !strings.Contains(se.Msg, "'"+path+"'") {
		t.Fatalf("message %q, want the prefix %q and the path %q", se.Msg, rule, path)
	}
	if got := SensitiveRefusal(err); got != rule {
		t.Fatalf("SensitiveRefusal = %q, want %q", got, rule)
	}
}

func TestSecretKeysAreRefusedSensitiveResults(t *testing.T) {
	h := newHarness(t)
	vs, repID := h.verifiedSession(t)
	for _, c := range sensitiveCalls(vs.ID, repID) {
		t.Run(c.name+" with a secret key is a 403", func(t *testing.T) {
			refusal(t, c.call(h.sc), SensitiveRestrictedKeyRequired, c.written)
		})
	}
	t.Run("several sensitive paths are all named", func(t *testing.T) {
		p := &stripe.IdentityVerificationSessionRetrieveParams{}
		p.AddExpand("verified_outputs.dob")
		p.AddExpand("last_verification_report.document.number")
		_, err := h.sc.V1IdentityVerificationSessions.Retrieve(context.Background(), vs.ID, p)
		refusal(t, err, SensitiveRestrictedKeyRequired, "verified_outputs.dob")
		refusal(t, err, SensitiveRestrictedKeyRequired, "last_verification_report.document.number")
	})
	t.Run("the refusal comes before the request runs", func(t *testing.T) {
		open := h.create(t, nil)
		p := &stripe.IdentityVerificationSessionCancelParams{}
		p.AddExpand("verified_outputs.dob")
		_, err := h.sc.V1IdentityVerificationSessions.Cancel(context.Background(), open.ID, p)
		refusal(t, err, SensitiveRestrictedKeyRequired, "verified_outputs.dob")
		if got := h.retrieve(t, open.ID); got.Status != "requires_input" {
			t.Fatalf("the refused cancel canceled: %q", got.Status)
		}
	})
	t.Run("a bad path is still a 400 first", func(t *testing.T) {
		p := &stripe.IdentityVerificationSessionRetrieveParams{}
		p.AddExpand("verified_outputs.dob")
		p.AddExpand("verified_outputs.shoe_size")
		_, err := h.sc.V1IdentityVerificationSessions.Retrieve(context.Background(), vs.ID, p)
		stripeErr(t, err, http.StatusBadRequest, stripe.ErrorTypeInvalidRequest, "", "")
	})
}

func TestSecretKeysReadEverythingElse(t *testing.T) {
	h := newHarness(t)
	vs, repID := h.verifiedSession(t)
	ctx := context.Background()
	h.clock.Advance(30 * 24 * time.Hour) // the 48 hours are no matter for what is not sensitive
	got := h.retrieve(t, vs.ID, "verified_outputs", "last_verification_report", "provided_details")
	v := got.VerifiedOutputs
	switch {
	case v == nil || v.FirstName != "Jenny" || v.Address == nil:
		t.Fatalf("verified_outputs = %+v", v)
	case v.DOB != nil || v.IDNumber != "" || v.Sex != "" || v.UnparsedSex != "" || v.UnparsedPlaceOfBirth != "":
		t.Fatalf("unexpanded sensitive outputs are shown: %+v", v)
	}
	d := got.LastVerificationReport.Document
	if d == nil || d.FirstName != "Jenny" || d.DOB != nil || d.Number != "" || d.Sex != "" || d.UnparsedSex != "" {
		t.Fatalf("report document = %+v", d)
	}
	rp := &stripe.IdentityVerificationReportRetrieveParams{}
	rp.AddExpand("document")
	rep, err := h.sc.V1IdentityVerificationReports.Retrieve(ctx, repID, rp)
	if err != nil || rep.IDNumber == nil || rep.IDNumber.IDNumber != "" || rep.IDNumber.DOB != nil {
		t.Fatalf("report: %+v, %v", rep, err)
	}
	lp := &stripe.IdentityVerificationSessionListParams{}
	lp.AddExpand("data.verified_outputs")
	lp.AddExpand("data.last_verification_report")
	if err := h.sc.V1IdentityVerificationSessions.List(ctx, lp).Err(); err != nil {
		t.Fatalf("list: %v", err)
	}
}

func TestRestrictedKeysReadSensitiveResults(t *testing.T) {
	h := newHarness(t)
	vs, repID := h.verifiedSession(t)
	for _, c := range sensitiveCalls(vs.ID, repID) {
		t.Run(c.name+" with a restricted key is served", func(t *testing.T) {
			if err := c.call(h.rk); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("the values are the passing submission's", func(t *testing.T) {
		all := append(slices.Clone(sessionObject.sensitive), "last_verification_report")
		got := h.retrieveWith(t, h.rk, vs.ID, all...)
		v, r := got.VerifiedOutputs, got.LastVerificationReport
		switch {
		case v == nil || v.DOB == nil || v.DOB.Year != 1901 || v.IDNumber != "000000000":
			t.Errorf("verified_outputs = %+v", v)
		case v.Sex != stripe.IdentityVerificationSessionVerifiedOutputsSexFemale || v.UnparsedSex != "F" || v.UnparsedPlaceOfBirth != "San Francisco, CA, USA":
			t.Errorf("verified_outputs sex %q unparsed %q place %q", v.Sex, v.UnparsedSex, v.UnparsedPlaceOfBirth)
		case r.Document.Number != "D1234567" || r.Document.DOB == nil || r.Document.Sex != "female" || r.Document.UnparsedPlaceOfBirth == "":
			t.Errorf("document = %+v", r.Document)
		case r.IDNumber.IDNumber != "0000" || r.IDNumber.DOB == nil: // us_ssn: the last 4 digits
			t.Errorf("id_number = %+v", r.IDNumber)
		}
	})
}

func TestRestrictedKeysReadSensitiveResultsFor48Hours(t *testing.T) {
	h := newHarness(t)
	vs, repID := h.verifiedSession(t) // the clock reads the processing time
	calls := sensitiveCalls(vs.ID, repID)
	h.clock.Advance(48 * time.Hour)
	for _, c := range calls {
		t.Run(c.name+" exactly 48 hours after processing is served", func(t *testing.T) {
			if err := c.call(h.rk); err != nil {
				t.Fatal(err)
			}
		})
	}
	h.clock.Advance(time.Second)
	for _, c := range calls {
		t.Run(c.name+" after 48 hours is a 403", func(t *testing.T) {
			err := c.call(h.rk)
			refusal(t, err, SensitiveWindowPassed, strings.TrimPrefix(c.written, "data."))
			if !strings.Contains(err.(*stripe.Error).Msg, "IP") {
				t.Errorf("the message does not point to IP restrictions: %q", err.(*stripe.Error).Msg)
			}
		})
	}
	t.Run("what is not sensitive is served after 48 hours", func(t *testing.T) {
		got := h.retrieveWith(t, h.rk, vs.ID, "verified_outputs", "last_verification_report")
		if got.VerifiedOutputs == nil || got.VerifiedOutputs.FirstName != "Jenny" || got.VerifiedOutputs.DOB != nil {
			t.Fatalf("verified_outputs = %+v", got.VerifiedOutputs)
		}
	})
	t.Run("a session that was never processed has nothing to refuse", func(t *testing.T) {
		open := h.create(t, nil)
		if got := h.retrieveWith(t, h.rk, open.ID, "verified_outputs.dob"); got.VerifiedOutputs != nil {
			t.Fatalf("verified_outputs = %+v", got.VerifiedOutputs)
		}
	})
	t.Run("a failed verification's report is guarded too", func(t *testing.T) {
		failed := h.create(t, nil)
		h.submit(t, failed, "document_expired")
		h.clock.Advance(testDelay)
		if got := h.retrieveWith(t, h.rk, failed.ID, "last_verification_report.document.dob"); got.LastVerificationReport.Document.DOB == nil {
			t.Fatalf("dob not served within the window")
		}
		h.clock.Advance(48*time.Hour + time.Second)
		p := &stripe.IdentityVerificationSessionRetrieveParams{}
		p.AddExpand("last_verification_report.document.dob")
		_, err := h.rk.V1IdentityVerificationSessions.Retrieve(context.Background(), failed.ID, p)
		refusal(t, err, SensitiveWindowPassed, "last_verification_report.document.dob")
	})
}

func TestAListWithOneOldVerificationIsRefusedWhole(t *testing.T) {
	h := newHarness(t)
	old, _ := h.verifiedSession(t)
	h.clock.Advance(72 * time.Hour)
	recent := h.create(t, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"), ClientReferenceID: stripe.String("recent")})
	h.submit(t, recent, "")
	h.clock.Advance(testDelay)
	ctx := context.Background()

	p := &stripe.IdentityVerificationSessionListParams{}
	p.AddExpand("data.verified_outputs.dob")
	err := h.rk.V1IdentityVerificationSessions.List(ctx, p).Err()
	refusal(t, err, SensitiveWindowPassed, "verified_outputs.dob")
	if !strings.Contains(err.(*stripe.Error).Msg, old.ID) {
		t.Errorf("the message does not name the old session %s: %q", old.ID, err.(*stripe.Error).Msg)
	}

	p = &stripe.IdentityVerificationSessionListParams{ClientReferenceID: stripe.String("recent")}
	p.AddExpand("data.verified_outputs.dob")
	l := h.rk.V1IdentityVerificationSessions.List(ctx, p)
	if l.Err() != nil || len(l.Data()) != 1 || l.Data()[0].VerifiedOutputs.DOB == nil {
		t.Fatalf("the recent session alone: %v", l.Err())
	}
}

func TestASecretKeyCannotReplayARestrictedKeysAnswer(t *testing.T) {
	h := newHarness(t)
	failed := h.create(t, nil)
	h.submit(t, failed, "document_expired") // back to requires_input, with a report
	h.clock.Advance(testDelay)
	ctx := context.Background()
	cancel := func(sc *stripe.Client) (*stripe.IdentityVerificationSession, error) {
		p := &stripe.IdentityVerificationSessionCancelParams{}
		p.AddExpand("last_verification_report.document.dob")
		p.SetIdempotencyKey("cancel-once")
		return sc.V1IdentityVerificationSessions.Cancel(ctx, failed.ID, p)
	}
	first, err := cancel(h.rk)
	if err != nil || first.LastVerificationReport.Document.DOB == nil {
		t.Fatalf("restricted cancel: %v", err)
	}
	_, err = cancel(h.sc)
	var se *stripe.Error
	if !errors.As(err, &se) || se.Type != stripe.ErrorTypeIdempotency {
		t.Fatalf("a secret key's retry with the same key got %v, want an idempotency_error", err)
	}
}

func TestSensitiveRefusalIgnoresOtherErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("boom"), errNoSuch(sessionObject, "vs_1")} {
		if got := SensitiveRefusal(err); got != "" {
			t.Errorf("SensitiveRefusal(%v) = %q", err, got)
		}
	}
}

func TestRedactionScrubsTheSensitiveResults(t *testing.T) {
	h := newHarness(t)
	vs, _ := h.verifiedSession(t)
	if _, err := h.sc.V1IdentityVerificationSessions.Redact(context.Background(), vs.ID, nil); err != nil {
		t.Fatal(err)
	}
	got := h.retrieveWith(t, h.rk, vs.ID, "verified_outputs.sex", "verified_outputs.unparsed_sex",
		"verified_outputs.unparsed_place_of_birth", "last_verification_report.document.sex",
		"last_verification_report.document.unparsed_place_of_birth")
	v, d := got.VerifiedOutputs, got.LastVerificationReport.Document
	// "[redacted]" is a value of the spec's sex enum (gelato_verified_outputs.sex).
	if v.Sex != stripe.IdentityVerificationSessionVerifiedOutputsSexRedacted || v.UnparsedSex != redacted || v.UnparsedPlaceOfBirth != redacted {
		t.Errorf("verified_outputs after redaction: %+v", v)
	}
	if d.Sex != stripe.IdentityVerificationReportDocumentSexRedacted || d.UnparsedPlaceOfBirth != redacted {
		t.Errorf("document after redaction: %+v", d)
	}
}
