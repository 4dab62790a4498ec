package emulator

import (
	"database/sql"
	"errors"
	"net/http"
	"os"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// A storage failure is the emulator's database failing it: the file cannot
// be written (disk full, read-only, I/O errors, a closed database), or it is
// no longer where the emulator opened it (deleted with its directory, or
// replaced), in which case writes would go on succeeding into a nameless
// file and be lost at the next start. The REST API answers every storage
// failure with a 503 api_error whose message begins with StorageFailed and
// whose code is StorageFailedCode, never with a 200 for a write that is
// then lost, and Emulator.Ready reports it.
//
// Both strings are stable, so that a client that cannot import this
// package (idgraph's GraphQL facade talks to the emulator only through
// stripe-go, as it talks to Stripe) can recognise the failure.
const (
	// StorageFailed begins the message of the 503 that the REST API
	// answers when the emulator's database fails.
	StorageFailed = "The emulator's storage failed"
	// StorageFailedCode is the error code of that 503. It is the
	// emulator's, not one of Stripe's codes (Stripe sends api_error
	// without a code), so the answer carries no doc_url.
	StorageFailedCode = "emulator_storage_failed"
)

// storageError is a storage failure: what failed, and the cause.
type storageError struct {
	what string // e.g. "its database file /x/em.db is gone"
	err  error
}

func (e *storageError) Error() string { return StorageFailed + ": " + e.what + ": " + e.err.Error() }
func (e *storageError) Unwrap() error { return e.err }

// asStorageFailure returns err as a *storageError when it is a failure of
// the database rather than of the request or of the emulator's code:
// SQLite's errors of the disk and the file, and database/sql's for a
// closed database or connection.
func asStorageFailure(err error) (*storageError, bool) {
	var se *storageError
	if errors.As(err, &se) {
		return se, true
	}
	var le *sqlite.Error
	if errors.As(err, &le) {
		switch le.Code() & 0xff { // the primary result code
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
			sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PERM, sqlite3.SQLITE_NOMEM,
			sqlite3.SQLITE_NOLFS, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_BUSY:
			return &storageError{what: "its database cannot be written", err: err}, true
		}
		return nil, false
	}
	// database/sql's "sql: database is closed" has no exported sentinel.
	if errors.Is(err, sql.ErrConnDone) || (err != nil && strings.Contains(err.Error(), "sql: database is closed")) {
		return &storageError{what: "its database is closed", err: err}, true
	}
	return nil, false
}

// errStorage is the REST answer to a storage failure: 503 api_error with
// StorageFailedCode. Its message says what failed but not the cause's
// text, which is logged.
func errStorage(se *storageError) *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Type: errTypeAPI, Code: StorageFailedCode,
		Message: StorageFailed + ": " + se.what + ". See the emulator's log."}
}

// writeStorageFailure answers a storage failure and logs it.
func (e *Emulator) writeStorageFailure(w http.ResponseWriter, r *http.Request, se *storageError) {
	e.log.Error("emulator: storage failed", "method", r.Method, "path", r.URL.Path,
		"stripe_request_id", requestID(r.Context()), "err", se)
	// A broken disk does not mend itself within stripe-go's retry
	// back-off; the header (which stripe-go honours) stops the retries.
	w.Header().Set("Stripe-Should-Retry", "false")
	writeError(w, errStorage(se))
}

// checkStorage reports a storage failure when the database file is no
// longer where the emulator opened it.
func (e *Emulator) checkStorage() error { return e.file.check() }

// fileIdentity records which file a database was opened on, so that a
// write can tell that the file was deleted (with its directory, say) or
// replaced while the emulator kept writing to the open, now nameless, one:
// such writes would be acknowledged and then lost at the next start.
type fileIdentity struct {
	path string
	info os.FileInfo // nil for an in-memory database
}

func identify(path string) (fileIdentity, error) {
	if path == "" {
		return fileIdentity{}, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return fileIdentity{}, err
	}
	return fileIdentity{path: path, info: info}, nil
}

// check reports a storage failure when the file is no longer at its path.
func (id fileIdentity) check() error {
	if id.info == nil {
		return nil
	}
	now, err := os.Stat(id.path)
	if err != nil {
		return &storageError{what: "its database file " + id.path + " is gone (deleted, or its directory was)", err: err}
	}
	if !os.SameFile(id.info, now) {
		return &storageError{what: "its database file " + id.path + " was replaced by another file", err: errors.New("replaced")}
	}
	return nil
}
