package emulator

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
)

// The store keeps sessions and reports, each as its JSON doc beside the
// columns that lists filter on (migrate.go). Its functions are named for
// their SQL, insert, update and select, and take a querier: the pool, a
// readDB (reads.go) or a write transaction.

// errNotFound is returned by the store's lookups for an unknown ID.
var errNotFound = errors.New("not found")

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertSession(ctx context.Context, q querier, s *session) error {
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO sessions (id, created, status, client_reference_id, related_customer,
		related_customer_account, due_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.Created, s.Status, s.ClientReferenceID, s.RelatedCustomer, s.RelatedCustomerAccount, nullInt(s.DueAt), doc)
	return err
}

func updateSession(ctx context.Context, q querier, s *session) error {
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE sessions SET status = ?, due_at = ?, doc = ? WHERE id = ?`,
		s.Status, nullInt(s.DueAt), doc, s.ID)
	return err
}

// The point reads by ID, prepared once for reads outside transactions
// (reads.go).
const (
	sqlSessionByID = `SELECT doc FROM sessions WHERE id = ?`
	sqlReportByID  = `SELECT doc FROM reports WHERE id = ?`
)

func selectSession(ctx context.Context, q querier, id string) (*session, error) {
	return selectDoc[session](ctx, q, sqlSessionByID, id)
}

func insertReport(ctx context.Context, q querier, r *report) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO reports (id, created, type, verification_session, client_reference_id, doc)
		VALUES (?, ?, ?, ?, ?, ?)`, r.ID, r.Created, r.Type, r.SessionID, r.ClientReferenceID, doc)
	return err
}

func updateReport(ctx context.Context, q querier, r *report) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE reports SET doc = ? WHERE id = ?`, doc, r.ID)
	return err
}

func selectReport(ctx context.Context, q querier, id string) (*report, error) {
	return selectDoc[report](ctx, q, sqlReportByID, id)
}

// selectDoc reads the T (a session or a report) whose doc query selects by
// id: errNotFound when there is none.
func selectDoc[T any](ctx context.Context, q querier, query, id string) (*T, error) {
	var doc []byte
	err := q.QueryRowContext(ctx, query, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	v := new(T)
	return v, json.Unmarshal(doc, v)
}

// selectSessionReports returns every report of a session (for redaction).
func selectSessionReports(ctx context.Context, q querier, sessionID string) ([]*report, error) {
	rows, err := q.QueryContext(ctx, `SELECT doc FROM reports WHERE verification_session = ?`, sessionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*report
	for rows.Next() {
		r, err := scanDoc[report](rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r.(*report))
	}
	return out, rows.Err()
}

// scanDoc reads a *T (a session or a report) from a row of its doc, as
// listQuery.page wants it.
func scanDoc[T any](rows *sql.Rows) (any, error) {
	var doc []byte
	if err := rows.Scan(&doc); err != nil {
		return nil, err
	}
	v := new(T)
	return v, json.Unmarshal(doc, v)
}

// selectTokenSession returns the session ID of a stored url token (the old kind,
// see tokens.go) that is unused and was minted at or after notBefore.
func selectTokenSession(ctx context.Context, q querier, token string, notBefore int64) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT session_id FROM session_tokens WHERE token = ? AND used = 0 AND created >= ?`,
		token, notBefore).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNotFound
	}
	return id, err
}

// updateTokensUsed spends every stored url token of a session: a url is single use.
func updateTokensUsed(ctx context.Context, q querier, sessionID string) error {
	_, err := q.ExecContext(ctx, `UPDATE session_tokens SET used = 1 WHERE session_id = ? AND used = 0`, sessionID)
	return err
}

// selectDueSessions returns the sessions with a pending transition, to schedule
// them again after a restart.
func selectDueSessions(ctx context.Context, q querier) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, due_at FROM sessions WHERE due_at IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var due int64
		if err := rows.Scan(&id, &due); err != nil {
			return nil, err
		}
		out[id] = due
	}
	return out, rows.Err()
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// nullIfEmpty is nil for "": NULL to SQL, null in JSON.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
