package emulator

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/idgraph/idgraph/internal/emulator/hostedpage"
)

// The emulator as the hosted page's backend (hostedpage.Backend): the page
// finds a session by the token of its url and submits the tester's choice.

// Submit records the tester's choice on the hosted page (see
// hostedpage.Backend): the session's submission (submit, lifecycle.go).
// An unknown or spent token is hostedpage.ErrNotFound, a session that does
// not await input hostedpage.ErrNotSubmittable, and a code that does not
// fit the session (failuresOf) hostedpage.ErrInvalidOutcome.
func (e *Emulator) Submit(ctx context.Context, token string, o hostedpage.Outcome) (hostedpage.Session, error) {
	var out hostedpage.Session
	err := e.write(ctx, func(t *txn) error {
		s, err := e.sessionByURLToken(ctx, t, token)
		if errors.Is(err, errNotFound) {
			return hostedpage.ErrNotFound
		}
		if err != nil {
			return err
		}
		if s.Status != statusRequiresInput || s.Redaction != "" {
			return hostedpage.ErrNotSubmittable
		}
		code := o.ErrorCode
		if o.Abandon {
			code = codeAbandoned
		} else if code != "" && !slices.ContainsFunc(failuresOf(s), func(c lastErrorCode) bool { return c.Code == code }) {
			return fmt.Errorf("%w: %q", hostedpage.ErrInvalidOutcome, code)
		}
		if err := e.submit(t, s, code); err != nil {
			return err
		}
		out = pageSession(s)
		return nil
	})
	return out, err
}

// SessionByToken resolves the token of a session's url for the hosted page
// (see hostedpage.Backend). It writes nothing.
func (e *Emulator) SessionByToken(ctx context.Context, token string) (hostedpage.Session, error) {
	s, err := e.sessionByURLToken(readContext(ctx), e.reads, token)
	if errors.Is(err, errNotFound) {
		return hostedpage.Session{}, hostedpage.ErrNotFound
	}
	if err != nil {
		return hostedpage.Session{}, err
	}
	return pageSession(s), nil
}

func pageSession(s *session) hostedpage.Session {
	return hostedpage.Session{ID: s.ID, Type: s.Type, Status: s.Status, ReturnURL: s.ReturnURL, Failures: pageFailures(s)}
}

// pageFailures are the hosted page's failure choices for s (failuresOf).
func pageFailures(s *session) []hostedpage.Failure {
	var out []hostedpage.Failure
	for _, c := range failuresOf(s) {
		out = append(out, hostedpage.Failure{Code: c.Code, Reason: c.Reason})
	}
	return out
}
