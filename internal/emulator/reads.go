package emulator

import (
	"context"
	"database/sql"
	"fmt"
)

// Reads outside write transactions (a retrieve, the hosted page's lookup)
// go through a readDB, with a context from readContext. Measured per read
// of a session by ID, in CPU time on 2 CPUs: a prepared statement 12 →
// 7.4 µs, a context without cancellation 20 → 13 µs; a whole retrieve
// through stripe-go (BenchmarkRetrieve) about 70 → 57 µs.

// hotReads are the statements that readDB prepares: the point reads of a
// retrieve (the session, and its report when expanded) and of the hosted
// page.
var hotReads = []string{sqlSessionByID, sqlReportByID}

// readDB is the database for reads outside write transactions. A
// QueryRowContext of one of hotReads runs its statement prepared once, on
// each connection the first time it runs there (database/sql's Stmt), and
// closed with the database; preparing costs modernc's SQLite about as much
// as running such a lookup. Any other query goes to the pool as is.
type readDB struct {
	*sql.DB
	hot map[string]*sql.Stmt // by SQL text
}

var _ querier = (*readDB)(nil)

func newReadDB(ctx context.Context, db *sql.DB) (*readDB, error) {
	r := &readDB{DB: db, hot: map[string]*sql.Stmt{}}
	for _, q := range hotReads {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		r.hot[q] = st
	}
	return r, nil
}

// QueryRowContext runs query, prepared if it is one of hotReads.
func (r *readDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.hot[query]; st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.DB.QueryRowContext(ctx, query, args...)
}

// readContext is ctx without its cancellation, for the point reads of the
// hot paths. Given a context that can end, modernc's driver starts a
// goroutine per statement to interrupt it, and database/sql one per Rows
// to close them; a lookup by primary key is over in microseconds, long
// before either could help, and both cost more than that. Lists keep their
// request's context: a filtered page may scan.
func readContext(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
