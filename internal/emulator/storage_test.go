package emulator

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

func TestStorageFailuresAreStorageFailures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		breakIt func(t *testing.T, e *Emulator, dir string)
	}{
		{"a database whose directory is deleted", func(t *testing.T, e *Emulator, dir string) {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}},
		{"a database file replaced by another", func(t *testing.T, e *Emulator, dir string) {
			p := filepath.Join(dir, "em.db")
			if err := os.Rename(p, p+".old"); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"a database that has become read-only", func(t *testing.T, e *Emulator, dir string) {
			// A read-only file would do, but tests may run as root, which
			// writes those anyway; SQLite's query_only fails every write
			// with SQLITE_READONLY, as a read-only file does.
			e.db.SetMaxOpenConns(1)
			if _, err := e.db.Exec(`PRAGMA query_only = 1`); err != nil {
				t.Fatal(err)
			}
		}},
		{"a closed database", func(t *testing.T, e *Emulator, dir string) { e.db.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			e := openFile(t, filepath.Join(dir, "em.db"))
			sc := inProcessClient(e)
			vs, err := sc.V1IdentityVerificationSessions.Create(ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
			if err != nil {
				t.Fatal(err)
			}
			if ok, reason := e.Ready(ctx); !ok {
				t.Fatalf("not ready before: %s", reason)
			}
			tt.breakIt(t, e, dir)

			ok, reason := e.Ready(ctx)
			if ok || !strings.HasPrefix(reason, StorageFailed) {
				t.Errorf("Ready() = %v, %q; want false with a reason that begins %q", ok, reason, StorageFailed)
			}
			_, err = sc.V1IdentityVerificationSessions.Create(ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
			se := stripeErr(t, err, http.StatusServiceUnavailable, stripe.ErrorTypeAPI, StorageFailedCode, "")
			if !strings.HasPrefix(se.Msg, StorageFailed) {
				t.Errorf("message %q does not begin %q", se.Msg, StorageFailed)
			}
			if se.DocURL != "" {
				t.Errorf("doc_url %q for a code that is not Stripe's", se.DocURL)
			}
			if h := se.LastResponse.Header.Get("Stripe-Should-Retry"); h != "false" {
				t.Errorf("Stripe-Should-Retry = %q, want false", h)
			}
			_, err = sc.V1IdentityVerificationSessions.Cancel(ctx, vs.ID, nil)
			stripeErr(t, err, http.StatusServiceUnavailable, stripe.ErrorTypeAPI, StorageFailedCode, "")
		})
	}
}
