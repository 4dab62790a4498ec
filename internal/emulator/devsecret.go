package emulator

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
)

// devSecretName is the settings row that holds the development signing secret.
const devSecretName = "dev_jwt_signing_secret"

// devSecretLen is the secret's size: 32 bytes, a full HMAC-SHA256 key.
const devSecretLen = 32

// LoadDevSigningSecret opens (creating and migrating as needed, as New does)
// the emulator's database at path and returns its development JWT signing
// secret: 32 random bytes made on first use and kept in the database, so
// that a token minted by one process (idgraph token) is accepted by another
// (the running idgraph) with nothing to configure. It is safe when several
// processes ask first at the same time: they all get the one secret stored.
// path "" is a private in-memory database, so the secret is a new one each
// call; use Emulator.DevSigningSecret for an in-memory emulator.
func LoadDevSigningSecret(ctx context.Context, path string) ([]byte, error) {
	db, err := openDB(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	defer db.Close()
	if err := migrate(ctx, db); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	return devSigningSecret(ctx, db)
}

// DevSigningSecret returns the emulator's development JWT signing secret,
// the one LoadDevSigningSecret returns for the same file. With an in-memory
// database it is a secret for the emulator's lifetime.
func (e *Emulator) DevSigningSecret(ctx context.Context) ([]byte, error) {
	return devSigningSecret(ctx, e.db)
}

// devSigningSecret reads the secret, making it first if there is none.
// INSERT OR IGNORE then SELECT: when two writers race, the first insert
// wins and both read what it stored.
func devSigningSecret(ctx context.Context, db *sql.DB) ([]byte, error) {
	secret, err := selectSetting(ctx, db, devSecretName)
	if err == nil {
		return checkDevSecret(secret)
	}
	if !errors.Is(err, errNotFound) {
		return nil, fmt.Errorf("emulator: read signing secret: %w", err)
	}
	fresh := make([]byte, devSecretLen)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("emulator: make signing secret: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)`, devSecretName, fresh); err != nil {
		return nil, fmt.Errorf("emulator: store signing secret: %w", err)
	}
	secret, err = selectSetting(ctx, db, devSecretName)
	if err != nil {
		return nil, fmt.Errorf("emulator: read signing secret: %w", err)
	}
	return checkDevSecret(secret)
}

func checkDevSecret(secret []byte) ([]byte, error) {
	if len(secret) != devSecretLen {
		return nil, fmt.Errorf("emulator: stored signing secret has %d bytes, want %d", len(secret), devSecretLen)
	}
	return secret, nil
}

func selectSetting(ctx context.Context, q querier, name string) ([]byte, error) {
	var v []byte
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return v, err
}
