package emulator

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestReadDBAnswersAsThePoolDoes(t *testing.T) {
	h := newHarness(t)
	vs := h.create(t, nil)
	for _, q := range hotReads {
		if h.e.reads.hot[q] == nil {
			t.Errorf("%q is not prepared", q)
		}
	}
	// A point read runs to its end even once its request is gone: it
	// takes microseconds.
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	ctx := readContext(gone)
	tests := []struct {
		name string
		read func(q querier) (any, error)
	}{
		{"a session", func(q querier) (any, error) { return selectSession(ctx, q, vs.ID) }},
		{"an unknown session", func(q querier) (any, error) { return selectSession(ctx, q, "vs_unknown") }},
		{"an unknown report", func(q querier) (any, error) { return selectReport(ctx, q, "vr_unknown") }},
		{"a query that is not prepared", func(q querier) (any, error) {
			var n int
			err := q.QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&n)
			return n, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := tt.read(h.e.db)
			got, err := tt.read(h.e.reads)
			if !reflect.DeepEqual(got, want) || !errors.Is(err, wantErr) {
				t.Errorf("readDB: %v, %v; the pool: %v, %v", got, err, want, wantErr)
			}
			if tt.name == "a session" && err != nil {
				t.Errorf("a canceled request's context stopped a point read: %v", err)
			}
		})
	}
}
