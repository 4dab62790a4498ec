package emulator

import (
	"context"
	"database/sql"
	"time"
)

// txn is a write transaction with what its operations need to know.
type txn struct {
	*sql.Tx
	ctx     context.Context
	now     time.Time
	reqID   string      // the API request that caused it, "" from the hosted page or a timer
	idemKey string      // its Idempotency-Key, if any
	after   []func()    // run after a successful commit
	onEvent func(Event) // Options.OnEvent, nil when none
	hooks   *webhooks   // the webhook endpoints, nil when none
}

// write runs fn in a write transaction and commits it. Work that must only
// happen once the data is durable (scheduling timers) goes in t.after.
func (e *Emulator) write(ctx context.Context, fn func(t *txn) error) error {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	return e.writeLocked(ctx, fn)
}

// A write to a database file that is no longer at its path fails before it
// starts and, if the file went in the meantime, after it commits: the
// commit went to a nameless file and is lost, so the caller must not
// report success (storage.go).
func (e *Emulator) writeLocked(ctx context.Context, fn func(t *txn) error) error {
	if err := e.checkStorage(); err != nil {
		return err
	}
	e.writeTxns.Add(1)
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &txn{Tx: tx, ctx: ctx, now: e.clock.Now(), reqID: requestID(ctx), onEvent: e.onEvent, hooks: e.hooks}
	if ic := idempotencyFrom(ctx); ic != nil {
		t.idemKey = ic.key
	}
	if err := fn(t); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if err := e.checkStorage(); err != nil {
		return err
	}
	for _, f := range t.after {
		f()
	}
	return nil
}
