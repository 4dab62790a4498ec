package emulator

import (
	"context"
	"time"
)

// Delayed transitions (processing → outcome, redaction processing →
// redacted) are kept in the database as a session's due_at and run by a
// timer of the emulator's Clock (runDue, lifecycle.go); New schedules again
// those that were pending when the emulator last stopped.

// schedule arranges for the pending transition of session id, due at dueAt
// (unix ns), to run; it replaces any earlier timer of that session.
func (e *Emulator) schedule(id string, dueAt int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	if t, ok := e.timers[id]; ok {
		t.Stop()
	}
	var timer Timer
	timer = e.clock.AfterFunc(time.Unix(0, dueAt).Sub(e.clock.Now()), func() {
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			return
		}
		if e.timers[id] == timer {
			delete(e.timers, id)
		}
		e.jobs.Add(1)
		e.mu.Unlock()
		defer e.jobs.Done()
		if err := e.runDue(context.Background(), id); err != nil {
			e.log.Error("emulator: delayed transition failed", "session", id, "err", err)
		}
	})
	e.timers[id] = timer
}
