package emulator

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

func TestDatabaseFilesAreCreatedPrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "em.db")
	e := openFile(t, path)
	// A write, so that SQLite has made its -wal and -shm files.
	if _, err := inProcessClient(e).V1IdentityVerificationSessions.Create(context.Background(),
		&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"em.db", "em.db-wal", "em.db-shm", "em.db.lock"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %v, want 0600: it holds personal data", name, mode)
		}
	}
}

func TestDatabasePathsOpenExactlyThatFile(t *testing.T) {
	for _, name := range []string{"dev #1.db", "a?b.db", "with space.db", "100%.db", "q?mode=ro#frag.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			e, err := New(context.Background(), Options{Path: path, Clock: NewManualClock(epoch)})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			vs, err := inProcessClient(e).V1IdentityVerificationSessions.Create(context.Background(),
				&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, en := range entries {
				names = append(names, en.Name())
			}
			for _, n := range names {
				if n != name && !strings.HasPrefix(n, name+"-") && n != name+".lock" {
					t.Errorf("a file %q appeared beside %q: %v", n, name, names)
				}
			}
			if !slices.Contains(names, name) {
				t.Fatalf("no file %q: %v", name, names)
			}
			// The data is in that file: a new emulator on it finds the session.
			e2 := openFile(t, path)
			if _, err := inProcessClient(e2).V1IdentityVerificationSessions.Retrieve(context.Background(), vs.ID, nil); err != nil {
				t.Fatalf("the session is not in %q: %v", name, err)
			}
		})
	}
}
