package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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

// BenchmarkRetrieve measures retrieves of a session in requires_input
// through stripe-go over the in-process transport on a WAL file database,
// idgraph's path for a one-session query: one at a time, and from
// GOMAXPROCS goroutines at once, where a retrieve that wrote would queue
// on the write lock. Each retrieve renders a fresh url and client secret;
// writes/op must stay 0. cpu-µs/op is the process's CPU time per retrieve
// (Linux), which the machine's other load hardly moves, unlike ns/op.
func BenchmarkRetrieve(b *testing.B) {
	e, err := New(context.Background(), Options{Path: filepath.Join(b.TempDir(), "bench.db"), PublicURL: "http://bench", ProcessingDelay: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	sc := newStripeClient("http://bench", &http.Client{Transport: e.RoundTripper()})
	ctx := context.Background()
	vs, err := sc.V1IdentityVerificationSessions.Create(ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
	if err != nil {
		b.Fatal(err)
	}
	retrieve := func() error {
		got, err := sc.V1IdentityVerificationSessions.Retrieve(ctx, vs.ID, nil)
		if err == nil && got.URL == "" {
			err = errors.New("no url")
		}
		return err
	}
	measure := func(b *testing.B, loop func(b *testing.B)) {
		writes := e.writeTxns.Load()
		cpu0, cpuOK := processCPU()
		loop(b)
		cpu1, _ := processCPU()
		b.ReportMetric(float64(e.writeTxns.Load()-writes)/float64(b.N), "writes/op")
		if cpuOK {
			b.ReportMetric(float64(cpu1-cpu0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
		}
	}
	b.Run("serial", func(b *testing.B) {
		measure(b, func(b *testing.B) {
			for b.Loop() {
				if err := retrieve(); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("parallel", func(b *testing.B) {
		measure(b, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := retrieve(); err != nil {
						b.Error(err) // not Fatal: this is not the benchmark's goroutine
						return
					}
				}
			})
		})
	})
}

// processCPU returns the CPU time (user and system) the process has used,
// from /proc/self/stat in clock ticks of 10ms (Linux's USER_HZ); ok is false
// where there is no such file.
func processCPU() (d time.Duration, ok bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the command name, which ends at the last ')': utime and
	// stime are the 12th and 13th.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
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
