package emulator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the pure Go "sqlite" driver

	sqlite3 "modernc.org/sqlite/lib"
)

// openDB opens the SQLite database at path, or a private in-memory one when
// path is "".
//
// Durability: WAL with synchronous=NORMAL. A commit appends to the WAL with
// write(2) before it returns, so once the emulator has answered, the write is
// in the operating system's page cache and survives a kill -9 of the process
// (crash_test.go checks this). What NORMAL gives up is durability of the
// last commits on a power loss or kernel crash (the database stays
// consistent); FULL would fsync on every commit and cost a large part of the
// create rate on ordinary disks, which an emulator for development and tests
// does not need.
//
// Privacy: the file holds personal data (verified outputs, reports), so a
// new one is created 0600 before SQLite opens it; SQLite gives the -wal and
// -shm files it creates beside it the database file's mode, so they are
// 0600 too. An existing file keeps its mode: tightening it is the owner's
// choice.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	// BEGIN IMMEDIATE: a write transaction takes the write lock at its start,
	// never upgrading from a read lock mid-way (which can fail with BUSY).
	q.Set("_txlock", "immediate")
	var dsn string
	if path == "" {
		// Each connection to ":memory:" is its own database, so the pool is
		// limited to one connection (below) that is never closed.
		dsn = ":memory:?" + q.Encode()
	} else {
		if err := createPrivate(path); err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		var err error
		if dsn, err = fileDSN(path, q); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if path == "" {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	}
	if err := ping(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// ping opens the first connection. Switching a new file to WAL takes an
// exclusive lock, and SQLite answers SQLITE_BUSY at once, without its busy
// timeout, when another process opening the same new file holds it (go run
// . and go run . token at once): try again, within the busy timeout.
func ping(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		err := db.PingContext(ctx)
		var se interface{ Code() int }
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// createPrivate creates path, empty and with mode 0600, if it does not
// exist. SQLite takes an empty file for a new database.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// fileDSN is the driver's name for the database file at path: a SQLite URI
// (https://www.sqlite.org/uri.html) whose path is percent-encoded, followed
// by the driver's parameters q. A plain file name would not do: the driver
// cuts the name at its first '?', and SQLite reads '#' as the start of a
// fragment and decodes '%', so "dev #1.db" or "a?b.db" would open another
// file. The path is made absolute, since "file:" followed by "//" would
// start an authority.
func fileDSN(path string, q url.Values) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // a Windows drive: file:/C:/...
		p = "/" + p
	}
	return "file:" + escapeURIPath(p) + "?" + q.Encode(), nil
}

// escapeURIPath percent-encodes every byte of p but the unreserved ones,
// '/' and ':', which SQLite decodes back to the same path.
func escapeURIPath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '/', c == ':':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
