package emulator

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order; the database's PRAGMA user_version counts
// how many have run. Append only: never edit a migration that has shipped,
// add a new one.
var migrations = []string{
	// 1: sessions, reports, url tokens, events, idempotency records.
	`
CREATE TABLE sessions (
	seq                      INTEGER PRIMARY KEY, -- list order: monotonic, rows are never deleted
	id                       TEXT NOT NULL UNIQUE,
	created                  INTEGER NOT NULL,
	status                   TEXT NOT NULL,
	client_reference_id      TEXT,
	related_customer         TEXT,
	related_customer_account TEXT,
	due_at                   INTEGER,             -- unix ns of the pending transition, if any
	doc                      TEXT NOT NULL        -- the session as JSON
);
-- One index per list filter, ending in seq, so a filtered keyset page is an
-- index range scan. Partial indexes keep the common NULL out.
CREATE INDEX sessions_status ON sessions(status, seq);
CREATE INDEX sessions_client_reference_id ON sessions(client_reference_id, seq) WHERE client_reference_id IS NOT NULL;
CREATE INDEX sessions_related_customer ON sessions(related_customer, seq) WHERE related_customer IS NOT NULL;
CREATE INDEX sessions_related_customer_account ON sessions(related_customer_account, seq) WHERE related_customer_account IS NOT NULL;
CREATE INDEX sessions_created ON sessions(created);
CREATE INDEX sessions_due ON sessions(due_at) WHERE due_at IS NOT NULL;

CREATE TABLE session_tokens (
	token      TEXT PRIMARY KEY,
	session_id TEXT NOT NULL,
	created    INTEGER NOT NULL, -- unix seconds
	used       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX session_tokens_session ON session_tokens(session_id);

CREATE TABLE reports (
	seq                  INTEGER PRIMARY KEY,
	id                   TEXT NOT NULL UNIQUE,
	created              INTEGER NOT NULL,
	type                 TEXT NOT NULL,
	verification_session TEXT NOT NULL,
	client_reference_id  TEXT,
	doc                  TEXT NOT NULL
);
CREATE INDEX reports_session ON reports(verification_session, seq);
CREATE INDEX reports_type ON reports(type, seq);
CREATE INDEX reports_client_reference_id ON reports(client_reference_id, seq) WHERE client_reference_id IS NOT NULL;
CREATE INDEX reports_created ON reports(created);

CREATE TABLE events (
	seq             INTEGER PRIMARY KEY,
	id              TEXT NOT NULL UNIQUE,
	created         INTEGER NOT NULL,
	type            TEXT NOT NULL,
	session_id      TEXT NOT NULL,
	request_id      TEXT,
	idempotency_key TEXT,
	doc             TEXT NOT NULL -- the session as it was, as JSON
);
CREATE INDEX events_type ON events(type, seq);
CREATE INDEX events_session ON events(session_id);
CREATE INDEX events_created ON events(created);

CREATE TABLE idempotency (
	key         TEXT PRIMARY KEY,
	fingerprint TEXT NOT NULL,    -- sha256 of method, path and body
	status      INTEGER NOT NULL,
	body        BLOB NOT NULL,
	request_id  TEXT NOT NULL,
	created     INTEGER NOT NULL  -- unix seconds
) WITHOUT ROWID;
CREATE INDEX idempotency_created ON idempotency(created);
`,
	// 2: url tokens count up per session, so that pruning keeps the newest
	// (created is in seconds: many tokens can share one).
	`
ALTER TABLE session_tokens ADD COLUMN minted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX session_tokens_minted ON session_tokens(session_id, minted);
`,
	// 3: settings of the emulator itself, such as the development signing
	// secret (devsecret.go).
	`
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;
`,
	// 4: an idempotency record names the session its answer shows, so that
	// redacting the session scrubs the answer too (redact.go). Records
	// made before are matched by the answer's own id.
	`
ALTER TABLE idempotency ADD COLUMN session_id TEXT;
UPDATE idempotency SET session_id = json_extract(body, '$.id')
	WHERE json_valid(body) AND json_extract(body, '$.object') = 'identity.verification_session';
CREATE INDEX idempotency_session ON idempotency(session_id) WHERE session_id IS NOT NULL;
`,
	// 5: webhook deliveries (webhooks.go): one row per event and endpoint,
	// without the payload, which each attempt renders from the event.
	`
CREATE TABLE webhook_deliveries (
	seq          INTEGER PRIMARY KEY,
	event_id     TEXT NOT NULL,
	endpoint     TEXT NOT NULL,
	state        TEXT NOT NULL,            -- pending, succeeded or failed
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_attempt INTEGER,                  -- unix seconds
	last_status  INTEGER,                  -- the endpoint's HTTP status; NULL with no answer
	last_error   TEXT,                     -- why the last attempt failed
	next_attempt INTEGER,                  -- unix ns; NULL unless pending
	UNIQUE (event_id, endpoint)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt) WHERE state = 'pending';
`,
}

// migrate brings the schema to the newest version, one transaction per
// migration so that a crash leaves a consistent version behind. The version
// is read inside each (BEGIN IMMEDIATE) transaction, so two processes that
// open a new file at once do not both run the same migration.
func migrate(ctx context.Context, db *sql.DB) error {
	for {
		done, err := migrateStep(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next migration, if any; done reports that the
// schema is current.
func migrateStep(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil || done {
			_ = tx.Rollback()
		}
	}()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	if v > len(migrations) {
		return false, fmt.Errorf("database schema version %d is newer than this emulator (%d)", v, len(migrations))
	}
	if v == len(migrations) {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migration %d: %w", v+1, err)
	}
	// user_version lives in the database header, which SQLite writes
	// inside the transaction: the migration and its number commit together.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return false, fmt.Errorf("migration %d: set version: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %d: commit: %w", v+1, err)
	}
	return false, nil
}
