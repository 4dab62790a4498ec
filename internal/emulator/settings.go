package emulator

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
)

// The settings table (migrate.go) keeps the emulator's own values, which
// are not Stripe's: the development signing secret (devsecret.go), the key
// that signs session links (tokens.go), and the readiness probe's row
// (ready.go).

// selectSetting reads a setting: errNotFound when there is none.
func selectSetting(ctx context.Context, q querier, name string) ([]byte, error) {
	var v []byte
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return v, err
}

// randomSetting returns the size random bytes kept in setting name, making
// them on first use. INSERT OR IGNORE then SELECT: when several processes
// or emulators ask first at once, the first insert wins and all read what
// it stored. what names the value in errors.
func randomSetting(ctx context.Context, db *sql.DB, name, what string, size int) ([]byte, error) {
	v, err := selectSetting(ctx, db, name)
	if errors.Is(err, errNotFound) {
		fresh := make([]byte, size)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("make the %s: %w", what, err)
		}
		if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)`, name, fresh); err != nil {
			return nil, fmt.Errorf("store the %s: %w", what, err)
		}
		v, err = selectSetting(ctx, db, name)
	}
	if err != nil {
		return nil, fmt.Errorf("read the %s: %w", what, err)
	}
	if len(v) != size {
		return nil, fmt.Errorf("the stored %s has %d bytes, want %d", what, len(v), size)
	}
	return v, nil
}
