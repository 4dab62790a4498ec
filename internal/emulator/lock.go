package emulator

import (
	"errors"
	"fmt"
	"os"
)

// lockPath is the lock file that keeps a database to one emulator.
func lockPath(path string) string { return path + ".lock" }

// errLocked means that another emulator holds the database.
var errLocked = errors.New("locked")

// lockDB takes the lock that keeps path to one emulator. Two emulators on
// one file would each schedule the other's pending transitions and hand
// out their own idempotency answers; the lock refuses the second at New
// instead. It is an flock(2) on path+".lock", held while the emulator is
// open: the kernel releases it when the process exits, however it exits,
// so a crash never leaves a stale lock behind, and it conflicts between
// two opens of the file in one process as well as between processes. It is
// advisory: LoadDevSigningSecret, which "idgraph token" calls while the
// server runs, does not take it (it only reads or adds one settings row,
// which SQLite's own locking makes safe).
func lockDB(path string) (release func() error, err error) {
	lp := lockPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create the lock file %s: %w", lp, err)
	}
	if err := flockExclusive(f); err != nil {
		_ = f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("the database %s is in use by another emulator (another idgraph?): "+
				"its lock file %s is held; stop the other process or choose another IDGRAPH_EMULATOR_DB", path, lp)
		}
		return nil, fmt.Errorf("lock %s: %w", lp, err)
	}
	return f.Close, nil // closing the file releases the lock
}
