package hostedpage

import (
	"errors"
	"net/url"
	"slices"
)

// maxFormBytes caps a POST body. The real form is under 100 bytes; the cap
// keeps a careless or hostile client from making the server read megabytes.
const maxFormBytes = 8 << 10

// errBadForm means that a POST did not carry one valid choice.
var errBadForm = errors.New("hostedpage: bad form")

// parseOutcome reads the tester's choice from a submitted form: action is
// pass, fail or abandon, and code is the last_error code of a fail.
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
		if len(codes) != 1 || !slices.Contains(LastErrorCodes, codes[0]) {
			return Outcome{}, errBadForm
		}
		return Outcome{ErrorCode: codes[0]}, nil
	}
	return Outcome{}, errBadForm
}
