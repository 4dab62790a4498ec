package emulator

import (
	"context"
	"errors"
)

// The lifecycle's operations, each run by its caller inside a write
// transaction (but retrieve, which also reads outside one): by the
// handlers (sessions_api.go), the hosted page's backend
// (hostedpage_backend.go) and the timers of delayed transitions
// (schedule.go). Redaction is redact.go's.

// create stores s, new in requires_input. Its links come with each
// rendering (tokens.go).
func create(t *txn, s *session) error {
	s.ID = newID(prefixSession)
	s.Created = t.now.Unix()
	s.Status = statusRequiresInput
	if err := insertSession(t.ctx, t, s); err != nil {
		return err
	}
	return recordEvent(t, eventCreated, s)
}

// retrieve reads a session for an API operation: an unknown ID is Stripe's
// 404.
func retrieve(ctx context.Context, q querier, id string) (*session, error) {
	s, err := selectSession(ctx, q, id)
	if errors.Is(err, errNotFound) {
		return nil, errNoSuch(sessionObject, id)
	}
	return s, err
}

// update applies change to session id and stores it, if the session can
// be updated (updateCheck).
func update(t *txn, id string, change func(*session) *apiError) (*session, error) {
	s, err := retrieve(t.ctx, t, id)
	if err != nil {
		return nil, err
	}
	if err := updateCheck(s); err != nil {
		return nil, err
	}
	if aerr := change(s); aerr != nil {
		return nil, aerr
	}
	if err := updateSession(t.ctx, t, s); err != nil {
		return nil, err
	}
	return s, nil
}

// updateCheck refuses updates that Stripe refuses: of redacted sessions and
// of sessions that no longer await input.
func updateCheck(s *session) error {
	if s.Redaction != "" {
		return errState("This VerificationSession has been redacted and can no longer be updated.")
	}
	if s.Status != statusRequiresInput {
		return errState("You can only update a VerificationSession when its status is requires_input. This VerificationSession has a status of %s.", s.Status)
	}
	return nil
}

// cancel cancels a session that awaits input.
func cancel(t *txn, id string) (*session, error) {
	s, err := retrieve(t.ctx, t, id)
	if err != nil {
		return nil, err
	}
	if s.Status != statusRequiresInput {
		return nil, errState("You can only cancel a VerificationSession when its status is requires_input. This VerificationSession has a status of %s.", s.Status)
	}
	s.Status = statusCanceled
	if err := updateSession(t.ctx, t, s); err != nil {
		return nil, err
	}
	return s, recordEvent(t, eventCanceled, s)
}

// submit moves s, which awaits input, on with the tester's choice on the
// hosted page (hostedpage_backend.go): code "" passes, a code of the
// catalogue fails (lasterror.go). A submission spends every link of the
// session, url tokens and client secrets alike (tokens.go).
//
// A failure of the user's session (abandoned, consent_declined,
// device_not_supported, country_not_supported, under_supported_age: the
// catalogue's codes of no check) happens before anything is submitted for
// checking, so it goes back to requires_input at once, without processing
// and without a report. Anything else goes to processing, and to its
// outcome after the processing delay (finishProcessing).
func (e *Emulator) submit(t *txn, s *session, code string) error {
	s.LinkGen++
	if err := updateTokensUsed(t.ctx, t, s.ID); err != nil { // those of the old, stored kind
		return err
	}
	if c, _ := lastErrorOf(code); code != "" && c.Check == "" {
		// The user left, or could not go on: no processing; the next
		// retrieve gives a new link for another try.
		s.LastError = newLastError(code)
		if err := updateSession(t.ctx, t, s); err != nil {
			return err
		}
		return recordEvent(t, eventRequiresInput, s)
	}
	s.Status = statusProcessing
	s.LastError = nil
	s.PendingError = code
	s.DueAt = t.now.Add(e.delay).UnixNano()
	if err := updateSession(t.ctx, t, s); err != nil {
		return err
	}
	due := s.DueAt
	t.after = append(t.after, func() { e.schedule(s.ID, due) })
	return recordEvent(t, eventProcessing, s)
}

// runDue applies the pending transition of a session: the outcome of
// processing, or the end of a redaction. Anything else is stale and ignored
// (the session may have moved on before the timer fired).
func (e *Emulator) runDue(ctx context.Context, id string) error {
	return e.write(ctx, func(t *txn) error {
		s, err := selectSession(ctx, t, id)
		if err != nil {
			return err
		}
		switch {
		case s.Status == statusProcessing:
			return finishProcessing(t, s)
		case s.Redaction == redactionProcessing:
			s.Redaction = redactionRedacted
			s.DueAt = 0
			if err := updateSession(ctx, t, s); err != nil {
				return err
			}
			return recordEvent(t, eventRedacted, s)
		}
		return nil
	})
}

// finishProcessing writes the report of a submission and moves the session
// to verified, or back to requires_input with last_error.
func finishProcessing(t *txn, s *session) error {
	code := s.PendingError
	r := newReport(s, newID(prefixReport), t.now.Unix(), code)
	if err := insertReport(t.ctx, t, r); err != nil {
		return err
	}
	s.LastReport = r.ID
	s.PendingError, s.DueAt = "", 0
	event := eventVerified
	if code == "" {
		s.Status = statusVerified
		s.VerifiedOutputs = outputsOf(r)
	} else {
		s.Status = statusRequiresInput
		s.VerifiedOutputs = nil
		s.LastError = newLastError(code)
		event = eventRequiresInput
	}
	if err := updateSession(t.ctx, t, s); err != nil {
		return err
	}
	return recordEvent(t, event, s)
}
