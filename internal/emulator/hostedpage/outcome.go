package hostedpage

import (
	"errors"
	"net/url"
)

// maxFormBytes caps a POST body. The real form is under 100 bytes; the cap
// keeps a careless or hostile client from making the server read megabytes.
const maxFormBytes = 8 << 10

// errBadForm means that a POST did not carry one valid choice.
var errBadForm = errors.New("hostedpage: bad form")

// parseOutcome reads the tester's choice from a submitted form: action is
// pass, fail or abandon, and code is the last_error code of a fail. Whether
// the code fits the session is the backend's to say (ErrInvalidOutcome);
// here it only has to look like one, and not be "abandoned", which is the
// abandon choice.
//
// It is strict on purpose: Outcome treats an empty ErrorCode as a pass, so a
// fail without a valid code must be refused here rather than turn into a
// pass, and a repeated action is ambiguous rather than "first wins".
func parseOutcome(form url.Values) (Outcome, error) {
	actions := form["action"]
	if len(actions) != 1 {
		return Outcome{}, errBadForm
	}
	switch actions[0] {
	case "pass":
		return Outcome{}, nil
	case "abandon":
		return Outcome{Abandon: true}, nil
	case "fail":
		codes := form["code"]
		if len(codes) != 1 || !wellFormedCode(codes[0]) {
			return Outcome{}, errBadForm
		}
		return Outcome{ErrorCode: codes[0]}, nil
	}
	return Outcome{}, errBadForm
}

// wellFormedCode tells whether code looks like a last_error code: lower
// case words joined by underscores, at most 64 bytes, not "abandoned".
func wellFormedCode(code string) bool {
	if code == "" || len(code) > 64 || code == "abandoned" || code[0] == '_' || code[len(code)-1] == '_' {
		return false
	}
	for i := 0; i < len(code); i++ {
		if c := code[i]; !('a' <= c && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}
