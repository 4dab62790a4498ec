package emulator

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// Stripe's page size limits.
const (
	defaultLimit = 10
	maxLimit     = 100
)

// listQuery is one page of a list endpoint over a table with a seq column.
//
// Pagination is keyset on seq, never OFFSET: the cursor object's seq is
// looked up by its unique id, and the page is an index range scan from
// there (seq < cursor, newest first), so page 1,000,000 costs what page 1
// does. Every filter has an index ending in seq (see migrate.go).
type listQuery struct {
	table  string     // sessions, reports or events
	object *apiObject // for errNoSuchCursor
	where  []string
	args   []any
	limit  int
	after  string // starting_after
	before string // ending_before
	cols   string // selected columns; "doc" when empty
}

// listOptions reads limit, starting_after, ending_before and created from f
// into q.
func listOptions(f *form.Params, q *listQuery) *apiError {
	q.limit = defaultLimit
	if s, ok := f.Leaf("limit"); ok {
		n, _ := strconv.Atoi(s) // form.Validate has checked it is an integer
		if n < 1 {
			return invalidRequest("limit", "", "This value must be greater than or equal to 1.")
		}
		if n > maxLimit {
			return invalidRequest("limit", "", "This value must be less than or equal to %d.", maxLimit)
		}
		q.limit = n
	}
	q.after, _ = f.Leaf("starting_after")
	q.before, _ = f.Leaf("ending_before")
	if q.after != "" && q.before != "" {
		return invalidRequest("ending_before", "parameters_exclusive",
			"You may only specify one of these parameters: ending_before, starting_after.")
	}
	if c := f.Get("created"); c != nil {
		if v, ok := c.Leaf(); ok {
			q.filter("created = ?", v)
		}
		for _, op := range []struct{ name, sql string }{{"gt", ">"}, {"gte", ">="}, {"lt", "<"}, {"lte", "<="}} {
			if v, ok := c.Leaf(op.name); ok {
				q.filter("created "+op.sql+" ?", v)
			}
		}
	}
	return nil
}

// filter adds an equality or comparison on an indexed column.
func (q *listQuery) filter(cond string, arg any) {
	q.where = append(q.where, cond)
	q.args = append(q.args, arg)
}

// eq adds column = value when the parameter was given.
func (q *listQuery) eq(f *form.Params, param, column string) {
	if v, ok := f.Leaf(param); ok {
		q.filter(column+" = ?", v)
	}
}

// page runs the query and returns the docs newest first and has_more, which
// (as on Stripe) tells whether more items exist in the direction of travel:
// older ones for starting_after and the first page, newer ones for
// ending_before.
func (q *listQuery) page(ctx context.Context, db querier, scan func(*sql.Rows) (any, error)) ([]any, bool, error) {
	where := append([]string(nil), q.where...)
	args := append([]any(nil), q.args...)
	order := "DESC"
	for _, c := range []struct{ id, param, op string }{{q.after, "starting_after", "<"}, {q.before, "ending_before", ">"}} {
		if c.id == "" {
			continue
		}
		var seq int64
		err := db.QueryRowContext(ctx, "SELECT seq FROM "+q.table+" WHERE id = ?", c.id).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, false, errNoSuchCursor(q.object, c.param, c.id)
		}
		if err != nil {
			return nil, false, err
		}
		where = append(where, "seq "+c.op+" ?")
		args = append(args, seq)
		if c.op == ">" {
			order = "ASC"
		}
	}
	cols := q.cols
	if cols == "" {
		cols = "doc"
	}
	stmt := "SELECT " + cols + " FROM " + q.table
	if len(where) > 0 {
		stmt += " WHERE " + strings.Join(where, " AND ")
	}
	stmt += " ORDER BY seq " + order + " LIMIT ?"
	args = append(args, q.limit+1)
	rows, err := db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var docs []any
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, false, err
		}
		docs = append(docs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(docs) > q.limit
	if more {
		docs = docs[:q.limit]
	}
	if order == "ASC" { // ending_before walks up; answer newest first all the same
		for i, j := 0, len(docs)-1; i < j; i, j = i+1, j-1 {
			docs[i], docs[j] = docs[j], docs[i]
		}
	}
	return docs, more, nil
}

// listObject is Stripe's list envelope.
func listObject(url string, data []any, more bool) map[string]any {
	if data == nil {
		data = []any{}
	}
	return map[string]any{"object": "list", "data": data, "has_more": more, "url": url}
}
