package emulator

import (
	"context"
	"errors"
)

// errProbe rolls the readiness probe's write back.
var errProbe = errors.New("probe")

// Ready tells whether the emulator can serve: its database file is still
// where it was opened and takes a write. The probe writes a row and rolls
// it back, so that it leaves nothing behind and never waits for a long
// transaction (its context bounds it). reason says why not, for /readyz:
// it begins with StorageFailed when the storage failed (storage.go).
func (e *Emulator) Ready(ctx context.Context) (ok bool, reason string) {
	err := e.write(ctx, func(t *txn) error {
		if _, err := t.ExecContext(ctx, `INSERT OR REPLACE INTO settings (name, value) VALUES ('readiness-probe', x'00')`); err != nil {
			return err
		}
		return errProbe
	})
	if errors.Is(err, errProbe) {
		return true, ""
	}
	if se, ok := asStorageFailure(err); ok {
		return false, se.Error()
	}
	return false, StorageFailed + ": its database cannot be written: " + err.Error()
}
