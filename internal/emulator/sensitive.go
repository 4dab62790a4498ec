package emulator

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// Sensitive verification results, as Stripe's guide "Access verification
// results" (https://docs.stripe.com/identity/access-verification-results)
// describes them: date of birth, ID numbers, the document number, and the
// sex and place of birth read from the document are never sent unless
// expanded by name, and then only to a restricted key (rk_) with the
// "Access recent sensitive verification results" permission; such a key
// reads them only for verifications processed in the last 48 hours, unless
// it is IP-restricted. A secret key (sk_) cannot read them at all.
//
// The emulator treats every rk_test_ key as holding that permission and as
// not IP-restricted, since it has no Dashboard in which to set either.

// The messages of the two refusals begin with these prefixes, which are
// stable, so that a caller can tell which rule refused it. Both refusals are
// HTTP 403 invalid_request_error without a code, the shape of Stripe's
// refusals of a restricted key that lacks a permission; Stripe documents no
// wording for these two cases, so the wording is the emulator's.
const (
	// SensitiveRestrictedKeyRequired begins the message of the 403 that a
	// secret key gets for expanding a sensitive verification result.
	SensitiveRestrictedKeyRequired = "Sensitive verification results require a restricted API key"
	// SensitiveWindowPassed begins the message of the 403 that a restricted
	// key gets for expanding a sensitive verification result of a
	// verification processed more than 48 hours ago.
	SensitiveWindowPassed = "Sensitive verification results are past the 48-hour window"
)

// SensitiveRefusal tells which rule refused a request for sensitive
// verification results: SensitiveRestrictedKeyRequired,
// SensitiveWindowPassed, or "" when err is neither refusal. It reads the
// error's text, so it works on the errors of any client (stripe-go's
// *stripe.Error prints its JSON, message included).
func SensitiveRefusal(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	for _, rule := range []string{SensitiveRestrictedKeyRequired, SensitiveWindowPassed} {
		if strings.Contains(msg, rule) {
			return rule
		}
	}
	return ""
}

// sensitiveWindow is how long after processing a restricted key that is not
// IP-restricted may read a verification's sensitive results.
const sensitiveWindow = 48 * time.Hour

// The sensitive paths, derived from the fields that the models render only
// when expanded (their sensitive methods), so that what is hidden and what
// is guarded cannot drift apart: those of the verified outputs and of a
// report, and all that a session's expand[] may name, its last report's
// included.
var (
	sensitiveOutputPaths = prefixed("verified_outputs.", slices.Sorted(maps.Keys((&verifiedOutputs{}).sensitive())))
	sensitiveReportPaths = append(prefixed("document.", slices.Sorted(maps.Keys((&documentCheck{}).sensitive()))),
		prefixed("id_number.", slices.Sorted(maps.Keys((&idNumberCheck{}).sensitive())))...)
	sessionSensitive = slices.Concat(sensitiveOutputPaths, prefixed("last_verification_report.", sensitiveReportPaths))
)

// prefixed returns the paths with prefix before each.
func prefixed(prefix string, paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		out = append(out, prefix+p)
	}
	return out
}

// sensitiveIn returns the sensitive paths that ex expands on object
// (a session's include those of its last_verification_report), sorted.
func sensitiveIn(ex form.Expansion, object *apiObject) []string {
	var out []string
	for _, p := range object.sensitive {
		if ex.Has(p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// checkKeyKind refuses a secret key that expands sensitive results. It runs
// before the request does anything, whatever the objects hold: it is a
// matter of the key's permissions. list says the paths were written with
// "data.", to name them as the caller wrote them.
func checkKeyKind(ctx context.Context, ex form.Expansion, object *apiObject, list bool) *apiError {
	paths := sensitiveIn(ex, object)
	if len(paths) == 0 || keyKindFrom(ctx) == restrictedKey {
		return nil
	}
	if list {
		for i, p := range paths {
			paths[i] = "data." + p
		}
	}
	return &apiError{Status: http.StatusForbidden, Type: errTypeInvalidRequest, Message: fmt.Sprintf(
		"%s: this request expands %s with a secret key. Use a restricted key (rk_...) with the "+
			"'Access recent sensitive verification results' permission; see "+
			"https://docs.stripe.com/identity/access-verification-results.",
		SensitiveRestrictedKeyRequired, quoteJoin(paths))}
}

// checkWindow refuses the sensitive paths of an object (id) whose
// verification was processed at processed (unix seconds) more than 48 hours
// before now. processed 0 means nothing was processed: there is nothing
// sensitive to serve, so nothing to refuse.
func checkWindow(now time.Time, paths []string, id string, processed int64) *apiError {
	if len(paths) == 0 || processed == 0 {
		return nil
	}
	at := time.Unix(processed, 0).UTC()
	if now.Sub(at) <= sensitiveWindow {
		return nil
	}
	return &apiError{Status: http.StatusForbidden, Type: errTypeInvalidRequest, Message: fmt.Sprintf(
		"%s: the verification of %s was processed at %s, more than 48 hours ago, and a restricted key that "+
			"is not IP-restricted can read sensitive results (here %s) only for verifications processed in "+
			"the last 48 hours. Add IP restrictions to the key for long-term access; see "+
			"https://docs.stripe.com/identity/access-verification-results.",
		SensitiveWindowPassed, id, at.Format(time.RFC3339), quoteJoin(paths))}
}

// checkSessionWindow applies checkWindow to a session, whose verification
// was processed when its last report was made. rep is that report if the
// caller has it already, else it is loaded when needed.
func (e *Emulator) checkSessionWindow(ctx context.Context, q querier, s *session, ex form.Expansion, rep *report) error {
	paths := sensitiveIn(ex, sessionObject)
	if len(paths) == 0 || s.LastReport == "" {
		return nil
	}
	if rep == nil {
		var err error
		rep, err = selectReport(ctx, q, s.LastReport)
		if errors.Is(err, errNotFound) {
			return nil // no report, nothing processed to guard (renderSession shows none either)
		}
		if err != nil {
			return err
		}
	}
	if aerr := checkWindow(e.clock.Now(), paths, s.ID, rep.Created); aerr != nil {
		return aerr
	}
	return nil
}

func quoteJoin(paths []string) string {
	q := slices.Clone(paths)
	for i, p := range q {
		q[i] = "'" + p + "'"
	}
	return strings.Join(q, ", ")
}
