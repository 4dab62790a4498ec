package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// BenchmarkCreate measures creates through stripe-go over the in-process
// transport on a WAL file database: the whole path of an idgraph create.
func BenchmarkCreate(b *testing.B) {
	e, err := New(context.Background(), Options{Path: filepath.Join(b.TempDir(), "bench.db"), PublicURL: "http://bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	sc := newStripeClient("http://bench", &http.Client{Transport: e.RoundTripper()})
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
		p.AddMetadata("order", "42")
		if _, err := sc.V1IdentityVerificationSessions.Create(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}

// listDepth is the offset of the deep page in BenchmarkList.
const listDepth = 1_000_000

// BenchmarkList compares the first page of the session list with the page
// after the 1,000,000th newest session, on a database seeded with a little
// more than a million sessions. Keyset pagination should make them cost the
// same.
func BenchmarkList(b *testing.B) {
	e, err := New(context.Background(), Options{Path: filepath.Join(b.TempDir(), "list.db"), PublicURL: "http://bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	const total = listDepth + 20
	cursor := seedSessions(b, e, total, listDepth)
	h := e.Handler()
	page := func(b *testing.B, query string) {
		b.Helper()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/v1/identity/verification_sessions?limit=10"+query, nil)
			req.Header.Set("Authorization", "Bearer sk_test_bench")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	}
	b.Run("first_page", func(b *testing.B) { page(b, "") })
	b.Run("after_1000000", func(b *testing.B) { page(b, "&starting_after="+cursor) })
	b.Run("status_filter_after_1000000", func(b *testing.B) { page(b, "&status=requires_input&starting_after="+cursor) })
}

// seedSessions inserts n sessions in one transaction and returns the ID of
// the depth-th newest.
func seedSessions(b *testing.B, e *Emulator, n, depth int) string {
	b.Helper()
	ctx := context.Background()
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO sessions (id, created, status, client_reference_id, doc) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	var cursor string
	for i := 0; i < n; i++ {
		s := &session{ID: newID(prefixSession), Created: epoch.Unix() + int64(i), Status: statusRequiresInput, Type: "document",
			ClientSecret: "secret", URLToken: "token"}
		doc, _ := json.Marshal(s)
		if _, err := stmt.ExecContext(ctx, s.ID, s.Created, s.Status, nil, doc); err != nil {
			b.Fatal(err)
		}
		if i == n-depth {
			cursor = s.ID
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return cursor
}
