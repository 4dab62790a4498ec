package hostedpage

import (
	"errors"
	"net/url"
	"regexp"
	"testing"
)

// outcomeSeeds are form bodies good and bad, shared by the outcome and
// submission fuzz targets.
var outcomeSeeds = []string{
	// accepted
	"action=pass",
	"action=abandon",
	"action=fail&code=document_expired",
	"action=fail&code=under_supported_age",
	"code=selfie_manipulated&action=fail",
	"action=pass&code=document_expired",
	"action=pass&code=not_a_code",
	"action=abandon&code=consent_declined",
	"action=pass&other=1",
	// refused
	"",
	"action=",
	"action=PASS",
	"action=pass&action=pass",
	"action=pass&action=abandon",
	"action=fail",
	"action=fail&code=",
	"action=fail&code=abandoned",
	"action=fail&code=document_expired&code=selfie_manipulated",
	"action=fail&code=Document_Expired",
	"action=fail&code=_document_expired",
	"action=fail&code=document_expired_",
	"action=fail&code=document_expired%00",
	"action=fail&code=document_expired+",
	"action=fail&code[]=document_expired",
	"action[]=pass",
	"action=pass;code=x",
	"action=%zz",
	"action=pass%",
	"action=verify",
	"action=%70ass",
	"action=pa%00ss",
}

// FuzzParseOutcome feeds arbitrary form bodies to parseOutcome. It checks
// that exactly the bodies with one known action are accepted, a fail only
// with one well-formed code, and that the outcome says what the body says:
// a pass is empty, an abandon carries no code, a fail carries its code. The
// reference below is written independently of parseOutcome.
func FuzzParseOutcome(f *testing.F) {
	for _, s := range outcomeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return // ParseForm fails first: the handler answers errBadForm
		}
		got, err := parseOutcome(form)
		want, ok := wantOutcome(form)
		switch {
		case ok && err != nil:
			t.Fatalf("parseOutcome(%q) refused a valid choice: %v", body, err)
		case !ok && err == nil:
			t.Fatalf("parseOutcome(%q) = %+v; want a refusal", body, got)
		case err != nil && !errors.Is(err, errBadForm):
			t.Fatalf("parseOutcome(%q) refused with %v; want errBadForm", body, err)
		case err != nil && got != (Outcome{}):
			t.Fatalf("parseOutcome(%q) = %+v with an error; want the zero outcome", body, got)
		case ok && got != want:
			t.Fatalf("parseOutcome(%q) = %+v; want %+v", body, got, want)
		}
		if got.Abandon && got.ErrorCode != "" {
			t.Fatalf("parseOutcome(%q) = %+v: an abandon with a code", body, got)
		}
		if got.ErrorCode != "" && !codeShape.MatchString(got.ErrorCode) {
			t.Fatalf("parseOutcome(%q) = %+v: an unknown code", body, got)
		}
	})
}

// codeShape is the reference's idea of a well-formed last_error code:
// lower case letters and underscores, a letter at either end, 64 bytes at
// most. Whether a code fits a session is the backend's to say.
var codeShape = regexp.MustCompile(`^[a-z](?:[a-z_]{0,62}[a-z])?$`)

// wantOutcome is the reference for parseOutcome: the one choice a form
// makes, if it makes exactly one valid choice.
func wantOutcome(form url.Values) (Outcome, bool) {
	if len(form["action"]) != 1 {
		return Outcome{}, false
	}
	switch form.Get("action") {
	case "pass":
		return Outcome{}, true
	case "abandon":
		return Outcome{Abandon: true}, true
	case "fail":
		if codes := form["code"]; len(codes) == 1 && codeShape.MatchString(codes[0]) && codes[0] != "abandoned" {
			return Outcome{ErrorCode: codes[0]}, true
		}
	}
	return Outcome{}, false
}
