package emulator

import (
	"context"
	"database/sql"
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

// devSigningSecret reads the secret, making it first if there is none
// (randomSetting).
func devSigningSecret(ctx context.Context, db *sql.DB) ([]byte, error) {
	secret, err := randomSetting(ctx, db, devSecretName, "signing secret", devSecretLen)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	return secret, nil
}
